//! The form of what every receipt of the store says: the store's name, address, tax number,
//! return policy, the text at the bottom, and the language receipts print in; whether each
//! line prints its VAT (a Russian receipt); and how cash totals are rounded, to which step;
//! and how much one register offline may take off one gift card.

use pos_core::{CashRounding, Decimal, Store};

use crate::i18n::{self, Lang, Msg};

/// The largest cash step or gift card allowance the form takes: what one gift card operation
/// may move (`pos_core::gift_card::MAX_GIFT_CARD_AMOUNT`).
const MAX_AMOUNT: Decimal = pos_core::gift_card::MAX_GIFT_CARD_AMOUNT;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptForm {
    pub name: String,
    pub address: String,
    pub tax_number: String,
    pub return_policy: String,
    pub footer: String,
    /// A `Lang` tag, or empty for the language of each device's screen.
    pub language: String,
    /// Each line prints its price after discounts and its VAT (`Store::receipt_line_vat`).
    pub line_vat: bool,
    /// How a cash total is rounded to `cash_increment`.
    pub cash_rounding: CashRounding,
    /// The smallest cash step as typed (`0.05`, `1`); `0` for none.
    pub cash_increment: String,
    /// The pay screen's tip buttons as typed (`10%; 15%; 2.00`); empty for none.
    pub tip_presets: String,
    /// A sale needs an open shift (`Store::shift_required`).
    pub shift_required: bool,
    /// The close shows the cash expected (`Store::close_shows_expected`).
    pub close_shows_expected: bool,
    /// The first sale opens a shift (`Store::shift_opens_itself`).
    pub shift_opens_itself: bool,
    /// The most a register offline may take off one gift card, as typed
    /// (`Store::gift_card_offline_cap`); `0`: no gift card is spent offline.
    pub gift_card_offline_cap: String,
}

/// The form's text fields, for components that bind one input to one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    Address,
    TaxNumber,
    ReturnPolicy,
    Footer,
    Language,
    CashIncrement,
    TipPresets,
    GiftCardOfflineCap,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptFormError {
    #[error("the store's name is empty")]
    NameRequired,
    #[error("the receipt language is not one the register speaks")]
    Language,
    #[error("the cash step is not zero or more in whole minor units")]
    CashIncrement,
    #[error("the tip presets are not a list of amounts and percents")]
    TipPresets,
    #[error("the gift card offline allowance is not zero or more in whole minor units")]
    GiftCardOfflineCap,
}

impl ReceiptFormError {
    pub fn msg(self) -> Msg {
        match self {
            ReceiptFormError::NameRequired => Msg::NameRequired,
            ReceiptFormError::Language => Msg::InvalidReceiptLanguage,
            ReceiptFormError::CashIncrement => Msg::InvalidCashIncrement,
            ReceiptFormError::TipPresets => Msg::InvalidTipPresets,
            ReceiptFormError::GiftCardOfflineCap => Msg::InvalidGiftCardOfflineCap,
        }
    }
}

impl ReceiptForm {
    pub fn of(store: &Store) -> ReceiptForm {
        ReceiptForm {
            name: store.name.clone(),
            address: store.address.clone(),
            tax_number: store.tax_number.clone(),
            return_policy: store.return_policy.clone(),
            footer: store.receipt_footer.clone(),
            language: store.receipt_language.clone(),
            line_vat: store.receipt_line_vat,
            cash_rounding: store.rules.cash_rounding,
            cash_increment: store.rules.cash_increment.normalize().to_string(),
            tip_presets: pos_core::TipPreset::list_text(&store.tip_presets),
            shift_required: store.shift_required,
            close_shows_expected: store.close_shows_expected,
            shift_opens_itself: store.shift_opens_itself,
            gift_card_offline_cap: store.gift_card_offline_cap.normalize().to_string(),
        }
    }

    pub fn field(&self, field: Field) -> &str {
        match field {
            Field::Name => &self.name,
            Field::Address => &self.address,
            Field::TaxNumber => &self.tax_number,
            Field::ReturnPolicy => &self.return_policy,
            Field::Footer => &self.footer,
            Field::Language => &self.language,
            Field::CashIncrement => &self.cash_increment,
            Field::TipPresets => &self.tip_presets,
            Field::GiftCardOfflineCap => &self.gift_card_offline_cap,
        }
    }

