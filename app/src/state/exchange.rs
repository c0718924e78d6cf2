//! Goods brought back other than by a plain refund: exchanged for other goods on the open ticket
//! (the refund is kept with the new sale, in one transaction), or returned with no receipt (rung
//! up on the ticket and paid back in cash, or as store credit on a new gift card). Both end in
//! `refund.rs`'s machinery: a card part of an exchange goes back through the first sale's refund
//! dialog.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::gift_card::GiftCardNumber;
use pos_core::staff::Permission;
use pos_core::{Payment, Refund, Sale, Uuid};

use super::refund::{
    Returned, proceed, refunded_here, return_error_msg, unless_refunded_elsewhere,
};
use crate::i18n::Msg;
use crate::state::{AppState, Notice, storage_notice};
use crate::storage::{CardRefundMethod, Exchange, RefundRecord};
use crate::sync;
use crate::sync::gift_cards::{self as api, GiftCardRefusal};
use crate::terminal::Progress;

/// The cashier chose `returned` of `sale` to exchange for other goods: the register takes their
/// value as credit towards the open ticket. Nothing is recorded until that ticket is paid; the
/// refund is kept with it, in one transaction.
pub fn start_exchange(state: AppState, sale: Sale, reason: String, returned: Returned) {
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return state.error(Msg::RefundNeedsReason);
    }
    if state
        .refunds
        .with_untracked(|r| r.unfinished(sale.id()).is_some())
    {
        return state.error(Msg::ExchangeRefundUnfinished);
    }
    if state.payment.with_untracked(Option::is_some) {
        return state.error(Msg::ExchangeDuringPayment);
    }
    unless_refunded_elsewhere(state, sale.clone(), move || {
        let earlier = state.refunds.with_untracked(|r| r.completed(&sale));
        let at_ms = js_sys::Date::now() as i64;
        let made = Refund::of_lines(
            &sale,
            &earlier,
            &returned.quantities,
            Uuid::now_v7(),
            at_ms,
            &reason,
        );
        match made {
            // A card sold is taken back only by a refund, which checks it was not spent first.
            Ok(refund)
                if refund
                    .gift_cards_taken_back(&sale, Uuid::nil(), Uuid::nil(), at_ms)
                    .is_ok_and(|cards| cards.is_empty()) =>
            {
                state.exchange.set(Some(Exchange {
                    refund: refund.written_off(&returned.damaged),
                    sale,
                    card_method: None,
                }));
                state.refunding.set(None);
                state.viewed_sale.set(None);
                state.screen.set(crate::state::Screen::Register);
                state.notice.set(Some(Notice::Info(Msg::ExchangeAddGoods)));
            }
            Ok(_) => state.error(Msg::GiftCardNoExchange),
            Err(e) => state.error(return_error_msg(&e)),
        }
    });
}

/// The exchange's ticket was kept with its refund (`record`, as `Exchange::record` made it):
/// hands back the cash part, or sends the card part to the terminal as any refund does.
pub fn exchange_kept(state: AppState, sale: Sale, record: RefundRecord) {
    state.refunds.update(|r| r.keep(record.clone()));
    if !record.is_completed() {
        // The card part goes back in the sale's refund dialog, which shows the terminal's
        // progress, or asks the cashier to confirm the bank's terminal paid it.
        // The new sale's completion gives way to it (its receipt printed already, if set up).
        state.new_sale();
        state.screen.set(crate::state::Screen::Sales);
        state.refunding.set(Some(sale.clone()));
        if record.card_method != Some(CardRefundMethod::Standalone) {
            state.refund_progress.set(Some(Progress::Sending));
        }
        return spawn_local(proceed(state, sale, record));
    }
    refunded_here(state, &sale, &record);
    if !record.cash.is_zero() {
        let lang = state.lang.get_untracked();
        let amount = crate::i18n::money(record.cash, sale.rules().currency, lang);
        state.notice.set(Some(Notice::Done(
            Msg::ExchangeHandBackCash,
            vec![("cash", amount)],
        )));
    }
}

