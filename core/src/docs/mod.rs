//! The documents that devices share, as Automerge documents with a typed schema: the catalog, the
//! settings, one sales document per (device, business day), the stock of a period and the monthly
//! index. Each is sharded so that a device opens only the few it needs now, however long the history.
//!
//! Typed access goes through `autosurgeon` (hydrate and reconcile) where a record is edited field by
//! field, and through plain Automerge `put`s where the merge rule depends on which key is written
//! (a price, a device's stock delta). Nothing here does I/O or reads a clock: times are passed in,
//! and actor ids are derived from the device id (see [`Actor`]).
//!
//! Every document starts with a *genesis* change that is the same bytes on every device (a fixed
//! actor derived from the document id, time 0, the same operations), so two devices that create the
//! "same" document offline (today's stock period, say) share that first change and merge cleanly:
//! their top-level maps are one object, not two conflicting ones.

/// The accessors every typed document shares: its Automerge document is its `doc` field.
/// (A macro, not a default method: a trait cannot reach a field.)
macro_rules! automerge_in_doc_field {
    () => {
        fn automerge(&self) -> &AutoCommit {
            &self.doc
        }
        fn automerge_mut(&mut self) -> &mut AutoCommit {
            &mut self.doc
        }
        fn into_automerge(self) -> AutoCommit {
            self.doc
        }
    };
}

mod catalog;
mod catalog_records;
mod customers;
mod day_readers;
mod index;
mod sales_day;
mod settings;
mod stock;
mod store_day;
mod store_docs;

pub use catalog::{CatalogDoc, PriceConflict};
pub use customers::CustomersDoc;
pub use index::{DayEntry, MonthIndex};
pub use sales_day::{
    DaySummary, DayTenders, PartOfGiftCardBlock, Refund, RefundTender, ReturnLine, SalesDay, Void,
};
pub use settings::{DeviceEntry, SettingsDoc};
pub use stock::{StockCount, StockMovement, StockPeriod, previous_month};
pub use store_day::{DeviceShift, StoreDaySummary};
pub use store_docs::{DocChunk, DocRole, DocWrite, StoreDocs, chunk_prefix, sync_state_key};

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use automerge::sync::SyncDoc;
use automerge::transaction::{CommitOptions, Transactable};
use automerge::{
    ActorId, AutoCommit, Change, ChangeHash, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value,
    sync,
};
use rust_decimal::Decimal;
use uuid::Uuid;

/// Bumped when a document's layout changes incompatibly; stored in every document as `schema`.
pub const SCHEMA_VERSION: u64 = 1;

/// The kinds of document, part of the document id derivation and stored in the document as `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    Catalog,
    Settings,
    SalesDay,
    StockPeriod,
    MonthIndex,
    /// The store's customers (issue 14): one per store, written by any device.
    Customers,
}

impl DocKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DocKind::Catalog => "catalog",
            DocKind::Settings => "settings",
            DocKind::SalesDay => "sales-day",
            DocKind::StockPeriod => "stock-period",
            DocKind::MonthIndex => "month-index",
            DocKind::Customers => "customers",
        }
    }

    /// The kind named `name` (as [`DocKind::as_str`] writes it), if there is one: what a
    /// document's `kind` field or a stored registration says.
    pub fn from_name(name: &str) -> Option<DocKind> {
        [
            DocKind::Catalog,
            DocKind::Settings,
            DocKind::SalesDay,
            DocKind::StockPeriod,
            DocKind::MonthIndex,
            DocKind::Customers,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for DocKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An automerge-repo document id: 16 bytes (a UUID), written base58check-encoded as automerge-repo
/// does (`automerge:<id>` in a URL).
///
/// Our ids are derived, not random: `UUIDv5(namespace = store id, name = "pos/<kind>/<key>")`, so
/// every device finds today's sales document or this month's index without asking anyone. The id
/// does not reveal the store (v5 is a hash); the server registers each document to its store.
/// Keys: catalog, settings and customers `""`; sales day `"<device uuid>/<YYYY-MM-DD>"`; stock period the
/// period's month `"<YYYY-MM>"`; month index `"<YYYY-MM>"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocumentId(pub [u8; 16]);

impl DocumentId {
    pub fn derive(store: Uuid, kind: DocKind, key: &str) -> DocumentId {
        let name = format!("pos/{kind}/{key}");
        DocumentId(*Uuid::new_v5(&store, name.as_bytes()).as_bytes())
    }
    pub fn as_uuid(self) -> Uuid {
        Uuid::from_bytes(self.0)
    }
    /// `automerge:<base58check id>`, the form automerge-repo uses in URLs.
    pub fn url(self) -> String {
        format!("automerge:{self}")
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(self.0).with_check().into_string())
    }
}

impl FromStr for DocumentId {
    type Err = DocError;
    fn from_str(s: &str) -> Result<Self, DocError> {
        let s = s.strip_prefix("automerge:").unwrap_or(s);
        let bytes = bs58::decode(s)
            .with_check(None)
            .into_vec()
            .map_err(|e| DocError::BadDocumentId(format!("{s}: {e}")))?;
        let bytes: [u8; 16] = bytes
            .try_into()
            .map_err(|_| DocError::BadDocumentId(format!("{s}: not 16 bytes")))?;
        Ok(DocumentId(bytes))
    }
}

/// Who writes: the Automerge actor id of one writer, derived from the device id so that changes are
/// attributable to a device with no randomness in core.
///
/// Automerge requires that an (actor, sequence number) pair is never used for two different
/// changes. Two writers that share an actor id and write the same document concurrently (two tabs,
/// or a device reinstalled with its old id that writes before it has re-downloaded its documents)
/// would break that, so the app gives each such writer its own `session` number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Actor {
    pub device: Uuid,
    pub session: u32,
}

