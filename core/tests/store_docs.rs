//! The documents a register holds open and the chunks that keep them: nothing is lost when a
//! write fails, compaction keeps every change, two writers of one device merge through storage,
//! and a device finds the other devices' days through the month's index.

mod common;

use common::Shelf;
use std::collections::BTreeMap;

use pos_core::{BusinessDay, Decimal, DocRole, Refund, Sale, StoreDocs, Uuid, demo};

const STORE: Uuid = Uuid::from_u128(0x5705);

fn today() -> BusinessDay {
    BusinessDay::new(2026, 11, 29).unwrap()
}

/// Opening a device's documents from the shelf, as the app does at start.
trait OpenFromShelf {
    fn open(&self, device: Uuid, session: u32) -> StoreDocs;
}

impl OpenFromShelf for Shelf {
    /// Opens a device's standing documents from what is stored, as the app does at start.
    fn open(&self, device: Uuid, session: u32) -> StoreDocs {
        let mut docs = StoreDocs::new(STORE, device, session);
        for (id, role) in docs.standing(today()) {
            let problems = docs.open(id, role, today(), device, &self.chunks(id));
            assert!(problems.is_empty(), "{problems:?}");
        }
        docs
    }
}

fn sale(device: Uuid, n: u64) -> Sale {
    let (store, catalog) = demo::food_truck(false);
    let id = Uuid::from_u128(device.as_u128() << 32 | u128::from(n));
    demo::cash_sale(
        &store,
        &catalog,
        12,
        id,
        "T1",
        n,
        1_764_400_000_000 + n as i64,
    )
}

#[test]
fn a_failed_write_is_written_with_the_next_one() {
    let device = Uuid::from_u128(1);
    let mut shelf = Shelf::default();
    let mut docs = shelf.open(device, 0);
    docs.record_sale(&sale(device, 1), today()).unwrap();
    let _lost = docs.unsaved(None, &BTreeMap::new()); // the transaction failed: not applied, not marked
    docs.record_sale(&sale(device, 2), today()).unwrap();
    let writes = docs.unsaved(None, &BTreeMap::new());
    shelf.apply(&writes);
    docs.saved(&writes);
    assert!(
        docs.unsaved(None, &BTreeMap::new()).is_empty(),
        "nothing left to write"
    );

    let mut again = shelf.open(device, 0);
    let own = again.day_id(device, today());
    assert_eq!(again.sales_in(own).len(), 2);
    assert_eq!(
        again.stock_levels(today()).len(),
        0,
        "no product was counted"
    );
}

#[test]
fn compaction_keeps_every_sale_and_bounds_the_chunks() {
    let device = Uuid::from_u128(2);
    let mut shelf = Shelf::default();
    let mut docs = shelf.open(device, 0);
    let mut compactions = 0;
    for n in 1..=300 {
        docs.record_sale(&sale(device, n), today()).unwrap();
        let writes = docs.unsaved(None, &BTreeMap::new());
        compactions += writes.iter().filter(|w| !w.delete.is_empty()).count();
        shelf.apply(&writes);
        docs.saved(&writes);
    }
    assert!(compactions > 0, "the chunks were compacted at least once");
    let own = docs.day_id(device, today());
    let chunks = shelf.chunks(own);
    assert!(
        chunks.len() < 150,
        "{} chunks for 300 sales: compaction did not bound them",
        chunks.len()
    );
    let mut again = shelf.open(device, 0);
    assert_eq!(again.sales_in(own).len(), 300);
}

