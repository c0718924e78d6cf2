//! #10, "the durable record is the truth": a randomized fault test of the outbox and the documents.
//!
//! 3-6 devices sell, refund, edit prices and count stock in any order, while their commits and
//! their stores' transactions fail, they crash and reload, their business day moves on and they
//! are cut off from the server. Each device is modelled as the app runs it: a sale or refund is a
//! plain record with an outbox entry (or nothing, when its commit fails); the sync engine folds the
//! outbox into the documents, opening each one it needs from its stored chunks first, and stores
//! the chunks and drops the folded entries in one transaction, reopening the documents from
//! storage when that transaction fails; every engine start writes with a session number never used
//! before on the device; only stored state is sent, and what is received is stored.
//!
//! At the end (partitions healed, every device reloaded, its outbox folded and everything synced)
//! every committed record is in every device's documents exactly once, in the document of its
//! device and of the day of its time; no failed commit appears anywhere; every stored document
//! loads; every copy has the server's heads; the money of each device-day agrees everywhere and
//! with the month's index; prices and stock levels agree on every device.
//!
//! A seeded model with a small PRNG: `FAULT_CASES` sets the number of seeds (default 24),
//! `FAULT_STEPS` the operations of each (default 40), `FAULT_SEED` runs one seed (a failure names
//! its seed and the operations that led to it) and `FAULT_STATS=1` prints how often the
//! interesting cases happened.

mod common;

use common::Shelf;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use pos_core::automerge::{AutoCommit, ChangeHash};
use pos_core::{
    BusinessDay, Catalog, Decimal, DocRole, DocWrite, DocumentId, MonthIndex, Refund, Sale,
    SharedDocument, StockPeriod, StoreDocs, Uuid, demo,
};

const STORE: Uuid = Uuid::from_u128(0x0192_f000_0000_7000_8000_0000_0000_0010);
/// 2026-11-27 00:00 UTC, the first business day of every run.
const START_MS: i64 = 1_795_737_600_000;
const DAY_MS: i64 = 86_400_000;
/// Business days a run may reach: from 27 November into December, so two month indexes.
const DAYS: usize = 8;

fn business_day(k: usize) -> BusinessDay {
    let (month, day) = if k < 4 { (11, 27 + k) } else { (12, k - 3) };
    BusinessDay::new(2026, month, day as u32).unwrap()
}

/// The business day of a record's time (as the app's `business_day(at_ms)`).
fn day_of_ms(ms: i64) -> usize {
    ((ms - START_MS) / DAY_MS) as usize
}

fn device_id(i: usize) -> Uuid {
    Uuid::from_u128(0xD000 + i as u128)
}

/// A small deterministic PRNG (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn sorted(mut heads: Vec<ChangeHash>) -> Vec<ChangeHash> {
    heads.sort();
    heads
}

/// A committed sale or refund, waiting in the outbox to be folded into the documents.
#[derive(Clone)]
enum Record {
    Sale(Box<Sale>),
    Refund(Refund),
}

impl Record {
    fn at_ms(&self) -> i64 {
        match self {
            Record::Sale(s) => s.completed_at_ms(),
            Record::Refund(r) => r.at_ms,
        }
    }
}

/// What a document is, to open it: its role on a given device follows from its owner.
#[derive(Clone, Copy)]
enum Kind {
    Standing(DocRole),
    /// A month's stock, opened for a day of that month.
    Stock(BusinessDay),
    Index(BusinessDay),
    Day(Uuid, BusinessDay),
}

struct Device {
    id: Uuid,
    code: String,
    shelf: Shelf,
    outbox: Vec<Record>,
    /// The truth: every record whose commit succeeded.
    sales: Vec<Sale>,
    refunds: Vec<Refund>,
    /// Sales this device has refunded (at most once each).
    refunded: BTreeSet<Uuid>,
    docs: Option<StoreDocs>,
    /// The last writer session used on this device.
    session: u32,
    today: usize,
    /// Documents with stored changes the server has not received yet.
    unacked: BTreeSet<DocumentId>,
    partitioned: bool,
    receipt_seq: u64,
    /// The stored chunks (named by their heads) of each document when it was last sent.
    sent: BTreeMap<DocumentId, Vec<String>>,
    /// Other devices' sales this device has received (and may refund).
    received: Vec<Sale>,
    /// The catalog the register sells from, read again when its document changes.
    catalog: Option<(Vec<ChangeHash>, Catalog)>,
}

