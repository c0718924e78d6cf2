//! Enrollment: how a store and its devices come to exist on the server.
//!
//! A fresh server prints a one-time setup link; whoever opens it creates the store and becomes
//! its owner device. The owner makes short pairing codes; another device that types one in
//! becomes a device of the same store. Every device gets a random token (kept here only as a
//! SHA-256 hash), which `/sync` and the API accept as its identity. Enrolling also hands the
//! device its store's public key and signed staff list ([`crate::staff`]); a store is created
//! with its key and, when the owner is named, its first list. The rules live here, with their
//! SQL; `api.rs` maps them onto HTTP.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use pos_core::staff::{Role, SignedStaffList, StaffList, StaffMember, is_phc_string};
use rusqlite::{OptionalExtension, Transaction};

use crate::staff;
use crate::storage::{Storage, hash_token};

/// How long a pairing code works after it was made.
pub const PAIRING_CODE_TTL: Duration = Duration::from_secs(600);

/// How long a setup code from `new-store-code` works after it was made. Such a link is handed
/// on (mailed, pasted into a chat) and may lie around, so it should not work for ever. The code
/// printed at start has no expiry: only the server's operator sees it, every start replaces it,
/// and a server started unattended (at boot, as a service) must not lock its owner out before
/// they first open the link.
pub const SETUP_CODE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Letters and digits that cannot be mistaken for each other when read off a screen
/// (no 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V): 23 symbols.
const CODE_ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTWXY";

/// Symbols in a pairing code: 23^8 ≈ 7.8e10 codes. With the limits of [`crate::limits`] an
/// attacker gets at most 2,000 guesses in a code's ten minutes, a chance of ~2.6e-8 (README,
/// "Guessing a pairing code").
const PAIRING_CODE_LEN: usize = 8;
/// Symbols in a setup code: it travels in a link, so it can be long (~136 bits).
const SETUP_CODE_LEN: usize = 30;

/// How many pairing codes there are, for the arithmetic of [`crate::limits`].
pub fn pairing_code_space() -> f64 {
    (CODE_ALPHABET.len() as f64).powi(PAIRING_CODE_LEN as i32)
}

/// The role of the store's first device: may pair and remove devices.
pub const ROLE_OWNER: &str = "owner";
/// The role of a paired device.
pub const ROLE_DEVICE: &str = "device";

/// The longest store name, in characters, when the store is made and when it is renamed.
pub const MAX_STORE_NAME_CHARS: usize = 100;

/// The time, injectable so that tests can expire codes without waiting.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> SystemTime;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Milliseconds since the Unix epoch, as the database keeps times.
pub fn millis(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// RFC 3339 (UTC, seconds) of a stored time.
pub fn rfc3339(ms: i64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Why an enrollment step was refused. The messages are shown to the person enrolling.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// No such setup code (mistyped, or replaced by a newer one after a restart).
    #[error(
        "This setup link is not valid. Use the newest link the server printed, or run \
         `pos-sync-server new-store-code` on the server for a new one."
    )]
    WrongSetupCode,
    /// The setup code already created a store.
    #[error(
        "This setup link was already used to create a store. Sign in on a device of that \
         store, or run `pos-sync-server new-store-code` for another store."
    )]
    UsedSetupCode,
    /// The setup code (from `new-store-code`) is older than [`SETUP_CODE_TTL`].
    #[error(
        "This setup link has expired (links from `pos-sync-server new-store-code` work for 24 \
         hours). Run `pos-sync-server new-store-code` on the server for a new one."
    )]
    ExpiredSetupCode,
    /// No such pairing code.
    #[error(
        "This pairing code is not valid. Check it for typos, or make a new one on the \
         owner's device."
    )]
    WrongPairingCode,
    /// The pairing code was already used by another device.
    #[error("This pairing code was already used. Make a new one on the owner's device.")]
    UsedPairingCode,
    /// The pairing code is older than [`PAIRING_CODE_TTL`].
    #[error(
        "This pairing code has expired (codes work for 10 minutes). Make a new one on \
         the owner's device."
    )]
    ExpiredPairingCode,
    /// A required field is missing or out of range.
    #[error("{0}")]
    Invalid(String),
    /// The database failed.
    #[error("The server's database failed: {0}")]
    Storage(#[from] rusqlite::Error),
}

