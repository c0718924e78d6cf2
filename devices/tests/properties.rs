//! Properties of the public API over arbitrary input: any text encodes, nothing leaks as
//! UTF-8, every `?` is reported, and laid-out lines never overflow the paper.

use pos_devices::{
    Align, Bitmap, CodePage, Column, Dither, PrinterProfile, ReceiptEncoder, StatusRequest, row,
    truncate, two_columns, wrap,
};
use proptest::prelude::*;

/// What a printer shows for `bytes`, read back with the profile's own `ESC t` numbers.
/// Panics on any byte a plain text run must not contain (controls, high bytes before a page
/// was selected, unassigned bytes), so raw UTF-8 or a stray command fails the property.
fn printed(bytes: &[u8], profile: &PrinterProfile) -> String {
    let mut page: Option<CodePage> = None;
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            0x1B if bytes.get(i + 1) == Some(&b't') => {
                let number = bytes[i + 2];
                page = profile
                    .code_pages
                    .iter()
                    .find(|&&(_, n)| n == number)
                    .map(|&(p, _)| p);
                assert!(page.is_some(), "ESC t {number} is not in {}", profile.id);
                i += 3;
                continue;
            }
            0x0A => out.push('\n'),
            b @ 0x20..=0x7E => out.push(b as char),
            b @ 0x80..=0xFF => {
                let page = page.expect("a high byte before any ESC t");
                out.push(page.decode(b).expect("an assigned byte"));
            }
            b => panic!("control byte {b:#04x} at {i} in {bytes:02X?}"),
        }
        i += 1;
    }
    out
}

/// What the text should print as: `?` for characters no page of the profile has.
fn expected(text: &str, profile: &PrinterProfile) -> (String, Vec<char>) {
    let mut out = String::new();
    let mut missing = Vec::new();
    for c in text.chars() {
        match c {
            '\r' => {}
            '\t' => out.push(' '),
            '\n' => out.push('\n'),
            c if profile
                .code_pages
                .iter()
                .any(|(p, _)| p.encode(c).is_some()) =>
            {
                out.push(c)
            }
            c => {
                out.push('?');
                missing.push(c);
            }
        }
    }
    (out, missing)
}

fn profiles() -> impl Strategy<Value = PrinterProfile> {
    prop::sample::select(PrinterProfile::ALL)
}

/// Arbitrary Unicode, and text that leans on the characters receipts really carry.
fn texts() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 .,а-яА-ЯёЁіІїЇєЄґҐ€£éèüßñ№«»✓🍵\u{1b}\u{0}\u{9c}\n\r\t]{0,60}",
    ]
}

