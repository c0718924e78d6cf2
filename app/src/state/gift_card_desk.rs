//! The gift card desk (issue 14): a manager looks a card up (its balance, whether it is active,
//! and its history from every register, as the server's ledger holds it), deactivates or
//! reactivates it, and reads what the store owes on its cards and the overdrafts registers made
//! offline, and a period's report (issued, redeemed, refunded, owed at its end) with its CSV
//! file. Everything here asks the server: the ledger is the store's, and a register offline
//! knows only the balances it last heard (`gift_cards.rs`, which also sells and spends cards).

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::gift_card::{
    Authorisation, GiftCardNumber, GiftCardOp, GiftCardOpKind, GiftCardPeriodReport,
};
use pos_core::staff::Permission;
use pos_core::{Decimal, Uuid};

use super::AppState;
use super::gift_cards::{flush_soon, op_error_msg, refused};
use crate::i18n::Msg;
use crate::sync::gift_card_desk::{self as ledger, CardHistory, Conflict, Liability};
use crate::sync::gift_cards::{self as api, GiftCardRefusal};

#[derive(Clone, Copy)]
pub struct GiftCardDesk {
    /// The card looked up last, as the server holds it.
    pub card: RwSignal<Option<CardHistory>>,
    /// What the store owes on its cards, and the overdrafts made offline, once asked.
    pub ledger: RwSignal<Option<(Liability, Vec<Conflict>)>>,
    /// The period report last asked for, with its first and last day (`YYYY-MM-DD`).
    pub report: RwSignal<Option<(String, String, GiftCardPeriodReport)>>,
    /// The server is being asked: the buttons wait.
    pub busy: RwSignal<bool>,
    /// The last forced issue was sent or kept: its form closes.
    pub forced_issued: RwSignal<bool>,
}

impl GiftCardDesk {
    pub fn new() -> GiftCardDesk {
        GiftCardDesk {
            card: RwSignal::new(None),
            ledger: RwSignal::new(None),
            report: RwSignal::new(None),
            busy: RwSignal::new(false),
            forced_issued: RwSignal::new(false),
        }
    }
}

impl Default for GiftCardDesk {
    fn default() -> Self {
        GiftCardDesk::new()
    }
}

impl AppState {
    /// An operation of the desk on `card`, made by `by` (who typed their PIN for it) or whoever
    /// is signed in, checked by core's rules before anything is sent; `None` (and why, on
    /// screen) when they refuse it.
    fn checked_desk_op(
        &self,
        card: GiftCardNumber,
        kind: GiftCardOpKind,
        amount: Decimal,
        by: Option<Uuid>,
    ) -> Option<GiftCardOp> {
        let op = self.gift_card_op(card, kind, amount, by.unwrap_or_else(|| self.staff_id()));
        let currency = self.store.with_untracked(|s| s.rules.currency);
        match op.check(currency) {
            Ok(()) => Some(op),
            Err(e) => {
                self.error(op_error_msg(&e));
                None
            }
        }
    }

    /// "Look up": the card's balance, state and history from the server.
    pub fn look_up_gift_card(&self, number: String) {
        let Some((card, token)) = self.card_and_token(&number) else {
            return;
        };
        let state = *self;
        state.gift_card_desk.busy.set(true);
        state.gift_card_desk.card.set(None);
        spawn_local(async move {
            let answer = ledger::history(&token, &card).await;
            state.gift_card_desk.busy.set(false);
            match answer {
                Ok(history) => {
                    state.notice.set(None);
                    state.gift_card_desk.card.set(Some(history));
                }
                Err(refusal) => desk_refused(state, &refusal),
            }
        });
    }

    /// Deactivates (or reactivates) the card on screen, by someone allowed to: a lost or stolen
    /// card can then be spent nowhere, online. Online only, so that no register spends it after.
    pub fn set_gift_card_active(&self, active: bool) {
        let Some(shown) = self.gift_card_desk.card.get_untracked() else {
            return;
        };
        let Ok(card) = GiftCardNumber::parse(&shown.card.card) else {
            return;
        };
        let state = *self;
        self.protected(Permission::ManageGiftCards, move |_| {
            let Some(token) = state.token() else {
                return state.error(Msg::GiftCardNeedsStore);
            };
            let kind = if active {
                GiftCardOpKind::Reactivate
            } else {
                GiftCardOpKind::Deactivate
            };
            let op = state.gift_card_op(card, kind, Decimal::ZERO, state.staff_id());
            send_then_look_up(state, token, op);
        });
    }

