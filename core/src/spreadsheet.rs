//! Cells of the CSV files core writes for spreadsheets (the catalog, the audit log). A
//! spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a formula, and some skip a
//! leading tab or carriage return first, so a name typed at the register could become a link or
//! a command on the owner's computer (CSV injection). OWASP's advice is followed: such a cell is
//! written with a `'` before it, which makes the spreadsheet take it as text.
//!
//! A cell that already starts with `'` gets one too, so that a file read back can take exactly
//! one `'` off every cell that has one and find what was written.

use std::borrow::Cow;

/// What a spreadsheet would run as a formula, at the start of a cell.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as written to a file a spreadsheet opens.
pub(crate) fn guard(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(FORMULA_STARTS) || cell.starts_with('\'') {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`guard`]. A `'` typed at the start of a cell by hand is taken off
/// too: a spreadsheet hides such a `'` on screen, so the merchant did not mean it as text.
pub(crate) fn unguard(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unguard_undoes_guard() {
        for cell in [
            "", "Tea", "=1+1", "+1", "-2", "@x", "\tx", "\rx", "'", "'x", "''x", " =x",
        ] {
            assert_eq!(unguard(&guard(cell)), cell, "{cell:?}");
        }
        assert_eq!(guard("=1+1"), "'=1+1");
        assert_eq!(guard("Tea"), "Tea");
        assert_eq!(guard(" =x"), " =x");
    }
}
