//! Hours worked, from the clock-in and clock-out entries of the audit log of every device: a
//! member may clock in on the tablet and out on a phone.
//!
//! Days are the store's local days, from a fixed offset to UTC that the caller passes (the offset
//! of the week being read): a shift across midnight counts on both days, split at midnight. The
//! sums are differences of UTC times, so a change to or from summer time moves the split point by
//! an hour but never adds or loses an hour. Weeks start on Monday.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use uuid::Uuid;

use super::audit::{AuditAction, AuditEntry};
use crate::docs::BusinessDay;

pub(super) const DAY_MS: i64 = 86_400_000;

/// Time worked per member, per day and per week, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TimeClock {
    days: BTreeMap<(Uuid, BusinessDay), i64>,
    weeks: BTreeMap<(Uuid, BusinessDay), i64>,
    /// Members still clocked in, since when: their time so far is counted up to "now".
    pub open: BTreeMap<Uuid, i64>,
    /// Entries that made no sense and were left out: a clock-in while already in (a second tap on
    /// another device), a clock-out while not in. Shown to the owner to fix by hand.
    pub ignored: Vec<Uuid>,
}

impl TimeClock {
    /// Reads the clock entries among `entries` (other actions are skipped, duplicates by id
    /// counted once), counting a shift still open up to `now_ms`, in days of the store whose local
    /// time is UTC plus `utc_offset_minutes`.
    pub fn from_entries(entries: &[AuditEntry], now_ms: i64, utc_offset_minutes: i32) -> TimeClock {
        let offset_ms = i64::from(utc_offset_minutes) * 60_000;
        let mut clock: Vec<&AuditEntry> = entries
            .iter()
            .filter(|e| matches!(e.action, AuditAction::ClockIn | AuditAction::ClockOut))
            .collect();
        // Per member in time order; an in and an out at the same instant: the in first.
        clock.sort_by_key(|e| {
            (
                e.staff,
                e.at_ms,
                matches!(e.action, AuditAction::ClockOut),
                e.id,
            )
        });
        clock.dedup_by_key(|e| e.id);

        let mut sheet = TimeClock::default();
        let mut since: BTreeMap<Uuid, i64> = BTreeMap::new();
        for entry in clock {
            match (&entry.action, since.get(&entry.staff).copied()) {
                (AuditAction::ClockIn, None) => {
                    since.insert(entry.staff, entry.at_ms);
                }
                (AuditAction::ClockOut, Some(start)) => {
                    since.remove(&entry.staff);
                    sheet.add(entry.staff, start, entry.at_ms, offset_ms);
                }
                _ => sheet.ignored.push(entry.id),
            }
        }
        for (member, start) in since {
            sheet.add(member, start, now_ms, offset_ms);
            sheet.open.insert(member, start);
        }
        sheet
    }

    /// Milliseconds `member` worked on `day`.
    pub fn day_ms(&self, member: Uuid, day: BusinessDay) -> i64 {
        self.days.get(&(member, day)).copied().unwrap_or(0)
    }

    /// Milliseconds `member` worked in the week (Monday to Sunday) that holds `day`.
    pub fn week_ms(&self, member: Uuid, day: BusinessDay) -> i64 {
        let monday = monday_of(epoch_day(day));
        self.weeks
            .get(&(member, from_epoch_day(monday)))
            .copied()
            .unwrap_or(0)
    }

    /// Every (member, day) with time worked, in order.
    pub fn days(&self) -> impl Iterator<Item = (Uuid, BusinessDay, i64)> + '_ {
        self.days.iter().map(|(&(m, d), &ms)| (m, d, ms))
    }

    /// Every (member, Monday of the week) with time worked, in order.
    pub fn weeks(&self) -> impl Iterator<Item = (Uuid, BusinessDay, i64)> + '_ {
        self.weeks.iter().map(|(&(m, d), &ms)| (m, d, ms))
    }

    /// Adds the shift `start..end` (UTC ms), cut at each local midnight.
    fn add(&mut self, member: Uuid, start: i64, end: i64, offset_ms: i64) {
        let (mut at, end) = (
            start.saturating_add(offset_ms),
            end.saturating_add(offset_ms),
        );
        while at < end {
            let day = at.div_euclid(DAY_MS);
            let cut = end.min((day + 1).saturating_mul(DAY_MS));
            let worked = cut - at;
            let date = from_epoch_day(day);
            *self.days.entry((member, date)).or_default() += worked;
            *self
                .weeks
                .entry((member, from_epoch_day(monday_of(day))))
                .or_default() += worked;
            at = cut;
        }
    }
}

/// Hours from milliseconds, to the hundredth (7 h 30 min is 7.50).
pub fn hours(ms: i64) -> Decimal {
    (Decimal::from(ms) / Decimal::from(3_600_000)).round_dp(2)
}

/// The Monday on or before the day `day` days after 1970-01-01 (a Thursday).
fn monday_of(day: i64) -> i64 {
    day - (day + 3).rem_euclid(7)
}

/// Days since 1970-01-01 to the civil date (Howard Hinnant's `civil_from_days`).
pub(super) fn from_epoch_day(z: i64) -> BusinessDay {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    BusinessDay::new(y as i32, m as u32, d as u32).expect("a civil date is a valid day")
}

/// The civil date to days since 1970-01-01 (Hinnant's `days_from_civil`).
fn epoch_day(day: BusinessDay) -> i64 {
    let (y, m, d) = day.parts();
    let (y, m, d) = (i64::from(y) - i64::from(m <= 2), i64::from(m), i64::from(d));
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * if m > 2 { m - 3 } else { m + 9 } + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(from_epoch_day(0).to_string(), "1970-01-01");
        assert_eq!(from_epoch_day(-1).to_string(), "1969-12-31");
        assert_eq!(from_epoch_day(20_454).to_string(), "2026-01-01");
        for z in (-800_000..800_000).step_by(997) {
            assert_eq!(epoch_day(from_epoch_day(z)), z);
        }
        assert_eq!(from_epoch_day(monday_of(0)).to_string(), "1969-12-29");
        assert_eq!(hours(27_000_000), Decimal::new(750, 2));
    }
}