#[test]
fn two_tabs_of_a_device_write_with_their_own_actors_and_merge_through_storage() {
    let device = Uuid::from_u128(3);
    let mut shelf = Shelf::default();
    let mut first = shelf.open(device, 0);
    let mut second = shelf.open(device, 1);
    first.record_sale(&sale(device, 1), today()).unwrap();
    second.record_sale(&sale(device, 2), today()).unwrap();
    for docs in [&mut first, &mut second] {
        let writes = docs.unsaved(None, &BTreeMap::new());
        shelf.apply(&writes);
        docs.saved(&writes);
    }
    let own = first.day_id(device, today());
    assert!(
        first.merge_stored(own, &shelf.chunks(own)),
        "the other tab's sale arrives"
    );
    assert_eq!(first.sales_in(own).len(), 2);
    assert_eq!(shelf.open(device, 0).sales_in(own).len(), 2);
}

#[test]
fn other_devices_days_are_found_through_the_month_index() {
    let (a, b) = (Uuid::from_u128(4), Uuid::from_u128(5));
    let mut a_docs = Shelf::default().open(a, 0);
    a_docs.record_sale(&sale(a, 1), today()).unwrap();
    let index = a_docs.index_id(today());

    // Device b receives a's index (here by merging a's stored chunks, as sync would deliver them).
    let mut shared = Shelf::default();
    shared.apply(&a_docs.unsaved(None, &BTreeMap::new()));
    let mut b_docs = Shelf::default().open(b, 0);
    assert!(b_docs.merge_stored(index, &shared.chunks(index)));
    let found = b_docs.days_in_index(&[today()]);
    assert_eq!(found, vec![(a_docs.day_id(a, today()), a, today())]);
    assert_eq!(b_docs.role(index), Some(DocRole::Index));
}

#[test]
fn a_refund_puts_the_goods_back_and_comes_off_the_days_money_once() {
    let device = Uuid::from_u128(6);
    let mut shelf = Shelf::default();
    let mut docs = shelf.open(device, 0);
    let sold = sale(device, 1);
    let sku = sold.lines()[0].sku.clone();
    let counted_at = 1_764_300_000_000; // before the sale
    docs.count_stock(
        &sku,
        Decimal::TEN,
        Uuid::from_u128(0xC0),
        counted_at,
        today(),
    )
    .unwrap();
    docs.record_sale(&sold, today()).unwrap();
    assert_eq!(docs.stock_levels(today())[&sku], Decimal::from(9));

    let refund = Refund::full(
        &sold,
        Uuid::from_u128(0x4EF),
        1_764_400_100_000,
        "  wrong order ",
    );
    assert_eq!(refund.reason, "wrong order");
    assert_eq!(refund.amount, sold.amount_paid());
    assert_eq!(refund.lines.len(), sold.lines().len());
    assert!(!refund.training);
    docs.record_refund(&refund, today()).unwrap();
    // A retry (a reload, a second attempt of the transaction) changes nothing.
    docs.record_refund(&refund, today()).unwrap();
    let writes = docs.unsaved(None, &BTreeMap::new());
    shelf.apply(&writes);
    docs.saved(&writes);

    let mut again = shelf.open(device, 0);
    let own = again.day_id(device, today());
    assert_eq!(again.refunds_in(own), vec![refund.clone()]);
    assert_eq!(
        again.stock_levels(today())[&sku],
        Decimal::TEN,
        "the goods are back, once"
    );
    let summary = again.summary_of(own).unwrap();
    assert_eq!((summary.sales, summary.refunds), (1, 1));
    assert_eq!(
        summary.total - summary.refunded,
        Decimal::ZERO,
        "the day's money nets to nothing"
    );

    // The same refund id with other contents is refused, never recorded as a second refund.
    let mut other = refund.clone();
    other.reason = "something else".into();
    assert!(again.record_refund(&other, today()).is_err());
    assert_eq!(again.refunds_in(own).len(), 1);
}

