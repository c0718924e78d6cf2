//! What gift cards and loyalty points share: a balance that is the sum of operations made on every
//! device, never a counter two devices overwrite, and the overdrafts that redemptions made offline
//! on two devices can cause, which no CRDT can prevent and which a manager must therefore see.
//!
//! Operations are kept once by id (merging the same set twice, or in another order, changes
//! nothing) and replayed in one order every device agrees on: by stamp, then id. A device stamps
//! an operation later than every operation it has seen ([`OpHistory::next_stamp`]), so what it
//! knew when it redeemed always replays before the redemption, whatever its clock says.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How one operation moves a balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Movement {
    /// Added to the balance: positive for value put on, negative for value taken off.
    pub(crate) change: Decimal,
    /// A redemption (value spent by the customer), as opposed to value taken back by the store
    /// (loyalty points of a returned purchase). Only a redemption can start an overdraft.
    pub(crate) spends: bool,
}

/// An operation kept in an [`OpHistory`]: one account's (a card's, a customer's) movement.
pub(crate) trait LoggedOp: Clone + Ord {
    type Account: Clone + Ord;
    fn id(&self) -> Uuid;
    fn account(&self) -> &Self::Account;
    fn stamp(&self) -> i64;
    fn movement(&self) -> Movement;
}

/// A balance overdrawn by redemptions that each looked covered where they were made: two devices
/// offline spending the same balance. Named by the redemption that took the balance below zero,
/// which is the same on every device once they hold the same operations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Overdraft {
    /// The redemption that took the balance below zero.
    pub(crate) first: Uuid,
    /// Every redemption involved, in replay order: those that spent what `first` counted on,
    /// `first` itself, and any made while the balance stayed below zero.
    pub(crate) redemptions: Vec<Uuid>,
    /// How far below zero the balance went.
    pub(crate) deepest: Decimal,
    /// Whether value put on later brought the balance back to zero or more.
    pub(crate) covered: bool,
}

/// A balance replayed from its operations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Replay {
    pub(crate) balance: Decimal,
    pub(crate) overdrafts: Vec<Overdraft>,
}

/// Replays movements given in replay order.
pub(crate) fn replay(movements: &[(Uuid, Movement)]) -> Replay {
    let mut balance = Decimal::ZERO;
    // The balance before each movement: where an overdraft looks back to find what it collided with.
    let mut before = Vec::with_capacity(movements.len());
    let mut overdrafts = Vec::new();
    let mut open: Option<Overdraft> = None;
    for (at, (id, movement)) in movements.iter().enumerate() {
        before.push(balance);
        balance += movement.change;
        if let Some(overdraft) = open.as_mut() {
            if movement.spends {
                overdraft.redemptions.push(*id);
            }
            overdraft.deepest = overdraft.deepest.max(-balance);
            if balance >= Decimal::ZERO {
                overdraft.covered = true;
                overdrafts.extend(open.take());
            }
        } else if movement.spends && balance < Decimal::ZERO {
            let needed = -movement.change;
            // The last moment the balance still covered this redemption; the redemptions after
            // it spent what this one counted on.
            let covered_until = (0..at).rev().find(|&k| before[k] >= needed).unwrap_or(at);
            let mut redemptions: Vec<Uuid> = movements[covered_until..at]
                .iter()
                .filter(|(_, m)| m.spends)
                .map(|(id, _)| *id)
                .collect();
            redemptions.push(*id);
            open = Some(Overdraft {
                first: *id,
                redemptions,
                deepest: -balance,
                covered: false,
            });
        }
    }
    overdrafts.extend(open);
    Replay {
        balance,
        overdrafts,
    }
}

/// How much a device offline may let a customer spend of one balance: the smaller of the balance
/// it last knew and a cap the store sets, the cap counting everything this device redeemed of the
/// balance since the server last heard from it. The cap bounds what two devices spending the same
/// balance at once can overdraw: at most the cap per device and offline period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfflineAllowance {
    pub cap: Decimal,
}