impl Actor {
    /// The device's first (or only) writer.
    pub fn device(device: Uuid) -> Actor {
        Actor { device, session: 0 }
    }
    pub fn session(device: Uuid, session: u32) -> Actor {
        Actor { device, session }
    }
    /// 16 bytes of the device id, then the session number (big-endian) when it is not 0.
    pub fn actor_id(&self) -> ActorId {
        let mut bytes = self.device.as_bytes().to_vec();
        if self.session != 0 {
            bytes.extend_from_slice(&self.session.to_be_bytes());
        }
        ActorId::from(bytes)
    }
    /// The key this writer owns in documents where each writer has its own entry (stock deltas).
    pub fn writer_key(&self) -> String {
        if self.session == 0 {
            self.device.to_string()
        } else {
            format!("{}.{}", self.device, self.session)
        }
    }
}

/// A business day, the date a sales document belongs to (the store's local date, from the caller).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BusinessDay {
    year: i32,
    month: u32,
    day: u32,
}

impl BusinessDay {
    pub fn new(year: i32, month: u32, day: u32) -> Option<BusinessDay> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days)
            .contains(&day)
            .then_some(BusinessDay { year, month, day })
    }
    pub fn month(self) -> Month {
        Month {
            year: self.year,
            month: self.month,
        }
    }
    /// Year, month (1-12) and day of the month.
    pub fn parts(self) -> (i32, u32, u32) {
        (self.year, self.month, self.day)
    }
}

impl fmt::Display for BusinessDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for BusinessDay {
    type Err = DocError;
    fn from_str(s: &str) -> Result<Self, DocError> {
        let bad = || DocError::Corrupt(format!("{s} is not a date (YYYY-MM-DD)"));
        let mut parts = s.splitn(3, '-');
        let mut next = || {
            parts
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .ok_or_else(bad)
        };
        let (y, m, d) = (next()?, next()?, next()?);
        BusinessDay::new(y as i32, m as u32, d as u32).ok_or_else(bad)
    }
}

