//! The JSON API of enrollment: `/api/stores`, `/api/pairing-codes`, `/api/devices`,
//! `/api/me`. The app codes against these names; the rules are in [`crate::enroll`].
//!
//! Every answer is `Cache-Control: no-store` (tokens and codes must not linger in a cache);
//! every refusal is `{"error": "<what the user can do>"}`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::enroll::{EnrollError, Identity, NewStore, ROLE_OWNER};

/// Failed code attempts (setup or pairing) one address may make per [`ATTEMPT_WINDOW`].
pub const MAX_FAILED_ATTEMPTS: u32 = 5;
/// The window of [`MAX_FAILED_ATTEMPTS`].
pub const ATTEMPT_WINDOW: Duration = Duration::from_secs(60);

/// Why an API request was refused, with its status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            message: message.into(),
        }
    }

    fn storage(e: impl std::fmt::Display) -> Self {
        eprintln!("pos-sync-server: storage error: {e}");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The server's database is not available. Try again in a moment.",
        )
    }
}

impl From<EnrollError> for ApiError {
    fn from(e: EnrollError) -> Self {
        let status = match &e {
            EnrollError::WrongSetupCode | EnrollError::WrongPairingCode => StatusCode::FORBIDDEN,
            EnrollError::UsedSetupCode
            | EnrollError::UsedPairingCode
            | EnrollError::ExpiredPairingCode => StatusCode::GONE,
            EnrollError::Invalid(_) => StatusCode::BAD_REQUEST,
            EnrollError::Storage(e) => return ApiError::storage(e),
        };
        ApiError::new(status, e.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "The request is not the JSON this endpoint expects: {}",
                e.body_text()
            ),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        no_store(self.status, serde_json::json!({ "error": self.message }))
    }
}

fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    let mut res = (status, Json(body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn json(status: StatusCode, body: impl serde::Serialize) -> Result<Response, ApiError> {
    let value = serde_json::to_value(body).map_err(ApiError::storage)?;
    Ok(no_store(status, value))
}

/// Runs a blocking storage call off the async threads.
async fn db<T: Send + 'static, E: Send + 'static>(
    f: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<Result<T, E>, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::storage)
}

/// Counts failed code attempts per client address, so that a pairing code (short enough to
/// type) cannot be guessed: after [`MAX_FAILED_ATTEMPTS`] failures in [`ATTEMPT_WINDOW`] the
/// address gets 429 until the window ends.
#[derive(Debug, Default)]
pub struct AttemptLimiter {
    failures: Mutex<HashMap<IpAddr, (SystemTime, u32)>>,
}

impl AttemptLimiter {
    fn window_open(start: SystemTime, now: SystemTime) -> bool {
        now.duration_since(start)
            .map(|d| d < ATTEMPT_WINDOW)
            .unwrap_or(true)
    }

    /// Refuses an address that has failed too often lately.
    fn check(&self, ip: IpAddr, now: SystemTime) -> Result<(), ApiError> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (start, _)| Self::window_open(*start, now));
        match map.get(&ip) {
            Some((_, n)) if *n >= MAX_FAILED_ATTEMPTS => Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many wrong codes from this device. Wait a minute, then try again.",
            )),
            _ => Ok(()),
        }
    }

    fn failed(&self, ip: IpAddr, now: SystemTime) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(ip).or_insert((now, 0));
        entry.1 += 1;
    }
}

/// Checks the limiter, runs an enrollment step and counts a failure if the code was wrong.
async fn with_code_limit<T: Send + 'static>(
    state: &AppState,
    ip: IpAddr,
    f: impl FnOnce(SystemTime) -> Result<T, EnrollError> + Send + 'static,
) -> Result<T, ApiError> {
    let now = state.clock.now();
    state.limiter.check(ip, now)?;
    let result = db(move || f(now)).await?;
    if let Err(
        EnrollError::WrongSetupCode
        | EnrollError::WrongPairingCode
        | EnrollError::UsedPairingCode
        | EnrollError::ExpiredPairingCode
        | EnrollError::UsedSetupCode,
    ) = &result
    {
        state.limiter.failed(ip, now);
    }
    Ok(result?)
}

/// The identity of the request's `Authorization: Bearer <device token>`.
async fn identity(state: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
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
                "This device is not (or no longer) paired with the store. Pair it again.",
            )
        })
}

async fn owner(state: &AppState, headers: &HeaderMap) -> Result<Identity, ApiError> {
    let me = identity(state, headers).await?;
    if me.role != ROLE_OWNER {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Only the store owner's device can do this.",
        ));
    }
    Ok(me)
}

/// `POST /api/stores`: creates the store with the setup code; the caller becomes its owner.
pub async fn create_store(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    body: Result<Json<NewStore>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(new) = body?;
    let storage = state.storage.clone();
    let enrolled = with_code_limit(&state, addr.ip(), move |now| {
        storage.create_store(&new, now)
    })
    .await?;
    json(StatusCode::CREATED, enrolled)
}

/// `POST /api/pairing-codes` (owner): a code another device can pair with.
pub async fn create_pairing_code(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let me = owner(&state, &headers).await?;
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
    body: Result<Json<PairRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body?;
    let storage = state.storage.clone();
    let enrolled = with_code_limit(&state, addr.ip(), move |now| {
        storage.pair_device(&req.pairing_code, &req.device_name, now)
    })
    .await?;
    json(StatusCode::CREATED, enrolled)
}

/// `GET /api/devices` (owner): the store's devices.
pub async fn list_devices(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let me = owner(&state, &headers).await?;
    let storage = state.storage.clone();
    let devices = db(move || storage.devices(&me.store_id))
        .await?
        .map_err(ApiError::storage)?;
    json(StatusCode::OK, serde_json::json!({ "devices": devices }))
}

/// `DELETE /api/devices/{device_id}` (owner): revokes a device of the same store and closes
/// its sync connections.
pub async fn revoke_device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(device_id): Path<String>,
) -> Result<Response, ApiError> {
    let me = owner(&state, &headers).await?;
    if me.device_id == device_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "The owner's device cannot remove itself.",
        ));
    }
    let storage = state.storage.clone();
    let now = state.clock.now();
    let id = device_id.clone();
    let found = db(move || storage.revoke_device(&me.store_id, &id, now))
        .await?
        .map_err(ApiError::storage)?;
    if !found {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
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

/// Any other `/api/...` path.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "No such API endpoint.")
}
