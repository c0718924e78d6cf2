//! Taking payment: cash with quick note buttons and the change shown large, card on a standalone
//! terminal confirmed by the cashier, or several tenders in turn (split); a tip from the store's
//! presets or typed, taken with the next tender (on a card charged on top, in cash kept from the
//! change).

use leptos::prelude::*;
use pos_core::{suggested_cash, CardApproval, Decimal, Payment, Tender};

use crate::i18n::{self, parse_decimal, Msg};
use crate::state::AppState;
use crate::views::gift_card::GiftCardTender;
use crate::views::points::PointsTender;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Cash,
    Card,
    GiftCard,
    Points,
}

#[component]
pub fn PayDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    // After a reload with a card amount at the terminal, open on the card, where its progress shows.
    let card_open = state
        .payment
        .with_untracked(|p| p.as_ref().is_some_and(|p| p.card_in_flight.is_some()));
    // And on the gift card, when a redemption was kept before the reload.
    let gift_card_open = state
        .payment
        .with_untracked(|p| p.as_ref().is_some_and(|p| p.gift_card_in_flight.is_some()));
    let points_open = state
        .payment
        .with_untracked(|p| p.as_ref().is_some_and(|p| p.points_in_flight.is_some()));
    // Points are offered when the store has a programme and a customer is on the ticket.
    let points_offered = move || {
        state.store.with(|s| s.loyalty.is_some())
            && state
                .payment
                .with(|p| p.as_ref().is_some_and(|p| p.customer.is_some()))
    };
    // The customer's points, asked once as the dialog opens: for the points tender, and for the
    // balance the receipt shows after the points this sale earns.
    state.loyalty.checked.set(None);
    if state.store.with_untracked(|s| s.loyalty.is_some())
        && state
            .payment
            .with_untracked(|p| p.as_ref().is_some_and(|p| p.customer.is_some()))
    {
        crate::state::loyalty::check(state);
    }
    let method = RwSignal::new(if card_open {
        Method::Card
    } else if gift_card_open {
        Method::GiftCard
    } else if points_open {
        Method::Points
    } else {
        Method::Cash
    });
    let payment = Memo::new(move |_| {
        state
            .payment
            .with(|p| p.as_ref().map(|p| p.payment.clone()))
    });
    let with_payment = move |f: &dyn Fn(&Payment) -> String| {
        payment.with(|p| p.as_ref().map(f).unwrap_or_default())
    };
    let currency = move || state.store.with(|s| s.rules.currency);
    let money = move |amount| i18n::money(amount, currency(), state.lang.get());
    // The tip the customer chose, taken with the next tender; zero for none.
    let tip = RwSignal::new(Decimal::ZERO);
    let is_exchange = move || {
        state
            .payment
            .with(|p| p.as_ref().is_some_and(|p| p.exchange.is_some()))
    };
    // What the goods brought back are worth over the new ones, for the customer.
    let exchange_back = move || {
        state.payment.with(|p| {
            let p = p.as_ref()?;
            let credit = p.exchange.as_ref()?.refund.amount;
            let back = credit - p.payment.exchange_credit();
            (back > Decimal::ZERO).then_some(back)
        })
    };

    view! {
        <div class="overlay">
            <div class="dialog pay-dialog" role="dialog" aria-modal="true" data-testid="pay-dialog">
                <h2>
                    {move || state.t(Msg::Payment)}
                    <Show when=move || state.payment.with(|p| p.as_ref().is_some_and(|p| p.training))>
                        " " <span class="badge training" data-testid="pay-training">{move || state.t(Msg::Training)}</span>
                    </Show>
                </h2>
                <dl class="due">
                    <div class="row">
                        <dt>{move || state.t(Msg::AmountDue)}</dt>
                        <dd data-testid="amount-due">{move || with_payment(&|p| money(p.due()))}</dd>
                    </div>
                    <div class="row remaining">
                        <dt>{move || state.t(Msg::Remaining)}</dt>
                        <dd data-testid="remaining">{move || with_payment(&|p| money(p.remaining()))}</dd>
                    </div>
                </dl>
                <Show when=move || state.store.with(|s| !s.tip_presets.is_empty())
                    && payment.with(|p| p.as_ref().is_some_and(|p| !p.is_paid()))>
                    <TipChooser payment tip />
                </Show>
                <Show when=move || payment.with(|p| p.as_ref().is_some_and(|p| !p.tenders().is_empty()))>
                    <div class="tenders">
                        <h3>{move || state.t(Msg::Tenders)}</h3>
                        <ul>
                            {move || {
                                payment.with(|p| {
                                    p.as_ref()
                                        .map(|p| p.tenders().iter().enumerate().map(|(at, t)| view! {
                                            <li data-testid="tender">
                                                {tender_text(t, state)}
                                                {excess_flag(p.unexplained_excess(at), state)}
                                            </li>
                                        }).collect_view())
                                })
                            }}
                        </ul>
                        <button class="undo-tender" data-testid="undo-tender" on:click=move |_| state.undo_tender()>{move || state.t(Msg::UndoTender)}</button>
                        // A card the terminal charged goes back only through the terminal.
                        <Show when=move || payment.with(|p| p.as_ref().is_some_and(|p| p.reversible_card().is_some()))
                            && state.payment.with(|p| p.as_ref().is_some_and(|p| p.card_in_flight.is_none()))
                            && !state.card_progress.with(Option::is_some)>
                            <button class="reverse-on-terminal" data-testid="reverse-on-terminal" on:click=move |_| {
                                // Its screens and answer show on the card panel.
                                method.set(Method::Card);
                                crate::state::terminal::reverse(state);
                            }>
                                {move || state.t(Msg::ReverseOnTerminal)}
                            </button>
                        </Show>
                    </div>
                </Show>
                <div class="segmented methods" role="tablist">
                    <button role="tab" data-testid="method-cash" class:active=move || method.get() == Method::Cash on:click=move |_| method.set(Method::Cash)>
                        {move || state.t(Msg::Cash)}
                    </button>
                    <button role="tab" data-testid="method-card" class:active=move || method.get() == Method::Card on:click=move |_| method.set(Method::Card)>
                        {move || state.t(Msg::Card)}
                    </button>
                    <button role="tab" data-testid="method-gift-card" class:active=move || method.get() == Method::GiftCard on:click=move |_| method.set(Method::GiftCard)>
                        {move || state.t(Msg::GiftCard)}
                    </button>
                    <Show when=points_offered>
                        <button role="tab" data-testid="method-points" class:active=move || method.get() == Method::Points on:click=move |_| method.set(Method::Points)>
                            {move || state.t(Msg::Points)}
                        </button>
                    </Show>
                </div>
                {move || match method.get() {
                    Method::Cash => view! { <CashTender payment tip /> }.into_any(),
                    // A card amount still with a terminal keeps its panel even if the settings
                    // changed since, so the cashier can ask the terminal or clear it.
                    Method::Card if state.terminal.with(|t| t.is_integrated())
                        || state.payment.with(|p| p.as_ref().is_some_and(|p| p.card_in_flight.is_some())) => {
                        view! { <TerminalCardTender payment tip /> }.into_any()
                    }
                    Method::Card => view! { <CardTender payment tip /> }.into_any(),
                    Method::GiftCard => view! { <GiftCardTender payment /> }.into_any(),
                    Method::Points => view! { <PointsTender payment /> }.into_any(),
                }}
                <Show when=move || state.saving.get()>
                    <p class="saving" role="status">{move || state.t(Msg::Saving)}</p>
                </Show>
                {move || exchange_back().map(|back| view! {
                    <p class="exchange-gives-back" role="status" data-testid="exchange-gives-back">
                        {move || Msg::ExchangeGivesBack.fill(state.lang.get(), &[("amount", &money(back))])}
                    </p>
                })}
                <Show when=move || payment.with(|p| p.as_ref().is_some_and(Payment::is_paid)) && !state.saving.get()>
                    {move || if is_exchange() {
                        // The goods brought back cover the new ones: nothing to take, the cashier
                        // completes it (and retries the same way if the write failed).
                        view! {
                            <button class="primary complete-exchange" data-testid="complete-exchange" on:click=move |_| state.complete_sale()>
                                {move || state.t(Msg::ExchangeComplete)}
                            </button>
                        }.into_any()
                    } else {
                        // Paid but not saved (the write failed): the cashier retries; nothing is lost.
                        view! {
                            <button class="primary retry-save" data-testid="retry-save" on:click=move |_| state.complete_sale()>
                                {move || state.t(Msg::SaveAgain)}
                            </button>
                        }.into_any()
                    }}
                </Show>
                <button class="cancel" data-testid="cancel-payment" on:click=move |_| state.cancel_payment()>
                    {move || state.t(Msg::CancelPayment)}
                </button>
            </div>
        </div>
    }
}

