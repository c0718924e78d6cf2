//! Recent sales, newest first, each opening its receipt, with a refund of the lines not
//! returned yet: the cashier picks what comes back and how many.

use leptos::prelude::*;
use pos_core::staff::Permission;
use pos_core::{Decimal, LineId, Refund, Sale, Tender, Uuid};

use super::receipt::Receipt;
use crate::i18n::{self, Msg};
use crate::state::AppState;
use crate::state::refund::{self, RefundStatus};
use crate::storage::CardRefundMethod;

#[component]
pub fn Sales() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        match state.viewed_sale.get() {
        Some(sale) => view! {
            <div class="sale-detail">
                <button class="back" on:click=move |_| state.viewed_sale.set(None)>{move || state.t(Msg::Back)}</button>
                <super::printing::ReprintButtons sale=sale.clone() />
                // Found by its number or by scanning the receipt: returned from here.
                {
                    let for_refund = sale.clone();
                    let left = {
                        let sale = sale.clone();
                        move || state.refunds.with(|r| r.standing(&sale).1)
                    };
                    view! {
                        <Show when=left.clone()>
                            <RefundButton sale=for_refund.clone() testid="refund-viewed-sale" />
                        </Show>
                    }
                }
                <Receipt sale />
                {move || state.refunding.get().map(|sale| view! { <RefundDialog sale /> })}
            </div>
        }
        .into_any(),
        None => view! {
            <section class="sales">
                <h2>{move || state.t(Msg::RecentSales)}</h2>
                <FindReceipt />
                // The store's gift cards: a card's history, deactivation, what the store owes.
                <Show when=move || state.membership.with(Option::is_some)>
                    <button data-testid="open-gift-cards" on:click=move |_| state.screen.set(crate::state::Screen::GiftCards)>
                        {move || state.t(Msg::DeskOpen)}
                    </button>
                </Show>
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
                {move || state.refunding.get().map(|sale| view! { <RefundDialog sale /> })}
            </section>
        }
        .into_any(),
    }
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
    let standing = {
        let sale = sale.clone();
        Memo::new(move |_| state.refunds.with(|r| r.standing(&sale)))
    };
    let status = move || standing.get().0;
    let for_refund = sale.clone();
    view! {
        <li>
            <button class="sale-row" data-testid="sale-row" on:click=move |_| state.viewed_sale.set(Some(sale.clone()))>
                <span class="number" data-testid="sale-number">{number}</span>
                <span class="time">{move || i18n::date_time(at, state.lang.get())}</span>
                <span class="items">{move || Msg::Items.fill(state.lang.get(), &[("count", &items.to_string())])}</span>
                <span class="amount" data-testid="sale-total">{move || i18n::money(total, currency, state.lang.get())}</span>
                {move || {
                    let (class, testid, msg) = match status() {
                        RefundStatus::None => return None,
                        RefundStatus::Refunded => ("badge refunded", "sale-refunded", Msg::Refunded),
                        RefundStatus::Voided => ("badge refunded voided", "sale-voided", Msg::Voided),
                        RefundStatus::Partly => ("badge partly-refunded", "sale-partly-refunded", Msg::PartlyRefunded),
                        RefundStatus::Unfinished => ("badge unfinished", "sale-refund-unfinished", Msg::RefundUnfinished),
                        RefundStatus::TooOften => ("badge too-often", "sale-returned-too-often", Msg::ReturnedTooOften),
                    };
                    Some(view! { <span class=class data-testid=testid>{state.t(msg)}</span> })
                }}
            </button>
            <Show when=move || standing.get().1>
                <RefundButton sale=for_refund.clone() testid="refund-sale" />
            </Show>
        </li>
    }
}

/// "Refund" on a sale: asks for the permission (and for cash handed back, its own), then opens
/// the refund dialog.
#[component]
fn RefundButton(sale: Sale, testid: &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <button class="refund" data-testid=testid on:click=move |_| {
            state.notice.set(None);
            let sale = sale.clone();
            state.protected(Permission::Refund, move |approved_by| {
                // Cash handed back from the drawer needs its own permission; the manager who
                // just approved the refund may hold it too.
                let cash = !sale.refund_split().cash.is_zero();
                let open = move |cash_by: Option<pos_core::Uuid>| {
                    state.staff.refund_approved_by.set(cash_by.or(approved_by));
                    state.refunding.set(Some(sale));
                };
                if cash && !state.member_may(approved_by, Permission::RefundToCash) {
                    state.protected(Permission::RefundToCash, open);
                } else {
                    open(None);
                }
            });
        }>
            {move || state.t(Msg::RefundAction)}
        </button>
    }
}

