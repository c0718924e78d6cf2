//! A gift card's life on one or two devices: issued, spent, topped up, stopped and started again,
//! forced past a refusal with an authorisation code, and spent twice offline.

use std::collections::BTreeSet;

use pos_core::gift_card::{
    Authorisation, CardStatus, GiftCardLedger, GiftCardNumber, GiftCardOp, GiftCardOpError,
    GiftCardOpKind, RedemptionRefused, RedemptionRequest, check_redemption,
};
use pos_core::{Currency, OfflineAllowance, Uuid};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const STAFF: Uuid = Uuid::from_u128(0x51);
const TILL_A: Uuid = Uuid::from_u128(0xA);
const TILL_B: Uuid = Uuid::from_u128(0xB);
const CAP: OfflineAllowance = OfflineAllowance { cap: dec!(50) };

fn card() -> GiftCardNumber {
    GiftCardNumber::from_body(600_000_000_000_001).unwrap()
}

/// Makes operations with ids and stamps in order, as one device would.
struct Till {
    device: Uuid,
    ledger: GiftCardLedger,
    next_id: u128,
    clock_ms: i64,
}

impl Till {
    fn new(device: Uuid) -> Till {
        Till {
            device,
            ledger: GiftCardLedger::new(Currency::EUR),
            next_id: device.as_u128() << 32,
            clock_ms: 1_795_942_800_000,
        }
    }

    fn op(&mut self, kind: GiftCardOpKind, amount: Decimal) -> GiftCardOp {
        self.next_id += 1;
        self.clock_ms += 1_000;
        GiftCardOp {
            id: Uuid::from_u128(self.next_id),
            card: card(),
            kind,
            amount,
            staff: STAFF,
            device: self.device,
            at_ms: self.ledger.next_stamp(self.clock_ms),
            offline: false,
        }
    }

    fn record(&mut self, kind: GiftCardOpKind, amount: Decimal) -> GiftCardOp {
        let op = self.op(kind, amount);
        assert_eq!(self.ledger.insert(op.clone()), Ok(true));
        op
    }
}

fn request(amount: Decimal) -> RedemptionRequest {
    RedemptionRequest {
        card: card(),
        amount,
    }
}

fn voice(code: &str, reason: &str) -> Authorisation {
    Authorisation {
        code: code.into(),
        reason: reason.into(),
    }
}

#[test]
fn the_whole_life_of_a_card_adds_up() {
    let mut till = Till::new(TILL_A);
    assert_eq!(till.ledger.status(&card()), CardStatus::NeverActivated);
    till.record(GiftCardOpKind::Activate, dec!(50.00));
    till.record(GiftCardOpKind::Redeem, dec!(12.30));
    till.record(GiftCardOpKind::AddValue, dec!(20.00));
    till.record(GiftCardOpKind::RefundToCard, dec!(4.50));
    assert_eq!(till.ledger.balance(&card()), dec!(62.20));
    assert_eq!(till.ledger.status(&card()), CardStatus::Active);

    till.record(GiftCardOpKind::Deactivate, Decimal::ZERO);
    assert_eq!(till.ledger.status(&card()), CardStatus::Deactivated);
    assert_eq!(
        till.ledger.check_redemption(&request(dec!(1))),
        Err(RedemptionRefused::Deactivated)
    );
    // Value put on a stopped card does not start it again; a reactivation does.
    till.record(GiftCardOpKind::AddValue, dec!(1.00));
    assert_eq!(till.ledger.status(&card()), CardStatus::Deactivated);
    till.record(GiftCardOpKind::Reactivate, Decimal::ZERO);
    assert_eq!(till.ledger.status(&card()), CardStatus::Active);
    assert_eq!(
        till.ledger
            .check_redemption(&request(dec!(63.20)))
            .unwrap()
            .balance_after,
        Decimal::ZERO
    );

    let summary = till.ledger.summary(&card());
    assert_eq!(summary.balance, dec!(63.20));
    assert_eq!(summary.operations, 7);
    let kinds: Vec<_> = till
        .ledger
        .history(&card())
        .iter()
        .map(|op| op.kind.clone())
        .collect();
    assert_eq!(kinds[0], GiftCardOpKind::Activate);
    assert_eq!(kinds[6], GiftCardOpKind::Reactivate);
}

