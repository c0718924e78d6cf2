//! The stock of one calendar month of a store (`YYYY-MM`): counts, movements and the level carried
//! over from the month before.
//!
//! **The rule.** A count means "counted now": the level of a SKU is its latest count plus every
//! movement (sale, refund, void) later than that count; before any count in the month, it is the
//! month's opening plus every movement of the month. "Later" compares *stamps*: each movement and
//! count gets `max(its own time, 1 + every stamp this writer has seen in the document)`, a hybrid
//! logical clock. So a movement the counting device already knew (the goods were gone when they
//! were counted) is always earlier than the count and is not taken off again, whatever the
//! devices' clocks say; a movement made after a device had seen the count is always later; and a
//! movement made offline elsewhere, concurrently with the count, is judged by its own time: a sale
//! made before the count was already gone, one made after it is taken off. The latest of several
//! counts of a SKU is the one with the greatest (stamp, count id): the same on every device.
//!
//! **Reading cheaply.** Each writer (a tab of a device) keeps its cumulative net movement per SKU
//! (`deltas`, a plain `put` on keys only it writes: no Automerge counters, which slow down as they
//! age and lose increments to a concurrent `put`, see shared/NOTES-sync.md) and a log of its
//! movements in order (`log`, stamps increasing). A count stores, per writer, how many of its
//! movements the counting device knew and their cumulative delta of the SKU. The level is then
//! `count + Σ writers (delta now − delta known at the count)`, corrected by walking only the
//! movements the count did not know whose stamp is not later than the count's (sales made offline
//! before it): usually none. Reading a level costs a few reads per writer, not a scan of the month.
//!
//! **Months.** Movements and counts go into the month of their own business day. A month opens
//! with the level of each SKU at the end of the month before; while the month before is open
//! beside it, that closing is computed from it as it stands (so a late offline sale of last month
//! still lowers this month's level on every device). Each writer also keeps its latest view of
//! that closing in `opening` (with how much of last month it had seen), and the month after uses
//! the best-informed one. Limitation: a movement or count of a month that reaches a device only
//! after the month after next has begun is kept in its document but not in the levels; and a
//! store that runs no device for a whole calendar month loses its carried levels (count again).
//!
//! Layout: `deltas: writer -> sku -> delta` and `log: writer -> [movement]` are made by their only
//! writer (two writers creating one inner map at once would make two conflicting maps and hide
//! one's values); counts and openings are JSON strings under keys only one writer writes.

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc, ScalarValue, Value};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{
    Actor, DocError, DocKind, DocumentId, Month, Recorded, Refund, SharedDocument, genesis,
    get_decimal, get_str, get_uuid_str, root_map,
};
use crate::sale::Sale;

const OPENING: &str = "opening";
const COUNTS: &str = "counts";
const DELTAS: &str = "deltas";
const LOG: &str = "log";
const CLOCK: &str = "clock";
const APPLIED: &str = "applied";

/// The month before `month`.
pub fn previous_month(month: Month) -> Month {
    if month.month <= 1 {
        Month {
            year: month.year - 1,
            month: 12,
        }
    } else {
        Month {
            year: month.year,
            month: month.month - 1,
        }
    }
}

/// One count of one SKU, as stored (JSON under its count id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockCount {
    pub sku: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub quantity: Decimal,
    /// The count's time as the counting device gave it (milliseconds since the epoch).
    pub at_ms: i64,
    /// Its stamp (see the module doc): what "later" is measured against.
    pub stamp: i64,
    /// Per writer: how many of its movements the counting device knew, and their net delta of
    /// this SKU.
    pub known: BTreeMap<String, (u64, String)>,
}

/// One writer's movement, as stored in its log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockMovement {
    pub id: Uuid,
    pub stamp: i64,
    /// Net quantity per SKU (negative: out of stock), as decimal strings.
    pub moves: BTreeMap<String, String>,
}

impl StockMovement {
    fn of(&self, sku: &str) -> Result<Decimal, DocError> {
        self.moves
            .get(sku)
            .map(|q| super::parse_decimal(q))
            .transpose()
            .map(Option::unwrap_or_default)
    }
}

/// One writer's view of the level at the end of the month before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Opening {
    /// How much of the month before it had seen (its movements and counts): the best-informed
    /// view wins.
    seen: u64,
    levels: BTreeMap<String, String>,
}

pub struct StockPeriod {
    doc: AutoCommit,
    writer: String,
}

