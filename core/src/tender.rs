//! Taking payment: cash with change and cash rounding, card from a standalone terminal, or a split
//! of several tenders. Only cash gives change; a card never takes more than what is left to pay.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::round_to_increment;
use crate::store::PricingRules;

/// What the cashier recorded for a card payment taken on a standalone terminal. We never see or
/// keep the card number: at most its last four digits, as printed on the terminal's slip.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardApproval {
    pub auth_code: Option<String>,
    pub last_four: Option<String>,
    /// The terminal's id, when an integrated terminal reported it (reconciling with the bank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    /// The terminal's trace or receipt number of the payment, when reported: a reversal needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_no: Option<String>,
    /// The terminal's receipt number of the payment (ZVT BMP 87), when reported: a reversal
    /// (`06 30`) names the payment it undoes by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_no: Option<u16>,
}

impl CardApproval {
    /// Checks what the cashier typed: an auth code of 1-12 letters or digits, last four exactly
    /// four digits. Empty fields become `None`.
    pub fn new(auth_code: &str, last_four: &str) -> Result<CardApproval, TenderError> {
        let auth_code = auth_code.trim();
        let last_four = last_four.trim();
        if !auth_code.is_empty()
            && (auth_code.len() > 12 || !auth_code.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(TenderError::InvalidAuthCode);
        }
        if !last_four.is_empty()
            && (last_four.len() != 4 || !last_four.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(TenderError::InvalidLastFour);
        }
        Ok(CardApproval {
            auth_code: (!auth_code.is_empty()).then(|| auth_code.to_ascii_uppercase()),
            last_four: (!last_four.is_empty()).then(|| last_four.to_string()),
            terminal_id: None,
            trace_no: None,
            receipt_no: None,
        })
    }

    /// Adds what an integrated terminal reported about the payment.
    pub fn with_terminal(
        mut self,
        terminal_id: Option<String>,
        trace_no: Option<String>,
    ) -> CardApproval {
        self.terminal_id = terminal_id;
        self.trace_no = trace_no;
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tender {
    /// Cash handed over by the customer; any excess over what was due is given back as change.
    Cash { tendered: Decimal },
    /// A card payment approved on a standalone terminal for `amount`.
    Card {
        amount: Decimal,
        approval: CardApproval,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TenderError {
    /// Zero or negative where a positive amount is needed.
    NonPositiveAmount,
    /// A card cannot be charged more than what is left to pay.
    CardExceedsRemaining,
    /// The ticket is already paid in full.
    AlreadyPaid,
    InvalidAuthCode,
    InvalidLastFour,
}

impl std::fmt::Display for TenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TenderError::NonPositiveAmount => "the amount must be more than zero",
            TenderError::CardExceedsRemaining => {
                "a card cannot be charged more than what is left to pay"
            }
            TenderError::AlreadyPaid => "the ticket is already paid",
            TenderError::InvalidAuthCode => "the auth code is 1-12 letters or digits",
            TenderError::InvalidLastFour => "the last four are exactly four digits",
        })
    }
}

impl std::error::Error for TenderError {}

/// The tenders taken for one total, in the order they were taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    due: Decimal,
    rules: PricingRules,
    tenders: Vec<Tender>,
    /// Set when a cash tender settled the payment: the change given and the cash rounding applied.
    settlement: Option<Settlement>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Settlement {
    change: Decimal,
    cash_rounding: Decimal,
}

impl Payment {
    pub fn new(due: Decimal, rules: PricingRules) -> Payment {
        let settlement = due.is_zero().then_some(Settlement {
            change: Decimal::ZERO,
            cash_rounding: Decimal::ZERO,
        });
        Payment {
            due,
            rules,
            tenders: Vec::new(),
            settlement,
        }
    }

    /// The ticket total this payment is for.
    pub fn due(&self) -> Decimal {
        self.due
    }

    pub fn tenders(&self) -> &[Tender] {
        &self.tenders
    }

    /// Money applied towards the total so far (cash counted only up to what was due).
    fn applied(&self) -> Decimal {
        let mut left = self.due;
        for tender in &self.tenders {
            let applied = match tender {
                Tender::Cash { tendered } => (*tendered).min(left),
                Tender::Card { amount, .. } => *amount,
            };
            left -= applied;
        }
        self.due - left
    }

