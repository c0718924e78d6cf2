//! The gift card report: what the store owes on its cards (the liability) and what was issued,
//! added, redeemed and refunded to cards in a period, in total and per card as a CSV file; and
//! the manager's period report as the server's ledger answers it, with its CSV file.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{GiftCardLedger, GiftCardNumber, GiftCardOp, GiftCardOpKind};
use crate::spreadsheet::guard;

/// What moved through cards in a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GiftCardTotals {
    /// Value issued on activation, forced issues included.
    pub issued: Decimal,
    pub added: Decimal,
    /// Redeemed as a tender, forced redemptions included.
    pub redeemed: Decimal,
    pub refunded_to_cards: Decimal,
    /// Written off as expired by a manager.
    pub expired: Decimal,
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
            GiftCardOpKind::Expire { .. } => self.expired += op.amount,
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

/// One operation of a period, as the server's ledger recorded it: the rows of
/// [`GiftCardPeriodReport`] and of its CSV file. `kind` is the server's name (`issue`,
/// `add_value`, `redeem`, `refund_to_card`, `deactivate`, `reactivate`, `forced_issue`,
/// `forced_redeem`, `sale_refunded`, `expire`); `made_at` the till's time, RFC 3339 in UTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodOp {
    pub op_id: Uuid,
    pub made_at: String,
    pub card: String,
    pub kind: String,
    /// `None` for a status change.
    pub amount: Option<Decimal>,
    pub offline: bool,
    pub device: String,
    pub staff: Uuid,
    pub auth_code: Option<String>,
    pub reason: Option<String>,
}

/// What moved through a store's gift cards from `from` (included) to `to` (excluded), by the
/// tills' times, and what the store owed on them at `to`: the manager's period report
/// (`GET /api/gift-cards/report`, made by the server from its ledger, read by the app).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GiftCardPeriodReport {
    pub currency: String,
    /// RFC 3339, UTC.
    pub from: String,
    pub to: String,
    /// Value issued in the period: on new cards (forced issues included) and added to cards.
    pub issued: Decimal,
    /// Of `issued`, the value added to cards already sold.
    pub added: Decimal,
    /// Redeemed as a tender, forced redemptions included.
    pub redeemed: Decimal,
    pub refunded_to_cards: Decimal,
    /// Written off as expired by a manager in the period (absent from servers before it).
    #[serde(default)]
    pub expired: Decimal,
    /// The sum of the positive balances at `to`: what customers could still spend.
    pub liability: Decimal,
    /// The sum of the overdrafts at `to`, as a positive amount.
    pub overdrawn: Decimal,
    /// The period's operations, oldest first, at most the server's limit.
    pub ops: Vec<PeriodOp>,
    /// Operations of the period counted in the totals but past the limit of `ops`.
    pub ops_left_out: u64,
}

/// The columns of [`GiftCardPeriodReport::csv`].
pub const GIFT_CARD_PERIOD_CSV_HEADER: [&str; 10] = [
    "made_at",
    "kind",
    "card",
    "amount",
    "offline",
    "op_id",
    "device",
    "staff",
    "auth_code",
    "reason",
];

impl GiftCardPeriodReport {
    /// The totals as (`kind` cell, amount) rows, in the order the file and the screen list them.
    pub fn totals(&self) -> [(&'static str, Decimal); 7] {
        [
            ("total_issued", self.issued),
            ("total_added", self.added),
            ("total_redeemed", self.redeemed),
            ("total_refunded_to_cards", self.refunded_to_cards),
            ("total_expired", self.expired),
            ("liability_at_end", self.liability),
            ("overdrawn_at_end", self.overdrawn),
        ]
    }

    /// The period as a CSV file: [`GIFT_CARD_PERIOD_CSV_HEADER`], one row per operation, oldest
    /// first, then one row per total ([`Self::totals`]) with its name in `kind`, the period's
    /// end in `made_at` and the other cells empty. Amounts are decimal strings at the currency's
    /// scale; the authorisation code and reason, typed by a person, are guarded against
    /// spreadsheet formulas.
    pub fn csv(&self) -> String {
        let mut out = csv::Writer::from_writer(Vec::new());
        let mut row = |cells: [&str; 10]| {
            out.write_record(cells.map(|c| guard(c).into_owned()))
                .expect("writing to memory cannot fail");
        };
        row(GIFT_CARD_PERIOD_CSV_HEADER);
        for op in &self.ops {
            let amount = op.amount.map(|a| a.to_string()).unwrap_or_default();
            let (op_id, staff) = (op.op_id.to_string(), op.staff.to_string());
            row([
                &op.made_at,
                &op.kind,
                &op.card,
                &amount,
                if op.offline { "true" } else { "false" },
                &op_id,
                &op.device,
                &staff,
                op.auth_code.as_deref().unwrap_or_default(),
                op.reason.as_deref().unwrap_or_default(),
            ]);
        }
        for (kind, amount) in self.totals() {
            let amount = amount.to_string();
            row([&self.to, kind, "", &amount, "", "", "", "", "", ""]);
        }
        drop(row);
        let bytes = out.into_inner().expect("writing to memory cannot fail");
        String::from_utf8(bytes).expect("every cell is a Rust string")
    }
}
