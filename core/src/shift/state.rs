//! A shift as its device shares it with the store (issue 13): the whole [`Shift`] record after
//! each step (opened, cash moved, closed, reconciled with the terminal) and, once it is closed,
//! the Z report the device worked out and printed. Each step is written into the device's sales
//! day of the day the step was made, so one shift can be in several days' documents; a reader
//! takes, per shift, the state furthest along ([`latest_states`]). Only the owning device writes
//! a shift, and its steps follow one another, so "further along" is a plain order, never a merge.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Shift, ShiftReport, TerminalCheck};
use crate::docs::BusinessDay;

/// One step of a shift as the store sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftState {
    pub shift: Shift,
    /// The Z report of a closed shift, as the device worked it out from its own records (its
    /// sales by receipt prefix and what its drawer paid back) at the close; `None` while open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z_report: Option<ShiftReport>,
    /// When the step was made (ms since the Unix epoch, the device's clock): it names the
    /// business day whose document the state goes into.
    pub at_ms: i64,
}

impl ShiftState {
    /// How far along the shift is: closed after open, more cash movements after fewer, a
    /// terminal check after none and a reconciliation after a failed one, then the later check
    /// and the later step. Steps of one device only ever move this forward.
    fn progress(&self) -> (bool, usize, u8, i64, i64) {
        let check = self.shift.close.as_ref().and_then(|c| c.terminal.as_ref());
        let (rank, checked_at) = match check {
            None => (0, 0),
            Some(TerminalCheck::NotReconciled { at_ms, .. }) => (1, *at_ms),
            Some(TerminalCheck::Reconciled { at_ms, .. }) => (2, *at_ms),
        };
        (
            !self.shift.is_open(),
            self.shift.movements.len(),
            rank,
            checked_at,
            self.at_ms,
        )
    }

    /// Whether this state is further along than `other` (a state of the same shift).
    pub fn is_later_than(&self, other: &ShiftState) -> bool {
        self.progress() > other.progress()
    }

    /// Whether the shift was open at some time of `day`, `day_of` naming the business day of a
    /// moment: opened on or before it, and still open or closed on or after it.
    pub fn touches(&self, day: BusinessDay, day_of: impl Fn(i64) -> BusinessDay) -> bool {
        let closed_on = self.shift.close.as_ref().map(|c| day_of(c.at_ms));
        day_of(self.shift.opened_at_ms) <= day && closed_on.is_none_or(|closed| closed >= day)
    }

    /// Whether the shift runs past the midnight it was opened before: closed on a later day, or
    /// still open on a later day than `today`'s opening.
    pub fn overnight(&self, today: BusinessDay, day_of: impl Fn(i64) -> BusinessDay) -> bool {
        let until = self.shift.close.as_ref().map_or(today, |c| day_of(c.at_ms));
        day_of(self.shift.opened_at_ms) < until
    }
}

/// The state furthest along of each shift among `states` (from several days' documents, each
/// with what the reader keeps beside it, such as the device whose document held it), in the
/// order the shifts were opened.
pub fn latest_states<T>(states: impl IntoIterator<Item = (T, ShiftState)>) -> Vec<(T, ShiftState)> {
    let mut latest: BTreeMap<Uuid, (T, ShiftState)> = BTreeMap::new();
    for (tag, state) in states {
        match latest.get(&state.shift.id) {
            Some((_, kept)) if !state.is_later_than(kept) => {}
            _ => {
                latest.insert(state.shift.id, (tag, state));
            }
        }
    }
    let mut all: Vec<(T, ShiftState)> = latest.into_values().collect();
    all.sort_by_key(|(_, s)| (s.shift.opened_at_ms, s.shift.id));
    all
}
