//! The store's gift card as a tender (issue 14): partial and split with cash or a bank card,
//! never giving change nor paying more than is left, counted apart from cash and bank cards in
//! the day's money, the shift report and the terminal's reconciliation, and paid back onto the
//! card it came from when the sale is refunded.

mod common;

use common::sales::{GIFT_CARD, MORNING, Pay, eur, sell, ticket_of};
use pos_core::customer::CustomerStats;
use pos_core::gift_card::{GiftCardNumber, GiftCardOpKind};
use pos_core::shift::{CashCount, RecordedCard, Shift, ShiftReport};
use pos_core::{
    Actor, BusinessDay, Currency, Payment, Refund, ReturnLedger, SalesDay, Tender, TenderError,
    Uuid,
};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const STORE: Uuid = Uuid::from_u128(0x5705);
const TILL: Uuid = Uuid::from_u128(0xd1);
const ANN: Uuid = Uuid::from_u128(0xa22);

fn card() -> GiftCardNumber {
    GiftCardNumber::parse(GIFT_CARD).unwrap()
}

/// `ticket` completed as sale 0x5a1e, receipt `T1-<sequence>`, paid with `payment`, in the morning.
fn completed(ticket: pos_core::Ticket, payment: &Payment, sequence: u64) -> pos_core::Sale {
    let receipt = pos_core::ReceiptNumber {
        device_code: "T1".into(),
        sequence,
    };
    ticket
        .complete(payment, Uuid::from_u128(0x5a1e), receipt, MORNING)
        .unwrap()
}

fn op(n: u128) -> Uuid {
    Uuid::from_u128(0x0900 + n)
}

#[test]
fn a_gift_card_pays_part_and_cash_the_rest_with_change_only_on_the_cash() {
    let mut payment = Payment::new(dec!(25.00), eur());
    payment
        .add_gift_card(card(), dec!(10.00), op(1), false)
        .unwrap();
    assert_eq!(payment.remaining(), dec!(15.00));
    assert!(!payment.is_paid());
    payment.add_cash(dec!(20.00)).unwrap();
    assert!(payment.is_paid());
    assert_eq!(
        payment.change(),
        dec!(5.00),
        "change from the cash, not the card"
    );
    assert_eq!(payment.tendered_total(), dec!(30.00));
}

#[test]
fn a_gift_card_never_pays_more_than_is_left_nor_gives_change() {
    let mut payment = Payment::new(dec!(8.00), eur());
    assert_eq!(
        payment.check_gift_card(dec!(8.01)),
        Err(TenderError::GiftCardExceedsRemaining)
    );
    assert_eq!(
        payment.add_gift_card(card(), dec!(9.00), op(1), false),
        Err(TenderError::GiftCardExceedsRemaining)
    );
    assert_eq!(
        payment.check_gift_card(dec!(0)),
        Err(TenderError::NonPositiveAmount)
    );
    assert_eq!(
        payment.check_gift_card(dec!(1.005)),
        Err(TenderError::FinerThanMinorUnit)
    );
    assert!(payment.tenders().is_empty());

    // Exactly what is left settles the payment with no change.
    payment
        .add_gift_card(card(), dec!(8.00), op(2), false)
        .unwrap();
    assert!(payment.is_paid());
    assert_eq!(payment.change(), Decimal::ZERO);
    assert_eq!(
        payment.add_gift_card(card(), dec!(1.00), op(3), false),
        Err(TenderError::AlreadyPaid)
    );
}

#[test]
fn two_gift_cards_and_a_bank_card_split_one_ticket() {
    let other = GiftCardNumber::from_body(601_200_000_000_002).unwrap();
    let mut payment = Payment::new(dec!(30.00), eur());
    payment
        .add_gift_card(card(), dec!(10.00), op(1), false)
        .unwrap();
    payment
        .add_gift_card(other, dec!(5.00), op(2), true)
        .unwrap();
    payment
        .add_card(dec!(15.00), pos_core::CardApproval::default())
        .unwrap();
    assert!(payment.is_paid());
    assert_eq!(payment.tenders().len(), 3);
}

