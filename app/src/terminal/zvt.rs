//! ZVT over WebSerial: joins the devices' `zvt::Transaction` (framing, ACK/NAK, retries, the
//! dialogue of each command) to a serial port. The state machine says what to send and how long
//! to wait; this driver writes, reads and keeps the clock. Registration (`06 00`) goes out once
//! per page before the first operation, so the terminal knows the register prints and controls.

use std::cell::Cell;
use std::rc::Rc;

use pos_core::{CardApproval, Currency, Decimal, Uuid};
use pos_devices::SerialSettings;
use pos_devices::zvt::{
    Action, Approval, Command, EndOfDay, EndOfDayError, Framing, LastOperation, Operation, Outcome,
    Password, PendingOperation, StatusInformation, TerminalEvent, Transaction, ZvtError, config,
};

use crate::transport::Transport;
use crate::transport::TransportError;
use crate::transport::serial::{SerialLink, SerialPort, SerialPortIds};

use super::{
    CardTerminal, LastStatus, OnProgress, PIN_TRIES_EXCEEDED, Progress, Report, TerminalApproval,
    TerminalError, TerminalFuture, WRONG_PIN,
};

/// Opens the browser's port chooser; the chosen port's ids, to find it again after a restart.
pub async fn choose_port() -> Option<SerialPortIds> {
    SerialPort::request().await.ok().map(|port| port.ids())
}

/// Whether the port with these ids was granted before (the browser remembers the permission).
pub async fn has_port(ids: Option<SerialPortIds>) -> bool {
    match ids {
        Some(ids) => SerialPort::granted(ids).await.is_ok(),
        None => false,
    }
}

thread_local! {
    /// Whether the terminal was told this page's configuration (`06 00`).
    static REGISTERED: Cell<bool> = const { Cell::new(false) };
}

/// The terminal's serial port, opened through the shared WebSerial transport.
struct Port {
    link: SerialLink,
    gone: Rc<Cell<bool>>,
}

impl Port {
    async fn open(
        ids: Option<SerialPortIds>,
        settings: SerialSettings,
    ) -> Result<Port, TerminalError> {
        let ids = ids.ok_or(TerminalError::NoPort)?;
        let port = SerialPort::granted(ids).await.map_err(|e| match e {
            TransportError::Unsupported | TransportError::NotFound | TransportError::NotChosen => {
                TerminalError::NoPort
            }
            TransportError::Claimed | TransportError::Disconnected | TransportError::Failed(_) => {
                TerminalError::NotConnected
            }
        })?;
        let link = port
            .open(settings)
            .await
            .map_err(|_| TerminalError::NotConnected)?;
        let gone = Rc::new(Cell::new(false));
        let flag = gone.clone();
        link.on_disconnect(Box::new(move || flag.set(true)));
        Ok(Port { link, gone })
    }

    async fn write(&self, bytes: &[u8]) -> Result<(), TerminalError> {
        self.link
            .write(bytes)
            .await
            .map_err(|_| TerminalError::Disconnected)
    }

    /// The next bytes, or `None` when `ms` ran out first.
    async fn read(&self, ms: u32) -> Result<Option<Vec<u8>>, TerminalError> {
        let bytes = self
            .link
            .read(ms)
            .await
            .map_err(|_| TerminalError::Disconnected)?;
        if bytes.is_empty() && self.gone.get() {
            return Err(TerminalError::Disconnected);
        }
        Ok((!bytes.is_empty()).then_some(bytes))
    }

    async fn close(self) {
        let _ = self.link.close().await;
    }
}

/// A ZVT terminal on the serial port the merchant chose.
pub struct ZvtSerial {
    line: Line,
    password: Password,
    currency: Currency,
}

/// What one finished command brought back.
struct Finished {
    outcome: Outcome,
    print_lines: Vec<String>,
    /// The last screen the terminal reported (`04 FF`): why it stopped, when its result code
    /// only says "declined" or "aborted".
    last_screen: Option<u8>,
}

