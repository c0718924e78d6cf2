//! The catalog's records in IndexedDB: one per product (`products`) and `kv` `catalog_meta`,
//! written by the plan `catalog.rs` makes, so a save writes only what changed. Every save also
//! keeps `kv` `catalog_head`, the first screen of products: a start draws the register from it
//! and reads the other products after the first paint (parsing 50,000 records takes seconds on a
//! slow phone).

use super::*;
use crate::storage::{CatalogStart, FIRST_SCREEN_PRODUCTS};

/// Product records planned or put between two paints of the page, in a save of the catalog:
/// putting 50,000 takes seconds in all.
const RECORDS_PER_PART: usize = 1_000;

const CATALOG_HEAD_KEY: &str = "catalog_head";
/// Records fetched by one request while the whole catalog is read after the first paint.
const READ_BATCH: usize = 1_000;
/// Records parsed between two yields to the event loop while the whole catalog is read: a tap
/// during the read waits for this many parses (about 10 ms on a phone), not for a whole batch.
const PARSE_SLICE: usize = 200;

fn parse_product(text: &str) -> Result<catalog::ProductRecord<Product>, StorageError> {
    serde_json::from_str(text)
        .map_err(|e| failed(format!("a product of the catalog is unreadable: {e}")))
}

/// The first products of the catalog as of the save that wrote `catalog_write` = `write`: valid
/// only while `catalog_write` still says so (a save by an older version would not update it).
#[derive(Serialize, Deserialize)]
struct CatalogHead {
    write: String,
    /// How many products the whole catalog has.
    total: usize,
    products: Vec<Product>,
}

impl CatalogHead {
    fn of(write: &str, products: &[Product]) -> CatalogHead {
        CatalogHead {
            write: write.to_string(),
            total: products.len(),
            products: products
                .iter()
                .take(FIRST_SCREEN_PRODUCTS)
                .cloned()
                .collect(),
        }
    }
}

pub(super) async fn read_stored_catalog(
    kv: &ObjectStore<'_>,
    records: &ObjectStore<'_>,
) -> Result<(catalog::Stored, Vec<Product>), StorageError> {
    let meta: Option<catalog::CatalogMeta> = get_json(kv, CATALOG_META_KEY).await?;
    let records = get_all_json(records, None, "a product of the catalog").await?;
    Ok(catalog::Stored::read(meta, records))
}

impl IdbStorage {
    /// The whole catalog, read [`READ_BATCH`] records and parsed [`PARSE_SLICE`] at a time, the
    /// next slice when the page is idle: a start reads it while the register is already in use, and one transaction for
    /// 50,000 records held the page for a second (a sales list opened meanwhile waited for all of
    /// it). What a save needs to know of the records (`KnownCatalog`) is worked out by the first
    /// save, not here.
    pub(super) async fn read_catalog(&self) -> Result<Option<(Store, Catalog)>, StorageError> {
        // A save between two batches would mix two catalogs: then the read starts again, and
        // after a few such saves it reads in one transaction.
        for _ in 0..3 {
            if let Some(read) = self.read_catalog_in_batches().await? {
                return Ok(read);
            }
        }
        self.read_catalog_at_once().await
    }

    /// `None` when a save came between the batches.
    async fn read_catalog_in_batches(
        &self,
    ) -> Result<Option<Option<(Store, Catalog)>>, StorageError> {
        let read_kv = || async {
            let tx = self.readonly([KV])?;
            let kv = tx.object_store(KV).map_err(classify)?;
            let meta: Option<catalog::CatalogMeta> = get_json(&kv, CATALOG_META_KEY).await?;
            let write: Option<String> = get_json(&kv, CATALOG_WRITE_KEY).await?;
            Ok::<_, StorageError>((meta, write))
        };
        let (meta, write) = read_kv().await?;
        let Some(meta) = meta else {
            return Ok(Some(None));
        };
        let mut records: Vec<catalog::ProductRecord<Product>> = Vec::new();
        loop {
            let texts: Vec<String> = {
                let tx = self.readonly([PRODUCTS])?;
                let store = tx.object_store(PRODUCTS).map_err(classify)?;
                let after = records.last().map(|r| r.product.id.clone());
                let texts = match after {
                    Some(after) => {
                        store
                            .get_all::<String>()
                            .with_query::<String, _>(KeyRange::LowerBound(after, true))
                            .with_limit(READ_BATCH as u32)
                            .primitive()
                            .map_err(classify)?
                            .await
                    }
                    None => {
                        store
                            .get_all::<String>()
                            .with_limit(READ_BATCH as u32)
                            .primitive()
                            .map_err(classify)?
                            .await
                    }
                };
                texts
                    .map_err(classify)?
                    .collect::<Result<_, _>>()
                    .map_err(classify)?
            };
            let last_batch = texts.len() < READ_BATCH;
            for slice in texts.chunks(PARSE_SLICE) {
                for text in slice {
                    records.push(parse_product(text)?);
                }
                crate::browser::idle(200).await;
            }
            if last_batch {
                break;
            }
        }
        if read_kv().await?.1 != write {
            return Ok(None);
        }
        Ok(Some(Some(meta.join(catalog::in_catalog_order(records)))))
    }

