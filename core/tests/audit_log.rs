//! The staff audit log: kept in each device's sales document of the day, in a map made on first
//! use (the genesis never changes), recorded once per entry id, read as the union of the maps two
//! tabs may make at once, collected across devices, filtered and exported as CSV.

mod common;

use common::Shelf;
use std::collections::BTreeMap;

use expect_test::expect;
use pos_core::automerge::{ROOT, ReadDoc};
use pos_core::staff::{
    AUDIT_CSV_HEADER, AuditAction, AuditEntry, AuditFilter, Permission, audit_csv,
};
use pos_core::{
    Actor, BusinessDay, DocError, DocRole, Recorded, SalesDay, SharedDocument, StoreDocs, Uuid,
};
use rust_decimal::Decimal;

const STORE: Uuid = Uuid::from_u128(0x5705);
const TILL: Uuid = Uuid::from_u128(0xd1);
const PHONE: Uuid = Uuid::from_u128(0xd2);
const ANN: Uuid = Uuid::from_u128(0xa1);
const BOB: Uuid = Uuid::from_u128(0xb0);
/// 2026-11-29 09:00 UTC.
const MORNING: i64 = 1_795_942_800_000;

fn today() -> BusinessDay {
    BusinessDay::new(2026, 11, 29).unwrap()
}

fn entry(n: u128, staff: Uuid, action: AuditAction, at_ms: i64, device: Uuid) -> AuditEntry {
    AuditEntry {
        id: Uuid::from_u128(0xe000 + n),
        staff,
        action,
        at_ms,
        device,
        approved_by: None,
    }
}

fn till_day() -> SalesDay {
    SalesDay::new(STORE, TILL, today(), &Actor::device(TILL))
}

/// One entry of every kind, made on the till.
fn one_of_each() -> Vec<AuditEntry> {
    let sale = Uuid::from_u128(0x5a1e);
    let actions = [
        AuditAction::SignIn,
        AuditAction::ClockIn,
        AuditAction::Sale { sale },
        AuditAction::Refund {
            refund: Uuid::from_u128(0x4ef),
            sale,
        },
        AuditAction::NoSale,
        AuditAction::Void {
            sale: Some(sale),
            line: Some(3),
        },
        AuditAction::Discount {
            percent: Decimal::new(1250, 2),
        },
        AuditAction::PriceChange {
            product: "fries".into(),
        },
        AuditAction::PriceOverride {
            product: "Lemonade".into(),
            shelf: Decimal::new(250, 2),
            price: Decimal::new(100, 2),
        },
        AuditAction::Approval {
            permission: Permission::DiscountAboveLimit,
        },
        AuditAction::StaffEdit { version: 7 },
        AuditAction::ClockOut,
        AuditAction::SignOut,
    ];
    actions
        .into_iter()
        .enumerate()
        .map(|(i, action)| entry(i as u128, ANN, action, MORNING + i as i64 * 60_000, TILL))
        .collect()
}

#[test]
fn every_kind_is_its_stored_tag_and_is_listed() {
    let entries = one_of_each();
    let kinds: Vec<&str> = entries.iter().map(|e| e.action.kind()).collect();
    let mut sorted_kinds = kinds.clone();
    sorted_kinds.sort();
    let mut listed = AuditAction::KINDS.to_vec();
    listed.sort();
    assert_eq!(
        sorted_kinds, listed,
        "one entry of each kind, and KINDS lists them all"
    );
    for e in &entries {
        let json = serde_json::to_value(&e.action).unwrap();
        assert_eq!(json["kind"], e.action.kind());
    }
    for p in Permission::ALL {
        assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
    }
}

#[test]
fn an_entry_is_recorded_once_and_read_back() {
    let mut day = till_day();
    let entries = one_of_each();
    for e in entries.iter().rev() {
        assert_eq!(day.record_audit(e).unwrap(), Recorded::New);
    }
    assert_eq!(day.audit().unwrap(), entries, "every kind, in time order");
    assert_eq!(
        day.record_audit(&entries[2]).unwrap(),
        Recorded::AlreadyThere
    );
    assert_eq!(day.audit().unwrap().len(), entries.len());
}

