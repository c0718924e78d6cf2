//! A large catalog edit (an import's thousands of products) in the catalog document: made in
//! order, all or none, one Automerge change per batch rather than one per edit, with how far it
//! is reported after each batch. `cargo test -p pos-core --release --test catalog_import --
//! --ignored --nocapture` times 50,000 rows.

use std::time::Instant;

use pos_core::{
    Actor, Catalog, CatalogDoc, CatalogEdit, DocError, SharedDocument, Uuid, demo, preview_csv,
};

const STORE: Uuid = Uuid::from_u128(0x5702e);

fn owner() -> Actor {
    Actor::device(Uuid::from_u128(1))
}

/// The demo menu's document and the edits that import `rows` new products into it, as the
/// import screen makes them.
fn import(rows: usize) -> (CatalogDoc, Catalog, Vec<CatalogEdit>) {
    let (_, menu) = demo::food_truck(false);
    let doc = CatalogDoc::from_catalog(STORE, &owner(), &menu).unwrap();
    let into = doc.catalog().unwrap();
    let mut file = String::from("sku,name,category,price,tax,barcodes\n");
    for i in 0..rows {
        let code = pos_core::with_check_digit(&format!("22{i:010}"));
        file.push_str(&format!(
            "S{i:05},Item {i},Shelf {},{}.99,Food 10 %,{code}\n",
            i % 40,
            1 + i % 90
        ));
    }
    let mut n = 0;
    let preview = preview_csv(&file, &into, || {
        n += 1;
        format!("new-{n:06}")
    });
    assert_eq!(preview.errors, []);
    (doc, into, preview.edits)
}

/// The changes the document holds: the genesis, the menu, then whatever the edits made.
fn changes(doc: &mut CatalogDoc) -> usize {
    doc.automerge_mut().get_changes(&[]).len()
}

#[test]
fn a_large_edit_is_one_change_per_batch() {
    let (mut doc, into, edits) = import(2_500);
    let before = changes(&mut doc);
    let mut reported = Vec::new();
    doc.apply_all_reporting(&edits, |done| reported.push(done))
        .unwrap();
    let batches = edits.len().div_ceil(CatalogDoc::EDITS_PER_CHANGE);
    assert!(batches > 1, "{} edits fit one batch", edits.len());
    assert_eq!(changes(&mut doc) - before, batches);
    // How far it is, after each batch, ending with every edit made.
    assert_eq!(reported.len(), batches);
    assert_eq!(reported.last(), Some(&edits.len()));
    assert!(reported.windows(2).all(|w| w[0] < w[1]));
    // The same catalog as the edits made on a copy, records in id order (as the sync worker
    // compares them with what the page shows).
    let mut expected = into;
    expected.apply_all(&edits).unwrap();
    assert_eq!(doc.catalog().unwrap(), expected.in_id_order());
    // And another device that loads it reads the same.
    let loaded = CatalogDoc::load(&doc.save(), &Actor::device(Uuid::from_u128(2))).unwrap();
    assert_eq!(loaded.catalog().unwrap(), doc.catalog().unwrap());
}

#[test]
fn a_refused_edit_late_in_a_large_one_leaves_nothing() {
    let (mut doc, _, mut edits) = import(2_100);
    edits.push(CatalogEdit::Archive {
        product: "no-such-product".into(),
        archived: true,
    });
    let before = doc.catalog().unwrap();
    let heads = doc.automerge_mut().get_heads();
    let mut reported = Vec::new();
    let refused = doc.apply_all_reporting(&edits, |done| reported.push(done));
    assert!(matches!(refused, Err(DocError::Catalog(_))), "{refused:?}");
    assert_eq!(doc.automerge_mut().get_heads(), heads);
    assert_eq!(doc.catalog().unwrap(), before);
    assert_eq!(reported, Vec::<usize>::new());
}

#[test]
fn a_small_edit_is_one_change() {
    let (mut doc, _, edits) = import(3);
    let before = changes(&mut doc);
    doc.apply_all(&edits).unwrap();
    assert_eq!(changes(&mut doc) - before, 1);
}

/// The worker's cost of a 50,000-row import, natively (the figure in the commit that batched it).
#[test]
#[ignore = "a timing, run on its own in release"]
fn time_fifty_thousand_rows() {
    let (mut doc, _, edits) = import(50_000);
    let started = Instant::now();
    let mut last = started;
    doc.apply_all_reporting(&edits, |done| {
        if done % 10_000 < CatalogDoc::EDITS_PER_CHANGE {
            println!("  {done}: {:.2} s for the last batch", last.elapsed().as_secs_f64());
        }
        last = Instant::now();
    })
    .unwrap();
    let applied = started.elapsed();
    let bytes = doc.save();
    let saved = started.elapsed();
    println!(
        "{} edits: applied in {:.2} s, saved ({} KB) at {:.2} s, {} changes",
        edits.len(),
        applied.as_secs_f64(),
        bytes.len() / 1024,
        saved.as_secs_f64(),
        changes(&mut doc)
    );
}
