//! The store's documents that one writer (a tab of a device) holds open, and the chunks that keep
//! them in the device's storage: each edit or received change becomes an incremental chunk, and a
//! document whose chunks outgrow its snapshot is compacted into a new snapshot (automerge-repo's
//! rule). A document remembers the heads it has stored, so whatever was not written (a failed
//! transaction) is written with the next write instead of being lost.
//!
//! Chunk keys: `<doc>/s/<heads>` (a snapshot) and `<doc>/i/<heads>` (an incremental chunk), each
//! named by the heads it holds, so two writers that store the same state write the same key and
//! never overwrite a different state; and `<doc>/y/<server>` (the sync state with a server).
//! Compaction deletes only the chunks this writer has read or written, all of which its new
//! snapshot contains, so another tab's chunks are never lost. No I/O here: the caller writes.

use std::collections::BTreeMap;

use automerge::{AutoCommit, ChangeHash, ReadDoc};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    Actor, BusinessDay, CatalogDoc, CustomersDoc, DaySummary, DeviceEntry, DocError, DocKind,
    DocumentId, Month, MonthIndex, PriceConflict, Recorded, Refund, SalesDay, SettingsDoc,
    SharedDocument, StockPeriod, previous_month,
};
use crate::catalog::{Catalog, CatalogEdit};
use crate::sale::Sale;
use crate::shift::ShiftState;
use crate::staff::AuditEntry;
use crate::store::Store;
use crate::sync::SyncClient;

/// One stored piece of a document: a snapshot, an incremental chunk or a sync state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocChunk {
    pub key: String,
    pub bytes: Vec<u8>,
}

/// What one document needs written: its new chunk (or a compacted snapshot with the chunks it
/// replaces in `delete`) and its sync state with the server, in one transaction.
#[derive(Clone, Debug, PartialEq)]
pub struct DocWrite {
    pub chunk: Option<DocChunk>,
    pub delete: Vec<String>,
    pub sync_state: Option<DocChunk>,
    /// The document's heads this write brings storage to (not stored: for [`StoreDocs::saved`]).
    pub heads: Vec<ChangeHash>,
}

/// One open document and what of it is already in IndexedDB.
struct Held {
    pub doc: AutoCommit,
    /// What [`StoreDocs::open`] was given, so the document can be opened again from storage.
    day: BusinessDay,
    owner: Uuid,
    persisted: Vec<ChangeHash>,
    snapshot_bytes: usize,
    snapshot_keys: Vec<String>,
    incremental_bytes: usize,
    incremental_keys: Vec<String>,
}

impl Held {
    fn fresh(doc: AutoCommit, day: BusinessDay, owner: Uuid) -> Held {
        Held {
            doc,
            day,
            owner,
            persisted: Vec::new(),
            snapshot_bytes: 0,
            snapshot_keys: Vec::new(),
            incremental_bytes: 0,
            incremental_keys: Vec::new(),
        }
    }

    /// Counts a stored chunk as known to this writer (so that compaction may replace it).
    fn know(&mut self, id: DocumentId, key: &str, len: usize) {
        if key.starts_with(&format!("{id}/s/")) {
            if !self.snapshot_keys.iter().any(|k| k == key) {
                self.snapshot_bytes = self.snapshot_bytes.max(len);
                self.snapshot_keys.push(key.to_owned());
            }
        } else if !self.incremental_keys.iter().any(|k| k == key) {
            self.incremental_bytes += len;
            self.incremental_keys.push(key.to_owned());
        }
    }
}

/// What a document is, so the app knows what to do when it changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocRole {
    Settings,
    Catalog,
    Stock,
    Index,
    OwnDay,
    OtherDay,
    /// The store's customers (issue 14).
    Customers,
}

pub struct StoreDocs {
    pub store: Uuid,
    pub device: Uuid,
    actor: Actor,
    docs: BTreeMap<DocumentId, (DocRole, Held)>,
}

pub fn chunk_prefix(document: DocumentId) -> String {
    format!("{document}/")
}

fn heads_name(heads: &[ChangeHash]) -> String {
    sorted(heads.to_vec())
        .iter()
        .map(ToString::to_string)
        .collect()
}