impl OfflineAllowance {
    /// What may still be spent offline, given the balance this device knows (its own offline
    /// redemptions taken off already) and what it redeemed offline that the server has not heard of.
    pub fn available(&self, known_balance: Decimal, unsynced_spent: Decimal) -> Decimal {
        let left_of_cap = (self.cap - unsynced_spent).max(Decimal::ZERO);
        known_balance.max(Decimal::ZERO).min(left_of_cap)
    }
}

/// Operations of many accounts, each once by id, kept in replay order per account.
#[derive(Clone, Debug)]
pub(crate) struct OpHistory<O: LoggedOp> {
    by_account: BTreeMap<O::Account, BTreeMap<(i64, Uuid), O>>,
    /// Where each id is kept, to find an operation read again.
    placed: BTreeMap<Uuid, (O::Account, i64)>,
}

impl<O: LoggedOp> Default for OpHistory<O> {
    fn default() -> Self {
        OpHistory {
            by_account: BTreeMap::new(),
            placed: BTreeMap::new(),
        }
    }
}

impl<O: LoggedOp> OpHistory<O> {
    /// Keeps `op` unless its id is kept already. Two different operations under one id (a bug or
    /// a forgery) keep the lesser of the two, so every device keeps the same one whatever the
    /// order it read them in. Returns whether anything changed.
    pub(crate) fn insert(&mut self, op: O) -> bool {
        let id = op.id();
        if let Some((account, stamp)) = self.placed.get(&id).cloned() {
            let kept = &self.by_account[&account][&(stamp, id)];
            if *kept <= op {
                return false;
            }
            if let Some(ops) = self.by_account.get_mut(&account) {
                ops.remove(&(stamp, id));
                if ops.is_empty() {
                    // The lesser operation names another account: this one never had any.
                    self.by_account.remove(&account);
                }
            }
        }
        self.placed.insert(id, (op.account().clone(), op.stamp()));
        self.by_account
            .entry(op.account().clone())
            .or_default()
            .insert((op.stamp(), id), op);
        true
    }

    pub(crate) fn contains(&self, id: Uuid) -> bool {
        self.placed.contains_key(&id)
    }

    /// One account's operations in replay order.
    pub(crate) fn of<'a>(&'a self, account: &O::Account) -> impl Iterator<Item = &'a O> + 'a {
        self.by_account
            .get(account)
            .into_iter()
            .flat_map(|ops| ops.values())
    }

    pub(crate) fn accounts(&self) -> impl Iterator<Item = &O::Account> {
        self.by_account.keys()
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = &O> {
        self.by_account.values().flat_map(|ops| ops.values())
    }

    pub(crate) fn len(&self) -> usize {
        self.placed.len()
    }

    pub(crate) fn replay<'a>(
        &'a self,
        accounts: impl IntoIterator<Item = &'a O::Account>,
    ) -> Replay {
        let mut movements: Vec<(i64, Uuid, Movement)> = accounts
            .into_iter()
            .flat_map(|a| self.of(a))
            .map(|op| (op.stamp(), op.id(), op.movement()))
            .collect();
        // Several accounts (a customer and the duplicates merged into it) replay as one.
        movements.sort_by_key(|(stamp, id, _)| (*stamp, *id));
        let movements: Vec<(Uuid, Movement)> =
            movements.into_iter().map(|(_, id, m)| (id, m)).collect();
        replay(&movements)
    }

    /// The stamp for a new operation made at `at_ms`: its time, or later than every operation
    /// this history holds, so it replays after everything the device knew when it made it.
    pub(crate) fn next_stamp(&self, at_ms: i64) -> i64 {
        let latest = self.placed.values().map(|(_, stamp)| *stamp).max();
        match latest {
            Some(latest) if latest >= at_ms => latest.saturating_add(1),
            _ => at_ms,
        }
    }
}
