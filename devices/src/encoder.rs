//! The ESC/POS receipt encoder: a builder that appends commands to a byte buffer.
//! Each method writes exactly the bytes of the Epson ESC/POS reference for its command, so a
//! test can name them; text goes through the profile's code pages (see `codepage`).

use crate::codepage::{CodePage, Replaced, encode_text};
use crate::error::EncodeError;
use crate::image::Bitmap;
use crate::layout;
use crate::profile::{DrawerPulse, PrinterProfile};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const LF: u8 = 0x0A;

/// Builds the bytes of one print job for one printer profile.
///
/// Methods append and return `&mut Self`, so calls chain; the few that can fail return
/// `Result<&mut Self, EncodeError>` and write nothing when they fail. Characters the
/// printer lacks print as `?` and are listed in [`EncodedReceipt::replaced`].
#[derive(Clone, Debug)]
pub struct ReceiptEncoder {
    profile: PrinterProfile,
    bytes: Vec<u8>,
    replaced: Vec<Replaced>,
    /// The page the printer is known to be in; `None` until this encoder selects one.
    code_page: Option<CodePage>,
    width_scale: u8,
}

/// Text alignment (`ESC a n`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    /// `n = 0`.
    #[default]
    Left,
    /// `n = 1`.
    Center,
    /// `n = 2`.
    Right,
}

/// Underline (`ESC - n`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Underline {
    /// `n = 0`.
    #[default]
    Off,
    /// One dot thick, `n = 1`.
    Single,
    /// Two dots thick, `n = 2`.
    Double,
}

/// Where a barcode's human-readable digits go (`GS H n`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BarcodeText {
    /// Not printed, `n = 0`.
    None,
    /// Above the bars, `n = 1`.
    Above,
    /// Below the bars, `n = 2`.
    #[default]
    Below,
    /// Both, `n = 3`.
    Both,
}

/// QR code error correction level (`GS ( k` function 169): how much of the code may be
/// damaged and still scan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QrErrorCorrection {
    /// About 7 %.
    Low,
    /// About 15 %.
    #[default]
    Medium,
    /// About 25 %.
    Quartile,
    /// About 30 %.
    High,
}

impl QrErrorCorrection {
    /// The most bytes a QR code (version 40, byte mode) holds at this level.
    pub const fn max_bytes(self) -> usize {
        match self {
            QrErrorCorrection::Low => 2953,
            QrErrorCorrection::Medium => 2331,
            QrErrorCorrection::Quartile => 1663,
            QrErrorCorrection::High => 1273,
        }
    }

    const fn code(self) -> u8 {
        match self {
            QrErrorCorrection::Low => 48,
            QrErrorCorrection::Medium => 49,
            QrErrorCorrection::Quartile => 50,
            QrErrorCorrection::High => 51,
        }
    }
}

/// How a QR code is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QrOptions {
    /// Dots per module, 1..=16 (function 167). 6 gives a code about 2.5 cm wide for a
    /// short link on a 203 dpi printer.
    pub module_size: u8,
    /// Error correction level (function 169).
    pub error_correction: QrErrorCorrection,
}

impl Default for QrOptions {
    fn default() -> Self {
        QrOptions {
            module_size: 6,
            error_correction: QrErrorCorrection::Medium,
        }
    }
}

/// Which cut (`GS V m n`, function B: feed to the cutter, then cut).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Cut right through, `m = 65`.
    Full,
    /// Leave a hinge so the receipt does not fall, `m = 66`.
    Partial,
}

/// Which drawer kick-out connector pin the pulse goes to (`ESC p m`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DrawerPin {
    /// Connector pin 2, `m = 0`: the first (or only) drawer.
    #[default]
    Pin2,
    /// Connector pin 5, `m = 1`: a second drawer.
    Pin5,
}

/// Rows per `GS v 0` command. Tall images are sent in bands: cheap printers with small
/// receive buffers garble one large raster command; 256 rows of 576 dots is 18 KB.
pub const RASTER_BAND_ROWS: u32 = 256;

/// The bytes of a print job, and what could not be printed as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedReceipt {
    /// What to send to the printer.
    pub bytes: Vec<u8>,
    /// Characters printed as `?` because no code page of the printer has them.
    pub replaced: Vec<Replaced>,
}

