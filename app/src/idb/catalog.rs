//! The catalog's quick-start copy as records, and what a save of it writes. Each product is one
//! record of the `products` object store (key: its id; value: `{pos, product}` as JSON); the store
//! profile and the rest of the catalog are one small `kv` entry. A save compares the catalog with
//! what is stored and writes only the products that changed: a price edit in a catalog of 50,000
//! products writes one record, not the 10 MB the whole catalog takes.
//!
//! This module decides what to write and does no I/O; `idb.rs` reads and writes.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use pos_core::{Catalog, Category, Currency, Modifier, ModifierGroup, Product, Store, TaxCategory};
use serde::{Deserialize, Serialize};

/// The room left between neighbouring products when they are numbered afresh, so that a product
/// put between two others takes a number between theirs and nothing else moves.
const GAP: u64 = 1 << 20;
/// Positions stay below 2^53, so they are exact in JavaScript too (`JSON.parse` in a test).
const MAX_POS: u64 = 1 << 53;

/// Everything stored of the catalog but its products (the `kv` entry `catalog_meta`): the store
/// profile, categories, modifiers, tax categories and whether it is the demo menu. A few KB.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct CatalogMeta {
    pub store: Store,
    pub categories: Vec<Category>,
    pub modifiers: Vec<Modifier>,
    pub tax_categories: Vec<TaxCategory>,
    pub is_demo: bool,
    #[serde(default)]
    pub modifier_groups: Vec<ModifierGroup>,
    #[serde(default)]
    pub currency: Option<Currency>,
}

impl CatalogMeta {
    /// The catalog taken apart into what `kv` keeps and the products, in their order.
    pub fn split(store: Store, catalog: Catalog) -> (CatalogMeta, Vec<Product>) {
        let Catalog {
            categories,
            products,
            modifiers,
            tax_categories,
            is_demo,
            modifier_groups,
            currency,
        } = catalog;
        let meta = CatalogMeta {
            store,
            categories,
            modifiers,
            tax_categories,
            is_demo,
            modifier_groups,
            currency,
        };
        (meta, products)
    }

    /// The store profile and catalog put back together.
    pub fn join(self, products: Vec<Product>) -> (Store, Catalog) {
        let catalog = Catalog {
            categories: self.categories,
            products,
            modifiers: self.modifiers,
            tax_categories: self.tax_categories,
            is_demo: self.is_demo,
            modifier_groups: self.modifier_groups,
            currency: self.currency,
        };
        (self.store, catalog)
    }
}

/// One product as stored. `pos` orders the catalog: records come back from IndexedDB in id order,
/// and are sorted by it into the order the catalog had.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct ProductRecord<P> {
    pub pos: u64,
    pub product: P,
}

/// Where a stored product stands and a hash of it: enough to tell what a save must write without
/// keeping a second copy of the catalog in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Placed {
    pub pos: u64,
    pub hash: u64,
}

/// What is stored of the catalog, as far as deciding the next save needs.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Stored {
    pub meta: Option<CatalogMeta>,
    pub products: HashMap<String, Placed>,
}

impl Stored {
    /// What is stored, from the records read back; also the products in the catalog's order.
    pub fn read(
        meta: Option<CatalogMeta>,
        mut records: Vec<ProductRecord<Product>>,
    ) -> (Stored, Vec<Product>) {
        sort_in_catalog_order(&mut records);
        let products = records
            .iter()
            .map(|r| {
                let placed = Placed {
                    pos: r.pos,
                    hash: fingerprint(&r.product),
                };
                (r.product.id.clone(), placed)
            })
            .collect();
        let stored = Stored { meta, products };
        (stored, records.into_iter().map(|r| r.product).collect())
    }
}

/// Records as IndexedDB returns them (by id) put in the catalog's order.
fn sort_in_catalog_order(records: &mut [ProductRecord<Product>]) {
    records.sort_by(|a, b| {
        a.pos
            .cmp(&b.pos)
            .then_with(|| a.product.id.cmp(&b.product.id))
    });
}

