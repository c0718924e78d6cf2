//! Tax presets by country, as data: what a new store in that country starts with (its pricing,
//! its rounding and its VAT rates), so the owner picks a country instead of typing rates. The
//! rates are those in force in 2026; a store edits or adds categories afterwards like any other.
//!
//! Names come in English and Russian because they are product data that lands in the catalog and
//! on receipts, not screen text: the app's i18n layer picks neither.

use rust_decimal::Decimal;

use super::{TaxCategory, TaxPricing, TaxRounding};
use crate::money::CashRounding;
use crate::store::Store;

/// A name in the languages the app speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresetName {
    pub en: &'static str,
    pub ru: &'static str,
}

impl PresetName {
    /// The name in `language`, a tag such as `ru` or `ru-RU`; English for any other.
    pub fn in_language(&self, language: &str) -> &'static str {
        let primary = language.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ru") {
            self.ru
        } else {
            self.en
        }
    }
}

/// One tax category of a preset; [`PresetTaxCategory::tax_category`] makes the catalog's record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PresetTaxCategory {
    /// Stable across versions and unique across presets (`ru-vat-22`), so a product keeps its
    /// category when a store is created again from the same preset.
    pub id: &'static str,
    pub name: PresetName,
    /// Percent.
    pub rate: Decimal,
    /// See [`TaxCategory::fiscal_tag`].
    pub fiscal_tag: Option<u8>,
    /// See [`TaxCategory::vat_exempt`].
    pub vat_exempt: bool,
}

impl PresetTaxCategory {
    /// The category as the catalog keeps it, named in `language` (`en`, `ru`).
    pub fn tax_category(&self, language: &str) -> TaxCategory {
        TaxCategory {
            id: self.id.to_string(),
            name: self.name.in_language(language).to_string(),
            rate: self.rate,
            fiscal_tag: self.fiscal_tag,
            vat_exempt: self.vat_exempt,
        }
    }
}

/// What a store in one country starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxPreset {
    /// ISO 3166-1 alpha-2 (`RU`, `DE`); `None` for the preset of a seller who charges no tax.
    pub country: Option<&'static str>,
    /// The country's name, or "No tax".
    pub name: PresetName,
    pub pricing: TaxPricing,
    pub rounding: TaxRounding,
    /// How a cash total is rounded: in the customer's favour in Russia, half up elsewhere.
    pub cash_rounding: CashRounding,
    /// Whether each receipt line prints its VAT ([`Store::receipt_line_vat`]): a Russian
    /// receipt does.
    pub receipt_line_vat: bool,
    /// The standard rate first, so it is the default for new products.
    pub categories: &'static [PresetTaxCategory],
}

impl TaxPreset {
    /// The categories as the catalog keeps them, named in `language` (`en`, `ru`).
    pub fn tax_categories(&self, language: &str) -> Vec<TaxCategory> {
        self.categories
            .iter()
            .map(|c| c.tax_category(language))
            .collect()
    }

    /// `store` priced, rounded and printed as this country does: its tax pricing and rounding,
    /// its cash rounding and whether receipt lines print their VAT. The currency, the cash
    /// increment and the rest of the profile are the store's own.
    pub fn apply_to(&self, store: &mut Store) {
        store.rules.tax_pricing = self.pricing;
        store.rules.tax_rounding = self.rounding;
        store.rules.cash_rounding = self.cash_rounding;
        store.receipt_line_vat = self.receipt_line_vat;
    }
}

/// Every preset: Russia (the first market), the EU countries, the UK and Kazakhstan, then the
/// one with no tax, for a list to pick from.
pub fn tax_presets() -> &'static [TaxPreset] {
    PRESETS
}

/// The preset of a country, by its ISO 3166-1 alpha-2 code in any case (`"de"`, `"DE"`).
pub fn tax_preset(country: &str) -> Option<&'static TaxPreset> {
    tax_presets().iter().find(|p| {
        p.country
            .is_some_and(|code| code.eq_ignore_ascii_case(country))
    })
}

/// `percent(55, 1)` is 5.5 %: `Decimal::new` is not a `const fn`.
const fn percent(units: u32, scale: u32) -> Decimal {
    Decimal::from_parts(units, 0, 0, false, scale)
}

const fn name(en: &'static str, ru: &'static str) -> PresetName {
    PresetName { en, ru }
}

/// A VAT rate; `fiscal_tag` only where a fiscal receipt needs one (Russia).
const fn vat(
    id: &'static str,
    name: PresetName,
    rate: Decimal,
    fiscal_tag: Option<u8>,
) -> PresetTaxCategory {
    PresetTaxCategory {
        id,
        name,
        rate,
        fiscal_tag,
        vat_exempt: false,
    }
}

