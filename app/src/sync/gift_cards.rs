//! The server's gift card ledger (`/api/gift-cards/...`, README "Gift cards on the server") as
//! plain async calls with the device's token: send one operation, ask about one card. What the
//! answers mean for the till (a tender added, an error shown, the outbox emptied) is decided in
//! `state/gift_cards.rs`.

use pos_core::Decimal;
use pos_core::gift_card::{GiftCardNumber, GiftCardOp, GiftCardOpKind};
use serde::{Deserialize, Serialize};

use super::api::{ApiError, send};
use crate::i18n::Msg;
use crate::storage::KnownCard;

/// Why the server did not record an operation or answer about a card.
#[derive(Clone, Debug, PartialEq)]
pub enum GiftCardRefusal {
    /// The server was not reached: offline, the operation waits in the outbox.
    Offline,
    /// `insufficient_balance`: the card holds only `balance`.
    InsufficientBalance { balance: Decimal },
    /// `card_inactive`: deactivated.
    CardInactive,
    /// `balance_changed`: a write-off of a balance the card no longer holds; it holds `balance`.
    BalanceChanged { balance: Decimal },
    /// `unknown_card`: the store has no card with this number.
    UnknownCard,
    /// `bad_number`: not a number the register issues.
    BadNumber,
    /// `op_id_reused`: the server holds another operation under this id. For an offline copy
    /// of a redemption the server had recorded online before its answer was lost, that is the
    /// first one, counted once.
    OpIdReused,
    /// Another refusal, with the server's status and English words (for "Details").
    Other { status: u16, message: String },
}

impl GiftCardRefusal {
    /// What the cashier reads. Every refusal has its own words; `Other` the server's general one.
    pub fn msg(&self) -> Msg {
        match self {
            GiftCardRefusal::Offline => Msg::ServerUnreachable,
            GiftCardRefusal::InsufficientBalance { .. } => Msg::GiftCardInsufficient,
            GiftCardRefusal::CardInactive => Msg::GiftCardInactive,
            GiftCardRefusal::BalanceChanged { .. } => Msg::DeskBalanceChanged,
            GiftCardRefusal::UnknownCard => Msg::GiftCardUnknown,
            GiftCardRefusal::BadNumber => Msg::GiftCardBadNumber,
            GiftCardRefusal::OpIdReused => Msg::GiftCardOpRefused,
            GiftCardRefusal::Other { .. } => Msg::ServerRefused,
        }
    }