pub fn sync_state_key(document: DocumentId, server: &str) -> String {
    format!("{document}/y/{server}")
}

impl StoreDocs {
    pub fn new(store: Uuid, device: Uuid, session: u32) -> StoreDocs {
        StoreDocs {
            store,
            device,
            actor: Actor::session(device, session),
            docs: BTreeMap::new(),
        }
    }

    pub fn settings_id(&self) -> DocumentId {
        DocumentId::derive(self.store, DocKind::Settings, "")
    }
    pub fn catalog_id(&self) -> DocumentId {
        DocumentId::derive(self.store, DocKind::Catalog, "")
    }
    pub fn customers_id(&self) -> DocumentId {
        CustomersDoc::id(self.store)
    }
    /// The stock of a month: stock periods roll over monthly (see `StockPeriod`).
    pub fn stock_id(&self, month: Month) -> DocumentId {
        StockPeriod::id(self.store, &month.to_string())
    }
    pub fn index_id(&self, day: BusinessDay) -> DocumentId {
        MonthIndex::id(self.store, day.month())
    }
    pub fn day_id(&self, device: Uuid, day: BusinessDay) -> DocumentId {
        SalesDay::id(self.store, device, day)
    }

    /// The documents this device opens on a day: settings, catalog, customers, the stock of this
    /// month and the month before (whose closing, late sales included, opens this one), the
    /// month's index and its own sales of the day. Other devices' days follow from the index.
    pub fn standing(&self, today: BusinessDay) -> Vec<(DocumentId, DocRole)> {
        vec![
            (self.settings_id(), DocRole::Settings),
            (self.catalog_id(), DocRole::Catalog),
            (self.customers_id(), DocRole::Customers),
            (self.stock_id(today.month()), DocRole::Stock),
            (self.stock_id(previous_month(today.month())), DocRole::Stock),
            (self.index_id(today), DocRole::Index),
            (self.day_id(self.device, today), DocRole::OwnDay),
        ]
    }

    /// The genesis of a document: the same bytes on every device, so a document made here offline
    /// merges with the one the server holds.
    fn genesis(
        &self,
        role: DocRole,
        id: DocumentId,
        today: BusinessDay,
        day_owner: Uuid,
    ) -> AutoCommit {
        match role {
            DocRole::Settings => SettingsDoc::new(self.store, &self.actor).into_automerge(),
            DocRole::Catalog => CatalogDoc::new(self.store, &self.actor).into_automerge(),
            DocRole::Customers => CustomersDoc::new(self.store, &self.actor).into_automerge(),
            DocRole::Stock => {
                // This month's or, opened beside it, the month before's.
                let month = today.month();
                let month = if id == self.stock_id(month) {
                    month
                } else {
                    previous_month(month)
                };
                StockPeriod::new(self.store, &month.to_string(), &self.actor).into_automerge()
            }
            DocRole::Index => {
                MonthIndex::new(self.store, today.month(), &self.actor).into_automerge()
            }
            DocRole::OwnDay | DocRole::OtherDay => {
                debug_assert_eq!(id, self.day_id(day_owner, today));
                SalesDay::new(self.store, day_owner, today, &self.actor).into_automerge()
            }
        }
    }

    /// Opens a document from its stored chunks (any order; a chunk that does not load is skipped
    /// and reported), or from its genesis when nothing is stored.
    pub fn open(
        &mut self,
        id: DocumentId,
        role: DocRole,
        day: BusinessDay,
        day_owner: Uuid,
        chunks: &[(String, Vec<u8>)],
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let mut held = Held::fresh(
            AutoCommit::new().with_actor(self.actor.actor_id()),
            day,
            day_owner,
        );
        for (key, bytes) in chunks.iter().filter(|(k, _)| !k.contains("/y/")) {
            match held.doc.load_incremental(bytes) {
                Ok(_) => held.know(id, key, bytes.len()),
                Err(e) => problems.push(format!("{key}: {e}")),
            }
        }
        held.persisted = held.doc.get_heads();
        if held.persisted.is_empty() {
            // Nothing stored: start from the genesis, which is then the first thing written.
            held.doc = self.genesis(role, id, day, day_owner);
        }
        self.docs.insert(id, (role, held));
        problems
    }

