//! The installable PWA's runtime half: registers the service worker that Workbox generates at
//! build time (`/sw.js`, see public/workbox-config.cjs), notices when a new version has been
//! downloaded in the background, and offers it (the banner is `views::update::UpdateBanner`).
//!
//! The generated worker does not take over by itself (`skipWaiting: false`): a new version
//! waits until the cashier presses "Update", which posts `{type: 'SKIP_WAITING'}` to it, and the
//! page reloads when the new worker controls it. A reload never happens under an open ticket or
//! an open payment: the button is disabled then, the guard is checked again when the new worker
//! takes over, and a takeover started elsewhere (another tab of the register pressed Update)
//! only shows the banner here.
//!
//! Everything here is best effort: without `navigator.serviceWorker` (an insecure origin, an old
//! browser) or when registration fails, the register runs as a plain web page, and the failure is
//! logged to the console.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::logging::{log, warn};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
};

/// The worker Workbox writes into dist/.
const SW_URL: &str = "/sw.js";
/// How often a running register asks the server for a new version (also on becoming visible and
/// on coming back online).
const UPDATE_CHECK_MS: i32 = 30 * 60 * 1000;

/// What this page knows about its service worker. Lives for the page; the banner subscribes.
#[derive(Default)]
struct Pwa {
    registration: Option<ServiceWorkerRegistration>,
    /// A new version, installed and waiting for SKIP_WAITING.
    waiting: Option<ServiceWorker>,
    /// A new worker took control after this page started without this page asking (another tab
    /// updated): this page still runs the old code until it reloads.
    taken_over: bool,
    /// The page has (had) a controller. The first `controllerchange` of a fresh install (the new
    /// worker claiming the page) is not a new version.
    controlled: bool,
    /// The cashier pressed Update: reload once the new worker controls the page.
    reload_requested: bool,
    /// Whether reloading is safe right now (no open ticket, no payment); set by the banner.
    /// Without a banner nothing reloads.
    safe_to_reload: Option<Rc<dyn Fn() -> bool>>,
    /// Told whenever [`update_ready`] may have changed.
    on_change: Option<Rc<dyn Fn()>>,
}

thread_local! {
    static PWA: RefCell<Pwa> = RefCell::default();
}

/// Registers `/sw.js` and starts watching for new versions. Call once at boot; never fails (a
/// browser without service workers, or a failed registration, is logged and ignored).
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    if !js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false) {
        log!(
            "service worker: not available here (insecure origin or old browser); running online only"
        );
        return;
    }
    let container = navigator.service_worker();
    PWA.with_borrow_mut(|p| p.controlled = container.controller().is_some());
    listen(&container, "controllerchange", controller_changed);

    wasm_bindgen_futures::spawn_local(async move {
        match JsFuture::from(container.register(SW_URL)).await {
            Ok(registration) => watch(registration.unchecked_into()),
            Err(e) => warn!("service worker: registration of {SW_URL} failed: {e:?}"),
        }
    });
}

/// True when a new version is ready to be used (waiting, or already in control elsewhere).
pub fn update_ready() -> bool {
    PWA.with_borrow(|p| p.waiting.is_some() || p.taken_over)
}

/// Switches to the new version if that is safe now: asks the waiting worker to activate (the
/// page reloads on `controllerchange`), or reloads at once if the new worker already controls
/// the page. Does nothing under an open ticket.
pub fn apply_update() {
    if !safe_to_reload() {
        return;
    }
    let (waiting, taken_over) = PWA.with_borrow_mut(|p| {
        p.reload_requested = true;
        (p.waiting.clone(), p.taken_over)
    });
    match waiting {
        Some(worker) => {
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"type".into(), &"SKIP_WAITING".into());
            if let Err(e) = worker.post_message(&message) {
                warn!("service worker: cannot ask the new version to activate: {e:?}");
                PWA.with_borrow_mut(|p| p.reload_requested = false);
            }
        }
        None if taken_over => reload(),
        None => PWA.with_borrow_mut(|p| p.reload_requested = false),
    }
}

