//! Printer status: the `DLE EOT n` requests and the one-byte replies, as types.
//! The transport sends [`StatusRequest::bytes`] and hands back the byte it read; this module
//! turns it into what is wrong with the printer, in words a cashier can act on.

use crate::error::StatusError;

/// Which status a `DLE EOT n` request asks for (Epson ESC/POS reference, "DLE EOT").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusRequest {
    /// `n = 1`: online/offline and the drawer sensor.
    Printer = 1,
    /// `n = 2`: why the printer is offline.
    OfflineCause = 2,
    /// `n = 3`: which error occurred.
    ErrorCause = 3,
    /// `n = 4`: the roll paper sensors.
    PaperSensor = 4,
}

/// In every reply bit 1 and bit 4 are set and bits 0 and 7 clear (`0xx1xx10`): that is how
/// a status byte is told from stray print data or an Automatic Status Back block.
const FIXED_MASK: u8 = 0b1001_0011;
const FIXED_BITS: u8 = 0b0001_0010;

impl StatusRequest {
    /// All four requests, in the order a status check sends them.
    pub const ALL: [StatusRequest; 4] = [
        StatusRequest::Printer,
        StatusRequest::OfflineCause,
        StatusRequest::ErrorCause,
        StatusRequest::PaperSensor,
    ];

    /// The request: `10 04 n`, exactly three bytes. (Padding it with a `00`, as some
    /// libraries do, prints a stray NUL or breaks the next command.)
    pub const fn bytes(self) -> [u8; 3] {
        [0x10, 0x04, self as u8]
    }

    /// A short name for messages and logs.
    pub const fn name(self) -> &'static str {
        match self {
            StatusRequest::Printer => "printer status",
            StatusRequest::OfflineCause => "offline cause",
            StatusRequest::ErrorCause => "error cause",
            StatusRequest::PaperSensor => "paper sensor",
        }
    }

    /// Reads the printer's one-byte answer to this request.
    pub fn parse(self, byte: u8) -> Result<StatusReply, StatusError> {
        if byte & FIXED_MASK != FIXED_BITS {
            return Err(StatusError {
                request: self,
                byte,
            });
        }
        let bit = |n: u8| byte & (1 << n) != 0;
        Ok(match self {
            StatusRequest::Printer => StatusReply::Printer(PrinterStatus {
                drawer_pin3_high: bit(2),
                offline: bit(3),
                waiting_for_recovery: bit(5),
                feed_button_pressed: bit(6),
            }),
            StatusRequest::OfflineCause => StatusReply::OfflineCause(OfflineCause {
                cover_open: bit(2),
                feeding_by_button: bit(3),
                stopped_by_paper_end: bit(5),
                error: bit(6),
            }),
            StatusRequest::ErrorCause => StatusReply::ErrorCause(ErrorCause {
                recoverable: bit(2),
                autocutter: bit(3),
                unrecoverable: bit(5),
                auto_recoverable: bit(6),
            }),
            // Bits 2-3 are the near-end sensor and 5-6 the paper-end sensor; printers with a
            // single sensor set one bit of the pair, so either bit counts.
            StatusRequest::PaperSensor => StatusReply::PaperSensor(PaperSensor {
                near_end: byte & 0x0C != 0,
                out: byte & 0x60 != 0,
            }),
        })
    }
}

/// A parsed status byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusReply {
    /// Answer to [`StatusRequest::Printer`].
    Printer(PrinterStatus),
    /// Answer to [`StatusRequest::OfflineCause`].
    OfflineCause(OfflineCause),
    /// Answer to [`StatusRequest::ErrorCause`].
    ErrorCause(ErrorCause),
    /// Answer to [`StatusRequest::PaperSensor`].
    PaperSensor(PaperSensor),
}

/// `DLE EOT 1`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrinterStatus {
    /// Drawer kick-out connector pin 3 is high. Whether high means open depends on the
    /// drawer: see [`PrinterStatus::drawer_open`].
    pub drawer_pin3_high: bool,
    /// The printer is offline (cover open, paper out, error, or feeding).
    pub offline: bool,
    /// Waiting for online recovery.
    pub waiting_for_recovery: bool,
    /// The paper feed button is being pressed.
    pub feed_button_pressed: bool,
}

/// Which level of pin 3 a drawer's sensor reports when the drawer is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DrawerSensor {
    /// Pin 3 is high while open (most drawers).
    #[default]
    OpenWhenHigh,
    /// Pin 3 is low while open.
    OpenWhenLow,
}