    /// Takes in what another tab of this device stored for a document. Returns whether the
    /// document changed.
    pub fn merge_stored(&mut self, id: DocumentId, chunks: &[(String, Vec<u8>)]) -> bool {
        let Some((_, held)) = self.docs.get_mut(&id) else {
            return false;
        };
        let before = sorted(held.doc.get_heads());
        let all_persisted = before == sorted(held.persisted.clone());
        for (key, bytes) in chunks.iter().filter(|(k, _)| !k.contains("/y/")) {
            if held.doc.load_incremental(bytes).is_ok() {
                held.know(id, key, bytes.len());
            }
        }
        let after = sorted(held.doc.get_heads());
        if all_persisted {
            // Everything this tab had was stored already, and what it just read came from storage.
            held.persisted = after.clone();
        }
        before != after
    }

    /// Opens a document again from what is stored, dropping whatever in memory was not stored:
    /// a write that failed is undone, so the cashier's "NOT saved" stays true.
    pub fn reopen(&mut self, id: DocumentId, chunks: &[(String, Vec<u8>)]) -> Vec<String> {
        let Some((role, held)) = self.docs.get(&id) else {
            return Vec::new();
        };
        let (role, day, owner) = (*role, held.day, held.owner);
        self.open(id, role, day, owner, chunks)
    }

    /// Whether the document holds changes that are not stored yet. Such a document is not sent:
    /// nothing leaves the device before it is on its disk.
    pub fn has_unsaved(&mut self, id: DocumentId) -> bool {
        self.docs
            .get_mut(&id)
            .is_some_and(|(_, held)| sorted(held.doc.get_heads()) != sorted(held.persisted.clone()))
    }

    /// The day and the device a document was opened for.
    pub fn day_of(&self, id: DocumentId) -> Option<(BusinessDay, Uuid)> {
        self.docs.get(&id).map(|(_, h)| (h.day, h.owner))
    }

    pub fn is_open(&self, id: DocumentId) -> bool {
        self.docs.contains_key(&id)
    }

    pub fn ids(&self) -> Vec<DocumentId> {
        self.docs.keys().copied().collect()
    }

    /// The documents open now in one of these roles.
    pub(super) fn open_as(&self, roles: &[DocRole]) -> Vec<DocumentId> {
        self.docs
            .iter()
            .filter(|(_, (role, _))| roles.contains(role))
            .map(|(id, _)| *id)
            .collect()
    }

    pub fn role(&self, id: DocumentId) -> Option<DocRole> {
        self.docs.get(&id).map(|(r, _)| *r)
    }

    pub fn doc_mut(&mut self, id: DocumentId) -> Option<&mut AutoCommit> {
        self.docs.get_mut(&id).map(|(_, h)| &mut h.doc)
    }

    fn with_typed<D: SharedDocument, T>(
        &mut self,
        id: DocumentId,
        edit: impl FnOnce(&mut D) -> Result<T, DocError>,
    ) -> Result<T, DocError> {
        let (_, held) = self
            .docs
            .get_mut(&id)
            .ok_or_else(|| DocError::Corrupt(format!("document {id} is not open")))?;
        // Checked before the document is lent out, so a mismatch cannot drop it.
        let kind = held
            .doc
            .get(automerge::ROOT, "kind")
            .ok()
            .flatten()
            .and_then(|(v, _)| v.into_string().ok());
        if kind.as_deref() != Some(D::KIND.as_str()) {
            return Err(DocError::Corrupt(format!(
                "document {id} is not a {}",
                D::KIND
            )));
        }
        let mut typed = D::from_automerge(std::mem::take(&mut held.doc))?;
        let result = edit(&mut typed);
        held.doc = typed.into_automerge();
        result
    }

    /// Reads through the typed wrapper, which owns its document: it is lent out and put back
    /// rather than cloned, since a day of sales is megabytes in memory.
    pub(super) fn read_typed<D: SharedDocument, T>(
        &mut self,
        id: DocumentId,
        read: impl FnOnce(&D) -> Result<T, DocError>,
    ) -> Result<T, DocError> {
        self.with_typed(id, |d: &mut D| read(d))
    }

