//! Taking payment: cash with change and cash rounding, card from a standalone terminal, or a split
//! of several tenders. Only cash gives change. A card the cashier records never takes more than
//! what is left to pay; a card an integrated terminal approved for more than it was asked (a tip
//! keyed on the terminal) is recorded as approved, its excess kept and never given as change.
//! The store's own gift card is a tender too: partial, split with others, never more than what is
//! left to pay and never giving change, recorded with the redemption operation that took it off
//! the card (confirmed by the server first, or offline under the store's allowance).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::gift_card::GiftCardNumber;
use crate::sale::Cashier;
use crate::store::PricingRules;
use crate::tip::Tip;

/// What the cashier recorded for a card payment taken on a standalone terminal. We never see or
/// keep the card number: at most its last four digits, as printed on the terminal's slip.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardApproval {
    pub auth_code: Option<String>,
    pub last_four: Option<String>,
    /// The terminal's id, when an integrated terminal reported it (reconciling with the bank).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terminal_id: Option<String>,
    /// The terminal's trace or receipt number of the payment, when reported: a reversal needs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace_no: Option<String>,
    /// The terminal's receipt number of the payment (ZVT BMP 87), when reported: a reversal
    /// (`06 30`) names the payment it undoes by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt_no: Option<u16>,
    /// Reported by a terminal the register drives (ZVT, the training simulator), not typed by
    /// the cashier: the register charged the card itself, so only the terminal can undo it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_terminal: bool,
    /// The card's name as the terminal reported it ("MasterCard", "VISA", "girocard"): the
    /// reconciliation with the terminal's end-of-day totals groups cards by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_name: Option<String>,
}

impl CardApproval {
    /// Checks what the cashier typed: an auth code of 1-12 letters or digits, last four exactly
    /// four digits. Empty fields become `None`.
    pub fn new(auth_code: &str, last_four: &str) -> Result<CardApproval, TenderError> {
        let auth_code = auth_code.trim();
        let last_four = last_four.trim();
        if !auth_code.is_empty()
            && (auth_code.len() > 12 || !auth_code.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(TenderError::InvalidAuthCode);
        }
        if !last_four.is_empty()
            && (last_four.len() != 4 || !last_four.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(TenderError::InvalidLastFour);
        }
        Ok(CardApproval {
            auth_code: (!auth_code.is_empty()).then(|| auth_code.to_ascii_uppercase()),
            last_four: (!last_four.is_empty()).then(|| last_four.to_string()),
            terminal_id: None,
            trace_no: None,
            receipt_no: None,
            from_terminal: false,
            card_name: None,
        })
    }

    /// Adds what an integrated terminal reported about the payment, and marks the approval as
    /// the terminal's own.
    pub fn with_terminal(
        mut self,
        terminal_id: Option<String>,
        trace_no: Option<String>,
    ) -> CardApproval {
        self.terminal_id = terminal_id;
        self.trace_no = trace_no;
        self.from_terminal = true;
        self
    }

