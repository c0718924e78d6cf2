//! The catalog: what the store sells. Products refer to categories, tax categories and modifiers
//! by id so that a price or a tax change is made in one place.

use rustc_hash::FxHashMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::tax::TaxCategory;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub name: String,
    /// A CSS colour for the tile, e.g. `#e4572e`.
    pub colour: String,
}

/// How a product is counted: by the piece, or weighed (quantity in kilograms, three decimals).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    Piece,
    Kilogram,
}

impl Unit {
    /// Decimal places a quantity of this unit keeps.
    pub fn quantity_scale(self) -> u32 {
        match self {
            Unit::Piece => 0,
            Unit::Kilogram => 3,
        }
    }
}

/// An option added to a product at a price, e.g. "extra cheese +1.00".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modifier {
    pub id: String,
    pub name: String,
    pub price: Decimal,
}

/// `Hash` agrees with `Eq` (a price hashes by value, `4.2` as `4.20`): storage compares products
/// by a hash to write only those that changed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// The modifiers offered with this product.
    pub modifiers: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub categories: Vec<Category>,
    pub products: Vec<Product>,
    pub modifiers: Vec<Modifier>,
    pub tax_categories: Vec<TaxCategory>,
    /// True while the catalog is the demo menu, so the app can say so and offer to remove it.
    pub is_demo: bool,
}

impl Catalog {
    pub fn product(&self, id: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub fn modifier(&self, id: &str) -> Option<&Modifier> {
        self.modifiers.iter().find(|m| m.id == id)
    }

    pub fn tax_category(&self, id: &str) -> Option<&TaxCategory> {
        self.tax_categories.iter().find(|t| t.id == id)
    }

    pub fn products_in<'a>(&'a self, category: &'a str) -> impl Iterator<Item = &'a Product> + 'a {
        self.products.iter().filter(move |p| p.category == category)
    }

    /// The product a scanner or a typed code means: an exact barcode, else an exact SKU, else a
    /// barcode that is the same GTIN written at another length (a UPC-A scan of a product
    /// listed by its EAN-13, `012345678905` for `0012345678905`).
    pub fn by_code(&self, code: &str) -> Option<&Product> {
        let code = code.trim();
        if code.is_empty() {
            return None;
        }
        self.products
            .iter()
            .find(|p| p.barcodes.iter().any(|b| b == code))
            .or_else(|| {
                self.products
                    .iter()
                    .find(|p| p.sku.eq_ignore_ascii_case(code))
            })
            .or_else(|| {
                let gtin = gtin14(code)?;
                self.products
                    .iter()
                    .find(|p| p.barcodes.iter().any(|b| gtin14(b).as_ref() == Some(&gtin)))
            })
    }

    /// Products whose name contains the query (case-insensitive, any script), or whose SKU or a
    /// barcode starts with it. Exact code matches come first.
    pub fn search(&self, query: &str) -> Vec<&Product> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return self.products.iter().collect();
        }
        let exact = self.by_code(&query);
        let mut found: Vec<&Product> = exact.into_iter().collect();
        found.extend(self.products.iter().filter(|p| {
            Some(p.id.as_str()) != exact.map(|e| e.id.as_str())
                && (p.name.to_lowercase().contains(&query)
                    || p.sku.to_lowercase().starts_with(&query)
                    || p.barcodes.iter().any(|b| b.starts_with(&query)))
        }));
        found
    }

    /// Checks that every reference resolves, so a broken catalog is caught when it is loaded rather
    /// than when a cashier taps the product.
    pub fn validate(&self) -> Result<(), CatalogError> {
        for p in &self.products {
            if self.tax_category(&p.tax_category).is_none() {
                return Err(CatalogError::UnknownTaxCategory {
                    product: p.id.clone(),
                    tax_category: p.tax_category.clone(),
                });
            }
            if !self.categories.iter().any(|c| c.id == p.category) {
                return Err(CatalogError::UnknownCategory {
                    product: p.id.clone(),
                    category: p.category.clone(),
                });
            }
            if let Some(m) = p.modifiers.iter().find(|m| self.modifier(m).is_none()) {
                return Err(CatalogError::UnknownModifier {
                    product: p.id.clone(),
                    modifier: m.clone(),
                });
            }
            if p.price.is_sign_negative() {
                return Err(CatalogError::NegativePrice {
                    product: p.id.clone(),
                });
            }
        }
        Ok(())
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
        for (i, p) in catalog.products.iter().enumerate().rev() {
            codes.insert(lowered(&p.sku), i);
        }
        let mut gtins = FxHashMap::default();
        for (i, p) in catalog.products.iter().enumerate().rev() {
            for b in &p.barcodes {
                codes.insert(lowered(b), i);
                if let Some(gtin) = gtin14(b) {
                    gtins.insert(gtin, i);
                }
            }
        }
        SearchIndex {
            names: catalog.products.iter().map(|p| lowered(&p.name)).collect(),
            skus: catalog.products.iter().map(|p| lowered(&p.sku)).collect(),
            barcodes: catalog
                .products
                .iter()
                .map(|p| p.barcodes.iter().map(|b| lowered(b)).collect())
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

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("product {product} refers to the unknown tax category {tax_category}")]
    UnknownTaxCategory {
        product: String,
        tax_category: String,
    },
    #[error("product {product} refers to the unknown category {category}")]
    UnknownCategory { product: String, category: String },
    #[error("product {product} refers to the unknown modifier {modifier}")]
    UnknownModifier { product: String, modifier: String },
    #[error("product {product} has a negative price")]
    NegativePrice { product: String },
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
