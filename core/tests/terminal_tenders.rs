//! Card tenders an integrated terminal approved (issue #10, findings 6 and 8): the register
//! charged the card itself, so such a tender is never dropped from the register's side (only a
//! reversal the terminal approved takes it back), and an approval for more than was asked (a tip
//! keyed on the terminal) is recorded as it came, never refused after the card was charged.

use pos_core::{
    CardApproval, Currency, Payment, PricingRules, ReceiptNumber, TaxCategory, TaxPricing,
    TaxRounding, Tender, TenderError, Ticket, Unit, Uuid,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn rules() -> PricingRules {
    PricingRules {
        currency: Currency::EUR,
        tax_pricing: TaxPricing::Inclusive,
        tax_rounding: TaxRounding::PerLine,
        cash_increment: Decimal::ZERO,
        cash_rounding: pos_core::CashRounding::HalfUp,
    }
}

/// What a ZVT terminal or the training simulator reports with an approval.
fn from_terminal(receipt_no: u16) -> CardApproval {
    let mut approval = CardApproval::new("750071", "4242")
        .unwrap()
        .with_terminal(Some("52500038".into()), Some(receipt_no.to_string()));
    approval.receipt_no = Some(receipt_no);
    approval
}

fn ticket_of(price: Decimal) -> Ticket {
    let tax = TaxCategory {
        id: "r20".into(),
        name: "20 %".into(),
        rate: dec!(20),
        ..TaxCategory::default()
    };
    let product = pos_core::Product {
        id: "p".into(),
        name: "p".into(),
        sku: "P".into(),
        barcodes: vec![],
        price,
        tax_category: tax.id.clone(),
        unit: Unit::Piece,
        category: "c".into(),
        colour: None,
        modifiers: vec![],
        ..pos_core::Product::default()
    };
    let mut ticket = Ticket::new(rules());
    ticket.add(&product, &tax, &[], dec!(1)).unwrap();
    ticket
}

fn receipt() -> ReceiptNumber {
    ReceiptNumber {
        device_code: "T1".into(),
        sequence: 1,
    }
}

#[test]
fn a_card_the_terminal_approved_is_not_undone_here() {
    let mut payment = Payment::new(dec!(10.00), rules());
    payment
        .add_card(dec!(4.00), from_terminal(7))
        .expect("within what is left");
    // The card was charged: taking the tender back here would leave the money with no sale.
    let _ = payment.undo_last();
    assert_eq!(
        payment.tenders().len(),
        1,
        "the charged card stays recorded"
    );
    assert_eq!(payment.remaining(), dec!(6.00));
}

#[test]
fn undo_of_a_terminal_card_is_a_typed_refusal_and_cancel_is_refused_too() {
    let mut payment = Payment::new(dec!(10.00), rules());
    payment
        .add_terminal_card(dec!(4.00), dec!(4.00), from_terminal(7))
        .unwrap();
    assert_eq!(payment.undo_last(), Err(TenderError::ApprovedOnTerminal));
    assert_eq!(payment.can_cancel(), Err(TenderError::ApprovedOnTerminal));
    assert_eq!(payment.reversible_card(), Some((dec!(4.00), Some(7))));

    // Only the terminal's approval of the reversal takes it back, by its receipt number.
    assert_eq!(
        payment.reversed_on_terminal(Some(8)),
        Err(TenderError::NoSuchTerminalCard)
    );
    assert_eq!(payment.tenders().len(), 1);
    let gone = payment.reversed_on_terminal(Some(7)).unwrap();
    assert!(gone.is_terminal_card());
    assert!(payment.tenders().is_empty());
    assert_eq!(payment.remaining(), dec!(10.00));
    assert_eq!(payment.can_cancel(), Ok(()));
    assert_eq!(payment.undo_last(), Err(TenderError::NothingToUndo));
}

#[test]
fn an_approval_typed_from_a_standalone_terminal_may_be_undone() {
    // The register charged nothing: undoing corrects what the cashier typed.
    let mut payment = Payment::new(dec!(10.00), rules());
    let typed = CardApproval::new("AB12", "1234").unwrap();
    assert!(!typed.is_from_terminal());
    payment.add_card(dec!(4.00), typed).unwrap();
    assert_eq!(payment.reversible_card(), None);
    assert!(matches!(payment.undo_last(), Ok(Tender::Card { .. })));
    assert!(payment.tenders().is_empty());
    // With cash taken, the payment cannot be given up either, for its own reason.
    payment.add_cash(dec!(2)).unwrap();
    assert_eq!(payment.can_cancel(), Err(TenderError::TendersTaken));
}

#[test]
fn an_approval_kept_before_the_source_was_recorded_is_known_by_its_receipt_number() {
    let json =
        r#"{"auth_code":"750071","last_four":"4242","terminal_id":"52500038","receipt_no":7}"#;
    let approval: CardApproval = serde_json::from_str(json).unwrap();
    assert!(approval.is_from_terminal());
}

#[test]
fn an_approval_for_more_than_asked_is_recorded_with_its_excess_and_no_change() {
    let ticket = ticket_of(dec!(3.50));
    let mut payment = Payment::new(ticket.totals().total, rules());
    // A tip of 2.00 keyed on the terminal: it approved 5.50 for the 3.50 asked.
    let excess = payment
        .add_terminal_card(dec!(3.50), dec!(5.50), from_terminal(9))
        .expect("never refused after the card was charged");
    assert_eq!(excess, dec!(2.00));
    assert!(payment.is_paid());
    assert_eq!(payment.change(), dec!(0), "a card never gives change");
    assert_eq!(payment.card_excess(), dec!(2.00));
    assert_eq!(payment.tendered_total(), dec!(5.50));
    match &payment.tenders()[0] {
        Tender::Card { amount, excess, .. } => {
            assert_eq!(*amount, dec!(5.50), "the amount approved, as it came");
            assert_eq!(*excess, dec!(2.00));
        }
        other => panic!("{other:?}"),
    }

    let sale = ticket
        .complete(&payment, Uuid::nil(), receipt(), 0)
        .unwrap();
    assert_eq!(
        sale.totals().total,
        dec!(3.50),
        "the ticket's total is unchanged"
    );
    assert_eq!(sale.card_excess(), dec!(2.00));
    assert_eq!(sale.change(), dec!(0));
    assert_eq!(sale.amount_paid(), dec!(5.50));
    // A full refund pays back to the card all it was charged, and nothing from the drawer.
    assert_eq!(
        sale.refund_split(),
        pos_core::RefundSplit {
            card: dec!(5.50),
            cash: dec!(0.00),
            ..Default::default()
        }
    );
    // The sale survives its JSON (as stored and synced) with the excess.
    let back: pos_core::Sale =
        serde_json::from_str(&serde_json::to_string(&sale).unwrap()).unwrap();
    assert_eq!(back, sale);
}

#[test]
fn a_tip_on_part_of_a_split_pays_only_what_was_asked() {
    let ticket = ticket_of(dec!(10.00));
    let mut payment = Payment::new(ticket.totals().total, rules());
    // Asked 4.00 of 10.00, the customer added 1.00 on the terminal.
    let excess = payment
        .add_terminal_card(dec!(4.00), dec!(5.00), from_terminal(3))
        .unwrap();
    assert_eq!(excess, dec!(1.00));
    assert_eq!(
        payment.remaining(),
        dec!(6.00),
        "the tip pays nothing of the ticket"
    );
    payment.add_cash(dec!(10)).unwrap();
    assert!(payment.is_paid());
    assert_eq!(
        payment.change(),
        dec!(4.00),
        "change only for the cash over what was due"
    );
    let sale = ticket
        .complete(&payment, Uuid::nil(), receipt(), 0)
        .unwrap();
    assert_eq!(sale.amount_paid(), dec!(11.00));
    assert_eq!(
        sale.refund_split(),
        pos_core::RefundSplit {
            card: dec!(5.00),
            cash: dec!(6.00),
            ..Default::default()
        }
    );
}

#[test]
fn an_approval_for_less_than_asked_pays_that_much() {
    let mut payment = Payment::new(dec!(10.00), rules());
    let excess = payment
        .add_terminal_card(dec!(10.00), dec!(6.00), from_terminal(4))
        .unwrap();
    assert_eq!(excess, dec!(0));
    assert_eq!(payment.remaining(), dec!(4.00));
    assert!(!payment.is_paid());
}

#[test]
fn an_approval_is_refused_only_when_nothing_could_be_paid() {
    let mut payment = Payment::new(dec!(3.50), rules());
    payment
        .add_terminal_card(dec!(3.50), dec!(3.50), from_terminal(1))
        .unwrap();
    assert_eq!(
        payment.add_terminal_card(dec!(1), dec!(1), from_terminal(2)),
        Err(TenderError::AlreadyPaid)
    );
    let mut payment = Payment::new(dec!(3.50), rules());
    assert_eq!(
        payment.add_terminal_card(dec!(3.50), dec!(0), from_terminal(2)),
        Err(TenderError::NonPositiveAmount)
    );
}

#[test]
fn a_terminal_is_asked_only_for_whole_cents_up_to_what_is_left() {
    let mut payment = Payment::new(dec!(10.00), rules());
    assert_eq!(payment.check_terminal_card(dec!(10.00)), Ok(()));
    assert_eq!(payment.check_terminal_card(dec!(0.01)), Ok(()));
    assert_eq!(
        payment.check_terminal_card(dec!(0)),
        Err(TenderError::NonPositiveAmount)
    );
    assert_eq!(
        payment.check_terminal_card(dec!(-1)),
        Err(TenderError::NonPositiveAmount)
    );
    assert_eq!(
        payment.check_terminal_card(dec!(10.01)),
        Err(TenderError::CardExceedsRemaining)
    );
    assert_eq!(
        payment.check_terminal_card(dec!(4.005)),
        Err(TenderError::FinerThanMinorUnit)
    );
    payment.add_cash(dec!(4)).unwrap();
    assert_eq!(
        payment.check_terminal_card(dec!(6.01)),
        Err(TenderError::CardExceedsRemaining)
    );
    payment
        .add_terminal_card(dec!(6), dec!(6), from_terminal(1))
        .unwrap();
    assert_eq!(
        payment.check_terminal_card(dec!(1)),
        Err(TenderError::AlreadyPaid)
    );
}