/// The products of `records` in the catalog's order, for a read that will not save.
pub(super) fn in_catalog_order(mut records: Vec<ProductRecord<Product>>) -> Vec<Product> {
    sort_in_catalog_order(&mut records);
    records.into_iter().map(|r| r.product).collect()
}

/// What one save writes, and what is stored once it is written.
#[derive(Debug)]
pub(super) struct CatalogWrite {
    /// The new `catalog_meta`, when it changed.
    pub meta: Option<CatalogMeta>,
    /// Product records to put: the product id and the record as JSON.
    pub put: Vec<(String, String)>,
    /// Ids of the product records to delete.
    pub delete: Vec<String>,
    pub stored: Stored,
}

impl CatalogWrite {
    pub fn is_empty(&self) -> bool {
        self.meta.is_none() && self.put.is_empty() && self.delete.is_empty()
    }
}

/// The products' hash, as `Product`'s `Hash` computes it (it agrees with `==`). A change that
/// collides would not be written: one chance in 2^64 per changed product.
fn fingerprint(product: &Product) -> u64 {
    let mut hasher = DefaultHasher::new();
    product.hash(&mut hasher);
    hasher.finish()
}

/// What saving `meta` and `products` over `before` writes: the products that are new, changed or
/// moved, the deletion of those that are gone, and `meta` if it changed. A product id listed
/// twice is kept once, where it is first listed (where `Catalog::product` finds it).
pub(super) fn plan(
    before: Stored,
    meta: CatalogMeta,
    products: &[Product],
) -> Result<CatalogWrite, serde_json::Error> {
    let mut planner = Planner::new(before, meta, products);
    while !planner.step(usize::MAX)? {}
    Ok(planner.finish())
}

/// [`plan`] a part at a time: writing 50,000 records as JSON takes most of a second, and a save
/// lets the page draw between parts.
pub(super) struct Planner<'p> {
    products: Vec<&'p Product>,
    positions: Vec<u64>,
    next: usize,
    left: HashMap<String, Placed>,
    stored: HashMap<String, Placed>,
    put: Vec<(String, String)>,
    before_meta: Option<CatalogMeta>,
    meta: CatalogMeta,
}

