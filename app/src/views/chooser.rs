//! Asked when a tile is tapped for a product with variants, modifier groups or a price typed at
//! the sale: the cashier picks, the dialog shows what the line will cost, and "Add" adds it.

use leptos::prelude::*;
use pos_core::{Choice, Decimal, ModifierGroup, Product};

use crate::i18n::{self, Msg};
use crate::state::{AppState, Choosing};

#[component]
pub fn Chooser() -> impl IntoView {
    let state = expect_context::<AppState>();
    let product = Memo::new(move |_| {
        let id = state
            .choosing
            .with(|c| c.as_ref().map(|c| c.product.clone()))?;
        state.catalog.with(|c| c.product(&id).cloned())
    });
    let choice = move || {
        state
            .choosing
            .with(|c| c.as_ref().map(|c| c.choice.clone()).unwrap_or_default())
    };
    let update = move |f: &dyn Fn(&mut Choice)| {
        state.choosing.update(|c| {
            if let Some(Choosing { choice, .. }) = c {
                f(choice)
            }
        })
    };
    let typed = RwSignal::new(String::new());
    let add = move || {
        let Some(p) = product.get_untracked() else {
            return;
        };
        let mut chosen = choice();
        if p.open_price {
            match i18n::parse_decimal(&typed.get_untracked()) {
                Some(price) => chosen.price = Some(price),
                None => return state.error(Msg::TypePrice),
            }
        }
        if state.add_chosen(&p.id, &chosen) {
            typed.set(String::new());
        }
    };
    let close = move || {
        typed.set(String::new());
        state.choosing.set(None);
    };
    move || {
        product.get().map(|p: Product| {
            let currency = state.store.with_untracked(|s| s.rules.currency);
            let money = move |d: Decimal| i18n::money(d, currency, state.lang.get());
            let groups: Vec<ModifierGroup> = state.catalog.with_untracked(|c| {
                p.modifier_groups.iter().filter_map(|g| c.modifier_group(g).cloned()).collect()
            });
            let open_price = p.open_price;
            view! {
                <div class="overlay" on:click=move |_| close()>
                    <div class="dialog chooser" data-testid="chooser" role="dialog" on:click=|ev| ev.stop_propagation()>
                        <h3>{p.name.clone()}</h3>
                        {(!p.variants.is_empty()).then(|| view! {
                            <div class="choices" role="radiogroup" aria-label=move || state.t(Msg::Variants)>
                                {p.variants.iter().map(|v| {
                                    let (id, on) = (v.id.clone(), v.id.clone());
                                    let price = v.price;
                                    view! {
                                        <button class="chip" data-testid="choose-variant" data-name=v.name.clone()
                                            class:active=move || choice().variant.as_deref() == Some(on.as_str())
                                            on:click=move |_| update(&|c| c.variant = Some(id.clone()))>
                                            {v.name.clone()} " " {move || (!open_price).then(|| money(price))}
                                        </button>
                                    }
                                }).collect_view()}
                            </div>
                        })}
                        {groups.into_iter().map(|g| view! { <GroupChoice group=g /> }).collect_view()}
                        {open_price.then(|| view! {
                            <label class="field">
                                <span>{move || state.t(Msg::TypePrice)}</span>
                                <input data-testid="typed-price" inputmode="decimal" prop:value=move || typed.get()
                                    on:input=move |ev| typed.set(event_target_value(&ev))
                                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { add() } />
                            </label>
                        })}
                        <div class="actions">
                            <button class="primary" data-testid="add-chosen" on:click=move |_| add()>{move || state.t(Msg::AddToTicket)}</button>
                            <button data-testid="cancel-choice" on:click=move |_| close()>{move || state.t(Msg::Cancel)}</button>
                        </div>
                    </div>
                </div>
            }
        })
    }
}

/// The modifiers of one group as chips; a group of at most one works as a radio button.
#[component]
fn GroupChoice(group: ModifierGroup) -> impl IntoView {
    let state = expect_context::<AppState>();
    let currency = state.store.with_untracked(|s| s.rules.currency);
    let rule = super::menu::rule_text;
    let (min, max) = (group.min, group.max);
    let single = max == Some(1);
    let members = group.modifiers.clone();
    let chosen = move |id: &str| {
        state.choosing.with(|c| {
            c.as_ref()
                .is_some_and(|c| c.choice.modifiers.iter().any(|m| m == id))
        })
    };
    let toggle = move |id: String| {
        state.choosing.update(|c| {
            let Some(Choosing { choice, .. }) = c else {
                return;
            };
            if choice.modifiers.contains(&id) {
                choice.modifiers.retain(|m| *m != id);
            } else {
                if single {
                    choice.modifiers.retain(|m| !members.contains(m));
                }
                choice.modifiers.push(id);
            }
        })
    };
    let modifiers: Vec<_> = state.catalog.with_untracked(|c| {
        group
            .modifiers
            .iter()
            .filter_map(|m| c.modifier(m).cloned())
            .collect()
    });
    view! {
        <fieldset class="group-choice" data-testid="modifier-group" data-name=group.name.clone()>
            <legend>{group.name.clone()} " · " {move || rule(state, min, max)}</legend>
            {modifiers.into_iter().map(|m| {
                let (id, on) = (m.id.clone(), m.id.clone());
                let toggle = toggle.clone();
                view! {
                    <button class="chip modifier" data-testid="choose-modifier" data-name=m.name.clone()
                        class:active=move || chosen(&on)
                        on:click=move |_| toggle(id.clone())>
                        {m.name.clone()}
                        {(!m.price.is_zero()).then(|| view! { " +" {move || i18n::money(m.price, currency, state.lang.get())} })}
                    </button>
                }
            }).collect_view()}
        </fieldset>
    }
}