pub fn tender_text(tender: &Tender, state: AppState) -> String {
    let lang = state.lang.get();
    let currency = state.store.with(|s| s.rules.currency);
    match tender {
        Tender::Cash { tendered } => format!(
            "{} {}",
            Msg::CashTendered.text(lang),
            i18n::money(*tendered, currency, lang)
        ),
        Tender::Card {
            amount, approval, ..
        } => {
            let mut text = format!(
                "{} {}",
                Msg::CardTendered.text(lang),
                i18n::money(*amount, currency, lang)
            );
            if approval.auth_code.is_some() || approval.last_four.is_some() {
                let details = Msg::CardDetails.fill(
                    lang,
                    &[
                        ("auth", approval.auth_code.as_deref().unwrap_or("—")),
                        ("last4", approval.last_four.as_deref().unwrap_or("····")),
                    ],
                );
                text = format!("{text} ({details})");
            }
            text
        }
        Tender::Exchange { amount, .. } => format!(
            "{} {}",
            Msg::ExchangeCredit.text(lang),
            i18n::money(*amount, currency, lang)
        ),
        Tender::GiftCard {
            card,
            amount,
            offline,
            ..
        } => {
            let msg = if *offline {
                Msg::GiftCardTenderedOffline
            } else {
                Msg::GiftCardTendered
            };
            msg.fill(
                lang,
                &[
                    ("card", &crate::state::gift_cards::masked(card)),
                    ("amount", &i18n::money(*amount, currency, lang)),
                ],
            )
        }
        Tender::Points {
            points,
            amount,
            offline,
            ..
        } => {
            let msg = if *offline {
                Msg::PointsTenderedOffline
            } else {
                Msg::PointsTendered
            };
            msg.fill(
                lang,
                &[
                    ("points", &crate::state::loyalty::points_text(*points, lang)),
                    ("amount", &i18n::money(*amount, currency, lang)),
                ],
            )
        }
    }
}

