//! Shifts and the money of a drawer (issue 13): the notes and coins of a currency and a drawer
//! counted by them ([`CashCount`]), a [`Shift`] as plain serde records (opened with a float,
//! pay-ins and pay-outs with a reason, cash drops to the safe, closed with a count), and the X or
//! Z report of a shift
//! ([`ShiftReport`]) worked out from its sales, refunds, voids and cash movements, and the
//! [`Reconciliation`] of its card payments with the card terminal's end-of-day totals, which a
//! closed shift keeps ([`TerminalCheck`]).
//!
//! A shift belongs to one device and its drawer. The records here do not say where they are kept:
//! the app keeps each on its device and shares every step of it as a [`ShiftState`] in the
//! device's sales day of the step (one writer, as for sales), and passes the shift's sales,
//! refunds and voids to [`ShiftReport::new`]. Nothing here reads a clock or draws an id: times
//! and ids are passed in.

mod cash;
mod reconcile;
mod report;
mod state;

pub use cash::{CashCount, Denomination, Form, denominations};
pub use reconcile::{
    CardBrand, CardMovement, CardTotal, Comparison, Explanation, Reconciliation, RecordedCard,
    TerminalTotals,
};
pub use report::{ShiftReport, StaffTips, TenderTotals};
pub use state::{ShiftState, latest_states};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::money::Currency;

/// Why a shift refused a change.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error("the shift is closed")]
    Closed,
    #[error("{value} is not a note or coin of {currency}")]
    UnknownDenomination { value: Decimal, currency: Currency },
    /// Zero, negative, or finer than the currency's minor unit.
    #[error("{0} is not an amount of cash")]
    BadAmount(Decimal),
    /// A pay-in or pay-out says why the money moved, for whoever reconciles the drawer.
    #[error("a pay-in or pay-out needs a reason")]
    ReasonMissing,
    #[error("a movement with id {0} is already in the shift")]
    IdReused(Uuid),
    /// The terminal is reconciled with a shift once its drawer is counted.
    #[error("the shift is still open")]
    StillOpen,
}

/// Cash put into or taken out of the drawer outside a sale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CashMovementKind {
    /// Cash added, such as change brought from the bank.
    PayIn { reason: String },
    /// Cash paid out of the drawer, such as supplies bought at the door.
    PayOut { reason: String },
    /// Cash taken to the safe during the shift, so the drawer holds less.
    Drop,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashMovement {
    pub id: Uuid,
    /// Milliseconds since the Unix epoch, UTC, from the device's clock.
    pub at_ms: i64,
    /// The staff member who moved the cash; `None` on a device without staff.
    pub staff: Option<Uuid>,
    /// Always positive: the kind says which way it went.
    pub amount: Decimal,
    pub kind: CashMovementKind,
}

impl CashMovement {
    /// What the movement did to the drawer: positive for a pay-in, negative otherwise.
    pub fn effect(&self) -> Decimal {
        match self.kind {
            CashMovementKind::PayIn { .. } => self.amount,
            CashMovementKind::PayOut { .. } | CashMovementKind::Drop => -self.amount,
        }
    }
}

/// How a shift ended: the drawer counted, and the card terminal's totals set beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftClose {
    pub at_ms: i64,
    pub staff: Option<Uuid>,
    pub counted: CashCount,
    /// `None` when there was nothing to reconcile (no integrated terminal, no totals typed),
    /// and in shifts kept before reconciliation existed.
    #[serde(default)]
    pub terminal: Option<TerminalCheck>,
}

/// The card terminal's side of a closed shift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TerminalCheck {
    /// The terminal's totals beside the register's card payments.
    Reconciled {
        at_ms: i64,
        /// Typed by the cashier from a standalone terminal's slip, rather than sent by the
        /// terminal.
        typed: bool,
        totals: TerminalTotals,
        reconciliation: Reconciliation,
    },
    /// The terminal gave no totals (it was off, refused the end of day, sent no day total):
    /// `reason` is the app's code for why, so the report can say it in the cashier's language
    /// whenever it is shown.
    NotReconciled { at_ms: i64, reason: String },
}

