//! What products refer to: categories (name, colour, order), modifiers and modifier groups, and
//! tax categories. Each row is its own draft, saved on its own.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{CatalogEdit, Category, Uuid, tax_presets};

use super::product::DraftField;
use crate::i18n::Msg;
use crate::state::AppState;
use crate::views::forms::menu::{GroupDraft, ModifierDraft, TaxDraft};

/// Colours offered to a new category in turn, so neighbouring tiles differ.
const PALETTE: [&str; 8] = [
    "#e4572e", "#17bebb", "#ffc914", "#76b041", "#2e86ab", "#a23b72", "#f18f01", "#6c757d",
];

fn save(state: AppState, edits: Vec<CatalogEdit>, then: impl FnOnce() + 'static) {
    spawn_local(async move {
        if state.edit_catalog(edits).await {
            then();
        }
    });
}

#[component]
pub(super) fn Categories() -> impl IntoView {
    let state = expect_context::<AppState>();
    let ordered = Memo::new(move |_| {
        state.catalog.with(|c| {
            c.ordered_categories()
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let new_name = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (count, last) = ordered.with_untracked(|o| (o.len(), o.last().map(|c| c.position)));
        let category = Category {
            id: Uuid::now_v7().to_string(),
            name: new_name.get_untracked().trim().to_string(),
            colour: PALETTE[count % PALETTE.len()].to_string(),
            position: last.map_or(0, |p| p + 1),
        };
        save(state, vec![CatalogEdit::PutCategory(category)], move || {
            new_name.set(String::new())
        });
    };
    // Swaps a category with its neighbour; positions are numbered afresh so equal ones part.
    let shift = move |at: usize, up: bool| {
        let mut list = ordered.get_untracked();
        let other = if up {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|o| *o < list.len())
        };
        let Some(other) = other else { return };
        list.swap(at, other);
        let edits = list
            .into_iter()
            .enumerate()
            .filter(|(i, c)| c.position != *i as i64)
            .map(|(i, c)| {
                CatalogEdit::PutCategory(Category {
                    position: i as i64,
                    ..c
                })
            })
            .collect();
        save(state, edits, || {});
    };
    view! {
        <ul class="menu-list" data-testid="menu-categories">
            <For each=move || ordered.get().into_iter().enumerate() key=|(at, c)| (*at, c.clone()) children=move |(at, c)| {
                let draft = RwSignal::new(c);
                view! {
                    <li data-testid="menu-category">
                        <DraftField label=Msg::CategoryName testid="category-name" draft get=|c: &Category| c.name.clone() set=|c, v| c.name = v />
                        <input type="color" data-testid="category-colour" aria-label=move || state.t(Msg::TileColour)
                            prop:value=move || draft.with(|c| c.colour.clone()) on:input=move |ev| draft.update(|c| c.colour = event_target_value(&ev)) />
                        <button data-testid="category-up" aria-label=move || state.t(Msg::MoveUp) on:click=move |_| shift(at, true)>"↑"</button>
                        <button data-testid="category-down" aria-label=move || state.t(Msg::MoveDown) on:click=move |_| shift(at, false)>"↓"</button>
                        <button data-testid="save-category" on:click=move |_| save(state, vec![CatalogEdit::PutCategory(draft.get_untracked())], || {})>
                            {move || state.t(Msg::Save)}
                        </button>
                    </li>
                }
            } />
        </ul>
        <form class="toolbar" on:submit=add>
            <input data-testid="new-category-name" aria-label=move || state.t(Msg::CategoryName) placeholder=move || state.t(Msg::CategoryName)
                prop:value=move || new_name.get() on:input=move |ev| new_name.set(event_target_value(&ev)) />
            <button type="submit" data-testid="add-category">{move || state.t(Msg::AddCategory)}</button>
        </form>
    }
}

#[component]
pub(super) fn Modifiers() -> impl IntoView {
    let state = expect_context::<AppState>();
    let new_modifier = RwSignal::new(ModifierDraft::default());
    let add_modifier = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = ModifierDraft {
            id: Uuid::now_v7().to_string(),
            ..new_modifier.get_untracked()
        };
        match draft.modifier() {
            Ok(m) => save(state, vec![CatalogEdit::PutModifier(m)], move || {
                new_modifier.set(ModifierDraft::default())
            }),
            Err(e) => state.error(e.msg()),
        }
    };
    let editing_group: RwSignal<Option<GroupDraft>> = RwSignal::new(None);
    view! {
        <h3>{move || state.t(Msg::Modifiers)}</h3>
        <ul class="menu-list" data-testid="menu-modifiers">
            <For each=move || state.catalog.with(|c| c.modifiers.clone()) key=|m| m.clone() children=move |m| {
                let draft = RwSignal::new(ModifierDraft::of(&m));
                let keep = move |_| match draft.with_untracked(ModifierDraft::modifier) {
                    Ok(m) => save(state, vec![CatalogEdit::PutModifier(m)], || {}),
                    Err(e) => state.error(e.msg()),
                };
                view! {
                    <li data-testid="menu-modifier">
                        <DraftField label=Msg::ModifierName testid="modifier-name" draft get=|m: &ModifierDraft| m.name.clone() set=|m, v| m.name = v />
                        <DraftField label=Msg::Price testid="modifier-price" draft decimal=true get=|m: &ModifierDraft| m.price.clone() set=|m, v| m.price = v />
                        <button data-testid="save-modifier" on:click=keep>{move || state.t(Msg::Save)}</button>
                    </li>
                }
            } />
        </ul>
        <form class="toolbar" on:submit=add_modifier>
            <DraftField label=Msg::ModifierName testid="new-modifier-name" draft=new_modifier get=|m: &ModifierDraft| m.name.clone() set=|m, v| m.name = v />
            <DraftField label=Msg::Price testid="new-modifier-price" draft=new_modifier decimal=true get=|m: &ModifierDraft| m.price.clone() set=|m, v| m.price = v />
            <button type="submit" data-testid="add-modifier">{move || state.t(Msg::AddModifier)}</button>
        </form>
        <h3>{move || state.t(Msg::ModifierGroups)}</h3>
        <ul class="menu-list" data-testid="menu-groups">
            <For each=move || state.catalog.with(|c| c.modifier_groups.clone()) key=|g| g.clone() children=move |g| {
                let draft = GroupDraft::of(&g);
                view! {
                    <li data-testid="menu-group">
                        <button class="link" data-testid="edit-group" on:click=move |_| editing_group.set(Some(draft.clone()))>{g.name.clone()}</button>
                        <span class="muted">{move || rule_text(state, g.min, g.max)}</span>
                    </li>
                }
            } />
        </ul>
        <button data-testid="new-group" on:click=move |_| editing_group.set(Some(GroupDraft {
            id: Uuid::now_v7().to_string(),
            min: "0".into(),
            ..GroupDraft::default()
        }))>{move || state.t(Msg::NewGroup)}</button>
        {move || editing_group.get().map(|draft| view! { <GroupEditor draft editing=editing_group /> })}
    }
}

/// "Choose exactly 1", "up to 3", "at least 1", "any".
pub(crate) fn rule_text(state: AppState, min: u32, max: Option<u32>) -> String {
    let lang = state.lang.get();
    match (min, max) {
        (min, Some(max)) if min == max => {
            Msg::ChooseExactly.fill(lang, &[("count", &min.to_string())])
        }
        (0, Some(max)) => Msg::ChooseUpTo.fill(lang, &[("count", &max.to_string())]),
        (min, Some(max)) => Msg::ChooseBetween.fill(
            lang,
            &[("min", &min.to_string()), ("max", &max.to_string())],
        ),
        (0, None) => Msg::ChooseAny.text(lang).to_string(),
        (min, None) => Msg::ChooseAtLeastRule.fill(lang, &[("count", &min.to_string())]),
    }
}

#[component]
fn GroupEditor(draft: GroupDraft, editing: RwSignal<Option<GroupDraft>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let draft = RwSignal::new(draft);
    let keep = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match draft.with_untracked(GroupDraft::group) {
            Ok(g) => save(state, vec![CatalogEdit::PutModifierGroup(g)], move || {
                editing.set(None)
            }),
            Err(e) => state.error(e.msg()),
        }
    };
    view! {
        <form class="product-editor" data-testid="group-editor" on:submit=keep>
            <DraftField label=Msg::GroupName testid="group-name" draft get=|g: &GroupDraft| g.name.clone() set=|g, v| g.name = v />
            <DraftField label=Msg::GroupMin testid="group-min" draft get=|g: &GroupDraft| g.min.clone() set=|g, v| g.min = v />
            <DraftField label=Msg::GroupMax testid="group-max" draft get=|g: &GroupDraft| g.max.clone() set=|g, v| g.max = v />
            <fieldset class="offered">
                <legend>{move || state.t(Msg::Modifiers)}</legend>
                {move || state.catalog.with(|c| c.modifiers.clone()).into_iter().map(|m| {
                    let (checked, changed) = (m.id.clone(), m.id.clone());
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid="group-modifier-option" data-name=m.name.clone()
                                prop:checked=move || draft.with(|g| g.modifiers.contains(&checked))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    draft.update(|g| {
                                        g.modifiers.retain(|x| *x != changed);
                                        if on { g.modifiers.push(changed.clone()); }
                                    })
                                } />
                            {m.name.clone()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div class="actions">
                <button type="submit" class="primary" data-testid="save-group">{move || state.t(Msg::Save)}</button>
                <button type="button" on:click=move |_| editing.set(None)>{move || state.t(Msg::Cancel)}</button>
            </div>
        </form>
    }
}

#[component]
pub(super) fn Taxes() -> impl IntoView {
    let state = expect_context::<AppState>();
    let new_tax = RwSignal::new(TaxDraft::default());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let draft = TaxDraft {
            id: Uuid::now_v7().to_string(),
            ..new_tax.get_untracked()
        };
        match draft.tax() {
            Ok(t) => save(state, vec![CatalogEdit::PutTaxCategory(t)], move || {
                new_tax.set(TaxDraft::default())
            }),
            Err(e) => state.error(e.msg()),
        }
    };
    // The rates of a country as data (core's presets), added in one go; their ids are stable,
    // so adding a country's taxes again updates them rather than doubling them.
    let preset = RwSignal::new(String::from("0"));
    let add_preset = move |_| {
        let Some(chosen) = preset
            .get_untracked()
            .parse::<usize>()
            .ok()
            .and_then(|i| tax_presets().get(i))
        else {
            return;
        };
        let edits = chosen
            .tax_categories(state.lang.get_untracked().tag())
            .into_iter()
            .map(CatalogEdit::PutTaxCategory)
            .collect();
        save(state, edits, || {});
    };
    view! {
        <div class="toolbar">
            <label class="field">
                <span>{move || state.t(Msg::TaxPreset)}</span>
                <select data-testid="tax-preset" on:change=move |ev| preset.set(event_target_value(&ev))>
                    {move || {
                        let lang = state.lang.get();
                        tax_presets().iter().enumerate().map(|(i, p)| {
                            view! { <option value=i.to_string()>{p.name.in_language(lang.tag())}</option> }
                        }).collect_view()
                    }}
                </select>
            </label>
            <button data-testid="add-tax-preset" on:click=add_preset>{move || state.t(Msg::AddTaxPreset)}</button>
        </div>
        <p class="note">{move || state.t(Msg::TaxRateChangeNote)}</p>
        <ul class="menu-list" data-testid="menu-taxes">
            <For each=move || state.catalog.with(|c| c.tax_categories.clone()) key=|t| (t.id.clone(), t.name.clone(), t.rate) children=move |t| {
                let draft = RwSignal::new(TaxDraft::of(&t));
                let keep = move |_| match draft.with_untracked(TaxDraft::tax) {
                    Ok(t) => save(state, vec![CatalogEdit::PutTaxCategory(t)], || {}),
                    Err(e) => state.error(e.msg()),
                };
                view! {
                    <li data-testid="menu-tax">
                        <DraftField label=Msg::TaxName testid="tax-name" draft get=|t: &TaxDraft| t.name.clone() set=|t, v| t.name = v />
                        <DraftField label=Msg::TaxRatePercent testid="tax-rate" draft decimal=true get=|t: &TaxDraft| t.rate.clone() set=|t, v| t.rate = v />
                        <button data-testid="save-tax" on:click=keep>{move || state.t(Msg::Save)}</button>
                    </li>
                }
            } />
        </ul>
        <form class="toolbar" on:submit=add>
            <DraftField label=Msg::TaxName testid="new-tax-name" draft=new_tax get=|t: &TaxDraft| t.name.clone() set=|t, v| t.name = v />
            <DraftField label=Msg::TaxRatePercent testid="new-tax-rate" draft=new_tax decimal=true get=|t: &TaxDraft| t.rate.clone() set=|t, v| t.rate = v />
            <button type="submit" data-testid="add-tax">{move || state.t(Msg::AddTax)}</button>
        </form>
    }
}
