// Starts the camera's barcode decoder (app/camera-worker, which Trunk builds as
// pos-camera-worker.js + pos-camera-worker_bg.wasm) in this worker. A wasm that cannot be fetched
// or compiled is reported to the page at once, which a failed promise in a worker would not be.
importScripts('./pos-camera-worker.js');
wasm_bindgen({ module_or_path: './pos-camera-worker_bg.wasm' }).catch((error) => {
  postMessage({ failed: String((error && error.message) || error) });
});
