//! Code pages: the single-byte character sets a receipt printer prints with.
//! A printer knows no UTF-8, so every character must become one byte of a page the printer
//! has, or a visible `?` that is reported; the text run picks the page (see [`encode_text`]).

use oem_cp::code_table::{
    DECODING_TABLE_CP437, DECODING_TABLE_CP858, DECODING_TABLE_CP866, ENCODING_TABLE_CP437,
    ENCODING_TABLE_CP858, ENCODING_TABLE_CP866,
};

/// A character set the encoder can print with. Which `ESC t` number selects it is
/// printer data: see [`PrinterProfile::code_pages`](crate::PrinterProfile::code_pages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodePage {
    /// IBM PC "OEM United States": Latin letters with accents, box drawing.
    Cp437,
    /// CP850 with the euro sign: Western European (DOS).
    Cp858,
    /// "Alternative" Cyrillic (DOS), the page most printers sold in Russia default to.
    Cp866,
    /// Windows Cyrillic (Epson calls it WPC1251): Russian, Ukrainian, Belarusian, Serbian.
    Windows1251,
}

impl CodePage {
    /// Every page the encoder knows.
    pub const ALL: [CodePage; 4] = [
        CodePage::Cp437,
        CodePage::Cp858,
        CodePage::Cp866,
        CodePage::Windows1251,
    ];

    /// The name printed on a printer's self-test page, e.g. `PC866` or `WPC1251`.
    pub const fn name(self) -> &'static str {
        match self {
            CodePage::Cp437 => "PC437",
            CodePage::Cp858 => "PC858",
            CodePage::Cp866 => "PC866",
            CodePage::Windows1251 => "WPC1251",
        }
    }

    /// The byte that prints `c` on this page, or `None` when the page lacks it.
    ///
    /// Control characters are never mapped: a byte below 0x20 would be a printer command.
    pub fn encode(self, c: char) -> Option<u8> {
        if (' '..='~').contains(&c) {
            return Some(c as u8);
        }
        if (c as u32) < 0xA0 {
            return None; // C0 and C1 controls, DEL
        }
        let byte = match self {
            CodePage::Cp437 => ENCODING_TABLE_CP437.get(&c).copied(),
            CodePage::Cp858 => ENCODING_TABLE_CP858.get(&c).copied(),
            CodePage::Cp866 => ENCODING_TABLE_CP866.get(&c).copied(),
            CodePage::Windows1251 => windows_1251::encode(c),
        }?;
        (byte >= 0x80).then_some(byte)
    }

    /// The character a printed byte shows, or `None` for controls and unassigned bytes.
    pub fn decode(self, byte: u8) -> Option<char> {
        match byte {
            0x20..=0x7E => Some(byte as char),
            0x80..=0xFF => {
                let upper = usize::from(byte - 0x80);
                match self {
                    CodePage::Cp437 => Some(DECODING_TABLE_CP437[upper]),
                    CodePage::Cp858 => Some(DECODING_TABLE_CP858[upper]),
                    CodePage::Cp866 => Some(DECODING_TABLE_CP866[upper]),
                    CodePage::Windows1251 => windows_1251::DECODE[upper],
                }
            }
            _ => None,
        }
    }
}

/// A character the printer cannot print: it went out as `?` at `byte_offset` of the output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replaced {
    /// The character that was asked for.
    pub character: char,
    /// Where its `?` stands in the encoded bytes.
    pub byte_offset: usize,
}

/// How far ahead the page chooser looks; bounds the cost of a pathological text.
const LOOKAHEAD: usize = 256;

