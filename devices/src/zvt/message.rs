//! What the terminal tells the register (PT to ECR): answers, status, receipts, the end of an
//! operation. Every message decodes to a typed value; fields this codec does not model stay
//! readable in [`Fields`] and [`Tlv`] lists, and status messages keep what they could read
//! even when one field is unknown.

use super::DecodeError;
use super::apdu::Apdu;
use super::bmp::{Fields, bcd_decode, cp437, decode_text, tag, var_len};
use super::result::{ResultCode, intermediate_text};
use super::tlv::{self, Tlv};

/// A card number as the register may keep it: every digit but the last four is `*`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MaskedPan(String);

impl MaskedPan {
    /// Masks BCD card-number nibbles: `E` is a digit the terminal already masked, `F` is
    /// padding. The full number never leaves this function.
    pub fn from_bcd(bytes: &[u8]) -> MaskedPan {
        let mut digits: Vec<char> = Vec::new();
        for nibble in bytes.iter().flat_map(|b| [b >> 4, b & 0x0F]) {
            match nibble {
                0..=9 => digits.push(char::from(b'0' + nibble)),
                0x0E => digits.push('*'),
                _ => {}
            }
        }
        let keep = digits.len().saturating_sub(4);
        for d in &mut digits[..keep] {
            *d = '*';
        }
        MaskedPan(digits.into_iter().collect())
    }

    /// The masked number, e.g. `************8074`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last four digits, for the receipt.
    pub fn last4(&self) -> &str {
        &self.0[self.0.len().saturating_sub(4)..]
    }
}

/// A time of day from BMP 0C (`hhmmss`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeOfDay {
    /// 0-23.
    pub hour: u8,
    /// 0-59.
    pub minute: u8,
    /// 0-59.
    pub second: u8,
}

/// A date without year from BMP 0D (`MMDD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MonthDay {
    /// 1-12.
    pub month: u8,
    /// 1-31.
    pub day: u8,
}

/// Count and total of one card scheme in an end-of-day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemeTotal {
    /// The scheme as ZVT groups them.
    pub scheme: &'static str,
    /// Number of payments.
    pub count: u8,
    /// Their total, minor units.
    pub total: u64,
}

/// The individual totals of an end-of-day (BMP 60 in its status information).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayTotals {
    /// First receipt number of the batch.
    pub first_receipt: u16,
    /// Last receipt number of the batch.
    pub last_receipt: u16,
    /// Per scheme, in ZVT's fixed order.
    pub schemes: Vec<SchemeTotal>,
}

impl DayTotals {
    /// ZVT's card groups in the order BMP 60 lists them.
    pub(crate) const SCHEMES: [&'static str; 7] = [
        "girocard", "JCB", "Eurocard", "Amex", "Visa", "Diners", "others",
    ];

