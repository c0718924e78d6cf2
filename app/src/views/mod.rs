//! The screens. Each reads the [`AppState`] from context and calls its actions.

mod camera;
mod completed;
mod discount;
mod pay;
mod printer_settings;
mod printing;
mod receipt;
mod register;
mod sales;
mod scanner_settings;
mod settings;
mod terminal_settings;
mod ticket;

use leptos::prelude::*;

use crate::i18n::{Lang, Msg};
use crate::state::{AppState, Connection, Notice, Screen};
use crate::storage::StorageError;

#[component]
pub fn App(state: AppState) -> impl IntoView {
    provide_context(state);
    Effect::new(move |_| {
        let lang = state.lang.get();
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("lang", lang.tag());
        }
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            doc.set_title(Msg::AppTitle.text(lang));
        }
    });
    view! {
        <div class="app">
            <Header />
            <NoticeBar />
            <crate::pwa::UpdateBanner />
            <printing::PrintStatus />
            <main class="screen">
                {move || match state.screen.get() {
                    Screen::Register => view! { <register::Register /> }.into_any(),
                    Screen::Sales => view! { <sales::Sales /> }.into_any(),
                    Screen::Settings => view! { <settings::Settings /> }.into_any(),
                }}
            </main>
            <Show when=move || state.payment.with(Option::is_some)>
                <pay::PayDialog />
            </Show>
            <Show when=move || state.last_sale.with(Option::is_some)>
                <completed::Completed />
            </Show>
            <Show when=move || state.camera_open.get()>
                <camera::CameraScanner />
            </Show>
        </div>
    }
}

#[component]
fn Header() -> impl IntoView {
    let state = expect_context::<AppState>();
    let nav = move |screen: Screen, msg: Msg, testid: &'static str| {
        view! {
            <button
                class="nav"
                data-testid=testid
                class:active=move || state.screen.get() == screen
                on:click=move |_| {
                    if screen == Screen::Sales {
                        state.load_sales(false);
                    }
                    state.viewed_sale.set(None);
                    state.screen.set(screen);
                }
            >
                {move || state.t(msg)}
            </button>
        }
    };
    view! {
        <header class="topbar">
            <div class="brand">
                <span class="store-name">{move || state.store.with(|s| s.name.clone())}</span>
                <Show when=move || state.catalog.with(|c| c.is_demo)>
                    <span class="badge demo" data-testid="demo-badge">{move || state.t(Msg::DemoBadge)}</span>
                </Show>
            </div>
            <nav>
                {nav(Screen::Register, Msg::NavRegister, "nav-register")}
                {nav(Screen::Sales, Msg::NavSales, "nav-sales")}
                {nav(Screen::Settings, Msg::NavSettings, "nav-settings")}
            </nav>
            <Show when=move || state.terminal.with(|t| t.is_training())>
                <span class="badge training" data-testid="training-badge">{move || state.t(Msg::Training)}</span>
            </Show>
            <ConnectionStatus />
            <LangSwitch />
        </header>
    }
}

#[component]
pub fn LangSwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <select
            class="lang"
            data-testid="lang-switch"
            aria-label=move || state.t(Msg::Language)
            on:change=move |ev| {
                if let Some(lang) = Lang::from_tag(&event_target_value(&ev)) {
                    crate::remember_lang(lang);
                    state.lang.set(lang);
                }
            }
        >
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    view! {
                        <option value=lang.tag() selected=move || state.lang.get() == lang>
                            {lang.native_name()}
                        </option>
                    }
                })
                .collect_view()}
        </select>
    }
}

#[component]
fn NoticeBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        {move || {
            state
                .notice
                .get()
                .map(|notice| {
                    let lang = state.lang.get();
                    let (class, text) = match notice {
                        Notice::Error(msg, args) => {
                            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                            ("notice error", msg.fill(lang, &args))
                        }
                        Notice::Info(msg) => ("notice info", msg.text(lang).to_string()),
                    };
                    view! {
                        <div class=class role="alert" data-testid="notice">
                            <span>{text}</span>
                            <button class="dismiss" on:click=move |_| state.notice.set(None)>
                                {state.t(Msg::Dismiss)}
                            </button>
                        </div>
                    }
                })
        }}
    }
}

/// Online or offline, as the sync status area of the header. Sync itself comes later; today this
/// says whether the server answers.
#[component]
fn ConnectionStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <span
            class="connection"
            data-testid="sync-status"
            class:online=move || state.connection.get() == Connection::Online
            class:offline=move || state.connection.get() == Connection::Offline
            role="status"
        >
            {move || state.t(match state.connection.get() {
                Connection::Online => Msg::Online,
                Connection::Offline => Msg::Offline,
                Connection::Checking => Msg::Checking,
            })}
        </span>
    }
}

/// The whole app when the browser refuses storage: better no register than one that loses sales.
#[component]
pub fn StorageUnavailable(lang: Lang, error: StorageError) -> impl IntoView {
    view! {
        <div class="fatal" role="alert" data-testid="storage-unavailable">
            <h1>{Msg::AppTitle.text(lang)}</h1>
            <p>{crate::storage_error_text(lang, &error)}</p>
        </div>
    }
}
