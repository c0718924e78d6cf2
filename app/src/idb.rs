//! [`Storage`] on IndexedDB, through `indexed_db_futures`.
//!
//! Layout (database `register`):
//! - `kv`: out-of-line keys, JSON string values: `device` (code and last receipt sequence),
//!   `ticket:<slot>` (each tab's open ticket; see `browser::ticket_slot`).
//! - `sales`: key path `id` (UUIDv7, so key order is time order); records `{id, receipt, json}`;
//!   index `by_receipt` (unique, since schema version 2).
//! - `kv` keys `customer:<id>`: the store's customers as this device keeps them (issue 14;
//!   `customers.rs`); `customerkey:<id>`, `customerkeyout:<id>` and `customererase:<id>`: their
//!   keys, the keys and the erasures the server has not heard of yet (`customer_keys.rs`).
//! - `kv` keys `refund:<sale id>`: the refund of that sale, from the moment it is started (its
//!   id and what is in flight at the card terminal) to its completion.
//! - `audit` (since version 3): auto-incremented keys, JSON string values: each opening of the
//!   cash drawer, in order. `kv` key `printer` holds the printer setup.
//!
//! - `docs` (since version 3): key path `key`; records `{key, bytes}`: the store's Automerge
//!   documents as `<doc>/s/<heads>` (snapshots), `<doc>/i/<heads>` (incremental chunks) and
//!   `<doc>/y/<server>` (the sync state with that server).
//!
//! - `outbox` (since version 4): out-of-line keys (the record's UUIDv7), JSON string values:
//!   the sales and refunds committed but not yet folded into the store's documents. `kv` keys
//!   `unacked_days` (this device's days the server has not acknowledged) and `writer_session`
//!   (the last Automerge writer number handed out).
//!
//! - `kv` keys `giftop:<op id>` (the gift card outbox: operations waiting for the server, put in
//!   the transaction of the sale or refund that made them) and `giftcard:<number>` (what the
//!   server last said of a card); see `idb/gift_cards.rs`.
//!
//! - `products` (since version 5): out-of-line keys (the product id), JSON string values
//!   `{pos, product}`: the catalog's quick-start copy, one record per product, in the catalog's
//!   order by `pos`. `kv` key `catalog_meta` holds the store profile and the rest of the catalog
//!   (categories, modifiers, tax categories, the demo flag), `catalog_write` the id of the last
//!   save. A save writes only the products that changed (see `catalog.rs`). Before version 5 the
//!   whole store and catalog were one JSON text under `kv` `catalog` (10.7 MB for 50,000
//!   products, rewritten at every save); the upgrade to 5 splits it into records in the upgrade
//!   transaction, so it either ends with the records and without that entry or leaves version 4.
//!
//! A sale, its receipt number, its outbox entry and the removal of the open ticket are one
//! readwrite transaction with strict durability, awaited until it has committed. The documents
//! follow from the outbox in a transaction of their own (`fold_outbox`).

mod catalog;
mod catalog_records;
mod customer_keys;
mod customers;
mod documents;
mod gift_cards;
mod history;
mod loyalty;
mod migrate;
mod shifts;

use std::cell::Cell;

use indexed_db_futures::KeyRange;
use indexed_db_futures::cursor::CursorDirection;
use indexed_db_futures::database::Database;
use indexed_db_futures::object_store::ObjectStore;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::{TransactionDurability, TransactionMode, TransactionOptions};
use pos_core::{Catalog, Product, ReceiptNumber, Refund, Sale, Store, Ticket, Uuid};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::storage::{
    CatalogStart, DeviceInfo, DocWrite, DrawerOpening, Membership, OpenTicket, OutboxItem,
    Outgoing, PendingPayment, RefundRecord, Storage, StorageError, StorageFuture,
};

pub const DB_NAME: &str = "register";
/// Version 1: `kv` and `sales`. Version 2: the `by_receipt` index for searching past sales.
/// Version 3: `docs`, the store's shared documents, and `audit`, the cash drawer's openings.
/// Version 4: `outbox`, committed records on their way into the documents.
/// Version 5: `products`, the catalog as one record per product.
pub const DB_VERSION: u32 = 5;

