//! The JSON API: enrollment (`/api/stores`, `/api/pairing-codes`, `/api/devices`, `/api/me`;
//! the rules are in [`crate::enroll`], and who may pair and remove devices in
//! [`crate::device_authority`]), the store's staff list (`/api/staff`, the rules in
//! [`crate::staff`]) and the store's name (`PUT /api/store`, the rules in [`crate::store`]).
//! The gift card endpoints (`/api/gift-cards/...`) are in [`crate::gift_cards::http`], on the
//! helpers here. The app codes against these names.
//!
//! Every answer is `Cache-Control: no-store` (tokens and codes must not linger in a cache);
//! every refusal is `{"error": "<what the user can do, in English>", "reason": "<code>"}`. The
//! code is one of [`REASONS`], stable across versions, for the app to translate and to tell
//! refusals with the same status apart; the English text is for "Details" and logs.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::device_authority::{DeviceAuthorityError, StaffPin};
use crate::enroll::{EnrollError, Identity, NewStore};
use crate::gift_cards::http as gift_cards;
use crate::limits::{CodeKind, Refused};
use crate::staff::{MAX_BODY_BYTES, StaffEdit, StaffError};
use crate::store::{Rename, RenameError};

/// The `reason` of the 429 that answers while pairing is paused for everyone.
pub const PAIRING_PAUSED: &str = "pairing_paused";
/// The `reason` of the 429 to a client that sent too many wrong setup or pairing codes.
pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";
/// The `reason` of a 403 to a request a staff member's PIN authorises (a staff edit, a rename,
/// pairing or removing a device) when the PIN is not theirs.
pub const WRONG_PIN: &str = "wrong_pin";
/// The `reason` of the 429 to a request a staff member's PIN authorises while that member is
/// locked after wrong PINs.
pub const PIN_LOCKED: &str = "pin_locked";
/// The `reason` of the 409 to a staff edit (or rename) made on a list that has changed since.
pub const STALE: &str = "stale";
/// The `reason` of a 403 to a staff edit, rename, pairing or removal that the staff member (or
/// the device) may not make.
pub const NOT_PERMITTED: &str = "not_permitted";
/// The `reason` of the 400 to pairing or removing a device in a store with staff, without a
/// member and their PIN.
pub const PIN_NEEDED: &str = "pin_needed";
/// The `reason` of the 403 to pairing or removing a device, or listing them, from a device
/// other than the owner's in a store without a staff list.
pub const OWNER_DEVICE_ONLY: &str = "owner_device_only";
/// The `reason` of the 403 to a device that asks to remove itself.
pub const OWN_DEVICE: &str = "own_device";
/// The `reason` of the 404 to removing a device the store does not have.
pub const NO_SUCH_DEVICE: &str = "no_such_device";
/// The `reason` of the 403 to a setup code the server does not know.
pub const WRONG_SETUP_CODE: &str = "wrong_setup_code";
/// The `reason` of the 410 to a setup code that already made a store.
pub const USED_SETUP_CODE: &str = "used_setup_code";
/// The `reason` of the 410 to a setup code from `new-store-code` older than a day.
pub const EXPIRED_SETUP_CODE: &str = "expired_setup_code";
/// The `reason` of the 403 to a pairing code the server does not know.
pub const WRONG_PAIRING_CODE: &str = "wrong_pairing_code";
/// The `reason` of the 410 to a pairing code another device already used.
pub const USED_PAIRING_CODE: &str = "used_pairing_code";
/// The `reason` of the 410 to a pairing code older than ten minutes.
pub const EXPIRED_PAIRING_CODE: &str = "expired_pairing_code";
/// The `reason` of a 400 to a field the server does not accept (a name empty, too long or not
/// on one line, a currency, a staff list that is not well formed); the text says which.
pub const INVALID: &str = "invalid";
/// The `reason` of the 400 to a staff list of more than [`crate::staff::MAX_MEMBERS`].
pub const TOO_MANY_MEMBERS: &str = "too_many_members";
/// The `reason` of a 400 to a body that is not the JSON the endpoint expects.
pub const MALFORMED: &str = "malformed";
/// The `reason` of the 413 to a body over the endpoint's limit.
pub const TOO_LARGE: &str = "too_large";
/// The `reason` of the 401 to a request without a device token.
pub const NO_TOKEN: &str = "no_token";
/// The `reason` of the 401 to a token the server does not know or has revoked.
pub const NOT_PAIRED: &str = "not_paired";
/// The `reason` of the 404 to an `/api/` path that does not exist.
pub const NO_SUCH_ENDPOINT: &str = "no_such_endpoint";
/// The `reason` of the 503 while the server's database is not available.
pub const UNAVAILABLE: &str = "unavailable";
/// The `reason` of the 500 when the server's copy of the staff list does not verify.
pub const DAMAGED: &str = "damaged";