/// The refund of a sale: the lines and quantities that come back (all that is left, unless the
/// cashier changes it), what goes back per tender, the reason, the terminal's screens while it
/// works, and the outcome. Everything it does is in `refund.rs`.
#[component]
fn RefundDialog(sale: Sale) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = sale.id();
    let currency = sale.rules().currency;
    let receipt = sale.receipt_number().to_string();
    let money = move |amount| i18n::money(amount, currency, state.lang.get());
    let record = move || state.refunds.with(|r| r.unfinished(id).cloned());
    let reason = RwSignal::new(record().map(|r| r.reason).unwrap_or_default());
    let busy = move || state.refund_progress.with(Option::is_some);
    // What each line has had returned: it changes under the open dialog when another device's
    // refund of the sale arrives by sync.
    let ledger = {
        let sale = sale.clone();
        Memo::new(move |_| state.refunds.with(|r| r.ledger(&sale)))
    };
    // The refund this dialog finished: completed by this tab after the dialog opened (one left
    // unfinished before, and carried on here, counts).
    let known_at_open: Vec<Uuid> = state.refunds.with_untracked(|r| {
        r.of(id)
            .iter()
            .filter(|r| r.is_completed())
            .map(|r| r.id)
            .collect()
    });
    let done = Memo::new(move |_| {
        let last = state.last_refund.get()?;
        if known_at_open.contains(&last) {
            return None;
        }
        state.refunds.with(|r| {
            r.of(id)
                .iter()
                .find(|r| r.id == last && r.is_completed())
                .cloned()
        })
    });
    // What comes back of each line: everything left, until the cashier changes it.
    let chosen = RwSignal::new(ledger.with_untracked(|l| {
        l.lines
            .iter()
            .map(|l| l.returnable())
            .collect::<Vec<Decimal>>()
    }));
    // Which lines came back damaged: written off, not put back into stock.
    let damaged = RwSignal::new(vec![false; sale.lines().len()]);
    // The card part paid back in cash from the drawer instead (someone allowed it).
    let in_cash = RwSignal::new(false);
    // Never more than is left: what another device returned meanwhile comes off the choice.
    Effect::new(move |_| {
        let left: Vec<Decimal> = ledger.with(|l| l.lines.iter().map(|l| l.returnable()).collect());
        chosen.update(|chosen| {
            for (q, left) in chosen.iter_mut().zip(left) {
                *q = (*q).min(left);
            }
        });
    });
    let quantities = {
        let sale = sale.clone();
        move || -> Vec<(LineId, Decimal)> {
            chosen.with(|q| {
                sale.lines()
                    .iter()
                    .zip(q)
                    .filter(|(_, q)| !q.is_zero())
                    .map(|(l, q)| (l.id, *q))
                    .collect()
            })
        }
    };
    // The refund as it would be made now: the one started, or the lines chosen.
    let planned = {
        let sale = sale.clone();
        let quantities = quantities.clone();
        move || -> Result<Refund, Msg> {
            if let Some(started) = record() {
                return Ok(started.as_refund(&sale));
            }
            let earlier = state.refunds.with(|r| r.completed(&sale));
            Refund::of_lines(&sale, &earlier, &quantities(), Uuid::nil(), 0, "")
                .map(|r| if in_cash.get() { r.in_cash(&sale) } else { r })
                .map_err(|e| refund::return_error_msg(&e))
        }
    };
    let split = {
        let planned = planned.clone();
        let sale = sale.clone();
        move || {
            let back = planned().ok()?.paid_back(&sale);
            Some((back.card, back.cash, back.gift_card))
        }
    };
    // A sale paid with several cards: what goes back to each, named as its slip names it.
    let card_parts = {
        let planned = planned.clone();
        let sale = sale.clone();
        move || -> Vec<(String, Decimal)> {
            let Ok(refund) = planned() else {
                return Vec::new();
            };
            let parts: Vec<_> = refund
                .tenders
                .iter()
                .filter(|t| !t.carried)
                .filter_map(|t| Some((t.card?, t.amount)))
                .collect();
            if parts.len() < 2 {
                return Vec::new();
            }
            parts
                .into_iter()
                .map(|(card, amount)| (card_name(&sale, card, state), amount))
                .collect()
        }
    };
    // How the card part goes back: as decided when it started, else as it would be now.
    let several_cards = {
        let card_parts = card_parts.clone();
        move || !card_parts().is_empty()
    };
    let method_text = {
        let sale = sale.clone();
        let split = split.clone();
        let several_cards = several_cards.clone();
        move || {
            let (card, _, _) = split()?;
            if card.is_zero() {
                return None;
            }
            let nothing_paid_back_yet = ledger.with(|l| l.refunded.is_zero());
            let whole_card = nothing_paid_back_yet && card == sale.refund_split().card;
            let method = match record().and_then(|r| r.card_method) {
                Some(method) => Some(method),
                None => refund::card_method(state, &sale, whole_card).ok().flatten(),
            };
            let lang = state.lang.get();
            Some(match method {
                Some(CardRefundMethod::Reversal { .. }) => {
                    Msg::RefundByReversal.text(lang).to_string()
                }
                Some(CardRefundMethod::Refund) if several_cards() => {
                    Msg::RefundCardsInTurn.text(lang).to_string()
                }
                Some(CardRefundMethod::Refund) => Msg::RefundByTerminal.text(lang).to_string(),
                Some(CardRefundMethod::Standalone) | None => {
                    Msg::RefundOnBankTerminal.fill(lang, &[("amount", &money(card))])
                }
            })
        }
    };
    let close = move || {
        if !busy() {
            state.refunding.set(None);
        }
    };
    // What the cashier chose to take back, and which of it came back damaged.
    let returned = {
        let sale = sale.clone();
        let quantities = quantities.clone();
        move || {
            let damaged = damaged.with_untracked(|d| {
                sale.lines()
                    .iter()
                    .zip(d)
                    .filter(|(_, damaged)| **damaged)
                    .map(|(l, _)| l.id)
                    .collect()
            });
            refund::Returned {
                quantities: quantities(),
                damaged,
                in_cash: in_cash.get_untracked(),
                void: false,
            }
        }
    };
    let start = {
        let sale = sale.clone();
        let returned = returned.clone();
        move || refund::start(state, sale.clone(), reason.get_untracked(), returned())
    };
    let exchange = {
        let sale = sale.clone();
        let returned = returned.clone();
        move || {
            crate::state::exchange::start_exchange(
                state,
                sale.clone(),
                reason.get_untracked(),
                returned(),
            )
        }
    };
    // A sale of the open shift may be voided instead: all of it, by someone allowed to.
    let may_void = {
        let sale = sale.clone();
        move || refund::may_void(state, &sale)
    };
    let void = {
        let sale = sale.clone();
        move || {
            let sale = sale.clone();
            let returned = returned.clone();
            state.protected(Permission::VoidSale, move |approved_by| {
                if approved_by.is_some() {
                    state.staff.refund_approved_by.set(approved_by);
                }
                let whole = refund::Returned {
                    void: true,
                    in_cash: false,
                    ..returned()
                };
                refund::start(state, sale, reason.get_untracked(), whole);
            });
        }
    };
    let ask = {
        let sale = sale.clone();
        move || {
            if let Some(record) = record() {
                refund::recover(state, sale.clone(), record);
            }
        }
    };
    let confirm_bank = {
        let sale = sale.clone();
        move || refund::confirm_standalone(state, sale.clone())
    };
    let lines = sale.lines().to_vec();
    view! {
        <div class="overlay">
            <div class="dialog refund-dialog" role="dialog" aria-modal="true" data-testid="refund-dialog">
                <h2>{move || Msg::RefundTitle.fill(state.lang.get(), &[("receipt", &receipt)])}</h2>
                <Show when=move || record().is_none() && done.with(Option::is_none)>
                    <ReturnPicker lines=lines.clone() ledger chosen damaged />
                </Show>
                {
                    let split = split.clone();
                    let planned = planned.clone();
                    move || match planned() {
                        Err(msg) if done.with(Option::is_none) => view! {
                            <p class="error" role="alert" data-testid="refund-problem">{state.t(msg)}</p>
                        }.into_any(),
                        _ => {
                            let (card, cash, gift_card) = done
                                .get()
                                .map(|d| (d.card, d.cash, d.gift_card))
                                .or_else(|| split())
                                .unwrap_or_default();
                            view! {
                                <dl class="due">
                                    <Show when=move || !card.is_zero()>
                                        <div class="row">
                                            <dt>{move || state.t(Msg::RefundToCard)}</dt>
                                            <dd data-testid="refund-card">{move || money(card)}</dd>
                                        </div>
                                    </Show>
                                    <Show when=move || !gift_card.is_zero()>
                                        <div class="row">
                                            <dt>{move || state.t(Msg::RefundToGiftCard)}</dt>
                                            <dd data-testid="refund-gift-card">{move || money(gift_card)}</dd>
                                        </div>
                                    </Show>
                                    <Show when=move || !cash.is_zero()>
                                        <div class="row">
                                            <dt>{move || state.t(Msg::RefundInCash)}</dt>
                                            <dd data-testid="refund-cash">{move || money(cash)}</dd>
                                        </div>
                                    </Show>
                                </dl>
                            }.into_any()
                        }
                    }
                }
                {
                    let card_parts = card_parts.clone();
                    move || {
                        let parts = card_parts();
                        (!parts.is_empty() && done.with(Option::is_none)).then(|| view! {
                            <ul class="card-parts">
                                {parts.into_iter().map(|(card, amount)| view! {
                                    <li data-testid="refund-card-part">{card} " " {money(amount)}</li>
                                }).collect_view()}
                            </ul>
                        })
                    }
                }
                {move || done.with(Option::is_none).then(|| method_text()).flatten().map(|text| view! { <p class="instructions" data-testid="refund-method">{text}</p> })}
                {
                    let sale = sale.clone();
                    move || {
                        let (card, amount) = record()?.card_in_flight.and_then(|f| Some((f.card?, f.amount)))?;
                        let card = card_name(&sale, card, state);
                        Some(view! {
                            <p class="instructions" data-testid="refund-card-now">
                                {move || Msg::RefundPresentCard.fill(state.lang.get(), &[("card", &card), ("amount", &money(amount))])}
                            </p>
                        })
                    }
                }
                {move || state.refund_progress.get().map(|p| view! {
                    <p class="terminal-progress" role="status" data-testid="refund-progress">{p.text(state.lang.get())}</p>
                })}
                {
                    let start = start.clone();
                    let exchange = exchange.clone();
                    let void = void.clone();
                    let may_void = may_void.clone();
                    let ask = ask.clone();
                    let confirm_bank = confirm_bank.clone();
                    let split = split.clone();
                    move || {
                        if let Some(finished) = done.get() {
                            let cash = finished.cash;
                            let voided = finished.refund.as_ref().is_some_and(|r| r.voids_sale);
                            return view! {
                                <p class="refund-done" data-testid="refund-done">{state.t(if voided { Msg::Voided } else { Msg::Refunded })}</p>
                                <Show when=move || !cash.is_zero()>
                                    <p class="hand-back" data-testid="refund-hand-back">
                                        {move || Msg::RefundHandBack.fill(state.lang.get(), &[("amount", &money(cash))])}
                                    </p>
                                </Show>
                                <div class="actions">
                                    <button class="primary" data-testid="refund-close" on:click=move |_| close()>{state.t(Msg::Close)}</button>
                                </div>
                            }
                            .into_any();
                        }
                        if busy() {
                            return ().into_any();
                        }
                        let record = record();
                        let in_flight = record.as_ref().and_then(|r| r.card_in_flight.as_ref().map(|c| c.amount));
                        let bank_pending = record.as_ref().is_some_and(|r| {
                            r.card_method == Some(CardRefundMethod::Standalone) && !r.card_done
                        });
                        if let Some(sent) = in_flight {
                            let ask = ask.clone();
                            return view! {
                                <div class="in-flight" data-testid="refund-in-flight">
                                    <p>{Msg::RefundInFlight.fill(state.lang.get(), &[("amount", &money(sent))])}</p>
                                    <button class="primary" data-testid="refund-ask-terminal" on:click=move |_| ask()>
                                        {state.t(Msg::AskTerminal)}
                                    </button>
                                    <button on:click=move |_| close()>{state.t(Msg::Cancel)}</button>
                                </div>
                            }
                            .into_any();
                        }
                        if bank_pending {
                            let confirm_bank = confirm_bank.clone();
                            return view! {
                                <div class="actions">
                                    <button class="primary" data-testid="refund-confirm-bank" on:click=move |_| confirm_bank()>
                                        {state.t(Msg::ConfirmBankRefund)}
                                    </button>
                                    <button on:click=move |_| close()>{state.t(Msg::Cancel)}</button>
                                </div>
                            }
                            .into_any();
                        }
                        let again = record.is_some();
                        let start = start.clone();
                        let exchange = exchange.clone();
                        let void = void.clone();
                        let may_void = may_void.clone();
                        let start_on_enter = start.clone();
                        let card_to_pay = {
                            let split = split.clone();
                            move || split().is_some_and(|(card, _, _)| !card.is_zero()) || in_cash.get()
                        };
                        let split = split.clone();
                        let total = move || split().map(|(card, cash, gift_card)| card + cash + gift_card);
                        let nothing_to_refund = {
                            let total = total.clone();
                            move || total().is_none()
                        };
                        view! {
                            <Show when=card_to_pay.clone()>
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        data-testid="refund-in-cash-instead"
                                        prop:checked=move || in_cash.get()
                                        on:change=move |ev| {
                                            if !event_target_checked(&ev) {
                                                return in_cash.set(false);
                                            }
                                            // Cash from the drawer needs its own permission.
                                            in_cash.set(false);
                                            state.protected(Permission::RefundToCash, move |approved_by| {
                                                if approved_by.is_some() {
                                                    state.staff.refund_approved_by.set(approved_by);
                                                }
                                                in_cash.set(true);
                                            });
                                        }
                                    />
                                    <span>{state.t(Msg::RefundCardInCash)}</span>
                                </label>
                            </Show>
                            <label class="field">
                                <span>{state.t(Msg::RefundReason)}</span>
                                <input
                                    type="text"
                                    data-testid="refund-reason"
                                    prop:value=move || reason.get()
                                    on:input=move |ev| reason.set(event_target_value(&ev))
                                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { start_on_enter() }
                                />
                            </label>
                            <div class="actions">
                                <button class="primary" data-testid="refund-confirm" prop:disabled=nothing_to_refund.clone() on:click=move |_| start()>
                                    {move || if again {
                                        state.t(Msg::RefundRetry).to_string()
                                    } else {
                                        Msg::RefundConfirm.fill(state.lang.get(), &[("amount", &money(total().unwrap_or_default()))])
                                    }}
                                </button>
                                <Show when={
                                    let may_void = may_void.clone();
                                    move || !again && may_void()
                                }>
                                    <button data-testid="refund-void" on:click={
                                        let void = void.clone();
                                        move |_| void()
                                    }>
                                        {state.t(Msg::VoidButton)}
                                    </button>
                                </Show>
                                <Show when=move || !again>
                                    <button data-testid="refund-exchange" prop:disabled=nothing_to_refund.clone() on:click={
                                        let exchange = exchange.clone();
                                        move |_| exchange()
                                    }>
                                        {state.t(Msg::ExchangeButton)}
                                    </button>
                                </Show>
                                <button data-testid="refund-cancel" on:click=move |_| close()>{state.t(Msg::Cancel)}</button>
                            </div>
                        }
                        .into_any()
                    }
                }
            </div>
        </div>
    }
}

