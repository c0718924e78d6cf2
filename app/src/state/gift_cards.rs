//! The store's gift cards at the till (issue 14): selling them on a ticket, redeeming them as a
//! tender, and the gift card outbox that carries every operation to the server.
//!
//! Money safety, in order: an operation's id is fixed when it is made and kept on disk before
//! the server hears of it (a card sold: in the sale's transaction; a redemption: in the pending
//! payment, strictly), so sending it again never counts twice. Online, only the server's 201
//! adds a redemption as a tender; offline, a redemption within the store's allowance is put in
//! the outbox (`offline: true`) in the same step that adds the tender. The outbox is sent until
//! the server answers each operation; the server's word on a card is remembered for the next
//! offline allowance.

use std::cell::Cell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::gift_card::{
    Authorisation, GiftCardNumber, GiftCardOp, GiftCardOpError, GiftCardOpKind, NumberError,
    generate_block,
};
use pos_core::{Decimal, Uuid};

use super::{AppState, Notice, storage_notice};
use crate::i18n::{self, Msg};
use crate::storage::KnownCard;
use crate::sync::gift_cards::{self as api, GiftCardRefusal};

/// How often the outbox is tried again while something is waiting in it.
const RETRY_MS: u32 = 5_000;

/// Where a scanned gift card number goes: the dialog that is open for one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberFor {
    /// The "Gift card" dialog of the register, selling cards.
    Selling,
    /// The gift card tender of the pay dialog.
    Paying,
    /// The manager's gift card desk (`gift_card_desk.rs`), looking a card up.
    Desk,
    /// A return without a receipt given back as store credit: the blank card it goes on.
    StoreCredit,
}

/// What the screens show of a card the cashier asked about.
#[derive(Clone, Debug, PartialEq)]
pub enum CardCheck {
    /// The server's answer.
    Online { balance: Decimal },
    /// Offline: what this device last heard, and what it may take now.
    Offline {
        balance: Decimal,
        allowance: Decimal,
    },
}

#[derive(Clone, Copy)]
pub struct GiftCards {
    /// The dialog a scanned card number fills, if one is open.
    pub number_for: RwSignal<Option<NumberFor>>,
    /// The card number field of that dialog.
    pub number: RwSignal<String>,
    /// The server is being asked (a redemption or a balance).
    pub busy: RwSignal<bool>,
    /// The balance of the card last asked about, for the pay dialog.
    pub checked: RwSignal<Option<CardCheck>>,
}

impl GiftCards {
    pub fn new() -> GiftCards {
        GiftCards {
            number_for: RwSignal::new(None),
            number: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
            checked: RwSignal::new(None),
        }
    }
}

impl Default for GiftCards {
    fn default() -> Self {
        GiftCards::new()
    }
}

impl AppState {
    /// A scanned code while a gift card dialog is open: a card number fills its field. Answers
    /// whether it took the code.
    pub(super) fn scanned_gift_card(&self, code: &str) -> bool {
        if self.gift_cards.number_for.get_untracked().is_none() {
            return false;
        }
        match GiftCardNumber::parse(code) {
            Ok(card) => {
                self.gift_cards.number.set(card.grouped());
                self.notice.set(None);
                true
            }
            Err(_) => false,
        }
    }

    /// The card whose number is typed, with the device's token to ask the server about it;
    /// `None` (and why, on screen) for a mistyped number or a register of no store.
    pub(super) fn card_and_token(&self, number: &str) -> Option<(GiftCardNumber, String)> {
        let card = match GiftCardNumber::parse(number) {
            Ok(card) => card,
            Err(e) => {
                self.error(number_msg(&e));
                return None;
            }
        };
        let Some(token) = self.token() else {
            self.error(Msg::GiftCardNeedsStore);
            return None;
        };
        Some((card, token))
    }

    pub(super) fn token(&self) -> Option<String> {
        self.membership
            .with_untracked(|m| m.as_ref().map(|m| m.device_token.clone()))
    }

    pub(super) fn staff_id(&self) -> Uuid {
        self.staff.member_now().map_or(Uuid::nil(), |m| m.id)
    }

