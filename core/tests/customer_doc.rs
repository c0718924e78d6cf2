//! The customers document (issue 14): every device writes it offline, and after sync every device
//! reads one directory. Edits of different fields both stay, an erasure wins over an edit made at
//! the same time, and merges made at once on two devices resolve as `CustomerDirectory` says.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

use pos_core::customer::sealed::{CustomerKey, Keyring, NONCE_LEN};
use pos_core::customer::{Customer, CustomerDirectory, MergeError};
use pos_core::{Actor, CustomersDoc, DocError, Recorded, SharedDocument, Uuid};
use proptest::prelude::*;

const STORE: Uuid = Uuid::from_u128(0x0192_c000_0000_7000_8000_0000_0000_0001);

fn device(i: usize) -> Actor {
    Actor::device(Uuid::from_u128(
        0x0192_d000_0000_7000_8000_0000_0000_0000 + i as u128,
    ))
}

fn person(n: u128) -> Uuid {
    Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0000 + n)
}

/// `n` devices that each made the document on their own (the genesis is the same everywhere).
fn devices(n: usize) -> Vec<CustomersDoc> {
    (0..n)
        .map(|i| CustomersDoc::new(STORE, &device(i)))
        .collect()
}

fn sync(docs: &mut [CustomersDoc], a: usize, b: usize) {
    let (low, high) = (a.min(b), a.max(b));
    let (left, right) = docs.split_at_mut(high);
    let (x, y) = (&mut left[low], &mut right[0]);
    let theirs = y.changes(&[]);
    x.apply_changes(theirs).unwrap();
    let ours = x.changes(&[]);
    y.apply_changes(ours).unwrap();
}

fn sync_all(docs: &mut [CustomersDoc]) {
    for i in 1..docs.len() {
        sync(docs, 0, i);
    }
    for i in 1..docs.len() {
        sync(docs, 0, i);
    }
}

fn anna() -> Customer {
    let mut anna = Customer::new(person(1), "Анна Петрова", "+7 912 345-67-89", "").unwrap();
    anna.marketing_consent = Some(1_795_942_800_000);
    anna
}

fn directory(doc: &CustomersDoc) -> CustomerDirectory {
    doc.directory(&keys()).unwrap()
}

/// Every device of these tests holds every customer's key, as after a sync of the keys.
fn keys() -> Keyring {
    (0..64u8)
        .map(|n| (person(u128::from(n)), CustomerKey::from_bytes([n + 1; 32])))
        .collect()
}

