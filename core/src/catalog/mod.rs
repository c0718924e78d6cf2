//! The catalog: what the store sells. Products refer to categories, tax categories, modifiers and
//! modifier groups by id so that a price or a tax change is made in one place. A product that
//! was sold is never deleted, only archived: it leaves the grid and stays in history.
//!
//! `edit` checks and applies the edits managers make; `choice` turns a tapped tile, with its
//! variant, modifiers and typed price, into what the ticket adds.

mod choice;
mod code_index;
mod csv;
mod edit;
mod gtin;

pub use choice::{Choice, ChoiceError, Sellable};
pub use csv::{
    ImportPreview, ImportProblem, ImportProgress, ImportSteps, RowError, RowKind, export_csv,
    preview_csv, preview_csv_steps,
};
pub use edit::{CatalogEdit, CatalogError, MAX_CATALOG_PRICE};
pub use gtin::{BarcodeError, check_barcode, with_check_digit};

use rustc_hash::FxHashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Currency;
use crate::tax::TaxCategory;

#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub name: String,
    /// A CSS colour for the tile, e.g. `#e4572e`.
    pub colour: String,
    /// Where the category stands in the register's bar: lower first. A number
    /// rather than a list position, so two managers reordering on two devices still merge.
    #[serde(default)]
    pub position: i64,
}

/// How a product is counted: by the piece, or measured (kilograms or litres, three decimals).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    #[default]
    Piece,
    Kilogram,
    Litre,
}

impl Unit {
    /// Decimal places a quantity of this unit keeps.
    pub fn quantity_scale(self) -> u32 {
        match self {
            Unit::Piece => 0,
            Unit::Kilogram | Unit::Litre => 3,
        }
    }

    pub const ALL: [Unit; 3] = [Unit::Piece, Unit::Kilogram, Unit::Litre];

    /// The name stored in documents and files: `piece`, `kilogram`, `litre`.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Piece => "piece",
            Unit::Kilogram => "kilogram",
            Unit::Litre => "litre",
        }
    }

    pub fn parse(text: &str) -> Option<Unit> {
        Unit::ALL
            .into_iter()
            .find(|u| u.as_str().eq_ignore_ascii_case(text.trim()))
    }
}

/// One size or flavour of a product, with its own price and codes ("Latte, large"). A product
/// with variants is sold as one of them, chosen when its tile is tapped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Variant {
    pub id: String,
    pub name: String,
    pub price: Decimal,
    /// Empty: the product's SKU.
    pub sku: String,
    pub barcodes: Vec<String>,
}

/// Modifiers offered together with a rule on how many are chosen: "choose a sauce: exactly 1"
/// is `min: 1, max: Some(1)`, "extras: up to 3" is `min: 0, max: Some(3)`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ModifierGroup {
    pub id: String,
    pub name: String,
    pub modifiers: Vec<String>,
    pub min: u32,
    /// `None`: as many as offered.
    pub max: Option<u32>,
}

impl ModifierGroup {
    /// A group the cashier must choose from before the product is added.
    pub fn is_required(&self) -> bool {
        self.min > 0
    }
}

/// An option added to a product at a price, e.g. "extra cheese +1.00".
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Modifier {
    pub id: String,
    pub name: String,
    pub price: Decimal,
}

/// `Hash` agrees with `Eq` (a price hashes by value, `4.2` as `4.20`): storage compares products
/// by a hash to write only those that changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub sku: String,
    pub barcodes: Vec<String>,
    /// Price per piece or per kilogram, inclusive or exclusive of tax as the store prices.
    pub price: Decimal,
    pub tax_category: String,
    pub unit: Unit,
    pub category: String,
    pub colour: Option<String>,
    /// The modifiers offered with this product one by one, with no rule on how many.
    pub modifiers: Vec<String>,
    /// The modifier groups offered with it, each with its rule, in the order they are asked.
    #[serde(default)]
    pub modifier_groups: Vec<String>,
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// What one unit costs the store, for margins and below-cost alerts.
    #[serde(default)]
    pub cost: Option<Decimal>,
    /// The price is typed at the sale ("any amount": a donation, a weighed item priced by hand);
    /// `price` is then only a suggestion.
    #[serde(default)]
    pub open_price: bool,
    /// Off the grid and out of search; still in history, reports and the catalog.
    #[serde(default)]
    pub archived: bool,
}

