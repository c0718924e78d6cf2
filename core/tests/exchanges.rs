//! Exchanges (issue 13): goods brought back pay for the goods taken instead, on one ticket. The
//! customer pays the difference, or gets it back through the first sale's own tenders; the day's
//! money, the drawer and the card terminal each see only the money that moved.

mod common;

use common::sales::{MORNING, Pay, eur, sell, ticket_of};
use pos_core::shift::{CashCount, RecordedCard, Shift, ShiftReport};
use pos_core::{
    CardApproval, Currency, Decimal, Payment, ReceiptNumber, Refund, ReturnLedger, Sale,
    TenderError, Uuid,
};
use rust_decimal_macros::dec;

const REFUND: Uuid = Uuid::from_u128(0xe8c);

/// Everything of `original` brought back, exchanged for `price` of item 9, the rest paid as
/// `rest` (when anything is left to pay): the new sale and the refund as the till records them.
fn exchange(original: &Sale, price: Decimal, rest: Option<Pay>) -> (Sale, Refund) {
    let brought_back = Refund::of_lines(
        original,
        &[],
        &[(original.lines()[0].id, original.lines()[0].quantity)],
        REFUND,
        MORNING + 3_600_000,
        "wrong size",
    )
    .unwrap();
    let ticket = ticket_of(eur(), 9, price, Decimal::ONE, dec!(20));
    let mut payment = Payment::new(ticket.totals().total, eur());
    let applied = payment
        .add_exchange_credit(REFUND, brought_back.amount)
        .unwrap();
    match rest {
        Some(Pay::Cash(extra)) => payment.add_cash(payment.cash_due() + extra).unwrap(),
        Some(Pay::Card) => payment
            .add_card(payment.remaining(), CardApproval::default())
            .unwrap(),
        None => {}
        Some(other) => panic!("{other:?} is not used here"),
    }
    assert!(payment.is_paid());
    let receipt = ReceiptNumber {
        device_code: "T1".into(),
        sequence: 9,
    };
    let sale = ticket
        .complete(&payment, Uuid::from_u128(0x5a1e_0009), receipt, MORNING + 3_600_000)
        .unwrap();
    (sale, brought_back.towards_exchange(applied))
}

fn day_report(sales: &[Sale], refund: &Refund, original: &Sale) -> ShiftReport {
    let float = CashCount::amount(Currency::EUR, dec!(100)).unwrap();
    let shift = Shift::open(Uuid::from_u128(1), Uuid::from_u128(0xd1), Currency::EUR, float, MORNING - 1, None);
    ShiftReport::new(&shift, sales, &[(refund, original)], &[])
}

#[test]
fn the_customer_pays_the_difference_and_the_drawer_holds_only_the_cash_that_came_in() {
    // A 10.00 shirt paid in cash comes back for a 14.00 one: 4.00 more in cash.
    let shirt = sell(eur(), 1, dec!(10), dec!(20), Pay::Cash(Decimal::ZERO));
    let (bigger, refund) = exchange(&shirt, dec!(14), Some(Pay::Cash(Decimal::ZERO)));

    assert_eq!(bigger.amount_paid(), dec!(14));
    assert_eq!(bigger.refund_split().cash, dec!(4));
    assert_eq!(bigger.refund_split().exchange, dec!(10));
    let back = refund.paid_back(&shirt);
    assert_eq!((back.card, back.cash, back.exchange), (dec!(0), dec!(0), dec!(10)));

    let report = day_report(&[shirt.clone(), bigger], &refund, &shirt);
    assert_eq!(report.paid_by_tender.cash, dec!(14));
    assert_eq!(report.paid_by_tender.exchange, dec!(10));
    assert_eq!(report.refunded_by_tender.exchange, dec!(10));
    assert_eq!(report.refunded_by_tender.cash, dec!(0));
    assert_eq!(report.net_sales, dec!(14), "10 for the shirt kept as 14, once");
    assert_eq!(report.cash_expected, dec!(114), "float 100 + 10 + 4");

    let ledger = ReturnLedger::of(&shirt, &[refund]);
    assert!(ledger.all_returned());
    assert!(ledger.tenders.iter().all(|t| t.left().is_zero()));
}

