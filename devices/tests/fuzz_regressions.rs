//! Inputs that crashed a decoder, found with the fuzz targets in `../fuzz` or while writing them
//! (see `docs/fuzzing.md`): each stays here as a plain test, so `cargo test` holds the fix
//! without nightly or libFuzzer.

use pos_devices::zvt::{Apdu, MAX_APDU_DATA, TerminalMessage, TlvValue, bcd_decode};

/// 20 BCD digits whose first 18, times 100, still fit in a `u64`: adding the last two
/// overflowed, a panic in a debug build and a wrong number in a release one. Found by reading
/// `bcd_decode` while writing the `zvt_apdu` target; that target panics on these bytes without
/// the fix (`fuzz/target/.../zvt_apdu <file>`).
#[test]
fn bcd_just_above_u64_max_is_none() {
    let above = [0x18, 0x44, 0x67, 0x44, 0x07, 0x37, 0x09, 0x55, 0x16, 0x99];
    assert_eq!(bcd_decode(&above), None);
    let max = [0x18, 0x44, 0x67, 0x44, 0x07, 0x37, 0x09, 0x55, 0x16, 0x15];
    assert_eq!(bcd_decode(&max), Some(u64::MAX));
}

/// A status message whose TLV container (BMP 06) nests constructed elements as deep as a 64 KB
/// APDU allows, about 16,000 levels: the recursive parse overflowed the stack (8 MB in a debug
/// build). Found by reading `tlv::parse_all` while writing `zvt_apdu`, whose inputs (4 KB by
/// default) cannot nest that deep. Past 16 levels the bytes are kept unparsed.
#[test]
fn deeply_nested_tlv_is_kept_as_bytes() {
    let mut body = vec![0x01, 0x00];
    loop {
        let n = body.len();
        let head = match n {
            0..0x80 => vec![0x20, n as u8],
            0x80..=0xFF => vec![0x20, 0x81, n as u8],
            _ => vec![0x20, 0x82, (n >> 8) as u8, n as u8],
        };
        if head.len() + n + 4 > MAX_APDU_DATA {
            break;
        }
        body.splice(0..0, head);
    }
    let mut data = vec![0x06, 0x82, (body.len() >> 8) as u8, body.len() as u8];
    data.extend(body);
    let Ok(TerminalMessage::Status(status)) = TerminalMessage::decode(&Apdu::new(0x04, 0x0F, data))
    else {
        panic!("not a status message");
    };
    assert_eq!(status.problem, None);
    let mut depth = 0;
    let mut level = status.tlv.as_slice();
    while let [only] = level {
        match &only.value {
            TlvValue::Constructed(children) => {
                depth += 1;
                level = children;
            }
            TlvValue::Primitive(bytes) => {
                assert_eq!(bytes[0], 0x20, "the rest is kept as it came");
                break;
            }
        }
    }
    assert_eq!(depth, 16);
}