    /// Whether an integrated terminal approved it (the register charged the card), as opposed to
    /// a standalone terminal's approval the cashier typed in. An approval kept before
    /// `from_terminal` existed is known by what only a terminal reports: its id, trace or
    /// receipt number (the cashier's form has no field for them).
    pub fn is_from_terminal(&self) -> bool {
        self.from_terminal
            || self.terminal_id.is_some()
            || self.trace_no.is_some()
            || self.receipt_no.is_some()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tender {
    /// Cash handed over by the customer; any excess over what was due is given back as change.
    Cash { tendered: Decimal },
    /// A card payment approved for `amount`: what the card was charged.
    Card {
        amount: Decimal,
        approval: CardApproval,
        /// What the terminal approved over what it was asked (a tip keyed on the terminal). It
        /// is part of `amount` but pays nothing of the ticket, and no change is given for it:
        /// the customer chose to pay it by card, and the store keeps it.
        #[serde(default, skip_serializing_if = "Decimal::is_zero")]
        excess: Decimal,
    },
    /// Goods brought back from an earlier sale in the same visit (an exchange): what `refund`
    /// pays back for them pays this ticket instead of going back to the customer. No money
    /// changes hands for it, so it is neither cash nor card in the day's money.
    Exchange { refund: uuid::Uuid, amount: Decimal },
    /// The store's own gift card, redeemed for `amount` by the operation `op` (its id fixed
    /// before it was sent, so a resend is counted once). `offline`: redeemed under the store's
    /// offline allowance, not confirmed by the server first.
    GiftCard {
        card: GiftCardNumber,
        amount: Decimal,
        op: uuid::Uuid,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        offline: bool,
    },
    /// The attached customer's loyalty points: `points` spent for `amount` by the operation `op`
    /// (its id fixed before it was sent, so a resend is counted once), checked by the server or
    /// `offline` within the store's allowance. Like a gift card, no new money: neither cash nor
    /// card in the day's money.
    Points {
        customer: uuid::Uuid,
        points: Decimal,
        amount: Decimal,
        op: uuid::Uuid,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        offline: bool,
    },
}

impl Tender {
    /// What this tender pays of the ticket (before change): a card's excess pays nothing of it.
    fn towards_ticket(&self) -> Decimal {
        match self {
            Tender::Cash { tendered } => *tendered,
            Tender::Card { amount, excess, .. } => *amount - *excess,
            Tender::Exchange { amount, .. }
            | Tender::GiftCard { amount, .. }
            | Tender::Points { amount, .. } => *amount,
        }
    }

    /// Whether this is a card an integrated terminal approved: only a reversal on the terminal
    /// takes it back.
    pub fn is_terminal_card(&self) -> bool {
        matches!(self, Tender::Card { approval, .. } if approval.is_from_terminal())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TenderError {
    /// Zero or negative where a positive amount is needed.
    #[error("the amount must be more than zero")]
    NonPositiveAmount,
    /// A card cannot be charged more than what is left to pay.
    #[error("a card cannot be charged more than what is left to pay")]
    CardExceedsRemaining,
    /// The ticket is already paid in full.
    #[error("the ticket is already paid")]
    AlreadyPaid,
    #[error("the auth code is 1-12 letters or digits")]
    InvalidAuthCode,
    #[error("the last four are exactly four digits")]
    InvalidLastFour,
    /// There is no tender to undo.
    #[error("there is no tender to undo")]
    NothingToUndo,
    /// The card was charged by an integrated terminal: removing it here would leave the money
    /// taken and unrecorded. Only the terminal's approval of a reversal takes it back.
    #[error("the terminal charged this card: it must be reversed on the terminal")]
    ApprovedOnTerminal,
    /// Money was taken (a tender is recorded): the payment cannot be given up.
    #[error("money has been taken: undo the tenders first")]
    TendersTaken,
    /// No card tender of the terminal with this receipt number to take back.
    #[error("no card of the terminal with that receipt number")]
    NoSuchTerminalCard,
    /// An amount finer than the currency's minor unit (a cent), which no terminal can charge.
    #[error("the amount is finer than the currency's minor unit")]
    FinerThanMinorUnit,
    /// The cash handed over does not cover what is due and the tip on top.
    #[error("the cash does not cover what is due and the tip")]
    TipExceedsCash,
    /// A gift card cannot be redeemed for more than what is left to pay: it gives no change.
    #[error("a gift card cannot pay more than what is left to pay")]
    GiftCardExceedsRemaining,
    /// The gift card's redemption is recorded on the card: taking the tender back here would
    /// leave the value taken off the card with no sale. It is put back onto the card instead
    /// ([`Payment::put_back_gift_card`]).
    #[error("the gift card was charged: put the amount back onto the card")]
    GiftCardRedeemed,
    /// Points cannot pay more than what is left to pay: they give no change.
    #[error("points cannot pay more than what is left to pay")]
    PointsExceedRemaining,
    /// The points were spent: taking the tender back here would leave them spent with no sale.
    /// They are given back to the customer instead ([`Payment::give_back_points`]).
    #[error("the points were spent: give them back to the customer")]
    PointsRedeemed,
}

/// The tenders taken for one total, in the order they were taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    due: Decimal,
    rules: PricingRules,
    tenders: Vec<Tender>,
    /// Set when a cash tender settled the payment: the change given and the cash rounding applied.
    settlement: Option<Settlement>,
    /// Tips taken with the tenders. A payment kept before tips existed reads with none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tips: Vec<Tip>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Settlement {
    change: Decimal,
    cash_rounding: Decimal,
}

impl Payment {
    pub fn new(due: Decimal, rules: PricingRules) -> Payment {
        let settlement = due.is_zero().then_some(Settlement {
            change: Decimal::ZERO,
            cash_rounding: Decimal::ZERO,
        });
        Payment {
            due,
            rules,
            tenders: Vec::new(),
            settlement,
            tips: Vec::new(),
        }
    }

    /// The ticket total this payment is for.
    pub fn due(&self) -> Decimal {
        self.due
    }

    pub fn tenders(&self) -> &[Tender] {
        &self.tenders
    }

    /// The tips taken with the tenders (see [`Tip`]).
    pub fn tips(&self) -> &[Tip] {
        &self.tips
    }

    /// Money applied towards the total so far (cash counted only up to what was due).
    fn applied(&self) -> Decimal {
        let mut left = self.due;
        for tender in &self.tenders {
            let applied = match tender {
                Tender::Cash { tendered } => (*tendered).min(left),
                Tender::Card { .. }
                | Tender::Exchange { .. }
                | Tender::GiftCard { .. }
                | Tender::Points { .. } => tender.towards_ticket(),
            };
            left -= applied;
        }
        self.due - left
    }

    /// What is still to pay by card (no cash rounding).
    pub fn remaining(&self) -> Decimal {
        if self.settlement.is_some() {
            Decimal::ZERO
        } else {
            self.due - self.applied()
        }
    }

    /// What is still to pay in cash: the remainder rounded to the store's cash increment, the
    /// way the store rounds ([`CashRounding`](crate::CashRounding)).
    pub fn cash_due(&self) -> Decimal {
        let mut due = self
            .rules
            .cash_rounding
            .due(self.remaining(), self.rules.cash_increment);
        due.rescale(self.rules.currency.minor_unit());
        due
    }

    pub fn is_paid(&self) -> bool {
        self.settlement.is_some()
    }

    pub fn change(&self) -> Decimal {
        self.settlement.map_or(Decimal::ZERO, |s| s.change)
    }

    /// The difference cash rounding made to what the customer paid (negative when rounded down).
    pub fn cash_rounding(&self) -> Decimal {
        self.settlement.map_or(Decimal::ZERO, |s| s.cash_rounding)
    }

    /// What card terminals approved over what they were asked (tips keyed on the terminal),
    /// in all: charged to the cards, kept by the store, never given back as change.
    pub fn card_excess(&self) -> Decimal {
        card_excess(&self.tenders)
    }

    /// Everything the customer handed over or was charged.
    pub fn tendered_total(&self) -> Decimal {
        self.tenders
            .iter()
            .map(|t| match t {
                Tender::Cash { tendered } => *tendered,
                Tender::Card { amount, .. }
                | Tender::Exchange { amount, .. }
                | Tender::GiftCard { amount, .. }
                | Tender::Points { amount, .. } => *amount,
            })
            .sum()
    }

    /// Applies the credit of goods brought back for an exchange (`refund` pays `credit` back
    /// for them): as much of it as the ticket costs, before any other tender. Returns what was
    /// applied; the rest of the credit is for the refund to pay back.
    pub fn add_exchange_credit(
        &mut self,
        refund: uuid::Uuid,
        credit: Decimal,
    ) -> Result<Decimal, TenderError> {
        if self.is_paid() && !self.due.is_zero() {
            return Err(TenderError::AlreadyPaid);
        }
        if !self.tenders.is_empty() {
            return Err(TenderError::TendersTaken);
        }
        let credit = self.rules.currency.round(credit);
        if credit <= Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        let remaining = self.remaining();
        let amount = credit.min(remaining);
        if amount.is_zero() {
            return Ok(amount);
        }
        self.tenders.push(Tender::Exchange { refund, amount });
        if amount == remaining {
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: Decimal::ZERO,
            });
        }
        Ok(amount)
    }

    /// The credit of goods brought back that pays this ticket (an exchange), if any.
    pub fn exchange_credit(&self) -> Decimal {
        exchange_credit(&self.tenders)
    }

    /// Takes cash. If it covers the cash due, the payment is settled and the excess is change.
    pub fn add_cash(&mut self, tendered: Decimal) -> Result<(), TenderError> {
        if self.is_paid() {
            return Err(TenderError::AlreadyPaid);
        }
        let tendered = self.rules.currency.round(tendered);
        let cash_due = self.cash_due();
        if tendered <= Decimal::ZERO && !cash_due.is_zero() {
            return Err(TenderError::NonPositiveAmount);
        }
        if tendered < Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        let currency = self.rules.currency;
        let remaining = self.remaining();
        if tendered >= cash_due {
            self.settlement = Some(Settlement {
                change: currency.round(tendered - cash_due),
                cash_rounding: currency.round(cash_due - remaining),
            });
        } else if tendered >= remaining {
            // The unrounded amount, or more but less than the rounded cash due (the cashier typed
            // what the ticket says): that pays it; what was given over the exact amount is the
            // cash rounding, never change, so no money is invented or lost.
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: currency.round(tendered - remaining),
            });
        }
        self.tenders.push(Tender::Cash { tendered });
        Ok(())
    }

    /// Records a card approval for `amount`, at most what is left to pay.
    pub fn add_card(&mut self, amount: Decimal, approval: CardApproval) -> Result<(), TenderError> {
        if self.is_paid() {
            return Err(TenderError::AlreadyPaid);
        }
        let amount = self.rules.currency.round(amount);
        if amount <= Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        let remaining = self.remaining();
        if amount > remaining {
            return Err(TenderError::CardExceedsRemaining);
        }
        self.tenders.push(Tender::Card {
            amount,
            approval,
            excess: Decimal::ZERO,
        });
        if amount == remaining {
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: Decimal::ZERO,
            });
        }
        Ok(())
    }

    /// Whether a gift card may be asked to pay `amount` now: above zero, in whole minor units and
    /// at most what is left to pay (a gift card gives no change). Asked before the redemption is
    /// sent to the server, so that what the server then confirms is always recorded.
    pub fn check_gift_card(&self, amount: Decimal) -> Result<(), TenderError> {
        if self.is_paid() {
            return Err(TenderError::AlreadyPaid);
        }
        if amount <= Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        if self.rules.currency.round(amount) != amount {
            return Err(TenderError::FinerThanMinorUnit);
        }
        if amount > self.remaining() {
            return Err(TenderError::GiftCardExceedsRemaining);
        }
        Ok(())
    }

    /// Records `amount` redeemed from `card` by the operation `op` (confirmed by the server, or
    /// `offline` under the store's allowance). Recording the same operation twice records it once.
    pub fn add_gift_card(
        &mut self,
        card: GiftCardNumber,
        amount: Decimal,
        op: uuid::Uuid,
        offline: bool,
    ) -> Result<(), TenderError> {
        if self.gift_card_tender(op).is_some() {
            return Ok(());
        }
        self.check_gift_card(amount)?;
        self.push_stored_value(Tender::GiftCard {
            card,
            amount,
            op,
            offline,
        });
        Ok(())
    }

    /// Adds a checked tender of the store's own stored value (a gift card, points), which gives
    /// no change: paying exactly what is left settles the payment.
    fn push_stored_value(&mut self, tender: Tender) {
        let settles = tender.towards_ticket() == self.remaining();
        self.tenders.push(tender);
        if settles {
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: Decimal::ZERO,
            });
        }
    }

    /// Where the stored value tender recorded by the operation `op` is, if it is.
    fn stored_value_tender(&self, op: uuid::Uuid) -> Option<usize> {
        self.tenders.iter().position(|t| match t {
            Tender::GiftCard { op: o, .. } | Tender::Points { op: o, .. } => *o == op,
            _ => false,
        })
    }

    /// Takes back the stored value tender at `at`, unsettling the payment.
    fn take_back_stored_value(&mut self, at: usize) -> Tender {
        let tender = self.tenders.remove(at);
        self.forget_tips_of(at);
        self.unsettle();
        tender
    }

    /// Where the gift card tender recorded by the operation `op` is, if it is.
    pub fn gift_card_tender(&self, op: uuid::Uuid) -> Option<usize> {
        self.stored_value_tender(op)
            .filter(|at| matches!(self.tenders[*at], Tender::GiftCard { .. }))
    }

    /// Takes back the gift card tender of the operation `op`: the caller puts its amount back
    /// onto the card (a `refund_to_card` operation), since the redemption stays on the card.
    pub fn put_back_gift_card(&mut self, op: uuid::Uuid) -> Result<Tender, TenderError> {
        let at = self
            .gift_card_tender(op)
            .ok_or(TenderError::NothingToUndo)?;
        Ok(self.take_back_stored_value(at))
    }

    /// Whether the customer's points may be asked to pay `amount` now: as a gift card, above
    /// zero, in whole minor units and at most what is left to pay (points give no change).
    pub fn check_points(&self, amount: Decimal) -> Result<(), TenderError> {
        self.check_gift_card(amount).map_err(|e| match e {
            TenderError::GiftCardExceedsRemaining => TenderError::PointsExceedRemaining,
            other => other,
        })
    }

    /// Records `points` of `customer` spent for `amount` by the operation `op` (confirmed by the
    /// server, or `offline` within the allowance). Recording the same operation twice records it
    /// once.
    pub fn add_points(
        &mut self,
        customer: uuid::Uuid,
        points: Decimal,
        amount: Decimal,
        op: uuid::Uuid,
        offline: bool,
    ) -> Result<(), TenderError> {
        if self.points_tender(op).is_some() {
            return Ok(());
        }
        self.check_points(amount)?;
        self.push_stored_value(Tender::Points {
            customer,
            points,
            amount,
            op,
            offline,
        });
        Ok(())
    }

    /// Where the points tender recorded by the operation `op` is, if it is.
    pub fn points_tender(&self, op: uuid::Uuid) -> Option<usize> {
        self.stored_value_tender(op)
            .filter(|at| matches!(self.tenders[*at], Tender::Points { .. }))
    }

    /// Takes back the points tender of the operation `op`: the caller gives its points back to
    /// the customer (a `give_back` operation), since the redemption stays in the ledger.
    pub fn give_back_points(&mut self, op: uuid::Uuid) -> Result<Tender, TenderError> {
        let at = self.points_tender(op).ok_or(TenderError::NothingToUndo)?;
        Ok(self.take_back_stored_value(at))
    }

    /// Records a card from a standalone terminal that paid `amount` of the ticket (at most what
    /// is left) and `tip` on top: the card was charged both, and the tip is the card's excess,
    /// so it pays nothing of the ticket, as a tip keyed on a terminal.
    pub fn add_card_with_tip(
        &mut self,
        amount: Decimal,
        tip: Decimal,
        approval: CardApproval,
        staff: Option<Cashier>,
    ) -> Result<(), TenderError> {
        let tip = self.checked_tip(tip)?;
        self.add_card(amount, approval)?;
        let at = self.tenders.len() - 1;
        if let Some(Tender::Card { amount, excess, .. }) = self.tenders.get_mut(at) {
            *amount += tip;
            *excess += tip;
        }
        self.push_tip(at, tip, staff);
        Ok(())
    }

    /// Takes cash that settles the payment with `tip` kept from the change. The tip is rounded
    /// down to the store's cash increment: the change handed back must be made of coins that
    /// exist, and a tip never grows past what the customer said.
    pub fn add_cash_with_tip(
        &mut self,
        tendered: Decimal,
        tip: Decimal,
        staff: Option<Cashier>,
    ) -> Result<(), TenderError> {
        let mut tip = self.checked_tip(tip)?;
        let increment = self.rules.cash_increment;
        if increment > Decimal::ZERO {
            tip = self
                .rules
                .currency
                .round((tip / increment).floor() * increment);
        }
        let currency = self.rules.currency;
        if self.is_paid() {
            return Err(TenderError::AlreadyPaid);
        }
        let tendered = currency.round(tendered);
        let cash_due = self.cash_due();
        if tendered < cash_due + tip {
            return Err(TenderError::TipExceedsCash);
        }
        let remaining = self.remaining();
        self.settlement = Some(Settlement {
            change: currency.round(tendered - cash_due - tip),
            cash_rounding: currency.round(cash_due - remaining),
        });
        self.tenders.push(Tender::Cash { tendered });
        self.push_tip(self.tenders.len() - 1, tip, staff);
        Ok(())
    }

    /// What the tips taken in cash come to: kept in the drawer, not given back as change.
    pub fn cash_tips(&self) -> Decimal {
        cash_tips(&self.tenders, &self.tips)
    }

    fn checked_tip(&self, tip: Decimal) -> Result<Decimal, TenderError> {
        if tip < Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        if self.rules.currency.round(tip) != tip {
            return Err(TenderError::FinerThanMinorUnit);
        }
        Ok(tip)
    }

    fn push_tip(&mut self, tender: usize, amount: Decimal, staff: Option<Cashier>) {
        if amount > Decimal::ZERO {
            self.tips.push(Tip {
                tender: tender as u32,
                amount,
                staff,
            });
        }
    }

    /// A tender was taken out at `at`: its tips go with it and the later tips follow their
    /// tenders down one place.
    fn forget_tips_of(&mut self, at: usize) {
        let at = at as u32;
        self.tips.retain(|t| t.tender != at);
        for tip in &mut self.tips {
            if tip.tender > at {
                tip.tender -= 1;
            }
        }
    }

    /// Whether an integrated terminal may be asked to charge `amount` now: above zero, at most
    /// what is left to pay, and in whole minor units. Asked before anything is sent, because
    /// what the terminal then approves is recorded as it came ([`Payment::add_terminal_card`]):
    /// nothing may be rounded after the customer's card was charged.
    pub fn check_terminal_card(&self, amount: Decimal) -> Result<(), TenderError> {
        if self.is_paid() {
            return Err(TenderError::AlreadyPaid);
        }
        if amount <= Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        if amount > self.remaining() {
            return Err(TenderError::CardExceedsRemaining);
        }
        if self.rules.currency.round(amount) != amount {
            return Err(TenderError::FinerThanMinorUnit);
        }
        Ok(())
    }

    /// Records what an integrated terminal approved when it was asked for `asked`. The card was
    /// charged before the register hears of it, so an approval is never refused for its amount:
    /// it is recorded as it came. What it pays of the ticket is at most what was asked and what
    /// was left to pay; the rest is the card's `excess` (a tip keyed on the terminal), kept by
    /// the store with no change given. An approval for less than was asked pays that much.
    /// Returns the excess. Refused only when there is nothing it could be for (the payment is
    /// settled) or it approved nothing: the app keeps the amount in flight then.
    pub fn add_terminal_card(
        &mut self,
        asked: Decimal,
        approved: Decimal,
        mut approval: CardApproval,
    ) -> Result<Decimal, TenderError> {
        if self.is_paid() {
            return Err(TenderError::AlreadyPaid);
        }
        let currency = self.rules.currency;
        let approved = currency.round(approved);
        if approved <= Decimal::ZERO {
            return Err(TenderError::NonPositiveAmount);
        }
        let remaining = self.remaining();
        let pays = approved
            .min(currency.round(asked).max(Decimal::ZERO))
            .min(remaining);
        let excess = approved - pays;
        approval.from_terminal = true;
        self.tenders.push(Tender::Card {
            amount: approved,
            approval,
            excess,
        });
        if pays == remaining {
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: Decimal::ZERO,
            });
        }
        Ok(excess)
    }

    /// Records what an integrated terminal approved when it was asked for `asked` of the ticket
    /// and `tip` on top, chosen on the register: the tip is the customer's choice, so it is
    /// recorded as a tip (as far as the approval covers it, for `staff` or the cashier), and
    /// only what the terminal approved past both is an unexplained excess, which is returned.
    pub fn add_terminal_card_with_tip(
        &mut self,
        asked: Decimal,
        tip: Decimal,
        approved: Decimal,
        approval: CardApproval,
        staff: Option<Cashier>,
    ) -> Result<Decimal, TenderError> {
        let excess = self.add_terminal_card(asked, approved, approval)?;
        let tip = tip.max(Decimal::ZERO).min(excess);
        self.push_tip(self.tenders.len() - 1, tip, staff);
        Ok(excess - tip)
    }

    /// What a card's excess holds beyond the tips chosen for it on the register: what the
    /// terminal approved over what it was asked, the flag the pay screen shows.
    pub fn unexplained_excess(&self, tender: usize) -> Decimal {
        let Some(Tender::Card { excess, .. }) = self.tenders.get(tender) else {
            return Decimal::ZERO;
        };
        let tipped: Decimal = self
            .tips
            .iter()
            .filter(|t| t.tender as usize == tender)
            .map(|t| t.amount)
            .sum();
        (*excess - tipped).max(Decimal::ZERO)
    }

    /// Takes back the last tender: cash, or a card the cashier recorded by mistake. A card an
    /// integrated terminal approved is refused (`ApprovedOnTerminal`): the register charged it,
    /// so removing it here would leave the money taken with no sale; it goes only through
    /// [`Payment::reversed_on_terminal`] once the terminal approved a reversal. A standalone
    /// terminal's approval, typed by the cashier, may be undone: the register charged nothing,
    /// and undoing corrects what was typed (a payment to void is voided on that terminal).
    pub fn undo_last(&mut self) -> Result<Tender, TenderError> {
        match self.tenders.last() {
            None | Some(Tender::Exchange { .. }) => return Err(TenderError::NothingToUndo),
            Some(t) if t.is_terminal_card() => return Err(TenderError::ApprovedOnTerminal),
            Some(Tender::GiftCard { .. }) => return Err(TenderError::GiftCardRedeemed),
            Some(Tender::Points { .. }) => return Err(TenderError::PointsRedeemed),
            Some(_) => {}
        }
        let tender = self.tenders.pop().ok_or(TenderError::NothingToUndo)?;
        self.forget_tips_of(self.tenders.len());
        self.unsettle();
        Ok(tender)
    }

    /// The card an integrated terminal approved that a reversal would take back: the last
    /// tender, if it is one. `(amount charged, the terminal's receipt number)`.
    pub fn reversible_card(&self) -> Option<(Decimal, Option<u16>)> {
        match self.tenders.last() {
            Some(Tender::Card {
                amount, approval, ..
            }) if approval.is_from_terminal() => Some((*amount, approval.receipt_no)),
            _ => None,
        }
    }

    /// The terminal approved the reversal of its card with `receipt_no`: takes that tender back.
    pub fn reversed_on_terminal(&mut self, receipt_no: Option<u16>) -> Result<Tender, TenderError> {
        let at = self
            .tenders
            .iter()
            .rposition(|t| {
                matches!(t, Tender::Card { approval, .. }
                    if approval.is_from_terminal() && approval.receipt_no == receipt_no)
            })
            .ok_or(TenderError::NoSuchTerminalCard)?;
        let tender = self.tenders.remove(at);
        self.forget_tips_of(at);
        self.unsettle();
        Ok(tender)
    }

    /// Whether the payment may be given up (the ticket left unpaid): only with no tender taken.
    /// A card of an integrated terminal says so apart, as it needs a reversal on the terminal.
    pub fn can_cancel(&self) -> Result<(), TenderError> {
        if self.tenders.iter().any(Tender::is_terminal_card) {
            Err(TenderError::ApprovedOnTerminal)
        } else if self
            .tenders
            .iter()
            .any(|t| matches!(t, Tender::GiftCard { .. }))
        {
            Err(TenderError::GiftCardRedeemed)
        } else if self
            .tenders
            .iter()
            .any(|t| matches!(t, Tender::Points { .. }))
        {
            Err(TenderError::PointsRedeemed)
        } else if self
            .tenders
            .iter()
            .any(|t| !matches!(t, Tender::Exchange { .. }))
        {
            // The credit of an exchange took no money: giving the payment up keeps it for later.
            Err(TenderError::TendersTaken)
        } else {
            Ok(())
        }
    }

    /// After a tender was taken back: no longer settled, unless nothing is due.
    fn unsettle(&mut self) {
        self.settlement = None;
        if self.due.is_zero() {
            self.settlement = Some(Settlement {
                change: Decimal::ZERO,
                cash_rounding: Decimal::ZERO,
            });
        }
    }
}

