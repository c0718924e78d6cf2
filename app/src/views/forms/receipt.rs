//! The form of what every receipt of the store says: the store's name, address, tax number,
//! return policy, the text at the bottom, and the language receipts print in.

use pos_core::Store;

use crate::i18n::{Lang, Msg};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptForm {
    pub name: String,
    pub address: String,
    pub tax_number: String,
    pub return_policy: String,
    pub footer: String,
    /// A `Lang` tag, or empty for the language of each device's screen.
    pub language: String,
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptFormError {
    #[error("the store's name is empty")]
    NameRequired,
    #[error("the receipt language is not one the register speaks")]
    Language,
}

impl ReceiptFormError {
    pub fn msg(self) -> Msg {
        match self {
            ReceiptFormError::NameRequired => Msg::NameRequired,
            ReceiptFormError::Language => Msg::InvalidReceiptLanguage,
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
        } = value;
    }

    /// `saved` with the form's texts, trimmed; the rest of the profile (rules, logo) is kept.
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
        Ok(Store {
            name: name.to_string(),
            address: self.address.trim().to_string(),
            tax_number: self.tax_number.trim().to_string(),
            return_policy: self.return_policy.trim().to_string(),
            receipt_footer: self.footer.trim().to_string(),
            receipt_language: self.language.clone(),
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
    }

    #[test]
    fn every_form_error_is_translated() {
        let all = [ReceiptFormError::NameRequired, ReceiptFormError::Language];
        assert_translated(all.map(ReceiptFormError::msg));
    }
}
