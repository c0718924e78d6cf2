//! The store's own gift cards (issue 14), as the server keeps them: a ledger of every operation
//! on a store's cards (`ledger.rs`), from which each card's balance and status follow. Online, a
//! till asks the server before it redeems, and the server checks the balance and records the
//! redemption in one `BEGIN IMMEDIATE` transaction, so two tills online never spend one balance
//! twice. Offline, a till redeems on its own and reports the operation later: the server records
//! it whatever the balance (it happened), and an overdraft becomes a conflict for a manager, with
//! the operations that spent the money. `http.rs` maps this onto `/api/gift-cards/...`.
//!
//! This module stands apart from core's gift card domain on purpose (built at the same time):
//! it needs only a card number, read by core's own parser ([`check_card_number`], so the server
//! takes exactly the numbers core issues), and the rules of one operation, here in [`apply`].

pub mod http;
pub mod ledger;

use pos_core::gift_card::{GiftCardNumber, NumberError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::enroll::millis;

/// The largest body `POST /api/gift-cards/ops` reads: an operation is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The largest amount of one operation, in the store's currency. Far above any real gift card,
/// it keeps a balance (a sum of operations) well inside `Decimal`'s range.
pub const MAX_AMOUNT: u64 = 1_000_000_000;
/// Gift cards one store may hold: bounds what one store's devices can make the server keep, and
/// the time a liability report (a sum over every card) takes.
pub const MAX_CARDS_PER_STORE: u64 = 100_000;
/// Operations one card may have: a card used every day for ten years has ~3,650. Bounds a
/// card's history, which `GET /api/gift-cards/{number}` answers whole.
pub const MAX_OPS_PER_CARD: u64 = 5_000;
/// Conflicts `GET /api/gift-cards/conflicts` lists, the newest first.
pub const MAX_CONFLICTS_LISTED: u32 = 1_000;
/// Operations `GET /api/gift-cards/report` lists (its totals count them all): a busy store's
/// month is a few thousand.
pub const MAX_REPORT_OPS: usize = 50_000;
/// The longest authorisation code of a forced operation (a processor's voice code is ~6).
pub const MAX_AUTH_CODE_CHARS: usize = 32;
/// The longest reason of a forced operation.
pub const MAX_REASON_CHARS: usize = 200;

/// What an operation does to a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpKind {
    /// Sells and activates a new card with a value.
    Issue,
    AddValue,
    /// Pays with the card (a tender).
    Redeem,
    /// A return paid back onto the card.
    RefundToCard,
    Deactivate,
    Reactivate,
    /// Issues value past the normal checks, with an authorisation code and a reason: onto a card
    /// the server already has, even a deactivated one.
    ForcedIssue,
    /// Redeems past the balance, with an authorisation code and a reason.
    ForcedRedeem,
    /// The sale that sold the card refunded: takes the value it issued back off and stops the
    /// card, refused (as a redemption is) unless the card is active and still holds that value.
    SaleRefunded,
    /// A manager writes the card's whole remaining value off as expired, with a reason, and
    /// stops the card: refused unless the card is active and holds exactly that value, so
    /// nothing spent or added since the manager looked is written off.
    Expire,
}

impl OpKind {
    const ALL: [OpKind; 10] = [
        OpKind::Issue,
        OpKind::AddValue,
        OpKind::Redeem,
        OpKind::RefundToCard,
        OpKind::Deactivate,
        OpKind::Reactivate,
        OpKind::ForcedIssue,
        OpKind::ForcedRedeem,
        OpKind::SaleRefunded,
        OpKind::Expire,
    ];

    /// The stored and JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            OpKind::Issue => "issue",
            OpKind::AddValue => "add_value",
            OpKind::Redeem => "redeem",
            OpKind::RefundToCard => "refund_to_card",
            OpKind::Deactivate => "deactivate",
            OpKind::Reactivate => "reactivate",
            OpKind::ForcedIssue => "forced_issue",
            OpKind::ForcedRedeem => "forced_redeem",
            OpKind::SaleRefunded => "sale_refunded",
            OpKind::Expire => "expire",
        }
    }

    fn from_stored(name: &str) -> Option<OpKind> {
        OpKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// How the operation moves the balance: +1 adds its amount, -1 takes it, 0 moves none (and
    /// carries no amount).
    fn sign(self) -> i8 {
        match self {
            OpKind::Issue | OpKind::AddValue | OpKind::RefundToCard | OpKind::ForcedIssue => 1,
            OpKind::Redeem | OpKind::ForcedRedeem | OpKind::SaleRefunded | OpKind::Expire => -1,
            OpKind::Deactivate | OpKind::Reactivate => 0,
        }
    }

    fn is_forced(self) -> bool {
        matches!(self, OpKind::ForcedIssue | OpKind::ForcedRedeem)
    }
}