impl StockPeriod {
    /// The stock document of `period` (`YYYY-MM`); the same genesis on every device, so devices
    /// may open it offline and merge later.
    pub fn new(store: Uuid, period: &str, actor: &Actor) -> StockPeriod {
        let id = StockPeriod::id(store, period);
        let store = store.to_string();
        let doc = genesis(
            id,
            DocKind::StockPeriod,
            &[("store", &store), ("period", period)],
            &[OPENING, COUNTS, DELTAS, LOG, CLOCK, APPLIED],
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

    /// The next stamp of this writer: its own time, or later than everything it has seen.
    fn stamp(&mut self, at_ms: i64) -> Result<i64, DocError> {
        let clock = root_map(&self.doc, CLOCK)?;
        let mut seen = i64::MIN;
        for writer in self.doc.keys(&clock).collect::<Vec<_>>() {
            if let Some((Value::Scalar(s), _)) = self.doc.get(&clock, writer.as_str())?
                && let ScalarValue::Int(t) = s.as_ref()
            {
                seen = seen.max(*t);
            }
        }
        let stamp = at_ms.max(seen.saturating_add(1));
        self.doc.put(&clock, self.writer.as_str(), stamp)?;
        Ok(stamp)
    }

    /// A count of `sku` at `at_ms`: from then on the level is `quantity` plus later movements.
    /// Once per count id.
    pub fn count(
        &mut self,
        id: Uuid,
        sku: &str,
        quantity: Decimal,
        at_ms: i64,
    ) -> Result<Recorded, DocError> {
        let counts = root_map(&self.doc, COUNTS)?;
        let key = id.to_string();
        if self.doc.get(&counts, key.as_str())?.is_some() {
            return Ok(Recorded::AlreadyThere);
        }
        let mut known = BTreeMap::new();
        let log = root_map(&self.doc, LOG)?;
        for (writer, by_sku) in self.deltas()? {
            let n = match self.doc.get(&log, writer.as_str())? {
                Some((Value::Object(ObjType::List), list)) => self.doc.length(&list) as u64,
                _ => 0,
            };
            let delta = by_sku.get(sku).copied().unwrap_or_default();
            known.insert(writer, (n, delta.normalize().to_string()));
        }
        let stamp = self.stamp(at_ms)?;
        let count = StockCount {
            sku: sku.to_owned(),
            quantity,
            at_ms,
            stamp,
            known,
        };
        let json = serde_json::to_string(&count)
            .map_err(|e| DocError::Corrupt(format!("a count does not serialise: {e}")))?;
        self.doc.put(&counts, key.as_str(), json)?;
        self.doc.commit();
        Ok(Recorded::New)
    }

    /// Takes the sale's goods out of stock at the sale's time, once per sale id.
    pub fn record_sale_movements(&mut self, sale: &Sale) -> Result<Recorded, DocError> {
        let moves = sale.lines().iter().map(|l| (l.sku.as_str(), -l.quantity));
        self.apply(sale.id(), sale.completed_at_ms(), moves.collect())
    }

    /// Puts returned goods back into stock at the refund's time, once per refund id.
    pub fn record_return_movements(&mut self, refund: &Refund) -> Result<Recorded, DocError> {
        let moves = refund
            .lines
            .iter()
            .filter(|l| !l.damaged)
            .map(|l| (l.sku.as_str(), l.quantity));
        self.apply(refund.id, refund.at_ms, moves.collect())
    }

    fn apply(
        &mut self,
        movement: Uuid,
        at_ms: i64,
        moves: Vec<(&str, Decimal)>,
    ) -> Result<Recorded, DocError> {
        let applied = root_map(&self.doc, APPLIED)?;
        let key = movement.to_string();
        if self.doc.get(&applied, key.as_str())?.is_some() {
            return Ok(Recorded::AlreadyThere);
        }
        let mut sums: BTreeMap<&str, Decimal> = BTreeMap::new();
        for (sku, qty) in moves.into_iter().filter(|(sku, _)| !sku.is_empty()) {
            *sums.entry(sku).or_default() += qty;
        }
        let mine = self.own(DELTAS, ObjType::Map)?;
        for (sku, qty) in &sums {
            let now = get_decimal(&self.doc, &mine, sku)?.unwrap_or_default();
            self.doc
                .put(&mine, *sku, (now + qty).normalize().to_string())?;
        }
        // The log entry goes in the same change as the deltas, so a count that sees one sees both.
        let stamp = self.stamp(at_ms)?;
        let entry = StockMovement {
            id: movement,
            stamp,
            moves: sums
                .iter()
                .map(|(s, q)| ((*s).to_owned(), q.normalize().to_string()))
                .collect(),
        };
        let json = serde_json::to_string(&entry)
            .map_err(|e| DocError::Corrupt(format!("a movement does not serialise: {e}")))?;
        let log = self.own(LOG, ObjType::List)?;
        let end = self.doc.length(&log);
        self.doc.insert(&log, end, json)?;
        self.doc.put(&applied, key.as_str(), self.writer.as_str())?;
        self.doc.commit();
        Ok(Recorded::New)
    }

    /// This writer's entry under a top-level map, made on its first use.
    fn own(&mut self, top: &str, kind: ObjType) -> Result<ObjId, DocError> {
        let map = root_map(&self.doc, top)?;
        match self.doc.get(&map, self.writer.as_str())? {
            Some((Value::Object(k), id)) if k == kind => Ok(id),
            _ => Ok(self.doc.put_object(&map, self.writer.as_str(), kind)?),
        }
    }

    /// Every count of the month, by count id.
    pub fn counts(&self) -> Result<BTreeMap<Uuid, StockCount>, DocError> {
        let map = root_map(&self.doc, COUNTS)?;
        let mut all = BTreeMap::new();
        for key in self.doc.keys(&map) {
            let id = Uuid::parse_str(&key)
                .map_err(|_| DocError::Corrupt(format!("count id {key:?} is not a UUID")))?;
            let json = get_str(&self.doc, &map, &key)?.unwrap_or_default();
            let count = serde_json::from_str(&json)
                .map_err(|e| DocError::Corrupt(format!("count {key}: {e}")))?;
            all.insert(id, count);
        }
        Ok(all)
    }

    /// The count in force per SKU: the greatest (stamp, count id).
    fn latest_counts(&self) -> Result<BTreeMap<String, (Uuid, StockCount)>, DocError> {
        let mut latest: BTreeMap<String, (Uuid, StockCount)> = BTreeMap::new();
        for (id, count) in self.counts()? {
            let newer = latest
                .get(&count.sku)
                .is_none_or(|(i, c)| (count.stamp, id) > (c.stamp, *i));
            if newer {
                latest.insert(count.sku.clone(), (id, count));
            }
        }
        Ok(latest)
    }

    /// Each writer's movements in the order it made them.
    pub fn movements(&self) -> Result<BTreeMap<String, Vec<StockMovement>>, DocError> {
        let log = root_map(&self.doc, LOG)?;
        let mut all = BTreeMap::new();
        for writer in self.doc.keys(&log) {
            let list = self.log_of(&log, &writer)?;
            let n = self.doc.length(&list);
            let entries = (0..n)
                .map(|i| self.entry(&list, i))
                .collect::<Result<Vec<_>, _>>()?;
            all.insert(writer, entries);
        }
        Ok(all)
    }

    fn log_of(&self, log: &ObjId, writer: &str) -> Result<ObjId, DocError> {
        match self.doc.get(log, writer)? {
            Some((Value::Object(ObjType::List), list)) => Ok(list),
            _ => Err(DocError::Corrupt(format!(
                "the log of {writer} is not a list"
            ))),
        }
    }

    fn entry(&self, list: &ObjId, i: usize) -> Result<StockMovement, DocError> {
        match self.doc.get(list, i)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(json) => serde_json::from_str(json)
                    .map_err(|e| DocError::Corrupt(format!("movement {i}: {e}"))),
                _ => Err(DocError::Corrupt(format!("movement {i} is not a string"))),
            },
            _ => Err(DocError::Corrupt(format!("movement {i} is missing"))),
        }
    }