#[test]
fn recording_one_redemption_twice_records_it_once() {
    // After a reload the pending payment offers the confirmed redemption again.
    let mut payment = Payment::new(dec!(20.00), eur());
    payment
        .add_gift_card(card(), dec!(5.00), op(1), false)
        .unwrap();
    payment
        .add_gift_card(card(), dec!(5.00), op(1), false)
        .unwrap();
    assert_eq!(payment.tenders().len(), 1);
    assert_eq!(payment.remaining(), dec!(15.00));
}

#[test]
fn a_redeemed_gift_card_is_not_undone_nor_the_payment_given_up_but_put_back() {
    let mut payment = Payment::new(dec!(20.00), eur());
    payment
        .add_gift_card(card(), dec!(5.00), op(1), false)
        .unwrap();
    // Taking it back here would leave the value off the card with no sale.
    assert_eq!(payment.undo_last(), Err(TenderError::GiftCardRedeemed));
    assert_eq!(payment.can_cancel(), Err(TenderError::GiftCardRedeemed));
    let back = payment.put_back_gift_card(op(1)).unwrap();
    assert!(matches!(back, Tender::GiftCard { amount, .. } if amount == dec!(5.00)));
    assert_eq!(payment.remaining(), dec!(20.00));
    assert_eq!(payment.can_cancel(), Ok(()));
}

#[test]
fn the_tender_keeps_its_card_operation_and_whether_it_was_offline() {
    let mut payment = Payment::new(dec!(20.00), eur());
    payment
        .add_gift_card(card(), dec!(5.00), op(1), true)
        .unwrap();
    let json = serde_json::to_string(&payment.tenders()[0]).unwrap();
    assert!(json.contains("\"card\":\"6012000000000011\""), "{json}");
    assert!(json.contains("\"amount\":\"5.00\""), "{json}");
    assert!(json.contains("\"offline\":true"), "{json}");
    let back: Tender = serde_json::from_str(&json).unwrap();
    assert_eq!(back, payment.tenders()[0]);
}

/// `sale` refunded in full ten minutes after the morning.
fn refund_all(sale: &pos_core::Sale) -> Refund {
    Refund::full(
        sale,
        Uuid::from_u128(0x4ef),
        MORNING + 600_000,
        "wrong size",
    )
}

/// 10.00 of a 25.00 sale by gift card and 15.00 in cash; a 12.00 sale in cash.
fn day_of_sales() -> (pos_core::Sale, pos_core::Sale) {
    let split = sell(eur(), 1, dec!(25.00), dec!(20), Pay::GiftCard(dec!(10.00)));
    let cash = sell(eur(), 2, dec!(12.00), dec!(20), Pay::Cash(dec!(8.00)));
    (split, cash)
}

#[test]
fn the_gift_card_is_neither_cash_nor_card_in_the_sale_split() {
    let (split, _) = day_of_sales();
    let money = split.refund_split();
    assert_eq!(money.gift_card, dec!(10.00));
    assert_eq!(money.cash, dec!(15.00));
    assert_eq!(money.card, Decimal::ZERO);
    assert_eq!(money.total(), split.amount_paid());
    assert_eq!(split.gift_card_paid(), dec!(10.00));
}

#[test]
fn the_shift_report_counts_gift_cards_as_other_and_the_drawer_only_its_cash() {
    let (split, cash) = day_of_sales();
    let refund = refund_all(&split);
    let shift = Shift::open(
        Uuid::from_u128(0x5f1),
        TILL,
        Currency::EUR,
        CashCount::default(),
        MORNING - 1,
        Some(ANN),
    );
    let sales = vec![split.clone(), cash];
    let report = ShiftReport::new(&shift, &sales, &[(&refund, &split)], &[]);
    assert_eq!(report.paid, dec!(37.00));
    assert_eq!(report.paid_by_tender.cash, dec!(27.00));
    assert_eq!(report.paid_by_tender.card, Decimal::ZERO);
    assert_eq!(report.paid_by_tender.other(), dec!(10.00));
    assert_eq!(report.paid_by_tender.total(), report.paid);
    // The refund puts 10.00 back onto the gift card and hands 15.00 from the drawer.
    assert_eq!(report.refunded_by_tender.other(), dec!(10.00));
    assert_eq!(report.refunded_by_tender.cash, dec!(15.00));
    assert_eq!(report.refunded_by_tender.total(), report.refunded);
    assert_eq!(report.cash_expected, dec!(12.00), "27 in, 15 out, no float");
}

