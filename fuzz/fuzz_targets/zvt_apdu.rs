//! What a card terminal sends (or what the register's own commands look like), as raw bytes:
//! APDUs one after another (`Apdu::decode_prefix`, as a stream reader takes them), each decoded
//! as a terminal message and as a command; and the whole input as BMP fields and as a TLV list.
//! Nothing may panic; APDUs, commands, BMP fields and TLV lists re-encode to what they were.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_devices::zvt::{Apdu, Command, Fields, TerminalMessage, bcd_decode, tlv_codec};

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    while let Ok((apdu, used)) = Apdu::decode_prefix(rest) {
        assert!((3..=rest.len()).contains(&used), "{used} of {}", rest.len());
        check_apdu(&apdu);
        rest = &rest[used..];
    }
    if let Ok(apdu) = Apdu::decode(data) {
        // Only the length's form may differ (`FF 05 00` for `05`), never the content.
        assert!(apdu.encode().len() <= data.len());
    }
    check_fields(data);
    check_tlv(data);
    let _ = bcd_decode(data);
});

fn check_apdu(apdu: &Apdu) {
    assert_eq!(Apdu::decode(&apdu.encode()).as_ref(), Ok(apdu));
    if let Ok(message) = TerminalMessage::decode(apdu) {
        match &message {
            TerminalMessage::Status(status) => {
                let _ = status.approved();
                if let Some(pan) = &status.pan {
                    assert!(pan.last4().len() <= 4);
                }
                if let Some(code) = status.result {
                    let _ = (code.text(), code.problem());
                }
            }
            TerminalMessage::Intermediate(status) => {
                let _ = status.text();
            }
            TerminalMessage::Nack(code) => {
                let _ = (code.text(), code.problem(), code.to_string());
            }
            _ => {}
        }
    }
    if let Ok(command) = Command::decode(apdu) {
        let again = command
            .to_apdu()
            .expect("a command read from bytes encodes again");
        assert_eq!(Command::decode(&again).as_ref(), Ok(&command));
    }
    check_fields(&apdu.data);
}

fn check_fields(data: &[u8]) {
    let (fields, problem) = Fields::parse_partial(data, 0);
    if let Some((_, at)) = problem {
        assert!(at < data.len(), "problem at {at} of {}", data.len());
    }
    let mut encoded = Vec::new();
    fields.encode_into(&mut encoded);
    assert_eq!(Fields::parse(&encoded, 0).as_ref(), Ok(&fields));
    if let Ok(list) = fields.tlv() {
        let encoded = tlv_codec::encode_all(&list);
        assert_eq!(tlv_codec::parse_all(&encoded, 0), Ok(list));
    }
}

fn check_tlv(data: &[u8]) {
    if let Ok(list) = tlv_codec::parse_all(data, 0) {
        let encoded = tlv_codec::encode_all(&list);
        assert!(encoded.len() <= data.len(), "shortest lengths only");
        assert_eq!(tlv_codec::parse_all(&encoded, 0), Ok(list));
    }
}