impl<'p> Planner<'p> {
    pub fn new(before: Stored, meta: CatalogMeta, products: &'p [Product]) -> Planner<'p> {
        let mut seen = HashSet::with_capacity(products.len());
        let products: Vec<&Product> = products
            .iter()
            .filter(|p| seen.insert(p.id.as_str()))
            .collect();
        let old: Vec<Option<u64>> = products
            .iter()
            .map(|p| before.products.get(&p.id).map(|s| s.pos))
            .collect();
        Planner {
            positions: positions(&old),
            stored: HashMap::with_capacity(products.len()),
            products,
            next: 0,
            left: before.products,
            put: Vec::new(),
            before_meta: before.meta,
            meta,
        }
    }

    /// Plans up to `count` more products; `true` once every product is planned.
    pub fn step(&mut self, count: usize) -> Result<bool, serde_json::Error> {
        let end = self.next.saturating_add(count).min(self.products.len());
        for at in self.next..end {
            let (product, pos) = (self.products[at], self.positions[at]);
            let placed = Placed {
                pos,
                hash: fingerprint(product),
            };
            let (id, was) = match self.left.remove_entry(&product.id) {
                Some((id, was)) => (id, Some(was)),
                None => (product.id.clone(), None),
            };
            if was != Some(placed) {
                let record = ProductRecord { pos, product };
                self.put.push((id.clone(), serde_json::to_string(&record)?));
            }
            self.stored.insert(id, placed);
        }
        self.next = end;
        Ok(end == self.products.len())
    }

    pub fn finish(self) -> CatalogWrite {
        let changed = self.before_meta.as_ref() != Some(&self.meta);
        CatalogWrite {
            meta: changed.then(|| self.meta.clone()),
            put: self.put,
            delete: self.left.into_keys().collect(),
            stored: Stored {
                meta: Some(self.meta),
                products: self.stored,
            },
        }
    }
}

/// The store profile and catalog kept whole under `kv` `catalog` before schema version 5.
#[derive(Deserialize)]
struct WholeCatalog {
    store: Store,
    catalog: Catalog,
}

/// The records that the whole-catalog entry of schema version 4 becomes.
pub(super) fn split_whole(json: &str) -> Result<CatalogWrite, serde_json::Error> {
    let whole: WholeCatalog = serde_json::from_str(json)?;
    let (meta, products) = CatalogMeta::split(whole.store, whole.catalog);
    plan(Stored::default(), meta, &products)
}

/// Positions for products whose stored positions, in their new order, are `old` (`None` for a
/// product not stored). The longest run of stored positions that still rises keeps its
/// positions; every other product takes one between its neighbours'. Only when there is no room
/// left between two neighbours is the whole catalog numbered afresh.
fn positions(old: &[Option<u64>]) -> Vec<u64> {
    let kept = longest_rising(old);
    let mut out = Vec::with_capacity(old.len());
    // Positions start above 0; `low` is the position of the last product placed.
    let mut low = 0;
    let mut i = 0;
    while i < old.len() {
        if kept[i] {
            low = old[i].unwrap_or_default();
            out.push(low);
            i += 1;
            continue;
        }
        let start = i;
        while i < old.len() && !kept[i] {
            i += 1;
        }
        let count = (i - start) as u64;
        match old.get(i).copied().flatten() {
            // Between two kept products (or before the first): spread evenly between them.
            Some(high) if high - low > count => {
                let room = u128::from(high - low);
                for j in 1..=count {
                    let step = room * u128::from(j) / u128::from(count + 1);
                    out.push(low + step as u64);
                }
            }
            // After the last kept product: a gap apart.
            None if low + GAP * count <= MAX_POS => {
                out.extend((1..=count).map(|j| low + GAP * j));
            }
            _ => return (1..=old.len() as u64).map(|j| GAP * j).collect(),
        }
        low = out.last().copied().unwrap_or(low);
    }
    out
}

/// Marks the longest run of `old` positions that rises strictly in the given order; products
/// not stored (`None`) are never in it.
fn longest_rising(old: &[Option<u64>]) -> Vec<bool> {
    // tails[k]: the index of the smallest last position of a rising run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut previous: Vec<Option<usize>> = vec![None; old.len()];
    for (i, pos) in old.iter().enumerate() {
        let Some(pos) = *pos else { continue };
        let k = tails.partition_point(|&t| old[t].is_some_and(|p| p < pos));
        if k > 0 {
            previous[i] = Some(tails[k - 1]);
        }
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut kept = vec![false; old.len()];
    let mut at = tails.last().copied();
    while let Some(i) = at {
        kept[i] = true;
        at = previous[i];
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use pos_core::{Decimal, Unit, demo};

    /// The `products` object store as a map from key to JSON text, and `catalog_meta`.
    #[derive(Default)]
    struct Db {
        records: HashMap<String, String>,
        meta: Option<CatalogMeta>,
        puts: usize,
        deletes: usize,
    }

    impl Db {
        fn apply(&mut self, write: CatalogWrite) -> Stored {
            for id in write.delete {
                assert!(
                    self.records.remove(&id).is_some(),
                    "deleted {id}, not stored"
                );
                self.deletes += 1;
            }
            for (id, json) in write.put {
                self.records.insert(id, json);
                self.puts += 1;
            }
            if let Some(meta) = write.meta {
                self.meta = Some(meta);
            }
            write.stored
        }

        fn read(&self) -> (Stored, Vec<Product>) {
            let records = self
                .records
                .iter()
                .map(|(id, json)| {
                    let record: ProductRecord<Product> = serde_json::from_str(json).unwrap();
                    assert_eq!(&record.product.id, id, "a record is kept under its id");
                    record
                })
                .collect();
            Stored::read(self.meta.clone(), records)
        }

        /// Saves `catalog` over what `known` says is stored; checks that the stored records read
        /// back as the catalog and as what the save said would be stored. Returns (puts, deletes).
        fn save(&mut self, known: Stored, catalog: &Catalog) -> (Stored, usize, usize) {
            let (puts, deletes) = (self.puts, self.deletes);
            let (meta, products) = CatalogMeta::split(store(), catalog.clone());
            let stored = self.apply(plan(known, meta, &products).unwrap());
            let (read, products) = self.read();
            assert_eq!(read, stored);
            assert_eq!(products, catalog.products);
            assert!(
                stored
                    .products
                    .values()
                    .all(|p| p.pos > 0 && p.pos <= MAX_POS)
            );
            (stored, self.puts - puts, self.deletes - deletes)
        }
    }

    /// Every product at a multiple of the gap, one after the other, as a renumbering leaves them.
    fn numbered_afresh(stored: &Stored) -> bool {
        let mut positions: Vec<u64> = stored.products.values().map(|p| p.pos).collect();
        positions.sort_unstable();
        positions.iter().zip(1..).all(|(&pos, j)| pos == GAP * j)
    }

    fn store() -> Store {
        demo::food_truck(false).0
    }

    fn product(id: &str) -> Product {
        let mut p = demo::food_truck(false).1.products[0].clone();
        p.id = id.into();
        p.sku = id.into();
        p.barcodes = vec![];
        p
    }

    fn big_catalog(n: usize) -> Catalog {
        let mut catalog = demo::food_truck(false).1;
        catalog.products = (0..n).map(|i| product(&format!("p{i:05}"))).collect();
        catalog
    }

    #[test]
    fn a_price_edit_writes_one_record() {
        let mut db = Db::default();
        let mut catalog = big_catalog(5_000);
        let (stored, puts, deletes) = db.save(Stored::default(), &catalog);
        assert_eq!((puts, deletes), (5_000, 0));
        catalog.products[2_500].price = Decimal::new(777, 2);
        let (_, puts, deletes) = db.save(stored, &catalog);
        assert_eq!((puts, deletes), (1, 0));
        assert!(db.records["p02500"].contains("\"7.77\""));
    }

    #[test]
    fn saving_the_same_catalog_writes_nothing() {
        let catalog = big_catalog(100);
        let (meta, products) = CatalogMeta::split(store(), catalog.clone());
        let first = plan(Stored::default(), meta.clone(), &products).unwrap();
        let again = plan(first.stored, meta, &products).unwrap();
        assert!(again.is_empty());
    }

    #[test]
    fn adding_moving_and_removing_a_product_writes_only_that_product() {
        let mut db = Db::default();
        let mut catalog = big_catalog(1_000);
        let (mut stored, ..) = db.save(Stored::default(), &catalog);
        let mut step = |catalog: &Catalog| {
            let (now, puts, deletes) = db.save(stored.clone(), catalog);
            stored = now;
            (puts, deletes)
        };
        catalog.products.insert(0, product("first"));
        assert_eq!(step(&catalog), (1, 0));
        catalog.products.insert(500, product("middle"));
        assert_eq!(step(&catalog), (1, 0));
        catalog.products.push(product("last"));
        assert_eq!(step(&catalog), (1, 0));
        let moved = catalog.products.remove(900);
        catalog.products.insert(10, moved);
        assert_eq!(step(&catalog), (1, 0));
        // Moving the last to the front moves one product, not all the others.
        let last = catalog.products.pop().unwrap();
        catalog.products.insert(0, last);
        assert_eq!(step(&catalog), (1, 0));
        catalog.products.remove(300);
        assert_eq!(step(&catalog), (0, 1));
        catalog
            .products
            .retain(|p| p.id != "middle" && p.id != "first");
        assert_eq!(step(&catalog), (0, 2));
    }

    #[test]
    fn the_store_profile_and_categories_are_written_only_when_they_change() {
        let catalog = big_catalog(10);
        let (meta, products) = CatalogMeta::split(store(), catalog.clone());
        let first = plan(Stored::default(), meta.clone(), &products).unwrap();
        assert_eq!(first.meta.as_ref(), Some(&meta));
        let mut renamed = meta.clone();
        renamed.categories[0].name = "Hot food".into();
        let second = plan(first.stored, renamed.clone(), &products).unwrap();
        assert_eq!(second.meta, Some(renamed));
        assert!(second.put.is_empty() && second.delete.is_empty());
    }

    #[test]
    fn inserting_again_and_again_at_one_place_renumbers_when_the_room_runs_out() {
        let mut db = Db::default();
        let mut catalog = big_catalog(3);
        let (mut stored, ..) = db.save(Stored::default(), &catalog);
        let mut renumbered = 0;
        for i in 0..60 {
            catalog.products.insert(1, product(&format!("new{i:02}")));
            let (now, puts, _) = db.save(stored, &catalog);
            stored = now;
            if puts > 1 {
                renumbered += 1;
                assert!(numbered_afresh(&stored), "only a renumbering writes more");
            }
        }
        // 20 halvings of the gap fit between two neighbours before all are numbered afresh.
        assert!(
            (1..=3).contains(&renumbered),
            "renumbered {renumbered} times"
        );
    }

    #[test]
    fn a_product_listed_twice_is_kept_once_where_it_is_first() {
        let mut catalog = big_catalog(3);
        let mut twin = catalog.products[0].clone();
        twin.price = Decimal::new(1, 0);
        catalog.products.push(twin);
        let (meta, products) = CatalogMeta::split(store(), catalog.clone());
        let write = plan(Stored::default(), meta, &products).unwrap();
        let mut db = Db::default();
        db.apply(write);
        let (_, read) = db.read();
        assert_eq!(read, catalog.products[..3]);
    }

    #[test]
    fn the_whole_catalog_of_version_4_splits_into_records_that_read_back_the_same() {
        let (store, mut catalog) = demo::food_truck(true);
        // Not in id order: the order is the catalog's, kept by the records' positions.
        catalog.products.reverse();
        catalog.products[0].unit = Unit::Kilogram;
        let json = serde_json::json!({ "store": store, "catalog": catalog }).to_string();
        let mut db = Db::default();
        let stored = db.apply(split_whole(&json).unwrap());
        let (read, products) = db.read();
        assert_eq!(read, stored);
        assert_eq!(db.meta.clone().unwrap().join(products), (store, catalog));
        assert!(split_whole("{\"store\":").is_err());
    }

    /// Random edits, each saved over what the last save stored: what is stored always reads back
    /// as the catalog, and a single edit writes at most one record (unless it renumbers).
    #[test]
    fn any_sequence_of_edits_reads_back_as_the_catalog() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n.max(1) as u64) as usize
        };
        let mut db = Db::default();
        let mut catalog = big_catalog(200);
        let (mut stored, ..) = db.save(Stored::default(), &catalog);
        let mut fresh = 0;
        for round in 0..1_000 {
            let len = catalog.products.len();
            let single = match next(6) {
                0 => {
                    fresh += 1;
                    catalog
                        .products
                        .insert(next(len + 1), product(&format!("n{fresh}")));
                    true
                }
                1 if len > 0 => {
                    catalog.products.remove(next(len));
                    true
                }
                2 if len > 0 => {
                    let p = catalog.products.remove(next(len));
                    catalog.products.insert(next(len), p);
                    true
                }
                3 if len > 0 => {
                    let i = next(len);
                    catalog.products[i].price = Decimal::new(next(10_000) as i64, 2);
                    true
                }
                4 if round % 50 == 0 => {
                    catalog.products.reverse();
                    false
                }
                _ => true,
            };
            // A save over what is stored, as after a reload or another tab's save.
            let known = if next(10) == 0 { db.read().0 } else { stored };
            let (now, puts, deletes) = db.save(known, &catalog);
            stored = now;
            if single && puts + deletes > 1 {
                assert!(numbered_afresh(&stored), "only a renumbering writes more");
            }
        }
    }

    #[test]
    fn positions_keep_the_longest_rising_run() {
        let kept = longest_rising(&[Some(5), Some(1), None, Some(2), Some(9), Some(3)]);
        assert_eq!(kept, [false, true, false, true, false, true]);
        assert_eq!(positions(&[None, None]), [GAP, 2 * GAP]);
        assert_eq!(positions(&[Some(10), None, Some(12)]), [10, 11, 12]);
        assert_eq!(positions(&[None, Some(3)]), [1, 3]);
        // No room between 10 and 11: all numbered afresh.
        assert_eq!(
            positions(&[Some(10), None, Some(11)]),
            [GAP, 2 * GAP, 3 * GAP]
        );
    }
}
