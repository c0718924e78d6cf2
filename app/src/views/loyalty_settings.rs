//! Settings, "Loyalty points": the store's programme for every device (off by default). The
//! fields map to `Store::loyalty` through [`LoyaltyForm`](super::forms::loyalty::LoyaltyForm).

use leptos::prelude::*;
use pos_core::Store;

use super::forms::loyalty::LoyaltyForm;
use crate::i18n::Msg;
use crate::state::{AppState, Notice};

#[component]
pub fn LoyaltySettings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = RwSignal::new(LoyaltyForm::of(
        &state.store.get_untracked(),
        &state.catalog.get_untracked(),
    ));
    let save = move |_| {
        let rule = state
            .catalog
            .with_untracked(|c| form.with_untracked(|f| f.rule(c)));
        match rule {
            Ok(loyalty) => state.save_store_profile(
                Store {
                    loyalty,
                    ..state.store.get_untracked()
                },
                Msg::LoyaltySaved,
            ),
            Err(e) => {
                let (msg, args) = e.msg();
                state.notice.set(Some(Notice::Error(msg, args)));
            }
        }
    };
    let field = move |label: Msg,
                      testid: &'static str,
                      get: fn(&LoyaltyForm) -> &String,
                      set: fn(&mut LoyaltyForm) -> &mut String| {
        view! {
            <label class="field">
                <span>{move || state.t(label)}</span>
                <input data-testid=testid inputmode="decimal" prop:value=move || form.with(|f| get(f).clone())
                    on:input=move |ev| form.update(|f| *set(f) = event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <div class="setting" data-testid="loyalty-settings">
            <h3>{move || state.t(Msg::LoyaltySettings)}</h3>
            <p>{move || state.t(Msg::LoyaltySettingsHint)}</p>
            <label class="check">
                <input type="checkbox" data-testid="loyalty-on" prop:checked=move || form.with(|f| f.on)
                    on:change=move |ev| form.update(|f| f.on = event_target_checked(&ev)) />
                {move || state.t(Msg::LoyaltyOn)}
            </label>
            <Show when=move || form.with(|f| f.on)>
                {field(Msg::LoyaltyPerUnit, "loyalty-per-unit", |f| &f.per_unit, |f| &mut f.per_unit)}
                {field(Msg::LoyaltyPerVisit, "loyalty-per-visit", |f| &f.per_visit, |f| &mut f.per_visit)}
                {field(Msg::LoyaltyPerProduct, "loyalty-per-product", |f| &f.per_product, |f| &mut f.per_product)}
                {field(Msg::LoyaltyPointValue, "loyalty-point-value", |f| &f.point_value, |f| &mut f.point_value)}
                {field(Msg::LoyaltyOfflineCap, "loyalty-offline-cap", |f| &f.offline_cap, |f| &mut f.offline_cap)}
            </Show>
            <button class="primary" data-testid="save-loyalty" on:click=save>{move || state.t(Msg::SaveLoyalty)}</button>
        </div>
    }
}
