//! Refunding some or all lines of a sale from the list of sales: the card part back through
//! the card terminal (a reversal by the terminal's receipt number when the whole payment goes
//! back the same terminal day, else a refund of the amount; on a standalone terminal the cashier
//! refunds there and confirms here), the cash part from the drawer. What each line has had
//! returned is read from every refund of the sale the store's documents hold, so nothing is
//! returned twice where the devices could see each other (two offline devices can: the sales
//! list flags it for a manager). The refund's id, lines and what is in flight at the terminal
//! are stored before the terminal hears of it, so a reload or a lost answer asks the terminal's
//! last status instead of paying back twice; the refund is shown done only once its transaction
//! (the local record and the store's documents) has committed.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{Decimal, LineId, Refund, ReturnError, ReturnLedger, Sale, Tender, Uuid};

use crate::i18n::Msg;
use crate::state::{AppState, Notice, storage_notice};
use crate::storage::{CardInFlight, CardRefundMethod, RefundRecord};
use crate::sync;
use crate::sync::protocol::{Answer, Request};
use crate::terminal::{self, LastStatus, Progress, TerminalApproval, TerminalError};

/// The refunds kept on this device (its own, and other devices' it has read), by sale.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SaleRefunds(BTreeMap<Uuid, Vec<RefundRecord>>);

impl SaleRefunds {
    pub fn new(records: Vec<RefundRecord>) -> SaleRefunds {
        let mut all = SaleRefunds::default();
        for record in records {
            all.keep(record);
        }
        all
    }

    /// Keeps `record`, replacing the one of the same id.
    pub fn keep(&mut self, record: RefundRecord) {
        let of_sale = self.0.entry(record.sale_id).or_default();
        match of_sale.iter_mut().find(|r| r.id == record.id) {
            Some(kept) => *kept = record,
            None => of_sale.push(record),
        }
    }

    pub fn of(&self, sale: Uuid) -> &[RefundRecord] {
        self.0.get(&sale).map_or(&[], Vec::as_slice)
    }

    /// The refund of `sale` started and not finished (a sale has at most one).
    pub fn unfinished(&self, sale: Uuid) -> Option<&RefundRecord> {
        self.of(sale).iter().find(|r| !r.is_completed())
    }

    /// The completed refunds of `sale`, as the documents hold them.
    pub fn completed(&self, sale: &Sale) -> Vec<Refund> {
        self.of(sale.id())
            .iter()
            .filter(|r| r.is_completed())
            .map(|r| r.as_refund(sale))
            .collect()
    }

    /// What each line of `sale` has had returned, by every completed refund known here.
    pub fn ledger(&self, sale: &Sale) -> ReturnLedger {
        ReturnLedger::of(sale, &self.completed(sale))
    }

    /// Where the refunds of `sale` stand, for its row in the sales list, and whether anything of
    /// it is left to return (or a refund of it to finish). One reading of its ledger for both.
    pub fn standing(&self, sale: &Sale) -> (RefundStatus, bool) {
        if self.unfinished(sale.id()).is_some() {
            return (RefundStatus::Unfinished, true);
        }
        if self.of(sale.id()).is_empty() {
            return (RefundStatus::None, true);
        }
        let ledger = self.ledger(sale);
        let all_returned = ledger.all_returned();
        let voided = self
            .of(sale.id())
            .iter()
            .any(|r| r.is_completed() && r.refund.as_ref().is_some_and(|r| r.voids_sale));
        let status = if ledger.needs_manager() {
            RefundStatus::TooOften
        } else if voided {
            RefundStatus::Voided
        } else if all_returned {
            RefundStatus::Refunded
        } else {
            RefundStatus::Partly
        };
        (status, !all_returned)
    }
}

/// Where the refunds of one sale stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefundStatus {
    None,
    /// One was started and not finished (the terminal's answer, or the bank's, is awaited).
    Unfinished,
    /// Some lines, or some of a line, came back.
    Partly,
    /// Every line came back in full.
    Refunded,
    /// The whole sale was voided.
    Voided,
    /// Devices that could not see each other returned a line more often than it was sold, or
    /// paid back more than was paid: a manager settles it.
    TooOften,
}

/// What the cashier chose to take back: how many of which lines, and which came back damaged
/// (written off rather than put back into stock).
pub struct Returned {
    pub quantities: Vec<(LineId, Decimal)>,
    pub damaged: Vec<LineId>,
    /// The card part goes back in cash from the drawer instead (the dialog asked for the
    /// permission); an exchange leaves it aside.
    pub in_cash: bool,
    /// The whole sale voided ([`may_void`]): every line, each tender its part, whatever was
    /// chosen.
    pub void: bool,
}

