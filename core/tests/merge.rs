//! Merge rules of the shared documents: many devices sell, refund and edit prices offline, exchange
//! changes in any order (whole, in part, twice, through the sync protocol) and must end with the
//! same state, every sale once, unique receipt numbers and stock = counted - sold + returned
//! (refunded or voided).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use pos_core::automerge::{Change, sync};
use pos_core::{
    Actor, BusinessDay, Catalog, CatalogDoc, DocError, DocumentId, MonthIndex, Payment,
    ReceiptNumber, Recorded, Refund, ReturnLine, Sale, SalesDay, SharedDocument, StockPeriod,
    Ticket, Unit, Uuid, Void, demo, sync_in_memory,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

const STORE: Uuid = Uuid::from_u128(0x0192_a000_0000_7000_8000_0000_0000_0001);
const PERIOD: &str = "2026-11";

fn day() -> BusinessDay {
    BusinessDay::new(2026, 11, 29).unwrap()
}

fn device_id(i: usize) -> Uuid {
    Uuid::from_u128(0x0192_b000_0000_7000_8000_0000_0000_0000 + i as u128)
}

/// One register with its replicas of every shared document.
struct Device {
    id: Uuid,
    code: String,
    sequence: u64,
    catalog: CatalogDoc,
    stock: StockPeriod,
    /// Every device's sales document of the day, its own included.
    days: BTreeMap<DocumentId, SalesDay>,
    /// Sync state per (peer, document), as the sync client keeps it per (document, server).
    sync: HashMap<(usize, DocumentId), sync::State>,
    last_sale: Option<Sale>,
}

/// What the test knows happened, to check the merged documents against.
#[derive(Default)]
struct Expected {
    sales: BTreeSet<Uuid>,
    sold: BTreeMap<String, Decimal>,
    returned: BTreeMap<String, Decimal>,
    baseline: BTreeMap<String, Decimal>,
    voided: BTreeSet<Uuid>,
    next_id: u128,
}

impl Expected {
    fn id(&mut self) -> Uuid {
        self.next_id += 1;
        Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 + self.next_id)
    }
}

struct Shop {
    devices: Vec<Device>,
    menu: Catalog,
    expected: Expected,
}

impl Shop {
    /// Device 0 (the owner) creates the catalog and sets the stock baselines; the others download
    /// the catalog once. Each device opens the stock period and every sales document on its own:
    /// the genesis change is the same everywhere, so those merge with no download.
    fn open(n: usize) -> Shop {
        // A few products (one weighed) are plenty to collide on, and keep the debug build fast.
        let (_, mut menu) = demo::food_truck(false);
        let mut i = 0;
        menu.products.retain(|p| {
            i += 1;
            i % 5 == 1 || p.id == "fries" || p.id == "cola" || p.unit == Unit::Kilogram
        });
        let owner = Actor::device(device_id(0));
        let mut catalog = CatalogDoc::from_catalog(STORE, &owner, &menu).unwrap();
        let catalog_bytes = catalog.save();
        let mut expected = Expected::default();
        let devices = (0..n)
            .map(|i| {
                let actor = Actor::device(device_id(i));
                let days = (0..n)
                    .map(|j| {
                        (
                            SalesDay::id(STORE, device_id(j), day()),
                            SalesDay::new(STORE, device_id(j), day(), &actor),
                        )
                    })
                    .collect();
                Device {
                    id: device_id(i),
                    code: format!("D{i}"),
                    sequence: 0,
                    catalog: CatalogDoc::load(&catalog_bytes, &actor).unwrap(),
                    stock: StockPeriod::new(STORE, PERIOD, &actor),
                    days,
                    sync: HashMap::new(),
                    last_sale: None,
                }
            })
            .collect::<Vec<_>>();
        let mut shop = Shop {
            devices,
            menu,
            expected: Expected::default(),
        };
        for (k, p) in shop.menu.products.iter().enumerate() {
            let qty = Decimal::from(100 + k as i64);
            // Counted before any sale (time 0): every movement comes off it.
            let count = expected.id();
            shop.devices[0].stock.count(count, &p.sku, qty, 0).unwrap();
            expected.baseline.insert(p.sku.clone(), qty);
        }
        shop.expected = expected;
        shop
    }

