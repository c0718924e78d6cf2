//! The gift card ledger in SQLite: every operation on a store's cards (`gift_card_ops`), each
//! card's balance and status as of its last operation (`gift_cards`, written in the same
//! transaction as the operation, so it is always the sum of the card's operations), and the
//! overdrafts reported from offline (`gift_card_conflicts`). Amounts are decimal strings at the
//! store currency's scale, never floats, and are summed in Rust.

use std::time::SystemTime;

use pos_core::gift_card::{GiftCardPeriodReport, PeriodOp};
use rusqlite::types::Type;
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    Answer, CardBalance, CardHistory, CardState, CheckedOp, Conflict, GiftCardError, Liability,
    MAX_CARDS_PER_STORE, MAX_CONFLICTS_LISTED, MAX_OPS_PER_CARD, MAX_REPORT_OPS, NewOp, OpKind,
    Period, Recorded, RecordedOp, apply, check_card_number,
};
use crate::enroll::{millis, rfc3339};
use crate::storage::Storage;

/// Migration 11 (`crate::storage`'s list): the ledger's tables. Times are Unix milliseconds,
/// amounts decimal strings. `seq` orders a card's operations as the server recorded them;
/// `answer` is the JSON the first sending of an operation got, which a repeat gets again.
/// Applied once, like every migration: append a new one, never edit this.
pub(crate) const SCHEMA: &str = "
    CREATE TABLE gift_cards (
        store_id   TEXT NOT NULL REFERENCES stores (store_id),
        number     TEXT NOT NULL,
        balance    TEXT NOT NULL,
        active     INTEGER NOT NULL,
        ops        INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (store_id, number)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE gift_card_ops (
        store_id      TEXT NOT NULL,
        op_id         TEXT NOT NULL,
        number        TEXT NOT NULL,
        seq           INTEGER NOT NULL,
        kind          TEXT NOT NULL,
        amount        TEXT,
        offline       INTEGER NOT NULL,
        device_id     TEXT NOT NULL,
        staff_id      TEXT NOT NULL,
        made_at       INTEGER NOT NULL,
        recorded_at   INTEGER NOT NULL,
        auth_code     TEXT,
        reason        TEXT,
        balance_after TEXT NOT NULL,
        answer        TEXT NOT NULL,
        PRIMARY KEY (store_id, op_id),
        UNIQUE (store_id, number, seq),
        FOREIGN KEY (store_id, number) REFERENCES gift_cards (store_id, number)
    ) STRICT, WITHOUT ROWID;
    CREATE TABLE gift_card_conflicts (
        store_id    TEXT NOT NULL,
        op_id       TEXT NOT NULL,
        number      TEXT NOT NULL,
        overdraft   TEXT NOT NULL,
        with_ops    TEXT NOT NULL,
        recorded_at INTEGER NOT NULL,
        PRIMARY KEY (store_id, op_id),
        FOREIGN KEY (store_id, op_id) REFERENCES gift_card_ops (store_id, op_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX gift_card_conflicts_by_card ON gift_card_conflicts (store_id, number);";

const OP_COLUMNS: &str = "op_id, number, kind, amount, offline, device_id, staff_id, made_at, \
                          recorded_at, auth_code, reason, balance_after";

/// A stored text column parsed (a UUID, a decimal); a value that does not parse is reported as
/// SQLite's conversion error, as a column of the wrong type would be.
pub(crate) fn parsed<T>(row: &Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T: std::str::FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let text: String = row.get(i)?;
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

fn kind_at(row: &Row<'_>, i: usize) -> rusqlite::Result<OpKind> {
    let text: String = row.get(i)?;
    OpKind::from_stored(&text).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            Type::Text,
            format!("unknown gift card operation {text:?}").into(),
        )
    })
}

fn op_of_row(r: &Row<'_>) -> rusqlite::Result<RecordedOp> {
    let amount: Option<String> = r.get(3)?;
    Ok(RecordedOp {
        op_id: parsed(r, 0)?,
        card: r.get(1)?,
        kind: kind_at(r, 2)?,
        amount: match amount {
            Some(_) => Some(parsed(r, 3)?),
            None => None,
        },
        offline: r.get(4)?,
        device: r.get(5)?,
        staff: parsed(r, 6)?,
        made_at: rfc3339(r.get(7)?),
        recorded_at: rfc3339(r.get(8)?),
        auth_code: r.get(9)?,
        reason: r.get(10)?,
        balance_after: parsed(r, 11)?,
    })
}

/// Digits after the point in the store's currency (2 for a code the server does not know).
fn currency_of(tx: &Transaction<'_>, store: &str) -> rusqlite::Result<(String, u32)> {
    let code: String = tx
        .prepare_cached("SELECT currency FROM stores WHERE store_id = ?1")?
        .query_row([store], |r| r.get(0))?;
    let decimals = pos_core::Currency::from_code(&code).map_or(2, |c| c.minor_unit());
    Ok((code, decimals))
}

/// 0 at the currency's scale, so that sums print as the currency does ("0.00").
fn zero(decimals: u32) -> Decimal {
    Decimal::new(0, decimals)
}

/// The card's balance and status, and how many operations it has.
fn card_balance(
    tx: &Transaction<'_>,
    store: &str,
    number: &str,
) -> rusqlite::Result<Option<(CardBalance, u64)>> {
    tx.prepare_cached(
        "SELECT balance, active, ops FROM gift_cards WHERE store_id = ?1 AND number = ?2",
    )?
    .query_row([store, number], |r| {
        let card = CardBalance {
            balance: parsed(r, 0)?,
            active: r.get(1)?,
        };
        Ok((card, r.get::<_, i64>(2)?.max(0) as u64))
    })
    .optional()
}

fn in_conflict(tx: &Transaction<'_>, store: &str, number: &str) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM gift_card_conflicts WHERE store_id = ?1 AND number = ?2)",
    )?
    .query_row([store, number], |r| r.get(0))
}

