//! The ZVT codec against captures from a real Feig terminal (`../shared/testdata/zvt/`, see its
//! README): every file decodes, and the key fields are what the terminal meant.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use expect_test::{Expect, expect};

use pos_core::shift::CardBrand;
use pos_devices::zvt::{
    Apdu, Command, EndOfDay, Fields, Password, ReceiptKind, ResultCode, StatusInformation,
    TerminalMessage, TlvValue, tlv_codec,
};

/// The captures folder: `ZVT_CAPTURES` if set, else `shared/testdata/zvt` beside the repository.
fn captures_dir() -> PathBuf {
    let dir = std::env::var_os("ZVT_CAPTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata/zvt")
        });
    assert!(
        dir.join("README.md").is_file(),
        "ZVT captures not found in {} (expected shared/ beside the repository, or set ZVT_CAPTURES)",
        dir.display()
    );
    dir
}

fn capture(name: &str) -> Vec<u8> {
    let path = captures_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn apdu(name: &str) -> Apdu {
    let bytes = capture(name);
    let apdu = Apdu::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(apdu.encode(), bytes, "{name}: re-encoding differs");
    apdu
}

fn message(name: &str) -> TerminalMessage {
    TerminalMessage::decode(&apdu(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn status(name: &str) -> StatusInformation {
    match message(name) {
        TerminalMessage::Status(s) => {
            assert_eq!(s.problem, None, "{name}: not fully parsed");
            *s
        }
        other => panic!("{name}: expected status information, got {other:?}"),
    }
}

/// Checks the typed fields of the status information in capture `name` against a snapshot,
/// one `name: value` line for each field the terminal sent.
fn check_status(name: &str, expected: Expect) -> StatusInformation {
    let s = status(name);
    let mut text = String::new();
    let mut line = |field: &str, value: Option<String>| {
        if let Some(value) = value {
            writeln!(text, "{field}: {value}").unwrap();
        }
    };
    line("result", s.result.map(|r| r.to_string()));
    line("amount", s.amount.map(|a| a.to_string()));
    line("currency", s.currency.map(|c| c.to_string()));
    line("receipt_no", s.receipt_no.map(|n| n.to_string()));
    line("trace_no", s.trace_no.map(|n| n.to_string()));
    line("terminal_id", s.terminal_id.map(|n| n.to_string()));
    line("card_type", s.card_type.map(|t| format!("{t:02X}")));
    line("zvt_card_type", s.zvt_card_type.map(|t| t.to_string()));
    line("card_name", s.card_name.clone());
    line("auth_code", s.auth_code.clone());
    line("pan", s.pan.as_ref().map(|p| p.as_str().to_owned()));
    line("expiry", s.expiry.map(|e| format!("{e:04}")));
    line(
        "date",
        s.date.map(|d| format!("--{:02}-{:02}", d.month, d.day)),
    );
    line(
        "time",
        s.time
            .map(|t| format!("{:02}:{:02}:{:02}", t.hour, t.minute, t.second)),
    );
    line("vu_number", s.vu_number.clone());
    line(
        "additional_text",
        s.additional_text.as_ref().map(|t| format!("{t:?}")),
    );
    if let Some(totals) = &s.totals {
        line(
            "totals",
            Some(format!(
                "receipts {}-{}",
                totals.first_receipt, totals.last_receipt
            )),
        );
        for scheme in &totals.schemes {
            line(
                "  scheme",
                Some(format!(
                    "{} x{} {}",
                    scheme.scheme, scheme.count, scheme.total
                )),
            );
        }
    }
    expected.assert_eq(&text);
    s
}

/// A capture file and the check that covers it.
type Check = (&'static str, fn(&str));

/// Every capture file and its check; a new file must be added here.
const CHECKS: &[Check] = &[
    ("1680722649.972316000_ecr_pt.blob", read_card),
    ("1680728161.963129000_pt_ecr.blob", status_with_tlv_only),
    ("1680728162.033575000_ecr_pt.blob", reservation),
    ("1680728162.647465000_pt_ecr.blob", intermediate),
    ("1680728165.675509000_pt_ecr.blob", status_mastercard),
    ("1680728165.827009000_pt_ecr.blob", empty_completion),
    ("1680728213.562478000_ecr_pt.blob", pre_auth_reversal),
    ("1680728215.585561000_pt_ecr.blob", customer_receipt),
    ("1680728215.659492000_pt_ecr.blob", status_with_text),
    (
        "1680728219.054216000_pt_ecr.blob",
        status_enquiry_completion,
    ),
    ("1680761818.641601000_pt_ecr.blob", completion_fields),
    ("1680761818.690979000_ecr_pt.blob", vendor_command),
    ("1680761818.768770000_pt_ecr.blob", vendor_completion),
    ("1680761828.489701000_pt_ecr.blob", end_of_day_totals),
    ("1681273860.511128000_ecr_pt.blob", registration),
    ("1681282621.302434000_ecr_pt.blob", end_of_day),
    ("1681455683.221609000_ecr_pt.blob", partial_reversal),
    ("1682066249.409078000_pt_ecr.blob", status_girocard),
    (
        "1682080275.594788000_192.168.0.139_192.168.0.59.blob",
        vendor_message,
    ),
    (
        "1682080275.777628000_192.168.0.59_192.168.0.139.blob",
        vendor_message,
    ),
    (
        "1682080310.907262000_192.168.0.139_192.168.0.59.blob",
        ack_with_extended_length,
    ),
    ("partial_reversal.blob", abort_with_code),
    (
        "print_system_configuration_reply.blob",
        configuration_receipt,
    ),
];

#[test]
fn every_capture_is_checked() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(captures_dir())
        .expect("read captures folder")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".blob"))
        .collect();
    let checked: BTreeSet<String> = CHECKS.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(on_disk, checked, "captures on disk and checks differ");
    for (name, check) in CHECKS {
        check(name);
    }
}

fn read_card(name: &str) {
    let apdu = apdu(name);
    assert_eq!(apdu.control(), [0x06, 0xC0]);
    assert_eq!(apdu.data[0], 15, "timeout in seconds, untagged");
    let fields = Fields::parse(&apdu.data[1..], 1).unwrap();
    assert_eq!(fields.byte(0x19), Some(0x10));
    assert_eq!(fields.byte(0xFC), Some(0x02));
    let tlv = fields.tlv().unwrap();
    assert_eq!(
        tlv_codec::find(&tlv, 0x1F15).unwrap().bytes(),
        Some(&[0xD0][..])
    );
    assert_eq!(
        tlv_codec::find(&tlv, 0x1F60).unwrap().bytes(),
        Some(&[0x07][..])
    );
}

fn status_with_tlv_only(name: &str) {
    let s = status(name);
    assert_eq!(s.result, Some(ResultCode::SUCCESS));
    assert_eq!(s.amount, None);
    let uid = tlv_codec::find(&s.tlv, 0x4C).unwrap();
    assert_eq!(uid.bytes().unwrap().len(), 10);
    let sub = tlv_codec::find(&s.tlv, 0x60).unwrap();
    let aid = tlv_codec::find(sub.children(), 0x43).unwrap();
    assert_eq!(aid.bytes(), Some(&[0xA0, 0, 0, 0, 0x04, 0x10, 0x10][..]));
}

fn reservation(name: &str) {
    let apdu = apdu(name);
    assert_eq!(apdu.control(), [0x06, 0x22]);
    let fields = Fields::parse(&apdu.data, 0).unwrap();
    assert_eq!(fields.bcd(0x04), Some(2500));
    assert_eq!(fields.bcd(0x49), Some(978));
    assert_eq!(fields.byte(0x19), Some(0x40));
    let tlv = fields.tlv().unwrap();
    let e9 = tlv_codec::find(&tlv, 0xE9).unwrap();
    assert_eq!(
        tlv_codec::find(e9.children(), 0x1F63).unwrap().bytes(),
        Some(&b"384HH2"[..])
    );
}

fn intermediate(name: &str) {
    let TerminalMessage::Intermediate(i) = message(name) else {
        panic!("{name}")
    };
    assert_eq!((i.code, i.timeout), (0x17, None));
    assert_eq!(i.text(), "Please wait");
}

fn status_mastercard(name: &str) {
    // The terminal masked the middle digits itself (E nibbles); we keep only the last four.
    let s = check_status(
        name,
        expect![[r#"
        result: success (00)
        amount: 2500
        currency: 978
        receipt_no: 231
        trace_no: 975
        terminal_id: 52523535
        card_type: 60
        zvt_card_type: 6
        card_name: MasterCard
        auth_code: 750071
        pan: ************8074
        expiry: 2405
        date: --04-05
        time: 22:55:58
        vu_number: 804011926
    "#]],
    );
    assert!(s.approved());
    assert_eq!(s.pan.unwrap().last4(), "8074");
}

fn empty_completion(name: &str) {
    let TerminalMessage::Completion(c) = message(name) else {
        panic!("{name}")
    };
    assert_eq!(c, Default::default());
}

fn pre_auth_reversal(name: &str) {
    let apdu = apdu(name);
    assert_eq!(apdu.control(), [0x06, 0x25]);
    let fields = Fields::parse(&apdu.data, 0).unwrap();
    assert_eq!(fields.bcd(0x87), Some(231));
    assert_eq!(fields.bcd(0x49), Some(978));
}

fn customer_receipt(name: &str) {
    let TerminalMessage::TextBlock(block) = message(name) else {
        panic!("{name}")
    };
    assert_eq!(block.kind, Some(ReceiptKind::Customer));
    assert_eq!(block.lines.len(), 33, "as the zvt crate counts them");
    assert_eq!(block.lines[1].trim(), "** Customer Receipt **");
    assert!(
        block
            .lines
            .iter()
            .any(|l| l.starts_with("Terminal-Id:") && l.ends_with("52523535"))
    );
    assert!(block.lines.iter().all(|l| l.chars().count() <= 40));
}

fn status_with_text(name: &str) {
    // The second status of the Mastercard payment: the same card, with the bank's text.
    let s = status(name);
    assert_eq!(s.amount, Some(0));
    assert_eq!(s.receipt_no, Some(232));
    assert_eq!(s.trace_no, Some(977));
    let text = s.additional_text.unwrap();
    assert!(
        text.starts_with("AS-Proc-Code= 00 076 06\rCapt.-Ref.= 0099"),
        "{text:?}"
    );
}

fn status_enquiry_completion(name: &str) {
    let TerminalMessage::Completion(c) = message(name) else {
        panic!("{name}")
    };
    assert_eq!(
        c.software_version.as_deref(),
        Some("GER-APP-v2.0.9;cS02.01.01-10.10-2-2;CC26")
    );
    assert_eq!(c.terminal_status, Some(0));
    assert!(c.unparsed.is_empty());
    assert_eq!(
        tlv_codec::find(&c.tlv, 0x1F44).unwrap().bytes(),
        Some(&[0x52, 0x52, 0x35, 0x35][..])
    );
    let device = tlv_codec::find(&c.tlv, 0xE4).unwrap();
    assert_eq!(
        tlv_codec::find(device.children(), 0x1F40).unwrap().bytes(),
        Some(&b"cVEND plug"[..])
    );
    let when = tlv_codec::find(&c.tlv, 0x34).unwrap();
    assert_eq!(
        tlv_codec::find(when.children(), 0x1F0E).unwrap().bytes(),
        Some(&[0x20, 0x23, 0x04, 0x05][..])
    );
}

fn completion_fields(name: &str) {
    let TerminalMessage::Completion(c) = message(name) else {
        panic!("{name}")
    };
    assert_eq!(c.result, None);
    assert_eq!(c.status_byte, Some(0x10));
    assert_eq!(c.terminal_id, Some(52_523_535));
    assert_eq!(c.currency, Some(978));
}

fn vendor_command(name: &str) {
    let apdu = apdu(name);
    assert_eq!(apdu.control(), [0x0F, 0xA1]);
    assert!(
        Command::decode(&apdu).is_err(),
        "a Feig command, not one of ours"
    );
}

fn vendor_completion(name: &str) {
    let TerminalMessage::Completion(c) = message(name) else {
        panic!("{name}")
    };
    let raw = String::from_utf8_lossy(&c.unparsed).into_owned();
    assert!(raw.contains("GER-APP-v2.0.9"), "kept whole: {raw:?}");
}

fn end_of_day_totals(name: &str) {
    let s = check_status(
        name,
        expect![[r#"
        result: success (00)
        amount: 958
        trace_no: 982
        date: --04-06
        time: 08:17:06
        totals: receipts 233-234
          scheme: girocard x0 0
          scheme: JCB x0 0
          scheme: Eurocard x2 958
          scheme: Amex x0 0
          scheme: Visa x0 0
          scheme: Diners x0 0
          scheme: others x0 0
    "#]],
    );
    let sum: u64 = s
        .totals
        .as_ref()
        .unwrap()
        .schemes
        .iter()
        .map(|t| t.total)
        .sum();
    assert_eq!(Some(sum), s.amount, "the schemes add up to the day's total");

    // As the register reconciles it: two Mastercard payments, 9.58 EUR, receipts 233-234.
    let day = EndOfDay::from_status(&s).unwrap();
    let totals = day.terminal_totals(pos_core::Currency::EUR).unwrap();
    assert_eq!(totals.brands.len(), 1);
    let (brand, mastercard) = totals.brands[0];
    assert_eq!(brand, CardBrand::Mastercard);
    assert_eq!(
        (mastercard.count, mastercard.amount.to_string()),
        (2, "9.58".into())
    );
    assert_eq!(totals.overall, mastercard);
    assert_eq!(totals.receipts, Some((233, 234)));
    // The terminal's side: the same result encodes to the very bytes it sent.
    assert_eq!(day.to_status_apdu().unwrap().encode(), capture(name));
}

fn registration(name: &str) {
    let apdu = apdu(name);
    let command = Command::decode(&apdu).unwrap();
    let expected = Command::Registration {
        password: Password::new(123_456).unwrap(),
        config: 0xDE,
        currency: Some(978),
    };
    assert_eq!(command, expected);
    assert_eq!(expected.to_apdu().unwrap().encode(), capture(name));
}

fn end_of_day(name: &str) {
    let expected = Command::EndOfDay {
        password: Password::new(123_456).unwrap(),
    };
    assert_eq!(Command::decode(&apdu(name)).unwrap(), expected);
    assert_eq!(expected.to_apdu().unwrap().encode(), capture(name));
}

fn partial_reversal(name: &str) {
    let apdu = apdu(name);
    assert_eq!(apdu.control(), [0x06, 0x23]);
    let fields = Fields::parse(&apdu.data, 0).unwrap();
    assert_eq!(fields.bcd(0x87), Some(491));
    assert_eq!(fields.bcd(0x04), Some(1295));
}

fn status_girocard(name: &str) {
    // This terminal sent the whole number: only its last four survive decoding.
    let s = check_status(
        name,
        expect![[r#"
        result: success (00)
        amount: 2500
        currency: 978
        receipt_no: 249
        trace_no: 1012
        terminal_id: 52523535
        card_type: 60
        zvt_card_type: 5
        card_name: girocard
        auth_code: 018372
        pan: ***************8004
        expiry: 2612
        date: --04-21
        time: 10:37:20
        vu_number: 16004008
    "#]],
    );
    assert!(!s.pan.unwrap().as_str().contains("4711"));
    assert_eq!(s.fields.bcd(0x17), Some(2), "card sequence number");
}

fn vendor_message(name: &str) {
    let apdu = apdu(name);
    assert!(matches!(
        TerminalMessage::decode(&apdu),
        Ok(TerminalMessage::Other(_))
    ));
}

fn ack_with_extended_length(name: &str) {
    let bytes = capture(name);
    assert_eq!(bytes[2], 0xFF, "extended length form");
    let TerminalMessage::Ack(data) = message(name) else {
        panic!("{name}")
    };
    assert_eq!(data.len(), 0x0441);
    let tlv = Fields::parse(&data, 0).unwrap().tlv().unwrap();
    let file = tlv_codec::find(&tlv, 0x2D).unwrap();
    let json = tlv_codec::find(file.children(), 0x1C).unwrap();
    let text = String::from_utf8(json.bytes().unwrap().to_vec()).unwrap();
    assert!(text.contains("\"type\":\"full\""), "{text}");
    // BER lengths round-trip.
    assert_eq!(tlv_codec::encode_all(&tlv), data[4..]);
    assert!(matches!(file.value, TlvValue::Constructed(_)));
}

fn abort_with_code(name: &str) {
    let TerminalMessage::Abort(abort) = message(name) else {
        panic!("{name}")
    };
    assert_eq!(abort.code, ResultCode(0xB8));
    assert_eq!(abort.code.text(), "error pre-authorisation");
    assert_eq!(abort.receipt_no, None, "FFFF: no receipt");
    assert_eq!(abort.fields.get(0x87), Some(&[0xFF, 0xFF][..]));
}

fn configuration_receipt(name: &str) {
    let TerminalMessage::TextBlock(block) = message(name) else {
        panic!("{name}")
    };
    assert_eq!(block.kind, Some(ReceiptKind::Administration));
    assert_eq!(block.lines.len(), 118, "as the zvt crate counts them");
    assert!(
        block
            .lines
            .iter()
            .any(|l| l.contains("** Konfiguration **"))
    );
}
