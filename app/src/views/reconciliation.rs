//! The card terminal's side of a closed shift on its Z report (issue 13): the terminal's totals
//! beside the register's, per brand and overall, what explains a difference, or why the shift
//! is not reconciled, with a retry. Test ids are listed in `shift.rs`.

use leptos::prelude::*;
use pos_core::shift::{CardBrand, Comparison, Explanation, TerminalCheck};
use pos_core::{Currency, Decimal, Uuid};

use crate::i18n::{self, Msg};
use crate::state::AppState;

/// The card terminal's side of a closed shift: its totals beside the register's per brand and
/// overall, and what explains a difference; or why it is not reconciled, with a retry.
#[component]
pub fn Reconciled(shift_id: Uuid, currency: Currency, lang: i18n::Lang) -> impl IntoView {
    let state = expect_context::<AppState>();
    let shift = Memo::new(move |_| {
        state
            .shifts
            .all
            .with(|all| all.iter().find(|s| s.id == shift_id).cloned())
    });
    let money = move |amount: Decimal| i18n::money(amount, currency, lang);
    let total = move |amount: Decimal, count: i64| {
        Msg::ReconTotal.fill(
            lang,
            &[("amount", &money(amount)), ("count", &count.to_string())],
        )
    };
    let row = move |c: &Comparison| {
        let register = total(c.register.amount, c.register.count);
        let terminal = if c.counted {
            total(c.terminal.amount, c.terminal.count)
        } else {
            money(c.terminal.amount)
        };
        let difference = if c.matches() {
            Msg::ReconMatches.text(lang).to_string()
        } else if c.counted && c.difference().count != 0 {
            total(c.difference().amount, c.difference().count)
        } else {
            money(c.difference().amount)
        };
        view! {
            <tr data-testid="recon-row" data-brand=brand_tag(c.brand) data-matched=c.matches().to_string()>
                <th scope="row">{brand_name(c.brand, lang)}</th>
                <td class="amount" data-testid="recon-register">{register}</td>
                <td class="amount" data-testid="recon-terminal">{terminal}</td>
                <td class="amount" data-testid="recon-difference">{difference}</td>
            </tr>
        }
    };
    let explanation = move |e: &Explanation| {
        let text = match e {
            Explanation::NotOnTerminal { card, certain } => {
                let msg = if *certain {
                    Msg::ReconNotOnTerminal
                } else {
                    Msg::ReconMaybeNotOnTerminal
                };
                msg.fill(
                    lang,
                    &[
                        ("receipt", &card.receipt.to_string()),
                        ("amount", &money(card.amount)),
                    ],
                )
            }
            Explanation::NotRecorded {
                receipt_no: Some(n),
                ..
            } => Msg::ReconNotRecordedReceipt.fill(lang, &[("receipt", &format!("{n:04}"))]),
            Explanation::NotRecorded {
                receipt_no: None,
                brand,
                amount,
            } => Msg::ReconNotRecordedAmount.fill(
                lang,
                &[
                    ("amount", &amount.map(money).unwrap_or_default()),
                    ("brand", &brand_name(*brand, lang)),
                ],
            ),
        };
        view! { <li data-testid="recon-explanation">{text}</li> }
    };
    move || {
        let shift = shift.get()?;
        if state.shifts.reconciling.get() == Some(shift_id) {
            let progress = state
                .card_progress
                .get()
                .map(|p| p.text(lang))
                .unwrap_or_default();
            return Some(
                view! {
                    <section class="reconciliation" data-testid="recon-progress" role="status">
                        <p>{Msg::ReconRunning.text(lang)}</p>
                        <p>{progress}</p>
                    </section>
                }
                .into_any(),
            );
        }
        let may_retry = state.may_retry_reconciliation(&shift);
        let retry = may_retry.then(|| {
            let shift = shift.clone();
            view! {
                <button data-testid="recon-retry" on:click=move |_| state.retry_reconciliation(shift.clone())>
                    {Msg::ReconRetry.text(lang)}
                </button>
            }
        });
        let not_reconciled = move |text: String| {
            view! {
                <section class="reconciliation" data-testid="recon-failed">
                    <p>{text}</p>
                    {retry}
                </section>
            }
            .into_any()
        };
        match shift.close.as_ref()?.terminal.clone() {
            Some(TerminalCheck::Reconciled {
                typed,
                reconciliation,
                ..
            }) => {
                let matched = reconciliation.is_matched();
                let rows = reconciliation
                    .brands
                    .iter()
                    .chain(std::iter::once(&reconciliation.overall))
                    .map(row)
                    .collect::<Vec<_>>();
                let explanations = reconciliation
                    .explanations
                    .iter()
                    .map(explanation)
                    .collect::<Vec<_>>();
                let unexplained = !matched && explanations.is_empty();
                let verdict = if matched {
                    Msg::ReconMatched
                } else {
                    Msg::ReconMismatch
                };
                Some(view! {
                    <section class="reconciliation" data-testid="recon" data-matched=matched.to_string()>
                        <h4>{Msg::ReconTitle.text(lang)}</h4>
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">{Msg::ReconCards.text(lang)}</th>
                                    <th scope="col">{Msg::ReconRegister.text(lang)}</th>
                                    <th scope="col">{Msg::ReconTerminal.text(lang)}</th>
                                    <th scope="col">{Msg::ReconDifference.text(lang)}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                        <p class="recon-verdict" data-testid="recon-verdict">{verdict.text(lang)}</p>
                        {typed.then(|| view! { <p class="hint">{Msg::ReconTyped.text(lang)}</p> })}
                        <ul class="recon-explanations">{explanations}</ul>
                        {unexplained.then(|| view! { <p data-testid="recon-unexplained">{Msg::ReconUnexplained.text(lang)}</p> })}
                    </section>
                }
                .into_any())
            }
            Some(TerminalCheck::NotReconciled { reason, .. }) => {
                let why = crate::state::reconcile::reason_msg(&reason).text(lang);
                Some(not_reconciled(
                    Msg::ReconFailed.fill(lang, &[("reason", why)]),
                ))
            }
            // Closed before the terminal answered (a reload during its end of day).
            None if may_retry => Some(not_reconciled(Msg::ReconNotYet.text(lang).to_string())),
            None => None,
        }
    }
}

/// A brand's name as cards and acquirers' statements print it; the overall row is "all cards".
fn brand_name(brand: Option<CardBrand>, lang: i18n::Lang) -> String {
    let name = match brand {
        None => Msg::ReconAllCards.text(lang),
        Some(brand) => brand.name().unwrap_or(Msg::ReconOtherCards.text(lang)),
    };
    name.to_string()
}

fn brand_tag(brand: Option<CardBrand>) -> &'static str {
    match brand {
        None => "all",
        Some(CardBrand::Girocard) => "girocard",
        Some(CardBrand::Jcb) => "jcb",
        Some(CardBrand::Mastercard) => "mastercard",
        Some(CardBrand::Amex) => "amex",
        Some(CardBrand::Visa) => "visa",
        Some(CardBrand::Diners) => "diners",
        Some(CardBrand::Other) => "other",
    }
}

