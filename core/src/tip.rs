//! Tips: what a customer adds on top of the ticket for the staff, chosen at payment from a preset
//! (a percent or an amount) or typed. A tip belongs to one tender: on a card it is part of what the
//! card was charged (its `excess`, the same place a tip keyed on the terminal lands), in cash it is
//! kept from the change. It pays nothing of the ticket and carries no tax.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, percent_of};
use crate::sale::Cashier;

/// The largest tip percent a preset may name: past it, a slip of the finger (150 for 15) would
/// charge a card more than the ticket.
pub const MAX_TIP_PERCENT: Decimal = Decimal::ONE_HUNDRED;

/// A tip button on the pay screen, as the store sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TipPreset {
    /// A percent of the ticket's total, e.g. 10 for 10 %.
    Percent(Decimal),
    /// A fixed amount in the store's currency.
    Amount(Decimal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TipError {
    #[error("a tip is more than zero")]
    NotPositive,
    #[error("a tip percent is at most 100")]
    PercentTooLarge,
    #[error("the tip is finer than the currency's minor unit")]
    FinerThanMinorUnit,
}

impl TipPreset {
    /// The preset checked: above zero, a percent at most [`MAX_TIP_PERCENT`], an amount in whole
    /// minor units of `currency`.
    pub fn checked(self, currency: Currency) -> Result<TipPreset, TipError> {
        match self {
            TipPreset::Percent(p) if p <= Decimal::ZERO => Err(TipError::NotPositive),
            TipPreset::Percent(p) if p > MAX_TIP_PERCENT => Err(TipError::PercentTooLarge),
            TipPreset::Amount(a) if a <= Decimal::ZERO => Err(TipError::NotPositive),
            TipPreset::Amount(a) if currency.round(a) != a => Err(TipError::FinerThanMinorUnit),
            preset => Ok(preset),
        }
    }

    /// The tip this preset asks on a ticket of `total`, rounded to the currency's minor unit
    /// (half away from zero, as every amount of the till), since a card is charged whole cents.
    pub fn tip_on(self, total: Decimal, currency: Currency) -> Decimal {
        match self {
            TipPreset::Percent(p) => currency.round(percent_of(total.max(Decimal::ZERO), p)),
            TipPreset::Amount(a) => currency.round(a),
        }
    }
}

/// A tip taken with one tender of a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tip {
    /// The index of the tender in the payment (and the sale) it was taken with.
    pub tender: u32,
    pub amount: Decimal,
    /// Who the tip is for, when the cashier named someone else (the waiter who served); `None`
    /// means the staff member who took the payment, the sale's cashier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<Cashier>,
}
