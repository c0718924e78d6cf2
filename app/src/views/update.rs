//! The banner that offers a new version of the register once its service worker has it
//! (`pwa.rs`), never under an open ticket or payment.

use std::rc::Rc;

use leptos::prelude::*;

use crate::i18n::Msg;
use crate::pwa::{self, apply_update, update_ready};
use crate::state::AppState;

/// "A new version is ready" with an Update button; hidden until a new version has been
/// downloaded. Under an open ticket or payment the button is disabled and the banner says to
/// finish the ticket first.
#[component]
pub fn UpdateBanner() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ready = RwSignal::new(update_ready());
    let busy = move || !state.ticket.with(|t| t.is_empty()) || state.payment.with(Option::is_some);
    pwa::follow_updates(
        Rc::new(move || {
            ready.try_set(update_ready());
        }),
        Rc::new(move || {
            state.ticket.try_with_untracked(|t| t.is_empty()) == Some(true)
                && state.payment.try_with_untracked(Option::is_none) == Some(true)
        }),
    );
    on_cleanup(pwa::stop_following_updates);
    view! {
        <Show when=move || ready.get()>
            <div
                class="update-banner"
                role="status"
                data-testid="update-banner"
            >
                <strong>{move || state.t(Msg::UpdateReady)}</strong>
                <Show when=busy>
                    <span data-testid="update-blocked">{move || state.t(Msg::UpdateAfterTicket)}</span>
                </Show>
                <button
                    class="primary"
                    data-testid="update-now"
                    disabled=busy
                    on:click=move |_| apply_update()
                >
                    {move || state.t(Msg::UpdateNow)}
                </button>
            </div>
        </Show>
    }
}