#[test]
fn an_id_with_other_contents_is_refused() {
    let mut day = till_day();
    let discount = |percent| entry(1, ANN, AuditAction::Discount { percent }, MORNING, TILL);
    day.record_audit(&discount(Decimal::new(1250, 2))).unwrap();
    // The same percent written with another scale is another entry's text: refused, not merged.
    for other in [
        discount(Decimal::new(125, 1)),
        discount(Decimal::new(15, 0)),
        AuditEntry {
            approved_by: Some(BOB),
            ..discount(Decimal::new(1250, 2))
        },
    ] {
        let refused = day.record_audit(&other);
        assert!(
            matches!(refused, Err(DocError::IdReused { id }) if id == other.id),
            "{refused:?}"
        );
    }
    assert_eq!(day.audit().unwrap(), [discount(Decimal::new(1250, 2))]);
}

#[test]
fn only_the_days_device_writes_its_log_and_only_its_own_entries() {
    // The phone holds the till's day to read it; it may not write there.
    let mut held = SalesDay::new(STORE, TILL, today(), &Actor::device(PHONE));
    let refused = held.record_audit(&entry(1, ANN, AuditAction::NoSale, MORNING, PHONE));
    assert!(
        matches!(
            refused,
            Err(DocError::NotOwner {
                owner: TILL,
                writer: PHONE
            })
        ),
        "{refused:?}"
    );
    // The till may not put into its log an entry made on the phone.
    let refused = till_day().record_audit(&entry(2, ANN, AuditAction::NoSale, MORNING, PHONE));
    assert!(
        matches!(
            refused,
            Err(DocError::NotOwner {
                owner: TILL,
                writer: PHONE
            })
        ),
        "{refused:?}"
    );
    assert!(held.audit().unwrap().is_empty());
}

#[test]
fn a_day_with_no_log_reads_an_empty_one() {
    let day = till_day();
    assert_eq!(day.audit().unwrap(), []);
    assert_eq!(day.automerge().get(ROOT, "audit").unwrap(), None);
}

/// The genesis is the same bytes on every device and every version: the server checks it, and a
/// day made offline merges only if it is. The log's map must not be in it.
#[test]
fn the_genesis_of_a_day_is_unchanged_by_the_log() {
    const GENESIS: &str = "8fc24834c9a6c63179093f8c576c52fccfced3a52f71abb9ac70e1b82fe044c1";
    for actor in [
        Actor::device(TILL),
        Actor::session(TILL, 3),
        Actor::device(PHONE),
    ] {
        let mut day = SalesDay::new(STORE, TILL, today(), &actor);
        assert_eq!(day.heads().len(), 1);
        assert_eq!(day.heads()[0].to_string(), GENESIS);
    }
    let mut day = till_day();
    let keys: Vec<String> = day.automerge().keys(ROOT).collect();
    assert_eq!(
        keys,
        [
            "day", "device", "kind", "receipts", "refunds", "sales", "schema", "store", "voids"
        ]
    );
    day.record_audit(&one_of_each()[0]).unwrap();
    let changes = day.changes(&[]);
    assert_eq!(changes.len(), 2);
    assert_eq!(changes[0].hash().to_string(), GENESIS);
}