    /// A new operation this register makes now on `card`, in the name of `staff`.
    pub(super) fn gift_card_op(
        &self,
        card: GiftCardNumber,
        kind: GiftCardOpKind,
        amount: Decimal,
        staff: Uuid,
    ) -> GiftCardOp {
        GiftCardOp {
            id: Uuid::now_v7(),
            card,
            kind,
            amount,
            staff,
            device: device_id(*self),
            at_ms: js_sys::Date::now() as i64,
            offline: false,
        }
    }
}

/// The cashier's words for a number that does not read.
fn number_msg(_: &NumberError) -> Msg {
    Msg::GiftCardBadNumber
}

/// A new card number for a card sold with none: 15 random digits and the check digit.
pub fn generated_number() -> GiftCardNumber {
    // Starting with 6 keeps the digits at full length and away from the bank cards' 4 and 5.
    let random = (js_sys::Math::random() * 1e14) as u64;
    GiftCardNumber::from_body(600_000_000_000_000 + random % 100_000_000_000_000)
        .expect("a 15-digit body")
}

/// A gift card as the screen shows it: `•••• 1234`, its last four digits.
pub fn masked(card: &GiftCardNumber) -> String {
    format!("•••• {}", card.last_four())
}

/// "Gift card •••• 1234", or "Gift cards •••• 1234 – •••• 1243" for a block.
fn line_name(cards: &[GiftCardNumber], lang: i18n::Lang) -> String {
    match (cards.first(), cards.last()) {
        (Some(first), Some(last)) if first != last => {
            Msg::GiftCardLineBlock.fill(lang, &[("first", &masked(first)), ("last", &masked(last))])
        }
        (Some(card), _) => Msg::GiftCardLine.fill(lang, &[("card", &masked(card))]),
        _ => String::new(),
    }
}

/// Adds a line selling `count` cards of `value` each, from the number typed or scanned (the
/// first of a block of sequential numbers). True when added.
pub fn sell(state: AppState, number: &str, value: &str, count: &str) -> bool {
    if state.membership.with_untracked(Option::is_none) {
        state.error(Msg::GiftCardNeedsStore);
        return false;
    }
    if state.payment.with_untracked(Option::is_some) {
        state.error(Msg::ScanWhilePaying);
        return false;
    }
    let first = match GiftCardNumber::parse(number) {
        Ok(card) => card,
        Err(e) => {
            state.error(number_msg(&e));
            return false;
        }
    };
    let Some(value) = i18n::parse_decimal(value) else {
        state.error(Msg::GiftCardValue);
        return false;
    };
    let count: u32 = match count.trim() {
        "" => 1,
        text => match text.parse() {
            Ok(n) => n,
            Err(_) => {
                state.error(Msg::GiftCardCountBad);
                return false;
            }
        },
    };
    let cards = match generate_block(&first, count) {
        Ok(cards) => cards,
        Err(_) => {
            state.error(Msg::GiftCardCountBad);
            return false;
        }
    };
    let name = line_name(&cards, state.lang.get_untracked());
    let added = state
        .ticket
        .try_update(|t| t.add_gift_cards(cards, value, &name));
    match added {
        Some(Ok(_)) => {
            state.notice.set(None);
            true
        }
        Some(Err(e)) => {
            state.error(crate::core_errors::ticket_msg(&e));
            false
        }
        None => false,
    }
}

/// What this device redeemed of `card` offline that the server has not heard of yet: its
/// redemptions still in the gift card outbox.
async fn unsynced_spent(state: AppState, card: &GiftCardNumber) -> Decimal {
    let waiting = state.storage().gift_card_outbox().await.unwrap_or_default();
    waiting
        .iter()
        .filter(|op| &op.card == card && op.kind == GiftCardOpKind::Redeem)
        .map(|op| op.amount)
        .sum()
}