#[test]
fn the_days_money_counts_gift_cards_apart() {
    let (split, cash) = day_of_sales();
    let refund = refund_all(&split);
    let today = BusinessDay::new(2026, 11, 29).unwrap();
    let mut day = SalesDay::new(STORE, TILL, today, &Actor::device(TILL));
    day.record_sale(&split).unwrap();
    day.record_sale(&cash).unwrap();
    day.record_refund(&refund).unwrap();
    let money = day.money_by_tender(|_| None).unwrap();
    assert_eq!(money.paid.gift_card, dec!(10.00));
    assert_eq!(money.paid.cash, dec!(27.00));
    assert_eq!(money.refunded.gift_card, dec!(10.00));
    assert_eq!(money.refunded.cash, dec!(15.00));
    let summary = day.summary().unwrap();
    assert_eq!(summary.total, money.paid.total());
    assert_eq!(summary.refunded, money.refunded.total());
}

#[test]
fn the_terminals_reconciliation_never_sees_a_gift_card() {
    let (split, _) = day_of_sales();
    let refund = refund_all(&split);
    assert!(RecordedCard::payments(std::slice::from_ref(&split), &[]).is_empty());
    assert!(RecordedCard::paid_back(&refund, &split, false).is_empty());
}

#[test]
fn a_full_refund_goes_back_onto_the_gift_card_as_one_refund_to_card_operation() {
    let (split, _) = day_of_sales();
    let refund = refund_all(&split);
    let back = refund.paid_back(&split);
    assert_eq!(
        (back.gift_card, back.cash, back.card),
        (dec!(10.00), dec!(15.00), dec!(0))
    );

    let ops = refund.gift_card_ops(&split, ANN, TILL, MORNING + 600_000);
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].card, card());
    assert_eq!(ops[0].kind, GiftCardOpKind::RefundToCard);
    assert_eq!(ops[0].amount, dec!(10.00));
    assert!(ops[0].check(Currency::EUR).is_ok());
    // Made again (a retry, another tab), the operation is the same one: counted once.
    assert_eq!(
        ops,
        refund.gift_card_ops(&split, ANN, TILL, MORNING + 600_000)
    );
}

#[test]
fn a_partial_refund_shares_between_the_gift_card_and_the_drawer() {
    // Two items of 10.00: 5.00 by gift card, 15.00 in cash; one item comes back.
    let ticket = ticket_of(eur(), 3, dec!(10.00), dec!(2), dec!(20));
    let mut payment = Payment::new(ticket.totals().total, eur());
    payment
        .add_gift_card(card(), dec!(5.00), op(3), false)
        .unwrap();
    payment.add_cash(payment.cash_due()).unwrap();
    let sale = completed(ticket, &payment, 3);
    let line = sale.lines()[0].id;
    let refund = Refund::of_lines(
        &sale,
        &[],
        &[(line, dec!(1))],
        Uuid::from_u128(0x4f0),
        MORNING + 1,
        "",
    )
    .unwrap();
    let back = refund.paid_back(&sale);
    assert_eq!(back.total(), dec!(10.00));
    assert_eq!(
        back.gift_card,
        dec!(2.50),
        "in proportion: a quarter came from the card"
    );
    assert_eq!(back.cash, dec!(7.50));
    let ops = refund.gift_card_ops(&sale, ANN, TILL, MORNING + 1);
    assert_eq!(ops.iter().map(|o| o.amount).sum::<Decimal>(), dec!(2.50));

    // The rest comes back later, and the card gets the rest of what it paid.
    let ledger = ReturnLedger::of(&sale, std::slice::from_ref(&refund));
    let gift = ledger.tenders.iter().find(|t| t.card == Some(0)).unwrap();
    assert_eq!(gift.left(), dec!(2.50));
    let rest = Refund::of_lines(
        &sale,
        std::slice::from_ref(&refund),
        &[(line, dec!(1))],
        Uuid::from_u128(0x4f1),
        MORNING + 2,
        "",
    )
    .unwrap();
    assert_eq!(rest.paid_back(&sale).gift_card, dec!(2.50));
    // Two refunds, two operations with their own ids.
    assert_ne!(
        rest.gift_card_ops(&sale, ANN, TILL, MORNING + 2)[0].id,
        ops[0].id
    );
}

