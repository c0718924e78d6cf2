//! The store's catalog as one document that managers edit: products, categories, modifiers and tax
//! categories as maps keyed by id, so concurrent edits of different products (or of different
//! fields of one product) merge. Two managers changing one price at once is a conflict that
//! Automerge resolves the same way on every device; [`CatalogDoc::price_conflicts`] shows it.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    Actor, DocError, DocKind, DocumentId, SharedDocument, genesis, get_uuid_str,
    map_made_on_first_use, parse_decimal, root_map, union_of_maps,
};
use crate::catalog::{Catalog, CatalogEdit, Category, Modifier, ModifierGroup, Product};
use crate::money::Currency;
use crate::tax::TaxCategory;

const PRODUCTS: &str = "products";
const CATEGORIES: &str = "categories";
const MODIFIERS: &str = "modifiers";
const TAX_CATEGORIES: &str = "tax_categories";
/// Not made at genesis (it came later, and a genesis must stay the same on every version): made
/// by the first device that puts a group. Two devices that do so concurrently make two maps under
/// one key; every map is read (see [`CatalogDoc::modifier_groups`]), so neither loses a group.
const MODIFIER_GROUPS: &str = "modifier_groups";
const CURRENCY: &str = "currency";

/// `record` as the tree of values its `Reconcile` writes, so that a new record is made at once
/// and reads back as one written field by field would: written into an empty scratch document
/// (where autosurgeon writes a whole value at once) and read out of it.
fn as_value<T: Reconcile>(record: &T) -> Result<automerge::hydrate::Value, DocError> {
    struct Holder<'a, T>(&'a T);
    impl<T: Reconcile> Reconcile for Holder<'_, T> {
        type Key<'k> = autosurgeon::reconcile::NoKey;
        fn reconcile<R: autosurgeon::Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
            use autosurgeon::reconcile::MapReconciler;
            let mut map = reconciler.map()?;
            map.put("record", self.0)?;
            Ok(())
        }
    }
    let mut scratch = AutoCommit::new();
    autosurgeon::reconcile(&mut scratch, Holder(record))?;
    match scratch.hydrate(ROOT, None)? {
        automerge::hydrate::Value::Map(map) => map
            .get("record")
            .cloned()
            .ok_or_else(|| DocError::Corrupt("a record wrote nothing".into())),
        _ => Err(DocError::Corrupt("a record is not a map".into())),
    }
}

/// One price that was changed concurrently on several devices. Every device shows the same
/// `winner` (Automerge's rule: the change with the higher Lamport counter, then the higher actor
/// id); `values` are all the concurrent prices, the winner included. Setting the price again
/// resolves the conflict.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PriceConflict {
    pub product: String,
    pub winner: Decimal,
    pub values: Vec<Decimal>,
}

pub struct CatalogDoc {
    doc: AutoCommit,
}

impl CatalogDoc {
    /// An empty catalog for the store; the same genesis on every device.
    pub fn new(store: Uuid, actor: &Actor) -> CatalogDoc {
        let id = DocumentId::derive(store, DocKind::Catalog, "");
        let store = store.to_string();
        let doc = genesis(
            id,
            DocKind::Catalog,
            &[("store", &store)],
            &[PRODUCTS, CATEGORIES, MODIFIERS, TAX_CATEGORIES],
            actor,
        );
        CatalogDoc { doc }
    }

    /// A catalog document holding `catalog`, e.g. the demo menu when a store is created.
    pub fn from_catalog(
        store: Uuid,
        actor: &Actor,
        catalog: &Catalog,
    ) -> Result<CatalogDoc, DocError> {
        let mut doc = CatalogDoc::new(store, actor);
        doc.replace(catalog)?;
        Ok(doc)
    }

    pub fn store(&self) -> Result<Uuid, DocError> {
        get_uuid_str(&self.doc, "store")
    }

    /// Writes every record of `catalog` (only the fields that differ become changes) and removes
    /// the records it no longer has.
    pub fn replace(&mut self, catalog: &Catalog) -> Result<(), DocError> {
        self.sync_map(
            PRODUCTS,
            catalog.products.iter().map(|p| (p.id.as_str(), p)),
        )?;
        self.sync_map(
            CATEGORIES,
            catalog.categories.iter().map(|c| (c.id.as_str(), c)),
        )?;
        self.sync_map(
            MODIFIERS,
            catalog.modifiers.iter().map(|m| (m.id.as_str(), m)),
        )?;
        self.sync_map(
            TAX_CATEGORIES,
            catalog.tax_categories.iter().map(|t| (t.id.as_str(), t)),
        )?;
        self.put_modifier_groups(&catalog.modifier_groups)?;
        self.doc.put(ROOT, "is_demo", catalog.is_demo)?;
        self.put_currency(catalog.currency)?;
        self.doc.commit();
        Ok(())
    }

