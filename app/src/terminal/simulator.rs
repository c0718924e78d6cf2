//! The training simulator: a card terminal that answers as the merchant set it (approve,
//! decline, no answer, disconnected) after showing the screens a real one shows. Its journal
//! (last operation, the day's totals) is kept in the browser's localStorage like a terminal keeps
//! its own, so "last status" after a reload works as with a real terminal.

use pos_core::{CardApproval, Decimal, Uuid};
use serde::{Deserialize, Serialize};

use super::{
    CardTerminal, LastStatus, OnProgress, PIN_TRIES_EXCEEDED, Progress, Report, TerminalApproval,
    TerminalError, TerminalFuture, TrainingOutcome, WRONG_PIN,
};
use crate::browser::sleep;

const JOURNAL_KEY: &str = "pos.training-terminal";
/// Long enough for a cashier to read each screen, short enough for training.
const STEP_MS: u32 = 400;
/// The simulated terminal that never answers gives up after this.
const TIMEOUT_MS: u32 = 2_000;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Journal {
    last: Option<Entry>,
    receipt_no: u16,
    day_count: u32,
    day_total: Decimal,
    /// The payments of the terminal day not reversed yet, by receipt number: what a reversal
    /// may undo (until the end of day).
    #[serde(default)]
    reversible: Vec<(u16, Decimal)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Entry {
    sale_id: Uuid,
    amount: Decimal,
    approved: bool,
    receipt_no: u16,
    refund: bool,
}

fn journal() -> Journal {
    local_storage()
        .and_then(|s| s.get_item(JOURNAL_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn keep(journal: &Journal) {
    if let (Some(s), Ok(text)) = (local_storage(), serde_json::to_string(journal)) {
        let _ = s.set_item(JOURNAL_KEY, &text);
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Charges what it is asked, as a terminal would: the amount was checked by core
/// (`Payment::check_terminal_card`) before it was sent.
pub struct Simulator {
    outcome: TrainingOutcome,
}

impl Simulator {
    pub fn new(outcome: TrainingOutcome) -> Simulator {
        Simulator { outcome }
    }

    fn approval(entry: &Entry) -> TerminalApproval {
        let approval = CardApproval {
            auth_code: Some(format!("TR{:04}", entry.receipt_no)),
            last_four: Some("4242".to_string()),
            terminal_id: Some("TRAINING".to_string()),
            trace_no: Some(entry.receipt_no.to_string()),
            receipt_no: Some(entry.receipt_no),
            from_terminal: true,
            card_name: None,
        };
        TerminalApproval {
            amount: entry.amount,
            approval,
            receipt_no: Some(entry.receipt_no),
            print_lines: vec!["*** TRAINING ***".to_string()],
        }
    }

    /// One payment or refund, as a terminal shows it.
    fn operate(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        refund: bool,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval> {
        let outcome = self.outcome;
        Box::pin(async move {
            if outcome == TrainingOutcome::Disconnect {
                return Err(TerminalError::NotConnected);
            }
            let screens: &[u8] = match outcome {
                TrainingOutcome::WrongPin => &[0x0A, 0x01, WRONG_PIN, 0x01, PIN_TRIES_EXCEEDED],
                _ => &[0x0A, 0x01, 0x04],
            };
            for &code in screens {
                on(Progress::Status(code));
                sleep(STEP_MS).await;
            }
            let mut journal = journal();
            match outcome {
                TrainingOutcome::Timeout => {
                    sleep(TIMEOUT_MS).await;
                    Err(TerminalError::Timeout)
                }
                TrainingOutcome::Decline | TrainingOutcome::WrongPin => {
                    journal.receipt_no += 1;
                    journal.last = Some(Entry {
                        sale_id,
                        amount,
                        approved: false,
                        receipt_no: journal.receipt_no,
                        refund,
                    });
                    keep(&journal);
                    Err(if outcome == TrainingOutcome::WrongPin {
                        TerminalError::WrongPin
                    } else {
                        TerminalError::Declined
                    })
                }
                _ => {
                    journal.receipt_no += 1;
                    let entry = Entry {
                        sale_id,
                        amount,
                        approved: true,
                        receipt_no: journal.receipt_no,
                        refund,
                    };
                    journal.day_count += 1;
                    journal.day_total += if refund { -amount } else { amount };
                    if !refund {
                        journal.reversible.push((entry.receipt_no, amount));
                    }
                    journal.last = Some(entry.clone());
                    keep(&journal);
                    Ok(Simulator::approval(&entry))
                }
            }
        })
    }

    fn report(entry: Option<&Entry>, journal: &Journal) -> Report {
        Report {
            approved: entry.map(|e| e.approved),
            amount: entry.map(|e| e.amount),
            count: None,
            receipt_no: entry.map(|e| e.receipt_no).or(Some(journal.receipt_no)),
            lines: vec!["*** TRAINING ***".to_string()],
            day_totals: None,
        }
    }

    fn reachable(&self) -> Result<(), TerminalError> {
        if self.outcome == TrainingOutcome::Disconnect {
            Err(TerminalError::NotConnected)
        } else {
            Ok(())
        }
    }
}

impl CardTerminal for Simulator {
    fn purchase(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval> {
        self.operate(sale_id, amount, false, on)
    }

    fn refund(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval> {
        self.operate(sale_id, amount, true, on)
    }

    fn reversal(
        &self,
        sale_id: Uuid,
        receipt_no: Option<u16>,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval> {
        let journal = journal();
        let found = journal
            .reversible
            .iter()
            .position(|(no, _)| Some(*no) == receipt_no);
        let Some(at) = found else {
            // Not a payment of this terminal day (or reversed already): a real terminal refuses.
            return Box::pin(async { Err(TerminalError::Declined) });
        };
        let (_, amount) = journal.reversible[at];
        let operation = self.operate(sale_id, amount, true, on);
        Box::pin(async move {
            let approved = operation.await?;
            // Reversed once only; read again, as the operation wrote its own entry meanwhile.
            let mut journal = self::journal();
            journal.reversible.retain(|(no, _)| Some(*no) != receipt_no);
            keep(&journal);
            Ok(approved)
        })
    }

    fn last_status(
        &self,
        sale_id: Uuid,
        _: Decimal,
        _: Option<u16>,
        _: OnProgress,
    ) -> TerminalFuture<LastStatus> {
        let reachable = self.reachable();
        Box::pin(async move {
            reachable?;
            Ok(match journal().last {
                Some(entry) if entry.sale_id == sale_id && entry.approved => {
                    LastStatus::Approved(Simulator::approval(&entry))
                }
                _ => LastStatus::NotCharged,
            })
        })
    }

    fn last_operation(&self, _: OnProgress) -> TerminalFuture<Report> {
        let reachable = self.reachable();
        Box::pin(async move {
            reachable?;
            let journal = journal();
            Ok(Simulator::report(journal.last.as_ref(), &journal))
        })
    }

    /// Shows the training day's count and amount, but gives no `day_totals`: training sales
    /// never count, so there is nothing of a shift's to reconcile them with, and closing a shift
    /// in training runs no end of day at all.
    fn end_of_day(&self, _: OnProgress) -> TerminalFuture<Report> {
        let reachable = self.reachable();
        Box::pin(async move {
            reachable?;
            let mut journal = journal();
            let report = Report {
                approved: Some(true),
                amount: Some(journal.day_total),
                count: Some(journal.day_count),
                receipt_no: None,
                lines: vec!["*** TRAINING ***".to_string()],
                day_totals: None,
            };
            journal.day_count = 0;
            journal.day_total = Decimal::ZERO;
            journal.reversible.clear();
            keep(&journal);
            Ok(report)
        })
    }

    fn repeat_receipt(&self, on: OnProgress) -> TerminalFuture<Report> {
        self.last_operation(on)
    }

    fn check(&self, _: OnProgress) -> TerminalFuture<Report> {
        let reachable = self.reachable();
        Box::pin(async move {
            reachable?;
            Ok(Report {
                approved: Some(true),
                ..Report::default()
            })
        })
    }
}
