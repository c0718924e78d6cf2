//! The day's money on one basis (issue 13, found by review): a sales day sums what its real sales
//! took and what its real refunds paid back the same way, so a sale refunded in full nets to
//! nothing whatever cash rounding did, and a voided sale takes no money.

mod common;

use common::sales::{Pay, sell};
use pos_core::{
    Actor, BusinessDay, Currency, DaySummary, PricingRules, Refund, Sale, SalesDay, TaxPricing,
    TaxRounding, Uuid,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const STORE: Uuid = Uuid::from_u128(0x5705);
const TILL: Uuid = Uuid::from_u128(0xd1);

/// Swiss francs, paid in cash to the nearest five centimes.
fn chf() -> PricingRules {
    PricingRules {
        currency: Currency::from_code("CHF").unwrap(),
        tax_pricing: TaxPricing::Inclusive,
        tax_rounding: TaxRounding::PerLine,
        cash_increment: dec!(0.05),
        cash_rounding: pos_core::CashRounding::HalfUp,
    }
}

/// A sale of one item at `price`, paid with exactly the cash due.
fn cash_sale(n: u64, price: Decimal) -> Sale {
    sell(chf(), n, price, dec!(8.1), Pay::Cash(Decimal::ZERO))
}

fn day() -> SalesDay {
    let today = BusinessDay::new(2026, 11, 29).unwrap();
    SalesDay::new(STORE, TILL, today, &Actor::device(TILL))
}

#[test]
fn a_sale_rounded_in_cash_and_refunded_in_full_nets_to_nothing() {
    let sale = cash_sale(1, dec!(10.02));
    assert_eq!(sale.totals().total, dec!(10.02));
    assert_eq!(sale.amount_paid(), dec!(10.00), "the customer paid 10.00");
    let refund = Refund::full(
        &sale,
        Uuid::from_u128(0x4ef),
        1_795_942_900_000,
        "changed mind",
    );
    assert_eq!(refund.amount, dec!(10.00), "and got 10.00 back");

    let mut doc = day();
    doc.record_sale(&sale).unwrap();
    doc.record_refund(&refund).unwrap();
    let summary = doc.summary().unwrap();
    assert_eq!((summary.sales, summary.refunds), (1, 1));
    assert_eq!(
        summary.total - summary.refunded,
        Decimal::ZERO,
        "{summary:?}"
    );

    // The index row, which grows by each sale and refund, follows the same rule.
    let mut row = DaySummary::default();
    row.add_sale(&sale);
    row.add_refund(&refund);
    assert_eq!(row, summary);
}

#[test]
fn a_voided_sale_takes_no_money() {
    let kept = cash_sale(1, dec!(4.50));
    let voided = cash_sale(2, dec!(7.20));
    let mut doc = day();
    doc.record_sale(&kept).unwrap();
    doc.record_sale(&voided).unwrap();
    let void = Refund::voiding(
        &voided,
        Uuid::from_u128(0x701d),
        voided.completed_at_ms() + 1_000,
        "rang up twice",
    );
    doc.record_refund(&void).unwrap();

    let summary = doc.summary().unwrap();
    assert_eq!(summary.voids, 1);
    assert_eq!(
        summary.sales, 1,
        "a voided sale is not a sale of the day: {summary:?}"
    );
    assert_eq!(
        summary.total - summary.refunded,
        kept.amount_paid(),
        "{summary:?}"
    );
}

/// A void names a sale of its own day: one recorded in a day that does not hold the sale (which a
/// till never makes) is read as the refund it also is, so the money still adds up.
#[test]
fn a_void_of_a_sale_another_day_holds_reads_as_a_refund() {
    let elsewhere = cash_sale(3, dec!(7.20));
    let kept = cash_sale(4, dec!(4.50));
    let mut doc = day();
    doc.record_sale(&kept).unwrap();
    let void = Refund::voiding(
        &elsewhere,
        Uuid::from_u128(0x702d),
        kept.completed_at_ms() + 1_000,
        "rang up twice",
    );
    doc.record_refund(&void).unwrap();
    let summary = doc.summary().unwrap();
    assert_eq!((summary.sales, summary.voids, summary.refunds), (1, 0, 1));
    assert_eq!(
        summary.total - summary.refunded,
        kept.amount_paid() - elsewhere.amount_paid()
    );
}