    fn n(&self) -> usize {
        self.devices.len()
    }

    /// Sells `quantity` of a product at the price the device's catalog shows now.
    fn sell(&mut self, d: usize, product: usize, quantity: u8, at_ms: i64) {
        let (store, _) = demo::food_truck(false);
        let device = &mut self.devices[d];
        let id = &self.menu.products[product % self.menu.products.len()].id;
        let product = &device.catalog.product(id).unwrap().unwrap();
        let tax = self.menu.tax_category(&product.tax_category).unwrap();
        let quantity = match product.unit {
            Unit::Piece => Decimal::from(quantity),
            Unit::Kilogram | Unit::Litre => Decimal::new(i64::from(quantity) * 250, 3),
        };
        let mut ticket = Ticket::new(store.rules);
        ticket.add(product, tax, &[], quantity).unwrap();
        let mut payment = Payment::new(ticket.totals().total, store.rules);
        payment
            .add_cash(ticket.totals().total + Decimal::from(10))
            .unwrap();
        device.sequence += 1;
        let receipt = ReceiptNumber {
            device_code: device.code.clone(),
            sequence: device.sequence,
        };
        let sale = ticket
            .complete(&payment, self.expected.id(), receipt, at_ms)
            .unwrap();

        let own = SalesDay::id(STORE, device.id, day());
        assert_eq!(
            device
                .days
                .get_mut(&own)
                .unwrap()
                .record_sale(&sale)
                .unwrap(),
            Recorded::New
        );
        assert_eq!(
            device.stock.record_sale_movements(&sale).unwrap(),
            Recorded::New
        );
        self.expected.sales.insert(sale.id());
        *self.expected.sold.entry(product.sku.clone()).or_default() += quantity;
        device.last_sale = Some(sale);
    }

    /// Records the device's last sale again, as a retry after a crash would: nothing changes.
    fn retry(&mut self, d: usize) {
        let device = &mut self.devices[d];
        let Some(sale) = device.last_sale.clone() else {
            return;
        };
        let own = SalesDay::id(STORE, device.id, day());
        let doc = device.days.get_mut(&own).unwrap();
        let heads = doc.heads();
        assert_eq!(doc.record_sale(&sale).unwrap(), Recorded::AlreadyThere);
        assert_eq!(
            device.stock.record_sale_movements(&sale).unwrap(),
            Recorded::AlreadyThere
        );
        assert_eq!(doc.heads(), heads);
    }

    /// Refunds the first line of one of the sales this device has seen (its own or merged in).
    fn refund(&mut self, d: usize, pick: usize, at_ms: i64) {
        let device = &self.devices[d];
        let known: Vec<Sale> = device
            .days
            .values()
            .flat_map(|day| day.sales().unwrap())
            .collect();
        if known.is_empty() {
            return;
        }
        let sale = &known[pick % known.len()];
        let line = &sale.lines()[0];
        let refund = Refund {
            id: self.expected.id(),
            sale_id: sale.id(),
            at_ms,
            lines: vec![ReturnLine {
                product_id: line.product_id.clone(),
                sku: line.sku.clone(),
                quantity: line.quantity,
                amount: sale.totals().lines[0].amount,
                line_id: Some(line.id),
                damaged: false,
            }],
            amount: sale.totals().lines[0].amount,
            reason: "changed their mind".into(),
            training: false,
            tenders: Vec::new(),
            voids_sale: false,
        };
        let device = &mut self.devices[d];
        let own = SalesDay::id(STORE, device.id, day());
        assert_eq!(
            device
                .days
                .get_mut(&own)
                .unwrap()
                .record_refund(&refund)
                .unwrap(),
            Recorded::New
        );
        assert_eq!(
            device.stock.record_return_movements(&refund).unwrap(),
            Recorded::New
        );
        assert_eq!(
            device.stock.record_return_movements(&refund).unwrap(),
            Recorded::AlreadyThere
        );
        *self.expected.returned.entry(line.sku.clone()).or_default() += line.quantity;
    }

