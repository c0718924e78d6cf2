//! Device settings: the language, the demo data, and what this device is.

use leptos::prelude::*;
use pos_core::staff::Permission;
use pos_core::{Catalog, Store, demo};

use super::LangSwitch;
use crate::browser::{StorageInfo, storage_estimate};
use crate::i18n::{self, Lang, Msg};
use crate::state::AppState;

#[component]
pub fn Settings() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Approved once, open until the screen is left.
    let unlocked = RwSignal::new(false);
    let remove_demo = move |_| {
        let store = state.store.get_untracked();
        let store = Store {
            name: String::new(),
            receipt_footer: String::new(),
            ..store
        };
        let empty = Catalog {
            currency: Some(store.rules.currency),
            ..Catalog::default()
        };
        state.replace_catalog(store, empty, Msg::DemoRemoved);
    };
    let load_demo = move |_| {
        let (store, catalog) = demo::food_truck(state.lang.get_untracked() == Lang::Ru);
        state.replace_catalog(store, catalog, Msg::DemoIsLoaded);
    };
    view! {
        <section class="settings">
            <h2>{move || state.t(Msg::NavSettings)}</h2>
            <div class="setting">
                <h3>{move || state.t(Msg::Language)}</h3>
                <LangSwitch />
            </div>
            <div class="setting">
                <h3>{move || state.t(Msg::DemoData)}</h3>
                {move || if state.catalog.with(|c| c.is_demo) {
                    view! {
                        <p>{move || state.t(Msg::DemoIsLoaded)}</p>
                        <button class="danger" data-testid="remove-demo" on:click=remove_demo>{move || state.t(Msg::RemoveDemo)}</button>
                    }.into_any()
                } else {
                    view! {
                        <p>{move || state.t(Msg::NoDemo)}</p>
                        <button data-testid="load-demo" on:click=load_demo>{move || state.t(Msg::LoadDemo)}</button>
                    }.into_any()
                }}
            </div>
            <div class="setting">
                <h3>{move || state.t(Msg::Device)}</h3>
                <p data-testid="device-code">{move || Msg::DeviceCode.fill(state.lang.get(), &[("code", &state.device_code.get())])}</p>
            </div>
            <super::store::StoreSetting />
            <super::staff_settings::StaffSetting />
            // What the store's receipts say and how this till takes cards and prints: a member
            // whose role may not change settings asks someone who may, as for any protected action.
            <Show when=move || unlocked.get() || state.staff.may(Permission::ChangeSettings) fallback=move || view! {
                <div class="setting">
                    <button data-testid="unlock-settings" on:click=move |_| state.protected(Permission::ChangeSettings, move |_| unlocked.set(true))>
                        {move || state.t(Msg::UnlockSettings)}
                    </button>
                </div>
            }>
                <super::receipt_settings::ReceiptSettings />
                <super::loyalty_settings::LoyaltySettings />
                <super::printer_settings::PrinterSettings />
                <super::terminal_settings::TerminalSettingsView />
                <super::scanner_settings::ScannerSettings />
            </Show>
            <StorageSetting />
        </section>
    }
}

#[component]
fn StorageSetting() -> impl IntoView {
    let state = expect_context::<AppState>();
    let info = LocalResource::new(storage_estimate);
    view! {
        <div class="setting">
            <h3>{move || state.t(Msg::StorageHeading)}</h3>
            {move || {
                let lang = state.lang.get();
                info.get().map(|info: StorageInfo| {
                    let usage = match (info.usage, info.quota) {
                        (Some(used), Some(quota)) => Msg::StorageUsage.fill(
                            lang,
                            &[("used", &i18n::megabytes(used, lang)), ("free", &i18n::megabytes(quota.saturating_sub(used), lang))],
                        ),
                        _ => Msg::StorageUnknown.text(lang).to_string(),
                    };
                    let persisted = if info.persisted { Msg::StoragePersisted } else { Msg::StorageNotPersisted };
                    view! {
                        <p data-testid="storage-usage">{usage}</p>
                        <p class="note">{persisted.text(lang)}</p>
                    }
                })
            }}
        </div>
    }
}
