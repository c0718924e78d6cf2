//! The store's profile and the rules that price every ticket in it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{CashRounding, Currency};
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
    /// How a cash total is rounded to `cash_increment`. Rules kept before it existed (a store's
    /// settings, a sale, an open ticket) read as half up, as they were rounded.
    #[serde(default)]
    pub cash_rounding: CashRounding,
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
    /// The logo printed above the store's name.
    #[serde(default)]
    pub logo: Option<StoreLogo>,
    /// Each receipt line prints its price after its share of the discounts, its total and its
    /// VAT rate and amount, as a Russian receipt does (54-FZ), instead of the discounts as
    /// receipt-level rows. Off for stores kept before it existed: they print as they did.
    #[serde(default)]
    pub receipt_line_vat: bool,
    /// The tip buttons of the pay screen, in order; none: the pay screen asks for no tip.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tip_presets: Vec<crate::tip::TipPreset>,
    /// A sale needs an open shift on its register: the drawer is always counted in and out.
    /// Off for stores kept before it existed.
    #[serde(default)]
    pub shift_required: bool,
    /// Closing a shift shows the cash expected while the drawer is counted. Off (the default,
    /// and for stores kept before it existed), the count is blind: the expected cash shows only
    /// in the Z report.
    #[serde(default)]
    pub close_shows_expected: bool,
    /// With [`Store::shift_required`]: rather than refuse payment, the first sale with no shift
    /// open opens one with an empty float (the drawer counted as holding nothing). Off for stores
    /// kept before it existed.
    #[serde(default)]
    pub shift_opens_itself: bool,
    /// The most one device offline may take off one gift card before the server hears of it
    /// (with the balance it last knew, the smaller wins: [`Store::gift_card_offline_allowance`]).
    /// Two devices offline spending one card can overdraw it by at most this each. Stores kept
    /// before it existed read [`DEFAULT_GIFT_CARD_OFFLINE_CAP`].
    #[serde(default = "default_gift_card_offline_cap")]
    pub gift_card_offline_cap: Decimal,
    /// The loyalty programme; `None` (the default, and for stores kept before it existed): no
    /// customer earns points, and points pay nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loyalty: Option<crate::loyalty::LoyaltyRule>,
}

/// The offline cap of a store that set none: the issue's example, 50.00 of the currency.
pub const DEFAULT_GIFT_CARD_OFFLINE_CAP: Decimal = Decimal::from_parts(50, 0, 0, false, 0);

fn default_gift_card_offline_cap() -> Decimal {
    DEFAULT_GIFT_CARD_OFFLINE_CAP
}

impl Store {
    /// What a device offline may take off one gift card: see [`Store::gift_card_offline_cap`].
    pub fn gift_card_offline_allowance(&self) -> crate::OfflineAllowance {
        crate::OfflineAllowance {
            cap: self.gift_card_offline_cap.max(Decimal::ZERO),
        }
    }
}

/// A receipt logo as the printer's dots: rows top to bottom, 8 dots per byte, the most
/// significant bit leftmost, 1 = black, each row padded to whole bytes (the layout of
/// `pos_devices::Bitmap`, which core does not depend on).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreLogo {
    pub width: u32,
    pub height: u32,
    pub bits: Vec<u8>,
}

impl StoreLogo {
    /// A logo whose bits fill its size exactly; `None` otherwise.
    pub fn new(width: u32, height: u32, bits: Vec<u8>) -> Option<StoreLogo> {
        let expected = (width as usize).div_ceil(8) * height as usize;
        (width > 0 && height > 0 && bits.len() == expected).then_some(StoreLogo {
            width,
            height,
            bits,
        })
    }

    /// `<width>x<height>:<hex of the bits>`, the form the settings document keeps it in: one
    /// scalar, so two devices that change the logo at once end with one of them, whole.
    pub fn to_text(&self) -> String {
        let mut text = format!("{}x{}:", self.width, self.height);
        for byte in &self.bits {
            text.push_str(&format!("{byte:02x}"));
        }
        text
    }

    /// Reads [`to_text`](Self::to_text); `None` for anything else.
    pub fn from_text(text: &str) -> Option<StoreLogo> {
        let (size, hex) = text.split_once(':')?;
        let (width, height) = size.split_once('x')?;
        if hex.len() % 2 != 0 || !hex.is_ascii() {
            return None;
        }
        let bits = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        StoreLogo::new(width.parse().ok()?, height.parse().ok()?, bits)
    }
}

#[cfg(test)]
mod logo_tests {
    use super::StoreLogo;

    #[test]
    fn a_logo_survives_its_text_form_and_nothing_else_reads_as_one() {
        let logo = StoreLogo::new(10, 2, vec![0xff, 0xc0, 0x81, 0x40]).unwrap();
        assert_eq!(logo.to_text(), "10x2:ffc08140");
        assert_eq!(StoreLogo::from_text(&logo.to_text()), Some(logo));
        for bad in [
            "",
            "10x2",
            "10x2:ffc081",
            "10x2:ffc0814",
            "10x2:ffc08140aa",
            "0x2:",
            "10x2:zzc08140",
            "ax2:ffc08140",
        ] {
            assert_eq!(StoreLogo::from_text(bad), None, "{bad:?}");
        }
        assert_eq!(
            StoreLogo::new(9, 1, vec![0; 1]),
            None,
            "9 dots need 2 bytes a row"
        );
    }
}

#[cfg(test)]
mod kept_before_tests {
    use super::*;
    use crate::money::CashRounding;

    /// Rules and profiles kept (in a sale, an open ticket, the device's settings) before cash
    /// rounding and line VAT existed still read, rounding half up and printing as before.
    #[test]
    fn rules_and_a_profile_kept_before_cash_rounding_and_line_vat_read_as_before() {
        let rules: PricingRules = serde_json::from_str(
            r#"{"currency":"RUB","tax_pricing":"Inclusive","tax_rounding":"PerLine","cash_increment":"1"}"#,
        )
        .unwrap();
        assert_eq!(rules.cash_rounding, CashRounding::HalfUp);
        let store: Store = serde_json::from_str(
            r#"{"name":"Café","address":"","tax_number":"","receipt_footer":"",
                "rules":{"currency":"EUR","tax_pricing":"Inclusive","tax_rounding":"PerReceipt","cash_increment":"0"}}"#,
        )
        .unwrap();
        assert!(!store.receipt_line_vat);
        assert_eq!(store.rules.cash_rounding, CashRounding::HalfUp);
        let favour = PricingRules {
            cash_rounding: CashRounding::CustomersFavour,
            ..rules
        };
        let json = serde_json::to_string(&favour).unwrap();
        assert!(
            json.contains(r#""cash_rounding":"CustomersFavour""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<PricingRules>(&json).unwrap(), favour);
    }
}
