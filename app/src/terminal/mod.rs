//! Card terminals: one [`CardTerminal`] trait for every kind the register can drive, and the
//! pay-flow glue that makes a reload during a payment safe. Each operation carries the sale's id;
//! the amount sent is saved with the open ticket (`CardInFlight`) *before* the terminal is asked,
//! so after a crash the register asks the terminal for its last operation instead of charging
//! again. Kinds: standalone (the cashier keys the amount and confirms on the register), the
//! training simulator, and ZVT over WebSerial.

mod simulator;
pub mod zvt;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use pos_core::{CardApproval, Currency, Decimal, Uuid};
use serde::{Deserialize, Serialize};

use crate::i18n::Msg;

pub use simulator::Simulator;
pub use zvt::ZvtSerial;

/// Where the terminal settings are kept in the device's key-value store.
pub const SETTINGS_KEY: &str = "terminal";

/// What the training simulator answers to a payment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TrainingOutcome {
    #[default]
    Approve,
    Decline,
    /// The customer keys a wrong PIN, again and again, and the terminal gives up.
    WrongPin,
    Timeout,
    Disconnect,
}

impl TrainingOutcome {
    pub const ALL: [TrainingOutcome; 5] = [
        TrainingOutcome::Approve,
        TrainingOutcome::Decline,
        TrainingOutcome::WrongPin,
        TrainingOutcome::Timeout,
        TrainingOutcome::Disconnect,
    ];

    pub fn tag(self) -> &'static str {
        match self {
            TrainingOutcome::Approve => "approve",
            TrainingOutcome::Decline => "decline",
            TrainingOutcome::WrongPin => "wrong-pin",
            TrainingOutcome::Timeout => "timeout",
            TrainingOutcome::Disconnect => "disconnect",
        }
    }

    pub fn msg(self) -> Msg {
        match self {
            TrainingOutcome::Approve => Msg::OutcomeApprove,
            TrainingOutcome::Decline => Msg::OutcomeDecline,
            TrainingOutcome::WrongPin => Msg::OutcomeWrongPin,
            TrainingOutcome::Timeout => Msg::OutcomeTimeout,
            TrainingOutcome::Disconnect => Msg::OutcomeDisconnect,
        }
    }
}

/// How the register reaches the terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum Connection {
    /// Not at all: the cashier keys the amount on the terminal and confirms approval here.
    Standalone,
    /// No terminal: a simulator for training; every sale made meanwhile is a training sale.
    Training { outcome: TrainingOutcome },
    /// A ZVT terminal on a serial port (RS-232 or USB), chosen once in the browser's dialog.
    ZvtSerial {
        baud: u32,
        /// 2 as ZVT has it; 1 for a terminal set otherwise. Settings saved before this existed
        /// opened ports with 1, which a ZVT terminal does not expect.
        #[serde(default = "zvt_stop_bits")]
        stop_bits: u8,
        /// The USB ids of the port, to find it again among the granted ones (a printer may be
        /// on another serial port).
        #[serde(default)]
        port: Option<crate::transport::serial::SerialPortIds>,
    },
}

fn zvt_stop_bits() -> u8 {
    pos_devices::zvt::SERIAL_LINE.stop_bits.count()
}

/// The serial line of a ZVT terminal at `baud` with `stop_bits` (1 or 2).
pub fn zvt_line(baud: u32, stop_bits: u8) -> pos_devices::SerialSettings {
    let stop_bits = if stop_bits == 1 {
        pos_devices::StopBits::One
    } else {
        pos_devices::StopBits::Two
    };
    pos_devices::SerialSettings {
        baud_rate: baud,
        stop_bits,
        ..pos_devices::zvt::SERIAL_LINE
    }
}

/// The terminal as the merchant set it up in Settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalSettings {
    pub model: String,
    pub serial_number: String,
    pub connection: Connection,
    /// ZVT password for registration and administration (six digits; many ship with 000000).
    #[serde(default)]
    pub password: String,
    /// The terminal receipt number of the last payment the register saw complete: recovery tells
    /// that payment from a lost one by it.
    #[serde(default)]
    pub last_receipt_no: Option<u16>,
    /// The terminal id the connected terminal reported with its last approval: a reversal is sent
    /// only for a payment this very terminal took (another terminal would reverse its own
    /// payment of that receipt number, another customer's).
    #[serde(default)]
    pub terminal_id: Option<String>,
}

