//! The X report (a shift still open) and the Z report (a shift closed) of one drawer, worked out
//! from the shift's records and the sales, refunds and voids made during it. Training sales and
//! their refunds never count. Money is counted as it changed hands, as the sales day counts it
//! (`DaySummary`): a sale by what the customer paid, a refund by what was paid back, so a sale
//! refunded in full nets to nothing whatever cash rounding did.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{CashMovementKind, Shift};
use crate::docs::{Refund, Void};
use crate::money::Currency;
use crate::sale::{ReceiptNumber, RefundSplit, Sale};
use crate::tax::TaxBreakdown;
use crate::tender::Tender;

/// Money by tender: what went into the drawer, and what went to or from the cards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderTotals {
    pub cash: Decimal,
    pub card: Decimal,
    /// The credit of goods exchanged: paid with goods brought back, or kept for the goods
    /// taken instead. No money moved for it. Reports kept before exchanges read zero.
    #[serde(default)]
    pub exchange: Decimal,
    /// The store's own gift cards: redeemed as tenders, or refunds put back onto them. A
    /// liability settled, not money taken; the report's "other" tenders. Reports kept before
    /// gift cards were tenders read zero.
    #[serde(default)]
    pub gift_card: Decimal,
}

/// The tips of one staff member over a shift.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffTips {
    /// `None` for the tips of sales taken on a device without staff.
    pub staff: Option<Uuid>,
    /// The name as the first sale of the shift that named them had it.
    pub name: Option<String>,
    /// How many tips.
    pub count: u64,
    pub amount: Decimal,
}

impl TenderTotals {
    /// What changed hands: the drawer's cash, the cards and the gift cards (an exchange's credit
    /// moved no money).
    pub fn total(&self) -> Decimal {
        self.cash + self.card + self.gift_card
    }

    /// What was neither cash nor a bank card: the store's gift cards (the report's "other").
    pub fn other(&self) -> Decimal {
        self.gift_card
    }
}

/// Adds the cash and card parts of money that changed hands (a sale's, a refund's).
impl std::ops::AddAssign<RefundSplit> for TenderTotals {
    fn add_assign(&mut self, split: RefundSplit) {
        self.cash += split.cash;
        self.card += split.card;
        self.exchange += split.exchange;
        self.gift_card += split.gift_card;
    }
}

