//! Settings, "Receipt": what every receipt of the store says (its logo, address, tax number, the
//! text at the bottom, the return policy) and in which language, for every device of the store;
//! whether each line prints its VAT (a Russian receipt), how cash totals are rounded, and how
//! much one register offline may take off one gift card.
//! The fields map to the store's profile through
//! [`ReceiptForm`](super::forms::receipt::ReceiptForm).

use leptos::html::Input;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{Store, StoreLogo};

use super::forms::receipt::{Field, ReceiptForm};
use crate::i18n::{Lang, Msg};
use crate::receipt_logo;
use crate::state::{AppState, Notice};

#[component]
pub fn ReceiptSettings() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = RwSignal::new(state.store.with_untracked(ReceiptForm::of));
    // A store's name is the one it was created with on the server, the same on every device.
    let in_store = Signal::derive(move || state.membership.with(Option::is_some));
    let save = move |_| match state
        .store
        .with_untracked(|saved| form.with_untracked(|f| f.store(saved)))
    {
        Ok(store) => state.save_store_profile(store, Msg::ReceiptSettingsSaved),
        Err(e) => state.error(e.msg()),
    };
    view! {
        <div class="setting" data-testid="receipt-settings">
            <h3>{move || state.t(Msg::ReceiptSettings)}</h3>
            <p>{move || state.t(Msg::ReceiptSettingsHint)}</p>
            <TextField form label=Msg::StoreName testid="receipt-store-name" field=Field::Name disabled=in_store />
            <TextField form label=Msg::StoreAddress testid="receipt-address" field=Field::Address />
            <TextField form label=Msg::TaxNumber testid="receipt-tax-number" field=Field::TaxNumber />
            <TextField form label=Msg::ReturnPolicy testid="receipt-return-policy" field=Field::ReturnPolicy />
            <TextField form label=Msg::ReceiptFooter testid="receipt-footer" field=Field::Footer />
            <LanguageField form />
            <label class="check">
                <input type="checkbox" data-testid="receipt-line-vat" prop:checked=move || form.with(|f| f.line_vat)
                    on:change=move |ev| form.update(|f| f.line_vat = event_target_checked(&ev)) />
                {move || state.t(Msg::ReceiptLineVat)}
            </label>
            <CashRoundingField form />
            <TextField form label=Msg::CashIncrement testid="cash-increment" field=Field::CashIncrement />
            <TextField form label=Msg::TipPresets testid="tip-presets" field=Field::TipPresets />
            <TextField form label=Msg::GiftCardOfflineCap testid="gift-card-offline-cap" field=Field::GiftCardOfflineCap />
            <p class="note">{move || state.t(Msg::GiftCardOfflineCapHint)}</p>
            <label class="check">
                <input type="checkbox" data-testid="shift-required" prop:checked=move || form.with(|f| f.shift_required)
                    on:change=move |ev| form.update(|f| f.shift_required = event_target_checked(&ev)) />
                {move || state.t(Msg::ShiftRequired)}
            </label>
            <label class="check">
                <input type="checkbox" data-testid="shift-opens-itself" prop:checked=move || form.with(|f| f.shift_opens_itself)
                    on:change=move |ev| form.update(|f| f.shift_opens_itself = event_target_checked(&ev)) />
                {move || state.t(Msg::ShiftOpensItself)}
            </label>
            <label class="check">
                <input type="checkbox" data-testid="close-shows-expected" prop:checked=move || form.with(|f| f.close_shows_expected)
                    on:change=move |ev| form.update(|f| f.close_shows_expected = event_target_checked(&ev)) />
                {move || state.t(Msg::CloseShowsExpected)}
            </label>
            <button class="primary" data-testid="save-receipt-settings" on:click=save>{move || state.t(Msg::SaveReceiptSettings)}</button>
            <LogoSetting />
        </div>
    }
}

#[component]
fn TextField(
    form: RwSignal<ReceiptForm>,
    label: Msg,
    testid: &'static str,
    field: Field,
    #[prop(optional, into)] disabled: Signal<bool>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="field">
            <span>{move || state.t(label)}</span>
            <input data-testid=testid prop:disabled=disabled prop:value=move || form.with(|f| f.field(field).to_string())
                on:input=move |ev| form.update(|f| f.set(field, event_target_value(&ev))) />
        </label>
    }
}

#[component]
fn LanguageField(form: RwSignal<ReceiptForm>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let is = move |tag: &str| form.with(|f| f.language == tag);
    view! {
        <label class="field">
            <span>{move || state.t(Msg::StoreLanguage)}</span>
            <select data-testid="receipt-language" on:change=move |ev| form.update(|f| f.set(Field::Language, event_target_value(&ev)))>
                <option value="" selected=move || is("")>{move || state.t(Msg::ReceiptLanguageAsScreen)}</option>
                {Lang::ALL
                    .into_iter()
                    .map(|l| view! { <option value=l.tag() selected=move || is(l.tag())>{l.native_name()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// How the store rounds a cash total: half up, or in the customer's favour (never up).
#[component]
fn CashRoundingField(form: RwSignal<ReceiptForm>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let is = move |value: &str| form.with(|f| f.cash_rounding_value() == value);
    view! {
        <label class="field">
            <span>{move || state.t(Msg::CashRounding)}</span>
            <select data-testid="cash-rounding" on:change=move |ev| form.update(|f| f.set_cash_rounding(&event_target_value(&ev)))>
                <option value="half-up" selected=move || is("half-up")>{move || state.t(Msg::CashRoundingHalfUp)}</option>
                <option value="customers-favour" selected=move || is("customers-favour")>{move || state.t(Msg::CashRoundingCustomersFavour)}</option>
            </select>
        </label>
    }
}

/// The logo: its preview, "Remove logo", and the file chooser that makes a new one.
#[component]
fn LogoSetting() -> impl IntoView {
    let state = expect_context::<AppState>();
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
                Err(detail) => state
                    .notice
                    .set(Some(Notice::Fault(Msg::ReceiptLogoFailed, detail))),
            }
            input.set_value("");
        });
    };
    view! {
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
    }
}
