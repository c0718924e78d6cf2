//! A completed sale: the immutable record of what was sold, for how much, and how it was paid.
//! Completing a ticket is the only way to make one, so every sale satisfies the payment rules.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::gift_card::{GiftCardOp, GiftCardOpKind};
use crate::store::PricingRules;
use crate::tender::{Payment, Tender};
use crate::ticket::{Discount, Ticket, TicketLine, Totals};
use crate::tip::Tip;

/// `<device code>-<sequence>`: unique across the store with no coordination, because each device
/// numbers only its own sales.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReceiptNumber {
    pub device_code: String,
    pub sequence: u64,
}

impl ReceiptNumber {
    /// Reads a receipt number as printed (and as the receipt's barcode holds it):
    /// `K7Q2-000042`, the device code in capital letters and digits. Lower case is read too (a
    /// typed one); anything else is not a receipt number.
    pub fn parse(text: &str) -> Option<ReceiptNumber> {
        let text = text.trim();
        let (code, sequence) = text.rsplit_once('-')?;
        let code_ok =
            !code.is_empty() && code.len() <= 16 && code.chars().all(|c| c.is_ascii_alphanumeric());
        let sequence_ok = sequence.len() >= 6
            && sequence.len() <= 19
            && sequence.bytes().all(|b| b.is_ascii_digit());
        if !code_ok || !sequence_ok {
            return None;
        }
        Some(ReceiptNumber {
            device_code: code.to_ascii_uppercase(),
            sequence: sequence.parse().ok()?,
        })
    }
}

impl fmt::Display for ReceiptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:06}", self.device_code, self.sequence)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sale {
    id: Uuid,
    receipt_number: ReceiptNumber,
    /// Milliseconds since the Unix epoch, UTC, from the device's clock.
    completed_at_ms: i64,
    rules: PricingRules,
    lines: Vec<TicketLine>,
    order_discount: Option<Discount>,
    totals: Totals,
    tenders: Vec<Tender>,
    change: Decimal,
    cash_rounding: Decimal,
    /// Made in training mode (a simulated card terminal): no money changed hands, so it is
    /// marked on every receipt and left out of money totals.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    training: bool,
    /// The staff member who took the payment, named on the receipt. `None` on a device without
    /// staff, and then not written at all, so such a sale's record reads as it always did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cashier: Option<Cashier>,
    /// Tips taken with the tenders; not written when there is none, so a sale without tips (and
    /// every sale kept before tips existed) reads as it always did.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tips: Vec<Tip>,
    /// The customer the ticket was attached to (issue 14), for their history, stats and points.
    /// Not written when there is none, so sales kept before customers existed read as they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer: Option<Uuid>,
    /// The loyalty points the sale earned its customer; not written when it earned none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    points: Option<SalePoints>,
}

/// What a sale did to its customer's loyalty points, for the receipt and for returns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SalePoints {
    /// Whole points earned by the store's rule when the sale was made (a return takes back a
    /// share of these, whatever the rule says later).
    pub earned: Decimal,
    /// The customer's balance after the sale, as the till knew it; `None` when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub balance: Option<Decimal>,
}

/// A staff member as a sale names them: the id for the audit log, the name as it was when the
/// sale was made (a member renamed later does not rename their receipts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cashier {
    pub id: Uuid,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompleteError {
    #[error("the ticket is empty")]
    EmptyTicket,
    /// Less has been tendered than the ticket comes to.
    #[error("{remaining} is still to pay")]
    UnderTendered { remaining: Decimal },
    /// The payment was taken for another total; the ticket changed while paying.
    #[error("the payment was for {paid_for} but the ticket now comes to {total}")]
    TotalChanged { paid_for: Decimal, total: Decimal },
}

impl Ticket {
    /// Turns the ticket and its payment into a sale. The id and the time come from the caller,
    /// because core has no clock and no randomness.
    pub fn complete(
        &self,
        payment: &Payment,
        id: Uuid,
        receipt_number: ReceiptNumber,
        completed_at_ms: i64,
    ) -> Result<Sale, CompleteError> {
        if self.is_empty() {
            return Err(CompleteError::EmptyTicket);
        }
        let totals = self.totals();
        if payment.due() != totals.total {
            return Err(CompleteError::TotalChanged {
                paid_for: payment.due(),
                total: totals.total,
            });
        }
        if !payment.is_paid() {
            return Err(CompleteError::UnderTendered {
                remaining: payment.remaining(),
            });
        }
        Ok(Sale {
            id,
            receipt_number,
            completed_at_ms,
            rules: *self.rules(),
            lines: self.lines().to_vec(),
            order_discount: self.order_discount(),
            totals,
            tenders: payment.tenders().to_vec(),
            change: payment.change(),
            cash_rounding: payment.cash_rounding(),
            training: false,
            cashier: None,
            tips: payment.tips().to_vec(),
            customer: None,
            points: None,
        })
    }
}