impl std::ops::AddAssign for TenderTotals {
    fn add_assign(&mut self, other: TenderTotals) {
        self.cash += other.cash;
        self.card += other.card;
        self.exchange += other.exchange;
        self.gift_card += other.gift_card;
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShiftReport {
    pub shift: Uuid,
    pub currency: Currency,
    /// A Z report (the shift is closed and its drawer counted); otherwise an X report.
    pub closed: bool,
    pub opened_at_ms: i64,
    pub closed_at_ms: Option<i64>,

    /// Sales that count: not training, not voided.
    pub sales: u64,
    /// What the goods came to before any discount.
    pub gross_sales: Decimal,
    pub discounts: Decimal,
    /// What cash rounding added (negative when it took off), over the sales.
    pub cash_rounding: Decimal,
    /// What card terminals approved over what they were asked (the card tips, chosen at the
    /// register or keyed on the terminal).
    pub card_excess: Decimal,
    /// Every tip, on cards (`card_excess`) and kept from cash change.
    pub tips: Decimal,
    /// The tips per staff member, in order of their first tip.
    pub tips_by_staff: Vec<StaffTips>,
    /// What the customers paid: `gross_sales - discounts + cash_rounding + tips`.
    pub paid: Decimal,
    /// `paid` by tender: the cash the drawer kept (after change) and what the cards were charged.
    pub paid_by_tender: TenderTotals,
    /// The cash customers handed over, before change; less `change_given` it is
    /// `paid_by_tender.cash`.
    pub cash_tendered: Decimal,
    /// The change handed back.
    pub change_given: Decimal,
    pub refunds: u64,
    /// What the refunds paid back.
    pub refunded: Decimal,
    pub refunded_by_tender: TenderTotals,
    /// `paid - refunded`: what the shift took and kept.
    pub net_sales: Decimal,
    pub voids: u64,
    /// What the voided sales had been paid, given back when they were voided.
    pub voided: Decimal,
    /// The tax of the sales per rate (net, tax, gross), in order of first use.
    pub taxes: Vec<TaxBreakdown>,
    /// The tax of the refunded sales per rate.
    pub refunded_taxes: Vec<TaxBreakdown>,
    /// The sales' mean ticket total, rounded to the currency; `None` with no sale.
    pub average_ticket: Option<Decimal>,
    /// The first and last receipt numbers the shift issued, voided sales included.
    pub first_receipt: Option<ReceiptNumber>,
    pub last_receipt: Option<ReceiptNumber>,

    pub float: Decimal,
    pub pay_ins: Decimal,
    pub pay_outs: Decimal,
    pub drops: Decimal,
    /// `float + cash_tendered - change_given - refunded_by_tender.cash + pay_ins - pay_outs -
    /// drops` (the cash of a voided sale went back to its customer, so it is in none of them).
    pub cash_expected: Decimal,
    /// The closing count; `None` in an X report.
    pub cash_counted: Option<Decimal>,
    /// `cash_counted - cash_expected`: negative when the drawer is short.
    pub difference: Option<Decimal>,
}

impl ShiftReport {
    /// The report of `shift` over the sales made during it, the refunds made during it (each
    /// with the sale it refunds, wherever that sale was made) and the voids made during it.
    ///
    /// A refund is counted by tender as it says it went back ([`Refund::paid_back`]); one
    /// recorded before refunds said so went back to the card first, as far as the card paid.
    pub fn new(
        shift: &Shift,
        sales: &[Sale],
        refunds: &[(&Refund, &Sale)],
        voids: &[Void],
    ) -> ShiftReport {
        let currency = shift.currency;
        let real: Vec<&Sale> = sales.iter().filter(|s| !s.is_training()).collect();
        let voided_ids: BTreeSet<Uuid> = voids.iter().map(|v| v.sale_id).collect();
        let (voided, counted): (Vec<&Sale>, Vec<&Sale>) =
            real.iter().partition(|s| voided_ids.contains(&s.id()));
        let refunds: Vec<(&Refund, &Sale)> = refunds
            .iter()
            .copied()
            .filter(|(r, _)| !r.training)
            .collect();

        let sum = |f: &dyn Fn(&Sale) -> Decimal| counted.iter().map(|s| f(s)).sum::<Decimal>();
        let mut paid_by_tender = TenderTotals::default();
        for sale in &counted {
            paid_by_tender += sale.refund_split();
        }
        let mut refunded_by_tender = TenderTotals::default();
        for (refund, sale) in &refunds {
            refunded_by_tender += refund.paid_back(sale);
        }
        let tips_by_staff = tips_by_staff(counted.iter().copied());
        let change_given = sum(&|s| s.change());
        let paid = sum(&|s| s.amount_paid());
        let refunded: Decimal = refunds.iter().map(|(r, _)| r.amount).sum();
        let sales_total = sum(&|s| s.totals().total);

        let movements = |kind: fn(&CashMovementKind) -> bool| {
            shift
                .movements
                .iter()
                .filter(|m| kind(&m.kind))
                .map(|m| m.amount)
                .sum::<Decimal>()
        };
        let pay_ins = movements(|k| matches!(k, CashMovementKind::PayIn { .. }));
        let pay_outs = movements(|k| matches!(k, CashMovementKind::PayOut { .. }));
        let drops = movements(|k| matches!(k, CashMovementKind::Drop));
        let float = shift.float.total();
        let cash_expected =
            float + paid_by_tender.cash - refunded_by_tender.cash + pay_ins - pay_outs - drops;
        let cash_counted = shift.close.as_ref().map(|c| c.counted.total());

        ShiftReport {
            shift: shift.id,
            currency,
            closed: !shift.is_open(),
            opened_at_ms: shift.opened_at_ms,
            closed_at_ms: shift.close.as_ref().map(|c| c.at_ms),
            sales: counted.len() as u64,
            gross_sales: sum(&|s| s.totals().subtotal),
            discounts: sum(&|s| s.totals().discount_total()),
            cash_rounding: sum(&|s| s.cash_rounding()),
            card_excess: sum(&|s| s.card_excess()),
            tips: tips_by_staff.iter().map(|t| t.amount).sum(),
            tips_by_staff,
            paid,
            paid_by_tender,
            cash_tendered: sum(&|s| {
                s.tenders()
                    .iter()
                    .map(|t| match t {
                        Tender::Cash { tendered } => *tendered,
                        Tender::Card { .. }
                        | Tender::Exchange { .. }
                        | Tender::GiftCard { .. }
                        | Tender::Points { .. } => Decimal::ZERO,
                    })
                    .sum()
            }),
            change_given,
            refunds: refunds.len() as u64,
            refunded,
            refunded_by_tender,
            net_sales: paid - refunded,
            voids: voided.len() as u64,
            voided: voided.iter().map(|s| s.amount_paid()).sum(),
            taxes: taxes_per_rate(counted.iter().copied()),
            refunded_taxes: merged_taxes(refunds.iter().flat_map(|(r, s)| r.taxes(s))),
            average_ticket: (!counted.is_empty())
                .then(|| currency.round(sales_total / Decimal::from(counted.len()))),
            first_receipt: real.iter().map(|s| s.receipt_number()).min().cloned(),
            last_receipt: real.iter().map(|s| s.receipt_number()).max().cloned(),
            float,
            pay_ins,
            pay_outs,
            drops,
            cash_expected,
            cash_counted,
            difference: cash_counted.map(|counted| counted - cash_expected),
        }
    }
}

/// The sales' tips added up per staff member, in order of their first tip.
fn tips_by_staff<'s>(sales: impl Iterator<Item = &'s Sale>) -> Vec<StaffTips> {
    let mut rows: Vec<StaffTips> = Vec::new();
    for tip in sales.flat_map(Sale::tips) {
        let staff = tip.staff.as_ref().map(|c| c.id);
        match rows.iter_mut().find(|r| r.staff == staff) {
            Some(row) => {
                row.count += 1;
                row.amount += tip.amount;
            }
            None => rows.push(StaffTips {
                staff,
                name: tip.staff.map(|c| c.name),
                count: 1,
                amount: tip.amount,
            }),
        }
    }
    rows
}

/// The sales' tax breakdowns added up per tax category (a rate changed during the shift gives
/// two rows), in order of first use.
fn taxes_per_rate<'s>(sales: impl Iterator<Item = &'s Sale>) -> Vec<TaxBreakdown> {
    merged_taxes(sales.flat_map(|s| s.totals().taxes.iter().cloned()))
}

/// Tax rows added up per tax category, in order of first use.
fn merged_taxes(all: impl Iterator<Item = TaxBreakdown>) -> Vec<TaxBreakdown> {
    let mut rows: Vec<TaxBreakdown> = Vec::new();
    for row in all {
        match rows.iter_mut().find(|r| r.category == row.category) {
            Some(r) => {
                r.net += row.net;
                r.tax += row.tax;
                r.gross += row.gross;
            }
            None => rows.push(row),
        }
    }
    rows
}