/// Every `reason` the API answers with (README, "API notes", lists them for the app).
pub const REASONS: &[&str] = &[
    PAIRING_PAUSED,
    TOO_MANY_ATTEMPTS,
    WRONG_PIN,
    PIN_LOCKED,
    STALE,
    NOT_PERMITTED,
    PIN_NEEDED,
    OWNER_DEVICE_ONLY,
    OWN_DEVICE,
    NO_SUCH_DEVICE,
    WRONG_SETUP_CODE,
    USED_SETUP_CODE,
    EXPIRED_SETUP_CODE,
    WRONG_PAIRING_CODE,
    USED_PAIRING_CODE,
    EXPIRED_PAIRING_CODE,
    INVALID,
    TOO_MANY_MEMBERS,
    MALFORMED,
    TOO_LARGE,
    NO_TOKEN,
    NOT_PAIRED,
    NO_SUCH_ENDPOINT,
    UNAVAILABLE,
    DAMAGED,
    gift_cards::BAD_NUMBER,
    gift_cards::UNKNOWN_CARD,
    gift_cards::CARD_INACTIVE,
    gift_cards::INSUFFICIENT_BALANCE,
    gift_cards::CARD_EXISTS,
    gift_cards::OP_ID_REUSED,
    gift_cards::AUTHORISATION_NEEDED,
    gift_cards::TOO_MANY_CARDS,
    gift_cards::TOO_MANY_OPS,
    crate::loyalty::INSUFFICIENT_POINTS,
    crate::customer_keys::CUSTOMER_ERASED,
    crate::customer_keys::KEY_DIFFERS,
];

/// Why an API request was refused, with its status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    /// A stable word for the app: one of [`REASONS`].
    pub reason: &'static str,
    /// When to try again (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// Fields the body carries beside `error` and `reason` (a card's `balance`).
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        reason: &'static str,
        message: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            message: message.into(),
            reason,
            retry_after: None,
            extra: serde_json::Map::new(),
        }
    }

    pub(crate) fn storage(e: impl std::fmt::Display) -> Self {
        eprintln!("pos-sync-server: storage error: {e}");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            UNAVAILABLE,
            "The server's database is not available. Try again in a moment.",
        )
    }
}

