//! Customers: checked when saved, found as a cashier types, merged when entered twice, erased on
//! request with their sales still counted, and what they bought counted from every device.

mod common;

use common::sales::{Pay, eur, sell};
use pos_core::customer::{Customer, CustomerDirectory, CustomerError, CustomerStats, MergeError};
use pos_core::{Refund, Sale, Uuid, Void};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const ANNA: Uuid = Uuid::from_u128(0xA1);
const ANNA_AGAIN: Uuid = Uuid::from_u128(0xA2);
const BORIS: Uuid = Uuid::from_u128(0xB1);

/// Sale `n` of one item at `price`, paid by card, for `customer`.
fn sale_for(customer: Option<Uuid>, n: u64, price: Decimal) -> Sale {
    sell(eur(), n, price, dec!(19), Pay::Card).for_customer(customer)
}

fn directory() -> CustomerDirectory {
    let mut directory = CustomerDirectory::new();
    let mut anna = Customer::new(ANNA, "Анна Петрова", "+7 (912) 345-67-89", "").unwrap();
    anna.marketing_consent = None;
    anna.note = "oat milk".into();
    directory.save(anna).unwrap();
    let mut again = Customer::new(ANNA_AGAIN, "Anna Petrova", "", "Anna.P@example.org").unwrap();
    again.marketing_consent = Some(1_795_942_800_000);
    again.note = "likes the window seat".into();
    directory.save(again).unwrap();
    directory
        .save(Customer::new(BORIS, "Boris", "030 1234567", "boris@example.de").unwrap())
        .unwrap();
    directory
}

fn names(found: &[&Customer]) -> Vec<Uuid> {
    found.iter().map(|c| c.id).collect()
}

#[test]
fn a_customer_needs_a_name_and_well_shaped_contacts() {
    let id = Uuid::from_u128(1);
    assert!(Customer::new(id, "  Ella ", "", "").is_ok_and(|c| c.name == "Ella"));
    assert_eq!(
        Customer::new(id, "  ", "", "").unwrap_err(),
        CustomerError::EmptyName
    );
    for phone in [
        "+7 (912) 345-67-89",
        "030 1234567",
        "12345",
        "+44.20.7946.0958",
    ] {
        assert!(Customer::new(id, "E", phone, "").is_ok(), "{phone}");
    }
    for phone in [
        "12ab34567",
        "1234",
        "12+3456789",
        "+1 234 567 890 123 456",
        "phone",
    ] {
        assert_eq!(
            Customer::new(id, "E", phone, "").unwrap_err(),
            CustomerError::Phone(phone.into()),
            "{phone}"
        );
    }
    for email in ["a@b.co", "first.last+tag@sub.example.org"] {
        assert!(Customer::new(id, "E", "", email).is_ok(), "{email}");
    }
    for email in [
        "a@b", "@b.co", "a b@c.de", "a@@b.co", "a@b..co", "a@.co", "plain",
    ] {
        assert_eq!(
            Customer::new(id, "E", "", email).unwrap_err(),
            CustomerError::Email(email.into()),
            "{email}"
        );
    }
}

#[test]
fn search_finds_by_name_email_or_phone_digits_ignoring_case_and_format() {
    let directory = directory();
    assert_eq!(names(&directory.search("анна")), vec![ANNA]);
    assert_eq!(names(&directory.search("PETROVA")), vec![ANNA_AGAIN]);
    assert_eq!(names(&directory.search("example")), vec![ANNA_AGAIN, BORIS]);
    assert_eq!(names(&directory.search("912-345")), vec![ANNA]);
    assert_eq!(names(&directory.search("79123456789")), vec![ANNA]);
    assert_eq!(names(&directory.search("(030) 123")), vec![BORIS]);
    // Two digits match nobody's phone: too many would.
    assert!(directory.search("12").is_empty());
    assert!(directory.search("   ").is_empty());
    assert!(directory.search("nobody").is_empty());
}

