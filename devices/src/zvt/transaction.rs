//! One operation with the terminal as a state machine without I/O: the caller writes the bytes
//! it is given, feeds back the bytes it reads, owns the clock ("wait up to N ms", then
//! [`Transaction::timed_out`]) and decides what to do with the outcome. The same machine runs
//! over a serial line (frames, ACK/NAK, retries) or a bare TCP stream.

use super::apdu::Apdu;
use super::command::{Command, Operation, Password};
use super::error::Waiting;
use super::message::{
    Completion, IntermediateStatus, PrintLine, StatusInformation, TerminalMessage, TextBlock,
};
use super::serial::{self, ACK, Deframer, NAK, Received};
use super::{CommandError, DecodeError, ZvtError};

/// How the APDUs travel on the wire: framed with CRC and acknowledged, or bare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// RS-232 or USB serial: `DLE STX` frames with CRC, answered by ACK/NAK.
    Serial,
    /// TCP (port 20007 by convention): bare APDUs.
    Tcp,
}

/// How long to wait, and how often to try. Defaults follow common ZVT practice: 5 s for the
/// link ACK (T3), 180 s for the terminal's next message while the customer acts, 3 tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timeouts {
    /// Wait for the ACK byte after sending a frame.
    pub link_ack_ms: u32,
    /// Wait for the terminal's next message.
    pub terminal_ms: u32,
    /// Tries for one frame (first send included); also how many damaged frames in a row
    /// end the operation.
    pub max_attempts: u8,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            link_ack_ms: 5_000,
            terminal_ms: 180_000,
            max_attempts: 3,
        }
    }
}

/// What the caller must do next, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Write these bytes to the terminal.
    Send(Vec<u8>),
    /// Start (or restart) the one timer: if nothing arrives within `ms`, call
    /// [`Transaction::timed_out`]. A later `Wait` replaces an earlier one.
    Wait {
        /// Milliseconds.
        ms: u32,
    },
    /// Something to show or print.
    Event(TerminalEvent),
    /// The operation is over; stop the timer.
    Finished(Box<Outcome>),
}

/// What the terminal reports during an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminalEvent {
    /// Its screen's status ("Insert card", "Please wait").
    Intermediate(IntermediateStatus),
    /// The result details of the operation.
    Status(Box<StatusInformation>),
    /// A receipt line to print.
    PrintLine(PrintLine),
    /// A whole receipt to print.
    TextBlock(TextBlock),
    /// A message this codec does not model (acknowledged all the same).
    Other(Apdu),
    /// A message that could not be read (acknowledged all the same: the link carried it).
    Unreadable(DecodeError),
}

/// A successful operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Approval {
    /// The last status information, with receipt number, trace, auth code and masked card.
    pub status: Option<StatusInformation>,
    /// The completion message.
    pub completion: Completion,
}

/// How an operation ended, with the sale it was for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The caller's sale id, as given.
    pub sale_id: String,
    /// What was done.
    pub operation: Operation,
    /// The approval, or why not.
    pub result: Result<Approval, ZvtError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    NotStarted,
    /// Command sent; waiting for `80 00` or `84 xx`.
    AwaitReply,
    /// The terminal is master: it sends, we acknowledge.
    Master,
    Done,
}

#[derive(Clone, Debug)]
struct Outstanding {
    frame: Vec<u8>,
    attempts: u8,
    after: Stage,
}

/// One operation (purchase, refund, end of day, ...) from command to completion.
#[derive(Clone, Debug)]
pub struct Transaction {
    sale_id: String,
    command: Command,
    framing: Framing,
    timeouts: Timeouts,
    known_receipt_no: Option<u16>,
    stage: Stage,
    deframer: Deframer,
    stream: Vec<u8>,
    outstanding: Option<Outstanding>,
    bad_frames: u8,
    status: Option<StatusInformation>,
    abort: AbortState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AbortState {
    None,
    Requested,
    Sent,
}

impl Transaction {
    /// An operation for `sale_id` (the register's id, kept with the outcome; the terminal
    /// never sees it).
    pub fn new(sale_id: impl Into<String>, command: Command, framing: Framing) -> Transaction {
        Transaction {
            sale_id: sale_id.into(),
            command,
            framing,
            timeouts: Timeouts::default(),
            known_receipt_no: None,
            stage: Stage::NotStarted,
            deframer: Deframer::new(),
            stream: Vec::new(),
            outstanding: None,
            bad_frames: 0,
            status: None,
            abort: AbortState::None,
        }
    }