impl EncodedReceipt {
    /// A warning for the cashier when some characters were replaced.
    pub fn unprintable(&self) -> Option<UnprintableText> {
        if self.replaced.is_empty() {
            return None;
        }
        let mut characters: Vec<char> = Vec::new();
        for replaced in &self.replaced {
            if !characters.contains(&replaced.character) {
                characters.push(replaced.character);
            }
        }
        Some(UnprintableText { characters })
    }
}

/// Characters that printed as `?`: a warning, since the receipt still printed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "Some characters cannot be printed on this printer and printed as \"?\": {}. Check the \
     printer model in Settings, or change the text.",
    listed(.characters)
)]
pub struct UnprintableText {
    /// Each missing character once, in order of appearance.
    pub characters: Vec<char>,
}

/// The characters one after another, a control character by its code point (it would not show).
fn listed(characters: &[char]) -> String {
    let shown: Vec<String> = characters
        .iter()
        .map(|&c| {
            if c.is_control() {
                format!("U+{:04X}", c as u32)
            } else {
                c.to_string()
            }
        })
        .collect();
    shown.join(" ")
}

impl ReceiptEncoder {
    /// An empty job for a printer of this profile.
    pub fn new(profile: PrinterProfile) -> ReceiptEncoder {
        ReceiptEncoder {
            profile,
            bytes: Vec::with_capacity(512),
            replaced: Vec::new(),
            code_page: None,
            width_scale: 1,
        }
    }

    /// The profile this job is for.
    pub fn profile(&self) -> &PrinterProfile {
        &self.profile
    }

    /// The bytes so far.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Characters per line at the current character width.
    pub fn chars_per_line(&self) -> usize {
        usize::from(self.profile.chars_per_line / self.width_scale)
    }

    /// The finished job.
    pub fn finish(self) -> EncodedReceipt {
        EncodedReceipt {
            bytes: self.bytes,
            replaced: self.replaced,
        }
    }

