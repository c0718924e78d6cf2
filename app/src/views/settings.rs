//! Device settings: the language, the demo data, and what this device is.

use leptos::prelude::*;
use pos_core::{Catalog, Store, demo};

use super::LangSwitch;
use crate::i18n::{Lang, Msg};
use crate::state::AppState;

#[component]
pub fn Settings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let remove_demo = move |_| {
        let store = state.store.get_untracked();
        let store = Store { name: String::new(), receipt_footer: String::new(), ..store };
        state.replace_catalog(store, Catalog::default(), Msg::DemoRemoved);
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
                <p class="note">{move || state.t(Msg::StorageNote)}</p>
            </div>
        </section>
    }
}