/// The flag of a card the terminal approved for more than it was asked (a tip keyed on it), past
/// any tip chosen here.
fn excess_flag(excess: Decimal, state: AppState) -> Option<impl IntoView + use<>> {
    if excess.is_zero() {
        return None;
    }
    let lang = state.lang.get();
    let currency = state.store.with(|s| s.rules.currency);
    let text = Msg::CardExcess.fill(lang, &[("amount", &i18n::money(excess, currency, lang))]);
    Some(
        view! { <p class="card-excess warning" role="status" data-testid="tender-excess">{text}</p> },
    )
}

/// The store's tip buttons, "No tip" and a typed tip; the tip chosen shows with what it brings
/// the amount to.
#[component]
fn TipChooser(payment: Memo<Option<Payment>>, tip: RwSignal<Decimal>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let currency = move || state.store.with(|s| s.rules.currency);
    let money = move |amount| i18n::money(amount, currency(), state.lang.get());
    let due = move || payment.with(|p| p.as_ref().map(Payment::remaining).unwrap_or_default());
    let typed = RwSignal::new(String::new());
    let take_typed = move || match parse_decimal(&typed.get_untracked()) {
        Some(amount) if amount >= Decimal::ZERO && currency().round(amount) == amount => {
            tip.set(amount)
        }
        _ => state.error(Msg::InvalidNumber),
    };
    view! {
        <div class="tips" data-testid="tips">
            <h3>{move || state.t(Msg::Tip)}</h3>
            <div class="tip-buttons">
                <button data-testid="tip-none" class:active=move || tip.get().is_zero() on:click=move |_| tip.set(Decimal::ZERO)>
                    {move || state.t(Msg::NoTip)}
                </button>
                {move || {
                    state.store.with(|s| s.tip_presets.clone()).into_iter().map(|preset| {
                        let amount = move || preset.tip_on(due(), currency());
                        let label = move || match preset {
                            pos_core::TipPreset::Percent(p) => format!("{} %", p.normalize()),
                            pos_core::TipPreset::Amount(a) => money(a),
                        };
                        view! {
                            <button data-testid="tip-preset" class:active=move || !tip.get().is_zero() && tip.get() == amount()
                                on:click=move |_| tip.set(amount())>
                                <span class="tip-label">{label}</span>
                                <span class="tip-amount">{move || money(amount())}</span>
                            </button>
                        }
                    }).collect_view()
                }}
            </div>
            <label class="field tip-other">
                <span>{move || state.t(Msg::OtherTip)}</span>
                <input data-testid="tip-custom" inputmode="decimal"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev))
                    on:change=move |_| take_typed()
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { take_typed() } />
            </label>
            <Show when=move || !tip.get().is_zero()>
                <p class="tip-chosen" data-testid="tip-chosen">
                    {move || Msg::TipChosen.fill(state.lang.get(), &[
                        ("tip", &money(tip.get())),
                        ("total", &money(due() + tip.get())),
                    ])}
                </p>
            </Show>
        </div>
    }
}

