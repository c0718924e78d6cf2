//! The store across devices: creating it from the setup link, joining it with a pairing code,
//! pairing new devices (code and QR), the device list, and the prices and stock every device shares.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::forms::store::{CURRENCIES, ProductForm, SetupForm, join};
use crate::i18n::{self, Msg};
use crate::state::enroll;
use crate::state::{AppState, Notice};
use crate::sync::api::{self, DeviceRow, PairingCode};
use crate::sync::protocol::{Answer, Request};

#[component]
pub fn Setup() -> impl IntoView {
    let state = expect_context::<AppState>();
    let text = |value: String| RwSignal::new(value);
    let (code, name, device, owner_name, pin, pin_again) = (
        text(state.enroll_code.get_untracked()),
        text(String::new()),
        text(String::new()),
        text(String::new()),
        text(String::new()),
        text(String::new()),
    );
    let currency = text(
        state
            .store
            .with_untracked(|s| s.rules.currency.code().to_string()),
    );
    let locale = text(state.lang.get_untracked().tag().to_string());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = SetupForm {
            code: code.get_untracked(),
            name: name.get_untracked(),
            currency: currency.get_untracked(),
            locale: locale.get_untracked(),
            device: device.get_untracked(),
            owner_name: owner_name.get_untracked(),
            pin: pin.get_untracked(),
            pin_again: pin_again.get_untracked(),
        };
        let new_store = match form.new_store() {
            Ok(new_store) => new_store,
            Err(e) => return state.error(e.msg()),
        };
        busy.set(true);
        spawn_local(async move {
            enroll::create_store(state, new_store).await;
            busy.set(false);
        });
    };
    let currencies = CURRENCIES.map(|c| (c, c.to_string())).to_vec();
    let languages = i18n::Lang::ALL
        .map(|l| (l.tag(), l.native_name().to_string()))
        .to_vec();
    view! {
        <section class="settings enroll" data-testid="setup">
            <h2>{move || state.t(Msg::SetupTitle)}</h2>
            <p>{move || state.t(Msg::SetupIntro)}</p>
            <form on:submit=submit>
                <Field label=Msg::SetupCode value=code testid="setup-code" kind="text" />
                <Field label=Msg::StoreName value=name testid="store-name" kind="text" />
                <Choice label=Msg::Currency value=currency testid="store-currency" options=currencies />
                <Choice label=Msg::StoreLanguage value=locale testid="store-locale" options=languages />
                <Field label=Msg::DeviceName value=device testid="device-name" kind="text" />
                <Field label=Msg::OwnerName value=owner_name testid="owner-name" kind="text" />
                <Field label=Msg::OwnerPin value=pin testid="owner-pin" kind="password" />
                <Field label=Msg::OwnerPinAgain value=pin_again testid="owner-pin-again" kind="password" />
                <button type="submit" class="primary" data-testid="create-store" disabled=move || busy.get()>
                    {move || state.t(Msg::CreateStore)}
                </button>
            </form>
        </section>
    }
}

/// A select of fixed values, each shown by its label.
#[component]
fn Choice(
    label: Msg,
    value: RwSignal<String>,
    testid: &'static str,
    options: Vec<(&'static str, String)>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label>
            {move || state.t(label)}
            <select data-testid=testid on:change=move |ev| value.set(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(tag, shown)| view! { <option value=tag selected=move || value.get() == tag>{shown}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn Field(
    label: Msg,
    value: RwSignal<String>,
    testid: &'static str,
    kind: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let numeric = kind == "password";
    view! {
        <label>
            {move || state.t(label)}
            <input
                type=kind
                data-testid=testid
                inputmode=if numeric { "numeric" } else { "text" }
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </label>
    }
}

#[component]
pub fn Join() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="settings enroll" data-testid="join">
            <h2>{move || state.t(Msg::JoinTitle)}</h2>
            <JoinForm />
        </section>
    }
}

#[component]
fn JoinForm() -> impl IntoView {
    let state = expect_context::<AppState>();
    let code = RwSignal::new(state.enroll_code.get_untracked());
    let device = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (code, device) = match join(&code.get_untracked(), &device.get_untracked()) {
            Ok(joining) => joining,
            Err(e) => return state.error(e.msg()),
        };
        busy.set(true);
        spawn_local(async move {
            enroll::join(state, code, device).await;
            busy.set(false);
        });
    };
    view! {
        <p>{move || state.t(Msg::JoinHint)}</p>
        <form on:submit=submit>
            <Field label=Msg::PairingCode value=code testid="pairing-code-input" kind="text" />
            <Field label=Msg::DeviceName value=device testid="join-device-name" kind="text" />
            <button type="submit" class="primary" data-testid="join-store" disabled=move || busy.get()>
                {move || state.t(Msg::JoinStore)}
            </button>
        </form>
    }
}

/// The store section of the settings.
#[component]
pub fn StoreSetting() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="setting" data-testid="store-setting">
            <h3>{move || state.t(Msg::StoreSection)}</h3>
            {move || match state.membership.get() {
                None => view! {
                    <p>{move || state.t(Msg::NotInStore)}</p>
                    <JoinForm />
                }.into_any(),
                Some(m) => {
                    let role = if m.is_owner() { Msg::RoleOwner } else { Msg::RoleDevice };
                    let owner = m.is_owner();
                    view! {
                        <p data-testid="store-member">
                            {move || Msg::StoreMember.fill(state.lang.get(), &[
                                ("store", &m.store_name),
                                ("device", &m.device_name),
                                ("role", state.t(role)),
                            ])}
                        </p>
                        <Show when=move || state.staff.list.with(Option::is_some) && state.staff.may(pos_core::staff::Permission::ChangeSettings)>
                            <RenameStore />
                        </Show>
                        <Show when=move || manages_devices(state, owner)>
                            <Pairing />
                            <DeviceList />
                        </Show>
                    }.into_any()
                }
            }}
        </div>
        <ProductsSetting />
    }
}

