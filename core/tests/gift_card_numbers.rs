//! Gift card numbers: read from what was typed or scanned, refused when a digit was mistyped or
//! two neighbours swapped, and made in blocks of sequential numbers.

use pos_core::gift_card::{
    GIFT_CARD_DIGITS, GiftCardNumber, MAX_BLOCK, NumberError, generate_block,
};
use proptest::prelude::*;

/// The largest body a card number has (15 digits).
const LAST_BODY: u64 = 999_999_999_999_999;

fn number(body: u64) -> GiftCardNumber {
    GiftCardNumber::from_body(body).unwrap()
}

/// `digits` with the digit at `at` replaced by `d`.
fn with_digit(digits: &str, at: usize, d: u8) -> String {
    let mut bytes = digits.as_bytes().to_vec();
    bytes[at] = b'0' + d;
    String::from_utf8(bytes).unwrap()
}

#[test]
fn a_number_reads_back_from_its_digits_its_groups_and_with_dashes() {
    let card = number(601_234_567_890_123);
    assert_eq!(card.digits().len(), GIFT_CARD_DIGITS);
    assert_eq!(card.body(), 601_234_567_890_123);
    let dashed = card.grouped().replace(' ', "-");
    for text in [
        card.digits().to_string(),
        card.grouped(),
        dashed,
        format!("  {}\n", card),
    ] {
        assert_eq!(GiftCardNumber::parse(&text), Ok(card.clone()), "{text:?}");
    }
}

#[test]
fn a_known_luhn_number_is_valid_and_its_neighbours_are_not() {
    // 4111 1111 1111 1111 is the textbook Luhn-valid 16-digit number.
    assert!(GiftCardNumber::parse("4111 1111 1111 1111").is_ok());
    assert_eq!(
        GiftCardNumber::parse("4111 1111 1111 1112"),
        Err(NumberError::CheckDigit)
    );
}

#[test]
fn letters_and_wrong_lengths_are_refused_with_what_is_wrong() {
    assert_eq!(
        GiftCardNumber::parse("4111 1111 1111 111O"),
        Err(NumberError::NotADigit('O'))
    );
    assert_eq!(
        GiftCardNumber::parse("4111 1111 1111 111"),
        Err(NumberError::WrongLength {
            expected: 16,
            found: 15
        })
    );
    assert_eq!(
        GiftCardNumber::parse(""),
        Err(NumberError::WrongLength {
            expected: 16,
            found: 0
        })
    );
}

#[test]
fn a_number_is_stored_as_its_digits_and_a_bad_one_does_not_read_back() {
    let card = number(42);
    let json = serde_json::to_string(&card).unwrap();
    assert_eq!(json, format!("\"{}\"", card.digits()));
    assert_eq!(serde_json::from_str::<GiftCardNumber>(&json).unwrap(), card);
    let typo = with_digit(
        card.digits(),
        3,
        (card.digits().as_bytes()[3] - b'0' + 1) % 10,
    );
    assert!(serde_json::from_str::<GiftCardNumber>(&format!("\"{typo}\"")).is_err());
}

#[test]
fn a_block_is_sequential_valid_and_distinct() {
    let first = number(700_000_000_000_998);
    let block = generate_block(&first, 10).unwrap();
    assert_eq!(block.len(), 10);
    assert_eq!(block[0], first);
    for (k, card) in block.iter().enumerate() {
        assert_eq!(card.body(), first.body() + k as u64);
        assert_eq!(GiftCardNumber::parse(card.digits()).as_ref(), Ok(card));
    }
    let distinct: std::collections::BTreeSet<_> = block.iter().collect();
    assert_eq!(distinct.len(), 10);
}

#[test]
fn a_block_stays_within_the_numbers_there_are_and_a_sensible_size() {
    assert_eq!(generate_block(&number(LAST_BODY - 1), 2).unwrap().len(), 2);
    assert_eq!(
        generate_block(&number(LAST_BODY - 1), 3),
        Err(NumberError::BlockPastEnd)
    );
    assert_eq!(generate_block(&number(1), 0), Err(NumberError::BlockSize));
    assert_eq!(
        generate_block(&number(1), MAX_BLOCK + 1),
        Err(NumberError::BlockSize)
    );
    assert_eq!(
        GiftCardNumber::from_body(LAST_BODY + 1),
        Err(NumberError::BlockPastEnd)
    );
}

proptest! {
    /// Any one digit typed wrong, anywhere (the check digit included), is caught.
    #[test]
    fn every_single_digit_typo_is_caught(body in 0..=LAST_BODY, at in 0..GIFT_CARD_DIGITS, delta in 1u8..10) {
        let card = number(body);
        let original = card.digits().as_bytes()[at] - b'0';
        let typo = with_digit(card.digits(), at, (original + delta) % 10);
        prop_assert_eq!(GiftCardNumber::parse(&typo), Err(NumberError::CheckDigit));
    }

    /// Two different neighbours swapped are caught, except 0 and 9: Luhn's one blind spot, since
    /// doubling 0 and 9 gives digit sums 0 and 9, the same as not doubling them.
    #[test]
    fn adjacent_swaps_are_caught_except_zero_and_nine(body in 0..=LAST_BODY, at in 0..GIFT_CARD_DIGITS - 1) {
        let card = number(body);
        let mut bytes = card.digits().as_bytes().to_vec();
        let (a, b) = (bytes[at], bytes[at + 1]);
        prop_assume!(a != b);
        bytes.swap(at, at + 1);
        let swapped = String::from_utf8(bytes).unwrap();
        let blind_spot = matches!((a, b), (b'0', b'9') | (b'9', b'0'));
        prop_assert_eq!(GiftCardNumber::parse(&swapped).is_ok(), blind_spot, "{} -> {}", card, swapped);
    }
}