    /// Edits made in one Automerge change. Each change carries its own header and hashes and is
    /// stored and synced as a unit: an import's 50,000 edits as 50,000 changes cost the sync
    /// worker minutes, as 25 changes seconds.
    pub const EDITS_PER_CHANGE: usize = 2_000;

    /// Makes the edits, in order, each checked against the catalog as the ones before it left
    /// it (`Catalog::apply`): the document may have changed since the page checked them. None is
    /// made if one is refused.
    pub fn apply_all(&mut self, edits: &[CatalogEdit]) -> Result<(), DocError> {
        self.apply_all_reporting(edits, |_| {})
    }

    /// [`CatalogDoc::apply_all`] in changes of [`CatalogDoc::EDITS_PER_CHANGE`] edits, telling
    /// `made` after each change how many edits are made so far. Every edit is checked before the
    /// first is made, so a refusal leaves the document as it was. A write that fails after the
    /// check (Automerge refusing one) leaves the changes of the batches before it: the caller
    /// drops what is not stored (the sync worker reopens the document from its chunks), as it
    /// does for any edit that fails.
    pub fn apply_all_reporting(
        &mut self,
        edits: &[CatalogEdit],
        mut made: impl FnMut(usize),
    ) -> Result<(), DocError> {
        let mut catalog = self.catalog()?;
        catalog.apply_all(edits).map_err(|(_, e)| e)?;
        drop(catalog);
        let mut done = 0;
        for batch in edits.chunks(Self::EDITS_PER_CHANGE) {
            let written = batch
                .iter()
                .try_for_each(|edit| self.put_edit(edit))
                .and_then(|()| Ok(self.doc.put(ROOT, "is_demo", false)?));
            if let Err(e) = written {
                self.doc.rollback();
                return Err(e);
            }
            self.doc.commit();
            done += batch.len();
            made(done);
        }
        Ok(())
    }

    /// Makes one edit, unchecked, as a change of its own: see [`CatalogDoc::apply_all`].
    pub fn apply(&mut self, edit: &CatalogEdit) -> Result<(), DocError> {
        self.put_edit(edit)?;
        self.doc.put(ROOT, "is_demo", false)?;
        self.doc.commit();
        Ok(())
    }

    /// Writes one edit into the open change.
    fn put_edit(&mut self, edit: &CatalogEdit) -> Result<(), DocError> {
        match edit {
            CatalogEdit::PutProduct(p) => self.write_record(PRODUCTS, &p.id, p)?,
            CatalogEdit::Archive { product, archived } => {
                let map = root_map(&self.doc, PRODUCTS)?;
                let Some((Value::Object(ObjType::Map), obj)) = self.doc.get(&map, product)? else {
                    return Err(DocError::UnknownProduct(product.clone()));
                };
                self.doc.put(&obj, "archived", *archived)?;
            }
            CatalogEdit::PutCategory(c) => self.write_record(CATEGORIES, &c.id, c)?,
            CatalogEdit::PutModifier(m) => self.write_record(MODIFIERS, &m.id, m)?,
            CatalogEdit::PutModifierGroup(g) => {
                self.put_modifier_groups(std::slice::from_ref(g))?
            }
            CatalogEdit::PutTaxCategory(t) => self.write_record(TAX_CATEGORIES, &t.id, t)?,
        }
        Ok(())
    }

    fn put_currency(&mut self, currency: Option<Currency>) -> Result<(), DocError> {
        let stored = super::get_str(&self.doc, &ROOT, CURRENCY)?;
        let wanted = currency.map(|c| c.code().to_string());
        if stored != wanted {
            match wanted {
                Some(code) => self.doc.put(ROOT, CURRENCY, code)?,
                None => self.doc.delete(ROOT, CURRENCY)?,
            }
        }
        Ok(())
    }

