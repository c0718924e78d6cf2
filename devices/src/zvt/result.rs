//! ZVT result codes (BMP 27, the error byte of `06 1E`, the `84 xx` refusal) and the
//! intermediate status codes of `04 FF`, as text. Codes 01-63 come from the bank's host;
//! the rest are the terminal's own (PA00P015, chapter "Error messages").

use core::fmt;

/// What kind of trouble a result code is, for choosing the cashier's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Success (code 00).
    None,
    /// Declined by the bank or the card.
    Declined,
    /// Cancelled on the terminal.
    Cancelled,
    /// The card cannot be used.
    Card,
    /// The terminal is busy.
    Busy,
    /// No connection to the bank.
    NoConnection,
    /// The terminal is not set up for this.
    NotSetUp,
    /// A terminal fault.
    Terminal,
}

/// A ZVT result code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResultCode(pub u8);

impl ResultCode {
    /// Code 00, success.
    pub const SUCCESS: ResultCode = ResultCode(0x00);
    /// Code 6C, abort via timeout or abort key.
    pub const ABORTED: ResultCode = ResultCode(0x6C);

    /// Whether this is success.
    pub fn is_success(self) -> bool {
        self.0 == 0
    }

    /// The kind of trouble.
    pub fn problem(self) -> Problem {
        match self.0 {
            0x00 => Problem::None,
            0x01..=0x63 | 0x6E | 0x71 | 0x76 | 0xC3 => Problem::Declined,
            0x6C => Problem::Cancelled,
            0x64 | 0x65 | 0x67 | 0x68 | 0x72 | 0x73 | 0x78 | 0x79 | 0x7A | 0x7B | 0x7C | 0x7E
            | 0xC4 | 0xD2 | 0xDC | 0xEA => Problem::Card,
            0x9C | 0xA0 => Problem::Busy,
            0x7D | 0x9B | 0xA1 | 0xA3 => Problem::NoConnection,
            0x6B | 0x6F | 0x83 | 0xC5 | 0xC6 | 0xCB | 0xE4 | 0xFE | 0xB4 | 0xB5 => {
                Problem::NotSetUp
            }
            _ => Problem::Terminal,
        }
    }

    /// The code's meaning as the specification words it (English).
    pub fn text(self) -> &'static str {
        match self.0 {
            0x00 => "success",
            0x01..=0x63 => "declined by the bank",
            0x64 => "card not readable",
            0x65 => "card data not present",
            0x66 => "processing error",
            0x67 => "function not permitted for ec and Maestro cards",
            0x68 => "function not permitted for credit and tank cards",
            0x6A => "turnover file full",
            0x6B => "function deactivated (terminal not registered)",
            0x6C => "abort via timeout or abort key",
            0x6E => "card in blocked list",
            0x6F => "wrong currency",
            0x71 => "credit not sufficient",
            0x72 => "chip error",
            0x73 => "card data incorrect",
            0x74 => "DUKPT engine exhausted",
            0x75 => "text not authentic",
            0x76 => "PAN not in white list",
            0x77 => "end-of-day batch not possible",
            0x78 => "card expired",
            0x79 => "card not yet valid",
            0x7A => "card unknown",
            0x7B | 0x7E => "fallback to magnetic stripe for girocard not possible",
            0x7C => "fallback to magnetic stripe not possible",
            0x7D => "communication error",
            0x83 => "function not possible",
            0x85 => "key missing",
            0x89 | 0xED => "PIN pad defective",
            0x9A => "ZVT protocol error",
            0x9B => "error from dial-up or communication fault",
            0x9C => "please wait",
            0xA0 => "receiver not ready",
            0xA1 => "remote station does not respond",
            0xA3 => "no connection",
            0xA4 => "submission of Geldkarte not possible",
            0xA5 => "function not allowed due to PCI-DSS/P2PE rules",
            0xB1 => "memory full",
            0xB2 => "merchant journal full",
            0xB4 => "already reversed",
            0xB5 => "reversal not possible",
            0xB7 => "pre-authorisation incorrect or amount wrong",
            0xB8 => "error pre-authorisation",
            0xBF => "voltage supply too low",
            0xC0 => "card locking mechanism defective",
            0xC1 => "merchant card locked",
            0xC2 => "diagnosis required",
            0xC3 => "maximum amount exceeded",
            0xC4 => "card profile invalid",
            0xC5 => "payment method not supported",
            0xC6 => "currency not applicable",
            0xC8 => "amount too small",
            0xC9 => "maximum transaction amount too small",
            0xCB => "function only allowed in euro",
            0xCC => "printer not ready",
            0xCD => "cashback not possible",
            0xD2 => "function not permitted for service cards",
            0xDC => "card inserted",
            0xDD => "error during card eject",
            0xDE => "error during card insertion",
            0xE0 => "remote maintenance activated",
            0xE2 => "card reader does not answer",
            0xE3 => "shutter closed",
            0xE4 => "terminal activation required",
            0xE7 => "goods group not found",
            0xE8 => "no goods groups table loaded",
            0xE9 => "restriction code not permitted",
            0xEA => "card code not permitted",
            0xEB => "function not executable (PIN algorithm unknown)",
            0xEC => "PIN processing not possible",
            0xF0 => "open end-of-day batch present",
            0xF1 => "ec-cash/Maestro offline error",
            0xF5 => "OPT error",
            0xF6 => "OPT data not available",
            0xFA => "error transmitting offline transactions",
            0xFB => "turnover data set defective",
            0xFC => "necessary device not present or defective",
            0xFD => "baud rate not supported",
            0xFE => "register unknown",
            0xFF => "system error",
            _ => "unknown error",
        }
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({:02X})", self.text(), self.0)
    }
}

/// The text of an intermediate status code (`04 FF`), what the terminal's screen says.
pub fn intermediate_text(code: u8) -> &'static str {
    match code {
        0x00 => "Waiting for amount confirmation",
        0x01 | 0x02 => "Please watch the PIN pad",
        0x03 => "Not accepted",
        0x04 => "Waiting for the bank",
        0x05 => "Sending auto-reversal",
        0x06 => "Sending post-bookings",
        0x07 => "Card not admitted",
        0x08 => "Card unknown",
        0x09 => "Card expired",
        0x0A => "Insert card",
        0x0B => "Please remove card",
        0x0C => "Card not readable",
        0x0D => "Processing error",
        0x0E | 0x17 => "Please wait",
        0x0F => "Automatic end-of-day batch",
        0x10 => "Invalid card",
        0x11 => "Balance display",
        0x12 => "System malfunction",
        0x13 => "Payment not possible",
        0x14 => "Credit not sufficient",
        0x15 => "Incorrect PIN",
        0x16 => "Limit not sufficient",
        0x18 => "PIN try limit exceeded",
        0x19 => "Card data incorrect",
        0x1A => "Service mode",
        0x1B => "Approved, please fill up",
        0x1C => "Approved, please take goods",
        0x1D => "Declined",
        0xD2 => "Connecting",
        0xD3 => "Connected",
        0xE0 => "Waiting for application selection",
        0xE1 => "Waiting for language selection",
        0xF1 => "Offline",
        0xF2 => "Online",
        0xF3 => "Offline transaction",
        _ => "Please wait",
    }
}
