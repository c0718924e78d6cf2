//! The store's points overdrafts for a manager (`GET /api/loyalty/conflicts`): each redemption
//! made offline that took a customer below zero, once, with the redemptions before it that spent
//! the points it counted on, as gift cards' conflicts are listed. Nothing settles one yet (nor a
//! gift card's): a manager settles with the customer, and the list is what is still to see.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::OptionalExtension;
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

use super::{LoyaltyError, OP_COLUMNS, RecordedPointsOp, balance_of, merges, op_of_row};
use crate::AppState;
use crate::api::{ApiError, db, identity, json};
use crate::gift_cards::MAX_CONFLICTS_LISTED;
use crate::gift_cards::ledger::parsed;
use crate::storage::Storage;

/// A customer's points overdrawn by a redemption reported from offline.
#[derive(Debug, Clone, Serialize)]
pub struct PointsConflict {
    /// The customer as they are now: the survivor, if the points were spent under a duplicate
    /// merged since.
    pub customer: Uuid,
    /// The customer's points now.
    pub balance: Decimal,
    /// How far this redemption took the customer below zero.
    pub overdraft: Decimal,
    /// The redemption that overdrew them.
    pub op: RecordedPointsOp,
    /// The latest redemptions before it that spent the points it counted on, newest first.
    pub with: Vec<RecordedPointsOp>,
    /// The name of each device of these operations, by id, as it was paired.
    pub devices: BTreeMap<String, String>,
}

impl Storage {
    /// The overdrafts reported from offline on `store`'s customers, newest first, at most
    /// [`MAX_CONFLICTS_LISTED`]. Blocking.
    pub fn points_conflicts(&self, store: &str) -> Result<Vec<PointsConflict>, LoyaltyError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let found: Vec<(String, Decimal)> = tx
            .prepare_cached(
                "SELECT op_id, overdraft FROM loyalty_conflicts WHERE store_id = ?1 \
                 ORDER BY recorded_at DESC, op_id LIMIT ?2",
            )?
            .query_map((store, MAX_CONFLICTS_LISTED), |r| {
                Ok((r.get(0)?, parsed(r, 1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut op_stmt = tx.prepare_cached(&format!(
            "SELECT {OP_COLUMNS}, seq FROM loyalty_ops WHERE store_id = ?1 AND op_id = ?2"
        ))?;
        let mut before_stmt = tx.prepare_cached(&format!(
            "SELECT {OP_COLUMNS} FROM loyalty_ops WHERE store_id = ?1 AND customer = ?2 \
             AND seq < ?3 AND kind = 'redeem' ORDER BY seq DESC"
        ))?;
        let mut name_stmt =
            tx.prepare_cached("SELECT name FROM devices WHERE device_id = ?1 AND store_id = ?2")?;
        let mut conflicts = Vec::with_capacity(found.len());
        for (op_id, overdraft) in found {
            let (op, seq) = op_stmt.query_row([store, &op_id], |r| {
                Ok((op_of_row(r)?, r.get::<_, i64>(11)?))
            })?;
            // As the gift cards' conflicts: the latest redemptions that together spent as much
            // as the overdraft.
            let mut spent = Decimal::ZERO;
            let mut with = Vec::new();
            let mut rows = before_stmt.query((store, op.customer.to_string(), seq))?;
            while spent < overdraft {
                let Some(row) = rows.next()? else { break };
                let earlier = op_of_row(row)?;
                spent += earlier.points;
                with.push(earlier);
            }
            drop(rows);
            let customer = merges::resolve(&tx, store, op.customer)?;
            let (balance, _) = balance_of(&tx, store, &customer.to_string())?.unwrap_or_default();
            let mut devices = BTreeMap::new();
            for device in with.iter().chain([&op]).map(|o| &o.device) {
                let name: Option<String> = name_stmt
                    .query_row([device.as_str(), store], |r| r.get(0))
                    .optional()?;
                devices.insert(device.clone(), name.unwrap_or_default());
            }
            conflicts.push(PointsConflict {
                customer,
                balance,
                overdraft,
                op,
                with,
                devices,
            });
        }
        Ok(conflicts)
    }
}

/// `GET /api/loyalty/conflicts`: `{"conflicts": [{"customer", "balance", "overdraft", "op",
/// "with": [op, ...], "devices": {id: name}}, ...]}`, the device's store's points overdrawn
/// offline, newest first. Each op names its device and when it was made.
pub async fn conflicts(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let storage = state.storage.clone();
    let found = db(move || storage.points_conflicts(&me.store_id)).await??;
    json(StatusCode::OK, serde_json::json!({ "conflicts": found }))
}