/// What card terminals approved over what they were asked, in `tenders`.
pub(crate) fn card_excess(tenders: &[Tender]) -> Decimal {
    tenders
        .iter()
        .map(|t| match t {
            Tender::Card { excess, .. } => *excess,
            Tender::Cash { .. }
            | Tender::Exchange { .. }
            | Tender::GiftCard { .. }
            | Tender::Points { .. } => Decimal::ZERO,
        })
        .sum()
}

/// The credit of goods brought back for an exchange, in `tenders`.
pub(crate) fn exchange_credit(tenders: &[Tender]) -> Decimal {
    tenders
        .iter()
        .map(|t| match t {
            Tender::Exchange { amount, .. } => *amount,
            Tender::Cash { .. }
            | Tender::Card { .. }
            | Tender::GiftCard { .. }
            | Tender::Points { .. } => Decimal::ZERO,
        })
        .sum()
}

/// What the store's own stored value paid, in `tenders`: gift cards and loyalty points, value
/// given earlier and no new money, counted together apart from cash and bank cards.
pub(crate) fn gift_card_paid(tenders: &[Tender]) -> Decimal {
    tenders
        .iter()
        .map(|t| match t {
            Tender::GiftCard { amount, .. } | Tender::Points { amount, .. } => *amount,
            Tender::Cash { .. } | Tender::Card { .. } | Tender::Exchange { .. } => Decimal::ZERO,
        })
        .sum()
}