    /// Voids one of the device's own sales (a void is the selling device's act, on its own day).
    fn void(&mut self, d: usize, pick: usize, at_ms: i64) {
        let device = &self.devices[d];
        let own = SalesDay::id(STORE, device.id, day());
        let open: Vec<Sale> = device.days[&own]
            .sales()
            .unwrap()
            .into_iter()
            .filter(|s| !self.expected.voided.contains(&s.id()))
            .collect();
        if open.is_empty() {
            return;
        }
        let sale = open[pick % open.len()].clone();
        let void = Refund::voiding(&sale, self.expected.id(), at_ms, "wrong item");
        let device = &mut self.devices[d];
        assert_eq!(
            device
                .days
                .get_mut(&own)
                .unwrap()
                .record_refund(&void)
                .unwrap(),
            Recorded::New
        );
        assert_eq!(
            device.stock.record_return_movements(&void).unwrap(),
            Recorded::New
        );
        self.expected.voided.insert(sale.id());
        for line in sale.lines() {
            *self.expected.returned.entry(line.sku.clone()).or_default() += line.quantity;
        }
    }

    fn set_price(&mut self, d: usize, product: usize, cents: u16) {
        let id = self.menu.products[product % self.menu.products.len()]
            .id
            .clone();
        self.devices[d]
            .catalog
            .set_price(&id, Decimal::new(i64::from(cents) + 100, 2))
            .unwrap();
    }