    /// `ESC @`: clears the print buffer and resets every mode to the printer's defaults.
    pub fn initialize(&mut self) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'@']);
        self.code_page = None; // the power-on page is a printer setting, not known here
        self.width_scale = 1;
        self
    }

    /// `ESC t n`: selects `page` now. Text selects pages by itself; this is for a printer
    /// whose default page must be set for some other reason.
    pub fn code_page(&mut self, page: CodePage) -> Result<&mut Self, EncodeError> {
        let number =
            self.profile
                .code_page_number(page)
                .ok_or(EncodeError::CodePageNotOnPrinter {
                    page,
                    printer: self.profile.name,
                })?;
        self.bytes.extend_from_slice(&[ESC, b't', number]);
        self.code_page = Some(page);
        Ok(self)
    }

    /// Text, in the printer's code pages (`\n` starts a new line).
    pub fn text(&mut self, text: &str) -> &mut Self {
        encode_text(
            text,
            self.profile.code_pages,
            &mut self.code_page,
            &mut self.bytes,
            &mut self.replaced,
        );
        self
    }

    /// Text, then a line feed.
    pub fn line(&mut self, text: &str) -> &mut Self {
        self.text(text).newline()
    }

    /// `LF`: prints the line and starts the next.
    pub fn newline(&mut self) -> &mut Self {
        self.bytes.push(LF);
        self
    }

    /// `ESC E n`: bold on (`n = 1`) or off (`n = 0`).
    pub fn bold(&mut self, on: bool) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'E', u8::from(on)]);
        self
    }

    /// `ESC - n`.
    pub fn underline(&mut self, underline: Underline) -> &mut Self {
        let n = match underline {
            Underline::Off => 0,
            Underline::Single => 1,
            Underline::Double => 2,
        };
        self.bytes.extend_from_slice(&[ESC, b'-', n]);
        self
    }

    /// `GS ! n`: character width and height, 1..=8 times each; `(2, 2)` is double size.
    /// Lines from [`two_columns`](Self::two_columns) then hold fewer characters.
    pub fn size(&mut self, width: u8, height: u8) -> Result<&mut Self, EncodeError> {
        if !(1..=8).contains(&width) || !(1..=8).contains(&height) {
            return Err(EncodeError::TextSize { width, height });
        }
        self.bytes
            .extend_from_slice(&[GS, b'!', ((width - 1) << 4) | (height - 1)]);
        self.width_scale = width;
        Ok(self)
    }

    /// `ESC a n`. Takes effect at the start of a line.
    pub fn align(&mut self, align: Align) -> &mut Self {
        let n = match align {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        };
        self.bytes.extend_from_slice(&[ESC, b'a', n]);
        self
    }

    /// A full line with `left` at the start and `right` flush right, the gap filled with
    /// `fill` (`' '` or `'.'`): see [`layout::two_columns`].
    pub fn two_columns(&mut self, left: &str, right: &str, fill: char) -> &mut Self {
        let line = layout::two_columns(left, right, self.chars_per_line(), fill);
        self.line(&line)
    }

    /// A table row as wide as the line: see [`layout::row`].
    pub fn row(&mut self, texts: &[&str], columns: &[layout::Column]) -> &mut Self {
        let line = layout::row(texts, columns);
        self.line(&line)
    }

    /// Text word-wrapped to the line width: see [`layout::wrap`].
    pub fn wrapped(&mut self, text: &str) -> &mut Self {
        for line in layout::wrap(text, self.chars_per_line()) {
            self.line(&line);
        }
        self
    }

    /// `GS h n`: bar height in dots (1..=255).
    pub fn barcode_height(&mut self, dots: u8) -> &mut Self {
        self.bytes.extend_from_slice(&[GS, b'h', dots.max(1)]);
        self
    }

    /// `GS w n`: module (narrow bar) width in dots, 2..=6.
    pub fn barcode_module_width(&mut self, dots: u8) -> &mut Self {
        self.bytes.extend_from_slice(&[GS, b'w', dots.clamp(2, 6)]);
        self
    }

    /// `GS H n`: where the human-readable digits print.
    pub fn barcode_text(&mut self, position: BarcodeText) -> &mut Self {
        let n = match position {
            BarcodeText::None => 0,
            BarcodeText::Above => 1,
            BarcodeText::Below => 2,
            BarcodeText::Both => 3,
        };
        self.bytes.extend_from_slice(&[GS, b'H', n]);
        self
    }

    /// `GS k 67 13 d1...d13`: an EAN-13 barcode. Twelve digits get their check digit
    /// added; thirteen must carry the right one.
    pub fn ean13(&mut self, digits: &str) -> Result<&mut Self, EncodeError> {
        let digits = ean13_digits(digits)?;
        self.bytes.extend_from_slice(&[GS, b'k', 67, 13]);
        self.bytes.extend_from_slice(&digits);
        Ok(self)
    }

    /// `GS k 73 n {B d1...dk`: a Code 128 barcode in code set B (printable ASCII; `{` is
    /// sent as `{{`).
    pub fn code128(&mut self, data: &str) -> Result<&mut Self, EncodeError> {
        let mut encoded = vec![b'{', b'B'];
        for c in data.chars() {
            if !(' '..='~').contains(&c) {
                return Err(EncodeError::Code128Character {
                    data: data.to_owned(),
                    character: c,
                });
            }
            if c == '{' {
                encoded.push(b'{');
            }
            encoded.push(c as u8);
        }
        if data.is_empty() || encoded.len() > 255 {
            return Err(EncodeError::BarcodeTooLong {
                length: data.chars().count(),
                max: 253,
            });
        }
        self.bytes
            .extend_from_slice(&[GS, b'k', 73, encoded.len() as u8]);
        self.bytes.extend_from_slice(&encoded);
        Ok(self)
    }

    /// A QR code (model 2) holding `data` as UTF-8: `GS ( k` functions 165 (model), 167
    /// (module size), 169 (error correction), 180 (store) and 181 (print).
    pub fn qr(&mut self, data: &str, options: QrOptions) -> Result<&mut Self, EncodeError> {
        let data = data.as_bytes();
        if data.is_empty() {
            return Err(EncodeError::QrEmpty);
        }
        let max = options.error_correction.max_bytes();
        if data.len() > max {
            return Err(EncodeError::QrTooLong {
                length: data.len(),
                max,
            });
        }
        if !(1..=16).contains(&options.module_size) {
            return Err(EncodeError::QrModuleSize {
                size: options.module_size,
            });
        }
        let stored = data.len() + 3; // cn fn m, then the data
        let b = &mut self.bytes;
        b.extend_from_slice(&[GS, b'(', b'k', 4, 0, 49, 65, 50, 0]);
        b.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 67, options.module_size]);
        b.extend_from_slice(&[
            GS,
            b'(',
            b'k',
            3,
            0,
            49,
            69,
            options.error_correction.code(),
        ]);
        b.extend_from_slice(&[
            GS,
            b'(',
            b'k',
            stored as u8,
            (stored >> 8) as u8,
            49,
            80,
            48,
        ]);
        b.extend_from_slice(data);
        b.extend_from_slice(&[GS, b'(', b'k', 3, 0, 49, 81, 48]);
        Ok(self)
    }

    /// `GS v 0 0 xL xH yL yH d...`: a raster image, in bands of [`RASTER_BAND_ROWS`].
    pub fn image(&mut self, bitmap: &Bitmap) -> Result<&mut Self, EncodeError> {
        if bitmap.width() > u32::from(self.profile.dots_per_line) {
            return Err(EncodeError::ImageTooWide {
                width: bitmap.width(),
                max: self.profile.dots_per_line,
            });
        }
        let row_bytes = Bitmap::row_bytes(bitmap.width());
        for rows in bitmap.bits().chunks(row_bytes * RASTER_BAND_ROWS as usize) {
            let height = rows.len() / row_bytes;
            self.bytes.extend_from_slice(&[
                GS,
                b'v',
                b'0',
                0,
                row_bytes as u8,
                (row_bytes >> 8) as u8,
                height as u8,
                (height >> 8) as u8,
            ]);
            self.bytes.extend_from_slice(rows);
        }
        Ok(self)
    }

    /// `ESC d n`: prints the buffer and feeds `lines` lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.bytes.extend_from_slice(&[ESC, b'd', lines]);
        self
    }

    /// `GS V 65|66 0`: feeds the paper to the cutter and cuts.
    pub fn cut(&mut self, cut: Cut) -> &mut Self {
        let m = match cut {
            Cut::Full => 65,
            Cut::Partial => 66,
        };
        self.bytes.extend_from_slice(&[GS, b'V', m, 0]);
        self
    }

    /// `ESC p m t1 t2` with the profile's pulse: opens the cash drawer.
    pub fn open_drawer(&mut self, pin: DrawerPin) -> &mut Self {
        self.open_drawer_with(pin, self.profile.drawer_pulse)
    }

    /// `ESC p m t1 t2` with a given pulse. Both timing bytes are always sent.
    pub fn open_drawer_with(&mut self, pin: DrawerPin, pulse: DrawerPulse) -> &mut Self {
        let m = match pin {
            DrawerPin::Pin2 => 0,
            DrawerPin::Pin5 => 1,
        };
        self.bytes
            .extend_from_slice(&[ESC, b'p', m, pulse.on_units(), pulse.off_units()]);
        self
    }

    /// Bytes passed through untouched, for a command this encoder lacks. The encoder then
    /// forgets which code page is selected, and selects one again before the next
    /// non-ASCII character.
    pub fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(bytes);
        self.code_page = None;
        self
    }
}