const fn without_vat(id: &'static str, fiscal_tag: Option<u8>) -> PresetTaxCategory {
    PresetTaxCategory {
        id,
        name: name("Without VAT", "Без НДС"),
        rate: Decimal::ZERO,
        fiscal_tag,
        vat_exempt: true,
    }
}

/// A country whose shelf prices include VAT and whose VAT is worked out once per rate on the
/// receipt, the usual way in the EU and the UK.
const fn inclusive_per_receipt(
    country: &'static str,
    name: PresetName,
    categories: &'static [PresetTaxCategory],
) -> TaxPreset {
    TaxPreset {
        country: Some(country),
        name,
        pricing: TaxPricing::Inclusive,
        rounding: TaxRounding::PerReceipt,
        cash_rounding: CashRounding::HalfUp,
        receipt_line_vat: false,
        categories,
    }
}

const PRESETS: &[TaxPreset] = &[
    // 22 % since 1 January 2026 (federal law 425-FZ). A fiscal receipt carries the rate of each
    // line and its VAT computed on that line, so the rounding is per line. 5 % and 7 % are the
    // VAT of simplified-system payers who chose them; "without VAT" is for those who pay none.
    TaxPreset {
        country: Some("RU"),
        name: name("Russia", "Россия"),
        pricing: TaxPricing::Inclusive,
        rounding: TaxRounding::PerLine,
        // A cash total is never rounded up, and each line of a receipt shows its VAT.
        cash_rounding: CashRounding::CustomersFavour,
        receipt_line_vat: true,
        categories: &[
            vat(
                "ru-vat-22",
                name("VAT 22 %", "НДС 22 %"),
                percent(22, 0),
                Some(11),
            ),
            vat(
                "ru-vat-10",
                name("VAT 10 %", "НДС 10 %"),
                percent(10, 0),
                Some(2),
            ),
            vat(
                "ru-vat-0",
                name("VAT 0 %", "НДС 0 %"),
                percent(0, 0),
                Some(5),
            ),
            without_vat("ru-no-vat", Some(6)),
            vat(
                "ru-vat-5",
                name("VAT 5 % (simplified system)", "НДС 5 % (УСН)"),
                percent(5, 0),
                Some(7),
            ),
            vat(
                "ru-vat-7",
                name("VAT 7 % (simplified system)", "НДС 7 % (УСН)"),
                percent(7, 0),
                Some(8),
            ),
        ],
    },
    inclusive_per_receipt(
        "DE",
        name("Germany", "Германия"),
        &[
            vat(
                "de-vat-19",
                name("VAT 19 %", "НДС 19 %"),
                percent(19, 0),
                None,
            ),
            vat("de-vat-7", name("VAT 7 %", "НДС 7 %"), percent(7, 0), None),
        ],
    ),
    inclusive_per_receipt(
        "FR",
        name("France", "Франция"),
        &[
            vat(
                "fr-vat-20",
                name("VAT 20 %", "НДС 20 %"),
                percent(20, 0),
                None,
            ),
            vat(
                "fr-vat-10",
                name("VAT 10 %", "НДС 10 %"),
                percent(10, 0),
                None,
            ),
            vat(
                "fr-vat-5-5",
                name("VAT 5.5 %", "НДС 5,5 %"),
                percent(55, 1),
                None,
            ),
            vat(
                "fr-vat-2-1",
                name("VAT 2.1 %", "НДС 2,1 %"),
                percent(21, 1),
                None,
            ),
        ],
    ),
    inclusive_per_receipt(
        "ES",
        name("Spain", "Испания"),
        &[
            vat(
                "es-vat-21",
                name("VAT 21 %", "НДС 21 %"),
                percent(21, 0),
                None,
            ),
            vat(
                "es-vat-10",
                name("VAT 10 %", "НДС 10 %"),
                percent(10, 0),
                None,
            ),
            vat("es-vat-4", name("VAT 4 %", "НДС 4 %"), percent(4, 0), None),
        ],
    ),
    inclusive_per_receipt(
        "IT",
        name("Italy", "Италия"),
        &[
            vat(
                "it-vat-22",
                name("VAT 22 %", "НДС 22 %"),
                percent(22, 0),
                None,
            ),
            vat(
                "it-vat-10",
                name("VAT 10 %", "НДС 10 %"),
                percent(10, 0),
                None,
            ),
            vat("it-vat-5", name("VAT 5 %", "НДС 5 %"), percent(5, 0), None),
            vat("it-vat-4", name("VAT 4 %", "НДС 4 %"), percent(4, 0), None),
        ],
    ),
    inclusive_per_receipt(
        "NL",
        name("Netherlands", "Нидерланды"),
        &[
            vat(
                "nl-vat-21",
                name("VAT 21 %", "НДС 21 %"),
                percent(21, 0),
                None,
            ),
            vat("nl-vat-9", name("VAT 9 %", "НДС 9 %"), percent(9, 0), None),
        ],
    ),
    inclusive_per_receipt(
        "AT",
        name("Austria", "Австрия"),
        &[
            vat(
                "at-vat-20",
                name("VAT 20 %", "НДС 20 %"),
                percent(20, 0),
                None,
            ),
            vat(
                "at-vat-13",
                name("VAT 13 %", "НДС 13 %"),
                percent(13, 0),
                None,
            ),
            vat(
                "at-vat-10",
                name("VAT 10 %", "НДС 10 %"),
                percent(10, 0),
                None,
            ),
        ],
    ),
    inclusive_per_receipt(
        "PL",
        name("Poland", "Польша"),
        &[
            vat(
                "pl-vat-23",
                name("VAT 23 %", "НДС 23 %"),
                percent(23, 0),
                None,
            ),
            vat("pl-vat-8", name("VAT 8 %", "НДС 8 %"), percent(8, 0), None),
            vat("pl-vat-5", name("VAT 5 %", "НДС 5 %"), percent(5, 0), None),
        ],
    ),
    inclusive_per_receipt(
        "GB",
        name("United Kingdom", "Великобритания"),
        &[
            vat(
                "gb-vat-20",
                name("VAT 20 %", "НДС 20 %"),
                percent(20, 0),
                None,
            ),
            vat("gb-vat-5", name("VAT 5 %", "НДС 5 %"), percent(5, 0), None),
            vat("gb-vat-0", name("VAT 0 %", "НДС 0 %"), percent(0, 0), None),
        ],
    ),
    // 16 % since 1 January 2026 under the Tax Code of 2025 (12 % before); sellers below the VAT
    // threshold sell without VAT.
    inclusive_per_receipt(
        "KZ",
        name("Kazakhstan", "Казахстан"),
        &[
            vat(
                "kz-vat-16",
                name("VAT 16 %", "НДС 16 %"),
                percent(16, 0),
                None,
            ),
            without_vat("kz-no-vat", None),
        ],
    ),
    // A seller who charges no tax: every product sells at 0, and no receipt shows a VAT line.
    TaxPreset {
        country: None,
        name: name("No tax", "Без налога"),
        pricing: TaxPricing::Inclusive,
        rounding: TaxRounding::PerReceipt,
        cash_rounding: CashRounding::HalfUp,
        receipt_line_vat: false,
        categories: &[PresetTaxCategory {
            id: "no-tax",
            name: name("No tax", "Без налога"),
            rate: Decimal::ZERO,
            fiscal_tag: None,
            vat_exempt: true,
        }],
    },
];

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use rust_decimal_macros::dec;

    use super::*;
    use crate::money::Currency;
    use crate::tax::{TaxCategoryError, compute_taxes};

    #[test]
    fn the_russian_preset_carries_the_fiscal_tags() {
        let ru = tax_preset("ru").unwrap();
        assert_eq!(
            (ru.pricing, ru.rounding),
            (TaxPricing::Inclusive, TaxRounding::PerLine)
        );
        let rows: Vec<_> = ru
            .categories
            .iter()
            .map(|c| (c.id, c.rate, c.fiscal_tag, c.vat_exempt))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("ru-vat-22", dec!(22), Some(11), false),
                ("ru-vat-10", dec!(10), Some(2), false),
                ("ru-vat-0", dec!(0), Some(5), false),
                ("ru-no-vat", dec!(0), Some(6), true),
                ("ru-vat-5", dec!(5), Some(7), false),
                ("ru-vat-7", dec!(7), Some(8), false),
            ]
        );
        let categories = ru.tax_categories("ru-RU");
        assert_eq!(categories[0].name, "НДС 22 %");
        assert_eq!(categories[3].name, "Без НДС");
        assert_eq!(ru.tax_categories("en")[3].name, "Without VAT");
    }

    /// Each line's VAT is taken out of that line's price, as a fiscal receipt shows it.
    #[test]
    fn russian_vat_is_computed_on_each_inclusive_line() {
        let ru = tax_preset("RU").unwrap();
        let vat22 = ru.categories[0].tax_category("ru");
        let lines = [(&vat22, dec!(122.00)), (&vat22, dec!(99.99))];
        let r = compute_taxes(&lines, ru.pricing, ru.rounding, Currency::RUB);
        // 99.99 x 22 / 122 = 18.0309...
        assert_eq!(r.line_taxes, vec![dec!(22.00), dec!(18.03)]);
        assert_eq!(r.breakdown[0].tax, dec!(40.03));
        assert_eq!(r.breakdown[0].category.fiscal_tag, Some(11));
    }

    /// Russia rounds cash in the customer's favour and prints VAT on each line; every other
    /// preset leaves both as a store had them before presets knew of them.
    #[test]
    fn only_the_russian_preset_rounds_cash_in_the_customers_favour_and_prints_line_vat() {
        for preset in tax_presets() {
            let russian = preset.country == Some("RU");
            let (mut store, _) = crate::demo::food_truck(false);
            store.rules.cash_increment = Decimal::ONE;
            preset.apply_to(&mut store);
            assert_eq!(
                (store.rules.cash_rounding, store.receipt_line_vat),
                if russian {
                    (CashRounding::CustomersFavour, true)
                } else {
                    (CashRounding::HalfUp, false)
                },
                "{:?}",
                preset.country
            );
            assert_eq!(
                (store.rules.tax_pricing, store.rules.tax_rounding),
                (preset.pricing, preset.rounding)
            );
            assert_eq!(store.rules.cash_increment, Decimal::ONE, "the store's own");
        }
    }

    #[test]
    fn the_presets_cover_the_countries_and_no_tax() {
        let countries: Vec<_> = tax_presets().iter().filter_map(|p| p.country).collect();
        for country in ["RU", "DE", "FR", "ES", "IT", "NL", "AT", "PL", "GB", "KZ"] {
            assert!(countries.contains(&country), "{country}");
        }
        let rates = |country: &str| -> Vec<Decimal> {
            tax_preset(country)
                .unwrap()
                .categories
                .iter()
                .map(|c| c.rate)
                .collect()
        };
        assert_eq!(rates("DE"), vec![dec!(19), dec!(7)]);
        assert_eq!(rates("FR"), vec![dec!(20), dec!(10), dec!(5.5), dec!(2.1)]);
        assert_eq!(rates("ES"), vec![dec!(21), dec!(10), dec!(4)]);
        assert_eq!(rates("IT"), vec![dec!(22), dec!(10), dec!(5), dec!(4)]);
        assert_eq!(rates("NL"), vec![dec!(21), dec!(9)]);
        assert_eq!(rates("AT"), vec![dec!(20), dec!(13), dec!(10)]);
        assert_eq!(rates("PL"), vec![dec!(23), dec!(8), dec!(5)]);
        assert_eq!(rates("GB"), vec![dec!(20), dec!(5), dec!(0)]);
        let none = tax_presets().iter().find(|p| p.country.is_none()).unwrap();
        assert_eq!(none.categories.len(), 1);
        assert!(none.categories[0].vat_exempt);
        assert_eq!(tax_preset("XX"), None);
    }

    #[test]
    fn every_preset_is_valid_and_its_ids_are_unique_everywhere() {
        let mut seen = HashSet::new();
        for preset in tax_presets() {
            assert!(!preset.categories.is_empty());
            for category in preset.tax_categories("en") {
                assert_eq!(category.validate(), Ok(()), "{}", category.id);
                assert!(seen.insert(category.id.clone()), "{} twice", category.id);
                if let Some(country) = preset.country {
                    assert!(category.id.starts_with(&country.to_ascii_lowercase()));
                }
            }
        }
    }

    #[test]
    fn a_category_is_refused_outside_what_a_receipt_can_carry() {
        let ok = tax_preset("RU").unwrap().categories[0].tax_category("en");
        let with = |f: fn(&mut TaxCategory)| {
            let mut c = ok.clone();
            f(&mut c);
            c.validate()
        };
        assert_eq!(
            with(|c| c.rate = dec!(-100)),
            Err(TaxCategoryError::RateOutOfRange)
        );
        assert_eq!(
            with(|c| c.rate = dec!(-150)),
            Err(TaxCategoryError::RateOutOfRange)
        );
        assert_eq!(
            with(|c| c.rate = dec!(100.5)),
            Err(TaxCategoryError::RateOutOfRange)
        );
        assert_eq!(with(|c| c.rate = dec!(100)), Ok(()));
        assert_eq!(
            with(|c| c.fiscal_tag = Some(0)),
            Err(TaxCategoryError::UnknownFiscalTag(0))
        );
        assert_eq!(
            with(|c| c.fiscal_tag = Some(13)),
            Err(TaxCategoryError::UnknownFiscalTag(13))
        );
        assert_eq!(
            with(|c| c.vat_exempt = true),
            Err(TaxCategoryError::ExemptWithRate)
        );
    }
}