    /// Records a sale in this device's sales of `day`, its stock movements and the day's row of
    /// the month's index. Idempotent by sale id. Returns the documents it changed.
    pub fn record_sale(
        &mut self,
        sale: &Sale,
        day: BusinessDay,
    ) -> Result<Vec<DocumentId>, DocError> {
        self.record_in_own_day(
            day,
            |d| d.record_sale(sale),
            |s| s.record_sale_movements(sale),
            |row| {
                row.add_sale(sale);
                true
            },
        )
    }

    /// Records a refund in this device's sales of `day` (the day it is made, which need not be
    /// the sale's), puts its goods back into stock and updates the day's row of the month's
    /// index. Idempotent by refund id. Returns the documents it changed. A refund that voids its
    /// sale is recorded the same way; the row is then summed again from the day.
    pub fn record_refund(
        &mut self,
        refund: &Refund,
        day: BusinessDay,
    ) -> Result<Vec<DocumentId>, DocError> {
        self.record_in_own_day(
            day,
            |d| d.record_refund(refund),
            |s| s.record_return_movements(refund),
            |row| {
                // A void's row is summed from the day, which knows whether it holds the sale.
                if refund.voids_sale {
                    return false;
                }
                row.add_refund(refund);
                true
            },
        )
    }

    /// Records a staff audit entry in this device's sales of `day` (the day it happened). Idempotent
    /// by entry id. The day must be open, as for a sale ([`Self::to_open_for`]); nothing else is
    /// written, since an entry moves no stock and no money.
    pub fn record_audit(
        &mut self,
        entry: &AuditEntry,
        day: BusinessDay,
    ) -> Result<Recorded, DocError> {
        self.record_in_own_day_only(day, |d| d.record_audit(entry))
    }

    /// Records the state of one of this device's shifts after a step made on `day` in this
    /// device's sales of that day; a state no further along than the one there changes nothing.
    /// As for an audit entry, nothing else is written: a step moves no stock, and the money of
    /// the drawer is the sales' and refunds'.
    pub fn record_shift(
        &mut self,
        state: &ShiftState,
        day: BusinessDay,
    ) -> Result<Recorded, DocError> {
        self.record_in_own_day_only(day, |d| d.record_shift(state))
    }

    /// Records something in this device's sales of `day` that moves no stock and no money (an
    /// audit entry, a shift's step). The day and the month's index must be open.
    fn record_in_own_day_only(
        &mut self,
        day: BusinessDay,
        record: impl FnOnce(&mut SalesDay) -> Result<Recorded, DocError>,
    ) -> Result<Recorded, DocError> {
        let own = self.day_id(self.device, day);
        let index = self.index_id(day);
        for id in [own, index] {
            if !self.is_open(id) {
                return Err(DocError::NotOpen(id));
            }
        }
        let recorded = self.with_typed(own, record)?;
        // A day with entries and no sale yet still gets its row in the month's index: other
        // devices find a day's document only there, and the owner's audit log and store's day
        // must reach it.
        if self
            .read_typed(index, |i: &MonthIndex| i.day(own))?
            .is_none()
        {
            let row = self.read_typed(own, |d: &SalesDay| d.index_entry())?;
            self.with_typed(index, |i: &mut MonthIndex| i.put_day(own, &row))?;
        }
        Ok(recorded)
    }

    /// The documents that must be open (loaded from storage) before this device records a sale
    /// or a refund on `day`: its own sales of the day and the month's index. Each comes with what
    /// [`StoreDocs::open`] needs, in the order to open them.
    pub fn to_open_for(&self, day: BusinessDay) -> Vec<(DocumentId, DocRole, BusinessDay, Uuid)> {
        [
            (self.day_id(self.device, day), DocRole::OwnDay),
            (self.index_id(day), DocRole::Index),
            (self.stock_id(day.month()), DocRole::Stock),
        ]
        .into_iter()
        .filter(|(id, _)| !self.is_open(*id))
        .map(|(id, role)| (id, role, day, self.device))
        .collect()
    }

