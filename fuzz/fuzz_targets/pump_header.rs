//! The server's pump reads the header of every message a device sends before samod sees it
//! (`pos_sync_server::sync::fuzz_read_header`): it must never panic, and when the device's own
//! decoder reads the same bytes as a `request` or `sync`, both must name the same document, so
//! the store a document is registered to is the one the message writes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_core::DocumentId;
use pos_core::sync::WireMessage;

fuzz_target!(|data: &[u8]| {
    let Some(claim) = pos_sync_server::sync::fuzz_read_header(data) else {
        return;
    };
    if let Some(id) = &claim {
        // The claim is normalised: it reads back as itself.
        let parsed: DocumentId = id.parse().expect("a claimed document id parses");
        assert_eq!(&parsed.to_string(), id);
    }
    // Core also reads `automerge:<id>`, which samod does not: then the pump claims nothing and
    // samod refuses the message itself. Whenever both read an id, it is the same document.
    if let (
        Some(id),
        Ok(WireMessage::Request { document, .. } | WireMessage::Sync { document, .. }),
    ) = (&claim, WireMessage::decode(data))
    {
        assert_eq!(
            id,
            &document.to_string(),
            "the pump and the client disagree"
        );
    }
});