struct World {
    rng: Rng,
    devices: Vec<Device>,
    server: BTreeMap<DocumentId, AutoCommit>,
    kinds: BTreeMap<DocumentId, Kind>,
    /// Ids of records whose commit failed: they must never appear.
    failed: BTreeSet<Uuid>,
    next_id: u128,
    catalog: Catalog,
    store: pos_core::Store,
    log: Vec<String>,
    /// How often the interesting cases happened (printed with `FAULT_STATS=1`).
    stats: BTreeMap<&'static str, usize>,
}

impl World {
    fn new(seed: u64) -> World {
        let mut rng = Rng(seed);
        let n = 3 + rng.below(4);
        let (store, catalog) = demo::food_truck(false);

        // Every document any device may open, to know its role and day.
        let probe = StoreDocs::new(STORE, Uuid::nil(), 0);
        let mut kinds = BTreeMap::new();
        for (id, role) in probe.standing(business_day(0)) {
            if matches!(
                role,
                DocRole::Settings | DocRole::Catalog | DocRole::Customers | DocRole::Stock
            ) {
                kinds.insert(id, Kind::Standing(role));
            }
        }
        for k in 0..DAYS {
            let day = business_day(k);
            kinds.insert(probe.index_id(day), Kind::Index(day));
            kinds.insert(probe.stock_id(day.month()), Kind::Stock(day));
            for d in 0..n {
                kinds.insert(
                    probe.day_id(device_id(d), day),
                    Kind::Day(device_id(d), day),
                );
            }
        }

        // The store's catalog, written once by a manager and on every device before the run.
        let catalog_id = probe.catalog_id();
        let writes = catalog_writes();
        let devices = (0..n)
            .map(|d| {
                let mut shelf = Shelf::default();
                shelf.apply(writes);
                Device {
                    id: device_id(d),
                    code: format!("D{d}"),
                    shelf,
                    outbox: Vec::new(),
                    sales: Vec::new(),
                    refunds: Vec::new(),
                    refunded: BTreeSet::new(),
                    docs: None,
                    session: 0,
                    today: 0,
                    unacked: BTreeSet::new(),
                    partitioned: false,
                    receipt_seq: 0,
                    sent: BTreeMap::new(),
                    catalog: None,
                    received: Vec::new(),
                }
            })
            .collect::<Vec<_>>();
        let mut server = BTreeMap::new();
        server.insert(catalog_id, devices[0].shelf.load(catalog_id));
        World {
            rng,
            devices,
            server,
            kinds,
            failed: BTreeSet::new(),
            next_id: 1,
            catalog,
            store,
            log: Vec::new(),
            stats: BTreeMap::new(),
        }
    }

    fn fresh_id(&mut self) -> Uuid {
        self.next_id += 1;
        Uuid::from_u128(0x5EED_0000_0000_0000_0000 + self.next_id)
    }

    fn step(&mut self) {
        let d = self.rng.below(self.devices.len());
        let fail = self.rng.chance(25);
        match self.rng.below(100) {
            0..=21 => self.sell(d, fail),
            22..=33 => self.refund(d, fail),
            34..=53 => {
                // The engine folds soon after a commit: mostly a device with something to fold.
                let waiting: Vec<usize> = (0..self.devices.len())
                    .filter(|d| !self.devices[*d].outbox.is_empty())
                    .collect();
                let d = if waiting.is_empty() || self.rng.chance(20) {
                    d
                } else {
                    waiting[self.rng.below(waiting.len())]
                };
                self.fold(d, fail)
            }
            54..=61 => self.reload(d),
            62..=68 => self.advance_day(d),
            69..=72 => self.edit_price(d, fail),
            73..=76 => self.count_stock(d, fail),
            77..=80 => self.toggle_partition(d),
            81..=90 => self.send(d, true),
            _ => self.receive(d, fail, true),
        }
    }

