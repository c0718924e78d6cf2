//! Loyalty points (issue 14): earned by a rule the owner sets (per amount spent, per visit, per
//! product), spent as a tender at a set value, and taken back in proportion when a purchase is
//! returned. Points are whole numbers. Like a gift card, a customer's points are the sum of
//! operations from every device (`ledger`), with the same offline allowance and the same
//! overdraft conflicts when two devices offline spend the same points.

mod ledger;

pub use ledger::{
    LoyaltyConflict, LoyaltyLedger, LoyaltyOp, LoyaltyOpError, LoyaltyOpKind, PointsRefused,
};

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::docs::Refund;
use crate::money::Currency;
use crate::sale::Sale;
use crate::stored_value::OfflineAllowance;
use crate::tender::Tender;
use uuid::Uuid;

/// The owner's loyalty programme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyRule {
    /// Points for each 1.00 of the currency paid (0.1: a point per 10.00).
    pub points_per_currency_unit: Decimal,
    /// Points for each purchase, however small.
    pub points_per_visit: Decimal,
    /// Points for each unit sold of these products, by product id.
    #[serde(default)]
    pub points_per_product: BTreeMap<String, Decimal>,
    /// What one point pays when spent as a tender.
    pub point_value: Decimal,
    /// How many points a device offline may let a customer spend before it syncs.
    pub offline: OfflineAllowance,
}

/// What a purchase earns points on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purchase {
    /// What the customer paid, every tender together.
    pub paid: Decimal,
    /// The part of it paid with points or gift cards, which earns nothing: points are not earned
    /// on points, and a gift card's value earned its points when it was bought, if ever.
    pub paid_with_stored_value: Decimal,
    /// Product id and quantity of each line.
    pub products: Vec<(String, Decimal)>,
}

impl Purchase {
    /// The purchase of `sale`: what its points and gift card tenders paid earns nothing.
    pub fn of_sale(sale: &Sale) -> Purchase {
        // Gift cards sold earn nothing: their value earns when it is spent on goods, if ever.
        let gift_cards_sold = sale.gift_cards_sold_total();
        Purchase {
            paid: (sale.amount_paid() - gift_cards_sold).max(Decimal::ZERO),
            paid_with_stored_value: sale.gift_card_paid(),
            products: sale
                .lines()
                .iter()
                .filter(|l| !l.is_gift_card())
                .map(|l| (l.product_id.clone(), l.quantity))
                .collect(),
        }
    }
}

impl LoyaltyRule {
    /// The whole points `purchase` earns. Everything it earns (per amount, per visit, per
    /// product) is in proportion to the part paid with money, so a purchase paid entirely with
    /// points or gift cards earns none; fractions of a point are dropped.
    pub fn earned(&self, purchase: &Purchase) -> Decimal {
        if purchase.paid <= Decimal::ZERO {
            return Decimal::ZERO;
        }
        let with_money = (purchase.paid - purchase.paid_with_stored_value)
            .max(Decimal::ZERO)
            .min(purchase.paid);
        let share = with_money / purchase.paid;
        let per_product: Decimal = purchase
            .products
            .iter()
            .filter_map(|(id, quantity)| Some(*self.points_per_product.get(id)? * *quantity))
            .sum();
        let points = self.points_per_currency_unit * with_money
            + (self.points_per_visit + per_product) * share;
        whole_points_down(points)
    }

    /// What `points` pay as a tender, rounded down to the currency (never more than they are worth).
    pub fn value_of(&self, points: Decimal, currency: Currency) -> Decimal {
        let value = (points * self.point_value)
            .round_dp_with_strategy(currency.minor_unit(), RoundingStrategy::ToZero);
        currency.round(value)
    }

    /// The fewest whole points that pay `amount`; `None` when points are worth nothing.
    pub fn points_for(&self, amount: Decimal) -> Option<Decimal> {
        if self.point_value <= Decimal::ZERO {
            return None;
        }
        Some((amount / self.point_value).round_dp_with_strategy(0, RoundingStrategy::AwayFromZero))
    }
}

/// A duplicate customer merged into another, as the points outbox carries it to the server's
/// ledger (`POST /api/loyalty/merge`): the duplicate's points move to the survivor once, however
/// often it is sent and whichever device sends the same merge, and points earned or spent under
/// the duplicate's id later land on the survivor. Made with the merge, offline too.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoyaltyMerge {
    pub id: Uuid,
    pub duplicate: Uuid,
    pub survivor: Uuid,
    pub staff: Uuid,
    pub at_ms: i64,
}

