//! How big is the sync message that carries a whole catalog? The message size limit of the
//! server (`sync::MAX_MESSAGE_BYTES`) must hold the largest message the register sends: a
//! store's catalog on its first upload, all of it in one message.
//!
//!   cargo run --release -p pos-sync-server --example catalog_size [products...]

use pos_core::automerge::AutoCommit;
use pos_core::automerge::sync::{State, SyncDoc};
use pos_core::{Actor, CatalogDoc, SharedDocument, Uuid, demo};

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![5_000, 50_000]
    } else {
        sizes
    };
    let (_, mut catalog) = demo::food_truck(false);
    let base = catalog.products[0].clone();
    for n in sizes {
        catalog.products = (0..n)
            .map(|i| {
                let mut p = base.clone();
                p.id = format!("p{i:05}");
                p.sku = p.id.clone();
                p.name = format!("Product number {i}").into();
                p
            })
            .collect();
        let mut doc = CatalogDoc::new(Uuid::from_u128(1), &Actor::device(Uuid::from_u128(2)));
        doc.replace(&catalog).expect("a catalog replaces");
        let saved = doc.automerge_mut().save().len();
        // The server's side starts empty: its answer makes the catalog send every change.
        let (mut ours, mut theirs) = (State::new(), State::new());
        let mut server = AutoCommit::new();
        let hello = doc
            .automerge_mut()
            .sync()
            .generate_sync_message(&mut ours)
            .expect("a first message");
        server
            .sync()
            .receive_sync_message(&mut theirs, hello)
            .expect("the server reads it");
        let answer = server
            .sync()
            .generate_sync_message(&mut theirs)
            .expect("an answer");
        doc.automerge_mut()
            .sync()
            .receive_sync_message(&mut ours, answer)
            .expect("the answer reads");
        let upload = doc
            .automerge_mut()
            .sync()
            .generate_sync_message(&mut ours)
            .expect("the upload")
            .encode()
            .len();
        println!("{n} products: document {saved} bytes, upload message {upload} bytes");
    }
}
