//! One tab at a time where the browser has no Web Locks.
//!
//! Each tab of the register normally holds a Web Lock on a ticket slot of its own
//! (`browser::ticket_slot`), which keeps its open ticket, a card payment in flight and its
//! Automerge writer (`Actor::session(device, slot)`) apart from every other tab's. Browsers offer
//! Web Locks only in secure contexts, and a register opened over plain http at a LAN address is
//! not one: two tabs there would both take slot 0, overwrite each other's ticket, could both see
//! the same card amount in flight, and would reuse (actor, sequence) pairs. So without Web Locks
//! one tab runs and any other refuses to start.
//!
//! The claim, with what every browser has in an insecure context: a starting tab asks on a
//! BroadcastChannel whether another tab holds the register, and takes it if no holder answers
//! within `ANSWER_MS` and no fresh claim of another tab is in localStorage. The holder answers
//! every ask, and rewrites its claim (`{tab, at}`) every `BEAT_MS`, so a tab that lives but is too
//! busy to answer still counts, while a crashed tab's claim expires after `STALE_MS`. A closing
//! tab removes its claim (`pagehide`). A reload is the same tab, not another one: the tab's id is
//! kept in sessionStorage, which a reload keeps (a duplicated tab copies it too, but the original
//! answers the ask). Two tabs starting at once hear each other's asks, and the lower random rank
//! wins.
//!
//! Limit: a holder the browser froze (not merely throttled) answers nothing and stops its beat;
//! after `STALE_MS` another tab may start, and the frozen one, when it wakes, does not notice.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
const CHANNEL = 'register-only-tab';
const CLAIM_KEY = 'pos.only-tab.claim';
const TAB_KEY = 'pos.only-tab.id';
const ANSWER_MS = 300;
const BEAT_MS = 1000;
const STALE_MS = 5000;

function readClaim() {
  try { return JSON.parse(localStorage.getItem(CLAIM_KEY) || 'null'); } catch (e) { return null; }
}

export function claim_only_tab() {
  let tab = null;
  try {
    tab = sessionStorage.getItem(TAB_KEY);
    if (!tab) {
      // Not a secret, only "which tab": crypto.randomUUID is not offered in insecure contexts.
      tab = Date.now().toString(36) + Math.random().toString(36).slice(2);
      sessionStorage.setItem(TAB_KEY, tab);
    }
  } catch (e) {
    tab = Math.random().toString(36).slice(2);
  }
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(true);
  const rank = Math.random();
  let state = 'asking';
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (e) => {
    const m = e.data || {};
    if (m.ask && state !== 'refused') channel.postMessage({ rank, held: state === 'held' });
    if (state === 'asking' && (m.held || m.rank < rank)) state = 'refused';
  };
  channel.postMessage({ ask: true, rank, held: false });
  return new Promise((resolve) => setTimeout(() => {
    if (state === 'asking') {
      const claim = readClaim();
      if (claim && claim.tab !== tab && Date.now() - claim.at < STALE_MS) state = 'refused';
    }
    if (state === 'refused') {
      channel.close();
      resolve(false);
      return;
    }
    state = 'held';
    const beat = () => {
      try { localStorage.setItem(CLAIM_KEY, JSON.stringify({ tab, at: Date.now() })); } catch (e) {}
    };
    beat();
    setInterval(beat, BEAT_MS);
    addEventListener('pagehide', () => {
      try { if ((readClaim() || {}).tab === tab) localStorage.removeItem(CLAIM_KEY); } catch (e) {}
    });
    resolve(true);
  }, ANSWER_MS));
}
"#)]
extern "C" {
    fn claim_only_tab() -> js_sys::Promise;
}

/// True if this tab may run the register (no other tab of this origin holds it); it then holds
/// it for its life.
pub async fn claim() -> bool {
    JsFuture::from(claim_only_tab())
        .await
        .ok()
        .and_then(|v| v.as_bool())
        // The claim only uses storage and a channel; if even they fail, refusing would leave
        // no register at all, so the tab runs as it did before this check existed.
        .unwrap_or(true)
}