impl PrinterStatus {
    /// Whether the cash drawer is open, for a drawer whose sensor works as `sensor` says.
    pub fn drawer_open(self, sensor: DrawerSensor) -> bool {
        match sensor {
            DrawerSensor::OpenWhenHigh => self.drawer_pin3_high,
            DrawerSensor::OpenWhenLow => !self.drawer_pin3_high,
        }
    }
}

/// `DLE EOT 2`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OfflineCause {
    /// The cover is open.
    pub cover_open: bool,
    /// Paper is being fed by the feed button.
    pub feeding_by_button: bool,
    /// Printing stopped because the paper ran out.
    pub stopped_by_paper_end: bool,
    /// An error occurred: ask [`StatusRequest::ErrorCause`] which.
    pub error: bool,
}

/// `DLE EOT 3`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ErrorCause {
    /// A recoverable error (bit 2; undefined on some clones).
    pub recoverable: bool,
    /// The autocutter failed, usually a paper jam.
    pub autocutter: bool,
    /// A fault the printer cannot recover from.
    pub unrecoverable: bool,
    /// An error that clears by itself, usually the head overheating.
    pub auto_recoverable: bool,
}

/// `DLE EOT 4`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PaperSensor {
    /// The roll is nearly finished.
    pub near_end: bool,
    /// There is no paper.
    pub out: bool,
}

/// What the printer's replies add up to. Feed it every reply of one status check with
/// [`PrinterCondition::apply`], then ask for [`PrinterCondition::problems`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrinterCondition {
    /// The last `DLE EOT 1` reply.
    pub printer: Option<PrinterStatus>,
    /// The last `DLE EOT 2` reply.
    pub offline_cause: Option<OfflineCause>,
    /// The last `DLE EOT 3` reply.
    pub error_cause: Option<ErrorCause>,
    /// The last `DLE EOT 4` reply.
    pub paper: Option<PaperSensor>,
}

impl PrinterCondition {
    /// Records one reply, replacing an earlier reply to the same request.
    pub fn apply(&mut self, reply: StatusReply) {
        match reply {
            StatusReply::Printer(status) => self.printer = Some(status),
            StatusReply::OfflineCause(cause) => self.offline_cause = Some(cause),
            StatusReply::ErrorCause(cause) => self.error_cause = Some(cause),
            StatusReply::PaperSensor(paper) => self.paper = Some(paper),
        }
    }

    /// Everything that needs the cashier, most urgent first; empty when the printer is fine.
    pub fn problems(&self) -> Vec<PrinterProblem> {
        let offline = self.offline_cause.unwrap_or_default();
        let error = self.error_cause.unwrap_or_default();
        let paper = self.paper.unwrap_or_default();
        let mut problems = Vec::new();
        if offline.cover_open {
            problems.push(PrinterProblem::CoverOpen);
        }
        if paper.out || offline.stopped_by_paper_end {
            problems.push(PrinterProblem::PaperOut);
        }
        if error.autocutter {
            problems.push(PrinterProblem::CutterJammed);
        }
        if error.unrecoverable {
            problems.push(PrinterProblem::Fault);
        }
        if error.auto_recoverable {
            problems.push(PrinterProblem::Overheated);
        }
        if error.recoverable {
            problems.push(PrinterProblem::Error);
        }
        let offline_unexplained = self.printer.is_some_and(|status| status.offline)
            && problems.is_empty()
            && !offline.feeding_by_button;
        if offline_unexplained || (offline.error && problems.is_empty()) {
            problems.push(PrinterProblem::Offline);
        }
        if paper.near_end && !problems.contains(&PrinterProblem::PaperOut) {
            problems.push(PrinterProblem::PaperNearEnd);
        }
        problems
    }
}

/// Something about the printer the cashier must know or fix.
/// Not `#[non_exhaustive]`: the app matches every problem to its own message, and a new one
/// must fail to compile there until it has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum PrinterProblem {
    /// The cover is open.
    #[error("The printer cover is open. Close it firmly and press Print again.")]
    CoverOpen,
    /// No paper.
    #[error("The printer is out of paper. Load a new roll and press Print again.")]
    PaperOut,
    /// The cutter failed.
    #[error(
        "The paper cutter is jammed. Open the cover, remove the stuck paper, close the \
         cover and press Print again."
    )]
    CutterJammed,
    /// An unrecoverable fault.
    #[error(
        "The printer has a fault. Turn it off and on again; if this message comes back, \
         call for service."
    )]
    Fault,
    /// Paused until the print head cools down.
    #[error("The printer is cooling down and will carry on by itself in a moment.")]
    Overheated,
    /// Another, recoverable error.
    #[error(
        "The printer stopped with an error. Open and close its cover, then press Print \
         again."
    )]
    Error,
    /// Offline for a reason the printer did not give.
    #[error("The printer is not ready. Check its cover and paper, then press Print again.")]
    Offline,
    /// The roll is nearly finished; printing still works.
    #[error("The paper roll is nearly finished. Have a new roll ready.")]
    PaperNearEnd,
}

