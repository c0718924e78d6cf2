//! This device's shifts in `kv`, one record per shift under `shift:<id>`, and each step's state
//! in the outbox, on its way into this device's day of the step.

use pos_core::shift::{Shift, ShiftState};

use super::*;

fn shift_key(id: Uuid) -> String {
    format!("{SHIFT_PREFIX}{id}")
}

impl IdbStorage {
    pub(super) async fn all_shifts(&self) -> Result<Vec<Shift>, StorageError> {
        self.all_with_prefix(SHIFT_PREFIX, "a shift").await
    }

    pub(super) async fn put_shift(
        &self,
        state: ShiftState,
        store: Option<Uuid>,
    ) -> Result<(), StorageError> {
        let tx = self.strict([KV, OUTBOX])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let shift = &state.shift;
        // A shift closes once: a second tab's stale copy never reopens it.
        let kept: Option<Shift> = get_json(&kv, &shift_key(shift.id)).await?;
        if kept.is_some_and(|k| !k.is_open() && shift.is_open()) {
            return Err(failed("this shift was closed meanwhile"));
        }
        put_json(&kv, &shift_key(shift.id), shift)?;
        // A device of no store has no one to share it with; a step it makes after joining
        // carries the whole shift, so nothing is lost by not keeping this one for later.
        if store.is_some() {
            put_outbox(
                &tx.object_store(OUTBOX).map_err(classify)?,
                &OutboxEntry {
                    // A step's own id: a shift has many steps, each one entry.
                    key: Uuid::now_v7().to_string(),
                    store,
                    sale: None,
                    refund: None,
                    audit: None,
                    shift: Some(state),
                    customer: None,
                },
            )?;
        }
        tx.commit().await.map_err(classify)
    }
}
