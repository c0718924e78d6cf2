//! The server's enrollment API (`/api/...`): create a store with the setup code, make a pairing
//! code, pair a device with one, list and revoke devices. JSON over `fetch`, same origin.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::storage::Membership;

#[wasm_bindgen(inline_js = r#"
export async function api_call(method, url, token, body) {
  try {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers['Authorization'] = 'Bearer ' + token;
    const r = await fetch(url, { method, headers, body: body === undefined ? undefined : body, cache: 'no-store' });
    return { status: r.status, body: await r.text() };
  } catch (e) {
    return { status: 0, body: String(e) };
  }
}
"#)]
extern "C" {
    fn api_call(
        method: &str,
        url: &str,
        token: Option<String>,
        body: Option<String>,
    ) -> js_sys::Promise;
}

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server could not be reached.
    Offline,
    /// The server refused, with its reason.
    Refused { status: u16, message: String },
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
}

async fn call<T: for<'de> Deserialize<'de>>(
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<String>,
) -> Result<T, ApiError> {
    let answer = JsFuture::from(api_call(method, path, token.map(str::to_owned), body))
        .await
        .map_err(|_| ApiError::Offline)?;
    let status = js_sys::Reflect::get(&answer, &"status".into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0) as u16;
    let text = js_sys::Reflect::get(&answer, &"body".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    match status {
        0 => Err(ApiError::Offline),
        200..=299 => {
            let text = if text.is_empty() { "null" } else { &text };
            serde_json::from_str(text).map_err(|e| ApiError::Refused {
                status,
                message: e.to_string(),
            })
        }
        _ => {
            let message = serde_json::from_str::<ErrorBody>(&text)
                .map(|b| b.error)
                .unwrap_or(text);
            Err(ApiError::Refused { status, message })
        }
    }
}

#[derive(Deserialize)]
struct Enrolled {
    store_id: pos_core::Uuid,
    store_name: String,
    device_id: pos_core::Uuid,
    device_token: String,
    peer_id: String,
    role: String,
}

impl Enrolled {
    fn membership(self, device_name: String) -> Membership {
        Membership {
            store_id: self.store_id,
            store_name: self.store_name,
            device_id: self.device_id,
            device_name,
            device_token: self.device_token,
            peer_id: self.peer_id,
            role: self.role,
        }
    }
}

#[derive(Serialize)]
struct NewStore<'a> {
    setup_code: &'a str,
    store_name: &'a str,
    currency: &'a str,
    locale: &'a str,
    device_name: &'a str,
}

pub async fn create_store(
    setup_code: &str,
    store_name: &str,
    currency: &str,
    locale: &str,
    device_name: &str,
) -> Result<Membership, ApiError> {
    let body = serde_json::to_string(&NewStore {
        setup_code,
        store_name,
        currency,
        locale,
        device_name,
    })
    .ok();
    let enrolled: Enrolled = call("POST", "/api/stores", None, body).await?;
    Ok(enrolled.membership(device_name.to_owned()))
}

#[derive(Serialize)]
struct Pairing<'a> {
    pairing_code: &'a str,
    device_name: &'a str,
}

pub async fn pair_device(pairing_code: &str, device_name: &str) -> Result<Membership, ApiError> {
    let body = serde_json::to_string(&Pairing {
        pairing_code,
        device_name,
    })
    .ok();
    let enrolled: Enrolled = call("POST", "/api/devices", None, body).await?;
    Ok(enrolled.membership(device_name.to_owned()))
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct PairingCode {
    pub code: String,
    pub expires_in_secs: u64,
}

pub async fn new_pairing_code(token: &str) -> Result<PairingCode, ApiError> {
    call("POST", "/api/pairing-codes", Some(token), Some("{}".into())).await
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct DeviceRow {
    pub device_id: pos_core::Uuid,
    pub name: String,
    pub role: String,
    pub revoked: bool,
    #[serde(default)]
    pub last_seen: Option<String>,
}

#[derive(Deserialize)]
struct DeviceList {
    devices: Vec<DeviceRow>,
}

pub async fn devices(token: &str) -> Result<Vec<DeviceRow>, ApiError> {
    Ok(call::<DeviceList>("GET", "/api/devices", Some(token), None)
        .await?
        .devices)
}

pub async fn revoke(token: &str, device: pos_core::Uuid) -> Result<(), ApiError> {
    call::<serde_json::Value>(
        "DELETE",
        &format!("/api/devices/{device}"),
        Some(token),
        None,
    )
    .await
    .map(|_| ())
}

/// Whether the server still knows this device's token: `Ok(false)` when it was revoked.
pub async fn token_valid(token: &str) -> Result<bool, ApiError> {
    match call::<serde_json::Value>("GET", "/api/me", Some(token), None).await {
        Ok(_) => Ok(true),
        Err(ApiError::Refused { status: 401, .. }) => Ok(false),
        Err(e) => Err(e),
    }
}
