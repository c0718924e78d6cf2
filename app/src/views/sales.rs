//! Recent sales of this device, newest first, each opening its receipt, with a refund of the
//! whole sale for each one not refunded yet.

use leptos::prelude::*;
use pos_core::Sale;
use pos_core::staff::Permission;

use super::receipt::Receipt;
use crate::i18n::{self, Msg};
use crate::state::AppState;
use crate::state::refund;
use crate::storage::CardRefundMethod;

#[component]
pub fn Sales() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        match state.viewed_sale.get() {
        Some(sale) => view! {
            <div class="sale-detail">
                <button class="back" on:click=move |_| state.viewed_sale.set(None)>{move || state.t(Msg::Back)}</button>
                <super::printing::ReprintButtons sale=sale.clone() />
                <Receipt sale />
            </div>
        }
        .into_any(),
        None => view! {
            <section class="sales">
                <h2>{move || state.t(Msg::RecentSales)}</h2>
                <FindReceipt />
                <Show when=move || state.recent_sales.with(Vec::is_empty)>
                    <p class="empty">{move || state.t(Msg::NoSales)}</p>
                </Show>
                <ul class="sales-list" data-testid="sales-list">
                    <For
                        each=move || state.recent_sales.get()
                        key=|s| s.id()
                        children=move |sale| view! { <SaleRow sale /> }
                    />
                </ul>
                <Show when=move || state.more_sales.get()>
                    <button class="load-more" data-testid="load-more" on:click=move |_| state.load_sales(true)>
                        {move || state.t(Msg::LoadMore)}
                    </button>
                </Show>
                {move || state.refunding.get().map(|sale| view! { <RefundDialog sale /> })}
            </section>
        }
        .into_any(),
    }
    }
}

#[component]
fn SaleRow(sale: Sale) -> impl IntoView {
    let state = expect_context::<AppState>();
    let number = sale.receipt_number().to_string();
    let at = sale.completed_at_ms();
    let total = sale.totals().total;
    let currency = sale.rules().currency;
    let items = sale.lines().len();
    let id = sale.id();
    // `None`: no refund; `Some(false)`: started, not finished; `Some(true)`: refunded.
    let refunded = move || state.refunds.with(|r| r.get(&id).map(|r| r.is_completed()));
    let for_refund = sale.clone();
    view! {
        <li>
            <button class="sale-row" data-testid="sale-row" on:click=move |_| state.viewed_sale.set(Some(sale.clone()))>
                <span class="number" data-testid="sale-number">{number}</span>
                <span class="time">{move || i18n::date_time(at, state.lang.get())}</span>
                <span class="items">{move || Msg::Items.fill(state.lang.get(), &[("count", &items.to_string())])}</span>
                <span class="amount" data-testid="sale-total">{move || i18n::money(total, currency, state.lang.get())}</span>
                {move || match refunded() {
                    Some(true) => Some(view! { <span class="badge refunded" data-testid="sale-refunded">{state.t(Msg::Refunded)}</span> }.into_any()),
                    Some(false) => Some(view! { <span class="badge unfinished" data-testid="sale-refund-unfinished">{state.t(Msg::RefundUnfinished)}</span> }.into_any()),
                    None => None,
                }}
            </button>
            <Show when=move || refunded() != Some(true)>
                <button class="refund" data-testid="refund-sale" on:click={
                    let sale = for_refund.clone();
                    move |_| {
                        state.notice.set(None);
                        let sale = sale.clone();
                        state.protected(Permission::Refund, move |approved_by| {
                            // Cash handed back from the drawer needs its own permission; the
                            // manager who just approved the refund may hold it too.
                            let cash = !sale.refund_split().cash.is_zero();
                            let open = move |cash_by: Option<pos_core::Uuid>| {
                                state.staff.refund_approved_by.set(cash_by.or(approved_by));
                                state.refunding.set(Some(sale));
                            };
                            if cash && !state.member_may(approved_by, Permission::RefundToCash) {
                                state.protected(Permission::RefundToCash, open);
                            } else {
                                open(None);
                            }
                        });
                    }
                }>
                    {move || state.t(Msg::RefundAction)}
                </button>
            </Show>
        </li>
    }
}

