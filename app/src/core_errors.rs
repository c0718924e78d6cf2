//! The cashier's words for core's refusals. Core's `Display` is English developer text; the
//! screen shows these translated messages instead. Each `match` lists every variant, so a new
//! refusal in core does not compile here until it has its words in both languages.

use pos_core::{
    BarcodeError, CatalogError, ChoiceError, CompleteError, ImportProblem, MAX_CATALOG_PRICE,
    TaxCategoryError, TenderError, TicketError,
};

use crate::i18n::Msg;

/// A message with the values its placeholders name.
pub type Said = (Msg, Vec<(&'static str, String)>);

pub fn ticket_msg(error: &TicketError) -> Msg {
    match error {
        TicketError::NoSuchLine(_) => Msg::LineGone,
        TicketError::InvalidQuantity => Msg::InvalidQuantity,
        TicketError::InvalidDiscount => Msg::InvalidDiscount,
        TicketError::ModifierNotOffered => Msg::ModifierNotOffered,
        TicketError::UnknownTaxCategory => Msg::TaxCategoryMissing,
        TicketError::NegativePrice => Msg::TicketNegativePrice,
        TicketError::PriceTooFine => Msg::TicketPriceTooFine,
        TicketError::QuantityTooLarge => Msg::QuantityTooLarge,
        TicketError::PriceTooHigh => Msg::TicketPriceTooHigh,
        TicketError::DiscountTooLarge => Msg::DiscountTooLarge,
        TicketError::InvalidTax(e) => tax_msg(e),
        TicketError::GiftCardLineFixed => Msg::GiftCardLineFixed,
        TicketError::GiftCardTwice => Msg::GiftCardTwice,
        TicketError::GiftCardValue => Msg::GiftCardValue,
    }
}

pub fn tax_msg(error: &TaxCategoryError) -> Msg {
    match error {
        TaxCategoryError::RateOutOfRange => Msg::TaxRateRange,
        TaxCategoryError::UnknownFiscalTag(_) => Msg::FiscalTagUnknown,
        TaxCategoryError::ExemptWithRate => Msg::ExemptWithRate,
    }
}

pub fn tender_msg(error: &TenderError) -> Msg {
    match error {
        TenderError::NonPositiveAmount => Msg::AmountMustBePositive,
        TenderError::CardExceedsRemaining => Msg::CardExceedsRemaining,
        TenderError::AlreadyPaid => Msg::AlreadyPaid,
        TenderError::InvalidAuthCode => Msg::InvalidAuthCode,
        TenderError::InvalidLastFour => Msg::InvalidLastFour,
        TenderError::ApprovedOnTerminal => Msg::UndoNeedsReversal,
        TenderError::TendersTaken => Msg::CannotCancelWithTenders,
        TenderError::NothingToUndo => Msg::NothingToUndo,
        TenderError::NoSuchTerminalCard => Msg::NothingToReverse,
        TenderError::FinerThanMinorUnit => Msg::AmountFinerThanMinorUnit,
        TenderError::TipExceedsCash => Msg::TipExceedsCash,
        TenderError::GiftCardExceedsRemaining => Msg::GiftCardExceedsRemaining,
        TenderError::GiftCardRedeemed => Msg::GiftCardRedeemed,
        TenderError::PointsExceedRemaining => Msg::PointsExceedRemaining,
        TenderError::PointsRedeemed => Msg::PointsRedeemed,
    }
}

/// Why a paid ticket did not become a sale.
pub fn sale_msg(error: &CompleteError) -> Msg {
    match error {
        CompleteError::EmptyTicket => Msg::SaleEmpty,
        CompleteError::UnderTendered { .. } => Msg::SaleUnderTendered,
        CompleteError::TotalChanged { .. } => Msg::SaleTotalChanged,
    }
}

/// Why a tapped product could not be added as chosen.
pub fn choice_msg(error: &ChoiceError) -> Said {
    match error {
        ChoiceError::UnknownProduct => (Msg::ProductGone, vec![]),
        ChoiceError::Archived => (Msg::ProductArchived, vec![]),
        ChoiceError::VariantNeeded => (Msg::ChooseVariant, vec![]),
        ChoiceError::UnknownVariant => (Msg::VariantGone, vec![]),
        ChoiceError::PriceNeeded => (Msg::TypePrice, vec![]),
        ChoiceError::PriceOutOfRange => (
            Msg::PriceOutOfRange,
            vec![("max", MAX_CATALOG_PRICE.to_string())],
        ),
        ChoiceError::ModifierNotOffered => (Msg::ModifierNotOffered, vec![]),
        ChoiceError::TooFew { group, min } => (
            Msg::ChooseAtLeast,
            vec![("group", group.clone()), ("count", min.to_string())],
        ),
        ChoiceError::TooMany { group, max } => (
            Msg::ChooseAtMost,
            vec![("group", group.clone()), ("count", max.to_string())],
        ),
        ChoiceError::UnknownTaxCategory => (Msg::TaxCategoryMissing, vec![]),
    }
}

/// Why an edit of the catalog (a form, an imported row) is refused.
pub fn catalog_said(error: &CatalogError) -> Said {
    let item = |name: &String| vec![("item", name.clone())];
    match error {
        CatalogError::NameMissing => (Msg::NameMissing, vec![]),
        CatalogError::NameTooLong => (Msg::NameTooLong, vec![]),
        CatalogError::UnknownProduct(_) => (Msg::ProductGone, vec![]),
        CatalogError::UnknownTaxCategory { product, .. } => (Msg::ChooseTax, item(product)),
        CatalogError::UnknownCategory { product, .. } => (Msg::ChooseCategory, item(product)),
        CatalogError::UnknownModifier { owner, .. } => (Msg::ModifierGone, item(owner)),
        CatalogError::UnknownModifierGroup { product, .. } => (Msg::GroupGone, item(product)),
        CatalogError::NegativePrice { item: name } => (Msg::PriceNegative, item(name)),
        CatalogError::PriceMissing { item: name } => (Msg::PriceNeeded, item(name)),
        CatalogError::PriceTooHigh { item: name } => (Msg::PriceTooHigh, item(name)),
        CatalogError::SkuMissing => (Msg::SkuMissing, vec![]),
        CatalogError::DuplicateSku { sku, other } => (
            Msg::SkuTaken,
            vec![("code", sku.clone()), ("other", other.clone())],
        ),
        CatalogError::Barcode { code, error } => match error {
            BarcodeError::Blank => (Msg::BarcodeBlank, vec![]),
            BarcodeError::TooLong => (Msg::BarcodeTooLong, vec![("code", code.clone())]),
            BarcodeError::CheckDigit { expected, .. } => (
                Msg::BarcodeCheckDigit,
                vec![("code", code.clone()), ("digit", expected.to_string())],
            ),
        },
        CatalogError::DuplicateBarcode { code, other } => (
            Msg::BarcodeTaken,
            vec![("code", code.clone()), ("other", other.clone())],
        ),
        CatalogError::DuplicateVariant { product, variant } => (
            Msg::VariantTwice,
            vec![("item", product.clone()), ("variant", variant.clone())],
        ),
        CatalogError::GroupRule { group } => (Msg::GroupRule, vec![("group", group.clone())]),
        CatalogError::Colour(_) => (Msg::ColourInvalid, vec![]),
        CatalogError::Tax(e) => (tax_msg(e), vec![]),
    }
}

/// Why a row of an imported file is not taken.
pub fn import_said(problem: &ImportProblem) -> Said {
    let value = |v: &String| vec![("value", v.clone())];
    let line = |l: &usize| vec![("line", l.to_string())];
    match problem {
        ImportProblem::Unreadable(_) => (Msg::ImportRowUnreadable, vec![]),
        ImportProblem::TooManyColumns { found, expected } => (
            Msg::ImportTooManyCells,
            vec![
                ("found", found.to_string()),
                ("expected", expected.to_string()),
            ],
        ),
        ImportProblem::MissingColumn { kind } => (
            Msg::ImportMissingColumn,
            vec![("kind", kind.as_str().to_string())],
        ),
        ImportProblem::UnknownColumn => (Msg::ImportUnknownColumn, vec![]),
        ImportProblem::DuplicateColumn => (Msg::ImportDuplicateColumn, vec![]),
        ImportProblem::UnknownKind(v) => (Msg::ImportUnknownKind, value(v)),
        ImportProblem::ValueMissing => (Msg::ImportValueMissing, vec![]),
        ImportProblem::BadPrice(v) => (Msg::ImportBadPrice, value(v)),
        ImportProblem::BadNumber(v) => (Msg::ImportBadNumber, value(v)),
        ImportProblem::BadUnit(v) => (Msg::ImportBadUnit, value(v)),
        ImportProblem::BadYesNo(v) => (Msg::ImportBadYesNo, value(v)),
        ImportProblem::UnknownTax(v) => (Msg::ImportUnknownTax, value(v)),
        ImportProblem::UnknownModifier(v) => (Msg::ImportUnknownModifier, value(v)),
        ImportProblem::UnknownGroup(v) => (Msg::ImportUnknownGroup, value(v)),
        ImportProblem::UnknownProduct(v) => (Msg::ImportUnknownProduct, value(v)),
        ImportProblem::RefersToRefusedRow { line: l } => (Msg::ImportRefersToRefused, line(l)),
        ImportProblem::VariantRefused { line: l } => (Msg::ImportVariantRefused, line(l)),
        ImportProblem::ProductRefused { line: l } => (Msg::ImportProductRefused, line(l)),
        ImportProblem::DuplicateRow { first_line, .. } => {
            (Msg::ImportDuplicateRow, line(first_line))
        }
        ImportProblem::DuplicateSku { sku, other, .. } => {
            catalog_said(&CatalogError::DuplicateSku {
                sku: sku.clone(),
                other: other.clone(),
            })
        }
        ImportProblem::DuplicateBarcode { code, other, .. } => {
            catalog_said(&CatalogError::DuplicateBarcode {
                code: code.clone(),
                other: other.clone(),
            })
        }
        ImportProblem::Barcode { code, error } => catalog_said(&CatalogError::Barcode {
            code: code.clone(),
            error: error.clone(),
        }),
        ImportProblem::Catalog(e) => catalog_said(e),
    }
}

#[cfg(test)]
mod tests {
    use pos_core::Decimal;

    use super::*;
    use crate::i18n::assert_translated;

    #[test]
    fn every_ticket_refusal_is_translated() {
        let all = [
            TicketError::NoSuchLine(1),
            TicketError::InvalidQuantity,
            TicketError::InvalidDiscount,
            TicketError::ModifierNotOffered,
            TicketError::UnknownTaxCategory,
            TicketError::NegativePrice,
            TicketError::PriceTooFine,
            TicketError::QuantityTooLarge,
            TicketError::PriceTooHigh,
            TicketError::DiscountTooLarge,
            TicketError::InvalidTax(TaxCategoryError::RateOutOfRange),
        ];
        assert_translated(all.iter().map(ticket_msg));
        // The defect this replaced: a missing tax category asked for "a number such as 12.50".
        assert_ne!(
            ticket_msg(&TicketError::UnknownTaxCategory),
            Msg::InvalidNumber
        );
    }

    #[test]
    fn every_tender_refusal_is_translated() {
        let all = [
            TenderError::NonPositiveAmount,
            TenderError::CardExceedsRemaining,
            TenderError::AlreadyPaid,
            TenderError::InvalidAuthCode,
            TenderError::InvalidLastFour,
            TenderError::ApprovedOnTerminal,
            TenderError::TendersTaken,
            TenderError::NothingToUndo,
            TenderError::NoSuchTerminalCard,
            TenderError::FinerThanMinorUnit,
        ];
        assert_translated(all.iter().map(tender_msg));
    }

    #[test]
    fn every_refused_sale_is_translated() {
        let all = [
            CompleteError::EmptyTicket,
            CompleteError::UnderTendered {
                remaining: Decimal::ONE,
            },
            CompleteError::TotalChanged {
                paid_for: Decimal::ONE,
                total: Decimal::TWO,
            },
        ];
        assert_translated(all.iter().map(sale_msg));
    }

    /// Every placeholder of the message is filled by the values given with it.
    fn assert_said(said: impl IntoIterator<Item = Said>) {
        use crate::i18n::Lang;
        for (msg, args) in said {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (en, ru) = (msg.fill(Lang::En, &args), msg.fill(Lang::Ru, &args));
            assert!(!en.trim().is_empty() && !ru.trim().is_empty(), "{msg:?}");
            assert_ne!(en, ru, "{msg:?} reads the same in English and Russian");
            assert!(
                !en.contains('{') && !ru.contains('{'),
                "{msg:?}: {en} / {ru}"
            );
        }
    }

    #[test]
    fn every_refused_choice_is_translated_with_its_values() {
        let group = || "Sauce".to_string();
        let all = [
            ChoiceError::UnknownProduct,
            ChoiceError::Archived,
            ChoiceError::VariantNeeded,
            ChoiceError::UnknownVariant,
            ChoiceError::PriceNeeded,
            ChoiceError::PriceOutOfRange,
            ChoiceError::ModifierNotOffered,
            ChoiceError::TooFew {
                group: group(),
                min: 1,
            },
            ChoiceError::TooMany {
                group: group(),
                max: 3,
            },
            ChoiceError::UnknownTaxCategory,
        ];
        assert_said(all.iter().map(choice_msg));
    }

    #[test]
    fn every_refused_catalog_edit_is_translated_with_its_values() {
        let s = |t: &str| t.to_string();
        let all = [
            CatalogError::NameMissing,
            CatalogError::NameTooLong,
            CatalogError::UnknownProduct(s("p")),
            CatalogError::UnknownTaxCategory {
                product: s("Tea"),
                tax_category: s("t"),
            },
            CatalogError::UnknownCategory {
                product: s("Tea"),
                category: s("c"),
            },
            CatalogError::UnknownModifier {
                owner: s("Tea"),
                modifier: s("m"),
            },
            CatalogError::UnknownModifierGroup {
                product: s("Tea"),
                group: s("g"),
            },
            CatalogError::NegativePrice { item: s("Tea") },
            CatalogError::PriceMissing { item: s("Tea") },
            CatalogError::PriceTooHigh { item: s("Tea") },
            CatalogError::SkuMissing,
            CatalogError::DuplicateSku {
                sku: s("T1"),
                other: s("Coffee"),
            },
            CatalogError::Barcode {
                code: s(""),
                error: BarcodeError::Blank,
            },
            CatalogError::Barcode {
                code: s("1"),
                error: BarcodeError::TooLong,
            },
            CatalogError::Barcode {
                code: s("4006381333932"),
                error: BarcodeError::CheckDigit {
                    code: s("4006381333932"),
                    expected: 1,
                },
            },
            CatalogError::DuplicateBarcode {
                code: s("4006381333931"),
                other: s("Coffee"),
            },
            CatalogError::DuplicateVariant {
                product: s("Tea"),
                variant: s("Large"),
            },
            CatalogError::GroupRule { group: s("Sauce") },
            CatalogError::Colour(s("red")),
            CatalogError::Tax(TaxCategoryError::RateOutOfRange),
            CatalogError::Tax(TaxCategoryError::UnknownFiscalTag(13)),
            CatalogError::Tax(TaxCategoryError::ExemptWithRate),
        ];
        assert_said(all.iter().map(catalog_said));
    }

    #[test]
    fn every_import_problem_is_translated_with_its_values() {
        use pos_core::RowKind;
        let v = || "x".to_string();
        let all = [
            ImportProblem::Unreadable(v()),
            ImportProblem::TooManyColumns {
                found: 9,
                expected: 8,
            },
            ImportProblem::MissingColumn {
                kind: RowKind::Product,
            },
            ImportProblem::UnknownColumn,
            ImportProblem::DuplicateColumn,
            ImportProblem::UnknownKind(v()),
            ImportProblem::ValueMissing,
            ImportProblem::BadPrice(v()),
            ImportProblem::BadNumber(v()),
            ImportProblem::BadUnit(v()),
            ImportProblem::BadYesNo(v()),
            ImportProblem::UnknownTax(v()),
            ImportProblem::UnknownModifier(v()),
            ImportProblem::UnknownGroup(v()),
            ImportProblem::UnknownProduct(v()),
            ImportProblem::RefersToRefusedRow { line: 3 },
            ImportProblem::VariantRefused { line: 3 },
            ImportProblem::ProductRefused { line: 3 },
            ImportProblem::DuplicateRow {
                kind: RowKind::Tax,
                first_line: 2,
            },
            ImportProblem::DuplicateSku {
                sku: v(),
                other: v(),
                line: None,
            },
            ImportProblem::DuplicateBarcode {
                code: v(),
                other: v(),
                line: Some(2),
            },
            ImportProblem::Barcode {
                code: v(),
                error: BarcodeError::Blank,
            },
            ImportProblem::Catalog(CatalogError::NameMissing),
        ];
        assert_said(all.iter().map(import_said));
    }
}