/// What a device receives when it enrolls: its identity and its secret token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Enrolled {
    pub store_id: String,
    pub store_name: String,
    pub device_id: String,
    /// The secret: shown once, stored only hashed.
    pub device_token: String,
    /// The `senderId` the device must use in the sync protocol's `join`.
    pub peer_id: String,
    pub role: String,
    /// The store's public key, lowercase hex: what the device verifies the staff list with.
    pub store_key: String,
    /// The store's signed staff list, base64 (see [`crate::staff::StaffState`]); `None` until the
    /// store has one.
    pub staff_list: Option<String>,
}

/// A new store, as the owner's device fills it in.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewStore {
    pub setup_code: String,
    pub store_name: String,
    pub currency: String,
    pub locale: String,
    pub device_name: String,
    /// The owner as a staff member, for the store's first staff list. A store made without one
    /// (by an app from before staff lists) gets its list later from its owner's device.
    #[serde(default)]
    pub owner: Option<NewOwner>,
}

/// The store's first staff member, as the owner's device sends them: never the PIN, only its
/// Argon2 hash, made on the device.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewOwner {
    pub id: uuid::Uuid,
    pub name: String,
    pub pin_hash: String,
}

impl NewOwner {
    /// The owner as a member of the first list, if the name and hash are usable.
    fn member(&self) -> Result<StaffMember, EnrollError> {
        let name = required("owner's name", &self.name, 100)?;
        // Only an Argon2id hash can ever match a PIN (`pos_core::staff::pin_matches`); anything
        // else would lock the owner out of their own staff list.
        let hash = self.pin_hash.trim();
        if !(hash.starts_with("$argon2id$") && hash.len() <= 256 && is_phc_string(hash)) {
            return Err(EnrollError::Invalid(
                "The owner's PIN did not arrive as an Argon2 hash. Set the PIN again; if this \
                 repeats, update the app."
                    .into(),
            ));
        }
        Ok(StaffMember {
            id: self.id,
            name,
            role: Role::Owner,
            pin_hash: hash.to_string(),
            active: true,
        })
    }
}

/// A pairing code as shown on the owner's device.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PairingCode {
    /// `XXXX-XXXX`.
    pub code: String,
    pub expires_at: String,
    pub expires_in_secs: u64,
}

/// A device, as `GET /api/devices` lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceInfo {
    pub device_id: String,
    pub name: String,
    pub role: String,
    pub paired_at: String,
    pub last_seen: Option<String>,
    pub revoked: bool,
}

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Identity {
    pub store_id: String,
    pub store_name: String,
    pub device_id: String,
    pub role: String,
}

/// The sync protocol's peer id of a device: what its `join` must claim.
pub fn peer_id_of(device_id: &str) -> String {
    format!("device-{device_id}")
}

/// The device id in a peer id made by [`peer_id_of`].
pub fn device_of_peer(peer_id: &str) -> Option<&str> {
    peer_id.strip_prefix("device-")
}

/// `n` random bytes from the operating system.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source failing means the machine cannot make secrets at all; stopping is
    // the only safe answer.
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// A random UUID (version 4).
fn random_uuid() -> uuid::Uuid {
    uuid::Builder::from_random_bytes(random_bytes::<16>()).into_uuid()
}

/// A device token: 256 random bits as hex.
fn random_token() -> String {
    random_bytes::<32>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `len` symbols of [`CODE_ALPHABET`], uniformly (rejection sampling, no modulo bias).
fn random_code(len: usize) -> String {
    let limit = 256 - 256 % CODE_ALPHABET.len();
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes::<32>() {
            if (b as usize) < limit && out.len() < len {
                out.push(CODE_ALPHABET[b as usize % CODE_ALPHABET.len()] as char);
            }
        }
    }
    out
}

/// A code as typed: upper-cased, with spaces and dashes dropped, so `abcd-efgh`, `ABCD EFGH`
/// and `ABCDEFGH` are the same code.
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// `value` trimmed, if it is neither empty nor over `max` characters; the refusal names `field`.
pub(crate) fn required(field: &str, value: &str, max: usize) -> Result<String, EnrollError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(EnrollError::Invalid(format!("Enter the {field}.")));
    }
    if value.chars().count() > max {
        return Err(EnrollError::Invalid(format!(
            "The {field} is too long (at most {max} characters)."
        )));
    }
    Ok(value.to_string())
}

