//! `/api/gift-cards/...`: the gift card ledger as JSON, for any device of the store with its
//! token, as the other `/api` device endpoints. A device sees and touches only its own store's
//! cards: the store comes from the token, never from the request, and a number another store
//! uses is simply unknown here. Refusals are the API's `{"error", "reason"}`, with the card's
//! `balance` beside them for `insufficient_balance`.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

use super::{GiftCardError, MAX_BODY_BYTES, NewOp, PeriodQuery};
use crate::AppState;
use crate::api::{self, ApiError, db, identity, json, json_body};
use crate::storage::Storage;

/// The `reason` of the 400 to a card number that is not 16 digits with a valid check digit
/// (`pos_core::gift_card::GiftCardNumber`).
pub const BAD_NUMBER: &str = "bad_number";
/// The `reason` of the 404 to a card number the store has no card under.
pub const UNKNOWN_CARD: &str = "unknown_card";
/// The `reason` of the 409 to an operation on a deactivated card.
pub const CARD_INACTIVE: &str = "card_inactive";
/// The `reason` of the 409 to a redemption above the card's balance; the body carries `balance`.
pub const INSUFFICIENT_BALANCE: &str = "insufficient_balance";
/// The `reason` of the 409 to a write-off of a balance the card no longer holds; the body
/// carries `balance`.
pub const BALANCE_CHANGED: &str = "balance_changed";
/// The `reason` of the 409 to issuing a card the store already has.
pub const CARD_EXISTS: &str = "card_exists";
/// The `reason` of the 409 to an operation id already used for a different operation.
pub const OP_ID_REUSED: &str = "op_id_reused";
/// The `reason` of the 400 to a forced operation without its authorisation code and reason.
pub const AUTHORISATION_NEEDED: &str = "authorisation_needed";
/// The `reason` of the 409 to a new card in a store with [`super::MAX_CARDS_PER_STORE`].
pub const TOO_MANY_CARDS: &str = "too_many_cards";
/// The `reason` of the 409 to an operation on a card with [`super::MAX_OPS_PER_CARD`].
pub const TOO_MANY_OPS: &str = "too_many_ops";

impl From<GiftCardError> for ApiError {
    fn from(e: GiftCardError) -> Self {
        let (status, reason) = match &e {
            GiftCardError::BadNumber(_) => (StatusCode::BAD_REQUEST, BAD_NUMBER),
            GiftCardError::Invalid(_) => (StatusCode::BAD_REQUEST, api::INVALID),
            GiftCardError::AuthorisationNeeded => (StatusCode::BAD_REQUEST, AUTHORISATION_NEEDED),
            GiftCardError::UnknownCard => (StatusCode::NOT_FOUND, UNKNOWN_CARD),
            GiftCardError::CardInactive => (StatusCode::CONFLICT, CARD_INACTIVE),
            GiftCardError::InsufficientBalance { balance, .. }
            | GiftCardError::BalanceChanged { balance } => {
                let reason = match &e {
                    GiftCardError::BalanceChanged { .. } => BALANCE_CHANGED,
                    _ => INSUFFICIENT_BALANCE,
                };
                let mut refusal = ApiError::new(StatusCode::CONFLICT, reason, e.to_string());
                refusal
                    .extra
                    .insert("balance".into(), balance.to_string().into());
                return refusal;
            }
            GiftCardError::CardExists => (StatusCode::CONFLICT, CARD_EXISTS),
            GiftCardError::OpIdReused => (StatusCode::CONFLICT, OP_ID_REUSED),
            GiftCardError::TooManyCards => (StatusCode::CONFLICT, TOO_MANY_CARDS),
            GiftCardError::TooManyOps => (StatusCode::CONFLICT, TOO_MANY_OPS),
            GiftCardError::Storage(cause) => return ApiError::storage(cause),
        };
        ApiError::new(status, reason, e.to_string())
    }
}

/// `POST /api/gift-cards/ops`: records one operation on a card of the device's store,
/// `{"op_id", "card", "kind", "amount", "staff", "made_at", "offline", "auth_code", "reason"}`
/// (see [`NewOp`]), and answers 201 `{"op": {...}, "card": {"card", "balance", "active",
/// "in_conflict"}}`. The same operation sent again gets the same 201 and body, with
/// `Idempotent-Replayed: true`; another operation under a used id gets 409 `op_id_reused`. A
/// refusal is not recorded: the same operation sent again is checked again (a redemption
/// refused for its balance passes once value was added).
pub async fn record_op(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<NewOp>, JsonRejection>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let op = json_body(body, "A gift card operation", MAX_BODY_BYTES)?;
    let storage = state.storage.clone();
    let now = state.clock.now();
    let answer =
        db(move || storage.record_gift_card_op(&me.store_id, &me.device_id, op, now)).await??;
    created(answer)
}

/// The 201 to a recorded operation (of a gift card, or of loyalty points): its first answer,
/// marked `Idempotent-Replayed: true` when this sending repeated it.
pub(crate) fn created(answer: super::Answer) -> Result<Response, ApiError> {
    let body: serde_json::Value = serde_json::from_str(&answer.json).map_err(ApiError::storage)?;
    let mut res = json(StatusCode::CREATED, body)?;
    if answer.repeated {
        res.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(res)
}

/// Answers 200 with what `question` finds about the requesting device's store.
async fn ask_about_store<T: serde::Serialize + Send + 'static>(
    state: &AppState,
    headers: &HeaderMap,
    question: impl FnOnce(&Storage, &str) -> Result<T, GiftCardError> + Send + 'static,
) -> Result<Response, ApiError> {
    let me = identity(state, headers).await?;
    let storage = state.storage.clone();
    let answer = db(move || question(&storage, &me.store_id)).await??;
    json(StatusCode::OK, answer)
}

/// `GET /api/gift-cards/{number}`: the card's `{"card", "balance", "active", "in_conflict",
/// "history": [op, ...]}`, its operations in the order the server recorded them.
pub async fn card(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    ask_about_store(&state, &headers, move |storage, store| {
        storage.gift_card(store, &number)
    })
    .await
}

/// `GET /api/gift-cards/liability`: `{"currency", "liability", "overdrawn", "cards"}`, the sum
/// of the store's positive balances and of its overdrafts.
pub async fn liability(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    ask_about_store(&state, &headers, |storage, store| {
        storage.gift_card_liability(store)
    })
    .await
}

/// `GET /api/gift-cards/conflicts`: `{"conflicts": [{"card", "balance", "overdraft", "op",
/// "with": [op, ...]}, ...]}`, the overdrafts reported from offline, newest first.
pub async fn conflicts(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    ask_about_store(&state, &headers, |storage, store| {
        let conflicts = storage.gift_card_conflicts(store)?;
        Ok(serde_json::json!({ "conflicts": conflicts }))
    })
    .await
}

/// `GET /api/gift-cards/report?from=...&to=...` (RFC 3339, UTC; `from` included, `to`
/// excluded): the store's `GiftCardPeriodReport` (`pos_core::gift_card`): `issued` (with
/// `added`), `redeemed`, `refunded_to_cards` in the period by the tills' times, `liability` and
/// `overdrawn` at its end, and the period's `ops`. For any device of the store, as the
/// liability; the register shows it only to staff who may see reports.
pub async fn report(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PeriodQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let period = match query {
        Ok(Query(q)) => q.check(),
        Err(e) => Err(GiftCardError::Invalid(format!(
            "The report needs from and to, times in RFC 3339: {e}"
        ))),
    };
    ask_about_store(&state, &headers, move |storage, store| {
        storage.gift_card_report(store, period?)
    })
    .await
}
