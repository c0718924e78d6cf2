//! A duplicate customer merged into another (the customers document's `merged`, made on any
//! device, offline too) takes its points along: `POST /api/loyalty/merge` moves the duplicate's
//! balance onto the survivor as a `merge_out` and `merge_in` pair in one `BEGIN IMMEDIATE`
//! transaction, and from then on the duplicate's id names the survivor's account (`resolve`):
//! points a till earns or spends under it, not having heard of the merge, land there.
//!
//! A merge is idempotent by its op id, and a merge of two customers that are one person already
//! (the same merge made on two devices, or crossed merges of A into B and B into A) moves
//! nothing, so points are never counted twice. The first merge of a duplicate the server hears
//! of wins: one merged at once into two different customers on two devices follows the first.

use std::time::SystemTime;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{LoyaltyError, MAX_BODY_BYTES, PointsAccount, PointsKind, account_of, balance_of};
use crate::AppState;
use crate::api::{ApiError, db, identity, json_body};
use crate::enroll::millis;
use crate::gift_cards::Answer;
use crate::gift_cards::ledger::parsed;
use crate::storage::Storage;

/// Migration 14 (`crate::storage`'s list). `applied` is 1 for the merge that joined `duplicate`
/// to `survivor` (at most one per duplicate), 0 for one that found them joined already; `moved`
/// is the balance it moved. Applied once: append a new one, never edit this.
pub(crate) const SCHEMA: &str = "
    CREATE TABLE loyalty_merges (
        store_id    TEXT NOT NULL REFERENCES stores (store_id),
        op_id       TEXT NOT NULL,
        duplicate   TEXT NOT NULL,
        survivor    TEXT NOT NULL,
        applied     INTEGER NOT NULL,
        moved       TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        staff_id    TEXT NOT NULL,
        made_at     INTEGER NOT NULL,
        recorded_at INTEGER NOT NULL,
        answer      TEXT NOT NULL,
        PRIMARY KEY (store_id, op_id)
    ) STRICT, WITHOUT ROWID;
    CREATE UNIQUE INDEX loyalty_merged_once ON loyalty_merges (store_id, duplicate)
        WHERE applied = 1;
    CREATE INDEX loyalty_merges_by_survivor ON loyalty_merges (store_id, survivor)
        WHERE applied = 1;";

/// Longer chains of merges than this are not followed (each link is a merge someone made by hand).
const MAX_CHAIN: usize = 10_000;

/// The body of `POST /api/loyalty/merge`; the device is the one whose token sent it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMerge {
    /// Made by the till when the merge was made; sending it again returns the first answer.
    pub op_id: Uuid,
    /// The duplicate.
    pub from: Uuid,
    /// The customer it was merged into.
    pub into: Uuid,
    pub staff: Uuid,
    /// RFC 3339, UTC.
    pub made_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct CheckedMerge {
    from: Uuid,
    into: Uuid,
    staff: Uuid,
    made_at: i64,
}

impl NewMerge {
    fn check(&self) -> Result<CheckedMerge, LoyaltyError> {
        if self.from == self.into {
            return Err(LoyaltyError::Invalid(
                "A customer cannot be merged into itself.".into(),
            ));
        }
        let made_at = humantime::parse_rfc3339(&self.made_at).map_err(|_| {
            LoyaltyError::Invalid(
                "made_at must be a time in RFC 3339, in UTC (2026-11-29T12:00:00Z).".into(),
            )
        })?;
        Ok(CheckedMerge {
            from: self.from,
            into: self.into,
            staff: self.staff,
            made_at: millis(made_at),
        })
    }
}

/// What a merge did, as the API answers it.
#[derive(Debug, Clone, Serialize)]
struct MergeDone {
    op_id: Uuid,
    from: Uuid,
    into: Uuid,
    /// The account both ids name now.
    survivor: Uuid,
    /// The duplicate's balance moved onto the survivor (0 when they were one person already).
    moved: Decimal,
    /// False when the two were one person already: this merge moved nothing.
    applied: bool,
}

#[derive(Debug, Clone, Serialize)]
struct MergeAnswer {
    merge: MergeDone,
    account: PointsAccount,
}

/// The customer whose account `id` names: itself, or the one it was merged into, through any
/// chain of merges. Merges never make a loop ([`Storage::merge_points`] joins only two persons).
pub(super) fn resolve(tx: &Transaction<'_>, store: &str, id: Uuid) -> rusqlite::Result<Uuid> {
    let mut stmt = tx.prepare_cached(
        "SELECT survivor FROM loyalty_merges WHERE store_id = ?1 AND duplicate = ?2 AND applied = 1",
    )?;
    let mut at = id;
    for _ in 0..MAX_CHAIN {
        let next: Option<Uuid> = stmt
            .query_row([store, &at.to_string()], |r| parsed(r, 0))
            .optional()?;
        match next {
            Some(next) => at = next,
            None => break,
        }
    }
    Ok(at)
}

/// One side of a merge: `points` (signed) leave or reach `customer`'s account.
struct Side {
    op_id: Uuid,
    customer: Uuid,
    kind: PointsKind,
    points: Decimal,
}