    /// Starts the device's sync engine when it is not running: a new writer session, and the
    /// standing documents of today and the days with unsent changes opened from storage.
    fn engine(&mut self, d: usize) -> &mut StoreDocs {
        let kinds = &self.kinds;
        let dev = &mut self.devices[d];
        if dev.docs.is_none() {
            dev.session += 1;
            let mut docs = StoreDocs::new(STORE, dev.id, dev.session);
            let today = business_day(dev.today);
            let mut wanted: Vec<(DocumentId, DocRole, BusinessDay, Uuid)> = docs
                .standing(today)
                .into_iter()
                .map(|(id, role)| (id, role, today, dev.id))
                .collect();
            wanted.extend(dev.unacked.iter().map(|id| open_args(kinds, *id, dev.id)));
            for (id, role, day, owner) in wanted {
                if !docs.is_open(id) {
                    let problems = docs.open(id, role, day, owner, &dev.shelf.chunks(id));
                    assert!(problems.is_empty(), "{id} does not load: {problems:?}");
                }
            }
            dev.docs = Some(docs);
        }
        dev.docs.as_mut().unwrap()
    }

    /// One store transaction of everything unsaved; when it fails, the documents it would have
    /// written are opened again from storage (the app's `undo_unstored`).
    fn store(&mut self, d: usize, fail: bool) -> bool {
        let dev = &mut self.devices[d];
        let docs = dev.docs.as_mut().unwrap();
        let writes = docs.unsaved(None, &BTreeMap::new());
        if writes.iter().any(|w| !w.delete.is_empty()) {
            *self.stats.entry("compaction").or_default() += 1;
        }
        if fail {
            let written: BTreeSet<DocumentId> = writes
                .iter()
                .filter_map(|w| w.chunk.as_ref())
                .map(|c| c.key.split('/').next().unwrap().parse().unwrap())
                .collect();
            for id in written {
                let problems = docs.reopen(id, &dev.shelf.chunks(id));
                assert!(problems.is_empty(), "{id} does not reopen: {problems:?}");
                assert!(
                    !docs.has_unsaved(id) || dev.shelf.chunks(id).is_empty(),
                    "{id} reopened holds what was not stored"
                );
            }
            false
        } else {
            dev.shelf.apply(&writes);
            docs.saved(&writes);
            for w in &writes {
                if let Some(c) = &w.chunk {
                    dev.unacked
                        .insert(c.key.split('/').next().unwrap().parse().unwrap());
                }
            }
            true
        }
    }

    fn sell(&mut self, d: usize, fail: bool) {
        let id = self.fresh_id();
        let n = self.rng.below(40);
        let offset = self.rng.below(DAY_MS as usize / 2) as i64;
        let dev = &mut self.devices[d];
        // The register sells at the prices it holds (the last it read when the engine is not
        // running).
        if let Some(docs) = dev.docs.as_mut() {
            let id = docs.catalog_id();
            let heads = docs.doc_mut(id).unwrap().get_heads();
            if dev.catalog.as_ref().is_none_or(|(h, _)| *h != heads) {
                let catalog = docs.catalog().expect("the catalog is there");
                dev.catalog = Some((heads, catalog));
            }
        }
        let catalog = dev.catalog.as_ref().map_or(&self.catalog, |(_, c)| c);
        let store = &self.store;
        dev.receipt_seq += 1;
        let at_ms = START_MS + dev.today as i64 * DAY_MS + offset;
        let sale = demo::cash_sale(store, catalog, n, id, &dev.code, dev.receipt_seq, at_ms);
        self.log.push(format!(
            "sell d{d} day {} {id}{}",
            dev.today,
            if fail { " (commit fails)" } else { "" }
        ));
        if fail {
            self.failed.insert(id);
        } else {
            dev.sales.push(sale.clone());
            dev.outbox.push(Record::Sale(Box::new(sale)));
        }
    }

    /// Refunds a sale the device knows: its own, or another device's it has received and stored.
    fn refund(&mut self, d: usize, fail: bool) {
        let dev = &mut self.devices[d];
        let mut known: Vec<Sale> = dev.sales.iter().chain(&dev.received).cloned().collect();
        known.retain(|s| !dev.refunded.contains(&s.id()));
        if known.is_empty() {
            return;
        }
        let sale = known[self.rng.below(known.len())].clone();
        if !dev.sales.iter().any(|s| s.id() == sale.id()) {
            *self
                .stats
                .entry("refund of another device's sale")
                .or_default() += 1;
        }
        let id = self.fresh_id();
        let dev = &mut self.devices[d];
        let at_ms = START_MS + dev.today as i64 * DAY_MS + self.rng.below(1000) as i64;
        let refund = Refund::full(&sale, id, at_ms, "fault test");
        self.log.push(format!(
            "refund d{d} day {} of {} as {id}{}",
            dev.today,
            sale.id(),
            if fail { " (commit fails)" } else { "" }
        ));
        if fail {
            self.failed.insert(id);
        } else {
            dev.refunded.insert(sale.id());
            dev.refunds.push(refund.clone());
            dev.outbox.push(Record::Refund(refund));
        }
    }

