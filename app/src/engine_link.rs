//! The page's end of the sync worker (`sync::worker`): starts it, asks it for edits and answers,
//! and hands what it says changed to the page's state (`AppState::apply_engine_event`), which it
//! never touches itself. The page never touches the documents either, so its wasm holds no
//! Automerge.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use pos_core::{CatalogEdit, Uuid};

use crate::storage::Membership;
use crate::sync::protocol::{Answer, Edit, FromEngine, Request, ToEngine};
use crate::sync::{SyncLink, SyncStatus};

/// `public/sync-worker-loader.js` starts the wasm Trunk builds from `src/bin/sync_worker.rs`.
const WORKER_LOADER: &str = "./sync-worker-loader.js";

type Reply = Result<Answer, String>;

/// Catalog edits in one message to the worker: encoding 2,000 takes the page a few
/// milliseconds, 50,000 a third of a second.
pub const CATALOG_PART: usize = 2_000;

/// How far a large catalog edit is, in thousandths: the parts sent to the worker are the first
/// half, the edits the worker has made the next [`MADE_SHARE`]; storing them is the rest.
const SENT_SHARE: usize = 500;
const MADE_SHARE: usize = 450;

/// What the page hears from its sync worker.
pub enum EngineEvent {
    /// What changed (never an answer: answers go to the request that waits for them).
    Said(FromEngine),
    /// The worker did not start, or stopped: why.
    Stopped(String),
}

#[derive(Clone)]
pub struct EngineLink(Rc<Inner>);

struct Inner {
    worker: Option<web_sys::Worker>,
    /// Messages posted before the worker said it is ready would be lost: they wait here.
    queue: RefCell<Option<Vec<String>>>,
    waiting: RefCell<HashMap<u32, oneshot::Sender<Reply>>>,
    /// Who hears how far a waiting request is (`FromEngine::Progress`): done, total.
    progress: RefCell<HashMap<u32, Rc<dyn Fn(usize, usize)>>>,
    next_id: Cell<u32>,
    /// Why the worker is gone, once it is: every request then fails with it at once.
    dead: RefCell<Option<String>>,
}