impl Finished {
    /// The command's result, its failure in the cashier's terms.
    fn result(self) -> Result<(Approval, Vec<String>), TerminalError> {
        let last_screen = self.last_screen;
        match self.outcome.result {
            Ok(approval) => Ok((approval, self.print_lines)),
            Err(ZvtError::Declined { .. } | ZvtError::Cancelled { .. })
                if matches!(last_screen, Some(WRONG_PIN | PIN_TRIES_EXCEEDED)) =>
            {
                Err(TerminalError::WrongPin)
            }
            Err(e) => Err(error(e)),
        }
    }
}

impl ZvtSerial {
    /// `settings` is the line the terminal is set to: `zvt::SERIAL_LINE` unless its menu says
    /// otherwise.
    pub fn new(
        port: Option<SerialPortIds>,
        settings: SerialSettings,
        password: &str,
        currency: Currency,
    ) -> ZvtSerial {
        let password = password
            .trim()
            .parse()
            .ok()
            .and_then(|p| Password::new(p).ok());
        ZvtSerial {
            line: Line { port, settings },
            password: password.unwrap_or_else(|| Password::new(0).expect("0 is a password")),
            currency,
        }
    }

    fn zvt(&self) -> (Line, Password, Currency) {
        (self.line, self.password, self.currency)
    }

    /// Runs a command that moves money for `sale_id` and reads the terminal's approval of it;
    /// `amount` stands where the terminal reports none.
    fn money_command(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        on: OnProgress,
        command: impl FnOnce(Password, Currency) -> Result<Command, TerminalError> + 'static,
    ) -> TerminalFuture<TerminalApproval> {
        let (line, password, currency) = self.zvt();
        Box::pin(async move {
            let command = command(password, currency)?;
            let done = run(line, password, currency, sale_id, command, &on).await?;
            payment(done, currency, amount)
        })
    }

    /// Runs a command about the terminal's day rather than a sale, and reads its report.
    fn report_command(
        &self,
        command: impl FnOnce(Password) -> Command + 'static,
        on: OnProgress,
    ) -> TerminalFuture<Report> {
        let (line, password, currency) = self.zvt();
        Box::pin(async move {
            let done = run(
                line,
                password,
                currency,
                Uuid::nil(),
                command(password),
                &on,
            )
            .await?;
            report(done, currency)
        })
    }
}

/// Which port, with what line settings.
#[derive(Clone, Copy)]
struct Line {
    port: Option<SerialPortIds>,
    settings: SerialSettings,
}

/// Runs commands on one opened port: registration first if this page has not sent it, then
/// `command`.
async fn run(
    line: Line,
    password: Password,
    currency: Currency,
    sale_id: Uuid,
    command: Command,
    on: &OnProgress,
) -> Result<Finished, TerminalError> {
    let port = Port::open(line.port, line.settings).await?;
    let result = async {
        if !REGISTERED.with(Cell::get) {
            let registration = Command::Registration {
                password,
                config: config::REGISTER_DEFAULT,
                currency: Some(currency.numeric()),
            };
            let done = drive(
                &port,
                Transaction::new(sale_id.to_string(), registration, Framing::Serial),
                on,
            )
            .await?;
            done.result()?;
            REGISTERED.with(|r| r.set(true));
        }
        drive(
            &port,
            Transaction::new(sale_id.to_string(), command, Framing::Serial),
            on,
        )
        .await
    }
    .await;
    port.close().await;
    if matches!(
        result,
        Err(TerminalError::Disconnected | TerminalError::NotConnected | TerminalError::NotSetUp)
    ) {
        // The terminal may have restarted: tell it our configuration again next time.
        REGISTERED.with(|r| r.set(false));
    }
    result
}

