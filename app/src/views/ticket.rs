//! The open ticket: lines with quantity, modifiers and discounts, the totals, and "Pay".

use leptos::prelude::*;
use pos_core::staff::Permission;
use pos_core::{Discount, LineId, TaxPricing, Totals, Unit};

use super::discount::DiscountEditor;
use super::gift_card::{NumberField, take_scans_for};
use crate::i18n::{self, Msg, parse_decimal};
use crate::state::AppState;
use crate::state::gift_cards::NumberFor;
use crate::state::kitchen::LineChange;

#[component]
pub fn TicketPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let totals = Memo::new(move |_| state.ticket.with(|t| t.totals()));
    let expanded = RwSignal::new(None::<LineId>);
    let order_discount_open = RwSignal::new(false);
    let returning = RwSignal::new(false);
    let selling_gift_card = RwSignal::new(false);
    let money = move |amount| i18n::money(amount, totals.with(|t| t.currency), state.lang.get());
    provide_context(totals);

    // A weighed product opens its line editor at once so the cashier enters the weight.
    Effect::new(move |seen: Option<usize>| {
        let lines = state.ticket.with(|t| t.lines().len());
        if seen.is_some_and(|n| lines > n) {
            if let Some(last) = state.ticket.with_untracked(|t| {
                t.lines()
                    .last()
                    .filter(|l| l.unit != Unit::Piece)
                    .map(|l| l.id)
            }) {
                expanded.set(Some(last));
            }
        }
        lines
    });

    view! {
        <aside class="ticket" id="ticket" data-testid="ticket">
            <h2 class="ticket-title">
                {move || state.t(Msg::Ticket)}
                <span class="count">
                    {move || {
                        let n = state.ticket.with(|t| t.item_count());
                        Msg::Items.fill(state.lang.get(), &[("count", &i18n::quantity(n, state.lang.get()))])
                    }}
                </span>
            </h2>
            <super::customers::TicketCustomer />
            {move || state.exchange.with(|e| e.as_ref().map(|e| (e.sale.receipt_number().to_string(), e.refund.amount))).map(|(receipt, credit)| view! {
                <div class="exchange-banner" role="status" data-testid="exchange-banner">
                    <p>{move || Msg::ExchangeBanner.fill(state.lang.get(), &[("receipt", &receipt), ("amount", &money(credit))])}</p>
                    <button class="link" data-testid="exchange-cancel" on:click=move |_| {
                        if state.payment.with_untracked(Option::is_none) {
                            state.exchange.set(None);
                        }
                    }>
                        {move || state.t(Msg::ExchangeCancel)}
                    </button>
                </div>
            })}
            <Show when=move || state.ticket.with(|t| t.is_empty())>
                <p class="empty">{move || state.t(Msg::TicketEmpty)}</p>
            </Show>
            <ul class="lines">
                <For
                    each=move || state.ticket.with(|t| t.lines().iter().map(|l| l.id).collect::<Vec<_>>())
                    key=|id| *id
                    children=move |id| view! { <LineRow id expanded /> }
                />
            </ul>
            <Show when=move || !state.ticket.with(|t| t.is_empty())>
                <div class="order-discount">
                    <button class="link" data-testid="order-discount-toggle" on:click=move |_| order_discount_open.update(|o| *o = !*o)>
                        {move || state.t(Msg::OrderDiscount)}
                    </button>
                    <Show when=move || order_discount_open.get()>
                        <DiscountEditor
                            testid="order-discount"
                            current=Signal::derive(move || state.ticket.with(|t| t.order_discount()))
                            on_apply=Callback::new(move |d: Option<Discount>| {
                                state.set_order_discount(d);
                                order_discount_open.set(false);
                            })
                        />
                    </Show>
                </div>
            </Show>
            <TotalsView totals />
            <div class="ticket-actions">
                <button
                    class="pay primary"
                    data-testid="pay"
                    disabled=move || state.ticket.with(|t| t.is_empty())
                    on:click=move |_| state.start_payment()
                >
                    {move || Msg::Pay.fill(state.lang.get(), &[("amount", &money(totals.with(|t| t.total)))])}
                </button>
                <Show when=move || state.ticket.with(|t| t.has_unsent())>
                    <button class="send-order" data-testid="send-order" on:click=move |_| state.send_order()>
                        {move || state.t(Msg::SendOrder)}
                    </button>
                </Show>
                <button class="sell-gift-card" data-testid="sell-gift-card" on:click=move |_| state.protected(Permission::SellGiftCards, move |_| selling_gift_card.set(true))>
                    {move || state.t(Msg::GiftCard)}
                </button>
                <Show when=move || !state.ticket.with(|t| t.is_empty())>
                    <button class="clear-ticket" data-testid="clear-ticket" on:click=move |_| state.clear_ticket()>
                        {move || state.t(Msg::ClearTicket)}
                    </button>
                    <button class="return-no-receipt" data-testid="return-no-receipt" on:click=move |_| returning.set(true)>
                        {move || state.t(Msg::ReturnNoReceipt)}
                    </button>
                </Show>
            </div>
            <Show when=move || returning.get()>
                <ReturnWithoutReceipt open=returning />
            </Show>
            <Show when=move || selling_gift_card.get()>
                <crate::views::gift_card::SellGiftCard open=selling_gift_card />
            </Show>
        </aside>
        // On a phone the ticket sits below the catalog; this bar keeps the total and "Pay" in reach.
        <div class="phone-bar">
            <a class="phone-ticket" href="#ticket">
                {move || state.t(Msg::ShowTicket)} " · "
                {move || i18n::quantity(state.ticket.with(|t| t.item_count()), state.lang.get())}
            </a>
            <button
                class="pay primary"
                data-testid="pay-phone"
                disabled=move || state.ticket.with(|t| t.is_empty())
                on:click=move |_| state.start_payment()
            >
                {move || Msg::Pay.fill(state.lang.get(), &[("amount", &money(totals.with(|t| t.total)))])}
            </button>
        </div>
    }
}

