//! The server's enrollment API (`/api/...`): create a store with the setup code, make a pairing
//! code, pair a device with one, list and revoke devices. JSON over `fetch`, same origin.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::Msg;
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

/// Why a call to the server did not succeed. `message` is the server's own (English) text, for
/// "Details"; the person at the device reads the refusal's translated message.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ApiError {
    /// The server could not be reached.
    #[error("the server could not be reached")]
    Offline,
    /// The server refused, with its reason.
    #[error("refused ({refusal:?}): {message}")]
    Refused { refusal: Refusal, message: String },
}

/// What a refusal means for the person at the device, by the HTTP status the server answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// 400: what was sent is not what the server takes.
    Invalid,
    /// 401: the device's token is unknown or revoked.
    NotPaired,
    /// 403: a wrong setup or pairing code, or an owner's action from another device.
    Forbidden,
    /// 404: no such device.
    NotFound,
    /// 410: the code was used already, or expired.
    CodeUsed,
    /// 429: too many wrong codes from this address.
    TooManyTries,
    /// 429 with `"reason": "pairing_paused"`: too many wrong pairing codes from everywhere, so
    /// the server pauses pairing for everyone for a while.
    PairingPaused,
    /// 503: the server's database is not available.
    Unavailable,
    /// 403 `wrong_pin`: the PIN given to confirm a staff edit is not that member's.
    WrongPin,
    /// 429 `pin_locked`: too many wrong PINs for that member; the server waits.
    PinLocked,
    /// 409 `stale`: another device changed the staff list first.
    Stale,
    /// 403 `not_permitted`: the member may not make this change.
    NotPermitted,
    /// A success whose body is not what the app expects (another version of the server).
    Unreadable,
    /// Any other status.
    Other,
}

impl Refusal {
    fn of_status(status: u16) -> Refusal {
        match status {
            400 => Refusal::Invalid,
            401 => Refusal::NotPaired,
            403 => Refusal::Forbidden,
            404 => Refusal::NotFound,
            410 => Refusal::CodeUsed,
            429 => Refusal::TooManyTries,
            503 => Refusal::Unavailable,
            // A status number: the server may send any; its text goes to "Details".
            _ => Refusal::Other,
        }
    }
}

impl ApiError {
    pub fn msg(&self) -> Msg {
        match self {
            ApiError::Offline => Msg::ServerUnreachable,
            ApiError::Refused { refusal, .. } => match refusal {
                Refusal::Invalid => Msg::ServerInvalid,
                Refusal::NotPaired => Msg::ServerNotPaired,
                Refusal::Forbidden => Msg::ServerForbidden,
                Refusal::NotFound => Msg::ServerNotFound,
                Refusal::CodeUsed => Msg::ServerCodeUsed,
                Refusal::TooManyTries => Msg::ServerTooManyTries,
                Refusal::PairingPaused => Msg::ServerPairingPaused,
                Refusal::Unavailable => Msg::ServerUnavailable,
                Refusal::WrongPin => Msg::WrongPin,
                Refusal::PinLocked => Msg::StaffPinLockedServer,
                Refusal::Stale => Msg::StaffStale,
                Refusal::NotPermitted => Msg::StaffNotPermitted,
                Refusal::Unreadable => Msg::ServerUnreadable,
                Refusal::Other => Msg::ServerRefused,
            },
        }
    }

    /// The server's own words, for "Details".
    pub fn detail(&self) -> Option<String> {
        match self {
            ApiError::Offline => None,
            ApiError::Refused { message, .. } => Some(message.clone()),
        }
    }
}