impl Product {
    pub fn variant(&self, id: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.id == id)
    }

    /// Every code the product is scanned by: its own barcodes and its variants'.
    pub fn all_barcodes(&self) -> impl Iterator<Item = &String> {
        self.barcodes
            .iter()
            .chain(self.variants.iter().flat_map(|v| v.barcodes.iter()))
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub categories: Vec<Category>,
    pub products: Vec<Product>,
    pub modifiers: Vec<Modifier>,
    #[serde(default)]
    pub modifier_groups: Vec<ModifierGroup>,
    pub tax_categories: Vec<TaxCategory>,
    /// True while the catalog is the demo menu, so the app can say so and offer to remove it.
    pub is_demo: bool,
    /// The currency its prices are in. A catalog in another currency than the store's is never
    /// sold from: its prices are converted by an explicit choice ([`Catalog::converted`]).
    /// `None` in catalogs kept before this was recorded: the store's.
    #[serde(default)]
    pub currency: Option<Currency>,
}

impl Catalog {
    /// Its records in id order, as the catalog document reads them (`CatalogDoc::catalog`), so a
    /// copy edited in the order its records came compares equal to the document's.
    pub fn in_id_order(mut self) -> Catalog {
        self.categories.sort_by(|a, b| a.id.cmp(&b.id));
        self.products.sort_by(|a, b| a.id.cmp(&b.id));
        self.modifiers.sort_by(|a, b| a.id.cmp(&b.id));
        self.modifier_groups.sort_by(|a, b| a.id.cmp(&b.id));
        self.tax_categories.sort_by(|a, b| a.id.cmp(&b.id));
        self
    }

    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub fn modifier(&self, id: &str) -> Option<&Modifier> {
        self.modifiers.iter().find(|m| m.id == id)
    }

    pub fn modifier_group(&self, id: &str) -> Option<&ModifierGroup> {
        self.modifier_groups.iter().find(|g| g.id == id)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// The categories in the register's order: by position, and in the catalog's order where
    /// positions are equal (catalogs kept before categories had positions).
    pub fn ordered_categories(&self) -> Vec<&Category> {
        let mut ordered: Vec<&Category> = self.categories.iter().collect();
        ordered.sort_by_key(|c| c.position);
        ordered
    }

    /// The currency its prices are in, where known: the demo menu is priced in euros even when
    /// it was kept before catalogs recorded their currency.
    pub fn price_currency(&self) -> Option<Currency> {
        self.currency
            .or_else(|| self.is_demo.then_some(crate::demo::CURRENCY))
    }

    /// Whether its prices can be sold in `currency` as they are.
    pub fn is_priced_in(&self, currency: Currency) -> bool {
        self.price_currency().is_none_or(|c| c == currency)
    }

    /// The catalog with every price (products, variants, modifiers, costs) multiplied by `rate`
    /// and rounded to `to`: the merchant's explicit choice to sell a menu priced in another
    /// currency. `None` for a rate that is not above zero or that overflows a price.
    pub fn converted(&self, to: Currency, rate: Decimal) -> Option<Catalog> {
        if rate <= Decimal::ZERO {
            return None;
        }
        let convert = |price: Decimal| price.checked_mul(rate).map(|p| to.round(p));
        let mut catalog = self.clone();
        for p in &mut catalog.products {
            p.price = convert(p.price)?;
            p.cost = match p.cost {
                Some(cost) => Some(convert(cost)?),
                None => None,
            };
            for v in &mut p.variants {
                v.price = convert(v.price)?;
            }
        }
        for m in &mut catalog.modifiers {
            m.price = convert(m.price)?;
        }
        catalog.currency = Some(to);
        Some(catalog)
    }

    pub fn tax_category(&self, id: &str) -> Option<&TaxCategory> {
        self.tax_categories.iter().find(|t| t.id == id)
    }

    /// The products of a category that are sold (not archived).
    pub fn products_in<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Product> + 'a {
        self.products
            .iter()
            .filter(move |p| p.category == category && !p.archived)
    }