impl From<EnrollError> for ApiError {
    fn from(e: EnrollError) -> Self {
        let (status, reason) = match &e {
            EnrollError::WrongSetupCode => (StatusCode::FORBIDDEN, WRONG_SETUP_CODE),
            EnrollError::WrongPairingCode => (StatusCode::FORBIDDEN, WRONG_PAIRING_CODE),
            EnrollError::UsedSetupCode => (StatusCode::GONE, USED_SETUP_CODE),
            EnrollError::ExpiredSetupCode => (StatusCode::GONE, EXPIRED_SETUP_CODE),
            EnrollError::UsedPairingCode => (StatusCode::GONE, USED_PAIRING_CODE),
            EnrollError::ExpiredPairingCode => (StatusCode::GONE, EXPIRED_PAIRING_CODE),
            EnrollError::Invalid(_) => (StatusCode::BAD_REQUEST, INVALID),
            EnrollError::Storage(e) => return ApiError::storage(e),
        };
        ApiError::new(status, reason, e.to_string())
    }
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        match refused {
            Refused::Client { retry_after } => ApiError {
                retry_after: Some(retry_after),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    TOO_MANY_ATTEMPTS,
                    "Too many wrong codes from this device. Wait a minute, then try again.",
                )
            },
            Refused::Everyone { retry_after } => {
                let minutes = retry_after.as_secs().div_ceil(60).max(1);
                let unit = if minutes == 1 { "minute" } else { "minutes" };
                ApiError {
                    retry_after: Some(retry_after),
                    ..ApiError::new(
                        StatusCode::TOO_MANY_REQUESTS,
                        PAIRING_PAUSED,
                        format!(
                            "Too many wrong pairing codes reached the server from many devices, \
                             so pairing is paused for everyone. Try again in {minutes} {unit}."
                        ),
                    )
                }
            }
        }
    }
}

impl From<StaffError> for ApiError {
    fn from(e: StaffError) -> Self {
        use pos_core::staff::StaffEditError;
        let (status, reason) = match &e {
            StaffError::OtherStore | StaffError::FirstList(_) => {
                (StatusCode::FORBIDDEN, NOT_PERMITTED)
            }
            StaffError::TooManyMembers => (StatusCode::BAD_REQUEST, TOO_MANY_MEMBERS),
            StaffError::Edit(StaffEditError::Invalid(_)) => (StatusCode::BAD_REQUEST, INVALID),
            StaffError::WrongPin { .. } => (StatusCode::FORBIDDEN, WRONG_PIN),
            StaffError::PinLocked { retry_after } => {
                return ApiError {
                    retry_after: Some(*retry_after),
                    ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, PIN_LOCKED, e.to_string())
                };
            }
            StaffError::Edit(StaffEditError::Stale { .. }) | StaffError::Changed => {
                (StatusCode::CONFLICT, STALE)
            }
            StaffError::Edit(
                StaffEditError::NotPermitted
                | StaffEditError::OwnersAreTheOwners
                | StaffEditError::MatrixIsTheOwners
                | StaffEditError::OwnRole
                | StaffEditError::RoleAboveEditor { .. },
            ) => (StatusCode::FORBIDDEN, NOT_PERMITTED),
            StaffError::Damaged(cause) => {
                eprintln!("pos-sync-server: a stored staff list does not verify: {cause}");
                (StatusCode::INTERNAL_SERVER_ERROR, DAMAGED)
            }
            StaffError::Storage(cause) => return ApiError::storage(cause),
        };
        ApiError::new(status, reason, e.to_string())
    }
}

impl From<RenameError> for ApiError {
    fn from(e: RenameError) -> Self {
        match e {
            RenameError::Name(_) => ApiError::new(StatusCode::BAD_REQUEST, INVALID, e.to_string()),
            RenameError::NoStaffList | RenameError::NotPermitted => {
                ApiError::new(StatusCode::FORBIDDEN, NOT_PERMITTED, e.to_string())
            }
            // A wrong PIN, a lock, a damaged list: answered as for a staff edit.
            RenameError::Staff(e) => e.into(),
        }
    }
}

