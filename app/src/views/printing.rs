//! What the cashier sees of the printer outside settings: the banner that says a print is
//! under way or failed (with "Print again"), and the print buttons of a receipt.

use leptos::prelude::*;
use pos_core::Sale;
use pos_devices::ReceiptCopy;

use crate::i18n::Msg;
use crate::printing::PrintState;
use crate::state::AppState;

/// Shown over every screen, the completion dialog included, while a print runs or after it failed.
#[component]
pub fn PrintStatus() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        let lang = state.lang.get();
        let (class, text, again, detail) = match state.printer.state.get() {
            PrintState::Idle => return None,
            PrintState::Printing => (
                "print-status info",
                Msg::Printing.text(lang).to_string(),
                false,
                None,
            ),
            PrintState::Printed => (
                "print-status info",
                Msg::Printed.text(lang).to_string(),
                false,
                None,
            ),
            PrintState::Failed(failure) => (
                "print-status error",
                failure.msg().text(lang).to_string(),
                true,
                failure.detail(),
            ),
        };
        Some(view! {
            <div class=class role="status" data-testid="print-status">
                <span data-testid="print-message">{text}</span>
                <super::Details detail=detail />
                {again.then(|| view! {
                    <button class="primary" data-testid="print-again" on:click=move |_| state.print_again()>
                        {move || state.t(Msg::PrintAgain)}
                    </button>
                })}
                <button class="dismiss" data-testid="print-dismiss" on:click=move |_| state.printer.state.set(PrintState::Idle)>
                    {move || state.t(Msg::Dismiss)}
                </button>
            </div>
        })
    }
}

/// "Print receipt" on the completion screen: the customer's copy, without opening the drawer
/// again (the sale already did).
#[component]
pub fn PrintReceiptButton(sale: Sale) -> impl IntoView {
    let state = expect_context::<AppState>();
    let has_printer = move || state.printer.setup.with(Option::is_some);
    view! {
        <Show when=has_printer>
            <button data-testid="print-receipt" on:click={
                let sale = sale.clone();
                move |_| state.print_sale(&sale, ReceiptCopy::Customer, false, false)
            }>
                {move || state.t(Msg::PrintReceipt)}
            </button>
        </Show>
    }
}

/// Reprints from the list of sales: either copy, marked as a reprint, drawer shut.
#[component]
pub fn ReprintButtons(sale: Sale) -> impl IntoView {
    let state = expect_context::<AppState>();
    let has_printer = move || state.printer.setup.with(Option::is_some);
    let print = move |copy| {
        let sale = sale.clone();
        move |_| state.print_sale(&sale, copy, true, false)
    };
    view! {
        <Show when=has_printer>
            <div class="reprint">
                <button data-testid="reprint-customer" on:click=print(ReceiptCopy::Customer)>{move || state.t(Msg::PrintCustomerCopy)}</button>
                <button data-testid="reprint-merchant" on:click=print(ReceiptCopy::Merchant)>{move || state.t(Msg::PrintMerchantCopy)}</button>
            </div>
        </Show>
    }
}

/// "No sale": opens the cash drawer with a reason, which the audit list keeps.
#[component]
pub fn NoSale() -> impl IntoView {
    let state = expect_context::<AppState>();
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    // "No sale" is a protected action like any other: a member without it asks a manager.
    let open = move || {
        if reason.with_untracked(|r| r.trim().is_empty()) {
            return state.error(Msg::NoSaleNeedsReason);
        }
        state.protected(
            pos_core::staff::Permission::NoSale,
            move |approved_by| match state.open_drawer_no_sale(reason.get_untracked()) {
                Ok(()) => {
                    state.record_audit(pos_core::staff::AuditAction::NoSale, approved_by);
                    asking.set(false);
                    reason.set(String::new());
                }
                Err(msg) => state.error(msg),
            },
        )
    };
    // Two items of the register's toolbar: the button beside search, and the reason on a line of
    // its own below them while it is asked for.
    view! {
        <button class="no-sale" data-testid="no-sale" aria-expanded=move || asking.get().to_string() on:click=move |_| asking.update(|a| *a = !*a)>
            {move || state.t(Msg::NoSale)}
        </button>
        <Show when=move || asking.get()>
            <div class="no-sale-form">
                <input
                    type="text"
                    data-testid="no-sale-reason"
                    aria-label=move || state.t(Msg::NoSaleReason)
                    placeholder=move || state.t(Msg::NoSaleReason)
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { open() }
                />
                <button class="primary" data-testid="open-drawer" on:click=move |_| open()>{move || state.t(Msg::OpenDrawer)}</button>
                <button on:click=move |_| asking.set(false)>{move || state.t(Msg::Cancel)}</button>
            </div>
        </Show>
    }
}