#[test]
fn a_gift_cards_part_paid_back_in_cash_makes_no_card_operation() {
    let (split, _) = day_of_sales();
    let refund = Refund::full(&split, Uuid::from_u128(0x4ef), MORNING, "").in_cash(&split);
    assert_eq!(refund.paid_back(&split).gift_card, Decimal::ZERO);
    assert!(refund.gift_card_ops(&split, ANN, TILL, MORNING).is_empty());
}

#[test]
fn a_customer_spent_only_the_money_not_the_gift_card_value_again() {
    let customer = Uuid::from_u128(0xc0);
    let (split, cash) = day_of_sales();
    let split = split.for_customer(Some(customer));
    let cash = cash.for_customer(Some(customer));
    let refund = Refund::full(&split, Uuid::from_u128(0x4ef), MORNING, "");
    let stats = CustomerStats::of(&[customer], &[split, cash], &[refund], &[]);
    assert_eq!(stats.visits, 2);
    assert_eq!(
        stats.total_spent,
        dec!(27.00),
        "15 + 12: the card's 10 was spent when sold"
    );
    assert_eq!(stats.refunded, dec!(15.00));
    assert_eq!(stats.lifetime_value, dec!(12.00));
}

/// Selling gift cards on a ticket: a line of the cards, no tax, no discount.
mod selling_gift_cards {
    use super::*;
    use pos_core::gift_card::generate_block;
    use pos_core::loyalty::Purchase;
    use pos_core::{Discount, TicketError};

    fn block(n: u32) -> Vec<GiftCardNumber> {
        generate_block(&card(), n).unwrap()
    }

    #[test]
    fn a_block_of_cards_is_one_line_of_n_with_no_tax_and_no_discount() {
        // A 20 % item of 10.00 and three cards of 25.00, 10 % off the order.
        let mut ticket = ticket_of(eur(), 1, dec!(10.00), dec!(1), dec!(20));
        let line = ticket
            .add_gift_cards(block(3), dec!(25.00), "Gift card •••• 0011")
            .unwrap();
        ticket
            .set_order_discount(Some(Discount::Percent(dec!(10))))
            .unwrap();
        let totals = ticket.totals();
        assert_eq!(ticket.line(line).unwrap().quantity, dec!(3));
        let gift = totals.lines.iter().find(|l| l.line_id == line).unwrap();
        assert_eq!(gift.amount, dec!(75.00), "the cards are never discounted");
        assert_eq!(gift.tax, Decimal::ZERO);
        assert_eq!(totals.order_discount, dec!(1.00), "10 % of the goods only");
        assert_eq!(totals.total, dec!(84.00));
        assert_eq!(totals.tax, dec!(1.50), "9.00 of goods at 20 % inclusive");

        for refused in [
            ticket.set_line_discount(line, Some(Discount::Percent(dec!(5)))),
            ticket.increment(line),
            ticket.set_unit_price(line, dec!(20.00)),
            ticket.set_quantity(line, dec!(4)),
        ] {
            assert_eq!(refused, Err(TicketError::GiftCardLineFixed));
        }
        // A card is sold once.
        assert_eq!(
            ticket.add_gift_cards(vec![card()], dec!(5.00), "again"),
            Err(TicketError::GiftCardTwice)
        );
        // Taking one off takes the whole line: its quantity is its cards.
        ticket.decrement(line).unwrap();
        assert!(ticket.line(line).is_none());
    }

    #[test]
    fn a_gift_cards_value_is_money_above_zero() {
        let mut ticket = pos_core::Ticket::new(eur());
        for value in [dec!(0), dec!(-5), dec!(10.005)] {
            assert_eq!(
                ticket.add_gift_cards(vec![card()], value, "g"),
                Err(TicketError::GiftCardValue)
            );
        }
        assert!(ticket.is_empty());
    }

