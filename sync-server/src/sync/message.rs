//! The automerge-repo protocol messages the pump reads and writes itself: the header of a
//! device's message, read from untrusted bytes, and the few answers the pump sends without samod.

use std::str::FromStr;

use samod::DocumentId;

/// The fields of a protocol message that the pump needs: its type and document id. Reading
/// them checks that the message is one well-formed CBOR map with string keys.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Header {
    pub(super) kind: String,
    pub(super) document: Option<String>,
    pub(super) sender: Option<String>,
    pub(super) target: Option<String>,
    /// The Automerge sync message of a `request` or `sync`.
    pub(super) data: Option<Vec<u8>>,
}

impl Header {
    /// The header of a message, or `None` if it is not a well-formed protocol message.
    pub(super) fn read(bytes: &[u8]) -> Option<Header> {
        let mut d = minicbor::Decoder::new(bytes);
        let len = d.map().ok()??;
        let mut kind = None;
        let mut document = None;
        let mut sender = None;
        let mut target = None;
        let mut data = None;
        for _ in 0..len {
            match d.str().ok()? {
                "type" => kind = Some(d.str().ok()?.to_string()),
                "data" if d.datatype().ok()? == minicbor::data::Type::Bytes => {
                    data = Some(d.bytes().ok()?.to_vec());
                }
                "documentId" if d.datatype().ok()? == minicbor::data::Type::String => {
                    document = Some(d.str().ok()?.to_string());
                }
                "senderId" if d.datatype().ok()? == minicbor::data::Type::String => {
                    sender = Some(d.str().ok()?.to_string());
                }
                "targetId" if d.datatype().ok()? == minicbor::data::Type::String => {
                    target = Some(d.str().ok()?.to_string());
                }
                _ => d.skip().ok()?,
            }
        }
        // One message per WebSocket message: trailing bytes mean a broken or smuggled frame.
        if d.position() != bytes.len() {
            return None;
        }
        Some(Header {
            kind: kind?,
            document,
            sender,
            target,
            data,
        })
    }

    /// The document this message asks for or writes, normalised as samod spells it: the pump
    /// decides on the document of a `request` or `sync` before samod sees it.
    pub(super) fn claims(&self) -> Option<String> {
        if self.kind != "request" && self.kind != "sync" {
            return None;
        }
        let id = DocumentId::from_str(self.document.as_deref()?).ok()?;
        Some(id.to_string())
    }
}

/// The pump's header reader on untrusted bytes, for the fuzz targets in `fuzz/`: whether the
/// bytes are a well-formed protocol message, and the document the pump would decide on.
#[doc(hidden)]
pub fn fuzz_read_header(bytes: &[u8]) -> Option<Option<String>> {
    Header::read(bytes).map(|h| h.claims())
}

/// The `doc-unavailable` the pump answers for a document that is not registered.
pub(super) fn doc_unavailable(sender: &str, target: &str, doc: &str) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = e
        .map(4)
        .and_then(|e| e.str("type"))
        .and_then(|e| e.str("doc-unavailable"))
        .and_then(|e| e.str("senderId"))
        .and_then(|e| e.str(sender))
        .and_then(|e| e.str("targetId"))
        .and_then(|e| e.str(target))
        .and_then(|e| e.str("documentId"))
        .and_then(|e| e.str(doc));
    e.into_writer()
}

/// The `sync` of a peer that holds nothing of the document: the device takes it as "send me
/// everything" and answers with all its changes, the genesis among them.
pub(super) fn empty_sync(sender: &str, target: &str, doc: &str) -> Vec<u8> {
    use automerge::sync::SyncDoc;
    let data = automerge::Automerge::new()
        .generate_sync_message(&mut automerge::sync::State::new())
        .map(|m| m.encode())
        .unwrap_or_default();
    let mut e = minicbor::Encoder::new(Vec::new());
    let _ = e
        .map(5)
        .and_then(|e| e.str("type"))
        .and_then(|e| e.str("sync"))
        .and_then(|e| e.str("senderId"))
        .and_then(|e| e.str(sender))
        .and_then(|e| e.str("targetId"))
        .and_then(|e| e.str(target))
        .and_then(|e| e.str("documentId"))
        .and_then(|e| e.str(doc))
        .and_then(|e| e.str("data"))
        .and_then(|e| e.bytes(&data));
    e.into_writer()
}

/// An automerge-repo `error` message.
pub(super) fn error_message(text: &str) -> Vec<u8> {
    let mut e = minicbor::Encoder::new(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = e
        .map(2)
        .and_then(|e| e.str("type"))
        .and_then(|e| e.str("error"))
        .and_then(|e| e.str("message"))
        .and_then(|e| e.str(text));
    e.into_writer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_protocol_messages() {
        let msg = |fields: &[(&str, &str)]| {
            let mut e = minicbor::Encoder::new(Vec::new());
            e.map(fields.len() as u64).unwrap();
            for (k, v) in fields {
                e.str(k).unwrap().str(v).unwrap();
            }
            e.into_writer()
        };
        let id = DocumentId::try_from(vec![7u8; 16]).unwrap();
        let h = Header::read(&msg(&[
            ("type", "request"),
            ("documentId", &id.to_string()),
        ]))
        .unwrap();
        assert_eq!(h.claims(), Some(id.to_string()));
        let h = Header::read(&msg(&[
            ("type", "ephemeral"),
            ("documentId", &id.to_string()),
        ]))
        .unwrap();
        assert_eq!(h.claims(), None);
        assert_eq!(Header::read(&msg(&[("senderId", "x")])), None, "no type");
        assert_eq!(Header::read(b"\xff\x00garbage"), None);
        let mut trailing = msg(&[("type", "join")]);
        trailing.push(0);
        assert_eq!(Header::read(&trailing), None);
    }
}