proptest! {
    #[test]
    fn any_text_prints_as_itself_or_reported_question_marks(
        profile in profiles(),
        text in texts(),
    ) {
        let mut encoder = ReceiptEncoder::new(profile);
        encoder.text(&text);
        let receipt = encoder.finish();

        let (shown, missing) = expected(&text, &profile);
        prop_assert_eq!(printed(&receipt.bytes, &profile), shown);

        let reported: Vec<char> = receipt.replaced.iter().map(|r| r.character).collect();
        prop_assert_eq!(reported, missing);
        for replaced in &receipt.replaced {
            prop_assert_eq!(receipt.bytes[replaced.byte_offset], b'?');
        }
        prop_assert_eq!(receipt.unprintable().is_some(), !receipt.replaced.is_empty());
    }

    #[test]
    fn no_utf8_multibyte_sequence_leaks(profile in profiles(), text in any::<String>()) {
        let mut encoder = ReceiptEncoder::new(profile);
        encoder.text(&text);
        let bytes = encoder.finish().bytes;
        // Outside ESC t, a byte >= 0x80 is one character of the selected page; a UTF-8
        // sequence would need one, so every such byte must follow an ESC t somewhere before.
        if let Some(first_high) = bytes.iter().position(|&b| b >= 0x80) {
            prop_assert!(bytes[..first_high].windows(2).any(|w| w == [0x1B, b't']));
        }
        // And the text always prints as many cells as it has characters (no doubled bytes).
        let cells = printed(&bytes, &profile).chars().filter(|&c| c != '\n').count();
        let wanted = text.chars().filter(|&c| c != '\n' && c != '\r').count();
        prop_assert_eq!(cells, wanted);
    }

    #[test]
    fn two_columns_are_exactly_the_width(
        left in texts(),
        right in texts(),
        width in 0usize..=64,
        fill in prop::sample::select(vec![' ', '.', '-', '\n']),
    ) {
        let line = two_columns(&left, &right, width, fill);
        prop_assert_eq!(line.chars().count(), width);
        prop_assert!(!line.chars().any(char::is_control));
    }

    #[test]
    fn encoded_layout_lines_fit_the_paper(
        profile in profiles(),
        left in texts(),
        right in texts(),
        double in any::<bool>(),
    ) {
        let mut encoder = ReceiptEncoder::new(profile);
        if double {
            encoder.size(2, 2).unwrap();
        }
        let width = encoder.chars_per_line();
        prop_assert!([16, 21, 24, 32, 42, 48].contains(&width));
        let start = encoder.bytes().len();
        encoder.two_columns(&left, &right, '.');
        let printed = printed(&encoder.bytes()[start..], &profile);
        prop_assert_eq!(printed.chars().count(), width + 1); // the line and its LF
        prop_assert!(printed.ends_with('\n'));
    }

    #[test]
    fn rows_wraps_and_truncations_fit(
        texts in prop::collection::vec(texts(), 0..5),
        widths in prop::collection::vec(0usize..20, 0..5),
        width in 0usize..50,
    ) {
        let columns: Vec<Column> = widths
            .iter()
            .enumerate()
            .map(|(i, &width)| Column { width, align: [Align::Left, Align::Center, Align::Right][i % 3] })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        prop_assert_eq!(row(&refs, &columns).chars().count(), widths.iter().sum::<usize>());
        for text in &texts {
            prop_assert!(truncate(text, width).chars().count() <= width);
            for line in wrap(text, width) {
                prop_assert!(line.chars().count() <= width, "{:?}", line);
                prop_assert!(!line.contains('\n'));
            }
        }
    }

    #[test]
    fn status_bytes_parse_only_with_their_fixed_bits(byte in any::<u8>()) {
        for request in StatusRequest::ALL {
            let valid = byte & 0b1001_0011 == 0b0001_0010;
            prop_assert_eq!(request.parse(byte).is_ok(), valid);
        }
    }

    #[test]
    fn ean13_accepts_twelve_digits_and_its_own_check_digit(digits in "[0-9]{12}") {
        let mut encoder = ReceiptEncoder::new(PrinterProfile::GENERIC_58);
        encoder.ean13(&digits).unwrap();
        let full = String::from_utf8(encoder.bytes()[4..].to_vec()).unwrap();
        prop_assert!(full.starts_with(&digits));
        encoder.ean13(&full).unwrap();
        let last = full.as_bytes()[12] - b'0';
        let wrong = format!("{}{}", &digits, (last + 1) % 10);
        prop_assert!(encoder.ean13(&wrong).is_err());
    }

    #[test]
    fn bitmaps_pad_rows_with_white(
        width in 1u32..40,
        height in 1u32..8,
        seed in any::<u64>(),
        dither in prop_oneof![any::<u8>().prop_map(Dither::Threshold), Just(Dither::FloydSteinberg)],
    ) {
        let pixels: Vec<u8> = (0..width * height)
            .map(|i| (seed.rotate_left(i % 64) as u8).wrapping_mul(i as u8 | 1))
            .collect();
        let bitmap = Bitmap::from_gray(&pixels, width, height, dither).unwrap();
        let row_bytes = width.div_ceil(8) as usize;
        prop_assert_eq!(bitmap.bits().len(), row_bytes * height as usize);
        let spare = (8 * row_bytes as u32 - width) as u8;
        for row in bitmap.bits().chunks(row_bytes) {
            prop_assert_eq!(row[row_bytes - 1] & ((1u16 << spare) - 1) as u8, 0);
        }
    }
}