/// Never the same twice, as the app's random nonces.
fn nonce() -> [u8; NONCE_LEN] {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut out = [0; NONCE_LEN];
    out[..8].copy_from_slice(&NEXT.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    out
}

/// The writes of a device that holds the keys.
#[allow(clippy::result_large_err)] // `DocError`, as core's own writes answer it
trait Sealed {
    fn save_sealed(&mut self, customer: &Customer) -> Result<Recorded, DocError>;
    fn merge_into(&mut self, survivor: Uuid, duplicate: Uuid) -> Result<Recorded, DocError>;
}

impl Sealed for CustomersDoc {
    fn save_sealed(&mut self, customer: &Customer) -> Result<Recorded, DocError> {
        self.save_customer(customer, &keys(), &mut nonce)
    }
    fn merge_into(&mut self, survivor: Uuid, duplicate: Uuid) -> Result<Recorded, DocError> {
        self.merge(survivor, duplicate, &keys(), &mut nonce)
    }
}

#[test]
fn a_customer_made_on_one_device_is_found_on_another_after_sync() {
    let mut docs = devices(2);
    assert_eq!(docs[0].save_sealed(&anna()).unwrap(), Recorded::New);
    assert_eq!(
        docs[0].save_sealed(&anna()).unwrap(),
        Recorded::AlreadyThere
    );
    sync(&mut docs, 0, 1);
    let on_tablet = directory(&docs[1]);
    assert_eq!(on_tablet.get(person(1)), Some(&anna()));
    assert_eq!(on_tablet.search("912 345").len(), 1);
    // Saved and loaded again, as the app stores it.
    let bytes = docs[1].save();
    let loaded = CustomersDoc::load(&bytes, &device(1)).unwrap();
    assert_eq!(loaded.directory(&keys()).unwrap(), on_tablet);
}

#[test]
fn a_record_core_refuses_is_not_written() {
    let mut doc = CustomersDoc::new(STORE, &device(0));
    let mut bad = anna();
    bad.email = "not an address".into();
    assert!(matches!(doc.save_sealed(&bad), Err(DocError::Customer(_))));
    assert!(directory(&doc).get(person(1)).is_none());
}

#[test]
fn edits_of_different_fields_on_two_devices_both_stay() {
    let mut docs = devices(2);
    docs[0].save_sealed(&anna()).unwrap();
    sync(&mut docs, 0, 1);
    let mut phone = anna();
    phone.phone = "+7 900 000-00-01".into();
    docs[0].save_sealed(&phone).unwrap();
    let mut email = anna();
    email.email = "anna@example.org".into();
    docs[1].save_sealed(&email).unwrap();
    sync(&mut docs, 0, 1);
    let merged = directory(&docs[0]);
    assert_eq!(merged, directory(&docs[1]));
    let read = merged.get(person(1)).unwrap();
    assert_eq!(read.phone, "+7 900 000-00-01");
    assert_eq!(read.email, "anna@example.org");
}

#[test]
fn an_erasure_wins_over_an_edit_made_at_the_same_time() {
    let mut docs = devices(2);
    docs[0].save_sealed(&anna()).unwrap();
    sync(&mut docs, 0, 1);
    assert_eq!(docs[0].erase(person(1), 1_000).unwrap(), Recorded::New);
    let mut edit = anna();
    edit.name = "Anna P.".into();
    edit.note = "allergic to nuts".into();
    docs[1].save_sealed(&edit).unwrap();
    sync(&mut docs, 0, 1);
    for doc in &docs {
        let read = directory(doc);
        let erased = read.get(person(1)).unwrap();
        assert!(erased.erased);
        assert_eq!(
            (
                erased.name.as_str(),
                erased.phone.as_str(),
                erased.note.as_str()
            ),
            ("", "", "")
        );
        assert_eq!(erased.marketing_consent, None);
        assert!(read.search("Anna").is_empty());
    }
    // The edit is in the current state as a field value; scrubbing empties it there too.
    assert!(docs[1].scrub().unwrap());
    assert!(!docs[1].scrub().unwrap());
    // Editing an erased customer afterwards changes nothing.
    assert_eq!(
        docs[1].save_sealed(&anna()).unwrap(),
        Recorded::AlreadyThere
    );
    assert!(directory(&docs[1]).get(person(1)).unwrap().erased);
    sync(&mut docs, 0, 1);
    assert_eq!(
        docs[0].erase(person(1), 2_000).unwrap(),
        Recorded::AlreadyThere
    );
}

#[test]
fn merging_takes_what_the_survivor_lacks_and_points_the_duplicate_at_it() {
    let mut doc = CustomersDoc::new(STORE, &device(0));
    doc.save_sealed(&anna()).unwrap();
    let mut again = Customer::new(person(2), "Anna Petrova", "", "anna@example.org").unwrap();
    again.note = "window seat".into();
    doc.save_sealed(&again).unwrap();
    assert_eq!(doc.merge_into(person(1), person(2)).unwrap(), Recorded::New);
    assert_eq!(
        doc.merge_into(person(1), person(2)).unwrap(),
        Recorded::AlreadyThere
    );
    let read = directory(&doc);
    let kept = read.get(person(1)).unwrap();
    assert_eq!(kept.email, "anna@example.org");
    assert_eq!(kept.note, "window seat");
    assert_eq!(read.resolve(person(2)), person(1));
    assert_eq!(read.search("anna").len(), 1);
    assert!(matches!(
        doc.merge_into(person(1), person(1)),
        Err(DocError::CustomerMerge(MergeError::SameCustomer))
    ));
}

/// Two devices that both hold Anna entered twice (ids 1 and 2).
fn two_devices_with_anna_twice() -> Vec<CustomersDoc> {
    let mut docs = devices(2);
    docs[0].save_sealed(&anna()).unwrap();
    docs[0]
        .save_sealed(&Customer::new(person(2), "Anna P", "", "a@example.org").unwrap())
        .unwrap();
    sync(&mut docs, 0, 1);
    docs
}

#[test]
fn two_devices_merging_two_customers_into_each_other_keep_the_lowest_id() {
    let mut docs = two_devices_with_anna_twice();
    docs[0].merge_into(person(2), person(1)).unwrap();
    docs[1].merge_into(person(1), person(2)).unwrap();
    sync(&mut docs, 0, 1);
    let (a, b) = (directory(&docs[0]), directory(&docs[1]));
    assert_eq!(a, b);
    assert_eq!(a.resolve(person(1)), person(1));
    assert_eq!(a.resolve(person(2)), person(1));
    assert_eq!(a.ids_of(person(2)), vec![person(1), person(2)]);
}

#[test]
fn a_merge_made_while_another_device_erased_the_duplicate_erases_the_person() {
    let mut docs = two_devices_with_anna_twice();
    docs[0].merge_into(person(1), person(2)).unwrap();
    docs[1].erase(person(2), 5).unwrap();
    sync(&mut docs, 0, 1);
    let read = directory(&docs[0]);
    assert_eq!(read, directory(&docs[1]));
    // The merge says they are one person, and that person asked to be erased.
    for id in [person(1), person(2)] {
        let c = read.get(id).unwrap();
        assert!(c.erased && c.email.is_empty() && c.name.is_empty(), "{id}");
    }
}

#[derive(Clone, Debug)]
enum Op {
    Create {
        on: usize,
    },
    Edit {
        on: usize,
        which: usize,
        field: usize,
        text: u8,
    },
    Merge {
        on: usize,
        survivor: usize,
        duplicate: usize,
    },
    Erase {
        on: usize,
        which: usize,
    },
    Sync {
        a: usize,
        b: usize,
    },
}

fn op(devices: usize) -> impl Strategy<Value = Op> {
    let d = 0..devices;
    prop_oneof![
        3 => d.clone().prop_map(|on| Op::Create { on }),
        3 => (d.clone(), 0..8usize, 0..4usize, any::<u8>())
            .prop_map(|(on, which, field, text)| Op::Edit { on, which, field, text }),
        2 => (d.clone(), 0..8usize, 0..8usize)
            .prop_map(|(on, survivor, duplicate)| Op::Merge { on, survivor, duplicate }),
        1 => (d.clone(), 0..8usize).prop_map(|(on, which)| Op::Erase { on, which }),
        3 => (d.clone(), d).prop_map(|(a, b)| Op::Sync { a, b }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, Vec<Op>)> {
    (2..=4usize).prop_flat_map(|n| (Just(n), prop::collection::vec(op(n), 1..40)))
}

/// Every value any change of the document ever put, in every op of its whole history.
fn every_value_ever_written(doc: &CustomersDoc) -> Vec<automerge::ScalarValue> {
    let mut am = doc.automerge().clone();
    am.get_changes(&[])
        .iter()
        .flat_map(|c| c.decode().operations)
        .filter_map(|op| match op.action {
            automerge::legacy::OpType::Put(value) => Some(value),
            _ => None,
        })
        .collect()
}

#[test]
fn the_whole_history_holds_no_personal_field_in_readable_form() {
    let mut docs = devices(2);
    let mut anna = anna();
    anna.email = "anna.petrova@example.org".into();
    anna.note = "oat milk".into();
    docs[0].save_sealed(&anna).unwrap();
    sync(&mut docs, 0, 1);
    let mut edited = anna.clone();
    edited.phone = "+7 999 111-22-33".into();
    docs[1].save_sealed(&edited).unwrap();
    let twin = Customer::new(person(2), "Anna P", "", "twin@example.org").unwrap();
    docs[1].save_sealed(&twin).unwrap();
    docs[1].merge_into(person(1), person(2)).unwrap();
    sync_all(&mut docs);
    assert_eq!(
        directory(&docs[0]).get(person(1)).unwrap().phone,
        edited.phone
    );

    let personal = [
        "Анна Петрова",
        "912 345",
        "999 111",
        "anna.petrova@example.org",
        "twin@example.org",
        "Anna P",
        "oat milk",
        "1795942800000",
    ];
    let values = every_value_ever_written(&docs[0]);
    assert!(values.len() > 10, "the history is read: {values:?}");
    for value in values {
        let readable = match &value {
            automerge::ScalarValue::Str(s) => s.to_string(),
            automerge::ScalarValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            other => format!("{other:?}"),
        };
        for text in personal {
            assert!(
                !readable.contains(text),
                "{text:?} is in the history: {value:?}"
            );
        }
    }
}

#[test]
fn a_customer_read_without_its_key_is_locked_not_an_error() {
    let mut docs = devices(2);
    docs[0].save_sealed(&anna()).unwrap();
    sync(&mut docs, 0, 1);
    let without = docs[1].directory(&Keyring::new()).unwrap();
    let locked = without.get(person(1)).unwrap();
    assert!(locked.locked);
    assert_eq!(
        (
            locked.name.as_str(),
            locked.phone.as_str(),
            locked.marketing_consent
        ),
        ("", "", None)
    );
    assert!(without.search("Анна").is_empty());
    // A wrong key opens nothing either, and a locked record is never written back.
    let wrong: Keyring = [(person(1), CustomerKey::from_bytes([0xee; 32]))]
        .into_iter()
        .collect();
    assert!(
        docs[1]
            .directory(&wrong)
            .unwrap()
            .get(person(1))
            .unwrap()
            .locked
    );
    assert_eq!(
        docs[1]
            .save_customer(locked, &Keyring::new(), &mut nonce)
            .unwrap(),
        Recorded::AlreadyThere
    );
    // Nor is a new customer written without a key.
    let bob = Customer::new(person(3), "Bob", "", "").unwrap();
    assert!(matches!(
        docs[1].save_customer(&bob, &Keyring::new(), &mut nonce),
        Err(DocError::CustomerKeyMissing(id)) if id == person(3)
    ));
    assert_eq!(directory(&docs[1]).get(person(1)), Some(&anna()));

    // Erased: every device reads it erased, key or none.
    docs[1].erase(person(1), 7).unwrap();
    let erased = docs[1].directory(&Keyring::new()).unwrap();
    let erased = erased.get(person(1)).unwrap();
    assert!(erased.erased && !erased.locked);
}

#[test]
fn a_record_written_before_keys_is_read_and_edited_in_plain() {
    use automerge::transaction::Transactable;
    let mut doc = CustomersDoc::new(STORE, &device(0));
    {
        let am = doc.automerge_mut();
        let (_, customers) = automerge::ReadDoc::get(am, automerge::ROOT, "customers")
            .unwrap()
            .unwrap();
        let record = am
            .put_object(&customers, person(9).to_string(), automerge::ObjType::Map)
            .unwrap();
        for (field, value) in [
            ("name", "Old Timer"),
            ("phone", ""),
            ("email", ""),
            ("note", ""),
        ] {
            am.put(&record, field, value).unwrap();
        }
        am.commit();
    }
    let old = doc.directory(&Keyring::new()).unwrap();
    let mut old = old.get(person(9)).unwrap().clone();
    assert_eq!((old.name.as_str(), old.locked), ("Old Timer", false));
    old.phone = "+7 900 000 00 00".into();
    doc.save_customer(&old, &Keyring::new(), &mut nonce)
        .unwrap();
    assert_eq!(
        doc.directory(&Keyring::new()).unwrap().get(person(9)),
        Some(&old)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// 2-4 devices create, edit, merge and erase customers offline, syncing now and then; once
    /// all have synced they read one directory, and everyone erased on any device is erased
    /// with nothing personal left, however the merges and edits crossed.
    #[test]
    fn devices_editing_offline_converge_and_erasure_wins((n, ops) in scenario()) {
        let mut docs = devices(n);
        let mut made = 0u128;
        let mut erased = BTreeSet::new();
        for op in ops {
            match op {
                Op::Create { on } => {
                    made += 1;
                    let c = Customer::new(person(made), &format!("Customer {made}"), "", "")
                        .unwrap();
                    docs[on].save_sealed(&c).unwrap();
                }
                Op::Edit { on, which, field, text } => {
                    let known = directory(&docs[on]);
                    let Some(mut c) = known.people().get(which).map(|c| (*c).clone()) else {
                        continue;
                    };
                    match field {
                        0 => c.name = format!("Name {text}"),
                        1 => c.phone = format!("+7 900 {text:03} 00 00"),
                        2 => c.email = format!("x{text}@example.org"),
                        _ => c.marketing_consent = Some(i64::from(text)),
                    }
                    docs[on].save_sealed(&c).unwrap();
                }
                Op::Merge { on, survivor, duplicate } => {
                    let known = directory(&docs[on]);
                    let people = known.people();
                    let (Some(s), Some(d)) = (people.get(survivor), people.get(duplicate)) else {
                        continue;
                    };
                    let (s, d) = (s.id, d.id);
                    let expected = known.clone().merge(s, d);
                    let result = docs[on].merge_into(s, d);
                    prop_assert_eq!(expected.is_ok(), result.is_ok());
                }
                Op::Erase { on, which } => {
                    let known = directory(&docs[on]);
                    let Some(c) = known.people().get(which).map(|c| c.id) else { continue };
                    docs[on].erase(c, 1).unwrap();
                    erased.insert(c);
                }
                Op::Sync { a, b } => {
                    if a != b {
                        sync(&mut docs, a, b);
                    }
                }
            }
        }
        sync_all(&mut docs);
        let first = directory(&docs[0]);
        for doc in &docs[1..] {
            prop_assert_eq!(&directory(doc), &first);
        }
        for id in erased {
            for same in first.ids_of(id) {
                let c = first.get(same).unwrap();
                prop_assert!(c.erased, "{} of erased {} not erased", same, id);
                prop_assert!(c.name.is_empty() && c.phone.is_empty() && c.email.is_empty());
                prop_assert_eq!(c.marketing_consent, None);
            }
        }
        // Every merge chain ends at one survivor that is offered (or erased).
        for c in first.all() {
            let person = first.resolve(c.id);
            prop_assert!(first.get(person).unwrap().merged_into.is_none()
                || first.ids_of(person).contains(&c.id));
        }
    }
}