    /// One entry in this device's sales of `day` with its stock movements; a new entry also
    /// updates the day's row of the month's index. Returns the documents it changed.
    ///
    /// Every document it writes must have been opened from storage first ([`Self::to_open_for`]):
    /// starting one afresh beside stored changes would fork it, and a writer that reuses an
    /// actor would write a second change with a sequence number already taken.
    fn record_in_own_day(
        &mut self,
        day: BusinessDay,
        record: impl FnOnce(&mut SalesDay) -> Result<Recorded, DocError>,
        move_stock: impl FnOnce(&mut StockPeriod) -> Result<Recorded, DocError>,
        // Adds the entry to the day's row; false when the row must be summed from the day.
        add_to_row: impl FnOnce(&mut DaySummary) -> bool,
    ) -> Result<Vec<DocumentId>, DocError> {
        if let Some((missing, ..)) = self.to_open_for(day).first() {
            return Err(DocError::NotOpen(*missing));
        }
        let own = self.day_id(self.device, day);
        let index = self.index_id(day);
        // Stock moves in the month of the movement's own day (see `StockPeriod`).
        let stock = self.stock_id(day.month());
        let recorded = self.with_typed(own, record)?;
        self.with_typed(stock, move_stock)?;
        if recorded == Recorded::New {
            // The row grows by this entry, so a sale costs the same at the end of a busy day as
            // at its start; a day without a row yet (or one written by an older version) is
            // summed once from the day's document.
            let row = self.read_typed(index, |i: &MonthIndex| i.day(own))?;
            let added = row.and_then(|mut entry| {
                let mut summary = DaySummary::from_entry(&entry);
                add_to_row(&mut summary).then(|| {
                    summary.fill_entry(&mut entry);
                    entry
                })
            });
            let entry = match added {
                Some(entry) => entry,
                None => self.read_typed(own, |d: &SalesDay| d.index_entry())?,
            };
            self.with_typed(index, |i: &mut MonthIndex| i.put_day(own, &entry))?;
        }
        Ok(vec![own, stock, index])
    }

    /// The writes that bring IndexedDB up to date with the documents in memory.
    pub fn unsaved(
        &mut self,
        server: Option<&str>,
        sync_states: &BTreeMap<DocumentId, Vec<u8>>,
    ) -> Vec<DocWrite> {
        let mut writes = Vec::new();
        for (id, (_, held)) in &mut self.docs {
            let heads = held.doc.get_heads();
            let sync_state = match (server, sync_states.get(id)) {
                (Some(server), Some(state)) => Some(DocChunk {
                    key: sync_state_key(*id, server),
                    bytes: state.clone(),
                }),
                _ => None,
            };
            if sorted(heads.clone()) == sorted(held.persisted.clone()) {
                if let Some(state) = sync_state {
                    writes.push(DocWrite {
                        chunk: None,
                        delete: Vec::new(),
                        sync_state: Some(state),
                        heads,
                    });
                }
                continue;
            }
            let bytes = held.doc.save_after(&held.persisted);
            // Compact when the chunks outgrow the snapshot (automerge-repo's rule), so that a
            // document never loads as thousands of small pieces.
            let write = if held.incremental_bytes + bytes.len() > held.snapshot_bytes.max(1024) {
                DocWrite {
                    chunk: Some(DocChunk {
                        key: format!("{id}/s/{}", heads_name(&heads)),
                        bytes: held.doc.save(),
                    }),
                    delete: held
                        .incremental_keys
                        .iter()
                        .chain(&held.snapshot_keys)
                        .cloned()
                        .collect(),
                    sync_state,
                    heads,
                }
            } else {
                let key = format!("{id}/i/{}", heads_name(&heads));
                DocWrite {
                    chunk: Some(DocChunk { key, bytes }),
                    delete: Vec::new(),
                    sync_state,
                    heads,
                }
            };
            writes.push(write);
        }
        writes
    }