/// Whether `sale` may still be voided rather than refunded: this device made it today, during
/// its open shift (any time today in a store that runs without shifts), nothing of it has been
/// returned or started, and no exchange paid part of it. Later, or once the shift is closed and
/// its Z report printed, a sale is refunded.
pub fn may_void(state: AppState, sale: &Sale) -> bool {
    let at = sale.completed_at_ms();
    let ours = sale.receipt_number().device_code == state.device_code.get();
    let today = sync::business_day(at as f64) == sync::business_day(js_sys::Date::now());
    let in_shift = match state.shifts.open() {
        Some(shift) => at >= shift.opened_at_ms,
        None => !state.store.with(|s| s.shift_required),
    };
    let untouched = state.refunds.with(|r| r.of(sale.id()).is_empty());
    let exchanged = sale
        .tenders()
        .iter()
        .any(|t| matches!(t, Tender::Exchange { .. }));
    ours && today && in_shift && untouched && !exchanged
}

/// The cashier asked to take back `returned` of `sale` for `reason`: starts the refund, or
/// continues the one already started for this sale (same id and lines, nothing sent twice).
pub fn start(state: AppState, sale: Sale, reason: String, returned: Returned) {
    if state.refund_progress.get_untracked().is_some() {
        return;
    }
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return state.error(Msg::RefundNeedsReason);
    }
    let kept = state
        .refunds
        .with_untracked(|r| r.unfinished(sale.id()).cloned());
    let Some(mut started) = kept else {
        return unless_refunded_elsewhere(state, sale.clone(), move || {
            begin(state, sale, reason, returned)
        });
    };
    if started.card_in_flight.is_some() {
        // The terminal may have paid it back already: ask it, never send it again.
        return recover(state, sale, started);
    }
    started.reason = reason;
    state.notice.set(None);
    state.refund_progress.set(Some(Progress::Sending));
    spawn_local(proceed(state, sale, started));
}

/// Runs `then` once the store's documents say no other till has returned some of `sale` since
/// this device last looked (at once without a store); otherwise says so and shows what is left.
pub(super) fn unless_refunded_elsewhere(
    state: AppState,
    sale: Sale,
    then: impl FnOnce() + 'static,
) {
    let Some(engine) = state.engine() else {
        return then();
    };
    spawn_local(async move {
        let asked = engine.ask(Request::RefundsOf(sale.id())).await;
        if let Ok(Answer::Refunds(found)) = asked {
            let known = state.refunds.with_untracked(|r| r.completed(&sale));
            let new = found.iter().any(|f| known.iter().all(|k| k.id != f.id));
            if new {
                state.load_refunds();
                return state.error(Msg::RefundedElsewhere);
            }
        }
        then();
    });
}

/// A new refund of lines no refund known here has returned.
fn begin(state: AppState, sale: Sale, reason: String, returned: Returned) {
    let earlier = state.refunds.with_untracked(|r| r.completed(&sale));
    let at_ms = js_sys::Date::now() as i64;
    let id = Uuid::now_v7();
    let refund = if returned.void {
        Refund::voiding(&sale, id, at_ms, &reason)
    } else {
        match Refund::of_lines(&sale, &earlier, &returned.quantities, id, at_ms, &reason) {
            Ok(refund) if returned.in_cash => refund.written_off(&returned.damaged).in_cash(&sale),
            Ok(refund) => refund.written_off(&returned.damaged),
            Err(e) => return state.error(return_error_msg(&e)),
        }
    };
    // Gift cards the sale sold come back only whole and unspent: taken back on the server first,
    // before any money goes back.
    let device = super::gift_cards::device_id(state);
    match refund.gift_cards_taken_back(&sale, state.staff_id(), device, at_ms) {
        Err(block) => {
            return state.notice.set(Some(Notice::Error(
                Msg::GiftCardBlockWhole,
                vec![("cards", block.cards.to_string())],
            )));
        }
        Ok(cards) if cards.is_empty() => begin_refund(state, sale, refund),
        Ok(cards) => {
            state.notice.set(None);
            state.refund_progress.set(Some(Progress::Sending));
            spawn_local(async move {
                let taken = super::gift_cards::take_back(state, cards).await;
                state.refund_progress.set(None);
                match taken {
                    Ok(()) => begin_refund(state, sale, refund),
                    Err(notice) => state.notice.set(Some(notice)),
                }
            });
        }
    }
}