/// Does what the state machine says until the command is finished.
async fn drive(
    port: &Port,
    mut tx: Transaction,
    on: &OnProgress,
) -> Result<Finished, TerminalError> {
    let mut actions = tx
        .start()
        .map_err(|e| TerminalError::Fault(e.to_string()))?;
    let mut deadline = js_sys::Date::now() + 5_000.0;
    let mut print_lines = Vec::new();
    let mut last_screen = None;
    loop {
        for action in actions.drain(..) {
            match action {
                Action::Send(bytes) => port.write(&bytes).await?,
                Action::Wait { ms } => deadline = js_sys::Date::now() + f64::from(ms),
                Action::Event(TerminalEvent::Intermediate(status)) => {
                    last_screen = Some(status.code);
                    on(Progress::Status(status.code))
                }
                Action::Event(TerminalEvent::PrintLine(line)) => print_lines.push(line.text),
                Action::Event(TerminalEvent::TextBlock(block)) => print_lines.extend(block.lines),
                Action::Event(_) => {}
                Action::Finished(outcome) => {
                    return Ok(Finished {
                        outcome: *outcome,
                        print_lines,
                        last_screen,
                    });
                }
            }
        }
        let left = (deadline - js_sys::Date::now()).max(0.0) as u32;
        actions = match port.read(left).await? {
            Some(bytes) => tx.receive(&bytes),
            None => tx.timed_out(),
        };
    }
}

fn error(e: ZvtError) -> TerminalError {
    match &e {
        ZvtError::Declined { .. } => TerminalError::Declined,
        ZvtError::Cancelled { .. } => TerminalError::Cancelled,
        ZvtError::Card { .. } => TerminalError::Card,
        ZvtError::Busy { .. } => TerminalError::Busy,
        ZvtError::NoConnection { .. } => TerminalError::NoBank,
        ZvtError::NotSetUp { .. } => TerminalError::NotSetUp,
        ZvtError::Timeout { .. } => TerminalError::Timeout,
        ZvtError::Link { .. } => TerminalError::Disconnected,
        ZvtError::Terminal { .. } | ZvtError::Protocol { .. } => {
            TerminalError::Fault(e.to_string())
        }
    }
}

fn approval(
    status: &StatusInformation,
    currency: Currency,
    fallback_amount: Decimal,
    print_lines: Vec<String>,
) -> TerminalApproval {
    let last_four = status
        .pan
        .as_ref()
        .map(|p| p.last4().to_string())
        .filter(|d| d.len() == 4 && d.chars().all(|c| c.is_ascii_digit()));
    let auth_code = status
        .auth_code
        .clone()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty());
    // The terminal's name for the card (BMP 8B, NUL-padded by some): the brand the end of day
    // totals it under.
    let card_name = status
        .card_name
        .as_deref()
        .map(|n| {
            n.trim_matches(|c: char| c.is_whitespace() || c.is_control())
                .to_string()
        })
        .filter(|n| !n.is_empty());
    let mut approval = CardApproval {
        auth_code,
        last_four,
        terminal_id: None,
        trace_no: None,
        receipt_no: None,
        from_terminal: true,
        card_name,
    }
    .with_terminal(
        status.terminal_id.map(|t| t.to_string()),
        status.trace_no.map(|t| t.to_string()),
    );
    approval.receipt_no = status.receipt_no;
    TerminalApproval {
        amount: status
            .amount
            .map_or(fallback_amount, |a| currency.from_minor_units(a)),
        approval,
        receipt_no: status.receipt_no,
        print_lines,
    }
}

fn payment(
    done: Finished,
    currency: Currency,
    amount: Decimal,
) -> Result<TerminalApproval, TerminalError> {
    let (Approval { status, completion }, print_lines) = done.result()?;
    let mut status = status.unwrap_or_default();
    status.terminal_id = status.terminal_id.or(completion.terminal_id);
    // What was charged is what we asked; a terminal that reports another amount is believed.
    Ok(approval(&status, currency, amount, print_lines))
}

fn report(done: Finished, currency: Currency) -> Result<Report, TerminalError> {
    let (Approval { status, .. }, lines) = done.result()?;
    let mut report = Report {
        approved: Some(true),
        lines,
        ..Report::default()
    };
    if let Some(status) = status {
        report.approved = Some(status.approved());
        report.amount = status.amount.map(|a| currency.from_minor_units(a));
        report.receipt_no = status.receipt_no;
        if let Some(totals) = &status.totals {
            report.count = Some(totals.schemes.iter().map(|s| u32::from(s.count)).sum());
            report.amount =
                Some(currency.from_minor_units(totals.schemes.iter().map(|s| s.total).sum()));
        }
    }
    Ok(report)
}

