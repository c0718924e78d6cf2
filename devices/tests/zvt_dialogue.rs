//! The ZVT dialogue state machine, driven by a scripted terminal: approvals, declines, NAKs,
//! timeouts, aborts, TCP, and recovery after a crash. The test plays the app: it writes what
//! the machine says to send, and owns the clock.

use pos_devices::zvt::serial::{self, ACK, NAK};
use pos_devices::zvt::{
    Action, Command, Framing, LastOperation, Operation, Outcome, Password, ResultCode,
    TerminalEvent, Timeouts, Transaction, Waiting, ZvtError,
};

/// A capture from `shared/testdata/zvt` beside the repository (or `ZVT_CAPTURES`).
fn capture(name: &str) -> Vec<u8> {
    let dir = std::env::var_os("ZVT_CAPTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/zvt")
        });
    let path = dir.join(name);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!("ZVT capture {} missing ({e}): shared/ must sit beside the repository, or set ZVT_CAPTURES", path.display())
    })
}

fn purchase(amount: u64) -> Command {
    Command::Authorisation {
        amount,
        currency: Some(978),
        payment_type: None,
    }
}

fn password() -> Password {
    Password::new(123_456).unwrap()
}

fn ack_frame() -> Vec<u8> {
    serial::frame(&[0x80, 0x00, 0x00])
}

fn finished(actions: &[Action]) -> Option<&Outcome> {
    actions.iter().find_map(|a| match a {
        Action::Finished(o) => Some(&**o),
        _ => None,
    })
}

fn sent(actions: &[Action]) -> Vec<&[u8]> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(b) => Some(b.as_slice()),
            _ => None,
        })
        .collect()
}

/// Serial: the terminal sends `apdu`; the register's reply is acknowledged by the terminal's
/// ACK byte unless the dialogue ended. Returns everything the register did.
fn terminal_says(tx: &mut Transaction, apdu: &[u8]) -> Vec<Action> {
    let mut actions = tx.receive(&serial::frame(apdu));
    assert_eq!(
        sent(&actions)[0],
        [ACK],
        "every intact frame gets ACK first"
    );
    if !tx.is_finished() {
        actions.extend(tx.receive(&[ACK]));
    }
    actions
}

/// Serial: start `command` and let the terminal accept it (ACK byte, then `80 00 00`).
fn started(command: Command) -> Transaction {
    let mut tx = Transaction::new("0192-sale", command, Framing::Serial);
    let actions = tx.start().unwrap();
    assert_eq!(actions[1], Action::Wait { ms: 5_000 });
    assert_eq!(tx.receive(&[ACK]), [Action::Wait { ms: 180_000 }]);
    let actions = tx.receive(&ack_frame());
    assert_eq!(
        actions,
        [Action::Send(vec![ACK]), Action::Wait { ms: 180_000 }]
    );
    tx
}

