//! HID-POS scanners: input reports of the Scanned Data Report become codes.

use pos_devices::{HidPosReader, parse_scanned_data};

/// A 63-byte Scanned Data Report body as a scanner sends it: count, AIM id, data, zeros,
/// continuation flag at byte 62.
fn report(aim: &[u8; 3], data: &[u8], count: u8, continued: bool) -> Vec<u8> {
    let mut r = vec![0u8; 63];
    r[0] = count;
    r[1..4].copy_from_slice(aim);
    r[4..4 + data.len()].copy_from_slice(data);
    r[62] = u8::from(continued);
    r
}

#[test]
fn an_ean13_in_one_report() {
    let data = report(b"]E0", b"2000000000183", 13, false);
    let chunk = parse_scanned_data(0x02, &data).unwrap();
    assert_eq!(chunk.symbology.as_deref(), Some("]E0"));
    assert_eq!(chunk.data, b"2000000000183");
    assert!(!chunk.continued);
    assert_eq!(
        HidPosReader::new().report(0x02, &data).as_deref(),
        Some("2000000000183")
    );
}

#[test]
fn a_count_that_includes_a_terminator_or_padding_gives_the_same_code() {
    let mut reader = HidPosReader::new();
    assert_eq!(
        reader
            .report(0x02, &report(b"]E0", b"2000000000183\r", 14, false))
            .as_deref(),
        Some("2000000000183")
    );
    assert_eq!(
        reader
            .report(0x02, &report(b"]E0", b"2000000000183", 14, false))
            .as_deref(),
        Some("2000000000183")
    );
}

#[test]
fn a_long_code_continues_over_reports() {
    let first: Vec<u8> = (0..56).map(|i| b'A' + (i % 26) as u8).collect();
    let mut reader = HidPosReader::new();
    assert_eq!(reader.report(0x02, &report(b"]Q1", &first, 56, true)), None);
    let code = reader
        .report(0x02, &report(b"]Q1", b"END", 3, false))
        .unwrap();
    assert_eq!(code.len(), 59);
    assert!(code.starts_with("ABC") && code.ends_with("END"));
}

#[test]
fn other_reports_and_short_ones_are_not_scans() {
    let mut reader = HidPosReader::new();
    assert_eq!(reader.report(0x04, &report(b"]E0", b"123", 3, false)), None);
    assert_eq!(parse_scanned_data(0x02, &[3, b']']), None);
    // A count larger than the report is cut at its end, never read past it.
    assert_eq!(
        reader
            .report(0x02, &[200, b']', b'E', b'0', b'1', b'2'])
            .as_deref(),
        Some("12")
    );
    // An empty scan gives no code.
    assert_eq!(reader.report(0x02, &report(b"]E0", b"", 0, false)), None);
}

#[test]
fn a_scanner_without_an_aim_identifier() {
    let chunk = parse_scanned_data(0x02, &report(&[0, 0, 0], b"4006381333931", 13, false)).unwrap();
    assert_eq!(chunk.symbology, None);
    assert_eq!(chunk.data, b"4006381333931");
}
