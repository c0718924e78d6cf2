//! What can go wrong with a card terminal, said so a cashier knows what to do; the codes and
//! bytes stay in the variants for whoever debugs it.

use super::result::{Problem, ResultCode};

/// Bytes that are not the ZVT message they claim to be.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The message ends early; `needed` bytes were expected.
    #[error("message cut short: {had} of {needed} bytes")]
    Truncated {
        /// Bytes needed.
        needed: usize,
        /// Bytes there were.
        had: usize,
    },
    /// Bytes after the end of the message.
    #[error("{extra} bytes after the message")]
    TrailingBytes {
        /// How many.
        extra: usize,
    },
    /// A BMP tag this codec does not know, so its length is unknown.
    #[error("unknown BMP {tag:02X} at {at}")]
    UnknownBmp {
        /// The tag.
        tag: u8,
        /// Offset in the APDU data.
        at: usize,
    },
    /// An `LLVAR`/`LLLVAR` length that is not `Fx` digits.
    #[error("bad LLVAR length at {at}")]
    BadLength {
        /// Offset in the APDU data.
        at: usize,
    },
    /// A TLV element whose tag or length runs past its container.
    #[error("bad TLV element at {at}")]
    BadTlv {
        /// Offset in the TLV bytes.
        at: usize,
    },
    /// A field that must be there is not, or holds no valid value.
    #[error("missing or invalid {name}")]
    Field {
        /// What it is.
        name: &'static str,
    },
    /// The control field is not the message asked for.
    #[error("unexpected message {class:02X} {instr:02X}")]
    NotThisMessage {
        /// Class byte.
        class: u8,
        /// Instruction byte.
        instr: u8,
    },
}

/// A value a command cannot carry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The amount has more than 12 digits of minor units.
    #[error("The amount is too large for the card terminal.")]
    AmountTooLarge {
        /// The amount in minor units.
        minor_units: u64,
    },
    /// The password is not 6 digits.
    #[error("The card terminal's password must be 6 digits. Check it in the terminal settings.")]
    Password {
        /// What was given.
        value: u32,
    },
    /// The currency is not an ISO 4217 numeric code (at most 4 digits in ZVT's 2 bytes).
    #[error("The card terminal cannot be sent currency {code}. Check the store's currency.")]
    Currency {
        /// What was given.
        code: u16,
    },
}

/// Where in the dialogue the terminal stopped answering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Waiting {
    /// For the one-byte ACK after a frame (serial link).
    LinkAck,
    /// For the terminal's answer or its next message.
    Terminal,
}

/// Why a card operation did not complete. `Display` is the cashier's message.
/// Not `#[non_exhaustive]`: the app matches every kind to its own message, and a new kind must
/// fail to compile there until it has one.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ZvtError {
    /// The bank or the card said no.
    #[error(
        "The card was declined ({}). Ask for another card or another way to pay.",
        .code.text()
    )]
    Declined {
        /// The terminal's result code.
        code: ResultCode,
    },
    /// The customer or the terminal cancelled (abort key, timeout on the terminal).
    #[error("The payment was cancelled on the terminal. Nothing was charged.")]
    Cancelled {
        /// The terminal's result code.
        code: ResultCode,
    },
    /// The card could not be used (unreadable, expired, unknown).
    #[error(
        "The card could not be used ({}). Try again or use another card.",
        .code.text()
    )]
    Card {
        /// The terminal's result code.
        code: ResultCode,
    },
    /// The terminal is busy with something else.
    #[error("The card terminal is busy. Wait until it shows its idle screen and try again.")]
    Busy {
        /// The terminal's result code.
        code: ResultCode,
    },
    /// The terminal cannot reach the bank.
    #[error("The card terminal cannot reach the bank. Check its network and try again.")]
    NoConnection {
        /// The terminal's result code.
        code: ResultCode,
    },
    /// The terminal is not set up for this (not registered, function off, wrong currency).
    #[error(
        "The card terminal is not set up for this ({}). Check the terminal settings.",
        .code.text()
    )]
    NotSetUp {
        /// The terminal's result code.
        code: ResultCode,
    },
    /// The terminal reported a fault.
    #[error(
        "The card terminal reported an error ({}). Try again; if it repeats, restart the terminal.",
        .code.text()
    )]
    Terminal {
        /// The terminal's result code.
        code: ResultCode,
    },
    /// The terminal did not answer in time.
    #[error(
        "The card terminal did not answer. Check its cable and power, then check the last operation before charging again."
    )]
    Timeout {
        /// What we were waiting for.
        waiting: Waiting,
        /// How long, in milliseconds.
        ms: u32,
    },
    /// Frames kept arriving damaged or kept being refused (NAK) on the serial line.
    #[error(
        "The connection to the card terminal is unreliable. Check the cable, then check the last operation before charging again."
    )]
    Link {
        /// How many tries were made.
        attempts: u8,
    },
    /// The terminal sent something that is not ZVT.
    #[error(
        "The card terminal sent an answer the register does not understand. Check the last operation before charging again."
    )]
    Protocol {
        /// What was wrong.
        #[source]
        cause: DecodeError,
    },
}

impl ZvtError {
    /// The error a terminal result code stands for.
    pub fn from_code(code: ResultCode) -> ZvtError {
        match code.problem() {
            Problem::Declined => ZvtError::Declined { code },
            Problem::Cancelled => ZvtError::Cancelled { code },
            Problem::Card => ZvtError::Card { code },
            Problem::Busy => ZvtError::Busy { code },
            Problem::NoConnection => ZvtError::NoConnection { code },
            Problem::NotSetUp => ZvtError::NotSetUp { code },
            Problem::None | Problem::Terminal => ZvtError::Terminal { code },
        }
    }

    /// The terminal's result code, where it gave one.
    pub fn code(&self) -> Option<ResultCode> {
        match self {
            ZvtError::Declined { code }
            | ZvtError::Cancelled { code }
            | ZvtError::Card { code }
            | ZvtError::Busy { code }
            | ZvtError::NoConnection { code }
            | ZvtError::NotSetUp { code }
            | ZvtError::Terminal { code } => Some(*code),
            _ => None,
        }
    }

    /// Whether the card may have been charged although the register has no approval: the
    /// line broke mid-dialogue. The app must then ask the terminal for its last status.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ZvtError::Timeout { .. } | ZvtError::Link { .. } | ZvtError::Protocol { .. }
        )
    }
}
