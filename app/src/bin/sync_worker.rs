//! The sync engine's worker, which Trunk builds as a second wasm (`data-type="worker"`): see
//! `pos_app::sync::worker`.

fn main() {
    pos_app::run_sync_worker();
}
