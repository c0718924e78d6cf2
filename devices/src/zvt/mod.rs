//! ZVT (PA00P015), the German card-terminal protocol, as a codec without I/O: commands encode
//! to APDUs, terminal messages decode to typed values, serial frames carry them, and
//! [`Transaction`] runs one operation's dialogue so that the app only moves bytes and keeps time.
//!
//! ```
//! use pos_devices::zvt::{Action, Command, Framing, Transaction, serial};
//!
//! let purchase = Command::Authorisation { amount: 1_250, currency: Some(978), payment_type: None };
//! let mut tx = Transaction::new("sale-0192", purchase, Framing::Serial);
//! let pending = tx.pending(); // store this before sending: a crash now must not charge twice
//! assert_eq!(pending.amount, Some(1_250));
//!
//! let actions = tx.start()?;
//! // DLE STX, 06 01 07 04 00 00 00 00 12 50 49 09 78, DLE ETX, CRC; then wait for the ACK byte.
//! let Action::Send(frame) = &actions[0] else { unreachable!() };
//! assert_eq!(serial::unframe(frame).unwrap()[..4], [0x06, 0x01, 0x0A, 0x04]);
//! assert_eq!(actions[1], Action::Wait { ms: 5_000 });
//!
//! // The terminal takes the frame (ACK), accepts the command (80 00 00) and says "insert card".
//! tx.receive(&[serial::ACK]);
//! tx.receive(&serial::frame(&[0x80, 0x00, 0x00]));
//! let actions = tx.receive(&serial::frame(&[0x04, 0xFF, 0x01, 0x0A]));
//! assert!(actions.iter().any(|a| matches!(a, Action::Event(_))));
//! # Ok::<(), pos_devices::zvt::CommandError>(())
//! ```

mod apdu;
mod bmp;
mod command;
mod end_of_day;
mod error;
mod message;
mod result;
pub mod serial;
mod tlv;
mod transaction;

pub use apdu::{Apdu, MAX_APDU_DATA};

use crate::link::{FlowControl, SerialSettings, StopBits};

/// The ZVT serial line: 9600 bps, 8 data bits, no parity, two stop bits, no flow control. This is
/// the line of the ZVT specification's RS-232 interface, and what ecrterm (the Python ZVT
/// library used with Ingenico and Verifone terminals) opens; a terminal set to another speed
/// says so in its menu, and the settings let the merchant match it.
pub const SERIAL_LINE: SerialSettings = SerialSettings {
    baud_rate: 9600,
    flow_control: FlowControl::None,
    stop_bits: StopBits::Two,
};
pub use bmp::{Field, Fields, bcd_decode, bcd_encode, tag};
pub use command::{Command, MAX_AMOUNT, Operation, Password, config};
pub use end_of_day::{EndOfDay, EndOfDayError};
pub use error::{CommandError, DecodeError, Waiting, ZvtError};
pub use message::{
    Abort, Completion, DayTotals, IntermediateStatus, MaskedPan, MonthDay, PrintLine, ReceiptKind,
    SchemeTotal, StatusInformation, TerminalMessage, TextBlock, TimeOfDay,
};
pub use result::{Problem, ResultCode, intermediate_text};
pub use tlv::{Tlv, TlvValue};
pub use transaction::{
    Action, Approval, Framing, LastOperation, Outcome, PendingOperation, TerminalEvent, Timeouts,
    Transaction,
};

/// TLV helpers: parse and encode BMP 06 contents.
pub mod tlv_codec {
    pub use super::tlv::{encode_all, find, parse_all};
}
