//! Taxes: named rates, prices inclusive or exclusive of tax, rounding per line or per receipt.
//! The breakdown per rate is computed here once, so the receipt, the screen and the reports agree.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{Currency, allocate};

pub(crate) mod presets;

/// A named tax rate that products refer to by id ("standard", "reduced").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxCategory {
    pub id: String,
    pub name: String,
    /// Percent, e.g. `22` for 22 %.
    pub rate: Decimal,
    /// The rate's code on a Russian fiscal receipt (tag 1199, FFD 1.2), which the fiscal register
    /// needs on every line; `None` where there is no such code. The values:
    ///
    /// | tag | rate | | tag | rate |
    /// |---|---|---|---|---|
    /// | 1 | 20 % | | 7 | 5 % |
    /// | 2 | 10 % | | 8 | 7 % |
    /// | 3 | 20/120 | | 9 | 5/105 |
    /// | 4 | 10/110 | | 10 | 7/107 |
    /// | 5 | 0 % | | 11 | 22 % |
    /// | 6 | without VAT | | 12 | 22/122 |
    ///
    /// The fractions are the calculated rates of advance payments; 11 and 12 came with the 22 %
    /// VAT of 2026 (FNS order of 8 December 2025), and 1 and 3 remain for sales before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiscal_tag: Option<u8>,
    /// Sold without VAT (not subject to it, or the seller does not pay it): the rate is 0, and a
    /// receipt says "without VAT", which is not the same on a fiscal receipt as "VAT 0 %".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vat_exempt: bool,
}

/// Why a tax category cannot tax a sale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TaxCategoryError {
    /// Below 0 % (an inclusive price at -100 % would divide by zero) or above 100 %.
    #[error("a tax rate is from 0 to 100 %")]
    RateOutOfRange,
    /// A fiscal tag that is not one of tag 1199's values, 1 to 12.
    #[error("fiscal tag 1199 has no value {0}; it takes 1 to 12")]
    UnknownFiscalTag(u8),
    /// Marked as sold without VAT but with a rate.
    #[error("a category without VAT has a rate of 0")]
    ExemptWithRate,
}

impl TaxCategory {
    /// Whether the category can tax a sale and be printed: a rate from 0 to 100 %, a fiscal tag
    /// that tag 1199 has, and a rate of 0 where it is sold without VAT.
    pub fn validate(&self) -> Result<(), TaxCategoryError> {
        if self.rate < Decimal::ZERO || self.rate > Decimal::ONE_HUNDRED {
            return Err(TaxCategoryError::RateOutOfRange);
        }
        if let Some(tag) = self.fiscal_tag.filter(|tag| !(1..=12).contains(tag)) {
            return Err(TaxCategoryError::UnknownFiscalTag(tag));
        }
        if self.vat_exempt && !self.rate.is_zero() {
            return Err(TaxCategoryError::ExemptWithRate);
        }
        Ok(())
    }

    /// The same category at the same rate: lines that may share a row of the breakdown, or a
    /// ticket line. A snapshot taken before a rate change has the id but not the rate.
    pub fn same_rate_as(&self, other: &TaxCategory) -> bool {
        self.id == other.id && self.rate == other.rate
    }
}

/// Whether shelf prices already contain the tax (Russia, most of Europe) or tax is added on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaxPricing {
    Inclusive,
    Exclusive,
}

/// Where tax is rounded: on every line (what a Russian fiscal receipt needs) or once per rate on the
/// whole receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaxRounding {
    PerLine,
    PerReceipt,
}

/// One row of the tax breakdown: everything sold at one rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxBreakdown {
    pub category: TaxCategory,
    /// Amount without tax.
    pub net: Decimal,
    pub tax: Decimal,
    /// Amount with tax.
    pub gross: Decimal,
}

/// The tax of each line (in input order) and the breakdown per rate (in order of first use).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TaxResult {
    pub(crate) line_taxes: Vec<Decimal>,
    pub(crate) breakdown: Vec<TaxBreakdown>,
}