    /// Marks writes as committed, so they are not written again.
    pub fn saved(&mut self, writes: &[DocWrite]) {
        for write in writes {
            let Some(chunk) = &write.chunk else { continue };
            let Some(id) = chunk
                .key
                .split('/')
                .next()
                .and_then(|s| s.parse::<DocumentId>().ok())
            else {
                continue;
            };
            let Some((_, held)) = self.docs.get_mut(&id) else {
                continue;
            };
            held.persisted = write.heads.clone();
            held.incremental_keys.retain(|k| !write.delete.contains(k));
            held.snapshot_keys.retain(|k| !write.delete.contains(k));
            if chunk.key.starts_with(&format!("{id}/s/")) {
                held.snapshot_bytes = 0;
                held.incremental_bytes = 0;
            }
            held.know(id, &chunk.key, chunk.bytes.len());
        }
    }

    pub fn store_profile(&mut self) -> Option<Store> {
        self.read_typed(self.settings_id(), |s: &SettingsDoc| s.store())
            .ok()
            .flatten()
    }

    pub fn set_store_profile(&mut self, store: &Store) -> Result<(), DocError> {
        self.with_typed(self.settings_id(), |s: &mut SettingsDoc| s.set_store(store))
    }

    pub fn owner_pin_hash(&mut self) -> Option<String> {
        self.read_typed(self.settings_id(), |s: &SettingsDoc| s.owner_pin_hash())
            .ok()
            .flatten()
    }

    pub fn set_owner_pin_hash(&mut self, hash: &str) -> Result<(), DocError> {
        self.with_typed(self.settings_id(), |s: &mut SettingsDoc| {
            s.set_owner_pin_hash(hash)
        })
    }

    /// The receipt-number prefix of every device the settings list, by device id.
    pub fn device_codes(&mut self) -> BTreeMap<Uuid, String> {
        self.devices().into_iter().map(|d| (d.id, d.code)).collect()
    }

    /// Every device the settings list (removed ones too: their days stay the store's).
    pub fn devices(&mut self) -> Vec<DeviceEntry> {
        self.read_typed(self.settings_id(), |s: &SettingsDoc| s.devices())
            .unwrap_or_default()
    }

    pub fn put_device(&mut self, entry: &DeviceEntry) -> Result<(), DocError> {
        self.with_typed(self.settings_id(), |s: &mut SettingsDoc| {
            s.put_device(entry)
        })
    }

    /// The catalog, once a manager has written one (an empty document has no categories).
    /// The store's catalog, once it has something: a document that is still its genesis (not
    /// yet received from the server) is not a catalog to sell from.
    pub fn catalog(&mut self) -> Option<Catalog> {
        let catalog = self
            .read_typed(self.catalog_id(), |c: &CatalogDoc| c.catalog())
            .ok()?;
        let started = !catalog.products.is_empty()
            || !catalog.categories.is_empty()
            || !catalog.tax_categories.is_empty()
            || catalog.currency.is_some();
        started.then_some(catalog)
    }

    /// Managers' edits of the catalog, checked against the document as it is now and made in
    /// changes of [`CatalogDoc::EDITS_PER_CHANGE`]; `made` hears how many are made after each.
    pub fn edit_catalog(
        &mut self,
        edits: &[CatalogEdit],
        made: impl FnMut(usize),
    ) -> Result<(), DocError> {
        self.with_typed(self.catalog_id(), |c: &mut CatalogDoc| {
            c.apply_all_reporting(edits, made)
        })
    }

    pub fn replace_catalog(&mut self, catalog: &Catalog) -> Result<(), DocError> {
        self.with_typed(self.catalog_id(), |c: &mut CatalogDoc| c.replace(catalog))
    }

    pub fn set_price(&mut self, product: &str, price: Decimal) -> Result<(), DocError> {
        self.with_typed(self.catalog_id(), |c: &mut CatalogDoc| {
            c.set_price(product, price)
        })
    }

    pub fn price_conflicts(&mut self) -> Vec<PriceConflict> {
        self.read_typed(self.catalog_id(), |c: &CatalogDoc| c.price_conflicts())
            .unwrap_or_default()
    }

