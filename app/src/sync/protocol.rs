//! What the page and the sync worker say to each other. The page sends [`ToEngine`] and gets
//! [`FromEngine`] back, each as one JSON string in a `postMessage`. Nothing here touches
//! Automerge: the page compiles this module and never links the documents.

use std::collections::BTreeMap;

use pos_core::{
    Catalog, CatalogEdit, DeviceEntry, DeviceShift, PriceConflict, Refund, Store, StoreDaySummary,
    Uuid,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::SyncStatus;
use crate::storage::Membership;

/// The most days one look at the audit log opens: each is a document per device.
pub const AUDIT_MAX_DAYS: i64 = 92;

#[derive(Debug, Serialize, Deserialize)]
pub enum ToEngine {
    /// Opens the store's documents and starts syncing them. `device_code` is this device's
    /// receipt prefix as the page has it.
    Start {
        membership: Membership,
        device_code: String,
        now_ms: f64,
    },
    /// A question or an edit; answered by [`FromEngine::Answer`] with the same `id`.
    Ask {
        id: u32,
        now_ms: f64,
        request: Request,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Request {
    Edit(Edit),
    /// A part of a large catalog edit (an import's thousands), kept by the worker until
    /// [`Edit::CatalogParts`] makes the parts one edit: each part is its own message, so the page
    /// never encodes 50,000 edits in one task.
    CatalogPart { edit: Uuid, edits: Vec<CatalogEdit> },
    /// The refunds of this sale in the store's documents (made on any device).
    RefundsOf(Uuid),
    OwnerPinHash,
    /// Every device's audit entries, and the sales with their cashier, that the documents hold
    /// once the days from `from_ms` to `to_ms` (at most [`AUDIT_MAX_DAYS`]) are opened, however
    /// old. What is not stored on this device yet follows by sync.
    AuditLog { from_ms: f64, to_ms: f64 },
    /// The store's day of the moment `day_ms`: every device's shifts open during that business
    /// day and the store-wide summary of its sales ([`StoreDay`]).
    StoreDay { day_ms: f64 },
    AddEarlierSales,
    KeepEarlierSalesHere,
}

/// A change to the store's documents, stored before it is sent and undone if it cannot be.
#[derive(Debug, Serialize, Deserialize)]
pub enum Edit {
    Price {
        product: String,
        price: Decimal,
    },
    /// What is on the shelf now (see core's `StockPeriod`).
    Count {
        sku: String,
        quantity: Decimal,
        id: Uuid,
        at_ms: i64,
    },
    ProfileAndCatalog {
        store: Store,
        catalog: Catalog,
    },
    /// Managers' edits of the catalog (a product, a category, a group, an import), made in order
    /// and all or none.
    Catalog(Vec<CatalogEdit>),
    /// The [`Request::CatalogPart`]s sent for `edit`, in the order sent, made as one
    /// [`Edit::Catalog`] of `count` edits; the worker says how far it is with
    /// [`FromEngine::Progress`].
    CatalogParts { edit: Uuid, count: usize },
    /// The owner's first write to a store just created: profile, catalog (if any) and PIN; the
    /// device then takes its receipt prefix.
    NewStore {
        store: Store,
        catalog: Catalog,
        pin_hash: Option<String>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
pub enum Answer {
    Done,
    Refunds(Vec<Refund>),
    PinHash(Option<String>),
    Audit(Vec<pos_core::staff::AuditEntry>),
    StoreDay(StoreDay),
}

/// The store's day as the worker reads it from every device's documents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreDay {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Every device's shifts open at some time of the day, as each stood after its latest step
    /// this device has heard of, in the order they were opened.
    pub shifts: Vec<DeviceShift>,
    /// Every device's sales of the day, added up.
    pub summary: StoreDaySummary,
    /// The store's devices, for their names and receipt prefixes.
    pub devices: Vec<DeviceEntry>,
    /// Whether the shift ran past a midnight, by shift id (the worker knows the local days).
    pub overnight: Vec<Uuid>,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum FromEngine {
    Answer {
        id: u32,
        result: Result<Answer, String>,
    },
    /// How far the request `id` is: `done` of `total` (the edits of a catalog edit made so far).
    Progress { id: u32, done: usize, total: usize },
    Status(SyncStatus),
    Store(Store),
    Catalog(Catalog),
    PriceConflicts(Vec<PriceConflict>),
    Stock(BTreeMap<String, Decimal>),
    /// The store's customers as the document holds them now (every record, erased and merged
    /// ones too), already kept in this device's storage.
    Customers(Vec<pos_core::customer::Customer>),
    /// This device's receipt prefix changed: another device of the store had it.
    DeviceCode(String),
    /// While true, a sale could carry another device's receipt numbers: sales wait.
    ReceiptPrefixPending(bool),
    /// An edit the engine made on its own (this device's entry) could not be stored.
    NotSaved(String),
    /// Other devices' sales or refunds were copied into this device's lists.
    RecordsChanged {
        sales: bool,
        refunds: bool,
        /// Any other device's day changed, so its audit entries may have.
        audit: bool,
        /// A device's shifts may have changed (another device's day, or a step of this device's
        /// folded into its own).
        shifts: bool,
    },
}

impl ToEngine {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("messages to the engine serialise")
    }
}

impl FromEngine {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("messages from the engine serialise")
    }
}