/// Starts the refund `refund` of `sale` whose gift cards, if it returns any, were taken back.
fn begin_refund(state: AppState, sale: Sale, refund: Refund) {
    let earlier = state.refunds.with_untracked(|r| r.completed(&sale));
    let card = refund.paid_back(&sale).card;
    // A reversal undoes the whole payment: only a refund of everything the card paid, with
    // nothing of it paid back before, may be made by one.
    let whole_card = earlier.is_empty() && card == sale.refund_split().card;
    let card_method = match card_method(state, &sale, whole_card) {
        Ok(method) => method,
        Err(msg) => return state.error(msg),
    };
    let record = RefundRecord::started(&sale, refund, card_method);
    state.notice.set(None);
    state.refund_progress.set(Some(Progress::Sending));
    spawn_local(proceed(state, sale, record));
}

/// Why `Refund::of_lines` refused, in the cashier's words.
pub fn return_error_msg(error: &ReturnError) -> Msg {
    match error {
        ReturnError::NothingChosen => Msg::ReturnNothingChosen,
        ReturnError::NoSuchLine(_) | ReturnError::BadQuantity => Msg::ReturnBadQuantity,
        ReturnError::MoreThanSold { .. } => Msg::ReturnMoreThanSold,
    }
}

/// How the card part goes back, decided once when the refund starts; `whole_card` when all the
/// card paid goes back at once, the only case a reversal may undo the payment.
pub fn card_method(
    state: AppState,
    sale: &Sale,
    whole_card: bool,
) -> Result<Option<CardRefundMethod>, Msg> {
    let cards: Vec<_> = sale
        .tenders()
        .iter()
        .filter_map(|t| match t {
            Tender::Card { approval, .. } => Some(approval),
            Tender::Cash { .. }
            | Tender::Exchange { .. }
            | Tender::GiftCard { .. }
            | Tender::Points { .. } => None,
        })
        .collect();
    if cards.is_empty() {
        return Ok(None);
    }
    let settings = state.terminal.get_untracked();
    if sale.is_training() != settings.is_training() {
        // A real card is never paid back by the simulator, and a training "payment" never by a
        // real terminal.
        return Err(if sale.is_training() {
            Msg::RefundTrainingOnRealTerminal
        } else {
            Msg::RefundRealOnTraining
        });
    }
    if !settings.is_integrated() {
        return Ok(Some(CardRefundMethod::Standalone));
    }
    let today = sync::business_day(js_sys::Date::now());
    let same_day = sync::business_day(sale.completed_at_ms() as f64) == today;
    // A reversal names one payment by its receipt number on one terminal: only the terminal
    // that took it may reverse it (another would reverse its own payment of that number). A
    // sale paid with two cards, or on another terminal, is refunded by amount.
    let connected = settings.terminal_id.as_deref();
    let receipt_no = match cards.as_slice() {
        [approval]
            if approval.terminal_id.is_some() && approval.terminal_id.as_deref() == connected =>
        {
            approval.receipt_no
        }
        _ => None,
    };
    Ok(Some(match receipt_no {
        Some(receipt_no) if same_day && whole_card => CardRefundMethod::Reversal { receipt_no },
        _ => CardRefundMethod::Refund,
    }))
}

/// Does the next step of a refund: the card part if it is still owed, then the record.
pub(super) async fn proceed(state: AppState, sale: Sale, mut record: RefundRecord) {
    match record.card_method {
        Some(method @ (CardRefundMethod::Reversal { .. } | CardRefundMethod::Refund))
            if !record.card_done =>
        {
            // A sale paid with several cards gets each card its own part back, in turn: the
            // cashier presents the cards one after the other.
            let Some((card, amount)) = record.card_parts_owed().first().copied() else {
                record.card_done = true;
                return finish(state, sale, record).await;
            };
            let known_receipt_no = state.terminal.with_untracked(|t| t.last_receipt_no);
            record.card_in_flight = Some(CardInFlight {
                amount,
                tip: Decimal::ZERO,
                known_receipt_no,
                card,
            });
            // Durable before the terminal hears of it: from here on a reload asks, never resends.
            let Some(record) = keep(state, record).await else {
                return;
            };
            let on = progress(state);
            let result = match method {
                CardRefundMethod::Reversal { receipt_no } => {
                    crate::state::terminal::terminal(state)
                        .reversal(record.id, Some(receipt_no), on)
                        .await
                }
                _ => {
                    crate::state::terminal::terminal(state)
                        .refund(record.id, amount, on)
                        .await
                }
            };
            match result {
                Ok(approved) => card_paid_back(state, sale, record, approved).await,
                Err(e) if e.result_unknown() => ask_terminal(state, sale, record, Some(e)).await,
                Err(e) => not_paid_back(state, record, Some(e)).await,
            }
        }
        Some(CardRefundMethod::Standalone) if !record.card_done => {
            // The cashier refunds on the bank's terminal now; the dialog asks them to confirm.
            state.refund_progress.set(None);
            keep(state, record).await;
        }
        _ => finish(state, sale, record).await,
    }
}

