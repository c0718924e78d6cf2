//! The screens. Each reads the [`AppState`] from context and calls its actions.

mod camera;
mod chooser;
mod completed;
mod customers;
mod discount;
mod forms;
mod gift_card;
mod gift_card_desk;
mod menu;
mod pay;
mod points;
mod loyalty_settings;
mod printer_settings;
mod printing;
mod receipt;
mod receipt_settings;
mod register;
mod sales;
mod scanner_settings;
mod settings;
mod reconciliation;
mod shift;
mod staff;
mod staff_settings;
mod store;
mod store_day;
mod terminal_settings;
mod ticket;
mod update;

use leptos::prelude::*;

use crate::i18n::{self, Lang, Msg};
use crate::state::{AppState, Connection, Notice, Screen};
use crate::storage::StorageError;
use crate::sync::SyncLink;
use crate::sync::protocol::Request;
use pos_core::staff::Permission;

#[component]
pub fn App(state: AppState) -> impl IntoView {
    provide_context(state);
    Effect::new(move |_| {
        let lang = state.lang.get();
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
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
            <Show when=move || state.screen.get() == Screen::Register>
                <menu::CurrencyMismatch />
            </Show>
            <InsecureOrigin />
            <update::UpdateBanner />
            <printing::PrintStatus />
            <main class="screen">
                {move || match state.screen.get() {
                    Screen::Register => view! { <register::Register /> }.into_any(),
                    Screen::Sales => view! { <sales::Sales /> }.into_any(),
                    Screen::Customers => view! { <customers::CustomersScreen /> }.into_any(),
                    Screen::Settings => view! { <settings::Settings /> }.into_any(),
                    Screen::Menu => view! { <menu::Menu /> }.into_any(),
                    Screen::Shift => view! { <shift::ShiftScreen /> }.into_any(),
                    Screen::StoreDay => view! { <store_day::StoreDayScreen /> }.into_any(),
                    Screen::GiftCards => view! { <gift_card_desk::GiftCardDeskScreen /> }.into_any(),
                    Screen::Setup => view! { <store::Setup /> }.into_any(),
                    Screen::Join => view! { <store::Join /> }.into_any(),
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
            <chooser::Chooser />
            <staff::ApprovalDialog />
            <staff::LockScreen />
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
                    if screen == Screen::Customers {
                        state.customers.viewed.set(None);
                        state.customers.editing.set(None);
                    }
                    // The menu is where the catalog is edited: a member who may not asks first.
                    if screen == Screen::Menu {
                        state.protected(Permission::EditCatalog, move |_| state.screen.set(screen));
                    } else {
                        state.screen.set(screen);
                    }
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
                {nav(Screen::Customers, Msg::NavCustomers, "nav-customers")}
                {nav(Screen::Shift, Msg::NavShift, "nav-shift")}
                {nav(Screen::Menu, Msg::NavMenu, "nav-menu")}
                {nav(Screen::Settings, Msg::NavSettings, "nav-settings")}
            </nav>
            <staff::StaffBadge />
            <Show when=move || state.terminal.with(|t| t.is_training())>
                <span class="badge training" data-testid="training-badge">{move || state.t(Msg::Training)}</span>
            </Show>
            <ConnectionStatus />
        </header>
    }
}

/// The language of the screens, in Settings; the choice is kept for the next start.
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

/// Says what will not work when the register is served over plain http to another computer,
/// and how to serve it instead; the browser itself says nothing about it.
#[component]
fn InsecureOrigin() -> impl IntoView {
    let state = expect_context::<AppState>();
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    // In the page's flow, not over the tiles: it stays until dismissed, on every start.
    let shown = RwSignal::new(!crate::browser::is_secure_context());
    move || {
        let origin = origin.clone();
        shown.get().then(|| {
            view! {
                <div class="insecure-banner" role="status" data-testid="insecure-origin">
                    <span>{move || Msg::InsecureOrigin.fill(state.lang.get(), &[("origin", &origin)])}</span>
                    <button class="dismiss" on:click=move |_| shown.set(false)>{move || state.t(Msg::Dismiss)}</button>
                </div>
            }
        })
    }
}

#[component]
fn NoticeBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    // What went well goes away on its own, so a "saved" never stays over the next button the
    // manager needs; a refusal or a failure stays until it is dismissed.
    Effect::new(move |_| {
        let shown = state.notice.get();
        if matches!(shown, Some(Notice::Info(_) | Notice::Done(..))) {
            set_timeout(
                move || {
                    if state.notice.try_with_untracked(|n| *n == shown) == Some(true) {
                        state.notice.set(None);
                    }
                },
                std::time::Duration::from_secs(8),
            );
        }
    });
    view! {
        {move || {
            state
                .notice
                .get()
                .map(|notice| {
                    let lang = state.lang.get();
                    let (class, text, detail) = match notice {
                        Notice::Error(msg, args) => {
                            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                            ("notice error", msg.fill(lang, &args), None)
                        }
                        Notice::Fault(msg, detail) => {
                            ("notice error", msg.text(lang).to_string(), Some(detail))
                        }
                        Notice::Info(msg) => ("notice info", msg.text(lang).to_string(), None),
                        Notice::Done(msg, args) => {
                            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                            ("notice info", msg.fill(lang, &args), None)
                        }
                    };
                    view! {
                        <div class=class role="alert" data-testid="notice">
                            <span>{text}</span>
                            <Details detail=detail />
                            <button class="dismiss" on:click=move |_| state.notice.set(None)>
                                {state.t(Msg::Dismiss)}
                            </button>
                        </div>
                    }
                })
        }}
    }
}

/// A failure's cause in the words of the browser or the device (developer text, often English),
/// folded away under "Details" so the cashier reads only the translated message above it.
#[component]
pub fn Details(detail: Option<String>) -> impl IntoView {
    let state = expect_context::<AppState>();
    detail.filter(|d| !d.is_empty()).map(|detail| {
        view! {
            <details class="details" data-testid="details">
                <summary>{state.t(Msg::Details)}</summary>
                <code>{detail}</code>
            </details>
        }
    })
}

/// The sync status in the header: for a device of a store, the link to the sync server, the
/// changes not yet acknowledged, the last sync and the download progress; for a device on its
/// own, whether the server answers.
#[component]
fn ConnectionStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    let link = move || state.sync.with(|s| s.link);
    let member = move || link() != SyncLink::Standalone;
    let online = move || {
        if member() {
            matches!(link(), SyncLink::Online | SyncLink::OtherTab)
        } else {
            state.connection.get() == Connection::Online
        }
    };
    let text = move || {
        state.t(match (member(), link(), state.connection.get()) {
            // A device that joined is connected but not synced until the store's settings have
            // arrived and given it a receipt prefix: until then it cannot keep a sale.
            (true, SyncLink::Online, _) if state.receipt_prefix_pending.get() => {
                Msg::SyncGettingStore
            }
            (true, SyncLink::Online, _) => Msg::SyncOnline,
            (true, SyncLink::Removed, _) => Msg::SyncRemoved,
            (true, SyncLink::Connecting, _) => Msg::Checking,
            (true, SyncLink::OtherTab, _) => Msg::SyncOtherTab,
            (true, _, _) => Msg::Offline,
            (false, _, Connection::Online) => Msg::Online,
            (false, _, Connection::Offline) => Msg::Offline,
            (false, _, Connection::Checking) => Msg::Checking,
        })
    };
    view! {
        <div class="sync">
            <span class="connection" data-testid="sync-status" class:online=online class:offline=move || !online() role="status">
                {text}
            </span>
            <Show when=member>
                <span class="sync-detail" data-testid="sync-pending" data-count=move || state.sync.with(|s| s.unacknowledged)>
                    {move || {
                        let count = state.sync.with(|s| s.unacknowledged);
                        (count > 0).then(|| Msg::SyncPending.fill(state.lang.get(), &[("count", &count.to_string())]))
                    }}
                </span>
                <span class="sync-detail" data-testid="sync-last">
                    {move || match state.sync.with(|s| s.last_sync_ms) {
                        Some(ms) => Msg::SyncLast.fill(state.lang.get(), &[("time", &i18n::date_time(ms as i64, state.lang.get()))]),
                        None => state.t(Msg::SyncNever).to_string(),
                    }}
                </span>
                {move || state.sync.with(|s| s.downloading).map(|(done, total)| view! {
                    <span class="sync-progress" data-testid="sync-progress">
                        <progress max=total value=done></progress>
                        {Msg::SyncDownloading.fill(state.lang.get(), &[("done", &done.to_string()), ("total", &total.to_string())])}
                    </span>
                })}
            </Show>
        </div>
        {move || state.sync.with(|s| s.error.clone()).map(|reason| {
            let said = crate::sync::api::sync_refusal_msg(&reason);
            view! {
            <div class="notice error" role="alert" data-testid="sync-problem">
                {move || state.t(said)}
                <Details detail=Some(reason) />
            </div>
        }})}
        {move || state.sync.with(|s| s.engine_failed.clone()).map(|reason| view! {
            <div class="notice error" role="alert" data-testid="sync-engine-failed">
                {move || state.t(Msg::SyncEngineFailed)}
                <Details detail=Some(reason) />
            </div>
        })}
        {move || state.sync.with(|s| s.document_problem.clone()).map(|reason| view! {
            <div class="notice error" role="alert" data-testid="document-problem">
                {move || state.t(Msg::DocumentProblem)}
                <Details detail=Some(reason) />
            </div>
        })}
        <EarlierSales />
        <Show when=move || link() == SyncLink::Removed>
            <div class="notice error" role="alert" data-testid="device-removed">{move || state.t(Msg::DeviceRemoved)}</div>
        </Show>
    }
}

/// Sales made before this device joined its store: the owner adds them to the store (through the
/// outbox, like every sale) or keeps them here; they are never sent without being asked.
#[component]
fn EarlierSales() -> impl IntoView {
    let state = expect_context::<AppState>();
    let count = move || state.sync.with(|s| s.before_joining);
    let any = move || count() != 0;
    let choose = move |add: bool| {
        let Some(engine) = state.engine() else { return };
        leptos::task::spawn_local(async move {
            let result = engine
                .ask(if add {
                    Request::AddEarlierSales
                } else {
                    Request::KeepEarlierSalesHere
                })
                .await;
            match result {
                Ok(_) => state.sync.update(|s| s.before_joining = 0),
                Err(reason) => state.notice.set(Some(crate::state::not_saved(reason))),
            }
        });
    };
    view! {
        <Show when=any>
            <div class="notice" role="status" data-testid="earlier-sales">
                {move || Msg::EarlierSales.fill(state.lang.get(), &[("count", &count().to_string())])}
                " "
                <button data-testid="earlier-sales-add" on:click=move |_| choose(true)>{move || state.t(Msg::EarlierSalesAdd)}</button>
                " "
                <button data-testid="earlier-sales-keep" on:click=move |_| choose(false)>{move || state.t(Msg::EarlierSalesKeep)}</button>
            </div>
        </Show>
    }
}

/// The whole app in a second tab where the browser has no Web Locks (`only_tab`).
#[component]
pub fn AlreadyOpen(lang: Lang) -> impl IntoView {
    view! {
        <div class="fatal" role="alert">
            <h1>{Msg::AppTitle.text(lang)}</h1>
            <p data-testid="already-open">{Msg::AlreadyOpen.text(lang)}</p>
        </div>
    }
}

/// The whole app when the browser refuses storage: better no register than one that loses sales.
#[component]
pub fn StorageUnavailable(lang: Lang, error: StorageError) -> impl IntoView {
    view! {
        <div class="fatal" role="alert" data-testid="storage-unavailable">
            <h1>{Msg::AppTitle.text(lang)}</h1>
            {
                let (text, detail) = crate::storage_error_text(lang, &error);
                view! {
                    <p>{text}</p>
                    {detail.map(|detail| view! {
                        <details class="details" data-testid="details">
                            <summary>{Msg::Details.text(lang)}</summary>
                            <code>{detail}</code>
                        </details>
                    })}
                }
            }
        </div>
    }
}
