//! Returns of some lines (issue 13): chosen lines and quantities paid back through the sale's
//! own tenders, a running total per line across every device's refunds, and an excess from
//! refunds made at once on two devices reported for a manager.

mod common;

use common::sales::MORNING;
use pos_core::{
    CardApproval, Decimal, LineId, Payment, PricingRules, Product, ReceiptNumber, Refund,
    ReturnError, ReturnLedger, Sale, TaxCategory, TaxPricing, TaxRounding, Ticket, Unit, Uuid,
};
use proptest::prelude::*;
use rust_decimal_macros::dec;

fn rules(code: &str, cash_increment: Decimal) -> PricingRules {
    PricingRules {
        currency: pos_core::Currency::from_code(code).unwrap(),
        tax_pricing: TaxPricing::Inclusive,
        tax_rounding: TaxRounding::PerLine,
        cash_increment,
        cash_rounding: pos_core::CashRounding::HalfUp,
    }
}

/// How a ticket is paid: cards of these amounts in turn, then the rest in cash (exact).
struct PaidWith<'a> {
    cards: &'a [Decimal],
}

/// The one helper these tests sell through: lines of `(price, quantity)`, paid as `pay`.
fn sell(rules: PricingRules, lines: &[(Decimal, Decimal)], pay: PaidWith<'_>) -> Sale {
    let tax = TaxCategory {
        id: "vat-20".into(),
        name: "VAT 20 %".into(),
        rate: dec!(20),
        ..TaxCategory::default()
    };
    let mut ticket = Ticket::new(rules);
    for (n, (price, quantity)) in lines.iter().enumerate() {
        let product = Product {
            id: format!("p{n}"),
            name: format!("Item {n}"),
            sku: format!("SKU-{n}"),
            price: *price,
            tax_category: tax.id.clone(),
            unit: Unit::Piece,
            category: "c".into(),
            ..Product::default()
        };
        ticket.add(&product, &tax, &[], *quantity).unwrap();
    }
    let mut payment = Payment::new(ticket.totals().total, rules);
    for card in pay.cards {
        let card = (*card).min(payment.remaining());
        if card > Decimal::ZERO {
            payment.add_card(card, CardApproval::default()).unwrap();
        }
    }
    if !payment.is_paid() {
        payment.add_cash(payment.cash_due()).unwrap();
    }
    let receipt = ReceiptNumber {
        device_code: "T1".into(),
        sequence: 1,
    };
    ticket
        .complete(&payment, Uuid::from_u128(0x5a1e), receipt, MORNING)
        .unwrap()
}

fn refund_id(n: u128) -> Uuid {
    Uuid::from_u128(0x4ef0 + n)
}

fn line(sale: &Sale, at: usize) -> LineId {
    sale.lines()[at].id
}

/// Returns `quantity` of the sale's line at `at`, as refund `n`, after the `earlier` refunds.
fn give_back(
    sale: &Sale,
    earlier: &[Refund],
    at: usize,
    quantity: Decimal,
    n: u128,
) -> Result<Refund, ReturnError> {
    Refund::of_lines(
        sale,
        earlier,
        &[(line(sale, at), quantity)],
        refund_id(n),
        MORNING,
        "",
    )
}

