//! The store's profile and the rules that price every ticket in it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::tax::{TaxPricing, TaxRounding};

/// The store settings that decide what a ticket comes to. A ticket keeps its own copy, so a
/// settings change never re-prices a ticket that is being paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingRules {
    pub currency: Currency,
    pub tax_pricing: TaxPricing,
    pub tax_rounding: TaxRounding,
    /// The smallest cash step, e.g. 0.05 where one- and two-cent coins are not used; zero for none.
    pub cash_increment: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    pub name: String,
    pub address: String,
    pub tax_number: String,
    pub rules: PricingRules,
    /// Text printed at the bottom of every receipt.
    pub receipt_footer: String,
    /// The return policy, printed above the footer; empty for none.
    #[serde(default)]
    pub return_policy: String,
    /// The language receipts print in, as a tag (`en`, `ru`); empty: the language of the
    /// device's screen. Customers read receipts; cashiers may prefer another language.
    #[serde(default)]
    pub receipt_language: String,
}
