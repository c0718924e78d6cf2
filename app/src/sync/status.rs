//! The figures of the sync status: changes not acknowledged (the outbox included), the last sync,
//! the download progress; and which of this device's days the server now holds whole.

use super::*;

/// Recomputes the figures of the sync status at most a few times a second.
pub(super) fn schedule_status(shared: &SharedEngine) {
    {
        let mut engine = shared.borrow_mut();
        if engine.status_scheduled {
            return;
        }
        engine.status_scheduled = true;
    }
    let shared = shared.clone();
    set_timeout(
        move || {
            shared.borrow_mut().status_scheduled = false;
            update_status(&shared);
        },
        Duration::from_millis(150),
    );
}

pub(super) fn update_status(shared: &SharedEngine) {
    let (unacknowledged, synced, total, ready, storage, outbox, before_joining, acked, first) = {
        let mut guard = shared.borrow_mut();
        let engine = &mut *guard;
        let unacknowledged = engine.docs.unacknowledged(&engine.client);
        let (synced, total) = engine.docs.synced_count(&engine.client);
        // Days of this device that the server now holds whole need not be opened at start.
        let today = business_day(now());
        let device = engine.membership.device_id;
        let mut acked = Vec::new();
        if engine.client.is_ready() {
            for day in engine.unacked_days.clone() {
                let id = engine.docs.day_id(device, day);
                if day == today || engine.docs.has_unsaved(id) {
                    continue;
                }
                if let Some(doc) = engine.docs.doc_mut(id) {
                    if engine.client.is_synced(id, doc) {
                        acked.push(day);
                    }
                }
            }
        }
        for day in &acked {
            engine.unacked_days.remove(day);
        }
        (
            unacknowledged,
            synced,
            total,
            engine.client.is_ready(),
            engine.storage.clone(),
            engine.outbox_len,
            engine.before_joining.len(),
            acked,
            engine.status.last_sync_ms.is_none(),
        )
    };
    // Synced means every committed record is in the documents and the server has them all.
    let all_synced = ready && synced == total && outbox == 0;
    let now = now();
    set_status(shared, |s| {
        s.unacknowledged = unacknowledged + outbox;
        s.before_joining = before_joining;
        s.downloading = (ready && first && !all_synced).then_some((synced, total));
        if all_synced {
            s.last_sync_ms = Some(now);
        }
    });
    if all_synced || !acked.is_empty() {
        spawn_local(async move {
            if !acked.is_empty() {
                let _ = storage
                    .acknowledged_days(acked.iter().map(ToString::to_string).collect())
                    .await;
            }
            if all_synced {
                let _ = storage
                    .save_setting(LAST_SYNC_KEY, serde_json::json!(now))
                    .await;
            }
        });
    }
}
