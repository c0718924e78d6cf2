//! A completed sale: the immutable record of what was sold, for how much, and how it was paid.
//! Completing a ticket is the only way to make one, so every sale satisfies the payment rules.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
        let code_ok = !code.is_empty()
            && code.len() <= 16
            && code.chars().all(|c| c.is_ascii_alphanumeric());
        let sequence_ok =
            sequence.len() >= 6 && sequence.len() <= 19 && sequence.bytes().all(|b| b.is_ascii_digit());
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
                Tender::Card { amount, .. } => Some((Some(at as u32), *amount)),
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
                Tender::Cash { .. } | Tender::Exchange { .. } => Decimal::ZERO,
            })
            .sum();
        let exchange = crate::tender::exchange_credit(&self.tenders);
        RefundSplit {
            card,
            cash: self.amount_paid() - card - exchange,
            exchange,
        }
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
}