impl EngineLink {
    /// Starts the sync worker for this device's store, with this device's receipt prefix;
    /// `on_event` hears what the engine says changed, and why it stopped if it does.
    pub fn start(
        membership: Membership,
        device_code: String,
        on_event: impl Fn(EngineEvent) + 'static,
    ) -> EngineLink {
        let on_event: Rc<dyn Fn(EngineEvent)> = Rc::new(on_event);
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(WORKER_LOADER, &options).ok();
        let link = EngineLink(Rc::new(Inner {
            worker,
            queue: RefCell::new(Some(Vec::new())),
            waiting: RefCell::new(HashMap::new()),
            progress: RefCell::new(HashMap::new()),
            next_id: Cell::new(1),
            dead: RefCell::new(None),
        }));
        let Some(worker) = &link.0.worker else {
            link.died(
                &*on_event,
                "the browser would not start the sync worker".into(),
            );
            return link;
        };
        let on_message = {
            let (link, on_event) = (link.clone(), on_event.clone());
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                link.heard(&*on_event, event.data());
            })
        };
        let on_error = {
            let link = link.clone();
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                link.died(&*on_event, event.message());
            })
        };
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        // The worker lives as long as the page.
        on_message.forget();
        on_error.forget();
        link.post(ToEngine::Start {
            membership,
            device_code,
            now_ms: js_sys::Date::now(),
        });
        link
    }

    /// Asks the engine and waits for its answer.
    pub async fn ask(&self, request: Request) -> Reply {
        self.ask_reporting(request, None).await
    }

    /// Asks the engine and waits for its answer; `progress` hears how far it is meanwhile.
    async fn ask_reporting(
        &self,
        request: Request,
        progress: Option<Rc<dyn Fn(usize, usize)>>,
    ) -> Reply {
        if let Some(reason) = self.0.dead.borrow().clone() {
            return Err(reason);
        }
        let id = self.0.next_id.get();
        self.0.next_id.set(id.wrapping_add(1));
        let (reply, answer) = oneshot::channel();
        self.0.waiting.borrow_mut().insert(id, reply);
        if let Some(progress) = progress {
            self.0.progress.borrow_mut().insert(id, progress);
        }
        self.post(ToEngine::Ask {
            id,
            now_ms: js_sys::Date::now(),
            request,
        });
        let reply = answer
            .await
            .unwrap_or_else(|_| Err("the sync worker stopped".into()));
        self.0.progress.borrow_mut().remove(&id);
        reply
    }

    /// Managers' edits of the catalog, made in order and all or none: `Ok` once stored on this
    /// device. A large edit (an import) goes in parts of [`CATALOG_PART`], each encoded in a task
    /// of its own, and is made once every part is there; `progress` hears how far it is, in
    /// thousandths, until it is stored.
    pub async fn edit_catalog(
        &self,
        edits: Vec<CatalogEdit>,
        progress: impl Fn(u32) + 'static,
    ) -> Result<(), String> {
        let count = edits.len();
        if count <= CATALOG_PART {
            return self.edit(Edit::Catalog(edits)).await;
        }
        let permille = |share: usize, done: usize, total: usize| {
            u32::try_from(share * done / total.max(1)).unwrap_or(1000)
        };
        let edit = Uuid::now_v7();
        let mut sent = 0;
        let mut rest = edits.into_iter();
        loop {
            let part: Vec<CatalogEdit> = rest.by_ref().take(CATALOG_PART).collect();
            if part.is_empty() {
                break;
            }
            sent += part.len();
            self.ask(Request::CatalogPart { edit, edits: part }).await?;
            progress(permille(SENT_SHARE, sent, count));
        }
        let made: Rc<dyn Fn(usize, usize)> = Rc::new(move |done, total| {
            progress(SENT_SHARE as u32 + permille(MADE_SHARE, done, total))
        });
        self.ask_reporting(Request::Edit(Edit::CatalogParts { edit, count }), Some(made))
            .await
            .map(|_| ())
    }

    /// An edit of the store's documents: `Ok` once it is stored on this device.
    pub async fn edit(&self, edit: Edit) -> Result<(), String> {
        self.ask(Request::Edit(edit)).await.map(|_| ())
    }

    fn post(&self, message: ToEngine) {
        let text = message.encode();
        if let Some(queue) = self.0.queue.borrow_mut().as_mut() {
            return queue.push(text);
        }
        if let Some(worker) = &self.0.worker {
            let _ = worker.post_message(&JsValue::from_str(&text));
        }
    }

    fn heard(&self, on_event: &dyn Fn(EngineEvent), data: JsValue) {
        if data.as_string().as_deref() == Some("ready") {
            let queued = self.0.queue.borrow_mut().take().unwrap_or_default();
            if let Some(worker) = &self.0.worker {
                for text in queued {
                    let _ = worker.post_message(&JsValue::from_str(&text));
                }
            }
            return;
        }
        let failed = js_sys::Reflect::get(&data, &"failed".into()).ok();
        if let Some(reason) = failed.and_then(|f| f.as_string()) {
            return self.died(on_event, reason);
        }
        let Some(text) = data.as_string() else { return };
        match serde_json::from_str::<FromEngine>(&text) {
            Ok(FromEngine::Progress { id, done, total }) => {
                let heard = self.0.progress.borrow().get(&id).cloned();
                if let Some(progress) = heard {
                    progress(done, total);
                }
            }
            Ok(FromEngine::Answer { id, result }) => {
                if let Some(reply) = self.0.waiting.borrow_mut().remove(&id) {
                    let _ = reply.send(result);
                }
            }
            Ok(event) => on_event(EngineEvent::Said(event)),
            Err(e) => web_sys::console::error_1(&format!("sync worker said: {e}").into()),
        }
    }

    /// The worker could not load (its wasm missing offline, say) or stopped: said on screen, and
    /// every request waiting for it fails instead of waiting forever.
    fn died(&self, on_event: &dyn Fn(EngineEvent), reason: String) {
        *self.0.dead.borrow_mut() = Some(reason.clone());
        self.0.progress.borrow_mut().clear();
        for (_, reply) in self.0.waiting.borrow_mut().drain() {
            let _ = reply.send(Err(reason.clone()));
        }
        on_event(EngineEvent::Stopped(reason));
    }
}

/// Until the worker has said anything, the header says it is connecting.
pub fn starting_status() -> SyncStatus {
    SyncStatus {
        link: SyncLink::Connecting,
        ..SyncStatus::default()
    }
}