/// The store's name, which only the server kept until now: changed with the PIN of a member who
/// may change settings, then shown on every device.
#[component]
fn RenameStore() -> impl IntoView {
    let state = expect_context::<AppState>();
    let name = RwSignal::new(state.store.with_untracked(|s| s.name.clone()));
    let pin = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name.with_untracked(|n| n.trim().is_empty()) {
            return state.error(Msg::NameRequired);
        }
        busy.set(true);
        spawn_local(async move {
            if let Err(notice) = state
                .rename_store(&name.get_untracked(), &pin.get_untracked())
                .await
            {
                state.notice.set(Some(notice));
            }
            pin.set(String::new());
            busy.set(false);
        });
    };
    view! {
        <form class="rename-store" on:submit=submit>
            <Field label=Msg::StoreName value=name testid="rename-store-name" kind="text" />
            <Field label=Msg::StaffConfirmPin value=pin testid="rename-store-pin" kind="password" />
            <button type="submit" data-testid="rename-store" disabled=move || busy.get()>{move || state.t(Msg::RenameStore)}</button>
        </form>
    }
}

/// The member at the till and `pin`, for the server to check, in a store with staff.
fn staff_pin(state: AppState, pin: String) -> Option<api::StaffPin> {
    state
        .staff
        .list
        .with_untracked(Option::is_some)
        .then(|| api::StaffPin {
            staff: state.staff.current.get_untracked().unwrap_or_default(),
            pin,
        })
}

/// Whether this device may pair and remove devices: with staff, a member who may change
/// settings (the server checks their PIN); without, the owner's device.
fn manages_devices(state: AppState, owner_device: bool) -> bool {
    if state.staff.list.with(Option::is_some) {
        state.staff.may(pos_core::staff::Permission::ChangeSettings)
    } else {
        owner_device
    }
}

/// A device is paired with a code made after giving a PIN (an owner's, or with staff, that of a
/// member who may change settings).
#[component]
fn Pairing() -> impl IntoView {
    let state = expect_context::<AppState>();
    let pin_label = if state.staff.list.with_untracked(Option::is_some) {
        Msg::StaffConfirmPin
    } else {
        Msg::OwnerPin
    };
    let pin = RwSignal::new(String::new());
    let shown: RwSignal<Option<PairingCode>> = RwSignal::new(None);
    let make = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(engine) = state.engine() else { return };
        let Some(token) = state
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.device_token.clone()))
        else {
            return;
        };
        // An owner's PIN from the signed staff list; a store without one (made before staff)
        // still has its owner's hash in the settings document.
        let auth = staff_pin(state, pin.get_untracked());
        spawn_local(async move {
            // With staff, the server checks the PIN; a store without staff checks its owner's
            // hash from the settings document here, on the owner's device.
            if auth.is_none() {
                let hash = match engine.ask(Request::OwnerPinHash).await {
                    Ok(Answer::PinHash(hash)) => hash,
                    _ => None,
                };
                if !hash.is_some_and(|h| enroll::pin_matches(&pin.get_untracked(), &h)) {
                    return state.error(Msg::WrongPin);
                }
            }
            pin.set(String::new());
            match api::new_pairing_code(&token, auth.as_ref()).await {
                Ok(code) => shown.set(Some(code)),
                Err(e) => state.notice.set(Some(enroll::api_notice(&e))),
            }
        });
    };
    view! {
        <form class="pairing" on:submit=make>
            <Field label=pin_label value=pin testid="pairing-pin" kind="password" />
            <button type="submit" data-testid="pair-device">{move || state.t(Msg::PairDevice)}</button>
        </form>
        {move || shown.get().map(|code| {
            let link = pairing_link(&code.code);
            let qr = qr_svg(&link);
            let minutes = (code.expires_in_secs / 60).to_string();
            view! {
                <div class="pairing-code">
                    <p>{move || Msg::PairingCodeValid.fill(state.lang.get(), &[("minutes", &minutes)])}</p>
                    <p class="code" data-testid="pairing-code">{code.code.clone()}</p>
                    <div class="qr" data-testid="pairing-qr" data-link=link.clone() inner_html=qr></div>
                </div>
            }
        })}
    }
}

