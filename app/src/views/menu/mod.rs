//! The menu screen: the store's products, categories, modifiers and taxes, created and edited on
//! any device (a tablet, a phone, a back-office browser), offline too. Edits go through
//! `AppState::edit_catalog`, which checks them and gives them to every device of the store.

mod extras;
mod file;
mod product;

pub(crate) use extras::rule_text;

use leptos::prelude::*;
use pos_core::{Catalog, Product, Uuid};

use super::forms::menu::ProductDraft;
use crate::i18n::{self, Msg};
use crate::state::AppState;

/// Rows listed at once; a search finds the others in a large catalog.
const LISTED: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Products,
    Categories,
    Modifiers,
    Taxes,
    File,
}

#[component]
pub fn Menu() -> impl IntoView {
    let state = expect_context::<AppState>();
    let tab = RwSignal::new(Tab::Products);
    let tab_button = move |which: Tab, msg: Msg, testid: &'static str| {
        view! {
            <button
                class="category"
                role="tab"
                data-testid=testid
                class:active=move || tab.get() == which
                on:click=move |_| tab.set(which)
            >
                {move || state.t(msg)}
            </button>
        }
    };
    view! {
        <section class="settings menu" data-testid="menu">
            <h2>{move || state.t(Msg::NavMenu)}</h2>
            <CurrencyMismatch />
            <div class="categories" role="tablist">
                {tab_button(Tab::Products, Msg::MenuProducts, "menu-tab-products")}
                {tab_button(Tab::Categories, Msg::MenuCategories, "menu-tab-categories")}
                {tab_button(Tab::Modifiers, Msg::MenuModifiers, "menu-tab-modifiers")}
                {tab_button(Tab::Taxes, Msg::MenuTaxes, "menu-tab-taxes")}
                {tab_button(Tab::File, Msg::MenuFile, "menu-tab-file")}
            </div>
            {move || match tab.get() {
                Tab::Products => view! { <Products /> }.into_any(),
                Tab::Categories => view! { <extras::Categories /> }.into_any(),
                Tab::Modifiers => view! { <extras::Modifiers /> }.into_any(),
                Tab::Taxes => view! { <extras::Taxes /> }.into_any(),
                Tab::File => view! { <file::MenuFile /> }.into_any(),
            }}
        </section>
    }
}

/// Says when the menu is priced in another currency than the store sells in, and offers the
/// only ways out: convert its prices at a rate the owner types, or start an empty menu.
#[component]
pub fn CurrencyMismatch() -> impl IntoView {
    let state = expect_context::<AppState>();
    let mismatch = move || {
        let store = state.store.with(|s| s.rules.currency);
        state.catalog.with(|c| {
            c.price_currency()
                .filter(|menu| *menu != store)
                .map(|menu| (menu, store))
        })
    };
    let rate = RwSignal::new(String::new());
    let convert = move |_| {
        let Some((_, store)) = mismatch() else { return };
        let Some(rate) = i18n::parse_decimal(&rate.get_untracked()) else {
            return state.error(Msg::RateNotANumber);
        };
        let Some(converted) = state.catalog.with_untracked(|c| c.converted(store, rate)) else {
            return state.error(Msg::RateNotANumber);
        };
        let profile = state.store.get_untracked();
        state.replace_catalog(profile, converted, Msg::MenuConverted);
    };
    let start_empty = move |_| {
        let Some((_, store)) = mismatch() else { return };
        let empty = state.catalog.with_untracked(|c| Catalog {
            tax_categories: c.tax_categories.clone(),
            currency: Some(store),
            ..Catalog::default()
        });
        let profile = state.store.get_untracked();
        state.replace_catalog(profile, empty, Msg::MenuEmptied);
    };
    move || {
        mismatch().map(|(menu, store)| {
            let lang = state.lang.get();
            let (menu, store) = (menu.code(), store.code());
            view! {
                <div class="setting currency-mismatch" data-testid="menu-currency-mismatch">
                    <p>{Msg::MenuInOtherCurrency.fill(lang, &[("menu", menu), ("store", store)])}</p>
                    <label>
                        {Msg::ExchangeRate.fill(lang, &[("menu", menu), ("store", store)])}
                        <input data-testid="exchange-rate" inputmode="decimal" prop:value=move || rate.get()
                            on:input=move |ev| rate.set(event_target_value(&ev)) />
                    </label>
                    <button data-testid="convert-menu" on:click=convert>{Msg::ConvertMenu.text(lang)}</button>
                    <button class="danger" data-testid="empty-menu" on:click=start_empty>{Msg::StartEmptyMenu.text(lang)}</button>
                </div>
            }
        })
    }
}

