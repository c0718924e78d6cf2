//! Customers' loyalty points (issue 14), as the server keeps them: every points operation of a
//! store's customers (`loyalty_ops`) and each customer's balance as of the last one
//! (`loyalty_accounts`, written in the same transaction). Points follow the gift cards' rule
//! (`crate::gift_cards`): online, a till asks before it lets a customer pay with points, and the
//! check and the write are one `BEGIN IMMEDIATE` transaction, so two tills never spend one
//! balance twice; an operation made offline is recorded whatever the balance (it happened), and
//! an overdraft becomes a conflict (`loyalty_conflicts`). Points are whole numbers.
//!
//! `POST /api/loyalty/ops` records one operation; `GET /api/loyalty/customers/{id}` answers a
//! customer's balance and history; `POST /api/loyalty/merge` moves a merged duplicate's points to
//! the customer it was merged into (`merges`), after which every id of the person names one
//! account; `GET /api/loyalty/conflicts` lists the store's overdrafts for a manager
//! (`conflicts`).

mod conflicts;
mod merges;

pub use conflicts::{PointsConflict, conflicts};
pub(crate) use merges::SCHEMA as MERGES_SCHEMA;
pub use merges::{NewMerge, merge};

use std::time::SystemTime;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::AppState;
use crate::api::{self, ApiError, db, identity, json, json_body};
use crate::enroll::{millis, rfc3339};
use crate::gift_cards::Answer;
use crate::gift_cards::http::OP_ID_REUSED;
use crate::gift_cards::ledger::parsed;
use crate::storage::Storage;

/// The largest body `POST /api/loyalty/ops` reads: an operation is a few hundred bytes.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// The most points one operation moves (as core's `LoyaltyOp::check`).
pub const MAX_POINTS: u64 = 1_000_000_000;
/// Operations one customer may have: a customer buying every day for ten years has ~7,300.
pub const MAX_OPS_PER_CUSTOMER: u64 = 20_000;
/// The `reason` of the 409 to a redemption above the customer's points; the body carries `balance`.
pub const INSUFFICIENT_POINTS: &str = "insufficient_points";

