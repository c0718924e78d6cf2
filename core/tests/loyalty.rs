//! Loyalty points: earned by the owner's rule on the part paid with money, spent as a tender,
//! taken back in proportion by returns, and spent offline within the same allowance as gift
//! cards, with the same conflicts when two devices spend the same points.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::sales::{POINTS_CUSTOMER, Pay, eur, sell_quantity};
use pos_core::customer::{Customer, CustomerDirectory};
use pos_core::loyalty::{
    LoyaltyLedger, LoyaltyOp, LoyaltyOpError, LoyaltyOpKind, LoyaltyRule, PointsRefused, Purchase,
    points_to_take_back,
};
use pos_core::{Currency, OfflineAllowance, Uuid};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const ANNA: Uuid = Uuid::from_u128(0xA1);
const ANNA_AGAIN: Uuid = Uuid::from_u128(0xA2);
const SALE: Uuid = Uuid::from_u128(0x5A1E);

fn rule() -> LoyaltyRule {
    LoyaltyRule {
        points_per_currency_unit: dec!(0.1),
        points_per_visit: dec!(2),
        points_per_product: BTreeMap::from([("p7".to_string(), dec!(3))]),
        point_value: dec!(0.05),
        offline: OfflineAllowance { cap: dec!(100) },
    }
}

fn purchase(paid: Decimal, stored: Decimal, products: &[(&str, Decimal)]) -> Purchase {
    Purchase {
        paid,
        paid_with_stored_value: stored,
        products: products.iter().map(|(p, q)| (p.to_string(), *q)).collect(),
    }
}

fn op(n: u128, customer: Uuid, kind: LoyaltyOpKind, points: i64, device: u128) -> LoyaltyOp {
    LoyaltyOp {
        id: Uuid::from_u128(0x10_0000 + n),
        customer,
        kind,
        points: Decimal::from(points),
        sale: SALE,
        staff: Uuid::from_u128(0x5),
        device: Uuid::from_u128(device),
        at_ms: 1_000 * n as i64,
        offline: false,
    }
}

#[test]
fn points_are_earned_per_amount_visit_and_product_in_whole_points() {
    let rule = rule();
    // 45.50 * 0.1 = 4.55, plus 2 for the visit: 6 whole points.
    assert_eq!(
        rule.earned(&purchase(dec!(45.50), dec!(0), &[("p1", dec!(1))])),
        dec!(6)
    );
    // Two of product p7 earn 3 each on top.
    assert_eq!(
        rule.earned(&purchase(dec!(45.50), dec!(0), &[("p7", dec!(2))])),
        dec!(12)
    );
    assert_eq!(rule.earned(&purchase(dec!(0), dec!(0), &[])), dec!(0));
}

#[test]
fn nothing_is_earned_on_the_part_paid_with_points_or_gift_cards() {
    let rule = rule();
    // 60.00 of 100.00 paid with money: 6 per amount, and 60 % of (2 + 3) = 3.
    assert_eq!(
        rule.earned(&purchase(dec!(100), dec!(40), &[("p7", dec!(1))])),
        dec!(9)
    );
    assert_eq!(
        rule.earned(&purchase(dec!(100), dec!(100), &[("p7", dec!(5))])),
        dec!(0)
    );
    // More said to be paid with stored value than was paid still earns nothing, never less.
    assert_eq!(rule.earned(&purchase(dec!(100), dec!(120), &[])), dec!(0));
}

#[test]
fn a_sale_is_a_purchase_of_its_lines() {
    // 100 points paid 5.00, a card the rest.
    let sale = sell_quantity(
        eur(),
        7,
        dec!(12.50),
        dec!(2),
        dec!(19),
        Pay::Points(dec!(100), dec!(5.00)),
    );
    let bought = Purchase::of_sale(&sale);
    assert_eq!(bought.paid_with_stored_value, dec!(5.00));
    assert_eq!(bought.paid, dec!(25.00));
    assert_eq!(bought.products, vec![("p7".to_string(), dec!(2))]);
    // 20.00 with money: 2 points, and 80 % of (2 + 6) = 6.4.
    assert_eq!(rule().earned(&bought), dec!(8));
}

