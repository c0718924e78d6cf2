//! Tax presets through the public API: a Russian store sells at 22 % with the VAT of each line,
//! and a category's fiscal tag and "without VAT" mark survive the shared catalog document,
//! including one written before they existed.

use pos_core::automerge::{ObjType, ROOT, ReadDoc, transaction::Transactable};
use pos_core::{
    Actor, CatalogDoc, Currency, PricingRules, SharedDocument, TaxCategory, Ticket, Uuid, demo,
    tax_preset,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

#[test]
fn a_russian_store_takes_22_percent_out_of_each_line() {
    let ru = tax_preset("RU").unwrap();
    let rules = PricingRules {
        currency: Currency::RUB,
        tax_pricing: ru.pricing,
        tax_rounding: ru.rounding,
        cash_increment: Decimal::ZERO,
        cash_rounding: pos_core::CashRounding::HalfUp,
    };
    let (_, catalog) = demo::food_truck(true);
    let vat22 = ru.categories[0].tax_category("ru");
    let mut product = catalog.product("classic-burger").unwrap().clone();
    product.price = dec!(122.00);
    product.tax_category = vat22.id.clone();
    let mut ticket = Ticket::new(rules);
    ticket.add(&product, &vat22, &[], Decimal::ONE).unwrap();
    let totals = ticket.totals();
    assert_eq!(totals.total, dec!(122.00));
    assert_eq!(totals.lines[0].tax, dec!(22.00));
    assert_eq!(totals.taxes[0].net, dec!(100.00));
    assert_eq!(totals.taxes[0].category.fiscal_tag, Some(11));
}

#[test]
fn fiscal_tags_and_without_vat_survive_the_catalog_document() {
    let (_, mut catalog) = demo::food_truck(true);
    catalog.tax_categories = tax_preset("RU").unwrap().tax_categories("ru");
    for p in &mut catalog.products {
        p.tax_category = "ru-vat-22".into();
    }
    let store = Uuid::from_u128(1);
    let mut doc =
        CatalogDoc::from_catalog(store, &Actor::device(Uuid::from_u128(2)), &catalog).unwrap();
    let bytes = doc.save();
    let loaded = CatalogDoc::load(&bytes, &Actor::device(Uuid::from_u128(3))).unwrap();
    let mut taxes = loaded.catalog().unwrap().tax_categories;
    taxes.sort_by(|a, b| a.id.cmp(&b.id));
    let mut expected = catalog.tax_categories.clone();
    expected.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(taxes, expected);
    let without = taxes.iter().find(|t| t.id == "ru-no-vat").unwrap();
    assert_eq!((without.fiscal_tag, without.vat_exempt), (Some(6), true));
}

/// A category written by a version without the new fields loads with no tag and not exempt.
#[test]
fn a_category_written_before_the_fiscal_fields_loads() {
    let store = Uuid::from_u128(1);
    let mut doc = CatalogDoc::new(store, &Actor::device(Uuid::from_u128(2)));
    let am = doc.automerge_mut();
    let (_, map) = am.get(ROOT, "tax_categories").unwrap().unwrap();
    let old = am.put_object(&map, "food", ObjType::Map).unwrap();
    am.put(&old, "id", "food").unwrap();
    am.put(&old, "name", "Food 10 %").unwrap();
    am.put(&old, "rate", "10").unwrap();
    am.commit();
    assert_eq!(
        doc.catalog().unwrap().tax_categories,
        vec![TaxCategory {
            id: "food".into(),
            name: "Food 10 %".into(),
            rate: dec!(10),
            fiscal_tag: None,
            vat_exempt: false,
        }]
    );
}