/// Migration 12 (`crate::storage`'s list). Applied once: append a new one, never edit this.
pub(crate) const SCHEMA: &str = "
    CREATE TABLE loyalty_accounts (
        store_id TEXT NOT NULL REFERENCES stores (store_id),
        customer TEXT NOT NULL,
        balance  TEXT NOT NULL,
        ops      INTEGER NOT NULL,
        PRIMARY KEY (store_id, customer)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE loyalty_ops (
        store_id      TEXT NOT NULL,
        op_id         TEXT NOT NULL,
        customer      TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        points        TEXT NOT NULL,
        sale          TEXT NOT NULL,
        offline       INTEGER NOT NULL,
        device_id     TEXT NOT NULL,
        staff_id      TEXT NOT NULL,
        made_at       INTEGER NOT NULL,
        recorded_at   INTEGER NOT NULL,
        balance_after TEXT NOT NULL,
        answer        TEXT NOT NULL,
        PRIMARY KEY (store_id, op_id),
        UNIQUE (store_id, customer, seq),
        FOREIGN KEY (store_id, customer) REFERENCES loyalty_accounts (store_id, customer)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE loyalty_conflicts (
        store_id    TEXT NOT NULL,
        op_id       TEXT NOT NULL,
        customer    TEXT NOT NULL,
        overdraft   TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (store_id, op_id),
        FOREIGN KEY (store_id, op_id) REFERENCES loyalty_ops (store_id, op_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX loyalty_conflicts_by_customer ON loyalty_conflicts (store_id, customer);";

/// What an operation does to a customer's points: core's `LoyaltyOpKind`, by the same names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointsKind {
    Earn,
    Redeem,
    TakeBack,
    GiveBack,
    /// A merged duplicate's balance leaving it; written only by a merge, like `MergeIn`, and,
    /// unlike the others, with the balance's sign (a duplicate overdrawn moves its debt).
    MergeOut,
    /// The duplicate's balance arriving on the customer it was merged into.
    MergeIn,
}

impl PointsKind {
    const ALL: [PointsKind; 6] = [
        PointsKind::Earn,
        PointsKind::Redeem,
        PointsKind::TakeBack,
        PointsKind::GiveBack,
        PointsKind::MergeOut,
        PointsKind::MergeIn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PointsKind::Earn => "earn",
            PointsKind::Redeem => "redeem",
            PointsKind::TakeBack => "take_back",
            PointsKind::GiveBack => "give_back",
            PointsKind::MergeOut => "merge_out",
            PointsKind::MergeIn => "merge_in",
        }
    }

    /// What the operation of `points` does to the balance.
    fn change(self, points: Decimal) -> Decimal {
        match self {
            PointsKind::Earn | PointsKind::GiveBack | PointsKind::MergeIn => points,
            PointsKind::Redeem | PointsKind::TakeBack | PointsKind::MergeOut => -points,
        }
    }
}

/// The body of `POST /api/loyalty/ops`; the device is the one whose token sent it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPointsOp {
    /// Made by the till; sending it again returns the first answer.
    pub op_id: Uuid,
    pub customer: Uuid,
    pub kind: PointsKind,
    /// Whole points as a string ("120").
    pub points: String,
    /// The sale the points were earned on, spent on or returned from.
    pub sale: Uuid,
    pub staff: Uuid,
    /// RFC 3339, UTC.
    pub made_at: String,
    #[serde(default)]
    pub offline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CheckedPointsOp {
    op_id: Uuid,
    customer: Uuid,
    kind: PointsKind,
    points: Decimal,
    sale: Uuid,
    staff: Uuid,
    made_at: i64,
    offline: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LoyaltyError {
    #[error("{0}")]
    Invalid(String),
    #[error(
        "The customer has {balance} points, fewer than {asked}. Take the rest with another tender."
    )]
    InsufficientPoints { balance: Decimal, asked: Decimal },
    #[error(
        "This operation id was already used for a different operation. Send the operation with \
         a new id."
    )]
    OpIdReused,
    #[error(
        "This customer has {MAX_OPS_PER_CUSTOMER} points operations, the most the server keeps."
    )]
    TooManyOps,
    #[error(transparent)]
    Storage(#[from] rusqlite::Error),
}

impl From<LoyaltyError> for ApiError {
    fn from(e: LoyaltyError) -> Self {
        match &e {
            LoyaltyError::Invalid(_) => {
                ApiError::new(StatusCode::BAD_REQUEST, api::INVALID, e.to_string())
            }
            LoyaltyError::InsufficientPoints { balance, .. } => {
                let mut refusal =
                    ApiError::new(StatusCode::CONFLICT, INSUFFICIENT_POINTS, e.to_string());
                refusal
                    .extra
                    .insert("balance".into(), balance.to_string().into());
                refusal
            }
            LoyaltyError::OpIdReused => {
                ApiError::new(StatusCode::CONFLICT, OP_ID_REUSED, e.to_string())
            }
            LoyaltyError::TooManyOps => ApiError::new(
                StatusCode::CONFLICT,
                crate::gift_cards::http::TOO_MANY_OPS,
                e.to_string(),
            ),
            LoyaltyError::Storage(_) => ApiError::storage(e),
        }
    }
}

/// Whole points: digits only, more than zero, at most [`MAX_POINTS`].
pub fn parse_points(text: &str) -> Result<Decimal, LoyaltyError> {
    let ok = !text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit());
    let points: Option<u64> = ok.then(|| text.parse().ok()).flatten();
    match points {
        Some(p) if p > 0 && p <= MAX_POINTS => Ok(Decimal::from(p)),
        _ => Err(LoyaltyError::Invalid(format!(
            "points must be a whole number such as \"120\", above 0 and at most {MAX_POINTS}."
        ))),
    }
}

