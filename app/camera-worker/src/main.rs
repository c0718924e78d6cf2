//! The camera's barcode decoder in a dedicated worker, so a slow frame never holds up the
//! register. The page posts `{id, width, height, data}` (a canvas's RGBA pixels, transferred) and
//! gets back `{id, text, format}` when a code was found, `{id}` when none was, or `{id, error}`
//! when the frame was malformed. Trunk builds this as a worker (`data-type="worker"`); the page
//! starts it only when the camera is first opened in a browser without `BarcodeDetector`.

use js_sys::{Object, Reflect, Uint8Array};
use pos_devices::camera::CameraFrame;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_frame = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let reply = answer(&event.data());
        // A page that went away cannot be answered; there is nobody to tell.
        let _ = reply_to.post_message(&reply);
    });
    scope.set_onmessage(Some(on_frame.as_ref().unchecked_ref()));
    on_frame.forget();
    // The page waits for this before it sends frames: a frame posted before `onmessage` is set
    // would be lost.
    let _ = scope.post_message(&JsValue::from_str("ready"));
}

fn answer(request: &JsValue) -> JsValue {
    let reply = Object::new();
    let field =
        |name: &str| Reflect::get(request, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    let set = |name: &str, value: JsValue| {
        let _ = Reflect::set(&reply, &JsValue::from_str(name), &value);
    };
    set("id", field("id"));
    let size = |name: &str| {
        field(name)
            .as_f64()
            .filter(|v| v.fract() == 0.0 && *v >= 0.0 && *v <= f64::from(u32::MAX))
    };
    let (Some(width), Some(height)) = (size("width"), size("height")) else {
        set(
            "error",
            JsValue::from_str("a frame needs a whole width and height"),
        );
        return reply.into();
    };
    let pixels = field("data");
    if !pixels.is_object() {
        set("error", JsValue::from_str("a frame needs its pixels"));
        return reply.into();
    }
    let rgba = Uint8Array::new(&pixels).to_vec();
    match CameraFrame::new(width as u32, height as u32, &rgba) {
        Ok(frame) => {
            if let Some(code) = frame.decode() {
                set("text", JsValue::from_str(&code.text));
                set("format", JsValue::from_str(code.format.name()));
            }
        }
        Err(e) => set("error", JsValue::from_str(&e.to_string())),
    }
    reply.into()
}
