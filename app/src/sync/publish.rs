//! Telling the page what changed: the sync status, and the store's profile, catalog, price
//! conflicts, stock and customers, each only when it differs from what the page was last told (or, for the
//! catalog, from what the page's own edit left it showing).

use super::*;

/// Changes the status and tells the page, if it changed.
pub(crate) fn set_status(shared: &SharedEngine, change: impl FnOnce(&mut SyncStatus)) {
    let (tell, status) = {
        let mut engine = shared.borrow_mut();
        let before = engine.status.clone();
        change(&mut engine.status);
        if engine.status == before {
            return;
        }
        (engine.tell.clone(), engine.status.clone())
    };
    tell(FromEngine::Status(status));
}

pub(crate) fn tell(shared: &SharedEngine, event: FromEngine) {
    let tell = shared.borrow().tell.clone();
    tell(event);
}

/// Tells the page what changed in the store's documents: the catalog, the store profile, the
/// stock; only what differs from what it was last told.
pub(super) fn publish_store(shared: &SharedEngine, roles: &[Role]) {
    let mut events = Vec::new();
    let mut carried = false;
    let mut quick_start = None;
    let mut customers = None;
    {
        let mut guard = shared.borrow_mut();
        let engine = &mut *guard;
        if roles.contains(&Role::Settings) {
            if let Some(store) = engine.docs.store_profile() {
                if engine.shown.store.as_ref() != Some(&store) {
                    engine.shown.store = Some(store.clone());
                    events.push(FromEngine::Store(store));
                }
            }
        }
        if roles.contains(&Role::Settings) || roles.contains(&Role::Catalog) {
            if let Some(catalog) = engine.docs.catalog() {
                if engine.shown.catalog.as_ref() != Some(&catalog) {
                    // The page that made this edit shows it already: 50,000 products sent back
                    // would only be a long task for it to decode.
                    let page_has_it = engine.shown.page_catalog.as_ref() == Some(&catalog);
                    engine.shown.catalog = Some(catalog.clone());
                    // Kept as the quick-start copy too, so the next start shows it at once.
                    if let Some(store) = engine
                        .docs
                        .store_profile()
                        .or_else(|| engine.shown.store.clone())
                    {
                        quick_start = Some((store, catalog.clone()));
                    }
                    if !page_has_it {
                        events.push(FromEngine::Catalog(catalog));
                    }
                }
            }
            let conflicts = engine.docs.price_conflicts();
            if engine.shown.price_conflicts.as_ref() != Some(&conflicts) {
                engine.shown.price_conflicts = Some(conflicts.clone());
                events.push(FromEngine::PriceConflicts(conflicts));
            }
        }
        if roles.contains(&Role::Customers) {
            if let Ok(directory) = engine.docs.customers(&engine.customer_keys) {
                if engine.shown.customers.as_ref() != Some(&directory) {
                    // Only the records that changed are written to storage.
                    let changed: Vec<_> = directory
                        .all()
                        .filter(|c| {
                            engine.shown.customers.as_ref().and_then(|s| s.get(c.id)) != Some(*c)
                        })
                        .cloned()
                        .collect();
                    let all: Vec<_> = directory.all().cloned().collect();
                    engine.shown.customers = Some(directory);
                    customers = Some((changed, all));
                }
            }
        }
        if roles.contains(&Role::Stock) {
            let today = business_day(now());
            // Keeps this device's view of last month's closing in this month's stock, for next
            // month; stored and sent with the next save. A failure only leaves the previous view.
            carried = matches!(engine.docs.carry_stock_over(today), Ok(true));
            let levels = engine.docs.stock_levels(today);
            if engine.shown.stock.as_ref() != Some(&levels) {
                engine.shown.stock = Some(levels.clone());
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
    if let Some((changed, all)) = customers {
        // Kept first, so a page that starts next reads them; then the pages are told.
        let storage = shared.borrow().storage.clone();
        let shared = shared.clone();
        spawn_local(async move {
            if let Err(err) = storage.save_customers(changed, None, None, None, None).await {
                set_status(&shared, |s| s.error = Some(err.to_string()));
            }
            tell(&shared, FromEngine::Customers(all));
        });
    }
    if carried {
        schedule_save(shared);
    }
}