    /// The level of a SKU that has a count: the count plus the movements later than it.
    fn level_after(
        &self,
        sku: &str,
        count: &StockCount,
        deltas: &BTreeMap<String, BTreeMap<String, Decimal>>,
    ) -> Result<Decimal, DocError> {
        let log = root_map(&self.doc, LOG)?;
        let mut level = count.quantity;
        for (writer, by_sku) in deltas {
            let (known, mut base) = match count.known.get(writer) {
                Some((n, delta)) => (*n as usize, super::parse_decimal(delta)?),
                None => (0, Decimal::ZERO),
            };
            // Movements the count did not know but that are not later than it (made offline
            // before it): already gone when counted. Stamps increase along a log, so stop at the
            // first later one.
            let list = self.log_of(&log, writer)?;
            for i in known..self.doc.length(&list) {
                let entry = self.entry(&list, i)?;
                if entry.stamp > count.stamp {
                    break;
                }
                base += entry.of(sku)?;
            }
            level += by_sku.get(sku).copied().unwrap_or_default() - base;
        }
        Ok(level)
    }

    /// The level of every SKU that has one (a count this month, or a level carried into it), the
    /// month having opened with `opening`.
    pub fn levels_from(
        &self,
        opening: &BTreeMap<String, Decimal>,
    ) -> Result<BTreeMap<String, Decimal>, DocError> {
        let deltas = self.deltas()?;
        let latest = self.latest_counts()?;
        let mut levels = BTreeMap::new();
        for (sku, (_, count)) in &latest {
            levels.insert(sku.clone(), self.level_after(sku, count, &deltas)?);
        }
        for (sku, open) in opening {
            if latest.contains_key(sku) {
                continue;
            }
            let moved: Decimal = deltas
                .values()
                .filter_map(|by_sku| by_sku.get(sku))
                .copied()
                .sum();
            levels.insert(sku.clone(), open + moved);
        }
        Ok(levels)
    }

