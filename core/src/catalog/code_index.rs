//! Who holds each SKU and barcode, and where each product is: what lets `Catalog::apply_all`
//! check and keep 50,000 imported products without scanning the catalog for each one.

use rustc_hash::FxHashMap;

use super::edit::product_skus;
use super::{Catalog, CatalogError, Product};

/// Who holds each code, and where each product is, for `Catalog::apply_all`. An entry may be
/// stale (its product changed its codes or was archived since): it is checked against the
/// product as it is before it counts, so only a code a sold product still has refuses another.
pub(super) struct CodeIndex {
    pub(super) places: FxHashMap<String, usize>,
    /// Lower-cased SKU → product id.
    skus: FxHashMap<String, String>,
    barcodes: FxHashMap<String, String>,
}

impl CodeIndex {
    pub(super) fn of(catalog: &Catalog) -> CodeIndex {
        let mut index = CodeIndex {
            places: FxHashMap::default(),
            skus: FxHashMap::default(),
            barcodes: FxHashMap::default(),
        };
        for (at, p) in catalog.products.iter().enumerate() {
            index.places.insert(p.id.clone(), at);
            index.hold(p);
        }
        index
    }

    pub(super) fn hold(&mut self, p: &Product) {
        if p.archived {
            return;
        }
        for sku in product_skus(p) {
            self.skus.insert(sku.to_ascii_lowercase(), p.id.clone());
        }
        for code in p.all_barcodes() {
            self.barcodes.insert(code.clone(), p.id.clone());
        }
    }

    /// The sold product other than `p` that still has the code the index names, if any.
    fn holder<'c>(
        &self,
        catalog: &'c Catalog,
        p: &Product,
        holder: Option<&String>,
        has: impl Fn(&Product) -> bool,
    ) -> Option<&'c Product> {
        let id = holder.filter(|id| **id != p.id)?;
        let other = &catalog.products[*self.places.get(id)?];
        (!other.archived && has(other)).then_some(other)
    }

    pub(super) fn check(&self, catalog: &Catalog, p: &Product) -> Result<(), CatalogError> {
        if p.archived {
            return Ok(());
        }
        for sku in product_skus(p) {
            let held = self.skus.get(&sku.to_ascii_lowercase());
            let has = |o: &Product| product_skus(o).any(|s| s.eq_ignore_ascii_case(sku));
            if let Some(other) = self.holder(catalog, p, held, has) {
                return Err(CatalogError::DuplicateSku {
                    sku: sku.to_string(),
                    other: other.name.clone(),
                });
            }
        }
        for code in p.all_barcodes() {
            let has = |o: &Product| o.all_barcodes().any(|b| b == code);
            if let Some(other) = self.holder(catalog, p, self.barcodes.get(code), has) {
                return Err(CatalogError::DuplicateBarcode {
                    code: code.clone(),
                    other: other.name.clone(),
                });
            }
        }
        Ok(())
    }
}
