//! The customer's loyalty points on screen: the pay dialog's points tender (the attached
//! customer's points, asked of the server when it opens, and how many to spend), and their
//! points on the customer's page. The rules are core's; the answers are read in
//! `state/loyalty.rs`.

use leptos::prelude::*;
use pos_core::loyalty::LoyaltyOpKind;
use pos_core::{Decimal, Payment, Uuid};

use crate::i18n::{self, parse_decimal, Msg};
use crate::state::loyalty::{self, points_text, PointsCheck};
use crate::state::AppState;

/// The pay dialog's points tender: the customer's points and what they are worth, and the points
/// to spend (suggested: as many as pay what is left, at most what they may spend).
#[component]
pub fn PointsTender(payment: Memo<Option<Payment>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let points = RwSignal::new(String::new());
    let currency = move || state.store.with(|s| s.rules.currency);
    let money = move |amount| i18n::money(amount, currency(), state.lang.get());
    let remaining =
        move || payment.with(|p| p.as_ref().map(Payment::remaining).unwrap_or_default());
    Effect::new(move |_| {
        let Some(rule) = state.store.with(|s| s.loyalty.clone()) else {
            return;
        };
        let need = rule.points_for(remaining()).unwrap_or_default();
        let most = match state.loyalty.checked.get() {
            Some(check) => need.min(check.spendable()),
            None => need,
        };
        points.set(most.max(Decimal::ZERO).normalize().to_string());
    });
    let name = move || {
        let id = state.payment.with(|p| p.as_ref().and_then(|p| p.customer));
        id.and_then(|id| state.customers.person(id))
            .map(|c| c.name)
            .unwrap_or_default()
    };
    let worth = move |points: Decimal| {
        let value = state
            .store
            .with(|s| {
                s.loyalty
                    .as_ref()
                    .map(|r| r.value_of(points, s.rules.currency))
            })
            .unwrap_or_default();
        money(value)
    };
    let take = move || match parse_decimal(&points.get_untracked()) {
        Some(points) => loyalty::redeem(state, points),
        None => state.error(Msg::PointsWhole),
    };
    view! {
        <div class="points-tender">
            {move || state.loyalty.checked.get().map(|check| {
                let lang = state.lang.get();
                let text = match check {
                    PointsCheck::Online { balance } => Msg::PointsBalance.fill(lang, &[
                        ("name", &name()),
                        ("points", &points_text(balance, lang)),
                        ("value", &worth(balance)),
                    ]),
                    PointsCheck::Offline { balance, allowance } => Msg::PointsBalanceOffline.fill(lang, &[
                        ("points", &points_text(balance, lang)),
                        ("allowance", &points_text(allowance, lang)),
                    ]),
                };
                view! { <p class="points-balance" role="status" data-testid="points-balance">{text}</p> }
            })}
            <label class="field">
                <span>{move || state.t(Msg::PointsToSpend)}</span>
                <input inputmode="numeric" data-testid="points-amount"
                    prop:value=move || points.get()
                    on:input=move |ev| points.set(event_target_value(&ev)) />
            </label>
            <Show when=move || state.loyalty.busy.get()>
                <p class="progress" role="status">{move || state.t(Msg::PointsChecking)}</p>
            </Show>
            <button class="primary" data-testid="points-pay"
                disabled=move || state.loyalty.busy.get() || state.saving.get()
                on:click=move |_| take()>
                {move || state.t(Msg::PointsPay)}
            </button>
        </div>
    }
}

fn kind_msg(kind: LoyaltyOpKind) -> Msg {
    match kind {
        LoyaltyOpKind::Earn => Msg::PointsEarned,
        LoyaltyOpKind::Redeem => Msg::PointsRedeemedEntry,
        LoyaltyOpKind::TakeBack => Msg::PointsTakenBack,
        LoyaltyOpKind::GiveBack => Msg::PointsGivenBack,
    }
}

/// The customer's points on their page: the balance (the server's, or the last known offline),
/// an overdraft from offline spending as a conflict to settle, and every operation.
#[component]
pub fn CustomerPoints(id: Uuid) -> impl IntoView {
    let state = expect_context::<AppState>();
    loyalty::load_account(state, id);
    let balance = move || {
        let lang = state.lang.get();
        if let Some(account) = state.loyalty.account.get() {
            return Some(points_text(account.balance, lang));
        }
        state.loyalty.known.get().map(|k| {
            Msg::CustomerPointsLastKnown.fill(lang, &[("points", &points_text(k.balance, lang))])
        })
    };
    view! {
        <Show when=move || state.store.with(|s| s.loyalty.is_some()) || state.loyalty.account.with(|a| a.as_ref().is_some_and(|a| !a.history.is_empty()))>
            <dl class="customer-points">
                <dt>{move || state.t(Msg::CustomerPoints)}</dt>
                <dd data-testid="customer-points">{balance}</dd>
            </dl>
            {move || state.loyalty.account.get().filter(|a| a.in_conflict).map(|a| {
                let lang = state.lang.get();
                view! {
                    <p class="conflict" role="alert" data-testid="customer-points-conflict">
                        {Msg::CustomerPointsConflict.fill(lang, &[("points", &points_text(a.overdrawn, lang))])}
                    </p>
                }
            })}
            <h3>{move || state.t(Msg::CustomerPointsHistory)}</h3>
            <ul class="points-history" data-testid="customer-points-history">
                {move || state.loyalty.account.get().map(|a| {
                    a.history.into_iter().rev().map(|entry| {
                        let sign = match entry.kind {
                            LoyaltyOpKind::Earn | LoyaltyOpKind::GiveBack => "+",
                            LoyaltyOpKind::Redeem | LoyaltyOpKind::TakeBack => "−",
                        };
                        let lang = state.lang.get();
                        view! {
                            <li data-testid="customer-points-entry">
                                <span class="kind">{state.t(kind_msg(entry.kind))}</span>
                                " "
                                <span class="points">{format!("{sign}{}", points_text(entry.points, lang))}</span>
                                " → "
                                <span class="after">{points_text(entry.balance_after, lang)}</span>
                            </li>
                        }
                    }).collect_view()
                })}
            </ul>
        </Show>
    }
}
