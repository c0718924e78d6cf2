//! The camera scanner over the register: the video, a hint, and a close button. It looks for a
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
        if !camera::has_detector() {
            state.notice.set(Some(Notice::Error(Msg::CameraNoDecoder, Vec::new())));
            state.camera_open.set(false);
            return true;
        }
        spawn_local(async move {
            if let Err(reason) = camera::start(&v).await {
                state.notice.set(Some(Notice::Error(Msg::CameraUnavailable, vec![("reason", reason)])));
                state.camera_open.set(false);
                return;
            }
            while state.camera_open.get_untracked() {
                if let Some(code) = camera::detect(&v).await {
                    camera::stop(&v);
                    state.camera_open.set(false);
                    crate::scanner::scanned(state, &code);
                    return;
                }
                crate::browser::sleep(DETECT_EVERY_MS).await;
            }
            camera::stop(&v);
        });
        true
    });
    view! {
        <div class="overlay">
            <div class="dialog camera" role="dialog" aria-modal="true" data-testid="camera">
                <p>{move || state.t(Msg::CameraHint)}</p>
                <video node_ref=video data-testid="camera-video"></video>
                <button data-testid="camera-close" on:click=move |_| close()>{move || state.t(Msg::CameraClose)}</button>
            </div>
        </div>
    }
}