const KV: &str = "kv";
const SALES: &str = "sales";
const BY_RECEIPT: &str = "by_receipt";
const DOCS: &str = "docs";
const MEMBERSHIP_KEY: &str = "membership";
/// The whole store and catalog as one JSON text, before version 5.
const WHOLE_CATALOG_KEY: &str = "catalog";
const PRODUCTS: &str = "products";
const CATALOG_META_KEY: &str = "catalog_meta";
const CATALOG_WRITE_KEY: &str = "catalog_write";
const DEVICE_KEY: &str = "device";
const AUDIT: &str = "audit";
const REFUND_PREFIX: &str = "refund:";
/// Shifts in `kv`, by their UUIDv7 id: in the order they were opened.
const SHIFT_PREFIX: &str = "shift:";
/// The store's customers in `kv`, by id (issue 14).
const CUSTOMER_PREFIX: &str = "customer:";
const OUTBOX: &str = "outbox";
const UNACKED_DAYS_KEY: &str = "unacked_days";
const WRITER_SESSION_KEY: &str = "writer_session";

/// An outbox entry as stored: a sale by its id (the sale itself is in `sales`), or a refund whole.
#[derive(Serialize, Deserialize)]
struct OutboxEntry {
    key: String,
    store: Option<Uuid>,
    #[serde(default)]
    sale: Option<Uuid>,
    #[serde(default)]
    refund: Option<Refund>,
    /// A staff member's action for the audit log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audit: Option<pos_core::staff::AuditEntry>,
    /// A shift after one of its steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shift: Option<pos_core::shift::ShiftState>,
    /// A change to the store's customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer: Option<pos_core::customer::CustomerChange>,
}

fn put_outbox(outbox: &ObjectStore<'_>, entry: &OutboxEntry) -> Result<(), StorageError> {
    outbox
        .put(serde_json::to_string(entry).map_err(failed)?)
        .with_key(entry.key.clone())
        .primitive()
        .map_err(classify)?;
    Ok(())
}

/// The text kept under `key` in the key-value store; `None` when there is none.
async fn get_text(kv: &ObjectStore<'_>, key: &str) -> Result<Option<String>, StorageError> {
    kv.get(key)
        .primitive()
        .map_err(classify)?
        .await
        .map_err(classify)
}

/// The value kept as JSON under `key` in the key-value store; `None` when there is none.
async fn get_json<T: for<'de> Deserialize<'de>>(
    kv: &ObjectStore<'_>,
    key: &str,
) -> Result<Option<T>, StorageError> {
    let text = get_text(kv, key).await?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| failed(format!("{key} is unreadable: {e}"))))
        .transpose()
}

/// Puts `value` as JSON under `key`, within the caller's transaction.
fn put_json<T: Serialize>(kv: &ObjectStore<'_>, key: &str, value: &T) -> Result<(), StorageError> {
    kv.put(serde_json::to_string(value).map_err(failed)?)
        .with_key(key.to_string())
        .primitive()
        .map_err(classify)?;
    Ok(())
}

/// Every value of `store` whose key is in `keys` (all when `None`), each the JSON text of a `T`;
/// `what` names one in the error when one is unreadable.
async fn get_all_json<T: for<'de> Deserialize<'de>>(
    store: &ObjectStore<'_>,
    keys: Option<KeyRange<String>>,
    what: &str,
) -> Result<Vec<T>, StorageError> {
    let texts = match keys {
        Some(keys) => {
            store
                .get_all::<String>()
                .with_query::<String, _>(keys)
                .primitive()
                .map_err(classify)?
                .await
        }
        None => {
            store
                .get_all::<String>()
                .primitive()
                .map_err(classify)?
                .await
        }
    }
    .map_err(classify)?;
    texts
        .map(|text| {
            let text = text.map_err(classify)?;
            serde_json::from_str(&text).map_err(|e| failed(format!("{what} is unreadable: {e}")))
        })
        .collect()
}

