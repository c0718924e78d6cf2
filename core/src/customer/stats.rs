//! What a customer bought, counted from the sales of every device: visits, total spent, the
//! average ticket and lifetime value. Sales read from several documents count once by id;
//! training and voided sales never count, as in the day's money.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use uuid::Uuid;

use crate::docs::{Refund, Void};
use crate::sale::Sale;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerStats {
    /// Sales made for the customer.
    pub visits: u64,
    /// What those sales took ([`Sale::amount_paid`]) less what the store's gift cards paid of
    /// them: that value was counted as spent when the card was sold, whoever bought it.
    pub total_spent: Decimal,
    /// What refunds of those sales paid back, less what went back onto gift cards.
    pub refunded: Decimal,
    /// `total_spent / visits`, rounded to the currency; zero with no visit.
    pub average_ticket: Decimal,
    /// What the customer is worth to the store so far: spent less refunded.
    pub lifetime_value: Decimal,
    pub first_visit_ms: Option<i64>,
    pub last_visit_ms: Option<i64>,
}

impl CustomerStats {
    /// The stats of the person whose ids are `customer_ids` (from
    /// [`CustomerDirectory::ids_of`](super::CustomerDirectory::ids_of), so merged duplicates count).
    pub fn of(customer_ids: &[Uuid], sales: &[Sale], refunds: &[Refund], voids: &[Void]) -> Self {
        let voided: BTreeSet<Uuid> = voids.iter().map(|v| v.sale_id).collect();
        let mut counted = BTreeSet::new();
        let mut stats = CustomerStats::default();
        let mut currency = None;
        for sale in sales {
            let theirs = sale.customer().is_some_and(|c| customer_ids.contains(&c));
            if !theirs || sale.is_training() || voided.contains(&sale.id()) {
                continue;
            }
            if !counted.insert(sale.id()) {
                continue;
            }
            currency = Some(sale.rules().currency);
            stats.visits += 1;
            stats.total_spent += sale.amount_paid() - sale.gift_card_paid();
            let at = sale.completed_at_ms();
            stats.first_visit_ms = Some(stats.first_visit_ms.map_or(at, |f| f.min(at)));
            stats.last_visit_ms = Some(stats.last_visit_ms.map_or(at, |l| l.max(at)));
        }
        let mut refunds_seen = BTreeSet::new();
        stats.refunded = refunds
            .iter()
            .filter(|r| counted.contains(&r.sale_id) && refunds_seen.insert(r.id))
            .map(|r| {
                let to_gift_cards = r
                    .paid_back_as_recorded()
                    .map_or(Decimal::ZERO, |s| s.gift_card);
                r.amount - to_gift_cards
            })
            .sum();
        stats.lifetime_value = stats.total_spent - stats.refunded;
        if let Some(currency) = currency {
            stats.average_ticket = currency.round(stats.total_spent / Decimal::from(stats.visits));
        }
        stats
    }
}
