//! The APDU, ZVT's unit of meaning: class, instruction, length, data. Serial framing wraps it,
//! TCP sends it bare; either way this is where a message's length is read and written.

use super::DecodeError;

/// The most data one APDU carries: the extended length form `FF lo hi` is 16 bits.
pub const MAX_APDU_DATA: usize = 0xFFFF;

/// One ZVT message: the control field (class and instruction) and its data.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Apdu {
    /// Class byte (`06` for most commands, `04` for status, `80`/`84` for answers).
    pub class: u8,
    /// Instruction byte.
    pub instr: u8,
    /// The data after the length: BMP fields, TLV, untagged leading bytes.
    pub data: Vec<u8>,
}

impl Apdu {
    /// An APDU from its parts.
    pub fn new(class: u8, instr: u8, data: Vec<u8>) -> Apdu {
        Apdu { class, instr, data }
    }

    /// The positive acknowledgement `80 00 00` the register answers every terminal message with.
    pub fn ack() -> Apdu {
        Apdu::new(0x80, 0x00, Vec::new())
    }

    /// The two control bytes, for matching on a message kind.
    pub fn control(&self) -> [u8; 2] {
        [self.class, self.instr]
    }

    /// The bytes on the wire: the length is one byte below 255, else `FF lo hi`.
    ///
    /// # Panics
    /// If the data is longer than [`MAX_APDU_DATA`]; no ZVT message is.
    pub fn encode(&self) -> Vec<u8> {
        let len = self.data.len();
        assert!(
            len <= MAX_APDU_DATA,
            "ZVT APDU data longer than 65535 bytes"
        );
        let mut out = Vec::with_capacity(len + 5);
        out.extend_from_slice(&[self.class, self.instr]);
        if len < 0xFF {
            out.push(len as u8);
        } else {
            out.extend_from_slice(&[0xFF, (len & 0xFF) as u8, (len >> 8) as u8]);
        }
        out.extend_from_slice(&self.data);
        out
    }

    /// Reads one APDU from the start of `bytes`, returning it and how many bytes it took.
    /// [`DecodeError::Truncated`] means more bytes are needed (a stream reader waits for them).
    pub fn decode_prefix(bytes: &[u8]) -> Result<(Apdu, usize), DecodeError> {
        let truncated = |needed: usize| DecodeError::Truncated {
            needed,
            had: bytes.len(),
        };
        if bytes.len() < 3 {
            return Err(truncated(3));
        }
        let (len, header) = if bytes[2] == 0xFF {
            if bytes.len() < 5 {
                return Err(truncated(5));
            }
            (usize::from(bytes[3]) | usize::from(bytes[4]) << 8, 5)
        } else {
            (usize::from(bytes[2]), 3)
        };
        let end = header + len;
        if bytes.len() < end {
            return Err(truncated(end));
        }
        let apdu = Apdu::new(bytes[0], bytes[1], bytes[header..end].to_vec());
        Ok((apdu, end))
    }

    /// Reads exactly one APDU: trailing bytes are an error.
    pub fn decode(bytes: &[u8]) -> Result<Apdu, DecodeError> {
        let (apdu, used) = Apdu::decode_prefix(bytes)?;
        if used != bytes.len() {
            return Err(DecodeError::TrailingBytes {
                extra: bytes.len() - used,
            });
        }
        Ok(apdu)
    }
}
