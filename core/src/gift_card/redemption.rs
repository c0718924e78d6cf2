//! Whether a card may be redeemed for an amount. Online the server decides, with every device's
//! operations it holds, atomically per card, so two tills online can never overspend a card.
//! Offline a device decides alone with what it has read, up to the store's allowance: the risk
//! of two devices spending one balance at once is then bounded by the allowance, and the
//! overdraft shows up as a conflict once they sync.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::{CardStatus, GiftCardLedger, GiftCardNumber, GiftCardOp, GiftCardOpKind};
use crate::money::Currency;
use crate::stored_value::OfflineAllowance;

/// A cashier's request to take `amount` off `card` as a tender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedemptionRequest {
    pub card: GiftCardNumber,
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RedemptionRefused {
    #[error("this card was never activated")]
    NeverActivated,
    #[error("this card is deactivated")]
    Deactivated,
    #[error("the amount must be more than zero")]
    NonPositiveAmount,
    #[error("the amount is finer than the currency's smallest unit")]
    FinerThanCurrency,
    /// Less is on the card than asked; `balance` may be redeemed instead.
    #[error("the card holds only {balance}")]
    Insufficient { balance: Decimal },
    /// Offline, the store lets this device take only `allowance` off the card until it syncs.
    #[error("offline, at most {allowance} may be taken off this card")]
    OverOfflineAllowance { allowance: Decimal },
}

/// What an approved redemption leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Approved {
    /// The balance once the redemption is recorded, as this check sees it.
    pub balance_after: Decimal,
}

/// The server's check against every operation of the card it holds (`history`, in any order,
/// read twice or not). The server runs it under the card's lock and records the redemption in
/// the same step, which is what makes it atomic.
pub fn check_redemption(
    currency: Currency,
    history: &[GiftCardOp],
    request: &RedemptionRequest,
) -> Result<Approved, RedemptionRefused> {
    let ledger = GiftCardLedger::of(
        currency,
        history.iter().filter(|op| op.card == request.card).cloned(),
    );
    ledger.check_redemption(request)
}

impl GiftCardLedger {
    /// Whether `request` may be redeemed against everything this ledger holds.
    pub fn check_redemption(
        &self,
        request: &RedemptionRequest,
    ) -> Result<Approved, RedemptionRefused> {
        let balance = self.redeemable_balance(request)?;
        if request.amount > balance {
            return Err(RedemptionRefused::Insufficient {
                balance: balance.max(Decimal::ZERO),
            });
        }
        Ok(Approved {
            balance_after: balance - request.amount,
        })
    }

    /// Whether this device, offline, may redeem `request`: the card is active as far as it knows,
    /// and the amount is within `allowance` given what it read (`self`) and its own redemptions
    /// of the card that the server has not acknowledged yet (`unsynced`, ids of its operations).
    pub fn check_offline_redemption(
        &self,
        allowance: OfflineAllowance,
        unsynced: &BTreeSet<Uuid>,
        request: &RedemptionRequest,
    ) -> Result<Approved, RedemptionRefused> {
        let balance = self.redeemable_balance(request)?;
        let available = allowance.available(balance, self.unsynced_spent(&request.card, unsynced));
        if request.amount > available {
            return Err(RedemptionRefused::OverOfflineAllowance {
                allowance: available,
            });
        }
        Ok(Approved {
            balance_after: balance - request.amount,
        })
    }

    /// What this device may still redeem of `card` offline.
    pub fn offline_allowance(
        &self,
        allowance: OfflineAllowance,
        unsynced: &BTreeSet<Uuid>,
        card: &GiftCardNumber,
    ) -> Decimal {
        allowance.available(self.balance(card), self.unsynced_spent(card, unsynced))
    }

    /// What this device redeemed of `card` under the allowance that the server has not heard of.
    /// Forced redemptions were authorised apart and do not use the allowance up.
    fn unsynced_spent(&self, card: &GiftCardNumber, unsynced: &BTreeSet<Uuid>) -> Decimal {
        self.history(card)
            .into_iter()
            .filter(|op| op.kind == GiftCardOpKind::Redeem && unsynced.contains(&op.id))
            .map(|op| op.amount)
            .sum()
    }

    /// The card's balance, if it may be redeemed at all.
    fn redeemable_balance(
        &self,
        request: &RedemptionRequest,
    ) -> Result<Decimal, RedemptionRefused> {
        if request.amount <= Decimal::ZERO {
            return Err(RedemptionRefused::NonPositiveAmount);
        }
        if self.currency().round(request.amount) != request.amount {
            return Err(RedemptionRefused::FinerThanCurrency);
        }
        match self.status(&request.card) {
            CardStatus::NeverActivated => Err(RedemptionRefused::NeverActivated),
            CardStatus::Deactivated => Err(RedemptionRefused::Deactivated),
            CardStatus::Active => Ok(self.balance(&request.card)),
        }
    }
}