fn write_side(
    tx: &Transaction<'_>,
    store: &str,
    device: &str,
    merge: &CheckedMerge,
    now: i64,
    side: Side,
) -> rusqlite::Result<()> {
    let Side {
        op_id,
        customer,
        kind,
        points,
    } = side;
    let id = customer.to_string();
    let (balance, ops) = balance_of(tx, store, &id)?.unwrap_or_default();
    let after = balance + kind.change(points);
    tx.prepare_cached(
        "INSERT INTO loyalty_accounts (store_id, customer, balance, ops) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (store_id, customer) DO UPDATE SET balance = excluded.balance, ops = excluded.ops",
    )?
    .execute((store, &id, after.to_string(), (ops + 1) as i64))?;
    // A merge moves points of no sale; the merge's own answer is the one a repeat gets.
    tx.prepare_cached(
        "INSERT INTO loyalty_ops (store_id, op_id, customer, seq, kind, points, sale, offline, \
         device_id, staff_id, made_at, recorded_at, balance_after, answer) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9, ?10, ?11, ?12, '')",
    )?
    .execute(rusqlite::params![
        store,
        op_id.to_string(),
        &id,
        (ops + 1) as i64,
        kind.as_str(),
        points.to_string(),
        Uuid::nil().to_string(),
        device,
        merge.staff.to_string(),
        merge.made_at,
        now,
        after.to_string(),
    ])?;
    Ok(())
}

impl Storage {
    /// Merges the points of `merge.from` into `merge.into` for `store`, sent by `device`: the
    /// duplicate's balance moves, and its id names the survivor's account from then on. Sent
    /// again, the first answer; a merge of one person with itself moves nothing. Blocking.
    pub fn merge_points(
        &self,
        store: &str,
        device: &str,
        merge: NewMerge,
        now: SystemTime,
    ) -> Result<Answer, LoyaltyError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let checked = merge.check()?;
        let earlier = tx
            .prepare_cached(
                "SELECT duplicate, survivor, staff_id, made_at, device_id, answer \
                 FROM loyalty_merges WHERE store_id = ?1 AND op_id = ?2",
            )?
            .query_row((store, merge.op_id.to_string()), |r| {
                let stored = CheckedMerge {
                    from: parsed(r, 0)?,
                    into: parsed(r, 1)?,
                    staff: parsed(r, 2)?,
                    made_at: r.get(3)?,
                };
                Ok((stored, r.get::<_, String>(4)?, r.get::<_, String>(5)?))
            })
            .optional()?;
        match earlier {
            Some((stored, by, json)) if stored == checked && by == device => {
                return Ok(Answer {
                    json,
                    repeated: true,
                });
            }
            Some(_) => return Err(LoyaltyError::OpIdReused),
            None => {}
        }
        let now_ms = millis(now);
        let from = resolve(&tx, store, checked.from)?;
        let survivor = resolve(&tx, store, checked.into)?;
        // A duplicate merged already into someone else stays there: the first merge wins.
        let applied = from == checked.from && from != survivor;
        let moved = if applied {
            let (balance, _) = balance_of(&tx, store, &from.to_string())?.unwrap_or_default();
            if !balance.is_zero() {
                let sides = [
                    ("points/merge-out", from, PointsKind::MergeOut),
                    ("points/merge-in", survivor, PointsKind::MergeIn),
                ];
                for (name, customer, kind) in sides {
                    let side = Side {
                        op_id: Uuid::new_v5(&merge.op_id, name.as_bytes()),
                        customer,
                        kind,
                        points: balance,
                    };
                    write_side(&tx, store, device, &checked, now_ms, side)?;
                }
            }
            balance
        } else {
            Decimal::ZERO
        };
        let (balance, _) = balance_of(&tx, store, &survivor.to_string())?.unwrap_or_default();
        let answer = MergeAnswer {
            merge: MergeDone {
                op_id: merge.op_id,
                from: checked.from,
                into: checked.into,
                survivor,
                moved,
                applied,
            },
            account: account_of(&tx, store, survivor, balance)?,
        };
        let json = serde_json::to_string(&answer)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.prepare_cached(
            "INSERT INTO loyalty_merges (store_id, op_id, duplicate, survivor, applied, moved, \
             device_id, staff_id, made_at, recorded_at, answer) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(rusqlite::params![
            store,
            merge.op_id.to_string(),
            checked.from.to_string(),
            checked.into.to_string(),
            applied,
            moved.to_string(),
            device,
            checked.staff.to_string(),
            checked.made_at,
            now_ms,
            &json,
        ])?;
        tx.commit()?;
        Ok(Answer {
            json,
            repeated: false,
        })
    }
}

/// `POST /api/loyalty/merge`: `{"op_id", "from", "into", "staff", "made_at"}`, the duplicate
/// `from` merged into `into`; answers 201 `{"merge": {"op_id", "from", "into", "survivor",
/// "moved", "applied"}, "account": {...}}` with the survivor's points after it; sent again, the
/// same answer with `Idempotent-Replayed: true`.
pub async fn merge(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<NewMerge>, JsonRejection>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let merge = json_body(body, "A merge of customers' points", MAX_BODY_BYTES)?;
    let storage = state.storage.clone();
    let now = state.clock.now();
    let answer =
        db(move || storage.merge_points(&me.store_id, &me.device_id, merge, now)).await??;
    crate::gift_cards::http::created(answer)
}
