//! The card side of closing a shift (issue 13): the register's card payments beside the
//! terminal's end-of-day totals, matched or not, per brand and overall, and the approvals that
//! explain a difference.

mod common;

use common::sales::{eur, sell, Pay, MORNING};
use pos_core::shift::{
    CardBrand, CardMovement, CardTotal, Explanation, Reconciliation, RecordedCard, TerminalTotals,
};
use pos_core::{Currency, Decimal, ReceiptNumber, Refund, Sale, Tender, Uuid, Void};
use proptest::prelude::*;
use rust_decimal_macros::dec;

/// A card sale as a ZVT terminal reported it: its name for the card and its receipt number.
fn card_sale(n: u64, price: Decimal, card_name: &str, receipt_no: u16) -> Sale {
    let sale = sell(eur(), n, price, dec!(19), Pay::Card);
    let mut json = serde_json::to_value(&sale).unwrap();
    let approval = &mut json["tenders"][0]["Card"]["approval"];
    approval["card_name"] = card_name.into();
    approval["receipt_no"] = receipt_no.into();
    approval["from_terminal"] = true.into();
    serde_json::from_value(json).unwrap()
}

fn total(count: i64, amount: Decimal) -> CardTotal {
    CardTotal { count, amount }
}

#[test]
fn card_names_fall_into_the_terminals_groups() {
    for (name, brand) in [
        ("MasterCard", CardBrand::Mastercard),
        ("Debit Mastercard", CardBrand::Mastercard),
        ("VISA", CardBrand::Visa),
        ("Visa Electron", CardBrand::Visa),
        ("V PAY", CardBrand::Other),
        ("girocard", CardBrand::Girocard),
        ("American Express", CardBrand::Amex),
        ("Diners Club", CardBrand::Diners),
        ("JCB", CardBrand::Jcb),
        ("Maestro", CardBrand::Other),
    ] {
        assert_eq!(CardBrand::from_card_name(name), brand, "{name}");
    }
}

#[test]
fn totals_that_agree_are_matched_and_training_and_voids_never_count() {
    let sales = vec![
        card_sale(1, dec!(4.79), "MasterCard", 233),
        card_sale(2, dec!(4.79), "MasterCard", 234),
        card_sale(3, dec!(12.00), "VISA", 235).in_training(),
        card_sale(4, dec!(7.50), "VISA", 236),
        sell(eur(), 5, dec!(3), dec!(19), Pay::Cash(dec!(2))),
    ];
    let voids = [Void {
        id: Uuid::from_u128(0x7),
        sale_id: sales[3].id(),
        at_ms: MORNING,
        reason: "twice".into(),
    }];
    let recorded = RecordedCard::payments(&sales, &voids);
    assert_eq!(recorded.len(), 2);
    let terminal = TerminalTotals::by_brand(
        vec![
            (CardBrand::Girocard, total(0, dec!(0))),
            (CardBrand::Mastercard, total(2, dec!(9.58))),
            (CardBrand::Visa, total(0, dec!(0))),
        ],
        Some((233, 234)),
    );
    let matched = Reconciliation::new(&recorded, &terminal);
    assert!(matched.is_matched(), "{matched:#?}");
    assert!(matched.explanations.is_empty());
    // A brand with nothing on either side is not listed.
    assert_eq!(matched.brands.len(), 1);

    // A standalone terminal: the cashier typed the overall figures only.
    let typed = Reconciliation::new(&recorded, &TerminalTotals::overall(2, dec!(9.58)));
    assert!(typed.is_matched() && typed.brands.is_empty());
}

#[test]
fn an_approval_missing_on_the_terminal_is_named() {
    let sales = vec![
        card_sale(1, dec!(4.79), "MasterCard", 233),
        card_sale(2, dec!(4.79), "MasterCard", 234),
        card_sale(3, dec!(20.00), "VISA", 235),
    ];
    let recorded = RecordedCard::payments(&sales, &[]);
    // The terminal's batch ends at 234: the VISA payment of receipt 235 is not in it.
    let terminal = TerminalTotals::by_brand(
        vec![(CardBrand::Mastercard, total(2, dec!(9.58)))],
        Some((233, 234)),
    );
    let r = Reconciliation::new(&recorded, &terminal);
    assert!(!r.is_matched());
    assert_eq!(r.overall.difference(), total(1, dec!(20.00)));
    let visa = r
        .brands
        .iter()
        .find(|b| b.brand == Some(CardBrand::Visa))
        .unwrap();
    assert_eq!(
        (visa.register, visa.terminal),
        (total(1, dec!(20.00)), total(0, dec!(0)))
    );
    let [Explanation::NotOnTerminal { card, certain }] = r.explanations.as_slice() else {
        panic!("{:#?}", r.explanations)
    };
    assert!(*certain);
    assert_eq!(card.sale, sales[2].id());
    assert_eq!(
        card.receipt,
        ReceiptNumber {
            device_code: "T1".into(),
            sequence: 3
        }
    );

    // Without receipt numbers, the amount of the brand's difference points at the payment.
    let by_amount = Reconciliation::new(
        &recorded,
        &TerminalTotals::by_brand(vec![(CardBrand::Mastercard, total(2, dec!(9.58)))], None),
    );
    assert!(matches!(
        by_amount.explanations.as_slice(),
        [Explanation::NotOnTerminal { card, certain: false }] if card.sale == sales[2].id()
    ));
}