#[test]
fn points_pay_at_the_set_value() {
    let rule = rule();
    assert_eq!(rule.value_of(dec!(123), Currency::EUR), dec!(6.15));
    assert_eq!(rule.points_for(dec!(6.15)), Some(dec!(123)));
    assert_eq!(rule.points_for(dec!(6.16)), Some(dec!(124)));
    let free = LoyaltyRule {
        point_value: dec!(0),
        ..rule
    };
    assert_eq!(free.points_for(dec!(1)), None);
}

#[test]
fn a_return_takes_back_earned_points_in_proportion() {
    // 7 points earned on 30.00: returning 10.00 takes 2 (7/3 rounded down), then the rest of
    // the sale takes the other 5, so a whole return takes back exactly what was earned.
    let first = points_to_take_back(dec!(7), dec!(0), dec!(30), dec!(10));
    assert_eq!(first, dec!(2));
    let rest = points_to_take_back(dec!(7), first, dec!(30), dec!(30));
    assert_eq!(rest, dec!(5));
    assert_eq!(
        points_to_take_back(dec!(7), dec!(7), dec!(30), dec!(30)),
        dec!(0)
    );
    assert_eq!(
        points_to_take_back(dec!(7), dec!(0), dec!(30), dec!(45)),
        dec!(7)
    );
}

#[test]
fn earn_spend_and_return_move_the_balance_and_merged_duplicates_count() {
    let mut ledger = LoyaltyLedger::new();
    ledger
        .insert(op(1, ANNA, LoyaltyOpKind::Earn, 40, 1))
        .unwrap();
    ledger
        .insert(op(2, ANNA_AGAIN, LoyaltyOpKind::Earn, 25, 2))
        .unwrap();
    assert_eq!(ledger.balance(&[ANNA]), dec!(40));

    let mut directory = CustomerDirectory::new();
    for id in [ANNA, ANNA_AGAIN] {
        directory
            .save(Customer::new(id, "Anna", "", "").unwrap())
            .unwrap();
    }
    directory.merge(ANNA, ANNA_AGAIN).unwrap();
    let anna = directory.ids_of(ANNA);
    assert_eq!(ledger.balance(&anna), dec!(65));

    assert_eq!(
        ledger.check_redemption(&anna, dec!(66)),
        Err(PointsRefused::Insufficient { balance: dec!(65) })
    );
    assert_eq!(
        ledger.check_redemption(&anna, dec!(1.5)),
        Err(PointsRefused::Fractional)
    );
    assert_eq!(ledger.check_redemption(&anna, dec!(65)), Ok(dec!(0)));
    ledger
        .insert(op(3, ANNA, LoyaltyOpKind::Redeem, 30, 1))
        .unwrap();
    let (earned, taken) = ledger.earned_and_taken_back(SALE);
    assert_eq!((earned, taken), (dec!(65), dec!(0)));
    let back = points_to_take_back(earned, taken, dec!(100), dec!(50));
    ledger
        .insert(op(
            4,
            ANNA,
            LoyaltyOpKind::TakeBack,
            back.try_into().unwrap(),
            1,
        ))
        .unwrap();
    ledger
        .insert(op(5, ANNA, LoyaltyOpKind::GiveBack, 10, 1))
        .unwrap();
    assert_eq!(
        ledger.balance(&anna),
        dec!(65) - dec!(30) - dec!(32) + dec!(10)
    );
    assert_eq!(ledger.history(&anna).len(), 5);
    assert!(ledger.conflicts(&anna).is_empty());
}

