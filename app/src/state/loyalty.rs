//! Loyalty points at the till (issue 14): the attached customer's points, spending them as a
//! tender, and the points outbox that carries every operation (earned on a sale, spent, taken
//! back or given back by a return) to the server's ledger.
//!
//! The same money safety as gift cards (`gift_cards.rs`): an operation's id is fixed and kept on
//! disk before the server hears of it (earned and returned points: in the sale's or refund's
//! transaction; a redemption: in the pending payment, strictly). Online, only the server's 201
//! adds the points as a tender, and the server checks the balance atomically; offline, the
//! customer may spend within the store's allowance (core's `OfflineAllowance`), and the
//! redemption goes in the outbox in the step that adds the tender.

use std::cell::Cell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::loyalty::{LoyaltyMerge, LoyaltyOp, LoyaltyOpKind};
use pos_core::staff::Permission;
use pos_core::{Decimal, Uuid};

use super::{AppState, Notice, storage_notice};
use crate::i18n::{self, Msg};
use crate::storage::KnownPoints;
use crate::sync::gift_cards::GiftCardRefusal;
use crate::sync::loyalty::{self as api, PointsAccount, PointsConflict};

/// What the pay dialog shows of the attached customer's points.
#[derive(Clone, Debug, PartialEq)]
pub enum PointsCheck {
    /// The server's answer.
    Online { balance: Decimal },
    /// Offline: what this device last knew, and what the customer may spend now.
    Offline {
        balance: Decimal,
        allowance: Decimal,
    },
}

impl PointsCheck {
    /// The most points the customer may spend now.
    pub fn spendable(&self) -> Decimal {
        match self {
            PointsCheck::Online { balance } => *balance,
            PointsCheck::Offline { allowance, .. } => *allowance,
        }
        .max(Decimal::ZERO)
    }
}

#[derive(Clone, Copy)]
pub struct Loyalty {
    /// The points of the customer on the ticket, once asked.
    pub checked: RwSignal<Option<PointsCheck>>,
    /// The server is being asked.
    pub busy: RwSignal<bool>,
    /// The viewed customer's points: the server's account, or `None` with `known` offline.
    pub account: RwSignal<Option<PointsAccount>>,
    /// Offline: what this device last knew of the viewed customer's points.
    pub known: RwSignal<Option<KnownPoints>>,
    /// The store's points overdrawn offline, once a manager asked (the customers screen shows
    /// them instead of the list while set).
    pub conflicts: RwSignal<Option<Vec<PointsConflict>>>,
}

impl Loyalty {
    pub fn new() -> Loyalty {
        Loyalty {
            checked: RwSignal::new(None),
            busy: RwSignal::new(false),
            account: RwSignal::new(None),
            known: RwSignal::new(None),
            conflicts: RwSignal::new(None),
        }
    }
}

impl Default for Loyalty {
    fn default() -> Self {
        Loyalty::new()
    }
}

/// This device's id in its store (nil before it belongs to one).
fn device_id(state: AppState) -> Uuid {
    state
        .membership
        .with_untracked(|m| m.as_ref().map_or(Uuid::nil(), |m| m.device_id))
}

fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

fn known_of(account: &PointsAccount) -> KnownPoints {
    KnownPoints {
        customer: account.customer,
        balance: account.balance,
        at_ms: now_ms(),
    }
}

/// What the customer may spend offline: the store's allowance less what this device let them
/// spend offline that the server has not heard of, never more than the points it knows of.
async fn offline_check(state: AppState, customer: Uuid) -> Option<PointsCheck> {
    let known = state
        .storage()
        .known_points(customer)
        .await
        .ok()
        .flatten()?;
    let rule = state.store.with_untracked(|s| s.loyalty.clone())?;
    let unsynced: Decimal = state
        .storage()
        .points_outbox()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|op| op.customer == customer && op.kind == LoyaltyOpKind::Redeem && op.offline)
        .map(|op| op.points)
        .sum();
    Some(PointsCheck::Offline {
        balance: known.balance,
        allowance: rule.offline.available(known.balance, unsynced),
    })
}

