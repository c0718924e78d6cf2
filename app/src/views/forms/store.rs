//! The store's forms: creating it with the setup code, joining it with a pairing code, and a
//! product's shared price and counted stock.

use pos_core::{Decimal, Product};

use crate::i18n::{self, Lang, Msg};
use crate::state::enroll::{self, NewStore};

/// The currencies a store can be created in.
pub const CURRENCIES: [&str; 8] = ["EUR", "USD", "GBP", "RUB", "CHF", "PLN", "KZT", "TRY"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreFormError {
    #[error("a name is empty")]
    NameRequired,
    #[error("the PIN is not 4 to 6 digits")]
    PinInvalid,
    #[error("the two PINs differ")]
    PinsDiffer,
    #[error("the currency is not one a store can be created in")]
    Currency,
    #[error("the language is not one the register speaks")]
    Language,
    #[error("not a number")]
    NotANumber,
    #[error("a price is above zero")]
    PriceNotPositive,
    #[error("a stock count is zero or more")]
    StockNegative,
}

impl StoreFormError {
    pub fn msg(self) -> Msg {
        match self {
            StoreFormError::NameRequired => Msg::NameRequired,
            StoreFormError::PinInvalid => Msg::PinInvalid,
            StoreFormError::PinsDiffer => Msg::PinsDiffer,
            StoreFormError::Currency => Msg::InvalidCurrency,
            StoreFormError::Language => Msg::InvalidReceiptLanguage,
            StoreFormError::NotANumber => Msg::InvalidNumber,
            StoreFormError::PriceNotPositive => Msg::AmountMustBePositive,
            StoreFormError::StockNegative => Msg::StockNegative,
        }
    }
}

/// Creating the store from the server's setup link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetupForm {
    pub code: String,
    pub name: String,
    pub currency: String,
    /// A `Lang` tag: the language of the store's receipts.
    pub locale: String,
    pub device: String,
    /// The owner's name; empty: the role's name in the screen's language.
    pub owner_name: String,
    pub pin: String,
    pub pin_again: String,
}

impl SetupForm {
    pub fn new_store(&self) -> Result<NewStore, StoreFormError> {
        let (name, device) = (self.name.trim(), self.device.trim());
        if name.is_empty() || device.is_empty() {
            return Err(StoreFormError::NameRequired);
        }
        if !enroll::valid_pin(&self.pin) {
            return Err(StoreFormError::PinInvalid);
        }
        if self.pin != self.pin_again {
            return Err(StoreFormError::PinsDiffer);
        }
        if !CURRENCIES.contains(&self.currency.as_str()) {
            return Err(StoreFormError::Currency);
        }
        if Lang::from_tag(&self.locale).map(Lang::tag) != Some(self.locale.as_str()) {
            return Err(StoreFormError::Language);
        }
        Ok(NewStore {
            setup_code: self.code.trim().to_string(),
            store_name: name.to_string(),
            currency: self.currency.clone(),
            locale: self.locale.clone(),
            device_name: device.to_string(),
            owner_name: self.owner_name.trim().to_string(),
            pin: self.pin.clone(),
        })
    }
}

/// Joining a store with a pairing code: the code and this device's name, trimmed.
pub fn join(code: &str, device: &str) -> Result<(String, String), StoreFormError> {
    let device = device.trim();
    if device.is_empty() {
        return Err(StoreFormError::NameRequired);
    }
    Ok((code.trim().to_string(), device.to_string()))
}

/// A product's price and counted stock as their fields show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductForm {
    pub price: String,
    pub counted: String,
}

impl ProductForm {
    /// `counted` is `None` for a product nobody counted: its field starts empty.
    pub fn of(product: &Product, counted: Option<Decimal>) -> ProductForm {
        ProductForm {
            price: product.price.to_string(),
            counted: counted.map(|c| c.to_string()).unwrap_or_default(),
        }
    }

    pub fn price(&self) -> Result<Decimal, StoreFormError> {
        let price = i18n::parse_decimal(&self.price).ok_or(StoreFormError::NotANumber)?;
        if price <= Decimal::ZERO {
            return Err(StoreFormError::PriceNotPositive);
        }
        Ok(price)
    }