/// The body of `POST /api/gift-cards/ops`: one operation as a till made it. The device is the
/// one whose token sent it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOp {
    /// Made by the till; sending it again returns the first answer.
    pub op_id: Uuid,
    pub card: String,
    pub kind: OpKind,
    /// A decimal string ("12.50"); absent for deactivate and reactivate.
    #[serde(default)]
    pub amount: Option<String>,
    /// The staff member signed in at the till.
    pub staff: Uuid,
    /// When the till made it, RFC 3339 in UTC.
    pub made_at: String,
    /// Made while the till could not reach the server, and reported now.
    #[serde(default)]
    pub offline: bool,
    #[serde(default)]
    pub auth_code: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// A [`NewOp`] whose fields are checked and normalised (the amount at the currency's scale), so
/// that two sendings of one operation compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedOp {
    pub op_id: Uuid,
    pub card: String,
    pub kind: OpKind,
    pub amount: Option<Decimal>,
    pub staff: Uuid,
    /// Unix milliseconds.
    pub made_at: i64,
    pub offline: bool,
    pub auth_code: Option<String>,
    pub reason: Option<String>,
}

/// Why an operation or a question about a card was refused. The messages are for the person at
/// the till; `http.rs` gives each a stable reason code.
#[derive(Debug, thiserror::Error)]
pub enum GiftCardError {
    /// Not a number core issues ([`GiftCardNumber::parse`]); says what is wrong with it.
    #[error("This is not a gift card number: {0}. Scan or type it again.")]
    BadNumber(#[from] NumberError),
    /// A field is not accepted; the text says which.
    #[error("{0}")]
    Invalid(String),
    #[error("A forced operation needs the authorisation code and the reason for it.")]
    AuthorisationNeeded,
    #[error("This store has no gift card with this number. Check the number, or issue the card.")]
    UnknownCard,
    #[error("This gift card is deactivated. A manager can reactivate it.")]
    CardInactive,
    #[error("The gift card holds {balance}, less than {asked}. Take the rest with another tender.")]
    InsufficientBalance { balance: Decimal, asked: Decimal },
    #[error("This gift card is already issued. Add value to it instead.")]
    CardExists,
    /// A write-off of a balance the card no longer holds (spent or topped up meanwhile).
    #[error("The gift card now holds {balance}. Look it up again before writing it off.")]
    BalanceChanged { balance: Decimal },
    #[error(
        "This operation id was already used for a different operation. Send the operation with \
         a new id."
    )]
    OpIdReused,
    #[error("The store has {MAX_CARDS_PER_STORE} gift cards, the most the server keeps.")]
    TooManyCards,
    #[error(
        "This gift card has {MAX_OPS_PER_CARD} operations, the most the server keeps. Issue a new card."
    )]
    TooManyOps,
    #[error(transparent)]
    Storage(#[from] rusqlite::Error),
}

/// Reads a card number as core issues them ([`GiftCardNumber::parse`]: 16 digits, the last a
/// Luhn check digit of the others, so that a mistyped digit or two swapped neighbours are
/// caught at the till; spaces and dashes between digits are dropped) and returns its digits, the
/// form the ledger keys cards by.
pub fn check_card_number(number: &str) -> Result<String, GiftCardError> {
    Ok(GiftCardNumber::parse(number)?.digits().to_string())
}

