//! The card terminal's side of closing a shift (issue 13): once the drawer's count is kept, an
//! integrated ZVT terminal runs its end of day (`06 50`) and its totals are set beside the
//! shift's card payments and refunds (`pos_core::shift::Reconciliation`); on a standalone
//! terminal the cashier types the totals of its slip. The result, or why there is none, is kept
//! with the closed shift, so the Z report shows it after a reload too; a failed end of day can be
//! tried again from the Z report while the shift is still the last one.
//!
//! The training simulator never takes part: training sales never count, so a shift closed in
//! training runs no end of day, and the simulator's end of day gives no totals.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::shift::{Reconciliation, Shift, TerminalCheck, TerminalTotals};

use super::shift::shift_records;
use super::terminal::terminal;
use super::{AppState, storage_notice};
use crate::i18n::Msg;
use crate::terminal::{Connection, OnProgress, Progress, TerminalError};

/// Where the terminal's totals of a closing shift come from.
pub enum TotalsFrom {
    /// Typed by the cashier from a standalone terminal's end-of-day slip.
    Typed(TerminalTotals),
    /// The integrated terminal's end of day.
    Terminal,
}

/// The terminal answered its end of day without a day total.
const NO_TOTALS: &str = "no-totals";

/// Why the terminal's end of day gave no totals, as kept with the shift: a code, so that the
/// Z report says it in the language of whoever reads it later.
fn reason_code(e: &TerminalError) -> &'static str {
    match e {
        TerminalError::NotConnected | TerminalError::NoPort | TerminalError::Standalone => {
            "unreachable"
        }
        // It may have closed its day before it went quiet.
        TerminalError::Timeout | TerminalError::Disconnected => "lost",
        TerminalError::Declined
        | TerminalError::WrongPin
        | TerminalError::Cancelled
        | TerminalError::Card
        | TerminalError::NoBank => "declined",
        TerminalError::Busy => "busy",
        TerminalError::NotSetUp => "not-set-up",
        TerminalError::Fault(_) => "fault",
    }
}

/// The cashier's words for a kept reason code.
pub fn reason_msg(code: &str) -> Msg {
    match code {
        "unreachable" => Msg::ReconUnreachable,
        "lost" => Msg::ReconLost,
        "declined" => Msg::ReconDeclined,
        "busy" => Msg::TerminalBusy,
        "not-set-up" => Msg::TerminalNotSetUp,
        NO_TOTALS => Msg::ReconNoTotals,
        _ => Msg::ReconFault,
    }
}

impl AppState {
    /// Whether closing a shift here runs the card terminal's end of day: an integrated ZVT
    /// terminal. Standalone terminals are typed; the training simulator never counts.
    pub fn closes_with_terminal(&self) -> bool {
        self.terminal
            .with_untracked(|t| matches!(t.connection, Connection::ZvtSerial { .. }))
    }

    /// Whether the Z report of `shift` offers "Reconcile with terminal": it closed without the
    /// terminal's totals, it is still this device's last shift (a newer one's payments would be
    /// in the terminal's batch too) and the terminal is an integrated one.
    pub fn may_retry_reconciliation(&self, shift: &Shift) -> bool {
        let last = self
            .shifts
            .all
            .with(|all| all.last().is_some_and(|s| s.id == shift.id));
        let reconciled = shift.reconciliation().is_some();
        // Tracked: the terminal's settings may be read after the report is first drawn.
        let zvt = self
            .terminal
            .with(|t| matches!(t.connection, Connection::ZvtSerial { .. }));
        last && !shift.is_open() && !reconciled && zvt
    }

    /// "Reconcile with terminal" on the Z report, after the end of day failed at the close.
    pub fn retry_reconciliation(&self, shift: Shift) {
        if !self.may_retry_reconciliation(&shift) {
            return;
        }
        self.reconcile_shift(shift, TotalsFrom::Terminal, false);
    }

    /// Sets the terminal's totals beside the closed (and kept) shift's, keeps the result with the
    /// shift, then shows the Z report (and prints it when `print`). A failed end of day is kept
    /// as the reason, and the shift stays closed: its count is never lost to the terminal.
    pub(super) fn reconcile_shift(&self, shift: Shift, from: TotalsFrom, print: bool) {
        let state = *self;
        if self.shifts.reconciling.with_untracked(Option::is_some) {
            return;
        }
        if matches!(from, TotalsFrom::Terminal) {
            // The count is kept: the Z report shows it while the terminal works.
            self.report_shift(shift.clone(), false);
        }
        self.shifts.reconciling.set(Some(shift.id));
        let device_code = self.device_code.get_untracked();
        spawn_local(async move {
            let at_ms = js_sys::Date::now() as i64;
            let totals = match from {
                TotalsFrom::Typed(totals) => Ok((totals, true)),
                TotalsFrom::Terminal => end_of_day(state).await.map(|totals| (totals, false)),
            };
            let check = match totals {
                Ok((totals, typed)) => {
                    match shift_records(&*state.storage(), &shift, &device_code).await {
                        Ok(records) => TerminalCheck::Reconciled {
                            at_ms,
                            typed,
                            reconciliation: Reconciliation::new(&records.card_movements(), &totals),
                            totals,
                        },
                        Err(e) => {
                            state.shifts.reconciling.set(None);
                            state.notice.set(Some(storage_notice(&e)));
                            return state.report_shift(shift, print);
                        }
                    }
                }
                Err(reason) => TerminalCheck::NotReconciled {
                    at_ms,
                    reason: reason.to_string(),
                },
            };
            let mut shift = shift;
            let changed = shift.check_terminal(check).unwrap_or(false);
            if changed {
                match state.keep_and_share(&shift).await {
                    Ok(_) => state.shifts.all.update(|all| {
                        if let Some(kept) = all.iter_mut().find(|s| s.id == shift.id) {
                            *kept = shift.clone();
                        }
                    }),
                    Err(e) => state.notice.set(Some(storage_notice(&e))),
                }
            }
            state.shifts.reconciling.set(None);
            state.report_shift(shift, print);
        });
    }
}

/// Runs the terminal's end of day, its screens shown as the card progress; its totals, or the
/// code of why there are none.
async fn end_of_day(state: AppState) -> Result<TerminalTotals, &'static str> {
    if state.card_progress.with_untracked(Option::is_some) {
        // A payment or another request is with the terminal.
        return Err(reason_code(&TerminalError::Busy));
    }
    state.card_progress.set(Some(Progress::Sending));
    let on: OnProgress = Rc::new(move |p| state.card_progress.set(Some(p)));
    let answer = terminal(state).end_of_day(on).await;
    state.card_progress.set(None);
    match answer {
        Ok(report) => report.day_totals.ok_or(NO_TOTALS),
        Err(e) => Err(reason_code(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    #[test]
    fn every_reason_kept_with_a_shift_reads_back_in_both_languages() {
        let all = TerminalError::every();
        let msgs: Vec<Msg> = all
            .iter()
            .map(|e| reason_msg(reason_code(e)))
            .chain([reason_msg(NO_TOTALS)])
            .collect();
        assert_translated(msgs.iter().copied());
        // Only a fault reads as one; a code from a newer version reads as a fault too.
        assert!(msgs[..12].iter().all(|m| *m != Msg::ReconFault), "{msgs:?}");
        assert_eq!(msgs[12], Msg::ReconFault);
        assert_eq!(reason_msg("something-newer"), Msg::ReconFault);
    }
}