impl Sale {
    /// The same sale, marked as made in training mode.
    pub fn in_training(mut self) -> Sale {
        self.training = true;
        self
    }
    pub fn is_training(&self) -> bool {
        self.training
    }
    /// The same sale, taken by `cashier`.
    pub fn taken_by(mut self, cashier: Option<Cashier>) -> Sale {
        self.cashier = cashier;
        self
    }
    pub fn cashier(&self) -> Option<&Cashier> {
        self.cashier.as_ref()
    }
    /// The same sale, made for `customer`.
    pub fn for_customer(mut self, customer: Option<Uuid>) -> Sale {
        self.customer = customer;
        self
    }
    pub fn customer(&self) -> Option<Uuid> {
        self.customer
    }
    pub fn id(&self) -> Uuid {
        self.id
    }
    pub fn receipt_number(&self) -> &ReceiptNumber {
        &self.receipt_number
    }
    pub fn completed_at_ms(&self) -> i64 {
        self.completed_at_ms
    }
    pub fn rules(&self) -> &PricingRules {
        &self.rules
    }
    pub fn lines(&self) -> &[TicketLine] {
        &self.lines
    }
    pub fn order_discount(&self) -> Option<Discount> {
        self.order_discount
    }
    pub fn totals(&self) -> &Totals {
        &self.totals
    }
    pub fn tenders(&self) -> &[Tender] {
        &self.tenders
    }
    pub fn change(&self) -> Decimal {
        self.change
    }
    pub fn cash_rounding(&self) -> Decimal {
        self.cash_rounding
    }
    /// What card terminals approved over what they were asked (tips keyed on the terminal):
    /// charged to the cards and kept by the store, not part of the ticket's total or its tax.
    pub fn card_excess(&self) -> Decimal {
        crate::tender::card_excess(&self.tenders)
    }

    /// What the customer actually paid: the total plus any cash rounding, any card excess and
    /// any tip kept from the change (so a full refund pays back all the customer gave).
    pub fn amount_paid(&self) -> Decimal {
        self.totals.total
            + self.cash_rounding
            + self.card_excess()
            + crate::tender::cash_tips(&self.tenders, &self.tips)
    }

    /// Every tip of the sale, each naming who it is for: the tips taken at payment, and the
    /// excess of a card that no tip accounts for (a tip keyed on the terminal). A tip naming no
    /// one is the cashier's.
    pub fn tips(&self) -> Vec<Tip> {
        let mut tips: Vec<Tip> = self
            .tips
            .iter()
            .map(|t| Tip {
                staff: t.staff.clone().or_else(|| self.cashier.clone()),
                ..t.clone()
            })
            .collect();
        for (at, tender) in self.tenders.iter().enumerate() {
            let Tender::Card { excess, .. } = tender else {
                continue;
            };
            let named: Decimal = self
                .tips
                .iter()
                .filter(|t| t.tender as usize == at)
                .map(|t| t.amount)
                .sum();
            if *excess > named {
                tips.push(Tip {
                    tender: at as u32,
                    amount: *excess - named,
                    staff: self.cashier.clone(),
                });
            }
        }
        tips
    }

    /// What the tips of the sale come to.
    pub fn tip_total(&self) -> Decimal {
        self.tips().iter().map(|t| t.amount).sum()
    }

    /// What each tender kept of what the customer paid, which is what a refund may send back
    /// through it: each card what it was charged, by its index in [`Sale::tenders`], and the
    /// drawer (`None`) the rest, change given back already. Adds up to [`Sale::amount_paid`].
    pub fn tender_shares(&self) -> Vec<(Option<u32>, Decimal)> {
        let mut shares: Vec<(Option<u32>, Decimal)> = self
            .tenders
            .iter()
            .enumerate()
            .filter_map(|(at, t)| match t {
                Tender::Card { amount, .. }
                | Tender::GiftCard { amount, .. }
                | Tender::Points { amount, .. } => Some((Some(at as u32), *amount)),
                Tender::Cash { .. } | Tender::Exchange { .. } => None,
            })
            .collect();
        // The credit of goods exchanged goes back from the drawer if these goods come back too:
        // the card the first goods were paid with kept that money for these.
        let split = self.refund_split();
        let cash = split.cash + split.exchange;
        if !cash.is_zero() {
            shares.push((None, cash));
        }
        shares
    }

    /// What a full refund pays back through each tender: the card amounts back to the card, and
    /// the cash kept (what was paid less the cards; change was handed back already) in cash.
    pub fn refund_split(&self) -> RefundSplit {
        let card: Decimal = self
            .tenders
            .iter()
            .map(|t| match t {
                Tender::Card { amount, .. } => *amount,
                Tender::Cash { .. }
                | Tender::Exchange { .. }
                | Tender::GiftCard { .. }
                | Tender::Points { .. } => Decimal::ZERO,
            })
            .sum();
        let exchange = crate::tender::exchange_credit(&self.tenders);
        let gift_card = self.gift_card_paid();
        RefundSplit {
            card,
            cash: self.amount_paid() - card - exchange - gift_card,
            exchange,
            gift_card,
        }
    }