#[component]
fn LineRow(id: LineId, expanded: RwSignal<Option<LineId>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let totals = expect_context::<Memo<Totals>>();
    let line = Memo::new(move |_| state.ticket.with(|t| t.line(id).cloned()));
    let line_totals =
        Memo::new(move |_| totals.with(|t| t.lines.iter().find(|l| l.line_id == id).cloned()));
    let money = move |amount| i18n::money(amount, totals.with(|t| t.currency), state.lang.get());
    let is_open = move || expanded.get() == Some(id);
    view! {
        <li class="line" data-testid="ticket-line" class:open=is_open>
            <button class="line-main" on:click=move |_| expanded.update(|e| *e = if *e == Some(id) { None } else { Some(id) })>
                <span class="line-name">{move || line.with(|l| l.as_ref().map(|l| l.name.clone()))}</span>
                <span class="line-modifiers">
                    {move || line.with(|l| l.as_ref().map(|l| l.modifiers.iter().map(|m| format!("+ {}", m.name)).collect::<Vec<_>>().join(", ")))}
                </span>
                {move || line.with(|l| l.as_ref().is_some_and(|l| !l.sent.is_zero())).then(|| view! {
                    <span class="line-sent" data-testid="line-sent">{move || state.t(Msg::LineSent)}</span>
                })}
                <span class="line-discount">
                    {move || {
                        let discount = line_totals.with(|t| t.as_ref().map(|t| t.line_discount)).unwrap_or_default();
                        (!discount.is_zero()).then(|| format!("{} −{}", state.t(Msg::Discount), money(discount)))
                    }}
                </span>
            </button>
            <div class="qty">
                <button class="qty-down" aria-label=move || state.t(Msg::Decrease) on:click=move |_| state.change_line(id, LineChange::Fewer)>"−"</button>
                <span class="qty-value" data-testid="line-qty">
                    {move || line.with(|l| l.as_ref().map(|l| i18n::quantity(l.quantity, state.lang.get())))}
                </span>
                <button class="qty-up" aria-label=move || state.t(Msg::Increase) on:click=move |_| state.edit_ticket(|t| t.increment(id))>"+"</button>
            </div>
            <span class="line-amount" data-testid="line-amount">
                {move || line_totals.with(|t| t.as_ref().map(|t| money(t.gross - t.line_discount)))}
            </span>
            <button class="remove" aria-label=move || state.t(Msg::Remove) on:click=move |_| state.change_line(id, LineChange::Remove)>"×"</button>
            <Show when=is_open>
                <LineEditor id />
            </Show>
        </li>
    }
}

