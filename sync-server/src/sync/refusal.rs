//! Refusals of `/sync` before the WebSocket upgrade: a status with a stable code, as the close
//! codes ([`super::close`]) are after it, and named alike where the trouble is the same
//! (`revoked`, `storage_failed`). The body is the JSON API's refusal,
//! `{"error": "<English>", "reason": "<code>"}`, and the code is also in the
//! [`REFUSAL_HEADER`] header, for a WebSocket client that shows a refused handshake's headers
//! but not its body. (A browser's `WebSocket` shows neither: it only fails to open.)

use axum::Json;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The header that carries the code of a refused upgrade.
pub const REFUSAL_HEADER: &str = "pos-sync-refusal";

/// Why `/sync` did not upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub status: StatusCode,
    /// A stable code (lower case and `_`), listed in README.
    pub reason: &'static str,
    /// What the user can do, in English.
    pub text: &'static str,
    /// Seconds before trying again (`Retry-After`), when waiting helps.
    pub retry_after: Option<&'static str>,
}

/// 401: no device token offered.
pub const NO_TOKEN: Refusal = Refusal {
    status: StatusCode::UNAUTHORIZED,
    reason: "no_token",
    text: "Missing device token: offer the WebSocket subprotocols pos-sync.v1 and pos-token.<device token>",
    retry_after: None,
};
/// 401: a token the server does not know.
pub const NOT_PAIRED: Refusal = Refusal {
    status: StatusCode::UNAUTHORIZED,
    reason: "not_paired",
    text: "Unknown device token: pair this device again",
    retry_after: None,
};
/// 401: the token of a device removed from its store.
pub const REVOKED: Refusal = Refusal {
    status: StatusCode::UNAUTHORIZED,
    reason: "revoked",
    text: "This device token was revoked: pair this device again",
    retry_after: None,
};
/// 429: the device has [`super::SyncLimits::connections_per_device`] connections open.
pub const TOO_MANY_CONNECTIONS: Refusal = Refusal {
    status: StatusCode::TOO_MANY_REQUESTS,
    reason: "too_many_connections",
    text: "Too many sync connections from this device: close other tabs of the register, or wait a minute",
    retry_after: Some("60"),
};
/// 503: the server has [`super::SyncLimits::connections`] open.
pub const SERVER_BUSY: Refusal = Refusal {
    status: StatusCode::SERVICE_UNAVAILABLE,
    reason: "server_busy",
    text: "The server has as many sync connections as it takes: try again in a minute",
    retry_after: Some("60"),
};
/// 503: the database failed to look the token up.
pub const STORAGE_FAILED: Refusal = Refusal {
    status: StatusCode::SERVICE_UNAVAILABLE,
    reason: "storage_failed",
    text: "The server's storage failed: try again later",
    retry_after: None,
};

/// Every refusal above, for the test that keeps them listed in the README (in `mod.rs`).
pub const ALL: &[Refusal] = &[
    NO_TOKEN,
    NOT_PAIRED,
    REVOKED,
    TOO_MANY_CONNECTIONS,
    SERVER_BUSY,
    STORAGE_FAILED,
];

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.text, "reason": self.reason });
        let mut res = (self.status, Json(body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            HeaderName::from_static(REFUSAL_HEADER),
            HeaderValue::from_static(self.reason),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
        }
        res
    }
}
