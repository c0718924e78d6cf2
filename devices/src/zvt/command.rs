//! What the register asks the terminal (ECR to PT). Each command is a value that encodes to
//! one APDU, and decodes back from it, so tests and logs can read what was sent.

use super::apdu::Apdu;
use super::bmp::{Fields, bcd_decode, bcd_encode, tag};
use super::{CommandError, DecodeError};

/// The largest amount ZVT carries: 12 BCD digits of minor units.
pub const MAX_AMOUNT: u64 = 999_999_999_999;

/// The terminal's 6-digit password (many terminals ship with 000000 or 123456).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Password(u32);

impl Password {
    /// A password of at most 6 digits.
    pub fn new(value: u32) -> Result<Password, CommandError> {
        if value > 999_999 {
            return Err(CommandError::Password { value });
        }
        Ok(Password(value))
    }

    /// The number.
    pub fn value(self) -> u32 {
        self.0
    }

    fn bytes(self) -> [u8; 3] {
        let v = bcd_encode(u64::from(self.0), 3).unwrap_or_default();
        [v[0], v[1], v[2]]
    }

    fn read(data: &[u8]) -> Result<Password, DecodeError> {
        let bytes = data
            .get(..3)
            .ok_or(DecodeError::Field { name: "password" })?;
        let value = bcd_decode(bytes).ok_or(DecodeError::Field { name: "password" })?;
        Ok(Password(value as u32))
    }
}

/// Bits of the registration config byte (PA00P015, Registration).
pub mod config {
    /// The register prints the receipts of payments.
    pub const RECEIPTS_PAYMENT_ON_ECR: u8 = 0x02;
    /// The register prints the receipts of administration (end of day, diagnosis).
    pub const RECEIPTS_ADMIN_ON_ECR: u8 = 0x04;
    /// The terminal sends intermediate status (`04 FF`).
    pub const INTERMEDIATE_STATUS: u8 = 0x08;
    /// Payments start only from the register; no amount is keyed on the terminal.
    pub const ECR_CONTROLS_PAYMENT: u8 = 0x10;
    /// Administration starts only from the register.
    pub const ECR_CONTROLS_ADMIN: u8 = 0x20;
    /// Receipts come as text blocks (`06 D3`) rather than line by line (`06 D1`).
    pub const PRINT_TEXT_BLOCKS: u8 = 0x80;
    /// What this register asks for: it prints every receipt, shows the terminal's status
    /// and starts every payment.
    pub const REGISTER_DEFAULT: u8 = RECEIPTS_PAYMENT_ON_ECR
        | RECEIPTS_ADMIN_ON_ECR
        | INTERMEDIATE_STATUS
        | ECR_CONTROLS_PAYMENT
        | PRINT_TEXT_BLOCKS;
}

/// The kind of operation, for records and for matching the terminal's answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Registration (`06 00`).
    Registration,
    /// Authorisation, a purchase (`06 01`).
    Purchase,
    /// Reversal of an earlier payment (`06 30`).
    Reversal,
    /// Refund (`06 31`).
    Refund,
    /// End of day (`06 50`).
    EndOfDay,
    /// Repeat the last receipt (`06 20`).
    RepeatReceipt,
    /// Status enquiry (`05 01`).
    StatusEnquiry,
    /// Abort the running operation (`06 B0`).
    Abort,
}

/// A command from the register to the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Log on: tells the terminal who prints and who controls (`06 00`).
    Registration {
        /// The terminal's password.
        password: Password,
        /// [`config`] bits.
        config: u8,
        /// ISO 4217 numeric currency, e.g. 978 for euro.
        currency: Option<u16>,
    },
    /// Take a card payment (`06 01`).
    Authorisation {
        /// Minor units (cents).
        amount: u64,
        /// ISO 4217 numeric currency.
        currency: Option<u16>,
        /// Payment type (BMP 19), `None` for the terminal's default.
        payment_type: Option<u8>,
    },
    /// Undo a payment of this shift by its receipt number (`06 30`).
    Reversal {
        /// The terminal's password.
        password: Password,
        /// The terminal receipt number of the payment.
        receipt_no: Option<u16>,
    },
    /// Give money back to a card (`06 31`).
    Refund {
        /// The terminal's password.
        password: Password,
        /// Minor units.
        amount: u64,
        /// ISO 4217 numeric currency.
        currency: Option<u16>,
    },
    /// Close the day: send the batch to the bank, print the totals (`06 50`).
    EndOfDay {
        /// The terminal's password.
        password: Password,
    },
    /// Send the last receipt and its status again (`06 20`); this is how a register learns
    /// what became of an operation it lost track of.
    RepeatReceipt {
        /// The terminal's password.
        password: Password,
    },
    /// Ask for the terminal's state (`05 01`).
    StatusEnquiry {
        /// The terminal's password, if it wants one.
        password: Option<Password>,
    },
    /// Stop the running operation (`06 B0`).
    Abort,
}

impl Command {
    /// The kind of operation.
    pub fn operation(&self) -> Operation {
        match self {
            Command::Registration { .. } => Operation::Registration,
            Command::Authorisation { .. } => Operation::Purchase,
            Command::Reversal { .. } => Operation::Reversal,
            Command::Refund { .. } => Operation::Refund,
            Command::EndOfDay { .. } => Operation::EndOfDay,
            Command::RepeatReceipt { .. } => Operation::RepeatReceipt,
            Command::StatusEnquiry { .. } => Operation::StatusEnquiry,
            Command::Abort => Operation::Abort,
        }
    }

