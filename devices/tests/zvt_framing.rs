//! ZVT serial framing and command encoding: known frames published in the ecrterm project's
//! tests (taken from terminal logs), an independent CRC, and properties over random APDUs.

use pos_devices::zvt::serial::{self, Deframer, FrameError, Received};
use pos_devices::zvt::{
    Action, Apdu, Command, Framing, Password, TerminalMessage, Transaction, config,
};
use proptest::prelude::*;

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

fn password() -> Password {
    Password::new(123_456).unwrap()
}

/// Frames as ecrterm's tests expect them, each with the APDU inside.
const KNOWN_FRAMES: &[(&str, &str)] = &[
    ("80 00 00", "10 02 80 00 00 10 03 F5 1F"),
    ("84 9C 00", "10 02 84 9C 00 10 03 C3 41"),
    (
        "06 00 06 12 34 56 BA 09 78",
        "10 02 06 00 06 12 34 56 BA 09 78 10 03 24 C3",
    ),
    ("06 93 03 12 34 56", "10 02 06 93 03 12 34 56 10 03 CA A4"),
    ("06 70 00", "10 02 06 70 00 10 03 D9 F9"),
    ("06 18 00", "10 02 06 18 00 10 03 56 3A"),
    ("05 01 03 12 34 56", "10 02 05 01 03 12 34 56 10 03 E0 43"),
    // A DLE in the amount is doubled on the line and counted once in the CRC.
    (
        "06 01 0A 04 00 00 00 01 10 00 49 09 78",
        "10 02 06 01 0A 04 00 00 00 01 10 10 00 49 09 78 10 03 F2 FF",
    ),
];

#[test]
fn known_frames() {
    for (apdu, frame) in KNOWN_FRAMES {
        let (apdu, frame) = (hex(apdu), hex(frame));
        assert_eq!(serial::frame(&apdu), frame, "framing {apdu:02X?}");
        assert_eq!(serial::unframe(&frame), Ok(apdu));
    }
}

#[test]
fn print_line_from_a_log() {
    let frame = hex(
        "10 02 06 D1 19 00 47 65 73 61 6D 74 20 20 20 20 20 20 30 20 20 20 20 20 20 20 30 2C 30 30 10 03 B5 AB",
    );
    let apdu = Apdu::decode(&serial::unframe(&frame).unwrap()).unwrap();
    let TerminalMessage::PrintLine(line) = TerminalMessage::decode(&apdu).unwrap() else {
        panic!("{apdu:?}")
    };
    assert_eq!(line.text, "Gesamt      0       0,00");
    assert!(!line.is_last());
}

#[test]
fn crc_is_kermit() {
    // The catalogue check value of CRC-16/KERMIT.
    assert_eq!(serial::crc16(b"123456789"), 0x2189);
}

#[test]
fn commands_encode_as_logged() {
    let purchase = Command::Authorisation {
        amount: 11_000,
        currency: Some(978),
        payment_type: None,
    };
    let frame = serial::frame(&purchase.to_apdu().unwrap().encode());
    assert_eq!(
        frame,
        hex("10 02 06 01 0A 04 00 00 00 01 10 10 00 49 09 78 10 03 F2 FF")
    );

    let registration = Command::Registration {
        password: password(),
        config: 0xBA,
        currency: Some(978),
    };
    let frame = serial::frame(&registration.to_apdu().unwrap().encode());
    assert_eq!(frame, hex("10 02 06 00 06 12 34 56 BA 09 78 10 03 24 C3"));

    let enquiry = Command::StatusEnquiry {
        password: Some(password()),
    };
    let frame = serial::frame(&enquiry.to_apdu().unwrap().encode());
    assert_eq!(frame, hex("10 02 05 01 03 12 34 56 10 03 E0 43"));
}