impl PrinterProblem {
    /// Whether printing is impossible until this is fixed (everything but a nearly empty
    /// roll and a hot head, which clears by itself).
    pub fn blocks_printing(self) -> bool {
        !matches!(
            self,
            PrinterProblem::PaperNearEnd | PrinterProblem::Overheated
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_three_bytes() {
        assert_eq!(StatusRequest::Printer.bytes(), [0x10, 0x04, 0x01]);
        assert_eq!(StatusRequest::OfflineCause.bytes(), [0x10, 0x04, 0x02]);
        assert_eq!(StatusRequest::ErrorCause.bytes(), [0x10, 0x04, 0x03]);
        assert_eq!(StatusRequest::PaperSensor.bytes(), [0x10, 0x04, 0x04]);
    }

    #[test]
    fn idle_printer() {
        // 0x12: only the fixed bits.
        for request in StatusRequest::ALL {
            let reply = request.parse(0x12).unwrap();
            let mut condition = PrinterCondition::default();
            condition.apply(reply);
            assert_eq!(condition.problems(), []);
        }
        assert_eq!(
            StatusRequest::Printer.parse(0x12),
            Ok(StatusReply::Printer(PrinterStatus::default()))
        );
    }

    #[test]
    fn printer_status_bits() {
        // 0x16 = fixed + bit 2 (pin 3 high); 0x1E adds bit 3 (offline).
        let StatusReply::Printer(status) = StatusRequest::Printer.parse(0x1E).unwrap() else {
            panic!()
        };
        assert!(status.drawer_pin3_high && status.offline);
        assert!(status.drawer_open(DrawerSensor::OpenWhenHigh));
        assert!(!status.drawer_open(DrawerSensor::OpenWhenLow));
    }

    #[test]
    fn cover_open_and_paper_out() {
        let mut condition = PrinterCondition::default();
        // DLE EOT 1 -> 0x1A (offline); DLE EOT 2 -> 0x36 (cover open, stopped by paper end);
        // DLE EOT 4 -> 0x7E (near end and paper end sensors).
        condition.apply(StatusRequest::Printer.parse(0x1A).unwrap());
        condition.apply(StatusRequest::OfflineCause.parse(0x36).unwrap());
        condition.apply(StatusRequest::PaperSensor.parse(0x7E).unwrap());
        assert_eq!(
            condition.problems(),
            [PrinterProblem::CoverOpen, PrinterProblem::PaperOut]
        );
    }

    #[test]
    fn near_end_alone_does_not_block() {
        let mut condition = PrinterCondition::default();
        condition.apply(StatusRequest::PaperSensor.parse(0x1E).unwrap()); // bits 2 and 3
        assert_eq!(condition.problems(), [PrinterProblem::PaperNearEnd]);
        assert!(!PrinterProblem::PaperNearEnd.blocks_printing());
    }

    #[test]
    fn error_causes() {
        // 0x7E = fixed + bits 2, 3, 5, 6.
        let mut condition = PrinterCondition::default();
        condition.apply(StatusRequest::ErrorCause.parse(0x7E).unwrap());
        assert_eq!(
            condition.problems(),
            [
                PrinterProblem::CutterJammed,
                PrinterProblem::Fault,
                PrinterProblem::Overheated,
                PrinterProblem::Error
            ]
        );
    }

    #[test]
    fn unexplained_offline() {
        let mut condition = PrinterCondition::default();
        condition.apply(StatusRequest::Printer.parse(0x1A).unwrap());
        assert_eq!(condition.problems(), [PrinterProblem::Offline]);
    }

    #[test]
    fn fixed_bits_are_checked() {
        // 0x00 (NUL), 0x13 (bit 0), 0x92 (bit 7), 0x10 (bit 1 clear), 0x02 (bit 4 clear).
        for byte in [0x00, 0x13, 0x92, 0x10, 0x02, 0xFF] {
            let error = StatusRequest::Printer.parse(byte).unwrap_err();
            assert_eq!(error.byte, byte);
            assert!(error.to_string().contains("ESC/POS"));
        }
    }
}