#[test]
fn the_customer_gets_the_difference_back_on_the_card_that_paid() {
    // A 10.00 shirt paid by card comes back for a 4.00 pair of socks: 6.00 back to the card,
    // and the terminal's batch sees 10.00 paid and 6.00 refunded, never the 4.00 kept.
    let shirt = sell(eur(), 1, dec!(10), dec!(20), Pay::Card);
    let (socks, refund) = exchange(&shirt, dec!(4), None);

    assert_eq!(socks.amount_paid(), dec!(4));
    assert_eq!(socks.refund_split().exchange, dec!(4));
    let back = refund.paid_back(&shirt);
    assert_eq!((back.card, back.cash, back.exchange), (dec!(6), dec!(0), dec!(4)));
    assert_eq!(refund.amount, dec!(10));

    let to_card: Decimal = RecordedCard::paid_back(&refund, &shirt, false)
        .iter()
        .map(|c| c.amount)
        .sum();
    assert_eq!(to_card, dec!(6));

    let report = day_report(&[shirt.clone(), socks], &refund, &shirt);
    assert_eq!(report.net_sales, dec!(4));
    assert_eq!(report.refunded_by_tender.card, dec!(6));
    assert_eq!(report.cash_expected, dec!(100), "no cash moved at all");
}

#[test]
fn a_cash_sale_exchanged_for_less_pays_the_rest_from_the_drawer() {
    let shirt = sell(eur(), 1, dec!(10), dec!(20), Pay::Cash(dec!(5)));
    let (socks, refund) = exchange(&shirt, dec!(4), None);
    let back = refund.paid_back(&shirt);
    assert_eq!((back.card, back.cash, back.exchange), (dec!(0), dec!(6), dec!(4)));
    let report = day_report(&[shirt.clone(), socks], &refund, &shirt);
    assert_eq!(report.cash_expected, dec!(104), "float 100 + 10 in - 6 back");
}

#[test]
fn the_goods_taken_in_an_exchange_come_back_for_all_they_were_worth() {
    // The new shirt itself is returned later: the credit it was paid with goes back from the
    // drawer with the cash, so the customer loses nothing of the first sale.
    let shirt = sell(eur(), 1, dec!(10), dec!(20), Pay::Card);
    let (bigger, _) = exchange(&shirt, dec!(14), Some(Pay::Cash(Decimal::ZERO)));
    let later = Refund::of_lines(
        &bigger,
        &[],
        &[(bigger.lines()[0].id, Decimal::ONE)],
        Uuid::from_u128(0xe8d),
        MORNING + 7_200_000,
        "changed mind",
    )
    .unwrap();
    assert_eq!(later.amount, dec!(14));
    assert_eq!(later.paid_back(&bigger).cash, dec!(14));
}

#[test]
fn an_exchange_credit_is_applied_first_and_is_no_money_taken() {
    let mut payment = Payment::new(dec!(14), eur());
    assert_eq!(payment.add_exchange_credit(REFUND, dec!(10)), Ok(dec!(10)));
    assert_eq!(payment.remaining(), dec!(4));
    assert_eq!(payment.exchange_credit(), dec!(10));
    assert_eq!(payment.can_cancel(), Ok(()), "the credit took no money");
    assert_eq!(payment.undo_last(), Err(TenderError::NothingToUndo));

    payment.add_cash(dec!(5)).unwrap();
    assert_eq!(payment.change(), dec!(1));
    assert_eq!(payment.can_cancel(), Err(TenderError::TendersTaken));

    let mut later = Payment::new(dec!(14), eur());
    later.add_cash(dec!(1)).unwrap();
    assert_eq!(
        later.add_exchange_credit(REFUND, dec!(10)),
        Err(TenderError::TendersTaken),
        "the credit comes before any money"
    );

    let mut covered = Payment::new(dec!(4), eur());
    assert_eq!(covered.add_exchange_credit(REFUND, dec!(10)), Ok(dec!(4)));
    assert!(covered.is_paid());
    assert_eq!(covered.change(), dec!(0), "the rest is the refund's, never change");
}

#[test]
fn the_credit_is_taken_from_the_cards_first_then_the_drawer() {
    // 6.00 by card and 4.00 in cash, exchanged for 7.00: the card keeps its 6.00, the drawer
    // keeps 1.00, and 3.00 goes back in cash.
    let shirt = sell(eur(), 1, dec!(10), dec!(20), Pay::Split(dec!(6)));
    let (_, refund) = exchange(&shirt, dec!(7), None);
    let back = refund.paid_back(&shirt);
    assert_eq!((back.card, back.cash, back.exchange), (dec!(0), dec!(3), dec!(7)));
    assert_eq!(
        refund.tenders.iter().map(|t| t.amount).sum::<Decimal>(),
        refund.amount
    );
}