    /// Folds the whole outbox into the documents and stores them with the outbox's removal in one
    /// transaction; a failed transaction leaves the records in the outbox.
    fn fold(&mut self, d: usize, fail: bool) {
        self.log.push(format!(
            "fold d{d} ({} records){}",
            self.devices[d].outbox.len(),
            if fail { " (transaction fails)" } else { "" }
        ));
        let probe_not_open = self.rng.chance(50);
        self.engine(d);
        let dev = &mut self.devices[d];
        let docs = dev.docs.as_mut().unwrap();
        if dev.outbox.is_empty() {
            return;
        }
        let stats = &mut self.stats;
        *stats
            .entry(if fail { "fold fails" } else { "fold" })
            .or_default() += 1;
        for record in &dev.outbox {
            let day = business_day(day_of_ms(record.at_ms()));
            if day_of_ms(record.at_ms()) < dev.today {
                *stats.entry("record folded on a later day").or_default() += 1;
            }
            let needed = docs.to_open_for(day);
            if probe_not_open && !needed.is_empty() {
                *stats.entry("NotOpen probed").or_default() += 1;
                let refused = match record {
                    Record::Sale(s) => docs.record_sale(s, day),
                    Record::Refund(r) => docs.record_refund(r, day),
                };
                assert!(
                    matches!(refused, Err(pos_core::DocError::NotOpen(_))),
                    "recording on {day} with {needed:?} not open must be refused: {refused:?}"
                );
            }
            for (id, role, day, owner) in needed {
                let problems = docs.open(id, role, day, owner, &dev.shelf.chunks(id));
                assert!(problems.is_empty(), "{id} does not load: {problems:?}");
            }
            let recorded = match record {
                Record::Sale(s) => docs.record_sale(s, day),
                Record::Refund(r) => docs.record_refund(r, day),
            };
            recorded.unwrap_or_else(|e| panic!("folding into {day}: {e}"));
        }
        if self.store(d, fail) {
            self.devices[d].outbox.clear();
        }
    }

    /// A crash or a reload: whatever is in memory is gone; the shelf and the outbox stay.
    fn reload(&mut self, d: usize) {
        self.log.push(format!("reload d{d}"));
        self.devices[d].docs = None;
    }

    fn advance_day(&mut self, d: usize) {
        let dev = &mut self.devices[d];
        if dev.today + 1 >= DAYS {
            return;
        }
        dev.today += 1;
        self.log.push(format!("advance d{d} to day {}", dev.today));
        let today = business_day(dev.today);
        let (id_d, shelf) = (dev.id, &dev.shelf);
        if let Some(docs) = dev.docs.as_mut() {
            for (id, role) in docs.standing(today) {
                if !docs.is_open(id) {
                    let problems = docs.open(id, role, today, id_d, &shelf.chunks(id));
                    assert!(problems.is_empty(), "{id} does not load: {problems:?}");
                }
            }
        }
    }

    /// A price edit is stored before it is sent, and undone when it cannot be stored.
    fn edit_price(&mut self, d: usize, fail: bool) {
        let product = self.catalog.products[self.rng.below(self.catalog.products.len())]
            .id
            .clone();
        let price = Decimal::new(100 + self.rng.below(1900) as i64, 2);
        self.log.push(format!(
            "price d{d} {product} {price}{}",
            if fail { " (store fails)" } else { "" }
        ));
        self.engine(d).set_price(&product, price).unwrap();
        self.store(d, fail);
    }

    /// A stock count, of the products at even places in the menu only: the others are never
    /// counted, so their level is their movements whatever a count means.
    fn count_stock(&mut self, d: usize, fail: bool) {
        let sku = self.catalog.products[self.rng.below(self.catalog.products.len() / 2) * 2]
            .sku
            .clone();
        let quantity = Decimal::from(self.rng.below(50));
        self.log.push(format!(
            "count d{d} {sku} {quantity}{}",
            if fail { " (store fails)" } else { "" }
        ));
        let today = self.devices[d].today;
        let id = Uuid::from_u128(0xC000_0000 + self.log.len() as u128);
        let at_ms = START_MS + today as i64 * DAY_MS + 12 * 3_600_000;
        self.engine(d)
            .count_stock(&sku, quantity, id, at_ms, business_day(today))
            .unwrap();
        self.store(d, fail);
    }