/// Asks the server for the points of the customer on the ticket (offline: what this device
/// knows), for the pay dialog.
pub fn check(state: AppState) {
    let Some(customer) = state.customers.on_ticket.get_untracked() else {
        return state.loyalty.checked.set(None);
    };
    let Some(token) = state.token() else {
        return;
    };
    state.loyalty.busy.set(true);
    spawn_local(async move {
        let answer = api::account(&token, customer).await;
        state.loyalty.busy.set(false);
        match answer {
            Ok(account) => {
                let _ = state.storage().remember_points(known_of(&account)).await;
                state.loyalty.checked.set(Some(PointsCheck::Online {
                    balance: account.balance,
                }));
            }
            Err(GiftCardRefusal::Offline) => {
                state
                    .loyalty
                    .checked
                    .set(offline_check(state, customer).await);
            }
            Err(refusal) => refused(state, &refusal),
        }
    });
}

/// The viewed customer's points and history for their page; offline, the balance last known.
pub fn load_account(state: AppState, customer: Uuid) {
    state.loyalty.account.set(None);
    state.loyalty.known.set(None);
    let Some(token) = state.token() else {
        return;
    };
    spawn_local(async move {
        match api::account(&token, customer).await {
            Ok(account) => {
                let _ = state.storage().remember_points(known_of(&account)).await;
                if state.customers.viewed.get_untracked() == Some(customer) {
                    state.loyalty.account.set(Some(account));
                }
            }
            Err(_) => {
                let known = state.storage().known_points(customer).await.ok().flatten();
                state.loyalty.known.set(known);
            }
        }
    });
}

/// The store's points overdrawn offline, for someone who may see reports: the server's list.
pub fn load_conflicts(state: AppState) {
    state.protected(Permission::SeeReports, move |_| {
        let Some(token) = state.token() else {
            return state.error(Msg::GiftCardNeedsStore);
        };
        state.loyalty.busy.set(true);
        spawn_local(async move {
            let answer = api::conflicts(&token).await;
            state.loyalty.busy.set(false);
            match answer {
                Ok(found) => {
                    state.notice.set(None);
                    state.loyalty.conflicts.set(Some(found));
                }
                Err(GiftCardRefusal::Offline) => state.error(Msg::DeskNeedsServer),
                Err(refusal) => refused(state, &refusal),
            }
        });
    });
}

fn refused(state: AppState, refusal: &GiftCardRefusal) {
    match refusal {
        GiftCardRefusal::InsufficientBalance { balance } => state.notice.set(Some(Notice::Error(
            Msg::PointsInsufficient,
            vec![("balance", balance.normalize().to_string())],
        ))),
        GiftCardRefusal::Other { message, .. } => state
            .notice
            .set(Some(Notice::Fault(Msg::ServerRefused, message.clone()))),
        _ => state.error(Msg::PointsOpRefused),
    }
}

