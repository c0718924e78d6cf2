//! Our ZVT codec against the `zvt` crate (0.1.0, by Qwello, native only) where that crate
//! covers a message: the same commands encode to the same bytes, and the same captures
//! decode to the same values. Two independent readings of the specification.
#![cfg(not(target_arch = "wasm32"))]

use pos_devices::zvt::{self as ours, Apdu, Command, Password, TerminalMessage};
use proptest::prelude::*;
use zvt::ZvtSerializer;
use zvt::packets as theirs;

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

fn decode(bytes: &[u8]) -> TerminalMessage {
    TerminalMessage::decode(&Apdu::decode(bytes).unwrap()).unwrap()
}

fn encode(command: Command) -> Vec<u8> {
    command.to_apdu().unwrap().encode()
}

proptest! {
    #[test]
    fn registration_encodes_alike(password in 0u32..=999_999, config in any::<u8>(), currency in prop::option::of(0u16..=9999)) {
        let theirs = theirs::Registration { password: password as usize, config_byte: config, currency: currency.map(usize::from), tlv: None };
        let ours = Command::Registration { password: Password::new(password).unwrap(), config, currency };
        prop_assert_eq!(encode(ours), theirs.zvt_serialize());
    }

    #[test]
    fn end_of_day_encodes_alike(password in 0u32..=999_999) {
        let theirs = theirs::EndOfDay { password: password as usize };
        prop_assert_eq!(encode(Command::EndOfDay { password: Password::new(password).unwrap() }), theirs.zvt_serialize());
    }

    #[test]
    fn status_enquiry_encodes_alike(password in prop::option::of(0u32..=999_999)) {
        let theirs = theirs::StatusEnquiry { password: password.map(|p| p as usize), service_byte: None, tlv: None };
        let ours = Command::StatusEnquiry { password: password.map(|p| Password::new(p).unwrap()) };
        prop_assert_eq!(encode(ours), theirs.zvt_serialize());
    }
}

#[test]
fn acknowledgement_encodes_alike() {
    assert_eq!(Apdu::ack().encode(), theirs::Ack {}.zvt_serialize());
}

#[test]
fn status_information_decodes_alike() {
    for name in [
        "1680728161.963129000_pt_ecr.blob",
        "1680728165.675509000_pt_ecr.blob",
        "1680728215.659492000_pt_ecr.blob",
        "1680761828.489701000_pt_ecr.blob",
        "1682066249.409078000_pt_ecr.blob",
    ] {
        let bytes = capture(name);
        let theirs = theirs::StatusInformation::zvt_deserialize(&bytes)
            .unwrap()
            .0;
        let TerminalMessage::Status(ours) = decode(&bytes) else {
            panic!("{name}")
        };
        let widen = |v: Option<u64>| v.map(|v| v as usize);
        assert_eq!(widen(ours.amount), theirs.amount, "{name} amount");
        assert_eq!(
            ours.currency.map(usize::from),
            theirs.currency,
            "{name} currency"
        );
        assert_eq!(
            ours.receipt_no.map(usize::from),
            theirs.receipt_no,
            "{name} receipt"
        );
        assert_eq!(
            ours.trace_no.map(|v| v as usize),
            theirs.trace_number,
            "{name} trace"
        );
        assert_eq!(
            ours.terminal_id.map(|v| v as usize),
            theirs.terminal_id,
            "{name} terminal id"
        );
        assert_eq!(
            ours.result.map(|r| r.0),
            theirs.result_code,
            "{name} result"
        );
        assert_eq!(ours.card_type, theirs.card_type, "{name} card type");
        assert_eq!(
            ours.zvt_card_type, theirs.zvt_card_type,
            "{name} zvt card type"
        );
        assert_eq!(
            ours.card_name,
            theirs
                .card_name
                .map(|n| n.trim_end_matches('\0').to_owned()),
            "{name} card name"
        );
        assert_eq!(
            ours.auth_code, theirs.aid_authorization_attribute,
            "{name} auth code"
        );
        assert_eq!(ours.additional_text, theirs.additional_text, "{name} text");
        assert_eq!(
            ours.expiry.map(usize::from),
            theirs.expiry_date,
            "{name} expiry"
        );
        let (date, time) = (
            ours.date
                .map(|d| usize::from(d.month) * 100 + usize::from(d.day)),
            ours.time.map(|t| {
                usize::from(t.hour) * 10_000 + usize::from(t.minute) * 100 + usize::from(t.second)
            }),
        );
        assert_eq!(
            (date, time),
            (theirs.date, theirs.time),
            "{name} date and time"
        );
        if let Some(single) = theirs.single_amounts {
            let totals = ours.totals.as_ref().unwrap();
            assert_eq!(usize::from(totals.first_receipt), single.receipt_no_start);
            assert_eq!(usize::from(totals.last_receipt), single.receipt_no_end);
            assert_eq!(totals.schemes[2].total as usize, single.eurocard.total);
        }
    }
}