#[test]
fn points_operations_are_whole_and_positive() {
    let mut ledger = LoyaltyLedger::new();
    let half = LoyaltyOp {
        points: dec!(0.5),
        ..op(1, ANNA, LoyaltyOpKind::Earn, 1, 1)
    };
    assert_eq!(ledger.insert(half), Err(LoyaltyOpError::Fractional));
    assert_eq!(
        ledger.insert(op(2, ANNA, LoyaltyOpKind::Earn, 0, 1)),
        Err(LoyaltyOpError::NonPositive)
    );
    let huge = op(3, ANNA, LoyaltyOpKind::Earn, 1_000_000_001, 1);
    assert_eq!(ledger.insert(huge), Err(LoyaltyOpError::TooMany));
    assert_eq!(ledger.balance(&[ANNA]), dec!(0));
}

#[test]
fn two_devices_offline_spend_the_same_points_and_see_one_conflict() {
    let cap = rule().offline;
    let earned = op(1, ANNA, LoyaltyOpKind::Earn, 80, 1);
    let mut a = LoyaltyLedger::new();
    let mut b = LoyaltyLedger::new();
    a.insert(earned.clone()).unwrap();
    b.insert(earned).unwrap();
    let none = BTreeSet::new();
    assert_eq!(
        a.check_offline_redemption(&[ANNA], cap, &none, dec!(81)),
        Err(PointsRefused::OverOfflineAllowance {
            allowance: dec!(80)
        })
    );
    let spent_a = LoyaltyOp {
        offline: true,
        ..op(2, ANNA, LoyaltyOpKind::Redeem, 60, 1)
    };
    let spent_b = LoyaltyOp {
        offline: true,
        ..op(3, ANNA, LoyaltyOpKind::Redeem, 50, 2)
    };
    a.check_offline_redemption(&[ANNA], cap, &none, spent_a.points)
        .unwrap();
    a.insert(spent_a.clone()).unwrap();
    // The cap counts this device's unsynced spending: 60 of 100 used, 20 points left known.
    let unsynced_a = BTreeSet::from([spent_a.id]);
    assert_eq!(
        a.check_offline_redemption(&[ANNA], cap, &unsynced_a, dec!(21)),
        Err(PointsRefused::OverOfflineAllowance {
            allowance: dec!(20)
        })
    );
    b.check_offline_redemption(&[ANNA], cap, &none, spent_b.points)
        .unwrap();
    b.insert(spent_b.clone()).unwrap();

    a.merge(b.ops().cloned().collect::<Vec<_>>());
    b.merge(a.ops().cloned().collect::<Vec<_>>());
    for ledger in [&a, &b] {
        assert_eq!(ledger.balance(&[ANNA]), dec!(-30));
        let conflicts = ledger.conflicts(&[ANNA]);
        assert_eq!(conflicts.len(), 1);
        assert_eq!(
            conflicts[0].redemptions,
            vec![spent_a.clone(), spent_b.clone()]
        );
        assert_eq!(conflicts[0].overdrawn_by, dec!(30));
    }
}

fn loyalty_op() -> impl Strategy<Value = (usize, u8, i64, u8)> {
    // (customer, kind, points, device)
    (0usize..2, 0u8..4, 1i64..200, 0u8..4)
}

