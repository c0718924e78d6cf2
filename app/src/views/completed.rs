//! After "paid": the change due, large, and the receipt, over the register so that the register
//! is not rebuilt for every sale.

use leptos::prelude::*;

use super::receipt::Receipt;
use crate::i18n::{self, Msg};
use crate::state::AppState;

#[component]
pub fn Completed() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.last_sale.get().map(|sale| {
            let change = sale.change();
            let currency = sale.rules().currency;
            let excess = sale.card_excess();
            view! {
                <div class="overlay"><div class="dialog completed" role="dialog" aria-modal="true" data-testid="completed">
                    <p class="paid-badge">{move || state.t(Msg::Paid)}</p>
                    <div class="change-due" data-testid="change-due">
                        <span class="label">{move || state.t(if change.is_zero() { Msg::NoChange } else { Msg::ChangeDue })}</span>
                        <span class="amount" data-testid="change-amount">{move || i18n::money(change, currency, state.lang.get())}</span>
                    </div>
                    // A terminal approved more than it was asked (a tip keyed on it): the sale has it,
                    // and the cashier should know before the customer leaves.
                    {(!excess.is_zero()).then(|| view! {
                        <p class="card-excess warning" role="status" data-testid="card-excess">
                            {move || {
                                let lang = state.lang.get();
                                Msg::CardExcess.fill(lang, &[("amount", &i18n::money(excess, currency, lang))])
                            }}
                        </p>
                    })}
                    <button class="primary new-sale" data-testid="new-sale" on:click=move |_| state.new_sale()>
                        {move || state.t(Msg::NewSale)}
                    </button>
                    <super::printing::PrintReceiptButton sale=sale.clone() />
                    <Receipt sale />
                </div></div>
            }
        })
    }
}