impl LoyaltyRule {
    /// The points a return without a receipt takes back from the customer attached to it: what
    /// the money it gives back would have earned by this rule (per amount, per visit, per
    /// product) on a sale of the same goods paid with money, however it goes back (cash, or
    /// store credit on a gift card, which a sale would not earn on). Nothing tells which sale
    /// earned the points, so "buy, earn, return without the receipt" must cost what it earned.
    pub fn taken_back_without_receipt(&self, goods: &Sale) -> Decimal {
        self.earned(&Purchase {
            paid_with_stored_value: Decimal::ZERO,
            ..Purchase::of_sale(goods)
        })
    }
}

impl Sale {
    /// The sale made for goods returned without a receipt, named for `customer` with the points
    /// its return takes back ([`LoyaltyRule::taken_back_without_receipt`]) as what it "earned":
    /// the refund of the whole of it then takes them back ([`Refund::points_ops`]). Unchanged
    /// without a customer or a rule, or in training.
    pub fn returned_without_receipt_by(
        self,
        customer: Option<Uuid>,
        rule: Option<&LoyaltyRule>,
    ) -> Sale {
        let (Some(customer), Some(rule)) = (customer, rule) else {
            return self;
        };
        if self.is_training() {
            return self;
        }
        let points = rule.taken_back_without_receipt(&self);
        self.for_customer(Some(customer)).with_points_earned(points)
    }
}

/// The points a return takes back: `earned` on a sale that took `paid`, of which
/// `refunded_total` has now been refunded (this return included), less what earlier returns
/// took back already. In proportion, rounded so that a return of everything takes back exactly
/// what was earned and partial returns never take more.
pub fn points_to_take_back(
    earned: Decimal,
    already_taken_back: Decimal,
    paid: Decimal,
    refunded_total: Decimal,
) -> Decimal {
    if paid <= Decimal::ZERO || earned <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let share = (refunded_total / paid).clamp(Decimal::ZERO, Decimal::ONE);
    let due = whole_points_down(earned * share);
    (due - already_taken_back).max(Decimal::ZERO)
}

fn whole_points_down(points: Decimal) -> Decimal {
    points
        .max(Decimal::ZERO)
        .round_dp_with_strategy(0, RoundingStrategy::ToZero)
}

impl Refund {
    /// The loyalty operations of this refund of `sale` (of which `refunded_before` was refunded
    /// by earlier returns): the share of the points the sale earned that this return takes back
    /// ([`crate::loyalty::points_to_take_back`]), and the points of its points parts given back
    /// to the customer. Each id is made from the refund's, so making them again counts once.
    pub fn points_ops(
        &self,
        sale: &Sale,
        refunded_before: Decimal,
        staff: Uuid,
        device: Uuid,
        at_ms: i64,
    ) -> Vec<LoyaltyOp> {
        let Some(customer) = sale.customer() else {
            return Vec::new();
        };
        if self.training {
            return Vec::new();
        }
        let op = |name: String, kind, points, at_ms| LoyaltyOp {
            id: Uuid::new_v5(&self.id, name.as_bytes()),
            customer,
            kind,
            points,
            sale: sale.id(),
            staff,
            device,
            at_ms,
            offline: false,
        };
        let mut ops = Vec::new();
        for part in &self.tenders {
            if part.carried || part.in_cash || part.amount.is_zero() {
                continue;
            }
            let Some(at) = part.card else { continue };
            let Some(Tender::Points {
                points,
                amount,
                customer: paid_by,
                ..
            }) = sale.tenders().get(at as usize)
            else {
                continue;
            };
            let back = if part.amount >= *amount {
                *points
            } else {
                (*points * part.amount / *amount).floor()
            };
            if back > Decimal::ZERO && *paid_by == customer {
                let name = format!("points/give-back/{at}");
                ops.push(op(name, LoyaltyOpKind::GiveBack, back, at_ms));
            }
        }
        if let Some(earned) = sale.points().map(|p| p.earned) {
            let paid = sale.amount_paid();
            let before = points_to_take_back(earned, Decimal::ZERO, paid, refunded_before);
            let now = points_to_take_back(earned, before, paid, refunded_before + self.amount);
            if now > Decimal::ZERO {
                // After what is given back, so the customer's points never dip below zero for
                // a moment when the points earned were spent already.
                let name = "points/take-back".to_string();
                ops.push(op(
                    name,
                    LoyaltyOpKind::TakeBack,
                    now,
                    at_ms.saturating_add(1),
                ));
            }
        }
        ops
    }
}
