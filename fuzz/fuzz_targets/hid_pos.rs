//! A HID-POS scanner's input reports (`pos_devices::parse_scanned_data` and the
//! `HidPosReader` that joins them): the first byte is the report id, the rest the report. The
//! rest is also fed to a reader in 63-byte reports, as a long code arrives.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_devices::{HidPosReader, SCANNED_DATA_REPORT, parse_scanned_data};

fuzz_target!(|data: &[u8]| {
    let Some((&report_id, report)) = data.split_first() else {
        return;
    };
    if let Some(chunk) = parse_scanned_data(report_id, report) {
        assert_eq!(report_id, SCANNED_DATA_REPORT);
        assert!(chunk.data.len() <= 56, "{} data bytes", chunk.data.len());
        assert!(chunk.data.len() <= report.len().saturating_sub(4));
        assert!(!matches!(chunk.data.last(), Some(0 | b'\r' | b'\n')));
    }
    let mut reader = HidPosReader::new();
    for piece in report.chunks(63) {
        if let Some(code) = reader.report(report_id, piece) {
            assert!(!code.is_empty());
            assert_eq!(code.trim(), code);
        }
    }
});