#[test]
fn a_refund_of_a_training_sale_stays_out_of_the_days_money() {
    let device = Uuid::from_u128(7);
    let mut docs = Shelf::default().open(device, 0);
    let real = sale(device, 1);
    let training = sale(device, 2).in_training();
    docs.record_sale(&real, today()).unwrap();
    docs.record_sale(&training, today()).unwrap();
    let refund = Refund::full(
        &training,
        Uuid::from_u128(0x77),
        1_764_400_100_000,
        "training",
    );
    assert!(refund.training);
    docs.record_refund(&refund, today()).unwrap();
    let own = docs.day_id(device, today());
    let summary = docs.summary_of(own).unwrap();
    assert_eq!(
        (summary.sales, summary.training, summary.refunds),
        (1, 1, 0)
    );
    assert_eq!(summary.refunded, Decimal::ZERO);
    assert_eq!(summary.total, real.amount_paid());
}

/// #10, finding 1: a refund started before midnight and retried the next morning (or a sale of a
/// tab opened yesterday) wrote to a day this writer had not opened. It started that day afresh
/// from its genesis and wrote change 1 of an actor that had a change 1 there already, so every
/// device refused the document (`DuplicateSeqNumber`). A day is now written only once its stored
/// chunks are loaded, and the writer says which documents it needs.
#[test]
fn a_day_not_open_is_loaded_before_it_is_written() {
    let device = Uuid::from_u128(8);
    let yesterday = BusinessDay::new(2026, 11, 28).unwrap();
    let mut shelf = Shelf::default();
    // Yesterday's page load sells on yesterday.
    let mut first = StoreDocs::new(STORE, device, 0);
    for (id, role) in first.standing(yesterday) {
        first.open(id, role, yesterday, device, &[]);
    }
    let sold = sale(device, 1);
    first.record_sale(&sold, yesterday).unwrap();
    let writes = first.unsaved(None, &BTreeMap::new());
    shelf.apply(&writes);

    // This morning's page load (the same writer) finishes the refund of that sale on yesterday.
    let mut docs = shelf.open(device, 0);
    let refund = Refund::full(&sold, Uuid::from_u128(0x8EF), 1_764_300_000_000, "retry");
    let refused = docs.record_refund(&refund, yesterday);
    let needed = docs.to_open_for(yesterday);
    let own = docs.day_id(device, yesterday);
    assert!(
        matches!(refused, Err(pos_core::DocError::NotOpen(id)) if id == own),
        "writing a day that is not open must be refused, got {refused:?}"
    );
    for (id, role, day, owner) in needed {
        let problems = docs.open(id, role, day, owner, &shelf.chunks(id));
        assert!(problems.is_empty(), "{problems:?}");
    }
    docs.record_refund(&refund, yesterday).unwrap();
    shelf.apply(&docs.unsaved(None, &BTreeMap::new()));

    // Every stored chunk of the day loads, with the sale and its refund.
    let mut reader = StoreDocs::new(STORE, Uuid::from_u128(99), 0);
    let problems = reader.open(
        own,
        DocRole::OtherDay,
        yesterday,
        device,
        &shelf.chunks(own),
    );
    assert!(problems.is_empty(), "the day must load: {problems:?}");
    assert_eq!(reader.sales_in(own).len(), 1);
    assert_eq!(reader.refunds_in(own), vec![refund]);
}

/// #10, finding 11: the index row grows by each sale instead of being summed from the whole day,
/// and ends equal to the day's own summary.
#[test]
fn the_index_row_follows_each_sale_and_refund() {
    let device = Uuid::from_u128(9);
    let mut docs = Shelf::default().open(device, 0);
    let own = docs.day_id(device, today());
    let sold: Vec<Sale> = (1..=5).map(|n| sale(device, n)).collect();
    for s in &sold {
        docs.record_sale(s, today()).unwrap();
    }
    docs.record_sale(&sale(device, 6).in_training(), today())
        .unwrap();
    let refund = Refund::full(&sold[0], Uuid::from_u128(0x9EF), 1_764_400_100_000, "r");
    docs.record_refund(&refund, today()).unwrap();
    let summary = docs.summary_of(own).unwrap();
    let rows = docs.index_rows(today());
    let row = rows.iter().find(|(id, _)| *id == own).unwrap().1.clone();
    assert_eq!(
        (row.sales, row.total, row.refunds, row.refunded),
        (
            summary.sales,
            summary.total,
            summary.refunds,
            summary.refunded
        )
    );
    assert_eq!(row.sales, 5);
}