    /// Other timeouts than the defaults.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Transaction {
        self.timeouts = timeouts;
        self
    }

    /// The terminal receipt number of the last operation the register saw completed, so that
    /// recovery can tell that receipt from this operation's (see [`PendingOperation`]).
    pub fn after_receipt(mut self, receipt_no: Option<u16>) -> Transaction {
        self.known_receipt_no = receipt_no;
        self
    }

    /// What to store durably *before* performing the first [`Action::Send`]: after a crash
    /// it says that this operation may have reached the terminal.
    pub fn pending(&self) -> PendingOperation {
        PendingOperation {
            sale_id: self.sale_id.clone(),
            operation: self.command.operation(),
            amount: self.command.amount(),
            known_receipt_no: self.known_receipt_no,
        }
    }

    /// Whether the operation is over.
    pub fn is_finished(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Sends the command.
    pub fn start(&mut self) -> Result<Vec<Action>, CommandError> {
        let apdu = self.command.to_apdu()?;
        let mut actions = Vec::new();
        if self.stage == Stage::NotStarted {
            self.send(&apdu, Stage::AwaitReply, &mut actions);
        }
        Ok(actions)
    }

    /// The cashier wants to stop. ZVT lets the register interrupt only in its turn, so the
    /// abort (`06 B0`) goes out in place of the acknowledgement of the terminal's next
    /// intermediate status; the terminal then ends with `06 1E`.
    pub fn abort(&mut self) {
        if self.abort == AbortState::None && self.stage != Stage::Done {
            self.abort = AbortState::Requested;
        }
    }

    /// Bytes read from the terminal, in any pieces.
    pub fn receive(&mut self, bytes: &[u8]) -> Vec<Action> {
        let mut actions = Vec::new();
        match self.framing {
            Framing::Serial => {
                for received in self.deframer.push(bytes) {
                    if self.stage == Stage::Done {
                        if let Received::Frame(_) = received {
                            actions.push(Action::Send(vec![ACK]));
                        }
                        continue;
                    }
                    self.on_serial(received, &mut actions);
                }
            }
            Framing::Tcp => {
                self.stream.extend_from_slice(bytes);
                while self.stage != Stage::Done {
                    match Apdu::decode_prefix(&self.stream) {
                        Ok((apdu, used)) => {
                            self.stream.drain(..used);
                            self.on_apdu(apdu, &mut actions);
                        }
                        Err(_) => break,
                    }
                }
            }
        }
        actions
    }

    /// The last [`Action::Wait`] ran out.
    pub fn timed_out(&mut self) -> Vec<Action> {
        let mut actions = Vec::new();
        let idle = self.stage == Stage::NotStarted && self.outstanding.is_none();
        if self.stage == Stage::Done || idle {
            return actions;
        }
        self.deframer.reset();
        if let Some(out) = &mut self.outstanding {
            if out.attempts < self.timeouts.max_attempts {
                out.attempts += 1;
                actions.push(Action::Send(out.frame.clone()));
                actions.push(Action::Wait {
                    ms: self.timeouts.link_ack_ms,
                });
            } else {
                let ms = self.timeouts.link_ack_ms;
                self.finish(
                    Err(ZvtError::Timeout {
                        waiting: Waiting::LinkAck,
                        ms,
                    }),
                    &mut actions,
                );
            }
            return actions;
        }
        let ms = self.timeouts.terminal_ms;
        self.finish(
            Err(ZvtError::Timeout {
                waiting: Waiting::Terminal,
                ms,
            }),
            &mut actions,
        );
        actions
    }

    fn on_serial(&mut self, received: Received, actions: &mut Vec<Action>) {
        match received {
            Received::Ack => {
                if let Some(out) = self.outstanding.take() {
                    self.stage = out.after;
                    if self.stage != Stage::Done {
                        actions.push(Action::Wait {
                            ms: self.timeouts.terminal_ms,
                        });
                    }
                }
            }
            Received::Nak => {
                if let Some(out) = &mut self.outstanding {
                    if out.attempts < self.timeouts.max_attempts {
                        out.attempts += 1;
                        actions.push(Action::Send(out.frame.clone()));
                        actions.push(Action::Wait {
                            ms: self.timeouts.link_ack_ms,
                        });
                    } else {
                        let attempts = out.attempts;
                        self.finish(Err(ZvtError::Link { attempts }), actions);
                    }
                }
            }
            Received::Corrupt(_) => {
                actions.push(Action::Send(vec![NAK]));
                self.bad_frames += 1;
                if self.bad_frames >= self.timeouts.max_attempts {
                    let attempts = self.bad_frames;
                    self.finish(Err(ZvtError::Link { attempts }), actions);
                }
            }
            Received::Frame(bytes) => {
                self.bad_frames = 0;
                actions.push(Action::Send(vec![ACK]));
                if let Some(out) = self.outstanding.take() {
                    // The terminal answered, so it had our frame: its ACK was lost.
                    self.stage = out.after;
                }
                match Apdu::decode(&bytes) {
                    Ok(apdu) => self.on_apdu(apdu, actions),
                    Err(cause) => self.finish(Err(ZvtError::Protocol { cause }), actions),
                }
            }
        }
    }

    fn on_apdu(&mut self, apdu: Apdu, actions: &mut Vec<Action>) {
        let message = match TerminalMessage::decode(&apdu) {
            Ok(message) => message,
            Err(cause) => {
                actions.push(Action::Event(TerminalEvent::Unreadable(cause)));
                if self.stage == Stage::AwaitReply {
                    self.stage = Stage::Master;
                }
                self.reply(&Apdu::ack(), actions);
                return;
            }
        };
        if self.stage == Stage::AwaitReply {
            match message {
                TerminalMessage::Ack(_) => {
                    self.stage = Stage::Master;
                    actions.push(Action::Wait {
                        ms: self.timeouts.terminal_ms,
                    });
                    return;
                }
                TerminalMessage::Nack(code) => {
                    self.finish(Err(ZvtError::from_code(code)), actions);
                    return;
                }
                // Some terminals skip the `80 00` and start reporting at once.
                _ => self.stage = Stage::Master,
            }
        }
        match message {
            TerminalMessage::Ack(_) | TerminalMessage::Nack(_) => {
                // The answer to our abort; the terminal goes on until `06 1E`.
                actions.push(Action::Wait {
                    ms: self.timeouts.terminal_ms,
                });
            }
            TerminalMessage::Intermediate(status) => {
                actions.push(Action::Event(TerminalEvent::Intermediate(status)));
                if self.abort == AbortState::Requested {
                    self.abort = AbortState::Sent;
                    let abort = Command::Abort.to_apdu().unwrap_or_else(|_| Apdu::ack());
                    self.reply(&abort, actions);
                } else {
                    self.reply(&Apdu::ack(), actions);
                }
            }
            TerminalMessage::Status(status) => {
                self.status = Some((*status).clone());
                actions.push(Action::Event(TerminalEvent::Status(status)));
                self.reply(&Apdu::ack(), actions);
            }
            TerminalMessage::PrintLine(line) => {
                actions.push(Action::Event(TerminalEvent::PrintLine(line)));
                self.reply(&Apdu::ack(), actions);
            }
            TerminalMessage::TextBlock(block) => {
                actions.push(Action::Event(TerminalEvent::TextBlock(block)));
                self.reply(&Apdu::ack(), actions);
            }
            TerminalMessage::Other(apdu) => {
                actions.push(Action::Event(TerminalEvent::Other(apdu)));
                self.reply(&Apdu::ack(), actions);
            }
            TerminalMessage::Completion(completion) => {
                self.send(&Apdu::ack(), Stage::Done, actions);
                let status = self.status.take();
                let result = match status.as_ref().and_then(|s| s.result) {
                    Some(code) if !code.is_success() => Err(ZvtError::from_code(code)),
                    _ => Ok(Approval { status, completion }),
                };
                self.finish(result, actions);
            }
            TerminalMessage::Abort(abort) => {
                self.send(&Apdu::ack(), Stage::Done, actions);
                self.finish(Err(ZvtError::from_code(abort.code)), actions);
            }
        }
    }

    /// Answers a terminal message and waits for the next one.
    fn reply(&mut self, apdu: &Apdu, actions: &mut Vec<Action>) {
        self.send(apdu, Stage::Master, actions);
    }

    fn send(&mut self, apdu: &Apdu, after: Stage, actions: &mut Vec<Action>) {
        let bytes = apdu.encode();
        match self.framing {
            Framing::Serial => {
                let frame = serial::frame(&bytes);
                actions.push(Action::Send(frame.clone()));
                if after == Stage::Done {
                    // The outcome is known; a lost ACK here changes nothing.
                    self.stage = Stage::Done;
                    return;
                }
                self.outstanding = Some(Outstanding {
                    frame,
                    attempts: 1,
                    after,
                });
                actions.push(Action::Wait {
                    ms: self.timeouts.link_ack_ms,
                });
            }
            Framing::Tcp => {
                actions.push(Action::Send(bytes));
                self.stage = after;
                if after != Stage::Done {
                    actions.push(Action::Wait {
                        ms: self.timeouts.terminal_ms,
                    });
                }
            }
        }
    }

    fn finish(&mut self, result: Result<Approval, ZvtError>, actions: &mut Vec<Action>) {
        self.stage = Stage::Done;
        self.outstanding = None;
        actions.push(Action::Finished(Box::new(Outcome {
            sale_id: self.sale_id.clone(),
            operation: self.command.operation(),
            result,
        })));
    }
}

/// An operation that may have reached the terminal, as the app stores it before sending.
/// After a crash the app finds it and, instead of charging again, asks the terminal what its
/// last operation was ([`PendingOperation::status_query`]) and judges the answer
/// ([`PendingOperation::judge`]). The decision stays with the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingOperation {
    /// The register's sale id.
    pub sale_id: String,
    /// What was asked.
    pub operation: Operation,
    /// The amount asked, minor units.
    pub amount: Option<u64>,
    /// The receipt number of the last operation the register had seen complete before.
    pub known_receipt_no: Option<u16>,
}

