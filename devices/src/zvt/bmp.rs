//! BMP fields: ZVT's tagged values. Each tag fixes how its length is found (a fixed size, an
//! `LLVAR`/`LLLVAR` count written as `Fx` digits, or a BER length for the TLV container 06), so
//! an unknown tag stops the parse: its length cannot be guessed.

use super::DecodeError;
use super::tlv::{self, Tlv};

/// How a BMP field's length is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Len {
    Fixed(usize),
    /// Two `Fx` digits, then that many bytes.
    Ll,
    /// Three `Fx` digits, then that many bytes.
    Lll,
    /// A BER length (`len`, `81 len`, `82 hi lo`), then a TLV list.
    Tlv,
}

/// The length rule of every BMP this codec knows (PA00P015, chapter "BMPs").
fn length_of(tag: u8) -> Option<Len> {
    use Len::*;
    Some(match tag {
        0x01 | 0x02 | 0x03 | 0x05 => Fixed(1),
        0x04 => Fixed(6),
        0x06 => Tlv,
        0x0B | 0x0C | 0x37 | 0x3D | 0x88 | 0xAA => Fixed(3),
        0x0D | 0x0E | 0x17 | 0x3A | 0x49 | 0x87 => Fixed(2),
        0x19 | 0x27 | 0x8A | 0x8C | 0xA0 | 0xD0 | 0xD2 | 0xD3 | 0xE0 | 0xE9 | 0xEA | 0xEC => {
            Fixed(1)
        }
        0xF0 | 0xF9 | 0xFC => Fixed(1),
        0x29 => Fixed(4),
        0x2A => Fixed(15),
        0x3B | 0xEB => Fixed(8),
        0xBA => Fixed(5),
        0x22 | 0x23 | 0x2D | 0x8B | 0xA7 | 0xD1 => Ll,
        0xE1..=0xE8 | 0xF1..=0xF8 => Ll,
        0x24 | 0x2E | 0x3C | 0x60 | 0x92 | 0x9A | 0xAF => Lll,
        _ => return None,
    })
}

/// BMP tags by name, for the fields this codec reads and writes.
pub mod tag {
    /// Timeout in seconds.
    pub const TIMEOUT: u8 = 0x01;
    /// Service byte.
    pub const SERVICE_BYTE: u8 = 0x03;
    /// Amount in minor units, 6 bytes BCD.
    pub const AMOUNT: u8 = 0x04;
    /// The TLV container.
    pub const TLV: u8 = 0x06;
    /// Trace number, 3 bytes BCD.
    pub const TRACE: u8 = 0x0B;
    /// Time `hhmmss`, 3 bytes BCD.
    pub const TIME: u8 = 0x0C;
    /// Date `MMDD`, 2 bytes BCD.
    pub const DATE: u8 = 0x0D;
    /// Card expiry `YYMM`, 2 bytes BCD.
    pub const EXPIRY: u8 = 0x0E;
    /// Card sequence number, 2 bytes BCD.
    pub const CARD_SEQUENCE: u8 = 0x17;
    /// Payment type (to the terminal) or card type / status byte (from it).
    pub const PAYMENT_TYPE: u8 = 0x19;
    /// Card number, LLVAR BCD, `E` for a masked digit, `F` as padding.
    pub const PAN: u8 = 0x22;
    /// Result code.
    pub const RESULT: u8 = 0x27;
    /// Terminal id, 4 bytes BCD.
    pub const TERMINAL_ID: u8 = 0x29;
    /// Merchant (VU) number, 15 ASCII bytes.
    pub const VU_NUMBER: u8 = 0x2A;
    /// Authorisation attribute (the approval code), 8 ASCII bytes.
    pub const AUTH_CODE: u8 = 0x3B;
    /// Additional text, LLLVAR.
    pub const ADDITIONAL_TEXT: u8 = 0x3C;
    /// Currency, ISO 4217 numeric, 2 bytes BCD.
    pub const CURRENCY: u8 = 0x49;
    /// Individual totals of an end-of-day, LLLVAR.
    pub const TOTALS: u8 = 0x60;
    /// Receipt number, 2 bytes BCD.
    pub const RECEIPT_NO: u8 = 0x87;
    /// ZVT card type.
    pub const ZVT_CARD_TYPE: u8 = 0x8A;
    /// Card name, LLVAR.
    pub const CARD_NAME: u8 = 0x8B;
    /// ZVT card type id.
    pub const ZVT_CARD_TYPE_ID: u8 = 0x8C;
}

/// One BMP: its tag and its value bytes (without the length prefix).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The BMP number.
    pub tag: u8,
    /// The value. For the TLV container (06) these are the TLV bytes.
    pub value: Vec<u8>,
}

/// The BMP fields of a message, in the order they came; unmodelled ones stay readable here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields(pub Vec<Field>);

impl Fields {
    /// Parses BMP fields until the data ends. `offset` is where `data` starts in the APDU
    /// data, for error positions.
    pub fn parse(data: &[u8], offset: usize) -> Result<Fields, DecodeError> {
        match Fields::parse_partial(data, offset) {
            (fields, None) => Ok(fields),
            (_, Some((error, _))) => Err(error),
        }
    }

