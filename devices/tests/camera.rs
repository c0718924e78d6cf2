//! The camera decoder against codes drawn by someone else: EAN-13 bars drawn here from the
//! standard's digit tables, QR codes from the `qrcode` crate, each put into a noisy, low-contrast
//! frame the size a phone's camera gives a page.
#![cfg(feature = "camera")]

use pos_devices::camera::{CameraFrame, CodeFormat, FrameCode, FrameError};

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;

/// EAN-13 modules (1 = bar) from GS1 General Specifications 5.2.1.2: a left-hand digit is set A
/// or B as the first digit decides, right-hand digits are set C.
fn ean13_modules(code: &str) -> Vec<bool> {
    const A: [&str; 10] = [
        "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
        "0110111", "0001011",
    ];
    const B: [&str; 10] = [
        "0100111", "0110011", "0011011", "0100001", "0011101", "0111001", "0000101", "0010001",
        "0001001", "0010111",
    ];
    const C: [&str; 10] = [
        "1110010", "1100110", "1101100", "1000010", "1011100", "1001110", "1010000", "1000100",
        "1001000", "1110100",
    ];
    const PARITY: [&str; 10] = [
        "AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAB", "ABABBA",
        "ABBABA",
    ];
    let digits: Vec<usize> = code
        .chars()
        .map(|c| c.to_digit(10).unwrap() as usize)
        .collect();
    assert_eq!(digits.len(), 13);
    let mut bits = String::from("101");
    for (i, set) in PARITY[digits[0]].chars().enumerate() {
        bits.push_str(if set == 'A' {
            A[digits[i + 1]]
        } else {
            B[digits[i + 1]]
        });
    }
    bits.push_str("01010");
    for d in &digits[7..] {
        bits.push_str(C[*d]);
    }
    bits.push_str("101");
    bits.chars().map(|c| c == '1').collect()
}

/// A frame with `dark(x, y)` drawn at `scale` pixels per module from (`left`, `top`), in the
/// greys of a shop's light, with noise a cheap camera adds.
fn frame(
    modules_wide: usize,
    modules_high: usize,
    scale: usize,
    dark: impl Fn(usize, usize) -> bool,
) -> Vec<u8> {
    let (w, h) = (WIDTH as usize, HEIGHT as usize);
    let (left, top) = (
        (w - modules_wide * scale) / 2,
        (h - modules_high * scale) / 2,
    );
    let mut seed = 0x2545_f491_u32;
    let mut rgba = Vec::with_capacity(w * h * 4);
    for y in 0..h {
        for x in 0..w {
            let inside = x >= left
                && y >= top
                && x < left + modules_wide * scale
                && y < top + modules_high * scale;
            let base: i32 = if inside && dark((x - left) / scale, (y - top) / scale) {
                60
            } else {
                190
            };
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let v = (base + (seed % 41) as i32 - 20).clamp(0, 255) as u8;
            rgba.extend_from_slice(&[v, v.saturating_add(8), v.saturating_sub(8), 255]);
        }
    }
    rgba
}

fn decode(rgba: &[u8]) -> Option<FrameCode> {
    CameraFrame::new(WIDTH, HEIGHT, rgba).unwrap().decode()
}

#[test]
fn an_ean13_on_a_product_reads_as_its_digits() {
    for code in ["4006381333931", "4601234567893"] {
        let bars = ean13_modules(code);
        let rgba = frame(bars.len(), 40, 3, |x, _| bars[x]);
        assert_eq!(
            decode(&rgba),
            Some(FrameCode {
                text: code.into(),
                format: CodeFormat::Ean13
            }),
            "{code}"
        );
    }
}

#[test]
fn an_ean13_with_a_leading_zero_is_the_upc_a_a_scanner_would_send() {
    // The same bars are a UPC-A code; scanners and `BarcodeDetector` give its 12 digits too.
    let bars = ean13_modules("0012345678905");
    let rgba = frame(bars.len(), 40, 3, |x, _| bars[x]);
    assert_eq!(
        decode(&rgba),
        Some(FrameCode {
            text: "012345678905".into(),
            format: CodeFormat::UpcA
        })
    );
}

#[test]
fn a_receipt_qr_reads_as_its_payload() {
    let payload = "RCPT:0193a6f2-7c1e-7d4e-9a51-3f2b8c6d1e00;3.50;EUR";
    let qr = qrcode::QrCode::new(payload.as_bytes()).unwrap();
    let side = qr.width();
    let colors = qr.to_colors();
    let rgba = frame(side, side, 6, |x, y| {
        colors[y * side + x] == qrcode::Color::Dark
    });
    assert_eq!(
        decode(&rgba),
        Some(FrameCode {
            text: payload.into(),
            format: CodeFormat::Qr
        })
    );
}

#[test]
fn a_frame_of_nothing_or_a_broken_code_reads_as_nothing() {
    assert_eq!(decode(&frame(1, 1, 1, |_, _| false)), None);
    // The same EAN-13 with a bar wiped out: the checksum or the pattern fails, so no wrong code.
    let mut bars = ean13_modules("4006381333931");
    for b in &mut bars[20..27] {
        *b = !*b;
    }
    assert_eq!(decode(&frame(bars.len(), 40, 3, |x, _| bars[x])), None);
}

#[test]
fn frames_whose_size_and_pixels_disagree_are_refused() {
    assert_eq!(
        CameraFrame::new(0, 480, &[]).err(),
        Some(FrameError::BadSize {
            width: 0,
            height: 480
        })
    );
    assert_eq!(
        CameraFrame::new(8192, 8192, &[]).err(),
        Some(FrameError::BadSize {
            width: 8192,
            height: 8192
        })
    );
    assert_eq!(
        CameraFrame::new(2, 2, &[0; 15]).err(),
        Some(FrameError::WrongLength {
            expected: 16,
            got: 15
        })
    );
    assert_eq!(
        CameraFrame::from_luma(2, 2, vec![0; 3]).err(),
        Some(FrameError::WrongLength {
            expected: 4,
            got: 3
        })
    );
    assert!(
        FrameError::WrongLength {
            expected: 16,
            got: 15
        }
        .to_string()
        .contains("15 bytes")
    );
}
