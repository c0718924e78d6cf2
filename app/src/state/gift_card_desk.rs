//! The gift card desk (issue 14): a manager looks a card up (its balance, whether it is active,
//! and its history from every register, as the server's ledger holds it), deactivates or
//! reactivates it, and reads what the store owes on its cards and the overdrafts registers made
//! offline. Everything here asks the server: the ledger is the store's, and a register offline
//! knows only the balances it last heard (`gift_cards.rs`, which also sells and spends cards).

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::gift_card::{GiftCardNumber, GiftCardOp, GiftCardOpKind};
use pos_core::staff::Permission;
use pos_core::{Decimal, Uuid};

use super::AppState;
use super::gift_cards::refused;
use crate::i18n::Msg;
use crate::sync::gift_card_desk::{self as ledger, CardHistory, Conflict, Liability};
use crate::sync::gift_cards::{self as api, GiftCardRefusal};

#[derive(Clone, Copy)]
pub struct GiftCardDesk {
    /// The card looked up last, as the server holds it.
    pub card: RwSignal<Option<CardHistory>>,
    /// What the store owes on its cards, and the overdrafts made offline, once asked.
    pub ledger: RwSignal<Option<(Liability, Vec<Conflict>)>>,
    /// The server is being asked: the buttons wait.
    pub busy: RwSignal<bool>,
}

impl GiftCardDesk {
    pub fn new() -> GiftCardDesk {
        GiftCardDesk {
            card: RwSignal::new(None),
            ledger: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }
}

impl Default for GiftCardDesk {
    fn default() -> Self {
        GiftCardDesk::new()
    }
}

impl AppState {
    /// "Look up": the card's balance, state and history from the server.
    pub fn look_up_gift_card(&self, number: String) {
        let card = match GiftCardNumber::parse(&number) {
            Ok(card) => card,
            Err(_) => return self.error(Msg::GiftCardBadNumber),
        };
        let Some(token) = self.token() else {
            return self.error(Msg::GiftCardNeedsStore);
        };
        let state = *self;
        state.gift_card_desk.busy.set(true);
        state.gift_card_desk.card.set(None);
        spawn_local(async move {
            let answer = ledger::history(&token, &card).await;
            state.gift_card_desk.busy.set(false);
            match answer {
                Ok(history) => {
                    state.notice.set(None);
                    state.gift_card_desk.card.set(Some(history));
                }
                Err(refusal) => desk_refused(state, &refusal),
            }
        });
    }

    /// Deactivates (or reactivates) the card on screen, by someone allowed to: a lost or stolen
    /// card can then be spent nowhere, online. Online only, so that no register spends it after.
    pub fn set_gift_card_active(&self, active: bool) {
        let Some(shown) = self.gift_card_desk.card.get_untracked() else {
            return;
        };
        let Ok(card) = GiftCardNumber::parse(&shown.card.card) else {
            return;
        };
        let state = *self;
        self.protected(Permission::ManageGiftCards, move |_| {
            let Some(token) = state.token() else {
                return state.error(Msg::GiftCardNeedsStore);
            };
            let op = GiftCardOp {
                id: Uuid::now_v7(),
                card: card.clone(),
                kind: if active {
                    GiftCardOpKind::Reactivate
                } else {
                    GiftCardOpKind::Deactivate
                },
                amount: Decimal::ZERO,
                staff: state.staff_id(),
                device: state
                    .membership
                    .with_untracked(|m| m.as_ref().map_or(Uuid::nil(), |m| m.device_id)),
                at_ms: js_sys::Date::now() as i64,
                offline: false,
            };
            state.gift_card_desk.busy.set(true);
            spawn_local(async move {
                let sent = api::record_op(&token, &op).await;
                state.gift_card_desk.busy.set(false);
                match sent {
                    Ok(_) => state.look_up_gift_card(card.digits().to_string()),
                    Err(refusal) => desk_refused(state, &refusal),
                }
            });
        });
    }

    /// What the store owes on its cards and the overdrafts to settle, for someone allowed to
    /// see them.
    pub fn load_gift_card_ledger(&self) {
        let state = *self;
        self.protected(Permission::ManageGiftCards, move |_| {
            let Some(token) = state.token() else {
                return state.error(Msg::GiftCardNeedsStore);
            };
            state.gift_card_desk.busy.set(true);
            spawn_local(async move {
                let answer = match ledger::liability(&token).await {
                    Ok(owed) => ledger::conflicts(&token).await.map(|c| (owed, c)),
                    Err(refusal) => Err(refusal),
                };
                state.gift_card_desk.busy.set(false);
                match answer {
                    Ok(found) => {
                        state.notice.set(None);
                        state.gift_card_desk.ledger.set(Some(found));
                    }
                    Err(refusal) => desk_refused(state, &refusal),
                }
            });
        });
    }
}

/// The desk's words for a refusal: offline, that it needs the server (nothing here can be done
/// from what the register last heard); otherwise as the till says it.
fn desk_refused(state: AppState, refusal: &GiftCardRefusal) {
    match refusal {
        GiftCardRefusal::Offline => state.error(Msg::DeskNeedsServer),
        _ => refused(state, refusal),
    }
}