    /// Writes the whole `balance` of the card on screen off as expired, with `reason`, and stops
    /// the card, by someone who may manage cards (`by`: who typed their PIN for the form, asked
    /// for when it opened). Online only: the server takes it only while
    /// the card still holds exactly `balance`, so a card spent meanwhile is looked up again.
    pub fn expire_gift_card(&self, balance: Decimal, reason: String, by: Option<Uuid>) {
        let Some(shown) = self.gift_card_desk.card.get_untracked() else {
            return;
        };
        let Ok(card) = GiftCardNumber::parse(&shown.card.card) else {
            return;
        };
        if balance <= Decimal::ZERO {
            return self.error(Msg::DeskExpireNothing);
        }
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return self.error(Msg::DeskExpireNeedsReason);
        }
        let Some(token) = self.token() else {
            return self.error(Msg::GiftCardNeedsStore);
        };
        let kind = GiftCardOpKind::Expire { reason };
        if let Some(op) = self.checked_desk_op(card, kind, balance, by) {
            send_then_look_up(*self, token, op);
        }
    }

    /// A forced issue of `amount` onto the card whose number is typed, with the authorisation
    /// code and reason, by someone who may force it (`by`: who gave their PIN for it, named on
    /// the operation): value put on past a refusal (a number the store issued before, say).
    /// Unreached, it is kept in the gift card outbox (as a sale's issue is) and sent when the
    /// server is back; either way `GiftCardDesk::forced_issued` then closes the form.
    pub fn force_issue_gift_card(
        &self,
        number: String,
        amount: Decimal,
        authorisation: Authorisation,
        by: Option<Uuid>,
    ) {
        let Some((card, token)) = self.card_and_token(&number) else {
            return;
        };
        let state = *self;
        let kind = GiftCardOpKind::ForcedIssue(authorisation);
        let Some(op) = state.checked_desk_op(card.clone(), kind, amount, by) else {
            return;
        };
        state.gift_card_desk.busy.set(true);
        spawn_local(async move {
            let sent = api::record_op(&token, &op).await;
            state.gift_card_desk.busy.set(false);
            match sent {
                Ok(_) => {
                    state.gift_card_desk.forced_issued.set(true);
                    state.look_up_gift_card(card.digits().to_string());
                }
                Err(GiftCardRefusal::Offline) => {
                    // Kept durably before it is said, and sent by the outbox loop.
                    let op = GiftCardOp {
                        offline: true,
                        ..op
                    };
                    match state.storage().record_gift_card_ops(vec![op]).await {
                        Ok(()) => {
                            state.gift_card_desk.forced_issued.set(true);
                            state.notice.set(Some(super::Notice::Done(
                                Msg::DeskForcedIssueKept,
                                Vec::new(),
                            )));
                            flush_soon(state);
                        }
                        Err(e) => state.notice.set(Some(super::storage_notice(&e))),
                    }
                }
                Err(refusal) => desk_refused(state, &refusal),
            }
        });
    }

    /// What the store owes on its cards and the overdrafts to settle, for someone allowed to
    /// see them.
    pub fn load_gift_card_ledger(&self) {
        let state = *self;
        self.protected(Permission::ManageGiftCards, move |_| {
            let Some(token) = state.token() else {
                return state.error(Msg::GiftCardNeedsStore);
            };
            state.gift_card_desk.busy.set(true);
            spawn_local(async move {
                let answer = match ledger::liability(&token).await {
                    Ok(owed) => ledger::conflicts(&token).await.map(|c| (owed, c)),
                    Err(refusal) => Err(refusal),
                };
                state.gift_card_desk.busy.set(false);
                match answer {
                    Ok(found) => {
                        state.notice.set(None);
                        state.gift_card_desk.ledger.set(Some(found));
                    }
                    Err(refusal) => desk_refused(state, &refusal),
                }
            });
        });
    }
}

impl AppState {
    /// The report of the days `from` to `to` (`YYYY-MM-DD`, both included), which run from
    /// `from_ms` (the first day's local midnight) to `to_ms` (the midnight after the last), for
    /// someone allowed to see reports.
    pub fn load_gift_card_report(&self, from: String, to: String, from_ms: i64, to_ms: i64) {
        let state = *self;
        self.protected(Permission::SeeReports, move |_| {
            let Some(token) = state.token() else {
                return state.error(Msg::GiftCardNeedsStore);
            };
            state.gift_card_desk.busy.set(true);
            state.gift_card_desk.report.set(None);
            spawn_local(async move {
                let answer = ledger::report(&token, from_ms, to_ms).await;
                state.gift_card_desk.busy.set(false);
                match answer {
                    Ok(report) => {
                        state.notice.set(None);
                        state.gift_card_desk.report.set(Some((from, to, report)));
                    }
                    Err(refusal) => desk_refused(state, &refusal),
                }
            });
        });
    }

    /// Offers the report on screen as a CSV file: one row per operation, then the totals.
    pub fn download_gift_card_report(&self) {
        self.gift_card_desk.report.with_untracked(|shown| {
            if let Some((from, to, report)) = shown {
                crate::csv_file::offer_download(
                    &format!("gift-cards-{from}-{to}.csv"),
                    &report.csv(),
                );
            }
        });
    }
}

/// Sends an operation the server must take now (no outbox: the desk acts online only), then
/// shows the card as the server holds it after it.
fn send_then_look_up(state: AppState, token: String, op: GiftCardOp) {
    state.gift_card_desk.busy.set(true);
    spawn_local(async move {
        let sent = api::record_op(&token, &op).await;
        state.gift_card_desk.busy.set(false);
        match sent {
            Ok(_) => state.look_up_gift_card(op.card.digits().to_string()),
            Err(refusal) => desk_refused(state, &refusal),
        }
    });
}

/// The desk's words for a refusal: offline, that it needs the server (nothing here can be done
/// from what the register last heard); otherwise as the till says it.
fn desk_refused(state: AppState, refusal: &GiftCardRefusal) {
    match refusal {
        GiftCardRefusal::Offline => state.error(Msg::DeskNeedsServer),
        _ => refused(state, refusal),
    }
}