    /// What is still to pay by card (no cash rounding).
    pub fn remaining(&self) -> Decimal {
        if self.settlement.is_some() {
            Decimal::ZERO
        } else {
            self.due - self.applied()
        }
    }

    /// What is still to pay in cash: the remainder rounded to the store's cash increment.
    pub fn cash_due(&self) -> Decimal {
        let mut due = round_to_increment(self.remaining(), self.rules.cash_increment);
        due.rescale(self.rules.currency.minor_unit());
        due
    }

    pub fn is_paid(&self) -> bool {
        self.settlement.is_some()
    }

    pub fn change(&self) -> Decimal {
        self.settlement.map_or(Decimal::ZERO, |s| s.change)
    }

    /// The difference cash rounding made to what the customer paid (negative when rounded down).
    pub fn cash_rounding(&self) -> Decimal {
        self.settlement.map_or(Decimal::ZERO, |s| s.cash_rounding)
    }

    /// Everything the customer handed over or was charged.
    pub fn tendered_total(&self) -> Decimal {
        self.tenders
            .iter()
            .map(|t| match t {
                Tender::Cash { tendered } => *tendered,
                Tender::Card { amount, .. } => *amount,
            })
            .sum()
    }

    /// Takes cash. If it covers the cash due, the payment is settled and the excess is change.
    pub fn add_cash(&mut self, tendered: Decimal) -> Result<(), TenderError> {
        if self.is_paid() {
            return Err(TenderError::AlreadyPaid);
        }
        let tendered = self.rules.currency.round(tendered);
        let cash_due = self.cash_due();
        if tendered <= Decimal::ZERO && !cash_due.is_zero() {
            return Err(TenderError::NonPositiveAmount);
        }
        if tendered < Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        let currency = self.rules.currency;
        let remaining = self.remaining();
        if tendered >= cash_due {
            self.settlement = Some(Settlement {
                change: currency.round(tendered - cash_due),
                cash_rounding: currency.round(cash_due - remaining),
            });
        } else if tendered >= remaining {
            // The unrounded amount, or more but less than the rounded cash due (the cashier typed
            // what the ticket says): that pays it; what was given over the exact amount is the
            // cash rounding, never change, so no money is invented or lost.
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: currency.round(tendered - remaining),
            });
        }
        self.tenders.push(Tender::Cash { tendered });
        Ok(())
    }

    /// Records a card approval for `amount`, at most what is left to pay.
    pub fn add_card(&mut self, amount: Decimal, approval: CardApproval) -> Result<(), TenderError> {
        if self.is_paid() {
            return Err(TenderError::AlreadyPaid);
        }
        let amount = self.rules.currency.round(amount);
        if amount <= Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        let remaining = self.remaining();
        if amount > remaining {
            return Err(TenderError::CardExceedsRemaining);
        }
        self.tenders.push(Tender::Card { amount, approval });
        if amount == remaining {
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: Decimal::ZERO,
            });
        }
        Ok(())
    }

    /// Takes back the last tender (a card the cashier recorded by mistake), unless it settled
    /// the payment with change already due.
    pub fn undo_last(&mut self) -> Option<Tender> {
        let tender = self.tenders.pop()?;
        self.settlement = None;
        if self.due.is_zero() {
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: Decimal::ZERO,
            });
        }
        Some(tender)
    }
}

/// Quick cash buttons: the exact amount, then the next round sums a customer is likely to hand
/// over, made of the currency's banknotes. At most `limit` suggestions, ascending, no duplicates.
pub fn suggested_cash(cash_due: Decimal, rules: &PricingRules, limit: usize) -> Vec<Decimal> {
    let mut out = vec![cash_due];
    if cash_due <= Decimal::ZERO {
        return out;
    }
    for note in rules.currency.banknotes() {
        let note = Decimal::from(*note);
        let rounded_up = (cash_due / note).ceil() * note;
        let mut amount = if rounded_up == cash_due {
            rounded_up + note
        } else {
            rounded_up
        };
        amount.rescale(rules.currency.minor_unit());
        if !out.contains(&amount) {
            out.push(amount);
        }
    }
    out.sort();
    out.dedup();
    out.truncate(limit);
    out
}
