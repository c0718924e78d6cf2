//! The settings forms as plain types, with no signals: each maps what is saved to the strings
//! its fields show and back, and says what is wrong with an input as an enum whose every variant
//! has a translated message. The components hold one signal per form and call these, so the
//! mapping and its validation are tested natively (`cargo test -p pos-app --lib`).

pub mod loyalty;
pub mod menu;
pub mod printer;
pub mod receipt;
pub mod report_period;
pub mod store;
pub mod terminal;

/// A serial speed typed or chosen, if it is one a serial port offers.
fn baud_rate(field: &str) -> Option<u32> {
    field
        .trim()
        .parse()
        .ok()
        .filter(|b| pos_devices::SerialSettings::BAUD_RATES.contains(b))
}
