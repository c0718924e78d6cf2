//! The store's day (issue 13): every device's shifts, shared step by step in the device's own
//! sales day of the step, read back as the state furthest along whatever days they are in; and
//! the store-wide summary of a day, the sum of every device's day.

mod common;

use common::Shelf;
use common::sales::{MORNING, Pay, eur, sell};
use pos_core::shift::{
    CashCount, CashMovement, CashMovementKind, Shift, ShiftReport, ShiftState, latest_states,
};
use pos_core::{
    Actor, BusinessDay, Currency, DocRole, Recorded, Refund, SalesDay, SharedDocument, StoreDocs,
    Uuid,
};
use rust_decimal_macros::dec;

const STORE: Uuid = Uuid::from_u128(0x5705);
const TILL: Uuid = Uuid::from_u128(0xd1);
const PHONE: Uuid = Uuid::from_u128(0xd2);
const KIOSK: Uuid = Uuid::from_u128(0xd3);
const DAY_MS: i64 = 86_400_000;

fn day(n: u32) -> BusinessDay {
    BusinessDay::new(2026, 11, n).unwrap()
}

/// The business day of a moment, in UTC (the app asks the browser for the local date).
fn day_of(at_ms: i64) -> BusinessDay {
    // MORNING is 2026-11-29 09:00 UTC.
    let days = (at_ms - (MORNING - 9 * 3_600_000)).div_euclid(DAY_MS);
    day(u32::try_from(29 + days).unwrap())
}

/// A device's documents of `on`, as the app opens them to record on that day.
fn device_docs(device: Uuid, on: BusinessDay) -> StoreDocs {
    let mut docs = StoreDocs::new(STORE, device, 0);
    for (id, role) in docs.standing(on) {
        docs.open(id, role, on, device, &[]);
    }
    docs
}

/// Opens `other`'s day `on` in `docs` from what sync delivered (here: the shelf).
fn open_other(docs: &mut StoreDocs, shelf: &Shelf, other: Uuid, on: BusinessDay) {
    let id = docs.day_id(other, on);
    let problems = docs.open(id, DocRole::OtherDay, on, other, &shelf.chunks(id));
    assert!(problems.is_empty(), "{problems:?}");
}

fn euros(amount: rust_decimal::Decimal) -> CashCount {
    CashCount::new(Currency::EUR, &[], amount).unwrap()
}

fn opened(device: Uuid, at_ms: i64) -> Shift {
    Shift::open(
        Uuid::from_u128(0x5f1 + device.as_u128()),
        device,
        Currency::EUR,
        euros(dec!(100)),
        at_ms,
        None,
    )
}

fn state(shift: &Shift, at_ms: i64) -> ShiftState {
    let z_report = (!shift.is_open()).then(|| ShiftReport::new(shift, &[], &[], &[]));
    ShiftState {
        shift: shift.clone(),
        z_report,
        at_ms,
    }
}

#[test]
fn the_store_wide_day_adds_up_every_devices_day() {
    let today = day(29);
    let mut shelf = Shelf::default();
    let mut till = device_docs(TILL, today);
    let mut phone = device_docs(PHONE, today);
    let mut kiosk = device_docs(KIOSK, today);
    // The till: two cash sales, one refunded in full; the phone: a card sale and a split one; the
    // kiosk: a cash sale yesterday only, which is not today's.
    let t1 = sell(eur(), 1, dec!(4.50), dec!(19), Pay::Cash(dec!(0.50)));
    let t2 = sell(eur(), 2, dec!(3.20), dec!(19), Pay::Cash(dec!(0)));
    let p1 = sell(eur(), 3, dec!(12.00), dec!(19), Pay::Card);
    let p2 = sell(eur(), 4, dec!(10.00), dec!(19), Pay::Split(dec!(6.00)));
    let refund = Refund::full(&t2, Uuid::from_u128(0x4ef), MORNING + 3_600_000, "cold");
    till.record_sale(&t1, today).unwrap();
    till.record_sale(&t2, today).unwrap();
    till.record_refund(&refund, today).unwrap();
    phone.record_sale(&p1, today).unwrap();
    phone.record_sale(&p2, today).unwrap();
    let mut yesterday_kiosk = device_docs(KIOSK, day(28));
    yesterday_kiosk
        .record_sale(
            &sell(eur(), 5, dec!(7.00), dec!(19), Pay::Cash(dec!(0))),
            day(28),
        )
        .unwrap();
    shelf.store(&mut till);
    shelf.store(&mut phone);
    shelf.store(&mut kiosk);
    shelf.store(&mut yesterday_kiosk);

    let mut owner = device_docs(TILL, today);
    let own = owner.day_id(TILL, today);
    owner.open(own, DocRole::OwnDay, today, TILL, &shelf.chunks(own));
    open_other(&mut owner, &shelf, PHONE, today);
    open_other(&mut owner, &shelf, KIOSK, day(28));

    let store = owner.store_day(today);
    assert_eq!(store.devices, 2, "the kiosk sold nothing today");
    let (t, p) = (
        owner.summary_of(own).unwrap(),
        owner.summary_of(owner.day_id(PHONE, today)).unwrap(),
    );
    assert_eq!(store.totals.sales, t.sales + p.sales);
    assert_eq!(store.totals.sales, 4);
    assert_eq!(store.totals.total, t.total + p.total);
    assert_eq!(store.totals.total, dec!(29.70));
    assert_eq!(
        (store.totals.refunds, store.totals.refunded),
        (1, dec!(3.20))
    );
    assert_eq!(store.net(), dec!(26.50));
    assert_eq!(
        store.paid_by_tender.cash,
        dec!(4.50) + dec!(3.20) + dec!(4.00)
    );
    assert_eq!(store.paid_by_tender.card, dec!(12.00) + dec!(6.00));
    assert_eq!(store.paid_by_tender.total(), store.totals.total);
    assert_eq!(store.refunded_by_tender.cash, dec!(3.20));
    assert_eq!(store.refunded_by_tender.card, dec!(0));

    // Yesterday's store is the kiosk's day alone.
    let yesterday = owner.store_day(day(28));
    assert_eq!((yesterday.devices, yesterday.totals.total), (1, dec!(7.00)));
}