/// Appends `text` to `out` in the printer's code pages, switching pages with `ESC t n` only
/// when the current page lacks a character.
///
/// `pages` is the profile's list in preference order; `current` is the page the printer is
/// known to be in (`None` after `ESC @`, since the power-on page is a printer setting).
/// A new page is chosen to cover the longest stretch of the text ahead, so a Ukrainian word
/// with `і` goes to WPC1251 at once instead of flipping between CP866 and WPC1251.
/// `\n` becomes LF, `\r` is dropped, `\t` prints as a space; anything else no page has,
/// controls included, prints as `?` and is reported in `replaced`.
pub(crate) fn encode_text(
    text: &str,
    pages: &[(CodePage, u8)],
    current: &mut Option<CodePage>,
    out: &mut Vec<u8>,
    replaced: &mut Vec<Replaced>,
) {
    let chars: Vec<char> = text.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        match c {
            '\n' => out.push(0x0A),
            '\r' => {}
            '\t' => out.push(b' '),
            ' '..='~' => out.push(c as u8),
            _ => {
                if let Some(byte) = current.and_then(|page| page.encode(c)) {
                    out.push(byte);
                } else if let Some((page, number)) = best_page(&chars[index..], pages) {
                    out.extend_from_slice(&[0x1B, 0x74, number]);
                    *current = Some(page);
                    out.push(page.encode(c).unwrap_or(b'?'));
                } else {
                    replaced.push(Replaced {
                        character: c,
                        byte_offset: out.len(),
                    });
                    out.push(b'?');
                }
            }
        }
    }
}

/// The page that has `ahead[0]` and prints the longest run of `ahead`; earlier pages win ties.
fn best_page(ahead: &[char], pages: &[(CodePage, u8)]) -> Option<(CodePage, u8)> {
    let mut best: Option<((CodePage, u8), usize)> = None;
    for &(page, number) in pages {
        let run = ahead
            .iter()
            .take(LOOKAHEAD)
            .take_while(|&&c| c.is_ascii() || page.encode(c).is_some())
            .count();
        if page.encode(ahead[0]).is_some() && best.is_none_or(|(_, longest)| run > longest) {
            best = Some(((page, number), run));
        }
    }
    best.map(|(page, _)| page)
}

/// Windows-1251, hand-written: the only crate with the table, `encoding_rs`, links every
/// encoder it has (about 115 KB gzip in a wasm build, measured), for 128 characters.
/// The table is checked against `encoding_rs` in the tests.
mod windows_1251 {
    /// Bytes 0x80..=0xFF; 0x98 is unassigned.
    pub(super) static DECODE: [Option<char>; 128] = {
        let upper: [char; 64] = [
            'Ђ', 'Ѓ', '‚', 'ѓ', '„', '…', '†', '‡', '€', '‰', 'Љ', '‹', 'Њ', 'Ќ', 'Ћ', 'Џ', //
            'ђ', '‘', '’', '“', '”', '•', '–', '—', '\0', '™', 'љ', '›', 'њ', 'ќ', 'ћ',
            'џ', //
            '\u{A0}', 'Ў', 'ў', 'Ј', '¤', 'Ґ', '¦', '§', 'Ё', '©', 'Є', '«', '¬', '\u{AD}', '®',
            'Ї', //
            '°', '±', 'І', 'і', 'ґ', 'µ', '¶', '·', 'ё', '№', 'є', '»', 'ј', 'Ѕ', 'ѕ', 'ї',
        ];
        let mut table = [None; 128];
        let mut i = 0;
        while i < 128 {
            table[i] = if i < 64 {
                if upper[i] == '\0' {
                    None
                } else {
                    Some(upper[i])
                }
            } else {
                // 0xC0..=0xFF is А..я in alphabetical order, U+0410..=U+044F.
                char::from_u32(0x0410 + (i as u32 - 64))
            };
            i += 1;
        }
        table
    };

