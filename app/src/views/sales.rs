//! Recent sales of this device, newest first, each opening its receipt.

use leptos::prelude::*;
use pos_core::Sale;

use super::receipt::Receipt;
use crate::i18n::{self, Msg};
use crate::state::AppState;

#[component]
pub fn Sales() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || match state.viewed_sale.get() {
        Some(sale) => view! {
            <div class="sale-detail">
                <button class="back" on:click=move |_| state.viewed_sale.set(None)>{move || state.t(Msg::Back)}</button>
                <super::printing::ReprintButtons sale=sale.clone() />
                <Receipt sale />
            </div>
        }
        .into_any(),
        None => view! {
            <section class="sales">
                <h2>{move || state.t(Msg::RecentSales)}</h2>
                <FindReceipt />
                <Show when=move || state.recent_sales.with(Vec::is_empty)>
                    <p class="empty">{move || state.t(Msg::NoSales)}</p>
                </Show>
                <ul class="sales-list" data-testid="sales-list">
                    <For
                        each=move || state.recent_sales.get()
                        key=|s| s.id()
                        children=move |sale| view! { <SaleRow sale /> }
                    />
                </ul>
                <Show when=move || state.more_sales.get()>
                    <button class="load-more" data-testid="load-more" on:click=move |_| state.load_sales(true)>
                        {move || state.t(Msg::LoadMore)}
                    </button>
                </Show>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn SaleRow(sale: Sale) -> impl IntoView {
    let state = expect_context::<AppState>();
    let number = sale.receipt_number().to_string();
    let at = sale.completed_at_ms();
    let total = sale.totals().total;
    let currency = sale.rules().currency;
    let items = sale.lines().len();
    view! {
        <li>
            <button class="sale-row" data-testid="sale-row" on:click=move |_| state.viewed_sale.set(Some(sale.clone()))>
                <span class="number" data-testid="sale-number">{number}</span>
                <span class="time">{move || i18n::date_time(at, state.lang.get())}</span>
                <span class="items">{move || Msg::Items.fill(state.lang.get(), &[("count", &items.to_string())])}</span>
                <span class="amount" data-testid="sale-total">{move || i18n::money(total, currency, state.lang.get())}</span>
            </button>
        </li>
    }
}

#[component]
fn FindReceipt() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    view! {
        <div class="find-receipt">
            <input
                type="search"
                data-testid="find-receipt"
                aria-label=move || state.t(Msg::FindReceipt)
                placeholder=move || state.t(Msg::FindReceipt)
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { state.find_sale(query.get_untracked()) }
            />
            <button on:click=move |_| state.find_sale(query.get_untracked())>{move || state.t(Msg::Find)}</button>
        </div>
    }
}
