//! Entering a discount as a percent or an amount, for a line or for the whole order.

use leptos::prelude::*;
use pos_core::Discount;

use crate::i18n::{Msg, parse_decimal};
use crate::state::AppState;

#[component]
pub fn DiscountEditor(
    current: Signal<Option<Discount>>,
    on_apply: Callback<Option<Discount>>,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let initial = current.get_untracked();
    let percent = RwSignal::new(!matches!(initial, Some(Discount::Amount(_))));
    let value = RwSignal::new(match initial {
        Some(Discount::Percent(p)) | Some(Discount::Amount(p)) => p.normalize().to_string(),
        None => String::new(),
    });
    let apply = move || match parse_decimal(&value.get_untracked()) {
        Some(v) => on_apply.run(Some(if percent.get_untracked() {
            Discount::Percent(v)
        } else {
            Discount::Amount(v)
        })),
        None => state.error(Msg::InvalidNumber),
    };
    view! {
        <div class="discount-editor" data-testid=testid>
            <input
                class="discount-value"
                inputmode="decimal"
                aria-label=move || state.t(Msg::Discount)
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" {
                        apply();
                    }
                }
            />
            <div class="segmented">
                <button class="discount-percent" class:active=move || percent.get() on:click=move |_| percent.set(true)>
                    {move || state.t(Msg::Percent)}
                </button>
                <button class="discount-amount" class:active=move || !percent.get() on:click=move |_| percent.set(false)>
                    {move || state.t(Msg::Amount)}
                </button>
            </div>
            <button class="primary discount-apply" on:click=move |_| apply()>
                {move || state.t(Msg::Apply)}
            </button>
            <button class="discount-clear" on:click=move |_| {
                value.set(String::new());
                on_apply.run(None);
            }>{move || state.t(Msg::Clear)}</button>
        </div>
    }
}
