//! Stock counts mean "counted now", and stock rolls over monthly. The level of a SKU is its latest
//! count plus every movement later than it (later by stamp: a movement the counting device knew is
//! earlier; one made offline elsewhere is judged by its own time); a month opens with the month
//! before's closing, late offline sales of that month included. Devices that merge in any order
//! agree.

use std::collections::BTreeMap;

use pos_core::automerge::AutoCommit;
use pos_core::{
    Actor, BusinessDay, Decimal, DocRole, Payment, ReceiptNumber, Sale, SharedDocument,
    StockPeriod, StoreDocs, Ticket, Unit, Uuid, demo, previous_month,
};
use proptest::prelude::*;

const STORE: Uuid = Uuid::from_u128(0x5705);
const PERIOD: &str = "2026-11";

fn device(i: usize) -> Uuid {
    Uuid::from_u128(0x0d00 + i as u128)
}

fn dec(n: i64) -> Decimal {
    Decimal::from(n)
}

/// The SKU of the first demo product sold by the piece.
fn sku(k: usize) -> String {
    piece_products()[k % piece_products().len()].sku.clone()
}

fn piece_products() -> Vec<pos_core::Product> {
    let (_, catalog) = demo::food_truck(false);
    catalog
        .products
        .into_iter()
        .filter(|p| p.unit == Unit::Piece)
        .take(3)
        .collect()
}

/// A sale of `quantity` of product `k` at `at_ms`.
fn sale(id: u128, k: usize, quantity: i64, at_ms: i64) -> Sale {
    let (store, catalog) = demo::food_truck(false);
    let product = &piece_products()[k % piece_products().len()];
    let tax = catalog.tax_category(&product.tax_category).unwrap();
    let mut ticket = Ticket::new(store.rules);
    ticket.add(product, tax, &[], dec(quantity)).unwrap();
    let mut payment = Payment::new(ticket.totals().total, store.rules);
    payment.add_cash(ticket.totals().total).unwrap();
    let receipt = ReceiptNumber {
        device_code: "T".into(),
        sequence: id as u64,
    };
    ticket
        .complete(&payment, Uuid::from_u128(0x5a1e_0000 + id), receipt, at_ms)
        .unwrap()
}

fn count_id(n: u128) -> Uuid {
    Uuid::from_u128(0xc0_0000 + n)
}

fn period(i: usize) -> StockPeriod {
    StockPeriod::new(STORE, PERIOD, &Actor::device(device(i)))
}

/// Both replicas end with both sides' changes.
fn exchange(a: &mut StockPeriod, b: &mut StockPeriod) {
    a.merge(b).unwrap();
    b.merge(a).unwrap();
}

#[test]
fn a_count_after_sales_is_the_level() {
    let mut stock = period(0);
    let s = sku(0);
    stock.count(count_id(1), &s, dec(100), 1_000).unwrap();
    stock.record_sale_movements(&sale(1, 0, 30, 2_000)).unwrap();
    assert_eq!(stock.level(&s).unwrap(), dec(70), "what the screen shows");
    stock.count(count_id(2), &s, dec(70), 3_000).unwrap();
    assert_eq!(stock.level(&s).unwrap(), dec(70), "the count is the level");
    stock.record_sale_movements(&sale(2, 0, 2, 4_000)).unwrap();
    assert_eq!(stock.level(&s).unwrap(), dec(68), "later sales come off");
}

#[test]
fn counting_again_with_the_same_id_changes_nothing() {
    let mut stock = period(0);
    let s = sku(0);
    stock.count(count_id(1), &s, dec(100), 1_000).unwrap();
    stock.record_sale_movements(&sale(1, 0, 30, 2_000)).unwrap();
    assert_eq!(
        stock.count(count_id(1), &s, dec(5), 3_000).unwrap(),
        pos_core::Recorded::AlreadyThere
    );
    assert_eq!(stock.level(&s).unwrap(), dec(70));
}

/// A counts 100 (both devices know it); A sells 30 and counts the 70 left. Meanwhile B, offline,
/// sold 10 before A's count (gone when A counted) and 5 after it.
#[test]
fn offline_sales_before_a_count_are_in_it_and_those_after_come_off() {
    let s = sku(0);
    let (mut a, mut b) = (period(0), period(1));
    a.count(count_id(1), &s, dec(100), 1_000).unwrap();
    exchange(&mut a, &mut b);
    b.record_sale_movements(&sale(1, 0, 10, 2_500)).unwrap();
    a.record_sale_movements(&sale(2, 0, 30, 2_000)).unwrap();
    a.count(count_id(2), &s, dec(70), 3_000).unwrap();
    assert_eq!(a.level(&s).unwrap(), dec(70));
    b.record_sale_movements(&sale(3, 0, 5, 4_000)).unwrap();
    assert_eq!(b.level(&s).unwrap(), dec(85), "B has not seen the count");
    exchange(&mut a, &mut b);
    assert_eq!(a.level(&s).unwrap(), dec(65));
    assert_eq!(b.level(&s).unwrap(), dec(65));
}

