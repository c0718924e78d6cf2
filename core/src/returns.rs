//! Returns of some lines of a sale: what each line has had returned across every refund of the
//! sale, whichever device recorded it, and a refund of chosen lines and quantities paid back
//! through the sale's own tenders (two cards: each card its part).
//!
//! Refunds are recorded offline on each device's own day, so two devices may return the same
//! line at once; nothing can stop that before they sync. [`ReturnLedger`] merges them after the
//! fact and reports a line returned more often than it was sold (and money paid back past what
//! was paid) for a manager to settle, rather than hiding either.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::docs::{Refund, RefundTender, ReturnLine};
use crate::money::allocate;
use crate::sale::Sale;
use crate::tax::TaxBreakdown;
use crate::ticket::LineId;

/// What one line of a sale has had returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineReturns {
    pub line: LineId,
    pub sold: Decimal,
    /// The quantity returned by every refund read, together.
    pub returned: Decimal,
    /// What those returns paid back for the line's goods.
    pub amount_returned: Decimal,
    /// The refunds that returned some of it.
    pub refunds: Vec<Uuid>,
}

impl LineReturns {
    /// What may still be returned (never negative, even past an excess).
    pub fn returnable(&self) -> Decimal {
        (self.sold - self.returned).max(Decimal::ZERO)
    }
}

/// What one tender of a sale took and has paid back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TenderBalance {
    /// The card's index in the sale's tenders; `None` for the drawer.
    pub card: Option<u32>,
    pub paid: Decimal,
    pub paid_back: Decimal,
}

impl TenderBalance {
    pub fn left(&self) -> Decimal {
        (self.paid - self.paid_back).max(Decimal::ZERO)
    }
}

/// A line returned more often than it was sold: refunds made at once on several devices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExcessReturn {
    pub line: LineId,
    pub sold: Decimal,
    pub returned: Decimal,
    /// Every refund that returned some of the line, the one too many among them.
    pub refunds: Vec<Uuid>,
}

/// Every return of one sale, merged from all the refunds read (each counted once by id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnLedger {
    pub sale: Uuid,
    /// One per line of the sale, in its order.
    pub lines: Vec<LineReturns>,
    /// One per tender share of the sale ([`Sale::tender_shares`]).
    pub tenders: Vec<TenderBalance>,
    /// What the refunds paid back, together.
    pub refunded: Decimal,
    /// Lines returned more often than sold, for a manager.
    pub excess: Vec<ExcessReturn>,
    /// What was paid back over what the customer paid; zero when all is well.
    pub overpaid: Decimal,
}

impl ReturnLedger {
    /// Merges the refunds of `sale` among `refunds` (others are ignored; one read twice, from
    /// two documents, counts once).
    pub fn of(sale: &Sale, refunds: &[Refund]) -> ReturnLedger {
        let mut lines: Vec<LineReturns> = sale
            .lines()
            .iter()
            .map(|l| LineReturns {
                line: l.id,
                sold: l.quantity,
                returned: Decimal::ZERO,
                amount_returned: Decimal::ZERO,
                refunds: Vec::new(),
            })
            .collect();
        let mut tenders: Vec<TenderBalance> = sale
            .tender_shares()
            .into_iter()
            .map(|(card, paid)| TenderBalance {
                card,
                paid,
                paid_back: Decimal::ZERO,
            })
            .collect();
        let mut seen = BTreeSet::new();
        let mut refunded = Decimal::ZERO;
        for refund in refunds {
            if refund.sale_id != sale.id() || !seen.insert(refund.id) {
                continue;
            }
            refunded += refund.amount;
            for (at, returned) in matched_lines(sale, &refund.lines) {
                let line = &mut lines[at];
                line.returned += returned.quantity;
                line.amount_returned += returned.amount;
                if !line.refunds.contains(&refund.id) {
                    line.refunds.push(refund.id);
                }
            }
            for (card, amount) in paid_back_per_tender(sale, refund) {
                if let Some(t) = tenders.iter_mut().find(|t| t.card == card) {
                    t.paid_back += amount;
                }
            }
        }
        let excess = lines
            .iter()
            .filter(|l| l.returned > l.sold)
            .map(|l| ExcessReturn {
                line: l.line,
                sold: l.sold,
                returned: l.returned,
                refunds: l.refunds.clone(),
            })
            .collect();
        ReturnLedger {
            sale: sale.id(),
            lines,
            tenders,
            refunded,
            excess,
            overpaid: (refunded - sale.amount_paid()).max(Decimal::ZERO),
        }
    }