/// What loyalty points paid, in `tenders`.
pub(crate) fn points_paid(tenders: &[Tender]) -> Decimal {
    tenders
        .iter()
        .map(|t| match t {
            Tender::Points { amount, .. } => *amount,
            _ => Decimal::ZERO,
        })
        .sum()
}

/// What the tips taken in cash come to, in `tenders` with their `tips`.
pub(crate) fn cash_tips(tenders: &[Tender], tips: &[Tip]) -> Decimal {
    tips.iter()
        .filter(|t| matches!(tenders.get(t.tender as usize), Some(Tender::Cash { .. })))
        .map(|t| t.amount)
        .sum()
}

/// Quick cash buttons: the exact amount, then the next round sums a customer is likely to hand
/// over, made of the currency's banknotes. At most `limit` suggestions, ascending, no duplicates.
pub fn suggested_cash(cash_due: Decimal, rules: &PricingRules, limit: usize) -> Vec<Decimal> {
    let mut out = vec![cash_due];
    if cash_due <= Decimal::ZERO {
        return out;
    }
    for note in rules.currency.banknotes() {
        let note = Decimal::from(*note);
        let rounded_up = (cash_due / note).ceil() * note;
        let mut amount = if rounded_up == cash_due {
            rounded_up + note
        } else {
            rounded_up
        };
        amount.rescale(rules.currency.minor_unit());
        if !out.contains(&amount) {
            out.push(amount);
        }
    }
    out.sort();
    out.dedup();
    out.truncate(limit);
    out
}