#[component]
fn Products() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    let show_archived = RwSignal::new(false);
    let editing: RwSignal<Option<ProductDraft>> = RwSignal::new(None);
    let listed = Memo::new(move |_| {
        let q = query.get().trim().to_lowercase();
        let archived = show_archived.get();
        state.catalog.with(|c| {
            c.products
                .iter()
                .filter(|p| p.archived == archived)
                .filter(|p| {
                    q.is_empty()
                        || p.name.to_lowercase().contains(&q)
                        || p.sku.to_lowercase().starts_with(&q)
                })
                .take(LISTED)
                .cloned()
                .collect::<Vec<Product>>()
        })
    });
    let new_product = move |_| {
        let draft = state.catalog.with_untracked(|c| {
            ProductDraft::new(
                Uuid::now_v7().to_string(),
                c.ordered_categories().first().copied(),
                c.tax_categories.first(),
            )
        });
        editing.set(Some(draft));
    };
    let no_categories = move || {
        state
            .catalog
            .with(|c| c.categories.is_empty() || c.tax_categories.is_empty())
    };
    view! {
        <div class="menu-products">
            <Show when=no_categories>
                <p class="note" data-testid="menu-needs-category">{move || state.t(Msg::MenuNeedsCategory)}</p>
            </Show>
            <div class="toolbar">
                <input type="search" data-testid="menu-search" aria-label=move || state.t(Msg::SearchLabel)
                    placeholder=move || state.t(Msg::SearchPlaceholder)
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                <button class="primary" data-testid="new-product" disabled=no_categories on:click=new_product>
                    {move || state.t(Msg::NewProduct)}
                </button>
                <label class="check">
                    <input type="checkbox" data-testid="show-archived" prop:checked=move || show_archived.get()
                        on:change=move |ev| show_archived.set(event_target_checked(&ev)) />
                    {move || state.t(Msg::ShowArchived)}
                </label>
            </div>
            {move || editing.get().map(|draft| view! { <product::ProductEditor draft editing /> })}
            <ul class="menu-list" data-testid="menu-products">
                <For
                    each=move || listed.get()
                    key=|p| (p.id.clone(), p.name.clone(), p.price, p.archived)
                    children=move |p| {
                        let lang = state.lang.get_untracked();
                        let currency = state.store.with_untracked(|s| s.rules.currency);
                        let category = state.catalog.with_untracked(|c| c.category(&p.category).map(|c| c.name.clone())).unwrap_or_default();
                        let price = if p.open_price { Msg::PriceTypedAtSale.text(lang).to_string() } else { i18n::money(p.price, currency, lang) };
                        let variants = (!p.variants.is_empty()).then(|| Msg::VariantCount.fill(lang, &[("count", &p.variants.len().to_string())]));
                        let draft = ProductDraft::of(&p);
                        view! {
                            <li data-testid="menu-product" data-sku=p.sku.clone()>
                                <button class="link" data-testid="edit-product" on:click=move |_| editing.set(Some(draft.clone()))>{p.name.clone()}</button>
                                <span class="muted">{category}</span>
                                <span>{price}</span>
                                {variants.map(|v| view! { <span class="muted">{v}</span> })}
                            </li>
                        }
                    }
                />
            </ul>
        </div>
    }
}