    /// Puts groups into the map that wins under [`MODIFIER_GROUPS`], making it when there is none.
    fn put_modifier_groups(&mut self, groups: &[ModifierGroup]) -> Result<(), DocError> {
        if groups.is_empty() {
            return Ok(());
        }
        let map = map_made_on_first_use(&mut self.doc, MODIFIER_GROUPS)?;
        for g in groups {
            reconcile_prop(&mut self.doc, &map, g.id.as_str(), g)?;
        }
        Ok(())
    }

    /// The groups of every map under [`MODIFIER_GROUPS`], the winning map's record first when two
    /// devices made the map concurrently and both hold a group.
    fn modifier_groups(&self) -> Result<Vec<ModifierGroup>, DocError> {
        let groups = union_of_maps(&self.doc, MODIFIER_GROUPS, |map, key| {
            super::hydrate_entry(&self.doc, map, key)
        })?;
        Ok(groups.into_values().collect())
    }

    fn sync_map<'a, T: Reconcile + 'a>(
        &mut self,
        key: &str,
        records: impl Iterator<Item = (&'a str, &'a T)>,
    ) -> Result<(), DocError> {
        let map = root_map(&self.doc, key)?;
        let mut keep = Vec::new();
        for (id, record) in records {
            reconcile_prop(&mut self.doc, &map, id, record)?;
            keep.push(id.to_string());
        }
        let stale: Vec<String> = self.doc.keys(&map).filter(|k| !keep.contains(k)).collect();
        for k in stale {
            self.doc.delete(&map, k.as_str())?;
        }
        Ok(())
    }

    /// The catalog as the app uses it. Records are in id order.
    pub fn catalog(&self) -> Result<Catalog, DocError> {
        fn all<T: Hydrate>(doc: &AutoCommit, key: &str) -> Result<Vec<T>, DocError> {
            let map: BTreeMap<String, T> = hydrate_prop(doc, ROOT, key)?;
            Ok(map.into_values().collect())
        }
        let is_demo = match self.doc.get(ROOT, "is_demo")? {
            Some((Value::Scalar(s), _)) => matches!(s.as_ref(), ScalarValue::Boolean(true)),
            _ => false,
        };
        let currency = super::get_str(&self.doc, &ROOT, CURRENCY)?
            .map(|code| {
                Currency::from_code(&code)
                    .ok_or_else(|| DocError::Corrupt(format!("the currency {code} is unknown")))
            })
            .transpose()?;
        Ok(Catalog {
            categories: all(&self.doc, CATEGORIES)?,
            products: all(&self.doc, PRODUCTS)?,
            modifiers: all(&self.doc, MODIFIERS)?,
            modifier_groups: self.modifier_groups()?,
            tax_categories: all(&self.doc, TAX_CATEGORIES)?,
            is_demo,
            currency,
        })
    }

    pub fn product(&self, id: &str) -> Result<Option<Product>, DocError> {
        let map = root_map(&self.doc, PRODUCTS)?;
        super::hydrate_entry(&self.doc, &map, id)
    }

    /// Adds or edits a product; only the fields that differ are written. Writing a product whose
    /// price is in conflict settles the conflict at the price it carries.
    pub fn put_product(&mut self, product: &Product) -> Result<(), DocError> {
        self.put_record(PRODUCTS, &product.id, product)
    }
    pub fn put_category(&mut self, category: &Category) -> Result<(), DocError> {
        self.put_record(CATEGORIES, &category.id, category)
    }
    pub fn put_modifier(&mut self, modifier: &Modifier) -> Result<(), DocError> {
        self.put_record(MODIFIERS, &modifier.id, modifier)
    }
    pub fn put_tax_category(&mut self, tax: &TaxCategory) -> Result<(), DocError> {
        self.put_record(TAX_CATEGORIES, &tax.id, tax)
    }

    fn put_record<T: Reconcile>(
        &mut self,
        key: &str,
        id: &str,
        record: &T,
    ) -> Result<(), DocError> {
        self.write_record(key, id, record)?;
        self.doc.commit();
        Ok(())
    }

    /// Writes a record into the open change, which the caller commits: a new one as one object
    /// made at once (Automerge's `batch_create_object`, two splices of its operations where a
    /// put per field is one each: an import's 50,000 products took the worker a minute field by
    /// field), one already there field by field, so that only what differs is a change.
    fn write_record<T: Reconcile>(
        &mut self,
        key: &str,
        id: &str,
        record: &T,
    ) -> Result<(), DocError> {
        let map = root_map(&self.doc, key)?;
        if self.doc.get(&map, id)?.is_none() {
            self.doc
                .batch_create_object(&map, id, &as_value(record)?, false)?;
        } else {
            reconcile_prop(&mut self.doc, &map, id, record)?;
        }
        Ok(())
    }