    /// The product a scanner or a typed code means: an exact barcode (its own or a variant's),
    /// else an exact SKU, else a barcode that is the same GTIN written at another length (a UPC-A
    /// scan of a product listed by its EAN-13, `012345678905` for `0012345678905`). Archived
    /// products are not sold, so they are not found.
    pub fn by_code(&self, code: &str) -> Option<&Product> {
        let code = code.trim();
        if code.is_empty() {
            return None;
        }
        let sold = || self.products.iter().filter(|p| !p.archived);
        sold()
            .find(|p| p.all_barcodes().any(|b| b == code))
            .or_else(|| {
                sold().find(|p| {
                    p.sku.eq_ignore_ascii_case(code)
                        || p.variants.iter().any(|v| v.sku.eq_ignore_ascii_case(code))
                })
            })
            .or_else(|| {
                let gtin = gtin14(code)?;
                sold().find(|p| p.all_barcodes().any(|b| gtin14(b).as_ref() == Some(&gtin)))
            })
    }

    /// Products whose name contains the query (case-insensitive, any script), or whose SKU or a
    /// barcode starts with it. Exact code matches come first.
    pub fn search(&self, query: &str) -> Vec<&Product> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return self.products.iter().filter(|p| !p.archived).collect();
        }
        let exact = self.by_code(&query);
        let mut found: Vec<&Product> = exact.into_iter().collect();
        found.extend(self.products.iter().filter(|p| {
            !p.archived
                && Some(p.id.as_str()) != exact.map(|e| e.id.as_str())
                && (p.name.to_lowercase().contains(&query)
                    || p.sku.to_lowercase().starts_with(&query)
                    || p.barcodes.iter().any(|b| b.starts_with(&query)))
        }));
        found
    }
}

/// A GTIN-8, -12 (UPC-A), -13 (EAN-13) or -14 as the 14 digits GS1 compares them by: the same
/// item scanned as UPC-A and listed as EAN-13 has one key. Anything else is not a GTIN.
pub(crate) fn gtin14(code: &str) -> Option<String> {
    let code = code.trim();
    let is_gtin =
        matches!(code.len(), 8 | 12 | 13 | 14) && code.bytes().all(|b| b.is_ascii_digit());
    is_gtin.then(|| format!("{code:0>14}"))
}

/// `text` in lower case; ASCII text (most codes, many names) skips the Unicode tables.
fn lowered(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    }
}

/// Answers searches of a large catalog at typing speed: names are lowered once and codes are
/// hashed when the catalog is loaded, not on every keystroke.
#[derive(Clone, Debug, Default)]
pub struct SearchIndex {
    /// Archived products keep their position (positions index the catalog) but never match.
    archived: Vec<bool>,
    names: Vec<String>,
    skus: Vec<String>,
    barcodes: Vec<Vec<String>>,
    /// Exact barcode, or lowered SKU, to the product's position. Fx hashing: the keys are the
    /// store's own codes, and SipHash made building the index of 50,000 products twice as slow.
    codes: FxHashMap<String, usize>,
    /// A barcode's [`gtin14`] to the product's position.
    gtins: FxHashMap<String, usize>,
}

impl SearchIndex {
    pub fn new(catalog: &Catalog) -> SearchIndex {
        let mut codes =
            FxHashMap::with_capacity_and_hasher(catalog.products.len() * 2, Default::default());
        // Barcodes win over SKUs, and the first product with a code wins, as in `Catalog::by_code`.
        let sold = || {
            catalog
                .products
                .iter()
                .enumerate()
                .rev()
                .filter(|(_, p)| !p.archived)
        };
        for (i, p) in sold() {
            codes.insert(lowered(&p.sku), i);
            for v in p.variants.iter().filter(|v| !v.sku.is_empty()) {
                codes.insert(lowered(&v.sku), i);
            }
        }
        let mut gtins = FxHashMap::default();
        for (i, p) in sold() {
            for b in p.all_barcodes() {
                codes.insert(lowered(b), i);
                if let Some(gtin) = gtin14(b) {
                    gtins.insert(gtin, i);
                }
            }
        }
        SearchIndex {
            archived: catalog.products.iter().map(|p| p.archived).collect(),
            names: catalog.products.iter().map(|p| lowered(&p.name)).collect(),
            skus: catalog.products.iter().map(|p| lowered(&p.sku)).collect(),
            barcodes: catalog
                .products
                .iter()
                .map(|p| p.all_barcodes().map(|b| lowered(b)).collect())
                .collect(),
            codes,
            gtins,
        }
    }

    /// The position of the product whose barcode or SKU is exactly `code`, else whose barcode
    /// is the same GTIN, as in [`Catalog::by_code`].
    pub fn by_code(&self, code: &str) -> Option<usize> {
        self.codes
            .get(&code.trim().to_lowercase())
            .or_else(|| self.gtins.get(&gtin14(code)?))
            .copied()
    }