    fn toggle_partition(&mut self, d: usize) {
        let dev = &mut self.devices[d];
        dev.partitioned = !dev.partitioned;
        self.log.push(format!("partition d{d} {}", dev.partitioned));
    }

    /// Sends what is stored (never unstored memory) of some or all documents to the server.
    fn send(&mut self, d: usize, some: bool) {
        let dev = &mut self.devices[d];
        if dev.partitioned {
            return;
        }
        let mut sent = 0;
        for id in dev.shelf.ids() {
            // A connection that drops midway delivers only some documents.
            if some && self.rng.chance(20) {
                continue;
            }
            let keys: Vec<String> = dev.shelf.chunks(id).into_iter().map(|(k, _)| k).collect();
            if dev.sent.get(&id) == Some(&keys) {
                dev.unacked.remove(&id);
                continue;
            }
            let mut stored = dev.shelf.load(id);
            dev.sent.insert(id, keys);
            self.server
                .entry(id)
                .or_default()
                .merge(&mut stored)
                .unwrap();
            dev.unacked.remove(&id);
            sent += 1;
        }
        self.log.push(format!("send d{d} ({sent} documents)"));
    }

    /// Receives the server's changes of some or all documents (opening those not open, as the
    /// app opens other devices' days from the index) and stores them.
    fn receive(&mut self, d: usize, fail: bool, some: bool) {
        if self.devices[d].partitioned {
            return;
        }
        self.log.push(format!(
            "receive d{d}{}",
            if fail { " (store fails)" } else { "" }
        ));
        self.engine(d);
        let ids: Vec<DocumentId> = self.server.keys().copied().collect();
        let mut in_sync = Vec::new();
        let mut seen = Vec::new();
        for id in ids {
            if some && self.rng.chance(20) {
                continue;
            }
            let dev = &mut self.devices[d];
            let docs = dev.docs.as_mut().unwrap();
            if !docs.is_open(id) {
                let (id, role, day, owner) = open_args(&self.kinds, id, dev.id);
                let problems = docs.open(id, role, day, owner, &dev.shelf.chunks(id));
                assert!(problems.is_empty(), "{id} does not load: {problems:?}");
            }
            let server_doc = self.server.get_mut(&id).unwrap();
            let doc = docs.doc_mut(id).unwrap();
            let merged = sorted(doc.get_heads()) != sorted(server_doc.get_heads());
            if merged {
                doc.merge(server_doc).unwrap();
                *self.stats.entry("document received").or_default() += 1;
            }
            if sorted(doc.get_heads()) == sorted(server_doc.get_heads()) {
                in_sync.push(id);
            }
            if merged && docs.role(id) == Some(DocRole::OtherDay) {
                seen.extend(docs.sales_in(id));
            }
        }
        if self.store(d, fail) {
            // What is stored now of these documents is the server's state: no need to send it.
            let dev = &mut self.devices[d];
            for sale in seen {
                if !dev.received.iter().any(|s| s.id() == sale.id()) {
                    dev.received.push(sale);
                }
            }
            for id in in_sync {
                let keys = dev.shelf.chunks(id).into_iter().map(|(k, _)| k).collect();
                dev.sent.insert(id, keys);
            }
        }
    }

    /// Heals everything, reloads every device, folds every outbox and syncs until nothing moves.
    fn settle(&mut self) {
        self.log.push("settle".into());
        for d in 0..self.devices.len() {
            self.devices[d].partitioned = false;
            self.devices[d].docs = None;
            self.fold(d, false);
            assert!(self.devices[d].outbox.is_empty());
        }
        for round in 0.. {
            assert!(round < 10, "sync does not settle");
            let before = self.fingerprint();
            for d in 0..self.devices.len() {
                self.send(d, false);
            }
            for d in 0..self.devices.len() {
                self.receive(d, false, false);
                self.send(d, false);
            }
            if self.fingerprint() == before {
                break;
            }
        }
    }

