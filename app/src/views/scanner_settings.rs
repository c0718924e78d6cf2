//! Settings for barcode scanners: keyboard-mode scanners need none; a USB scanner in HID-POS
//! mode is chosen once here and found again on every start.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::hid_scanner;
use crate::i18n::Msg;
use crate::state::AppState;

#[component]
pub fn ScannerSettings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let choose = move |_| {
        spawn_local(async move {
            hid_scanner::choose(state.on_scanner()).await;
        })
    };
    view! {
        <div class="setting" data-testid="scanner-settings">
            <h3>{move || state.t(Msg::Scanners)}</h3>
            {move || match state.hid_scanner.get() {
                Some(name) => view! { <p data-testid="hid-status">{Msg::HidScannerReady.fill(state.lang.get(), &[("name", &name)])}</p> }.into_any(),
                None if !hid_scanner::available() => view! { <p data-testid="hid-status">{move || state.t(Msg::HidUnavailable)}</p> }.into_any(),
                None => view! { <p data-testid="hid-status">{move || state.t(Msg::HidScannerNone)}</p> }.into_any(),
            }}
            <Show when=hid_scanner::available>
                <button data-testid="hid-connect" on:click=choose>{move || state.t(Msg::HidScannerAdd)}</button>
            </Show>
        </div>
    }
}