impl IdbStorage {
    /// Every value in `kv` whose key starts with `prefix` (`shift:`, `refund:`, `customer:`),
    /// in key order, each the JSON text of a `T`; `what` names one in the error.
    async fn all_with_prefix<T: for<'de> Deserialize<'de>>(
        &self,
        prefix: &str,
        what: &str,
    ) -> Result<Vec<T>, StorageError> {
        let tx = self.readonly([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let upper = format!("{prefix}\u{ffff}");
        let keys = KeyRange::Bound(prefix.to_string(), false, upper, false);
        get_all_json(&kv, Some(keys), what).await
    }
}

/// What is stored of the catalog, and its products in the catalog's order.

fn refund_key(record: &RefundRecord) -> String {
    format!("{REFUND_PREFIX}{}:{}", record.sale_id, record.id)
}

#[derive(Serialize, Deserialize)]
struct SaleRecord {
    id: String,
    receipt: String,
    json: String,
}

impl SaleRecord {
    fn new(sale: &Sale) -> Result<SaleRecord, StorageError> {
        Ok(SaleRecord {
            id: sale.id().to_string(),
            receipt: sale.receipt_number().to_string(),
            json: serde_json::to_string(sale).map_err(|e| StorageError::Failed(e.to_string()))?,
        })
    }

    fn sale(&self) -> Result<Sale, StorageError> {
        serde_json::from_str(&self.json)
            .map_err(|e| StorageError::Failed(format!("a stored sale is unreadable: {e}")))
    }
}

#[derive(Serialize, Deserialize)]
struct DocRecord {
    key: String,
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
}

/// What this `IdbStorage` knows to be stored of the catalog, as of the save or load that left
/// `catalog_write` at `write`. Trusted only while `catalog_write` still says so: a save by another
/// tab or by the sync worker (each has its own `IdbStorage`), or a save of this one that did not
/// commit, leaves another id there, and then the next save reads what is stored instead.
struct KnownCatalog {
    write: String,
    stored: catalog::Stored,
}

pub struct IdbStorage {
    db: Database,
    slot: u32,
    /// The last open ticket this tab wrote had a payment (see `save_open_ticket`).
    payment_written: Cell<bool>,
    known_catalog: Cell<Option<KnownCatalog>>,
}

fn failed(e: impl std::fmt::Display) -> StorageError {
    StorageError::Failed(e.to_string())
}

/// Names the DOMException behind an IndexedDB error, so a full disk reads as such.
fn classify(error: indexed_db_futures::error::Error) -> StorageError {
    if let indexed_db_futures::error::Error::DomException(dom) = &error {
        let value: &JsValue = dom.as_ref();
        if let Some(dom) = value.dyn_ref::<web_sys::DomException>() {
            return match dom.name().as_str() {
                "QuotaExceededError" => StorageError::QuotaExceeded,
                name => StorageError::Failed(format!("{name}: {}", dom.message())),
            };
        }
    }
    failed(error)
}

fn js_error(value: JsValue) -> StorageError {
    if let Some(dom) = value.dyn_ref::<web_sys::DomException>() {
        if dom.name() == "QuotaExceededError" {
            return StorageError::QuotaExceeded;
        }
        return StorageError::Failed(format!("{}: {}", dom.name(), dom.message()));
    }
    StorageError::Failed(value.as_string().unwrap_or_else(|| format!("{value:?}")))
}

impl IdbStorage {
    /// Opens the database, creating or migrating it to [`DB_VERSION`], and creates this device's
    /// code on first use.
    pub async fn open(
        slot: u32,
        new_device_code: impl FnOnce() -> String,
    ) -> Result<IdbStorage, StorageError> {
        migrate::migrate().await?;
        let db = Database::open(DB_NAME)
            .with_version(DB_VERSION)
            .await
            .map_err(|e| match e {
                indexed_db_futures::error::OpenDbError::Base(e) => classify(e),
                e => failed(e),
            })?;
        let storage = IdbStorage {
            db,
            slot,
            payment_written: Cell::new(false),
            known_catalog: Cell::new(None),
        };
        storage.ensure_device(new_device_code).await?;
        Ok(storage)
    }

    fn ticket_key(&self) -> String {
        format!("ticket:{}", self.slot)
    }

    async fn ensure_device(
        &self,
        new_device_code: impl FnOnce() -> String,
    ) -> Result<(), StorageError> {
        let tx = self.readwrite([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        // Only whether it exists: a record that no longer parses is left for the next sale to
        // report, rather than stopping the register from opening.
        if get_text(&kv, DEVICE_KEY).await?.is_none() {
            let device = DeviceInfo {
                code: new_device_code(),
                last_sequence: 0,
            };
            put_json(&kv, DEVICE_KEY, &device)?;
        }
        tx.commit().await.map_err(classify)
    }

    async fn read_json<T: for<'de> Deserialize<'de>>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        let tx = self.readonly([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        get_json(&kv, key).await
    }

    async fn write_json<T: Serialize>(&self, key: &str, value: &T) -> Result<(), StorageError> {
        let tx = self.readwrite([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        put_json(&kv, key, value)?;
        tx.commit().await.map_err(classify)
    }

    async fn commit(
        &self,
        ticket: Ticket,
        pending: PendingPayment,
        at_ms: i64,
        store: Option<Uuid>,
    ) -> Result<Sale, StorageError> {
        let tx = self.strict([KV, SALES, OUTBOX])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let sales = tx.object_store(SALES).map_err(classify)?;
        let id = pending.sale_id.to_string();

        // A retry of a sale already kept returns it: never a second sale, never a second number.
        // Both reads go out at once; requests run as soon as they are built.
        let kept = sales.get(id.as_str()).serde().map_err(classify)?;
        let device = kv.get(DEVICE_KEY).primitive().map_err(classify)?;
        let kept: Option<SaleRecord> = kept.await.map_err(classify)?;
        let device_json: Option<String> = device.await.map_err(classify)?;
        let sale = match kept {
            Some(record) => record.sale()?,
            None => {
                let mut device: DeviceInfo = device_json
                    .as_deref()
                    .map(serde_json::from_str)
                    .transpose()
                    .map_err(failed)?
                    .ok_or_else(|| failed("this device has no receipt sequence"))?;
                device.last_sequence += 1;
                let number = ReceiptNumber {
                    device_code: device.code.clone(),
                    sequence: device.last_sequence,
                };
                let mut sale = ticket
                    .complete(&pending.payment, pending.sale_id, number, at_ms)
                    .map_err(StorageError::Sale)?;
                if pending.training {
                    sale = sale.in_training();
                }
                sale = sale
                    .taken_by(pending.cashier.clone())
                    .for_customer(pending.customer)
                    .earning_points(pending.points_rule.as_ref(), pending.points_before);
                sales
                    .add(SaleRecord::new(&sale)?)
                    .serde()
                    .map_err(classify)?;
                put_json(&kv, DEVICE_KEY, &device)?;
                let outbox = tx.object_store(OUTBOX).map_err(classify)?;
                put_outbox(
                    &outbox,
                    &OutboxEntry {
                        key: id.clone(),
                        store,
                        sale: Some(sale.id()),
                        refund: None,
                        audit: None,
                        shift: None,
                        customer: None,
                    },
                )?;
                if let Some(exchange) = &pending.exchange {
                    let record = exchange.record(pending.payment.exchange_credit(), at_ms);
                    put_exchange_refund(&kv, &outbox, &exchange.sale, record, store).await?;
                }
                // The gift cards it sold are activated on the server from the gift card outbox;
                // the server takes the device from the token that sends them.
                if store.is_some() {
                    gift_cards::put_gift_card_ops(&kv, &sale.gift_card_issues(Uuid::nil()))?;
                    // The points it earned its customer, through the points outbox likewise.
                    let earned: Vec<_> = sale.points_earned_op(Uuid::nil()).into_iter().collect();
                    loyalty::put_points_ops(&kv, &earned)?;
                }
                sale
            }
        };
        kv.delete(self.ticket_key()).primitive().map_err(classify)?;
        tx.commit().await.map_err(classify)?;
        Ok(sale)
    }

    /// A readonly transaction on `stores`.
    fn readonly<const N: usize>(
        &self,
        stores: [&str; N],
    ) -> Result<indexed_db_futures::transaction::Transaction<'_>, StorageError> {
        self.db.transaction(stores).build().map_err(classify)
    }

    /// A readwrite transaction on `stores` with the browser's default durability.
    fn readwrite<const N: usize>(
        &self,
        stores: [&str; N],
    ) -> Result<indexed_db_futures::transaction::Transaction<'_>, StorageError> {
        self.db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()
            .map_err(classify)
    }

    /// A readwrite transaction on `stores` that commits with strict durability: what it wrote is
    /// on disk when it resolves.
    fn strict<const N: usize>(
        &self,
        stores: [&str; N],
    ) -> Result<indexed_db_futures::transaction::Transaction<'_>, StorageError> {
        let mut options = TransactionOptions::new();
        options.set_durability(TransactionDurability::Strict);
        self.db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .with_options(options)
            .build()
            .map_err(classify)
    }

    async fn put_refund(&self, record: RefundRecord) -> Result<RefundRecord, StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let kept = refunds_of_sale(&kv, record.sale_id).await?;
        // A refund never goes back from completed, and a sale never has two unfinished refunds
        // (two tabs, or a retry that lost its record): the one kept is carried on instead.
        let same = kept.iter().find(|(_, k)| k.id == record.id);
        let other_unfinished = kept
            .iter()
            .find(|(_, k)| k.id != record.id && !k.is_completed());
        if let Some((_, kept)) = same.filter(|(_, k)| k.is_completed()).or(other_unfinished) {
            let kept = kept.clone();
            tx.commit().await.map_err(classify)?;
            return Ok(kept);
        }
        let key = same.map_or_else(|| refund_key(&record), |(key, _)| key.clone());
        put_json(&kv, &key, &record)?;
        tx.commit().await.map_err(classify)?;
        Ok(record)
    }

    async fn complete_refund(
        &self,
        mut record: RefundRecord,
        store: Option<Uuid>,
    ) -> Result<RefundRecord, StorageError> {
        let tx = self.strict([KV, SALES, OUTBOX])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let kept = refunds_of_sale(&kv, record.sale_id).await?;
        if let Some((_, done)) = kept.iter().find(|(_, k)| k.id == record.id && k.is_completed()) {
            let done = done.clone();
            tx.commit().await.map_err(classify)?;
            return Ok(done);
        }
        if kept
            .iter()
            .any(|(_, k)| k.id != record.id && !k.is_completed())
        {
            return Err(failed("another refund of this sale was started"));
        }
        let key = kept
            .iter()
            .find(|(_, k)| k.id == record.id)
            .map_or_else(|| refund_key(&record), |(key, _)| key.clone());
        let sale = match record.goods.clone() {
            // Goods with no receipt: their sale was made for the refund alone.
            Some(goods) => goods,
            None => {
                let sales = tx.object_store(SALES).map_err(classify)?;
                let sale: Option<SaleRecord> = sales
                    .get(record.sale_id.to_string().as_str())
                    .serde()
                    .map_err(classify)?
                    .await
                    .map_err(classify)?;
                sale.ok_or_else(|| failed("the refunded sale is not on this device"))?
                    .sale()?
            }
        };
        record.card_in_flight = None;
        let at_ms = js_sys::Date::now() as i64;
        record.completed_at_ms = Some(at_ms);
        put_json(&kv, &key, &record)?;
        if store.is_some() {
            // Its gift card parts go back onto their cards through the gift card outbox; goods
            // with no receipt given back as store credit are issued on a new card instead.
            let staff = sale.cashier().map_or(Uuid::nil(), |c| c.id);
            let refund = record.as_refund(&sale);
            let ops = if record.goods.is_some() {
                refund.store_credit_ops(&sale, staff, Uuid::nil(), at_ms)
            } else {
                refund.gift_card_ops(&sale, staff, Uuid::nil(), at_ms)
            };
            gift_cards::put_gift_card_ops(&kv, &ops)?;
            // Its share of the points the sale earned is taken back, and points it paid with
            // are given back, through the points outbox.
            let before = refunded_before(&kept, &record, &sale);
            let refund = record.as_refund(&sale);
            loyalty::put_points_ops(&kv, &refund.points_ops(&sale, before, staff, Uuid::nil(), at_ms))?;
        }
        put_outbox(
            &tx.object_store(OUTBOX).map_err(classify)?,
            &OutboxEntry {
                key: record.id.to_string(),
                store,
                sale: None,
                refund: Some(record.as_refund(&sale)),
                audit: None,
                shift: None,
                customer: None,
            },
        )?;
        tx.commit().await.map_err(classify)?;
        Ok(record)
    }
}

/// What the completed refunds of `sale` other than `record` paid back: the share of its points
/// already taken back follows from it.
fn refunded_before<K>(kept: &[(K, RefundRecord)], record: &RefundRecord, sale: &Sale) -> pos_core::Decimal {
    kept.iter()
        .filter(|(_, k)| k.id != record.id && k.is_completed())
        .map(|(_, k)| k.as_refund(sale).amount)
        .sum()
}

/// Keeps the refund of the goods an exchange brought back, in the transaction of the sale that
/// took them as credit; into the outbox at once unless a card part is still to go back.
async fn put_exchange_refund(
    kv: &ObjectStore<'_>,
    outbox: &ObjectStore<'_>,
    sale: &Sale,
    record: RefundRecord,
    store: Option<Uuid>,
) -> Result<(), StorageError> {
    let kept = refunds_of_sale(kv, record.sale_id).await?;
    if kept.iter().any(|(_, k)| !k.is_completed()) {
        return Err(failed("another refund of this sale was started"));
    }
    put_json(kv, &refund_key(&record), &record)?;
    if record.is_completed() {
        let refund = record.as_refund(sale);
        if store.is_some() {
            // What the new goods did not take of a gift card's part goes back onto the card.
            let staff = sale.cashier().map_or(Uuid::nil(), |c| c.id);
            let at_ms = record.completed_at_ms.unwrap_or(record.at_ms);
            gift_cards::put_gift_card_ops(kv, &refund.gift_card_ops(sale, staff, Uuid::nil(), at_ms))?;
            let before = refunded_before(&kept, &record, sale);
            loyalty::put_points_ops(kv, &refund.points_ops(sale, before, staff, Uuid::nil(), at_ms))?;
        }
        put_outbox(
            outbox,
            &OutboxEntry {
                key: record.id.to_string(),
                store,
                sale: None,
                refund: Some(refund),
                audit: None,
                shift: None,
                customer: None,
            },
        )?;
    }
    Ok(())
}

/// The refunds of one sale kept here, with their keys: the one kept before refunds took lines
/// (`refund:<sale>`) and those kept since (`refund:<sale>:<refund>`).
async fn refunds_of_sale(
    kv: &ObjectStore<'_>,
    sale_id: Uuid,
) -> Result<Vec<(String, RefundRecord)>, StorageError> {
    let whole_sale_key = format!("{REFUND_PREFIX}{sale_id}");
    let mut kept = Vec::new();
    if let Some(record) = get_json::<RefundRecord>(kv, &whole_sale_key).await? {
        kept.push((whole_sale_key.clone(), record));
    }
    let lower = format!("{whole_sale_key}:");
    let upper = format!("{whole_sale_key}:\u{ffff}");
    let range = KeyRange::Bound(lower, false, upper, false);
    let records: Vec<RefundRecord> = get_all_json(kv, Some(range), "a refund").await?;
    kept.extend(records.into_iter().map(|r| (refund_key(&r), r)));
    Ok(kept)
}

impl Storage for IdbStorage {
    fn device(&self) -> StorageFuture<'_, DeviceInfo> {
        Box::pin(async move {
            self.read_json(DEVICE_KEY)
                .await?
                .ok_or_else(|| failed("this device has no code"))
        })
    }

    fn load_catalog(&self) -> StorageFuture<'_, Option<(Store, Catalog)>> {
        Box::pin(self.read_catalog())
    }

    fn load_catalog_start(&self) -> StorageFuture<'_, Option<CatalogStart>> {
        Box::pin(self.read_catalog_start())
    }

