//! The monthly index of a store: one row per sales document of the month with its totals, so a
//! device or a report finds the days it needs (and the month's totals) without opening every day.
//! Rows are keyed by document id and replaced whole by whoever saw the newest totals (the server).

use std::collections::BTreeMap;

use automerge::AutoCommit;
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    Actor, DocError, DocKind, DocumentId, Month, SharedDocument, decimal_str, genesis, get_str,
    get_uuid_str, root_map,
};

const DAYS: &str = "days";

/// One sales document of the month and its totals (see `SalesDay::index_entry`).
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
pub struct DayEntry {
    pub device: Uuid,
    /// `YYYY-MM-DD`.
    pub day: String,
    pub sales: u64,
    #[autosurgeon(with = "decimal_str")]
    pub total: Decimal,
    pub refunds: u64,
    #[autosurgeon(with = "decimal_str")]
    pub refunded: Decimal,
    pub voids: u64,
}

pub struct MonthIndex {
    doc: AutoCommit,
}

impl MonthIndex {
    pub fn new(store: Uuid, month: Month, actor: &Actor) -> MonthIndex {
        let id = MonthIndex::id(store, month);
        let (store, month) = (store.to_string(), month.to_string());
        MonthIndex {
            doc: genesis(
                id,
                DocKind::MonthIndex,
                &[("store", &store), ("month", &month)],
                &[DAYS],
                actor,
            ),
        }
    }

    pub fn id(store: Uuid, month: Month) -> DocumentId {
        DocumentId::derive(store, DocKind::MonthIndex, &month.to_string())
    }

    pub fn store(&self) -> Result<Uuid, DocError> {
        get_uuid_str(&self.doc, "store")
    }

    /// Adds or updates the row of one sales document.
    pub fn put_day(&mut self, document: DocumentId, entry: &DayEntry) -> Result<(), DocError> {
        let map = root_map(&self.doc, DAYS)?;
        reconcile_prop(&mut self.doc, &map, document.to_string().as_str(), entry)?;
        self.doc.commit();
        Ok(())
    }

    /// The rows by document id.
    pub fn days(&self) -> Result<Vec<(DocumentId, DayEntry)>, DocError> {
        let map: BTreeMap<String, DayEntry> = hydrate_prop(&self.doc, automerge::ROOT, DAYS)?;
        map.into_iter()
            .map(|(id, entry)| Ok((id.parse()?, entry)))
            .collect()
    }

    /// The row of one sales document, if it has one.
    pub fn day(&self, document: DocumentId) -> Result<Option<DayEntry>, DocError> {
        let map = root_map(&self.doc, DAYS)?;
        super::hydrate_entry(&self.doc, &map, document.to_string().as_str())
    }

    /// The month's sales total over all rows.
    pub fn total(&self) -> Result<Decimal, DocError> {
        Ok(self.days()?.iter().map(|(_, d)| d.total).sum())
    }
}

impl SharedDocument for MonthIndex {
    const KIND: DocKind = DocKind::MonthIndex;
    automerge_in_doc_field!();
    fn from_automerge(doc: AutoCommit) -> Result<Self, DocError> {
        super::check_kind(&doc, Self::KIND)?;
        Ok(MonthIndex { doc })
    }
    fn document_id(&self) -> DocumentId {
        let month = get_str(&self.doc, &automerge::ROOT, "month")
            .ok()
            .flatten()
            .unwrap_or_default();
        DocumentId::derive(self.store().unwrap_or_default(), Self::KIND, &month)
    }
}