/// The thirteen ASCII digits of an EAN-13, check digit included and verified.
fn ean13_digits(data: &str) -> Result<[u8; 13], EncodeError> {
    let digits: Vec<u8> = data.bytes().collect();
    if !(digits.len() == 12 || digits.len() == 13) || !digits.iter().all(u8::is_ascii_digit) {
        return Err(EncodeError::Ean13Format {
            data: data.to_owned(),
        });
    }
    // Weights 1, 3, 1, 3 ... over the first twelve digits, from the left.
    let sum: u32 = digits[..12]
        .iter()
        .enumerate()
        .map(|(index, d)| u32::from(d - b'0') * if index % 2 == 0 { 1 } else { 3 })
        .sum();
    let check = ((10 - sum % 10) % 10) as u8;
    if digits.len() == 13 && digits[12] - b'0' != check {
        return Err(EncodeError::Ean13CheckDigit {
            data: data.to_owned(),
            expected: check,
        });
    }
    let mut out = [0u8; 13];
    out[..12].copy_from_slice(&digits[..12]);
    out[12] = b'0' + check;
    Ok(out)
}

#[cfg(test)]
mod tests {
    //! Expected bytes are written from the Epson ESC/POS command reference, never produced
    //! by the encoder under test.
    use super::*;

    /// One helper for every command test: what `build` appends to a fresh Epson job.
    fn check(build: impl FnOnce(&mut ReceiptEncoder), expected: &[u8]) {
        let mut encoder = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
        build(&mut encoder);
        assert_eq!(
            encoder.bytes(),
            expected,
            "\n{:02X?}\n{expected:02X?}",
            encoder.bytes()
        );
    }

