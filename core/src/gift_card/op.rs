//! One recorded operation on a gift card: who did what to which card, from which device and when.
//! A card is nothing but its operations; its balance and status are worked out from them.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::GiftCardNumber;
use crate::money::Currency;
use crate::stored_value::{LoggedOp, Movement};

/// The most one operation may move: far above any gift card, and small enough that adding up a
/// card's whole history can never overflow a `Decimal`.
pub const MAX_GIFT_CARD_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// The typed authorisation of a forced operation, for when the normal path was refused (the
/// server unreachable past the offline allowance, a card the till cannot read): the code a
/// manager or the card desk gave by voice, and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Authorisation {
    pub code: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GiftCardOpKind {
    /// Sold and activated, with the value issued on it (zero for a card activated empty).
    Activate,
    AddValue,
    /// Spent as a tender of a sale.
    Redeem,
    /// A refund of a sale paid back onto the card.
    RefundToCard,
    /// Stopped (lost, stolen, a manager's decision): nothing more may be redeemed online.
    Deactivate,
    Reactivate,
    /// Value issued past a refusal of the normal path; activates the card too.
    ForcedIssue(Authorisation),
    /// Spent past a refusal of the normal path.
    ForcedRedeem(Authorisation),
    /// The sale that sold the card refunded or voided: the value it issued taken back off and
    /// the card stopped, in one step. Only online, and only while the card still holds that value
    /// (the server checks it as it checks a redemption), so money never goes back for value that
    /// stays spendable or was spent.
    SaleRefunded,
    /// The card's whole remaining value written off as expired, and the card stopped, by a
    /// manager with the reason (the store's terms, a law's period). Value never expires by
    /// itself: when it may lapse differs by country, and a lapse no register had heard of
    /// would make the liability disagree with what tills accept. Only online, and only for the
    /// balance the server holds at that moment, so nothing spent or added since is written off.
    Expire {
        reason: String,
    },
}

impl GiftCardOpKind {
    /// Whether the kind takes value off the card.
    pub fn is_redemption(&self) -> bool {
        matches!(
            self,
            GiftCardOpKind::Redeem | GiftCardOpKind::ForcedRedeem(_)
        )
    }

    /// Whether the kind changes only the status, never the balance.
    pub fn is_status_change(&self) -> bool {
        matches!(
            self,
            GiftCardOpKind::Deactivate | GiftCardOpKind::Reactivate
        )
    }

    /// Whether the kind takes value off the card, as a redemption, a refunded sale of it or a
    /// write-off.
    pub fn takes_value(&self) -> bool {
        self.is_redemption()
            || matches!(
                self,
                GiftCardOpKind::SaleRefunded | GiftCardOpKind::Expire { .. }
            )
    }

    fn authorisation(&self) -> Option<&Authorisation> {
        match self {
            GiftCardOpKind::ForcedIssue(a) | GiftCardOpKind::ForcedRedeem(a) => Some(a),
            _ => None,
        }
    }
}

/// One operation on one card, as recorded on the device that made it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct GiftCardOp {
    /// Made on the device (UUIDv7): the operation is counted once by it, wherever it is read.
    pub id: Uuid,
    pub card: GiftCardNumber,
    pub kind: GiftCardOpKind,
    /// Positive for value put on or taken off; zero for a status change.
    pub amount: Decimal,
    pub staff: Uuid,
    pub device: Uuid,
    /// Milliseconds since the Unix epoch, UTC, stamped by
    /// [`GiftCardLedger::next_stamp`](super::GiftCardLedger::next_stamp): never earlier than an
    /// operation the device had seen, so the history replays in an order that respects it.
    pub at_ms: i64,
    /// Redeemed offline under the store's allowance, not confirmed by the server first.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GiftCardOpError {
    #[error("the amount must be more than zero")]
    NonPositiveAmount,
    #[error("the value issued cannot be negative")]
    NegativeAmount,
    #[error("deactivating or reactivating a card moves no money")]
    AmountOnStatusChange,
    #[error("the amount {amount} is finer than the currency's smallest unit")]
    FinerThanCurrency { amount: Decimal },
    #[error("the amount is more than {MAX_GIFT_CARD_AMOUNT}")]
    TooLarge,
    /// A forced operation without the code the card desk or a manager gave.
    #[error("a forced operation needs the authorisation code")]
    MissingAuthorisationCode,
    #[error("a forced operation or a write-off needs a reason")]
    MissingReason,
}

impl GiftCardOp {
    /// Whether the operation can be recorded: amounts in whole minor units of `currency` and of
    /// the right sign for the kind, and forced operations authorised.
    pub fn check(&self, currency: Currency) -> Result<(), GiftCardOpError> {
        if let Some(authorisation) = self.kind.authorisation() {
            if authorisation.code.trim().is_empty() {
                return Err(GiftCardOpError::MissingAuthorisationCode);
            }
            if authorisation.reason.trim().is_empty() {
                return Err(GiftCardOpError::MissingReason);
            }
        }
        if let GiftCardOpKind::Expire { reason } = &self.kind
            && reason.trim().is_empty()
        {
            return Err(GiftCardOpError::MissingReason);
        }
        match &self.kind {
            k if k.is_status_change() && !self.amount.is_zero() => {
                return Err(GiftCardOpError::AmountOnStatusChange);
            }
            k if k.is_status_change() => return Ok(()),
            GiftCardOpKind::Activate if self.amount.is_sign_negative() => {
                return Err(GiftCardOpError::NegativeAmount);
            }
            GiftCardOpKind::Activate => {}
            _ if self.amount <= Decimal::ZERO => return Err(GiftCardOpError::NonPositiveAmount),
            _ => {}
        }
        if self.amount > MAX_GIFT_CARD_AMOUNT {
            return Err(GiftCardOpError::TooLarge);
        }
        if currency.round(self.amount) != self.amount {
            return Err(GiftCardOpError::FinerThanCurrency {
                amount: self.amount,
            });
        }
        Ok(())
    }

    /// What the operation adds to the card's balance (negative for a redemption).
    pub fn balance_change(&self) -> Decimal {
        match self.kind {
            _ if self.kind.takes_value() => -self.amount,
            _ if self.kind.is_status_change() => Decimal::ZERO,
            _ => self.amount,
        }
    }
}

impl LoggedOp for GiftCardOp {
    type Account = GiftCardNumber;
    fn id(&self) -> Uuid {
        self.id
    }
    fn account(&self) -> &GiftCardNumber {
        &self.card
    }
    fn stamp(&self) -> i64 {
        self.at_ms
    }
    fn movement(&self) -> Movement {
        Movement {
            change: self.balance_change(),
            spends: self.kind.is_redemption(),
        }
    }
}