impl From<DeviceAuthorityError> for ApiError {
    fn from(e: DeviceAuthorityError) -> Self {
        match e {
            DeviceAuthorityError::OwnerDeviceOnly => {
                ApiError::new(StatusCode::FORBIDDEN, OWNER_DEVICE_ONLY, e.to_string())
            }
            DeviceAuthorityError::PinNeeded => {
                ApiError::new(StatusCode::BAD_REQUEST, PIN_NEEDED, e.to_string())
            }
            DeviceAuthorityError::NotPermitted => {
                ApiError::new(StatusCode::FORBIDDEN, NOT_PERMITTED, e.to_string())
            }
            // A wrong PIN, a lock, a damaged list: answered as for a staff edit.
            DeviceAuthorityError::Staff(e) => e.into(),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            MALFORMED,
            format!(
                "The request is not the JSON this endpoint expects: {}",
                e.body_text()
            ),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = self.extra;
        body.insert("error".into(), self.message.into());
        body.insert("reason".into(), self.reason.into());
        let mut res = no_store(self.status, body.into());
        if let Some(after) = self.retry_after {
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        res
    }
}

fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    let mut res = (status, Json(body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub(crate) fn json(status: StatusCode, body: impl serde::Serialize) -> Result<Response, ApiError> {
    let value = serde_json::to_value(body).map_err(ApiError::storage)?;
    Ok(no_store(status, value))
}

/// Runs a blocking storage call off the async threads.
pub(crate) async fn db<T: Send + 'static, E: Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<Result<T, E>, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::storage)
}

/// Counts the attempt (refusing it if a limit is spent), runs an enrollment step, and gives
/// the attempt back unless the code was wrong, used or expired.
async fn with_code_limit<T: Send + 'static>(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    kind: CodeKind,
    f: impl FnOnce(SystemTime) -> Result<T, EnrollError> + Send + 'static,
) -> Result<T, ApiError> {
    let now = state.clock.now();
    let client = state.limiter.client_of(peer.ip(), headers);
    let attempt = state.limiter.reserve(client, kind, now)?;
    // If this request is dropped while the lookup runs, the attempt stays counted.
    let result = db(move || f(now)).await?;
    if !matches!(
        &result,
        Err(EnrollError::WrongSetupCode
            | EnrollError::UsedSetupCode
            | EnrollError::ExpiredSetupCode
            | EnrollError::WrongPairingCode
            | EnrollError::UsedPairingCode
            | EnrollError::ExpiredPairingCode)
    ) {
        state.limiter.release(attempt);
    }
    Ok(result?)
}

/// The identity of the request's `Authorization: Bearer <device token>`.
pub(crate) async fn identity(state: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                NO_TOKEN,
                "This request needs the device's token (Authorization: Bearer <token>).",
            )
        })?
        .to_string();
    let storage = state.storage.clone();
    let now = state.clock.now();
    db(move || storage.identify(&token, now))
        .await?
        .map_err(ApiError::storage)?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                NOT_PAIRED,
                "This device is not (or no longer) paired with the store. Pair it again.",
            )
        })
}

/// Refuses unless `me` may pair or remove a device ([`Storage::check_may_manage_devices`]) with
/// the staff member and PIN of the request's body, if it has them. A body that is not
/// `{"staff": ..., "pin": ...}` counts as none: a store without staff needs none (its owner's
/// device sends `{}` or nothing), and a store with staff answers 400 for it.
///
/// [`Storage::check_may_manage_devices`]: crate::storage::Storage::check_may_manage_devices
async fn may_manage_devices(
    state: &AppState,
    me: &Identity,
    body: Result<Json<StaffPin>, JsonRejection>,
) -> Result<(), ApiError> {
    let pin = body.ok().map(|Json(pin)| pin);
    let storage = state.storage.clone();
    let (pins, clock, me) = (state.staff_pins.clone(), state.clock.clone(), me.clone());
    db(move || storage.check_may_manage_devices(&pins, clock.as_ref(), &me, pin.as_ref()))
        .await??;
    Ok(())
}

/// `POST /api/stores`: creates the store with the setup code; the caller becomes its owner.
pub async fn create_store(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<NewStore>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(new) = body?;
    let storage = state.storage.clone();
    let enrolled = with_code_limit(&state, addr, &headers, CodeKind::Setup, move |now| {
        storage.create_store(&new, now)
    })
    .await?;
    json(StatusCode::CREATED, enrolled)
}