    #[test]
    fn initialize() {
        check(
            |e| {
                e.initialize();
            },
            &[0x1B, 0x40],
        );
    }

    #[test]
    fn bold_and_underline() {
        check(
            |e| {
                e.bold(true).bold(false);
            },
            &[0x1B, 0x45, 0x01, 0x1B, 0x45, 0x00],
        );
        check(
            |e| {
                e.underline(Underline::Single)
                    .underline(Underline::Double)
                    .underline(Underline::Off);
            },
            &[0x1B, 0x2D, 0x01, 0x1B, 0x2D, 0x02, 0x1B, 0x2D, 0x00],
        );
    }

    #[test]
    fn character_size() {
        // GS ! n: bits 4-6 width - 1, bits 0-2 height - 1. Double both = 0x11.
        check(
            |e| {
                e.size(2, 2).unwrap();
            },
            &[0x1D, 0x21, 0x11],
        );
        check(
            |e| {
                e.size(2, 1).unwrap();
            },
            &[0x1D, 0x21, 0x10],
        );
        check(
            |e| {
                e.size(1, 2).unwrap();
            },
            &[0x1D, 0x21, 0x01],
        );
        check(
            |e| {
                e.size(8, 8).unwrap();
            },
            &[0x1D, 0x21, 0x77],
        );
        let mut encoder = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
        assert_eq!(
            encoder.size(0, 1).unwrap_err(),
            EncodeError::TextSize {
                width: 0,
                height: 1
            }
        );
        assert_eq!(
            encoder.size(9, 1).unwrap_err(),
            EncodeError::TextSize {
                width: 9,
                height: 1
            }
        );
        assert!(encoder.bytes().is_empty());
    }

    #[test]
    fn alignment() {
        check(
            |e| {
                e.align(Align::Left)
                    .align(Align::Center)
                    .align(Align::Right);
            },
            &[0x1B, 0x61, 0x00, 0x1B, 0x61, 0x01, 0x1B, 0x61, 0x02],
        );
    }

    #[test]
    fn code_page_selection() {
        check(
            |e| {
                e.code_page(CodePage::Windows1251).unwrap();
            },
            &[0x1B, 0x74, 0x2E],
        );
        let mut xprinter = ReceiptEncoder::new(PrinterProfile::XPRINTER_80);
        xprinter.code_page(CodePage::Windows1251).unwrap();
        assert_eq!(xprinter.bytes(), [0x1B, 0x74, 0x17]);
        let mut generic = ReceiptEncoder::new(PrinterProfile::GENERIC_58);
        assert!(matches!(
            generic.code_page(CodePage::Windows1251),
            Err(EncodeError::CodePageNotOnPrinter { .. })
        ));
    }

    #[test]
    fn cyrillic_line_on_epson_and_xprinter() {
        // "Итого" in CP866: И 0x88, т 0xE2, о 0xAE, г 0xA3, о 0xAE.
        let line = [0x1B, 0x74, 0x11, 0x88, 0xE2, 0xAE, 0xA3, 0xAE, 0x0A];
        check(
            |e| {
                e.line("Итого");
            },
            &line,
        );
        // "Іі" needs WPC1251: І 0xB2, і 0xB3 — Epson 46 (0x2E), Xprinter 23 (0x17).
        check(
            |e| {
                e.text("Іі");
            },
            &[0x1B, 0x74, 0x2E, 0xB2, 0xB3],
        );
        let mut xprinter = ReceiptEncoder::new(PrinterProfile::XPRINTER_58);
        xprinter.text("Іі");
        assert_eq!(xprinter.bytes(), [0x1B, 0x74, 0x17, 0xB2, 0xB3]);
    }

    #[test]
    fn page_is_selected_again_after_initialize_and_raw() {
        // CP866: Д 0x84, а 0xA0.
        check(
            |e| {
                e.text("Да")
                    .initialize()
                    .text("Да")
                    .raw(&[0x1B, 0x74, 0x00])
                    .text("Да");
            },
            &[
                0x1B, 0x74, 0x11, 0x84, 0xA0, //
                0x1B, 0x40, 0x1B, 0x74, 0x11, 0x84, 0xA0, //
                0x1B, 0x74, 0x00, 0x1B, 0x74, 0x11, 0x84, 0xA0,
            ],
        );
    }

