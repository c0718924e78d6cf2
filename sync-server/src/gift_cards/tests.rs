//! The rules of one operation, without a database: card numbers, amounts, and [`apply`].

use super::*;
use pos_core::gift_card::{GiftCardNumber, NumberError};

fn op(kind: OpKind, amount: Option<&str>) -> NewOp {
    NewOp {
        op_id: Uuid::nil(),
        card: "4111111111111111".into(),
        kind,
        amount: amount.map(Into::into),
        staff: Uuid::nil(),
        made_at: "2026-11-29T12:00:00Z".into(),
        offline: false,
        auth_code: None,
        reason: None,
    }
}

fn checked(kind: OpKind, amount: &str) -> CheckedOp {
    let (auth_code, reason) = match kind.is_forced() {
        true => (Some("A1".to_string()), Some("server down".to_string())),
        false => (None, None),
    };
    NewOp {
        auth_code,
        reason,
        ..op(kind, Some(amount))
    }
    .check(2)
    .unwrap()
}

fn card(balance: &str, active: bool) -> Option<CardBalance> {
    Some(CardBalance {
        balance: balance.parse().unwrap(),
        active,
    })
}

fn zero() -> Decimal {
    Decimal::new(0, 2)
}

#[test]
fn card_numbers_are_read_as_core_issues_them() {
    let issued = GiftCardNumber::from_body(601_100_012_345_678).unwrap();
    let digits = issued.digits();
    assert_eq!(check_card_number(digits).unwrap(), digits);
    assert_eq!(
        check_card_number("4111111111111111").unwrap(),
        "4111111111111111"
    );
    // As printed on the card, or typed with dashes: the same digits.
    assert_eq!(check_card_number(&issued.grouped()).unwrap(), digits);
    assert_eq!(
        check_card_number(&issued.grouped().replace(' ', "-")).unwrap(),
        digits
    );

    // A mistyped digit: refused, and the message says to look for a typo.
    let last = digits.as_bytes()[15] - b'0';
    let mistyped = format!("{}{}", &digits[..15], (last + 1) % 10);
    let refused = check_card_number(&mistyped).unwrap_err();
    assert!(matches!(
        refused,
        GiftCardError::BadNumber(NumberError::CheckDigit)
    ));
    assert_eq!(
        refused.to_string(),
        "This is not a gift card number: the check digit does not match: check the number for \
         a typo. Scan or type it again."
    );
    let swapped = format!("{}{}{}", &digits[1..2], &digits[..1], &digits[2..]);
    assert!(matches!(
        check_card_number(&swapped),
        Err(GiftCardError::BadNumber(NumberError::CheckDigit))
    ));

    for (bad, found) in [
        // Valid Luhn numbers of other lengths, which the server took before and core never
        // issues.
        ("79927398713", 11),
        ("00000000", 8),
        ("1234567812345678905", 19),
        ("1234567", 7),
        ("", 0),
    ] {
        assert!(
            matches!(
                check_card_number(bad),
                Err(GiftCardError::BadNumber(NumberError::WrongLength { expected: 16, found: f }))
                    if f == found
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        check_card_number("４１１１111111111111"),
        Err(GiftCardError::BadNumber(NumberError::NotADigit('４')))
    ));
}

#[test]
fn amounts_are_positive_bounded_decimal_strings_at_the_currency_scale() {
    assert_eq!(parse_amount("12.5", 2).unwrap().to_string(), "12.50");
    assert_eq!(parse_amount("7", 2).unwrap().to_string(), "7.00");
    assert_eq!(parse_amount("150", 0).unwrap().to_string(), "150");
    assert_eq!(
        parse_amount("1000000000", 2).unwrap().to_string(),
        "1000000000.00"
    );
    for bad in [
        "0",
        "0.00",
        "-1",
        "+1",
        "1e3",
        "1_000",
        "12.505",
        "1000000000.01",
        "10000000000",
        ".5",
        "5.",
        "",
        " 5",
        "NaN",
        "1.5", // 1.5 in a currency without decimals, below
    ] {
        let decimals = if bad == "1.5" { 0 } else { 2 };
        assert!(
            matches!(parse_amount(bad, decimals), Err(GiftCardError::Invalid(_))),
            "{bad}"
        );
    }
}

#[test]
fn forced_operations_need_an_authorisation_code_and_a_reason_and_others_take_none() {
    let forced = |auth: Option<&str>, reason: Option<&str>| NewOp {
        auth_code: auth.map(Into::into),
        reason: reason.map(Into::into),
        ..op(OpKind::ForcedRedeem, Some("5"))
    };
    assert!(matches!(
        forced(None, Some("line down")).check(2),
        Err(GiftCardError::AuthorisationNeeded)
    ));
    assert!(matches!(
        forced(Some("  "), Some("line down")).check(2),
        Err(GiftCardError::AuthorisationNeeded)
    ));
    assert!(matches!(
        forced(Some("A1B2"), None).check(2),
        Err(GiftCardError::AuthorisationNeeded)
    ));
    let ok = forced(Some(" A1B2 "), Some("line down")).check(2).unwrap();
    assert_eq!(ok.auth_code.as_deref(), Some("A1B2"));
    let plain = NewOp {
        auth_code: Some("A1B2".into()),
        ..op(OpKind::Redeem, Some("5"))
    };
    assert!(matches!(plain.check(2), Err(GiftCardError::Invalid(_))));
}

#[test]
fn status_operations_carry_no_amount_and_value_operations_need_one() {
    assert!(op(OpKind::Deactivate, None).check(2).is_ok());
    assert!(matches!(
        op(OpKind::Deactivate, Some("1")).check(2),
        Err(GiftCardError::Invalid(_))
    ));
    assert!(matches!(
        op(OpKind::AddValue, None).check(2),
        Err(GiftCardError::Invalid(_))
    ));
}

#[test]
fn a_redemption_online_takes_no_more_than_the_balance_of_an_active_card() {
    let redeem = checked(OpKind::Redeem, "30");
    let after = apply(card("100.00", true), &redeem, zero()).unwrap();
    assert_eq!(after.balance.to_string(), "70.00");
    assert!(matches!(
        apply(card("20.00", true), &redeem, zero()),
        Err(GiftCardError::InsufficientBalance { .. })
    ));
    assert!(matches!(
        apply(card("100.00", false), &redeem, zero()),
        Err(GiftCardError::CardInactive)
    ));
    assert!(matches!(
        apply(None, &redeem, zero()),
        Err(GiftCardError::UnknownCard)
    ));
}

#[test]
fn a_forced_redemption_passes_the_balance_but_not_a_deactivation() {
    let forced = checked(OpKind::ForcedRedeem, "30");
    let after = apply(card("20.00", true), &forced, zero()).unwrap();
    assert_eq!(after.balance.to_string(), "-10.00");
    assert!(matches!(
        apply(card("20.00", false), &forced, zero()),
        Err(GiftCardError::CardInactive)
    ));
}

#[test]
fn an_operation_made_offline_is_applied_whatever_the_card() {
    let offline = CheckedOp {
        offline: true,
        ..checked(OpKind::Redeem, "30")
    };
    let after = apply(card("20.00", false), &offline, zero()).unwrap();
    assert_eq!(after.balance.to_string(), "-10.00");
    assert!(!after.active);
    let unknown = apply(None, &offline, zero()).unwrap();
    assert_eq!(unknown.balance.to_string(), "-30.00");
}

#[test]
fn issuing_makes_a_card_once_and_forced_issue_adds_to_any() {
    let issue = checked(OpKind::Issue, "50");
    assert_eq!(
        apply(None, &issue, zero()).unwrap(),
        CardBalance {
            balance: "50.00".parse().unwrap(),
            active: true
        }
    );
    assert!(matches!(
        apply(card("0.00", true), &issue, zero()),
        Err(GiftCardError::CardExists)
    ));
    let forced = checked(OpKind::ForcedIssue, "5");
    let after = apply(card("1.00", false), &forced, zero()).unwrap();
    assert_eq!(
        (after.balance.to_string().as_str(), after.active),
        ("6.00", false)
    );
}

#[test]
fn deactivation_and_reactivation_flip_the_status_only() {
    let off = op(OpKind::Deactivate, None).check(2).unwrap();
    let on = op(OpKind::Reactivate, None).check(2).unwrap();
    let after = apply(card("9.00", true), &off, zero()).unwrap();
    assert_eq!(
        (after.balance.to_string().as_str(), after.active),
        ("9.00", false)
    );
    assert!(apply(Some(after), &on, zero()).unwrap().active);
    assert!(matches!(
        apply(None, &off, zero()),
        Err(GiftCardError::UnknownCard)
    ));
}

#[test]
fn a_refunded_sale_takes_the_whole_value_back_and_stops_the_card_only_while_it_holds_it() {
    let back = checked(OpKind::SaleRefunded, "25");
    let after = apply(card("25.00", true), &back, zero()).unwrap();
    assert_eq!(
        (after.balance.to_string().as_str(), after.active),
        ("0.00", false)
    );
    // Spent in part: the money must not go back, the card keeps its balance.
    assert!(matches!(
        apply(card("24.99", true), &back, zero()),
        Err(GiftCardError::InsufficientBalance { .. })
    ));
    // Stopped already (lost, or taken back before): refused as any redemption is.
    assert!(matches!(
        apply(card("25.00", false), &back, zero()),
        Err(GiftCardError::CardInactive)
    ));
    assert!(matches!(
        apply(None, &back, zero()),
        Err(GiftCardError::UnknownCard)
    ));
    // Never from a till offline, which could not know whether the card was spent.
    let offline = NewOp {
        offline: true,
        ..op(OpKind::SaleRefunded, Some("25"))
    };
    assert!(matches!(offline.check(2), Err(GiftCardError::Invalid(_))));
}