/// "Pay with points": spends `points` of the attached customer on the open payment, at most
/// what is left to pay. Kept in the pending payment before it is sent; the server's 201 adds the
/// tender. Offline, taken within the allowance and sent later.
pub fn redeem(state: AppState, points: Decimal) {
    if state.loyalty.busy.get_untracked() || state.saving.get_untracked() {
        return;
    }
    let Some(pending) = state.payment.get_untracked() else {
        return;
    };
    if pending.points_in_flight.is_some() {
        return resend(state);
    }
    let Some(customer) = pending.customer else {
        return state.error(Msg::PointsNeedCustomer);
    };
    let Some(rule) = state.store.with_untracked(|s| s.loyalty.clone()) else {
        return state.error(Msg::PointsNoProgramme);
    };
    if state.token().is_none() {
        return state.error(Msg::GiftCardNeedsStore);
    }
    if points <= Decimal::ZERO || points.fract() != Decimal::ZERO {
        return state.error(Msg::PointsWhole);
    }
    let currency = state.store.with_untracked(|s| s.rules.currency);
    // Points worth more than is left pay what is left: they give no change.
    let amount = rule
        .value_of(points, currency)
        .min(pending.payment.remaining());
    if let Err(e) = pending.payment.check_points(amount) {
        return state.tender_error(e);
    }
    let op = LoyaltyOp {
        id: Uuid::now_v7(),
        customer,
        kind: LoyaltyOpKind::Redeem,
        points,
        sale: pending.sale_id,
        staff: state.staff_id(),
        device: device_id(state),
        at_ms: now_ms(),
        offline: false,
    };
    state.payment.update(|p| {
        if let Some(p) = p {
            p.points_in_flight = Some(op);
        }
    });
    let send = send_in_flight(state, amount);
    save_then_send(state, state.loyalty.busy, out_of_flight, send);
}

/// Keeps the open payment, with a redemption now in flight in it, strictly (durable before the
/// server hears of it: a reload from here on sends the same operation again, never a second
/// one), then `send`s it; `busy` while it does. Kept nowhere, it is taken out of flight.
pub(super) fn save_then_send(
    state: AppState,
    busy: RwSignal<bool>,
    out_of_flight: fn(AppState),
    send: impl std::future::Future<Output = ()> + 'static,
) {
    busy.set(true);
    state.notice.set(None);
    spawn_local(async move {
        if let Err(e) = state.save_open_ticket_now().await {
            out_of_flight(state);
            busy.set(false);
            return state.notice.set(Some(storage_notice(&e)));
        }
        send.await;
    });
}

/// After a reload with a redemption kept in the payment: sends the same operation again.
pub fn resend(state: AppState) {
    if state.loyalty.busy.get_untracked() {
        return;
    }
    let Some((op, remaining)) = state.payment.with_untracked(|p| {
        let p = p.as_ref()?;
        Some((p.points_in_flight.clone()?, p.payment.remaining()))
    }) else {
        return;
    };
    let Some(rule) = state.store.with_untracked(|s| s.loyalty.clone()) else {
        return;
    };
    let currency = state.store.with_untracked(|s| s.rules.currency);
    let amount = rule.value_of(op.points, currency).min(remaining);
    state.loyalty.busy.set(true);
    spawn_local(send_in_flight(state, amount));
}

fn out_of_flight(state: AppState) {
    state.payment.update(|p| {
        if let Some(p) = p {
            p.points_in_flight = None;
        }
    });
}

async fn send_in_flight(state: AppState, amount: Decimal) {
    let op = state
        .payment
        .with_untracked(|p| p.as_ref().and_then(|p| p.points_in_flight.clone()));
    let (Some(op), Some(token)) = (op, state.token()) else {
        state.loyalty.busy.set(false);
        return;
    };
    match api::record_op(&token, &op).await {
        Ok(account) => {
            let _ = state.storage().remember_points(known_of(&account)).await;
            state.loyalty.checked.set(Some(PointsCheck::Online {
                balance: account.balance,
            }));
            take(state, op, amount);
        }
        Err(GiftCardRefusal::Offline) => redeem_offline(state, op, amount).await,
        Err(refusal) => {
            out_of_flight(state);
            refused(state, &refusal);
        }
    }
    state.loyalty.busy.set(false);
}

/// The server could not be reached: within the allowance the points are taken as a tender and
/// the redemption goes in the outbox (`offline: true`, the same id).
async fn redeem_offline(state: AppState, mut op: LoyaltyOp, amount: Decimal) {
    let Some(check) = offline_check(state, op.customer).await else {
        out_of_flight(state);
        return state.error(Msg::PointsNeverSeen);
    };
    if op.points > check.spendable() {
        out_of_flight(state);
        return state.notice.set(Some(Notice::Error(
            Msg::PointsOverAllowance,
            vec![("allowance", check.spendable().normalize().to_string())],
        )));
    }
    op.offline = true;
    if let Err(e) = state.storage().record_offline_redemption(op.clone()).await {
        out_of_flight(state);
        return state.notice.set(Some(storage_notice(&e)));
    }
    state
        .loyalty
        .checked
        .set(offline_check(state, op.customer).await);
    take(state, op, amount);
    flush_soon(state);
}