#[test]
fn an_offline_sale_made_before_the_count_merged_after_it_is_not_taken_off_again() {
    let s = sku(0);
    let (mut a, mut b) = (period(0), period(1));
    b.record_sale_movements(&sale(1, 0, 30, 2_000)).unwrap();
    a.count(count_id(1), &s, dec(70), 3_000).unwrap();
    exchange(&mut a, &mut b);
    assert_eq!(a.level(&s).unwrap(), dec(70));
    assert_eq!(b.level(&s).unwrap(), dec(70));
}

#[test]
fn an_offline_sale_made_after_the_count_merged_after_it_comes_off() {
    let s = sku(0);
    let (mut a, mut b) = (period(0), period(1));
    a.count(count_id(1), &s, dec(70), 3_000).unwrap();
    b.record_sale_movements(&sale(1, 0, 30, 4_000)).unwrap();
    exchange(&mut a, &mut b);
    assert_eq!(a.level(&s).unwrap(), dec(40));
    assert_eq!(b.level(&s).unwrap(), dec(40));
}

/// A device whose clock is behind sells after it has seen the count: its sale still comes off,
/// since a device that saw the count stamps everything after it.
#[test]
fn a_sale_made_after_seeing_the_count_comes_off_whatever_the_clock() {
    let s = sku(0);
    let (mut a, mut b) = (period(0), period(1));
    a.count(count_id(1), &s, dec(70), 3_000).unwrap();
    exchange(&mut a, &mut b);
    b.record_sale_movements(&sale(1, 0, 30, 1_000)).unwrap();
    exchange(&mut a, &mut b);
    assert_eq!(a.level(&s).unwrap(), dec(40));
    assert_eq!(b.level(&s).unwrap(), dec(40));
}

/// The counting device had seen a sale stamped later than the count (the seller's clock ahead):
/// it was gone when counted, so it does not come off again.
#[test]
fn a_sale_the_counting_device_knew_is_in_the_count_whatever_the_clock() {
    let s = sku(0);
    let (mut a, mut b) = (period(0), period(1));
    b.record_sale_movements(&sale(1, 0, 30, 9_000)).unwrap();
    exchange(&mut a, &mut b);
    a.count(count_id(1), &s, dec(70), 3_000).unwrap();
    exchange(&mut a, &mut b);
    assert_eq!(a.level(&s).unwrap(), dec(70));
    assert_eq!(b.level(&s).unwrap(), dec(70));
}

#[test]
fn of_two_concurrent_counts_the_later_wins_on_every_device() {
    let s = sku(0);
    let (mut a, mut b) = (period(0), period(1));
    a.count(count_id(1), &s, dec(100), 1_000).unwrap();
    exchange(&mut a, &mut b);
    b.count(count_id(3), &s, dec(60), 5_001).unwrap();
    a.count(count_id(2), &s, dec(50), 5_000).unwrap();
    a.record_sale_movements(&sale(1, 0, 1, 6_000)).unwrap();
    exchange(&mut a, &mut b);
    assert_eq!(a.level(&s).unwrap(), dec(59));
    assert_eq!(b.level(&s).unwrap(), dec(59));

    // The same millisecond: the greater count id wins, everywhere.
    let (mut c, mut d) = (period(2), period(3));
    c.count(count_id(9), &s, dec(9), 7_000).unwrap();
    d.count(count_id(8), &s, dec(8), 7_000).unwrap();
    exchange(&mut c, &mut d);
    assert_eq!(c.level(&s).unwrap(), dec(9));
    assert_eq!(d.level(&s).unwrap(), dec(9));
}

#[test]
fn refunds_and_voids_move_stock_by_their_own_time() {
    let s = sku(0);
    let mut a = period(0);
    let sold = sale(1, 0, 4, 1_000);
    a.record_sale_movements(&sold).unwrap();
    a.count(count_id(1), &s, dec(20), 2_000).unwrap();
    let refund = pos_core::Refund::full(&sold, Uuid::from_u128(0xf1), 3_000, "broken");
    a.record_return_movements(&refund).unwrap();
    assert_eq!(a.level(&s).unwrap(), dec(24), "returned after the count");
}