/// The lines of a sale with how many of each come back: minus and plus by one (a weighed line's
/// quantity is typed), "All" and "None".
#[component]
fn ReturnPicker(
    lines: Vec<pos_core::TicketLine>,
    ledger: Memo<pos_core::ReturnLedger>,
    chosen: RwSignal<Vec<Decimal>>,
    damaged: RwSignal<Vec<bool>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let left = move || -> Vec<Decimal> {
        ledger.with(|l| l.lines.iter().map(|l| l.returnable()).collect())
    };
    let set_all = move |all: bool| {
        let left = left();
        chosen.set(if all {
            left
        } else {
            vec![Decimal::ZERO; left.len()]
        })
    };
    let rows = lines
        .into_iter()
        .enumerate()
        .map(|(at, line)| {
            let so_far = move || ledger.with(|l| l.lines.get(at).cloned());
            let max = move || so_far().map(|l| l.returnable()).unwrap_or_default();
            let value = move || chosen.with(|q| q.get(at).copied().unwrap_or_default());
            let set = move |q: Decimal| {
                let max = max();
                chosen.update(|all| {
                    if let Some(slot) = all.get_mut(at) {
                        *slot = q.clamp(Decimal::ZERO, max);
                    }
                })
            };
            let name = line.name.clone();
            view! {
                <li class="return-line" data-testid="refund-line" class:none-left=move || max().is_zero()>
                    <span class="name">{name}</span>
                    {move || so_far().filter(|l| !l.returned.is_zero()).map(|l| view! {
                        <span class="returned" data-testid="refund-returned">
                            {move || {
                                let lang = state.lang.get();
                                Msg::ReturnedOfSold.fill(lang, &[
                                    ("returned", &i18n::quantity(l.returned, lang)),
                                    ("sold", &i18n::quantity(l.sold, lang)),
                                ])
                            }}
                        </span>
                    })}
                    <div class="qty">
                        <button class="qty-down" data-testid="refund-qty-minus" aria-label=move || state.t(Msg::Decrease)
                            prop:disabled=move || value().is_zero()
                            on:click=move |_| set((value() - Decimal::ONE).max(Decimal::ZERO))>"−"</button>
                        <input class="qty-value" data-testid="refund-qty" inputmode="decimal"
                            prop:value=move || i18n::quantity(value(), state.lang.get())
                            prop:disabled=move || max().is_zero()
                            on:change=move |ev| match i18n::parse_decimal(&event_target_value(&ev)) {
                                Some(q) => set(q),
                                None => set(value()),
                            } />
                        <button class="qty-up" data-testid="refund-qty-plus" aria-label=move || state.t(Msg::Increase)
                            prop:disabled=move || { value() >= max() }
                            on:click=move |_| set(value() + Decimal::ONE)>"+"</button>
                    </div>
                    <label class="check damaged">
                        <input type="checkbox" data-testid="refund-damaged"
                            prop:disabled=move || value().is_zero()
                            prop:checked=move || damaged.with(|d| d.get(at).copied().unwrap_or(false))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                damaged.update(|d| if let Some(slot) = d.get_mut(at) { *slot = on });
                            } />
                        {move || state.t(Msg::ReturnDamaged)}
                    </label>
                </li>
            }
        })
        .collect::<Vec<_>>();
    view! {
        <div class="return-picker">
            <div class="return-head">
                <h3>{move || state.t(Msg::ReturnLines)}</h3>
                <button data-testid="refund-all" on:click=move |_| set_all(true)>{move || state.t(Msg::ReturnAll)}</button>
                <button data-testid="refund-none" on:click=move |_| set_all(false)>{move || state.t(Msg::ReturnNone)}</button>
            </div>
            <ul class="return-lines">{rows}</ul>
        </div>
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

/// How the cashier knows card `card` of `sale`: its last four digits, or its name, as the
/// terminal's slip printed them.
fn card_name(sale: &Sale, card: u32, state: AppState) -> String {
    let lang = state.lang.get_untracked();
    match sale.tenders().get(card as usize) {
        Some(Tender::Card { approval, .. }) => match (&approval.last_four, &approval.card_name) {
            (Some(last_four), _) => format!("{} **** {last_four}", Msg::Card.text(lang)),
            (None, Some(name)) => name.clone(),
            (None, None) => format!("{} {}", Msg::Card.text(lang), card + 1),
        },
        Some(Tender::GiftCard { card, .. }) => Msg::GiftCardLine.fill(
            lang,
            &[("card", &crate::state::gift_cards::masked(card))],
        ),
        Some(Tender::Points { .. }) => Msg::Points.text(lang).to_string(),
        _ => Msg::Card.text(lang).to_string(),
    }
}