    /// Whether a manager must look at this sale: a line returned too often, or too much paid.
    pub fn needs_manager(&self) -> bool {
        !self.excess.is_empty() || self.overpaid > Decimal::ZERO
    }

    pub fn line(&self, id: LineId) -> Option<&LineReturns> {
        self.lines.iter().find(|l| l.line == id)
    }

    /// Whether every line has been returned in full.
    pub fn all_returned(&self) -> bool {
        self.lines.iter().all(|l| l.returned >= l.sold)
    }
}

/// The sale's line each returned line is of. A line with no id (recorded before lines were
/// named) is matched by product and SKU to the first line of the sale not yet matched in the
/// same refund: such refunds returned the whole sale, line by line in its order.
fn matched_lines<'r>(sale: &Sale, returned: &'r [ReturnLine]) -> Vec<(usize, &'r ReturnLine)> {
    let mut taken = vec![false; sale.lines().len()];
    let mut out = Vec::new();
    for r in returned {
        let at = match r.line_id {
            Some(id) => sale.lines().iter().position(|l| l.id == id),
            None => sale
                .lines()
                .iter()
                .enumerate()
                .position(|(i, l)| !taken[i] && l.product_id == r.product_id && l.sku == r.sku),
        };
        if let Some(at) = at {
            taken[at] = true;
            out.push((at, r));
        }
    }
    out
}

/// What a refund paid back through each tender share. One recorded before refunds said so went
/// to the cards first, in their order, as far as each was charged, and the rest in cash.
fn paid_back_per_tender(sale: &Sale, refund: &Refund) -> Vec<(Option<u32>, Decimal)> {
    if !refund.tenders.is_empty() {
        return refund.tenders.iter().map(|t| (t.card, t.amount)).collect();
    }
    let mut left = refund.amount;
    let mut out = Vec::new();
    for (card, paid) in sale.tender_shares() {
        let part = if card.is_some() { paid.min(left) } else { left };
        let part = part.max(Decimal::ZERO);
        out.push((card, part));
        left -= part;
    }
    out
}

impl Refund {
    /// The tax of what this refund returned, per rate (net, tax, gross) in order of first use.
    /// A refund of every line in full is the sale's own breakdown; a part of a line carries its
    /// share of the line's tax, rounded to the currency.
    pub fn taxes(&self, sale: &Sale) -> Vec<TaxBreakdown> {
        let matched = matched_lines(sale, &self.lines);
        let whole = matched.len() == sale.lines().len()
            && matched
                .iter()
                .all(|(at, r)| r.quantity == sale.lines()[*at].quantity);
        if whole {
            return sale.totals().taxes.clone();
        }
        let currency = sale.totals().currency;
        let mut rows: Vec<TaxBreakdown> = Vec::new();
        for (at, returned) in matched {
            let line = &sale.lines()[at];
            let totals = &sale.totals().lines[at];
            let tax = if totals.amount.is_zero() {
                Decimal::ZERO
            } else {
                currency.round(totals.tax * returned.amount / totals.amount)
            };
            let gross = returned.amount;
            match rows.iter_mut().find(|r| r.category == line.tax) {
                Some(row) => {
                    row.gross += gross;
                    row.tax += tax;
                    row.net += gross - tax;
                }
                None => rows.push(TaxBreakdown {
                    category: line.tax.clone(),
                    net: gross - tax,
                    tax,
                    gross,
                }),
            }
        }
        rows
    }
}

/// Why a return was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReturnError {
    #[error("choose at least one line to return")]
    NothingChosen,
    #[error("line {0} is not on the sale")]
    NoSuchLine(LineId),
    /// Zero, negative, or more decimals than the line's unit allows (half a piece).
    #[error("the quantity to return must be more than zero")]
    BadQuantity,
    #[error("only {returnable} of line {line} may still be returned")]
    MoreThanSold { line: LineId, returnable: Decimal },
}

impl Refund {
    /// The same refund with the returned lines of `damaged` written off: they stay out of
    /// stock (the money goes back all the same).
    pub fn written_off(mut self, damaged: &[LineId]) -> Refund {
        for line in &mut self.lines {
            line.damaged = line.line_id.is_some_and(|id| damaged.contains(&id));
        }
        self
    }