/// The first answer to an operation already recorded under `op`'s id; refused if that
/// operation is not `op` (sent by `device`).
fn earlier_answer(
    tx: &Transaction<'_>,
    store: &str,
    device: &str,
    op: &CheckedOp,
) -> Result<Option<String>, GiftCardError> {
    let found = tx
        .prepare_cached(
            "SELECT number, kind, amount, staff_id, made_at, offline, auth_code, reason, \
             device_id, answer FROM gift_card_ops WHERE store_id = ?1 AND op_id = ?2",
        )?
        .query_row((store, op.op_id.to_string()), |r| {
            let amount: Option<String> = r.get(2)?;
            let stored = CheckedOp {
                op_id: op.op_id,
                card: r.get(0)?,
                kind: kind_at(r, 1)?,
                amount: match amount {
                    Some(_) => Some(parsed(r, 2)?),
                    None => None,
                },
                staff: parsed(r, 3)?,
                made_at: r.get(4)?,
                offline: r.get(5)?,
                auth_code: r.get(6)?,
                reason: r.get(7)?,
            };
            Ok((stored, r.get::<_, String>(8)?, r.get::<_, String>(9)?))
        })
        .optional()?;
    match found {
        None => Ok(None),
        Some((stored, by, answer)) if stored == *op && by == device => Ok(Some(answer)),
        Some(_) => Err(GiftCardError::OpIdReused),
    }
}

/// The latest debits of the card, newest first, that together cover `overdraft`: the
/// operations that spent the money an offline redemption counted on.
fn debits_that_spent(
    tx: &Transaction<'_>,
    store: &str,
    number: &str,
    overdraft: Decimal,
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = tx.prepare_cached(
        "SELECT op_id, amount FROM gift_card_ops WHERE store_id = ?1 AND number = ?2 \
         AND kind IN ('redeem', 'forced_redeem') ORDER BY seq DESC",
    )?;
    let mut rows = stmt.query([store, number])?;
    let (mut spent, mut ops) = (Decimal::ZERO, Vec::new());
    while spent < overdraft {
        let Some(row) = rows.next()? else { break };
        ops.push(row.get(0)?);
        spent += parsed::<Decimal>(row, 1)?;
    }
    Ok(ops)
}