    fn fingerprint(&mut self) -> Vec<(DocumentId, Vec<ChangeHash>)> {
        self.server
            .iter_mut()
            .map(|(id, doc)| (*id, sorted(doc.get_heads())))
            .collect()
    }

    fn check(&mut self) {
        let committed_sales: BTreeMap<Uuid, (usize, Sale)> = self
            .devices
            .iter()
            .enumerate()
            .flat_map(|(d, dev)| dev.sales.iter().map(move |s| (s.id(), (d, s.clone()))))
            .collect();
        let committed_refunds: BTreeMap<Uuid, (usize, Refund)> = self
            .devices
            .iter()
            .enumerate()
            .flat_map(|(d, dev)| dev.refunds.iter().map(move |r| (r.id, (d, r.clone()))))
            .collect();
        // What each device's days hold: (sales, what they took, refunds, what they paid back).
        let truth: Vec<Vec<(u64, Decimal, u64, Decimal)>> = self
            .devices
            .iter()
            .map(|dev| {
                let mut days = vec![(0, Decimal::ZERO, 0, Decimal::ZERO); DAYS];
                for s in &dev.sales {
                    let day = &mut days[day_of_ms(s.completed_at_ms())];
                    day.0 += 1;
                    day.1 += s.amount_paid();
                }
                for r in &dev.refunds {
                    let day = &mut days[day_of_ms(r.at_ms)];
                    day.2 += 1;
                    day.3 += r.amount;
                }
                days
            })
            .collect();

        // The server's copy of every document loads.
        let mut server_heads = BTreeMap::new();
        for (id, doc) in &mut self.server {
            let (id, role, day, owner) = open_args(&self.kinds, *id, Uuid::nil());
            let mut reader = StoreDocs::new(STORE, Uuid::from_u128(0xFEED), 0);
            let problems = reader.open(id, role, day, owner, &[(format!("{id}/s/0"), doc.save())]);
            assert!(
                problems.is_empty(),
                "the server's {id} does not load: {problems:?}"
            );
            server_heads.insert(id, sorted(doc.get_heads()));
        }

        // Each device holds the server's changes of every document, all of them stored: its
        // copies in memory have the server's heads, and so do its stored chunks, which load
        // without a problem when it starts once more.
        let kinds = &self.kinds;
        for (d, dev) in self.devices.iter_mut().enumerate() {
            let docs = dev.docs.as_mut().unwrap();
            for (id, heads) in &server_heads {
                assert!(docs.is_open(*id), "d{d} has not opened {id}");
                assert_eq!(
                    &sorted(docs.doc_mut(*id).unwrap().get_heads()),
                    heads,
                    "d{d}'s copy of {id} differs from the server's"
                );
                assert!(!docs.has_unsaved(*id), "d{d} has unstored changes of {id}");
            }
            for id in dev.shelf.ids() {
                assert!(
                    server_heads.contains_key(&id),
                    "d{d}'s stored {id} never reached the server"
                );
            }
            dev.session += 1;
            let mut again = StoreDocs::new(STORE, dev.id, dev.session);
            for (id, heads) in &server_heads {
                let (id, role, day, owner) = open_args(kinds, *id, dev.id);
                let problems = again.open(id, role, day, owner, &dev.shelf.chunks(id));
                assert!(
                    problems.is_empty(),
                    "d{d}'s {id} does not load: {problems:?}"
                );
                assert_eq!(
                    &sorted(again.doc_mut(id).unwrap().get_heads()),
                    heads,
                    "d{d} has not stored all of {id}"
                );
            }
            dev.docs = Some(again);
        }

        // The net movement of every product: sold out, given back in.
        let uncounted: Vec<String> = self
            .catalog
            .products
            .iter()
            .skip(1)
            .step_by(2)
            .map(|p| p.sku.clone())
            .collect();
        let mut moved: BTreeMap<String, Decimal> = BTreeMap::new();
        for dev in &self.devices {
            for s in &dev.sales {
                for line in s.lines() {
                    *moved.entry(line.sku.clone()).or_default() -= line.quantity;
                }
            }
            for r in &dev.refunds {
                for line in &r.lines {
                    *moved.entry(line.sku.clone()).or_default() += line.quantity;
                }
            }
        }

        let mut prices: Option<Vec<(String, Decimal)>> = None;
        let mut levels: Option<BTreeMap<String, Decimal>> = None;
        for (d, dev) in self.devices.iter_mut().enumerate() {
            let docs = dev.docs.as_mut().unwrap();

            // Every committed record exactly once, in its device's document of its day.
            let mut sales_seen: BTreeMap<Uuid, Vec<DocumentId>> = BTreeMap::new();
            let mut refunds_seen: BTreeMap<Uuid, Vec<DocumentId>> = BTreeMap::new();
            // The money of each sales document as this copy holds it.
            let mut money: BTreeMap<DocumentId, (u64, Decimal, u64, Decimal)> = BTreeMap::new();
            for id in docs.ids() {
                if !matches!(docs.role(id), Some(DocRole::OwnDay | DocRole::OtherDay)) {
                    continue;
                }
                let m = money.entry(id).or_default();
                for s in docs.sales_in(id) {
                    sales_seen.entry(s.id()).or_default().push(id);
                    m.0 += 1;
                    m.1 += s.amount_paid();
                }
                for r in docs.refunds_in(id) {
                    refunds_seen.entry(r.id).or_default().push(id);
                    m.2 += 1;
                    m.3 += r.amount;
                }
            }
            for (sale, (owner, s)) in &committed_sales {
                let home = docs.day_id(
                    device_id(*owner),
                    business_day(day_of_ms(s.completed_at_ms())),
                );
                assert_eq!(
                    sales_seen.get(sale),
                    Some(&vec![home]),
                    "d{d}: committed sale {sale} of d{owner}"
                );
            }
            for (refund, (owner, r)) in &committed_refunds {
                let home = docs.day_id(device_id(*owner), business_day(day_of_ms(r.at_ms)));
                assert_eq!(
                    refunds_seen.get(refund),
                    Some(&vec![home]),
                    "d{d}: committed refund {refund} of d{owner}"
                );
            }
            for id in sales_seen.keys().chain(refunds_seen.keys()) {
                assert!(
                    !self.failed.contains(id),
                    "d{d} holds {id}, whose commit failed"
                );
                assert!(
                    committed_sales.contains_key(id) || committed_refunds.contains_key(id),
                    "d{d} holds {id}, which nobody committed"
                );
            }

            // The money of every device-day, in its document and in the month's index.
            for k in 0..DAYS {
                let day = business_day(k);
                let rows = docs.index_rows(day);
                for (owner, days) in truth.iter().enumerate() {
                    let (sales, total, refunds, refunded) = days[k];
                    let id = docs.day_id(device_id(owner), day);
                    let row = rows.iter().find(|(r, _)| *r == id).map(|(_, e)| e);
                    if sales + refunds == 0 {
                        assert!(row.is_none(), "d{d}: a row for an empty day {id}");
                        continue;
                    }
                    assert_eq!(
                        money.get(&id),
                        Some(&(sales, total, refunds, refunded)),
                        "d{d}: the money of d{owner} on {day}"
                    );
                    if d == 0 {
                        // The document's own summary (the copies have the same heads).
                        let summary = docs
                            .summary_of(id)
                            .unwrap_or_else(|e| panic!("d{d}: {id} of d{owner} on {day}: {e}"));
                        assert_eq!(
                            (
                                summary.sales,
                                summary.total,
                                summary.refunds,
                                summary.refunded
                            ),
                            (sales, total, refunds, refunded),
                            "d{d}: the summary of d{owner} on {day}"
                        );
                    }
                    let row =
                        row.unwrap_or_else(|| panic!("d{d}: no index row for d{owner} on {day}"));
                    assert_eq!(
                        (row.sales, row.total, row.refunds, row.refunded),
                        (sales, total, refunds, refunded),
                        "d{d}: the index row of d{owner} on {day}"
                    );
                    assert_eq!(
                        (row.device, row.day.clone()),
                        (device_id(owner), day.to_string())
                    );
                }
            }
            for (id, kind) in &self.kinds {
                if let Kind::Index(_) = kind
                    && let Some(doc) = docs.doc_mut(*id)
                {
                    let index = MonthIndex::from_automerge(doc.clone())
                        .unwrap_or_else(|e| panic!("d{d}: the index {id} is not one: {e}"));
                    if let Err(e) = index.days() {
                        panic!("d{d}: the index {id} does not read: {e}");
                    }
                }
            }

            // Prices and stock levels agree on every device (levels: only agreement, as the
            // meaning of a count is being changed elsewhere).
            let mine: Vec<(String, Decimal)> = docs
                .catalog()
                .expect("the catalog is there")
                .products
                .into_iter()
                .map(|p| (p.id, p.price))
                .collect();
            match &prices {
                None => prices = Some(mine),
                Some(first) => assert_eq!(first, &mine, "d{d}'s prices differ from d0's"),
            }
            let mine = docs.stock_levels(business_day(DAYS - 1));
            match &levels {
                None => levels = Some(mine),
                Some(first) => assert_eq!(first, &mine, "d{d}'s stock differs from d0's"),
            }
            // A product never counted stands at what was sold and given back, once each: its
            // net movement in November plus its net movement in December (nothing carried).
            let mut all: BTreeMap<String, Decimal> = BTreeMap::new();
            for day in [business_day(0), business_day(DAYS - 1)] {
                let stock_id = docs.stock_id(day.month());
                let Some(doc) = docs.doc_mut(stock_id) else {
                    continue;
                };
                let stock = StockPeriod::from_automerge(doc.clone())
                    .unwrap_or_else(|e| panic!("d{d}: the stock is not one: {e}"));
                for (sku, level) in stock
                    .levels()
                    .unwrap_or_else(|e| panic!("d{d}: the stock does not read: {e}"))
                {
                    *all.entry(sku).or_default() += level;
                }
            }
            for sku in &uncounted {
                assert_eq!(
                    all.get(sku).copied().unwrap_or_default(),
                    moved.get(sku).copied().unwrap_or_default(),
                    "d{d}: the stock of {sku}, never counted"
                );
            }
        }
    }
}