#[test]
fn goods_returned_damaged_are_written_off_not_put_back() {
    let s = sku(0);
    let mut a = period(0);
    let sold = sale(1, 0, 4, 1_000);
    a.record_sale_movements(&sold).unwrap();
    a.count(count_id(1), &s, dec(20), 2_000).unwrap();
    let line = sold.lines()[0].id;
    let refund =
        pos_core::Refund::full(&sold, Uuid::from_u128(0xf2), 3_000, "broken").written_off(&[line]);
    assert!(refund.lines.iter().all(|l| l.damaged));
    a.record_return_movements(&refund).unwrap();
    assert_eq!(a.level(&s).unwrap(), dec(20), "nothing came back to the shelf");
}

// ---- months ----

fn day(y: i32, m: u32, d: u32) -> BusinessDay {
    BusinessDay::new(y, m, d).unwrap()
}

fn ms(y: i32, m: u32, d: u32) -> i64 {
    // Close enough for ordering: days since 2026-01-01 in ms (the stamps only compare).
    let days = (y as i64 - 2026) * 372 + (m as i64 - 1) * 31 + d as i64;
    days * 86_400_000
}

fn nov(d: u32) -> BusinessDay {
    day(2026, 11, d)
}
fn dec_(d: u32) -> BusinessDay {
    day(2026, 12, d)
}
fn jan(d: u32) -> BusinessDay {
    day(2027, 1, d)
}

/// Records a sale as the app's outbox does: the documents of its day are opened first (from
/// nothing here: these registers keep no storage).
fn sell(
    docs: &mut StoreDocs,
    sold: &Sale,
    day: BusinessDay,
) -> Result<Vec<pos_core::DocumentId>, pos_core::DocError> {
    for (id, role, day, owner) in docs.to_open_for(day) {
        docs.open(id, role, day, owner, &[]);
    }
    docs.record_sale(sold, day)
}

/// A register's documents on `today` (its standing documents, from nothing).
fn register(i: usize, today: BusinessDay) -> StoreDocs {
    let mut docs = StoreDocs::new(STORE, device(i), 0);
    for (id, role) in docs.standing(today) {
        docs.open(id, role, today, device(i), &[]);
    }
    docs
}

/// Every stock document either has open reaches the other (both ways).
fn sync_stock(a: &mut StoreDocs, b: &mut StoreDocs) {
    for id in a.ids() {
        if a.role(id) != Some(DocRole::Stock) || !b.is_open(id) {
            continue;
        }
        let mut theirs: AutoCommit = b.doc_mut(id).unwrap().clone();
        a.doc_mut(id).unwrap().merge(&mut theirs).unwrap();
        let mut ours: AutoCommit = a.doc_mut(id).unwrap().clone();
        b.doc_mut(id).unwrap().merge(&mut ours).unwrap();
    }
}

/// A register opened in `today`'s month from another's stored stock documents (a new month: it
/// no longer opens the month before last).
fn reopen(i: usize, from: &mut StoreDocs, today: BusinessDay) -> StoreDocs {
    let mut docs = StoreDocs::new(STORE, device(i), 0);
    for (id, role) in docs.standing(today) {
        let chunks = if from.is_open(id) && role == DocRole::Stock {
            vec![(format!("{id}/s/x"), from.doc_mut(id).unwrap().save())]
        } else {
            Vec::new()
        };
        docs.open(id, role, today, device(i), &chunks);
    }
    docs
}

#[test]
fn stock_ids_are_monthly() {
    let docs = StoreDocs::new(STORE, device(0), 0);
    assert_ne!(
        docs.stock_id(nov(1).month()),
        docs.stock_id(dec_(1).month())
    );
    assert_eq!(
        docs.stock_id(dec_(1).month()),
        StockPeriod::id(STORE, "2026-12")
    );
    assert_eq!(previous_month(jan(1).month()), dec_(1).month());
    let standing = docs.standing(dec_(1));
    assert!(standing.contains(&(docs.stock_id(nov(1).month()), DocRole::Stock)));
    assert!(standing.contains(&(docs.stock_id(dec_(1).month()), DocRole::Stock)));
}