    fn save_catalog(&self, store: Store, catalog: Catalog) -> StorageFuture<'_, ()> {
        Box::pin(self.write_catalog(store, catalog))
    }

    fn load_open_ticket(&self) -> StorageFuture<'_, Option<OpenTicket>> {
        Box::pin(async move { self.read_json(&self.ticket_key()).await })
    }

    fn save_open_ticket(&self, open: OpenTicket) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            // With a payment open, a write may set a card amount in flight (before the terminal
            // hears of it) or clear it (with the approval it turned into): with the default
            // durability a power cut could lose either, and the card would be charged again or
            // its approval forgotten. Strict is slower, so ticket edits before payment stay
            // default: they come with every tap, and losing one loses no money.
            // The first write after a payment (the empty ticket once the sale is kept, say)
            // supersedes what was in flight, so it is strict too.
            let after_payment = self.payment_written.replace(open.payment.is_some());
            if open.payment.is_some() || after_payment {
                let tx = self.strict([KV])?;
                let kv = tx.object_store(KV).map_err(classify)?;
                put_json(&kv, &self.ticket_key(), &open)?;
                tx.commit().await.map_err(classify)
            } else {
                self.write_json(&self.ticket_key(), &open).await
            }
        })
    }

    fn load_setting(&self, key: &'static str) -> StorageFuture<'_, Option<serde_json::Value>> {
        Box::pin(async move { self.read_json(key).await })
    }

    fn save_setting(&self, key: &'static str, value: serde_json::Value) -> StorageFuture<'_, ()> {
        Box::pin(async move { self.write_json(key, &value).await })
    }

    fn commit_sale(
        &self,
        ticket: Ticket,
        payment: PendingPayment,
        at_ms: i64,
        store: Option<Uuid>,
    ) -> StorageFuture<'_, Sale> {
        Box::pin(self.commit(ticket, payment, at_ms, store))
    }

    fn recent_sales(&self, before: Option<Uuid>, limit: usize) -> StorageFuture<'_, Vec<Sale>> {
        Box::pin(self.page(before, limit))
    }

    fn find_by_receipt(&self, receipt: String) -> StorageFuture<'_, Option<Sale>> {
        Box::pin(self.by_receipt(receipt))
    }

    fn find_sale(&self, id: Uuid) -> StorageFuture<'_, Option<Sale>> {
        Box::pin(self.by_id(id))
    }

    fn set_device_code(&self, code: String) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let tx = self.strict([KV])?;
            let kv = tx.object_store(KV).map_err(classify)?;
            let mut device: DeviceInfo = get_json(&kv, DEVICE_KEY)
                .await?
                .ok_or_else(|| failed("this device has no receipt sequence"))?;
            // The sequence goes on: restarting it at 1 would print a number again.
            device.code = code;
            put_json(&kv, DEVICE_KEY, &device)?;
            tx.commit().await.map_err(classify)
        })
    }

    fn load_membership(&self) -> StorageFuture<'_, Option<Membership>> {
        Box::pin(async move { self.read_json(MEMBERSHIP_KEY).await })
    }

    fn save_membership(&self, membership: Membership) -> StorageFuture<'_, ()> {
        Box::pin(async move { self.write_json(MEMBERSHIP_KEY, &membership).await })
    }

    fn load_doc_chunks(&self, prefix: String) -> StorageFuture<'_, Vec<(String, Vec<u8>)>> {
        Box::pin(self.doc_chunks(prefix))
    }

    fn save_docs(
        &self,
        writes: Vec<DocWrite>,
        sales: Vec<Sale>,
        refunds: Vec<Refund>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.write_docs(writes, sales, refunds))
    }

    fn outbox(&self) -> StorageFuture<'_, Vec<OutboxItem>> {
        Box::pin(self.read_outbox())
    }

    fn fold_outbox(
        &self,
        writes: Vec<DocWrite>,
        folded: Vec<String>,
        own_days: Vec<String>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.fold(writes, folded, own_days))
    }

    fn claim_for_store(&self, keys: Vec<String>, store: Uuid) -> StorageFuture<'_, ()> {
        Box::pin(self.claim_outbox_keys(keys, store))
    }

    fn drop_from_outbox(&self, keys: Vec<String>) -> StorageFuture<'_, ()> {
        Box::pin(self.drop_outbox_keys(keys))
    }

    fn unacknowledged_days(&self) -> StorageFuture<'_, Vec<String>> {
        Box::pin(async move {
            Ok(self
                .read_json::<Vec<String>>(UNACKED_DAYS_KEY)
                .await?
                .unwrap_or_default())
        })
    }

    fn acknowledged_days(&self, days: Vec<String>) -> StorageFuture<'_, ()> {
        Box::pin(self.forget_days(days))
    }

    fn next_writer_session(&self) -> StorageFuture<'_, u32> {
        Box::pin(self.bump_writer_session())
    }

    fn record_audit(
        &self,
        entry: pos_core::staff::AuditEntry,
        store: Option<Uuid>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(async move {
            let tx = self.strict([OUTBOX])?;
            put_outbox(
                &tx.object_store(OUTBOX).map_err(classify)?,
                &OutboxEntry {
                    key: entry.id.to_string(),
                    store,
                    sale: None,
                    refund: None,
                    audit: Some(entry),
                    shift: None,
                    customer: None,
                },
            )?;
            tx.commit().await.map_err(classify)
        })
    }

    fn record_drawer_opening(&self, opening: DrawerOpening) -> StorageFuture<'_, ()> {
        Box::pin(self.add_drawer_opening(opening))
    }

    fn drawer_openings(&self, limit: usize) -> StorageFuture<'_, Vec<DrawerOpening>> {
        Box::pin(self.newest_drawer_openings(limit))
    }

    fn load_refunds(&self) -> StorageFuture<'_, Vec<RefundRecord>> {
        Box::pin(self.all_refunds())
    }

    fn save_refund(&self, record: RefundRecord) -> StorageFuture<'_, RefundRecord> {
        Box::pin(self.put_refund(record))
    }

    fn commit_refund(
        &self,
        record: RefundRecord,
        store: Option<Uuid>,
    ) -> StorageFuture<'_, RefundRecord> {
        Box::pin(self.complete_refund(record, store))
    }

    fn load_shifts(&self) -> StorageFuture<'_, Vec<pos_core::shift::Shift>> {
        Box::pin(self.all_shifts())
    }

    fn gift_card_outbox(&self) -> StorageFuture<'_, Vec<pos_core::gift_card::GiftCardOp>> {
        Box::pin(self.all_gift_card_ops())
    }

    fn record_gift_card_ops(
        &self,
        ops: Vec<pos_core::gift_card::GiftCardOp>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.put_gift_card_op_batch(ops))
    }

    fn gift_card_answered(
        &self,
        op: Uuid,
        card: Option<crate::storage::KnownCard>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.gift_card_op_answered(op, card))
    }

    fn known_gift_card(
        &self,
        card: pos_core::gift_card::GiftCardNumber,
    ) -> StorageFuture<'_, Option<crate::storage::KnownCard>> {
        Box::pin(self.read_known_gift_card(card))
    }

    fn remember_gift_card(&self, card: crate::storage::KnownCard) -> StorageFuture<'_, ()> {
        Box::pin(self.write_known_gift_card(card))
    }

    fn points_outbox(&self) -> StorageFuture<'_, Vec<pos_core::loyalty::LoyaltyOp>> {
        Box::pin(self.all_points_ops())
    }

    fn record_offline_redemption(&self, op: pos_core::loyalty::LoyaltyOp) -> StorageFuture<'_, ()> {
        Box::pin(self.put_offline_redemption(op))
    }

    fn points_merges(&self) -> StorageFuture<'_, Vec<pos_core::loyalty::LoyaltyMerge>> {
        Box::pin(self.all_points_merges())
    }

    fn points_merge_answered(
        &self,
        id: Uuid,
        known: Option<crate::storage::KnownPoints>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.points_merge_answered(id, known))
    }

    fn points_answered(
        &self,
        op: Uuid,
        known: Option<crate::storage::KnownPoints>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.points_op_answered(op, known))
    }

    fn known_points(&self, customer: Uuid) -> StorageFuture<'_, Option<crate::storage::KnownPoints>> {
        Box::pin(self.read_known_points(customer))
    }

    fn remember_points(&self, known: crate::storage::KnownPoints) -> StorageFuture<'_, ()> {
        Box::pin(self.write_known_points(known))
    }

    fn save_shift(
        &self,
        state: pos_core::shift::ShiftState,
        store: Option<Uuid>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.put_shift(state, store))
    }

    fn load_customers(&self) -> StorageFuture<'_, Vec<pos_core::customer::Customer>> {
        Box::pin(self.all_customers())
    }

    fn save_customers(
        &self,
        records: Vec<pos_core::customer::Customer>,
        change: Option<pos_core::customer::CustomerChange>,
        points: Option<pos_core::loyalty::LoyaltyMerge>,
        store: Option<Uuid>,
        new_key: Option<(Uuid, pos_core::customer::sealed::CustomerKey)>,
    ) -> StorageFuture<'_, ()> {
        Box::pin(self.put_customers(records, change, points, store, new_key))
    }

    fn customer_keys(&self) -> StorageFuture<'_, pos_core::customer::sealed::Keyring> {
        Box::pin(self.all_customer_keys())
    }

    fn customer_keys_to_send(
        &self,
    ) -> StorageFuture<'_, Vec<(Uuid, pos_core::customer::sealed::CustomerKey)>> {
        Box::pin(self.customer_keys_to_send())
    }

    fn customer_erasures_to_send(&self) -> StorageFuture<'_, Vec<Uuid>> {
        Box::pin(self.customer_erasures_to_send())
    }

    fn customer_key_sent(&self, customer: Uuid, erasure: bool) -> StorageFuture<'_, ()> {
        Box::pin(self.customer_key_sent(customer, erasure))
    }

    fn adopt_customer_keys(
        &self,
        keys: Vec<(Uuid, pos_core::customer::sealed::CustomerKey)>,
        erased: Vec<Uuid>,
    ) -> StorageFuture<'_, bool> {
        Box::pin(self.adopt_customer_keys(keys, erased))
    }

    fn customer_sales(&self, customers: Vec<Uuid>) -> StorageFuture<'_, Vec<Sale>> {
        Box::pin(self.sales_for(customers))
    }
}
