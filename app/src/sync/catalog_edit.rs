//! Managers' edits of the store's catalog in the worker. A large one (an import's thousands)
//! arrives in parts and is made as one edit, in Automerge changes of a few thousand edits, with
//! how far it is told to the page; the page that made it is not sent the whole catalog back,
//! since it already shows it (decoding 50,000 products is a long task for a page). Other tabs
//! hear of it through the stored documents and other devices by sync, as of any edit.

use pos_core::CatalogEdit;

use super::protocol::FromEngine;
use super::*;

/// Keeps a part of the large catalog edit `edit` until [`take_parts`]. A part of another edit
/// drops what was kept of the one before: its page went away or started again.
pub(super) fn keep_part(shared: &SharedEngine, edit: Uuid, edits: Vec<CatalogEdit>) {
    let mut engine = shared.borrow_mut();
    match &mut engine.catalog_parts {
        Some((kept_for, kept)) if *kept_for == edit => kept.extend(edits),
        parts => *parts = Some((edit, edits)),
    }
}

/// The parts kept for `edit`, in the order they came, if they are the `count` edits the page
/// sent; nothing is made of an edit with a part missing.
pub(super) fn take_parts(
    shared: &SharedEngine,
    edit: Uuid,
    count: usize,
) -> Result<Vec<CatalogEdit>, String> {
    match shared.borrow_mut().catalog_parts.take() {
        Some((kept_for, edits)) if kept_for == edit && edits.len() == count => Ok(edits),
        Some((kept_for, edits)) if kept_for == edit => Err(format!(
            "catalog edit {edit}: {} of its {count} edits reached the sync worker",
            edits.len()
        )),
        _ => Err(format!("catalog edit {edit}: no part reached the sync worker")),
    }
}

/// Makes the page's edits of the catalog, in order and all or none (see [`edit`]), telling the
/// request `asked` after each Automerge change how many are made when there are more than one
/// change's worth.
pub(super) async fn edit_catalog(
    shared: &SharedEngine,
    asked: u32,
    edits: Vec<CatalogEdit>,
) -> Result<(), String> {
    let total = edits.len();
    let tell = shared.borrow().tell.clone();
    // What the page shows once this is made: what it was last told, with these edits. Where the
    // document's catalog is that, the page is not sent it (`publish_store`).
    let page_catalog = shared.borrow().shown.catalog.clone().and_then(|mut catalog| {
        catalog.apply_all(&edits).ok()?;
        Some(catalog.in_id_order())
    });
    shared.borrow_mut().shown.page_catalog = page_catalog;
    let made = edit(shared, &[Role::Catalog], |docs| {
        docs.edit_catalog(&edits, |done| {
            if total > pos_core::CatalogDoc::EDITS_PER_CHANGE {
                tell(FromEngine::Progress {
                    id: asked,
                    done,
                    total,
                });
            }
        })
    })
    .await;
    shared.borrow_mut().shown.page_catalog = None;
    made
}