    /// Every SKU's level, the month having opened with what the best-informed writer carried in;
    /// a SKU with movements but no count nor opening reads as its net movement.
    pub fn levels(&self) -> Result<BTreeMap<String, Decimal>, DocError> {
        let mut levels = self.levels_from(&self.opening()?)?;
        let defined: BTreeSet<String> = levels.keys().cloned().collect();
        for by_sku in self.deltas()?.values() {
            for (sku, delta) in by_sku.iter().filter(|(s, _)| !defined.contains(*s)) {
                *levels.entry(sku.clone()).or_default() += delta;
            }
        }
        Ok(levels)
    }

    pub fn level(&self, sku: &str) -> Result<Decimal, DocError> {
        Ok(self.levels()?.get(sku).copied().unwrap_or_default())
    }

    /// How much of this month a writer has seen: its movements and counts. Grows with every
    /// change it learns of, so the greatest belongs to the best-informed view.
    pub fn seen(&self) -> Result<u64, DocError> {
        let log = root_map(&self.doc, LOG)?;
        let mut seen = self.doc.length(&root_map(&self.doc, COUNTS)?) as u64;
        for writer in self.doc.keys(&log) {
            seen += self.doc.length(&self.log_of(&log, &writer)?) as u64;
        }
        Ok(seen)
    }

    /// The level carried in from the month before: the view of the writer that had seen most of
    /// it (ties: the greatest writer key), the same on every device.
    pub fn opening(&self) -> Result<BTreeMap<String, Decimal>, DocError> {
        let map = root_map(&self.doc, OPENING)?;
        let mut best: Option<(u64, String, Opening)> = None;
        for writer in self.doc.keys(&map) {
            let json = get_str(&self.doc, &map, &writer)?.unwrap_or_default();
            let opening: Opening = serde_json::from_str(&json)
                .map_err(|e| DocError::Corrupt(format!("opening of {writer}: {e}")))?;
            if best
                .as_ref()
                .is_none_or(|(s, w, _)| (opening.seen, &writer) > (*s, w))
            {
                best = Some((opening.seen, writer, opening));
            }
        }
        best.map(|(_, _, o)| o.levels)
            .unwrap_or_default()
            .into_iter()
            .map(|(sku, q)| Ok((sku, super::parse_decimal(&q)?)))
            .collect()
    }

    /// Keeps this writer's view of the month before's closing (`seen` of that month): written only
    /// when it changed. Returns whether it wrote.
    pub fn carry_in(
        &mut self,
        closing: &BTreeMap<String, Decimal>,
        seen: u64,
    ) -> Result<bool, DocError> {
        let opening = Opening {
            seen,
            levels: closing
                .iter()
                .map(|(s, q)| (s.clone(), q.normalize().to_string()))
                .collect(),
        };
        let json = serde_json::to_string(&opening)
            .map_err(|e| DocError::Corrupt(format!("an opening does not serialise: {e}")))?;
        let map = root_map(&self.doc, OPENING)?;
        let mine = get_str(&self.doc, &map, &self.writer)?;
        // Nothing to carry and nothing carried before (a new store): no change to sync.
        let empty = closing.is_empty() && seen == 0 && mine.is_none();
        if empty || mine.as_deref() == Some(json.as_str()) {
            return Ok(false);
        }
        self.doc.put(&map, self.writer.as_str(), json)?;
        self.doc.commit();
        Ok(true)
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
