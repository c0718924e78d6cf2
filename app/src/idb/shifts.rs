//! This device's shifts in `kv`, one record per shift under `shift:<id>`.

use pos_core::shift::Shift;

use super::*;

fn shift_key(id: Uuid) -> String {
    format!("{SHIFT_PREFIX}{id}")
}

impl IdbStorage {
    pub(super) async fn all_shifts(&self) -> Result<Vec<Shift>, StorageError> {
        let tx = self.readonly([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let upper = format!("{SHIFT_PREFIX}\u{ffff}");
        let shifts = KeyRange::Bound(SHIFT_PREFIX.to_string(), false, upper, false);
        get_all_json(&kv, Some(shifts), "a shift").await
    }

    pub(super) async fn put_shift(&self, shift: Shift) -> Result<(), StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        // A shift closes once: a second tab's stale copy never reopens it.
        let kept: Option<Shift> = get_json(&kv, &shift_key(shift.id)).await?;
        if kept.is_some_and(|k| !k.is_open() && shift.is_open()) {
            return Err(failed("this shift was closed meanwhile"));
        }
        put_json(&kv, &shift_key(shift.id), &shift)?;
        tx.commit().await.map_err(classify)
    }
}