/// `POST /api/pairing-codes`: a code another device can pair with, answered 201 with
/// `{"code": "XXXX-XXXX", "expires_at": "<RFC 3339>", "expires_in_secs": 600}`.
///
/// In a store with a staff list, from any device of the store, with the body
/// `{"staff": "<member id>", "pin": "1234"}`: the PIN of an active member whose role may change
/// settings (`Permission::ChangeSettings`; an owner always may), checked by the server as for
/// `PUT /api/store`. Refusals: 400 without that body; 403 `not_permitted` for a member who is not
/// in the list, not active, or whose role may not; 403 `wrong_pin` and 429 `pin_locked` (with
/// `Retry-After`), counted together with the PINs of `PUT /api/staff` and `PUT /api/store`.
///
/// In a store without a staff list, only from the owner's device (403 from any other), with any
/// body or none (the app sends `{}`).
pub async fn create_pairing_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<StaffPin>, JsonRejection>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    may_manage_devices(&state, &me, body).await?;
    let storage = state.storage.clone();
    let now = state.clock.now();
    let code = db(move || storage.new_pairing_code(&me.store_id, &me.device_id, now))
        .await?
        .map_err(ApiError::storage)?;
    json(StatusCode::CREATED, code)
}

/// The body of `POST /api/devices`.
#[derive(Debug, serde::Deserialize)]
pub struct PairRequest {
    pub pairing_code: String,
    pub device_name: String,
}

/// `POST /api/devices`: pairs this device with a pairing code.
pub async fn pair_device(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<PairRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let storage = state.storage.clone();
    let enrolled = with_code_limit(&state, addr, &headers, CodeKind::Pairing, move |now| {
        storage.pair_device(&req.pairing_code, &req.device_name, now)
    })
    .await?;
    json(StatusCode::CREATED, enrolled)
}

/// `GET /api/devices`: the store's devices, `{"devices": [{"device_id", "name", "role",
/// "paired_at", "last_seen", "revoked"}, ...]}` in pairing order. In a store with a staff list
/// any device of the store may ask, with no PIN (it shows nothing a device of the store could
/// not see); in a store without one only the owner's device (403 from any other).
pub async fn list_devices(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let storage = state.storage.clone();
    let devices = db(move || {
        storage.check_may_see_devices(&me)?;
        storage
            .devices(&me.store_id)
            .map_err(|e| DeviceAuthorityError::Staff(e.into()))
    })
    .await??;
    json(StatusCode::OK, serde_json::json!({ "devices": devices }))
}

/// `DELETE /api/devices/{device_id}`: revokes a device of the same store and closes its sync
/// connections; 204. Who may, and the body, as for `POST /api/pairing-codes`: in a store with a
/// staff list any device with `{"staff": "<member id>", "pin": "1234"}` of a member who may
/// change settings (so a lost owner's device is removed from another), in a store without one
/// only the owner's device. A device cannot remove itself (403, before any PIN is checked); 404
/// for a device the store does not have.
pub async fn revoke_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(device_id): Path<String>,
    body: Result<Json<StaffPin>, JsonRejection>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    if me.device_id == device_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            OWN_DEVICE,
            "A device cannot remove itself.",
        ));
    }
    may_manage_devices(&state, &me, body).await?;
    let storage = state.storage.clone();
    let now = state.clock.now();
    let id = device_id.clone();
    let found = db(move || storage.revoke_device(&me.store_id, &id, now))
        .await?
        .map_err(ApiError::storage)?;
    if !found {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            NO_SUCH_DEVICE,
            "This store has no such device. Reload the list of devices.",
        ));
    }
    state.connections.revoke(&device_id);
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// `GET /api/me`: who the token belongs to.
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    json(StatusCode::OK, me)
}

