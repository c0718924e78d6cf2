//! Opening the store's documents from storage, and undoing in memory what a failed write left there.

use super::protocol::AUDIT_MAX_DAYS;
use super::*;

/// Opens a document from its stored chunks. A read that fails is an error, never "nothing
/// stored": starting the document afresh beside what is stored would fork it.
#[allow(clippy::too_many_arguments)]
pub(super) async fn open_stored(
    docs: &mut StoreDocs,
    client: &mut SyncClient,
    storage: &dyn Storage,
    server: &str,
    id: DocumentId,
    role: Role,
    day: BusinessDay,
    owner: Uuid,
) -> Result<(), String> {
    let chunks = storage
        .load_doc_chunks(chunk_prefix(id))
        .await
        .map_err(|e| format!("{id}: {e}"))?;
    let sync_state = stored_sync_state(&chunks, id, server);
    let problems = docs.open(id, role, day, owner, &chunks);
    client.track(id, sync_state.as_deref());
    match problems.first() {
        None => Ok(()),
        Some(first) => Err(first.clone()),
    }
}

/// The sync state with `server` among a document's stored chunks.
pub(super) fn stored_sync_state(
    chunks: &[(String, Vec<u8>)],
    id: DocumentId,
    server: &str,
) -> Option<Vec<u8>> {
    let key = sync_state_key(id, server);
    chunks
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.clone())
}

/// Opens each document that is not open yet from its stored chunks; returns what did not load.
pub(super) async fn open_all(
    docs: &mut StoreDocs,
    client: &mut SyncClient,
    storage: &dyn Storage,
    server: &str,
    wanted: Vec<(DocumentId, Role, BusinessDay, Uuid)>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for (id, role, day, owner) in wanted {
        if docs.is_open(id) {
            continue;
        }
        if let Err(problem) = open_stored(docs, client, storage, server, id, role, day, owner).await
        {
            problems.push(problem);
        }
    }
    problems
}

/// Opens, from storage, the documents a write needs that are not open yet. The engine is not
/// borrowed across the reads.
pub(super) async fn open_needed(
    shared: &SharedEngine,
    needed: Vec<(DocumentId, Role, BusinessDay, Uuid)>,
) -> Result<(), String> {
    let (storage, server) = {
        let engine = shared.borrow();
        (engine.storage.clone(), engine.server.clone())
    };
    for (id, role, day, owner) in needed {
        let chunks = storage
            .load_doc_chunks(chunk_prefix(id))
            .await
            .map_err(|e| format!("{id}: {e}"))?;
        let mut guard = shared.borrow_mut();
        let engine = &mut *guard;
        if engine.docs.is_open(id) {
            continue;
        }
        let sync_state = stored_sync_state(&chunks, id, &server);
        let problems = engine.docs.open(id, role, day, owner, &chunks);
        engine.client.track(id, sync_state.as_deref());
        if let Some(first) = problems.first() {
            return Err(first.clone());
        }
    }
    Ok(())
}

/// Drops what is in memory of these documents and not stored, after a write that failed.
pub(super) async fn undo_unstored(shared: &SharedEngine, ids: &[DocumentId]) {
    let (storage, server) = {
        let engine = shared.borrow();
        (engine.storage.clone(), engine.server.clone())
    };
    for id in ids {
        let Ok(chunks) = storage.load_doc_chunks(chunk_prefix(*id)).await else {
            continue;
        };
        let sync_state = stored_sync_state(&chunks, *id, &server);
        let mut guard = shared.borrow_mut();
        let engine = &mut *guard;
        engine.docs.reopen(*id, &chunks);
        engine.client.restart_document(*id, sync_state.as_deref());
    }
}

/// Opens the days from `from_ms` to `to_ms`, however old: the months' indexes, the other
/// devices' days they list, and this device's own days that it stored. An index not stored here
/// arrives by sync, and the days it lists are opened then ([`super::open_new_days`]).
pub async fn open_days_between(shared: &SharedEngine, from_ms: f64, to_ms: f64) -> Result<(), String> {
    let days = days_between(from_ms, to_ms);
    let (me, storage, indexes) = {
        let engine = shared.borrow();
        let me = engine.membership.device_id;
        let mut months = BTreeSet::new();
        let indexes: Vec<_> = days
            .iter()
            .filter(|day| months.insert(day.month()))
            .map(|day| (engine.docs.index_id(*day), Role::Index, *day, me))
            .collect();
        (me, engine.storage.clone(), indexes)
    };
    let mut opened: Vec<DocumentId> = indexes.iter().map(|(id, ..)| *id).collect();
    open_needed(shared, indexes).await?;
    let others: Vec<_> = shared
        .borrow_mut()
        .docs
        .days_in_index(&days)
        .into_iter()
        .map(|(id, owner, day)| (id, Role::OtherDay, day, owner))
        .collect();
    opened.extend(others.iter().map(|(id, ..)| *id));
    // Only the days opened now: one already open had its records copied when it changed, and
    // listing it again would tell the page of a change that did not happen, which asks again.
    let other_days: Vec<DocumentId> = {
        let engine = shared.borrow();
        others
            .iter()
            .map(|(id, ..)| *id)
            .filter(|id| !engine.docs.is_open(*id))
            .collect()
    };
    open_needed(shared, others).await?;
    // This device's own days only where it stored one: a day it never wrote stays unmade.
    let mut own = Vec::new();
    for day in &days {
        let id = shared.borrow().docs.day_id(me, *day);
        if shared.borrow().docs.is_open(id) {
            continue;
        }
        let chunks = storage
            .load_doc_chunks(chunk_prefix(id))
            .await
            .map_err(|e| format!("{id}: {e}"))?;
        if !chunks.is_empty() {
            own.push((id, Role::OwnDay, *day, me));
            opened.push(id);
        }
    }
    open_needed(shared, own).await?;
    // Their sales reach this device's lists as any other device's day does.
    shared.borrow_mut().changed_days.extend(other_days);
    flush(shared, &opened);
    schedule_save(shared);
    Ok(())
}

/// The business days from `from_ms` to `to_ms`, at most [`AUDIT_MAX_DAYS`] of them (the latest).
pub(super) fn days_between(from_ms: f64, to_ms: f64) -> Vec<BusinessDay> {
    let count = (((to_ms - from_ms) / DAY_MS).ceil() as i64).clamp(0, AUDIT_MAX_DAYS - 1);
    // From noon, so that a day of 23 or 25 hours (a clock change) is neither skipped nor doubled.
    let noon = from_ms.max(to_ms - count as f64 * DAY_MS) + DAY_MS / 2.0;
    let mut days: Vec<BusinessDay> = (0..=count)
        .map(|n| business_day(noon + n as f64 * DAY_MS))
        .collect();
    days.dedup();
    days
}

/// Opens, from storage, what a write on `day` needs (this device's day, the month's index and
/// stock) before an edit writes it.
pub async fn open_for_day(shared: &SharedEngine, day: BusinessDay) -> Result<(), String> {
    let needed = shared.borrow().docs.to_open_for(day);
    open_needed(shared, needed).await
}