/// #13, voids: a sale voided is taken out of the day's row (one sale fewer, its money gone, one
/// void more), not counted as a sale and a refund; its goods go back to stock as a refund's do.
#[test]
fn a_voided_sale_leaves_the_index_row_as_a_void() {
    let device = Uuid::from_u128(9);
    let mut docs = Shelf::default().open(device, 0);
    let own = docs.day_id(device, today());
    let kept = sale(device, 1);
    let voided = sale(device, 2);
    docs.record_sale(&kept, today()).unwrap();
    docs.record_sale(&voided, today()).unwrap();
    let void = Refund::voiding(
        &voided,
        Uuid::from_u128(0x701d),
        1_764_400_100_000,
        "rang up twice",
    );
    docs.record_refund(&void, today()).unwrap();
    let rows = docs.index_rows(today());
    let row = rows.iter().find(|(id, _)| *id == own).unwrap().1.clone();
    assert_eq!(
        (row.sales, row.total, row.refunds, row.refunded, row.voids),
        (1, kept.amount_paid(), 0, Decimal::ZERO, 1),
        "{row:?}"
    );
    let summary = docs.summary_of(own).unwrap();
    assert_eq!((summary.sales, summary.voids), (1, 1));
}

/// Issue 14: a device keeps the store's customers open with its other documents; a change from
/// its outbox is written once, kept through storage, and merges with another device's.
#[test]
fn a_customer_change_from_the_outbox_is_kept_and_reaches_the_other_device() {
    use pos_core::customer::sealed::{CustomerKey, Keyring};
    use pos_core::customer::{Customer, CustomerChange};
    let mut nonce = {
        let mut n = 0u8;
        move || {
            n += 1;
            [n; 24]
        }
    };
    let (phone, tablet) = (Uuid::from_u128(21), Uuid::from_u128(22));
    let mut shelf = Shelf::default();
    let mut docs = shelf.open(phone, 0);
    assert!(
        docs.standing(today())
            .contains(&(docs.customers_id(), DocRole::Customers))
    );
    let anna = Customer::new(Uuid::from_u128(0xA1), "Анна", "+7 912 345 67 89", "").unwrap();
    let keys: Keyring = [(anna.id, CustomerKey::from_bytes([5; 32]))]
        .into_iter()
        .collect();
    let saved = CustomerChange::Saved(anna.clone());
    assert_eq!(
        docs.record_customer(&saved, &keys, &mut nonce).unwrap(),
        pos_core::Recorded::New
    );
    assert_eq!(
        docs.record_customer(&saved, &keys, &mut nonce).unwrap(),
        pos_core::Recorded::AlreadyThere
    );
    let writes = docs.unsaved(None, &BTreeMap::new());
    shelf.apply(&writes);
    docs.saved(&writes);
    assert_eq!(
        shelf.open(phone, 1).customers(&keys).unwrap().get(anna.id),
        Some(&anna)
    );

    // The tablet, with its own copy, erases her; the phone takes the tablet's changes in.
    let mut other = StoreDocs::new(STORE, tablet, 0);
    let id = other.customers_id();
    other.open(id, DocRole::Customers, today(), tablet, &shelf.chunks(id));
    let erase = CustomerChange::Erased {
        id: anna.id,
        at_ms: 1,
    };
    other
        .record_customer(&erase, &Keyring::new(), &mut nonce)
        .unwrap();
    let theirs = other.doc_mut(id).unwrap().get_changes(&[]);
    docs.doc_mut(id).unwrap().apply_changes(theirs).unwrap();
    let read = docs.customers(&keys).unwrap();
    assert!(read.get(anna.id).unwrap().erased);
    assert!(read.search("Анна").is_empty());
}