#[test]
fn one_burger_of_three_goes_back_to_both_cards_in_their_parts() {
    let eur = rules("EUR", Decimal::ZERO);
    // 3 x 10.00 and 1 x 4.00 = 34.00, paid 20.00 and 14.00 on two cards.
    let sale = sell(
        eur,
        &[(dec!(10), dec!(3)), (dec!(4), dec!(1))],
        PaidWith {
            cards: &[dec!(20), dec!(14)],
        },
    );
    let first = Refund::of_lines(
        &sale,
        &[],
        &[(line(&sale, 0), dec!(1))],
        refund_id(1),
        MORNING,
        " too many ",
    )
    .unwrap();
    assert_eq!(first.amount, dec!(10.00));
    assert_eq!(first.reason, "too many");
    let parts: Vec<(Option<u32>, Decimal)> =
        first.tenders.iter().map(|t| (t.card, t.amount)).collect();
    assert_eq!(parts, [(Some(0), dec!(5.88)), (Some(1), dec!(4.12))]);
    assert_eq!(first.lines[0].line_id, Some(line(&sale, 0)));
    // A third of the burgers' line carries a third of its tax (VAT 20 % included: 30.00 has
    // 5.00 of tax).
    let taxes = first.taxes(&sale);
    assert_eq!(
        (taxes[0].gross, taxes[0].tax, taxes[0].net),
        (dec!(10.00), dec!(1.67), dec!(8.33))
    );

    // Another device, having synced the first refund, returns the rest of the burgers.
    let second = give_back(&sale, std::slice::from_ref(&first), 0, dec!(2), 2).unwrap();
    assert_eq!(second.amount, dec!(20.00));
    let ledger = ReturnLedger::of(&sale, &[first.clone(), second.clone()]);
    assert_eq!(ledger.line(line(&sale, 0)).unwrap().returned, dec!(3));
    assert_eq!(ledger.line(line(&sale, 0)).unwrap().returnable(), dec!(0));
    assert_eq!(ledger.line(line(&sale, 1)).unwrap().returnable(), dec!(1));
    assert!(!ledger.needs_manager());
    assert_eq!(
        give_back(&sale, &[first.clone(), second.clone()], 0, dec!(1), 3),
        Err(ReturnError::MoreThanSold {
            line: line(&sale, 0),
            returnable: dec!(0)
        })
    );

    // The last line completes the sale: each card gets back exactly what is left of it.
    let last = give_back(&sale, &[first.clone(), second.clone()], 1, dec!(1), 3).unwrap();
    let ledger = ReturnLedger::of(&sale, &[first, second, last]);
    assert!(ledger.all_returned());
    assert_eq!(ledger.refunded, sale.amount_paid());
    for tender in &ledger.tenders {
        assert_eq!(tender.paid_back, tender.paid, "{tender:?}");
    }
}

#[test]
fn a_sale_rounded_in_cash_returned_in_parts_pays_back_what_was_paid() {
    let chf = rules("CHF", dec!(0.05));
    // 3 x 3.34 = 10.02, paid 10.00 in cash.
    let sale = sell(chf, &[(dec!(3.34), dec!(3))], PaidWith { cards: &[] });
    assert_eq!(sale.amount_paid(), dec!(10.00));
    let one = give_back(&sale, &[], 0, dec!(1), 1).unwrap();
    // 3.34 rounded to the coins that exist.
    assert_eq!(one.amount, dec!(3.35));
    let rest = give_back(&sale, std::slice::from_ref(&one), 0, dec!(2), 2).unwrap();
    assert_eq!(one.amount + rest.amount, dec!(10.00));
}

/// In the customer's favour the drawer pays a part back rounded up, as the sale's cash was
/// rounded down; half up it pays the nearest rouble. The last return pays what is left either
/// way, so the drawer never pays back more than it kept.
#[test]
fn a_part_paid_back_in_cash_is_rounded_in_the_customers_favour_when_the_store_says_so() {
    // 3 x 33.40 = 100.20: paid 100 in cash in the customer's favour, 100 half up too.
    for (cash_rounding, first) in [
        (pos_core::CashRounding::HalfUp, dec!(33)),
        (pos_core::CashRounding::CustomersFavour, dec!(34)),
    ] {
        let rub = PricingRules {
            cash_rounding,
            ..rules("RUB", dec!(1))
        };
        let sale = sell(rub, &[(dec!(33.40), dec!(3))], PaidWith { cards: &[] });
        assert_eq!(sale.amount_paid(), dec!(100.00), "{cash_rounding:?}");
        let one = give_back(&sale, &[], 0, dec!(1), 1).unwrap();
        assert_eq!(one.amount, first, "{cash_rounding:?}");
        let rest = give_back(&sale, std::slice::from_ref(&one), 0, dec!(2), 2).unwrap();
        assert_eq!(one.amount + rest.amount, dec!(100.00), "{cash_rounding:?}");
    }
}

