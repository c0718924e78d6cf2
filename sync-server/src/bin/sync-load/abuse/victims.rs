//! The victims: registers of store A that keep recording a sale and syncing it, each round
//! timed, while store B attacks.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::time::{Duration, Instant};

use pos_core::{Actor, SalesDay, SharedDocument, Uuid, demo};
use pos_sync_server::client::NativePeer;

use super::{ROUND_TIMEOUT, VICTIM_PAUSE};
use crate::today;

/// A victim's timed rounds.
#[derive(Debug, Default)]
pub(super) struct VictimRounds {
    /// (start of the round since the victims started, its duration).
    pub(super) rounds: Vec<(Duration, Duration)>,
    pub(super) failures: Vec<(Duration, String)>,
}

/// A register of store A (`devices[d]` of `store`): records a sale, syncs until the server holds it and the other
/// registers' days are current (connect, join, upload, acknowledgement), waits
/// [`VICTIM_PAUSE`], and again, until `stop`. Its first round (the upload of the empty days)
/// is not counted.
pub(super) async fn victim(
    d: usize,
    store_id: Uuid,
    devices: Vec<Uuid>,
    url: String,
    peer_id: String,
    start: Instant,
    stop: Arc<AtomicBool>,
) -> VictimRounds {
    let (store, catalog) = demo::food_truck(false);
    let me = devices[d];
    let day = SalesDay::new(store_id, me, today(), &Actor::device(me));
    let own = day.document_id();
    let mut peer = NativePeer::new(peer_id, Some(format!("storage-{me}")));
    peer.hold(own, day.into_automerge(), None);
    for &other in devices.iter().filter(|o| **o != me) {
        let genesis = SalesDay::new(store_id, other, today(), &Actor::device(me));
        peer.hold(genesis.document_id(), genesis.into_automerge(), None);
    }
    let mut out = VictimRounds::default();
    let mut n = 0;
    while !stop.load(Relaxed) {
        if n > 0 {
            let Some(doc) = peer.document_mut(own) else {
                break;
            };
            let id = Uuid::from_u128(me.as_u128() << 32 | n as u128);
            let at = 1_764_400_000_000 + (n as i64) * 1000;
            let sale = demo::cash_sale(&store, &catalog, n, id, &format!("V{d}"), n as u64, at);
            let recorded = match SalesDay::from_automerge(std::mem::take(doc)) {
                Ok(mut day) => day.record_sale(&sale).map(|_| day),
                Err(e) => Err(e),
            };
            match recorded {
                Ok(mut day) => {
                    let heads = day.heads();
                    *doc = day.into_automerge();
                    peer.expect_heads(own, heads);
                }
                Err(e) => {
                    out.failures
                        .push((start.elapsed(), format!("recording a sale: {e}")));
                    break;
                }
            }
        }
        let at = start.elapsed();
        let t = Instant::now();
        match peer.sync_until_converged(&url, ROUND_TIMEOUT).await {
            Ok(_) if n > 0 => out.rounds.push((at, t.elapsed())),
            Ok(_) => {}
            Err(e) => out.failures.push((at, e.to_string())),
        }
        n += 1;
        tokio::time::sleep(VICTIM_PAUSE).await;
    }
    out
}