/// November: 100 counted. B, offline, sells 10 on the evening of 30 November; A opens December,
/// sells 5 and sees 95. When B's sale reaches A (in either order of merging, through a third
/// device too), every device shows 85, and so does January, which opens only December.
#[test]
fn a_late_sale_of_last_month_lowers_this_months_level_on_every_device() {
    let s = sku(0);
    let mut a = register(0, nov(20));
    let mut b = register(1, nov(20));
    let mut c = register(2, nov(20));
    a.count_stock(&s, dec(100), count_id(1), ms(2026, 11, 20), nov(20))
        .unwrap();
    sync_stock(&mut a, &mut b);
    sync_stock(&mut a, &mut c);
    sell(&mut b, &sale(1, 0, 10, ms(2026, 11, 30)), nov(30)).unwrap();

    // December on A and C: the month opens with November's closing.
    let mut a = reopen(0, &mut a, dec_(1));
    let mut c = reopen(2, &mut c, dec_(1));
    a.carry_stock_over(dec_(1)).unwrap();
    assert_eq!(a.stock_levels(dec_(1))[&s], dec(100));
    sell(&mut a, &sale(2, 0, 5, ms(2026, 12, 1)), dec_(1)).unwrap();
    assert_eq!(a.stock_levels(dec_(1))[&s], dec(95));
    sync_stock(&mut a, &mut c);
    c.carry_stock_over(dec_(1)).unwrap();

    // B comes back on 2 December: its November sale reaches C first, then A.
    let mut b = reopen(1, &mut b, dec_(2));
    sync_stock(&mut b, &mut c);
    sync_stock(&mut c, &mut a);
    for docs in [&mut a, &mut b, &mut c] {
        assert_eq!(docs.stock_levels(dec_(2))[&s], dec(85));
    }
    for docs in [&mut a, &mut b, &mut c] {
        docs.carry_stock_over(dec_(2)).unwrap();
    }
    sync_stock(&mut a, &mut b);
    sync_stock(&mut b, &mut c);
    sync_stock(&mut a, &mut c);

    // January opens December only: its carried opening already holds B's late sale.
    let mut a = reopen(0, &mut a, jan(1));
    assert!(!a.is_open(a.stock_id(nov(1).month())));
    assert_eq!(a.stock_levels(jan(1))[&s], dec(85));
    sell(&mut a, &sale(3, 0, 1, ms(2027, 1, 1)), jan(1)).unwrap();
    assert_eq!(a.stock_levels(jan(1))[&s], dec(84));
}

#[test]
fn a_count_in_the_new_month_overrides_what_was_carried() {
    let s = sku(0);
    let mut a = register(0, nov(20));
    let mut b = register(1, nov(20));
    a.count_stock(&s, dec(100), count_id(1), ms(2026, 11, 20), nov(20))
        .unwrap();
    sync_stock(&mut a, &mut b);
    // B's late November sale was gone before A counted in December.
    sell(&mut b, &sale(1, 0, 10, ms(2026, 11, 30)), nov(30)).unwrap();
    let mut a = reopen(0, &mut a, dec_(3));
    a.count_stock(&s, dec(90), count_id(2), ms(2026, 12, 3), dec_(3))
        .unwrap();
    let mut b = reopen(1, &mut b, dec_(4));
    sync_stock(&mut a, &mut b);
    assert_eq!(a.stock_levels(dec_(4))[&s], dec(90));
    assert_eq!(b.stock_levels(dec_(4))[&s], dec(90));
}

// ---- many devices, any order ----

/// The rule read plainly from every movement (no shortcuts): the latest count by (stamp, id) plus
/// every movement stamped later; else the opening plus every movement.
fn plain_levels(
    stock: &StockPeriod,
    opening: &BTreeMap<String, Decimal>,
) -> BTreeMap<String, Decimal> {
    let mut latest: BTreeMap<String, (i64, Uuid, Decimal)> = BTreeMap::new();
    for (id, c) in stock.counts().unwrap() {
        let e = latest
            .entry(c.sku.clone())
            .or_insert((c.stamp, id, c.quantity));
        if (c.stamp, id) > (e.0, e.1) {
            *e = (c.stamp, id, c.quantity);
        }
    }
    let mut levels: BTreeMap<String, Decimal> = opening.clone();
    for (sku, (_, _, q)) in &latest {
        levels.insert(sku.clone(), *q);
    }
    for log in stock.movements().unwrap().values() {
        for m in log {
            for (sku, q) in &m.moves {
                let q: Decimal = q.parse().unwrap();
                match latest.get(sku) {
                    Some((t, _, _)) if m.stamp <= *t => {}
                    Some(_) => *levels.get_mut(sku).unwrap() += q,
                    None => {
                        if let Some(l) = levels.get_mut(sku) {
                            *l += q;
                        }
                    }
                }
            }
        }
    }
    levels
}

fn typed(docs: &mut StoreDocs, month: BusinessDay) -> StockPeriod {
    let id = docs.stock_id(month.month());
    StockPeriod::from_automerge(docs.doc_mut(id).unwrap().clone()).unwrap()
}