    async fn read_catalog_at_once(&self) -> Result<Option<(Store, Catalog)>, StorageError> {
        let tx = self.readonly([KV, PRODUCTS])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let meta: Option<catalog::CatalogMeta> = get_json(&kv, CATALOG_META_KEY).await?;
        let records = get_all_json(
            &tx.object_store(PRODUCTS).map_err(classify)?,
            None,
            "a product of the catalog",
        )
        .await?;
        Ok(meta.map(|meta| meta.join(catalog::in_catalog_order(records))))
    }

    /// The store profile, the catalog but its products, and the first screen of products, from
    /// `catalog_head`. Without a valid head (a catalog saved before heads were kept) the whole
    /// catalog is read, and its head written for the next start.
    pub(super) async fn read_catalog_start(&self) -> Result<Option<CatalogStart>, StorageError> {
        let (meta, write, head) = {
            let tx = self.readonly([KV])?;
            let kv = tx.object_store(KV).map_err(classify)?;
            let meta: Option<catalog::CatalogMeta> = get_json(&kv, CATALOG_META_KEY).await?;
            let write: Option<String> = get_json(&kv, CATALOG_WRITE_KEY).await?;
            // An unreadable head is only a slower start: the whole catalog is read instead.
            let head: Option<CatalogHead> = get_json(&kv, CATALOG_HEAD_KEY).await.ok().flatten();
            (meta, write, head)
        };
        let Some(meta) = meta else { return Ok(None) };
        match (write, head) {
            (Some(write), Some(head)) if head.write == write => {
                let whole = head.total <= head.products.len();
                let (store, catalog) = meta.join(head.products);
                Ok(Some(CatalogStart {
                    store,
                    catalog,
                    whole,
                }))
            }
            (write, _) => {
                let Some((store, catalog)) = self.read_catalog().await? else {
                    return Ok(None);
                };
                if let Some(write) = write {
                    // Best effort: without it the next start reads the whole catalog again.
                    let _ = self.write_catalog_head(&write, &catalog.products).await;
                }
                Ok(Some(CatalogStart {
                    store,
                    catalog,
                    whole: true,
                }))
            }
        }
    }

    async fn write_catalog_head(
        &self,
        write: &str,
        products: &[Product],
    ) -> Result<(), StorageError> {
        let tx = self.readwrite([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        // Only over the save it belongs to: a save in between has written its own.
        let now: Option<String> = get_json(&kv, CATALOG_WRITE_KEY).await?;
        if now.as_deref() == Some(write) {
            put_json(&kv, CATALOG_HEAD_KEY, &CatalogHead::of(write, products))?;
        }
        tx.commit().await.map_err(classify)
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
        crate::browser::mark("idb:plan");
        let mut planner = catalog::Planner::new(before, meta, &products);
        while !planner.step(RECORDS_PER_PART).map_err(failed)? {
            // A read in the same transaction: the page draws while it waits, and the
            // transaction stays open because a request of it is pending.
            let _: Option<String> = get_json(&kv, CATALOG_WRITE_KEY).await?;
        }
        let plan = planner.finish();
        crate::browser::mark("idb:planned");
        if plan.is_empty() {
            if let Some(write) = write {
                let head: Option<CatalogHead> =
                    get_json(&kv, CATALOG_HEAD_KEY).await.ok().flatten();
                if head.is_none_or(|head| head.write != write) {
                    put_json(&kv, CATALOG_HEAD_KEY, &CatalogHead::of(&write, &products))?;
                }
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
        let parts = plan.put.len().div_ceil(RECORDS_PER_PART);
        let mut put = plan.put.into_iter();
        for _ in 0..parts {
            let part: Vec<(String, String)> = put.by_ref().take(RECORDS_PER_PART).collect();
            let last = part.len() - 1;
            for (at, (id, json)) in part.into_iter().enumerate() {
                let request = records.put(json).with_key(id);
                if at == last && parts > 1 {
                    // Waiting for the part's last record lets the page draw between parts.
                    request.await.map_err(classify)?;
                } else {
                    request.primitive().map_err(classify)?;
                }
            }
        }
        crate::browser::mark("idb:put");
        if let Some(meta) = &plan.meta {
            put_json(&kv, CATALOG_META_KEY, meta)?;
        }
        let write = Uuid::now_v7().to_string();
        put_json(&kv, CATALOG_WRITE_KEY, &write)?;
        put_json(&kv, CATALOG_HEAD_KEY, &CatalogHead::of(&write, &products))?;
        self.known_catalog.set(Some(KnownCatalog {
            write,
            stored: plan.stored,
        }));
        tx.commit().await.map_err(classify)
    }
}