impl Default for TerminalSettings {
    fn default() -> TerminalSettings {
        TerminalSettings {
            model: String::new(),
            serial_number: String::new(),
            connection: Connection::Standalone,
            password: String::new(),
            last_receipt_no: None,
            terminal_id: None,
        }
    }
}

impl TerminalSettings {
    pub fn is_training(&self) -> bool {
        matches!(self.connection, Connection::Training { .. })
    }

    pub fn is_integrated(&self) -> bool {
        !matches!(self.connection, Connection::Standalone)
    }
}

/// What the terminal shows while it works, passed on to the cashier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Sending to the terminal.
    Sending,
    /// Asking the terminal what became of the last payment.
    Recovering,
    /// The terminal's screen, as a ZVT intermediate status code (the simulator uses them too).
    Status(u8),
}

impl Progress {
    pub fn text(&self, lang: crate::i18n::Lang) -> String {
        let msg = match self {
            Progress::Sending => Msg::TerminalSending,
            Progress::Recovering => Msg::TerminalRecovering,
            Progress::Status(code) => status_msg(*code),
        };
        msg.text(lang).to_string()
    }
}

/// The cashier's words for a terminal screen (the ZVT intermediate status codes of `04 FF`,
/// as `pos_devices::zvt::intermediate_text` names them). Every byte is listed, so a code given
/// words of its own cannot be forgotten in one language; the ones ZVT leaves open ask to wait.
fn status_msg(code: u8) -> Msg {
    match code {
        0x00 => Msg::TerminalConfirmAmount,
        0x01 | 0x02 => Msg::TerminalPin,
        0x03 => Msg::TerminalNotAccepted,
        0x04 => Msg::TerminalWaitingForBank,
        0x05 => Msg::TerminalAutoReversal,
        0x06 => Msg::TerminalPostBookings,
        0x07 => Msg::TerminalCardNotAdmitted,
        0x08 => Msg::TerminalCardUnknown,
        0x09 => Msg::TerminalCardExpired,
        0x0A => Msg::TerminalInsertCard,
        0x0B => Msg::TerminalRemoveCard,
        0x0C => Msg::TerminalCardUnreadable,
        0x0D => Msg::TerminalProcessingError,
        0x0F => Msg::TerminalAutoEndOfDay,
        0x10 => Msg::TerminalInvalidCard,
        0x11 => Msg::TerminalShowsBalance,
        0x12 => Msg::TerminalMalfunction,
        0x13 => Msg::TerminalPaymentNotPossible,
        0x14 => Msg::TerminalInsufficientFunds,
        WRONG_PIN => Msg::TerminalWrongPinScreen,
        0x16 => Msg::TerminalLimitExceeded,
        PIN_TRIES_EXCEEDED => Msg::TerminalPinTriesExceeded,
        0x19 => Msg::TerminalCardDataWrong,
        0x1A => Msg::TerminalServiceMode,
        0x1B => Msg::TerminalApprovedFillUp,
        0x1C => Msg::TerminalApprovedTakeGoods,
        0x1D => Msg::TerminalDeclinedScreen,
        0xD2 => Msg::TerminalConnecting,
        0xD3 => Msg::TerminalConnectedToBank,
        0xE0 => Msg::TerminalChooseApplication,
        0xE1 => Msg::TerminalChooseLanguage,
        0xF1 => Msg::TerminalBankOffline,
        0xF2 => Msg::TerminalBankOnline,
        0xF3 => Msg::TerminalOfflinePayment,
        0x0E | 0x17 | 0x1E..=0xD1 | 0xD4..=0xDF | 0xE2..=0xF0 | 0xF4..=0xFF => {
            Msg::TerminalPleaseWait
        }
    }
}

/// The terminal's screens for a PIN entered wrong, and for too many wrong PINs.
pub const WRONG_PIN: u8 = 0x15;
pub const PIN_TRIES_EXCEEDED: u8 = 0x18;

/// A payment the terminal approved.
#[derive(Clone, Debug, PartialEq)]
pub struct TerminalApproval {
    pub amount: Decimal,
    pub approval: CardApproval,
    /// The terminal's receipt number, if it reported one.
    pub receipt_no: Option<u16>,
    /// The terminal's receipt, line by line, for our printer.
    pub print_lines: Vec<String>,
}

/// What the terminal's last operation says about a payment the register lost track of.
#[derive(Clone, Debug, PartialEq)]
pub enum LastStatus {
    /// It was approved: record it, never charge again.
    Approved(TerminalApproval),
    /// Nothing was charged for it: it may be tried again.
    NotCharged,
}

