//! The TLV container (BMP 06): BER-style tags and lengths, nested. Newer terminals put most
//! of what they add (receipt text, device data, extended errors) here, so it is parsed
//! generically and read by tag.

use super::DecodeError;

/// One TLV element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tlv {
    /// The tag bytes as a number, e.g. `0x1F07`.
    pub tag: u32,
    /// What it holds.
    pub value: TlvValue,
}

/// A TLV element's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlvValue {
    /// Bytes.
    Primitive(Vec<u8>),
    /// Further elements (tags with bit 6 of the first byte set).
    Constructed(Vec<Tlv>),
}

impl Tlv {
    /// A primitive element.
    pub fn primitive(tag: u32, bytes: Vec<u8>) -> Tlv {
        Tlv {
            tag,
            value: TlvValue::Primitive(bytes),
        }
    }

    /// The bytes of a primitive element.
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.value {
            TlvValue::Primitive(b) => Some(b),
            TlvValue::Constructed(_) => None,
        }
    }

    /// The elements inside a constructed element (empty for a primitive one).
    pub fn children(&self) -> &[Tlv] {
        match &self.value {
            TlvValue::Constructed(c) => c,
            TlvValue::Primitive(_) => &[],
        }
    }
}

/// The first element with `tag` in `list`, not descending.
pub fn find(list: &[Tlv], tag: u32) -> Option<&Tlv> {
    list.iter().find(|t| t.tag == tag)
}

/// Constructed elements this deep are kept as bytes instead of parsed. Terminals nest a few
/// levels; without a bound, a 64 KB APDU nests 16,000 and the recursion overflows the stack
/// (8 MB in a debug build; wasm's default stack is 1 MB).
const MAX_DEPTH: usize = 16;

/// Parses a list of TLV elements filling `bytes`. `offset` positions errors.
pub fn parse_all(bytes: &[u8], offset: usize) -> Result<Vec<Tlv>, DecodeError> {
    parse_nested(bytes, offset, 0)
}

fn parse_nested(bytes: &[u8], offset: usize, depth: usize) -> Result<Vec<Tlv>, DecodeError> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let tag_start = at;
        let first = bytes[at];
        at += 1;
        let mut tag = u32::from(first);
        if first & 0x1F == 0x1F {
            loop {
                let b = *bytes
                    .get(at)
                    .ok_or(DecodeError::BadTlv { at: offset + at })?;
                at += 1;
                if tag > 0x00FF_FFFF {
                    return Err(DecodeError::BadTlv {
                        at: offset + tag_start,
                    });
                }
                tag = tag << 8 | u32::from(b);
                if b & 0x80 == 0 {
                    break;
                }
            }
        }
        let (len, head) = read_len(&bytes[at..], offset + at)?;
        at += head;
        let end = at + len;
        if end > bytes.len() {
            return Err(DecodeError::BadTlv {
                at: offset + tag_start,
            });
        }
        let body = &bytes[at..end];
        let value = if first & 0x20 != 0 && depth < MAX_DEPTH {
            // Constructed by its tag; a terminal that disagrees still gets its bytes kept.
            match parse_nested(body, offset + at, depth + 1) {
                Ok(children) => TlvValue::Constructed(children),
                Err(_) => TlvValue::Primitive(body.to_vec()),
            }
        } else {
            TlvValue::Primitive(body.to_vec())
        };
        out.push(Tlv { tag, value });
        at = end;
    }
    Ok(out)
}

/// Encodes a list of elements, with the shortest lengths.
pub fn encode_all(list: &[Tlv]) -> Vec<u8> {
    let mut out = Vec::new();
    for tlv in list {
        let tag = tlv.tag.to_be_bytes();
        let skip = tag.iter().take(3).take_while(|&&b| b == 0).count();
        out.extend_from_slice(&tag[skip..]);
        let body = match &tlv.value {
            TlvValue::Primitive(b) => b.clone(),
            TlvValue::Constructed(c) => encode_all(c),
        };
        push_len(&mut out, body.len());
        out.extend_from_slice(&body);
    }
    out
}

/// Reads a BER length: returns the length and how many bytes it took.
pub(crate) fn read_len(bytes: &[u8], at: usize) -> Result<(usize, usize), DecodeError> {
    let bad = DecodeError::BadTlv { at };
    let first = *bytes.first().ok_or(bad.clone())?;
    match first {
        0x00..=0x7F => Ok((usize::from(first), 1)),
        0x81 => Ok((usize::from(*bytes.get(1).ok_or(bad)?), 2)),
        0x82 => {
            let hi = *bytes.get(1).ok_or(bad.clone())?;
            let lo = *bytes.get(2).ok_or(bad)?;
            Ok((usize::from(hi) << 8 | usize::from(lo), 3))
        }
        _ => Err(bad),
    }
}

/// Writes a BER length in its shortest form.
pub(crate) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend_from_slice(&[0x81, len as u8]);
    } else {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, (len & 0xFF) as u8]);
    }
}