proptest! {
    /// Whatever order operations arrive in, and however often, every device ends with the same
    /// balances and conflicts; and the balance is always earned - spent - taken back + given back.
    #[test]
    fn points_converge_in_any_merge_order(
        ops in prop::collection::vec(loyalty_op(), 1..40),
        rotate in any::<usize>(),
    ) {
        let customers = [ANNA, ANNA_AGAIN];
        let kinds = [LoyaltyOpKind::Earn, LoyaltyOpKind::Redeem, LoyaltyOpKind::TakeBack, LoyaltyOpKind::GiveBack];
        let made: Vec<LoyaltyOp> = ops
            .iter()
            .enumerate()
            .map(|(n, (c, k, p, d))| op(n as u128, customers[*c], kinds[*k as usize], *p, *d as u128))
            .collect();
        let mut forward = LoyaltyLedger::new();
        forward.merge(made.clone());
        let mut other = made.clone();
        other.rotate_left(rotate % made.len());
        other.reverse();
        let mut backward = LoyaltyLedger::new();
        backward.merge(other.clone());
        backward.merge(other);
        for customer in customers {
            let expected: Decimal = made
                .iter()
                .filter(|o| o.customer == customer)
                .map(|o| match o.kind {
                    LoyaltyOpKind::Earn | LoyaltyOpKind::GiveBack | LoyaltyOpKind::MergeIn => {
                        o.points
                    }
                    LoyaltyOpKind::Redeem | LoyaltyOpKind::TakeBack | LoyaltyOpKind::MergeOut => {
                        -o.points
                    }
                })
                .sum();
            prop_assert_eq!(forward.balance(&[customer]), expected);
            prop_assert_eq!(backward.balance(&[customer]), expected);
            prop_assert_eq!(forward.conflicts(&[customer]), backward.conflicts(&[customer]));
        }
    }

    /// However a sale is returned bit by bit, the points taken back never pass what was earned,
    /// and returning all of it takes back exactly that.
    #[test]
    fn returns_take_back_at_most_what_was_earned(
        earned in 0i64..500,
        paid_cents in 1i64..100_000,
        parts in prop::collection::vec(1i64..100, 1..6),
    ) {
        let paid = Decimal::new(paid_cents, 2);
        let earned = Decimal::from(earned);
        let total_parts: i64 = parts.iter().sum();
        let mut refunded = Decimal::ZERO;
        let mut taken = Decimal::ZERO;
        for (k, part) in parts.iter().enumerate() {
            refunded = if k + 1 == parts.len() {
                paid
            } else {
                refunded + (paid * Decimal::from(*part) / Decimal::from(total_parts)).round_dp(2)
            };
            let back = points_to_take_back(earned, taken, paid, refunded);
            prop_assert!(back >= Decimal::ZERO && back.fract().is_zero());
            taken += back;
            prop_assert!(taken <= earned);
        }
        prop_assert_eq!(taken, earned);
    }
}

/// Points as a tender of the pay dialog (issue 14): partial and split with a card, never more
/// than is left, recorded once by the operation that spent them, and never simply undone.
mod points_tender {
    use super::*;
    use pos_core::{Payment, Tender, TenderError};

    #[test]
    fn points_pay_part_and_a_card_the_rest_once_per_operation() {
        let mut payment = Payment::new(dec!(20.00), eur());
        let op = Uuid::from_u128(0x9a01);
        assert_eq!(
            payment.add_points(ANNA, dec!(500), dec!(25.00), op, false),
            Err(TenderError::PointsExceedRemaining)
        );
        payment
            .add_points(ANNA, dec!(100), dec!(5.00), op, false)
            .unwrap();
        // The confirmation read again after a reload: recorded once.
        payment
            .add_points(ANNA, dec!(100), dec!(5.00), op, false)
            .unwrap();
        assert_eq!(payment.tenders().len(), 1);
        assert_eq!(payment.remaining(), dec!(15.00));
        assert_eq!(payment.undo_last(), Err(TenderError::PointsRedeemed));
        assert_eq!(payment.can_cancel(), Err(TenderError::PointsRedeemed));
        let back = payment.give_back_points(op).unwrap();
        assert!(matches!(back, Tender::Points { points, .. } if points == dec!(100)));
        assert_eq!(payment.can_cancel(), Ok(()));
        payment
            .add_points(ANNA, dec!(100), dec!(5.00), op, true)
            .unwrap();
        payment
            .add_card(dec!(15.00), pos_core::CardApproval::default())
            .unwrap();
        assert!(payment.is_paid());
        assert_eq!(payment.change(), Decimal::ZERO);
    }