/// Follows a registration: a version already waiting, one installing now, and every later one;
/// and checks for updates periodically.
fn watch(registration: ServiceWorkerRegistration) {
    PWA.with_borrow_mut(|p| p.registration = Some(registration.clone()));
    if let Some(worker) = registration.waiting() {
        set_waiting(Some(worker));
    }
    if let Some(worker) = registration.installing() {
        track_installing(worker);
    }
    let reg = registration.clone();
    listen(&registration, "updatefound", move || {
        if let Some(worker) = reg.installing() {
            track_installing(worker);
        }
    });

    let Some(window) = web_sys::window() else {
        return;
    };
    let periodic = Closure::<dyn FnMut()>::new(check_for_update);
    if let Err(e) = window.set_interval_with_callback_and_timeout_and_arguments_0(
        periodic.as_ref().unchecked_ref(),
        UPDATE_CHECK_MS,
    ) {
        warn!("service worker: cannot schedule update checks: {e:?}");
    }
    periodic.forget();
    listen(&window, "online", check_for_update);
    if let Some(document) = window.document() {
        let doc = document.clone();
        listen(&document, "visibilitychange", move || {
            if !doc.hidden() {
                check_for_update();
            }
        });
    }
}

/// A new worker is installing: it is a new version once installed while a worker controls the
/// page (without a controller it is the first install, which activates by itself).
fn track_installing(worker: ServiceWorker) {
    let w = worker.clone();
    let check = move || {
        if w.state() == ServiceWorkerState::Installed && has_controller() {
            set_waiting(Some(w.clone()));
        }
    };
    check();
    listen(&worker, "statechange", check);
}

/// The controller changed: reload if the cashier asked for the update and it is still safe,
/// otherwise only say that a new version is in control.
fn controller_changed() {
    let (requested, was_controlled) = PWA.with_borrow_mut(|p| {
        let was = p.controlled;
        p.controlled = true;
        (p.reload_requested, was)
    });
    if requested && safe_to_reload() {
        reload();
        return;
    }
    if requested || was_controlled {
        // A ticket was opened after Update was pressed, or another tab updated: never reload
        // here; the banner offers the reload once the ticket is closed.
        let still_waiting = PWA.with_borrow_mut(|p| {
            p.reload_requested = false;
            p.taken_over = true;
            p.registration
                .as_ref()
                .and_then(ServiceWorkerRegistration::waiting)
        });
        set_waiting(still_waiting);
    }
}

fn check_for_update() {
    let Some(registration) = PWA.with_borrow(|p| p.registration.clone()) else {
        return;
    };
    match registration.update() {
        Ok(promise) => wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = JsFuture::from(promise).await {
                log!("service worker: update check failed (offline?): {e:?}");
            }
        }),
        Err(e) => log!("service worker: update check failed: {e:?}"),
    }
}

fn set_waiting(worker: Option<ServiceWorker>) {
    PWA.with_borrow_mut(|p| p.waiting = worker);
    notify();
}

/// Calls the subscriber outside the borrow (it reads [`update_ready`]).
fn notify() {
    if let Some(f) = PWA.with_borrow(|p| p.on_change.clone()) {
        f();
    }
}

fn safe_to_reload() -> bool {
    PWA.with_borrow(|p| p.safe_to_reload.clone())
        .is_some_and(|safe| safe())
}

fn has_controller() -> bool {
    web_sys::window()
        .map(|w| w.navigator().service_worker())
        .and_then(|c: ServiceWorkerContainer| c.controller())
        .is_some()
}

fn reload() {
    if let Some(window) = web_sys::window()
        && let Err(e) = window.location().reload()
    {
        warn!("service worker: reload failed: {e:?}");
    }
}

/// Adds an event listener for the life of the page.
fn listen(target: &web_sys::EventTarget, event: &str, f: impl FnMut() + 'static) {
    let closure = Closure::<dyn FnMut()>::new(f);
    if let Err(e) = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
    {
        warn!("service worker: cannot listen to {event}: {e:?}");
    }
    closure.forget();
}

/// Lets the update banner follow this page's service worker: `on_change` runs whenever
/// [`update_ready`] may have changed, and `safe_to_reload` is asked before the page reloads into a
/// new version (no open ticket, no payment). Without a follower nothing reloads.
pub fn follow_updates(on_change: Rc<dyn Fn()>, safe_to_reload: Rc<dyn Fn() -> bool>) {
    PWA.with_borrow_mut(|p| {
        p.on_change = Some(on_change);
        p.safe_to_reload = Some(safe_to_reload);
    });
}

pub fn stop_following_updates() {
    PWA.with_borrow_mut(|p| {
        p.on_change = None;
        p.safe_to_reload = None;
    });
}