/// The demo catalog as a manager stored it (the same for every run, so made once).
fn catalog_writes() -> &'static [DocWrite] {
    static WRITES: std::sync::OnceLock<Vec<DocWrite>> = std::sync::OnceLock::new();
    WRITES.get_or_init(|| {
        let mut manager = StoreDocs::new(STORE, Uuid::from_u128(0xAAAA), 0);
        let id = manager.catalog_id();
        manager.open(id, DocRole::Catalog, business_day(0), Uuid::nil(), &[]);
        manager.replace_catalog(&demo::food_truck(false).1).unwrap();
        manager.unsaved(None, &BTreeMap::new())
    })
}

/// What `StoreDocs::open` needs for a document, on device `me`.
fn open_args(
    kinds: &BTreeMap<DocumentId, Kind>,
    id: DocumentId,
    me: Uuid,
) -> (DocumentId, DocRole, BusinessDay, Uuid) {
    match kinds.get(&id) {
        Some(Kind::Standing(role)) => (id, *role, business_day(0), me),
        Some(Kind::Index(day)) => (id, DocRole::Index, *day, me),
        Some(Kind::Stock(day)) => (id, DocRole::Stock, *day, me),
        Some(Kind::Day(owner, day)) => {
            let role = if *owner == me {
                DocRole::OwnDay
            } else {
                DocRole::OtherDay
            };
            (id, role, *day, *owner)
        }
        None => panic!("an unknown document {id}"),
    }
}

/// Runs one seed; a failure names the seed and the operations.
fn run(seed: u64, steps: usize) {
    let mut world = World::new(seed);
    let result = catch_unwind(AssertUnwindSafe(|| {
        for _ in 0..steps {
            world.step();
        }
        world.settle();
        world.check();
    }));
    if std::env::var_os("FAULT_STATS").is_some() {
        eprintln!("seed {seed}: {:?}", world.stats);
    }
    if result.is_err() {
        panic!(
            "seed {seed} ({} devices, {steps} steps) failed; rerun with FAULT_SEED={seed} \
             FAULT_STEPS={steps}. Operations:\n{}",
            world.devices.len(),
            world.log.join("\n")
        );
    }
}

#[test]
fn every_committed_record_survives_crashes_failed_writes_and_partitions_exactly_once() {
    let steps = std::env::var("FAULT_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    if let Some(seed) = std::env::var("FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        run(seed, steps);
        return;
    }
    let cases: u64 = std::env::var("FAULT_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(24);
    // The seeds are independent: two workers share them.
    let next = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let case = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if case >= cases {
                        break;
                    }
                    run(0xFA17_0000 + case, steps);
                }
            });
        }
    });
}