    #[test]
    fn replacements_are_reported() {
        let mut encoder = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
        encoder.initialize().line("Tea 🍵 ok");
        let receipt = encoder.finish();
        assert_eq!(receipt.bytes, b"\x1B\x40Tea ? ok\x0A");
        assert_eq!(
            receipt.replaced,
            [Replaced {
                character: '🍵',
                byte_offset: 6
            }]
        );
        let warning = receipt.unprintable().unwrap().to_string();
        assert!(warning.contains('🍵'), "{warning}");
    }

    #[test]
    fn two_columns_fill_the_line() {
        let mut encoder = ReceiptEncoder::new(PrinterProfile::XPRINTER_58);
        encoder.two_columns("Coffee x2", "5.00", '.');
        let mut expected = b"Coffee x2 ".to_vec();
        expected.extend_from_slice(&[b'.'; 17]);
        expected.extend_from_slice(b" 5.00\n");
        assert_eq!(encoder.bytes(), expected);
        // Double width halves the line: 16 characters on 58 mm paper.
        let mut encoder = ReceiptEncoder::new(PrinterProfile::XPRINTER_58);
        encoder
            .size(2, 1)
            .unwrap()
            .two_columns("Total", "5.00", ' ');
        assert_eq!(&encoder.bytes()[3..], b"Total       5.00\n");
    }

    #[test]
    fn ean13() {
        // 4006381333931: check digit 1 (4*1+0*3+0+6*3+3+8*3+1+3*3+3+3*3+9+3*3 = 89 -> 1).
        let expected = [
            0x1D, 0x6B, 0x43, 0x0D, b'4', b'0', b'0', b'6', b'3', b'8', b'1', b'3', b'3', b'3',
            b'9', b'3', b'1',
        ];
        check(
            |e| {
                e.ean13("4006381333931").unwrap();
            },
            &expected,
        );
        check(
            |e| {
                e.ean13("400638133393").unwrap();
            },
            &expected,
        );
        let mut encoder = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
        assert_eq!(
            encoder.ean13("4006381333932").unwrap_err(),
            EncodeError::Ean13CheckDigit {
                data: "4006381333932".into(),
                expected: 1
            }
        );
        assert!(matches!(
            encoder.ean13("40063813339"),
            Err(EncodeError::Ean13Format { .. })
        ));
        assert!(matches!(
            encoder.ean13("40063813339x"),
            Err(EncodeError::Ean13Format { .. })
        ));
        assert!(encoder.bytes().is_empty());
    }

    #[test]
    fn barcode_settings() {
        check(
            |e| {
                e.barcode_height(80)
                    .barcode_module_width(3)
                    .barcode_text(BarcodeText::Below);
            },
            &[0x1D, 0x68, 0x50, 0x1D, 0x77, 0x03, 0x1D, 0x48, 0x02],
        );
    }

    #[test]
    fn code128() {
        // n counts "{B" and the data.
        check(
            |e| {
                e.code128("No.42").unwrap();
            },
            &[
                0x1D, 0x6B, 0x49, 0x07, 0x7B, 0x42, b'N', b'o', b'.', b'4', b'2',
            ],
        );
        check(
            |e| {
                e.code128("a{b").unwrap();
            },
            &[0x1D, 0x6B, 0x49, 0x06, 0x7B, 0x42, b'a', 0x7B, 0x7B, b'b'],
        );
        let mut encoder = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
        assert!(matches!(
            encoder.code128("Чек"),
            Err(EncodeError::Code128Character {
                character: 'Ч', ..
            })
        ));
        assert!(encoder.code128(&"x".repeat(253)).is_ok());
        assert!(matches!(
            encoder.code128(&"x".repeat(254)),
            Err(EncodeError::BarcodeTooLong { .. })
        ));
    }

    #[test]
    fn qr_model_2() {
        let expected = [
            0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, // model 2
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06, // module size 6
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31, // error correction M
            0x1D, 0x28, 0x6B, 0x06, 0x00, 0x31, 0x50, 0x30, b'a', b'b', b'c', // store 3 bytes
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30, // print
        ];
        check(
            |e| {
                e.qr("abc", QrOptions::default()).unwrap();
            },
            &expected,
        );
    }