    pub(crate) fn parse(bytes: &[u8]) -> Option<DayTotals> {
        if bytes.len() != 4 + 7 * 7 {
            return None;
        }
        let schemes = Self::SCHEMES
            .iter()
            .enumerate()
            .map(|(i, scheme)| {
                let at = 4 + i * 7;
                Some(SchemeTotal {
                    scheme,
                    count: bytes[at],
                    total: bcd_decode(&bytes[at + 1..at + 7])?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(DayTotals {
            first_receipt: bcd_decode(&bytes[0..2])? as u16,
            last_receipt: bcd_decode(&bytes[2..4])? as u16,
            schemes,
        })
    }
}

/// Status information (`04 0F`): the result of a payment, or the totals of an end-of-day.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatusInformation {
    /// Result code (BMP 27).
    pub result: Option<ResultCode>,
    /// Amount in minor units (BMP 04).
    pub amount: Option<u64>,
    /// ISO 4217 numeric currency (BMP 49).
    pub currency: Option<u16>,
    /// Terminal receipt number (BMP 87), the key for a reversal.
    pub receipt_no: Option<u16>,
    /// Trace number (BMP 0B).
    pub trace_no: Option<u32>,
    /// Terminal id (BMP 29).
    pub terminal_id: Option<u32>,
    /// Card type / payment type byte (BMP 19).
    pub card_type: Option<u8>,
    /// ZVT card type (BMP 8A).
    pub zvt_card_type: Option<u8>,
    /// Card name, e.g. "MasterCard" (BMP 8B).
    pub card_name: Option<String>,
    /// Authorisation code (BMP 3B).
    pub auth_code: Option<String>,
    /// Masked card number (BMP 22).
    pub pan: Option<MaskedPan>,
    /// Card expiry `YYMM` (BMP 0E).
    pub expiry: Option<u16>,
    /// Date of the operation (BMP 0D).
    pub date: Option<MonthDay>,
    /// Time of the operation (BMP 0C).
    pub time: Option<TimeOfDay>,
    /// Merchant number (BMP 2A).
    pub vu_number: Option<String>,
    /// Additional text for the receipt (BMP 3C), lines separated by CR.
    pub additional_text: Option<String>,
    /// End-of-day totals (BMP 60).
    pub totals: Option<DayTotals>,
    /// The TLV container (BMP 06).
    pub tlv: Vec<Tlv>,
    /// Every BMP field read, including the ones above.
    pub fields: Fields,
    /// What stopped the parse, if something did; the fields before it are above.
    pub problem: Option<DecodeError>,
}

impl StatusInformation {
    /// Reads `04 0F` data.
    pub fn parse(data: &[u8]) -> StatusInformation {
        let (fields, problem) = Fields::parse_partial(data, 0);
        let mut problem = problem.map(|(e, _)| e);
        let tlv = match fields.tlv() {
            Ok(list) => list,
            Err(e) => {
                problem.get_or_insert(e);
                Vec::new()
            }
        };
        let time = fields.bcd(tag::TIME).map(|t| TimeOfDay {
            hour: (t / 10_000) as u8,
            minute: (t / 100 % 100) as u8,
            second: (t % 100) as u8,
        });
        let date = fields.bcd(tag::DATE).map(|d| MonthDay {
            month: (d / 100) as u8,
            day: (d % 100) as u8,
        });
        StatusInformation {
            result: fields.byte(tag::RESULT).map(ResultCode),
            amount: fields.bcd(tag::AMOUNT),
            currency: fields.bcd(tag::CURRENCY).map(|c| c as u16),
            receipt_no: fields.bcd(tag::RECEIPT_NO).map(|n| n as u16),
            trace_no: fields.bcd(tag::TRACE).map(|n| n as u32),
            terminal_id: fields.bcd(tag::TERMINAL_ID).map(|n| n as u32),
            card_type: fields.byte(tag::PAYMENT_TYPE),
            zvt_card_type: fields.byte(tag::ZVT_CARD_TYPE),
            card_name: fields.text(tag::CARD_NAME),
            auth_code: fields.text(tag::AUTH_CODE),
            pan: fields.get(tag::PAN).map(MaskedPan::from_bcd),
            expiry: fields.bcd(tag::EXPIRY).map(|e| e as u16),
            date,
            time,
            vu_number: fields.text(tag::VU_NUMBER),
            additional_text: fields.text(tag::ADDITIONAL_TEXT),
            totals: fields.get(tag::TOTALS).and_then(DayTotals::parse),
            tlv,
            fields,
            problem,
        }
    }

    /// Whether this reports an approved operation (result 00, or no result field, which
    /// terminals use for success).
    pub fn approved(&self) -> bool {
        self.result.is_none_or(ResultCode::is_success)
    }
}

/// Intermediate status (`04 FF`): what the terminal's screen shows while the customer acts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntermediateStatus {
    /// The status code.
    pub code: u8,
    /// Seconds the terminal will wait, if it says.
    pub timeout: Option<u8>,
    /// TLV (newer terminals add display texts here).
    pub tlv: Vec<Tlv>,
}

impl IntermediateStatus {
    /// What the terminal's screen says, for showing on the register.
    pub fn text(&self) -> &'static str {
        intermediate_text(self.code)
    }

    fn parse(data: &[u8]) -> Result<IntermediateStatus, DecodeError> {
        let code = *data.first().ok_or(DecodeError::Field {
            name: "intermediate status",
        })?;
        let mut rest = &data[1..];
        let mut timeout = None;
        if let Some(&t) = rest.first()
            && t != tag::TLV
        {
            timeout = Some(t);
            rest = &rest[1..];
        }
        let tlv = Fields::parse(rest, data.len() - rest.len())?.tlv()?;
        Ok(IntermediateStatus { code, timeout, tlv })
    }
}

/// Completion (`06 0F`): the operation is over and succeeded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// Result code, when the terminal sends one.
    pub result: Option<ResultCode>,
    /// Status byte (BMP 19).
    pub status_byte: Option<u8>,
    /// Terminal id (BMP 29).
    pub terminal_id: Option<u32>,
    /// Currency (BMP 49).
    pub currency: Option<u16>,
    /// Software version, in the answer to a status enquiry.
    pub software_version: Option<String>,
    /// Terminal status code, in the answer to a status enquiry (00: ready).
    pub terminal_status: Option<u8>,
    /// TLV (device information, date and time).
    pub tlv: Vec<Tlv>,
    /// Data this codec could not read as BMP fields (vendor-specific completions).
    pub unparsed: Vec<u8>,
}

impl Completion {
    fn parse(data: &[u8]) -> Completion {
        let is_digit_len = |b: &u8| (0xF0..=0xF9).contains(b);
        if data.len() >= 4
            && data[..3].iter().all(is_digit_len)
            && let Ok(len) = var_len(data, 3, 0)
            && data.len() > 3 + len
        {
            // The answer to a status enquiry: software version (LLLVAR), status byte, TLV.
            let rest = &data[4 + len..];
            let tlv = Fields::parse(rest, 4 + len).and_then(|f| f.tlv());
            return Completion {
                software_version: Some(decode_text(&data[3..3 + len])),
                terminal_status: Some(data[3 + len]),
                unparsed: if tlv.is_ok() {
                    Vec::new()
                } else {
                    rest.to_vec()
                },
                tlv: tlv.unwrap_or_default(),
                ..Completion::default()
            };
        }
        match Fields::parse(data, 0) {
            Ok(fields) => Completion {
                result: fields.byte(tag::RESULT).map(ResultCode),
                status_byte: fields.byte(tag::PAYMENT_TYPE),
                terminal_id: fields.bcd(tag::TERMINAL_ID).map(|n| n as u32),
                currency: fields.bcd(tag::CURRENCY).map(|c| c as u16),
                tlv: fields.tlv().unwrap_or_default(),
                ..Completion::default()
            },
            Err(_) => Completion {
                unparsed: data.to_vec(),
                ..Completion::default()
            },
        }
    }
}

