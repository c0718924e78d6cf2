//! What a manager reads of the server's gift card ledger: one card with its history, what the
//! store owes on its cards, the overdrafts that registers offline made, and a period's report
//! (README "Gift cards on the server"). The till's own calls (an operation sent, a balance asked) are in
//! `gift_cards.rs`, whose refusals these share.

use pos_core::gift_card::{GiftCardNumber, GiftCardPeriodReport};
use pos_core::{Decimal, Uuid};
use serde::Deserialize;

use super::gift_cards::{CardState, GiftCardRefusal, ask};

/// One operation in a card's history, as the server recorded it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct LedgerOp {
    pub op_id: Uuid,
    /// The server's name of the kind: `issue`, `redeem`, `forced_redeem`, ...
    pub kind: String,
    pub amount: Option<Decimal>,
    pub offline: bool,
    /// Who made it (for a forced operation: who authorised it); the nil id on a till without
    /// staff.
    #[serde(default)]
    pub staff: Uuid,
    /// The till's time (RFC 3339).
    pub made_at: String,
    pub auth_code: Option<String>,
    pub reason: Option<String>,
    pub balance_after: Decimal,
}

impl LedgerOp {
    /// The till's time in milliseconds since the epoch, for the screen's date format.
    pub fn made_at_ms(&self) -> i64 {
        js_sys::Date::parse(&self.made_at) as i64
    }
}

/// A card, and every operation on it in the order the server recorded them.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CardHistory {
    #[serde(flatten)]
    pub card: CardState,
    pub history: Vec<LedgerOp>,
}

/// What the store owes on its cards.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Liability {
    /// The sum of the positive balances: what customers can still spend.
    pub liability: Decimal,
    /// The sum of the overdrafts, to settle.
    pub overdrawn: Decimal,
    pub cards: u64,
}

/// A card overdrawn by a redemption made offline, with the redemptions that spent the money it
/// counted on.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Conflict {
    pub card: String,
    pub balance: Decimal,
    pub overdraft: Decimal,
    pub op: LedgerOp,
    pub with: Vec<LedgerOp>,
}

#[derive(Deserialize)]
struct Conflicts {
    conflicts: Vec<Conflict>,
}

pub async fn history(token: &str, card: &GiftCardNumber) -> Result<CardHistory, GiftCardRefusal> {
    ask(
        "GET",
        &format!("/api/gift-cards/{}", card.digits()),
        token,
        None,
    )
    .await
}

pub async fn liability(token: &str) -> Result<Liability, GiftCardRefusal> {
    ask("GET", "/api/gift-cards/liability", token, None).await
}

pub async fn conflicts(token: &str) -> Result<Vec<Conflict>, GiftCardRefusal> {
    let found: Conflicts = ask("GET", "/api/gift-cards/conflicts", token, None).await?;
    Ok(found.conflicts)
}

/// The report of the period from `from_ms` (included) to `to_ms` (excluded), by the tills' times.
pub async fn report(
    token: &str,
    from_ms: i64,
    to_ms: i64,
) -> Result<GiftCardPeriodReport, GiftCardRefusal> {
    let iso = |ms: i64| {
        js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64))
            .to_iso_string()
            .as_string()
            .unwrap_or_default()
    };
    let path = format!(
        "/api/gift-cards/report?from={}&to={}",
        iso(from_ms),
        iso(to_ms)
    );
    ask("GET", &path, token, None).await
}