#[test]
fn a_card_is_not_redeemed_past_its_balance_nor_before_it_is_sold() {
    let mut till = Till::new(TILL_A);
    assert_eq!(
        till.ledger.check_redemption(&request(dec!(5))),
        Err(RedemptionRefused::NeverActivated)
    );
    till.record(GiftCardOpKind::Activate, dec!(25.00));
    assert_eq!(
        till.ledger.check_redemption(&request(dec!(25.01))),
        Err(RedemptionRefused::Insufficient {
            balance: dec!(25.00)
        })
    );
    assert_eq!(
        till.ledger.check_redemption(&request(dec!(0))),
        Err(RedemptionRefused::NonPositiveAmount)
    );
    assert_eq!(
        till.ledger.check_redemption(&request(dec!(1.001))),
        Err(RedemptionRefused::FinerThanCurrency)
    );
    // The server's entry point reads the same from a plain list of operations, read twice.
    let ops: Vec<GiftCardOp> = till.ledger.ops().cloned().collect();
    let twice: Vec<GiftCardOp> = ops.iter().chain(&ops).cloned().collect();
    assert_eq!(
        check_redemption(Currency::EUR, &twice, &request(dec!(25)))
            .unwrap()
            .balance_after,
        Decimal::ZERO
    );
}

#[test]
fn forced_operations_need_a_code_and_a_reason() {
    let mut till = Till::new(TILL_A);
    let currency = Currency::EUR;
    for (auth, expected) in [
        (
            voice("", "terminal down"),
            Err(GiftCardOpError::MissingAuthorisationCode),
        ),
        (
            voice("  ", "terminal down"),
            Err(GiftCardOpError::MissingAuthorisationCode),
        ),
        (voice("A1234", " "), Err(GiftCardOpError::MissingReason)),
        (voice("A1234", "server unreachable"), Ok(())),
    ] {
        let issue = till.op(GiftCardOpKind::ForcedIssue(auth.clone()), dec!(10));
        assert_eq!(issue.check(currency), expected);
        let redeem = till.op(GiftCardOpKind::ForcedRedeem(auth), dec!(10));
        assert_eq!(redeem.check(currency), expected);
        assert_eq!(till.ledger.insert(issue).is_ok(), expected.is_ok());
    }
    // The one authorised forced issue activated the card with its value.
    assert_eq!(till.ledger.balance(&card()), dec!(10));
    assert_eq!(till.ledger.status(&card()), CardStatus::Active);
}

#[test]
fn amounts_must_suit_the_kind_and_the_currency() {
    let mut till = Till::new(TILL_A);
    let eur = Currency::EUR;
    assert_eq!(
        till.op(GiftCardOpKind::Activate, dec!(0)).check(eur),
        Ok(())
    );
    assert_eq!(
        till.op(GiftCardOpKind::Activate, dec!(-1)).check(eur),
        Err(GiftCardOpError::NegativeAmount)
    );
    assert_eq!(
        till.op(GiftCardOpKind::Redeem, dec!(0)).check(eur),
        Err(GiftCardOpError::NonPositiveAmount)
    );
    assert_eq!(
        till.op(GiftCardOpKind::Deactivate, dec!(1)).check(eur),
        Err(GiftCardOpError::AmountOnStatusChange)
    );
    assert_eq!(
        till.op(GiftCardOpKind::AddValue, dec!(0.005)).check(eur),
        Err(GiftCardOpError::FinerThanCurrency {
            amount: dec!(0.005)
        })
    );
    assert_eq!(
        till.op(GiftCardOpKind::AddValue, dec!(1000000000.01))
            .check(eur),
        Err(GiftCardOpError::TooLarge)
    );
    let bad = till.op(GiftCardOpKind::Redeem, dec!(-5));
    let refused = till.ledger.merge([bad.clone()]);
    assert_eq!(refused, vec![(bad.id, GiftCardOpError::NonPositiveAmount)]);
    assert!(till.ledger.is_empty());
}