#[test]
fn merging_keeps_one_id_and_fills_what_it_lacked() {
    let mut directory = directory();
    directory.merge(ANNA, ANNA_AGAIN).unwrap();
    let anna = directory.get(ANNA).unwrap();
    assert_eq!(anna.name, "Анна Петрова");
    assert_eq!(anna.phone, "+7 (912) 345-67-89");
    assert_eq!(anna.email, "Anna.P@example.org");
    assert_eq!(anna.marketing_consent, Some(1_795_942_800_000));
    assert_eq!(anna.note, "oat milk\nlikes the window seat");
    assert_eq!(directory.get(ANNA_AGAIN).unwrap().merged_into, Some(ANNA));
    assert_eq!(directory.resolve(ANNA_AGAIN), ANNA);
    assert_eq!(directory.ids_of(ANNA_AGAIN), vec![ANNA, ANNA_AGAIN]);
    // Only the survivor is offered now, found by the duplicate's e-mail too.
    assert_eq!(names(&directory.search("anna.p@")), vec![ANNA]);

    assert_eq!(directory.merge(ANNA, ANNA), Err(MergeError::SameCustomer));
    assert_eq!(
        directory.merge(BORIS, ANNA_AGAIN),
        Err(MergeError::AlreadyMerged(ANNA_AGAIN))
    );
    let ghost = Uuid::from_u128(0xDEAD);
    assert_eq!(
        directory.merge(ghost, BORIS),
        Err(MergeError::Unknown(ghost))
    );
}

#[test]
fn merges_made_at_once_on_two_devices_still_resolve_to_one_customer() {
    let mut directory = directory();
    // Device one merged ANNA_AGAIN into ANNA while device two merged ANNA into ANNA_AGAIN.
    let mut anna = directory.get(ANNA).unwrap().clone();
    anna.merged_into = Some(ANNA_AGAIN);
    let mut again = directory.get(ANNA_AGAIN).unwrap().clone();
    again.merged_into = Some(ANNA);
    directory.save(anna).unwrap();
    directory.save(again).unwrap();
    assert_eq!(directory.resolve(ANNA), ANNA);
    assert_eq!(directory.resolve(ANNA_AGAIN), ANNA);
    assert_eq!(directory.resolve(BORIS), BORIS);
}

#[test]
fn erasure_clears_the_person_everywhere_and_keeps_the_sales_counted() {
    let mut directory = directory();
    directory.merge(ANNA, ANNA_AGAIN).unwrap();
    let sales = [
        sale_for(Some(ANNA), 1, dec!(10)),
        sale_for(Some(ANNA_AGAIN), 2, dec!(5)),
    ];
    let exported = directory.export(ANNA);
    assert_eq!(exported.len(), 2);

    assert_eq!(directory.erase(ANNA).unwrap(), vec![ANNA, ANNA_AGAIN]);
    for id in [ANNA, ANNA_AGAIN] {
        let c = directory.get(id).unwrap();
        assert!(c.erased);
        assert_eq!(
            (c.name.as_str(), c.phone.as_str(), c.email.as_str()),
            ("", "", "")
        );
        assert_eq!((c.note.as_str(), c.marketing_consent), ("", None));
        assert_eq!(c.check(), Ok(()));
    }
    assert!(directory.search("anna").is_empty());
    assert!(directory.search("912").is_empty());
    assert_eq!(names(&directory.search("boris")), vec![BORIS]);
    assert_eq!(directory.merge(BORIS, ANNA), Err(MergeError::Erased(ANNA)));

    let stats = CustomerStats::of(&directory.ids_of(ANNA), &sales, &[], &[]);
    assert_eq!(stats.visits, 2);
    assert_eq!(stats.total_spent, dec!(15));
}

#[test]
fn stats_count_each_real_sale_once_net_of_refunds() {
    let sales = vec![
        sale_for(Some(ANNA), 1, dec!(10.00)),
        sale_for(Some(ANNA), 2, dec!(20.00)),
        sale_for(Some(ANNA), 3, dec!(3.33)),
        sale_for(Some(ANNA), 4, dec!(99.00)), // voided below
        sale_for(Some(ANNA), 5, dec!(50.00)).in_training(),
        sale_for(Some(BORIS), 6, dec!(70.00)),
        sale_for(None, 7, dec!(1.00)),
    ];
    // The same sale read from two documents counts once.
    let mut read = sales.clone();
    read.push(sales[0].clone());
    let refund = Refund::full(
        &sales[1],
        Uuid::from_u128(0xF1),
        sales[1].completed_at_ms() + 1,
        "cold",
    );
    let refunds = vec![refund.clone(), refund];
    let void = Void {
        id: Uuid::from_u128(0x7),
        sale_id: sales[3].id(),
        at_ms: sales[3].completed_at_ms() + 1,
        reason: "wrong item".into(),
    };
    let stats = CustomerStats::of(&[ANNA], &read, &refunds, &[void]);
    assert_eq!(stats.visits, 3);
    assert_eq!(stats.total_spent, dec!(33.33));
    assert_eq!(stats.refunded, dec!(20.00));
    assert_eq!(stats.lifetime_value, dec!(13.33));
    assert_eq!(stats.average_ticket, dec!(11.11));
    assert_eq!(stats.first_visit_ms, Some(sales[0].completed_at_ms()));
    assert_eq!(stats.last_visit_ms, Some(sales[2].completed_at_ms()));

    let nobody = CustomerStats::of(&[Uuid::from_u128(0x404)], &read, &refunds, &[]);
    assert_eq!(nobody, CustomerStats::default());
}

