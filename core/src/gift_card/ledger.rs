//! Every gift card operation a device has read, from every device, each once by id: merged in
//! any order, any number of times, it answers the same balances, statuses and conflicts.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::{GiftCardNumber, GiftCardOp, GiftCardOpError, GiftCardOpKind};
use crate::money::Currency;
use crate::stored_value::{OpHistory, Overdraft, Replay};

/// Whether a card may be redeemed, from its activations and (de)activations in replay order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardStatus {
    /// No activation or forced issue read: an unsold card, or a typo that passed the check digit.
    NeverActivated,
    Active,
    Deactivated,
}

/// What a balance inquiry shows and prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardSummary {
    pub card: GiftCardNumber,
    pub balance: Decimal,
    pub status: CardStatus,
    /// When the last operation was made; `None` for a card with none.
    pub last_at_ms: Option<i64>,
    pub operations: usize,
}

/// An overdraft of one card, for a manager to settle, with the redemptions that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GiftCardConflict {
    pub card: GiftCardNumber,
    /// Names the conflict, the same on every device: the redemption that took the balance
    /// below zero.
    pub first: Uuid,
    /// The redemptions involved (the one that overdrew and those that spent what it counted
    /// on, usually one made offline on another device), in replay order.
    pub redemptions: Vec<GiftCardOp>,
    /// How far below zero the balance went.
    pub overdrawn_by: Decimal,
    /// Whether value put on later brought the balance back to zero.
    pub covered: bool,
}

/// The merged history of the store's gift cards.
#[derive(Clone, Debug)]
pub struct GiftCardLedger {
    currency: Currency,
    history: OpHistory<GiftCardOp>,
}

impl GiftCardLedger {
    /// An empty ledger of cards in the store's `currency`.
    pub fn new(currency: Currency) -> GiftCardLedger {
        GiftCardLedger {
            currency,
            history: OpHistory::default(),
        }
    }

    /// A ledger of `ops`, leaving out those that fail [`GiftCardOp::check`].
    pub fn of(currency: Currency, ops: impl IntoIterator<Item = GiftCardOp>) -> GiftCardLedger {
        let mut ledger = GiftCardLedger::new(currency);
        ledger.merge(ops);
        ledger
    }

    /// Keeps `op` once by id; `Ok(false)` when it was kept already. An operation that fails its
    /// check is refused, so a bad record from one device never moves a balance anywhere.
    pub fn insert(&mut self, op: GiftCardOp) -> Result<bool, GiftCardOpError> {
        op.check(self.currency)?;
        Ok(self.history.insert(op))
    }

    /// Merges operations read from any device, in any order. Returns those refused, with why.
    pub fn merge(
        &mut self,
        ops: impl IntoIterator<Item = GiftCardOp>,
    ) -> Vec<(Uuid, GiftCardOpError)> {
        let mut refused = Vec::new();
        for op in ops {
            let id = op.id;
            if let Err(e) = self.insert(op) {
                refused.push((id, e));
            }
        }
        refused
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn contains(&self, op: Uuid) -> bool {
        self.history.contains(op)
    }

    /// How many operations the ledger holds.
    pub fn len(&self) -> usize {
        self.history.len()
    }

    pub fn is_empty(&self) -> bool {
        self.history.len() == 0
    }

    /// Every operation of every card, card by card in replay order.
    pub fn ops(&self) -> impl Iterator<Item = &GiftCardOp> {
        self.history.all()
    }

    pub fn cards(&self) -> impl Iterator<Item = &GiftCardNumber> {
        self.history.accounts()
    }

    /// The card's operations in replay order (by stamp, then id): its history as shown.
    pub fn history(&self, card: &GiftCardNumber) -> Vec<&GiftCardOp> {
        self.history.of(card).collect()
    }

    fn replay(&self, card: &GiftCardNumber) -> Replay {
        self.history.replay([card])
    }

    /// The sum of the card's operations from every device read. Below zero after an overdraft.
    pub fn balance(&self, card: &GiftCardNumber) -> Decimal {
        self.replay(card).balance
    }

    /// The last activation, deactivation or reactivation decides, in replay order.
    pub fn status(&self, card: &GiftCardNumber) -> CardStatus {
        self.history
            .of(card)
            .fold(CardStatus::NeverActivated, |status, op| match op.kind {
                GiftCardOpKind::Activate | GiftCardOpKind::ForcedIssue(_) => {
                    if status == CardStatus::Deactivated {
                        // Value issued on a stopped card does not start it again: only a
                        // manager's reactivation does.
                        status
                    } else {
                        CardStatus::Active
                    }
                }
                // A card stopped before it was sold (stolen from the drawer) stays stopped.
                GiftCardOpKind::Deactivate
                | GiftCardOpKind::SaleRefunded
                | GiftCardOpKind::Expire { .. } => CardStatus::Deactivated,
                GiftCardOpKind::Reactivate if status == CardStatus::Deactivated => {
                    CardStatus::Active
                }
                _ => status,
            })
    }

    pub fn summary(&self, card: &GiftCardNumber) -> CardSummary {
        let history = self.history(card);
        CardSummary {
            card: card.clone(),
            balance: self.balance(card),
            status: self.status(card),
            last_at_ms: history.last().map(|op| op.at_ms),
            operations: history.len(),
        }
    }

    /// The card's overdrafts, each once, in replay order.
    pub fn conflicts(&self, card: &GiftCardNumber) -> Vec<GiftCardConflict> {
        self.replay(card)
            .overdrafts
            .into_iter()
            .map(|o| self.conflict(card, o))
            .collect()
    }

    /// Every card's overdrafts, card by card.
    pub fn all_conflicts(&self) -> Vec<GiftCardConflict> {
        self.cards().flat_map(|card| self.conflicts(card)).collect()
    }

    fn conflict(&self, card: &GiftCardNumber, overdraft: Overdraft) -> GiftCardConflict {
        let redemptions = self
            .history
            .of(card)
            .filter(|op| overdraft.redemptions.contains(&op.id))
            .cloned()
            .collect();
        GiftCardConflict {
            card: card.clone(),
            first: overdraft.first,
            redemptions,
            overdrawn_by: overdraft.deepest,
            covered: overdraft.covered,
        }
    }

    /// The stamp for an operation this device makes at `at_ms` (its clock): later than every
    /// operation it holds, so its history replays after what it knew.
    pub fn next_stamp(&self, at_ms: i64) -> i64 {
        self.history.next_stamp(at_ms)
    }
}
