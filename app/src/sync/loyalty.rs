//! The server's points ledger (`/api/loyalty/...`, README "Loyalty points") as plain async
//! calls with the device's token: send one operation or a merge of two customers' points, ask
//! about one customer, list the store's overdrafts. The answers go
//! through the gift cards' `ask`, so a refusal reads the same way (`insufficient_points` is
//! [`GiftCardRefusal::InsufficientBalance`] with the customer's points); what they mean for the
//! till is decided in `state/loyalty.rs`.

use std::collections::BTreeMap;

use pos_core::loyalty::{LoyaltyMerge, LoyaltyOp, LoyaltyOpKind};
use pos_core::{Decimal, Uuid};
use serde::{Deserialize, Serialize};

use super::gift_cards::{GiftCardRefusal, ask};

/// A customer's points as the server answers them.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PointsAccount {
    pub customer: Uuid,
    pub balance: Decimal,
    /// Points spent offline on two devices overdrew the customer.
    #[serde(default)]
    pub in_conflict: bool,
    #[serde(default)]
    pub overdrawn: Decimal,
    /// Oldest first; empty in the answer to an operation.
    #[serde(default)]
    pub history: Vec<PointsEntry>,
}

/// One operation of a customer's history.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PointsEntry {
    pub op_id: Uuid,
    pub kind: LoyaltyOpKind,
    /// Whole points; a merge's carry the sign of the balance it moved.
    pub points: Decimal,
    pub sale: Uuid,
    #[serde(default)]
    pub offline: bool,
    /// The device's id in the store.
    #[serde(default)]
    pub device: String,
    #[serde(default)]
    pub staff: Uuid,
    pub made_at: String,
    pub balance_after: Decimal,
}

impl PointsEntry {
    /// What the operation did to the balance.
    pub fn change(&self) -> Decimal {
        match self.kind {
            LoyaltyOpKind::Earn | LoyaltyOpKind::GiveBack | LoyaltyOpKind::MergeIn => self.points,
            LoyaltyOpKind::Redeem | LoyaltyOpKind::TakeBack | LoyaltyOpKind::MergeOut => {
                -self.points
            }
        }
    }

    pub fn made_at_ms(&self) -> i64 {
        js_sys::Date::parse(&self.made_at) as i64
    }
}

/// A customer's points overdrawn by a redemption made offline, for a manager.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PointsConflict {
    /// The customer as the server counts them now (the survivor of a merge).
    pub customer: Uuid,
    pub balance: Decimal,
    pub overdraft: Decimal,
    /// The redemption that overdrew them.
    pub op: PointsEntry,
    /// The redemptions before it that spent the points it counted on, newest first.
    pub with: Vec<PointsEntry>,
    /// The devices' names, by id.
    #[serde(default)]
    pub devices: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Conflicts {
    conflicts: Vec<PointsConflict>,
}

#[derive(Serialize)]
struct NewMerge {
    op_id: Uuid,
    from: Uuid,
    into: Uuid,
    staff: Uuid,
    made_at: String,
}

#[derive(Deserialize)]
struct Recorded {
    account: PointsAccount,
}

#[derive(Serialize)]
struct NewOp {
    op_id: Uuid,
    customer: Uuid,
    kind: LoyaltyOpKind,
    points: String,
    sale: Uuid,
    staff: Uuid,
    made_at: String,
    offline: bool,
}

fn iso(at_ms: i64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64))
        .to_iso_string()
        .as_string()
        .unwrap_or_default()
}

fn body_of(op: &LoyaltyOp) -> String {
    let made_at = iso(op.at_ms);
    let body = NewOp {
        op_id: op.id,
        customer: op.customer,
        kind: op.kind,
        points: op.points.normalize().to_string(),
        sale: op.sale,
        staff: op.staff,
        made_at,
        offline: op.offline,
    };
    serde_json::to_string(&body).unwrap_or_default()
}

/// Sends one operation; answers the customer's points after it. Sent again, the same answer
/// (the server counts it once by its id).
pub async fn record_op(token: &str, op: &LoyaltyOp) -> Result<PointsAccount, GiftCardRefusal> {
    let recorded: Recorded = ask("POST", "/api/loyalty/ops", token, Some(body_of(op))).await?;
    Ok(recorded.account)
}

/// The customer's points and history as the server holds them.
pub async fn account(token: &str, customer: Uuid) -> Result<PointsAccount, GiftCardRefusal> {
    ask(
        "GET",
        &format!("/api/loyalty/customers/{customer}"),
        token,
        None,
    )
    .await
}

/// Sends a merge of a duplicate's points into the customer it was merged into; answers the
/// survivor's points after it. Sent again, the same answer (the server moves them once).
pub async fn merge(token: &str, merge: &LoyaltyMerge) -> Result<PointsAccount, GiftCardRefusal> {
    let body = NewMerge {
        op_id: merge.id,
        from: merge.duplicate,
        into: merge.survivor,
        staff: merge.staff,
        made_at: iso(merge.at_ms),
    };
    let body = serde_json::to_string(&body).unwrap_or_default();
    let recorded: Recorded = ask("POST", "/api/loyalty/merge", token, Some(body)).await?;
    Ok(recorded.account)
}

/// The store's points overdrawn offline, newest first.
pub async fn conflicts(token: &str) -> Result<Vec<PointsConflict>, GiftCardRefusal> {
    let found: Conflicts = ask("GET", "/api/loyalty/conflicts", token, None).await?;
    Ok(found.conflicts)
}
