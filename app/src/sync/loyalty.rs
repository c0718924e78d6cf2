//! The server's points ledger (`/api/loyalty/...`, README "Loyalty points") as plain async
//! calls with the device's token: send one operation, ask about one customer. The answers go
//! through the gift cards' `ask`, so a refusal reads the same way (`insufficient_points` is
//! [`GiftCardRefusal::InsufficientBalance`] with the customer's points); what they mean for the
//! till is decided in `state/loyalty.rs`.

use pos_core::loyalty::{LoyaltyOp, LoyaltyOpKind};
use pos_core::{Decimal, Uuid};
use serde::{Deserialize, Serialize};

use super::gift_cards::{ask, GiftCardRefusal};

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
    pub points: Decimal,
    pub sale: Uuid,
    #[serde(default)]
    pub offline: bool,
    pub made_at: String,
    pub balance_after: Decimal,
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

fn body_of(op: &LoyaltyOp) -> String {
    let made_at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(op.at_ms as f64))
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
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