    #[test]
    fn qr_length_uses_both_bytes() {
        // 300 bytes + 3 = 303 = 0x012F: pL 0x2F, pH 0x01.
        let data = "x".repeat(300);
        let mut encoder = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
        let options = QrOptions {
            module_size: 3,
            error_correction: QrErrorCorrection::Low,
        };
        encoder.qr(&data, options).unwrap();
        let store = &encoder.bytes()[25..33];
        assert_eq!(store, [0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30]);
        assert_eq!(encoder.bytes()[22..25], [0x31, 0x45, 0x30]); // level L = 48
        assert_eq!(encoder.bytes().len(), 25 + 8 + 300 + 8);
    }

    #[test]
    fn qr_limits() {
        let mut encoder = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
        assert_eq!(
            encoder.qr("", QrOptions::default()).unwrap_err(),
            EncodeError::QrEmpty
        );
        let high = QrOptions {
            module_size: 4,
            error_correction: QrErrorCorrection::High,
        };
        assert_eq!(
            encoder.qr(&"x".repeat(1274), high).unwrap_err(),
            EncodeError::QrTooLong {
                length: 1274,
                max: 1273
            }
        );
        let huge = QrOptions {
            module_size: 17,
            ..QrOptions::default()
        };
        assert_eq!(
            encoder.qr("x", huge).unwrap_err(),
            EncodeError::QrModuleSize { size: 17 }
        );
        assert!(encoder.bytes().is_empty());
    }

    #[test]
    fn raster_image() {
        // 10 x 2 dots: 2 bytes per row. GS v 0 m=0 xL=2 xH=0 yL=2 yH=0.
        let bitmap = Bitmap::from_packed(10, 2, vec![0xFF, 0xC0, 0x81, 0x40]).unwrap();
        check(
            |e| {
                e.image(&bitmap).unwrap();
            },
            &[
                0x1D, 0x76, 0x30, 0x00, 0x02, 0x00, 0x02, 0x00, 0xFF, 0xC0, 0x81, 0x40,
            ],
        );
    }

    #[test]
    fn tall_images_go_in_bands() {
        // 8 x 300: one byte per row; bands of 256 and 44 rows.
        let bitmap = Bitmap::from_packed(8, 300, vec![0xAA; 300]).unwrap();
        let mut encoder = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
        encoder.image(&bitmap).unwrap();
        let bytes = encoder.bytes();
        assert_eq!(bytes[..8], [0x1D, 0x76, 0x30, 0x00, 0x01, 0x00, 0x00, 0x01]);
        assert_eq!(
            bytes[8 + 256..8 + 256 + 8],
            [0x1D, 0x76, 0x30, 0x00, 0x01, 0x00, 0x2C, 0x00]
        );
        assert_eq!(bytes.len(), 8 + 256 + 8 + 44);
    }

    #[test]
    fn image_wider_than_paper() {
        let bitmap = Bitmap::from_packed(392, 1, vec![0; 49]).unwrap();
        let mut encoder = ReceiptEncoder::new(PrinterProfile::XPRINTER_58);
        assert_eq!(
            encoder.image(&bitmap).unwrap_err(),
            EncodeError::ImageTooWide {
                width: 392,
                max: 384
            }
        );
    }

    #[test]
    fn feed_and_cut() {
        check(
            |e| {
                e.feed(3);
            },
            &[0x1B, 0x64, 0x03],
        );
        check(
            |e| {
                e.cut(Cut::Partial);
            },
            &[0x1D, 0x56, 0x42, 0x00],
        );
        check(
            |e| {
                e.cut(Cut::Full);
            },
            &[0x1D, 0x56, 0x41, 0x00],
        );
    }

    #[test]
    fn drawer_kick_has_both_timing_bytes() {
        // ESC p 0 25 250: pin 2, 50 ms on, 500 ms off.
        check(
            |e| {
                e.open_drawer(DrawerPin::Pin2);
            },
            &[0x1B, 0x70, 0x00, 0x19, 0xFA],
        );
        check(
            |e| {
                e.open_drawer_with(DrawerPin::Pin5, DrawerPulse::from_millis(100, 200));
            },
            &[0x1B, 0x70, 0x01, 0x32, 0x64],
        );
        // The next text is not swallowed: it follows the five bytes.
        check(
            |e| {
                e.open_drawer(DrawerPin::Pin2).text("OK");
            },
            &[0x1B, 0x70, 0x00, 0x19, 0xFA, b'O', b'K'],
        );
    }
}