impl TerminalCheck {
    pub fn reconciliation(&self) -> Option<&Reconciliation> {
        match self {
            TerminalCheck::Reconciled { reconciliation, .. } => Some(reconciliation),
            TerminalCheck::NotReconciled { .. } => None,
        }
    }
}

/// One drawer's shift on one device, from the float counted in to the drawer counted out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shift {
    pub id: Uuid,
    pub device: Uuid,
    pub currency: Currency,
    pub opened_at_ms: i64,
    pub opened_by: Option<Uuid>,
    /// The cash in the drawer when the shift opened.
    pub float: CashCount,
    /// Pay-ins, pay-outs and drops, in the order they were made.
    pub movements: Vec<CashMovement>,
    /// `None` while the shift is open.
    pub close: Option<ShiftClose>,
}

impl Shift {
    pub fn open(
        id: Uuid,
        device: Uuid,
        currency: Currency,
        float: CashCount,
        at_ms: i64,
        by: Option<Uuid>,
    ) -> Shift {
        Shift {
            id,
            device,
            currency,
            opened_at_ms: at_ms,
            opened_by: by,
            float,
            movements: Vec::new(),
            close: None,
        }
    }

    pub fn is_open(&self) -> bool {
        self.close.is_none()
    }

    /// Records cash moved in or out of the drawer. Refuses a closed shift, an amount that is not
    /// positive in the currency's minor unit, a pay-in or pay-out with no reason, and an id
    /// already used; recording the same movement again changes nothing.
    pub fn move_cash(&mut self, movement: CashMovement) -> Result<(), ShiftError> {
        if let Some(existing) = self.movements.iter().find(|m| m.id == movement.id) {
            return if *existing == movement {
                Ok(())
            } else {
                Err(ShiftError::IdReused(movement.id))
            };
        }
        if !self.is_open() {
            return Err(ShiftError::Closed);
        }
        let amount = movement.amount;
        if amount <= Decimal::ZERO || self.currency.round(amount) != amount {
            return Err(ShiftError::BadAmount(amount));
        }
        let reason = match &movement.kind {
            CashMovementKind::PayIn { reason } | CashMovementKind::PayOut { reason } => {
                Some(reason)
            }
            CashMovementKind::Drop => None,
        };
        if reason.is_some_and(|r| r.trim().is_empty()) {
            return Err(ShiftError::ReasonMissing);
        }
        self.movements.push(movement);
        Ok(())
    }

    /// Closes the shift with the drawer as counted. A shift closes once.
    pub fn close(
        &mut self,
        counted: CashCount,
        at_ms: i64,
        by: Option<Uuid>,
    ) -> Result<(), ShiftError> {
        if !self.is_open() {
            return Err(ShiftError::Closed);
        }
        self.close = Some(ShiftClose {
            at_ms,
            staff: by,
            counted,
            terminal: None,
        });
        Ok(())
    }

    /// Sets the card terminal's side of the closed shift: a later check replaces an earlier
    /// one (reconciled after the terminal was off at the close), but a failed retry never
    /// replaces totals already reconciled. Returns whether the shift changed.
    pub fn check_terminal(&mut self, check: TerminalCheck) -> Result<bool, ShiftError> {
        let close = self.close.as_mut().ok_or(ShiftError::StillOpen)?;
        let keep = matches!(close.terminal, Some(TerminalCheck::Reconciled { .. }))
            && matches!(check, TerminalCheck::NotReconciled { .. });
        if keep || close.terminal.as_ref() == Some(&check) {
            return Ok(false);
        }
        close.terminal = Some(check);
        Ok(true)
    }

    /// The terminal's reconciliation kept with the closed shift, if it was reconciled.
    pub fn reconciliation(&self) -> Option<&Reconciliation> {
        self.close.as_ref()?.terminal.as_ref()?.reconciliation()
    }

    /// What the pay-ins, pay-outs and drops did to the drawer, in all.
    pub fn movements_effect(&self) -> Decimal {
        self.movements.iter().map(CashMovement::effect).sum()
    }
}
