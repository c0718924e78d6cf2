//! What the document tests share: storage as a map of keys to bytes, written the way the app's
//! transaction writes it (chunks and sync states put, superseded keys deleted); and, for the
//! tests of what is counted from sales, sales of one item (`sales.rs`).

#![allow(dead_code)] // each test binary uses its own part

pub(crate) mod sales;

use std::collections::{BTreeMap, BTreeSet};

use pos_core::automerge::AutoCommit;
use pos_core::{DocWrite, DocumentId, StoreDocs, chunk_prefix};

#[derive(Default)]
pub(crate) struct Shelf(pub(crate) BTreeMap<String, Vec<u8>>);

impl Shelf {
    pub(crate) fn apply(&mut self, writes: &[DocWrite]) {
        for w in writes {
            for key in &w.delete {
                self.0.remove(key);
            }
            for chunk in w.chunk.iter().chain(&w.sync_state) {
                self.0.insert(chunk.key.clone(), chunk.bytes.clone());
            }
        }
    }

    /// Every stored chunk of document `id`, by key.
    pub(crate) fn chunks(&self, id: DocumentId) -> Vec<(String, Vec<u8>)> {
        let prefix = chunk_prefix(id);
        self.0
            .iter()
            .filter(|(k, _)| k.starts_with(&prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Stores what `docs` has not stored yet, as the app does after a change.
    pub(crate) fn store(&mut self, docs: &mut StoreDocs) {
        let writes = docs.unsaved(None, &BTreeMap::new());
        self.apply(&writes);
        docs.saved(&writes);
    }

    pub(crate) fn ids(&self) -> BTreeSet<DocumentId> {
        self.0
            .keys()
            .map(|k| k.split('/').next().unwrap().parse().unwrap())
            .collect()
    }

    /// The stored state of a document, as the server would receive it.
    pub(crate) fn load(&self, id: DocumentId) -> AutoCommit {
        let mut doc = AutoCommit::new();
        for (key, bytes) in self.chunks(id) {
            if !key.contains("/y/") {
                doc.load_incremental(&bytes)
                    .unwrap_or_else(|e| panic!("stored chunk {key} does not load: {e}"));
            }
        }
        doc
    }
}
