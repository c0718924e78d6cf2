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
    #[error("a tip preset is a number, or a number and %")]
    Unreadable,
    #[error("at most four tip presets")]
    TooMany,
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

impl TipPreset {
    /// `10%` for a percent, `2.00` for an amount: how the settings document keeps a preset and
    /// how the owner types it.
    pub fn to_text(self) -> String {
        match self {
            TipPreset::Percent(p) => format!("{}%", p.normalize()),
            TipPreset::Amount(a) => a.to_string(),
        }
    }

    /// Presets as the owner types them, separated by commas or semicolons: `10%, 15%, 2.00`
    /// (a decimal comma inside an amount is read too: `2,50` alone is 2.50). Each is checked;
    /// at most [`MAX_TIP_PRESETS`].
    pub fn parse_list(text: &str, currency: Currency) -> Result<Vec<TipPreset>, TipError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        // "2,50" alone is one amount with a decimal comma; a list is "10%, 15%" or "1; 2,50".
        let parts: Vec<&str> = if text.contains(';') {
            text.split(';').collect()
        } else if text.contains(", ") || text.contains('%') {
            text.split(',').collect()
        } else {
            vec![text]
        };
        let presets = parts
            .into_iter()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|part| {
                let (number, percent) = match part.strip_suffix('%') {
                    Some(number) => (number.trim(), true),
                    None => (part, false),
                };
                let value: Decimal = number
                    .replace(',', ".")
                    .parse()
                    .map_err(|_| TipError::Unreadable)?;
                let preset = if percent {
                    TipPreset::Percent(value)
                } else {
                    TipPreset::Amount(value)
                };
                preset.checked(currency)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if presets.len() > MAX_TIP_PRESETS {
            return Err(TipError::TooMany);
        }
        Ok(presets)
    }

    /// The presets as [`TipPreset::parse_list`] reads them back.
    pub fn list_text(presets: &[TipPreset]) -> String {
        presets
            .iter()
            .map(|p| p.to_text())
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// The most tip buttons a pay screen shows: more would not fit a phone's row.
pub const MAX_TIP_PRESETS: usize = 4;

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