    pub fn set(&mut self, field: Field, value: String) {
        *match field {
            Field::Name => &mut self.name,
            Field::Address => &mut self.address,
            Field::TaxNumber => &mut self.tax_number,
            Field::ReturnPolicy => &mut self.return_policy,
            Field::Footer => &mut self.footer,
            Field::Language => &mut self.language,
            Field::CashIncrement => &mut self.cash_increment,
            Field::TipPresets => &mut self.tip_presets,
            Field::GiftCardOfflineCap => &mut self.gift_card_offline_cap,
        } = value;
    }

    /// The cash rounding as a `<select>` value, and back (anything else is half up).
    pub fn cash_rounding_value(&self) -> &'static str {
        match self.cash_rounding {
            CashRounding::HalfUp => "half-up",
            CashRounding::CustomersFavour => "customers-favour",
        }
    }

    pub fn set_cash_rounding(&mut self, value: &str) {
        self.cash_rounding = match value {
            "customers-favour" => CashRounding::CustomersFavour,
            _ => CashRounding::HalfUp,
        };
    }

    /// `saved` with the form's texts, trimmed, and its cash rounding; the rest of the profile
    /// (the currency, the tax rules, the logo) is kept.
    pub fn store(&self, saved: &Store) -> Result<Store, ReceiptFormError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(ReceiptFormError::NameRequired);
        }
        if !self.language.is_empty()
            && Lang::from_tag(&self.language).map(Lang::tag) != Some(&self.language)
        {
            return Err(ReceiptFormError::Language);
        }
        let currency = saved.rules.currency;
        // Zero or more, in whole minor units of the store's currency.
        let whole_units =
            |d: &Decimal| *d >= Decimal::ZERO && currency.round(*d) == *d && *d <= MAX_AMOUNT;
        let cash_increment = i18n::parse_decimal(&self.cash_increment)
            .filter(whole_units)
            .ok_or(ReceiptFormError::CashIncrement)?;
        let gift_card_offline_cap = i18n::parse_decimal(&self.gift_card_offline_cap)
            .filter(whole_units)
            .ok_or(ReceiptFormError::GiftCardOfflineCap)?;
        let tip_presets = pos_core::TipPreset::parse_list(&self.tip_presets, currency)
            .map_err(|_| ReceiptFormError::TipPresets)?;
        let mut rules = saved.rules;
        rules.cash_increment = cash_increment;
        rules.cash_rounding = self.cash_rounding;
        Ok(Store {
            name: name.to_string(),
            address: self.address.trim().to_string(),
            tax_number: self.tax_number.trim().to_string(),
            return_policy: self.return_policy.trim().to_string(),
            receipt_footer: self.footer.trim().to_string(),
            receipt_language: self.language.clone(),
            receipt_line_vat: self.line_vat,
            tip_presets,
            shift_required: self.shift_required,
            close_shows_expected: self.close_shows_expected,
            shift_opens_itself: self.shift_opens_itself,
            gift_card_offline_cap,
            rules,
            ..saved.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    fn store() -> Store {
        let (mut store, _) = pos_core::demo::food_truck(false);
        store.address = "Hafenstraße 1, Hamburg".into();
        store.tax_number = "DE123456789".into();
        store.return_policy = "Returns within 14 days.".into();
        store.receipt_footer = "Thank you!".into();
        store.receipt_language = "ru".into();
        store
    }

    #[test]
    fn the_saved_profile_comes_back_unchanged() {
        let saved = store();
        assert_eq!(ReceiptForm::of(&saved).store(&saved), Ok(saved));
    }

    #[test]
    fn texts_are_trimmed_and_the_rest_of_the_profile_is_kept() {
        let saved = store();
        let mut form = ReceiptForm::of(&saved);
        form.set(Field::Footer, "  See you soon \n".into());
        form.set(Field::Language, String::new());
        let changed = form.store(&saved).unwrap();
        assert_eq!(changed.receipt_footer, "See you soon");
        assert_eq!(changed.receipt_language, "");
        assert_eq!(changed.rules, saved.rules);
        assert_eq!(changed.logo, saved.logo);
    }

    #[test]
    fn each_invalid_input_gives_its_error() {
        let saved = store();
        let with = |field: Field, value: &str| {
            let mut form = ReceiptForm::of(&saved);
            form.set(field, value.into());
            assert_eq!(form.field(field), value);
            form.store(&saved)
        };
        assert_eq!(with(Field::Name, "  "), Err(ReceiptFormError::NameRequired));
        assert_eq!(with(Field::Language, "de"), Err(ReceiptFormError::Language));
        assert_eq!(
            with(Field::Language, "ru-RU"),
            Err(ReceiptFormError::Language)
        );
        assert!(with(Field::Language, "en").is_ok());
        for bad in ["-1", "0.001", "five", ""] {
            assert_eq!(
                with(Field::CashIncrement, bad),
                Err(ReceiptFormError::CashIncrement),
                "{bad:?}"
            );
            assert_eq!(
                with(Field::GiftCardOfflineCap, bad),
                Err(ReceiptFormError::GiftCardOfflineCap),
                "{bad:?}"
            );
        }
        assert_eq!(
            with(Field::GiftCardOfflineCap, "2000000000"),
            Err(ReceiptFormError::GiftCardOfflineCap)
        );
    }

    /// The offline allowance per gift card comes back as typed, in the currency's units, and
    /// zero (no gift card spent offline) is an allowance too.
    #[test]
    fn the_gift_card_offline_allowance_reaches_the_profile() {
        let saved = store();
        let mut form = ReceiptForm::of(&saved);
        assert_eq!(form.field(Field::GiftCardOfflineCap), "50");
        form.set(Field::GiftCardOfflineCap, " 12,50 ".into());
        let changed = form.store(&saved).unwrap();
        assert_eq!(changed.gift_card_offline_cap, Decimal::new(1250, 2));
        assert_eq!(
            ReceiptForm::of(&changed).field(Field::GiftCardOfflineCap),
            "12.5"
        );
        form.set(Field::GiftCardOfflineCap, "0".into());
        assert_eq!(
            form.store(&saved).unwrap().gift_card_offline_cap,
            Decimal::ZERO
        );
    }

    /// A Russian store: VAT on each line, cash in whole roubles in the customer's favour.
    #[test]
    fn line_vat_and_cash_rounding_reach_the_profile_and_come_back() {
        let saved = store();
        let mut form = ReceiptForm::of(&saved);
        assert_eq!(
            (
                form.line_vat,
                form.cash_rounding_value(),
                form.field(Field::CashIncrement)
            ),
            (false, "half-up", "0")
        );
        form.line_vat = true;
        form.set_cash_rounding("customers-favour");
        form.set(Field::CashIncrement, " 1,00 ".into());
        let changed = form.store(&saved).unwrap();
        assert!(changed.receipt_line_vat);
        assert_eq!(changed.rules.cash_rounding, CashRounding::CustomersFavour);
        assert_eq!(changed.rules.cash_increment, Decimal::ONE);
        assert_eq!(
            (changed.rules.currency, changed.rules.tax_pricing),
            (saved.rules.currency, saved.rules.tax_pricing)
        );
        let again = ReceiptForm::of(&changed);
        assert_eq!(again.cash_rounding_value(), "customers-favour");
        assert_eq!(again.store(&changed), Ok(changed));
        form.set_cash_rounding("half-up");
        assert_eq!(
            form.store(&saved).unwrap().rules.cash_rounding,
            CashRounding::HalfUp
        );
    }

    #[test]
    fn every_form_error_is_translated() {
        let all = [
            ReceiptFormError::NameRequired,
            ReceiptFormError::Language,
            ReceiptFormError::CashIncrement,
            ReceiptFormError::TipPresets,
            ReceiptFormError::GiftCardOfflineCap,
        ];
        assert_translated(all.map(ReceiptFormError::msg));
    }
}
