//! Paying by card on an integrated terminal, as the pay screen calls it: the charge (kept in
//! flight, strictly, before the terminal hears of it), its recovery after a reload or a lost
//! answer, the reversal of an approved card, and the terminal's settings. The terminals
//! themselves (`CardTerminal`, ZVT, the simulator) are `terminal/`.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{Decimal, Uuid};

use super::{AppState, Notice};
use crate::i18n::Msg;
use crate::storage::{CardInFlight, ReversalInFlight};
use crate::terminal::*;

pub fn terminal(state: AppState) -> Rc<dyn CardTerminal> {
    let currency = state.store.with_untracked(|s| s.rules.currency);
    state.terminal.with_untracked(|t| connect(t, currency))
}

fn progress(state: AppState) -> OnProgress {
    Rc::new(move |p| state.card_progress.set(Some(p)))
}

/// Sends `amount` of the open payment to the configured terminal and records the approval only
/// if the terminal approves. The amount is saved as in flight before the terminal is asked.
pub fn charge(state: AppState, amount: Decimal, tip: Decimal) {
    if state.card_progress.get_untracked().is_some() {
        return;
    }
    let Some(pending) = state.payment.get_untracked() else {
        return;
    };
    if pending.card_in_flight.is_some() {
        return recover(state);
    }
    // Core's rules, before anything is sent: what the terminal approves is recorded as it came.
    if let Err(e) = pending.payment.check_terminal_card(amount) {
        return state.tender_error(e);
    }
    let known_receipt_no = state.terminal.with_untracked(|t| t.last_receipt_no);
    state.card_progress.set(Some(Progress::Sending));
    state.notice.set(None);
    spawn_local(async move {
        set_in_flight(
            state,
            Some(CardInFlight {
                amount: amount + tip,
                tip,
                known_receipt_no,
                card: None,
            }),
            None,
        );
        // Durable (strict) before the terminal hears of it: a reload from here on asks, never
        // re-charges.
        if !keep_in_flight(state).await {
            return;
        }
        let result = terminal(state)
            .purchase(pending.sale_id, amount + tip, progress(state))
            .await;
        match result {
            Ok(approved) => record(state, amount, tip, approved),
            // The terminal may have charged before it went quiet: ask it before anything else.
            Err(e) if e.result_unknown() => went_quiet(state, &e).await,
            Err(e) => {
                out_of_flight(state);
                state.notice.set(Some(terminal_notice(&e)));
            }
        }
    });
}

/// Stores the open ticket with what is in flight, strictly. If it cannot be stored the terminal
/// is not asked: the amount is taken out of flight again and the cashier told why.
async fn keep_in_flight(state: AppState) -> bool {
    match state.save_open_ticket_now().await {
        Ok(()) => true,
        Err(e) => {
            out_of_flight(state);
            state.notice.set(Some(crate::state::storage_notice(&e)));
            false
        }
    }
}

/// "Reverse on the terminal": asks the terminal to undo the card it approved last for this
/// payment (ZVT `06 30` by the payment's receipt number; the simulator's reversal in training).
/// Like a payment, the reversal is durable as in flight before the terminal hears of it, and the
/// card tender is taken back only when the terminal approves the reversal; declined or failed,
/// the tender stays and the cashier is told why.
pub fn reverse(state: AppState) {
    if state.card_progress.get_untracked().is_some() {
        return;
    }
    let Some(pending) = state.payment.get_untracked() else {
        return;
    };
    if pending.card_in_flight.is_some() {
        return recover(state);
    }
    let Some((amount, receipt_no)) = pending.payment.reversible_card() else {
        return state.error(Msg::NothingToReverse);
    };
    let known_receipt_no = state.terminal.with_untracked(|t| t.last_receipt_no);
    let reversal = ReversalInFlight {
        id: Uuid::now_v7(),
        receipt_no,
    };
    state.card_progress.set(Some(Progress::Sending));
    state.notice.set(None);
    spawn_local(async move {
        set_in_flight(
            state,
            Some(CardInFlight {
                amount,
                tip: Decimal::ZERO,
                known_receipt_no,
                card: None,
            }),
            Some(reversal.clone()),
        );
        // Durable (strict) before the terminal hears of it: a reload from here on asks the
        // terminal what became of the reversal instead of sending it again.
        if !keep_in_flight(state).await {
            return;
        }
        let result = terminal(state)
            .reversal(reversal.id, receipt_no, progress(state))
            .await;
        match result {
            Ok(approved) => reversed(state, &reversal, approved),
            Err(e) if e.result_unknown() => went_quiet(state, &e).await,
            Err(e) => {
                out_of_flight(state);
                let lang = state.lang.get_untracked();
                not_reversed(state, reversal_why(&e, lang));
            }
        }
    });
}