#[test]
fn what_cannot_be_returned_is_refused() {
    let eur = rules("EUR", Decimal::ZERO);
    let sale = sell(eur, &[(dec!(2.50), dec!(2))], PaidWith { cards: &[] });
    let try_return = |quantities: &[(LineId, Decimal)]| {
        Refund::of_lines(&sale, &[], quantities, refund_id(1), 0, "")
    };
    assert_eq!(try_return(&[]), Err(ReturnError::NothingChosen));
    assert_eq!(
        try_return(&[(99, dec!(1))]),
        Err(ReturnError::NoSuchLine(99))
    );
    for bad in [dec!(0), dec!(-1), dec!(0.5)] {
        assert_eq!(
            try_return(&[(line(&sale, 0), bad)]),
            Err(ReturnError::BadQuantity)
        );
    }
    // One line chosen twice adds up, and then it is more than was sold.
    assert_eq!(
        try_return(&[(line(&sale, 0), dec!(1)), (line(&sale, 0), dec!(2))]),
        Err(ReturnError::MoreThanSold {
            line: line(&sale, 0),
            returnable: dec!(2)
        })
    );
}

#[test]
fn two_devices_returning_the_same_line_offline_are_flagged_for_a_manager() {
    let eur = rules("EUR", Decimal::ZERO);
    let sale = sell(
        eur,
        &[(dec!(10), dec!(1)), (dec!(5), dec!(1))],
        PaidWith { cards: &[dec!(15)] },
    );
    // Neither device has seen the other's refund.
    let on_a = give_back(&sale, &[], 0, dec!(1), 1).unwrap();
    let on_b = give_back(&sale, &[], 0, dec!(1), 2).unwrap();
    // After sync every device reads both (the same one read twice counts once).
    let ledger = ReturnLedger::of(&sale, &[on_a.clone(), on_b.clone(), on_a.clone()]);
    assert!(ledger.needs_manager());
    assert_eq!(ledger.excess.len(), 1);
    let excess = &ledger.excess[0];
    assert_eq!((excess.sold, excess.returned), (dec!(1), dec!(2)));
    assert_eq!(excess.refunds, [on_a.id, on_b.id]);
    assert_eq!(ledger.line(line(&sale, 1)).unwrap().returned, dec!(0));
    assert_eq!(ledger.refunded, dec!(20.00));
    assert_eq!(ledger.overpaid, dec!(5.00));
}