#[test]
fn two_tabs_making_the_log_at_once_keep_both_entries() {
    let mut first = till_day();
    let mut second = SalesDay::load(&first.save(), &Actor::session(TILL, 1)).unwrap();
    let a = entry(1, ANN, AuditAction::SignIn, MORNING, TILL);
    let b = entry(2, BOB, AuditAction::ClockIn, MORNING + 1, TILL);
    first.record_audit(&a).unwrap();
    second.record_audit(&b).unwrap();
    first.merge(&mut second).unwrap();
    second.merge(&mut first).unwrap();
    for day in [&mut first, &mut second] {
        assert_eq!(
            day.automerge().get_all(ROOT, "audit").unwrap().len(),
            2,
            "each tab made its own map"
        );
        assert_eq!(day.audit().unwrap(), [a.clone(), b.clone()]);
        // Whichever map an entry is in, it is found: again is nothing new, other contents refused.
        for e in [&a, &b] {
            assert_eq!(day.record_audit(e).unwrap(), Recorded::AlreadyThere);
            let changed = AuditEntry {
                at_ms: e.at_ms + 1,
                ..e.clone()
            };
            assert!(matches!(
                day.record_audit(&changed),
                Err(DocError::IdReused { .. })
            ));
        }
    }
    // A later entry goes into the winning map, and both tabs agree on everything.
    let c = entry(3, ANN, AuditAction::SignOut, MORNING + 2, TILL);
    second.record_audit(&c).unwrap();
    first.merge(&mut second).unwrap();
    assert_eq!(first.audit().unwrap(), [a, b, c]);
    assert_eq!(first.heads(), second.heads());
}

#[test]
fn entries_survive_save_and_load() {
    let mut day = till_day();
    let entries = one_of_each();
    day.record_audit(&entries[0]).unwrap();
    let saved = day.save();
    for e in &entries[1..] {
        day.record_audit(e).unwrap();
    }
    let increment = day.save_incremental();

    let mut again = SalesDay::load(&saved, &Actor::device(TILL)).unwrap();
    assert_eq!(again.audit().unwrap(), entries[..1]);
    again.load_incremental(&increment).unwrap();
    assert_eq!(again.audit().unwrap(), entries);
    let mut whole = SalesDay::load(&day.save(), &Actor::device(TILL)).unwrap();
    assert_eq!(whole.audit().unwrap(), entries);
    assert_eq!(
        whole.record_audit(&entries[5]).unwrap(),
        Recorded::AlreadyThere
    );
}

// ---- across devices, through StoreDocs ----

fn device_docs(device: Uuid) -> StoreDocs {
    let mut docs = StoreDocs::new(STORE, device, 0);
    for (id, role) in docs.standing(today()) {
        docs.open(id, role, today(), device, &[]);
    }
    docs
}

#[test]
fn the_log_is_collected_from_every_devices_day() {
    let mut shelf = Shelf::default();
    let mut till = device_docs(TILL);
    let mut phone = device_docs(PHONE);
    let on_till = [
        entry(1, ANN, AuditAction::SignIn, MORNING, TILL),
        entry(3, ANN, AuditAction::NoSale, MORNING + 20, TILL),
    ];
    let on_phone = [
        entry(2, BOB, AuditAction::ClockIn, MORNING + 10, PHONE),
        entry(4, BOB, AuditAction::ClockOut, MORNING + 20, PHONE),
    ];
    for e in &on_till {
        assert_eq!(till.record_audit(e, today()).unwrap(), Recorded::New);
    }
    for e in &on_phone {
        phone.record_audit(e, today()).unwrap();
    }
    assert_eq!(
        till.record_audit(&on_till[0], today()).unwrap(),
        Recorded::AlreadyThere
    );
    shelf.store(&mut till);
    shelf.store(&mut phone);

    // Each opens the other's day from what sync delivered (here: the other's stored chunks).
    for (docs, other) in [(&mut till, PHONE), (&mut phone, TILL)] {
        let id = docs.day_id(other, today());
        let problems = docs.open(id, DocRole::OtherDay, today(), other, &shelf.chunks(id));
        assert!(problems.is_empty(), "{problems:?}");
    }
    let everything = [
        on_till[0].clone(),
        on_phone[0].clone(),
        on_till[1].clone(),
        on_phone[1].clone(),
    ];
    assert_eq!(till.audit_log(), everything, "by time, then by id");
    assert_eq!(phone.audit_log(), everything);
}