    #[test]
    fn points_are_neither_cash_nor_card_in_the_sales_money() {
        let sale = sell_quantity(
            eur(),
            3,
            dec!(20.00),
            dec!(1),
            dec!(19),
            Pay::Points(dec!(100), dec!(5.00)),
        );
        let money = sale.refund_split();
        assert_eq!(
            money.gift_card,
            dec!(5.00),
            "stored value: the \"other\" money"
        );
        assert_eq!(money.card, dec!(15.00));
        assert_eq!(money.cash, Decimal::ZERO);
        assert_eq!(sale.points_paid(), dec!(5.00));
    }
}

/// What a sale with a customer earns, and what its returns take back and give back.
mod sale_points {
    use super::*;
    use pos_core::Refund;

    fn rule() -> LoyaltyRule {
        LoyaltyRule {
            points_per_currency_unit: dec!(1),
            points_per_visit: dec!(0),
            points_per_product: BTreeMap::new(),
            point_value: dec!(0.05),
            offline: OfflineAllowance { cap: dec!(100) },
        }
    }

    #[test]
    fn a_sale_with_a_customer_earns_by_the_rule_on_the_money_part_only() {
        // 30.00, of which 100 points paid 5.00: 25 points on the 25.00 paid by card.
        let sale = sell_quantity(
            eur(),
            4,
            dec!(30.00),
            dec!(1),
            dec!(19),
            Pay::Points(dec!(100), dec!(5.00)),
        )
        .for_customer(Some(POINTS_CUSTOMER))
        .earning_points(Some(&rule()), Some(dec!(150)));
        let points = sale.points().unwrap();
        assert_eq!(points.earned, dec!(25));
        assert_eq!(
            points.balance,
            Some(dec!(75)),
            "150 - 100 spent + 25 earned"
        );
        let op = sale.points_earned_op(Uuid::nil()).unwrap();
        assert_eq!(
            (op.kind, op.points, op.customer),
            (LoyaltyOpKind::Earn, dec!(25), POINTS_CUSTOMER)
        );
        assert_eq!(
            sale.points_earned_op(Uuid::nil()).unwrap().id,
            op.id,
            "the same id when made again"
        );
        // Read back from its record, the sale still says what it earned.
        let json = serde_json::to_string(&sale).unwrap();
        let back: pos_core::Sale = serde_json::from_str(&json).unwrap();
        assert_eq!(back.points(), sale.points());
    }

    #[test]
    fn no_customer_no_rule_or_training_earns_nothing() {
        let sale = || sell_quantity(eur(), 5, dec!(30.00), dec!(1), dec!(19), Pay::Card);
        assert_eq!(sale().earning_points(Some(&rule()), None).points(), None);
        let with_customer = || sale().for_customer(Some(POINTS_CUSTOMER));
        assert_eq!(with_customer().earning_points(None, None).points(), None);
        let training = with_customer()
            .in_training()
            .earning_points(Some(&rule()), None);
        assert_eq!(training.points_earned_op(Uuid::nil()), None);
    }

