//! The catalog's records in IndexedDB: one per product (`products`) and `kv` `catalog_meta`,
//! read whole at start and written by the plan `catalog.rs` makes, so a save writes only what
//! changed.

use super::*;

pub(super) async fn read_stored_catalog(
    kv: &ObjectStore<'_>,
    records: &ObjectStore<'_>,
) -> Result<(catalog::Stored, Vec<Product>), StorageError> {
    let meta: Option<catalog::CatalogMeta> = get_json(kv, CATALOG_META_KEY).await?;
    let records = get_all_json(records, None, "a product of the catalog").await?;
    Ok(catalog::Stored::read(meta, records))
}

impl IdbStorage {
    pub(super) async fn read_catalog(&self) -> Result<Option<(Store, Catalog)>, StorageError> {
        let tx = self.readonly([KV, PRODUCTS])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let write: Option<String> = get_json(&kv, CATALOG_WRITE_KEY).await?;
        let (stored, products) =
            read_stored_catalog(&kv, &tx.object_store(PRODUCTS).map_err(classify)?).await?;
        let meta = stored.meta.clone();
        self.known_catalog
            .set(write.map(|write| KnownCatalog { write, stored }));
        Ok(meta.map(|meta| meta.join(products)))
    }

    /// Writes the products that differ from what is stored, deletes those that are gone, and the
    /// store profile and the rest of the catalog if they changed, in one transaction.
    pub(super) async fn write_catalog(
        &self,
        store: Store,
        whole: Catalog,
    ) -> Result<(), StorageError> {
        let (meta, products) = catalog::CatalogMeta::split(store, whole);
        let tx = self.readwrite([KV, PRODUCTS])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let records = tx.object_store(PRODUCTS).map_err(classify)?;
        // Read in this transaction: transactions on the catalog run one at a time, so what this
        // says is what the last committed save wrote.
        let write: Option<String> = get_json(&kv, CATALOG_WRITE_KEY).await?;
        let known = self
            .known_catalog
            .take()
            .filter(|k| write.as_ref() == Some(&k.write));
        let before = match known {
            Some(known) => known.stored,
            None => read_stored_catalog(&kv, &records).await?.0,
        };
        let plan = catalog::plan(before, meta, &products).map_err(failed)?;
        if plan.is_empty() {
            if let Some(write) = write {
                self.known_catalog.set(Some(KnownCatalog {
                    write,
                    stored: plan.stored,
                }));
            }
            return tx.commit().await.map_err(classify);
        }
        for id in &plan.delete {
            records.delete(id.as_str()).primitive().map_err(classify)?;
        }
        for (id, json) in plan.put {
            records
                .put(json)
                .with_key(id)
                .primitive()
                .map_err(classify)?;
        }
        if let Some(meta) = &plan.meta {
            put_json(&kv, CATALOG_META_KEY, meta)?;
        }
        let write = Uuid::now_v7().to_string();
        put_json(&kv, CATALOG_WRITE_KEY, &write)?;
        self.known_catalog.set(Some(KnownCatalog {
            write,
            stored: plan.stored,
        }));
        tx.commit().await.map_err(classify)
    }
}
