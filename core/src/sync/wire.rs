//! The messages of the automerge-repo WebSocket protocol, version 1: CBOR maps with a `type`
//! field, as `@automerge/automerge-repo-network-websocket` and samod write them. Only the fields
//! a client needs are typed; unknown message types decode to [`WireMessage::Other`] so that a
//! newer server does not break an older register.

use std::fmt;

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

use crate::docs::DocumentId;

/// The protocol version this client speaks.
pub const PROTOCOL_VERSION: &str = "1";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireMessage {
    /// Client → server, first message on a connection.
    Join {
        sender: String,
        storage_id: Option<String>,
        ephemeral: bool,
    },
    /// Server → client: the handshake answer.
    Peer {
        sender: String,
        target: String,
        version: String,
    },
    /// "Send me this document": an Automerge sync message from a peer that has nothing of it.
    Request {
        sender: String,
        target: String,
        document: DocumentId,
        data: Vec<u8>,
    },
    /// An Automerge sync message for one document.
    Sync {
        sender: String,
        target: String,
        document: DocumentId,
        data: Vec<u8>,
    },
    /// The peer does not have the document, or will not share it.
    DocUnavailable {
        sender: String,
        target: String,
        document: DocumentId,
    },
    /// A protocol error; the peer closes the connection after it.
    Error {
        message: String,
    },
    Leave {
        sender: String,
    },
    /// A message type this client does not act on (ephemeral, heads gossip, …).
    Other {
        kind: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Not CBOR, or CBOR of the wrong shape.
    #[error("malformed sync message: {0}")]
    Malformed(String),
    /// A field a message of this type must carry is absent.
    #[error("sync message {kind:?} lacks its {field:?} field")]
    MissingField { kind: String, field: &'static str },
    /// A `documentId` that is not a base58check UUID.
    #[error("sync message names an invalid document id {0:?}")]
    BadDocumentId(String),
}

impl<E: fmt::Display> From<minicbor::encode::Error<E>> for WireError {
    fn from(e: minicbor::encode::Error<E>) -> Self {
        WireError::Malformed(e.to_string())
    }
}

impl From<minicbor::decode::Error> for WireError {
    fn from(e: minicbor::decode::Error) -> Self {
        WireError::Malformed(e.to_string())
    }
}

impl WireMessage {
    pub fn kind(&self) -> &str {
        match self {
            WireMessage::Join { .. } => "join",
            WireMessage::Peer { .. } => "peer",
            WireMessage::Request { .. } => "request",
            WireMessage::Sync { .. } => "sync",
            WireMessage::DocUnavailable { .. } => "doc-unavailable",
            WireMessage::Error { .. } => "error",
            WireMessage::Leave { .. } => "leave",
            WireMessage::Other { kind } => kind,
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        // Writing into a Vec cannot fail.
        self.encode_into(&mut e).expect("CBOR encoding into memory");
        e.into_writer()
    }

    fn encode_into(
        &self,
        e: &mut Encoder<Vec<u8>>,
    ) -> Result<(), minicbor::encode::Error<std::convert::Infallible>> {
        match self {
            WireMessage::Join {
                sender,
                storage_id,
                ephemeral,
            } => {
                e.map(4)?
                    .str("type")?
                    .str("join")?
                    .str("senderId")?
                    .str(sender)?;
                e.str("supportedProtocolVersions")?
                    .array(1)?
                    .str(PROTOCOL_VERSION)?;
                e.str("peerMetadata")?;
                match storage_id {
                    Some(id) => e.map(2)?.str("storageId")?.str(id)?,
                    None => e.map(1)?,
                };
                e.str("isEphemeral")?.bool(*ephemeral)?;
            }
            WireMessage::Peer {
                sender,
                target,
                version,
            } => {
                e.map(4)?
                    .str("type")?
                    .str("peer")?
                    .str("senderId")?
                    .str(sender)?;
                e.str("targetId")?
                    .str(target)?
                    .str("selectedProtocolVersion")?
                    .str(version)?;
            }
            WireMessage::Request {
                sender,
                target,
                document,
                data,
            }
            | WireMessage::Sync {
                sender,
                target,
                document,
                data,
            } => {
                e.map(5)?
                    .str("type")?
                    .str(self.kind())?
                    .str("senderId")?
                    .str(sender)?;
                e.str("targetId")?
                    .str(target)?
                    .str("documentId")?
                    .str(&document.to_string())?;
                e.str("data")?.bytes(data)?;
            }
            WireMessage::DocUnavailable {
                sender,
                target,
                document,
            } => {
                e.map(4)?
                    .str("type")?
                    .str("doc-unavailable")?
                    .str("senderId")?
                    .str(sender)?;
                e.str("targetId")?
                    .str(target)?
                    .str("documentId")?
                    .str(&document.to_string())?;
            }
            WireMessage::Error { message } => {
                e.map(2)?
                    .str("type")?
                    .str("error")?
                    .str("message")?
                    .str(message)?;
            }
            WireMessage::Leave { sender } => {
                e.map(2)?
                    .str("type")?
                    .str("leave")?
                    .str("senderId")?
                    .str(sender)?;
            }
            WireMessage::Other { kind } => {
                e.map(1)?.str("type")?.str(kind)?;
            }
        }
        Ok(())
    }

    /// Decodes one WebSocket binary message. Never panics, whatever the bytes.
    pub fn decode(bytes: &[u8]) -> Result<WireMessage, WireError> {
        let mut d = Decoder::new(bytes);
        let fields = Fields::read(&mut d)?;
        if d.position() != bytes.len() {
            return Err(WireError::Malformed(
                "trailing bytes after the message".into(),
            ));
        }
        let kind = fields
            .kind
            .clone()
            .ok_or_else(|| WireError::Malformed("no message type".into()))?;
        let need = |value: Option<String>, field| {
            value.ok_or(WireError::MissingField {
                kind: kind.clone(),
                field,
            })
        };
        let document = |fields: &Fields| -> Result<DocumentId, WireError> {
            let id = need(fields.document.clone(), "documentId")?;
            id.parse().map_err(|_| WireError::BadDocumentId(id))
        };
        Ok(match kind.as_str() {
            "join" => WireMessage::Join {
                sender: need(fields.sender, "senderId")?,
                storage_id: fields.storage_id,
                ephemeral: fields.ephemeral.unwrap_or(false),
            },
            "peer" => WireMessage::Peer {
                sender: need(fields.sender, "senderId")?,
                target: need(fields.target, "targetId")?,
                version: need(fields.version, "selectedProtocolVersion")?,
            },
            "request" | "sync" => {
                let document = document(&fields)?;
                let data = fields.data.ok_or(WireError::MissingField {
                    kind: kind.clone(),
                    field: "data",
                })?;
                let (sender, target) = (
                    need(fields.sender, "senderId")?,
                    need(fields.target, "targetId")?,
                );
                if kind == "request" {
                    WireMessage::Request {
                        sender,
                        target,
                        document,
                        data,
                    }
                } else {
                    WireMessage::Sync {
                        sender,
                        target,
                        document,
                        data,
                    }
                }
            }
            "doc-unavailable" => WireMessage::DocUnavailable {
                document: document(&fields)?,
                sender: need(fields.sender, "senderId")?,
                target: need(fields.target, "targetId")?,
            },
            "error" => WireMessage::Error {
                message: fields.message.unwrap_or_default(),
            },
            "leave" => WireMessage::Leave {
                sender: need(fields.sender, "senderId")?,
            },
            _ => WireMessage::Other { kind },
        })
    }
}

/// The fields of a message map that the client reads; every other field is skipped.
#[derive(Default)]
struct Fields {
    kind: Option<String>,
    sender: Option<String>,
    target: Option<String>,
    document: Option<String>,
    version: Option<String>,
    message: Option<String>,
    storage_id: Option<String>,
    ephemeral: Option<bool>,
    data: Option<Vec<u8>>,
}

/// Nesting deeper than this in a skipped field is refused rather than walked.
const MAX_SKIP_DEPTH: usize = 16;

impl Fields {
    fn read(d: &mut Decoder<'_>) -> Result<Fields, WireError> {
        let mut fields = Fields::default();
        let len = d
            .map()?
            .ok_or_else(|| WireError::Malformed("indefinite-length map".into()))?;
        for _ in 0..len {
            if d.datatype()? != Type::String {
                skip(d, 0)?;
                skip(d, 0)?;
                continue;
            }
            let key = d.str()?;
            let string =
                |d: &mut Decoder<'_>| -> Result<String, WireError> { Ok(d.str()?.to_owned()) };
            match key {
                "type" => fields.kind = Some(string(d)?),
                "senderId" => fields.sender = Some(string(d)?),
                "targetId" => fields.target = Some(string(d)?),
                "documentId" => fields.document = Some(string(d)?),
                "selectedProtocolVersion" => fields.version = Some(string(d)?),
                "message" => fields.message = Some(string(d)?),
                "data" => fields.data = Some(d.bytes()?.to_vec()),
                "peerMetadata" if d.datatype()? == Type::Map => {
                    let len = d
                        .map()?
                        .ok_or_else(|| WireError::Malformed("indefinite-length map".into()))?;
                    for _ in 0..len {
                        match (d.datatype()?, d.probe().str()) {
                            (Type::String, Ok("storageId")) => {
                                d.str()?;
                                fields.storage_id = Some(string(d)?);
                            }
                            (Type::String, Ok("isEphemeral")) => {
                                d.str()?;
                                fields.ephemeral = Some(d.bool()?);
                            }
                            _ => {
                                skip(d, 1)?;
                                skip(d, 1)?;
                            }
                        }
                    }
                }
                _ => skip(d, 0)?,
            }
        }
        Ok(fields)
    }
}

fn skip(d: &mut Decoder<'_>, depth: usize) -> Result<(), WireError> {
    if depth > MAX_SKIP_DEPTH {
        return Err(WireError::Malformed("nested too deeply".into()));
    }
    match d.datatype()? {
        Type::Array => {
            let len = d
                .array()?
                .ok_or_else(|| WireError::Malformed("indefinite-length array".into()))?;
            for _ in 0..len {
                skip(d, depth + 1)?;
            }
        }
        Type::Map => {
            let len = d
                .map()?
                .ok_or_else(|| WireError::Malformed("indefinite-length map".into()))?;
            for _ in 0..len {
                skip(d, depth + 1)?;
                skip(d, depth + 1)?;
            }
        }
        Type::Tag => {
            d.tag()?;
            skip(d, depth + 1)?;
        }
        _ => d.skip()?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn doc() -> DocumentId {
        DocumentId::derive(Uuid::nil(), crate::docs::DocKind::Catalog, "")
    }

    #[test]
    fn messages_round_trip() {
        let messages = [
            WireMessage::Join {
                sender: "device-1".into(),
                storage_id: Some("s".into()),
                ephemeral: false,
            },
            WireMessage::Join {
                sender: "device-1".into(),
                storage_id: None,
                ephemeral: true,
            },
            WireMessage::Peer {
                sender: "server".into(),
                target: "device-1".into(),
                version: "1".into(),
            },
            WireMessage::Request {
                sender: "a".into(),
                target: "b".into(),
                document: doc(),
                data: vec![1, 2],
            },
            WireMessage::Sync {
                sender: "a".into(),
                target: "b".into(),
                document: doc(),
                data: vec![],
            },
            WireMessage::DocUnavailable {
                sender: "a".into(),
                target: "b".into(),
                document: doc(),
            },
            WireMessage::Error {
                message: "too big".into(),
            },
            WireMessage::Leave { sender: "a".into() },
        ];
        for m in messages {
            assert_eq!(WireMessage::decode(&m.encode()).unwrap(), m);
        }
    }

    /// Bytes written by `cbor-x` in automerge-repo 2.5 for a `peer` message with metadata
    /// (keys in another order, an extra map field) decode to the same message.
    #[test]
    fn reads_fields_in_any_order_and_skips_unknown_ones() {
        let mut e = Encoder::new(Vec::new());
        e.map(6).unwrap();
        e.str("senderId").unwrap().str("server").unwrap();
        e.str("peerMetadata").unwrap().map(2).unwrap();
        e.str("storageId").unwrap().str("abc").unwrap();
        e.str("isEphemeral").unwrap().bool(false).unwrap();
        e.str("extra")
            .unwrap()
            .array(2)
            .unwrap()
            .u8(1)
            .unwrap()
            .map(0)
            .unwrap();
        e.str("selectedProtocolVersion").unwrap().str("1").unwrap();
        e.str("type").unwrap().str("peer").unwrap();
        e.str("targetId").unwrap().str("me").unwrap();
        let m = WireMessage::decode(&e.into_writer()).unwrap();
        assert_eq!(
            m,
            WireMessage::Peer {
                sender: "server".into(),
                target: "me".into(),
                version: "1".into()
            }
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bytes in [
            &b""[..],
            b"\xff",
            b"\xa1",
            b"hello",
            b"\x81\x01",
            b"\xa1\x64type\x01",
        ] {
            assert!(WireMessage::decode(bytes).is_err(), "{bytes:?}");
        }
        let deep: Vec<u8> = std::iter::once(0xa2u8)
            .chain(*b"\x64type\x64sync\x63foo")
            .chain(std::iter::repeat_n(0x81, 10_000))
            .chain([0x00])
            .collect();
        assert!(matches!(
            WireMessage::decode(&deep),
            Err(WireError::Malformed(_))
        ));
        let mut e = Encoder::new(Vec::new());
        e.map(2).unwrap().str("type").unwrap().str("sync").unwrap();
        e.str("documentId").unwrap().str("not-an-id").unwrap();
        assert!(WireMessage::decode(&e.into_writer()).is_err());
    }

    #[test]
    fn unknown_types_are_kept_apart() {
        let m = WireMessage::Other {
            kind: "ephemeral".into(),
        };
        assert_eq!(WireMessage::decode(&m.encode()).unwrap(), m);
    }
}
