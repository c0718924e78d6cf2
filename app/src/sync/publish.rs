//! Telling the page what changed: the sync status, and the store's profile, catalog, price
//! conflicts and stock, each only when it differs from what the page was last told.

use super::*;

/// Changes the status and tells the page, if it changed.
pub(crate) fn set_status(shared: &Shared, change: impl FnOnce(&mut SyncStatus)) {
    let (tell, status) = {
        let mut e = shared.borrow_mut();
        let before = e.status.clone();
        change(&mut e.status);
        if e.status == before {
            return;
        }
        (e.tell.clone(), e.status.clone())
    };
    tell(FromEngine::Status(status));
}

pub(crate) fn tell(shared: &Shared, event: FromEngine) {
    let tell = shared.borrow().tell.clone();
    tell(event);
}

/// Tells the page what changed in the store's documents: the catalog, the store profile, the
/// stock; only what differs from what it was last told.
pub(super) fn publish_store(shared: &Shared, roles: &[Role]) {
    let mut events = Vec::new();
    let mut carried = false;
    let mut quick_start = None;
    {
        let mut guard = shared.borrow_mut();
        let e = &mut *guard;
        if roles.contains(&Role::Settings) {
            if let Some(store) = e.docs.store_profile() {
                if e.shown.store.as_ref() != Some(&store) {
                    e.shown.store = Some(store.clone());
                    events.push(FromEngine::Store(store));
                }
            }
        }
        if roles.contains(&Role::Settings) || roles.contains(&Role::Catalog) {
            if let Some(catalog) = e.docs.catalog() {
                if e.shown.catalog.as_ref() != Some(&catalog) {
                    e.shown.catalog = Some(catalog.clone());
                    // Kept as the quick-start copy too, so the next start shows it at once.
                    if let Some(store) = e.docs.store_profile().or_else(|| e.shown.store.clone()) {
                        quick_start = Some((store, catalog.clone()));
                    }
                    events.push(FromEngine::Catalog(catalog));
                }
            }
            let conflicts = e.docs.price_conflicts();
            if e.shown.price_conflicts.as_ref() != Some(&conflicts) {
                e.shown.price_conflicts = Some(conflicts.clone());
                events.push(FromEngine::PriceConflicts(conflicts));
            }
        }
        if roles.contains(&Role::Stock) {
            let today = business_day(now());
            // Keeps this device's view of last month's closing in this month's stock, for next
            // month; stored and sent with the next save. A failure only leaves the previous view.
            carried = matches!(e.docs.carry_stock_over(today), Ok(true));
            let levels = e.docs.stock_levels(today);
            if e.shown.stock.as_ref() != Some(&levels) {
                e.shown.stock = Some(levels.clone());
                events.push(FromEngine::Stock(levels));
            }
        }
    }
    if let Some((store, catalog)) = quick_start {
        let storage = shared.borrow().storage.clone();
        spawn_local(async move {
            let _ = storage.save_catalog(store, catalog).await;
        });
    }
    for event in events {
        tell(shared, event);
    }
    if carried {
        schedule_save(shared);
    }
}
