//! The selling screen: one toolbar (search, camera, "No sale"), the categories as chips that all
//! stay in sight, the catalog grid under them, and the ticket beside it (stacked on a phone).

use std::sync::Arc;

use leptos::prelude::*;
use pos_core::{Product, SearchIndex, Unit};

use super::ticket::TicketPanel;
use crate::i18n::{self, Msg};
use crate::state::AppState;
use crate::storage::FIRST_SCREEN_PRODUCTS;

/// Tiles drawn at once; a search narrows a large catalog rather than scrolling through it. A start
/// reads this many products before the register is drawn.
const MAX_TILES: usize = FIRST_SCREEN_PRODUCTS;
/// While searching, fewer tiles: the cashier is looking for one product, each keystroke redraws
/// them, and a tablet shows about this many at once.
const MAX_SEARCH_TILES: usize = 24;

/// Matches looked for per keystroke: the tiles shown, and a complete list, when there are no more
/// than this, to narrow the next keystroke's search.
const SEARCH_LIMIT: usize = 200;

/// The matches of the last search, kept to narrow the next keystroke's search when complete.
struct Found {
    query: String,
    index: Option<Arc<SearchIndex>>,
    matches: Vec<usize>,
    complete: bool,
}

#[component]
pub fn Register() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    let category = RwSignal::new(None::<String>);
    // Built once per catalog; every change of the catalog is a new index.
    let index = Memo::new_with_compare(
        move |_| Arc::new(state.catalog.with(SearchIndex::new)),
        |_, _| true,
    );
    // Build the index soon after the register shows (and again once the whole catalog is read),
    // so the first search does not pay for it.
    Effect::new(move |_| {
        if state.catalog_whole.get() {
            set_timeout(
                move || _ = index.try_with_untracked(|_| ()),
                std::time::Duration::from_millis(500),
            );
        }
    });
    // Keeps every match of the last query, so that typing one more character only narrows it.
    let found = Memo::new_owning(move |previous: Option<Found>| {
        let q = query.get().trim().to_lowercase();
        if q.is_empty() {
            // Browsing by category needs no index.
            return (
                Found {
                    query: q,
                    index: None,
                    matches: Vec::new(),
                    complete: true,
                },
                true,
            );
        }
        let index = index.get();
        let narrowed = previous
            .as_ref()
            .filter(|p| {
                p.index.as_ref().is_some_and(|i| Arc::ptr_eq(i, &index))
                    && p.complete
                    && !p.query.is_empty()
                    && q.starts_with(&p.query)
            })
            .map(|p| p.matches.as_slice());
        let (matches, complete) = index.search_first(&q, narrowed, SEARCH_LIMIT);
        (
            Found {
                query: q,
                index: Some(index),
                matches,
                complete,
            },
            true,
        )
    });
    let visible = Memo::new(move |_| {
        let cat = category.get();
        state.catalog.with(|c| {
            found.with(|f| {
                if f.query.is_empty() {
                    c.products
                        .iter()
                        .filter(|p| {
                            !p.archived && cat.as_ref().is_none_or(|cat| &p.category == cat)
                        })
                        .take(MAX_TILES)
                        .cloned()
                        .collect()
                } else {
                    f.matches
                        .iter()
                        .take(MAX_SEARCH_TILES)
                        .filter_map(|&i| c.products.get(i).cloned())
                        .collect::<Vec<Product>>()
                }
            })
        })
    });

    let shown = Memo::new(move |_| visible.with(Vec::len));
    let demo_note_hidden = RwSignal::new(crate::demo_note_hidden());

    let on_search_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() != "Enter" {
            return;
        }
        ev.prevent_default();
        let text = query.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        // A scanner or a cashier typed a code: add that product. A name with one match adds it too.
        let added = if index.with_untracked(|i| i.by_code(&text).is_some()) {
            state.add_by_code(&text)
        } else {
            match visible.with_untracked(|v| (v.len() == 1).then(|| v[0].clone())) {
                Some(p) => {
                    state.add_product(&p);
                    true
                }
                None => state.add_by_code(&text),
            }
        };
        if added {
            query.set(String::new());
        }
    };

    view! {
        <div class="register">
            <section class="catalog">
                // One short line, put away for good with its button: the header's badge still
                // says the menu is the demo, and Settings removes it.
                <Show when=move || state.catalog.with(|c| c.is_demo) && !demo_note_hidden.get()>
                    <div class="demo-banner" data-testid="demo-banner" title=move || state.t(Msg::DemoBanner)>
                        <span class="demo-note">{move || state.t(Msg::DemoNote)}</span>
                        <button
                            class="dismiss"
                            data-testid="demo-banner-dismiss"
                            aria-label=move || state.t(Msg::DemoNoteHide)
                            title=move || state.t(Msg::DemoNoteHide)
                            on:click=move |_| {
                                crate::hide_demo_note();
                                demo_note_hidden.set(true);
                            }
                        >
                            "×"
                        </button>
                    </div>
                </Show>
                <div class="register-toolbar" data-testid="register-toolbar" role="toolbar" aria-label=move || state.t(Msg::RegisterToolbar)>
                    <input
                        type="search"
                        class="search"
                        data-testid="search"
                        inputmode="search"
                        autocomplete="off"
                        aria-label=move || state.t(Msg::SearchLabel)
                        placeholder=move || state.t(Msg::SearchPlaceholder)
                        prop:value=move || query.get()
                        on:input=move |ev| query.set(event_target_value(&ev))
                        on:keydown=on_search_key
                    />
                    <button
                        class="scan-camera"
                        data-testid="scan-camera"
                        aria-label=move || state.t(Msg::ScanWithCamera)
                        title=move || state.t(Msg::ScanWithCamera)
                        on:click=move |_| state.camera_open.set(true)
                    >
                        <CameraIcon />
                        <span class="words">{move || state.t(Msg::ScanWithCamera)}</span>
                    </button>
                    <super::printing::NoSale />
                </div>
                <div class="categories" role="tablist" aria-label=move || state.t(Msg::Categories)>
                    <button
                        class="category"
                        role="tab"
                        class:active=move || category.with(Option::is_none)
                        on:click=move |_| category.set(None)
                    >
                        {move || state.t(Msg::AllCategories)}
                    </button>
                    <For
                        each=move || state.catalog.with(|c| c.ordered_categories().into_iter().cloned().collect::<Vec<_>>())
                        key=|c| (c.id.clone(), c.name.clone())
                        children=move |c| {
                            let id = c.id.clone();
                            let active_id = c.id.clone();
                            view! {
                                <button
                                    class="category"
                                    role="tab"
                                    style=format!("--tile-colour: {}", c.colour)
                                    class:active=move || category.with(|s| s.as_ref() == Some(&active_id))
                                    on:click=move |_| {
                                        query.set(String::new());
                                        category.set(Some(id.clone()));
                                    }
                                >
                                    {c.name.clone()}
                                </button>
                            }
                        }
                    />
                </div>
                <div class="grid" data-testid="product-grid">
                    // Tiles by position: a keystroke or a category changes what the tiles show,
                    // not which tiles there are, so only the texts that changed are redrawn.
                    <For
                        each=move || 0..shown.get()
                        key=|at| *at
                        children=move |at| view! { <ProductTile at visible /> }
                    />
                </div>
                {move || {
                    let empty_catalog = state.catalog.with(|c| c.products.is_empty());
                    let nothing_found = visible.with(Vec::is_empty);
                    if empty_catalog {
                        Some(view! { <p class="empty">{state.t(Msg::EmptyCatalog)}</p> })
                    } else if nothing_found {
                        Some(view! { <p class="empty">{state.t(Msg::NoProducts)}</p> })
                    } else {
                        None
                    }
                }}
            </section>
            <TicketPanel />
        </div>
    }
}