    /// The amount the command moves, if any.
    pub fn amount(&self) -> Option<u64> {
        match self {
            Command::Authorisation { amount, .. } | Command::Refund { amount, .. } => Some(*amount),
            _ => None,
        }
    }

    /// The APDU for this command.
    pub fn to_apdu(&self) -> Result<Apdu, CommandError> {
        let mut data = Vec::new();
        let mut fields = Fields::default();
        let (class, instr) = match self {
            Command::Registration {
                password,
                config,
                currency,
            } => {
                data.extend_from_slice(&password.bytes());
                data.push(*config);
                if let Some(code) = currency {
                    data.extend(currency_bytes(*code)?);
                }
                (0x06, 0x00)
            }
            Command::Authorisation {
                amount,
                currency,
                payment_type,
            } => {
                fields.push(tag::AMOUNT, amount_bytes(*amount)?);
                if let Some(code) = currency {
                    fields.push(tag::CURRENCY, currency_bytes(*code)?);
                }
                if let Some(t) = payment_type {
                    fields.push(tag::PAYMENT_TYPE, vec![*t]);
                }
                (0x06, 0x01)
            }
            Command::Reversal {
                password,
                receipt_no,
            } => {
                data.extend_from_slice(&password.bytes());
                if let Some(no) = receipt_no {
                    let bytes =
                        bcd_encode(u64::from(*no), 2).ok_or(CommandError::AmountTooLarge {
                            minor_units: u64::from(*no),
                        })?;
                    fields.push(tag::RECEIPT_NO, bytes);
                }
                (0x06, 0x30)
            }
            Command::Refund {
                password,
                amount,
                currency,
            } => {
                data.extend_from_slice(&password.bytes());
                fields.push(tag::AMOUNT, amount_bytes(*amount)?);
                if let Some(code) = currency {
                    fields.push(tag::CURRENCY, currency_bytes(*code)?);
                }
                (0x06, 0x31)
            }
            Command::EndOfDay { password } => {
                data.extend_from_slice(&password.bytes());
                (0x06, 0x50)
            }
            Command::RepeatReceipt { password } => {
                data.extend_from_slice(&password.bytes());
                (0x06, 0x20)
            }
            Command::StatusEnquiry { password } => {
                if let Some(p) = password {
                    data.extend_from_slice(&p.bytes());
                }
                (0x05, 0x01)
            }
            Command::Abort => (0x06, 0xB0),
        };
        fields.encode_into(&mut data);
        Ok(Apdu::new(class, instr, data))
    }

    /// Reads a command back from its APDU.
    pub fn decode(apdu: &Apdu) -> Result<Command, DecodeError> {
        let data = &apdu.data;
        let after_password = |data: &[u8]| -> Result<Fields, DecodeError> {
            Fields::parse(data.get(3..).unwrap_or_default(), 3)
        };
        Ok(match apdu.control() {
            [0x06, 0x00] => {
                let password = Password::read(data)?;
                let config = *data.get(3).ok_or(DecodeError::Field {
                    name: "config byte",
                })?;
                // `<password> <config> [<currency>] [03 <service byte>] [06 <TLV>]`: the
                // currency comes first when present (PA00P015 asks for it before BMP 03), so
                // it is not mistaken for a tag (RUB, 643, is `06 43`).
                let rest = &data[4..];
                let currency = if rest.len() >= 2 {
                    Fields::parse(&rest[2..], 6)?;
                    Some(read_currency(&rest[..2])?)
                } else {
                    None
                };
                Command::Registration {
                    password,
                    config,
                    currency,
                }
            }
            [0x06, 0x01] => {
                let fields = Fields::parse(data, 0)?;
                Command::Authorisation {
                    amount: fields
                        .bcd(tag::AMOUNT)
                        .ok_or(DecodeError::Field { name: "amount" })?,
                    currency: fields.get(tag::CURRENCY).map(read_currency).transpose()?,
                    payment_type: fields.byte(tag::PAYMENT_TYPE),
                }
            }
            [0x06, 0x30] => Command::Reversal {
                password: Password::read(data)?,
                receipt_no: after_password(data)?.bcd(tag::RECEIPT_NO).map(|n| n as u16),
            },
            [0x06, 0x31] => {
                let fields = after_password(data)?;
                Command::Refund {
                    password: Password::read(data)?,
                    amount: fields
                        .bcd(tag::AMOUNT)
                        .ok_or(DecodeError::Field { name: "amount" })?,
                    currency: fields.get(tag::CURRENCY).map(read_currency).transpose()?,
                }
            }
            [0x06, 0x50] => Command::EndOfDay {
                password: Password::read(data)?,
            },
            [0x06, 0x20] => Command::RepeatReceipt {
                password: Password::read(data)?,
            },
            [0x05, 0x01] => Command::StatusEnquiry {
                password: if data.len() >= 3 {
                    Some(Password::read(data)?)
                } else {
                    None
                },
            },
            [0x06, 0xB0] => Command::Abort,
            [class, instr] => return Err(DecodeError::NotThisMessage { class, instr }),
        })
    }
}

fn amount_bytes(amount: u64) -> Result<Vec<u8>, CommandError> {
    bcd_encode(amount, 6).ok_or(CommandError::AmountTooLarge {
        minor_units: amount,
    })
}

fn currency_bytes(code: u16) -> Result<Vec<u8>, CommandError> {
    bcd_encode(u64::from(code), 2).ok_or(CommandError::Currency { code })
}

fn read_currency(bytes: &[u8]) -> Result<u16, DecodeError> {
    bcd_decode(bytes)
        .map(|c| c as u16)
        .ok_or(DecodeError::Field { name: "currency" })
}