/// The store's name as it will be kept, when the store is made and when it is renamed: trimmed,
/// present, at most [`MAX_STORE_NAME_CHARS`] characters and on one line, since it heads receipts
/// and every device's screen.
pub(crate) fn store_name(typed: &str) -> Result<String, EnrollError> {
    let name = required("store's name", typed, MAX_STORE_NAME_CHARS)?;
    if name.chars().any(char::is_control) {
        return Err(EnrollError::Invalid(
            "The store's name cannot hold line breaks, tabs or other control characters.".into(),
        ));
    }
    Ok(name)
}

fn currency_code(value: &str) -> Result<String, EnrollError> {
    let value = value.trim().to_ascii_uppercase();
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(value)
    } else {
        Err(EnrollError::Invalid(
            "The currency must be a three-letter ISO 4217 code such as EUR.".into(),
        ))
    }
}

fn insert_device(
    tx: &Transaction<'_>,
    store_id: &str,
    store_name: &str,
    device_name: &str,
    role: &str,
    now: i64,
) -> rusqlite::Result<Enrolled> {
    let device_id = random_uuid().to_string();
    let token = random_token();
    tx.execute(
        "INSERT INTO devices (device_id, store_id, name, role, token_hash, paired_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        (
            &device_id,
            store_id,
            device_name,
            role,
            hash_token(&token),
            now,
        ),
    )?;
    let staff = staff::staff_state(tx, store_id)?;
    Ok(Enrolled {
        store_id: store_id.to_string(),
        store_name: store_name.to_string(),
        peer_id: peer_id_of(&device_id),
        device_id,
        device_token: token,
        role: role.to_string(),
        store_key: staff.store_key,
        staff_list: staff.staff_list,
    })
}

impl Storage {
    /// Whether any store exists yet. Blocking.
    pub fn has_store(&self) -> rusqlite::Result<bool> {
        let conn = self.lock()?;
        conn.query_row("SELECT EXISTS (SELECT 1 FROM stores)", [], |r| r.get(0))
    }