/// A calendar month, the key of a monthly index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// What went wrong reading or writing a document.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("the document could not be read or changed: {0}")]
    Automerge(#[from] automerge::AutomergeError),
    #[error("the document has an unexpected shape: {0}")]
    Hydrate(#[from] autosurgeon::HydrateError),
    #[error("the document could not be updated: {0}")]
    Reconcile(#[from] autosurgeon::ReconcileError),
    /// The bytes are a document of another kind (a settings document opened as a catalog).
    #[error("expected a {expected} document, found {found:?}")]
    WrongKind { expected: DocKind, found: String },
    /// A sales document is written only by the device it belongs to.
    #[error("this sales document belongs to device {owner}; device {writer} may not write it")]
    NotOwner { owner: Uuid, writer: Uuid },
    /// The same id was recorded before with different contents: a bug, never a retry.
    #[error("{id} was already recorded with other contents")]
    IdReused { id: Uuid },
    /// Another sale in this document already has this receipt number.
    #[error("receipt number {receipt} is already used")]
    ReceiptNumberReused { receipt: String },
    #[error("there is no product {0} in the catalog")]
    UnknownProduct(String),
    #[error("not a document id: {0}")]
    BadDocumentId(String),
    /// The document is not open: its stored chunks must be loaded before it is written, or the
    /// write would start it afresh beside what is stored (see [`StoreDocs::to_open_for`]).
    #[error("document {0} is not open")]
    NotOpen(DocumentId),
    /// A value in the document does not have the shape this version expects.
    #[error("the document is damaged: {0}")]
    Corrupt(String),
    /// A catalog edit that the catalog, as this device has it now, refuses.
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    /// A customer record that core's checks refuse (no name, a malformed phone or e-mail).
    #[error(transparent)]
    Customer(#[from] crate::customer::CustomerError),
    /// A merge or erasure the customers, as this device has them now, refuse.
    #[error(transparent)]
    CustomerMerge(#[from] crate::customer::MergeError),
    /// A customer's fields to write with no key for them on this device: a new customer is
    /// always written sealed, and a sealed record is never written over in plain.
    #[error("no key for customer {0} on this device")]
    CustomerKeyMissing(uuid::Uuid),
}

/// Whether a write added something or found it already there (a retry, a replay).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recorded {
    New,
    AlreadyThere,
}

/// What every typed document can do with its Automerge document: save and load, merge, exchange
/// changes and run the Automerge sync protocol. The typed methods live on each document.
pub trait SharedDocument: Sized {
    const KIND: DocKind;

    /// The underlying Automerge document, for storage and the sync client.
    fn automerge(&self) -> &AutoCommit;
    fn automerge_mut(&mut self) -> &mut AutoCommit;
    /// Wraps a loaded Automerge document after checking its kind.
    fn from_automerge(doc: AutoCommit) -> Result<Self, DocError>;
    /// Unwraps the Automerge document (the app keeps documents untyped between edits).
    fn into_automerge(self) -> AutoCommit;

    fn document_id(&self) -> DocumentId;

    /// Loads saved bytes (a `save`, or a `save` followed by incremental saves) to write as `actor`.
    fn load(bytes: &[u8], actor: &Actor) -> Result<Self, DocError> {
        let doc = AutoCommit::load(bytes)?.with_actor(actor.actor_id());
        Self::from_automerge(doc)
    }
    fn save(&mut self) -> Vec<u8> {
        self.automerge_mut().save()
    }
    /// The changes since the last `save` or `save_incremental`.
    fn save_incremental(&mut self) -> Vec<u8> {
        self.automerge_mut().save_incremental()
    }
    fn load_incremental(&mut self, bytes: &[u8]) -> Result<usize, DocError> {
        Ok(self.automerge_mut().load_incremental(bytes)?)
    }
    /// The heads, sorted: equal heads mean equal documents.
    fn heads(&mut self) -> Vec<ChangeHash> {
        let mut heads = self.automerge_mut().get_heads();
        heads.sort();
        heads
    }
    fn merge(&mut self, other: &mut Self) -> Result<(), DocError> {
        self.automerge_mut().merge(other.automerge_mut())?;
        Ok(())
    }
    /// The changes not reachable from `have` (all of them for `&[]`).
    fn changes(&mut self, have: &[ChangeHash]) -> Vec<Change> {
        self.automerge_mut().get_changes(have)
    }
    /// Applies changes in any order, with duplicates: a change whose dependencies are missing waits
    /// inside Automerge until they arrive, and a change already applied is ignored.
    fn apply_changes(&mut self, changes: Vec<Change>) -> Result<(), DocError> {
        self.automerge_mut().apply_changes(changes)?;
        Ok(())
    }
    fn generate_sync_message(&mut self, state: &mut sync::State) -> Option<sync::Message> {
        self.automerge_mut().sync().generate_sync_message(state)
    }
    fn receive_sync_message(
        &mut self,
        state: &mut sync::State,
        message: sync::Message,
    ) -> Result<(), DocError> {
        self.automerge_mut()
            .sync()
            .receive_sync_message(state, message)?;
        Ok(())
    }
}

/// Runs the Automerge sync protocol between two replicas in memory until neither has anything to
/// send, as two peers would over a socket. Returns the number of messages exchanged.
pub fn sync_in_memory<D: SharedDocument>(
    a: &mut D,
    a_state: &mut sync::State,
    b: &mut D,
    b_state: &mut sync::State,
) -> Result<usize, DocError> {
    let mut messages = 0;
    loop {
        let to_b = a.generate_sync_message(a_state);
        let to_a = b.generate_sync_message(b_state);
        if to_b.is_none() && to_a.is_none() {
            return Ok(messages);
        }
        if let Some(m) = to_b {
            messages += 1;
            b.receive_sync_message(b_state, m)?;
        }
        if let Some(m) = to_a {
            messages += 1;
            a.receive_sync_message(a_state, m)?;
        }
    }
}

// ---- helpers shared by the documents ----

/// The actor of every genesis change: the document id, so that it is the same on every device and
/// never the actor of a real writer (a device id is a UUID too, but never equal to a v5 id).
fn genesis(
    id: DocumentId,
    kind: DocKind,
    fields: &[(&str, &str)],
    maps: &[&str],
    actor: &Actor,
) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(id.0.to_vec()));
    let put = |doc: &mut AutoCommit| -> Result<(), automerge::AutomergeError> {
        doc.put(ROOT, "kind", kind.as_str())?;
        doc.put(ROOT, "schema", SCHEMA_VERSION)?;
        for (key, value) in fields {
            doc.put(ROOT, *key, *value)?;
        }
        for key in maps {
            doc.put_object(ROOT, *key, ObjType::Map)?;
        }
        Ok(())
    };
    put(&mut doc).expect("putting into a fresh document cannot fail");
    doc.commit_with(CommitOptions::default().with_time(0));
    doc.set_actor(actor.actor_id());
    doc
}

fn check_kind(doc: &AutoCommit, expected: DocKind) -> Result<(), DocError> {
    let found = get_str(doc, &ROOT, "kind")?.unwrap_or_default();
    if found != expected.as_str() {
        return Err(DocError::WrongKind { expected, found });
    }
    Ok(())
}

/// The map at a top-level key, made at genesis.
fn root_map(doc: &AutoCommit, key: &str) -> Result<ObjId, DocError> {
    match doc.get(ROOT, key)? {
        Some((Value::Object(ObjType::Map), id)) => Ok(id),
        _ => Err(DocError::Corrupt(format!(
            "the top-level map {key} is missing"
        ))),
    }
}

/// Every map under the top-level `key`, the winning one first. A map that a later version added is
/// made by the first writer that needs it (see [`map_made_on_first_use`]), so two writers (two
/// devices, two tabs) may make it at once: the document then holds two maps under one key, each
/// with what its writer put, and a reader takes them all.
fn concurrent_maps(doc: &AutoCommit, key: &str) -> Result<Vec<ObjId>, DocError> {
    // `get_all` lists the winner last.
    Ok(doc
        .get_all(ROOT, key)?
        .into_iter()
        .rev()
        .filter(|(value, _)| matches!(value, Value::Object(ObjType::Map)))
        .map(|(_, map)| map)
        .collect())
}

/// The entries of every map under the top-level `key`, read by `read` (which may skip one by
/// returning `None`), as their union: where two maps hold one key, the winning map's entry.
fn union_of_maps<T>(
    doc: &AutoCommit,
    key: &str,
    mut read: impl FnMut(&ObjId, &str) -> Result<Option<T>, DocError>,
) -> Result<BTreeMap<String, T>, DocError> {
    let mut union = BTreeMap::new();
    for map in concurrent_maps(doc, key)? {
        for entry in doc.keys(&map) {
            if union.contains_key(&entry) {
                continue;
            }
            if let Some(value) = read(&map, &entry)? {
                union.insert(entry, value);
            }
        }
    }
    Ok(union)
}

/// The map under the top-level `key` that writes go to: the winning one, or a new one when there
/// is none. Not made at genesis: a genesis is the same bytes on every version forever (the server
/// checks it), so a map added later is made on first use and read with [`union_of_maps`].
fn map_made_on_first_use(doc: &mut AutoCommit, key: &str) -> Result<ObjId, DocError> {
    match doc.get(ROOT, key)? {
        Some((Value::Object(ObjType::Map), map)) => Ok(map),
        _ => Ok(doc.put_object(ROOT, key, ObjType::Map)?),
    }
}

fn get_str(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<Option<String>, DocError> {
    Ok(match doc.get(obj, key)? {
        Some((Value::Scalar(s), _)) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            other => {
                return Err(DocError::Corrupt(format!(
                    "{key} is {other:?}, not a string"
                )));
            }
        },
        Some(_) => {
            return Err(DocError::Corrupt(format!(
                "{key} is an object, not a string"
            )));
        }
        None => None,
    })
}

/// The record at `key` in `map`, or `None` when there is none (autosurgeon's `Option` wants an
/// explicit null).
fn hydrate_entry<T: autosurgeon::Hydrate>(
    doc: &AutoCommit,
    map: &ObjId,
    key: &str,
) -> Result<Option<T>, DocError> {
    if doc.get(map, key)?.is_none() {
        return Ok(None);
    }
    Ok(Some(autosurgeon::hydrate_prop(doc, map, key)?))
}

fn get_decimal(doc: &AutoCommit, obj: &ObjId, key: &str) -> Result<Option<Decimal>, DocError> {
    get_str(doc, obj, key)?
        .map(|s| parse_decimal(&s))
        .transpose()
}

fn parse_decimal(s: &str) -> Result<Decimal, DocError> {
    s.parse()
        .map_err(|_| DocError::Corrupt(format!("{s:?} is not a decimal")))
}

fn get_uuid_str(doc: &AutoCommit, key: &str) -> Result<Uuid, DocError> {
    let s =
        get_str(doc, &ROOT, key)?.ok_or_else(|| DocError::Corrupt(format!("{key} is missing")))?;
    Uuid::parse_str(&s).map_err(|_| DocError::Corrupt(format!("{key} {s:?} is not a UUID")))
}

/// Decimals are stored as strings (`"14.50"`, scale kept), never as Automerge floats; for
/// `#[autosurgeon(with = "decimal_str")]`.
mod decimal_str {
    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconciler};
    use rust_decimal::Decimal;

    pub(super) fn reconcile<R: Reconciler>(
        value: &Decimal,
        mut reconciler: R,
    ) -> Result<(), R::Error> {
        reconciler.str(value.to_string())
    }

    pub(super) fn hydrate<D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Decimal, HydrateError> {
        let s = String::hydrate(doc, obj, prop)?;
        s.parse()
            .map_err(|_| HydrateError::unexpected("a decimal string", s))
    }
}