/// The cashier's words for why the sync server ended the connection: its close reason (or error
/// message) starts with a stable code, `disk_full: The server's disk is full…`, the English
/// staying under "Details". A reason without a known code gets the general words.
pub fn sync_refusal_msg(reason: &str) -> Msg {
    let code = reason.split_once(": ").map_or(reason, |(code, _)| code);
    match code {
        "disk_full" | "writes_failing" | "storage_failed" => Msg::SyncServerStorage,
        "quota" | "too_many_actors" => Msg::SyncServerQuota,
        "flood" | "too_slow" => Msg::SyncServerBusy,
        "revoked" => Msg::DeviceRemoved,
        "other_store" | "forged" | "not_owner" | "unknown_type" | "malformed" | "not_binary"
        | "too_big" | "foreign_actor" | "unreadable_change" => Msg::SyncServerRefused,
        _ => Msg::SyncProblem,
    }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: String,
    #[serde(default)]
    reason: Option<String>,
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
                refusal: Refusal::Unreadable,
                message: e.to_string(),
            })
        }
        _ => {
            let (message, reason) = match serde_json::from_str::<ErrorBody>(&text) {
                Ok(body) => (body.error, body.reason),
                Err(_) => (text, None),
            };
            let refusal = match (status, reason.as_deref()) {
                (429, Some("pairing_paused")) => Refusal::PairingPaused,
                (403, Some("wrong_pin")) => Refusal::WrongPin,
                (429, Some("pin_locked")) => Refusal::PinLocked,
                (409, Some("stale")) => Refusal::Stale,
                (403, Some("not_permitted")) => Refusal::NotPermitted,
                _ => Refusal::of_status(status),
            };
            Err(ApiError::Refused { refusal, message })
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
    #[serde(default)]
    store_key: String,
    #[serde(default)]
    staff_list: Option<String>,
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
            store_key: self.store_key,
            staff_list: self.staff_list,
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
    owner: &'a FirstOwner,
}

/// The store's first staff member, whom the server's first signed staff list names as owner.
#[derive(Clone, Debug, Serialize)]
pub struct FirstOwner {
    pub id: pos_core::Uuid,
    pub name: String,
    pub pin_hash: String,
}

