//! Close codes and reasons the server sends before it ends a sync connection. Each reason is
//! `<code>: <English text>`: the code (before the first `: `) is stable across versions, for a
//! device to translate; the same text goes in the automerge-repo `error` message before it.

/// RFC 6455 1003: a text frame where the protocol has only binary ones.
pub const NOT_BINARY: (u16, &str) = (
    1003,
    "not_binary: The sync protocol uses binary messages only",
);
/// RFC 6455 1007: not a CBOR message of the automerge-repo protocol.
pub const MALFORMED: (u16, &str) = (
    1007,
    "malformed: Malformed sync message: not a CBOR map with a message type",
);
/// RFC 6455 1008: the device's token was revoked while it was connected.
pub const REVOKED: (u16, &str) = (
    1008,
    "revoked: This device was removed from the store: pair it again",
);
/// RFC 6455 1008: more messages than [`super::MESSAGES_PER_SEC`] allows.
pub const FLOOD: (u16, &str) = (
    1008,
    "flood: Too many sync messages: slow down and reconnect",
);
/// RFC 6455 1011: the database failed; nothing of the message was applied.
pub const STORAGE: (u16, &str) = (
    1011,
    "storage_failed: The server's storage failed: try again later",
);
/// RFC 6455 1013 (try again later): free disk space is below the server's floor.
pub const DISK_FULL: (u16, &str) = (
    1013,
    "disk_full: The server's disk is full: this device keeps its sales and sends them when there is room",
);
/// RFC 6455 1013: a write of the server's storage failed and is being retried.
pub const WRITES_FAILING: (u16, &str) = (
    1013,
    "writes_failing: The server cannot write its storage now: this device keeps its sales and sends them later",
);
/// RFC 6455 1008: the store has [`super::SyncLimits::documents_per_store`] documents.
pub const QUOTA: (u16, &str) = (
    1008,
    "quota: This store has as many documents as the server keeps for one store: ask its operator",
);
/// RFC 6455 1008: a new document whose genesis names another store than the device's.
pub const OTHER_STORE: (u16, &str) = (
    1008,
    "other_store: This document belongs to another store: a device syncs only its own store's documents",
);
/// RFC 6455 1008: a new document whose genesis does not derive its id.
pub const FORGED: (u16, &str) = (
    1008,
    "forged: This document's first change does not match its id: the server does not take it",
);
/// RFC 6455 1008: changes to a sales day from a device other than the one it belongs to.
pub const NOT_OWNER: (u16, &str) = (
    1008,
    "not_owner: This sales day belongs to another device: only the device that made the sales writes it",
);
/// RFC 6455 1008: a change under an actor id that is not the device's (`crate::actors`).
pub const FOREIGN_ACTOR: (u16, &str) = (
    1008,
    "foreign_actor: This change was written under an actor id that is not this device's: a device sends only its own changes",
);
/// RFC 6455 1008: a change under a new actor id from a device that has
/// [`crate::actors::ACTORS_PER_DEVICE`] bound already.
pub const TOO_MANY_ACTORS: (u16, &str) = (
    1008,
    "too_many_actors: This device has written under more actor ids than the server keeps for one device: ask its operator",
);
/// RFC 6455 1007: a chunk of a sync message that is neither a change nor a saved document,
/// so that its writers cannot be checked.
pub const UNREADABLE_CHANGE: (u16, &str) = (
    1007,
    "unreadable_change: A change in this sync message cannot be read: the server does not take it",
);
/// RFC 6455 1008: a message type the server does not relay.
pub const UNKNOWN_TYPE: (u16, &str) = (
    1008,
    "unknown_type: Unsupported sync message type: only join, leave, request, sync and doc-unavailable are accepted",
);
/// RFC 6455 1008: the device did not read what the server sent, or answered no ping.
pub const TOO_SLOW: (u16, &str) = (
    1008,
    "too_slow: This device stopped reading sync messages: reconnect",
);
/// RFC 6455 1009: a message over [`super::MAX_MESSAGE_BYTES`].
pub const TOO_BIG: (u16, &str) = (1009, "too_big: Sync message too large (limit 8 MiB)");
/// Every reason above, for the tests that keep them well formed and listed in the README.
pub const ALL: &[(u16, &str)] = &[
    NOT_BINARY,
    MALFORMED,
    REVOKED,
    FLOOD,
    STORAGE,
    DISK_FULL,
    WRITES_FAILING,
    QUOTA,
    OTHER_STORE,
    FORGED,
    NOT_OWNER,
    FOREIGN_ACTOR,
    TOO_MANY_ACTORS,
    UNREADABLE_CHANGE,
    UNKNOWN_TYPE,
    TOO_SLOW,
    TOO_BIG,
];