/// Abort (`06 1E`): the operation ended without success.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Abort {
    /// Why.
    pub code: ResultCode,
    /// Receipt number (after a failed partial reversal; `None` if absent or `FFFF`).
    pub receipt_no: Option<u16>,
    /// The rest of the message's fields.
    pub fields: Fields,
}

/// One receipt line (`06 D1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrintLine {
    /// The attribute byte (`1xxx xxxx`: the last line of the receipt).
    pub attribute: u8,
    /// The text, spaces kept (the terminal lays out its own columns).
    pub text: String,
}

impl PrintLine {
    /// Whether this ends the receipt.
    pub fn is_last(&self) -> bool {
        self.attribute & 0x80 != 0
    }
}

/// Which copy a text block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptKind {
    /// The merchant's copy.
    Merchant,
    /// The customer's copy.
    Customer,
    /// An administration receipt (end of day, configuration).
    Administration,
    /// A code this codec does not know.
    Other(u8),
}

/// A whole receipt (`06 D3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextBlock {
    /// Which copy (TLV 1F07).
    pub kind: Option<ReceiptKind>,
    /// The lines (TLV 25, its 07 elements), spaces kept; empty lines are empty strings.
    pub lines: Vec<String>,
    /// The whole TLV, for what is not modelled.
    pub tlv: Vec<Tlv>,
}

impl TextBlock {
    fn parse(data: &[u8]) -> Result<TextBlock, DecodeError> {
        let tlv = Fields::parse(data, 0)?.tlv()?;
        let kind = tlv::find(&tlv, 0x1F07)
            .and_then(Tlv::bytes)
            .and_then(|b| b.first())
            .map(|&k| match k {
                1 => ReceiptKind::Merchant,
                2 => ReceiptKind::Customer,
                3 => ReceiptKind::Administration,
                other => ReceiptKind::Other(other),
            });
        let lines = tlv::find(&tlv, 0x25)
            .map(|block| {
                block
                    .children()
                    .iter()
                    .filter(|t| t.tag == 0x07)
                    .map(|t| line_text(t.bytes().unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(TextBlock { kind, lines, tlv })
    }
}

fn line_text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    cp437(&bytes[..end])
}

/// A message from the terminal, decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminalMessage {
    /// Positive answer `80 00` (data is usually empty).
    Ack(Vec<u8>),
    /// Negative answer `84 xx`: the command was refused with this code.
    Nack(ResultCode),
    /// Status information `04 0F`.
    Status(Box<StatusInformation>),
    /// Intermediate status `04 FF`.
    Intermediate(IntermediateStatus),
    /// Completion `06 0F`.
    Completion(Completion),
    /// Abort `06 1E`.
    Abort(Abort),
    /// Print line `06 D1`.
    PrintLine(PrintLine),
    /// Print text block `06 D3`.
    TextBlock(TextBlock),
    /// Any other message, kept whole.
    Other(Apdu),
}

impl TerminalMessage {
    /// Decodes a terminal message.
    pub fn decode(apdu: &Apdu) -> Result<TerminalMessage, DecodeError> {
        let data = &apdu.data;
        Ok(match apdu.control() {
            [0x80, 0x00] => TerminalMessage::Ack(data.clone()),
            [0x84, code] => TerminalMessage::Nack(ResultCode(code)),
            [0x04, 0x0F] => TerminalMessage::Status(Box::new(StatusInformation::parse(data))),
            [0x04, 0xFF] => TerminalMessage::Intermediate(IntermediateStatus::parse(data)?),
            [0x06, 0x0F] => TerminalMessage::Completion(Completion::parse(data)),
            [0x06, 0x1E] => {
                let code = *data
                    .first()
                    .ok_or(DecodeError::Field { name: "error code" })?;
                let fields = Fields::parse(&data[1..], 1)?;
                TerminalMessage::Abort(Abort {
                    code: ResultCode(code),
                    receipt_no: fields.bcd(tag::RECEIPT_NO).map(|n| n as u16),
                    fields,
                })
            }
            [0x06, 0xD1] => {
                let attribute = *data
                    .first()
                    .ok_or(DecodeError::Field { name: "attribute" })?;
                TerminalMessage::PrintLine(PrintLine {
                    attribute,
                    text: line_text(&data[1..]),
                })
            }
            [0x06, 0xD3] => TerminalMessage::TextBlock(TextBlock::parse(data)?),
            _ => TerminalMessage::Other(apdu.clone()),
        })
    }
}