pub async fn create_store(
    setup_code: &str,
    store_name: &str,
    currency: &str,
    locale: &str,
    device_name: &str,
    owner: &FirstOwner,
) -> Result<Membership, ApiError> {
    let body = serde_json::to_string(&NewStore {
        setup_code,
        store_name,
        currency,
        locale,
        device_name,
        owner,
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

/// A staff member's PIN for the server to check, where the store has staff.
#[derive(Clone, Debug, Serialize)]
pub struct StaffPin {
    pub staff: pos_core::Uuid,
    pub pin: String,
}

fn auth_body(auth: Option<&StaffPin>) -> String {
    auth.and_then(|a| serde_json::to_string(a).ok())
        .unwrap_or_else(|| "{}".into())
}

pub async fn new_pairing_code(
    token: &str,
    auth: Option<&StaffPin>,
) -> Result<PairingCode, ApiError> {
    call(
        "POST",
        "/api/pairing-codes",
        Some(token),
        Some(auth_body(auth)),
    )
    .await
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

pub async fn revoke(
    token: &str,
    device: pos_core::Uuid,
    auth: Option<&StaffPin>,
) -> Result<(), ApiError> {
    call::<serde_json::Value>(
        "DELETE",
        &format!("/api/devices/{device}"),
        Some(token),
        Some(auth_body(auth)),
    )
    .await
    .map(|_| ())
}

/// The store's staff list as the server holds it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct StaffReply {
    pub store_key: String,
    pub staff_list: Option<String>,
}

pub async fn staff(token: &str) -> Result<StaffReply, ApiError> {
    call("GET", "/api/staff", Some(token), None).await
}

#[derive(Serialize)]
struct StaffEdit<'a> {
    editor: pos_core::Uuid,
    pin: &'a str,
    list: &'a pos_core::staff::StaffList,
}

#[derive(Deserialize)]
struct StaffSaved {
    staff_list: String,
}

/// Asks the server to sign `list` as the store's next staff list; `editor`'s `pin` is checked
/// there. Answers the signed list (base64).
pub async fn save_staff(
    token: &str,
    editor: pos_core::Uuid,
    pin: &str,
    list: &pos_core::staff::StaffList,
) -> Result<String, ApiError> {
    let body = serde_json::to_string(&StaffEdit { editor, pin, list }).ok();
    Ok(call::<StaffSaved>("PUT", "/api/staff", Some(token), body)
        .await?
        .staff_list)
}

#[derive(Serialize)]
struct Rename<'a> {
    editor: pos_core::Uuid,
    pin: &'a str,
    name: &'a str,
}

#[derive(Deserialize)]
struct Renamed {
    store_name: String,
}

/// Renames the store on the server, with the PIN of a member who may change settings. Answers
/// the name as the server keeps it.
pub async fn rename_store(
    token: &str,
    editor: pos_core::Uuid,
    pin: &str,
    name: &str,
) -> Result<String, ApiError> {
    let body = serde_json::to_string(&Rename { editor, pin, name }).ok();
    Ok(call::<Renamed>("PUT", "/api/store", Some(token), body)
        .await?
        .store_name)
}

/// Whether the server still knows this device's token: `Ok(false)` when it was revoked.
pub async fn token_valid(token: &str) -> Result<bool, ApiError> {
    match call::<serde_json::Value>("GET", "/api/me", Some(token), None).await {
        Ok(_) => Ok(true),
        Err(ApiError::Refused {
            refusal: Refusal::NotPaired,
            ..
        }) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    #[test]
    fn every_refusal_of_the_server_is_translated() {
        let refused = |status| ApiError::Refused {
            refusal: Refusal::of_status(status),
            message: "The pairing code is wrong.".into(),
        };
        let mut all = vec![ApiError::Offline];
        all.extend([400, 401, 403, 404, 410, 429, 503, 500].map(refused));
        all.push(ApiError::Refused {
            refusal: Refusal::Unreadable,
            message: "expected value at line 1".into(),
        });
        for refusal in [
            Refusal::WrongPin,
            Refusal::PinLocked,
            Refusal::Stale,
            Refusal::NotPermitted,
        ] {
            all.push(ApiError::Refused {
                refusal,
                message: "Refused.".into(),
            });
        }
        all.push(ApiError::Refused {
            refusal: Refusal::PairingPaused,
            message: "Pairing is paused for everyone.".into(),
        });
        assert_translated(all.iter().map(ApiError::msg));
        assert_eq!(refused(410).msg(), Msg::ServerCodeUsed);
        assert_eq!(refused(500).msg(), Msg::ServerRefused);
        assert_eq!(
            refused(403).detail().as_deref(),
            Some("The pairing code is wrong.")
        );
    }

    /// The close codes README lists, each in the cashier's words in both languages.
    #[test]
    fn the_sync_servers_close_codes_are_translated() {
        let codes = [
            "not_binary",
            "malformed",
            "revoked",
            "flood",
            "quota",
            "other_store",
            "forged",
            "not_owner",
            "unknown_type",
            "too_slow",
            "too_big",
            "storage_failed",
            "disk_full",
            "writes_failing",
            "foreign_actor",
            "too_many_actors",
            "unreadable_change",
        ];
        for code in codes {
            assert_ne!(sync_refusal_msg(&format!("{code}: English")), Msg::SyncProblem, "{code}");
        }
        assert_translated(codes.iter().map(|c| sync_refusal_msg(c)));
        assert_eq!(
            sync_refusal_msg("disk_full: The server's disk is full: this device keeps its sales"),
            Msg::SyncServerStorage
        );
        assert_eq!(sync_refusal_msg("something new"), Msg::SyncProblem);
        let readme = include_str!("../../../README.md");
        for code in codes {
            assert!(readme.contains(&format!("`{code}`")), "README lists {code}");
        }
    }
}
