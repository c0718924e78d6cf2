//! The sync engine's home: a dedicated worker (`src/bin/sync_worker.rs`, started by
//! `public/sync-worker-loader.js`) that owns Automerge, the document chunks, the sync client and
//! the WebSocket, so the page never links the documents and never waits on them. It opens its own
//! connection to IndexedDB, answers the page's [`Request`]s and tells it what changed.

use super::protocol::{Answer, Edit, Request, ToEngine};
use super::*;

/// Sets the worker up: waits for the page's `Start`, then answers its requests.
pub fn run() {
    console_error_panic_hook::set_once();
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let engine: Rc<RefCell<Option<SharedEngine>>> = Rc::new(RefCell::new(None));
    // Requests that arrive while the engine opens its documents are answered once it has.
    let early: Rc<RefCell<Vec<(u32, Request)>>> = Rc::new(RefCell::new(Vec::new()));
    let on_message = {
        let scope = scope.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let Some(text) = event.data().as_string() else {
                return;
            };
            let message = match serde_json::from_str::<ToEngine>(&text) {
                Ok(message) => message,
                Err(e) => {
                    web_sys::console::error_1(&format!("sync worker: {e}").into());
                    return;
                }
            };
            match message {
                ToEngine::Start {
                    membership,
                    device_code,
                    now_ms,
                } => {
                    follow_page_clock(now_ms);
                    if engine.borrow().is_some() {
                        return;
                    }
                    let (engine, early, scope) = (engine.clone(), early.clone(), scope.clone());
                    spawn_local(async move {
                        let Some(shared) = open(scope.clone(), membership, device_code).await
                        else {
                            return;
                        };
                        *engine.borrow_mut() = Some(shared.clone());
                        for (id, request) in std::mem::take(&mut *early.borrow_mut()) {
                            spawn_local(answer(scope.clone(), shared.clone(), id, request));
                        }
                    });
                }
                ToEngine::Ask {
                    id,
                    now_ms,
                    request,
                } => {
                    follow_page_clock(now_ms);
                    match engine.borrow().clone() {
                        Some(shared) => spawn_local(answer(scope.clone(), shared, id, request)),
                        None => early.borrow_mut().push((id, request)),
                    }
                }
            }
        })
    };
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The page waits for this before it posts: a message that arrives before `onmessage` is set
    // would be lost.
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

fn post(scope: &web_sys::DedicatedWorkerGlobalScope, event: &FromEngine) {
    // A page that went away cannot be told; there is nobody to tell.
    let _ = scope.post_message(&JsValue::from_str(&event.encode()));
}

async fn open(
    scope: web_sys::DedicatedWorkerGlobalScope,
    membership: Membership,
    device_code: String,
) -> Option<SharedEngine> {
    // The worker's own connection to the page's database (the page made and migrated it).
    let storage = match crate::idb::IdbStorage::open(0, crate::new_device_code).await {
        Ok(storage) => storage,
        Err(e) => {
            let status = SyncStatus {
                link: SyncLink::Offline,
                document_problem: Some(e.to_string()),
                ..SyncStatus::default()
            };
            post(&scope, &FromEngine::Status(status));
            return None;
        }
    };
    let tell = Rc::new(move |event: FromEngine| post(&scope, &event));
    Some(start(tell, Rc::new(storage), membership, device_code).await)
}

async fn answer(
    scope: web_sys::DedicatedWorkerGlobalScope,
    shared: SharedEngine,
    id: u32,
    request: Request,
) {
    let result = match request {
        Request::Edit(change) => apply(&shared, id, change).await.map(|()| Answer::Done),
        Request::CatalogPart { edit, edits } => {
            catalog_edit::keep_part(&shared, edit, edits);
            Ok(Answer::Done)
        }
        Request::RefundsOf(sale) => Ok(Answer::Refunds(
            refunds_recorded_elsewhere(&shared, sale).await,
        )),
        Request::OwnerPinHash => Ok(Answer::PinHash(shared.borrow_mut().docs.owner_pin_hash())),
        Request::AuditLog { from_ms, to_ms } => open_days_between(&shared, from_ms, to_ms)
            .await
            .map(|()| Answer::Audit(shared.borrow_mut().docs.audit_log())),
        Request::StoreDay { day_ms } => store_day(&shared, day_ms).await.map(Answer::StoreDay),
        Request::AddEarlierSales => add_earlier_sales(&shared).await.map(|()| Answer::Done),
        Request::KeepEarlierSalesHere => keep_earlier_sales_here(&shared)
            .await
            .map(|()| Answer::Done),
    };
    post(&scope, &FromEngine::Answer { id, result });
}

/// Makes the page's edit (the request `asked`) to the store's documents: stored before it is
/// sent, undone if it cannot be stored.
async fn apply(shared: &SharedEngine, asked: u32, change: Edit) -> Result<(), String> {
    match change {
        Edit::Price { product, price } => {
            edit(shared, &[Role::Catalog], |docs| {
                docs.set_price(&product, price)
            })
            .await
        }
        Edit::Count {
            sku,
            quantity,
            id,
            at_ms,
        } => {
            let day = business_day(at_ms as f64);
            open_for_day(shared, day).await?;
            edit(shared, &[Role::Stock], |docs| {
                docs.count_stock(&sku, quantity, id, at_ms, day).map(|_| ())
            })
            .await
        }
        Edit::Catalog(edits) => catalog_edit::edit_catalog(shared, asked, edits).await,
        Edit::CatalogParts { edit, count } => {
            let edits = catalog_edit::take_parts(shared, edit, count)?;
            catalog_edit::edit_catalog(shared, asked, edits).await
        }
        Edit::ProfileAndCatalog { store, catalog } => {
            edit(shared, &[Role::Settings, Role::Catalog], |docs| {
                docs.set_store_profile(&store)?;
                docs.replace_catalog(&catalog)
            })
            .await
        }
        Edit::NewStore {
            store,
            catalog,
            pin_hash,
        } => {
            edit(shared, &[Role::Settings, Role::Catalog], |docs| {
                docs.set_store_profile(&store)?;
                // Even an empty menu: its taxes, categories and currency are the store's.
                docs.replace_catalog(&catalog)?;
                if let Some(hash) = &pin_hash {
                    docs.set_owner_pin_hash(hash)?;
                }
                Ok(())
            })
            .await?;
            claim_device_code(shared);
            Ok(())
        }
    }
}