/// The cashier saw the bank's terminal pay the card part back.
pub fn confirm_standalone(state: AppState, sale: Sale) {
    let Some(mut record) = state
        .refunds
        .with_untracked(|r| r.unfinished(sale.id()).cloned())
    else {
        return;
    };
    if record.is_completed() || record.card_method != Some(CardRefundMethod::Standalone) {
        return;
    }
    record.card_done = true;
    state.refund_progress.set(Some(Progress::Sending));
    spawn_local(async move {
        if let Some(record) = keep(state, record).await {
            finish(state, sale, record).await;
        }
    });
}

/// Asks the terminal what became of the card part in flight (after a reload or a lost answer).
pub fn recover(state: AppState, sale: Sale, record: RefundRecord) {
    if state.refund_progress.get_untracked().is_some() {
        return;
    }
    state.notice.set(None);
    spawn_local(ask_terminal(state, sale, record, None));
}

async fn ask_terminal(
    state: AppState,
    sale: Sale,
    record: RefundRecord,
    failure: Option<TerminalError>,
) {
    let Some(in_flight) = record.card_in_flight.clone() else {
        return finish(state, sale, record).await;
    };
    state.refund_progress.set(Some(Progress::Recovering));
    let result = crate::state::terminal::terminal(state)
        .last_status(
            record.id,
            in_flight.amount,
            in_flight.known_receipt_no,
            progress(state),
        )
        .await;
    match result {
        Ok(LastStatus::Approved(approved)) => card_paid_back(state, sale, record, approved).await,
        Ok(LastStatus::NotCharged) => not_paid_back(state, record, failure).await,
        Err(_) => {
            // Neither the refund's answer nor the question got through: it stays in flight, so
            // nothing is paid back twice; the cashier asks again once the terminal answers.
            state.refund_progress.set(None);
            state
                .notice
                .set(Some(Notice::Error(Msg::RefundUnknownResult, Vec::new())));
        }
    }
}

/// The terminal says nothing was paid back: the sale stays unrefunded, and may be tried again.
async fn not_paid_back(state: AppState, mut record: RefundRecord, failure: Option<TerminalError>) {
    record.card_in_flight = None;
    // A terminal refuses a reversal it cannot make (its day was closed, the payment is not in
    // its journal): the next try refunds the amount instead, so the sale is never stuck.
    let reversal_refused = matches!(record.card_method, Some(CardRefundMethod::Reversal { .. }))
        && matches!(
            failure,
            Some(
                TerminalError::Declined
                    | TerminalError::Card
                    | TerminalError::NotSetUp
                    | TerminalError::Fault(_)
            )
        );
    if reversal_refused {
        record.card_method = Some(CardRefundMethod::Refund);
    }
    keep(state, record).await;
    state.refund_progress.set(None);
    if reversal_refused {
        return state.error(Msg::RefundReversalRefused);
    }
    let why = match failure {
        Some(
            TerminalError::Declined
            | TerminalError::WrongPin
            | TerminalError::Cancelled
            | TerminalError::Card,
        ) => {
            return state.error(Msg::RefundDeclined);
        }
        // These say what to do in words that fit a refund as well as a payment.
        Some(e @ (TerminalError::Busy | TerminalError::NotSetUp | TerminalError::NoPort)) => {
            return state.error(e.msg());
        }
        Some(TerminalError::NoBank) => Msg::RefundWhyNoBank,
        Some(TerminalError::NotConnected | TerminalError::Standalone) => Msg::RefundWhyNotConnected,
        Some(TerminalError::Timeout | TerminalError::Disconnected | TerminalError::Fault(_)) => {
            Msg::RefundWhyNoAnswer
        }
        None => Msg::RefundNotAtTerminal,
    };
    let lang = state.lang.get_untracked();
    state.notice.set(Some(Notice::Error(
        Msg::RefundNotPaidBack,
        vec![("why", why.text(lang).to_string())],
    )));
}

async fn card_paid_back(
    state: AppState,
    sale: Sale,
    mut record: RefundRecord,
    approved: TerminalApproval,
) {
    crate::state::terminal::remember_terminal(state, &approved);
    state.terminal_print.set(approved.print_lines);
    let part = record.card_in_flight.take().and_then(|f| f.card);
    record.cards_paid_back.extend(part);
    record.card_done = part.is_none() || record.card_parts_owed().is_empty();
    // Kept before the refund is recorded: if recording fails, a retry never pays back again.
    let Some(record) = keep(state, record).await else {
        return;
    };
    if record.card_done {
        finish(state, sale, record).await;
    } else {
        // The next card's part.
        Box::pin(proceed(state, sale, record)).await;
    }
}