/// The refund of one whole sale: what goes back per tender, the reason, the terminal's screens
/// while it works, and the outcome. Everything it does is in `refund.rs`.
#[component]
fn RefundDialog(sale: Sale) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = sale.id();
    let split = sale.refund_split();
    let currency = sale.rules().currency;
    let receipt = sale.receipt_number().to_string();
    let money = move |amount| i18n::money(amount, currency, state.lang.get());
    let record = move || state.refunds.with(|r| r.get(&id).cloned());
    let reason = RwSignal::new(record().map(|r| r.reason).unwrap_or_default());
    let busy = move || state.refund_progress.with(Option::is_some);
    // How the card part goes back: as decided when it started, else as it would be now.
    let method_text = {
        let sale = sale.clone();
        move || {
            if split.card.is_zero() {
                return None;
            }
            let method = match record().and_then(|r| r.card_method) {
                Some(method) => Some(method),
                None => refund::card_method(state, &sale).ok().flatten(),
            };
            let lang = state.lang.get();
            Some(match method {
                Some(CardRefundMethod::Reversal { .. }) => {
                    Msg::RefundByReversal.text(lang).to_string()
                }
                Some(CardRefundMethod::Refund) => Msg::RefundByTerminal.text(lang).to_string(),
                Some(CardRefundMethod::Standalone) | None => {
                    Msg::RefundOnBankTerminal.fill(lang, &[("amount", &money(split.card))])
                }
            })
        }
    };
    let close = move || {
        if !busy() {
            state.refunding.set(None);
        }
    };
    let start = {
        let sale = sale.clone();
        move || refund::start(state, sale.clone(), reason.get_untracked())
    };
    let ask = {
        let sale = sale.clone();
        move || {
            if let Some(record) = record() {
                refund::recover(state, sale.clone(), record);
            }
        }
    };
    let confirm_bank = {
        let sale = sale.clone();
        move || refund::confirm_standalone(state, sale.clone())
    };
    view! {
        <div class="overlay">
            <div class="dialog refund-dialog" role="dialog" aria-modal="true" data-testid="refund-dialog">
                <h2>{move || Msg::RefundTitle.fill(state.lang.get(), &[("receipt", &receipt)])}</h2>
                <dl class="due">
                    <Show when=move || !split.card.is_zero()>
                        <div class="row">
                            <dt>{move || state.t(Msg::RefundToCard)}</dt>
                            <dd data-testid="refund-card">{move || money(split.card)}</dd>
                        </div>
                    </Show>
                    <Show when=move || !split.cash.is_zero()>
                        <div class="row">
                            <dt>{move || state.t(Msg::RefundInCash)}</dt>
                            <dd data-testid="refund-cash">{move || money(split.cash)}</dd>
                        </div>
                    </Show>
                </dl>
                {move || method_text().map(|text| view! { <p class="instructions" data-testid="refund-method">{text}</p> })}
                {move || state.refund_progress.get().map(|p| view! {
                    <p class="terminal-progress" role="status" data-testid="refund-progress">{p.text(state.lang.get())}</p>
                })}
                {
                    let start = start.clone();
                    let ask = ask.clone();
                    let confirm_bank = confirm_bank.clone();
                    move || {
                        let record = record();
                        let completed = record.as_ref().is_some_and(|r| r.is_completed());
                        let in_flight = record.as_ref().and_then(|r| r.card_in_flight.as_ref().map(|c| c.amount));
                        let bank_pending = record.as_ref().is_some_and(|r| {
                            r.card_method == Some(CardRefundMethod::Standalone) && !r.card_done && !r.is_completed()
                        });
                        if completed {
                            let cash = record.map(|r| r.cash).unwrap_or_default();
                            return view! {
                                <p class="refund-done" data-testid="refund-done">{state.t(Msg::Refunded)}</p>
                                <Show when=move || !cash.is_zero()>
                                    <p class="hand-back" data-testid="refund-hand-back">
                                        {move || Msg::RefundHandBack.fill(state.lang.get(), &[("amount", &money(cash))])}
                                    </p>
                                </Show>
                                <div class="actions">
                                    <button class="primary" data-testid="refund-close" on:click=move |_| close()>{state.t(Msg::Close)}</button>
                                </div>
                            }
                            .into_any();
                        }
                        if busy() {
                            return ().into_any();
                        }
                        if let Some(sent) = in_flight {
                            let ask = ask.clone();
                            return view! {
                                <div class="in-flight" data-testid="refund-in-flight">
                                    <p>{Msg::RefundInFlight.fill(state.lang.get(), &[("amount", &money(sent))])}</p>
                                    <button class="primary" data-testid="refund-ask-terminal" on:click=move |_| ask()>
                                        {state.t(Msg::AskTerminal)}
                                    </button>
                                    <button on:click=move |_| close()>{state.t(Msg::Cancel)}</button>
                                </div>
                            }
                            .into_any();
                        }
                        if bank_pending {
                            let confirm_bank = confirm_bank.clone();
                            return view! {
                                <div class="actions">
                                    <button class="primary" data-testid="refund-confirm-bank" on:click=move |_| confirm_bank()>
                                        {state.t(Msg::ConfirmBankRefund)}
                                    </button>
                                    <button on:click=move |_| close()>{state.t(Msg::Cancel)}</button>
                                </div>
                            }
                            .into_any();
                        }
                        let again = record.is_some();
                        let start = start.clone();
                        let start_on_enter = start.clone();
                        view! {
                            <label class="field">
                                <span>{state.t(Msg::RefundReason)}</span>
                                <input
                                    type="text"
                                    data-testid="refund-reason"
                                    prop:value=move || reason.get()
                                    on:input=move |ev| reason.set(event_target_value(&ev))
                                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { start_on_enter() }
                                />
                            </label>
                            <div class="actions">
                                <button class="primary" data-testid="refund-confirm" on:click=move |_| start()>
                                    {move || if again {
                                        state.t(Msg::RefundRetry).to_string()
                                    } else {
                                        Msg::RefundConfirm.fill(state.lang.get(), &[("amount", &money(split.card + split.cash))])
                                    }}
                                </button>
                                <button data-testid="refund-cancel" on:click=move |_| close()>{state.t(Msg::Cancel)}</button>
                            </div>
                        }
                        .into_any()
                    }
                }
            </div>
        </div>
    }
}

#[component]
fn FindReceipt() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    view! {
        <div class="find-receipt">
            <input
                type="search"
                data-testid="find-receipt"
                aria-label=move || state.t(Msg::FindReceipt)
                placeholder=move || state.t(Msg::FindReceipt)
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { state.find_sale(query.get_untracked()) }
            />
            <button on:click=move |_| state.find_sale(query.get_untracked())>{move || state.t(Msg::Find)}</button>
        </div>
    }
}