impl NewPointsOp {
    fn check(self) -> Result<CheckedPointsOp, LoyaltyError> {
        let made_at = humantime::parse_rfc3339(&self.made_at).map_err(|_| {
            LoyaltyError::Invalid(
                "made_at must be a time in RFC 3339, in UTC (2026-11-29T12:00:00Z).".into(),
            )
        })?;
        if matches!(self.kind, PointsKind::MergeOut | PointsKind::MergeIn) {
            return Err(LoyaltyError::Invalid(
                "merge_out and merge_in are written by POST /api/loyalty/merge only.".into(),
            ));
        }
        Ok(CheckedPointsOp {
            op_id: self.op_id,
            customer: self.customer,
            kind: self.kind,
            points: parse_points(&self.points)?,
            sale: self.sale,
            staff: self.staff,
            made_at: millis(made_at),
            offline: self.offline,
        })
    }
}

/// An operation as the ledger holds it, and as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedPointsOp {
    pub op_id: Uuid,
    pub customer: Uuid,
    pub kind: PointsKind,
    pub points: Decimal,
    pub sale: Uuid,
    pub offline: bool,
    pub device: String,
    pub staff: Uuid,
    pub made_at: String,
    pub recorded_at: String,
    pub balance_after: Decimal,
}

/// A customer's points, as the API answers them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointsAccount {
    pub customer: Uuid,
    /// Below zero after an overdraft reported from offline.
    pub balance: Decimal,
    /// Points spent offline on two devices overdrew the customer.
    pub in_conflict: bool,
    /// Points spent offline beyond the balance, in all, to settle.
    pub overdrawn: Decimal,
}

#[derive(Debug, Clone, Serialize)]
struct RecordedAnswer {
    op: RecordedPointsOp,
    account: PointsAccount,
}

#[derive(Debug, Clone, Serialize)]
pub struct PointsHistory {
    #[serde(flatten)]
    pub account: PointsAccount,
    pub history: Vec<RecordedPointsOp>,
}

fn kind_at(row: &Row<'_>, i: usize) -> rusqlite::Result<PointsKind> {
    let text: String = row.get(i)?;
    PointsKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text)
        .ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                i,
                Type::Text,
                format!("unknown points operation {text:?}").into(),
            )
        })
}

const OP_COLUMNS: &str = "op_id, customer, kind, points, sale, offline, device_id, staff_id, made_at, recorded_at, balance_after";

fn op_of_row(r: &Row<'_>) -> rusqlite::Result<RecordedPointsOp> {
    Ok(RecordedPointsOp {
        op_id: parsed(r, 0)?,
        customer: parsed(r, 1)?,
        kind: kind_at(r, 2)?,
        points: parsed(r, 3)?,
        sale: parsed(r, 4)?,
        offline: r.get(5)?,
        device: r.get(6)?,
        staff: parsed(r, 7)?,
        made_at: rfc3339(r.get(8)?),
        recorded_at: rfc3339(r.get(9)?),
        balance_after: parsed(r, 10)?,
    })
}

fn balance_of(
    tx: &Transaction<'_>,
    store: &str,
    customer: &str,
) -> rusqlite::Result<Option<(Decimal, u64)>> {
    tx.prepare_cached(
        "SELECT balance, ops FROM loyalty_accounts WHERE store_id = ?1 AND customer = ?2",
    )?
    .query_row([store, customer], |r| {
        Ok((parsed(r, 0)?, r.get::<_, i64>(1)?.max(0) as u64))
    })
    .optional()
}

/// `person(id)`: the customer `?2` and every id merged into it, directly or through another,
/// in the store `?1`; the start of a statement that reads them.
const PERSON: &str = "WITH RECURSIVE person (id) AS (SELECT ?2 UNION \
     SELECT m.duplicate FROM loyalty_merges m JOIN person p ON m.survivor = p.id \
     WHERE m.store_id = ?1 AND m.applied = 1)";