    pub fn remove_product(&mut self, id: &str) -> Result<(), DocError> {
        let map = root_map(&self.doc, PRODUCTS)?;
        self.doc.delete(&map, id)?;
        self.doc.commit();
        Ok(())
    }

    /// Changes one price, and nothing else, so a concurrent edit of another field still merges.
    pub fn set_price(&mut self, product: &str, price: Decimal) -> Result<(), DocError> {
        let map = root_map(&self.doc, PRODUCTS)?;
        let Some((Value::Object(ObjType::Map), obj)) = self.doc.get(&map, product)? else {
            return Err(DocError::UnknownProduct(product.to_string()));
        };
        // A put of the value already there is no change, unless the key is in conflict: then it
        // resolves the conflict for this value.
        self.doc.put(&obj, "price", price.to_string())?;
        self.doc.commit();
        Ok(())
    }

    pub fn price(&self, product: &str) -> Result<Option<Decimal>, DocError> {
        Ok(self.product(product)?.map(|p| p.price))
    }

    /// The prices in conflict, by product id.
    pub fn price_conflicts(&self) -> Result<Vec<PriceConflict>, DocError> {
        let map = root_map(&self.doc, PRODUCTS)?;
        let mut conflicts = Vec::new();
        for id in self.doc.keys(&map) {
            let Some((Value::Object(ObjType::Map), obj)) = self.doc.get(&map, id.as_str())? else {
                continue;
            };
            let all = self.doc.get_all(&obj, "price")?;
            if all.len() < 2 {
                continue;
            }
            let values = all
                .iter()
                .map(|(v, _)| match v {
                    Value::Scalar(s) => match s.as_ref() {
                        ScalarValue::Str(s) => parse_decimal(s),
                        other => Err(DocError::Corrupt(format!("price of {id} is {other:?}"))),
                    },
                    _ => Err(DocError::Corrupt(format!("price of {id} is an object"))),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let winner = self
                .price(&id)?
                .ok_or_else(|| DocError::UnknownProduct(id.clone()))?;
            conflicts.push(PriceConflict {
                product: id,
                winner,
                values,
            });
        }
        Ok(conflicts)
    }
}

impl SharedDocument for CatalogDoc {
    const KIND: DocKind = DocKind::Catalog;
    automerge_in_doc_field!();
    fn from_automerge(doc: AutoCommit) -> Result<Self, DocError> {
        super::check_kind(&doc, Self::KIND)?;
        Ok(CatalogDoc { doc })
    }
    fn document_id(&self) -> DocumentId {
        let store = self.store().unwrap_or_default();
        DocumentId::derive(store, Self::KIND, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Unit, Variant};
    use crate::demo;

    #[test]
    fn the_demo_menu_round_trips() {
        let (_, catalog) = demo::food_truck(false);
        let store = Uuid::from_u128(1);
        let mut doc =
            CatalogDoc::from_catalog(store, &Actor::device(Uuid::from_u128(2)), &catalog).unwrap();
        let mut expected = catalog.clone();
        expected.products.sort_by(|a, b| a.id.cmp(&b.id));
        expected.categories.sort_by(|a, b| a.id.cmp(&b.id));
        expected.modifiers.sort_by(|a, b| a.id.cmp(&b.id));
        expected.tax_categories.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(doc.catalog().unwrap(), expected);
        let bytes = doc.save();
        let loaded = CatalogDoc::load(&bytes, &Actor::device(Uuid::from_u128(3))).unwrap();
        assert_eq!(loaded.catalog().unwrap(), expected);
        // Writing the same catalog again changes nothing.
        let heads = doc.heads();
        doc.replace(&catalog).unwrap();
        assert_eq!(doc.heads(), heads);
    }

    #[test]
    fn a_settings_document_is_not_a_catalog() {
        let mut settings =
            super::super::SettingsDoc::new(Uuid::from_u128(1), &Actor::device(Uuid::from_u128(2)));
        let bytes = settings.save();
        assert!(matches!(
            CatalogDoc::load(&bytes, &Actor::device(Uuid::from_u128(2))),
            Err(DocError::WrongKind { .. })
        ));
    }

    fn with_variants_and_a_group(catalog: &mut Catalog, group: &str) -> ModifierGroup {
        let g = ModifierGroup {
            id: group.into(),
            name: format!("Group {group}"),
            modifiers: vec!["cheese".into(), "bacon".into()],
            min: 1,
            max: Some(1),
        };
        catalog
            .apply(&CatalogEdit::PutModifierGroup(g.clone()))
            .unwrap();
        g
    }

    #[test]
    fn edits_of_variants_groups_costs_and_archiving_reach_another_device() {
        let (_, mut catalog) = demo::food_truck(false);
        let store = Uuid::from_u128(1);
        let mut a =
            CatalogDoc::from_catalog(store, &Actor::device(Uuid::from_u128(2)), &catalog).unwrap();
        let mut b = CatalogDoc::load(&a.save(), &Actor::device(Uuid::from_u128(3))).unwrap();
        let group = with_variants_and_a_group(&mut catalog, "sauce");
        let mut coffee = catalog.product("classic-burger").unwrap().clone();
        coffee.id = "coffee".into();
        coffee.name = "Coffee".into();
        coffee.sku = "COF".into();
        coffee.barcodes = vec![];
        coffee.unit = Unit::Litre;
        coffee.cost = Some(Decimal::new(35, 2));
        coffee.modifier_groups = vec![group.id.clone()];
        coffee.variants = vec![Variant {
            id: "l".into(),
            name: "Large".into(),
            price: Decimal::new(420, 2),
            sku: "COF-L".into(),
            barcodes: vec!["4006381333931".into()],
        }];
        let edits = [
            CatalogEdit::PutModifierGroup(group),
            CatalogEdit::PutProduct(coffee.clone()),
            CatalogEdit::Archive {
                product: "fries".into(),
                archived: true,
            },
        ];
        for edit in &edits {
            catalog.apply(edit).unwrap();
            a.apply(edit).unwrap();
        }
        b.merge(&mut a).unwrap();
        let seen = b.catalog().unwrap();
        assert_eq!(seen.product("coffee"), Some(&coffee));
        assert!(seen.product("fries").unwrap().archived);
        assert_eq!(seen.modifier_groups, catalog.modifier_groups);
        assert!(!seen.is_demo);
        assert_eq!(seen.currency, Some(crate::money::Currency::EUR));
    }

    #[test]
    fn two_devices_making_the_first_group_at_once_both_keep_theirs() {
        let (_, catalog) = demo::food_truck(false);
        let store = Uuid::from_u128(1);
        let mut a =
            CatalogDoc::from_catalog(store, &Actor::device(Uuid::from_u128(2)), &catalog).unwrap();
        let mut b = CatalogDoc::load(&a.save(), &Actor::device(Uuid::from_u128(3))).unwrap();
        let (mut on_a, mut on_b) = (catalog.clone(), catalog.clone());
        let sauce = with_variants_and_a_group(&mut on_a, "sauce");
        let extras = with_variants_and_a_group(&mut on_b, "extras");
        a.apply(&CatalogEdit::PutModifierGroup(sauce)).unwrap();
        b.apply(&CatalogEdit::PutModifierGroup(extras)).unwrap();
        a.merge(&mut b).unwrap();
        b.merge(&mut a).unwrap();
        for doc in [&a, &b] {
            let ids: Vec<String> = doc
                .catalog()
                .unwrap()
                .modifier_groups
                .into_iter()
                .map(|g| g.id)
                .collect();
            assert_eq!(ids, ["extras", "sauce"]);
        }
    }

    #[test]
    fn a_product_written_before_variants_existed_reads_with_none() {
        let (_, catalog) = demo::food_truck(false);
        let mut doc = CatalogDoc::from_catalog(
            Uuid::from_u128(1),
            &Actor::device(Uuid::from_u128(2)),
            &catalog,
        )
        .unwrap();
        let map = root_map(&doc.doc, PRODUCTS).unwrap();
        let Some((_, burger)) = doc.doc.get(&map, "classic-burger").unwrap() else {
            panic!()
        };
        for key in [
            "variants",
            "modifier_groups",
            "cost",
            "open_price",
            "archived",
        ] {
            doc.doc.delete(&burger, key).unwrap();
        }
        doc.doc.commit();
        assert_eq!(
            doc.product("classic-burger").unwrap().as_ref(),
            catalog.product("classic-burger")
        );
    }
}