/// What this device may take off `card` offline, with the balance it then knows: the balance
/// it last heard from the server less its own redemptions the server has not heard of, and at
/// most what is left of the store's cap (core `OfflineAllowance`). `None` for a card it never
/// heard of, or one the server said is deactivated.
async fn offline_allowance(state: AppState, card: &GiftCardNumber) -> Option<(Decimal, Decimal)> {
    let known = state
        .storage()
        .known_gift_card(card.clone())
        .await
        .ok()
        .flatten()
        .filter(|k| k.active)?;
    let spent = unsynced_spent(state, card).await;
    let allowance = state
        .store
        .with_untracked(|s| s.gift_card_offline_allowance());
    let balance = known.balance - spent;
    Some((balance, allowance.available(balance, spent)))
}

/// Remembers what the server said of a card, for the next offline allowance.
async fn remember(state: AppState, answer: &api::CardState) {
    if let Some(known) = answer.known(js_sys::Date::now() as i64) {
        let _ = state.storage().remember_gift_card(known).await;
    }
}

/// "Check balance": asks the server; offline, shows what this device last heard and may take.
pub fn check_balance(state: AppState, number: String) {
    let Some((card, token)) = state.card_and_token(&number) else {
        return;
    };
    state.gift_cards.busy.set(true);
    state.gift_cards.checked.set(None);
    spawn_local(async move {
        let answer = api::card(&token, &card).await;
        state.gift_cards.busy.set(false);
        match answer {
            Ok(answer) if !answer.active => {
                remember(state, &answer).await;
                refused(state, &GiftCardRefusal::CardInactive);
            }
            Ok(answer) => {
                remember(state, &answer).await;
                state.notice.set(None);
                state.gift_cards.checked.set(Some(CardCheck::Online {
                    balance: answer.balance,
                }));
            }
            Err(GiftCardRefusal::Offline) => match offline_allowance(state, &card).await {
                Some((balance, allowance)) => {
                    state.notice.set(None);
                    state
                        .gift_cards
                        .checked
                        .set(Some(CardCheck::Offline { balance, allowance }));
                }
                None => state.error(Msg::GiftCardNeverSeen),
            },
            Err(refusal) => refused(state, &refusal),
        }
    });
}

/// Shows why the server refused, with the balance where that is why.
pub(super) fn refused(state: AppState, refusal: &GiftCardRefusal) {
    let args = match refusal {
        GiftCardRefusal::InsufficientBalance { balance }
        | GiftCardRefusal::BalanceChanged { balance } => {
            let currency = state.store.with_untracked(|s| s.rules.currency);
            let balance = i18n::money(*balance, currency, state.lang.get_untracked());
            vec![("balance", balance)]
        }
        _ => Vec::new(),
    };
    match refusal {
        GiftCardRefusal::Other { message, .. } => state
            .notice
            .set(Some(Notice::Fault(refusal.msg(), message.clone()))),
        _ => state.notice.set(Some(Notice::Error(refusal.msg(), args))),
    }
}

/// "Take from the card": redeems `amount` of the open payment from the card. The operation is
/// kept in the pending payment before it is sent; the server's 201 adds the tender. Offline, it
/// is taken within the allowance and goes to the server later.
pub fn redeem(state: AppState, number: String, amount: Decimal) {
    start_redemption(state, number, amount, None);
}

/// A forced redemption (someone with `ForceGiftCardOps`, `by` when they approved at another's
/// till): past the server's refusal or the offline allowance, with the authorisation code and the
/// reason typed. It goes the way of a redemption (kept in the payment, then sent); unreached, it
/// is taken at once and waits in the outbox, with no allowance, as it was authorised apart.
pub fn force_redeem(
    state: AppState,
    number: String,
    amount: Decimal,
    authorisation: Authorisation,
    by: Option<Uuid>,
) {
    start_redemption(state, number, amount, Some((authorisation, by)));
}

/// The cashier's words for an operation core refuses before anything is sent.
pub(super) fn op_error_msg(error: &GiftCardOpError) -> Msg {
    match error {
        GiftCardOpError::MissingAuthorisationCode => Msg::GiftCardNeedsCode,
        GiftCardOpError::MissingReason => Msg::GiftCardNeedsReason,
        GiftCardOpError::NonPositiveAmount
        | GiftCardOpError::NegativeAmount
        | GiftCardOpError::AmountOnStatusChange
        | GiftCardOpError::FinerThanCurrency { .. }
        | GiftCardOpError::TooLarge => Msg::GiftCardValue,
    }
}