#[component]
fn CashTender(payment: Memo<Option<Payment>>, tip: RwSignal<Decimal>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let other = RwSignal::new(String::new());
    let money = move |amount| {
        i18n::money(
            amount,
            state.store.with(|s| s.rules.currency),
            state.lang.get(),
        )
    };
    // Cash with a tip settles the payment: the tip is kept from the change.
    let take = move |amount: Decimal| {
        let tip = tip.get_untracked();
        if tip.is_zero() {
            state.add_cash(amount);
        } else {
            state.add_cash_with_tip(amount, tip);
        }
    };
    let take_other = move || match parse_decimal(&other.get_untracked()) {
        Some(amount) => {
            take(amount);
            other.set(String::new());
        }
        None => state.error(Msg::InvalidNumber),
    };
    view! {
        <div class="cash">
            <div class="quick-cash">
                {move || {
                    payment.with(|p| {
                        p.as_ref().map(|p| {
                            suggested_cash(p.cash_due() + tip.get(), &state.store.with(|s| s.rules), 5)
                                .into_iter()
                                .enumerate()
                                .map(|(i, amount)| {
                                    let label = if i == 0 { format!("{} {}", state.t(Msg::Exact), money(amount)) } else { money(amount) };
                                    view! {
                                        <button class="quick" data-testid="quick-cash" data-amount=amount.to_string() on:click=move |_| take(amount)>
                                            {label}
                                        </button>
                                    }
                                })
                                .collect_view()
                        })
                    })
                }}
            </div>
            <label class="field">
                <span>{move || state.t(Msg::OtherAmount)}</span>
                <input
                    data-testid="cash-amount"
                    inputmode="decimal"
                    prop:value=move || other.get()
                    on:input=move |ev| other.set(event_target_value(&ev))
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { take_other() }
                />
            </label>
            <button class="primary" data-testid="take-cash" on:click=move |_| take_other()>{move || state.t(Msg::TakeCash)}</button>
        </div>
    }
}

#[component]
fn CardTender(payment: Memo<Option<Payment>>, tip: RwSignal<Decimal>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let remaining =
        move || payment.with(|p| p.as_ref().map(Payment::remaining).unwrap_or_default());
    let amount = RwSignal::new(remaining().to_string());
    // Follow what is left to pay, so a split starts with the right amount on the terminal.
    Effect::new(move |_| amount.set(remaining().to_string()));
    let auth = RwSignal::new(String::new());
    let last_four = RwSignal::new(String::new());
    let confirm = move || {
        let Some(value) = parse_decimal(&amount.get_untracked()) else {
            return state.error(Msg::InvalidNumber);
        };
        match CardApproval::new(&auth.get_untracked(), &last_four.get_untracked()) {
            Ok(approval) if tip.get_untracked().is_zero() => state.add_card(value, approval),
            Ok(approval) => {
                state.add_card_with_tip(value, tip.get_untracked(), approval);
                tip.set(Decimal::ZERO);
            }
            Err(e) => state.tender_error(e),
        }
    };
    view! {
        <div class="card">
            <p class="instructions">{move || state.t(Msg::CardInstructions)}</p>
            <Show when=move || !tip.get().is_zero()>
                <p class="instructions" data-testid="card-with-tip">
                    {move || {
                        let lang = state.lang.get();
                        let currency = state.store.with(|s| s.rules.currency);
                        let total = parse_decimal(&amount.get()).unwrap_or_default() + tip.get();
                        Msg::ChargeWithTip.fill(lang, &[("amount", &i18n::money(total, currency, lang))])
                    }}
                </p>
            </Show>
            <label class="field">
                <span>{move || state.t(Msg::CardAmount)}</span>
                <input data-testid="card-amount" inputmode="decimal" prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>{move || state.t(Msg::AuthCode)}</span>
                <input data-testid="auth-code" autocomplete="off" prop:value=move || auth.get() on:input=move |ev| auth.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>{move || state.t(Msg::LastFour)}</span>
                <input data-testid="last-four" inputmode="numeric" maxlength="4" autocomplete="off" prop:value=move || last_four.get() on:input=move |ev| last_four.set(event_target_value(&ev)) />
            </label>
            <button class="primary" data-testid="confirm-card" on:click=move |_| confirm()>{move || state.t(Msg::ConfirmCard)}</button>
        </div>
    }
}

