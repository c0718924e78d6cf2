//! The device's decoder of sync messages (`pos_core::sync::WireMessage`), fed whatever a server
//! or a proxy might send: it must refuse garbage with an error, and whatever it accepts must
//! encode to bytes that decode to the same message.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_core::sync::WireMessage;

fuzz_target!(|data: &[u8]| {
    let Ok(message) = WireMessage::decode(data) else {
        return;
    };
    let encoded = message.encode();
    let again = WireMessage::decode(&encoded).expect("an encoded message decodes");
    assert_eq!(
        again, message,
        "decode → encode → decode changed the message"
    );
    assert_eq!(again.encode(), encoded, "encoding is not stable");
});