    /// At start: if no store exists, makes a fresh setup code and returns it; the unused codes
    /// of earlier starts stop working (codes made with `new-store-code` stay). Blocking.
    pub fn startup_setup_code(&self, now: SystemTime) -> rusqlite::Result<Option<String>> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        tx.execute(
            "DELETE FROM setup_codes WHERE origin = 'start' AND used_at IS NULL",
            [],
        )?;
        let has_store: bool =
            tx.query_row("SELECT EXISTS (SELECT 1 FROM stores)", [], |r| r.get(0))?;
        let code = if has_store {
            None
        } else {
            Some(insert_setup_code(&tx, "start", now, None)?)
        };
        tx.commit()?;
        Ok(code)
    }

    /// A setup code for one more store (`pos-sync-server new-store-code`), valid for
    /// [`SETUP_CODE_TTL`]. Blocking.
    pub fn new_setup_code(&self, now: SystemTime) -> rusqlite::Result<String> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let code = insert_setup_code(&tx, "cli", now, Some(now + SETUP_CODE_TTL))?;
        tx.commit()?;
        Ok(code)
    }

    /// Creates a store with its owner device, its key and, if `new` names the owner, its first
    /// staff list, using up the setup code. Blocking.
    pub fn create_store(&self, new: &NewStore, now: SystemTime) -> Result<Enrolled, EnrollError> {
        let store_name = store_name(&new.store_name)?;
        let device_name = required("device name", &new.device_name, 100)?;
        let locale = required("language", &new.locale, 35)?;
        let currency = currency_code(&new.currency)?;
        let owner = new.owner.as_ref().map(NewOwner::member).transpose()?;
        let code_hash = hash_token(&normalize_code(&new.setup_code));
        let now = millis(now);

        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let found: Option<(Option<i64>, Option<i64>)> = tx
            .query_row(
                "SELECT used_at, expires_at FROM setup_codes WHERE code_hash = ?1",
                [&code_hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match found {
            None => return Err(EnrollError::WrongSetupCode),
            Some((Some(_), _)) => return Err(EnrollError::UsedSetupCode),
            Some((None, Some(expires))) if now >= expires => {
                return Err(EnrollError::ExpiredSetupCode);
            }
            Some((None, _)) => {}
        }
        tx.execute(
            "UPDATE setup_codes SET used_at = ?2 WHERE code_hash = ?1",
            (&code_hash, now),
        )?;
        let store = random_uuid();
        let store_id = store.to_string();
        tx.execute(
            "INSERT INTO stores (store_id, name, currency, locale, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (&store_id, &store_name, &currency, &locale, now),
        )?;
        let seed = staff::store_seed(&tx, &store_id)?;
        if let Some(owner) = owner {
            // Checked above, so signing cannot refuse it; if it did, the transaction is dropped
            // and the setup code stays unused.
            let signed = SignedStaffList::sign(&StaffList::new(store, owner), &seed)
                .map_err(|e| EnrollError::Invalid(format!("The owner was not accepted: {e}.")))?;
            staff::insert_first_list(&tx, &store_id, &signed)?;
        }
        let enrolled = insert_device(&tx, &store_id, &store_name, &device_name, ROLE_OWNER, now)?;
        tx.commit()?;
        Ok(enrolled)
    }

    /// Who a token belongs to, if it is valid (known and not revoked), noting that the device
    /// was seen. Blocking.
    pub fn identify(&self, token: &str, now: SystemTime) -> rusqlite::Result<Option<Identity>> {
        let conn = self.lock()?;
        let found = conn
            .prepare_cached(
                "SELECT d.store_id, s.name, d.device_id, d.role FROM devices d \
                 JOIN stores s USING (store_id) \
                 WHERE d.token_hash = ?1 AND d.revoked_at IS NULL",
            )?
            .query_row([hash_token(token)], |r| {
                Ok(Identity {
                    store_id: r.get(0)?,
                    store_name: r.get(1)?,
                    device_id: r.get(2)?,
                    role: r.get(3)?,
                })
            })
            .optional()?;
        drop(conn);
        if let Some(id) = &found {
            self.touch_device(&id.device_id, now)?;
        }
        Ok(found)
    }

    /// Notes that a device was seen (it opened a sync connection). Blocking.
    pub fn touch_device(&self, device_id: &str, now: SystemTime) -> rusqlite::Result<()> {
        let conn = self.lock()?;
        conn.prepare_cached("UPDATE devices SET last_seen = ?2 WHERE device_id = ?1")?
            .execute((device_id, millis(now)))?;
        Ok(())
    }

    /// Makes a pairing code for `store`, valid for [`PAIRING_CODE_TTL`]. Blocking.
    pub fn new_pairing_code(
        &self,
        store_id: &str,
        by_device: &str,
        now: SystemTime,
    ) -> rusqlite::Result<PairingCode> {
        let code = random_code(PAIRING_CODE_LEN);
        let expires = now + PAIRING_CODE_TTL;
        let conn = self.lock()?;
        // Expired codes are of no use to anyone; dropping them keeps the table small.
        conn.execute(
            "DELETE FROM pairing_codes WHERE expires_at < ?1",
            [millis(now)],
        )?;
        conn.execute(
            "INSERT INTO pairing_codes (code_hash, store_id, created_by, created_at, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                hash_token(&code),
                store_id,
                by_device,
                millis(now),
                millis(expires),
            ),
        )?;
        Ok(PairingCode {
            code: format!("{}-{}", &code[..4], &code[4..]),
            expires_at: rfc3339(millis(expires)),
            expires_in_secs: PAIRING_CODE_TTL.as_secs(),
        })
    }

    /// Pairs a new device with the pairing code, using it up. Blocking.
    pub fn pair_device(
        &self,
        pairing_code: &str,
        device_name: &str,
        now: SystemTime,
    ) -> Result<Enrolled, EnrollError> {
        let device_name = required("device name", device_name, 100)?;
        let code_hash = hash_token(&normalize_code(pairing_code));
        let now = millis(now);
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let found: Option<(String, String, i64, Option<i64>)> = tx
            .query_row(
                "SELECT p.store_id, s.name, p.expires_at, p.used_at FROM pairing_codes p \
                 JOIN stores s USING (store_id) WHERE p.code_hash = ?1",
                [&code_hash],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let (store_id, store_name) = match found {
            None => return Err(EnrollError::WrongPairingCode),
            Some((_, _, _, Some(_))) => return Err(EnrollError::UsedPairingCode),
            Some((_, _, expires, None)) if now >= expires => {
                return Err(EnrollError::ExpiredPairingCode);
            }
            Some((store, name, _, None)) => (store, name),
        };
        tx.execute(
            "UPDATE pairing_codes SET used_at = ?2 WHERE code_hash = ?1",
            (&code_hash, now),
        )?;
        let enrolled = insert_device(&tx, &store_id, &store_name, &device_name, ROLE_DEVICE, now)?;
        tx.commit()?;
        Ok(enrolled)
    }

    /// The devices of a store, in pairing order. Blocking.
    pub fn devices(&self, store_id: &str) -> rusqlite::Result<Vec<DeviceInfo>> {
        let conn = self.lock()?;
        let mut stmt = conn.prepare_cached(
            "SELECT device_id, name, role, paired_at, last_seen, revoked_at FROM devices \
             WHERE store_id = ?1 ORDER BY paired_at, rowid",
        )?;
        stmt.query_map([store_id], |r| {
            Ok(DeviceInfo {
                device_id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                paired_at: rfc3339(r.get(3)?),
                last_seen: r.get::<_, Option<i64>>(4)?.map(rfc3339),
                revoked: r.get::<_, Option<i64>>(5)?.is_some(),
            })
        })?
        .collect()
    }

    /// Revokes a device of `store_id`; false if the store has no such device. Blocking.
    pub fn revoke_device(
        &self,
        store_id: &str,
        device_id: &str,
        now: SystemTime,
    ) -> rusqlite::Result<bool> {
        let conn = self.lock()?;
        let n = conn.execute(
            "UPDATE devices SET revoked_at = coalesce(revoked_at, ?3) \
             WHERE store_id = ?1 AND device_id = ?2",
            (store_id, device_id, millis(now)),
        )?;
        Ok(n > 0)
    }

    /// The store of a device that may sync (not revoked). Blocking.
    pub fn device_store(&self, device_id: &str) -> rusqlite::Result<Option<String>> {
        let conn = self.lock()?;
        conn.prepare_cached(
            "SELECT store_id FROM devices WHERE device_id = ?1 AND revoked_at IS NULL",
        )?
        .query_row([device_id], |r| r.get(0))
        .optional()
    }
}

fn insert_setup_code(
    tx: &Transaction<'_>,
    origin: &str,
    now: SystemTime,
    expires: Option<SystemTime>,
) -> rusqlite::Result<String> {
    let code = random_code(SETUP_CODE_LEN);
    tx.execute(
        "INSERT INTO setup_codes (code_hash, origin, created_at, expires_at) \
         VALUES (?1, ?2, ?3, ?4)",
        (hash_token(&code), origin, millis(now), expires.map(millis)),
    )?;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_alphabet_and_normalize() {
        let code = random_code(PAIRING_CODE_LEN);
        assert_eq!(code.len(), PAIRING_CODE_LEN);
        assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)));
        assert_ne!(code, random_code(PAIRING_CODE_LEN));
        assert_eq!(normalize_code(" abcd-efgh "), "ABCDEFGH");
    }

    #[test]
    fn a_store_name_is_trimmed_present_short_and_on_one_line() {
        assert_eq!(store_name("  Шаурма у моста \n").unwrap(), "Шаурма у моста");
        // Counted in characters, not bytes: 100 Cyrillic letters are 200 bytes.
        assert!(store_name(&"Ш".repeat(MAX_STORE_NAME_CHARS)).is_ok());
        for (typed, says) in [
            (" \t ", "Enter the store's name."),
            (
                &*"a".repeat(MAX_STORE_NAME_CHARS + 1),
                "too long (at most 100 characters)",
            ),
            ("Corner\nCafé", "control characters"),
            ("Corner\u{7}Café", "control characters"),
        ] {
            let refused = store_name(typed).unwrap_err().to_string();
            assert!(refused.contains(says), "{typed:?}: {refused}");
        }
    }

    #[test]
    fn peer_ids_round_trip() {
        assert_eq!(device_of_peer(&peer_id_of("d1")), Some("d1"));
        assert_eq!(device_of_peer("raw-peer"), None);
    }

    #[test]
    fn times_format_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_953_600_000), "2026-11-29T12:00:00Z");
    }
}
