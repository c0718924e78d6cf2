//! Writing what arrived from the server (documents, sync states, other devices' sales and
//! refunds) in one transaction shortly after it arrives, then sending what was held back.

use super::*;

/// Writes received changes (and the sales they carry) soon, in one transaction.
pub fn schedule_save(shared: &SharedEngine) {
    {
        let mut engine = shared.borrow_mut();
        if engine.saving {
            engine.save_again = true;
            return;
        }
        engine.saving = true;
    }
    let shared = shared.clone();
    set_timeout(move || save(shared), Duration::from_millis(50));
}

pub(super) fn save(shared: SharedEngine) {
    spawn_local(async move {
        let writing = write_lock().lock().await;
        let (writes, days, sales, refunds, storage) = {
            let mut guard = shared.borrow_mut();
            let engine = &mut *guard;
            engine.save_again = false;
            let states = sync_states(engine);
            let server = engine.server.clone();
            let writes = engine.docs.unsaved(Some(&server), &states);
            let days: Vec<DocumentId> = std::mem::take(&mut engine.changed_days)
                .into_iter()
                .collect();
            // Only what this device has not copied yet: a message costs what it brings, not a
            // rewrite of the whole day.
            let mut sales = Vec::new();
            let mut refunds = Vec::new();
            for id in &days {
                let known = engine.projected.entry(*id).or_default();
                sales.extend(
                    engine
                        .docs
                        .sales_in(*id)
                        .into_iter()
                        .filter(|s| !known.contains(&s.id())),
                );
                refunds.extend(
                    engine
                        .docs
                        .refunds_in(*id)
                        .into_iter()
                        .filter(|r| !known.contains(&r.id)),
                );
            }
            (writes, days, sales, refunds, engine.storage.clone())
        };
        let had_days = !days.is_empty();
        let had_sales = !sales.is_empty();
        let had_refunds = !refunds.is_empty();
        let copied: Vec<Uuid> = sales
            .iter()
            .map(Sale::id)
            .chain(refunds.iter().map(|r| r.id))
            .collect();
        let written = written_ids(&writes);
        let result = storage.save_docs(writes.clone(), sales, refunds).await;
        let again = {
            let mut guard = shared.borrow_mut();
            let engine = &mut *guard;
            engine.saving = false;
            match &result {
                Ok(()) => {
                    engine.docs.saved(&writes);
                    for id in &days {
                        engine
                            .projected
                            .entry(*id)
                            .or_default()
                            .extend(copied.iter().copied());
                    }
                }
                Err(_) => {
                    // Nothing was stored: the days' sales are projected again with the next write.
                    engine.changed_days.extend(days);
                }
            }
            engine.save_again
        };
        drop(writing);
        // A write that failed before (a full disk, say) may have gone through now.
        let error = result.as_ref().err().map(ToString::to_string);
        set_status(&shared, |s| s.error = error);
        if result.is_ok() {
            announce_stored(&written);
            // Held back while they were not stored; they may go out now.
            flush(&shared, &written);
        } else {
            // Storage may come back (space freed) with nothing new arriving: try again later.
            let retry = shared.clone();
            set_timeout(move || schedule_save(&retry), Duration::from_secs(5));
        }
        if result.is_ok() && had_days {
            tell(
                &shared,
                FromEngine::RecordsChanged {
                    sales: had_sales,
                    refunds: had_refunds,
                    audit: true,
                    shifts: true,
                },
            );
        }
        if again {
            schedule_save(&shared);
        }
        schedule_status(&shared);
    });
}