#[test]
fn a_whole_sale_refund_names_its_lines_and_tenders() {
    let eur = rules("EUR", Decimal::ZERO);
    let sale = sell(
        eur,
        &[(dec!(7), dec!(1)), (dec!(3), dec!(2))],
        PaidWith { cards: &[dec!(4)] },
    );
    let full = Refund::full(&sale, refund_id(1), 0, "r");
    let parts: Vec<(Option<u32>, Decimal)> =
        full.tenders.iter().map(|t| (t.card, t.amount)).collect();
    assert_eq!(parts, [(Some(0), dec!(4.00)), (None, dec!(9.00))]);
    let ledger = ReturnLedger::of(&sale, std::slice::from_ref(&full));
    assert!(ledger.all_returned() && !ledger.needs_manager());
    assert_eq!(
        give_back(&sale, &[full], 1, dec!(1), 2),
        Err(ReturnError::MoreThanSold {
            line: line(&sale, 1),
            returnable: dec!(0)
        })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any returns made one after another, each knowing the ones before (from any device):
    /// no line is returned more than sold, no tender pays back more than it took, and once
    /// everything is returned, each tender has paid back exactly what it took.
    #[test]
    fn returns_in_any_parts_never_pay_back_more_than_was_paid(
        code in prop::sample::select(vec!["EUR", "CHF", "RUB"]),
        lines in prop::collection::vec((1i64..5_000, 1i64..5), 1..4),
        cards in prop::collection::vec(1i64..8_000, 0..3),
        picks in prop::collection::vec((any::<usize>(), 1i64..3), 0..8),
        favour in any::<bool>(),
    ) {
        let increment = match code {
            "CHF" => dec!(0.05),
            "RUB" => dec!(1),
            _ => Decimal::ZERO,
        };
        let rules = PricingRules {
            cash_rounding: if favour {
                pos_core::CashRounding::CustomersFavour
            } else {
                pos_core::CashRounding::HalfUp
            },
            ..rules(code, increment)
        };
        let lines: Vec<(Decimal, Decimal)> =
            lines.iter().map(|(p, q)| (Decimal::new(*p, 2), Decimal::from(*q))).collect();
        let cards: Vec<Decimal> = cards.iter().map(|c| Decimal::new(*c, 2)).collect();
        let sale = sell(rules, &lines, PaidWith { cards: &cards });
        let mut refunds: Vec<Refund> = Vec::new();
        for (n, (pick, quantity)) in picks.iter().enumerate() {
            let at = pick % sale.lines().len();
            let ledger = ReturnLedger::of(&sale, &refunds);
            let quantity = Decimal::from(*quantity).min(ledger.lines[at].returnable());
            if quantity.is_zero() {
                continue;
            }
            let refund = Refund::of_lines(
                &sale, &refunds, &[(sale.lines()[at].id, quantity)], refund_id(n as u128), 0, "",
            ).unwrap();
            prop_assert_eq!(refund.amount, refund.tenders.iter().map(|t| t.amount).sum::<Decimal>());
            refunds.push(refund);
        }
        // Then everything left, in one refund.
        let ledger = ReturnLedger::of(&sale, &refunds);
        let rest: Vec<(LineId, Decimal)> = ledger
            .lines
            .iter()
            .filter(|l| l.returnable() > Decimal::ZERO)
            .map(|l| (l.line, l.returnable()))
            .collect();
        if !rest.is_empty() {
            refunds.push(Refund::of_lines(&sale, &refunds, &rest, refund_id(99), 0, "").unwrap());
        }
        let ledger = ReturnLedger::of(&sale, &refunds);
        prop_assert!(!ledger.needs_manager(), "{:?}", ledger);
        prop_assert!(ledger.all_returned());
        prop_assert_eq!(ledger.refunded, sale.amount_paid());
        for tender in &ledger.tenders {
            prop_assert_eq!(tender.paid_back, tender.paid);
        }
        for line in &ledger.lines {
            let amount = sale.totals().lines.iter().find(|t| t.line_id == line.line).unwrap().amount;
            prop_assert_eq!(line.amount_returned, amount);
        }
    }
}

#[test]
fn a_card_part_paid_back_in_cash_uses_up_the_card_and_asks_no_terminal() {
    // CHF, cash in steps of 0.05: 10.02 paid by card, all of it back in cash from the drawer.
    let chf = rules("CHF", dec!(0.05));
    let sale = sell(chf, &[(dec!(10.02), dec!(1))], PaidWith { cards: &[dec!(10.02)] });
    let refund = give_back(&sale, &[], 0, dec!(1), 1).unwrap().in_cash(&sale);
    let back = refund.paid_back(&sale);
    assert_eq!((back.card, back.cash), (dec!(0), dec!(10.00)), "the drawer pays whole steps");
    assert_eq!(refund.amount, dec!(10.00));
    assert!(
        pos_core::shift::RecordedCard::paid_back(&refund, &sale, false).is_empty(),
        "the terminal's batch never sees it"
    );
    // The card cannot be paid back again what the drawer paid.
    let ledger = ReturnLedger::of(&sale, std::slice::from_ref(&refund));
    assert!(ledger.all_returned());
    assert_eq!(ledger.tenders[0].left(), dec!(0.02));
    assert_eq!(
        give_back(&sale, &[refund], 0, dec!(1), 2),
        Err(ReturnError::MoreThanSold {
            line: line(&sale, 0),
            returnable: dec!(0)
        })
    );
}
