//! Settings, "Receipt": what every receipt of the store says (its logo, address, tax number, the
//! text at the bottom, the return policy) and in which language, for every device of the store.

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{Store, StoreLogo};

use crate::i18n::{Lang, Msg};
use crate::receipt_logo;
use crate::state::{AppState, Notice};

#[component]
pub fn ReceiptSettings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let saved = state.store.get_untracked();
    let name = RwSignal::new(saved.name.clone());
    let address = RwSignal::new(saved.address.clone());
    let tax_number = RwSignal::new(saved.tax_number.clone());
    let footer = RwSignal::new(saved.receipt_footer.clone());
    let return_policy = RwSignal::new(saved.return_policy.clone());
    let language = RwSignal::new(saved.receipt_language.clone());
    // A store's name is the one it was created with on the server, the same on every device.
    let in_store = move || state.membership.with(Option::is_some);

    let save = move |_| {
        let store = Store {
            name: name.get_untracked().trim().to_string(),
            address: address.get_untracked().trim().to_string(),
            tax_number: tax_number.get_untracked().trim().to_string(),
            receipt_footer: footer.get_untracked().trim().to_string(),
            return_policy: return_policy.get_untracked().trim().to_string(),
            receipt_language: language.get_untracked(),
            ..state.store.get_untracked()
        };
        state.save_store_profile(store, Msg::ReceiptSettingsSaved);
    };

    let logo_input = NodeRef::<Input>::new();
    let keep_logo = move |logo: Option<StoreLogo>, done: Msg| {
        state.save_store_profile(
            Store {
                logo,
                ..state.store.get_untracked()
            },
            done,
        );
    };
    let logo_chosen = move |_| {
        let Some(input) = logo_input.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match receipt_logo::from_input(&input).await {
                Ok(Some(logo)) => keep_logo(Some(logo), Msg::ReceiptLogoSaved),
                Ok(None) => {}
                Err(reason) => state.notice.set(Some(Notice::Error(
                    Msg::ReceiptLogoFailed,
                    vec![("reason", reason)],
                ))),
            }
            input.set_value("");
        });
    };

    let text_field = move |label: Msg, test_id: &'static str, value: RwSignal<String>| {
        view! {
            <label class="field">
                <span>{move || state.t(label)}</span>
                <input data-testid=test_id prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <div class="setting" data-testid="receipt-settings">
            <h3>{move || state.t(Msg::ReceiptSettings)}</h3>
            <p>{move || state.t(Msg::ReceiptSettingsHint)}</p>
            <label class="field">
                <span>{move || state.t(Msg::StoreName)}</span>
                <input data-testid="receipt-store-name" prop:value=move || name.get() prop:disabled=in_store
                    on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            {text_field(Msg::StoreAddress, "receipt-address", address)}
            {text_field(Msg::TaxNumber, "receipt-tax-number", tax_number)}
            {text_field(Msg::ReturnPolicy, "receipt-return-policy", return_policy)}
            {text_field(Msg::ReceiptFooter, "receipt-footer", footer)}
            <label class="field">
                <span>{move || state.t(Msg::StoreLanguage)}</span>
                <select data-testid="receipt-language" on:change=move |ev| language.set(event_target_value(&ev))>
                    <option value="" selected=move || language.get().is_empty()>{move || state.t(Msg::ReceiptLanguageAsScreen)}</option>
                    {Lang::ALL
                        .into_iter()
                        .map(|l| view! { <option value=l.tag() selected=move || language.get() == l.tag()>{l.native_name()}</option> })
                        .collect_view()}
                </select>
            </label>
            <button class="primary" data-testid="save-receipt-settings" on:click=save>{move || state.t(Msg::SaveReceiptSettings)}</button>

            <h4>{move || state.t(Msg::ReceiptLogo)}</h4>
            {move || match state.store.with(|s| s.logo.as_ref().map(receipt_logo::preview)) {
                Some(preview) => view! {
                    <img class="logo-preview" src=preview alt="" data-testid="logo-preview" />
                    <button data-testid="remove-logo" on:click=move |_| keep_logo(None, Msg::ReceiptLogoRemoved)>
                        {move || state.t(Msg::ReceiptLogoRemove)}
                    </button>
                }.into_any(),
                None => view! { <p data-testid="logo-none">{move || state.t(Msg::ReceiptLogoNone)}</p> }.into_any(),
            }}
            <label class="field">
                <span>{move || state.t(Msg::ReceiptLogoChoose)}</span>
                <input type="file" accept="image/*" data-testid="logo-file" node_ref=logo_input on:change=logo_chosen />
            </label>
        </div>
    }
}