/// A result to show from the administration buttons (check, last operation, end of day).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    pub approved: Option<bool>,
    pub amount: Option<Decimal>,
    pub count: Option<u32>,
    pub receipt_no: Option<u16>,
    pub lines: Vec<String>,
    /// An end of day's totals, for the shift's reconciliation: `None` when the terminal sent
    /// no day total (or the answer was not an end of day's).
    pub day_totals: Option<pos_core::shift::TerminalTotals>,
}

/// Why an operation did not succeed, as the cashier must act on it. `Display` is for
/// developers; the cashier reads [`TerminalError::msg`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TerminalError {
    /// The bank or the card said no: nothing was charged.
    #[error("declined")]
    Declined,
    /// The terminal stopped after a wrong PIN (or too many): nothing was charged.
    #[error("wrong PIN")]
    WrongPin,
    /// Cancelled on the terminal: nothing was charged.
    #[error("cancelled on the terminal")]
    Cancelled,
    /// The card cannot be used.
    #[error("the card cannot be used")]
    Card,
    /// The terminal is busy with something else.
    #[error("the terminal is busy")]
    Busy,
    /// The terminal cannot reach the bank.
    #[error("the terminal cannot reach the bank")]
    NoBank,
    /// The terminal is not set up for this (registration, password, currency).
    #[error("the terminal is not set up for this")]
    NotSetUp,
    /// The terminal did not answer in time: the result is not known.
    #[error("no answer in time")]
    Timeout,
    /// The terminal could not be reached, so nothing was sent to it.
    #[error("the terminal could not be reached")]
    NotConnected,
    /// The connection broke during an operation: the result is not known.
    #[error("the connection broke")]
    Disconnected,
    /// No serial port chosen yet, or the browser has no WebSerial.
    #[error("no serial port")]
    NoPort,
    /// A standalone terminal is not driven by the register.
    #[error("a standalone terminal")]
    Standalone,
    /// Anything else, with details for whoever debugs it (never shown as the message).
    #[error("terminal fault: {0}")]
    Fault(String),
}

impl TerminalError {
    pub fn msg(&self) -> Msg {
        match self {
            TerminalError::Declined => Msg::TerminalDeclined,
            TerminalError::WrongPin => Msg::TerminalWrongPin,
            TerminalError::Cancelled => Msg::TerminalCancelled,
            TerminalError::Card => Msg::TerminalCardProblem,
            TerminalError::Busy => Msg::TerminalBusy,
            TerminalError::NoBank => Msg::TerminalNoBank,
            TerminalError::NotSetUp => Msg::TerminalNotSetUp,
            TerminalError::Timeout => Msg::TerminalTimeout,
            TerminalError::NotConnected => Msg::TerminalDisconnected,
            TerminalError::Disconnected => Msg::TerminalConnectionLost,
            TerminalError::NoPort => Msg::TerminalNoPort,
            TerminalError::Standalone => Msg::TerminalStandalone,
            TerminalError::Fault(_) => Msg::TerminalFault,
        }
    }

    /// Whether the terminal may have charged the card all the same: then the register must ask
    /// it before the payment can be tried again or given up.
    pub fn result_unknown(&self) -> bool {
        matches!(
            self,
            TerminalError::Timeout | TerminalError::Disconnected | TerminalError::Fault(_)
        )
    }

    /// The device's own words, for "Details" under the message; `None` where the message says it
    /// all.
    pub fn detail(&self) -> Option<String> {
        if let TerminalError::Fault(detail) = self {
            Some(detail.clone())
        } else {
            None
        }
    }
}

#[cfg(test)]
impl TerminalError {
    /// One of each, the fault last, for tests that must cover every kind.
    pub(crate) fn every() -> [TerminalError; 13] {
        [
            TerminalError::Declined,
            TerminalError::WrongPin,
            TerminalError::Cancelled,
            TerminalError::Card,
            TerminalError::Busy,
            TerminalError::NoBank,
            TerminalError::NotSetUp,
            TerminalError::Timeout,
            TerminalError::NotConnected,
            TerminalError::Disconnected,
            TerminalError::NoPort,
            TerminalError::Standalone,
            TerminalError::Fault("ZVT: unexpected 84 83".into()),
        ]
    }
}