#[test]
fn every_command_round_trips() {
    let commands = [
        Command::Registration {
            password: password(),
            config: config::REGISTER_DEFAULT,
            currency: Some(978),
        },
        Command::Registration {
            password: password(),
            config: 0x00,
            currency: None,
        },
        Command::Authorisation {
            amount: 1,
            currency: None,
            payment_type: Some(0x40),
        },
        Command::Reversal {
            password: password(),
            receipt_no: Some(231),
        },
        Command::Reversal {
            password: password(),
            receipt_no: None,
        },
        Command::Refund {
            password: password(),
            amount: 2_500,
            currency: Some(978),
        },
        Command::EndOfDay {
            password: password(),
        },
        Command::RepeatReceipt {
            password: password(),
        },
        Command::StatusEnquiry { password: None },
        Command::Abort,
    ];
    for command in commands {
        let bytes = command.to_apdu().unwrap().encode();
        let back = Command::decode(&Apdu::decode(&bytes).unwrap()).unwrap();
        assert_eq!(back, command, "{bytes:02X?}");
    }
    assert_eq!(
        Command::Abort.to_apdu().unwrap().encode(),
        [0x06, 0xB0, 0x00]
    );
    assert_eq!(
        Command::RepeatReceipt {
            password: password()
        }
        .to_apdu()
        .unwrap()
        .encode(),
        [0x06, 0x20, 0x03, 0x12, 0x34, 0x56]
    );
    assert_eq!(
        Command::Reversal {
            password: password(),
            receipt_no: Some(231)
        }
        .to_apdu()
        .unwrap()
        .encode(),
        [0x06, 0x30, 0x06, 0x12, 0x34, 0x56, 0x87, 0x02, 0x31]
    );
}

#[test]
fn values_a_command_cannot_carry() {
    assert!(Password::new(1_000_000).is_err());
    let too_much = Command::Authorisation {
        amount: 1_000_000_000_000,
        currency: None,
        payment_type: None,
    };
    assert!(too_much.to_apdu().is_err());
}

#[test]
fn extended_length() {
    let apdu = Apdu::new(0x06, 0xD3, vec![0xAA; 300]);
    let bytes = apdu.encode();
    assert_eq!(bytes[..5], [0x06, 0xD3, 0xFF, 0x2C, 0x01]);
    assert_eq!(Apdu::decode(&bytes), Ok(apdu));
    // 255 bytes cannot use the short form: FF is the extended marker.
    assert_eq!(
        Apdu::new(0x06, 0xD3, vec![0; 255]).encode()[2..5],
        [0xFF, 0xFF, 0x00]
    );
}

#[test]
fn ack_nak_and_noise_between_frames() {
    let mut deframer = Deframer::new();
    let mut bytes = vec![0x00, serial::ACK, 0x42];
    bytes.extend(hex("10 02 80 00 00 10 03 F5 1F"));
    bytes.push(serial::NAK);
    assert_eq!(
        deframer.push(&bytes),
        [
            Received::Ack,
            Received::Frame(vec![0x80, 0, 0]),
            Received::Nak
        ]
    );
}

#[test]
fn bad_frames_are_named() {
    let mut bad_crc = hex("10 02 80 00 00 10 03 F5 1F");
    bad_crc[8] ^= 0xFF;
    assert!(matches!(
        serial::unframe(&bad_crc),
        Err(FrameError::Crc { .. })
    ));
    let lone_dle = hex("10 02 80 10 00 00 10 03 F5 1F");
    assert_eq!(
        serial::unframe(&lone_dle),
        Err(FrameError::LoneDle { next: 0x00 })
    );
    assert_eq!(
        serial::unframe(&hex("10 02 80 00")),
        Err(FrameError::Incomplete)
    );
}

fn any_apdu() -> impl Strategy<Value = Apdu> {
    // DLE-heavy data, sometimes long enough for the extended length form.
    let byte = prop_oneof![
        Just(0x10u8),
        Just(0x02),
        Just(0x03),
        Just(0xFF),
        any::<u8>()
    ];
    (
        any::<u8>(),
        any::<u8>(),
        prop::collection::vec(byte, 0..700),
    )
        .prop_map(|(class, instr, data)| Apdu::new(class, instr, data))
}

