//! The store's day (issue 13): the owner's or a manager's view of every device's shifts of a
//! business day and the store-wide summary of its sales, asked of the sync worker, which reads
//! them from every device's documents. It is read again whenever another device's day or one of
//! this device's shift steps reaches the documents, while the screen is open.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::staff::Permission;

use super::{AppState, Screen, not_saved};
use crate::i18n::Msg;
use crate::sync::protocol::{Answer, Request, StoreDay};

#[derive(Clone, Copy)]
pub struct StoreDays {
    /// A moment of the day shown (ms since the epoch); `None` for today.
    pub day_ms: RwSignal<Option<f64>>,
    /// The day as last read; `None` until it is.
    pub shown: RwSignal<Option<StoreDay>>,
}

impl StoreDays {
    pub fn new() -> StoreDays {
        StoreDays {
            day_ms: RwSignal::new(None),
            shown: RwSignal::new(None),
        }
    }
}

impl AppState {
    /// Opens the store's day, today's, for a member who may see reports (or once one approved).
    pub fn open_store_day(&self) {
        if self.engine().is_none() {
            return self.error(Msg::JoinStoreFirst);
        }
        let state = *self;
        self.protected(Permission::SeeReports, move |_| {
            state.store_days.day_ms.set(None);
            state.store_days.shown.set(None);
            state.screen.set(Screen::StoreDay);
            state.load_store_day();
        });
    }

    /// Shows the store's day of the moment `day_ms`.
    pub fn choose_store_day(&self, day_ms: f64) {
        self.store_days.day_ms.set(Some(day_ms));
        self.load_store_day();
    }

    /// Reads the store's day shown from the documents.
    pub fn load_store_day(&self) {
        let Some(engine) = self.engine() else { return };
        let state = *self;
        let day_ms = self
            .store_days
            .day_ms
            .get_untracked()
            .unwrap_or_else(js_sys::Date::now);
        spawn_local(async move {
            match engine.ask(Request::StoreDay { day_ms }).await {
                Ok(Answer::StoreDay(day)) => {
                    // An answer for a day no longer chosen is dropped.
                    let still = state
                        .store_days
                        .day_ms
                        .get_untracked()
                        .is_none_or(|chosen| chosen == day_ms);
                    if still {
                        state.store_days.shown.set(Some(day));
                    }
                }
                Ok(_) => {}
                Err(reason) => state.notice.set(Some(not_saved(reason))),
            }
        });
    }
}
