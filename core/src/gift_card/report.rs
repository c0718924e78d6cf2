//! The gift card report: what the store owes on its cards (the liability) and what was issued,
//! added, redeemed and refunded to cards in a period, in total and per card as a CSV file.

use rust_decimal::Decimal;

use super::{GiftCardLedger, GiftCardNumber, GiftCardOp, GiftCardOpKind};

/// What moved through cards in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GiftCardTotals {
    /// Value issued on activation, forced issues included.
    pub issued: Decimal,
    pub added: Decimal,
    /// Redeemed as a tender, forced redemptions included.
    pub redeemed: Decimal,
    pub refunded_to_cards: Decimal,
    pub activations: u64,
}

impl GiftCardTotals {
    fn add(&mut self, op: &GiftCardOp) {
        match op.kind {
            GiftCardOpKind::Activate | GiftCardOpKind::ForcedIssue(_) => {
                self.issued += op.amount;
                self.activations += 1;
            }
            GiftCardOpKind::AddValue => self.added += op.amount,
            GiftCardOpKind::Redeem | GiftCardOpKind::ForcedRedeem(_) => self.redeemed += op.amount,
            GiftCardOpKind::RefundToCard => self.refunded_to_cards += op.amount,
            // The refunded sale of a card takes back the value it issued.
            GiftCardOpKind::SaleRefunded => self.issued -= op.amount,
            GiftCardOpKind::Deactivate | GiftCardOpKind::Reactivate => {}
        }
    }
}

/// The columns of [`GiftCardLedger::report_csv`].
pub const GIFT_CARD_CSV_HEADER: [&str; 9] = [
    "card",
    "status",
    "balance",
    "issued",
    "added",
    "redeemed",
    "refunded_to_card",
    "overdrafts",
    "last_operation_ms",
];

impl GiftCardLedger {
    /// What the store owes on its cards: the sum of their balances above zero. An overdrawn
    /// card owes the store, which is its conflict's business, not the liability's.
    pub fn liability(&self) -> Decimal {
        self.cards()
            .map(|card| self.balance(card).max(Decimal::ZERO))
            .sum()
    }

    /// What moved through every card from `from_ms` (included) to `to_ms` (excluded).
    pub fn totals_between(&self, from_ms: i64, to_ms: i64) -> GiftCardTotals {
        let mut totals = GiftCardTotals::default();
        for card in self.cards() {
            self.add_card_totals(card, from_ms, to_ms, &mut totals);
        }
        totals
    }

    fn add_card_totals(
        &self,
        card: &GiftCardNumber,
        from_ms: i64,
        to_ms: i64,
        totals: &mut GiftCardTotals,
    ) {
        for op in self.history(card) {
            if (from_ms..to_ms).contains(&op.at_ms) {
                totals.add(op);
            }
        }
    }

    /// One row per card with operations in the period: its status and balance now, what moved
    /// through it in the period, and how many overdrafts it has. Every cell is a digit string,
    /// a number or a status word, nothing typed by a person, so none needs guarding against
    /// spreadsheet formulas (and a negative balance stays a number).
    pub fn report_csv(&self, from_ms: i64, to_ms: i64) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(GIFT_CARD_CSV_HEADER)
            .expect("writing to memory cannot fail");
        for card in self.cards() {
            let mut totals = GiftCardTotals::default();
            self.add_card_totals(card, from_ms, to_ms, &mut totals);
            if totals == GiftCardTotals::default() {
                continue;
            }
            let summary = self.summary(card);
            let cells = [
                card.digits().to_string(),
                format!("{:?}", summary.status).to_lowercase(),
                summary.balance.to_string(),
                totals.issued.to_string(),
                totals.added.to_string(),
                totals.redeemed.to_string(),
                totals.refunded_to_cards.to_string(),
                self.conflicts(card).len().to_string(),
                summary
                    .last_at_ms
                    .map(|ms| ms.to_string())
                    .unwrap_or_default(),
            ];
            out.write_record(cells)
                .expect("writing to memory cannot fail");
        }
        let bytes = out.into_inner().expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("every cell is a Rust string")
    }
}