    /// Moves what `from` has to `to` for every document, in the way `how` says.
    fn exchange(&mut self, from: usize, to: usize, how: How) {
        if from == to {
            return;
        }
        let (a, b) = pair_mut(&mut self.devices, from, to);
        match how {
            How::Merge => {
                b.catalog.merge(&mut a.catalog).unwrap();
                b.stock.merge(&mut a.stock).unwrap();
                for (id, doc) in a.days.iter_mut() {
                    b.days.get_mut(id).unwrap().merge(doc).unwrap();
                }
            }
            How::Sync => {
                sync_pair(
                    &mut a.catalog,
                    &mut a.sync,
                    to,
                    &mut b.catalog,
                    &mut b.sync,
                    from,
                );
                sync_pair(
                    &mut a.stock,
                    &mut a.sync,
                    to,
                    &mut b.stock,
                    &mut b.sync,
                    from,
                );
                for (id, doc) in a.days.iter_mut() {
                    sync_pair(
                        doc,
                        &mut a.sync,
                        to,
                        b.days.get_mut(id).unwrap(),
                        &mut b.sync,
                        from,
                    );
                }
            }
            How::Partial(seed) => {
                let mut rng = seed | 1;
                transfer_some(&mut a.catalog, &mut b.catalog, &mut rng);
                transfer_some(&mut a.stock, &mut b.stock, &mut rng);
                for (id, doc) in a.days.iter_mut() {
                    transfer_some(doc, b.days.get_mut(id).unwrap(), &mut rng);
                }
            }
            How::Replay => {
                replay(&mut a.catalog, &mut b.catalog);
                replay(&mut a.stock, &mut b.stock);
                for (id, doc) in a.days.iter_mut() {
                    replay(doc, b.days.get_mut(id).unwrap());
                }
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum How {
    /// `merge` of the whole document.
    Merge,
    /// The Automerge sync protocol with a sync state kept per (peer, document).
    Sync,
    /// A random subset of the changes, in random order: some wait for their dependencies.
    Partial(u64),
    /// Every change, in reverse order, twice.
    Replay,
}

fn pair_mut<T>(v: &mut [T], i: usize, j: usize) -> (&mut T, &mut T) {
    assert_ne!(i, j);
    if i < j {
        let (l, r) = v.split_at_mut(j);
        (&mut l[i], &mut r[0])
    } else {
        let (l, r) = v.split_at_mut(i);
        (&mut r[0], &mut l[j])
    }
}

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn transfer_some<D: SharedDocument>(from: &mut D, to: &mut D, rng: &mut u64) {
    let mut changes: Vec<Change> = from
        .changes(&[])
        .into_iter()
        .filter(|_| xorshift(rng).is_multiple_of(2))
        .collect();
    for i in (1..changes.len()).rev() {
        let j = (xorshift(rng) % (i as u64 + 1)) as usize;
        changes.swap(i, j);
    }
    to.apply_changes(changes).unwrap();
}

fn replay<D: SharedDocument>(from: &mut D, to: &mut D) {
    let mut changes = from.changes(&[]);
    changes.reverse();
    to.apply_changes(changes.clone()).unwrap();
    to.apply_changes(changes).unwrap();
}

fn sync_pair<D: SharedDocument>(
    a: &mut D,
    a_states: &mut HashMap<(usize, DocumentId), sync::State>,
    a_peer: usize,
    b: &mut D,
    b_states: &mut HashMap<(usize, DocumentId), sync::State>,
    b_peer: usize,
) {
    let id = a.document_id();
    let a_state = a_states.entry((a_peer, id)).or_default();
    let b_state = b_states.entry((b_peer, id)).or_default();
    sync_in_memory(a, a_state, b, b_state).unwrap();
}

/// Everything that must be equal on every device once all have exchanged everything.
#[derive(Debug, PartialEq)]
struct View {
    heads: Vec<Vec<pos_core::automerge::ChangeHash>>,
    catalog: Catalog,
    conflicts: Vec<pos_core::PriceConflict>,
    levels: BTreeMap<String, Decimal>,
    sales: Vec<Vec<Sale>>,
    refunds: Vec<Vec<Refund>>,
    voids: Vec<Vec<Void>>,
}

fn view(d: &mut Device) -> View {
    let mut heads = vec![d.catalog.heads(), d.stock.heads()];
    heads.extend(d.days.values_mut().map(|doc| doc.heads()));
    View {
        heads,
        catalog: d.catalog.catalog().unwrap(),
        conflicts: d.catalog.price_conflicts().unwrap(),
        levels: d.stock.levels().unwrap(),
        sales: d.days.values().map(|doc| doc.sales().unwrap()).collect(),
        refunds: d.days.values().map(|doc| doc.refunds().unwrap()).collect(),
        voids: d.days.values().map(|doc| doc.voids().unwrap()).collect(),
    }
}

/// Brings every device up to date: all send to a hub in a random order, the hub sends to all.
fn converge(shop: &mut Shop, order: &[usize], hows: &[How]) {
    let n = shop.n();
    let hub = order[0] % n;
    let mut k = 0;
    let mut next_how = || {
        k += 1;
        // No partial transfers here: the final round must carry everything.
        match hows[k % hows.len()] {
            How::Partial(_) => How::Merge,
            h => h,
        }
    };
    for &d in order {
        shop.exchange(d % n, hub, next_how());
    }
    for &d in order {
        shop.exchange(hub, d % n, next_how());
    }
}

fn check_converged(shop: &mut Shop) {
    let first = view(&mut shop.devices[0]);
    for d in 1..shop.n() {
        let other = view(&mut shop.devices[d]);
        assert_eq!(other.heads, first.heads, "device {d} has other heads");
        assert_eq!(other, first, "device {d} shows another state");
    }

    // Every sale exactly once, in its own device's document, with a unique receipt number.
    let all: Vec<&Sale> = first.sales.iter().flatten().collect();
    let ids: BTreeSet<Uuid> = all.iter().map(|s| s.id()).collect();
    assert_eq!(
        all.len(),
        shop.expected.sales.len(),
        "a sale is missing or doubled"
    );
    assert_eq!(ids, shop.expected.sales);
    let receipts: BTreeSet<String> = all.iter().map(|s| s.receipt_number().to_string()).collect();
    assert_eq!(receipts.len(), all.len(), "a receipt number is used twice");

    // Every void once, each of another sale.
    let voids: BTreeSet<Uuid> = first.voids.iter().flatten().map(|v| v.sale_id).collect();
    assert_eq!(voids, shop.expected.voided);
    assert_eq!(first.voids.iter().flatten().count(), voids.len());

    // Stock = baseline - sold + returned (refunds and voids), for every SKU.
    let e = &shop.expected;
    for (sku, baseline) in &e.baseline {
        let want = baseline - e.sold.get(sku).copied().unwrap_or_default()
            + e.returned.get(sku).copied().unwrap_or_default();
        assert_eq!(
            first.levels.get(sku).copied().unwrap_or_default(),
            want,
            "stock of {sku}"
        );
    }

    // A price in conflict shows its deterministic winner, which is the price every device sells at.
    for c in &first.conflicts {
        assert!(c.values.contains(&c.winner));
        assert_eq!(first.catalog.product(&c.product).unwrap().price, c.winner);
    }

    // Saved and loaded again, a document is the same.
    let d0 = &mut shop.devices[0];
    let actor = Actor::device(d0.id);
    let mut loaded = CatalogDoc::load(&d0.catalog.save(), &actor).unwrap();
    assert_eq!(loaded.heads(), d0.catalog.heads());
    let loaded = StockPeriod::load(&d0.stock.save(), &actor).unwrap();
    assert_eq!(loaded.levels().unwrap(), first.levels);
}

#[derive(Clone, Debug)]
enum Action {
    Sell {
        device: usize,
        product: usize,
        quantity: u8,
    },
    Retry {
        device: usize,
    },
    Refund {
        device: usize,
        pick: usize,
    },
    Void {
        device: usize,
        pick: usize,
    },
    SetPrice {
        device: usize,
        product: usize,
        cents: u16,
    },
    Exchange {
        from: usize,
        to: usize,
        how: How,
    },
}

fn how() -> impl Strategy<Value = How> {
    prop_oneof![
        Just(How::Merge),
        Just(How::Sync),
        any::<u64>().prop_map(How::Partial),
        Just(How::Replay)
    ]
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => (0..6usize, 0..20usize, 1..4u8).prop_map(|(device, product, quantity)| Action::Sell { device, product, quantity }),
        1 => (0..6usize).prop_map(|device| Action::Retry { device }),
        2 => (0..6usize, any::<usize>()).prop_map(|(device, pick)| Action::Refund { device, pick }),
        1 => (0..6usize, any::<usize>()).prop_map(|(device, pick)| Action::Void { device, pick }),
        2 => (0..6usize, 0..4usize, 0..500u16).prop_map(|(device, product, cents)| Action::SetPrice { device, product, cents }),
        4 => (0..6usize, 0..6usize, how()).prop_map(|(from, to, how)| Action::Exchange { from, to, how }),
    ]
}

fn run(n: usize, actions: &[Action], order: &[usize], hows: &[How]) -> Shop {
    let mut shop = Shop::open(n);
    for (t, a) in actions.iter().enumerate() {
        let at_ms = 1_764_400_000_000 + t as i64 * 1000;
        match *a {
            Action::Sell {
                device,
                product,
                quantity,
            } => shop.sell(device % n, product, quantity, at_ms),
            Action::Retry { device } => shop.retry(device % n),
            Action::Refund { device, pick } => shop.refund(device % n, pick, at_ms),
            Action::Void { device, pick } => shop.void(device % n, pick, at_ms),
            Action::SetPrice {
                device,
                product,
                cents,
            } => shop.set_price(device % n, product, cents),
            Action::Exchange { from, to, how } => shop.exchange(from % n, to % n, how),
        }
    }
    converge(&mut shop, order, hows);
    shop
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_device_ends_with_the_same_sales_stock_and_prices(
        n in 3..=6usize,
        actions in prop::collection::vec(action(), 1..40),
        order in Just((0..6usize).collect::<Vec<_>>()).prop_shuffle(),
        hows in prop::collection::vec(how(), 1..6),
    ) {
        let mut shop = run(n, &actions, &order, &hows);
        check_converged(&mut shop);
    }
}

// ---- the rules one at a time ----

fn two_devices() -> Shop {
    Shop::open(2)
}

#[test]
fn two_managers_changing_one_price_at_once_see_the_same_price() {
    for (first, second) in [(0, 1), (1, 0)] {
        let mut shop = two_devices();
        shop.devices[0]
            .catalog
            .set_price("fries", Decimal::new(399, 2))
            .unwrap();
        shop.devices[1]
            .catalog
            .set_price("fries", Decimal::new(425, 2))
            .unwrap();
        shop.exchange(first, second, How::Merge);
        shop.exchange(second, first, How::Sync);
        let a = shop.devices[0].catalog.price_conflicts().unwrap();
        let b = shop.devices[1].catalog.price_conflicts().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].product, "fries");
        let mut values = a[0].values.clone();
        values.sort();
        assert_eq!(values, [Decimal::new(399, 2), Decimal::new(425, 2)]);
        // Same counter on both sides, so the higher actor id (device 1) wins, whatever the order.
        assert_eq!(a[0].winner, Decimal::new(425, 2));
        assert_eq!(
            shop.devices[0].catalog.price("fries").unwrap(),
            Some(Decimal::new(425, 2))
        );

        // A manager settles it; the conflict is gone everywhere.
        shop.devices[0]
            .catalog
            .set_price("fries", Decimal::new(399, 2))
            .unwrap();
        shop.exchange(0, 1, How::Sync);
        assert!(
            shop.devices[1]
                .catalog
                .price_conflicts()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            shop.devices[1].catalog.price("fries").unwrap(),
            Some(Decimal::new(399, 2))
        );
    }
}

#[test]
fn concurrent_edits_of_different_products_both_stay() {
    let mut shop = two_devices();
    shop.devices[0]
        .catalog
        .set_price("fries", Decimal::new(399, 2))
        .unwrap();
    let mut cola = shop.devices[1].catalog.product("cola").unwrap().unwrap();
    cola.name = "Cola 0.5 l".into();
    shop.devices[1].catalog.put_product(&cola).unwrap();
    shop.exchange(0, 1, How::Merge);
    shop.exchange(1, 0, How::Merge);
    for d in &shop.devices {
        assert_eq!(
            d.catalog.price("fries").unwrap(),
            Some(Decimal::new(399, 2))
        );
        assert_eq!(
            d.catalog.product("cola").unwrap().unwrap().name,
            "Cola 0.5 l"
        );
        assert!(d.catalog.price_conflicts().unwrap().is_empty());
    }
}

#[test]
fn a_sale_recorded_twice_is_kept_once_and_only_its_device_writes_the_day() {
    let mut shop = two_devices();
    shop.sell(0, 0, 2, 1_000);
    shop.retry(0);
    let sale = shop.devices[0].last_sale.clone().unwrap();
    let own = SalesDay::id(STORE, device_id(0), day());
    assert_eq!(
        shop.devices[0].days[&own].sales().unwrap(),
        vec![sale.clone()]
    );
    assert_eq!(
        shop.devices[0].days[&own].sale(sale.id()).unwrap(),
        Some(sale.clone())
    );

    // Device 1 holds a replica of device 0's day, but may not write it.
    let err = shop.devices[1]
        .days
        .get_mut(&own)
        .unwrap()
        .record_sale(&sale)
        .unwrap_err();
    assert!(matches!(err, DocError::NotOwner { .. }), "{err}");
    let void = Refund::voiding(&sale, Uuid::from_u128(9), 2_000, "wrong item");
    assert!(
        shop.devices[1]
            .days
            .get_mut(&own)
            .unwrap()
            .record_refund(&void)
            .is_err()
    );

    // The owner voids it: once in the day, once in the stock.
    let d0 = &mut shop.devices[0];
    assert_eq!(
        d0.days.get_mut(&own).unwrap().record_refund(&void).unwrap(),
        Recorded::New
    );
    assert_eq!(
        d0.days.get_mut(&own).unwrap().record_refund(&void).unwrap(),
        Recorded::AlreadyThere
    );
    assert_eq!(d0.days[&own].voids().unwrap().len(), 1);
    assert_eq!(
        d0.stock.record_return_movements(&void).unwrap(),
        Recorded::New
    );
    assert_eq!(
        d0.stock.record_return_movements(&void).unwrap(),
        Recorded::AlreadyThere
    );
    let sku = &sale.lines()[0].sku;
    assert_eq!(d0.stock.level(sku).unwrap(), shop.expected.baseline[sku]);
}

#[test]
fn a_receipt_number_is_never_used_for_two_sales() {
    let mut shop = two_devices();
    shop.sell(0, 0, 1, 1_000);
    let sale = shop.devices[0].last_sale.clone().unwrap();
    // Another sale that claims the same number (a device that lost its counter).
    shop.devices[0].sequence -= 1;
    shop.sell_expecting_error(0);
    assert_eq!(
        shop.devices[0].days[&SalesDay::id(STORE, device_id(0), day())]
            .sales()
            .unwrap(),
        vec![sale]
    );
}

/// One demo product sold for cash under the device's next receipt number.
fn next_cash_sale(device: &mut Device, id: u128, at_ms: i64) -> Sale {
    let (store, menu) = demo::food_truck(false);
    let product = &menu.products[1];
    let mut ticket = Ticket::new(store.rules);
    ticket
        .add(
            product,
            menu.tax_category(&product.tax_category).unwrap(),
            &[],
            Decimal::ONE,
        )
        .unwrap();
    let mut payment = Payment::new(ticket.totals().total, store.rules);
    payment.add_cash(ticket.totals().total).unwrap();
    device.sequence += 1;
    let receipt = ReceiptNumber {
        device_code: device.code.clone(),
        sequence: device.sequence,
    };
    ticket
        .complete(&payment, Uuid::from_u128(id), receipt, at_ms)
        .unwrap()
}

impl Shop {
    fn sell_expecting_error(&mut self, d: usize) {
        let device = &mut self.devices[d];
        let sale = next_cash_sale(device, 77, 2_000);
        let own = SalesDay::id(STORE, device.id, day());
        let err = device
            .days
            .get_mut(&own)
            .unwrap()
            .record_sale(&sale)
            .unwrap_err();
        assert!(matches!(err, DocError::ReceiptNumberReused { .. }), "{err}");
    }
}

#[test]
fn a_training_sale_is_kept_but_not_counted_as_money() {
    let mut shop = two_devices();
    shop.sell(0, 0, 1, 1_000);
    let own = SalesDay::id(STORE, device_id(0), day());
    let before = shop.devices[0].days[&own].summary().unwrap();
    let real = shop.devices[0].last_sale.clone().unwrap();

    let device = &mut shop.devices[0];
    let training = next_cash_sale(device, 78, 3_000).in_training();
    let day_doc = device.days.get_mut(&own).unwrap();
    assert_eq!(day_doc.record_sale(&training).unwrap(), Recorded::New);

    let after = day_doc.summary().unwrap();
    assert_eq!(after.sales, before.sales);
    assert_eq!(after.total, before.total);
    assert_eq!(after.training, 1);
    assert_eq!(day_doc.sales().unwrap(), vec![real, training.clone()]);
    assert!(day_doc.sale(training.id()).unwrap().unwrap().is_training());
}

#[test]
fn stock_periods_opened_offline_on_two_devices_merge_without_losing_a_movement() {
    let mut shop = two_devices();
    shop.sell(0, 0, 3, 1_000);
    shop.sell(1, 0, 2, 1_000);
    shop.exchange(0, 1, How::Sync);
    shop.exchange(1, 0, How::Sync);
    let sku = shop.menu.products[0].sku.clone();
    let want = shop.expected.baseline[&sku] - Decimal::from(5);
    for d in &shop.devices {
        assert_eq!(d.stock.level(&sku).unwrap(), want);
        assert_eq!(d.stock.deltas().unwrap().len(), 2);
    }
}

#[test]
fn the_month_index_lists_each_day_with_its_totals() {
    let mut shop = two_devices();
    shop.sell(0, 0, 1, 1_000);
    shop.sell(0, 1, 1, 2_000);
    shop.sell(1, 2, 1, 3_000);
    let actor = Actor::device(device_id(0));
    let mut index = MonthIndex::new(STORE, day().month(), &actor);
    let mut total = Decimal::ZERO;
    for d in &shop.devices {
        let own = SalesDay::id(STORE, d.id, day());
        let entry = d.days[&own].index_entry().unwrap();
        total += entry.total;
        index.put_day(own, &entry).unwrap();
    }
    let days = index.days().unwrap();
    assert_eq!(days.len(), 2);
    assert_eq!(days.iter().map(|(_, e)| e.sales).sum::<u64>(), 3);
    assert_eq!(index.total().unwrap(), total);
    let again = MonthIndex::load(&index.save(), &actor).unwrap();
    assert_eq!(again.days().unwrap(), days);
    assert_eq!(again.document_id(), MonthIndex::id(STORE, day().month()));
}