    #[test]
    fn the_sale_issues_one_activation_per_card_with_ids_fixed_by_the_sale() {
        let mut ticket = pos_core::Ticket::new(eur());
        ticket
            .add_gift_cards(block(2), dec!(25.00), "Gift cards")
            .unwrap();
        let mut payment = Payment::new(ticket.totals().total, eur());
        payment.add_cash(dec!(50.00)).unwrap();
        let sale = completed(ticket, &payment, 1);
        let issues = sale.gift_card_issues(TILL);
        assert_eq!(issues.len(), 2);
        assert_eq!(issues[0].card, card());
        assert_eq!(issues[1].card, block(2)[1]);
        assert!(issues.iter().all(|op| op.kind == GiftCardOpKind::Activate
            && op.amount == dec!(25.00)
            && op.check(Currency::EUR).is_ok()));
        assert_ne!(issues[0].id, issues[1].id);
        assert_eq!(
            issues,
            sale.gift_card_issues(TILL),
            "the same ids when made again"
        );
        assert_eq!(sale.gift_cards_sold_total(), dec!(50.00));
        assert!(sale.clone().in_training().gift_card_issues(TILL).is_empty());
        // The day's money: 50.00 in cash for the cards.
        assert_eq!(sale.refund_split().cash, dec!(50.00));
        // No points are earned on buying a gift card.
        let bought = Purchase::of_sale(&sale);
        assert_eq!(bought.paid, Decimal::ZERO);
        assert!(bought.products.is_empty());
    }

    #[test]
    fn a_refunded_sale_of_cards_takes_each_card_back_whole_once() {
        let mut ticket = ticket_of(eur(), 1, dec!(10.00), dec!(1), dec!(20));
        ticket
            .add_gift_cards(block(3), dec!(25.00), "Gift cards")
            .unwrap();
        let mut payment = Payment::new(ticket.totals().total, eur());
        payment.add_cash(payment.cash_due()).unwrap();
        let sale = completed(ticket, &payment, 1);
        let goods = sale.lines()[0].id;
        let cards = sale.lines()[1].id;
        let refund = |id: u128, lines: &[(pos_core::LineId, Decimal)]| {
            Refund::of_lines(&sale, &[], lines, Uuid::from_u128(id), MORNING + 1, "").unwrap()
        };
        // The goods alone: no card is touched.
        let only_goods = refund(0x4f0, &[(goods, dec!(1))]);
        assert_eq!(
            only_goods.gift_cards_taken_back(&sale, ANN, TILL, MORNING + 1),
            Ok(Vec::new())
        );
        // Part of the block: refused, which card would it be?
        assert_eq!(
            refund(0x4f1, &[(cards, dec!(2))]).gift_cards_taken_back(&sale, ANN, TILL, MORNING + 1),
            Err(pos_core::PartOfGiftCardBlock { cards: 3 })
        );
        // The whole block: each card for the value it was sold with, and stopped.
        let whole = refund(0x4f2, &[(cards, dec!(3))])
            .gift_cards_taken_back(&sale, ANN, TILL, MORNING + 1)
            .unwrap();
        assert_eq!(
            whole.iter().map(|o| o.card.clone()).collect::<Vec<_>>(),
            block(3)
        );
        assert!(whole.iter().all(|o| o.kind == GiftCardOpKind::SaleRefunded
            && o.amount == dec!(25.00)
            && o.check(Currency::EUR).is_ok()));
        // Asked again by another refund of the sale (after a refusal, in another tab): the
        // same operations, so the server counts each once.
        let again = refund(0x4f3, &[(cards, dec!(3))])
            .gift_cards_taken_back(&sale, ANN, TILL, MORNING + 2)
            .unwrap();
        assert_eq!(
            again.iter().map(|o| o.id).collect::<Vec<_>>(),
            whole.iter().map(|o| o.id).collect::<Vec<_>>()
        );
        // On the ledger: the card holds nothing and is stopped, so it cannot be spent.
        let mut ledger = pos_core::gift_card::GiftCardLedger::new(Currency::EUR);
        ledger.merge(sale.gift_card_issues(TILL));
        ledger.merge(whole.clone());
        let first = &block(3)[0];
        assert_eq!(ledger.balance(first), Decimal::ZERO);
        assert_eq!(
            ledger.status(first),
            pos_core::gift_card::CardStatus::Deactivated
        );
        assert_eq!(
            ledger.check_redemption(&pos_core::gift_card::RedemptionRequest {
                card: first.clone(),
                amount: dec!(1.00)
            }),
            Err(pos_core::gift_card::RedemptionRefused::Deactivated)
        );
        // A training sale issued no cards and takes none back.
        let training = sale.clone().in_training();
        assert_eq!(
            Refund::of_lines(
                &training,
                &[],
                &[(cards, dec!(3))],
                Uuid::from_u128(0x4f4),
                MORNING,
                ""
            )
            .unwrap()
            .gift_cards_taken_back(&training, ANN, TILL, MORNING),
            Ok(Vec::new())
        );
    }

