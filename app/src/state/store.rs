//! The store this register sells for: its catalog (read whole after the first screen, replaced,
//! kept), its profile, and what the sync worker says changed in it (applied by
//! `apply_engine_event`), with the price and stock edits that go through the worker.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{Catalog, Decimal, Store, Ticket, Uuid};

use super::{AppState, Notice, Screen, not_saved, storage_notice};
use crate::engine_link::{EngineEvent, EngineLink};
use crate::i18n::Msg;
use crate::storage::Membership;
use crate::sync;
use crate::sync::protocol::{Edit, FromEngine};

impl AppState {
    /// Reads the products the start left out (see `Storage::load_catalog_start`), after the
    /// register is drawn. The sync worker may have given the whole catalog first: then it stays.
    pub fn load_whole_catalog(&self) {
        let state = *self;
        let storage = self.storage.get_value();
        spawn_local(async move {
            match storage.load_catalog().await {
                Ok(Some((_, catalog))) => {
                    if !state.catalog_whole.get_untracked() {
                        state.catalog.set(catalog);
                        state.catalog_whole.set(true);
                    }
                }
                Ok(None) => state.catalog_whole.set(true),
                // What is shown stays, and keeping the catalog stays refused (`catalog_whole`).
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Keeps a changed store profile (address, tax number, receipt texts, language, logo) with the
    /// catalog it goes with, and gives it to every device of the store.
    pub fn save_store_profile(&self, store: Store, done: Msg) {
        // Kept with a catalog that is not whole yet, the products not read would be deleted.
        if !self.catalog_whole.get_untracked() {
            return self.error(Msg::CatalogStillLoading);
        }
        let catalog = self.catalog.get_untracked();
        self.replace_catalog(store, catalog, done);
    }

    /// Replaces the catalog (loading or removing the demo menu) and keeps it.
    pub fn replace_catalog(&self, mut store: Store, catalog: Catalog, done: Msg) {
        let state = *self;
        let storage = self.storage.get_value();
        let engine = self.engine();
        spawn_local(async move {
            if let Some(engine) = engine {
                // A device of a store changes the store's catalog, for every device: stored
                // first, sent after, undone if it cannot be stored.
                if let Some(m) = state.membership.get_untracked() {
                    store.name = m.store_name;
                }
                let result = engine
                    .edit(Edit::ProfileAndCatalog {
                        store: store.clone(),
                        catalog: catalog.clone(),
                    })
                    .await;
                if let Err(e) = result {
                    return state.notice.set(Some(not_saved(e)));
                }
                // The sync worker keeps the quick-start copy when it tells every page of the
                // change; saving it here too would only make each save read the other's records.
                state.adopt_store(store);
                state.catalog.set(catalog);
                return state.notice.set(Some(Notice::Info(done)));
            }
            match storage.save_catalog(store.clone(), catalog.clone()).await {
                Ok(()) => {
                    state.adopt_store(store);
                    state.catalog.set(catalog);
                    state.notice.set(Some(Notice::Info(done)));
                }
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Shows a changed store profile. An empty ticket starts again under its pricing rules, so
    /// the next sale is in the store's currency and tax rules (a store just created in roubles
    /// on a register that showed the demo menu in euros sells in roubles).
    pub fn adopt_store(&self, store: Store) {
        // A store renamed on another device: the membership keeps the name too, since a profile
        // saved here takes its name from the membership.
        let renamed = self.membership.with_untracked(|m| {
            m.as_ref()
                .filter(|m| !store.name.is_empty() && m.store_name != store.name)
                .map(|m| Membership {
                    store_name: store.name.clone(),
                    ..m.clone()
                })
        });
        if let Some(membership) = renamed {
            self.membership.set(Some(membership.clone()));
            let state = *self;
            spawn_local(async move {
                if let Err(e) = state.storage().save_membership(membership).await {
                    state.notice.set(Some(storage_notice(&e)));
                }
            });
        }
        let rules = store.rules;
        if self.store.with_untracked(|s| *s != store) {
            self.store.set(store);
        }
        let stale = self
            .ticket
            .with_untracked(|t| t.is_empty() && *t.rules() != rules);
        if stale {
            self.ticket.set(Ticket::new(rules));
        }
    }

    pub fn engine(&self) -> Option<EngineLink> {
        self.engine.get_value()
    }

    /// Starts syncing the store this device belongs to, in the sync worker.
    pub fn join_store(&self, membership: Membership) {
        self.membership.set(Some(membership.clone()));
        self.adopt_staff(&membership);
        self.refresh_staff();
        self.sync.set(crate::engine_link::starting_status());
        let state = *self;
        let link = EngineLink::start(membership, self.device_code.get_untracked(), move |e| {
            state.apply_engine_event(e)
        });
        self.engine.set_value(Some(link));
        // Gift card operations go to the server from the page, with the device's token.
        super::gift_cards::start(state);
    }

    /// Shows what the sync worker says changed.
    fn apply_engine_event(&self, event: EngineEvent) {
        let said = match event {
            EngineEvent::Said(said) => said,
            EngineEvent::Stopped(reason) => {
                return self.sync.update(|s| {
                    s.link = sync::SyncLink::Offline;
                    s.engine_failed = Some(reason);
                });
            }
        };
        match said {
            // Heard by the request that waits for them (`EngineLink`).
            FromEngine::Answer { .. } | FromEngine::Progress { .. } => {}
            FromEngine::Status(status) => set_if_changed(self.sync, status),
            FromEngine::Store(store) => self.adopt_store(store),
            FromEngine::Catalog(catalog) => {
                set_if_changed(self.catalog, catalog);
                self.catalog_whole.set(true);
            }
            FromEngine::PriceConflicts(conflicts) => {
                set_if_changed(self.price_conflicts, conflicts)
            }
            FromEngine::Stock(levels) => set_if_changed(self.stock, levels),
            FromEngine::Customers(records) => self.adopt_customers(records),
            FromEngine::DeviceCode(code) => self.device_code.set(code),
            FromEngine::ReceiptPrefixPending(pending) => {
                self.receipt_prefix_pending.set(pending);
                if !pending {
                    // A sale that waited for the prefix is kept now.
                    self.complete_sale();
                }
            }
            FromEngine::NotSaved(reason) => self.notice.set(Some(not_saved(reason))),
            FromEngine::RecordsChanged {
                sales,
                refunds,
                audit,
                shifts,
            } => {
                if shifts && self.screen.get_untracked() == Screen::StoreDay {
                    self.load_store_day();
                }
                if audit && self.screen.get_untracked() == Screen::Settings {
                    self.load_audit();
                }
                if refunds {
                    self.load_refunds();
                }
                if sales && self.screen.get_untracked() == Screen::Sales {
                    self.load_sales(false);
                }
                // Another device's sale for the customer whose page is open joins their history.
                if sales && self.screen.get_untracked() == Screen::Customers {
                    if let Some(id) = self.customers.viewed.get_untracked() {
                        self.load_customer_history(id);
                    }
                }
            }
        }
    }

    /// Changes a product's price in the store's catalog, for every device.
    pub fn set_price(&self, product: &str, price: Decimal) {
        let Some(engine) = self.engine() else {
            return self.error(Msg::JoinStoreFirst);
        };
        let (state, product) = (*self, product.to_string());
        spawn_local(async move {
            let changed = product.clone();
            match engine.edit(Edit::Price { product, price }).await {
                Ok(_) => state.record_audit(
                    pos_core::staff::AuditAction::PriceChange { product: changed },
                    None,
                ),
                Err(e) => state.notice.set(Some(not_saved(e))),
            }
        });
    }

    /// Records a stock count of a product: what is on the shelf now, whatever sales this device
    /// has or has not heard of yet (core decides which movements come off it).
    pub fn set_stock(&self, sku: &str, quantity: Decimal) {
        let Some(engine) = self.engine() else {
            return self.error(Msg::JoinStoreFirst);
        };
        let (state, sku) = (*self, sku.to_string());
        let count = Edit::Count {
            sku,
            quantity,
            id: Uuid::now_v7(),
            at_ms: js_sys::Date::now() as i64,
        };
        spawn_local(async move {
            if let Err(e) = engine.edit(count).await {
                state.notice.set(Some(not_saved(e)));
            }
        });
    }
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|v| *v != value) {
        signal.set(value);
    }
}