    /// The operations that activate the gift cards the sale sold, each with its value, made by
    /// the sale's cashier (the nil id on a device without staff) on `device`. A training sale
    /// issues none. Each id is made from the sale's id and the card, so the operations made
    /// again (a retry, a reload) are the same ones and the server counts them once.
    pub fn gift_card_issues(&self, device: Uuid) -> Vec<GiftCardOp> {
        if self.training {
            return Vec::new();
        }
        let staff = self.cashier.as_ref().map_or(Uuid::nil(), |c| c.id);
        crate::ticket::gift_cards_sold(&self.lines)
            .into_iter()
            .map(|(card, value)| GiftCardOp {
                id: Uuid::new_v5(&self.id, format!("issue/{card}").as_bytes()),
                card: card.clone(),
                kind: GiftCardOpKind::Activate,
                amount: value,
                staff,
                device,
                at_ms: self.completed_at_ms,
                offline: false,
            })
            .collect()
    }

    /// What the sale took for gift cards it sold: value put on cards, a liability, not takings
    /// from goods.
    pub fn gift_cards_sold_total(&self) -> Decimal {
        crate::ticket::gift_cards_sold(&self.lines)
            .into_iter()
            .map(|(_, value)| value)
            .sum()
    }

    /// What the store's own gift cards paid of the sale: value sold earlier, no new money.
    pub fn gift_card_paid(&self) -> Decimal {
        crate::tender::gift_card_paid(&self.tenders)
    }

    /// Whether the tender at `at` (a [`Sale::tender_shares`] index) is the store's own stored
    /// value (a gift card, loyalty points), whose share goes back onto it, not to a bank card.
    pub fn is_gift_card_tender(&self, at: Option<u32>) -> bool {
        at.and_then(|at| self.tenders.get(at as usize))
            .is_some_and(|t| matches!(t, Tender::GiftCard { .. } | Tender::Points { .. }))
    }

    /// What the customer's loyalty points paid of the sale.
    pub fn points_paid(&self) -> Decimal {
        crate::tender::points_paid(&self.tenders)
    }

    /// The same sale with the points it earned its customer by `rule` (none without a customer,
    /// a rule, or in training), and the customer's balance after it where the till knows it.
    pub fn earning_points(
        mut self,
        rule: Option<&crate::loyalty::LoyaltyRule>,
        balance_before: Option<Decimal>,
    ) -> Sale {
        let earned = match (rule, self.customer) {
            (Some(rule), Some(_)) if !self.training => {
                rule.earned(&crate::loyalty::Purchase::of_sale(&self))
            }
            _ => return self,
        };
        let spent: Decimal = self
            .tenders
            .iter()
            .filter_map(|t| match t {
                Tender::Points { points, .. } => Some(*points),
                _ => None,
            })
            .sum();
        let balance = balance_before.map(|b| b - spent + earned);
        if earned > Decimal::ZERO || balance.is_some() {
            self.points = Some(SalePoints { earned, balance });
        }
        self
    }

    /// The same sale having earned `points` (none: as it was), its balance unknown.
    pub(crate) fn with_points_earned(mut self, points: Decimal) -> Sale {
        if points > Decimal::ZERO {
            self.points = Some(SalePoints {
                earned: points,
                balance: None,
            });
        }
        self
    }

    /// The points the sale earned its customer and their balance after it, if known.
    pub fn points(&self) -> Option<&SalePoints> {
        self.points.as_ref()
    }

    /// The operation that puts the points this sale earned onto its customer, made by the
    /// sale's cashier on `device`; its id is made from the sale's, so making it again (a retry,
    /// a reload) gives the same operation, which the server counts once.
    pub fn points_earned_op(&self, device: Uuid) -> Option<crate::loyalty::LoyaltyOp> {
        let earned = self.points.as_ref()?.earned;
        let customer = self.customer?;
        (earned > Decimal::ZERO).then(|| crate::loyalty::LoyaltyOp {
            id: Uuid::new_v5(&self.id, b"points/earn"),
            customer,
            kind: crate::loyalty::LoyaltyOpKind::Earn,
            points: earned,
            sale: self.id,
            staff: self.cashier.as_ref().map_or(Uuid::nil(), |c| c.id),
            device,
            at_ms: self.completed_at_ms,
            offline: false,
        })
    }
}

/// Money by the way it went: a sale's payment, or what a refund paid back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RefundSplit {
    /// Back to the card the sale was paid with.
    pub card: Decimal,
    /// Handed back from the drawer.
    pub cash: Decimal,
    /// Neither: the credit of goods exchanged, kept for (or paid by) the goods taken instead.
    pub exchange: Decimal,
    /// The store's own gift cards: redeemed from them, or put back onto them.
    pub gift_card: Decimal,
}

impl RefundSplit {
    /// Everything in the split.
    pub fn total(&self) -> Decimal {
        self.card + self.cash + self.exchange + self.gift_card
    }
}
