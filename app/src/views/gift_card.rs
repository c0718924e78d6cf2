//! The store's gift cards on screen: the register's "Gift card" dialog that sells one card or a
//! block of sequential cards on the ticket, and the pay dialog's gift card tender. A scanned
//! card number fills the open dialog's number field (`state/scanning.rs`); the rules are core's,
//! the server's answers are read in `state/gift_cards.rs`.

use leptos::prelude::*;
use pos_core::gift_card::Authorisation;
use pos_core::staff::Permission;
use pos_core::{Decimal, Payment, Uuid};

use crate::i18n::{self, Msg, parse_decimal};
use crate::state::AppState;
use crate::state::gift_cards::{self, CardCheck, NumberFor};

/// Opens the number field to scans for `purpose` while the component is on screen.
pub(super) fn take_scans_for(state: AppState, purpose: NumberFor) {
    state.gift_cards.number.set(String::new());
    state.gift_cards.number_for.set(Some(purpose));
    on_cleanup(move || {
        if state.gift_cards.number_for.try_get_untracked() == Some(Some(purpose)) {
            state.gift_cards.number_for.set(None);
        }
    });
}

/// The card number field shared by both dialogs: typed, or filled by a scan.
#[component]
pub(super) fn NumberField(testid: &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    let number = state.gift_cards.number;
    view! {
        <label class="field">
            <span>{move || state.t(Msg::GiftCardNumber)}</span>
            <input type="text" inputmode="numeric" autocomplete="off" data-testid=testid
                prop:value=move || number.get()
                on:input=move |ev| number.set(event_target_value(&ev)) />
        </label>
    }
}