    #[test]
    fn returns_take_back_in_proportion_and_give_back_the_points_paid_with() {
        // 40.00: 100 points paid 5.00, a card 35.00; earned 35.
        let sale = sell_quantity(
            eur(),
            6,
            dec!(20.00),
            dec!(2),
            dec!(19),
            Pay::Points(dec!(100), dec!(5.00)),
        )
        .for_customer(Some(POINTS_CUSTOMER))
        .earning_points(Some(&rule()), None);
        assert_eq!(sale.points().unwrap().earned, dec!(35));
        let full = Refund::full(&sale, Uuid::from_u128(0xef1), 0, "wrong size");
        let ops = full.points_ops(&sale, Decimal::ZERO, Uuid::nil(), Uuid::nil(), 0);
        let moved: Vec<(LoyaltyOpKind, Decimal)> = ops.iter().map(|o| (o.kind, o.points)).collect();
        assert_eq!(
            moved,
            [
                (LoyaltyOpKind::GiveBack, dec!(100)),
                (LoyaltyOpKind::TakeBack, dec!(35))
            ]
        );
        assert!(
            ops[1].at_ms > ops[0].at_ms,
            "taken back after what is given back: the balance never dips below zero"
        );
        // Made again (a retry): the same ids.
        let again = full.points_ops(&sale, Decimal::ZERO, Uuid::nil(), Uuid::nil(), 0);
        assert_eq!(
            again.iter().map(|o| o.id).collect::<Vec<_>>(),
            ops.iter().map(|o| o.id).collect::<Vec<_>>()
        );

        // A return of one of two (20.00 by card) takes back half, rounded down; the second the rest.
        let mut half = Refund::full(&sale, Uuid::from_u128(0xef2), 0, "one back");
        half.amount = dec!(20.00);
        half.tenders.retain(|t| t.card == Some(1));
        half.tenders[0].amount = dec!(20.00);
        let first = half.points_ops(&sale, Decimal::ZERO, Uuid::nil(), Uuid::nil(), 0);
        assert_eq!(
            first.iter().map(|o| (o.kind, o.points)).collect::<Vec<_>>(),
            [(LoyaltyOpKind::TakeBack, dec!(17))]
        );
        let mut rest = half.clone();
        rest.id = Uuid::from_u128(0xef3);
        let second = rest.points_ops(&sale, dec!(20.00), Uuid::nil(), Uuid::nil(), 0);
        assert_eq!(
            second.iter().map(|o| o.points).sum::<Decimal>(),
            dec!(18),
            "35 in all"
        );
    }

    #[test]
    fn a_return_without_receipt_takes_back_what_the_money_would_have_earned() {
        // Goods worth 40.00 brought back with no receipt, the customer named: a point per 1.00
        // and 2 per visit (the module's rule has none per visit) would have been earned on them.
        let rule = LoyaltyRule {
            points_per_visit: dec!(2),
            ..rule()
        };
        let pay = [Pay::Cash(Decimal::ZERO), Pay::GiftCard(dec!(40.00))];
        for pay in pay {
            let goods = sell_quantity(eur(), 8, dec!(20.00), dec!(2), dec!(19), pay)
                .returned_without_receipt_by(Some(POINTS_CUSTOMER), Some(&rule));
            // As store credit on a gift card too: a sale of them would earn 42 on the money.
            assert_eq!(goods.points().map(|p| p.earned), Some(dec!(42)), "{pay:?}");
            assert_eq!(goods.customer(), Some(POINTS_CUSTOMER));
            let back = Refund::full(&goods, Uuid::from_u128(0xef9), 0, "no receipt");
            let ops = back.points_ops(&goods, Decimal::ZERO, Uuid::nil(), Uuid::nil(), 0);
            assert_eq!(
                ops.iter()
                    .map(|o| (o.kind, o.points, o.customer))
                    .collect::<Vec<_>>(),
                [(LoyaltyOpKind::TakeBack, dec!(42), POINTS_CUSTOMER)],
                "{pay:?}"
            );
            // Never below what a sale of the same goods earns by the rule.
            let sold = sell_quantity(eur(), 8, dec!(20.00), dec!(2), dec!(19), Pay::Card)
                .for_customer(Some(POINTS_CUSTOMER))
                .earning_points(Some(&rule), None);
            assert!(goods.points().unwrap().earned >= sold.points().unwrap().earned);
        }
        // No customer, no programme, or training: nothing is taken back.
        let goods = || sell_quantity(eur(), 8, dec!(20.00), dec!(2), dec!(19), Pay::Card);
        assert_eq!(
            goods()
                .returned_without_receipt_by(None, Some(&rule))
                .points(),
            None
        );
        let no_rule = goods().returned_without_receipt_by(Some(POINTS_CUSTOMER), None);
        assert_eq!((no_rule.points(), no_rule.customer()), (None, None));
        let training = goods()
            .in_training()
            .returned_without_receipt_by(Some(POINTS_CUSTOMER), Some(&rule));
        assert_eq!(training.points(), None);
    }
}