#[test]
fn two_tills_offline_spend_one_balance_and_the_conflict_names_both() {
    let mut a = Till::new(TILL_A);
    let activation = a.record(GiftCardOpKind::Activate, dec!(40.00));
    let mut b = Till::new(TILL_B);
    b.ledger.merge([activation]);

    // Both offline: each sees 40.00 and may take up to the cap of 50.00, so up to 40.00.
    let none = BTreeSet::new();
    for till in [&a, &b] {
        assert_eq!(
            till.ledger.offline_allowance(CAP, &none, &card()),
            dec!(40.00)
        );
    }
    let spent_a = a.op(GiftCardOpKind::Redeem, dec!(30.00));
    a.ledger
        .check_offline_redemption(CAP, &none, &request(spent_a.amount))
        .unwrap();
    a.ledger
        .insert(GiftCardOp {
            offline: true,
            ..spent_a.clone()
        })
        .unwrap();
    let spent_b = b.op(GiftCardOpKind::Redeem, dec!(25.00));
    b.ledger
        .check_offline_redemption(CAP, &none, &request(spent_b.amount))
        .unwrap();
    b.ledger
        .insert(GiftCardOp {
            offline: true,
            ..spent_b.clone()
        })
        .unwrap();

    // They sync: each merges the other's history, and both see one conflict with both spends.
    let a_ops: Vec<GiftCardOp> = a.ledger.ops().cloned().collect();
    let b_ops: Vec<GiftCardOp> = b.ledger.ops().cloned().collect();
    a.ledger.merge(b_ops);
    b.ledger.merge(a_ops.clone());
    a.ledger.merge(a_ops); // read again: nothing changes
    for till in [&a, &b] {
        assert_eq!(till.ledger.balance(&card()), dec!(-15.00));
        let conflicts = till.ledger.conflicts(&card());
        assert_eq!(conflicts.len(), 1, "{conflicts:#?}");
        let ids: BTreeSet<Uuid> = conflicts[0].redemptions.iter().map(|op| op.id).collect();
        assert_eq!(ids, BTreeSet::from([spent_a.id, spent_b.id]));
        assert_eq!(conflicts[0].overdrawn_by, dec!(15.00));
        assert!(!conflicts[0].covered);
        assert_eq!(till.ledger.all_conflicts(), conflicts);
        assert_eq!(till.ledger.liability(), Decimal::ZERO);
    }
    assert_eq!(a.ledger.conflicts(&card()), b.ledger.conflicts(&card()));

    // Topping the card up covers the overdraft; the conflict stays on record, marked covered.
    a.record(GiftCardOpKind::AddValue, dec!(20.00));
    let conflicts = a.ledger.conflicts(&card());
    assert_eq!(conflicts.len(), 1);
    assert!(conflicts[0].covered);
    assert_eq!(a.ledger.liability(), dec!(5.00));
}

#[test]
fn the_offline_allowance_counts_what_this_till_spent_since_it_last_synced() {
    let mut a = Till::new(TILL_A);
    a.record(GiftCardOpKind::Activate, dec!(200.00));
    let mut unsynced = BTreeSet::new();
    assert_eq!(
        a.ledger.offline_allowance(CAP, &unsynced, &card()),
        dec!(50.00)
    );
    let first = a.record(GiftCardOpKind::Redeem, dec!(35.00));
    unsynced.insert(first.id);
    assert_eq!(
        a.ledger.offline_allowance(CAP, &unsynced, &card()),
        dec!(15.00)
    );
    assert_eq!(
        a.ledger
            .check_offline_redemption(CAP, &unsynced, &request(dec!(15.01))),
        Err(RedemptionRefused::OverOfflineAllowance {
            allowance: dec!(15.00)
        })
    );
    assert!(
        a.ledger
            .check_offline_redemption(CAP, &unsynced, &request(dec!(15.00)))
            .is_ok()
    );
    // Once the server has it, the till knows the true balance and a new allowance starts.
    unsynced.clear();
    assert_eq!(
        a.ledger.offline_allowance(CAP, &unsynced, &card()),
        dec!(50.00)
    );
}

#[test]
fn a_till_whose_clock_is_behind_still_stamps_after_what_it_has_seen() {
    let mut a = Till::new(TILL_A);
    a.record(GiftCardOpKind::Activate, dec!(10.00));
    let mut late = Till::new(TILL_B);
    late.clock_ms -= 3_600_000; // an hour behind
    late.ledger.merge(a.ledger.ops().cloned());
    let spend = late.record(GiftCardOpKind::Redeem, dec!(10.00));
    let activation_stamp = a.ledger.history(&card())[0].at_ms;
    assert!(spend.at_ms > activation_stamp);
    assert_eq!(late.ledger.balance(&card()), Decimal::ZERO);
    assert!(late.ledger.conflicts(&card()).is_empty());
}