    /// Parses as many fields as it can: the fields before a problem, and the problem with the
    /// index in `data` where the unread bytes start. A message with one field this codec does
    /// not know still yields everything before it.
    pub fn parse_partial(data: &[u8], offset: usize) -> (Fields, Option<(DecodeError, usize)>) {
        let mut fields = Vec::new();
        let mut at = 0;
        while at < data.len() {
            match Fields::parse_one(data, at, offset) {
                Ok((field, end)) => {
                    fields.push(field);
                    at = end;
                }
                Err(error) => return (Fields(fields), Some((error, at))),
            }
        }
        (Fields(fields), None)
    }

    fn parse_one(data: &[u8], start: usize, offset: usize) -> Result<(Field, usize), DecodeError> {
        let mut at = start;
        let tag = data[at];
        let rule = length_of(tag).ok_or(DecodeError::UnknownBmp {
            tag,
            at: offset + at,
        })?;
        at += 1;
        let (len, head) = match rule {
            Len::Fixed(n) => (n, 0),
            Len::Ll => (var_len(&data[at..], 2, offset + at)?, 2),
            Len::Lll => (var_len(&data[at..], 3, offset + at)?, 3),
            Len::Tlv => tlv::read_len(&data[at..], offset + at)?,
        };
        let begin = at + head;
        let end = begin + len;
        if end > data.len() {
            return Err(DecodeError::Truncated {
                needed: offset + end,
                had: offset + data.len(),
            });
        }
        let field = Field {
            tag,
            value: data[begin..end].to_vec(),
        };
        Ok((field, end))
    }

    /// Writes the fields back with their length prefixes.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        for field in &self.0 {
            out.push(field.tag);
            match length_of(field.tag) {
                Some(Len::Ll) => push_var_len(out, field.value.len(), 2),
                Some(Len::Lll) => push_var_len(out, field.value.len(), 3),
                Some(Len::Tlv) => tlv::push_len(out, field.value.len()),
                Some(Len::Fixed(_)) | None => {}
            }
            out.extend_from_slice(&field.value);
        }
    }

    /// Adds a field (the caller gives a value of the right size for fixed-length tags).
    pub fn push(&mut self, tag: u8, value: Vec<u8>) {
        self.0.push(Field { tag, value });
    }

    /// The value of the first field with this tag.
    pub fn get(&self, tag: u8) -> Option<&[u8]> {
        self.0
            .iter()
            .find(|f| f.tag == tag)
            .map(|f| f.value.as_slice())
    }

    /// A one-byte field.
    pub fn byte(&self, tag: u8) -> Option<u8> {
        self.get(tag).and_then(|v| v.first().copied())
    }

    /// A BCD field as a number; `None` if absent or not all digits.
    pub fn bcd(&self, tag: u8) -> Option<u64> {
        self.get(tag).and_then(bcd_decode)
    }

    /// A text field: CP437 (ZVT's default character set), NULs and trailing blanks dropped.
    pub fn text(&self, tag: u8) -> Option<String> {
        self.get(tag).map(decode_text)
    }

    /// The TLV container (BMP 06), parsed.
    pub fn tlv(&self) -> Result<Vec<Tlv>, DecodeError> {
        match self.get(tag::TLV) {
            Some(bytes) => tlv::parse_all(bytes, 0),
            None => Ok(Vec::new()),
        }
    }
}

/// Reads an `LL`/`LLL` length: `digits` bytes `F0`..`F9`.
pub(crate) fn var_len(bytes: &[u8], digits: usize, at: usize) -> Result<usize, DecodeError> {
    if bytes.len() < digits {
        return Err(DecodeError::Truncated {
            needed: at + digits,
            had: at + bytes.len(),
        });
    }
    let mut len = 0;
    for &b in &bytes[..digits] {
        if b & 0xF0 != 0xF0 || b & 0x0F > 9 {
            return Err(DecodeError::BadLength { at });
        }
        len = len * 10 + usize::from(b & 0x0F);
    }
    Ok(len)
}

fn push_var_len(out: &mut Vec<u8>, len: usize, digits: u32) {
    for i in (0..digits).rev() {
        out.push(0xF0 | ((len / 10usize.pow(i)) % 10) as u8);
    }
}

/// Packed BCD, two digits a byte, high nibble first; `None` if a nibble is not a digit or the
/// number does not fit in a `u64`.
pub fn bcd_decode(bytes: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for &b in bytes {
        let (hi, lo) = (b >> 4, b & 0x0F);
        if hi > 9 || lo > 9 {
            return None;
        }
        value = value
            .checked_mul(100)?
            .checked_add(u64::from(hi * 10 + lo))?;
    }
    Some(value)
}

/// `value` as `len` bytes of packed BCD, or `None` if it has more digits than fit.
pub fn bcd_encode(value: u64, len: usize) -> Option<Vec<u8>> {
    let mut out = vec![0; len];
    let mut rest = value;
    for byte in out.iter_mut().rev() {
        let lo = (rest % 10) as u8;
        let hi = ((rest / 10) % 10) as u8;
        *byte = hi << 4 | lo;
        rest /= 100;
    }
    (rest == 0).then_some(out)
}

/// Terminal text: ZVT's default character set is CP437; NULs end fixed fields.
pub(crate) fn decode_text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    cp437(&bytes[..end]).trim_end().to_owned()
}

/// CP437 bytes as text (every byte has a character).
pub(crate) fn cp437(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x00..=0x7F => char::from(b),
            _ => oem_cp::code_table::DECODING_TABLE_CP437[usize::from(b - 0x80)],
        })
        .collect()
}