fn pairing_link(code: &str) -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/#/pair?code={code}")
}

fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(180, 180)
            .build(),
        Err(_) => String::new(),
    }
}

#[component]
fn DeviceList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows: RwSignal<Vec<DeviceRow>> = RwSignal::new(Vec::new());
    let token = move || {
        state
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.device_token.clone()))
    };
    let load = move || {
        let Some(token) = token() else { return };
        spawn_local(async move {
            match api::devices(&token).await {
                Ok(list) => rows.set(list),
                Err(e) => state.notice.set(Some(enroll::api_notice(&e))),
            }
        });
    };
    let this_device = move || {
        state
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.device_id))
    };
    let pin = RwSignal::new(String::new());
    let with_staff = move || state.staff.list.with(Option::is_some);
    view! {
        <h4>{move || state.t(Msg::DevicesHeading)}</h4>
        <button data-testid="show-devices" on:click=move |_| load()>{move || state.t(Msg::ShowDevices)}</button>
        <Show when=with_staff>
            <Field label=Msg::StaffConfirmPin value=pin testid="devices-pin" kind="password" />
        </Show>
        <ul class="devices" data-testid="device-list">
            {move || rows.get().into_iter().map(|row| {
                let id = row.device_id;
                let me = this_device() == Some(id);
                view! {
                    <li data-testid="device-row">
                        <span>{row.name.clone()}</span>
                        {me.then(|| view! { <em>{move || state.t(Msg::ThisDevice)}</em> })}
                        {row.revoked.then(|| view! { <em>{move || state.t(Msg::DeviceRevoked)}</em> })}
                        {(!me && !row.revoked).then(|| view! {
                            <button class="danger" data-testid="revoke-device" on:click=move |_| {
                                let Some(token) = token() else { return };
                                let auth = staff_pin(state, pin.get_untracked());
                                spawn_local(async move {
                                    match api::revoke(&token, id, auth.as_ref()).await {
                                        Ok(()) => load(),
                                        Err(e) => state.notice.set(Some(enroll::api_notice(&e))),
                                    }
                                });
                            }>{move || state.t(Msg::RevokeDevice)}</button>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Prices and counted stock, shared by every device of the store.
#[component]
fn ProductsSetting() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <Show when=move || state.membership.with(Option::is_some)>
            <div class="setting" data-testid="products-setting">
                <h3>{move || state.t(Msg::ProductsHeading)}</h3>
                {move || state.price_conflicts.get().into_iter().map(|c| {
                    let lang = state.lang.get();
                    let currency = state.store.with(|s| s.rules.currency);
                    let name = state.catalog.with(|cat| cat.product(&c.product).map(|p| p.name.clone())).unwrap_or(c.product.clone());
                    let prices = c.values.iter().map(|v| i18n::money(*v, currency, lang)).collect::<Vec<_>>().join(", ");
                    let text = Msg::PriceConflictNote.fill(lang, &[("product", &name), ("prices", &prices), ("price", &i18n::money(c.winner, currency, lang))]);
                    view! { <p class="notice info" data-testid="price-conflict">{text}</p> }
                }).collect_view()}
                <table class="products">
                    <tbody>
                        {move || state.catalog.get().products.into_iter().map(|p| view! { <ProductRow product=p /> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

#[component]
fn ProductRow(product: pos_core::Product) -> impl IntoView {
    let state = expect_context::<AppState>();
    let counted = state.stock.with_untracked(|s| s.get(&product.sku).copied());
    let form = RwSignal::new(ProductForm::of(&product, counted));
    let id = product.id.clone();
    let save_price = move |_| match form.with_untracked(ProductForm::price) {
        Ok(price) => {
            state.set_price(&id, price);
            state.notice.set(Some(Notice::Info(Msg::PriceSaved)));
        }
        Err(e) => state.error(e.msg()),
    };
    let sku = product.sku.clone();
    let save_stock = move |_| match form.with_untracked(ProductForm::counted) {
        Ok(counted) => {
            state.set_stock(&sku, counted);
            state.notice.set(Some(Notice::Info(Msg::StockSaved)));
        }
        Err(e) => state.error(e.msg()),
    };
    view! {
        <tr data-testid=format!("product-{}", product.sku)>
            <td>{product.name.clone()}</td>
            <td>
                <input class="price" data-testid="price-input" aria-label=move || state.t(Msg::Price) inputmode="decimal"
                    prop:value=move || form.with(|f| f.price.clone()) on:input=move |ev| form.update(|f| f.price = event_target_value(&ev)) />
                <button data-testid="save-price" on:click=save_price>{move || state.t(Msg::Save)}</button>
            </td>
            <td>
                <input class="stock" data-testid="stock-input" aria-label=move || state.t(Msg::CountedStock) inputmode="decimal"
                    prop:value=move || form.with(|f| f.counted.clone()) on:input=move |ev| form.update(|f| f.counted = event_target_value(&ev)) />
                <button data-testid="save-stock" on:click=save_stock>{move || state.t(Msg::Save)}</button>
            </td>
        </tr>
    }
}