#[test]
fn the_report_counts_a_period_and_the_liability_every_card() {
    let mut a = Till::new(TILL_A);
    a.record(GiftCardOpKind::Activate, dec!(50.00));
    let from = a.clock_ms + 1;
    a.record(GiftCardOpKind::Redeem, dec!(10.00));
    a.record(GiftCardOpKind::AddValue, dec!(5.00));
    a.record(GiftCardOpKind::RefundToCard, dec!(2.00));
    a.record(
        GiftCardOpKind::ForcedRedeem(voice("77", "no signal")),
        dec!(3.00),
    );
    let to = a.clock_ms + 1;
    a.record(GiftCardOpKind::Redeem, dec!(1.00));
    let totals = a.ledger.totals_between(from, to);
    assert_eq!(totals.issued, Decimal::ZERO);
    assert_eq!(totals.activations, 0);
    assert_eq!(totals.redeemed, dec!(13.00));
    assert_eq!(totals.added, dec!(5.00));
    assert_eq!(totals.refunded_to_cards, dec!(2.00));
    assert_eq!(a.ledger.totals_between(0, from).issued, dec!(50.00));
    assert_eq!(a.ledger.liability(), dec!(43.00));
}

#[test]
fn a_write_off_takes_the_balance_stops_the_card_and_counts_as_expired_with_its_reason() {
    let mut a = Till::new(TILL_A);
    a.record(GiftCardOpKind::Activate, dec!(40.00));
    a.record(GiftCardOpKind::Redeem, dec!(15.00));
    let unexplained = a.op(
        GiftCardOpKind::Expire {
            reason: "  ".into(),
        },
        dec!(25.00),
    );
    assert_eq!(
        unexplained.check(Currency::EUR),
        Err(GiftCardOpError::MissingReason)
    );
    let from = a.clock_ms + 1;
    let expire = a.record(
        GiftCardOpKind::Expire {
            reason: "terms: 3 years".into(),
        },
        dec!(25.00),
    );
    assert_eq!(expire.check(Currency::EUR), Ok(()));
    assert_eq!(a.ledger.balance(&card()), Decimal::ZERO);
    assert_eq!(a.ledger.status(&card()), CardStatus::Deactivated);
    assert_eq!(a.ledger.liability(), Decimal::ZERO);
    let totals = a.ledger.totals_between(from, a.clock_ms + 1);
    assert_eq!(
        (totals.expired, totals.redeemed),
        (dec!(25.00), Decimal::ZERO)
    );
}

#[test]
fn the_report_file_has_a_row_per_card_that_moved_in_the_period() {
    let mut a = Till::new(TILL_A);
    a.record(GiftCardOpKind::Activate, dec!(30.00));
    let from = a.clock_ms + 1;
    a.record(GiftCardOpKind::Redeem, dec!(12.50));
    let last = a.record(GiftCardOpKind::Redeem, dec!(20.00)); // overdraws by 2.50
    let quiet = GiftCardNumber::from_body(600_000_000_000_777).unwrap();
    let activation = GiftCardOp {
        card: quiet.clone(),
        ..a.op(GiftCardOpKind::Activate, dec!(9))
    };
    let to = activation.at_ms;
    a.ledger.insert(activation).unwrap();

    let csv = a.ledger.report_csv(from, to);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, pos_core::gift_card::GIFT_CARD_CSV_HEADER);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let number = card();
    let expected = [
        number.digits(),
        "active",
        "-2.50",
        "0",
        "0",
        "32.50",
        "0",
        "1",
        &last.at_ms.to_string(),
    ];
    assert_eq!(rows, vec![expected.map(String::from).to_vec()]);
    assert!(!csv.contains(quiet.digits()));
}

#[test]
fn operations_are_stored_as_json_and_read_back_the_same() {
    let mut a = Till::new(TILL_A);
    let ops = [
        a.op(GiftCardOpKind::Activate, dec!(20.00)),
        GiftCardOp {
            offline: true,
            ..a.op(GiftCardOpKind::Redeem, dec!(5.10))
        },
        a.op(
            GiftCardOpKind::ForcedRedeem(voice("K9", "no signal")),
            dec!(1.00),
        ),
        a.op(GiftCardOpKind::Deactivate, dec!(0)),
    ];
    for op in ops {
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(
            serde_json::from_str::<GiftCardOp>(&json).unwrap(),
            op,
            "{json}"
        );
        // Amounts are decimal strings, never floats; the offline flag only when set.
        assert!(
            json.contains(&format!("\"amount\":\"{}\"", op.amount)),
            "{json}"
        );
        assert_eq!(json.contains("offline"), op.offline, "{json}");
    }
}