    pub fn counted(&self) -> Result<Decimal, StoreFormError> {
        let counted = i18n::parse_decimal(&self.counted).ok_or(StoreFormError::NotANumber)?;
        if counted < Decimal::ZERO {
            return Err(StoreFormError::StockNegative);
        }
        Ok(counted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    fn setup() -> SetupForm {
        SetupForm {
            code: " K7PQ-2M4X ".into(),
            name: "Пирожковая".into(),
            currency: "RUB".into(),
            locale: "ru".into(),
            device: " Касса 1".into(),
            owner_name: " Ольга ".into(),
            pin: "2468".into(),
            pin_again: "2468".into(),
        }
    }

    #[test]
    fn a_new_store_is_what_was_typed_trimmed() {
        assert_eq!(
            setup().new_store(),
            Ok(NewStore {
                setup_code: "K7PQ-2M4X".into(),
                store_name: "Пирожковая".into(),
                currency: "RUB".into(),
                locale: "ru".into(),
                device_name: "Касса 1".into(),
                owner_name: "Ольга".into(),
                pin: "2468".into(),
            })
        );
        assert_eq!(
            join(" K7PQ2M4X", "Phone "),
            Ok(("K7PQ2M4X".into(), "Phone".into()))
        );
    }

    #[test]
    fn each_invalid_setup_gives_its_error() {
        let with = |change: fn(&mut SetupForm)| {
            let mut form = setup();
            change(&mut form);
            form.new_store()
        };
        let cases: [(fn(&mut SetupForm), StoreFormError); 8] = [
            (|f| f.name = " ".into(), StoreFormError::NameRequired),
            (|f| f.device = String::new(), StoreFormError::NameRequired),
            (|f| f.pin = "123".into(), StoreFormError::PinInvalid),
            (|f| f.pin = "12a4".into(), StoreFormError::PinInvalid),
            // Staff PINs are 4 to 6 digits, the owner's too.
            (|f| f.pin = "1234567".into(), StoreFormError::PinInvalid),
            (|f| f.pin_again = "2469".into(), StoreFormError::PinsDiffer),
            (|f| f.currency = "XYZ".into(), StoreFormError::Currency),
            (|f| f.locale = "de".into(), StoreFormError::Language),
        ];
        for (change, error) in cases {
            assert_eq!(with(change), Err(error));
        }
        assert_eq!(join("K7PQ2M4X", " "), Err(StoreFormError::NameRequired));
    }

    #[test]
    fn a_price_and_a_count_come_back_as_saved() {
        let (_, catalog) = pos_core::demo::food_truck(false);
        let product = &catalog.products[0];
        let form = ProductForm::of(product, Some(Decimal::new(125, 1)));
        assert_eq!(form.price(), Ok(product.price));
        assert_eq!(form.counted(), Ok(Decimal::new(125, 1)));
        let uncounted = ProductForm::of(product, None);
        assert_eq!(uncounted.counted, "");
        assert_eq!(uncounted.counted(), Err(StoreFormError::NotANumber));
    }

    #[test]
    fn each_invalid_price_or_count_gives_its_error() {
        let form = |price: &str, counted: &str| ProductForm {
            price: price.into(),
            counted: counted.into(),
        };
        assert_eq!(form("4,20", "0").price(), Ok(Decimal::new(420, 2)));
        assert_eq!(form("0", "0").counted(), Ok(Decimal::ZERO));
        assert_eq!(form("four", "").price(), Err(StoreFormError::NotANumber));
        assert_eq!(form("0", "").price(), Err(StoreFormError::PriceNotPositive));
        assert_eq!(
            form("-1", "").price(),
            Err(StoreFormError::PriceNotPositive)
        );
        assert_eq!(form("", "ten").counted(), Err(StoreFormError::NotANumber));
        assert_eq!(form("", "-1").counted(), Err(StoreFormError::StockNegative));
    }

    #[test]
    fn every_form_error_is_translated() {
        let all = [
            StoreFormError::NameRequired,
            StoreFormError::PinInvalid,
            StoreFormError::PinsDiffer,
            StoreFormError::Currency,
            StoreFormError::Language,
            StoreFormError::NotANumber,
            StoreFormError::PriceNotPositive,
            StoreFormError::StockNegative,
        ];
        assert_translated(all.map(StoreFormError::msg));
    }
}