fn account_of(
    tx: &Transaction<'_>,
    store: &str,
    customer: Uuid,
    balance: Decimal,
) -> rusqlite::Result<PointsAccount> {
    // The overdrafts of every id of the person: one made under a duplicate merged since counts.
    let overdrafts: Vec<String> = tx
        .prepare_cached(&format!(
            "{PERSON} SELECT overdraft FROM loyalty_conflicts \
             WHERE store_id = ?1 AND customer IN (SELECT id FROM person)"
        ))?
        .query_map([store, &customer.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let overdrawn = overdrafts
        .iter()
        .filter_map(|o| o.parse::<Decimal>().ok())
        .sum();
    Ok(PointsAccount {
        customer,
        balance,
        in_conflict: !overdrafts.is_empty(),
        overdrawn,
    })
}

impl Storage {
    /// Records one points operation of a customer of `store`, sent by `device`: an online
    /// redemption only if the customer has the points, checked and written in one
    /// `BEGIN IMMEDIATE` transaction. An operation sent again gets its first answer. Blocking.
    pub fn record_points_op(
        &self,
        store: &str,
        device: &str,
        op: NewPointsOp,
        now: SystemTime,
    ) -> Result<Answer, LoyaltyError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut op = op.check()?;
        // Points of a duplicate merged already go to the customer it was merged into: a till
        // that had not heard of the merge still names the duplicate.
        op.customer = merges::resolve(&tx, store, op.customer)?;
        let customer = op.customer.to_string();
        let earlier = tx
            .prepare_cached(
                "SELECT customer, kind, points, sale, staff_id, made_at, offline, device_id, answer \
                 FROM loyalty_ops WHERE store_id = ?1 AND op_id = ?2",
            )?
            .query_row((store, op.op_id.to_string()), |r| {
                let stored = CheckedPointsOp {
                    op_id: op.op_id,
                    customer: parsed::<Uuid>(r, 0)?,
                    kind: kind_at(r, 1)?,
                    points: parsed(r, 2)?,
                    sale: parsed(r, 3)?,
                    staff: parsed(r, 4)?,
                    made_at: r.get(5)?,
                    offline: r.get(6)?,
                };
                Ok((stored, r.get::<_, String>(7)?, r.get::<_, String>(8)?))
            })
            .optional()?;
        // Recorded under the person's account of then, which a merge since may have joined to
        // another: the same person is the same customer.
        let earlier = match earlier {
            Some((stored, by, json)) => {
                let customer = merges::resolve(&tx, store, stored.customer)?;
                Some((CheckedPointsOp { customer, ..stored }, by, json))
            }
            None => None,
        };
        match earlier {
            Some((stored, by, json)) if stored == op && by == device => {
                return Ok(Answer {
                    json,
                    repeated: true,
                });
            }
            Some(_) => return Err(LoyaltyError::OpIdReused),
            None => {}
        }
        let (balance, ops) = balance_of(&tx, store, &customer)?.unwrap_or_default();
        if ops >= MAX_OPS_PER_CUSTOMER {
            return Err(LoyaltyError::TooManyOps);
        }
        if op.kind == PointsKind::Redeem && !op.offline && balance < op.points {
            return Err(LoyaltyError::InsufficientPoints {
                balance,
                asked: op.points,
            });
        }
        let after = balance + op.kind.change(op.points);
        // Only spending offline past the balance is a conflict; points taken back by a return
        // after they were spent are the store's loss, shown as the negative balance.
        let overdraft = (op.offline && op.kind == PointsKind::Redeem && after.is_sign_negative())
            .then(|| op.points.min(-after));
        tx.prepare_cached(
            "INSERT INTO loyalty_accounts (store_id, customer, balance, ops) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (store_id, customer) DO UPDATE SET balance = excluded.balance, ops = excluded.ops",
        )?
        .execute((store, &customer, after.to_string(), (ops + 1) as i64))?;
        let recorded = RecordedPointsOp {
            op_id: op.op_id,
            customer: op.customer,
            kind: op.kind,
            points: op.points,
            sale: op.sale,
            offline: op.offline,
            device: device.to_string(),
            staff: op.staff,
            made_at: rfc3339(op.made_at),
            recorded_at: rfc3339(millis(now)),
            balance_after: after,
        };
        // The answer is written with the row; the conflict (if any) must be in before it is read.
        tx.prepare_cached(
            "INSERT INTO loyalty_ops (store_id, op_id, customer, seq, kind, points, sale, offline, \
             device_id, staff_id, made_at, recorded_at, balance_after, answer) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, '')",
        )?
        .execute(rusqlite::params![
            store,
            op.op_id.to_string(),
            &customer,
            (ops + 1) as i64,
            op.kind.as_str(),
            op.points.to_string(),
            op.sale.to_string(),
            op.offline,
            device,
            op.staff.to_string(),
            op.made_at,
            millis(now),
            after.to_string(),
        ])?;
        if let Some(overdraft) = overdraft {
            tx.prepare_cached(
                "INSERT INTO loyalty_conflicts (store_id, op_id, customer, overdraft, recorded_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute((
                store,
                op.op_id.to_string(),
                &customer,
                overdraft.to_string(),
                millis(now),
            ))?;
        }
        let answer = RecordedAnswer {
            op: recorded,
            account: account_of(&tx, store, op.customer, after)?,
        };
        let json = serde_json::to_string(&answer)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.prepare_cached("UPDATE loyalty_ops SET answer = ?3 WHERE store_id = ?1 AND op_id = ?2")?
            .execute((store, op.op_id.to_string(), &json))?;
        tx.commit()?;
        Ok(Answer {
            json,
            repeated: false,
        })
    }

    /// A customer's points and their operations, oldest first; a customer with none has 0. A
    /// duplicate merged into another answers for that one (`customer` says which). Blocking.
    pub fn points_of(&self, store: &str, customer: Uuid) -> Result<PointsHistory, LoyaltyError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let customer = merges::resolve(&tx, store, customer)?;
        let id = customer.to_string();
        let (balance, _) = balance_of(&tx, store, &id)?.unwrap_or_default();
        let history = tx
            .prepare_cached(&format!(
                "SELECT {OP_COLUMNS} FROM loyalty_ops WHERE store_id = ?1 AND customer = ?2 ORDER BY seq"
            ))?
            .query_map([store, id.as_str()], op_of_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(PointsHistory {
            account: account_of(&tx, store, customer, balance)?,
            history,
        })
    }
}

/// `POST /api/loyalty/ops`: records one points operation, `{"op_id", "customer", "kind", "points",
/// "sale", "staff", "made_at", "offline"}`, and answers 201 `{"op": {...}, "account": {"customer",
/// "balance", "in_conflict", "overdrawn"}}`; sent again, the same answer with
/// `Idempotent-Replayed: true`. An online redemption above the balance: 409
/// `insufficient_points` with `balance`.
pub async fn record_op(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<NewPointsOp>, JsonRejection>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let op = json_body(body, "A points operation", MAX_BODY_BYTES)?;
    let storage = state.storage.clone();
    let now = state.clock.now();
    let answer =
        db(move || storage.record_points_op(&me.store_id, &me.device_id, op, now)).await??;
    crate::gift_cards::http::created(answer)
}

/// `GET /api/loyalty/customers/{id}`: `{"customer", "balance", "in_conflict", "overdrawn",
/// "history": [op, ...]}` of a customer of the device's store; for a merged duplicate, those of
/// the customer it was merged into.
pub async fn customer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(customer): Path<Uuid>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let storage = state.storage.clone();
    let answer = db(move || storage.points_of(&me.store_id, customer)).await??;
    json(StatusCode::OK, answer)
}