fn any_command() -> impl Strategy<Value = Command> {
    let pw = (0u32..=999_999).prop_map(|p| Password::new(p).unwrap());
    let amount = 0u64..=pos_devices::zvt::MAX_AMOUNT;
    let currency = prop::option::of(0u16..=999);
    prop_oneof![
        (pw.clone(), any::<u8>(), currency.clone()).prop_map(|(password, config, currency)| {
            Command::Registration {
                password,
                config,
                currency,
            }
        }),
        (
            amount.clone(),
            currency.clone(),
            prop::option::of(any::<u8>())
        )
            .prop_map(|(amount, currency, payment_type)| Command::Authorisation {
                amount,
                currency,
                payment_type
            }),
        (pw.clone(), prop::option::of(0u16..=9999)).prop_map(|(password, receipt_no)| {
            Command::Reversal {
                password,
                receipt_no,
            }
        }),
        (pw.clone(), amount, currency).prop_map(|(password, amount, currency)| Command::Refund {
            password,
            amount,
            currency
        }),
        pw.clone()
            .prop_map(|password| Command::EndOfDay { password }),
        pw.clone()
            .prop_map(|password| Command::RepeatReceipt { password }),
        prop::option::of(pw).prop_map(|password| Command::StatusEnquiry { password }),
        Just(Command::Abort),
    ]
}

proptest! {
    #[test]
    fn any_apdu_survives_the_line(apdu in any_apdu(), cuts in prop::collection::vec(1usize..40, 0..20)) {
        let frame = serial::frame(&apdu.encode());
        // The line delivers the frame in arbitrary pieces.
        let mut deframer = Deframer::new();
        let mut received = Vec::new();
        let mut rest = frame.as_slice();
        for cut in cuts {
            let (piece, tail) = rest.split_at(cut.min(rest.len()));
            received.extend(deframer.push(piece));
            rest = tail;
        }
        received.extend(deframer.push(rest));
        prop_assert_eq!(received.len(), 1);
        let Received::Frame(bytes) = &received[0] else { panic!("{received:?}") };
        prop_assert_eq!(Apdu::decode(bytes).unwrap(), apdu);
    }

    #[test]
    fn a_corrupted_frame_is_refused(apdu in any_apdu(), pick in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut frame = serial::frame(&apdu.encode());
        // Damage one byte of data or CRC, keeping the DLE structure (CRC-16 catches every
        // single-byte error, so the frame must be refused).
        let candidates: Vec<usize> = (2..frame.len())
            .filter(|&i| i >= frame.len() - 2 || (frame[i] != 0x10 && frame[i - 1] != 0x10))
            .filter(|&i| i >= frame.len() - 2 || frame[i] ^ flip != 0x10)
            .collect();
        let at = candidates[pick.index(candidates.len())];
        frame[at] ^= flip;
        prop_assert!(serial::unframe(&frame).is_err());

        // In a dialogue the register answers it with NAK.
        let mut tx = Transaction::new("sale", Command::Abort, Framing::Serial);
        tx.start().unwrap();
        let actions = tx.receive(&frame);
        prop_assert!(actions.contains(&Action::Send(vec![serial::NAK])), "{:?}", actions);
    }

    #[test]
    fn crc_matches_an_independent_implementation(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let kermit = crc::Crc::<u16>::new(&crc::CRC_16_KERMIT);
        prop_assert_eq!(serial::crc16(&data), kermit.checksum(&data));
    }

    #[test]
    fn commands_round_trip(command in any_command()) {
        let bytes = command.to_apdu().unwrap().encode();
        let back = Command::decode(&Apdu::decode(&bytes).unwrap()).unwrap();
        prop_assert_eq!(back, command);
    }
}