/// The device this register is in its store, for the operations it makes.
pub(super) fn device_id(state: AppState) -> Uuid {
    state
        .membership
        .with_untracked(|m| m.as_ref().map_or(Uuid::nil(), |m| m.device_id))
}

fn start_redemption(
    state: AppState,
    number: String,
    amount: Decimal,
    forced: Option<(Authorisation, Option<Uuid>)>,
) {
    if state.gift_cards.busy.get_untracked() || state.saving.get_untracked() {
        return;
    }
    let Some(pending) = state.payment.get_untracked() else {
        return;
    };
    if pending.gift_card_in_flight.is_some() {
        return resend(state);
    }
    let card = match GiftCardNumber::parse(&number) {
        Ok(card) => card,
        Err(e) => return state.error(number_msg(&e)),
    };
    if state.token().is_none() {
        return state.error(Msg::GiftCardNeedsStore);
    }
    // Core's rules before anything is sent: what the server confirms is then always recorded.
    if let Err(e) = pending.payment.check_gift_card(amount) {
        return state.tender_error(e);
    }
    // A forced one names who authorised it: the manager who gave their PIN, or the member at
    // the till who may.
    let (kind, staff) = match forced {
        Some((authorisation, by)) => (
            GiftCardOpKind::ForcedRedeem(authorisation),
            by.unwrap_or_else(|| state.staff_id()),
        ),
        None => (GiftCardOpKind::Redeem, state.staff_id()),
    };
    let op = state.gift_card_op(card, kind, amount, staff);
    let currency = state.store.with_untracked(|s| s.rules.currency);
    if let Err(e) = op.check(currency) {
        return state.error(op_error_msg(&e));
    }
    state.payment.update(|p| {
        if let Some(p) = p {
            p.gift_card_in_flight = Some(op);
        }
    });
    state.gift_cards.busy.set(true);
    state.notice.set(None);
    spawn_local(async move {
        // Durable (strict) before the server hears of it: a reload from here on sends the same
        // operation again, never a second one.
        if let Err(e) = state.save_open_ticket_now().await {
            out_of_flight(state);
            state.gift_cards.busy.set(false);
            return state.notice.set(Some(storage_notice(&e)));
        }
        send_in_flight(state).await;
    });
}

/// After a reload (or a lost answer) with a redemption kept in the payment: sends the same
/// operation again; the server answers it once.
pub fn resend(state: AppState) {
    if state.gift_cards.busy.get_untracked() {
        return;
    }
    state.gift_cards.busy.set(true);
    spawn_local(send_in_flight(state));
}

fn out_of_flight(state: AppState) {
    state.payment.update(|p| {
        if let Some(p) = p {
            p.gift_card_in_flight = None;
        }
    });
}

/// Sends the redemption kept in the payment and records what the server answers.
async fn send_in_flight(state: AppState) {
    let op = state
        .payment
        .with_untracked(|p| p.as_ref().and_then(|p| p.gift_card_in_flight.clone()));
    let (Some(op), Some(token)) = (op, state.token()) else {
        state.gift_cards.busy.set(false);
        return;
    };
    let answer = api::record_op(&token, &op).await;
    match answer {
        Ok(card) => {
            remember(state, &card).await;
            state.gift_cards.checked.set(Some(CardCheck::Online {
                balance: card.balance,
            }));
            take(state, op);
        }
        Err(GiftCardRefusal::Offline) => redeem_offline(state, op).await,
        Err(refusal) => {
            if let GiftCardRefusal::InsufficientBalance { balance } = &refusal {
                let known = KnownCard {
                    card: op.card.clone(),
                    balance: *balance,
                    active: true,
                    at_ms: js_sys::Date::now() as i64,
                };
                let _ = state.storage().remember_gift_card(known).await;
            }
            out_of_flight(state);
            refused(state, &refusal);
        }
    }
    state.gift_cards.busy.set(false);
}