#[component]
fn LineEditor(id: LineId) -> impl IntoView {
    let state = expect_context::<AppState>();
    let line = Memo::new(move |_| state.ticket.with(|t| t.line(id).cloned()));
    let offered = Memo::new(move |_| {
        let product_id = line
            .with(|l| l.as_ref().map(|l| l.product_id.clone()))
            .unwrap_or_default();
        state.catalog.with(|c| {
            c.product_of_line(&product_id)
                .map(|p| {
                    p.modifiers
                        .iter()
                        .filter_map(|m| c.modifier(m).cloned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let quantity = RwSignal::new(
        line.with_untracked(|l| {
            l.as_ref()
                .map(|l| i18n::quantity(l.quantity, state.lang.get_untracked()))
        })
        .unwrap_or_default(),
    );
    let unit = move || {
        line.with(|l| l.as_ref().map(|l| l.unit))
            .unwrap_or_default()
    };
    let apply_quantity = move || match parse_decimal(&quantity.get_untracked()) {
        Some(q) => state.change_line(id, LineChange::Quantity(q)),
        None => state.error(Msg::InvalidQuantity),
    };
    let currency = move || state.store.with(|s| s.rules.currency);
    let price = RwSignal::new(
        line.with_untracked(|l| {
            l.as_ref()
                .map(|l| i18n::quantity(l.unit_price, state.lang.get_untracked()))
        })
        .unwrap_or_default(),
    );
    let apply_price = move || match parse_decimal(&price.get_untracked()) {
        Some(p) => state.override_price(id, p),
        None => state.error(Msg::NotAPrice),
    };
    let shelf_price = move || line.with(|l| l.as_ref().and_then(|l| l.shelf_price));
    view! {
        <div class="line-editor" data-testid="line-editor">
            <label class="field">
                <span>{move || state.t(match unit() { Unit::Kilogram => Msg::QuantityKg, Unit::Litre => Msg::QuantityLitre, Unit::Piece => Msg::Quantity })}</span>
                <input
                    class="quantity-input"
                    inputmode="decimal"
                    prop:value=move || quantity.get()
                    on:input=move |ev| quantity.set(event_target_value(&ev))
                    on:change=move |_| apply_quantity()
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { apply_quantity() }
                />
            </label>
            <label class="field">
                <span>{move || state.t(Msg::PricePerItem)}</span>
                <input
                    class="price-input"
                    inputmode="decimal"
                    data-testid="line-price"
                    prop:value=move || price.get()
                    on:input=move |ev| price.set(event_target_value(&ev))
                    on:change=move |_| apply_price()
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { apply_price() }
                />
                {move || shelf_price().map(|was| view! {
                    <span class="note" data-testid="line-shelf-price">
                        {Msg::ShelfPriceWas.fill(state.lang.get(), &[("price", &i18n::money(was, currency(), state.lang.get()))])}
                    </span>
                })}
            </label>
            <Show when=move || offered.with(|o| !o.is_empty())>
                <div class="modifiers">
                    <span class="label">{move || state.t(Msg::Modifiers)}</span>
                    <For
                        each=move || offered.get()
                        key=|m| m.id.clone()
                        children=move |m| {
                            let mid = m.id.clone();
                            let on = m.id.clone();
                            view! {
                                <button
                                    class="chip modifier"
                                    class:active=move || line.with(|l| l.as_ref().is_some_and(|l| l.modifiers.iter().any(|x| x.id == on)))
                                    on:click=move |_| state.toggle_modifier(id, &mid)
                                >
                                    {m.name.clone()} " +" {move || i18n::money(m.price, currency(), state.lang.get())}
                                </button>
                            }
                        }
                    />
                </div>
            </Show>
            <div class="line-discount-editor">
                <span class="label">{move || state.t(Msg::LineDiscount)}</span>
                <DiscountEditor
                    testid="line-discount"
                    current=Signal::derive(move || line.with(|l| l.as_ref().and_then(|l| l.discount)))
                    on_apply=Callback::new(move |d| state.set_line_discount(id, d))
                />
            </div>
        </div>
    }
}

/// Goods brought back with no receipt, rung up on the ticket: a reason and how the value goes
/// back, in cash once someone who may hand back cash allows it, or as store credit on a new gift
/// card (its number scanned from a blank card, typed, or made and printed on the refund slip)
/// (`exchange::return_without_receipt`).
#[component]
fn ReturnWithoutReceipt(open: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let reason = RwSignal::new(String::new());
    let as_credit = RwSignal::new(false);
    take_scans_for(state, NumberFor::StoreCredit);
    let amount = move || {
        state.ticket.with(|t| {
            let totals = t.totals();
            let rules = t.rules();
            let back = if as_credit.get() {
                totals.total
            } else {
                rules.cash_rounding.due(totals.total, rules.cash_increment)
            };
            i18n::money(back, totals.currency, state.lang.get())
        })
    };
    // Closed once the ticket is emptied by the return (or by anything else).
    Effect::new(move |_| {
        if state.ticket.with(|t| t.is_empty()) {
            open.set(false);
        }
    });
    let confirm = move || {
        let credit = as_credit
            .get_untracked()
            .then(|| state.gift_cards.number.get_untracked());
        crate::state::exchange::return_without_receipt(state, reason.get_untracked(), credit);
    };
    let explain = move || {
        if as_credit.get() {
            Msg::ReturnNoReceiptExplainCredit
        } else {
            Msg::ReturnNoReceiptExplain
        }
    };
    let confirm_msg = move || {
        if as_credit.get() {
            Msg::ReturnNoReceiptConfirmCredit
        } else {
            Msg::ReturnNoReceiptConfirm
        }
    };
    view! {
        <div class="overlay">
            <div class="dialog return-dialog" role="dialog" aria-modal="true" data-testid="return-dialog">
                <h2>{move || state.t(Msg::ReturnNoReceiptTitle)}</h2>
                <p>{move || explain().fill(state.lang.get(), &[("amount", &amount())])}</p>
                <label class="field">
                    <span>{move || state.t(Msg::RefundReason)}</span>
                    <input
                        type="text"
                        data-testid="return-reason"
                        prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { confirm() }
                    />
                </label>
                <fieldset class="choice">
                    <legend>{move || state.t(Msg::ReturnNoReceiptHow)}</legend>
                    <label class="check">
                        <input type="radio" name="return-how" data-testid="return-as-cash" prop:checked=move || !as_credit.get() on:change=move |_| as_credit.set(false) />
                        {move || state.t(Msg::ReturnNoReceiptAsCash)}
                    </label>
                    <label class="check">
                        <input type="radio" name="return-how" data-testid="return-as-credit" prop:checked=move || as_credit.get() on:change=move |_| as_credit.set(true) />
                        {move || state.t(Msg::ReturnNoReceiptAsCredit)}
                    </label>
                </fieldset>
                <Show when=move || as_credit.get()>
                    <NumberField testid="return-credit-number" />
                    <p class="note">{move || state.t(Msg::StoreCreditNumberHint)}</p>
                </Show>
                <div class="actions">
                    <button class="primary" data-testid="return-confirm" on:click=move |_| confirm()>
                        {move || confirm_msg().fill(state.lang.get(), &[("amount", &amount())])}
                    </button>
                    <button data-testid="return-cancel" on:click=move |_| open.set(false)>{move || state.t(Msg::Cancel)}</button>
                </div>
            </div>
        </div>
    }
}

#[component]
pub fn TotalsView(totals: Memo<Totals>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let money = move |amount| i18n::money(amount, totals.with(|t| t.currency), state.lang.get());
    let inclusive = move || {
        state
            .ticket
            .with(|t| t.rules().tax_pricing == TaxPricing::Inclusive)
    };
    view! {
        <dl class="totals">
            <div class="row">
                <dt>{move || state.t(Msg::Subtotal)}</dt>
                <dd data-testid="subtotal">{move || money(totals.with(|t| t.subtotal))}</dd>
            </div>
            <Show when=move || totals.with(|t| !t.discount_total().is_zero())>
                <div class="row discount">
                    <dt>{move || state.t(Msg::Discounts)}</dt>
                    <dd data-testid="discounts">{move || format!("−{}", money(totals.with(|t| t.discount_total())))}</dd>
                </div>
            </Show>
            <For
                each=move || totals.with(|t| t.taxes.clone())
                key=|b| (b.category.id.clone(), b.tax, b.category.name.clone())
                children=move |b| {
                    let name = b.category.name.clone();
                    view! {
                        <div class="row tax">
                            <dt>
                                {move || {
                                    let msg = if inclusive() { Msg::TaxIncluded } else { Msg::TaxAdded };
                                    msg.fill(state.lang.get(), &[("name", &name)])
                                }}
                            </dt>
                            <dd>{move || money(b.tax)}</dd>
                        </div>
                    }
                }
            />
            <div class="row total">
                <dt>{move || state.t(Msg::Total)}</dt>
                <dd data-testid="ticket-total">{move || money(totals.with(|t| t.total))}</dd>
            </div>
        </dl>
    }
}
