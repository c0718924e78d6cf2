//! Money is a `Decimal` amount in an ISO 4217 currency. Every rounding is explicit and goes through
//! [`Currency`], so the minor unit of the currency (2 for EUR, 0 for JPY, 3 for KWD) decides it,
//! never a float.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// An ISO 4217 currency, as the store sells in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub const EUR: Currency = Currency(iso_currency::Currency::EUR);
    pub const USD: Currency = Currency(iso_currency::Currency::USD);
    pub const RUB: Currency = Currency(iso_currency::Currency::RUB);

    /// Looks a currency up by its alphabetic ISO code ("EUR").
    pub fn from_code(code: &str) -> Option<Currency> {
        iso_currency::Currency::from_code(&code.to_ascii_uppercase()).map(Currency)
    }

    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// Digits after the decimal point of the currency's minor unit. Currencies without one (gold,
    /// fund codes) are treated as having two, the most common case.
    pub fn minor_unit(self) -> u32 {
        self.0.exponent().map(u32::from).unwrap_or(2)
    }

    /// Rounds to the minor unit, half away from zero: the default rounding of a till.
    pub fn round(self, amount: Decimal) -> Decimal {
        let mut rounded = amount
            .round_dp_with_strategy(self.minor_unit(), RoundingStrategy::MidpointAwayFromZero);
        rounded.rescale(self.minor_unit());
        rounded
    }

    /// The ISO 4217 numeric code (978 for EUR), as card terminals take it.
    pub fn numeric(self) -> u16 {
        self.0.numeric()
    }

    /// The amount in minor units (cents), as card terminals count: `Some(1250)` for 12.50 EUR;
    /// `None` for a negative amount or one finer than the minor unit.
    pub fn to_minor_units(self, amount: Decimal) -> Option<u64> {
        if amount.is_sign_negative() || self.round(amount) != amount {
            return None;
        }
        let scaled = amount * Decimal::from(10u64.pow(self.minor_unit()));
        u64::try_from(scaled.trunc()).ok()
    }

    /// An amount given in minor units, back as a decimal in this currency.
    pub fn from_minor_units(self, minor: u64) -> Decimal {
        let mut amount = Decimal::from(minor);
        amount
            .set_scale(self.minor_unit())
            .expect("minor unit within Decimal's scale");
        amount
    }

    /// The banknotes a customer is likely to hand over, smallest first; used for quick cash buttons.
    pub fn banknotes(self) -> &'static [u32] {
        match self.code() {
            "RUB" => &[50, 100, 200, 500, 1000, 2000, 5000],
            "USD" | "CAD" | "AUD" => &[1, 5, 10, 20, 50, 100],
            "GBP" => &[5, 10, 20, 50],
            "JPY" => &[1000, 2000, 5000, 10000],
            "CHF" => &[10, 20, 50, 100, 200],
            // The euro's notes fit most currencies well enough as a default.
            _ => &[5, 10, 20, 50, 100, 200],
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.code().to_string()
    }
}

impl TryFrom<String> for Currency {
    type Error = String;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Currency::from_code(&code).ok_or_else(|| format!("unknown ISO 4217 currency code {code:?}"))
    }
}

/// Rounds `amount` to the nearest multiple of `increment` (a cash rounding step such as 0.05),
/// half away from zero. An increment of zero or less means no cash rounding.
pub fn round_to_increment(amount: Decimal, increment: Decimal) -> Decimal {
    round_to_increment_by(amount, increment, RoundingStrategy::MidpointAwayFromZero)
}

fn round_to_increment_by(amount: Decimal, increment: Decimal, how: RoundingStrategy) -> Decimal {
    if increment <= Decimal::ZERO {
        return amount;
    }
    let steps = (amount / increment).round_dp_with_strategy(0, how);
    let mut rounded = steps * increment;
    rounded.rescale(amount.scale().max(increment.scale()));
    rounded
}

/// How a store rounds a cash total to its cash increment ([`crate::PricingRules`]). Stores
/// whose settings were kept before it existed read as [`CashRounding::HalfUp`], as they rounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CashRounding {
    /// To the nearest step, half away from zero: 10.025 is 10.05 and 10.02 is 10.00.
    #[default]
    HalfUp,
    /// Always in the customer's favour: what they pay in cash is rounded down, what the drawer
    /// pays back is rounded up. In Russia a cash total is never rounded up.
    CustomersFavour,
}

