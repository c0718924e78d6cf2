//! One product's form: name, category, price or a price typed at the sale, unit, codes, tax,
//! colour, cost, variants, modifiers and modifier groups; save, archive or bring it back.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{CatalogEdit, Unit, Uuid};

use crate::i18n::Msg;
use crate::state::AppState;
use crate::views::forms::menu::{ProductDraft, VariantDraft};

/// A text input bound to one field of the draft.
#[component]
pub(super) fn DraftField<T: Clone + Send + Sync + 'static>(
    label: Msg,
    testid: &'static str,
    draft: RwSignal<T>,
    get: fn(&T) -> String,
    set: fn(&mut T, String),
    #[prop(optional)] decimal: bool,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="field">
            <span>{move || state.t(label)}</span>
            <input
                data-testid=testid
                inputmode=if decimal { "decimal" } else { "text" }
                prop:value=move || draft.with(get)
                on:input=move |ev| draft.update(|d| set(d, event_target_value(&ev)))
            />
        </label>
    }
}

#[component]
pub(super) fn ProductEditor(
    draft: ProductDraft,
    editing: RwSignal<Option<ProductDraft>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let is_new = state
        .catalog
        .with_untracked(|c| c.product(&draft.id).is_none());
    let draft = RwSignal::new(draft);
    let save = move |_| {
        let product = match draft.with_untracked(ProductDraft::product) {
            Ok(p) => p,
            Err(e) => return state.error(e.msg()),
        };
        spawn_local(async move {
            if state
                .edit_catalog(vec![CatalogEdit::PutProduct(product)])
                .await
            {
                editing.set(None);
            }
        });
    };
    let archive = move |archived: bool| {
        let product = draft.with_untracked(|d| d.id.clone());
        spawn_local(async move {
            if state
                .edit_catalog(vec![CatalogEdit::Archive { product, archived }])
                .await
            {
                editing.set(None);
            }
        });
    };
    let archived = draft.with_untracked(|d| d.archived);
    // The form opens above the list: on a phone, "edit" on a product far down would otherwise
    // open it out of sight.
    let form: NodeRef<leptos::html::Form> = NodeRef::new();
    Effect::new(move |_| {
        if let Some(form) = form.get() {
            form.scroll_into_view();
        }
    });
    view! {
        <form class="product-editor" data-testid="product-editor" node_ref=form on:submit=move |ev| { ev.prevent_default(); save(()) }>
            <h3>{move || state.t(if is_new { Msg::NewProduct } else { Msg::EditProduct })}</h3>
            <DraftField label=Msg::ProductName testid="product-name" draft get=|d: &ProductDraft| d.name.clone() set=|d, v| d.name = v />
            <Select label=Msg::Category testid="product-category" draft
                options=Signal::derive(move || state.catalog.with(|c| c.ordered_categories().into_iter().map(|c| (c.id.clone(), c.name.clone())).collect()))
                get=|d: &ProductDraft| d.category.clone() set=|d, v| d.category = v />
            <label class="check">
                <input type="checkbox" data-testid="product-open-price" prop:checked=move || draft.with(|d| d.open_price)
                    on:change=move |ev| draft.update(|d| d.open_price = event_target_checked(&ev)) />
                {move || state.t(Msg::PriceTypedAtSale)}
            </label>
            <DraftField label=Msg::Price testid="product-price" draft decimal=true get=|d: &ProductDraft| d.price.clone() set=|d, v| d.price = v />
            <Select label=Msg::Unit testid="product-unit" draft
                options=Signal::derive(move || {
                    let lang = state.lang.get();
                    Unit::ALL.into_iter().map(|u| (u.as_str().to_string(), unit_name(u).text(lang).to_string())).collect()
                })
                get=|d: &ProductDraft| d.unit.clone() set=|d, v| d.unit = v />
            <Select label=Msg::Tax testid="product-tax" draft
                options=Signal::derive(move || state.catalog.with(|c| c.tax_categories.iter().map(|t| (t.id.clone(), t.name.clone())).collect()))
                get=|d: &ProductDraft| d.tax.clone() set=|d, v| d.tax = v />
            <DraftField label=Msg::Sku testid="product-sku" draft get=|d: &ProductDraft| d.sku.clone() set=|d, v| d.sku = v />
            <DraftField label=Msg::Barcodes testid="product-barcodes" draft get=|d: &ProductDraft| d.barcodes.clone() set=|d, v| d.barcodes = v />
            <DraftField label=Msg::CostPrice testid="product-cost" draft decimal=true get=|d: &ProductDraft| d.cost.clone() set=|d, v| d.cost = v />
            <label class="field">
                <span>{move || state.t(Msg::TileColour)}</span>
                <input type="color" data-testid="product-colour"
                    prop:value=move || draft.with(|d| if d.colour.is_empty() { "#888888".to_string() } else { d.colour.clone() })
                    on:input=move |ev| draft.update(|d| d.colour = event_target_value(&ev)) />
            </label>
            <Variants draft />
            <Offered draft />
            <div class="actions">
                <button type="submit" class="primary" data-testid="save-product">{move || state.t(Msg::Save)}</button>
                <button type="button" data-testid="cancel-product" on:click=move |_| editing.set(None)>{move || state.t(Msg::Cancel)}</button>
                {(!is_new).then(|| if archived {
                    view! { <button type="button" data-testid="restore-product" on:click=move |_| archive(false)>{move || state.t(Msg::RestoreProduct)}</button> }.into_any()
                } else {
                    view! { <button type="button" class="danger" data-testid="archive-product" on:click=move |_| archive(true)>{move || state.t(Msg::ArchiveProduct)}</button> }.into_any()
                })}
            </div>
        </form>
    }
}