#[test]
fn a_payment_only_the_terminal_has_is_named_by_its_receipt_number() {
    let sales = vec![
        card_sale(1, dec!(4.79), "MasterCard", 233),
        card_sale(2, dec!(4.79), "MasterCard", 235),
    ];
    let recorded = RecordedCard::payments(&sales, &[]);
    let terminal = TerminalTotals::by_brand(
        vec![(CardBrand::Mastercard, total(3, dec!(14.37)))],
        Some((233, 235)),
    );
    let r = Reconciliation::new(&recorded, &terminal);
    assert_eq!(
        r.explanations,
        [Explanation::NotRecorded {
            receipt_no: Some(234),
            brand: None,
            amount: None
        }]
    );
    // Typed from a standalone terminal's slip: only the brand and amount can be told.
    let typed = Reconciliation::new(&recorded, &TerminalTotals::overall(3, dec!(14.37)));
    assert_eq!(
        typed.explanations,
        [Explanation::NotRecorded {
            receipt_no: None,
            brand: None,
            amount: Some(dec!(4.79))
        }]
    );
}

#[test]
fn card_money_paid_back_comes_off_the_register_side() {
    let sale = card_sale(1, dec!(10.00), "VISA", 300);
    let refund = Refund::full(&sale, Uuid::from_u128(0x4ef), MORNING, "r");
    let mut recorded = RecordedCard::payments(std::slice::from_ref(&sale), &[]);
    let reversed = RecordedCard::paid_back(&refund, &sale, true);
    assert_eq!(reversed[0].movement, CardMovement::Reversal);
    recorded.extend(reversed);
    let r = Reconciliation::new(&recorded, &TerminalTotals::overall(0, dec!(0)));
    assert!(r.is_matched(), "{r:#?}");

    let mut refunded = RecordedCard::payments(std::slice::from_ref(&sale), &[]);
    refunded.extend(RecordedCard::paid_back(&refund, &sale, false));
    let r = Reconciliation::new(&refunded, &TerminalTotals::overall(1, dec!(0)));
    assert!(r.is_matched(), "{r:#?}");
    assert!(RecordedCard::paid_back(
        &Refund {
            training: true,
            ..refund
        },
        &sale,
        false
    )
    .is_empty());
}

const BRANDS: [(&str, CardBrand); 4] = [
    ("MasterCard", CardBrand::Mastercard),
    ("VISA", CardBrand::Visa),
    ("girocard", CardBrand::Girocard),
    ("Maestro", CardBrand::Other),
];

