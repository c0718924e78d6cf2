//! A gift card's number: 16 digits, the last a Luhn check digit, so a mistyped digit (and almost
//! every swap of two neighbours) is refused at the till instead of charging someone else's card.
//! Read from what a person typed or a scanner sent: spaces and dashes between digits are allowed.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Digits in a card number, check digit included.
pub const GIFT_CARD_DIGITS: usize = 16;
/// The most numbers one block may hold: a block is printed and handed out at once.
pub const MAX_BLOCK: u32 = 10_000;

/// The part before the check digit is at most this.
const MAX_BODY: u64 = 10u64.pow(GIFT_CARD_DIGITS as u32 - 1) - 1;

/// A gift card number with a valid check digit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GiftCardNumber(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// Something other than a digit, a space or a dash.
    #[error("a card number has only digits, not {0:?}")]
    NotADigit(char),
    #[error("a card number has {expected} digits, this has {found}")]
    WrongLength { expected: usize, found: usize },
    /// The digits do not add up: most likely one was mistyped or two were swapped.
    #[error("the check digit does not match: check the number for a typo")]
    CheckDigit,
    /// A block would run past the last number there is.
    #[error("the block runs past the last card number")]
    BlockPastEnd,
    #[error("a block has 1 to {MAX_BLOCK} cards")]
    BlockSize,
}

impl GiftCardNumber {
    /// Reads a typed or scanned number: spaces and dashes are dropped, the check digit checked.
    pub fn parse(text: &str) -> Result<GiftCardNumber, NumberError> {
        let mut digits = String::with_capacity(GIFT_CARD_DIGITS);
        for c in text.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                other => return Err(NumberError::NotADigit(other)),
            }
        }
        if digits.len() != GIFT_CARD_DIGITS {
            return Err(NumberError::WrongLength {
                expected: GIFT_CARD_DIGITS,
                found: digits.len(),
            });
        }
        let (body, check) = digits.split_at(GIFT_CARD_DIGITS - 1);
        if luhn_check_digit(body) != check.as_bytes()[0] - b'0' {
            return Err(NumberError::CheckDigit);
        }
        Ok(GiftCardNumber(digits))
    }

    /// The number whose first 15 digits are `body` (zero-padded), with its check digit.
    pub fn from_body(body: u64) -> Result<GiftCardNumber, NumberError> {
        if body > MAX_BODY {
            return Err(NumberError::BlockPastEnd);
        }
        let mut digits = format!("{body:0width$}", width = GIFT_CARD_DIGITS - 1);
        let check = luhn_check_digit(&digits);
        digits.push(char::from(b'0' + check));
        Ok(GiftCardNumber(digits))
    }

    /// The 15 digits before the check digit, as a number.
    pub fn body(&self) -> u64 {
        self.0[..GIFT_CARD_DIGITS - 1]
            .parse()
            .expect("a parsed number holds only digits")
    }

    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The last four digits, check digit included: all a receipt or a screen shows of a card
    /// it does not need whole ("Gift card **** 1234").
    pub fn last_four(&self) -> &str {
        &self.0[GIFT_CARD_DIGITS - 4..]
    }

    /// In groups of four, as printed on a card or a gift receipt: `6012 3456 7890 1234`.
    pub fn grouped(&self) -> String {
        let groups: Vec<&str> = (0..GIFT_CARD_DIGITS)
            .step_by(4)
            .map(|at| &self.0[at..at + 4])
            .collect();
        groups.join(" ")
    }
}

/// `n` sequential numbers starting at `first`: the bodies count up by one, each with its own
/// check digit, as a block of cards sold and activated together.
pub fn generate_block(first: &GiftCardNumber, n: u32) -> Result<Vec<GiftCardNumber>, NumberError> {
    if n == 0 || n > MAX_BLOCK {
        return Err(NumberError::BlockSize);
    }
    let start = first.body();
    (0..u64::from(n))
        .map(|k| GiftCardNumber::from_body(start + k))
        .collect()
}

/// The Luhn check digit of `body` (digits only): from the right, every other digit starting with
/// the last is doubled (its digits summed), and the check digit brings the sum to a multiple of 10.
fn luhn_check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(at, b)| {
            let d = u32::from(b - b'0');
            if at % 2 == 0 {
                let doubled = d * 2;
                doubled / 10 + doubled % 10
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

impl fmt::Display for GiftCardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<GiftCardNumber> for String {
    fn from(number: GiftCardNumber) -> String {
        number.0
    }
}

impl TryFrom<String> for GiftCardNumber {
    type Error = NumberError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        GiftCardNumber::parse(&text)
    }
}