#[test]
fn a_sale_that_names_its_cashier_is_in_the_log_and_one_without_is_not() {
    let mut till = device_docs(TILL);
    let (store, catalog) = pos_core::demo::food_truck(false);
    let fries = catalog.product("fries").unwrap();
    let tax = catalog.tax_category(&fries.tax_category).unwrap();
    let sale = |n: u128, cashier: Option<pos_core::Cashier>| {
        let mut ticket = pos_core::Ticket::new(store.rules);
        ticket.add(fries, tax, &[], Decimal::ONE).unwrap();
        let mut payment = pos_core::Payment::new(ticket.totals().total, store.rules);
        payment.add_cash(Decimal::TEN).unwrap();
        let number = pos_core::ReceiptNumber {
            device_code: "T1".into(),
            sequence: n as u64,
        };
        ticket
            .complete(&payment, Uuid::from_u128(n), number, MORNING + n as i64)
            .unwrap()
            .taken_by(cashier)
    };
    let anns = sale(
        1,
        Some(pos_core::Cashier {
            id: ANN,
            name: "Ann".into(),
        }),
    );
    till.record_sale(&anns, today()).unwrap();
    till.record_sale(&sale(2, None), today()).unwrap();
    let signed_in = entry(9, BOB, AuditAction::SignIn, MORNING + 5, TILL);
    till.record_audit(&signed_in, today()).unwrap();
    assert_eq!(
        till.audit_log(),
        [
            AuditEntry {
                id: anns.id(),
                staff: ANN,
                action: AuditAction::Sale { sale: anns.id() },
                at_ms: anns.completed_at_ms(),
                device: TILL,
                approved_by: None,
            },
            signed_in,
        ]
    );
}

#[test]
fn an_entry_is_written_only_into_a_day_that_is_open() {
    let mut till = StoreDocs::new(STORE, TILL, 0);
    let refused = till.record_audit(&entry(1, ANN, AuditAction::SignIn, MORNING, TILL), today());
    let own = till.day_id(TILL, today());
    assert!(
        matches!(refused, Err(DocError::NotOpen(id)) if id == own),
        "{refused:?}"
    );
    assert!(till.audit_log().is_empty());
}

#[test]
fn a_day_with_only_audit_entries_is_listed_in_the_months_index_so_other_devices_find_it() {
    let mut till = device_docs(TILL);
    let own = till.day_id(TILL, today());
    till.record_audit(&entry(1, ANN, AuditAction::ClockIn, MORNING, TILL), today())
        .unwrap();
    let rows = till.index_rows(today());
    let row = rows.iter().find(|(id, _)| *id == own).map(|(_, row)| row);
    assert!(
        row.is_some_and(|r| r.device == TILL && r.sales == 0),
        "{rows:?}"
    );
    // A second entry leaves the row as it is.
    till.record_audit(&entry(2, ANN, AuditAction::ClockOut, MORNING + 60_000, TILL), today())
        .unwrap();
    assert_eq!(till.index_rows(today()), rows);
}

// ---- filter and CSV ----

#[test]
fn the_filter_takes_a_member_a_kind_and_a_span() {
    let entries = one_of_each();
    let bobs = AuditEntry {
        id: Uuid::from_u128(0xb0b),
        staff: BOB,
        ..entries[4].clone()
    };
    let all: Vec<AuditEntry> = entries.iter().cloned().chain([bobs.clone()]).collect();
    let shown = |filter: AuditFilter| -> Vec<Uuid> {
        all.iter()
            .filter(|e| filter.matches(e))
            .map(|e| e.id)
            .collect()
    };
    assert_eq!(shown(AuditFilter::default()).len(), all.len());
    assert_eq!(
        shown(AuditFilter {
            staff: Some(BOB),
            ..AuditFilter::default()
        }),
        [bobs.id]
    );
    assert_eq!(
        shown(AuditFilter {
            kind: Some("no-sale"),
            ..AuditFilter::default()
        }),
        [entries[4].id, bobs.id]
    );
    assert_eq!(
        shown(AuditFilter {
            staff: Some(ANN),
            kind: Some("no-sale"),
            ..AuditFilter::default()
        }),
        [entries[4].id]
    );
    // From is included, to is not: consecutive spans share nothing.
    let span = |from: usize, to: usize| AuditFilter {
        from_ms: Some(entries[from].at_ms),
        to_ms: Some(entries[to].at_ms),
        ..AuditFilter::default()
    };
    assert_eq!(shown(span(2, 4)), [entries[2].id, entries[3].id]);
    assert_eq!(shown(span(4, 5)), [entries[4].id, bobs.id]);
    assert!(shown(span(5, 5)).is_empty());
}