/// A camera drawn in the button's text colour, so the button still says what it does on a phone,
/// where its words are left out (they stay its accessible name).
#[component]
fn CameraIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
            <path
                fill="none"
                stroke="currentColor"
                stroke-width="2"
                stroke-linejoin="round"
                d="M3 8h4l2-3h6l2 3h4v11H3z"
            />
            <circle cx="12" cy="13" r="3.5" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
    }
}

/// The tile at position `at` of the grid; it shows whichever product is there now.
#[component]
fn ProductTile(at: usize, visible: Memo<Vec<Product>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Compared by value: a tile whose product stayed the same is not touched.
    let product = Memo::new(move |_| visible.with(|v| v.get(at).cloned()));
    let with = move |f: fn(&Product) -> String| move || product.with(|p| p.as_ref().map(f));
    let colour = move || {
        product.with(|p| {
            let p = p.as_ref()?;
            let colour = p.colour.clone().or_else(|| {
                state.catalog.with_untracked(|c| {
                    c.categories
                        .iter()
                        .find(|cat| cat.id == p.category)
                        .map(|cat| cat.colour.clone())
                })
            });
            Some(format!(
                "--tile-colour: {}",
                colour.as_deref().unwrap_or("#888")
            ))
        })
    };
    let price = move || {
        let lang = state.lang.get();
        let currency = state.store.with(|s| s.rules.currency);
        product.with(|p| {
            let p = p.as_ref()?;
            if p.open_price {
                return Some(Msg::PriceTypedAtSale.text(lang).to_string());
            }
            // A product sold by its variants shows its lowest price.
            let price = p.variants.iter().map(|v| v.price).min().unwrap_or(p.price);
            let text = i18n::money(price, currency, lang);
            Some(match p.unit {
                Unit::Kilogram => Msg::PerKg.fill(lang, &[("price", &text)]),
                Unit::Litre => Msg::PerLitre.fill(lang, &[("price", &text)]),
                Unit::Piece => text,
            })
        })
    };
    let stock = move || {
        let left = product.with(|p| {
            let sku = &p.as_ref()?.sku;
            state.stock.with(|s| s.get(sku).copied())
        })?;
        Some(view! {
            <span class="tile-stock" data-testid="stock-left" data-left=left.to_string()>
                {Msg::StockLeft.fill(state.lang.get(), &[("count", &i18n::quantity(left, state.lang.get()))])}
            </span>
        })
    };
    view! {
        <button
            class="tile"
            data-testid="product"
            data-sku=with(|p| p.sku.clone())
            style=colour
            on:click=move |_| {
                if let Some(p) = product.get_untracked() {
                    state.add_product(&p);
                }
            }
        >
            <span class="tile-name">{with(|p| p.name.clone())}</span>
            <span class="tile-price">{price}</span>
            {stock}
        </button>
    }
}
