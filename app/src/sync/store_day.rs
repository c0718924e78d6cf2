//! The store's day for the owner (issue 13): every device's shifts open during a business day,
//! and the store-wide summary of that day's sales, read from the documents of every device.

use super::protocol::StoreDay;
use super::*;

/// How many days on each side of the day asked for are read for its shifts: a shift is in the
/// days of its steps, so one opened days before and never touched since is found in the day it
/// was opened, and one closed days later is found closed.
const SHIFT_REACH_DAYS: f64 = 6.0;

/// Opens the days around the one of `day_ms` (see [`SHIFT_REACH_DAYS`]; none after today) and
/// reads the store's day from them.
pub async fn store_day(shared: &SharedEngine, day_ms: f64) -> Result<StoreDay, String> {
    let now = now();
    let from = day_ms - SHIFT_REACH_DAYS * DAY_MS;
    let to = (day_ms + SHIFT_REACH_DAYS * DAY_MS).min(now.max(day_ms));
    open_days_between(shared, from, to).await?;
    let (day, today) = (business_day(day_ms), business_day(now));
    let day_of = |at_ms: i64| business_day(at_ms as f64);
    let mut engine = shared.borrow_mut();
    let shifts: Vec<_> = engine
        .docs
        .shifts_in(&days_between(from, to))
        .into_iter()
        .filter(|s| s.state.touches(day, day_of))
        .collect();
    let overnight = shifts
        .iter()
        .filter(|s| s.state.overnight(today, day_of))
        .map(|s| s.state.shift.id)
        .collect();
    Ok(StoreDay {
        day: day.to_string(),
        shifts,
        summary: engine.docs.store_day(day),
        devices: engine.docs.devices(),
        overnight,
    })
}