    /// Whether sending the same operation again later may be answered: the server was not
    /// reached, or failed on its side (5xx). Any other answer is final for that operation.
    pub fn worth_retrying(&self) -> bool {
        match self {
            GiftCardRefusal::Offline => true,
            GiftCardRefusal::Other { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// A card as the server answers it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct CardState {
    pub card: String,
    pub balance: Decimal,
    pub active: bool,
    #[serde(default)]
    pub in_conflict: bool,
}

impl CardState {
    /// What this device keeps of the answer, read at `at_ms`.
    pub fn known(&self, at_ms: i64) -> Option<KnownCard> {
        Some(KnownCard {
            card: GiftCardNumber::parse(&self.card).ok()?,
            balance: self.balance,
            active: self.active,
            at_ms,
        })
    }
}

#[derive(Deserialize)]
struct Recorded {
    card: CardState,
}

/// The body of `POST /api/gift-cards/ops`.
#[derive(Serialize)]
struct NewOp<'a> {
    op_id: pos_core::Uuid,
    card: &'a str,
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<String>,
    staff: pos_core::Uuid,
    made_at: String,
    offline: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// The server's name of an operation's kind (it calls an activation with value an issue).
fn kind_name(kind: &GiftCardOpKind) -> &'static str {
    match kind {
        GiftCardOpKind::Activate => "issue",
        GiftCardOpKind::AddValue => "add_value",
        GiftCardOpKind::Redeem => "redeem",
        GiftCardOpKind::RefundToCard => "refund_to_card",
        GiftCardOpKind::Deactivate => "deactivate",
        GiftCardOpKind::Reactivate => "reactivate",
        GiftCardOpKind::ForcedIssue(_) => "forced_issue",
        GiftCardOpKind::ForcedRedeem(_) => "forced_redeem",
        GiftCardOpKind::SaleRefunded => "sale_refunded",
        GiftCardOpKind::Expire { .. } => "expire",
    }
}

fn body_of(op: &GiftCardOp) -> String {
    let made_at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(op.at_ms as f64))
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    let (auth_code, reason) = match &op.kind {
        GiftCardOpKind::ForcedIssue(a) | GiftCardOpKind::ForcedRedeem(a) => {
            (Some(a.code.as_str()), Some(a.reason.as_str()))
        }
        GiftCardOpKind::Expire { reason } => (None, Some(reason.as_str())),
        _ => (None, None),
    };
    let body = NewOp {
        op_id: op.id,
        card: op.card.digits(),
        kind: kind_name(&op.kind),
        amount: (!op.kind.is_status_change()).then(|| op.amount.to_string()),
        staff: op.staff,
        made_at,
        offline: op.offline,
        auth_code,
        reason,
    };
    serde_json::to_string(&body).unwrap_or_default()
}

#[derive(Deserialize)]
struct RefusalBody {
    #[serde(default)]
    error: String,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    balance: Option<Decimal>,
}

pub(super) async fn ask<T: for<'de> Deserialize<'de>>(
    method: &str,
    path: &str,
    token: &str,
    body: Option<String>,
) -> Result<T, GiftCardRefusal> {
    let (status, text) = match send(method, path, Some(token), body).await {
        Ok(answer) => answer,
        Err(ApiError::Offline) => return Err(GiftCardRefusal::Offline),
        Err(e) => {
            return Err(GiftCardRefusal::Other {
                status: 0,
                message: e.to_string(),
            });
        }
    };
    if (200..300).contains(&status) {
        return serde_json::from_str(&text).map_err(|e| GiftCardRefusal::Other {
            status,
            message: e.to_string(),
        });
    }
    let refusal: RefusalBody = serde_json::from_str(&text).unwrap_or(RefusalBody {
        error: text,
        reason: None,
        balance: None,
    });
    Err(match refusal.reason.as_deref() {
        // A customer's points (`sync/loyalty.rs`) are refused the same way as a card's balance.
        Some("insufficient_balance" | "insufficient_points") => {
            GiftCardRefusal::InsufficientBalance {
                balance: refusal.balance.unwrap_or_default(),
            }
        }
        Some("card_inactive") => GiftCardRefusal::CardInactive,
        Some("balance_changed") => GiftCardRefusal::BalanceChanged {
            balance: refusal.balance.unwrap_or_default(),
        },
        Some("unknown_card") => GiftCardRefusal::UnknownCard,
        Some("bad_number") => GiftCardRefusal::BadNumber,
        Some("op_id_reused") => GiftCardRefusal::OpIdReused,
        _ => GiftCardRefusal::Other {
            status,
            message: refusal.error,
        },
    })
}

/// Sends one operation; answers the card as the server holds it after it. Sending the same
/// operation again gets the same answer (the server counts it once by its id).
pub async fn record_op(token: &str, op: &GiftCardOp) -> Result<CardState, GiftCardRefusal> {
    let recorded: Recorded = ask("POST", "/api/gift-cards/ops", token, Some(body_of(op))).await?;
    Ok(recorded.card)
}

/// The card as the server holds it: its balance and whether it is active.
pub async fn card(token: &str, card: &GiftCardNumber) -> Result<CardState, GiftCardRefusal> {
    ask("GET", &format!("/api/gift-cards/{}", card.digits()), token, None).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    #[test]
    fn every_refusal_of_a_gift_card_is_translated_and_only_the_unreached_ones_retried() {
        let all = [
            GiftCardRefusal::Offline,
            GiftCardRefusal::InsufficientBalance {
                balance: Decimal::ONE,
            },
            GiftCardRefusal::CardInactive,
            GiftCardRefusal::BalanceChanged {
                balance: Decimal::ONE,
            },
            GiftCardRefusal::UnknownCard,
            GiftCardRefusal::BadNumber,
            GiftCardRefusal::OpIdReused,
            GiftCardRefusal::Other {
                status: 409,
                message: "x".into(),
            },
        ];
        // The balance is the one fill-in: the server's own figure, never developer text.
        let with_balance = [Msg::GiftCardInsufficient, Msg::DeskBalanceChanged];
        assert_translated(
            all.iter()
                .map(GiftCardRefusal::msg)
                .filter(|m| !with_balance.contains(m)),
        );
        for lang in crate::i18n::Lang::ALL {
            for msg in with_balance {
                let text = msg.fill(lang, &[("balance", "15")]);
                assert!(text.contains("15") && !text.contains('{'), "{text}");
            }
        }
        let retried: Vec<bool> = all.iter().map(GiftCardRefusal::worth_retrying).collect();
        assert_eq!(
            retried,
            [true, false, false, false, false, false, false, false]
        );
        assert!(
            GiftCardRefusal::Other {
                status: 503,
                message: String::new()
            }
            .worth_retrying()
        );
    }
}
