//! Settings for the receipt printer: connect one (how, which model, paper width, serial speed,
//! Bluetooth chunk size), print a test page, print after each sale or not, forget it; and the
//! recent openings of the cash drawer.

use leptos::prelude::*;
use pos_devices::{BluetoothPacing, PrinterProfile, SerialSettings};

use super::forms::printer::{PAPER_WIDTHS, PrinterForm};
use crate::i18n::{self, Msg};
use crate::printing::unsupported_msg;
use crate::state::AppState;
use crate::storage::DrawerReason;
use crate::transport::TransportKind;

fn kind_msg(kind: TransportKind) -> Msg {
    match kind {
        TransportKind::Usb => Msg::PrinterUsb,
        TransportKind::Serial => Msg::PrinterSerial,
        TransportKind::Bluetooth => Msg::PrinterBluetooth,
    }
}

fn kind_key(kind: TransportKind) -> &'static str {
    match kind {
        TransportKind::Usb => "usb",
        TransportKind::Serial => "serial",
        TransportKind::Bluetooth => "bluetooth",
    }
}

#[component]
pub fn PrinterSettings() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <div class="setting printers" data-testid="printer-settings">
            <h3>{move || state.t(Msg::PrinterHeading)}</h3>
            {move || match state.printer.setup.get() {
                Some(setup) => {
                    let model = PrinterProfile::by_id(&setup.profile).map_or(setup.profile.clone(), |p| p.name.to_string());
                    let kind = setup.device.kind();
                    let after_sale = setup.print_after_sale;
                    view! {
                        <p data-testid="printer-summary">
                            {move || {
                                // A device that gave no name of its own is named after its model: say it once.
                                let msg = if setup.name == model { Msg::PrinterSummaryModel } else { Msg::PrinterSummary };
                                msg.fill(state.lang.get(), &[("name", &setup.name), ("model", &model), ("connection", state.t(kind_msg(kind)))])
                            }}
                        </p>
                        <label class="check">
                            <input type="checkbox" data-testid="print-after-sale" prop:checked=after_sale
                                on:change=move |ev| state.set_print_after_sale(event_target_checked(&ev)) />
                            {move || state.t(Msg::PrintAfterSale)}
                        </label>
                        <div class="actions">
                            <button data-testid="print-test-page" on:click=move |_| state.print_test_page()>{move || state.t(Msg::PrintTestPage)}</button>
                            <button data-testid="reconnect-printer" on:click=move |_| state.reconnect_printer()>{move || state.t(Msg::ConnectAgain)}</button>
                            <button class="danger" data-testid="forget-printer" on:click=move |_| state.forget_printer()>{move || state.t(Msg::ForgetPrinter)}</button>
                        </div>
                    }.into_any()
                }
                None => view! { <AddPrinter /> }.into_any(),
            }}
            <DrawerOpenings />
        </div>
    }
}

#[component]
fn AddPrinter() -> impl IntoView {
    let state = expect_context::<AppState>();
    let first_supported = TransportKind::ALL.into_iter().find(|k| k.supported());
    let form = RwSignal::new(PrinterForm::new(
        first_supported.unwrap_or(TransportKind::Usb),
    ));
    let kind = move || form.with(|f| f.kind);
    let connect = move |_| match form.with_untracked(PrinterForm::choice) {
        Ok(choice) => state.add_printer(choice),
        Err(e) => state.error(e.msg()),
    };
    view! {
        <p>{move || state.t(Msg::PrinterNone)}</p>
        <KindField form />
        <Show when=move || !kind().supported()>
            <p class="note" data-testid="transport-unsupported">{move || state.t(unsupported_msg(Some(kind())))}</p>
        </Show>
        <ModelFields form />
        <Show when=move || kind() == TransportKind::Serial>
            <label>
                {move || state.t(Msg::BaudRate)}
                <select data-testid="baud-rate" on:change=move |ev| form.update(|f| f.baud = event_target_value(&ev))>
                    {SerialSettings::BAUD_RATES.iter().map(|&b| view! {
                        <option value=b.to_string() selected=move || form.with(|f| f.baud == b.to_string())>{b.to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
        </Show>
        <Show when=move || kind() == TransportKind::Bluetooth>
            <label>
                {move || state.t(Msg::ChunkSize)}
                <input type="number" data-testid="chunk-size"
                    min=BluetoothPacing::CHUNK_RANGE.start().to_string() max=BluetoothPacing::CHUNK_RANGE.end().to_string()
                    prop:value=move || form.with(|f| f.chunk_size.clone())
                    on:change=move |ev| form.update(|f| f.chunk_size = event_target_value(&ev)) />
            </label>
        </Show>
        <button class="primary" data-testid="add-printer" disabled=move || !kind().supported() on:click=connect>
            {move || state.t(Msg::AddPrinter)}
        </button>
    }
}

#[component]
fn KindField(form: RwSignal<PrinterForm>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let chosen = move |ev| {
        let key = event_target_value(&ev);
        if let Some(k) = TransportKind::ALL.into_iter().find(|k| kind_key(*k) == key) {
            form.update(|f| f.kind = k);
        }
    };
    view! {
        <label>
            {move || state.t(Msg::PrinterConnection)}
            <select data-testid="printer-connection" on:change=chosen>
                {TransportKind::ALL.into_iter().map(|k| view! {
                    <option value=kind_key(k) selected=move || form.with(|f| f.kind == k)>{move || state.t(kind_msg(k))}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The model, and the paper width it brings, which the merchant may narrow.
#[component]
fn ModelFields(form: RwSignal<PrinterForm>) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label>
            {move || state.t(Msg::PrinterModel)}
            <select data-testid="printer-model" on:change=move |ev| form.update(|f| f.choose_model(&event_target_value(&ev)))>
                {PrinterProfile::ALL.iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
            </select>
        </label>
        <label>
            {move || state.t(Msg::PaperWidth)}
            <select data-testid="paper-width" on:change=move |ev| form.update(|f| f.chars_per_line = event_target_value(&ev))>
                {PAPER_WIDTHS.into_iter().map(|n| view! {
                    <option value=n.to_string() selected=move || form.with(|f| f.chars_per_line == n.to_string())>{n.to_string()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

#[component]
fn DrawerOpenings() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <h4>{move || state.t(Msg::DrawerOpenings)}</h4>
        <Show when=move || state.printer.openings.with(Vec::is_empty)>
            <p class="note">{move || state.t(Msg::NoDrawerOpenings)}</p>
        </Show>
        <ul class="drawer-openings" data-testid="drawer-openings">
            {move || {
                let lang = state.lang.get();
                state.printer.openings.get().into_iter().map(|opening| {
                    let why = match &opening.reason {
                        DrawerReason::Sale { receipt } => Msg::DrawerForSale.fill(lang, &[("receipt", receipt)]),
                        DrawerReason::NoSale { reason } => Msg::DrawerNoSale.fill(lang, &[("reason", reason)]),
                        DrawerReason::Refund { receipt, reason } => {
                            Msg::DrawerForRefund.fill(lang, &[("receipt", receipt), ("reason", reason)])
                        }
                    };
                    let by = Msg::DrawerByDevice.fill(lang, &[("device", &opening.by)]);
                    view! {
                        <li data-testid="drawer-opening">
                            <span class="time">{i18n::date_time(opening.at_ms, lang)}</span>
                            " · "<span class="why">{why}</span>" · "<span class="by">{by}</span>
                        </li>
                    }
                }).collect_view()
            }}
        </ul>
    }
}