    /// The store's customers as every device wrote them, merges and erasures applied, opened
    /// with `keys` (a record sealed under a key not there reads locked).
    pub fn customers(
        &mut self,
        keys: &crate::customer::sealed::Keyring,
    ) -> Result<crate::customer::CustomerDirectory, DocError> {
        self.read_typed(self.customers_id(), |c: &CustomersDoc| c.directory(keys))
    }


    /// A change to the store's customers made on this device (from its outbox); the same change
    /// again is [`Recorded::AlreadyThere`]. Erased records that a concurrent edit wrote into are
    /// emptied again on the way.
    /// Fields are sealed under the customer's key in `keys`, with nonces from `nonces`.
    pub fn record_customer(
        &mut self,
        change: &crate::customer::CustomerChange,
        keys: &crate::customer::sealed::Keyring,
        nonces: crate::customer::sealed::Nonces<'_>,
    ) -> Result<Recorded, DocError> {
        let id = self.customers_id();
        if !self.is_open(id) {
            return Err(DocError::NotOpen(id));
        }
        self.with_typed(id, |c: &mut CustomersDoc| {
            let recorded = c.apply(change, keys, nonces)?;
            c.scrub()?;
            Ok(recorded)
        })
    }

    /// A stock count of `sku` made at `at_ms` on `day`: the level is `quantity` from then on,
    /// plus the movements later than it. Once per count id.
    pub fn count_stock(
        &mut self,
        sku: &str,
        quantity: Decimal,
        count: Uuid,
        at_ms: i64,
        day: BusinessDay,
    ) -> Result<Recorded, DocError> {
        let stock = self.stock_id(day.month());
        if !self.is_open(stock) {
            // Loaded from storage first, as every document this writer writes (`to_open_for`).
            return Err(DocError::NotOpen(stock));
        }
        self.with_typed(stock, |s: &mut StockPeriod| {
            s.count(count, sku, quantity, at_ms)
        })
    }

    /// The closing of the month before `today`'s as this writer sees it, with how much of it it
    /// has seen; `None` when that month is not open.
    fn stock_closing(&mut self, today: BusinessDay) -> Option<(BTreeMap<String, Decimal>, u64)> {
        let before = self.stock_id(previous_month(today.month()));
        if !self.is_open(before) {
            return None;
        }
        self.read_typed(before, |s: &StockPeriod| {
            Ok((s.levels_from(&s.opening()?)?, s.seen()?))
        })
        .ok()
    }

    /// Keeps this writer's view of last month's closing in this month's stock, for the month after
    /// (which no longer opens last month). Call when the stock documents change; writes only when
    /// the view changed. Returns whether it wrote.
    pub fn carry_stock_over(&mut self, today: BusinessDay) -> Result<bool, DocError> {
        let current = self.stock_id(today.month());
        let Some((closing, seen)) = self.stock_closing(today) else {
            return Ok(false);
        };
        if !self.is_open(current) {
            return Ok(false);
        }
        self.with_typed(current, |s: &mut StockPeriod| s.carry_in(&closing, seen))
    }

    /// Stock levels of the SKUs that have one (counted, or carried over from a count) on `today`:
    /// this month's counts and movements over last month's closing as it stands.
    pub fn stock_levels(&mut self, today: BusinessDay) -> BTreeMap<String, Decimal> {
        let current = self.stock_id(today.month());
        let closing = self.stock_closing(today).map(|(c, _)| c);
        if !self.is_open(current) {
            return closing.unwrap_or_default();
        }
        self.read_typed(current, |s: &StockPeriod| match &closing {
            Some(closing) => s.levels_from(closing),
            None => s.levels_from(&s.opening()?),
        })
        .unwrap_or_default()
    }

    pub fn unacknowledged(&mut self, client: &SyncClient) -> usize {
        self.docs
            .iter_mut()
            .map(|(id, (_, held))| client.unacknowledged(*id, &mut held.doc))
            .sum()
    }

    /// How many open documents hold the same changes as the server.
    pub fn synced_count(&mut self, client: &SyncClient) -> (usize, usize) {
        let total = self.docs.len();
        let synced = self
            .docs
            .iter_mut()
            .map(|(id, (_, held))| client.is_synced(*id, &mut held.doc))
            .filter(|s| *s)
            .count();
        (synced, total)
    }
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}