#[test]
fn approved_purchase_over_serial() {
    let mut tx = started(purchase(2_500));
    let mut events = Vec::new();

    let actions = terminal_says(&mut tx, &[0x04, 0xFF, 0x01, 0x0A]);
    assert_eq!(sent(&actions), [&[ACK][..], &ack_frame()[..]]);
    events.extend(actions);
    events.extend(terminal_says(
        &mut tx,
        &capture("1680728165.675509000_pt_ecr.blob"),
    ));
    events.extend(terminal_says(
        &mut tx,
        &capture("1680728215.585561000_pt_ecr.blob"),
    ));
    let actions = terminal_says(&mut tx, &[0x06, 0x0F, 0x00]);
    // ACK byte, then `80 00 00`, then the outcome.
    assert_eq!(sent(&actions), [&[ACK][..], &ack_frame()[..]]);

    let outcome = finished(&actions).expect("finished");
    assert_eq!(outcome.sale_id, "0192-sale");
    assert_eq!(outcome.operation, Operation::Purchase);
    let approval = outcome.result.as_ref().unwrap();
    let status = approval.status.as_ref().unwrap();
    assert_eq!((status.amount, status.receipt_no), (Some(2_500), Some(231)));
    assert_eq!(status.pan.as_ref().unwrap().last4(), "8074");
    assert!(tx.is_finished());

    let shown: Vec<&TerminalEvent> = events
        .iter()
        .filter_map(|a| match a {
            Action::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert!(matches!(shown[0], TerminalEvent::Intermediate(i) if i.text() == "Insert card"));
    assert!(matches!(shown[1], TerminalEvent::Status(_)));
    assert!(matches!(shown[2], TerminalEvent::TextBlock(b) if b.lines.len() == 33));
}

#[test]
fn declined_purchase() {
    let mut tx = started(purchase(2_500));
    terminal_says(&mut tx, &[0x04, 0x0F, 0x02, 0x27, 0x05]);
    let actions = terminal_says(&mut tx, &[0x06, 0x1E, 0x01, 0x05]);
    let err = finished(&actions).unwrap().result.clone().unwrap_err();
    assert_eq!(
        err,
        ZvtError::Declined {
            code: ResultCode(0x05)
        }
    );
    assert!(err.to_string().starts_with("The card was declined"));
    assert!(!err.outcome_unknown());
}

#[test]
fn status_with_an_error_code_is_not_an_approval() {
    let mut tx = started(purchase(100));
    terminal_says(&mut tx, &[0x04, 0x0F, 0x02, 0x27, 0x78]);
    let actions = terminal_says(&mut tx, &[0x06, 0x0F, 0x00]);
    let err = finished(&actions).unwrap().result.clone().unwrap_err();
    assert_eq!(
        err,
        ZvtError::Card {
            code: ResultCode(0x78)
        }
    );
    assert!(err.to_string().contains("card expired"));
}

#[test]
fn busy_terminal_refuses_the_command() {
    let mut tx = Transaction::new("s", purchase(100), Framing::Serial);
    tx.start().unwrap();
    tx.receive(&[ACK]);
    let actions = tx.receive(&serial::frame(&[0x84, 0x9C, 0x00]));
    let err = finished(&actions).unwrap().result.clone().unwrap_err();
    assert!(matches!(err, ZvtError::Busy { .. }));
    assert!(err.to_string().contains("busy"));
}

#[test]
fn nak_resends_then_gives_up() {
    let mut tx = Transaction::new("s", purchase(100), Framing::Serial);
    let first = tx.start().unwrap();
    let frame = sent(&first)[0].to_vec();
    for _ in 0..2 {
        let actions = tx.receive(&[NAK]);
        assert_eq!(
            actions,
            [Action::Send(frame.clone()), Action::Wait { ms: 5_000 }]
        );
    }
    let actions = tx.receive(&[NAK]);
    assert_eq!(
        finished(&actions).unwrap().result,
        Err(ZvtError::Link { attempts: 3 })
    );
}

#[test]
fn missing_ack_resends_then_times_out() {
    let mut tx = Transaction::new("s", purchase(100), Framing::Serial);
    let frame = sent(&tx.start().unwrap())[0].to_vec();
    assert_eq!(
        tx.timed_out(),
        [Action::Send(frame.clone()), Action::Wait { ms: 5_000 }]
    );
    assert_eq!(
        tx.timed_out(),
        [Action::Send(frame), Action::Wait { ms: 5_000 }]
    );
    let actions = tx.timed_out();
    let err = finished(&actions).unwrap().result.clone().unwrap_err();
    assert_eq!(
        err,
        ZvtError::Timeout {
            waiting: Waiting::LinkAck,
            ms: 5_000
        }
    );
    assert!(err.outcome_unknown(), "the card may have been charged");
}

#[test]
fn silent_terminal_times_out_with_unknown_outcome() {
    let mut tx = started(purchase(100)).with_timeouts(Timeouts {
        terminal_ms: 60_000,
        ..Timeouts::default()
    });
    let actions = tx.timed_out();
    let err = finished(&actions).unwrap().result.clone().unwrap_err();
    assert_eq!(
        err,
        ZvtError::Timeout {
            waiting: Waiting::Terminal,
            ms: 60_000
        }
    );
    assert!(err.to_string().contains("check the last operation"));
}

#[test]
fn damaged_frames_get_nak_and_end_the_operation_after_three() {
    let mut tx = started(purchase(100));
    let mut bad = serial::frame(&[0x04, 0xFF, 0x01, 0x0A]);
    let last = bad.len() - 1;
    bad[last] ^= 0x01;
    assert_eq!(tx.receive(&bad), [Action::Send(vec![NAK])]);
    // The resent frame is fine.
    assert_eq!(
        sent(&terminal_says(&mut tx, &[0x04, 0xFF, 0x01, 0x0A]))[0],
        [ACK]
    );
    tx.receive(&bad);
    tx.receive(&bad);
    let actions = tx.receive(&bad);
    assert_eq!(
        finished(&actions).unwrap().result,
        Err(ZvtError::Link { attempts: 3 })
    );
}

#[test]
fn abort_goes_out_in_place_of_the_next_acknowledgement() {
    let mut tx = started(purchase(100));
    tx.abort();
    let actions = terminal_says(&mut tx, &[0x04, 0xFF, 0x01, 0x0A]);
    assert_eq!(sent(&actions)[1], serial::frame(&[0x06, 0xB0, 0x00]));
    terminal_says(&mut tx, &[0x80, 0x00, 0x00]);
    let actions = terminal_says(&mut tx, &[0x06, 0x1E, 0x01, 0x6C]);
    let err = finished(&actions).unwrap().result.clone().unwrap_err();
    assert_eq!(
        err,
        ZvtError::Cancelled {
            code: ResultCode::ABORTED
        }
    );
    assert!(err.to_string().contains("Nothing was charged"));
}

#[test]
fn tcp_carries_bare_apdus_in_any_pieces() {
    let mut tx = Transaction::new(
        "s",
        Command::EndOfDay {
            password: password(),
        },
        Framing::Tcp,
    );
    let actions = tx.start().unwrap();
    assert_eq!(
        actions,
        [
            Action::Send(vec![0x06, 0x50, 0x03, 0x12, 0x34, 0x56]),
            Action::Wait { ms: 180_000 }
        ]
    );

    let mut stream = vec![0x80, 0x00, 0x00];
    stream.extend(capture("1680761828.489701000_pt_ecr.blob"));
    stream.extend(capture("print_system_configuration_reply.blob"));
    stream.extend([0x06, 0x0F, 0x00]);
    let mut actions = Vec::new();
    for piece in stream.chunks(7) {
        actions.extend(tx.receive(piece));
    }
    // Status and text block acknowledged, then the completion.
    assert_eq!(sent(&actions), [[0x80, 0, 0]; 3]);
    let outcome = finished(&actions).unwrap();
    let status = outcome.result.as_ref().unwrap().status.as_ref().unwrap();
    assert_eq!(status.totals.as_ref().unwrap().last_receipt, 234);
}

/// Replays a repeat-receipt dialogue whose status information is `status`.
fn repeat_receipt_answer(status: &[u8]) -> Outcome {
    let mut tx = started(Command::RepeatReceipt {
        password: password(),
    });
    terminal_says(&mut tx, status);
    let actions = terminal_says(&mut tx, &[0x06, 0x0F, 0x00]);
    finished(&actions).unwrap().clone()
}

#[test]
fn after_a_crash_the_terminal_is_asked_instead_of_charging_twice() {
    // Before sending, the app stored this; then it crashed.
    let tx =
        Transaction::new("0192-sale", purchase(2_500), Framing::Serial).after_receipt(Some(230));
    let pending = tx.pending();
    assert_eq!(pending.sale_id, "0192-sale");
    assert_eq!(
        pending.status_query(password()),
        Command::RepeatReceipt {
            password: password()
        }
    );

    let answer = repeat_receipt_answer(&capture("1680728165.675509000_pt_ecr.blob"));
    let LastOperation::Approved(status) = pending.judge(&answer) else {
        panic!("charged")
    };
    assert_eq!(status.receipt_no, Some(231));

    // The terminal's last receipt is the one seen before: this sale never reached it.
    let seen =
        Transaction::new("0192-sale", purchase(2_500), Framing::Serial).after_receipt(Some(231));
    assert_eq!(seen.pending().judge(&answer), LastOperation::NotCharged);

    // Another amount: another operation.
    let other = Transaction::new("0193-sale", purchase(999), Framing::Serial).pending();
    assert_eq!(other.judge(&answer), LastOperation::NotCharged);

    // No answer: the app cannot know; the cashier checks the terminal.
    let mut lost = started(Command::RepeatReceipt {
        password: password(),
    });
    let timeout = finished(&lost.timed_out()).unwrap().clone();
    assert!(matches!(
        pending.judge(&timeout),
        LastOperation::Unknown(Some(_))
    ));
}

#[test]
fn result_codes_read_as_text() {
    assert_eq!(ResultCode(0x6C).text(), "abort via timeout or abort key");
    assert_eq!(ResultCode(0x9C).to_string(), "please wait (9C)");
    assert!(matches!(
        ZvtError::from_code(ResultCode(0xA3)),
        ZvtError::NoConnection { .. }
    ));
    assert!(matches!(
        ZvtError::from_code(ResultCode(0x6B)),
        ZvtError::NotSetUp { .. }
    ));
    assert!(matches!(
        ZvtError::from_code(ResultCode(0x51)),
        ZvtError::Declined { .. }
    ));
    for code in 0u8..=255 {
        let message = ZvtError::from_code(ResultCode(code)).to_string();
        assert!(message.ends_with('.'), "{code:02X}: {message}");
    }
}
