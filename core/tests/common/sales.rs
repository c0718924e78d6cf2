//! Sales of one item, made through the public API as a till makes them, for the tests of what
//! is counted from sales (the day's money, shifts).

use pos_core::{
    CardApproval, Currency, Payment, PricingRules, Product, ReceiptNumber, Sale, TaxCategory,
    TaxPricing, TaxRounding, Ticket, Unit, Uuid,
};
use rust_decimal::Decimal;

/// 2026-11-29 09:00 UTC.
pub(crate) const MORNING: i64 = 1_795_942_800_000;

/// Euros, prices with tax included, rounded per line, no cash rounding.
pub(crate) fn eur() -> PricingRules {
    PricingRules {
        currency: Currency::EUR,
        tax_pricing: TaxPricing::Inclusive,
        tax_rounding: TaxRounding::PerLine,
        cash_increment: Decimal::ZERO,
        cash_rounding: pos_core::CashRounding::HalfUp,
    }
}

/// How the customer pays.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pay {
    /// The cash due and this much more, given back as change.
    Cash(Decimal),
    Card,
    /// This much by card, the rest in exact cash.
    Split(Decimal),
    /// By card with this tip on top.
    CardTip(Decimal),
    /// The cash due and this much more, all of it kept as a tip.
    CashTip(Decimal),
    /// This much from the store's gift card [`GIFT_CARD`] (confirmed online), the rest in exact
    /// cash.
    GiftCard(Decimal),
    /// These points of [`POINTS_CUSTOMER`] for this amount (confirmed online), the rest by card.
    Points(Decimal, Decimal),
}

/// The customer whose points [`Pay::Points`] spends.
pub(crate) const POINTS_CUSTOMER: Uuid = Uuid::from_u128(0xA1);

/// The gift card [`Pay::GiftCard`] redeems.
pub(crate) const GIFT_CARD: &str = "6012 0000 0000 0011";

/// A ticket of `quantity` of item `n` at `price`, taxed at `rate` %.
pub(crate) fn ticket_of(
    rules: PricingRules,
    n: u64,
    price: Decimal,
    quantity: Decimal,
    rate: Decimal,
) -> Ticket {
    let tax = TaxCategory {
        id: format!("vat-{rate}"),
        name: format!("VAT {rate} %"),
        rate,
        ..TaxCategory::default()
    };
    let product = Product {
        id: format!("p{n}"),
        name: format!("Item {n}"),
        sku: format!("SKU-{n}"),
        price,
        tax_category: tax.id.clone(),
        unit: Unit::Piece,
        category: "c".into(),
        ..Product::default()
    };
    let mut ticket = Ticket::new(rules);
    ticket.add(&product, &tax, &[], quantity).unwrap();
    ticket
}

/// A sale of one item at `price` taxed at `rate` %, paid as `pay`.
pub(crate) fn sell(rules: PricingRules, n: u64, price: Decimal, rate: Decimal, pay: Pay) -> Sale {
    sell_quantity(rules, n, price, Decimal::ONE, rate, pay)
}

/// A sale of `quantity` of one item at `price` taxed at `rate` %, paid as `pay`.
pub(crate) fn sell_quantity(
    rules: PricingRules,
    n: u64,
    price: Decimal,
    quantity: Decimal,
    rate: Decimal,
    pay: Pay,
) -> Sale {
    let ticket = ticket_of(rules, n, price, quantity, rate);
    let mut payment = Payment::new(ticket.totals().total, rules);
    match pay {
        Pay::Cash(extra) => payment.add_cash(payment.cash_due() + extra).unwrap(),
        Pay::Card => payment
            .add_card(payment.remaining(), CardApproval::default())
            .unwrap(),
        Pay::Split(card) => {
            payment.add_card(card, CardApproval::default()).unwrap();
            payment.add_cash(payment.cash_due()).unwrap();
        }
        Pay::CardTip(tip) => payment
            .add_card_with_tip(payment.remaining(), tip, CardApproval::default(), None)
            .unwrap(),
        Pay::CashTip(tip) => payment
            .add_cash_with_tip(payment.cash_due() + tip, tip, None)
            .unwrap(),
        Pay::GiftCard(amount) => {
            let card = pos_core::gift_card::GiftCardNumber::parse(GIFT_CARD).unwrap();
            let op = Uuid::from_u128(0x6c_0000 + u128::from(n));
            payment.add_gift_card(card, amount, op, false).unwrap();
            if !payment.is_paid() {
                payment.add_cash(payment.cash_due()).unwrap();
            }
        }
        Pay::Points(points, amount) => {
            let op = Uuid::from_u128(0x9a_0000 + u128::from(n));
            payment
                .add_points(POINTS_CUSTOMER, points, amount, op, false)
                .unwrap();
            if !payment.is_paid() {
                payment
                    .add_card(payment.remaining(), CardApproval::default())
                    .unwrap();
            }
        }
    }
    let receipt = ReceiptNumber {
        device_code: "T1".into(),
        sequence: n,
    };
    let id = Uuid::from_u128(0x5a1e_0000 + u128::from(n));
    ticket
        .complete(&payment, id, receipt, MORNING + n as i64 * 60_000)
        .unwrap()
}