/// The server could not be reached: within the offline allowance the redemption is taken as a
/// tender and goes in the outbox (`offline: true`, the same id: had the server recorded it
/// before the line went down, it counts it once and refuses the copy as a reused id).
async fn redeem_offline(state: AppState, op: GiftCardOp) {
    if op.kind != GiftCardOpKind::Redeem {
        // Forced: authorised apart, so no allowance applies.
        return keep_offline(state, op).await;
    }
    let Some((_, allowance)) = offline_allowance(state, &op.card).await else {
        out_of_flight(state);
        return state.error(Msg::GiftCardNeverSeen);
    };
    if op.amount > allowance {
        out_of_flight(state);
        let currency = state.store.with_untracked(|s| s.rules.currency);
        let allowance = i18n::money(allowance, currency, state.lang.get_untracked());
        return state.notice.set(Some(Notice::Error(
            Msg::GiftCardOverAllowance,
            vec![("allowance", allowance)],
        )));
    }
    keep_offline(state, op).await;
}

/// Puts a redemption made offline in the outbox (`offline: true`) and takes it as a tender.
async fn keep_offline(state: AppState, mut op: GiftCardOp) {
    op.offline = true;
    if let Err(e) = state.storage().record_gift_card_ops(vec![op.clone()]).await {
        out_of_flight(state);
        return state.notice.set(Some(storage_notice(&e)));
    }
    state.gift_cards.checked.set(None);
    take(state, op);
    flush_soon(state);
}

/// Adds the confirmed (or offline) redemption as the payment's tender and takes it out of
/// flight, in one update the open ticket's effect saves.
fn take(state: AppState, op: GiftCardOp) {
    state.take_tender(|p| {
        p.gift_card_in_flight = None;
        p.payment
            .add_gift_card(op.card.clone(), op.amount, op.id, op.offline)
    });
}

/// Takes back the cards a refund of the sale that sold them returns (core's
/// `Refund::gift_cards_taken_back`), before any money goes back. Online only: offline the
/// register cannot know whether a card was spent elsewhere. The outbox goes first (the sale's
/// own activations may still wait in it); then every card is asked, and all must be active and
/// still hold the value they were sold with (or already carry this very operation, from an
/// earlier try), before any is taken: so a block with one card spent takes none. The server
/// checks each again as it records it, atomically, as it checks a redemption.
pub(super) async fn take_back(state: AppState, ops: Vec<GiftCardOp>) -> Result<(), Notice> {
    let Some(token) = state.token() else {
        return Err(Notice::Error(Msg::GiftCardNeedsStore, Vec::new()));
    };
    flush(state).await;
    let currency = state.store.with_untracked(|s| s.rules.currency);
    let lang = state.lang.get_untracked();
    let spent = |op: &GiftCardOp, balance: Decimal| {
        Notice::Error(
            Msg::GiftCardSaleSpent,
            vec![
                ("card", masked(&op.card)),
                ("balance", i18n::money(balance, currency, lang)),
                ("value", i18n::money(op.amount, currency, lang)),
            ],
        )
    };
    let stopped =
        |op: &GiftCardOp| Notice::Error(Msg::GiftCardSaleStopped, vec![("card", masked(&op.card))]);
    let refusal = |op: &GiftCardOp, refusal: GiftCardRefusal| match refusal {
        GiftCardRefusal::Offline => Notice::Error(Msg::GiftCardRefundNeedsServer, Vec::new()),
        GiftCardRefusal::InsufficientBalance { balance } => spent(op, balance),
        GiftCardRefusal::CardInactive => stopped(op),
        GiftCardRefusal::UnknownCard => {
            Notice::Error(Msg::GiftCardSaleNotSent, vec![("card", masked(&op.card))])
        }
        GiftCardRefusal::Other { message, .. } => Notice::Fault(Msg::ServerRefused, message),
        other => Notice::Error(other.msg(), Vec::new()),
    };
    let mut to_send = Vec::new();
    for op in &ops {
        let card = crate::sync::gift_card_desk::history(&token, &op.card)
            .await
            .map_err(|e| refusal(op, e))?;
        if card.history.iter().any(|h| h.op_id == op.id) {
            continue;
        }
        if !card.card.active {
            return Err(stopped(op));
        }
        if card.card.balance < op.amount {
            return Err(spent(op, card.card.balance));
        }
        to_send.push(op);
    }
    for op in to_send {
        let answer = api::record_op(&token, op)
            .await
            .map_err(|e| refusal(op, e))?;
        remember(state, &answer).await;
    }
    Ok(())
}