/// Why a reversal did not happen, in words that fit a reversal (a payment's messages say
/// "nothing was charged", which is not the point here).
fn reversal_why(e: &TerminalError, lang: crate::i18n::Lang) -> String {
    let why = match e {
        TerminalError::Declined
        | TerminalError::Card
        | TerminalError::Cancelled
        | TerminalError::WrongPin => Msg::ReversalWhyDeclined,
        TerminalError::NoBank => Msg::RefundWhyNoBank,
        TerminalError::NotConnected | TerminalError::Standalone => Msg::RefundWhyNotConnected,
        TerminalError::Timeout | TerminalError::Disconnected | TerminalError::Fault(_) => {
            Msg::RefundWhyNoAnswer
        }
        // Full sentences that say what to do.
        TerminalError::Busy | TerminalError::NotSetUp | TerminalError::NoPort => {
            return e.msg().text(lang).to_string();
        }
    };
    let text = why.text(lang);
    if text.ends_with('.') {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// The reversal did not happen: the card stays paid and recorded, with the reason.
fn not_reversed(state: AppState, why: String) {
    state.notice.set(Some(Notice::Error(
        Msg::ReversalNotDone,
        vec![("why", why)],
    )));
}

/// After a reload or a lost answer: asks the terminal what became of the payment in flight.
pub fn recover(state: AppState) {
    if state.card_progress.get_untracked().is_some() {
        return;
    }
    spawn_local(ask_terminal(state, None));
}

async fn ask_terminal(state: AppState, failure: Option<Notice>) {
    let Some(pending) = state.payment.get_untracked() else {
        return;
    };
    let Some(in_flight) = pending.card_in_flight.clone() else {
        return;
    };
    let reversal = pending.reversal_in_flight.clone();
    // A reversal went out under its own id, a payment under the sale's.
    let id = reversal.as_ref().map_or(pending.sale_id, |r| r.id);
    state.card_progress.set(Some(Progress::Recovering));
    let result = terminal(state)
        .last_status(
            id,
            in_flight.amount,
            in_flight.known_receipt_no,
            progress(state),
        )
        .await;
    match result {
        Ok(LastStatus::Approved(approved)) => match &reversal {
            Some(reversal) => reversed(state, reversal, approved),
            None => record(
                state,
                in_flight.amount - in_flight.tip,
                in_flight.tip,
                approved,
            ),
        },
        Ok(LastStatus::NotCharged) => {
            out_of_flight(state);
            if reversal.is_some() {
                let lang = state.lang.get_untracked();
                let why = match failure {
                    Some(Notice::Error(msg, _) | Notice::Fault(msg, _)) => msg,
                    _ => Msg::ReversalNotAtTerminal,
                };
                return not_reversed(state, why.text(lang).to_string());
            }
            state.notice.set(Some(
                failure.unwrap_or(Notice::Info(Msg::TerminalNotCharged)),
            ));
        }
        Err(_) => {
            // Neither the payment nor the question got through: keep the amount in flight, so
            // nothing is charged twice; the cashier asks again or checks the terminal's slip.
            state.card_progress.set(None);
            state
                .notice
                .set(Some(Notice::Error(Msg::TerminalUnknownResult, Vec::new())));
        }
    }
}

/// The cashier read the terminal's slip (or journal) and it shows no payment for this sale (or,
/// for a reversal, no reversal: the card stays paid).
pub fn give_up_in_flight(state: AppState) {
    set_in_flight(state, None, None);
    state.notice.set(None);
}

fn set_in_flight(
    state: AppState,
    in_flight: Option<CardInFlight>,
    reversal: Option<ReversalInFlight>,
) {
    state.payment.update(|p| {
        if let Some(p) = p {
            p.card_in_flight = in_flight;
            p.reversal_in_flight = reversal;
        }
    });
}

/// Remembers the receipt number and the terminal id of an approval of the connected terminal.
pub fn remember_terminal(state: AppState, approved: &TerminalApproval) {
    let mut settings = state.terminal.get_untracked();
    let before = settings.clone();
    if approved.receipt_no.is_some() {
        settings.last_receipt_no = approved.receipt_no;
    }
    if approved.approval.terminal_id.is_some() {
        settings.terminal_id = approved.approval.terminal_id.clone();
    }
    if settings != before {
        save_settings(state, settings);
    }
}

/// The terminal approved a payment asked for `asked`: records it as it came. The amount in flight
/// is cleared in the same change that records the card, and only if core took it, so an approval
/// can never be dropped: the card was charged. More than asked (a tip keyed on the terminal) is
/// recorded with its excess, which the pay and completion screens show.
fn record(state: AppState, asked: Decimal, tip: Decimal, approved: TerminalApproval) {
    state.card_progress.set(None);
    state.terminal_print.set(approved.print_lines.clone());
    remember_terminal(state, &approved);
    let result = state
        .payment
        .try_update(|p| {
            p.as_mut().map(|p| {
                let taken = p.payment.add_terminal_card_with_tip(
                    asked,
                    tip,
                    approved.amount,
                    approved.approval.clone(),
                    None,
                );
                if taken.is_ok() {
                    p.card_in_flight = None;
                    p.reversal_in_flight = None;
                }
                taken
            })
        })
        .flatten();
    match result {
        Some(Ok(_excess)) => {
            state.notice.set(None);
            state.complete_sale();
        }
        Some(Err(e)) => {
            // Kept in flight: "Ask the terminal" finds the approval again once this is resolved.
            let lang = state.lang.get_untracked();
            let currency = state.store.with_untracked(|s| s.rules.currency);
            state.notice.set(Some(Notice::Error(
                Msg::ApprovalNotRecorded,
                vec![
                    (
                        "amount",
                        crate::i18n::money(approved.amount, currency, lang),
                    ),
                    (
                        "reason",
                        crate::core_errors::tender_msg(&e).text(lang).to_string(),
                    ),
                ],
            )));
        }
        None => {}
    }
}

/// The terminal approved the reversal: the card it undid is taken back from the payment, and the
/// reversal's in-flight record cleared in the same change.
fn reversed(state: AppState, reversal: &ReversalInFlight, approved: TerminalApproval) {
    state.card_progress.set(None);
    remember_terminal(state, &approved);
    // The slip of the card just reversed no longer belongs with this sale.
    state.terminal_print.set(Vec::new());
    let result = state
        .payment
        .try_update(|p| {
            p.as_mut().map(|p| {
                p.card_in_flight = None;
                p.reversal_in_flight = None;
                p.payment.reversed_on_terminal(reversal.receipt_no)
            })
        })
        .flatten();
    let lang = state.lang.get_untracked();
    let currency = state.store.with_untracked(|s| s.rules.currency);
    match result {
        Some(Ok(pos_core::Tender::Card { amount, .. })) => state.notice.set(Some(Notice::Done(
            Msg::ReversalDone,
            vec![("amount", crate::i18n::money(amount, currency, lang))],
        ))),
        Some(Ok(_)) | None => state.notice.set(None),
        Some(Err(e)) => state.tender_error(e),
    }
}

/// Keeps the terminal settings and makes them current.
pub fn save_settings(state: AppState, settings: TerminalSettings) {
    state.terminal.set(settings.clone());
    spawn_local(async move {
        let value = serde_json::to_value(&settings).unwrap_or_default();
        if let Err(e) = state.storage().save_setting(SETTINGS_KEY, value).await {
            state.notice.set(Some(crate::state::storage_notice(&e)));
        }
    });
}

fn terminal_notice(e: &TerminalError) -> Notice {
    match e.detail() {
        Some(detail) => Notice::Fault(e.msg(), detail),
        None => Notice::Error(e.msg(), Vec::new()),
    }
}

/// The terminal stopped answering mid-operation: it is asked what it did before anything else.
async fn went_quiet(state: AppState, e: &TerminalError) {
    state.card_progress.set(None);
    ask_terminal(state, Some(terminal_notice(e))).await;
}

/// Nothing is with the terminal any more, and no progress is shown.
fn out_of_flight(state: AppState) {
    set_in_flight(state, None, None);
    state.card_progress.set(None);
}