pub(super) fn unit_name(unit: Unit) -> Msg {
    match unit {
        Unit::Piece => Msg::UnitPiece,
        Unit::Kilogram => Msg::UnitKilogram,
        Unit::Litre => Msg::UnitLitre,
    }
}

/// A select bound to one field of the draft.
#[component]
pub(super) fn Select<T: Clone + Send + Sync + 'static>(
    label: Msg,
    testid: &'static str,
    draft: RwSignal<T>,
    options: Signal<Vec<(String, String)>>,
    get: fn(&T) -> String,
    set: fn(&mut T, String),
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="field">
            <span>{move || state.t(label)}</span>
            <select data-testid=testid on:change=move |ev| draft.update(|d| set(d, event_target_value(&ev)))>
                {move || options.get().into_iter().map(|(value, shown)| {
                    let selected = value.clone();
                    view! { <option value=value selected=move || draft.with(get) == selected>{shown}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// Sizes or flavours, each with its own price, SKU and barcodes.
#[component]
fn Variants(draft: RwSignal<ProductDraft>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let count = move || draft.with(|d| d.variants.len());
    let field = move |at: usize,
                      label: Msg,
                      testid: &'static str,
                      get: fn(&VariantDraft) -> String,
                      set: fn(&mut VariantDraft, String)| {
        view! {
            <input data-testid=testid aria-label=move || state.t(label) placeholder=move || state.t(label)
                prop:value=move || draft.with(|d| d.variants.get(at).map(get).unwrap_or_default())
                on:input=move |ev| draft.update(|d| if let Some(v) = d.variants.get_mut(at) { set(v, event_target_value(&ev)) }) />
        }
    };
    view! {
        <fieldset class="variants">
            <legend>{move || state.t(Msg::Variants)}</legend>
            <For each=move || 0..count() key=|at| *at children=move |at| view! {
                <div class="variant-row" data-testid="variant-row">
                    {field(at, Msg::VariantName, "variant-name", |v| v.name.clone(), |v, s| v.name = s)}
                    {field(at, Msg::Price, "variant-price", |v| v.price.clone(), |v, s| v.price = s)}
                    {field(at, Msg::Sku, "variant-sku", |v| v.sku.clone(), |v, s| v.sku = s)}
                    {field(at, Msg::Barcodes, "variant-barcodes", |v| v.barcodes.clone(), |v, s| v.barcodes = s)}
                    <button type="button" data-testid="remove-variant" on:click=move |_| draft.update(|d| { if at < d.variants.len() { d.variants.remove(at); } })>
                        {move || state.t(Msg::Remove)}
                    </button>
                </div>
            } />
            <button type="button" data-testid="add-variant" on:click=move |_| draft.update(|d| d.variants.push(VariantDraft {
                id: Uuid::now_v7().to_string(),
                ..VariantDraft::default()
            }))>{move || state.t(Msg::AddVariant)}</button>
        </fieldset>
    }
}

/// The modifier groups asked when the tile is tapped, and the modifiers offered on the line.
#[component]
fn Offered(draft: RwSignal<ProductDraft>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let groups = move || {
        state.catalog.with(|c| {
            c.modifier_groups
                .iter()
                .map(|g| (g.id.clone(), g.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let modifiers = move || {
        state.catalog.with(|c| {
            c.modifiers
                .iter()
                .map(|m| (m.id.clone(), m.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let toggle = |list: &mut Vec<String>, id: &str, on: bool| {
        list.retain(|x| x != id);
        if on {
            list.push(id.to_string());
        }
    };
    view! {
        <fieldset class="offered">
            <legend>{move || state.t(Msg::ModifierGroups)}</legend>
            {move || groups().into_iter().map(|(id, name)| {
                let (checked, changed) = (id.clone(), id.clone());
                view! {
                    <label class="check">
                        <input type="checkbox" data-testid="product-group" data-name=name.clone()
                            prop:checked=move || draft.with(|d| d.modifier_groups.contains(&checked))
                            on:change=move |ev| draft.update(|d| toggle(&mut d.modifier_groups, &changed, event_target_checked(&ev))) />
                        {name}
                    </label>
                }
            }).collect_view()}
        </fieldset>
        <fieldset class="offered">
            <legend>{move || state.t(Msg::Modifiers)}</legend>
            {move || modifiers().into_iter().map(|(id, name)| {
                let (checked, changed) = (id.clone(), id.clone());
                view! {
                    <label class="check">
                        <input type="checkbox" data-testid="product-modifier" data-name=name.clone()
                            prop:checked=move || draft.with(|d| d.modifiers.contains(&checked))
                            on:change=move |ev| draft.update(|d| toggle(&mut d.modifiers, &changed, event_target_checked(&ev))) />
                        {name}
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}