/// Adds the confirmed (or offline) redemption as the payment's tender, out of flight, in one
/// update the open ticket's effect saves.
fn take(state: AppState, op: LoyaltyOp, amount: Decimal) {
    state.take_tender(|p| {
        p.points_in_flight = None;
        p.payment
            .add_points(op.customer, op.points, amount, op.id, op.offline)
    });
}

/// What the sale being completed earns and the balance its receipt shows: the store's rule,
/// and the customer's points as last asked (before the points this sale spent).
pub fn earning(state: AppState) -> (Option<pos_core::loyalty::LoyaltyRule>, Option<Decimal>) {
    let rule = state.store.with_untracked(|s| s.loyalty.clone());
    let before = match state.loyalty.checked.get_untracked() {
        Some(PointsCheck::Online { balance }) => Some(balance),
        Some(PointsCheck::Offline { balance, .. }) => Some(balance),
        None => None,
    };
    // The check was made after any points this sale spent: add them back for "before".
    let spent: Decimal = state.payment.with_untracked(|p| {
        p.as_ref().map_or(Decimal::ZERO, |p| {
            p.payment
                .tenders()
                .iter()
                .filter_map(|t| match t {
                    pos_core::Tender::Points { points, .. } => Some(*points),
                    _ => None,
                })
                .sum()
        })
    });
    (rule, before.map(|b| b + spent))
}

thread_local! {
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
    static FLUSHING_MERGES: Cell<bool> = const { Cell::new(false) };
}

/// Sends what waits in the points outbox, oldest first, until the server is not reached. An
/// answered operation leaves the outbox; one refused for good is said, with the server's words.
/// Merges of customers go first, so the survivor's points are whole when next asked.
pub async fn flush(state: AppState) -> bool {
    let storage = state.storage();
    let merged = super::gift_cards::send_outbox(
        state,
        &FLUSHING_MERGES,
        async || storage.points_merges().await.unwrap_or_default(),
        async |token: &str, merge: &LoyaltyMerge| api::merge(token, merge).await,
        async |merge: &LoyaltyMerge, account: Option<PointsAccount>| {
            let known = account.as_ref().map(known_of);
            let _ = storage.points_merge_answered(merge.id, known).await;
        },
        |merge: &LoyaltyMerge, refusal| {
            let detail = format!(
                "{} -> {} {}: {refusal:?}",
                merge.duplicate, merge.survivor, merge.id
            );
            (Msg::PointsOpRefused, detail)
        },
    )
    .await;
    if !merged {
        return false;
    }
    super::gift_cards::send_outbox(
        state,
        &FLUSHING,
        async || storage.points_outbox().await.unwrap_or_default(),
        async |token: &str, op: &LoyaltyOp| api::record_op(token, op).await,
        async |op: &LoyaltyOp, account: Option<PointsAccount>| {
            let known = account.as_ref().map(known_of);
            let _ = storage.points_answered(op.id, known).await;
        },
        |op: &LoyaltyOp, refusal| {
            let detail = format!("{} {:?} {}: {refusal:?}", op.customer, op.kind, op.id);
            (Msg::PointsOpRefused, detail)
        },
    )
    .await
}

/// Sends the outbox now (after a sale, a return or an offline redemption).
pub fn flush_soon(state: AppState) {
    spawn_local(async move {
        flush(state).await;
    });
}

/// A points count for the screen, in the language's digits ("1 250").
pub fn points_text(points: Decimal, lang: i18n::Lang) -> String {
    i18n::quantity(points.normalize(), lang)
}