/// `GET /api/staff` (any device of the store): the store's public key and signed staff list,
/// `{"store_key": "<hex>", "staff_list": "<base64>" | null, "version": n}` (version 0 while the
/// store has no list). The enrollment replies carry the same `store_key` and `staff_list`.
pub async fn staff(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let storage = state.storage.clone();
    let staff = db(move || storage.staff(&me.store_id))
        .await?
        .map_err(ApiError::storage)?;
    json(StatusCode::OK, staff)
}

/// `PUT /api/staff` (any device of the store): `{"editor": "<member id>", "pin": "1234",
/// "list": <StaffList>}`, the next staff list with the PIN of the member who made the edit. The
/// server checks the PIN against its own list and the edit with `StaffList::check_edit`, signs
/// the list, keeps it and answers `{"staff_list": "<base64>", "version": n}`. Refusals: 403
/// `wrong_pin`, 429 `pin_locked` (with `Retry-After`), 409 `stale`, 403 `not_permitted`, 400 for
/// a list that is not well formed, 413 over [`MAX_BODY_BYTES`]. A store with no list yet takes
/// its first (version 1) from its owner's device, with the PIN of an owner in it.
pub async fn edit_staff(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<StaffEdit>, JsonRejection>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let edit = json_body(body, "The staff list", MAX_BODY_BYTES)?;
    let storage = state.storage.clone();
    let (pins, clock) = (state.staff_pins.clone(), state.clock.clone());
    let published = db(move || storage.edit_staff(&pins, clock.as_ref(), &me, &edit)).await??;
    json(StatusCode::OK, published)
}

/// `PUT /api/store` (any device of the store): `{"editor": "<member id>", "pin": "1234",
/// "name": "New name"}` renames the store, if the editor is an active member of the server's
/// staff list whose role may change settings (`Permission::ChangeSettings`) and the PIN is
/// theirs. It answers `{"store_name": "<the name, trimmed>"}`, which `GET /api/me` gives from
/// then on. Refusals: 400 for a name that is empty, over 100 characters or holds control
/// characters; 403 `not_permitted` (also while the store has no staff list); 403 `wrong_pin` and
/// 429 `pin_locked` (with `Retry-After`), counted together with the PINs of `PUT /api/staff`;
/// 409 `stale` if the staff list changed while the PIN was checked.
pub async fn rename_store(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Json<Rename>, JsonRejection>,
) -> Result<Response, ApiError> {
    let me = identity(&state, &headers).await?;
    let Json(rename) = body?;
    let storage = state.storage.clone();
    let (pins, clock) = (state.staff_pins.clone(), state.clock.clone());
    let name = db(move || storage.rename_store(&pins, clock.as_ref(), &me, &rename)).await??;
    json(StatusCode::OK, serde_json::json!({ "store_name": name }))
}

/// The JSON body of a request whose route reads at most `max` bytes; `what` names it in the
/// 413's text ("The staff list").
pub(crate) fn json_body<T>(
    body: Result<Json<T>, JsonRejection>,
    what: &str,
    max: usize,
) -> Result<T, ApiError> {
    body.map(|Json(body)| body).map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let limit = if max >= 1024 * 1024 {
                format!("{} MiB", max / (1024 * 1024))
            } else {
                format!("{} KiB", max / 1024)
            };
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                TOO_LARGE,
                format!("{what} is too large to send (at most {limit})."),
            )
        } else {
            ApiError::from(e)
        }
    })
}

/// Any other `/api/...` path.
pub async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        NO_SUCH_ENDPOINT,
        "No such API endpoint.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_is_a_distinct_word_listed_in_the_readme() {
        let readme = include_str!("../../README.md");
        for (i, reason) in REASONS.iter().enumerate() {
            assert!(
                reason.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{reason}"
            );
            assert!(!REASONS[..i].contains(reason), "{reason} twice");
            assert!(
                readme.contains(&format!("`{reason}`")),
                "README lacks {reason}"
            );
        }
    }
}