/// Parses an amount: a plain decimal string (no sign, exponent or separators), positive, at
/// most [`MAX_AMOUNT`], with at most `decimals` digits after the point; returned at that scale.
pub fn parse_amount(text: &str, decimals: u32) -> Result<Decimal, GiftCardError> {
    let invalid = || {
        GiftCardError::Invalid(format!(
            "The amount must be a decimal string such as \"12.50\", above 0, at most \
             {MAX_AMOUNT}, with at most {decimals} digits after the point."
        ))
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 10
        || !digits_only(whole)
        || !digits_only(fraction)
        || fraction.len() > decimals as usize
        || (text.contains('.') && fraction.is_empty())
    {
        return Err(invalid());
    }
    let mut amount: Decimal = text.parse().map_err(|_| invalid())?;
    if amount <= Decimal::ZERO || amount > Decimal::from(MAX_AMOUNT) {
        return Err(invalid());
    }
    amount.rescale(decimals);
    Ok(amount)
}

/// A forced operation's authorisation code or reason: trimmed, non-empty, on one line.
fn forced_text(text: Option<&str>, max: usize) -> Result<String, GiftCardError> {
    let text = text.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err(GiftCardError::AuthorisationNeeded);
    }
    if text.chars().count() > max || text.chars().any(char::is_control) {
        return Err(GiftCardError::Invalid(format!(
            "An authorisation code or reason has at most {max} characters, on one line."
        )));
    }
    Ok(text.to_string())
}

impl NewOp {
    /// Checks every field that does not depend on the card, with amounts in a currency of
    /// `decimals` digits after the point.
    pub fn check(self, decimals: u32) -> Result<CheckedOp, GiftCardError> {
        let card = check_card_number(&self.card)?;
        let amount = match (self.kind.sign(), self.amount.as_deref()) {
            (0, None) => None,
            (0, Some(_)) => {
                return Err(GiftCardError::Invalid(format!(
                    "A {} operation carries no amount.",
                    self.kind.as_str()
                )));
            }
            (_, None) => {
                return Err(GiftCardError::Invalid(format!(
                    "A {} operation needs an amount.",
                    self.kind.as_str()
                )));
            }
            (_, Some(text)) => Some(parse_amount(text, decimals)?),
        };
        let (auth_code, reason) = if self.kind.is_forced() {
            (
                Some(forced_text(self.auth_code.as_deref(), MAX_AUTH_CODE_CHARS)?),
                Some(forced_text(self.reason.as_deref(), MAX_REASON_CHARS)?),
            )
        } else if self.kind == OpKind::Expire {
            if self.auth_code.is_some() {
                return Err(GiftCardError::Invalid(
                    "A write-off carries a reason, not an authorisation code.".into(),
                ));
            }
            (
                None,
                Some(forced_text(self.reason.as_deref(), MAX_REASON_CHARS)?),
            )
        } else if self.auth_code.is_some() || self.reason.is_some() {
            return Err(GiftCardError::Invalid(
                "Only a forced operation carries an authorisation code and a reason.".into(),
            ));
        } else {
            (None, None)
        };
        if self.kind == OpKind::Expire && self.offline {
            return Err(GiftCardError::Invalid(
                "A gift card balance is written off online only.".into(),
            ));
        }
        if self.kind == OpKind::SaleRefunded && self.offline {
            // Taking a sold card back is checked against its balance here, never on a till alone.
            return Err(GiftCardError::Invalid(
                "A refunded sale of a gift card is recorded online only.".into(),
            ));
        }
        let made_at = humantime::parse_rfc3339(&self.made_at).map_err(|_| {
            GiftCardError::Invalid(
                "made_at must be a time in RFC 3339, in UTC (2026-11-29T12:00:00Z).".into(),
            )
        })?;
        Ok(CheckedOp {
            op_id: self.op_id,
            card,
            kind: self.kind,
            amount,
            staff: self.staff,
            made_at: millis(made_at),
            offline: self.offline,
            auth_code,
            reason,
        })
    }
}

/// What the server knows of a card between operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardBalance {
    /// The sum of the card's operations; below zero after an overdraft reported from offline.
    pub balance: Decimal,
    pub active: bool,
}

