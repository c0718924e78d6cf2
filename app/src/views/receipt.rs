//! The receipt on screen. The printed receipt (devices issue) follows the same layout.

use leptos::prelude::*;
use pos_core::{Sale, TaxPricing};

use super::pay::tender_text;
use crate::i18n::{self, Msg};
use crate::state::AppState;

#[component]
pub fn Receipt(sale: Sale) -> impl IntoView {
    let state = expect_context::<AppState>();
    let currency = sale.rules().currency;
    let money = move |amount| i18n::money(amount, currency, state.lang.get());
    let store = state.store.get_untracked();
    let inclusive = sale.rules().tax_pricing == TaxPricing::Inclusive;
    let totals = sale.totals().clone();
    let lines = sale.lines().to_vec();
    let number = sale.receipt_number().to_string();
    let at = sale.completed_at_ms();
    let tenders = sale.tenders().to_vec();
    let change = sale.change();
    let rounding = sale.cash_rounding();
    let training = sale.is_training();
    view! {
        <article class="receipt" data-testid="receipt">
            {training.then(|| view! { <p class="training-banner" data-testid="receipt-training">{move || state.t(Msg::TrainingReceipt)}</p> })}
            <header>
                <strong>{store.name.clone()}</strong>
                <span>{store.address.clone()}</span>
                <span>{store.tax_number.clone()}</span>
                <span data-testid="receipt-number">{move || Msg::ReceiptNo.fill(state.lang.get(), &[("number", &number)])}</span>
                <span>{move || i18n::date_time(at, state.lang.get())}</span>
            </header>
            <ul class="receipt-lines">
                {lines
                    .into_iter()
                    .zip(totals.lines.clone())
                    .map(|(line, lt)| {
                        let unit_price = line.unit_price_with_modifiers();
                        view! {
                            <li>
                                <div class="row">
                                    <span>{line.name.clone()}</span>
                                    <span>{move || money(lt.gross)}</span>
                                </div>
                                <div class="row detail">
                                    <span>{move || format!("{} × {}", i18n::quantity(line.quantity, state.lang.get()), money(unit_price))}</span>
                                </div>
                                {line.modifiers.iter().map(|m| view! { <div class="row detail">{format!("+ {}", m.name)}</div> }).collect_view()}
                                {(!lt.line_discount.is_zero()).then(|| view! {
                                    <div class="row detail">
                                        <span>{move || state.t(Msg::Discount)}</span>
                                        <span>{move || format!("−{}", money(lt.line_discount))}</span>
                                    </div>
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <dl class="totals">
                {(!totals.order_discount.is_zero()).then(|| {
                    let d = totals.order_discount;
                    view! {
                        <div class="row"><dt>{move || state.t(Msg::OrderDiscount)}</dt><dd>{move || format!("−{}", money(d))}</dd></div>
                    }
                })}
                <div class="row total">
                    <dt>{move || state.t(Msg::Total)}</dt>
                    <dd data-testid="receipt-total">{move || money(totals.total)}</dd>
                </div>
                {(!rounding.is_zero()).then(|| view! {
                    <div class="row"><dt>{move || state.t(Msg::CashRounding)}</dt><dd>{move || money(rounding)}</dd></div>
                })}
                {totals.taxes.iter().map(|b| {
                    let b = b.clone();
                    let name = b.category.name.clone();
                    view! {
                        <div class="row tax">
                            <dt>{move || (if inclusive { Msg::TaxIncluded } else { Msg::TaxAdded }).fill(state.lang.get(), &[("name", &name)])}</dt>
                            <dd>{move || money(b.tax)}</dd>
                        </div>
                    }
                }).collect_view()}
            </dl>
            <ul class="receipt-tenders">
                {tenders.iter().map(|t| {
                    let t = t.clone();
                    view! { <li>{move || tender_text(&t, state)}</li> }
                }).collect_view()}
                {(!change.is_zero()).then(|| view! {
                    <li>{move || format!("{} {}", state.t(Msg::Change), money(change))}</li>
                })}
            </ul>
            <footer>{store.receipt_footer.clone()}</footer>
        </article>
    }
}
