//! The catalog's records as the catalog document stores them, written and read by hand with
//! autosurgeon: the types live in `catalog/` and `tax.rs`, which keep serde only, so its derive
//! would have to sit on their definitions. A field added after a record was first written reads
//! with its default when it is missing, so a document written by an older version still loads.

use autosurgeon::reconcile::NoKey;
use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, hydrate_prop};
use rust_decimal::Decimal;

use super::DecimalStr;
use crate::catalog::{Category, Modifier, ModifierGroup, Product, Unit, Variant};
use crate::tax::TaxCategory;

fn hydrate_decimal<D: autosurgeon::ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    key: &str,
) -> Result<Decimal, HydrateError> {
    let DecimalStr(d) = hydrate_prop(doc, obj, key)?;
    Ok(d)
}

impl Reconcile for Product {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        let mut m = reconciler.map()?;
        m.put("id", &self.id)?;
        m.put("name", &self.name)?;
        m.put("sku", &self.sku)?;
        m.put("barcodes", &self.barcodes)?;
        m.put("price", DecimalStr(self.price))?;
        m.put("tax_category", &self.tax_category)?;
        m.put("unit", self.unit)?;
        m.put("category", &self.category)?;
        m.put("colour", &self.colour)?;
        m.put("modifiers", &self.modifiers)?;
        m.put("modifier_groups", &self.modifier_groups)?;
        m.put("variants", &self.variants)?;
        m.put("cost", self.cost.map(DecimalStr))?;
        m.put("open_price", self.open_price)?;
        m.put("archived", self.archived)?;
        Ok(())
    }
}

/// A field added after the first version: an older record has no key, and reads as the default.
fn hydrate_added<D: autosurgeon::ReadDoc, T: Hydrate + Default>(
    doc: &D,
    obj: &automerge::ObjId,
    key: &str,
) -> Result<T, HydrateError> {
    if doc.get(obj, key)?.is_none() {
        return Ok(T::default());
    }
    hydrate_prop(doc, obj, key)
}

impl Hydrate for Product {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Product {
            id: hydrate_prop(doc, obj, "id")?,
            name: hydrate_prop(doc, obj, "name")?,
            sku: hydrate_prop(doc, obj, "sku")?,
            barcodes: hydrate_prop(doc, obj, "barcodes")?,
            price: hydrate_decimal(doc, obj, "price")?,
            tax_category: hydrate_prop(doc, obj, "tax_category")?,
            unit: hydrate_prop(doc, obj, "unit")?,
            category: hydrate_prop(doc, obj, "category")?,
            colour: hydrate_prop(doc, obj, "colour")?,
            modifiers: hydrate_prop(doc, obj, "modifiers")?,
            modifier_groups: hydrate_added(doc, obj, "modifier_groups")?,
            variants: hydrate_added(doc, obj, "variants")?,
            cost: hydrate_added::<_, Option<DecimalStr>>(doc, obj, "cost")?.map(|DecimalStr(d)| d),
            open_price: hydrate_added(doc, obj, "open_price")?,
            archived: hydrate_added(doc, obj, "archived")?,
        })
    }
}

impl Reconcile for Unit {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(self.as_str())
    }
}

impl Hydrate for Unit {
    fn hydrate_string(s: &str) -> Result<Self, HydrateError> {
        Unit::parse(s)
            .ok_or_else(|| HydrateError::unexpected("piece, kilogram or litre", s.to_string()))
    }
}

impl Reconcile for Category {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        let mut m = reconciler.map()?;
        m.put("id", &self.id)?;
        m.put("name", &self.name)?;
        m.put("colour", &self.colour)?;
        m.put("position", self.position)?;
        Ok(())
    }
}

impl Hydrate for Category {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Category {
            id: hydrate_prop(doc, obj, "id")?,
            name: hydrate_prop(doc, obj, "name")?,
            colour: hydrate_prop(doc, obj, "colour")?,
            position: hydrate_added(doc, obj, "position")?,
        })
    }
}

impl Reconcile for Variant {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        let mut m = reconciler.map()?;
        m.put("id", &self.id)?;
        m.put("name", &self.name)?;
        m.put("price", DecimalStr(self.price))?;
        m.put("sku", &self.sku)?;
        m.put("barcodes", &self.barcodes)?;
        Ok(())
    }
}

impl Hydrate for Variant {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Variant {
            id: hydrate_prop(doc, obj, "id")?,
            name: hydrate_prop(doc, obj, "name")?,
            price: hydrate_decimal(doc, obj, "price")?,
            sku: hydrate_prop(doc, obj, "sku")?,
            barcodes: hydrate_prop(doc, obj, "barcodes")?,
        })
    }
}

impl Reconcile for ModifierGroup {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        let mut m = reconciler.map()?;
        m.put("id", &self.id)?;
        m.put("name", &self.name)?;
        m.put("modifiers", &self.modifiers)?;
        m.put("min", u64::from(self.min))?;
        m.put("max", self.max.map(u64::from))?;
        Ok(())
    }
}

impl Hydrate for ModifierGroup {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        let count = |n: u64| {
            u32::try_from(n).map_err(|_| HydrateError::unexpected("a count", n.to_string()))
        };
        let max: Option<u64> = hydrate_prop(doc, obj, "max")?;
        Ok(ModifierGroup {
            id: hydrate_prop(doc, obj, "id")?,
            name: hydrate_prop(doc, obj, "name")?,
            modifiers: hydrate_prop(doc, obj, "modifiers")?,
            min: count(hydrate_prop(doc, obj, "min")?)?,
            max: max.map(count).transpose()?,
        })
    }
}

impl Reconcile for Modifier {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        let mut m = reconciler.map()?;
        m.put("id", &self.id)?;
        m.put("name", &self.name)?;
        m.put("price", DecimalStr(self.price))?;
        Ok(())
    }
}

impl Hydrate for Modifier {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Modifier {
            id: hydrate_prop(doc, obj, "id")?,
            name: hydrate_prop(doc, obj, "name")?,
            price: hydrate_decimal(doc, obj, "price")?,
        })
    }
}

impl Reconcile for TaxCategory {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        let mut m = reconciler.map()?;
        m.put("id", &self.id)?;
        m.put("name", &self.name)?;
        m.put("rate", DecimalStr(self.rate))?;
        m.put("fiscal_tag", self.fiscal_tag)?;
        m.put("vat_exempt", self.vat_exempt)?;
        Ok(())
    }
}

impl Hydrate for TaxCategory {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(TaxCategory {
            id: hydrate_prop(doc, obj, "id")?,
            name: hydrate_prop(doc, obj, "name")?,
            rate: hydrate_decimal(doc, obj, "rate")?,
            // Missing in documents written before these fields: no tag, not exempt.
            // (`Option` alone hydrates a null as `None`, but refuses a missing key.)
            fiscal_tag: hydrate_prop::<_, autosurgeon::MaybeMissing<Option<u8>>, _, _>(
                doc,
                obj,
                "fiscal_tag",
            )?
            .unwrap_or_else(|| None),
            vat_exempt: hydrate_prop::<_, autosurgeon::MaybeMissing<bool>, _, _>(
                doc,
                obj,
                "vat_exempt",
            )?
            .unwrap_or_else(|| false),
        })
    }
}
