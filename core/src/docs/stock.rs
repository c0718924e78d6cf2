//! The stock of one period (from one stocktake to the next): a baseline per SKU and, per device,
//! the cumulative net movement of each SKU, which only that device writes, with a plain `put`.
//! The level is the baseline plus every device's delta. Not Automerge counters: increments on a hot
//! key slow down as they age, and a concurrent `put` on a counter drops the other side's increments
//! (see shared/NOTES-sync.md); a key with one writer never conflicts, so nothing is lost.
//!
//! Stored as `deltas: device -> sku -> delta` (the design's `sku -> device -> delta`, turned round)
//! so that each inner map is created by its only writer: two devices creating the map of one SKU
//! at once would make two conflicting maps, and one device's deltas would vanish from view.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, Value};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    Actor, DocError, DocKind, DocumentId, Recorded, Refund, SharedDocument, Void, genesis,
    get_decimal, get_str, get_uuid_str, root_map,
};
use crate::sale::Sale;

const BASELINES: &str = "baselines";
const DELTAS: &str = "deltas";
const APPLIED: &str = "applied";

pub struct StockPeriod {
    doc: AutoCommit,
    writer: String,
}

impl StockPeriod {
    /// The stock document of `period` (e.g. the id of the stocktake that opened it); the same
    /// genesis on every device, so devices may open it offline and merge later.
    pub fn new(store: Uuid, period: &str, actor: &Actor) -> StockPeriod {
        let id = StockPeriod::id(store, period);
        let store = store.to_string();
        let doc = genesis(
            id,
            DocKind::StockPeriod,
            &[("store", &store), ("period", period)],
            &[BASELINES, DELTAS, APPLIED],
            actor,
        );
        StockPeriod {
            doc,
            writer: actor.writer_key(),
        }
    }

    pub fn id(store: Uuid, period: &str) -> DocumentId {
        DocumentId::derive(store, DocKind::StockPeriod, period)
    }

    pub fn store(&self) -> Result<Uuid, DocError> {
        get_uuid_str(&self.doc, "store")
    }
    pub fn period(&self) -> Result<String, DocError> {
        get_str(&self.doc, &ROOT, "period")?
            .ok_or_else(|| DocError::Corrupt("period is missing".into()))
    }

    /// The counted quantity at the start of the period (a manager's stocktake).
    pub fn set_baseline(&mut self, sku: &str, quantity: Decimal) -> Result<(), DocError> {
        let map = root_map(&self.doc, BASELINES)?;
        self.doc.put(&map, sku, quantity.to_string())?;
        self.doc.commit();
        Ok(())
    }

    /// Takes the sale's goods out of stock, once per sale id.
    pub fn record_sale_movements(&mut self, sale: &Sale) -> Result<Recorded, DocError> {
        let moves = sale.lines().iter().map(|l| (l.sku.as_str(), -l.quantity));
        self.apply(sale.id(), moves.collect())
    }

    /// Puts returned goods back into stock, once per refund id.
    pub fn record_return_movements(&mut self, refund: &Refund) -> Result<Recorded, DocError> {
        let moves = refund.lines.iter().map(|l| (l.sku.as_str(), l.quantity));
        self.apply(refund.id, moves.collect())
    }

    /// Puts all of a voided sale's goods back into stock, once per void id.
    pub fn record_void_movements(
        &mut self,
        void: &Void,
        sale: &Sale,
    ) -> Result<Recorded, DocError> {
        let moves = sale.lines().iter().map(|l| (l.sku.as_str(), l.quantity));
        self.apply(void.id, moves.collect())
    }