/// What the terminal's last operation says about a pending one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LastOperation {
    /// The terminal approved it: record this approval, do not charge again.
    Approved(Box<StatusInformation>),
    /// The terminal's last operation is another one, or was not approved: nothing was
    /// charged for this sale, and it may be tried again.
    NotCharged,
    /// The terminal could not tell; the cashier must check the terminal's journal.
    Unknown(Option<ZvtError>),
}

impl PendingOperation {
    /// The command that makes the terminal report its last operation again: repeat receipt,
    /// which sends the status information (and receipt) of the last operation.
    pub fn status_query(&self, password: Password) -> Command {
        Command::RepeatReceipt { password }
    }

    /// Judges the finished status query.
    pub fn judge(&self, answer: &Outcome) -> LastOperation {
        let approval = match &answer.result {
            Ok(approval) => approval,
            Err(e) => return LastOperation::Unknown(Some(e.clone())),
        };
        let Some(status) = &approval.status else {
            return LastOperation::Unknown(None);
        };
        if status.receipt_no.is_some() && status.receipt_no == self.known_receipt_no {
            return LastOperation::NotCharged;
        }
        if status.approved() && status.amount.is_some() && status.amount == self.amount {
            LastOperation::Approved(Box::new(status.clone()))
        } else {
            LastOperation::NotCharged
        }
    }
}
