// Starts the sync engine (the pos-sync-worker binary of app/, which Trunk builds as the ES module
// pos-sync-worker.js + pos-sync-worker_bg.wasm) in this module worker. A wasm that cannot be
// fetched or compiled is reported to the page at once, which a failed promise in a worker would
// not be.
import init from './pos-sync-worker.js';

init({ module_or_path: './pos-sync-worker_bg.wasm' }).catch((error) => {
  postMessage({ failed: String((error && error.message) || error) });
});
