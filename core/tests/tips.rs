//! Tips (issue 13): presets worked out in the currency's minor unit, a tip on a card (charged on
//! top, kept as the card's excess) and in cash (kept from the change), carried in the sale with
//! who it is for, and added up per staff member in the shift's report.

mod common;

use common::sales::MORNING;
use pos_core::shift::{CashCount, Shift, ShiftReport};
use pos_core::{
    CardApproval, Cashier, Currency, Payment, PricingRules, ReceiptNumber, Sale, TaxPricing,
    TaxRounding, Tender, TenderError, Ticket, TipError, TipPreset, Uuid,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn rules(code: &str, cash_increment: Decimal) -> PricingRules {
    PricingRules {
        currency: Currency::from_code(code).unwrap(),
        tax_pricing: TaxPricing::Inclusive,
        tax_rounding: TaxRounding::PerLine,
        cash_increment,
        cash_rounding: pos_core::CashRounding::HalfUp,
    }
}

fn ticket_of(rules: PricingRules, price: Decimal) -> Ticket {
    common::sales::ticket_of(rules, 1, price, Decimal::ONE, dec!(20))
}

fn staff(n: u128, name: &str) -> Cashier {
    Cashier {
        id: Uuid::from_u128(n),
        name: name.into(),
    }
}

fn complete(ticket: &Ticket, payment: &Payment, n: u64, cashier: Option<Cashier>) -> Sale {
    let receipt = ReceiptNumber {
        device_code: "T1".into(),
        sequence: n,
    };
    ticket
        .complete(payment, Uuid::from_u128(u128::from(n)), receipt, MORNING)
        .unwrap()
        .taken_by(cashier)
}

#[test]
fn presets_are_worked_out_in_the_currencys_minor_unit() {
    let eur = Currency::EUR;
    assert_eq!(
        TipPreset::Percent(dec!(10)).tip_on(dec!(14.55), eur),
        dec!(1.46)
    );
    assert_eq!(
        TipPreset::Percent(dec!(15)).tip_on(dec!(10.10), eur),
        dec!(1.52)
    );
    assert_eq!(
        TipPreset::Amount(dec!(2)).tip_on(dec!(14.55), eur),
        dec!(2.00)
    );
    let jpy = Currency::from_code("JPY").unwrap();
    assert_eq!(
        TipPreset::Percent(dec!(10)).tip_on(dec!(1455), jpy),
        dec!(146)
    );
    for (preset, error) in [
        (TipPreset::Percent(dec!(0)), TipError::NotPositive),
        (TipPreset::Percent(dec!(150)), TipError::PercentTooLarge),
        (TipPreset::Amount(dec!(-1)), TipError::NotPositive),
        (TipPreset::Amount(dec!(1.005)), TipError::FinerThanMinorUnit),
    ] {
        assert_eq!(preset.checked(eur), Err(error));
    }
    assert!(TipPreset::Percent(dec!(12.5)).checked(eur).is_ok());
}

#[test]
fn a_card_tip_is_charged_on_top_and_a_cash_tip_kept_from_the_change() {
    let eur = rules("EUR", Decimal::ZERO);
    let ticket = ticket_of(eur, dec!(20));
    let mut payment = Payment::new(dec!(20), eur);
    payment
        .add_card_with_tip(dec!(12), dec!(2), CardApproval::default(), None)
        .unwrap();
    assert_eq!(payment.remaining(), dec!(8));
    // 10 handed over for 8 due, 1 of the change kept as a tip for the waiter.
    let waiter = staff(0xb0b, "Bob");
    payment
        .add_cash_with_tip(dec!(10), dec!(1), Some(waiter.clone()))
        .unwrap();
    assert!(payment.is_paid());
    assert_eq!(payment.change(), dec!(1.00));
    assert_eq!(payment.cash_tips(), dec!(1.00));
    let Tender::Card { amount, excess, .. } = &payment.tenders()[0] else {
        panic!()
    };
    assert_eq!((*amount, *excess), (dec!(14), dec!(2)));

    let ann = staff(0xa11, "Ann");
    let sale = complete(&ticket, &payment, 1, Some(ann.clone()));
    assert_eq!(sale.totals().total, dec!(20.00));
    assert_eq!(sale.amount_paid(), dec!(23.00));
    assert_eq!(sale.tip_total(), dec!(3.00));
    let tips: Vec<(u32, Decimal, Option<String>)> = sale
        .tips()
        .into_iter()
        .map(|t| (t.tender, t.amount, t.staff.map(|s| s.name)))
        .collect();
    assert_eq!(
        tips,
        [
            (0, dec!(2), Some("Ann".into())),
            (1, dec!(1.00), Some("Bob".into()))
        ]
    );
    // A full refund gives back all the customer gave, tips included.
    let split = sale.refund_split();
    assert_eq!((split.card, split.cash), (dec!(14), dec!(9.00)));

    // The sale keeps its tips through serde; one without tips is written as before.
    let json = serde_json::to_string(&sale).unwrap();
    assert_eq!(serde_json::from_str::<Sale>(&json).unwrap(), sale);
    let plain = complete(&ticket, &paid_in_cash(eur, dec!(20)), 2, None);
    assert!(!serde_json::to_string(&plain).unwrap().contains("tips"));
}

fn paid_in_cash(rules: PricingRules, amount: Decimal) -> Payment {
    let mut payment = Payment::new(amount, rules);
    payment.add_cash(amount).unwrap();
    payment
}

#[test]
fn a_cash_tip_is_made_of_coins_that_exist_and_never_eats_into_what_is_due() {
    let chf = rules("CHF", dec!(0.05));
    let mut payment = Payment::new(dec!(9.98), chf);
    assert_eq!(
        payment.add_cash_with_tip(dec!(10), dec!(0.50), None),
        Err(TenderError::TipExceedsCash)
    );
    assert_eq!(
        payment.add_cash_with_tip(dec!(20), dec!(0.001), None),
        Err(TenderError::FinerThanMinorUnit)
    );
    // A tip of 1.04 is 1.00 in coins: 20 - 10.00 due - 1.00 = 9.00 change.
    payment
        .add_cash_with_tip(dec!(20), dec!(1.04), None)
        .unwrap();
    assert_eq!(payment.change(), dec!(9.00));
    assert_eq!(payment.cash_tips(), dec!(1.00));
    assert_eq!(payment.cash_rounding(), dec!(0.02));
}

#[test]
fn undoing_a_tender_takes_its_tip_with_it() {
    let eur = rules("EUR", Decimal::ZERO);
    let mut payment = Payment::new(dec!(30), eur);
    payment
        .add_card_with_tip(dec!(10), dec!(1), CardApproval::default(), None)
        .unwrap();
    payment
        .add_card_with_tip(dec!(10), dec!(2), CardApproval::default(), None)
        .unwrap();
    payment.undo_last().unwrap();
    assert_eq!(payment.tips().len(), 1);
    assert_eq!(payment.tips()[0].amount, dec!(1));
    assert_eq!(payment.remaining(), dec!(20));
}

#[test]
fn the_shift_report_adds_tips_up_per_staff_member() {
    let eur = rules("EUR", Decimal::ZERO);
    let (ann, bob) = (staff(0xa11, "Ann"), staff(0xb0b, "Bob"));
    let mut sales = Vec::new();
    // Ann: a 10 % card tip; Bob: cash tips on two sales, one named for him on Ann's sale.
    let ticket = ticket_of(eur, dec!(25));
    let mut card = Payment::new(dec!(25), eur);
    let tip = TipPreset::Percent(dec!(10)).tip_on(dec!(25), Currency::EUR);
    card.add_card_with_tip(dec!(25), tip, CardApproval::default(), None)
        .unwrap();
    sales.push(complete(&ticket, &card, 1, Some(ann.clone())));
    let mut cash = Payment::new(dec!(25), eur);
    cash.add_cash_with_tip(dec!(30), dec!(3), None).unwrap();
    sales.push(complete(&ticket, &cash, 2, Some(bob.clone())));
    let mut named = Payment::new(dec!(25), eur);
    named
        .add_cash_with_tip(dec!(30), dec!(2), Some(bob.clone()))
        .unwrap();
    sales.push(complete(&ticket, &named, 3, Some(ann.clone())));
    // A tip keyed on the terminal (an approval over the amount asked) is the cashier's.
    let mut keyed = Payment::new(dec!(25), eur);
    keyed
        .add_terminal_card(dec!(25), dec!(26.50), CardApproval::default())
        .unwrap();
    sales.push(complete(&ticket, &keyed, 4, Some(ann.clone())));

    let float = CashCount::amount(Currency::EUR, dec!(100)).unwrap();
    let shift = Shift::open(
        Uuid::from_u128(7),
        Uuid::from_u128(0xd1),
        Currency::EUR,
        float,
        MORNING,
        None,
    );
    let report = ShiftReport::new(&shift, &sales, &[], &[]);
    let rows: Vec<(Option<String>, u64, Decimal)> = report
        .tips_by_staff
        .iter()
        .map(|t| (t.name.clone(), t.count, t.amount))
        .collect();
    assert_eq!(
        rows,
        [
            (Some("Ann".into()), 2, dec!(4.00)),
            (Some("Bob".into()), 2, dec!(5.00))
        ]
    );
    assert_eq!(report.tips, dec!(9.00));
    assert_eq!(report.card_excess, dec!(4.00));
    assert_eq!(report.paid, dec!(109.00));
    assert_eq!(
        report.cash_expected,
        dec!(100) + report.cash_tendered - report.change_given
    );
    assert_eq!(report.cash_expected, dec!(155.00));
}

#[test]
fn presets_are_typed_as_a_list_and_read_back_as_written() {
    let eur = Currency::EUR;
    let presets = TipPreset::parse_list("10%, 15 %, 2.50", eur).unwrap();
    assert_eq!(
        presets,
        [
            TipPreset::Percent(dec!(10)),
            TipPreset::Percent(dec!(15)),
            TipPreset::Amount(dec!(2.50)),
        ]
    );
    let text = TipPreset::list_text(&presets);
    assert_eq!(text, "10%; 15%; 2.50");
    assert_eq!(TipPreset::parse_list(&text, eur).unwrap(), presets);
    // A decimal comma, as a Russian owner types it.
    assert_eq!(
        TipPreset::parse_list("5%; 50,00", Currency::RUB).unwrap(),
        [TipPreset::Percent(dec!(5)), TipPreset::Amount(dec!(50))]
    );
    assert_eq!(TipPreset::parse_list("  ", eur), Ok(Vec::new()));
    assert_eq!(TipPreset::parse_list("ten", eur), Err(TipError::Unreadable));
    assert_eq!(TipPreset::parse_list("150%", eur), Err(TipError::PercentTooLarge));
    assert_eq!(TipPreset::parse_list("0.001", eur), Err(TipError::FinerThanMinorUnit));
    assert_eq!(TipPreset::parse_list("-1", eur), Err(TipError::NotPositive));
    assert_eq!(
        TipPreset::parse_list("1%; 2%; 3%; 4%; 5%", eur),
        Err(TipError::TooMany)
    );
}

#[test]
fn a_tip_chosen_on_the_register_and_charged_on_the_terminal_is_a_tip_not_an_excess() {
    let rules = rules("EUR", Decimal::ZERO);
    let ticket = ticket_of(rules, dec!(20.00));
    let mut payment = Payment::new(ticket.totals().total, rules);
    // The terminal was asked for 20.00 and 2.00 of tip, and the customer keyed 0.50 more.
    let approval = CardApproval::new("A1B2C3", "4242").unwrap();
    let unexplained = payment
        .add_terminal_card_with_tip(dec!(20.00), dec!(2.00), dec!(22.50), approval, None)
        .unwrap();
    assert_eq!(unexplained, dec!(0.50));
    assert_eq!(payment.unexplained_excess(0), dec!(0.50));
    assert!(payment.is_paid());
    let alex = staff(7, "Alex");
    let sale = complete(&ticket, &payment, 1, Some(alex.clone()));
    assert_eq!(sale.tip_total(), dec!(2.50));
    let tips: Decimal = payment.tips().iter().map(|t| t.amount).sum();
    assert_eq!(tips, dec!(2.00));
}
