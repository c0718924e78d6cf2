//! The notes and coins of a currency, as data, and a drawer counted by denomination. A count is
//! what the cashier typed (how many of each); its total is worked out here, in `Decimal`, so a
//! float or a miscount of the total never enters the shift.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::ShiftError;
use crate::money::Currency;

/// Whether a denomination is a banknote or a coin (the count screen shows them apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Form {
    Note,
    Coin,
}

/// One note or coin of a currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denomination {
    pub value: Decimal,
    pub form: Form,
}

/// The legal-tender notes and coins in everyday use, in hundredths of the unit (every currency
/// here has two decimals in ISO 4217, the tenge's tiyn and the kopek included).
const TABLE: [(&str, &[u64], &[u64]); 8] = [
    (
        "RUB",
        &[
            1_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000,
        ],
        &[1, 5, 10, 50, 100, 200, 500, 1_000],
    ),
    (
        "EUR",
        &[500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000],
        &[1, 2, 5, 10, 20, 50, 100, 200],
    ),
    (
        "USD",
        &[100, 200, 500, 1_000, 2_000, 5_000, 10_000],
        &[1, 5, 10, 25, 50, 100],
    ),
    (
        "GBP",
        &[500, 1_000, 2_000, 5_000],
        &[1, 2, 5, 10, 20, 50, 100, 200],
    ),
    (
        "CHF",
        &[1_000, 2_000, 5_000, 10_000, 20_000, 100_000],
        &[5, 10, 20, 50, 100, 200, 500],
    ),
    (
        "PLN",
        &[1_000, 2_000, 5_000, 10_000, 20_000, 50_000],
        &[1, 2, 5, 10, 20, 50, 100, 200, 500],
    ),
    (
        "KZT",
        &[50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000],
        &[100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000],
    ),
    (
        "TRY",
        &[500, 1_000, 2_000, 5_000, 10_000, 20_000],
        &[1, 5, 10, 25, 50, 100],
    ),
];

/// The notes and then the coins of `currency`, each from the largest down, as a count screen
/// lists them; empty for a currency not in the table (its drawer is counted as one amount).
pub fn denominations(currency: Currency) -> Vec<Denomination> {
    let Some((_, notes, coins)) = TABLE.iter().find(|(code, ..)| *code == currency.code()) else {
        return Vec::new();
    };
    let of = |form, values: &[u64]| {
        values
            .iter()
            .rev()
            .map(move |&hundredths| Denomination {
                value: Decimal::new(hundredths as i64, 2),
                form,
            })
            .collect::<Vec<_>>()
    };
    let mut all = of(Form::Note, notes);
    all.extend(of(Form::Coin, coins));
    all
}

/// A drawer counted by denomination: how many of each note and coin, and an amount counted as a
/// whole (a currency with no table, or a bag of mixed coins weighed at the bank).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashCount {
    /// Pieces by the denomination's value.
    pub pieces: BTreeMap<Decimal, u32>,
    #[serde(default)]
    pub loose: Decimal,
}

impl CashCount {
    /// A count of `pieces` (value, how many) of `currency`'s denominations and a `loose` amount.
    /// Refuses a value that is not one of the currency's notes or coins, and a negative or
    /// unrounded loose amount, so a typo never becomes money in the drawer.
    pub fn new(
        currency: Currency,
        pieces: &[(Decimal, u32)],
        loose: Decimal,
    ) -> Result<CashCount, ShiftError> {
        let known = denominations(currency);
        let mut count = CashCount {
            pieces: BTreeMap::new(),
            loose,
        };
        for &(value, n) in pieces {
            if !known.iter().any(|d| d.value == value) {
                return Err(ShiftError::UnknownDenomination { value, currency });
            }
            *count.pieces.entry(value.normalize()).or_default() += n;
        }
        count.pieces.retain(|_, n| *n > 0);
        if loose < Decimal::ZERO || currency.round(loose) != loose {
            return Err(ShiftError::BadAmount(loose));
        }
        Ok(count)
    }

    /// A count of a single amount, with no pieces.
    pub fn amount(currency: Currency, amount: Decimal) -> Result<CashCount, ShiftError> {
        CashCount::new(currency, &[], amount)
    }

    /// What the drawer holds: every piece at its value, and the loose amount.
    pub fn total(&self) -> Decimal {
        self.pieces
            .iter()
            .map(|(value, n)| value * Decimal::from(*n))
            .sum::<Decimal>()
            + self.loose
    }
}