#[test]
fn intermediate_status_decodes_alike() {
    let bytes = capture("1680728162.647465000_pt_ecr.blob");
    let theirs = theirs::IntermediateStatusInformation::zvt_deserialize(&bytes)
        .unwrap()
        .0;
    let TerminalMessage::Intermediate(ours) = decode(&bytes) else {
        panic!()
    };
    assert_eq!(ours.code, theirs.status);
    // They read the missing timeout byte as 0; we say there was none.
    assert_eq!((ours.timeout, theirs.timeout), (None, Some(0)));
}

#[test]
fn completions_decode_alike() {
    let bytes = capture("1680761818.641601000_pt_ecr.blob");
    let theirs = theirs::CompletionData::zvt_deserialize(&bytes).unwrap().0;
    let TerminalMessage::Completion(ours) = decode(&bytes) else {
        panic!()
    };
    assert_eq!(ours.status_byte, theirs.status_byte);
    assert_eq!(ours.terminal_id.map(|v| v as usize), theirs.terminal_id);
    assert_eq!(ours.currency.map(usize::from), theirs.currency);
    assert_eq!(bytes, theirs.zvt_serialize());

    let bytes = capture("1680728219.054216000_pt_ecr.blob");
    let theirs = theirs::ReceiptPrintoutCompletion::zvt_deserialize(&bytes)
        .unwrap()
        .0;
    let TerminalMessage::Completion(ours) = decode(&bytes) else {
        panic!()
    };
    assert_eq!(
        ours.software_version.as_deref(),
        Some(theirs.sw_version.as_str())
    );
    assert_eq!(ours.terminal_status, Some(theirs.terminal_status_code));
}

#[test]
fn text_blocks_decode_alike() {
    for name in [
        "1680728215.585561000_pt_ecr.blob",
        "print_system_configuration_reply.blob",
    ] {
        let bytes = capture(name);
        let theirs = theirs::PrintTextBlock::zvt_deserialize(&bytes).unwrap().0;
        let TerminalMessage::TextBlock(ours) = decode(&bytes) else {
            panic!("{name}")
        };
        let their_tlv = theirs.tlv.unwrap();
        assert_eq!(ours.lines, their_tlv.lines.unwrap().lines, "{name}");
        let kind = match ours.kind.unwrap() {
            ours::ReceiptKind::Merchant => 1,
            ours::ReceiptKind::Customer => 2,
            ours::ReceiptKind::Administration => 3,
            ours::ReceiptKind::Other(k) => k,
        };
        assert_eq!(Some(kind), their_tlv.receipt_type, "{name}");
    }
}

#[test]
fn abort_decodes_alike() {
    let bytes = capture("partial_reversal.blob");
    let theirs = theirs::PartialReversalAbort::zvt_deserialize(&bytes)
        .unwrap()
        .0;
    let TerminalMessage::Abort(ours) = decode(&bytes) else {
        panic!()
    };
    assert_eq!(ours.code.0, theirs.error);
    // 0xFFFF is "no receipt number": they keep the raw value, we say none.
    assert_eq!((ours.receipt_no, theirs.receipt_no), (None, Some(0xFFFF)));
}
