//! Selling through the public API: one `sell` helper builds a ticket from a compact spec, so the
//! tests state what a cashier does and what the customer pays.

use expect_test::{Expect, expect};
use pos_core::{
    CardApproval, CompleteError, Currency, Discount, Modifier, Payment, PricingRules, Product,
    ReceiptNumber, TaxCategory, TaxPricing, TaxRounding, Ticket, TicketError, Totals, Unit, demo,
    suggested_cash,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn rules(pricing: TaxPricing, rounding: TaxRounding) -> PricingRules {
    PricingRules {
        currency: Currency::EUR,
        tax_pricing: pricing,
        tax_rounding: rounding,
        cash_increment: Decimal::ZERO,
        cash_rounding: pos_core::CashRounding::HalfUp,
    }
}

fn product(id: &str, price: Decimal, tax: &TaxCategory) -> Product {
    Product {
        id: id.into(),
        name: id.into(),
        sku: id.to_uppercase(),
        barcodes: vec![],
        price,
        tax_category: tax.id.clone(),
        unit: Unit::Piece,
        category: "c".into(),
        colour: None,
        modifiers: vec!["extra".into()],
        ..Product::default()
    }
}

/// Sells `(price, quantity, rate, line discount)` lines with an order discount and returns the ticket.
fn sell(
    rules: PricingRules,
    lines: &[(Decimal, Decimal, Decimal, Option<Discount>)],
    order_discount: Option<Discount>,
) -> Ticket {
    let mut ticket = Ticket::new(rules);
    for (i, (price, qty, rate, discount)) in lines.iter().enumerate() {
        let tax = TaxCategory {
            id: format!("r{rate}"),
            name: format!("{rate} %"),
            rate: *rate,
            ..TaxCategory::default()
        };
        let id = ticket
            .add(&product(&format!("p{i}"), *price, &tax), &tax, &[], *qty)
            .unwrap();
        ticket.set_line_discount(id, *discount).unwrap();
    }
    ticket.set_order_discount(order_discount).unwrap();
    ticket
}

/// Checks `totals` against a snapshot: the sums, then one row per line (gross, its own discount,
/// its share of the order discount, what it comes to, its tax), then one row per tax rate.
fn check_totals(totals: &Totals, expected: Expect) {
    let mut text = format!(
        "subtotal {}  line discounts {}  order discount {}  tax {}  total {} {}\n",
        totals.subtotal,
        totals.line_discounts,
        totals.order_discount,
        totals.tax,
        totals.total,
        totals.currency.code(),
    );
    for line in &totals.lines {
        text += &format!(
            "line {}: gross {}  discount {}  order share {}  amount {}  tax {}\n",
            line.line_id,
            line.gross,
            line.line_discount,
            line.order_discount_share,
            line.amount,
            line.tax
        );
    }
    for rate in &totals.taxes {
        text += &format!(
            "{} %: net {}  tax {}  gross {}\n",
            rate.category.rate, rate.net, rate.tax, rate.gross
        );
    }
    expected.assert_eq(&text);
}

#[test]
fn three_items_for_cash_with_change() {
    let (store, catalog) = demo::food_truck(false);
    let mut ticket = Ticket::new(store.rules);
    for id in ["classic-burger", "fries", "cola"] {
        let p = catalog.product(id).unwrap();
        ticket
            .add(
                p,
                catalog.tax_category(&p.tax_category).unwrap(),
                &[],
                Decimal::ONE,
            )
            .unwrap();
    }
    let totals = ticket.totals();
    // 12.00 of food at 10 % and 2.50 of drinks at 20 %, tax included.
    check_totals(
        &totals,
        expect![[r#"
        subtotal 14.50  line discounts 0.00  order discount 0.00  tax 1.51  total 14.50 EUR
        line 1: gross 8.50  discount 0  order share 0.00  amount 8.50  tax 0.77
        line 2: gross 3.50  discount 0  order share 0.00  amount 3.50  tax 0.32
        line 3: gross 2.50  discount 0  order share 0.00  amount 2.50  tax 0.42
        10 %: net 10.91  tax 1.09  gross 12.00
        20 %: net 2.08  tax 0.42  gross 2.50
    "#]],
    );
    let mut payment = Payment::new(totals.total, store.rules);
    payment.add_cash(dec!(50)).unwrap();
    assert_eq!(payment.change(), dec!(35.50));
}

#[test]
fn same_product_adds_up_on_one_line_but_modifiers_make_a_new_line() {
    let tax = TaxCategory {
        id: "t".into(),
        name: "t".into(),
        rate: dec!(10),
        ..TaxCategory::default()
    };
    let extra = Modifier {
        id: "extra".into(),
        name: "Extra".into(),
        price: dec!(1.00),
    };
    let p = product("burger", dec!(8.50), &tax);
    let mut ticket = Ticket::new(rules(TaxPricing::Inclusive, TaxRounding::PerLine));
    let a = ticket.add(&p, &tax, &[], Decimal::ONE).unwrap();
    let b = ticket.add(&p, &tax, &[], Decimal::ONE).unwrap();
    assert_eq!(a, b);
    let c = ticket
        .add(&p, &tax, std::slice::from_ref(&extra), Decimal::ONE)
        .unwrap();
    assert_ne!(a, c);
    assert_eq!(ticket.totals().total, dec!(26.50));
    ticket.toggle_modifier(c, &extra, &p.modifiers).unwrap();
    assert_eq!(ticket.totals().total, dec!(25.50));
    ticket.decrement(a).unwrap();
    ticket.decrement(a).unwrap();
    assert!(
        ticket.line(a).is_none(),
        "a line decremented to zero is removed"
    );
    assert_eq!(
        ticket.set_quantity(c, dec!(0)),
        Err(TicketError::InvalidQuantity)
    );
    assert_eq!(
        ticket.set_quantity(c, dec!(1.5)),
        Err(TicketError::InvalidQuantity),
        "pieces are whole"
    );
}

#[test]
fn line_and_order_discounts() {
    let r = rules(TaxPricing::Inclusive, TaxRounding::PerLine);
    let ticket = sell(
        r,
        &[
            (
                dec!(10.00),
                dec!(2),
                dec!(20),
                Some(Discount::Percent(dec!(10))),
            ),
            (dec!(5.00), dec!(1), dec!(10), None),
        ],
        Some(Discount::Amount(dec!(3.00))),
    );
    // The order discount is shared 18:5 between the lines.
    check_totals(
        &ticket.totals(),
        expect![[r#"
        subtotal 25.00  line discounts 2.00  order discount 3.00  tax 3.01  total 20.00 EUR
        line 1: gross 20.00  discount 2.00  order share 2.35  amount 15.65  tax 2.61
        line 2: gross 5.00  discount 0  order share 0.65  amount 4.35  tax 0.40
        20 %: net 13.04  tax 2.61  gross 15.65
        10 %: net 3.95  tax 0.40  gross 4.35
    "#]],
    );
    // a discount larger than the ticket takes it to zero, never below
    let free = sell(
        r,
        &[(
            dec!(4.00),
            dec!(1),
            dec!(20),
            Some(Discount::Amount(dec!(9))),
        )],
        None,
    );
    assert_eq!(free.totals().total, dec!(0.00));
    assert_eq!(
        Ticket::new(r).set_order_discount(Some(Discount::Percent(dec!(101)))),
        Err(TicketError::InvalidDiscount)
    );
}

#[test]
fn exclusive_pricing_adds_tax_on_top() {
    let t = sell(
        rules(TaxPricing::Exclusive, TaxRounding::PerReceipt),
        &[(dec!(10.00), dec!(3), dec!(7), None)],
        None,
    )
    .totals();
    check_totals(
        &t,
        expect![[r#"
        subtotal 30.00  line discounts 0.00  order discount 0.00  tax 2.10  total 32.10 EUR
        line 1: gross 30.00  discount 0  order share 0.00  amount 30.00  tax 2.10
        7 %: net 30.00  tax 2.10  gross 32.10
    "#]],
    );
}

#[test]
fn weighed_goods_take_three_decimals() {
    let (store, catalog) = demo::food_truck(false);
    let nuts = catalog.product("candied-nuts").unwrap();
    let mut ticket = Ticket::new(store.rules);
    ticket
        .add(
            nuts,
            catalog.tax_category("food").unwrap(),
            &[],
            dec!(0.345),
        )
        .unwrap();
    assert_eq!(ticket.totals().total, dec!(8.28)); // 24.00 x 0.345 = 8.28
}

#[test]
fn split_payment_cash_then_card() {
    let r = rules(TaxPricing::Inclusive, TaxRounding::PerLine);
    let ticket = sell(r, &[(dec!(23.40), dec!(1), dec!(20), None)], None);
    let mut payment = Payment::new(ticket.totals().total, r);
    payment.add_cash(dec!(10)).unwrap();
    assert_eq!(payment.remaining(), dec!(13.40));
    assert_eq!(
        payment.add_card(dec!(13.41), CardApproval::default()),
        Err(pos_core::TenderError::CardExceedsRemaining)
    );
    let receipt = ReceiptNumber {
        device_code: "T1".into(),
        sequence: 7,
    };
    assert_eq!(
        ticket.complete(&payment, pos_core::Uuid::nil(), receipt.clone(), 0),
        Err(CompleteError::UnderTendered {
            remaining: dec!(13.40)
        })
    );
    payment
        .add_card(dec!(13.40), CardApproval::new("a1b2c3", "4242").unwrap())
        .unwrap();
    let sale = ticket
        .complete(&payment, pos_core::Uuid::nil(), receipt, 0)
        .unwrap();
    assert_eq!(sale.tenders().len(), 2);
    assert_eq!(sale.change(), dec!(0));
    assert_eq!(sale.receipt_number().to_string(), "T1-000007");
    assert_eq!(
        sale.refund_split(),
        pos_core::RefundSplit {
            card: dec!(13.40),
            cash: dec!(10.00),
            ..Default::default()
        }
    );
    assert!(
        CardApproval::new("", "42424").is_err(),
        "never more than the last four digits"
    );
}

#[test]
fn cash_rounding_to_five_cents() {
    let mut r = rules(TaxPricing::Inclusive, TaxRounding::PerLine);
    r.cash_increment = dec!(0.05);
    let mut payment = Payment::new(dec!(10.02), r);
    assert_eq!(payment.cash_due(), dec!(10.00));
    payment.add_cash(dec!(20)).unwrap();
    assert_eq!(payment.change(), dec!(10.00));
    assert_eq!(payment.cash_rounding(), dec!(-0.02));
    // a card pays the exact amount, no rounding
    let mut payment = Payment::new(dec!(10.02), r);
    payment
        .add_card(dec!(10.02), CardApproval::default())
        .unwrap();
    assert!(payment.is_paid());
    assert_eq!(payment.cash_rounding(), dec!(0));
}

/// A rouble total of 100.50 paid in cash with whole roubles: 101 half up, 100 in the customer's
/// favour (a Russian cash total is never rounded up), and the sale records the rounding either
/// way. A card pays the exact amount in both.
#[test]
fn a_rouble_cash_total_rounds_half_up_or_in_the_customers_favour() {
    let cases = [
        (pos_core::CashRounding::HalfUp, dec!(101.00), dec!(0.50)),
        (
            pos_core::CashRounding::CustomersFavour,
            dec!(100.00),
            dec!(-0.50),
        ),
    ];
    for (cash_rounding, cash_due, rounding) in cases {
        let r = PricingRules {
            currency: Currency::RUB,
            cash_increment: dec!(1),
            cash_rounding,
            ..rules(TaxPricing::Inclusive, TaxRounding::PerLine)
        };
        let ticket = sell(r, &[(dec!(100.50), dec!(1), dec!(22), None)], None);
        let mut payment = Payment::new(ticket.totals().total, r);
        assert_eq!(payment.cash_due(), cash_due, "{cash_rounding:?}");
        payment.add_cash(dec!(500)).unwrap();
        assert_eq!(payment.change(), dec!(500) - cash_due, "{cash_rounding:?}");
        assert_eq!(payment.cash_rounding(), rounding, "{cash_rounding:?}");
        let number = ReceiptNumber {
            device_code: "T1".into(),
            sequence: 1,
        };
        let sale = ticket
            .complete(&payment, pos_core::Uuid::nil(), number, 0)
            .unwrap();
        assert_eq!(
            (
                sale.totals().total,
                sale.cash_rounding(),
                sale.amount_paid()
            ),
            (dec!(100.50), rounding, cash_due),
            "{cash_rounding:?}"
        );

        let mut card = Payment::new(dec!(100.50), r);
        card.add_card(dec!(100.50), CardApproval::default())
            .unwrap();
        assert_eq!((card.is_paid(), card.cash_rounding()), (true, dec!(0)));
    }
}

/// Found by the tender property: with whole-unit cash rounding, 171.50 due rounds up to 172.00
/// in cash; a cashier who types the exact 171.50 has been paid, not left owing nothing while
/// the payment stays open.
#[test]
fn the_exact_unrounded_amount_in_cash_pays() {
    let mut r = rules(TaxPricing::Inclusive, TaxRounding::PerLine);
    r.cash_increment = dec!(1.00);
    let mut payment = Payment::new(dec!(171.50), r);
    assert_eq!(payment.cash_due(), dec!(172.00));
    payment.add_cash(dec!(171.50)).unwrap();
    assert!(payment.is_paid());
    assert_eq!(payment.change(), dec!(0));
    assert_eq!(payment.cash_rounding(), dec!(0));
    assert_eq!(payment.remaining(), dec!(0));
    // Between the exact and the rounded amount: paid, the extra is rounding, not change.
    let mut payment = Payment::new(dec!(171.50), r);
    payment.add_cash(dec!(171.80)).unwrap();
    assert!(payment.is_paid());
    assert_eq!(payment.change(), dec!(0));
    assert_eq!(payment.cash_rounding(), dec!(0.30));
    // Less than the exact amount leaves the rest to pay.
    let mut payment = Payment::new(dec!(171.50), r);
    payment.add_cash(dec!(100)).unwrap();
    assert!(!payment.is_paid());
    assert_eq!(payment.remaining(), dec!(71.50));
}

/// A full refund gives back what was kept: the card part to the card, and the cash the drawer
/// kept (after change and cash rounding), never the note the customer handed over.
#[test]
fn a_refund_pays_back_per_tender_what_was_kept() {
    let mut r = rules(TaxPricing::Inclusive, TaxRounding::PerLine);
    r.cash_increment = dec!(0.05);
    let ticket = sell(r, &[(dec!(10.02), dec!(1), dec!(20), None)], None);
    let mut payment = Payment::new(ticket.totals().total, r);
    payment
        .add_card(dec!(5.00), CardApproval::default())
        .unwrap();
    payment.add_cash(dec!(10)).unwrap();
    assert_eq!(
        (payment.change(), payment.cash_rounding()),
        (dec!(5.00), dec!(-0.02))
    );
    let receipt = ReceiptNumber {
        device_code: "T1".into(),
        sequence: 8,
    };
    let sale = ticket
        .complete(&payment, pos_core::Uuid::nil(), receipt, 0)
        .unwrap();
    let split = sale.refund_split();
    assert_eq!(
        split,
        pos_core::RefundSplit {
            card: dec!(5.00),
            cash: dec!(5.00),
            ..Default::default()
        }
    );
    assert_eq!(split.card + split.cash, sale.amount_paid());
}

#[test]
fn quick_cash_suggestions() {
    let r = rules(TaxPricing::Inclusive, TaxRounding::PerLine);
    assert_eq!(
        suggested_cash(dec!(14.50), &r, 5),
        vec![
            dec!(14.50),
            dec!(15.00),
            dec!(20.00),
            dec!(50.00),
            dec!(100.00)
        ]
    );
    let mut rub = r;
    rub.currency = Currency::RUB;
    assert_eq!(
        suggested_cash(dec!(730.00), &rub, 4),
        vec![dec!(730.00), dec!(750.00), dec!(800.00), dec!(1000.00)]
    );
}

#[test]
fn sale_round_trips_through_json_without_floats() {
    let r = rules(TaxPricing::Inclusive, TaxRounding::PerLine);
    let ticket = sell(r, &[(dec!(0.10), dec!(3), dec!(20), None)], None);
    let mut payment = Payment::new(ticket.totals().total, r);
    payment.add_cash(dec!(1)).unwrap();
    let sale = ticket
        .complete(
            &payment,
            pos_core::Uuid::nil(),
            ReceiptNumber {
                device_code: "A".into(),
                sequence: 1,
            },
            5,
        )
        .unwrap();
    let json = serde_json::to_string(&sale).unwrap();
    assert!(
        json.contains("\"0.30\""),
        "amounts are decimal strings: {json}"
    );
    assert_eq!(serde_json::from_str::<pos_core::Sale>(&json).unwrap(), sale);
}

#[test]
fn a_sale_names_its_cashier_and_one_without_reads_as_before() {
    let (store, catalog) = demo::food_truck(false);
    let mut ticket = Ticket::new(store.rules);
    let p = catalog.product("fries").unwrap();
    ticket
        .add(
            p,
            catalog.tax_category(&p.tax_category).unwrap(),
            &[],
            Decimal::ONE,
        )
        .unwrap();
    let mut payment = Payment::new(ticket.totals().total, store.rules);
    payment.add_cash(dec!(5)).unwrap();
    let number = pos_core::ReceiptNumber {
        device_code: "T1".into(),
        sequence: 7,
    };
    let sale = ticket
        .complete(
            &payment,
            pos_core::Uuid::from_u128(9),
            number,
            1_700_000_000_000,
        )
        .unwrap();
    // A device without staff writes the sale exactly as before staff existed, so a record kept
    // then and recorded again now is the same record.
    let plain = serde_json::to_string(&sale).unwrap();
    assert!(!plain.contains("cashier"), "{plain}");
    assert_eq!(sale.cashier(), None);

    let ivan = pos_core::Cashier {
        id: pos_core::Uuid::from_u128(3),
        name: "Иван".into(),
    };
    let taken = sale.clone().taken_by(Some(ivan.clone()));
    let text = serde_json::to_string(&taken).unwrap();
    let back: pos_core::Sale = serde_json::from_str(&text).unwrap();
    assert_eq!(back.cashier(), Some(&ivan));
    assert_eq!(back.totals(), sale.totals());
    let old: pos_core::Sale = serde_json::from_str(&plain).unwrap();
    assert_eq!(old, sale);
}

#[test]
fn a_receipt_number_reads_back_as_printed_and_nothing_else_does() {
    let number = pos_core::ReceiptNumber {
        device_code: "K7Q2".into(),
        sequence: 42,
    };
    assert_eq!(pos_core::ReceiptNumber::parse(&number.to_string()), Some(number.clone()));
    assert_eq!(pos_core::ReceiptNumber::parse(" k7q2-000042 "), Some(number));
    assert_eq!(
        pos_core::ReceiptNumber::parse("T1-1234567").map(|n| n.sequence),
        Some(1_234_567)
    );
    // A product's SKU or barcode is not taken for a receipt.
    for not_a_receipt in ["FT-001", "4006381333931", "-000042", "K7 Q2-000042", "K7Q2-00004a", ""] {
        assert_eq!(pos_core::ReceiptNumber::parse(not_a_receipt), None, "{not_a_receipt}");
    }
}