/// Computes taxes for lines given as (category, amount after discounts, in shelf-price terms).
pub(crate) fn compute_taxes(
    lines: &[(&TaxCategory, Decimal)],
    pricing: TaxPricing,
    rounding: TaxRounding,
    currency: Currency,
) -> TaxResult {
    let unrounded_tax = |amount: Decimal, rate: Decimal| match pricing {
        TaxPricing::Inclusive => amount * rate / (Decimal::ONE_HUNDRED + rate),
        TaxPricing::Exclusive => amount * rate / Decimal::ONE_HUNDRED,
    };

    // Group line indexes by category and rate, keeping the order in which rates first appear: a
    // ticket open across a rate change holds one category at two rates, and each is its own row.
    let mut groups: Vec<(&TaxCategory, Vec<usize>)> = Vec::new();
    for (i, (category, _)) in lines.iter().enumerate() {
        match groups.iter_mut().find(|(c, _)| c.same_rate_as(category)) {
            Some((_, members)) => members.push(i),
            None => groups.push((category, vec![i])),
        }
    }

    let mut line_taxes = vec![Decimal::ZERO; lines.len()];
    let mut breakdown = Vec::with_capacity(groups.len());
    for (category, members) in groups {
        let amount: Decimal = members.iter().map(|&i| lines[i].1).sum();
        match rounding {
            TaxRounding::PerLine => {
                for &i in &members {
                    line_taxes[i] = currency.round(unrounded_tax(lines[i].1, category.rate));
                }
            }
            TaxRounding::PerReceipt => {
                let tax = currency.round(unrounded_tax(amount, category.rate));
                let weights: Vec<Decimal> = members.iter().map(|&i| lines[i].1).collect();
                for (&i, share) in members.iter().zip(allocate(tax, &weights, currency)) {
                    line_taxes[i] = share;
                }
            }
        }
        let tax: Decimal = members.iter().map(|&i| line_taxes[i]).sum();
        let (net, gross) = match pricing {
            TaxPricing::Inclusive => (amount - tax, amount),
            TaxPricing::Exclusive => (amount, amount + tax),
        };
        breakdown.push(TaxBreakdown {
            category: category.clone(),
            net,
            tax,
            gross,
        });
    }
    TaxResult {
        line_taxes,
        breakdown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn vat(id: &str, rate: Decimal) -> TaxCategory {
        TaxCategory {
            id: id.into(),
            name: format!("VAT {rate} %"),
            rate,
            ..TaxCategory::default()
        }
    }

    #[test]
    fn inclusive_per_line_extracts_tax_from_each_line() {
        let std = vat("std", dec!(22));
        let lines = [(&std, dec!(1.22)), (&std, dec!(0.99))];
        let r = compute_taxes(
            &lines,
            TaxPricing::Inclusive,
            TaxRounding::PerLine,
            Currency::RUB,
        );
        // 0.99 * 22 / 122 = 0.1785... -> 0.18
        assert_eq!(r.line_taxes, vec![dec!(0.22), dec!(0.18)]);
        assert_eq!(r.breakdown[0].tax, dec!(0.40));
        assert_eq!(r.breakdown[0].net, dec!(1.81));
    }

    #[test]
    fn per_receipt_rounding_can_differ_from_per_line() {
        let std = vat("std", dec!(19));
        let lines = [(&std, dec!(0.10)), (&std, dec!(0.10)), (&std, dec!(0.10))];
        let per_line = compute_taxes(
            &lines,
            TaxPricing::Exclusive,
            TaxRounding::PerLine,
            Currency::EUR,
        );
        let per_receipt = compute_taxes(
            &lines,
            TaxPricing::Exclusive,
            TaxRounding::PerReceipt,
            Currency::EUR,
        );
        assert_eq!(per_line.breakdown[0].tax, dec!(0.06)); // 3 x round(0.019)
        assert_eq!(per_receipt.breakdown[0].tax, dec!(0.06)); // round(0.057)
        let lines = [(&std, dec!(0.13)), (&std, dec!(0.13))];
        let per_line = compute_taxes(
            &lines,
            TaxPricing::Exclusive,
            TaxRounding::PerLine,
            Currency::EUR,
        );
        let per_receipt = compute_taxes(
            &lines,
            TaxPricing::Exclusive,
            TaxRounding::PerReceipt,
            Currency::EUR,
        );
        assert_eq!(per_line.breakdown[0].tax, dec!(0.04)); // 2 x round(0.0247)
        assert_eq!(per_receipt.breakdown[0].tax, dec!(0.05)); // round(0.0494)
        assert_eq!(
            per_receipt.line_taxes.iter().copied().sum::<Decimal>(),
            dec!(0.05)
        );
    }

    /// A ticket open across a rate change holds snapshots of one category at two rates; each
    /// line is taxed at its own rate and the breakdown shows both.
    #[test]
    fn one_category_at_two_rates_is_two_rows() {
        let old = vat("std", dec!(20));
        let new = vat("std", dec!(22));
        let lines = [(&old, dec!(12.00)), (&new, dec!(12.20)), (&old, dec!(6.00))];
        for rounding in [TaxRounding::PerLine, TaxRounding::PerReceipt] {
            let r = compute_taxes(&lines, TaxPricing::Inclusive, rounding, Currency::EUR);
            assert_eq!(r.line_taxes, vec![dec!(2.00), dec!(2.20), dec!(1.00)]);
            assert_eq!(r.breakdown.len(), 2);
            assert_eq!(r.breakdown[0].category.rate, dec!(20));
            assert_eq!(r.breakdown[0].tax, dec!(3.00));
            assert_eq!(r.breakdown[1].category.rate, dec!(22));
            assert_eq!(r.breakdown[1].tax, dec!(2.20));
        }
    }

    #[test]
    fn breakdown_keeps_rates_apart() {
        let std = vat("std", dec!(20));
        let red = vat("red", dec!(10));
        let lines = [(&std, dec!(12.00)), (&red, dec!(11.00)), (&std, dec!(6.00))];
        let r = compute_taxes(
            &lines,
            TaxPricing::Inclusive,
            TaxRounding::PerLine,
            Currency::EUR,
        );
        assert_eq!(r.breakdown.len(), 2);
        assert_eq!(r.breakdown[0].category.id, "std");
        assert_eq!(r.breakdown[0].tax, dec!(3.00));
        assert_eq!(r.breakdown[1].tax, dec!(1.00));
    }
}