/// A `Decimal` that reconciles and hydrates as a decimal string, for hand-written impls.
struct DecimalStr(Decimal);

impl autosurgeon::Reconcile for DecimalStr {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
        decimal_str::reconcile(&self.0, reconciler)
    }
}

impl autosurgeon::Hydrate for DecimalStr {
    fn hydrate_string(s: &str) -> Result<Self, autosurgeon::HydrateError> {
        s.parse()
            .map(DecimalStr)
            .map_err(|_| autosurgeon::HydrateError::unexpected("a decimal string", s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_ids_are_stable_base58check_uuids() {
        let store = Uuid::from_u128(0x0192_0000_0000_7000_8000_0000_0000_0001);
        let id = DocumentId::derive(store, DocKind::Catalog, "");
        assert_eq!(id, DocumentId::derive(store, DocKind::Catalog, ""));
        assert_ne!(id, DocumentId::derive(store, DocKind::Settings, ""));
        assert_eq!(id.as_uuid().get_version_num(), 5);
        let text = id.to_string();
        assert_eq!(text.parse::<DocumentId>().unwrap(), id);
        assert_eq!(id.url().parse::<DocumentId>().unwrap(), id);
        // A changed character fails the checksum.
        let mut broken = text.into_bytes();
        broken[3] = if broken[3] == b'a' { b'b' } else { b'a' };
        assert!(
            String::from_utf8(broken)
                .unwrap()
                .parse::<DocumentId>()
                .is_err()
        );
    }

    #[test]
    fn kinds_read_back_from_their_names() {
        for kind in [
            DocKind::Catalog,
            DocKind::Settings,
            DocKind::SalesDay,
            DocKind::StockPeriod,
            DocKind::MonthIndex,
            DocKind::Customers,
        ] {
            assert_eq!(DocKind::from_name(kind.as_str()), Some(kind));
        }
        assert_eq!(DocKind::from_name("Catalog"), None);
        assert_eq!(DocKind::from_name(""), None);
    }

    #[test]
    fn reads_and_writes_ids_as_automerge_repo_does() {
        // The "good URL" of automerge-repo's own URL tests.
        let url = "automerge:4NMNnkMhL8jXrdJ9jamS58PAVdXu";
        let id: DocumentId = url.parse().unwrap();
        assert_eq!(id.url(), url);
        assert!("automerge:badbadbad".parse::<DocumentId>().is_err());
    }

    #[test]
    fn business_days_validate_and_print() {
        assert!(BusinessDay::new(2026, 2, 29).is_none());
        assert!(BusinessDay::new(2028, 2, 29).is_some());
        let day = BusinessDay::new(2026, 11, 9).unwrap();
        assert_eq!(day.to_string(), "2026-11-09");
        assert_eq!(day.month().to_string(), "2026-11");
        assert_eq!("2026-11-09".parse::<BusinessDay>().unwrap(), day);
    }

    #[test]
    fn actor_ids_come_from_the_device() {
        let device = Uuid::from_u128(7);
        assert_eq!(
            Actor::device(device).actor_id().to_bytes(),
            device.as_bytes()
        );
        assert_ne!(
            Actor::session(device, 1).actor_id(),
            Actor::device(device).actor_id()
        );
    }
}