thread_local! {
    /// The outbox is being sent: a second flush waits for the next turn.
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
    /// The loop that sends the outbox runs (one per page).
    static STARTED: Cell<bool> = const { Cell::new(false) };
}

/// Sends what waits in the gift card outbox, oldest first, until the server is not reached.
/// An answered operation leaves the outbox (recorded, or refused for good: a refusal is final
/// for that operation, and one the server already had comes back recorded or as a reused id).
pub async fn flush(state: AppState) -> bool {
    let storage = state.storage();
    send_outbox(
        state,
        &FLUSHING,
        async || storage.gift_card_outbox().await.unwrap_or_default(),
        async |token: &str, op: &GiftCardOp| api::record_op(token, op).await,
        async |op: &GiftCardOp, card: Option<api::CardState>| {
            let known = card.and_then(|c| c.known(js_sys::Date::now() as i64));
            let _ = storage.gift_card_answered(op.id, known).await;
        },
        |op: &GiftCardOp, refusal| {
            let detail = format!("{} {}: {refusal:?}", masked(&op.card), op.id);
            (Msg::GiftCardOpRefused, detail)
        },
    )
    .await
}

/// Sends an outbox (gift cards', points': `outbox` reads it) oldest first with the device's
/// token, until the server is not reached: then `false`, and the rest waits. One flush at a time
/// (`flushing`). An answered operation leaves the outbox through `answered` (with the server's
/// word, or `None`): recorded, sent before and recorded then (a reused id: counted once, nothing
/// to say), or refused for good. Money changed hands for a refused one (a card sold, points
/// spent offline), so a manager hears of it, the server's words under "Details" (`described`).
pub(super) async fn send_outbox<Op, Answer>(
    state: AppState,
    flushing: &'static std::thread::LocalKey<Cell<bool>>,
    outbox: impl AsyncFn() -> Vec<Op>,
    send: impl AsyncFn(&str, &Op) -> Result<Answer, GiftCardRefusal>,
    answered: impl AsyncFn(&Op, Option<Answer>),
    described: impl Fn(&Op, &GiftCardRefusal) -> (Msg, String),
) -> bool {
    let Some(token) = state.token() else {
        return true;
    };
    if flushing.with(|f| f.replace(true)) {
        return false;
    }
    let mut all_sent = true;
    for op in outbox().await {
        match send(&token, &op).await {
            Ok(answer) => answered(&op, Some(answer)).await,
            Err(refusal) if refusal.worth_retrying() => {
                all_sent = false;
                break;
            }
            Err(GiftCardRefusal::OpIdReused) => answered(&op, None).await,
            Err(refusal) => {
                let (msg, detail) = described(&op, &refusal);
                state.notice.set(Some(Notice::Fault(msg, detail)));
                answered(&op, None).await;
            }
        }
    }
    flushing.with(|f| f.set(false));
    all_sent
}

/// Sends the outbox now (after a sale or an offline redemption), without waiting for the loop.
pub fn flush_soon(state: AppState) {
    spawn_local(async move {
        flush(state).await;
    });
}

/// Keeps sending the gift card outbox for as long as the page is open: every few seconds while
/// something waits in it. A redemption kept in the payment at start is sent again first.
pub fn start(state: AppState) {
    if state
        .payment
        .with_untracked(|p| p.as_ref().is_some_and(|p| p.gift_card_in_flight.is_some()))
    {
        resend(state);
    }
    super::loyalty::resend(state);
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    spawn_local(async move {
        loop {
            flush(state).await;
            // The points outbox is sent by the same loop: the same server, the same rhythm.
            super::loyalty::flush(state).await;
            // And the customers' keys: a customer made on another device opens here.
            super::customers::sync_customer_keys(state).await;
            crate::browser::sleep(RETRY_MS).await;
        }
    });
}