/// Goods brought back with no receipt, rung up on the open ticket: once someone allowed to
/// agrees, their value at today's prices goes back, the goods go back into stock, and the
/// ticket is emptied; a customer on the ticket gives back the points the goods' money would have
/// earned. `credit` says how it goes back: `None`, in cash from the drawer (someone
/// who may hand back cash); `Some(number)`, as store credit on a new gift card, the number
/// scanned from a blank card or typed (empty: a new number), issued for the refund's amount
/// through the gift card outbox in the refund's own transaction; the drawer is not touched.
pub fn return_without_receipt(state: AppState, reason: String, credit: Option<String>) {
    let reason = reason.trim().to_string();
    if reason.is_empty() {
        return state.error(Msg::RefundNeedsReason);
    }
    if state.ticket.with_untracked(pos_core::Ticket::is_empty) {
        return state.error(Msg::ReturnNoReceiptEmpty);
    }
    if state.payment.with_untracked(Option::is_some) {
        return state.error(Msg::ExchangeDuringPayment);
    }
    let Some(number) = credit else {
        return give_back(state, reason, None);
    };
    if state.membership.with_untracked(Option::is_none) {
        return state.error(Msg::GiftCardNeedsStore);
    }
    let card = match number.trim() {
        "" => super::gift_cards::generated_number(),
        typed => match GiftCardNumber::parse(typed) {
            Ok(card) => card,
            Err(_) => return state.error(Msg::GiftCardBadNumber),
        },
    };
    let Some(token) = state.token() else {
        return state.error(Msg::GiftCardNeedsStore);
    };
    // A blank card only: online, the server says whether the number is issued already. Offline
    // the register cannot know; the server then refuses the issue and a manager hears of it.
    spawn_local(async move {
        match api::card(&token, &card).await {
            Err(GiftCardRefusal::UnknownCard | GiftCardRefusal::Offline) => {
                give_back(state, reason, Some(card))
            }
            Ok(_) => state.error(Msg::StoreCreditCardIssued),
            Err(refusal) => super::gift_cards::refused(state, &refusal),
        }
    });
}

/// The return without a receipt once its way back is known: in cash (`credit` `None`) or as
/// store credit on `credit`.
fn give_back(state: AppState, reason: String, credit: Option<GiftCardNumber>) {
    let permission = match credit {
        None => Permission::RefundToCash,
        Some(_) => Permission::Refund,
    };
    state.protected(permission, move |approved_by| {
        let ticket = state.ticket.get_untracked();
        let mut payment = Payment::new(ticket.totals().total, *ticket.rules());
        let at_ms = js_sys::Date::now() as i64;
        let number = pos_core::ReceiptNumber {
            device_code: state.device_code.get_untracked(),
            sequence: 0,
        };
        let tendered = match credit.clone() {
            None => payment.add_cash(payment.cash_due()),
            // The goods' value "paid" with the new card: the refund then goes back onto it.
            Some(card) => payment.add_gift_card(card, payment.remaining(), Uuid::now_v7(), false),
        };
        let goods = tendered
            .map_err(|e| crate::core_errors::tender_msg(&e))
            .and_then(|()| {
                ticket
                    .complete(&payment, Uuid::now_v7(), number, at_ms)
                    .map_err(|_| Msg::ReturnNoReceiptEmpty)
            });
        // With a customer on the ticket, the return takes back the points its money would have
        // earned (core's `LoyaltyRule::taken_back_without_receipt`), through the refund's points.
        let customer = state.customers.on_ticket.get_untracked();
        let rule = state.store.with_untracked(|s| s.loyalty.clone());
        let goods = match goods {
            Ok(goods) => goods.returned_without_receipt_by(customer, rule.as_ref()),
            Err(msg) => return state.error(msg),
        };
        let refund = Refund::full(&goods, Uuid::now_v7(), at_ms, &reason);
        let record = RefundRecord {
            goods: Some(goods.clone()),
            ..RefundRecord::started(&goods, refund, None)
        };
        let store = state
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.store_id));
        spawn_local(async move {
            let result = state.storage().commit_refund(record, store).await;
            if store.is_some() && result.is_ok() {
                sync::announce_outbox();
            }
            match result {
                Ok(done) => {
                    state.refunds.update(|r| r.keep(done.clone()));
                    state.staff.refund_approved_by.set(approved_by);
                    refunded_here(state, &goods, &done);
                    state.edit_ticket(|t| {
                        t.clear();
                        Ok(())
                    });
                    state.customers.on_ticket.set(None);
                    super::loyalty::flush_soon(state);
                    let lang = state.lang.get_untracked();
                    let money = |amount| crate::i18n::money(amount, goods.rules().currency, lang);
                    let done_msg = match &credit {
                        None => {
                            Notice::Done(Msg::ReturnNoReceiptDone, vec![("cash", money(done.cash))])
                        }
                        Some(card) => {
                            super::gift_cards::flush_soon(state);
                            Notice::Done(
                                Msg::StoreCreditDone,
                                vec![("amount", money(done.gift_card)), ("card", card.grouped())],
                            )
                        }
                    };
                    state.notice.set(Some(done_msg));
                }
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    });
}