#[test]
fn a_sale_keeps_its_customer_and_old_sales_read_without_one() {
    let sale = sale_for(Some(ANNA), 1, dec!(10));
    let json = serde_json::to_string(&sale).unwrap();
    let back: Sale = serde_json::from_str(&json).unwrap();
    assert_eq!(back.customer(), Some(ANNA));
    assert_eq!(back, sale);

    // A sale stored before customers existed has no such key, and one without a customer
    // writes none, so its record is byte for byte what it was.
    let before = sale_for(None, 2, dec!(10));
    let old_json = serde_json::to_string(&before).unwrap();
    assert!(!old_json.contains("customer"));
    let old: Sale = serde_json::from_str(&old_json).unwrap();
    assert_eq!(old.customer(), None);
}

proptest! {
    /// Merges made on several devices and read together (chains, and loops where two devices
    /// merged each way) still put every customer in exactly one person, the same whichever of
    /// their ids is asked, with one survivor that is not merged away, or the lowest id of a loop.
    #[test]
    fn every_customer_belongs_to_exactly_one_person(
        links in prop::collection::vec(proptest::option::of(0usize..8), 8),
    ) {
        let ids: Vec<Uuid> = (0..8).map(|n| Uuid::from_u128(0xC0 + n)).collect();
        let mut directory = CustomerDirectory::new();
        for (n, link) in links.iter().enumerate() {
            let mut c = Customer::new(ids[n], &format!("Customer {n}"), "", "").unwrap();
            c.merged_into = link.filter(|&to| to != n).map(|to| ids[to]);
            directory.save(c).unwrap();
        }
        for &id in &ids {
            let person = directory.resolve(id);
            prop_assert_eq!(directory.resolve(person), person);
            let members = directory.ids_of(id);
            prop_assert!(members.contains(&id) && members.contains(&person));
            for &other in &ids {
                prop_assert_eq!(members.contains(&other), directory.resolve(other) == person);
            }
        }
    }
}

#[test]
fn a_card_code_finds_its_customer_or_the_one_it_was_merged_into() {
    let mut directory = directory();
    let anna = directory.get(ANNA).unwrap().clone();
    let code = anna.card_code();
    assert_eq!(code, "C-0000000000A1");
    assert_eq!(directory.find_by_card(&code), Some(ANNA));
    assert_eq!(directory.find_by_card(" c-0000000000a1 "), Some(ANNA));
    for other in [
        "C-0000000000A",
        "0000000000A1",
        "C-00000000000Z",
        "C-0000000000C1",
    ] {
        assert_eq!(directory.find_by_card(other), None, "{other}");
    }
    directory.merge(ANNA, ANNA_AGAIN).unwrap();
    let again = directory.get(ANNA_AGAIN).unwrap().card_code();
    assert_eq!(directory.find_by_card(&again), Some(ANNA));
    directory.erase(ANNA).unwrap();
    assert_eq!(
        directory.find_by_card(&code),
        None,
        "an erased customer's card is no one's"
    );
}

#[test]
fn a_change_applies_once_and_an_erased_customer_stays_erased() {
    use pos_core::customer::CustomerChange;
    let mut directory = directory();
    let mut edited = directory.get(BORIS).unwrap().clone();
    edited.note = "regular".into();
    directory
        .apply(&CustomerChange::Saved(edited.clone()))
        .unwrap();
    assert_eq!(directory.get(BORIS).unwrap().note, "regular");
    let merge = CustomerChange::Merged {
        survivor: ANNA,
        duplicate: ANNA_AGAIN,
    };
    directory.apply(&merge).unwrap();
    directory.apply(&merge).unwrap();
    // An edit of the duplicate keeps it merged.
    let dup = directory.get(ANNA_AGAIN).unwrap().clone();
    directory.apply(&CustomerChange::Saved(dup)).unwrap();
    assert_eq!(directory.resolve(ANNA_AGAIN), ANNA);
    directory
        .apply(&CustomerChange::Erased {
            id: BORIS,
            at_ms: 1,
        })
        .unwrap();
    directory.apply(&CustomerChange::Saved(edited)).unwrap();
    assert!(directory.get(BORIS).unwrap().erased);
    assert!(directory.get(BORIS).unwrap().note.is_empty());
    let mut bad = directory.get(ANNA).unwrap().clone();
    bad.name = " ".into();
    assert!(directory.apply(&CustomerChange::Saved(bad)).is_err());
}