#[test]
fn the_csv_has_one_row_per_entry_with_names_escaped() {
    let names = BTreeMap::from([
        (ANN, "Smith, \"Ann\"".to_string()),
        (BOB, "Bob\nthe manager".to_string()),
    ]);
    let name_of = |id: Uuid| names.get(&id).cloned().unwrap_or_else(|| id.to_string());
    let mut entries = one_of_each();
    entries[6].approved_by = Some(BOB);
    let file = audit_csv(&entries, name_of);

    let mut reader = csv::Reader::from_reader(file.as_bytes());
    assert_eq!(reader.headers().unwrap(), AUDIT_CSV_HEADER.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), entries.len());
    for (row, e) in rows.iter().zip(&entries) {
        assert_eq!(&row[1], "Smith, \"Ann\"");
        assert_eq!(&row[2], e.action.kind());
        assert_eq!(&row[4], TILL.to_string());
    }
    assert_eq!(&rows[6][5], "Bob\nthe manager");
    assert_eq!(&rows[0][5], "");

    expect![[r#"
        time,staff,action,detail,device,approved_by
        2026-11-29T09:00:00.000Z,"Smith, ""Ann""",sign-in,,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:01:00.000Z,"Smith, ""Ann""",clock-in,,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:02:00.000Z,"Smith, ""Ann""",sale,00000000-0000-0000-0000-000000005a1e,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:03:00.000Z,"Smith, ""Ann""",refund,00000000-0000-0000-0000-0000000004ef sale 00000000-0000-0000-0000-000000005a1e,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:04:00.000Z,"Smith, ""Ann""",no-sale,,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:05:00.000Z,"Smith, ""Ann""",void,sale 00000000-0000-0000-0000-000000005a1e line 3,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:06:00.000Z,"Smith, ""Ann""",discount,12.50%,00000000-0000-0000-0000-0000000000d1,"Bob
        the manager"
        2026-11-29T09:07:00.000Z,"Smith, ""Ann""",price-change,fries,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:08:00.000Z,"Smith, ""Ann""",price-override,Lemonade 2.50 -> 1.00,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:09:00.000Z,"Smith, ""Ann""",approval,discount-above-limit,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:10:00.000Z,"Smith, ""Ann""",staff-edit,version 7,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:11:00.000Z,"Smith, ""Ann""",clock-out,,00000000-0000-0000-0000-0000000000d1,
        2026-11-29T09:12:00.000Z,"Smith, ""Ann""",sign-out,,00000000-0000-0000-0000-0000000000d1,
    "#]]
    .assert_eq(&file);
}

/// A cell a spreadsheet would run as a formula (OWASP's CSV injection) is written as text: a
/// leading `'` makes the spreadsheet show it as typed.
#[test]
fn a_name_a_spreadsheet_would_run_is_written_as_text() {
    let names = BTreeMap::from([
        (ANN, "+1 cmd".to_string()),
        (
            BOB,
            "=HYPERLINK(\"http://evil.example\",\"Bob\")".to_string(),
        ),
    ]);
    let name_of = |id: Uuid| names.get(&id).cloned().unwrap_or_else(|| id.to_string());
    let mut entries = one_of_each();
    entries[6].approved_by = Some(BOB);
    let file = audit_csv(&entries, name_of);

    let mut reader = csv::Reader::from_reader(file.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][1], "'+1 cmd");
    assert_eq!(&rows[6][5], "'=HYPERLINK(\"http://evil.example\",\"Bob\")");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?}"
            );
        }
    }
}

#[test]
fn an_empty_log_is_the_header_alone() {
    assert_eq!(
        audit_csv(&[], |id| id.to_string()),
        "time,staff,action,detail,device,approved_by\n"
    );
}