/// The end of day's report, with its totals for the shift's reconciliation when the terminal
/// sent its day total (status information with BMP 04, and BMP 60 per card group if it has them).
fn day_report(done: Finished, currency: Currency) -> Result<Report, TerminalError> {
    let status = done
        .outcome
        .result
        .as_ref()
        .ok()
        .and_then(|approval| approval.status.clone());
    let mut report = report(done, currency)?;
    let Some(status) = status else {
        return Ok(report);
    };
    report.day_totals = match EndOfDay::from_status(&status) {
        Ok(day) => match day.terminal_totals(currency) {
            Ok(totals) => Some(totals),
            // Totals in another currency than the store's: the terminal is set up for another
            // shop, and its figures cannot be set beside ours.
            Err(EndOfDayError::OtherCurrency { .. }) => return Err(TerminalError::NotSetUp),
            Err(e) => return Err(TerminalError::Fault(e.to_string())),
        },
        Err(EndOfDayError::NotClosed(_)) => return Err(TerminalError::Declined),
        Err(EndOfDayError::NoTotal | EndOfDayError::OtherCurrency { .. }) => None,
    };
    Ok(report)
}

fn minor(currency: Currency, amount: Decimal) -> Result<u64, TerminalError> {
    currency.to_minor_units(amount).ok_or_else(|| {
        TerminalError::Fault(format!("{amount} is not an amount in {}", currency.code()))
    })
}

impl CardTerminal for ZvtSerial {
    fn purchase(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval> {
        self.money_command(sale_id, amount, on, move |_, currency| {
            Ok(Command::Authorisation {
                amount: minor(currency, amount)?,
                currency: Some(currency.numeric()),
                payment_type: None,
            })
        })
    }

    fn refund(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval> {
        self.money_command(sale_id, amount, on, move |password, currency| {
            Ok(Command::Refund {
                password,
                amount: minor(currency, amount)?,
                currency: Some(currency.numeric()),
            })
        })
    }

    fn reversal(
        &self,
        sale_id: Uuid,
        receipt_no: Option<u16>,
        on: OnProgress,
    ) -> TerminalFuture<TerminalApproval> {
        self.money_command(sale_id, Decimal::ZERO, on, move |password, _| {
            Ok(Command::Reversal {
                password,
                receipt_no,
            })
        })
    }

    fn last_status(
        &self,
        sale_id: Uuid,
        amount: Decimal,
        known_receipt_no: Option<u16>,
        on: OnProgress,
    ) -> TerminalFuture<LastStatus> {
        let (line, password, currency) = self.zvt();
        Box::pin(async move {
            let pending = PendingOperation {
                sale_id: sale_id.to_string(),
                operation: Operation::Purchase,
                amount: Some(minor(currency, amount)?),
                known_receipt_no,
            };
            let done = run(
                line,
                password,
                currency,
                sale_id,
                pending.status_query(password),
                &on,
            )
            .await?;
            match pending.judge(&done.outcome) {
                LastOperation::Approved(status) => Ok(LastStatus::Approved(approval(
                    &status,
                    currency,
                    amount,
                    done.print_lines,
                ))),
                LastOperation::NotCharged => Ok(LastStatus::NotCharged),
                LastOperation::Unknown(Some(e)) => Err(error(e)),
                LastOperation::Unknown(None) => Err(TerminalError::Fault(
                    "no status in the repeated receipt".into(),
                )),
            }
        })
    }

    fn last_operation(&self, on: OnProgress) -> TerminalFuture<Report> {
        self.report_command(|password| Command::RepeatReceipt { password }, on)
    }

    fn end_of_day(&self, on: OnProgress) -> TerminalFuture<Report> {
        let (line, password, currency) = self.zvt();
        Box::pin(async move {
            let command = Command::EndOfDay { password };
            let done = run(line, password, currency, Uuid::nil(), command, &on).await?;
            day_report(done, currency)
        })
    }

    fn repeat_receipt(&self, on: OnProgress) -> TerminalFuture<Report> {
        self.last_operation(on)
    }

    fn check(&self, on: OnProgress) -> TerminalFuture<Report> {
        // A check registers again, so a terminal restarted meanwhile gets our configuration.
        REGISTERED.with(|r| r.set(false));
        self.report_command(
            |password| Command::StatusEnquiry {
                password: Some(password),
            },
            on,
        )
    }
}