    /// A refund of `quantities` of the lines of `sale` (line id, quantity; the same line twice
    /// adds up), given the refunds of the sale already read (`earlier`, from every device).
    ///
    /// Each line is paid back its share of what it came to ([`crate::LineTotals::amount`], its
    /// discounts taken off), rounded to the currency; the return that completes a line pays what
    /// is left of it, so the parts of a line add up to it exactly. The return that completes
    /// the whole sale pays what is left of all the customer paid, cash rounding and tips
    /// included, so a sale returned in parts nets to nothing. The money goes back through the
    /// sale's own tenders in proportion to what each has left; the drawer's part is rounded to
    /// the store's cash increment, never past what the drawer took.
    pub fn of_lines(
        sale: &Sale,
        earlier: &[Refund],
        quantities: &[(LineId, Decimal)],
        id: Uuid,
        at_ms: i64,
        reason: &str,
    ) -> Result<Refund, ReturnError> {
        let ledger = ReturnLedger::of(sale, earlier);
        let currency = sale.totals().currency;
        let mut wanted: Vec<(usize, Decimal)> = Vec::new();
        for &(line, quantity) in quantities {
            let at = sale
                .lines()
                .iter()
                .position(|l| l.id == line)
                .ok_or(ReturnError::NoSuchLine(line))?;
            let unit = sale.lines()[at].unit;
            if quantity <= Decimal::ZERO || quantity.normalize().scale() > unit.quantity_scale() {
                return Err(ReturnError::BadQuantity);
            }
            match wanted.iter_mut().find(|(i, _)| *i == at) {
                Some((_, q)) => *q += quantity,
                None => wanted.push((at, quantity)),
            }
        }
        if wanted.is_empty() {
            return Err(ReturnError::NothingChosen);
        }
        let mut lines = Vec::with_capacity(wanted.len());
        for &(at, quantity) in &wanted {
            let line = &sale.lines()[at];
            let so_far = &ledger.lines[at];
            if quantity > so_far.returnable() {
                return Err(ReturnError::MoreThanSold {
                    line: line.id,
                    returnable: so_far.returnable(),
                });
            }
            let line_amount = sale.totals().lines[at].amount;
            let amount = if quantity == so_far.returnable() {
                line_amount - so_far.amount_returned
            } else {
                currency.round(line_amount * quantity / line.quantity)
            };
            lines.push(ReturnLine {
                damaged: false,
                product_id: line.product_id.clone(),
                sku: line.sku.clone(),
                quantity,
                amount,
                line_id: Some(line.id),
            });
        }
        let completes_sale = ledger.lines.iter().enumerate().all(|(at, l)| {
            let now = wanted
                .iter()
                .find(|(i, _)| *i == at)
                .map_or(Decimal::ZERO, |w| w.1);
            l.returned + now >= l.sold
        });
        let left: Decimal = ledger.tenders.iter().map(TenderBalance::left).sum();
        let goods: Decimal = lines.iter().map(|l| l.amount).sum();
        let due = if completes_sale {
            left
        } else {
            goods.min(left)
        };
        // Nothing may be left to pay while goods still come back (cash rounding paid the last
        // coin already, or another device paid too much): the goods are still returned, for
        // stock, with nothing paid.
        let tenders = split_over_tenders(sale, &ledger, due);
        Ok(Refund {
            id,
            sale_id: sale.id(),
            at_ms,
            amount: tenders.iter().map(|t| t.amount).sum(),
            lines,
            reason: reason.trim().to_string(),
            training: sale.is_training(),
            tenders,
            voids_sale: false,
        })
    }
}

/// `due` shared over the tenders in proportion to what each has left to pay back, the drawer's
/// part rounded to the cash increment.
fn split_over_tenders(sale: &Sale, ledger: &ReturnLedger, due: Decimal) -> Vec<RefundTender> {
    let currency = sale.totals().currency;
    let left: Vec<Decimal> = ledger.tenders.iter().map(TenderBalance::left).collect();
    let parts = allocate(due, &left, currency);
    ledger
        .tenders
        .iter()
        .zip(parts)
        .map(|(t, part)| {
            let amount = match t.card {
                Some(_) => part,
                None => {
                    let rules = sale.rules();
                    let rounded = rules.cash_rounding.paid_back(part, rules.cash_increment);
                    currency.round(rounded.min(t.left()))
                }
            };
            RefundTender {
                card: t.card,
                amount,
                carried: false,
                in_cash: false,
                gift_card: sale.is_gift_card_tender(t.card),
            }
        })
        .filter(|t| !t.amount.is_zero())
        .collect()
}
