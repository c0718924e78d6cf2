//! ZVT over a serial line: `DLE STX`, the APDU with every `DLE` doubled, `DLE ETX`, then a
//! CRC-16 sent low byte first; the receiver answers each frame with one byte, `ACK` or `NAK`.
//! The CRC is CRC-CCITT as ZVT uses it: reflected polynomial 0x8408 (x^16+x^12+x^5+1),
//! initial value 0, no final XOR (the catalogue's CRC-16/KERMIT), over the APDU as it was
//! before doubling plus the `ETX` byte.

/// Data link escape.
pub const DLE: u8 = 0x10;
/// Start of text.
pub const STX: u8 = 0x02;
/// End of text.
pub const ETX: u8 = 0x03;
/// The frame arrived intact.
pub const ACK: u8 = 0x06;
/// The frame arrived damaged: send it again.
pub const NAK: u8 = 0x15;

/// ZVT's CRC-16 of `data` (see the module docs).
pub fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &byte in data {
        let mut b = byte;
        for _ in 0..8 {
            let mix = (b ^ crc as u8) & 1;
            crc >>= 1;
            if mix != 0 {
                crc ^= 0x8408;
            }
            b >>= 1;
        }
    }
    crc
}

fn frame_crc(apdu: &[u8]) -> u16 {
    let mut crc_input = Vec::with_capacity(apdu.len() + 1);
    crc_input.extend_from_slice(apdu);
    crc_input.push(ETX);
    crc16(&crc_input)
}

/// Wraps an encoded APDU in a serial frame.
pub fn frame(apdu: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(apdu.len() + 8);
    out.extend_from_slice(&[DLE, STX]);
    for &b in apdu {
        out.push(b);
        if b == DLE {
            out.push(DLE);
        }
    }
    out.extend_from_slice(&[DLE, ETX]);
    out.extend_from_slice(&frame_crc(apdu).to_le_bytes());
    out
}

/// Why a frame was rejected; the receiver answers it with `NAK`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The CRC does not match the data.
    Crc {
        /// The CRC the frame carried.
        received: u16,
        /// The CRC of the data received.
        computed: u16,
    },
    /// A single `DLE` followed by something other than `DLE` or `ETX`.
    LoneDle {
        /// The byte after it.
        next: u8,
    },
    /// The bytes do not start with `DLE STX` or stop before the CRC.
    Incomplete,
}

/// Unwraps exactly one frame: the APDU bytes, or why the frame is bad.
pub fn unframe(bytes: &[u8]) -> Result<Vec<u8>, FrameError> {
    let mut deframer = Deframer::default();
    let mut events = deframer.push(bytes);
    match (events.len(), events.pop()) {
        (1, Some(Received::Frame(apdu))) if deframer.is_idle() => Ok(apdu),
        (1, Some(Received::Corrupt(e))) => Err(e),
        _ => Err(FrameError::Incomplete),
    }
}

/// What arrived on the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// The other side accepted our frame.
    Ack,
    /// The other side wants our frame again.
    Nak,
    /// An intact frame: the APDU bytes, unescaped.
    Frame(Vec<u8>),
    /// A damaged frame: answer `NAK`.
    Corrupt(FrameError),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Idle,
    Dle,
    Data,
    DataDle,
    CrcLow,
    CrcHigh(u8),
}

/// Reads frames and ACK/NAK bytes from a serial byte stream, in whatever pieces it comes.
/// Bytes outside a frame other than ACK and NAK are line noise and are dropped.
#[derive(Clone, Debug, Default)]
pub struct Deframer {
    state: State,
    data: Vec<u8>,
}

impl Deframer {
    /// A reader waiting for the first byte.
    pub fn new() -> Deframer {
        Deframer::default()
    }

    /// Whether no frame is half read.
    pub fn is_idle(&self) -> bool {
        self.state == State::Idle
    }

    /// Feeds bytes; returns what they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Received> {
        let mut out = Vec::new();
        for &b in bytes {
            self.state = match (self.state, b) {
                (State::Idle, ACK) => {
                    out.push(Received::Ack);
                    State::Idle
                }
                (State::Idle, NAK) => {
                    out.push(Received::Nak);
                    State::Idle
                }
                (State::Idle, DLE) => State::Dle,
                (State::Idle, _) => State::Idle,
                (State::Dle, STX) => {
                    self.data.clear();
                    State::Data
                }
                (State::Dle, DLE) => State::Dle,
                (State::Dle, _) => State::Idle,
                (State::Data, DLE) => State::DataDle,
                (State::Data, _) => {
                    self.data.push(b);
                    State::Data
                }
                (State::DataDle, DLE) => {
                    self.data.push(DLE);
                    State::Data
                }
                (State::DataDle, ETX) => State::CrcLow,
                (State::DataDle, STX) => {
                    // A new frame began inside this one: the first was cut off.
                    out.push(Received::Corrupt(FrameError::Incomplete));
                    self.data.clear();
                    State::Data
                }
                (State::DataDle, next) => {
                    out.push(Received::Corrupt(FrameError::LoneDle { next }));
                    self.data.clear();
                    State::Idle
                }
                (State::CrcLow, low) => State::CrcHigh(low),
                (State::CrcHigh(low), high) => {
                    let received = u16::from_le_bytes([low, high]);
                    let computed = frame_crc(&self.data);
                    let apdu = core::mem::take(&mut self.data);
                    out.push(if received == computed {
                        Received::Frame(apdu)
                    } else {
                        Received::Corrupt(FrameError::Crc { received, computed })
                    });
                    State::Idle
                }
            };
        }
        out
    }

    /// Forgets a half-read frame (after a timeout).
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.data.clear();
    }
}
