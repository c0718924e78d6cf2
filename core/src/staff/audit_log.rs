//! Reading the audit log: which entries the owner is looking at (a member, a kind of action, a
//! span of time) and the log as a CSV file to keep or open in a spreadsheet. The entries come from
//! every device's sales documents (`StoreDocs::audit_log`); nothing here reads a document.

use uuid::Uuid;

use super::audit::{AuditAction, AuditEntry};
use super::time_clock::{DAY_MS, from_epoch_day};
use crate::spreadsheet::guard;

/// Which entries to show; each condition left `None` lets every entry through.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The member who did it (an approval counts for the member who asked, as `staff` says).
    pub staff: Option<Uuid>,
    /// One of [`AuditAction::KINDS`].
    pub kind: Option<&'static str>,
    /// From this instant on (UTC ms, included).
    pub from_ms: Option<i64>,
    /// Up to this instant (UTC ms, left out), so that consecutive spans never share an entry.
    pub to_ms: Option<i64>,
}

impl AuditFilter {
    pub fn matches(&self, e: &AuditEntry) -> bool {
        self.staff.is_none_or(|staff| e.staff == staff)
            && self.kind.is_none_or(|kind| e.action.kind() == kind)
            && self.from_ms.is_none_or(|from| e.at_ms >= from)
            && self.to_ms.is_none_or(|to| e.at_ms < to)
    }
}

/// The header of [`audit_csv`]. Data-level English: the file is for keeping and for spreadsheets;
/// the app translates what it shows on screen.
pub const AUDIT_CSV_HEADER: [&str; 6] =
    ["time", "staff", "action", "detail", "device", "approved_by"];

/// The entries as CSV, one row each in the order given, under [`AUDIT_CSV_HEADER`]: the time in
/// RFC 3339 (UTC, to the millisecond), the member's name from `name_of`, the action's kind, what
/// it points at, the device's id and the approver's name (empty when none was needed). A cell a
/// spreadsheet would run as a formula is written as text (see `spreadsheet`).
pub fn audit_csv(entries: &[AuditEntry], name_of: impl Fn(Uuid) -> String) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(AUDIT_CSV_HEADER)
        .expect("writing to memory cannot fail");
    for e in entries {
        let cells = [
            rfc3339_utc(e.at_ms),
            name_of(e.staff),
            e.action.kind().to_string(),
            detail(&e.action),
            e.device.to_string(),
            e.approved_by.map(&name_of).unwrap_or_default(),
        ];
        // Names and product ids are typed by people, and the file is opened in spreadsheets.
        out.write_record(cells.iter().map(|c| guard(c).into_owned()))
            .expect("writing to memory cannot fail");
    }
    let bytes = out.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("every cell is a Rust string")
}

/// What the action points at, in a cell: the record's id, the percent, the permission's name.
fn detail(action: &AuditAction) -> String {
    match action {
        AuditAction::Sale { sale } => sale.to_string(),
        AuditAction::Refund { refund, sale } => format!("{refund} sale {sale}"),
        AuditAction::Void { sale, line } => {
            let sale = sale.map(|s| format!("sale {s}"));
            let line = line.map(|l| format!("line {l}"));
            sale.into_iter().chain(line).collect::<Vec<_>>().join(" ")
        }
        AuditAction::Discount { percent } => format!("{percent}%"),
        AuditAction::PriceChange { product } => product.clone(),
        AuditAction::PriceOverride {
            product,
            shelf,
            price,
        } => format!("{product} {shelf} -> {price}"),
        AuditAction::Approval { permission } => permission.as_str().to_string(),
        AuditAction::StaffEdit { version } => format!("version {version}"),
        AuditAction::NoSale
        | AuditAction::ClockIn
        | AuditAction::ClockOut
        | AuditAction::SignIn
        | AuditAction::SignOut => String::new(),
    }
}

/// `2026-03-02T09:00:00.000Z`: milliseconds since the Unix epoch as an RFC 3339 UTC time.
fn rfc3339_utc(at_ms: i64) -> String {
    let day = from_epoch_day(at_ms.div_euclid(DAY_MS));
    let ms = at_ms.rem_euclid(DAY_MS);
    let (hours, minutes, seconds) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60);
    format!(
        "{day}T{hours:02}:{minutes:02}:{seconds:02}.{:03}Z",
        ms % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc_to_the_millisecond() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_utc(-1), "1969-12-31T23:59:59.999Z");
        // 2026-03-02 09:00 UTC, a Monday.
        assert_eq!(
            rfc3339_utc(1_772_409_600_000 + 9 * 3_600_000 + 1_234),
            "2026-03-02T09:00:01.234Z"
        );
        assert_eq!(rfc3339_utc(951_782_400_000), "2000-02-29T00:00:00.000Z");
        // A clock gone wild gives a wild time, never a panic.
        assert!(rfc3339_utc(i64::MAX).ends_with(".807Z"));
        assert!(rfc3339_utc(i64::MIN).ends_with(".192Z"));
    }
}