    #[test]
    fn gift_cards_never_go_to_the_kitchen() {
        let mut ticket = ticket_of(eur(), 1, dec!(10.00), dec!(1), dec!(20));
        ticket
            .add_gift_cards(vec![card()], dec!(5.00), "g")
            .unwrap();
        let order = ticket.send();
        assert_eq!(order.len(), 1);
        assert!(!order[0].is_gift_card());
        assert!(!ticket.has_unsent());
    }
}

/// Goods returned with no receipt, given back as store credit: their sale (made for the refund
/// alone) is "paid" with the new card, so the refund goes onto it as a new card's value, and
/// the drawer expects no cash to have left it.
#[test]
fn store_credit_for_goods_with_no_receipt_issues_a_new_card_and_leaves_the_drawer_alone() {
    let new_card = GiftCardNumber::from_body(612_000_000_000_123).unwrap();
    let ticket = ticket_of(eur(), 7, dec!(6.40), dec!(2), dec!(20));
    let mut payment = Payment::new(ticket.totals().total, eur());
    payment
        .add_gift_card(new_card.clone(), payment.remaining(), op(7), false)
        .unwrap();
    let receipt = pos_core::ReceiptNumber {
        device_code: "T1".into(),
        sequence: 0,
    };
    let goods = ticket
        .complete(&payment, Uuid::from_u128(0x600d), receipt, MORNING)
        .unwrap();
    let refund = refund_all(&goods);
    let back = refund.paid_back(&goods);
    assert_eq!(
        (back.gift_card, back.cash, back.card),
        (dec!(12.80), dec!(0), dec!(0))
    );

    let ops = refund.store_credit_ops(&goods, ANN, TILL, MORNING + 600_000);
    assert_eq!(ops.len(), 1);
    assert_eq!(
        (&ops[0].card, &ops[0].kind, ops[0].amount),
        (&new_card, &GiftCardOpKind::Activate, dec!(12.80))
    );
    assert!(ops[0].check(Currency::EUR).is_ok());
    assert_eq!(
        ops,
        refund.store_credit_ops(&goods, ANN, TILL, MORNING + 600_000)
    );
    // Goods returned for cash have no card to put credit on.
    let mut in_cash = Payment::new(ticket.totals().total, eur());
    in_cash.add_cash(in_cash.cash_due()).unwrap();
    let cash_goods = ticket
        .complete(
            &in_cash,
            Uuid::from_u128(0x600e),
            pos_core::ReceiptNumber {
                device_code: "T1".into(),
                sequence: 0,
            },
            MORNING,
        )
        .unwrap();
    assert!(
        refund_all(&cash_goods)
            .store_credit_ops(&cash_goods, ANN, TILL, MORNING)
            .is_empty()
    );

    let shift = Shift::open(
        Uuid::from_u128(0x5f2),
        TILL,
        Currency::EUR,
        CashCount::default(),
        MORNING - 1,
        Some(ANN),
    );
    let report = ShiftReport::new(&shift, &[], &[(&refund, &goods)], &[]);
    assert_eq!(report.refunded_by_tender.cash, Decimal::ZERO);
    assert_eq!(report.refunded_by_tender.other(), dec!(12.80));
    assert_eq!(report.cash_expected, Decimal::ZERO);
}
