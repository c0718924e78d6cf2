//! The schema and its upgrades, run before the database is opened: version 1 to 5 in one
//! `onupgradeneeded`, on the raw request because the upgrade transaction is needed (see
//! `migrate`). Version 5 splits the whole catalog of version 4 into product records here.

use std::cell::RefCell;
use std::rc::Rc;

use pos_core::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::*;

/// Creates or upgrades the schema. `indexed_db_futures` does not hand the upgrade transaction to
/// its callback, and adding an index to an existing store needs it, so the upgrade runs on the raw
/// `IDBOpenDBRequest`; everything else goes through the crate.
pub(super) async fn migrate() -> Result<(), StorageError> {
    // Why the upgrade was aborted, when it was aborted here (a catalog that cannot be read).
    let refused: Rc<RefCell<Option<StorageError>>> = Rc::default();
    let upgrade_refused = refused.clone();
    // The page's window or the sync worker's scope: both have `indexedDB`.
    let factory: web_sys::IdbFactory =
        js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("indexedDB"))
            .ok()
            .filter(|f| !f.is_undefined() && !f.is_null())
            .ok_or_else(|| failed("IndexedDB is not available in this browser"))?
            .unchecked_into();
    let request = factory
        .open_with_u32(DB_NAME, DB_VERSION)
        .map_err(js_error)?;
    let upgrade_request = request.clone();
    let on_upgrade =
        Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent) -> Result<(), JsValue>>::new(
            move |event: web_sys::IdbVersionChangeEvent| {
                let db: web_sys::IdbDatabase = upgrade_request.result()?.unchecked_into();
                let tx = upgrade_request
                    .transaction()
                    .ok_or_else(|| JsValue::from_str("no upgrade transaction"))?;
                let old = event.old_version() as u32;
                if old < 1 {
                    db.create_object_store(KV)?;
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_key_path(&JsValue::from_str("id"));
                    db.create_object_store_with_optional_parameters(SALES, &params)?;
                }
                if old < 2 {
                    let params = web_sys::IdbIndexParameters::new();
                    params.set_unique(true);
                    tx.object_store(SALES)?
                        .create_index_with_str_and_optional_parameters(
                            BY_RECEIPT, "receipt", &params,
                        )?;
                }
                if old < 3 {
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_key_path(&JsValue::from_str("key"));
                    db.create_object_store_with_optional_parameters(DOCS, &params)?;
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_auto_increment(true);
                    db.create_object_store_with_optional_parameters(AUDIT, &params)?;
                }
                if old < 4 {
                    db.create_object_store(OUTBOX)?;
                }
                if old < 5 {
                    db.create_object_store(PRODUCTS)?;
                    if old >= 1 {
                        split_whole_catalog(&tx, upgrade_refused.clone())?;
                    }
                }
                Ok(())
            },
        );
    request.set_onupgradeneeded(Some(on_upgrade.as_ref().unchecked_ref()));
    let done = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = request.clone();
        let on_success = Closure::once(move || {
            if let Ok(db) = ok.result() {
                db.unchecked_into::<web_sys::IdbDatabase>().close();
            }
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed_request = request.clone();
        let reject_error = reject.clone();
        let on_error = Closure::once(move || {
            let error = failed_request
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or(JsValue::NULL);
            let _ = reject_error.call1(&JsValue::NULL, &error);
        });
        let on_blocked = Closure::once(move || {
            let _ = reject.call1(&JsValue::NULL, &JsValue::from_str("blocked"));
        });
        request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        request.set_onblocked(Some(on_blocked.as_ref().unchecked_ref()));
        on_success.forget();
        on_error.forget();
        on_blocked.forget();
    });
    let result = JsFuture::from(done).await;
    drop(on_upgrade);
    if let (Err(_), Some(why)) = (&result, refused.borrow_mut().take()) {
        return Err(why);
    }
    result.map(|_| ()).map_err(|e| {
        if e.as_string().as_deref() == Some("blocked") {
            StorageError::Blocked
        } else {
            js_error(e)
        }
    })
}

/// Splits the whole-catalog entry of version 4 (`kv` `catalog`) into the records of version 5,
/// within the upgrade transaction: a crash or an error part-way aborts the upgrade, leaving
/// version 4 and its entry as they were, and the next start tries again. A catalog that cannot
/// be read aborts it too (with `refused` saying why), as it stopped the start before version 5:
/// a read that fails is an error, never "nothing stored".
fn split_whole_catalog(
    tx: &web_sys::IdbTransaction,
    refused: Rc<RefCell<Option<StorageError>>>,
) -> Result<(), JsValue> {
    let read = tx
        .object_store(KV)?
        .get(&JsValue::from_str(WHOLE_CATALOG_KEY))?;
    let (tx, request) = (tx.clone(), read.clone());
    let on_read = Closure::once_into_js(move || {
        let written = request
            .result()
            .map_err(js_error)
            .and_then(|value| write_split_catalog(&tx, value));
        if let Err(why) = written {
            *refused.borrow_mut() = Some(why);
            let _ = tx.abort();
        }
    });
    read.set_onsuccess(Some(on_read.unchecked_ref()));
    Ok(())
}

fn write_split_catalog(tx: &web_sys::IdbTransaction, value: JsValue) -> Result<(), StorageError> {
    if value.is_undefined() {
        return Ok(());
    }
    let text = value
        .as_string()
        .ok_or_else(|| failed("the stored catalog is not text"))?;
    let split = catalog::split_whole(&text)
        .map_err(|e| failed(format!("the stored catalog is unreadable: {e}")))?;
    let records = tx.object_store(PRODUCTS).map_err(js_error)?;
    for (id, json) in split.put {
        records
            .put_with_key(&JsValue::from_str(&json), &JsValue::from_str(&id))
            .map_err(js_error)?;
    }
    let kv = tx.object_store(KV).map_err(js_error)?;
    let put = |key: &str, json: String| {
        kv.put_with_key(&JsValue::from_str(&json), &JsValue::from_str(key))
            .map_err(js_error)
    };
    if let Some(meta) = &split.meta {
        put(
            CATALOG_META_KEY,
            serde_json::to_string(meta).map_err(failed)?,
        )?;
    }
    put(
        CATALOG_WRITE_KEY,
        serde_json::to_string(&Uuid::now_v7().to_string()).map_err(failed)?,
    )?;
    kv.delete(&JsValue::from_str(WHOLE_CATALOG_KEY))
        .map_err(js_error)?;
    Ok(())
}
