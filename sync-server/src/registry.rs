//! The registry of sync documents: which store each document belongs to, what kind it is and,
//! for a sales day, which device alone writes it. A document is registered once, from its
//! genesis ([`crate::policy`]); the sync pump (`sync/admission.rs`) asks here before it lets
//! samod near a document.

use std::str::FromStr;
use std::time::SystemTime;

use rusqlite::OptionalExtension;

use crate::enroll::millis;
use crate::policy::{self, Origin};
use crate::storage::Storage;

/// What [`Storage::claim_document`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The document belongs to this store (newly or already).
    Registered(String),
    /// The document is new and the claimant's store has its quota of documents.
    OverQuota,
}

/// A document's registration, as its genesis gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentClaim<'a> {
    pub store_id: &'a str,
    /// The device whose message carried the genesis.
    pub claimed_by: &'a str,
    /// `pos_core::DocKind::as_str`.
    pub kind: &'a str,
    /// The only device that writes the document (a sales day's), if any.
    pub owner_device: Option<&'a str>,
}

/// A registered document, as [`Storage::document_registration`] finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub store: String,
    /// `None` for a document registered by first claim, before genesis registration.
    pub kind: Option<String>,
    pub owner_device: Option<String>,
}

/// What [`Storage::backfill_registrations`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Backfill {
    /// Documents whose kind (and a sales day's owner) were read from their stored genesis.
    pub recorded: usize,
    /// Documents left without a kind: no genesis stored, or one that does not derive the id or
    /// names another store than the one the document is registered to.
    pub left: usize,
}

impl Storage {
    /// Records the kind and owner of documents registered before schema version 7 (by first
    /// claim, with neither), from the genesis the server stored of each, so that the rule that
    /// only a sales day's own device writes it covers them too. A document whose genesis is
    /// missing or does not check out stays as it was, and is tried again at the next start.
    /// Run at start, before any connection. Blocking: it loads each such document.
    pub fn backfill_registrations(&self) -> rusqlite::Result<Backfill> {
        let legacy: Vec<(String, String)> = {
            let conn = self.lock()?;
            let mut stmt =
                conn.prepare("SELECT document, store_id FROM documents WHERE kind IS NULL")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut done = Backfill::default();
        for (document, store) in legacy {
            let origin = match pos_core::DocumentId::from_str(&document) {
                Ok(id) => policy::origin(id, &self.stored_changes(&document)?),
                Err(_) => Origin::Unknown,
            };
            let genesis = match origin {
                Origin::Genesis(g) if g.store.to_string() == store => g,
                other => {
                    eprintln!(
                        "pos-sync-server: document {document} of store {store} keeps no kind: \
                         its stored genesis is {other:?}"
                    );
                    done.left += 1;
                    continue;
                }
            };
            self.lock()?
                .prepare_cached(
                    "UPDATE documents SET kind = ?2, owner_device = ?3 \
                     WHERE document = ?1 AND kind IS NULL",
                )?
                .execute((
                    &document,
                    genesis.kind.as_str(),
                    genesis.owner.map(|o| o.to_string()),
                ))?;
            done.recorded += 1;
        }
        Ok(done)
    }

    /// Every change of `document` the server holds, from samod's snapshots and incrementals; a
    /// chunk that does not load is skipped (it holds no genesis the server could trust).
    fn stored_changes(&self, document: &str) -> rusqlite::Result<Vec<automerge::Change>> {
        let mut doc = automerge::Automerge::new();
        for kind in ["snapshot", "incremental"] {
            for (_, data) in self.chunk_load_prefix(Some(document), Some(kind), None)? {
                policy::without_panic(|| doc.load_incremental(&data).ok());
            }
        }
        Ok(doc.get_changes(&[]))
    }

    /// Registers `document` to `store_id` as a document of `kind`, written only by
    /// `owner_device` if that is given (a sales day), if no store has it yet; unless the store
    /// already has `quota` documents. The caller has read all this from the document's
    /// genesis (see ARCHITECTURE.md and [`crate::policy`]); the quota bounds what one store's
    /// devices can make the server keep. Blocking.
    pub fn claim_document(
        &self,
        document: &str,
        claim: &DocumentClaim<'_>,
        now: SystemTime,
        quota: u64,
    ) -> rusqlite::Result<Claim> {
        let conn = self.lock()?;
        let owner: Option<String> = conn
            .prepare_cached("SELECT store_id FROM documents WHERE document = ?1")?
            .query_row([document], |r| r.get(0))
            .optional()?;
        if let Some(store) = owner {
            return Ok(Claim::Registered(store));
        }
        let held: i64 = conn
            .prepare_cached("SELECT count(*) FROM documents WHERE store_id = ?1")?
            .query_row([claim.store_id], |r| r.get(0))?;
        if held.max(0) as u64 >= quota {
            return Ok(Claim::OverQuota);
        }
        conn.prepare_cached(
            "INSERT INTO documents \
             (document, store_id, claimed_by, claimed_at, kind, owner_device) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute((
            document,
            claim.store_id,
            claim.claimed_by,
            millis(now),
            claim.kind,
            claim.owner_device,
        ))?;
        Ok(Claim::Registered(claim.store_id.to_string()))
    }

    /// The store a document belongs to, if any. Blocking.
    pub fn document_store(&self, document: &str) -> rusqlite::Result<Option<String>> {
        let conn = self.lock()?;
        conn.prepare_cached("SELECT store_id FROM documents WHERE document = ?1")?
            .query_row([document], |r| r.get(0))
            .optional()
    }

    /// How a document is registered, if it is. Blocking.
    pub fn document_registration(&self, document: &str) -> rusqlite::Result<Option<Registration>> {
        let conn = self.lock()?;
        conn.prepare_cached(
            "SELECT store_id, kind, owner_device FROM documents WHERE document = ?1",
        )?
        .query_row([document], |r| {
            Ok(Registration {
                store: r.get(0)?,
                kind: r.get(1)?,
                owner_device: r.get(2)?,
            })
        })
        .optional()
    }
}