pub type TerminalFuture<T> = Pin<Box<dyn Future<Output = Result<T, TerminalError>>>>;
pub type OnProgress = Rc<dyn Fn(Progress)>;

/// A card terminal the register can drive. Every payment operation carries the sale's id, so
/// that a retry can be matched with what the terminal already did.
pub trait CardTerminal {
    fn purchase(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval>;
    /// Pays `amount` back to a card (the refund of a sale, `refund::start`).
    fn refund(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval>;
    /// Undoes a payment of this terminal day by its terminal receipt number.
    fn reversal(
        &self,
        sale_id: Uuid,
        receipt_no: Option<u16>,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval>;
    /// What became of the payment for `sale_id` of `amount`, sent after the terminal's receipt
    /// `known_receipt_no`: asks the terminal for its last operation, never charges.
    fn last_status(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        known_receipt_no: Option<u16>,
        on: OnProgress,
    ) -> TerminalFuture<LastStatus>;
    /// The terminal's last operation, whatever it was (the "Last operation" button).
    fn last_operation(&self, on: OnProgress) -> TerminalFuture<Report>;
    fn end_of_day(&self, on: OnProgress) -> TerminalFuture<Report>;
    fn repeat_receipt(&self, on: OnProgress) -> TerminalFuture<Report>;
    /// Whether the terminal is there and answers.
    fn check(&self, on: OnProgress) -> TerminalFuture<Report>;
}

/// Standalone: the register cannot reach it, so every operation says so; the pay screen keeps
/// the cashier's confirmation form for it.
pub struct Standalone;

impl CardTerminal for Standalone {
    fn purchase(&self, _: Uuid, _: Decimal, _: OnProgress) -> TerminalFuture<TerminalApproval> {
        Box::pin(async { Err(TerminalError::Standalone) })
    }
    fn refund(&self, _: Uuid, _: Decimal, _: OnProgress) -> TerminalFuture<TerminalApproval> {
        Box::pin(async { Err(TerminalError::Standalone) })
    }
    fn reversal(&self, _: Uuid, _: Option<u16>, _: OnProgress) -> TerminalFuture<TerminalApproval> {
        Box::pin(async { Err(TerminalError::Standalone) })
    }
    fn last_status(
        &self,
        _: Uuid,
        _: Decimal,
        _: Option<u16>,
        _: OnProgress,
    ) -> TerminalFuture<LastStatus> {
        Box::pin(async { Err(TerminalError::Standalone) })
    }
    fn last_operation(&self, _: OnProgress) -> TerminalFuture<Report> {
        Box::pin(async { Err(TerminalError::Standalone) })
    }
    fn end_of_day(&self, _: OnProgress) -> TerminalFuture<Report> {
        Box::pin(async { Err(TerminalError::Standalone) })
    }
    fn repeat_receipt(&self, _: OnProgress) -> TerminalFuture<Report> {
        Box::pin(async { Err(TerminalError::Standalone) })
    }
    fn check(&self, _: OnProgress) -> TerminalFuture<Report> {
        Box::pin(async { Err(TerminalError::Standalone) })
    }
}

/// The terminal the settings describe.
pub fn connect(settings: &TerminalSettings, currency: Currency) -> Rc<dyn CardTerminal> {
    match &settings.connection {
        Connection::Standalone => Rc::new(Standalone),
        Connection::Training { outcome } => Rc::new(Simulator::new(*outcome)),
        Connection::ZvtSerial {
            baud,
            port,
            stop_bits,
        } => Rc::new(ZvtSerial::new(
            *port,
            zvt_line(*baud, *stop_bits),
            &settings.password,
            currency,
        )),
    }
}

/// Reads the kept terminal settings; standalone when there are none or they are unreadable.
pub fn parse_settings(value: Option<serde_json::Value>) -> TerminalSettings {
    value
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    #[test]
    fn every_terminal_error_is_translated_and_keeps_its_details_apart() {
        let all = TerminalError::every();
        assert_translated(all.iter().map(TerminalError::msg));
        assert_eq!(all[12].detail().as_deref(), Some("ZVT: unexpected 84 83"));
        assert!(all[..12].iter().all(|e| e.detail().is_none()));
    }

    #[test]
    fn every_terminal_screen_has_words_in_both_languages() {
        assert_translated((0..=u8::MAX).map(status_msg));
        assert_eq!(status_msg(WRONG_PIN), Msg::TerminalWrongPinScreen);
        assert_eq!(status_msg(0x17), Msg::TerminalPleaseWait);
    }
}
