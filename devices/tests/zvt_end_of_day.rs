//! Closing the day on a ZVT terminal (issue 13): the register sends `06 50`, a fake terminal
//! answers with the status information of its batch (built with `EndOfDay::to_status_apdu`, the
//! layout of the real Feig capture), and core's reconciliation sets its totals beside the
//! shift's card payments: equal, then one approval apart, which is named.

use pos_core::shift::{CardBrand, Explanation, Reconciliation, RecordedCard};
use pos_core::{
    CardApproval, Currency, Decimal, Payment, PricingRules, Product, ReceiptNumber, Sale,
    TaxCategory, TaxPricing, TaxRounding, Ticket, Unit, Uuid,
};
use pos_devices::zvt::serial::{self, ACK};
use pos_devices::zvt::{
    Action, Command, DayTotals, EndOfDay, EndOfDayError, Framing, MonthDay, Password, ResultCode,
    SchemeTotal, StatusInformation, TimeOfDay, Transaction,
};

/// What the fake terminal holds: each payment's ZVT group, amount in cents and receipt number.
type Batch<'a> = &'a [(&'static str, u64, u16)];

/// The fake terminal's answer to an end of day over `batch`.
fn end_of_day_of(batch: Batch<'_>) -> EndOfDay {
    let schemes = [
        "girocard", "JCB", "Eurocard", "Amex", "Visa", "Diners", "others",
    ]
    .into_iter()
    .map(|scheme| {
        let mine = batch.iter().filter(|(s, ..)| *s == scheme);
        SchemeTotal {
            scheme,
            count: mine.clone().count() as u8,
            total: mine.map(|(_, cents, _)| cents).sum(),
        }
    })
    .collect();
    EndOfDay {
        result: Some(ResultCode::SUCCESS),
        total: batch.iter().map(|(_, cents, _)| cents).sum(),
        currency: None,
        trace_no: Some(982),
        date: Some(MonthDay { month: 12, day: 7 }),
        time: Some(TimeOfDay {
            hour: 22,
            minute: 5,
            second: 0,
        }),
        totals: Some(DayTotals {
            first_receipt: batch.iter().map(|b| b.2).min().unwrap_or(0),
            last_receipt: batch.iter().map(|b| b.2).max().unwrap_or(0),
            schemes,
        }),
    }
}

/// Runs `06 50` over serial against the fake terminal and returns the status it ended with.
fn close_the_day(answer: &EndOfDay) -> StatusInformation {
    close_the_day_with(&answer.to_status_apdu().unwrap().encode())
}

/// Runs `06 50` against a fake terminal that answers with the status information `apdu`.
fn close_the_day_with(apdu: &[u8]) -> StatusInformation {
    let command = Command::EndOfDay {
        password: Password::new(123_456).unwrap(),
    };
    let mut tx = Transaction::new("shift-0001", command, Framing::Serial);
    let actions = tx.start().unwrap();
    let Action::Send(frame) = &actions[0] else {
        panic!("{actions:?}")
    };
    assert_eq!(
        serial::unframe(frame).unwrap(),
        [0x06, 0x50, 0x03, 0x12, 0x34, 0x56]
    );
    tx.receive(&[ACK]);
    tx.receive(&serial::frame(&[0x80, 0x00, 0x00]));
    let mut actions = tx.receive(&serial::frame(apdu));
    actions.extend(tx.receive(&[ACK]));
    actions.extend(tx.receive(&serial::frame(&[0x06, 0x0F, 0x00])));
    let outcome = actions
        .iter()
        .find_map(|a| match a {
            Action::Finished(o) => Some(o.clone()),
            _ => None,
        })
        .expect("the end of day finishes");
    outcome.result.unwrap().status.unwrap()
}

fn rules() -> PricingRules {
    PricingRules {
        currency: Currency::EUR,
        tax_pricing: TaxPricing::Inclusive,
        tax_rounding: TaxRounding::PerLine,
        cash_increment: Decimal::ZERO,
        cash_rounding: pos_core::CashRounding::HalfUp,
    }
}

/// A card sale the ZVT terminal approved, as the register records it.
fn card_sale(n: u64, cents: i64, card_name: &str, receipt_no: u16) -> Sale {
    let tax = TaxCategory {
        id: "r19".into(),
        name: "19 %".into(),
        rate: Decimal::from(19),
        ..TaxCategory::default()
    };
    let product = Product {
        id: format!("p{n}"),
        name: "Item".into(),
        sku: format!("S{n}"),
        price: Decimal::new(cents, 2),
        tax_category: tax.id.clone(),
        unit: Unit::Piece,
        category: "c".into(),
        ..Product::default()
    };
    let mut ticket = Ticket::new(rules());
    ticket.add(&product, &tax, &[], Decimal::ONE).unwrap();
    let mut payment = Payment::new(ticket.totals().total, rules());
    let approval = CardApproval {
        card_name: Some(card_name.into()),
        receipt_no: Some(receipt_no),
        ..CardApproval::default()
    };
    let due = payment.remaining();
    payment.add_terminal_card(due, due, approval).unwrap();
    let receipt = ReceiptNumber {
        device_code: "T1".into(),
        sequence: n,
    };
    ticket
        .complete(&payment, Uuid::from_u128(u128::from(n)), receipt, 0)
        .unwrap()
}

#[test]
fn the_terminals_end_of_day_equals_the_shift_then_differs_by_one_approval() {
    let sales = [
        card_sale(1, 479, "MasterCard", 233),
        card_sale(2, 479, "Debit Mastercard", 234),
        card_sale(3, 1_250, "VISA", 235),
    ];
    let recorded = RecordedCard::payments(&sales, &[]);

    let batch = [
        ("Eurocard", 479, 233),
        ("Eurocard", 479, 234),
        ("Visa", 1_250, 235),
    ];
    let status = close_the_day(&end_of_day_of(&batch));
    let totals = EndOfDay::from_status(&status)
        .unwrap()
        .terminal_totals(Currency::EUR)
        .unwrap();
    let same = Reconciliation::new(&recorded, &totals);
    assert!(same.is_matched(), "{same:#?}");
    assert_eq!(same.brands.len(), 2);

    // The terminal never got the VISA payment of sale 3 (its batch ends at 234).
    let status = close_the_day(&end_of_day_of(&batch[..2]));
    let totals = EndOfDay::from_status(&status)
        .unwrap()
        .terminal_totals(Currency::EUR)
        .unwrap();
    let apart = Reconciliation::new(&recorded, &totals);
    assert!(!apart.is_matched());
    let visa = apart
        .brands
        .iter()
        .find(|b| b.brand == Some(CardBrand::Visa))
        .unwrap();
    assert_eq!(visa.difference().amount, Decimal::new(1_250, 2));
    assert!(matches!(
        apart.explanations.as_slice(),
        [Explanation::NotOnTerminal { card, certain: true }] if card.sale == sales[2].id()
    ));
}

#[test]
fn an_end_of_day_the_terminal_refused_or_in_another_currency_is_not_reconciled() {
    let mut refused = end_of_day_of(&[]);
    refused.result = Some(ResultCode(0x6C));
    let status = StatusInformation::parse(&refused.to_status_apdu().unwrap().data);
    assert_eq!(
        EndOfDay::from_status(&status),
        Err(EndOfDayError::NotClosed(ResultCode(0x6C)))
    );
    assert_eq!(
        EndOfDay::from_status(&StatusInformation::default()),
        Err(EndOfDayError::NoTotal)
    );

    let mut swiss = end_of_day_of(&[("Visa", 500, 1)]);
    swiss.currency = Some(756);
    assert_eq!(
        swiss.terminal_totals(Currency::EUR),
        Err(EndOfDayError::OtherCurrency {
            terminal: 756,
            store: 978
        })
    );
    // A terminal that sends only its total: the amount is compared, the count is not.
    let mut bare = end_of_day_of(&[("Visa", 500, 1)]);
    bare.totals = None;
    let totals = bare.terminal_totals(Currency::EUR).unwrap();
    assert!(!totals.counted);
    let sales = [card_sale(1, 500, "VISA", 1)];
    let r = Reconciliation::new(&RecordedCard::payments(&sales, &[]), &totals);
    assert!(r.is_matched(), "{r:#?}");
}

/// The end of day of the browser suite's fake terminal (tests/fake-zvt.ts), byte for byte: a
/// batch of 3.50 and 2.50 on the captured MasterCard (receipts 0231, 0232), all in the Eurocard
/// group; then the same with the last payment dropped, as its `endOfDayDrops: 1` does; and its
/// `amount-only` answer (BMP 04 alone).
#[test]
fn the_browser_fake_terminals_end_of_day_reads_as_the_register_reads_it() {
    let zeros = "00000000000000";
    let fake = |total: &str, first: &str, last: &str, count: &str| {
        format!(
            "040f42\
             2700\
             04{total}\
             60f0f5f3{first}{last}{zeros}{zeros}{count}{total}{zeros}{zeros}{zeros}{zeros}"
        )
    };
    let both = hex(&fake("000000000600", "0231", "0232", "02"));
    let one_dropped = hex(&fake("000000000350", "0231", "0231", "01"));
    let amount_only = hex("040f09270004000000000600");

    // The same bytes as the codec's own encoding of such a day.
    let day = EndOfDay {
        result: None,
        total: 600,
        currency: None,
        trace_no: None,
        date: None,
        time: None,
        totals: Some(DayTotals {
            first_receipt: 231,
            last_receipt: 232,
            schemes: vec![SchemeTotal {
                scheme: "Eurocard",
                count: 2,
                total: 600,
            }],
        }),
    };
    assert_eq!(day.to_status_apdu().unwrap().encode(), both);

    let sales = [
        card_sale(1, 350, "MasterCard", 231),
        card_sale(2, 250, "MasterCard", 232),
    ];
    let recorded = RecordedCard::payments(&sales, &[]);
    let reconcile = |apdu: &[u8]| {
        let status = close_the_day_with(apdu);
        let totals = EndOfDay::from_status(&status)
            .unwrap()
            .terminal_totals(Currency::EUR)
            .unwrap();
        Reconciliation::new(&recorded, &totals)
    };

    let matched = reconcile(&both);
    assert!(matched.is_matched(), "{matched:#?}");
    assert_eq!(matched.brands.len(), 1);
    assert_eq!(matched.brands[0].brand, Some(CardBrand::Mastercard));

    let apart = reconcile(&one_dropped);
    assert!(!apart.is_matched());
    assert!(
        matches!(
            apart.explanations.as_slice(),
            [Explanation::NotOnTerminal { card, certain: true }] if card.sale == sales[1].id()
        ),
        "{apart:#?}"
    );

    assert!(reconcile(&amount_only).is_matched());
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}