#[test]
fn one_id_with_two_different_operations_keeps_the_same_one_in_any_order() {
    let mut a = Till::new(TILL_A);
    let real = a.op(GiftCardOpKind::Activate, dec!(20.00));
    let forged = GiftCardOp {
        amount: dec!(900.00),
        ..real.clone()
    };
    let mut one = GiftCardLedger::new(Currency::EUR);
    one.merge([real.clone(), forged.clone()]);
    let mut other = GiftCardLedger::new(Currency::EUR);
    other.merge([forged, real.clone()]);
    assert_eq!(one.len(), 1);
    assert_eq!(one.balance(&card()), other.balance(&card()));
    assert_eq!(one.history(&card()), other.history(&card()));

    // The same with the two naming different cards: the card of the one dropped is not listed.
    let elsewhere = GiftCardNumber::from_body(1).unwrap();
    let moved = GiftCardOp {
        card: elsewhere,
        ..real.clone()
    };
    let (lesser, greater) = if moved < real {
        (moved, real)
    } else {
        (real, moved)
    };
    let mut first_greater = GiftCardLedger::new(Currency::EUR);
    first_greater.merge([greater.clone(), lesser.clone()]);
    let mut first_lesser = GiftCardLedger::new(Currency::EUR);
    first_lesser.merge([lesser.clone(), greater]);
    for ledger in [&first_greater, &first_lesser] {
        assert_eq!(ledger.cards().collect::<Vec<_>>(), vec![&lesser.card]);
        assert_eq!(ledger.ops().collect::<Vec<_>>(), vec![&lesser]);
    }
}

/// The period report's file: the header, one row per operation as the server listed them, then
/// one row per total; amounts as the decimal strings they are, a typed reason that a
/// spreadsheet would run as a formula written as text.
#[test]
fn the_period_report_file_has_a_row_per_operation_and_then_the_totals() {
    use pos_core::gift_card::{GIFT_CARD_PERIOD_CSV_HEADER, GiftCardPeriodReport, PeriodOp};
    let number = card().digits().to_string();
    let op = |kind: &str, amount: Option<Decimal>| PeriodOp {
        op_id: Uuid::from_u128(0x0f1),
        made_at: "2026-11-03T09:00:00Z".into(),
        card: number.clone(),
        kind: kind.into(),
        amount,
        offline: false,
        device: "dev-1".into(),
        staff: STAFF,
        auth_code: None,
        reason: None,
    };
    let forced = PeriodOp {
        auth_code: Some("VOICE-1".into()),
        reason: Some("=HYPERLINK(\"x\")".into()),
        offline: true,
        ..op("forced_redeem", Some(dec!(3.00)))
    };
    let report = GiftCardPeriodReport {
        currency: "EUR".into(),
        from: "2026-11-01T00:00:00Z".into(),
        to: "2026-12-01T00:00:00Z".into(),
        issued: dec!(50.00),
        added: dec!(0.00),
        redeemed: dec!(3.00),
        refunded_to_cards: dec!(0.00),
        expired: dec!(0.00),
        liability: dec!(47.00),
        overdrawn: dec!(0.00),
        ops: vec![
            op("issue", Some(dec!(50.00))),
            forced,
            op("deactivate", None),
        ],
        ops_left_out: 0,
    };
    let csv = report.csv();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, GIFT_CARD_PERIOD_CSV_HEADER);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let cells = |row: &Vec<String>| (row[1].clone(), row[2].clone(), row[3].clone());
    let kinds: Vec<(String, String, String)> = rows.iter().map(cells).collect();
    let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        kinds,
        [
            s("issue", &number, "50.00"),
            s("forced_redeem", &number, "3.00"),
            s("deactivate", &number, ""),
            s("total_issued", "", "50.00"),
            s("total_added", "", "0.00"),
            s("total_redeemed", "", "3.00"),
            s("total_refunded_to_cards", "", "0.00"),
            s("total_expired", "", "0.00"),
            s("liability_at_end", "", "47.00"),
            s("overdrawn_at_end", "", "0.00"),
        ]
    );
    assert_eq!(rows[1][4], "true");
    assert_eq!(rows[1][8], "VOICE-1");
    assert_eq!(rows[1][9], "'=HYPERLINK(\"x\")");
    assert_eq!(rows[3][0], "2026-12-01T00:00:00Z");
    // The report travels as JSON from the server to the register unchanged.
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains("\"liability\":\"47.00\""), "{json}");
    let back: GiftCardPeriodReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}