/// The card after `op`, or why `op` is refused. `card` is `None` for a number the store has no
/// card under; `zero` is 0 at the currency's scale. An operation made offline is never refused:
/// it happened, so it is applied as it is, and an overdraft shows as a negative balance.
pub fn apply(
    card: Option<CardBalance>,
    op: &CheckedOp,
    zero: Decimal,
) -> Result<CardBalance, GiftCardError> {
    let amount = op.amount.unwrap_or(zero);
    let moved = |c: CardBalance| match op.kind.sign() {
        1 => c.balance + amount,
        -1 => c.balance - amount,
        _ => c.balance,
    };
    let active_after = |c: CardBalance| match op.kind {
        OpKind::Deactivate | OpKind::SaleRefunded | OpKind::Expire => false,
        OpKind::Reactivate => true,
        _ => c.active,
    };
    let fresh = CardBalance {
        balance: zero,
        active: true,
    };
    let card = match (card, op.kind) {
        (card, _) if op.offline => card.unwrap_or(fresh),
        (Some(_), OpKind::Issue) => return Err(GiftCardError::CardExists),
        (None, OpKind::Issue | OpKind::ForcedIssue) => fresh,
        (Some(c), OpKind::ForcedIssue | OpKind::Deactivate | OpKind::Reactivate) => c,
        (None, _) => return Err(GiftCardError::UnknownCard),
        (Some(c), _) if !c.active => return Err(GiftCardError::CardInactive),
        (Some(c), OpKind::Expire) if c.balance != amount => {
            return Err(GiftCardError::BalanceChanged { balance: c.balance });
        }
        (Some(c), OpKind::Redeem | OpKind::SaleRefunded) if c.balance < amount => {
            return Err(GiftCardError::InsufficientBalance {
                balance: c.balance,
                asked: amount,
            });
        }
        (Some(c), _) => c,
    };
    Ok(CardBalance {
        balance: moved(card),
        active: active_after(card),
    })
}

/// An operation as the ledger holds it, and as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedOp {
    pub op_id: Uuid,
    pub card: String,
    pub kind: OpKind,
    pub amount: Option<Decimal>,
    pub offline: bool,
    pub device: String,
    pub staff: Uuid,
    /// The till's time (RFC 3339).
    pub made_at: String,
    /// The server's time when it recorded the operation (RFC 3339).
    pub recorded_at: String,
    pub auth_code: Option<String>,
    pub reason: Option<String>,
    pub balance_after: Decimal,
}

/// A card's state, as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardState {
    pub card: String,
    pub balance: Decimal,
    pub active: bool,
    /// An operation reported from offline overdrew the card (see `GET /api/gift-cards/conflicts`).
    pub in_conflict: bool,
}

/// The answer to a recorded operation: it, and the card after it.
#[derive(Debug, Clone, Serialize)]
pub struct Recorded {
    pub op: RecordedOp,
    pub card: CardState,
}

/// What [`Storage::record_gift_card_op`] answers: the JSON of the operation's first answer, and
/// whether this sending repeated an operation already recorded.
///
/// [`Storage::record_gift_card_op`]: crate::storage::Storage::record_gift_card_op
#[derive(Debug, Clone)]
pub struct Answer {
    pub json: String,
    pub repeated: bool,
}

/// A card with its operations in the order the server recorded them.
#[derive(Debug, Clone, Serialize)]
pub struct CardHistory {
    #[serde(flatten)]
    pub card: CardState,
    pub history: Vec<RecordedOp>,
}

/// What the store owes on its cards.
#[derive(Debug, Clone, Serialize)]
pub struct Liability {
    pub currency: String,
    /// The sum of the positive balances: what customers can still spend.
    pub liability: Decimal,
    /// The sum of the overdrafts (negative balances, as a positive amount), to settle.
    pub overdrawn: Decimal,
    pub cards: u64,
}

/// An overdraft reported from offline: the operation that overdrew the card, and the latest
/// debits before it that spent the money it counted on.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    pub card: String,
    pub balance: Decimal,
    /// How far this operation took the card below zero.
    pub overdraft: Decimal,
    pub op: RecordedOp,
    pub with: Vec<RecordedOp>,
}

/// The period of `GET /api/gift-cards/report`: `from` included, `to` excluded, each RFC 3339 in
/// UTC, as the manager's device works out its local days.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    pub from: String,
    pub to: String,
}

/// A checked [`PeriodQuery`], in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from_ms: i64,
    pub to_ms: i64,
}

impl PeriodQuery {
    pub fn check(&self) -> Result<Period, GiftCardError> {
        let time = |text: &str| {
            humantime::parse_rfc3339(text).map(millis).map_err(|_| {
                GiftCardError::Invalid(
                    "from and to must be times in RFC 3339, in UTC (2026-11-01T00:00:00Z).".into(),
                )
            })
        };
        let (from_ms, to_ms) = (time(&self.from)?, time(&self.to)?);
        if from_ms >= to_ms {
            return Err(GiftCardError::Invalid(
                "The period must end after it starts.".into(),
            ));
        }
        Ok(Period { from_ms, to_ms })
    }
}

#[cfg(test)]
mod tests;