/// The authorisation code and the reason of a forced operation, typed by whoever may force it
/// (asked for with [`Permission::ForceGiftCardOps`] before this shows).
#[component]
pub(super) fn AuthorisationFields(
    code: RwSignal<String>,
    reason: RwSignal<String>,
    prefix: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let field = move |label: Msg, testid: String, value: RwSignal<String>| {
        view! {
            <label class="field">
                <span>{move || state.t(label)}</span>
                <input type="text" autocomplete="off" data-testid=testid
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        {field(Msg::GiftCardAuthCode, format!("{prefix}-auth-code"), code)}
        {field(Msg::GiftCardAuthReason, format!("{prefix}-auth-reason"), reason)}
    }
}

/// What the authorisation fields hold, as core takes it.
pub(super) fn authorisation(code: RwSignal<String>, reason: RwSignal<String>) -> Authorisation {
    Authorisation {
        code: code.get_untracked().trim().to_string(),
        reason: reason.get_untracked().trim().to_string(),
    }
}

/// "Gift card" on the register: a card number (typed, scanned or new), the value of each card
/// and how many sequential cards, added as one line.
#[component]
pub fn SellGiftCard(open: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    take_scans_for(state, NumberFor::Selling);
    let value = RwSignal::new(String::new());
    let count = RwSignal::new("1".to_string());
    let add = move || {
        let number = state.gift_cards.number.get_untracked();
        if gift_cards::sell(
            state,
            &number,
            &value.get_untracked(),
            &count.get_untracked(),
        ) {
            open.set(false);
        }
    };
    view! {
        <div class="overlay">
            <div class="dialog gift-card-dialog" role="dialog" aria-modal="true" data-testid="gift-card-dialog">
                <h2>{move || state.t(Msg::GiftCardSell)}</h2>
                <NumberField testid="gift-card-number" />
                <button data-testid="gift-card-generate" on:click=move |_| {
                    state.gift_cards.number.set(gift_cards::generated_number().grouped());
                }>
                    {move || state.t(Msg::GiftCardGenerate)}
                </button>
                <label class="field">
                    <span>{move || state.t(Msg::GiftCardValueLabel)}</span>
                    <input inputmode="decimal" data-testid="gift-card-value"
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>{move || state.t(Msg::GiftCardCount)}</span>
                    <input type="number" min="1" step="1" data-testid="gift-card-count"
                        prop:value=move || count.get()
                        on:input=move |ev| count.set(event_target_value(&ev)) />
                </label>
                <div class="actions">
                    <button class="primary" data-testid="gift-card-add" on:click=move |_| add()>
                        {move || state.t(Msg::GiftCardAddToTicket)}
                    </button>
                    <button data-testid="gift-card-cancel" on:click=move |_| open.set(false)>
                        {move || state.t(Msg::Cancel)}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// The pay dialog's gift card tender: the card, its balance on request, and the amount to take
/// (the smaller of what is left to pay and the balance, once the balance is known).
#[component]
pub fn GiftCardTender(payment: Memo<Option<Payment>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    take_scans_for(state, NumberFor::Paying);
    state.gift_cards.checked.set(None);
    let remaining =
        move || payment.with(|p| p.as_ref().map(Payment::remaining).unwrap_or_default());
    let amount = RwSignal::new(String::new());
    let currency = move || state.store.with(|s| s.rules.currency);
    let money = move |amount| i18n::money(amount, currency(), state.lang.get());
    // The amount suggested: what is left, or the balance if that is less.
    Effect::new(move |_| {
        let left = remaining();
        let most = match state.gift_cards.checked.get() {
            Some(CardCheck::Online { balance }) => left.min(balance),
            Some(CardCheck::Offline { allowance, .. }) => left.min(allowance),
            None => left,
        };
        amount.set(most.max(Decimal::ZERO).to_string());
    });
    let take = move || match parse_decimal(&amount.get_untracked()) {
        Some(amount) => gift_cards::redeem(state, state.gift_cards.number.get_untracked(), amount),
        None => state.error(Msg::InvalidNumber),
    };
    let in_flight = move || {
        state
            .payment
            .with(|p| p.as_ref().is_some_and(|p| p.gift_card_in_flight.is_some()))
    };
    // A forced redemption: shown once someone who may force it is at the till or gave their PIN
    // (`approved_by`: that manager, named on the operation).
    let forcing = RwSignal::new(false);
    let approved_by = RwSignal::new(None::<Uuid>);
    let code = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let open_forced = move || {
        state.protected(Permission::ForceGiftCardOps, move |by| {
            approved_by.set(by);
            forcing.set(true);
        })
    };
    let take_forced = move || match parse_decimal(&amount.get_untracked()) {
        Some(amount) => gift_cards::force_redeem(
            state,
            state.gift_cards.number.get_untracked(),
            amount,
            authorisation(code, reason),
            approved_by.get_untracked(),
        ),
        None => state.error(Msg::InvalidNumber),
    };
    view! {
        <div class="gift-card-tender">
            <NumberField testid="gift-card-number" />
            <button data-testid="gift-card-check" disabled=move || state.gift_cards.busy.get()
                on:click=move |_| gift_cards::check_balance(state, state.gift_cards.number.get_untracked())>
                {move || state.t(Msg::GiftCardCheckBalance)}
            </button>
            {move || state.gift_cards.checked.get().map(|checked| {
                let online = matches!(checked, CardCheck::Online { .. }).then_some(checked.clone());
                let text = match checked {
                    CardCheck::Online { balance } => {
                        Msg::GiftCardBalance.fill(state.lang.get(), &[("balance", &money(balance))])
                    }
                    CardCheck::Offline { balance, allowance } => Msg::GiftCardBalanceOffline.fill(
                        state.lang.get(),
                        &[("balance", &money(balance)), ("allowance", &money(allowance))],
                    ),
                };
                view! {
                    <p class="gift-card-balance" role="status" data-testid="gift-card-balance">{text}</p>
                    {online.map(|checked| view! {
                        <button data-testid="gift-card-print-balance" on:click=move |_| print_checked(state, &checked)>
                            {move || state.t(Msg::DeskPrintBalance)}
                        </button>
                    })}
                }
            })}
            <label class="field">
                <span>{move || state.t(Msg::GiftCardAmount)}</span>
                <input inputmode="decimal" data-testid="gift-card-amount"
                    prop:value=move || amount.get()
                    on:input=move |ev| amount.set(event_target_value(&ev)) />
            </label>
            <Show when=move || state.gift_cards.busy.get()>
                <p class="progress" role="status">{move || state.t(Msg::GiftCardChecking)}</p>
            </Show>
            {move || if in_flight() && !state.gift_cards.busy.get() {
                // Kept from before a reload: sent again, the server counts it once.
                view! {
                    <button class="primary" data-testid="gift-card-resend" on:click=move |_| gift_cards::resend(state)>
                        {move || state.t(Msg::GiftCardRedeem)}
                    </button>
                }.into_any()
            } else {
                view! {
                    <button class="primary" data-testid="gift-card-redeem"
                        disabled=move || state.gift_cards.busy.get() || state.saving.get()
                        on:click=move |_| take()>
                        {move || state.t(Msg::GiftCardRedeem)}
                    </button>
                }.into_any()
            }}
            <Show when=move || !forcing.get() && !in_flight()>
                <button data-testid="gift-card-force" disabled=move || state.gift_cards.busy.get()
                    on:click=move |_| open_forced()>
                    {move || state.t(Msg::GiftCardForce)}
                </button>
            </Show>
            <Show when=move || forcing.get() && !in_flight()>
                <div class="gift-card-forced" data-testid="gift-card-forced">
                    <p>{move || state.t(Msg::GiftCardForceHelp)}</p>
                    <AuthorisationFields code reason prefix="gift-card" />
                    <button class="primary" data-testid="gift-card-force-take"
                        disabled=move || state.gift_cards.busy.get() || state.saving.get()
                        on:click=move |_| take_forced()>
                        {move || state.t(Msg::GiftCardForceTake)}
                    </button>
                </div>
            </Show>
        </div>
    }
}

/// "Print balance" in the pay dialog: the slip of the card the server just answered about.
fn print_checked(state: AppState, checked: &CardCheck) {
    let CardCheck::Online { balance } = checked else {
        return;
    };
    // Only an active card gets a balance: a deactivated one is refused when asked.
    print_balance(
        state,
        &state.gift_cards.number.get_untracked(),
        *balance,
        true,
    );
}

/// Prints the balance slip of the card `number` on the receipt printer, or says none is set up.
pub(super) fn print_balance(state: AppState, number: &str, balance: Decimal, active: bool) {
    let Ok(card) = pos_core::gift_card::GiftCardNumber::parse(number) else {
        return state.error(Msg::GiftCardBadNumber);
    };
    if !state.print_balance_slip(&card, balance, active) {
        state.error(Msg::SlipNoPrinter);
    }
}