#[derive(Clone, Debug)]
enum Op {
    Sell {
        d: usize,
        k: usize,
        q: i64,
        late: bool,
    },
    Count {
        d: usize,
        k: usize,
        q: i64,
        late: bool,
    },
    Sync {
        a: usize,
        b: usize,
    },
    Carry {
        d: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..5usize, 0..3usize, 1..5i64, any::<bool>())
            .prop_map(|(d, k, q, late)| Op::Sell { d, k, q, late }),
        2 => (0..5usize, 0..3usize, 0..50i64, any::<bool>())
            .prop_map(|(d, k, q, late)| Op::Count { d, k, q, late }),
        3 => (0..5usize, 0..5usize).prop_map(|(a, b)| Op::Sync { a, b }),
        1 => (0..5usize).prop_map(|d| Op::Carry { d }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// 3-5 devices in December with November still open: sales and counts of either month (a
    /// November one arrives late), with clocks that disagree by up to a minute, partial syncs in
    /// any order, then everything merged in a random order. Every device ends with the same
    /// levels, those the rule gives read plainly, and January (December alone) agrees.
    #[test]
    fn devices_merging_in_any_order_agree_on_the_levels(
        n in 3..=5usize,
        ops in prop::collection::vec(op(), 1..40),
        skew in prop::collection::vec(-60_000i64..60_000, 5),
        order in Just((0..5usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let today = dec_(10);
        let mut devices: Vec<StoreDocs> = (0..n).map(|i| register(i, today)).collect();
        // Counted in November on device 0, known to all.
        for k in 0..3 {
            devices[0]
                .count_stock(&sku(k), dec(100), count_id(100 + k as u128), ms(2026, 11, 1), nov(1))
                .unwrap();
        }
        for i in 1..n {
            let (left, right) = devices.split_at_mut(i);
            sync_stock(&mut left[0], &mut right[0]);
        }
        let mut clock = ms(2026, 12, 10);
        let mut next = 0u128;
        for op in &ops {
            clock += 1_000;
            next += 1;
            match *op {
                Op::Sell { d, k, q, late } => {
                    let d = d % n;
                    let (at, on) = if late {
                        (ms(2026, 11, 30) + clock % 86_400_000 / 2, nov(30))
                    } else {
                        (clock + skew[d], today)
                    };
                    sell(&mut devices[d], &sale(next, k, q, at), on).unwrap();
                }
                Op::Count { d, k, q, late } => {
                    let d = d % n;
                    let (at, on) = if late {
                        (ms(2026, 11, 30) + clock % 86_400_000 / 2, nov(30))
                    } else {
                        (clock + skew[d], today)
                    };
                    devices[d].count_stock(&sku(k), dec(q), count_id(next), at, on).unwrap();
                }
                Op::Sync { a, b } => {
                    let (a, b) = (a % n, b % n);
                    if a != b {
                        let (lo, hi) = (a.min(b), a.max(b));
                        let (left, right) = devices.split_at_mut(hi);
                        sync_stock(&mut left[lo], &mut right[0]);
                    }
                }
                Op::Carry { d } => {
                    devices[d % n].carry_stock_over(today).unwrap();
                }
            }
        }
        // Everything reaches everyone, in a random order, then each keeps its carried view.
        let order: Vec<usize> = order.into_iter().filter(|i| *i < n).collect();
        let everywhere = |devices: &mut Vec<StoreDocs>| {
            let there_and_back = order.windows(2).chain(order.windows(2).rev());
            for w in there_and_back {
                let (lo, hi) = (w[0].min(w[1]), w[0].max(w[1]));
                let (left, right) = devices.split_at_mut(hi);
                sync_stock(&mut left[lo], &mut right[0]);
            }
        };
        everywhere(&mut devices);
        for docs in devices.iter_mut() {
            docs.carry_stock_over(today).unwrap();
        }
        everywhere(&mut devices);
        let first = devices[0].stock_levels(today);
        for docs in devices.iter_mut() {
            prop_assert_eq!(&docs.stock_levels(today), &first);
        }
        let november = typed(&mut devices[0], nov(1));
        let closing = plain_levels(&november, &BTreeMap::new());
        let december = typed(&mut devices[0], today);
        prop_assert_eq!(&plain_levels(&december, &closing), &first);
        // January opens December alone; the opening carried in holds November as it ended.
        let mut january = reopen(0, &mut devices[0], jan(2));
        prop_assert_eq!(january.stock_levels(jan(2)), first);
    }
}
