//! The outbox: committed sales, refunds, audit entries and shift steps folded into the documents
//! by the tab that syncs, and the sales a device made before it joined its store.

use super::*;

/// Tells the engine that folds the outbox (this tab's or another's) that there is something in it.
pub fn announce_outbox() {
    if let Ok(channel) = web_sys::BroadcastChannel::new(OUTBOX_CHANNEL) {
        let _ = channel.post_message(&JsValue::from_str("outbox"));
        channel.close();
    }
}

/// How long the engine waits after a page announced a sale or refund before folding it: the
/// page draws "paid" first instead of sharing the CPU (and IndexedDB, which runs one readwrite
/// transaction at a time) with the fold, and sales in quick succession fold together.
const FOLD_AFTER_MS: u64 = 150;

pub(super) fn listen_for_outbox(shared: &SharedEngine) {
    let Ok(channel) = web_sys::BroadcastChannel::new(OUTBOX_CHANNEL) else {
        return;
    };
    let shared = shared.clone();
    let on_message = Closure::<dyn FnMut()>::new(move || {
        let shared = shared.clone();
        set_timeout(
            move || spawn_local(drain_outbox(shared)),
            Duration::from_millis(FOLD_AFTER_MS),
        );
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The channel must outlive this function to keep receiving.
    std::mem::forget(channel);
}

/// Sales moved into the outbox here: fold them into the documents.
fn outbox_changed(shared: &SharedEngine) {
    announce_outbox();
    spawn_local(drain_outbox(shared.clone()));
}

/// Folds the outbox into the documents and sends them: in the tab that holds the sync lock only,
/// so one writer folds each record. Records of sales made before this device joined the store
/// wait for the owner (`add_earlier_sales`).
pub(super) async fn drain_outbox(shared: SharedEngine) {
    {
        let mut engine = shared.borrow_mut();
        if !engine.leader || engine.stopped {
            return;
        }
        if engine.draining {
            engine.drain_again = true;
            return;
        }
        engine.draining = true;
    }
    loop {
        shared.borrow_mut().drain_again = false;
        if let Err(reason) = drain_once(&shared).await {
            set_status(&shared, |s| s.error = Some(reason));
            let retry = shared.clone();
            set_timeout(
                move || spawn_local(drain_outbox(retry)),
                Duration::from_secs(5),
            );
            break;
        }
        if !shared.borrow().drain_again {
            break;
        }
    }
    shared.borrow_mut().draining = false;
    schedule_status(&shared);
}

pub(super) async fn drain_once(shared: &SharedEngine) -> Result<(), String> {
    let _writing = write_lock().lock().await;
    let storage = shared.borrow().storage.clone();
    // A page that made a customer, or heard of keys from the server, announces it like an
    // outbox entry: customers locked until now open, erased ones lock.
    let keys = storage.customer_keys().await.map_err(|e| e.to_string())?;
    if shared.borrow().customer_keys != keys {
        shared.borrow_mut().customer_keys = keys;
        publish_store(shared, &[Role::Customers]);
    }
    let items = storage.outbox().await.map_err(|e| e.to_string())?;
    let store = shared.borrow().membership.store_id;
    let (ours, earlier): (Vec<_>, Vec<_>) = items
        .into_iter()
        .filter(|i| i.store.is_none_or(|s| s == store))
        .partition(|i| i.store == Some(store));
    {
        let mut engine = shared.borrow_mut();
        engine.outbox_len = ours.len();
        engine.before_joining = earlier.iter().map(|i| i.key.clone()).collect();
    }
    if ours.is_empty() {
        return Ok(());
    }
    let days: BTreeSet<BusinessDay> = ours
        .iter()
        .filter_map(|i| i.record.at_ms())
        .map(|at| business_day(at as f64))
        .collect();
    for day in &days {
        let needed = shared.borrow().docs.to_open_for(*day);
        open_needed(shared, needed).await?;
    }
    let (writes, folded, own_days, problems) = {
        let mut guard = shared.borrow_mut();
        let engine = &mut *guard;
        let mut folded = Vec::new();
        let mut own_days = BTreeSet::new();
        let mut problems = Vec::new();
        for item in &ours {
            if let Outgoing::Customer(change) = &item.record {
                match engine.docs.record_customer(
                    change,
                    &engine.customer_keys,
                    &mut crate::browser::random_nonce,
                ) {
                    Ok(_) => folded.push(item.key.clone()),
                    // The store's customers moved on meanwhile (the person was erased or merged
                    // on another device): the document as it stands wins, and the page is told.
                    Err(pos_core::DocError::CustomerMerge(_)) => folded.push(item.key.clone()),
                    Err(err) => problems.push(format!("{}: {err}", item.key)),
                }
                continue;
            }
            let day = business_day(item.record.at_ms().unwrap_or_default() as f64);
            let recorded = match &item.record {
                Outgoing::Sale(sale) => engine.docs.record_sale(sale, day).map(drop),
                Outgoing::Refund(refund) => engine.docs.record_refund(refund, day).map(drop),
                // An entry moves no goods and no money: only the day's document changes.
                Outgoing::Audit(entry) => engine.docs.record_audit(entry, day).map(drop),
                // Nor does a shift's step: the drawer's money is its sales' and refunds'.
                Outgoing::Shift(state) => engine.docs.record_shift(state, day).map(drop),
                // Folded above: a customer belongs to no day.
                Outgoing::Customer(_) => continue,
            };
            match recorded {
                Ok(_) => {
                    folded.push(item.key.clone());
                    own_days.insert(day);
                }
                // Kept in the outbox and shown: a record the documents refuse is a bug to see,
                // never one to drop.
                Err(err) => problems.push(format!("{}: {err}", item.key)),
            }
        }
        let states = sync_states(engine);
        let server = engine.server.clone();
        (
            engine.docs.unsaved(Some(&server), &states),
            folded,
            own_days,
            problems,
        )
    };
    let day_names: Vec<String> = own_days.iter().map(ToString::to_string).collect();
    let written = written_ids(&writes);
    let shifts_folded = ours
        .iter()
        .any(|i| matches!(i.record, Outgoing::Shift(_)) && folded.contains(&i.key));
    match storage
        .fold_outbox(writes.clone(), folded.clone(), day_names)
        .await
    {
        Ok(()) => {
            {
                let mut engine = shared.borrow_mut();
                engine.docs.saved(&writes);
                engine.outbox_len -= folded.len();
                engine.unacked_days.extend(own_days);
            }
            announce_stored(&written);
            let ids = shared.borrow().docs.ids();
            flush(shared, &ids);
            publish_store(shared, &[Role::Stock, Role::Customers]);
            if shifts_folded {
                // The store's day on this device's screen shows its own shifts from the documents.
                tell(
                    shared,
                    FromEngine::RecordsChanged {
                        sales: false,
                        refunds: false,
                        audit: false,
                        shifts: true,
                    },
                );
            }
            if let Some(first) = problems.first() {
                set_status(shared, |s| s.document_problem = Some(first.clone()));
            }
            Ok(())
        }
        Err(err) => {
            // The records stay in the outbox; what was folded in memory is dropped and folded
            // again from the records next time.
            undo_unstored(shared, &written).await;
            Err(err.to_string())
        }
    }
}

/// Adds the sales this device made before it belonged to the store to the store's documents.
pub async fn add_earlier_sales(shared: &SharedEngine) -> Result<(), String> {
    let storage = shared.borrow().storage.clone();
    let store = shared.borrow().membership.store_id;
    let items = storage.outbox().await.map_err(|e| e.to_string())?;
    // Re-keyed to this store through the same outbox: the entries are rewritten, then folded.
    let earlier: Vec<_> = items.into_iter().filter(|i| i.store.is_none()).collect();
    if earlier.is_empty() {
        return Ok(());
    }
    storage
        .claim_for_store(earlier.iter().map(|i| i.key.clone()).collect(), store)
        .await
        .map_err(|e| e.to_string())?;
    outbox_changed(shared);
    Ok(())
}

/// The refunds of `sale` that the store's documents hold (made on any device), kept on this
/// device too, so what they returned is never returned again here.
pub async fn refunds_recorded_elsewhere(
    shared: &SharedEngine,
    sale: Uuid,
) -> Vec<pos_core::Refund> {
    let found = shared.borrow_mut().docs.refunds_of(sale);
    if found.is_empty() {
        return found;
    }
    let storage = shared.borrow().storage.clone();
    let _ = storage
        .save_docs(Vec::new(), Vec::new(), found.clone())
        .await;
    found
}

/// Keeps the sales made before joining on this device only.
pub async fn keep_earlier_sales_here(shared: &SharedEngine) -> Result<(), String> {
    let (storage, keys) = {
        let engine = shared.borrow();
        (engine.storage.clone(), engine.before_joining.clone())
    };
    storage
        .drop_from_outbox(keys)
        .await
        .map_err(|e| e.to_string())?;
    shared.borrow_mut().before_joining.clear();
    schedule_status(shared);
    Ok(())
}
