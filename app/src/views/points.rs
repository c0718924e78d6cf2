//! The customer's loyalty points on screen: the pay dialog's points tender (the attached
//! customer's points, asked of the server when it opens, and how many to spend), their points
//! on the customer's page, and the store's points conflicts for a manager (reached from
//! Customers). The rules are core's; the answers are read in `state/loyalty.rs`.
//!
//! Test ids of the conflicts: `points-conflicts-open` (on the customer list), `points-conflicts`,
//! `points-no-conflicts`, each `points-conflict` (a button to the customer's page) with
//! `points-conflict-name`, `points-conflict-text` and its redemptions `points-conflict-op`
//! (`data-offline`), and `points-conflicts-back`.

use leptos::prelude::*;
use pos_core::loyalty::LoyaltyOpKind;
use pos_core::{Decimal, Payment, Uuid};

use crate::i18n::{self, Msg, parse_decimal};
use crate::state::AppState;
use crate::state::loyalty::{self, PointsCheck, points_text};
use crate::sync::loyalty::{PointsConflict, PointsEntry};

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
        LoyaltyOpKind::MergeIn => Msg::PointsMergedIn,
        LoyaltyOpKind::MergeOut => Msg::PointsMergedOut,
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
                        let change = entry.change();
                        let sign = if change.is_sign_negative() { "−" } else { "+" };
                        let lang = state.lang.get();
                        view! {
                            <li data-testid="customer-points-entry">
                                <span class="kind">{state.t(kind_msg(entry.kind))}</span>
                                " "
                                <span class="points">{format!("{sign}{}", points_text(change.abs(), lang))}</span>
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

/// The store's points overdrawn offline, newest first: whose (the name from this device's
/// customers), by how much, and the redemptions that made it, when and on which device. A row
/// opens the customer's page.
#[component]
pub fn PointsConflicts(conflicts: Vec<PointsConflict>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let empty = conflicts.is_empty();
    let rows = conflicts
        .into_iter()
        .map(|c| view! { <ConflictRow conflict=c /> })
        .collect_view();
    view! {
        <section class="points-conflicts" data-testid="points-conflicts">
            <button class="back" data-testid="points-conflicts-back"
                on:click=move |_| state.loyalty.conflicts.set(None)>{move || state.t(Msg::Back)}</button>
            <h2>{move || state.t(Msg::PointsConflictsTitle)}</h2>
            <p class="hint">{move || state.t(Msg::PointsConflictsHint)}</p>
            <Show when=move || empty>
                <p class="empty" data-testid="points-no-conflicts">{move || state.t(Msg::PointsNoConflicts)}</p>
            </Show>
            <ul class="points-conflict-list">{rows}</ul>
        </section>
    }
}

#[component]
fn ConflictRow(conflict: PointsConflict) -> impl IntoView {
    let state = expect_context::<AppState>();
    let customer = conflict.customer;
    let name = move || {
        state
            .customers
            .person(customer)
            .filter(|c| !c.erased)
            .map(|c| c.name)
            .unwrap_or_else(|| state.t(Msg::PointsConflictUnknown).to_string())
    };
    let (overdraft, balance) = (conflict.overdraft, conflict.balance);
    let text = move || {
        let lang = state.lang.get();
        Msg::PointsConflictRow.fill(
            lang,
            &[
                ("name", &name()),
                ("overdraft", &points_text(overdraft, lang)),
                ("balance", &points_text(balance, lang)),
            ],
        )
    };
    let devices = conflict.devices.clone();
    let ops: Vec<PointsEntry> = conflict
        .with
        .into_iter()
        .rev()
        .chain(std::iter::once(conflict.op))
        .collect();
    let ops = ops
        .into_iter()
        .map(|op| {
            let device = devices
                .get(&op.device)
                .filter(|n| !n.is_empty())
                .cloned()
                .unwrap_or_else(|| op.device.clone());
            let (at, points, offline) = (op.made_at_ms(), op.points, op.offline);
            view! {
                <li class="desk-op" data-testid="points-conflict-op" data-offline=offline.to_string()>
                    <span class="time">{move || i18n::date_time(at, state.lang.get())}</span>
                    " "
                    <span class="spent">{move || {
                        let lang = state.lang.get();
                        Msg::PointsConflictSpent.fill(lang, &[("points", &points_text(points, lang)), ("device", &device)])
                    }}</span>
                    <Show when=move || offline>
                        " "
                        <span class="badge">{move || state.t(Msg::DeskOffline)}</span>
                    </Show>
                </li>
            }
        })
        .collect_view();
    view! {
        <li>
            <button class="customer-row" data-testid="points-conflict" on:click=move |_| {
                state.loyalty.conflicts.set(None);
                state.view_customer(customer);
            }>
                <span class="name" data-testid="points-conflict-name">{name}</span>
                <span class="contact" data-testid="points-conflict-text">{text}</span>
            </button>
            <ul class="desk-history">{ops}</ul>
        </li>
    }
}