/// Card on an integrated terminal (ZVT, or the training simulator): the amount goes to the
/// terminal, its screens are shown here, and the tender is recorded only when it approves.
#[component]
fn TerminalCardTender(payment: Memo<Option<Payment>>, tip: RwSignal<Decimal>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let remaining =
        move || payment.with(|p| p.as_ref().map(Payment::remaining).unwrap_or_default());
    let amount = RwSignal::new(remaining().to_string());
    Effect::new(move |_| amount.set(remaining().to_string()));
    let money = move |amount| {
        i18n::money(
            amount,
            state.store.with(|s| s.rules.currency),
            state.lang.get(),
        )
    };
    let in_flight = move || {
        state.payment.with(|p| {
            p.as_ref()
                .and_then(|p| p.card_in_flight.as_ref().map(|c| c.amount))
        })
    };
    let busy = move || state.card_progress.with(Option::is_some);
    let charge = move || match parse_decimal(&amount.get_untracked()) {
        Some(value) => {
            crate::state::terminal::charge(state, value, tip.get_untracked());
            tip.set(Decimal::ZERO);
        }
        None => state.error(Msg::InvalidNumber),
    };
    view! {
        <div class="card terminal">
            <p class="instructions">{move || state.t(Msg::TerminalCardInstructions)}</p>
            {move || state.card_progress.get().map(|p| view! {
                <p class="terminal-progress" role="status" data-testid="terminal-progress">{p.text(state.lang.get())}</p>
            })}
            {move || match (in_flight(), busy()) {
                (Some(sent), false) => {
                    let reversing = state.payment.with(|p| p.as_ref().is_some_and(|p| p.reversal_in_flight.is_some()));
                    let (sent_msg, give_up_msg) = if reversing {
                        (Msg::ReversalInFlight, Msg::NoReversalOnSlip)
                    } else {
                        (Msg::TerminalInFlight, Msg::NotChargedOnSlip)
                    };
                    view! {
                        <div class="in-flight" data-testid="card-in-flight">
                            <p>{sent_msg.fill(state.lang.get(), &[("amount", &money(sent))])}</p>
                            <button class="primary" data-testid="ask-terminal" on:click=move |_| crate::state::terminal::recover(state)>
                                {move || state.t(Msg::AskTerminal)}
                            </button>
                            <button data-testid="not-charged" on:click=move |_| crate::state::terminal::give_up_in_flight(state)>
                                {move || state.t(give_up_msg)}
                            </button>
                        </div>
                    }.into_any()
                }
                (None, false) => view! {
                    <label class="field">
                        <span>{move || state.t(Msg::CardAmount)}</span>
                        <input data-testid="card-amount" inputmode="decimal" prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev)) />
                    </label>
                    <button class="primary" data-testid="charge-terminal" on:click=move |_| charge()>
                        {move || Msg::PayOnTerminal.fill(state.lang.get(), &[("amount", &parse_decimal(&amount.get()).map(|a| money(a + tip.get())).unwrap_or_default())])}
                    </button>
                }.into_any(),
                (_, true) => ().into_any(),
            }}
        </div>
    }
}