    /// Positions of the products matching `query` as [`Catalog::search`] does, the exact code
    /// match first. `within` may hold the result of a query that this one extends (the cashier
    /// typed one more character): only those products are looked at again.
    pub fn search(&self, query: &str, within: Option<&[usize]>) -> Vec<usize> {
        self.search_first(query, within, usize::MAX).0
    }

    /// The first `limit` positions [`SearchIndex::search`] would give, and whether they are all
    /// of them. A short query matches much of a large catalog while the register shows a few
    /// tiles: stopping early saves the scan of every other product; a complete result can still
    /// narrow the next keystroke's search.
    pub fn search_first(
        &self,
        query: &str,
        within: Option<&[usize]>,
        limit: usize,
    ) -> (Vec<usize>, bool) {
        let query = query.trim().to_lowercase();
        let exact = self.by_code(&query);
        let matches = |i: usize| {
            Some(i) != exact
                && !self.archived[i]
                && (self.names[i].contains(&query)
                    || self.skus[i].starts_with(&query)
                    || self.barcodes[i].iter().any(|b| b.starts_with(&query)))
        };
        let mut found: Vec<usize> = exact.into_iter().collect();
        let candidates: Box<dyn Iterator<Item = usize>> = match within {
            Some(candidates) => Box::new(candidates.iter().copied()),
            None => Box::new(0..self.names.len()),
        };
        let mut candidates = candidates.filter(|&i| matches(i));
        while found.len() < limit {
            match candidates.next() {
                Some(i) => found.push(i),
                None => return (found, true),
            }
        }
        let complete = candidates.next().is_none();
        (found, complete)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_finds_what_a_scan_finds() {
        let (_, catalog) = crate::demo::food_truck(false);
        let index = SearchIndex::new(&catalog);
        for query in [
            "",
            "b",
            "bu",
            "burger",
            "BURGER",
            "ft-01",
            "2000000000183",
            "cola",
            "zzz",
            "ft-012",
        ] {
            let by_scan: Vec<&str> = catalog
                .search(query)
                .iter()
                .map(|p| p.id.as_str())
                .collect();
            let by_index: Vec<&str> = index
                .search(query, None)
                .iter()
                .map(|&i| catalog.products[i].id.as_str())
                .collect();
            assert_eq!(by_index, by_scan, "query {query:?}");
        }
        // Stopping early gives the first of the same products, and says whether that is all.
        for limit in [0, 1, 3, 1000] {
            let all = index.search("b", None);
            let (first, complete) = index.search_first("b", None, limit);
            assert_eq!(first, all[..limit.min(all.len())], "limit {limit}");
            assert_eq!(complete, limit >= all.len(), "limit {limit}");
        }
        // Narrowing from a shorter query gives the same result as searching afresh.
        let b = index.search("b", None);
        assert_eq!(index.search("bur", Some(&b)), index.search("bur", None));
        assert_eq!(
            index
                .by_code("2000000000183")
                .map(|i| catalog.products[i].id.as_str()),
            Some("cola")
        );
    }

    #[test]
    fn a_upc_a_scan_finds_the_product_listed_by_its_ean13_and_back() {
        let (_, mut catalog) = crate::demo::food_truck(false);
        catalog.products[0].barcodes = vec!["0012345678905".into()];
        catalog.products[1].barcodes = vec!["036000291452".into()];
        let (first, second) = (
            catalog.products[0].id.clone(),
            catalog.products[1].id.clone(),
        );
        let index = SearchIndex::new(&catalog);
        for (scanned, expected) in [
            ("012345678905", &first),
            ("00012345678905", &first),
            ("0036000291452", &second),
        ] {
            assert_eq!(
                catalog.by_code(scanned).map(|p| &p.id),
                Some(expected),
                "{scanned}"
            );
            assert_eq!(
                index.by_code(scanned).map(|i| &catalog.products[i].id),
                Some(expected),
                "{scanned}"
            );
        }
        // Only the same digits with leading zeros are the same GTIN.
        for other in [
            "12345678905",
            "112345678905",
            "0012345678906",
            "01234567890A",
        ] {
            assert_eq!(catalog.by_code(other), None, "{other}");
            assert_eq!(index.by_code(other), None, "{other}");
        }
        assert_eq!(gtin14("12345670"), Some("00000012345670".into()));
        assert_eq!(gtin14("1234567"), None);
    }
}