#[test]
fn a_shift_across_midnight_reads_as_its_latest_step_whatever_days_are_read() {
    let (monday, tuesday) = (day(28), day(29));
    let opened_at = MORNING - DAY_MS + 10 * 3_600_000; // Monday 19:00
    let mut shift = opened(PHONE, opened_at);
    let open = state(&shift, opened_at);
    let paid_out_at = opened_at + 3_600_000;
    shift
        .move_cash(CashMovement {
            id: Uuid::from_u128(0x3001),
            at_ms: paid_out_at,
            staff: None,
            amount: dec!(5),
            kind: CashMovementKind::PayOut {
                reason: "napkins".into(),
            },
        })
        .unwrap();
    let moved = state(&shift, paid_out_at);
    let closed_at = MORNING; // Tuesday 09:00
    shift.close(euros(dec!(90)), closed_at, None).unwrap();
    let closed = state(&shift, closed_at);
    assert!(closed.is_later_than(&moved) && moved.is_later_than(&open));
    assert!(!open.is_later_than(&closed));

    let mut shelf = Shelf::default();
    let mut on_monday = device_docs(PHONE, monday);
    assert_eq!(
        on_monday.record_shift(&open, monday).unwrap(),
        Recorded::New
    );
    assert_eq!(
        on_monday.record_shift(&moved, monday).unwrap(),
        Recorded::New
    );
    // A step folded again, or an earlier one folded after a later one, changes nothing.
    assert_eq!(
        on_monday.record_shift(&moved, monday).unwrap(),
        Recorded::AlreadyThere
    );
    assert_eq!(
        on_monday.record_shift(&open, monday).unwrap(),
        Recorded::AlreadyThere
    );
    let mut on_tuesday = device_docs(PHONE, tuesday);
    on_tuesday.record_shift(&closed, tuesday).unwrap();
    shelf.store(&mut on_monday);
    shelf.store(&mut on_tuesday);

    // The owner reads the phone's days.
    let mut owner = device_docs(TILL, tuesday);
    open_other(&mut owner, &shelf, PHONE, monday);
    open_other(&mut owner, &shelf, PHONE, tuesday);
    let read = owner.shifts_in(&[monday]);
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].device, PHONE);
    assert_eq!(
        read[0].state, moved,
        "Monday's document alone: open, one pay-out"
    );
    let both = owner.shifts_in(&[monday, tuesday]);
    assert_eq!(both.len(), 1, "one shift, however many days hold it");
    assert_eq!(both[0].state, closed, "closed on Tuesday wins");
    let z = both[0].state.z_report.as_ref().unwrap();
    assert_eq!(
        z.difference,
        Some(dec!(-5)),
        "100 float - 5 paid out, 90 counted"
    );

    // It was open on both days, ran past midnight, and is no day's after Tuesday.
    assert!(closed.touches(monday, day_of) && closed.touches(tuesday, day_of));
    assert!(!closed.touches(day(30), day_of) && !closed.touches(day(27), day_of));
    assert!(closed.overnight(day(30), day_of));
    assert!(
        open.touches(day(30), day_of),
        "still open, as far as Monday knew"
    );
    assert!(!state(&opened(TILL, MORNING), MORNING).overnight(tuesday, day_of));

    // The pure merge takes the furthest state in any order.
    let merged = latest_states([
        (PHONE, closed.clone()),
        (PHONE, open.clone()),
        (PHONE, moved.clone()),
    ]);
    assert_eq!(merged, vec![(PHONE, closed)]);
}

#[test]
fn a_day_recorded_before_shifts_were_shared_reads_as_no_shifts() {
    let mut old = SalesDay::new(STORE, TILL, day(29), &Actor::device(TILL));
    old.record_sale(&sell(eur(), 1, dec!(2.50), dec!(19), Pay::Cash(dec!(0))))
        .unwrap();
    let bytes = old.save();
    let read = SalesDay::load(&bytes, &Actor::device(TILL)).unwrap();
    assert_eq!(read.shifts().unwrap(), Vec::new());

    let mut owner = device_docs(PHONE, day(29));
    let mut shelf = Shelf::default();
    let id = owner.day_id(TILL, day(29));
    shelf.0.insert(format!("{id}/s/old"), bytes);
    open_other(&mut owner, &shelf, TILL, day(29));
    assert!(owner.shifts_in(&[day(29)]).is_empty());
    assert_eq!(owner.store_day(day(29)).totals.sales, 1);

    // A state shared before it carried a Z report reads with none.
    let shift = opened(TILL, MORNING);
    let json = format!(
        r#"{{"shift":{},"at_ms":{MORNING}}}"#,
        serde_json::to_string(&shift).unwrap()
    );
    let state: ShiftState = serde_json::from_str(&json).unwrap();
    assert_eq!(state.z_report, None);
    assert_eq!(state.shift, shift);
}

#[test]
fn only_the_owning_device_records_its_shifts() {
    let mut phone_day = SalesDay::new(STORE, PHONE, day(29), &Actor::device(TILL));
    let shift = opened(TILL, MORNING);
    assert!(phone_day.record_shift(&state(&shift, MORNING)).is_err());
}
