//! The register's side of the sync protocol: automerge-repo's WebSocket protocol, version 1
//! ([`wire`]), and a client state machine over `automerge::sync` ([`SyncClient`]) that keeps a
//! sync state per document for one server. No sockets here: the app drives it over the browser's
//! `WebSocket`, the tests and the benchmark over tungstenite.

mod client;
mod wire;

pub use client::{Availability, Incoming, SyncClient, SyncError};
pub use wire::{PROTOCOL_VERSION, WireError, WireMessage};