impl Storage {
    /// Records one operation on a card of `store`, sent by `device`, if the card's rules allow
    /// it ([`apply`]), and answers the operation and the card after it. The check and the write
    /// are one `BEGIN IMMEDIATE` transaction, taken under the connection's mutex: of two
    /// redemptions of one balance at once the second sees the first. An operation sent again
    /// gets its first answer, whatever happened to the card since. Blocking.
    pub fn record_gift_card_op(
        &self,
        store: &str,
        device: &str,
        op: NewOp,
        now: SystemTime,
    ) -> Result<Answer, GiftCardError> {
        let mut conn = self.lock()?;
        // IMMEDIATE takes SQLite's write lock before the balance is read, so the read and the
        // write are one step against another process on the file too (an operator's command).
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (_, decimals) = currency_of(&tx, store)?;
        let op = op.check(decimals)?;
        if let Some(json) = earlier_answer(&tx, store, device, &op)? {
            return Ok(Answer {
                json,
                repeated: true,
            });
        }
        let before = card_balance(&tx, store, &op.card)?;
        let after = apply(before.map(|(card, _)| card), &op, zero(decimals))?;
        let seq = match before {
            Some((_, ops)) if ops >= MAX_OPS_PER_CARD => return Err(GiftCardError::TooManyOps),
            Some((_, ops)) => ops + 1,
            None => {
                let cards: i64 = tx
                    .prepare_cached("SELECT count(*) FROM gift_cards WHERE store_id = ?1")?
                    .query_row([store], |r| r.get(0))?;
                if cards.max(0) as u64 >= MAX_CARDS_PER_STORE {
                    return Err(GiftCardError::TooManyCards);
                }
                1
            }
        };
        // An overdraft from offline is a conflict; a forced redemption's was authorised.
        let amount = op.amount.unwrap_or_default();
        let overdraft =
            (op.offline && op.kind == OpKind::Redeem && after.balance.is_sign_negative())
                .then(|| amount.min(-after.balance));
        let spent_with = match overdraft {
            Some(overdraft) => debits_that_spent(&tx, store, &op.card, overdraft)?,
            None => Vec::new(),
        };
        let recorded = Recorded {
            op: RecordedOp {
                op_id: op.op_id,
                card: op.card.clone(),
                kind: op.kind,
                amount: op.amount,
                offline: op.offline,
                device: device.to_string(),
                staff: op.staff,
                made_at: rfc3339(op.made_at),
                recorded_at: rfc3339(millis(now)),
                auth_code: op.auth_code.clone(),
                reason: op.reason.clone(),
                balance_after: after.balance,
            },
            card: CardState {
                card: op.card.clone(),
                balance: after.balance,
                active: after.active,
                in_conflict: overdraft.is_some() || in_conflict(&tx, store, &op.card)?,
            },
        };
        let json = serde_json::to_string(&recorded)
            .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        tx.prepare_cached(
            "INSERT INTO gift_cards (store_id, number, balance, active, ops, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (store_id, number) DO UPDATE SET \
             balance = excluded.balance, active = excluded.active, ops = excluded.ops",
        )?
        .execute((
            store,
            &op.card,
            after.balance.to_string(),
            after.active,
            seq as i64,
            millis(now),
        ))?;
        tx.prepare_cached(
            "INSERT INTO gift_card_ops (store_id, op_id, number, seq, kind, amount, offline, \
             device_id, staff_id, made_at, recorded_at, auth_code, reason, balance_after, answer) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?
        .execute(rusqlite::params![
            store,
            op.op_id.to_string(),
            &op.card,
            seq as i64,
            op.kind.as_str(),
            op.amount.map(|a| a.to_string()),
            op.offline,
            device,
            op.staff.to_string(),
            op.made_at,
            millis(now),
            &op.auth_code,
            &op.reason,
            after.balance.to_string(),
            &json,
        ])?;
        if let Some(overdraft) = overdraft {
            let with_ops = serde_json::Value::from(spent_with).to_string();
            tx.prepare_cached(
                "INSERT INTO gift_card_conflicts \
                 (store_id, op_id, number, overdraft, with_ops, recorded_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute((
                store,
                op.op_id.to_string(),
                &op.card,
                overdraft.to_string(),
                with_ops,
                millis(now),
            ))?;
        }
        tx.commit()?;
        Ok(Answer {
            json,
            repeated: false,
        })
    }

    /// A card of `store` and its operations, oldest first. Blocking.
    pub fn gift_card(&self, store: &str, number: &str) -> Result<CardHistory, GiftCardError> {
        let number = check_card_number(number)?;
        let number = number.as_str();
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let (card, _) = card_balance(&tx, store, number)?.ok_or(GiftCardError::UnknownCard)?;
        let history = tx
            .prepare_cached(&format!(
                "SELECT {OP_COLUMNS} FROM gift_card_ops WHERE store_id = ?1 AND number = ?2 \
                 ORDER BY seq"
            ))?
            .query_map([store, number], op_of_row)?
            .collect::<rusqlite::Result<_>>()?;
        let card = CardState {
            card: number.to_string(),
            balance: card.balance,
            active: card.active,
            in_conflict: in_conflict(&tx, store, number)?,
        };
        Ok(CardHistory { card, history })
    }