    fn apply(&mut self, movement: Uuid, moves: Vec<(&str, Decimal)>) -> Result<Recorded, DocError> {
        let applied = root_map(&self.doc, APPLIED)?;
        let key = movement.to_string();
        if self.doc.get(&applied, key.as_str())?.is_some() {
            return Ok(Recorded::AlreadyThere);
        }
        let mine = self.own_deltas()?;
        let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (sku, qty) in moves.into_iter().filter(|(sku, _)| !sku.is_empty()) {
            *sums.entry(sku).or_default() += qty;
        }
        for (sku, qty) in sums {
            let now = get_decimal(&self.doc, &mine, sku)?.unwrap_or_default();
            self.doc
                .put(&mine, sku, (now + qty).normalize().to_string())?;
        }
        self.doc.put(&applied, key.as_str(), self.writer.as_str())?;
        self.doc.commit();
        Ok(Recorded::New)
    }

    /// This writer's map of deltas, made on its first movement.
    fn own_deltas(&mut self) -> Result<ObjId, DocError> {
        let deltas = root_map(&self.doc, DELTAS)?;
        match self.doc.get(&deltas, self.writer.as_str())? {
            Some((Value::Object(ObjType::Map), id)) => Ok(id),
            _ => Ok(self
                .doc
                .put_object(&deltas, self.writer.as_str(), ObjType::Map)?),
        }
    }

    /// The baseline plus every device's net movement.
    pub fn level(&self, sku: &str) -> Result<Decimal, DocError> {
        let mut level =
            get_decimal(&self.doc, &root_map(&self.doc, BASELINES)?, sku)?.unwrap_or_default();
        for (_, by_sku) in self.deltas()? {
            level += by_sku.get(sku).copied().unwrap_or_default();
        }
        Ok(level)
    }

    /// The level of every SKU with a baseline or a movement.
    pub fn levels(&self) -> Result<BTreeMap<String, Decimal>, DocError> {
        let mut levels = self.baselines()?;
        for (_, by_sku) in self.deltas()? {
            for (sku, delta) in by_sku {
                *levels.entry(sku).or_default() += delta;
            }
        }
        Ok(levels)
    }

    pub fn baselines(&self) -> Result<BTreeMap<String, Decimal>, DocError> {
        let map = root_map(&self.doc, BASELINES)?;
        self.doc
            .keys(&map)
            .map(|sku| {
                Ok((
                    sku.clone(),
                    get_decimal(&self.doc, &map, &sku)?.unwrap_or_default(),
                ))
            })
            .collect()
    }

    /// Each writer's cumulative delta per SKU.
    pub fn deltas(&self) -> Result<BTreeMap<String, BTreeMap<String, Decimal>>, DocError> {
        let deltas = root_map(&self.doc, DELTAS)?;
        let mut all = BTreeMap::new();
        for writer in self.doc.keys(&deltas) {
            let Some((Value::Object(ObjType::Map), map)) =
                self.doc.get(&deltas, writer.as_str())?
            else {
                return Err(DocError::Corrupt(format!(
                    "the deltas of {writer} are not a map"
                )));
            };
            let mut by_sku = BTreeMap::new();
            for sku in self.doc.keys(&map) {
                let delta = get_decimal(&self.doc, &map, &sku)?.unwrap_or_default();
                by_sku.insert(sku, delta);
            }
            all.insert(writer, by_sku);
        }
        Ok(all)
    }
}

impl SharedDocument for StockPeriod {
    const KIND: DocKind = DocKind::StockPeriod;
    automerge_in_doc_field!();
    fn from_automerge(doc: AutoCommit) -> Result<Self, DocError> {
        super::check_kind(&doc, Self::KIND)?;
        // The writer key follows the actor the document was loaded with (`SharedDocument::load`).
        let actor = doc.get_actor().to_bytes();
        let device = actor
            .get(..16)
            .and_then(|b| Uuid::from_slice(b).ok())
            .unwrap_or_default();
        let session = actor
            .get(16..20)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .unwrap_or(0);
        let writer = Actor::session(device, session).writer_key();
        Ok(StockPeriod { doc, writer })
    }
    fn document_id(&self) -> DocumentId {
        match (self.store(), self.period()) {
            (Ok(store), Ok(period)) => StockPeriod::id(store, &period),
            _ => DocumentId([0; 16]),
        }
    }
}