impl CashRounding {
    /// What the customer pays in cash for `amount`, on a cash `increment` (zero: none).
    pub fn due(self, amount: Decimal, increment: Decimal) -> Decimal {
        match self {
            CashRounding::HalfUp => round_to_increment(amount, increment),
            CashRounding::CustomersFavour => {
                round_to_increment_by(amount, increment, RoundingStrategy::ToNegativeInfinity)
            }
        }
    }

    /// What the drawer pays back in cash for `amount` (a refund), on a cash `increment`.
    pub fn paid_back(self, amount: Decimal, increment: Decimal) -> Decimal {
        match self {
            CashRounding::HalfUp => round_to_increment(amount, increment),
            CashRounding::CustomersFavour => {
                round_to_increment_by(amount, increment, RoundingStrategy::ToPositiveInfinity)
            }
        }
    }
}

/// Percentage of an amount, unrounded: `percent_of(10, 15) == 1.5`.
pub(crate) fn percent_of(amount: Decimal, percent: Decimal) -> Decimal {
    amount * percent / Decimal::ONE_HUNDRED
}

/// Splits `total` into parts proportional to `weights`, each rounded to the currency, so that the
/// parts add up to `total` exactly (largest remainder method). Used to spread an order discount
/// over the lines so that each line's tax sees its share.
///
/// A total finer than the minor unit (10.005 EUR) is split in two: its whole minor units are
/// shared out as above, and the fraction left (0.005) goes whole to the part with the largest
/// share (the first of equals), so the parts still add up to `total` and only one part is finer
/// than the minor unit. With no weight at all, the first part takes everything.
pub fn allocate(total: Decimal, weights: &[Decimal], currency: Currency) -> Vec<Decimal> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: Decimal = weights.iter().copied().sum();
    if sum.is_zero() {
        let mut parts = vec![Decimal::ZERO; weights.len()];
        parts[0] = total;
        return parts;
    }
    let minor = currency.minor_unit();
    let whole = total.round_dp_with_strategy(minor, RoundingStrategy::ToZero);
    let fraction = total - whole;
    // `whole * w` can pass Decimal's range for amounts near the ticket's bounds; the share of the
    // weight first loses a little precision past the 28th digit, which the remainders make up.
    let exact: Vec<Decimal> = weights
        .iter()
        .map(|w| {
            whole
                .checked_mul(*w)
                .map_or_else(|| whole * (*w / sum), |product| product / sum)
        })
        .collect();
    let mut parts: Vec<Decimal> = exact
        .iter()
        .map(|e| {
            let mut p = e.round_dp_with_strategy(minor, RoundingStrategy::ToZero);
            p.rescale(minor);
            p
        })
        .collect();
    // `whole` and every part are whole minor units, so what is left is too, and stepping one
    // unit at a time reaches zero.
    let mut left = whole - parts.iter().copied().sum::<Decimal>();
    // Hand the remaining minor units to the largest remainders; ties go to the earlier line so
    // the result is deterministic.
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - parts[b])
            .abs()
            .cmp(&(exact[a] - parts[a]).abs())
            .then(a.cmp(&b))
    });
    let unit = Decimal::new(1, minor);
    let step = if left.is_sign_negative() { -unit } else { unit };
    let mut i = 0;
    while !left.is_zero() {
        parts[order[i % order.len()]] += step;
        left -= step;
        i += 1;
    }
    if !fraction.is_zero() {
        let largest = (0..exact.len())
            .rev()
            .max_by(|&a, &b| exact[a].abs().cmp(&exact[b].abs()))
            .unwrap_or(0);
        parts[largest] += fraction;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn minor_units_follow_the_currency() {
        assert_eq!(Currency::EUR.to_minor_units(dec!(12.50)), Some(1250));
        assert_eq!(Currency::EUR.to_minor_units(dec!(12.505)), None);
        assert_eq!(Currency::EUR.to_minor_units(dec!(-1)), None);
        assert_eq!(Currency::EUR.from_minor_units(1250).to_string(), "12.50");
        let jpy = Currency::from_code("JPY").unwrap();
        assert_eq!(jpy.to_minor_units(dec!(150)), Some(150));
        assert_eq!(jpy.from_minor_units(150), dec!(150));
        assert_eq!(Currency::EUR.numeric(), 978);
        assert_eq!(Currency::RUB.numeric(), 643);
    }

    #[test]
    fn rounds_half_away_from_zero_to_minor_unit() {
        assert_eq!(Currency::EUR.round(dec!(1.005)), dec!(1.01));
        assert_eq!(Currency::EUR.round(dec!(-1.005)), dec!(-1.01));
        assert_eq!(Currency::EUR.round(dec!(2)).to_string(), "2.00");
        let jpy = Currency::from_code("jpy").unwrap();
        assert_eq!(jpy.minor_unit(), 0);
        assert_eq!(jpy.round(dec!(150.5)), dec!(151));
        let kwd = Currency::from_code("KWD").unwrap();
        assert_eq!(kwd.round(dec!(1.2345)), dec!(1.235));
    }

    #[test]
    fn cash_rounding_to_five_cents() {
        assert_eq!(round_to_increment(dec!(10.02), dec!(0.05)), dec!(10.00));
        assert_eq!(round_to_increment(dec!(10.025), dec!(0.05)), dec!(10.05));
        assert_eq!(round_to_increment(dec!(10.03), dec!(0.05)), dec!(10.05));
        assert_eq!(round_to_increment(dec!(10.03), dec!(0)), dec!(10.03));
    }

    #[test]
    fn cash_rounding_in_the_customers_favour_never_rounds_what_they_pay_up() {
        let favour = CashRounding::CustomersFavour;
        assert_eq!(favour.due(dec!(100.50), dec!(1)), dec!(100));
        assert_eq!(favour.due(dec!(100.99), dec!(1)), dec!(100));
        assert_eq!(favour.due(dec!(100.00), dec!(1)), dec!(100.00));
        assert_eq!(favour.due(dec!(10.04), dec!(0.05)), dec!(10.00));
        assert_eq!(favour.due(dec!(10.04), dec!(0)), dec!(10.04));
        assert_eq!(favour.paid_back(dec!(50.25), dec!(1)), dec!(51));
        assert_eq!(favour.paid_back(dec!(50.00), dec!(1)), dec!(50.00));
        let half_up = CashRounding::HalfUp;
        assert_eq!(half_up.due(dec!(100.50), dec!(1)), dec!(101));
        assert_eq!(half_up.paid_back(dec!(50.25), dec!(1)), dec!(50));
        assert_eq!(CashRounding::default(), CashRounding::HalfUp);
    }

    #[test]
    fn allocation_adds_up_exactly() {
        let parts = allocate(dec!(1.00), &[dec!(1), dec!(1), dec!(1)], Currency::EUR);
        assert_eq!(parts, vec![dec!(0.34), dec!(0.33), dec!(0.33)]);
        let parts = allocate(dec!(-0.05), &[dec!(3), dec!(1)], Currency::EUR);
        assert_eq!(parts.iter().copied().sum::<Decimal>(), dec!(-0.05));
    }

    /// 10.005 EUR is not a whole number of cents: the cents left to hand out never reached zero,
    /// and the loop that hands them out ran forever.
    #[test]
    fn allocation_of_a_total_finer_than_the_minor_unit_ends_and_adds_up() {
        let parts = allocate(dec!(10.005), &[dec!(1), dec!(1)], Currency::EUR);
        assert_eq!(parts, vec![dec!(5.005), dec!(5.00)]);
        let parts = allocate(dec!(10.005), &[dec!(1), dec!(3)], Currency::EUR);
        assert_eq!(parts, vec![dec!(2.50), dec!(7.505)]);
        let parts = allocate(dec!(-0.015), &[dec!(2), dec!(1)], Currency::EUR);
        assert_eq!(parts, vec![dec!(-0.015), dec!(0.00)]);
        let jpy = Currency::from_code("JPY").unwrap();
        let parts = allocate(dec!(100.5), &[dec!(1), dec!(1), dec!(1)], jpy);
        assert_eq!(parts, vec![dec!(34.5), dec!(33), dec!(33)]);
    }

    #[test]
    fn currency_serialises_as_its_code() {
        assert_eq!(serde_json::to_string(&Currency::RUB).unwrap(), "\"RUB\"");
        let c: Currency = serde_json::from_str("\"EUR\"").unwrap();
        assert_eq!(c, Currency::EUR);
        assert!(serde_json::from_str::<Currency>("\"XYZ\"").is_err());
    }
}
