//! The camera scanner over the register: the video, a hint, and a close button. It readies a
//! decoder first (the browser's, or our worker, fetched on this first use), then looks for a
//! code a few times a second and adds the first one it reads, like any scanner.

use leptos::html::Video;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::camera;
use crate::i18n::Msg;
use crate::state::{AppState, Notice};

/// Often enough to feel instant, rarely enough to leave the processor to the register.
const DETECT_EVERY_MS: u32 = 200;

#[component]
pub fn CameraScanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    let video = NodeRef::<Video>::new();
    // Which decoder reads the frames, for support staff (and the tests) to see.
    let decoder = RwSignal::new(None::<camera::Decoder>);
    let close = move || {
        if let Some(v) = video.get_untracked() {
            camera::stop(&v);
        }
        state.camera_open.set(false);
    };
    Effect::new(move |started: Option<bool>| {
        if started == Some(true) {
            return true;
        }
        let Some(v) = video.get() else { return false };
        spawn_local(async move {
            match camera::prepare().await {
                Ok(ready) => decoder.set(Some(ready)),
                Err(reason) => {
                    state
                        .notice
                        .set(Some(Notice::Fault(Msg::CameraNoDecoder, reason)));
                    state.camera_open.set(false);
                    return;
                }
            }
            if let Err(reason) = camera::start(&v).await {
                state
                    .notice
                    .set(Some(Notice::Fault(Msg::CameraUnavailable, reason)));
                state.camera_open.set(false);
                return;
            }
            while state.camera_open.get_untracked() {
                match camera::detect(&v).await {
                    Ok(Some(code)) => {
                        camera::stop(&v);
                        state.camera_open.set(false);
                        state.scanned(&code);
                        return;
                    }
                    Ok(None) => {}
                    Err(reason) => {
                        camera::stop(&v);
                        state
                            .notice
                            .set(Some(Notice::Fault(Msg::CameraReaderStopped, reason)));
                        state.camera_open.set(false);
                        return;
                    }
                }
                crate::browser::sleep(DETECT_EVERY_MS).await;
            }
            camera::stop(&v);
        });
        true
    });
    view! {
        <div class="overlay">
            <div class="dialog camera" role="dialog" aria-modal="true" data-testid="camera"
                data-decoder=move || match decoder.get() {
                    Some(camera::Decoder::Browser) => "browser",
                    Some(camera::Decoder::Worker) => "worker",
                    None => "",
                }>
                <p>{move || state.t(Msg::CameraHint)}</p>
                <video node_ref=video data-testid="camera-video"></video>
                <button data-testid="camera-close" on:click=move |_| close()>{move || state.t(Msg::CameraClose)}</button>
            </div>
        </div>
    }
}
