//! The server's change policy reads a device's sync message (`pos_sync_server::policy::
//! fuzz_origin`: the first 16 bytes are a document id, the rest the message) before samod
//! sees it: it reads every chunk with the decoders samod would run, and finds the document's
//! genesis before the document may join a store.
//!
//! The checksum of every storage chunk in the message is recomputed first
//! (`policy::fuzz_seal`): a device can send a crafted chunk with a valid checksum, and without
//! this almost every mutation of a chunk fails the checksum and never reaches automerge's
//! column decoders.
//!
//! Automerge 0.12 panics on some such chunks; the policy catches those panics and refuses the
//! message (the server unwinds, `[profile.server]`), so a caught panic is no crash here (the
//! panic hook only remembers it). What must hold:
//! - no panic escapes the policy;
//! - a genesis it accepts has an owner device exactly when it is a sales day.
//!
//! With `POS_FUZZ_SAMOD=1` it also asks what the policy does not promise yet: that samod can
//! receive a message the policy read without a panic (automerge's `receive_sync_message` into a
//! document that holds nothing and into one that holds a change). It does not: automerge
//! panics applying some changes that decode (docs/fuzzing.md), and the policy only decodes.

#![no_main]

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use automerge::sync::{Message, State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ROOT};
use libfuzzer_sys::fuzz_target;
use pos_core::DocKind;
use pos_sync_server::policy::{Origin, fuzz_origin, fuzz_seal};

thread_local! {
    /// The last panic's message and place, for a panic that escapes.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

/// What samod does with the message of a document: `receive_sync_message` into the document.
fn samod_receives(doc: &mut Automerge, message: Message) {
    let _ = doc.receive_sync_message(&mut State::new(), message);
}

/// Whether to check samod's side too (`POS_FUZZ_SAMOD=1`).
fn samod_too() -> bool {
    static SAMOD: OnceLock<bool> = OnceLock::new();
    *SAMOD.get_or_init(|| std::env::var_os("POS_FUZZ_SAMOD").is_some_and(|v| v == "1"))
}

/// A document that holds one change.
fn held() -> &'static Automerge {
    static HELD: OnceLock<Automerge> = OnceLock::new();
    HELD.get_or_init(|| {
        let mut doc = AutoCommit::new();
        doc.put(ROOT, "held", 1_u64).unwrap();
        doc.commit();
        Automerge::load(&doc.save()).unwrap()
    })
}

fn check(data: &[u8]) {
    let sealed = fuzz_seal(data);
    let origin = fuzz_origin(&sealed);
    if let Some(Origin::Genesis(genesis)) = &origin {
        assert_eq!(
            genesis.owner.is_some(),
            genesis.kind == DocKind::SalesDay,
            "{genesis:?}"
        );
    }
    // The policy read every chunk: samod may now decode and apply them.
    if origin.is_some()
        && samod_too()
        && let Ok(message) = Message::decode(&sealed[16..])
    {
        samod_receives(&mut Automerge::new(), message.clone());
        samod_receives(&mut held().clone(), message);
    }
}

fuzz_target!(
    init: {
        // With RUST_BACKTRACE=1 (to reproduce a crash) the stack of each panic is kept too.
        std::panic::set_hook(Box::new(|info| {
            let trace = std::backtrace::Backtrace::capture();
            LAST_PANIC.with(|last| *last.borrow_mut() = format!("{info}\n{trace}"));
        }));
    },
    |data: &[u8]| {
        if catch_unwind(AssertUnwindSafe(|| check(data))).is_err() {
            eprintln!("panic: {}", LAST_PANIC.with(|last| last.borrow().clone()));
            std::process::abort();
        }
    }
);