    /// What `store` owes on its cards. Blocking.
    pub fn gift_card_liability(&self, store: &str) -> Result<Liability, GiftCardError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let (currency, decimals) = currency_of(&tx, store)?;
        let (mut liability, mut overdrawn, mut cards) = (zero(decimals), zero(decimals), 0);
        let mut stmt = tx.prepare_cached("SELECT balance FROM gift_cards WHERE store_id = ?1")?;
        let mut rows = stmt.query([store])?;
        while let Some(row) = rows.next()? {
            let balance: Decimal = parsed(row, 0)?;
            if balance.is_sign_negative() {
                overdrawn -= balance;
            } else {
                liability += balance;
            }
            cards += 1;
        }
        Ok(Liability {
            currency,
            liability,
            overdrawn,
            cards,
        })
    }

    /// The overdrafts reported from offline on `store`'s cards, newest first, at most
    /// [`MAX_CONFLICTS_LISTED`]. Blocking.
    pub fn gift_card_conflicts(&self, store: &str) -> Result<Vec<Conflict>, GiftCardError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let found: Vec<(String, String, Decimal, Vec<Uuid>)> = tx
            .prepare_cached(
                "SELECT number, op_id, overdraft, with_ops FROM gift_card_conflicts \
                 WHERE store_id = ?1 ORDER BY recorded_at DESC, op_id LIMIT ?2",
            )?
            .query_map((store, MAX_CONFLICTS_LISTED), |r| {
                let with_ops: String = r.get(3)?;
                let with_ids = serde_json::from_str(&with_ops).map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(3, Type::Text, Box::new(e))
                })?;
                Ok((r.get(0)?, r.get(1)?, parsed(r, 2)?, with_ids))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut op_stmt = tx.prepare_cached(&format!(
            "SELECT {OP_COLUMNS} FROM gift_card_ops WHERE store_id = ?1 AND op_id = ?2"
        ))?;
        let mut op = |id: &str| op_stmt.query_row([store, id], op_of_row);
        let mut conflicts = Vec::with_capacity(found.len());
        for (number, op_id, overdraft, with_ids) in found {
            let (card, _) = card_balance(&tx, store, &number)?.ok_or(GiftCardError::UnknownCard)?;
            conflicts.push(Conflict {
                balance: card.balance,
                overdraft,
                op: op(&op_id)?,
                with: with_ids
                    .iter()
                    .map(|id| op(&id.to_string()))
                    .collect::<rusqlite::Result<_>>()?,
                card: number,
            });
        }
        Ok(conflicts)
    }

    /// What moved through `store`'s cards in `period`, by the tills' times (`made_at`, the
    /// time of the sale, even for an operation reported later from offline), and what the store
    /// owed on them at its end: each card's operations made before the end added up. Lists at
    /// most [`MAX_REPORT_OPS`] operations, counting them all. Blocking.
    pub fn gift_card_report(
        &self,
        store: &str,
        period: Period,
    ) -> Result<GiftCardPeriodReport, GiftCardError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let (currency, decimals) = currency_of(&tx, store)?;
        let mut report = GiftCardPeriodReport {
            currency,
            from: rfc3339(period.from_ms),
            to: rfc3339(period.to_ms),
            issued: zero(decimals),
            added: zero(decimals),
            redeemed: zero(decimals),
            refunded_to_cards: zero(decimals),
            expired: zero(decimals),
            liability: zero(decimals),
            overdrawn: zero(decimals),
            ops: Vec::new(),
            ops_left_out: 0,
        };
        let mut balances: std::collections::HashMap<String, Decimal> = Default::default();
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {OP_COLUMNS} FROM gift_card_ops WHERE store_id = ?1 AND made_at < ?2 \
             ORDER BY made_at, number, seq"
        ))?;
        let mut rows = stmt.query((store, period.to_ms))?;
        while let Some(row) = rows.next()? {
            let op = op_of_row(row)?;
            let made_at: i64 = row.get(7)?;
            let amount = op.amount.unwrap_or_default();
            let balance = balances.entry(op.card.clone()).or_insert(zero(decimals));
            *balance += Decimal::from(op.kind.sign()) * amount;
            if made_at < period.from_ms {
                continue;
            }
            match op.kind {
                OpKind::Issue | OpKind::ForcedIssue => report.issued += amount,
                OpKind::AddValue => {
                    report.issued += amount;
                    report.added += amount;
                }
                OpKind::Redeem | OpKind::ForcedRedeem => report.redeemed += amount,
                OpKind::RefundToCard => report.refunded_to_cards += amount,
                // A refunded sale of a card takes back what it issued, as core's totals count it.
                OpKind::SaleRefunded => report.issued -= amount,
                OpKind::Expire => report.expired += amount,
                OpKind::Deactivate | OpKind::Reactivate => {}
            }
            if report.ops.len() < MAX_REPORT_OPS {
                report.ops.push(PeriodOp {
                    op_id: op.op_id,
                    made_at: op.made_at,
                    card: op.card,
                    kind: op.kind.as_str().to_string(),
                    amount: op.amount,
                    offline: op.offline,
                    device: op.device,
                    staff: op.staff,
                    auth_code: op.auth_code,
                    reason: op.reason,
                });
            } else {
                report.ops_left_out += 1;
            }
        }
        for balance in balances.into_values() {
            if balance.is_sign_negative() {
                report.overdrawn -= balance;
            } else {
                report.liability += balance;
            }
        }
        Ok(report)
    }
}