/// The terminal's totals of these payments, per brand, with their receipt range.
fn terminal_of(payments: &[RecordedCard]) -> TerminalTotals {
    let mut brands: Vec<(CardBrand, CardTotal)> = Vec::new();
    for p in payments {
        let brand = p.brand.unwrap();
        match brands.iter_mut().find(|(b, _)| *b == brand) {
            Some((_, t)) => {
                t.count += 1;
                t.amount += p.amount;
            }
            None => brands.push((brand, total(1, p.amount))),
        }
    }
    let numbers: Vec<u16> = payments.iter().filter_map(|p| p.receipt_no).collect();
    let range = numbers.iter().min().zip(numbers.iter().max());
    TerminalTotals::by_brand(brands, range.map(|(a, b)| (*a, *b)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// For any shift's card payments: the terminal's own totals of them match; with one payment
    /// left out of the terminal's batch, the difference is that payment, per brand and overall,
    /// and it is among the approvals named.
    #[test]
    fn one_approval_missing_on_the_terminal_is_always_among_those_named(
        payments in prop::collection::vec((1i64..50_000, 0..BRANDS.len()), 1..25),
        missing in any::<usize>(),
        with_range in any::<bool>(),
    ) {
        let sales: Vec<Sale> = payments
            .iter()
            .enumerate()
            .map(|(n, (cents, brand))| {
                card_sale(n as u64 + 1, Decimal::new(*cents, 2), BRANDS[*brand].0, 100 + n as u16)
            })
            .collect();
        let recorded = RecordedCard::payments(&sales, &[]);
        prop_assert_eq!(recorded.len(), sales.len());
        let all = Reconciliation::new(&recorded, &terminal_of(&recorded));
        prop_assert!(all.is_matched());
        prop_assert!(all.explanations.is_empty());

        let missing = missing % recorded.len();
        let mut batch = recorded.clone();
        let left_out = batch.remove(missing);
        let mut terminal = terminal_of(&batch);
        if !with_range {
            terminal.receipts = None;
        }
        let r = Reconciliation::new(&recorded, &terminal);
        prop_assert!(!r.is_matched());
        prop_assert_eq!(r.overall.difference(), total(1, left_out.amount));
        // (A terminal with nothing in its batch gives no brands: then only the overall.)
        if !batch.is_empty() {
            let brand_sum = r.brands.iter().fold(Decimal::ZERO, |s, b| s + b.difference().amount);
            prop_assert_eq!(brand_sum, left_out.amount);
        }
        let named = r.explanations.iter().any(|e| matches!(e,
            Explanation::NotOnTerminal { card, .. } if card.sale == left_out.sale));
        // In the middle of a batch whose range still covers it, an approval is found by its
        // amount; at either end, by its receipt number.
        prop_assert!(named, "{:#?}", r.explanations);
        let tender_amount = match &sales[missing].tenders()[0] {
            Tender::Card { amount, .. } => *amount,
            Tender::Cash { .. } | Tender::Exchange { .. } | Tender::GiftCard { .. } | Tender::Points { .. } => unreachable!(),
        };
        prop_assert_eq!(left_out.amount, tender_amount);
    }
}

/// A closed shift keeps what the terminal said: the reconciliation (a failed retry never
/// replaces it), or why there was none; a shift kept before reconciliation existed still reads.
#[test]
fn a_closed_shift_keeps_its_reconciliation_and_old_shifts_still_read() {
    use pos_core::shift::{CashCount, Shift, ShiftError, TerminalCheck};

    let mut shift = Shift::open(
        Uuid::from_u128(1),
        Uuid::from_u128(2),
        Currency::EUR,
        CashCount::amount(Currency::EUR, dec!(100)).unwrap(),
        MORNING,
        None,
    );
    let failed = TerminalCheck::NotReconciled {
        at_ms: MORNING + 2,
        reason: "not-connected".into(),
    };
    assert_eq!(
        shift.check_terminal(failed.clone()),
        Err(ShiftError::StillOpen)
    );
    let counted = CashCount::amount(Currency::EUR, dec!(100)).unwrap();
    shift.close(counted, MORNING + 1, None).unwrap();
    assert_eq!(shift.reconciliation(), None);

    // A shift as kept before reconciliation existed: no `terminal` in its close.
    let mut old = serde_json::to_value(&shift).unwrap();
    old["close"].as_object_mut().unwrap().remove("terminal");
    assert_eq!(serde_json::from_value::<Shift>(old).unwrap(), shift);

    assert_eq!(shift.check_terminal(failed.clone()), Ok(true));
    assert_eq!(shift.check_terminal(failed.clone()), Ok(false));
    assert_eq!(shift.reconciliation(), None);

    let sale = card_sale(1, dec!(4.50), "MasterCard", 231);
    let recorded = RecordedCard::of_shift(std::slice::from_ref(&sale), &[], &[]);
    let totals = TerminalTotals::amount_only(dec!(4.50));
    let reconciliation = Reconciliation::new(&recorded, &totals);
    assert!(reconciliation.is_matched(), "{reconciliation:#?}");
    let reconciled = TerminalCheck::Reconciled {
        at_ms: MORNING + 3,
        typed: false,
        totals,
        reconciliation: reconciliation.clone(),
    };
    // The retry that reconciled replaces the failure; a failed one after it changes nothing.
    assert_eq!(shift.check_terminal(reconciled.clone()), Ok(true));
    assert_eq!(shift.check_terminal(failed), Ok(false));
    assert_eq!(shift.reconciliation(), Some(&reconciliation));

    let json = serde_json::to_string(&shift).unwrap();
    assert_eq!(serde_json::from_str::<Shift>(&json).unwrap(), shift);
}

/// A shift's card movements: its payments, then what its refunds sent back, reversed or
/// refunded; an amount-only terminal one approval short names the sale of that amount.
#[test]
fn a_shifts_card_movements_against_an_amount_only_terminal() {
    let fries = card_sale(1, dec!(3.50), "MasterCard", 231);
    let cola = card_sale(2, dec!(2.50), "MasterCard", 232);
    let water = card_sale(3, dec!(1.50), "MasterCard", 233);
    let refund = Refund::full(&water, Uuid::from_u128(0x4ef), MORNING, "r");
    let sales = [fries.clone(), cola.clone(), water.clone()];
    let recorded = RecordedCard::of_shift(&sales, &[], &[(&refund, &water, true)]);
    assert_eq!(recorded.len(), 4);
    assert_eq!(recorded[3].movement, CardMovement::Reversal);

    let r = Reconciliation::new(&recorded, &TerminalTotals::amount_only(dec!(6.00)));
    assert!(r.is_matched(), "{r:#?}");

    // The terminal left the cola out.
    let r = Reconciliation::new(&recorded, &TerminalTotals::amount_only(dec!(3.50)));
    assert!(!r.is_matched());
    assert_eq!(r.overall.difference(), total(0, dec!(2.50)));
    let [Explanation::NotOnTerminal { card, certain }] = r.explanations.as_slice() else {
        panic!("{r:#?}")
    };
    assert_eq!(card.receipt, *cola.receipt_number());
    assert!(!certain);
}
