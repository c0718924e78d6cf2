//! Every points operation read from every device, each once by id. A customer's points are
//! their sum; spending them follows the rule of gift cards: checked by the server online,
//! within the allowance offline, and an overdraft reported once as a conflict after sync.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::stored_value::{LoggedOp, Movement, OfflineAllowance, OpHistory, Replay};

/// The most points one operation may move, so a history's sum can never overflow.
const MAX_POINTS: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoyaltyOpKind {
    /// Earned on a sale.
    Earn,
    /// Spent as a tender of a sale.
    Redeem,
    /// Taken back by a return of a sale that earned them.
    TakeBack,
    /// Given back by a return of a sale paid with points.
    GiveBack,
    /// A duplicate's balance moved away by a merge ([`super::LoyaltyMerge`]); the server writes
    /// it, with the balance's sign (a duplicate overdrawn moves its debt).
    MergeOut,
    /// The duplicate's balance arriving on the customer it was merged into.
    MergeIn,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LoyaltyOp {
    pub id: Uuid,
    /// The customer whose points move (a duplicate merged later still counts for the survivor).
    pub customer: Uuid,
    pub kind: LoyaltyOpKind,
    /// Whole points, more than zero.
    pub points: Decimal,
    /// The sale the points were earned on, spent on, or returned from.
    pub sale: Uuid,
    pub staff: Uuid,
    pub device: Uuid,
    /// Stamped by [`LoyaltyLedger::next_stamp`], as gift card operations are.
    pub at_ms: i64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offline: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoyaltyOpError {
    #[error("points must be more than zero")]
    NonPositive,
    #[error("points are whole numbers")]
    Fractional,
    #[error("more than {MAX_POINTS} points at once")]
    TooMany,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PointsRefused {
    #[error("points must be more than zero")]
    NonPositive,
    #[error("points are whole numbers")]
    Fractional,
    #[error("the customer has only {balance} points")]
    Insufficient { balance: Decimal },
    #[error("offline, at most {allowance} points may be spent")]
    OverOfflineAllowance { allowance: Decimal },
}

/// Points of one customer overdrawn by spending on two devices at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoyaltyConflict {
    /// The redemption that took the points below zero; names the conflict.
    pub first: Uuid,
    pub redemptions: Vec<LoyaltyOp>,
    pub overdrawn_by: Decimal,
    pub covered: bool,
}

impl LoyaltyOp {
    pub fn check(&self) -> Result<(), LoyaltyOpError> {
        if self.points <= Decimal::ZERO {
            return Err(LoyaltyOpError::NonPositive);
        }
        if self.points.fract() != Decimal::ZERO {
            return Err(LoyaltyOpError::Fractional);
        }
        if self.points > MAX_POINTS {
            return Err(LoyaltyOpError::TooMany);
        }
        Ok(())
    }
}

impl LoggedOp for LoyaltyOp {
    type Account = Uuid;
    fn id(&self) -> Uuid {
        self.id
    }
    fn account(&self) -> &Uuid {
        &self.customer
    }
    fn stamp(&self) -> i64 {
        self.at_ms
    }
    fn movement(&self) -> Movement {
        let change = match self.kind {
            LoyaltyOpKind::Earn | LoyaltyOpKind::GiveBack | LoyaltyOpKind::MergeIn => self.points,
            LoyaltyOpKind::Redeem | LoyaltyOpKind::TakeBack | LoyaltyOpKind::MergeOut => {
                -self.points
            }
        };
        Movement {
            change,
            spends: self.kind == LoyaltyOpKind::Redeem,
        }
    }
}

/// The merged points history of the store's customers. Queries take every id of one person
/// ([`CustomerDirectory::ids_of`](crate::customer::CustomerDirectory::ids_of)), so points earned
/// under a duplicate count once it is merged.
#[derive(Clone, Debug, Default)]
pub struct LoyaltyLedger {
    history: OpHistory<LoyaltyOp>,
}

impl LoyaltyLedger {
    pub fn new() -> LoyaltyLedger {
        LoyaltyLedger::default()
    }

    /// Keeps `op` once by id; `Ok(false)` when it was kept already.
    pub fn insert(&mut self, op: LoyaltyOp) -> Result<bool, LoyaltyOpError> {
        op.check()?;
        Ok(self.history.insert(op))
    }

    /// Merges operations from any device, in any order; returns those refused, with why.
    pub fn merge(
        &mut self,
        ops: impl IntoIterator<Item = LoyaltyOp>,
    ) -> Vec<(Uuid, LoyaltyOpError)> {
        ops.into_iter()
            .filter_map(|op| {
                let id = op.id;
                self.insert(op).err().map(|e| (id, e))
            })
            .collect()
    }

    pub fn ops(&self) -> impl Iterator<Item = &LoyaltyOp> {
        self.history.all()
    }

    fn replay(&self, person: &[Uuid]) -> Replay {
        self.history.replay(person)
    }

    /// The person's points: the sum of every operation under any of their ids.
    pub fn balance(&self, person: &[Uuid]) -> Decimal {
        self.replay(person).balance
    }

    /// The person's operations in replay order.
    pub fn history(&self, person: &[Uuid]) -> Vec<&LoyaltyOp> {
        let mut ops: Vec<&LoyaltyOp> = person.iter().flat_map(|id| self.history.of(id)).collect();
        ops.sort_by_key(|op| (op.at_ms, op.id));
        ops
    }

    /// Points earned on `sale` and taken back from it so far, for [`super::points_to_take_back`].
    pub fn earned_and_taken_back(&self, sale: Uuid) -> (Decimal, Decimal) {
        let of = |kind: LoyaltyOpKind| -> Decimal {
            self.ops()
                .filter(|op| op.sale == sale && op.kind == kind)
                .map(|op| op.points)
                .sum()
        };
        (of(LoyaltyOpKind::Earn), of(LoyaltyOpKind::TakeBack))
    }

    /// The person's overdrafts, each once, in replay order.
    pub fn conflicts(&self, person: &[Uuid]) -> Vec<LoyaltyConflict> {
        let history = self.history(person);
        self.replay(person)
            .overdrafts
            .into_iter()
            .map(|o| LoyaltyConflict {
                first: o.first,
                redemptions: history
                    .iter()
                    .filter(|op| o.redemptions.contains(&op.id))
                    .map(|op| (*op).clone())
                    .collect(),
                overdrawn_by: o.deepest,
                covered: o.covered,
            })
            .collect()
    }

    /// Whether the server may let the person spend `points`, against all it holds.
    pub fn check_redemption(
        &self,
        person: &[Uuid],
        points: Decimal,
    ) -> Result<Decimal, PointsRefused> {
        let balance = self.spendable(person, points)?;
        if points > balance {
            return Err(PointsRefused::Insufficient {
                balance: balance.max(Decimal::ZERO),
            });
        }
        Ok(balance - points)
    }

    /// Whether this device offline may let the person spend `points`, within `allowance`,
    /// counting its own redemptions the server has not acknowledged (`unsynced`).
    pub fn check_offline_redemption(
        &self,
        person: &[Uuid],
        allowance: OfflineAllowance,
        unsynced: &BTreeSet<Uuid>,
        points: Decimal,
    ) -> Result<Decimal, PointsRefused> {
        let balance = self.spendable(person, points)?;
        let spent_unsynced: Decimal = self
            .history(person)
            .into_iter()
            .filter(|op| op.kind == LoyaltyOpKind::Redeem && unsynced.contains(&op.id))
            .map(|op| op.points)
            .sum();
        let available = allowance.available(balance, spent_unsynced);
        if points > available {
            return Err(PointsRefused::OverOfflineAllowance {
                allowance: available,
            });
        }
        Ok(balance - points)
    }

    fn spendable(&self, person: &[Uuid], points: Decimal) -> Result<Decimal, PointsRefused> {
        if points <= Decimal::ZERO {
            return Err(PointsRefused::NonPositive);
        }
        if points.fract() != Decimal::ZERO {
            return Err(PointsRefused::Fractional);
        }
        Ok(self.balance(person))
    }

    /// The stamp for an operation this device makes at `at_ms`; see gift cards.
    pub fn next_stamp(&self, at_ms: i64) -> i64 {
        self.history.next_stamp(at_ms)
    }
}