/// Records the refund: the local record and the store's documents in one transaction. Only then
/// is it shown refunded, and the drawer opened for the cash part.
async fn finish(state: AppState, sale: Sale, record: RefundRecord) {
    state.refund_progress.set(Some(Progress::Sending));
    let ours = record.id;
    let store = state
        .membership
        .with_untracked(|m| m.as_ref().map(|m| m.store_id));
    let result = state.storage().commit_refund(record, store).await;
    if store.is_some() && result.is_ok() {
        sync::announce_outbox();
        // Its gift card parts go back onto their cards now.
        super::gift_cards::flush_soon(state);
        super::loyalty::flush_soon(state);
    }
    state.refund_progress.set(None);
    match result {
        Ok(done) => {
            let cash = done.cash;
            state.refunds.update(|r| r.keep(done.clone()));
            state.last_refund.set(Some(done.id));
            // Another tab that refunded this sale first has opened the drawer for it already.
            if done.id == ours {
                refunded_here(state, &sale, &done);
            }
            let currency = sale.rules().currency;
            let lang = state.lang.get_untracked();
            let amount = crate::i18n::money(cash, currency, lang);
            let voided = done.refund.as_ref().is_some_and(|r| r.voids_sale);
            state.notice.set(Some(Notice::Done(
                match (voided, cash.is_zero()) {
                    (false, true) => Msg::RefundDone,
                    (false, false) => Msg::RefundDoneHandBackCash,
                    (true, true) => Msg::VoidDone,
                    (true, false) => Msg::VoidDoneHandBackCash,
                },
                vec![("receipt", done.receipt.clone()), ("cash", amount)],
            )));
        }
        Err(e) => state.notice.set(Some(storage_notice(&e))),
    }
}

/// A refund this tab recorded: the drawer opens for its cash (and the slip prints), and the
/// audit log says who allowed it.
pub(super) fn refunded_here(state: AppState, sale: &Sale, record: &RefundRecord) {
    state.after_refund(sale, record);
    let approved_by = state.staff.refund_approved_by.get_untracked();
    let action = if record.refund.as_ref().is_some_and(|r| r.voids_sale) {
        pos_core::staff::AuditAction::Void {
            sale: Some(record.sale_id),
            line: None,
        }
    } else {
        pos_core::staff::AuditAction::Refund {
            refund: record.id,
            sale: record.sale_id,
        }
    };
    state.record_audit(action, approved_by);
}

/// Stores the refund's progress and makes it current. `None` when it could not be stored (the
/// cashier is told) or when the stored refund is another (a second tab started one): then
/// nothing further is done with this one.
async fn keep(state: AppState, record: RefundRecord) -> Option<RefundRecord> {
    match state.storage().save_refund(record.clone()).await {
        Ok(kept) => {
            state.refunds.update(|r| r.keep(kept.clone()));
            if kept != record {
                state.refund_progress.set(None);
                return None;
            }
            Some(kept)
        }
        Err(e) => {
            state.refund_progress.set(None);
            state.notice.set(Some(storage_notice(&e)));
            None
        }
    }
}

fn progress(state: AppState) -> terminal::OnProgress {
    std::rc::Rc::new(move |p| state.refund_progress.set(Some(p)))
}

/// At start: reads the refunds this device made, and carries on any that a reload interrupted:
/// one with the terminal asks the terminal, one already paid back is recorded.
pub fn resume(state: AppState) {
    spawn_local(async move {
        let records = match state.storage().load_refunds().await {
            Ok(records) => records,
            Err(e) => return state.notice.set(Some(storage_notice(&e))),
        };
        state.refunds.set(SaleRefunds::new(records.clone()));
        for record in records.into_iter().filter(|r| !r.is_completed()) {
            // One the cashier had not sent yet (or that was declined) waits for them.
            if record.card_in_flight.is_none() && !record.card_done {
                continue;
            }
            let Ok(Some(sale)) = state
                .storage()
                .find_by_receipt(record.receipt.clone())
                .await
            else {
                continue;
            };
            if record.card_in_flight.is_some() {
                state.refund_progress.set(Some(Progress::Recovering));
                ask_terminal(state, sale, record, None).await;
            } else {
                finish(state, sale, record).await;
            }
        }
    });
}