    pub(super) fn encode(c: char) -> Option<u8> {
        match c {
            'А'..='я' => Some(0xC0 + (c as u32 - 0x0410) as u8),
            _ => DECODE[..64]
                .iter()
                .position(|&mapped| mapped == Some(c))
                .map(|index| 0x80 + index as u8),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str, pages: &[(CodePage, u8)]) -> (Vec<u8>, Vec<Replaced>) {
        let (mut out, mut replaced) = (Vec::new(), Vec::new());
        encode_text(text, pages, &mut None, &mut out, &mut replaced);
        (out, replaced)
    }

    const EPSON: &[(CodePage, u8)] = &[
        (CodePage::Cp858, 19),
        (CodePage::Cp866, 17),
        (CodePage::Cp437, 0),
        (CodePage::Windows1251, 46),
    ];

    #[test]
    fn ascii_needs_no_code_page() {
        assert_eq!(encode("Tea 2.50\n", EPSON).0, b"Tea 2.50\x0A");
    }

    #[test]
    fn cyrillic_selects_cp866_then_stays() {
        // "Чай" in CP866: Ч = 0x97, а = 0xA0, й = 0xA9 (IBM CP866 chart).
        let (bytes, replaced) = encode("Чай 1 Чай", EPSON);
        assert_eq!(
            bytes,
            [
                0x1B, 0x74, 17, 0x97, 0xA0, 0xA9, b' ', b'1', b' ', 0x97, 0xA0, 0xA9
            ]
        );
        assert!(replaced.is_empty());
    }

    #[test]
    fn ukrainian_goes_to_windows_1251_for_the_whole_word() {
        // "Білий": CP866 has no "і", so WPC1251 (Epson 46) covers the whole word:
        // Б = 0xC1, і = 0xB3, л = 0xEB, и = 0xE8, й = 0xE9 (Microsoft cp1251 chart).
        let (bytes, _) = encode("Білий", EPSON);
        assert_eq!(bytes, [0x1B, 0x74, 46, 0xC1, 0xB3, 0xEB, 0xE8, 0xE9]);
    }

    #[test]
    fn euro_selects_cp858() {
        // CP858 puts € at 0xD5 where CP850 has a dotless i.
        assert_eq!(encode("5 €", EPSON).0, [b'5', b' ', 0x1B, 0x74, 19, 0xD5]);
    }

    #[test]
    fn western_text_after_cyrillic_switches_back() {
        // "Кафе Café": К а ф е = 0x8A 0xA0 0xE4 0xA5 in CP866; é = 0x82 in CP858.
        let (bytes, _) = encode("Кафе Café", EPSON);
        assert_eq!(
            bytes,
            [
                0x1B, 0x74, 17, 0x8A, 0xA0, 0xE4, 0xA5, b' ', b'C', b'a', b'f', 0x1B, 0x74, 19,
                0x82
            ]
        );
    }

    #[test]
    fn unknown_characters_become_reported_question_marks() {
        let (bytes, replaced) = encode("OK ✓\u{1b}!", EPSON);
        assert_eq!(bytes, b"OK ??!");
        assert_eq!(
            replaced,
            [
                Replaced {
                    character: '✓',
                    byte_offset: 3
                },
                Replaced {
                    character: '\u{1b}',
                    byte_offset: 4
                },
            ]
        );
    }

    #[test]
    fn a_profile_without_cyrillic_reports_every_letter() {
        let (bytes, replaced) = encode("Да", &[(CodePage::Cp437, 0)]);
        assert_eq!(bytes, b"??");
        assert_eq!(replaced.len(), 2);
    }

    #[test]
    fn tables_round_trip() {
        for page in CodePage::ALL {
            for byte in 0x80..=0xFFu8 {
                if let Some(c) = page.decode(byte) {
                    assert_eq!(page.encode(c), Some(byte), "{page:?} {byte:#04x} {c:?}");
                }
            }
        }
    }

    #[test]
    fn windows_1251_matches_encoding_rs() {
        for byte in 0x80..=0xFFu8 {
            let input = [byte];
            let (decoded, _) = encoding_rs::WINDOWS_1251.decode_without_bom_handling(&input);
            let expected = decoded.chars().next();
            // WHATWG maps the unassigned 0x98 to U+0098; Microsoft leaves it unassigned.
            let expected = if byte == 0x98 { None } else { expected };
            assert_eq!(CodePage::Windows1251.decode(byte), expected, "{byte:#04x}");
        }
    }

    #[test]
    fn cp866_matches_encoding_rs() {
        for byte in 0x80..=0xFFu8 {
            let input = [byte];
            let (decoded, _) = encoding_rs::IBM866.decode_without_bom_handling(&input);
            assert_eq!(CodePage::Cp866.decode(byte), decoded.chars().next());
        }
    }
}
