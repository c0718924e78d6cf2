//! The server's change policy reads the genesis of a document from a device's sync message
//! (`pos_sync_server::policy::fuzz_origin`: the first 16 bytes are the document id, the rest
//! the message) before it lets the document join a store: it must never panic, and a genesis
//! it accepts has an owner device exactly when it is a sales day (the one kind only its owner
//! writes).

#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_core::DocKind;
use pos_sync_server::policy::{Origin, fuzz_origin};

fuzz_target!(|data: &[u8]| {
    if let Some(Origin::Genesis(genesis)) = fuzz_origin(data) {
        assert_eq!(
            genesis.owner.is_some(),
            genesis.kind == DocKind::SalesDay,
            "{genesis:?}"
        );
    }
});
