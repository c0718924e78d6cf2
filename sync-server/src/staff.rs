//! The store's staff list, with the server as its authority (issue 12). Every store has an
//! Ed25519 key whose secret half never leaves this database; devices get the public half at
//! enrollment and trust a staff list only with its signature. The server signs an edit only after
//! checking the editor's PIN against its own copy of the list (with a lockout of its own) and the
//! edit with `StaffList::check_edit`, so a device cannot promote anyone by rewriting the list.
//! The design is in `pos_core::staff`; here are its SQL and the rules of `PUT /api/staff`, which
//! `api.rs` maps onto HTTP.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use pos_core::staff::{
    Permission, PinAttempts, PinOutcome, Role, SignedStaffList, StaffEditError, StaffList,
    StaffListError, StaffMember, pin_matches, valid_pin,
};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::enroll::{Clock, Identity, ROLE_OWNER, millis, random_bytes};
use crate::storage::Storage;

/// Members a staff list may have: far above any shop's staff, and it keeps checking an edit
/// (which compares every member) cheap.
pub const MAX_MEMBERS: usize = 1_000;

/// The largest body `PUT /api/staff` reads (a list of [`MAX_MEMBERS`] is about 250 KB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The store's public key and its signed staff list, as `GET /api/staff` gives them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StaffState {
    /// Lowercase hex of the 32-byte Ed25519 public key.
    pub store_key: String,
    /// Standard base64 (padded) of `SignedStaffList::to_bytes`; `None` until the store has a list.
    pub staff_list: Option<String>,
    /// The list's version; 0 while there is none.
    pub version: u64,
}

/// The body of `PUT /api/staff`: the next list, and who made the edit with their PIN.
#[derive(serde::Deserialize)]
pub struct StaffEdit {
    pub editor: Uuid,
    pub pin: String,
    pub list: StaffList,
}

/// Without the PIN: a request logged by accident must not hold one.
impl fmt::Debug for StaffEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaffEdit")
            .field("editor", &self.editor)
            .field("pin", &"<hidden>")
            .field("list", &self.list)
            .finish()
    }
}

/// The list the server signed and now keeps.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Published {
    /// As in [`StaffState::staff_list`].
    pub staff_list: String,
    pub version: u64,
}

/// Why an edit of the staff list was refused. The messages are for the person at the device.
#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("This staff list belongs to another store.")]
    OtherStore,
    #[error("A staff list may have at most 1,000 members.")]
    TooManyMembers,
    /// The store has no list yet, and this is not its first list from the owner's device.
    #[error("{0}")]
    FirstList(&'static str),
    /// `left` more wrong PINs before a lock; `None` for the first list, whose PIN is the one just
    /// set, so there is nothing to guess and nothing to lock.
    #[error("{}", wrong_pin_message(*.left))]
    WrongPin { left: Option<u32> },
    #[error(
        "Too many wrong PINs for this staff member. Try again in {}.",
        wait_message(*.retry_after)
    )]
    PinLocked { retry_after: Duration },
    #[error("{}", edit_message(.0))]
    Edit(#[from] StaffEditError),
    /// Another edit was stored between this one's check and its write.
    #[error(
        "Someone else changed the staff list at the same moment. Reload it and make the change \
         again."
    )]
    Changed,
    /// The stored list does not verify with the store's own key.
    #[error("The server's copy of the staff list is damaged ({0}). Ask the server's operator.")]
    Damaged(StaffListError),
    #[error("The server's database failed: {0}")]
    Storage(#[from] rusqlite::Error),
}

fn wrong_pin_message(left: Option<u32>) -> String {
    match left {
        None => "Wrong PIN: type the PIN just set for the owner.".to_string(),
        Some(0) => "Wrong PIN. One more wrong PIN locks this staff member for a while.".to_string(),
        Some(n) => format!(
            "Wrong PIN. {} more wrong PINs lock this staff member for a while.",
            n + 1
        ),
    }
}

fn wait_message(wait: Duration) -> String {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    match secs {
        0..=1 => "a second".to_string(),
        2..=119 => format!("{secs} seconds"),
        _ => format!("{} minutes", secs.div_ceil(60)),
    }
}

/// Each refusal of `check_edit` in words the editor can act on.
fn edit_message(e: &StaffEditError) -> String {
    match e {
        StaffEditError::NotPermitted => {
            "Only an active staff member whose role may edit staff can change the staff list."
                .to_string()
        }
        StaffEditError::Stale { based_on, current } => format!(
            "The staff list changed since this edit was made (it is at version {current}, the \
             edit was made on version {based_on}). Reload it and make the change again."
        ),
        StaffEditError::OwnersAreTheOwners => {
            "Only an owner may add, change or remove an owner.".to_string()
        }
        StaffEditError::MatrixIsTheOwners => {
            "Only an owner may change what each role may do.".to_string()
        }
        StaffEditError::OwnRole => "Only an owner may change their own role.".to_string(),
        StaffEditError::RoleAboveEditor { member } => format!(
            "You cannot add, change or remove staff member {member}: their role may do more \
             than yours."
        ),
        StaffEditError::Invalid(e) => format!("The staff list was not accepted: {e}."),
    }
}

/// The server's count of wrong PINs per store and member, kept in the database (`pin_attempts`)
/// so that a restart does not clear a lock or the wrong PINs leading to one.
#[derive(Debug, Default)]
pub struct StaffPins {
    /// One turn per store and member: PINs for the same member are checked one at a time.
    turns: Mutex<HashMap<(String, Uuid), Turn>>,
}

/// A member's turn: held while their count is read, a PIN checked and the count written.
type Turn = Arc<Mutex<()>>;

impl StaffPins {
    /// One PIN typed for `member` of `store`, for any request a PIN authorises (a staff edit, a
    /// new store name, pairing or removing a device): they share one count, so spreading guesses
    /// over them gains nothing. The check (Argon2, slow) runs only while the member is not
    /// locked, and in the member's turn, so PINs sent at once are checked one after the other
    /// and cannot all slip in before the lock. The count is written before the answer, so
    /// killing the server after a wrong PIN does not undo it. Blocking.
    pub(crate) fn check_pin(
        &self,
        storage: &Storage,
        store: &str,
        member: &StaffMember,
        pin: &str,
        clock: &dyn Clock,
    ) -> Result<(), StaffError> {
        let turn = self
            .turns
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((store.to_string(), member.id))
            .or_default()
            .clone();
        let _turn = turn.lock().unwrap_or_else(PoisonError::into_inner);
        let before = storage.pin_attempts(store, member.id)?;
        let mut attempts = before.clone();
        let now = millis(clock.now());
        let outcome = attempts.attempt(now, || pin_is_theirs(pin, member));
        if attempts != before {
            storage.keep_pin_attempts(store, member.id, &attempts)?;
        }
        match outcome {
            PinOutcome::Accepted => Ok(()),
            PinOutcome::Wrong { left } => Err(StaffError::WrongPin { left: Some(left) }),
            PinOutcome::LockedNow { until_ms } | PinOutcome::StillLocked { until_ms } => {
                Err(StaffError::PinLocked {
                    retry_after: Duration::from_millis(until_ms.saturating_sub(now).max(0) as u64),
                })
            }
        }
    }
}

impl Storage {
    /// `member`'s wrong PINs and lock in `store`; none yet if there is no row.
    fn pin_attempts(&self, store: &str, member: Uuid) -> Result<PinAttempts, StaffError> {
        let found: Option<String> = self
            .lock()?
            .prepare_cached(
                "SELECT attempts FROM pin_attempts WHERE store_id = ?1 AND member = ?2",
            )?
            .query_row((store, member.to_string()), |r| r.get(0))
            .optional()?;
        let Some(json) = found else {
            return Ok(PinAttempts::default());
        };
        // A row this server wrote and cannot read is refused, not taken as no wrong PINs:
        // forgetting a lock is what the table is there to prevent.
        serde_json::from_str(&json).map_err(|e| {
            StaffError::Storage(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                Box::new(e),
            ))
        })
    }

    /// Keeps `attempts` as `member`'s in `store`; a clean count (a right PIN) removes the row.
    fn keep_pin_attempts(
        &self,
        store: &str,
        member: Uuid,
        attempts: &PinAttempts,
    ) -> Result<(), StaffError> {
        let conn = self.lock()?;
        let member = member.to_string();
        if *attempts == PinAttempts::default() {
            conn.prepare_cached("DELETE FROM pin_attempts WHERE store_id = ?1 AND member = ?2")?
                .execute((store, &member))?;
        } else {
            let json = serde_json::to_string(attempts).expect("PinAttempts serialises");
            conn.prepare_cached(
                "INSERT INTO pin_attempts (store_id, member, attempts) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (store_id, member) DO UPDATE SET attempts = excluded.attempts",
            )?
            .execute((store, &member, json))?;
        }
        Ok(())
    }
}

/// The active member `id` of `list` whose role allows `permission`; `None` for anyone else. A
/// request a PIN authorises asks this before [`StaffPins::check_pin`]: the list is no secret
/// (every device holds it), and a PIN typed by someone who may not anyway should neither cost
/// Argon2 nor bring their lock closer.
pub(crate) fn member_who_may(
    list: &StaffList,
    id: Uuid,
    permission: Permission,
) -> Option<&StaffMember> {
    list.member(id)
        .filter(|m| m.active && list.matrix.allows(m.role, permission))
}

/// Whether `pin` is `member`'s (Argon2, slow); what is not a well-formed PIN is no one's.
fn pin_is_theirs(pin: &str, member: &StaffMember) -> bool {
    valid_pin(pin) && pin_matches(pin, &member.pin_hash)
}

/// The secret seed of `store_id`'s key, made from the OS random source the first time it is
/// needed (at the store's creation, or later for a store made before staff lists existed).
/// The caller holds the connection, so two requests cannot make two keys.
pub(crate) fn store_seed(conn: &Connection, store_id: &str) -> rusqlite::Result<[u8; 32]> {
    let found: Option<[u8; 32]> = conn
        .prepare_cached("SELECT seed FROM store_keys WHERE store_id = ?1")?
        .query_row([store_id], |r| r.get(0))
        .optional()?;
    if let Some(seed) = found {
        return Ok(seed);
    }
    let seed = random_bytes::<32>();
    conn.prepare_cached("INSERT INTO store_keys (store_id, seed) VALUES (?1, ?2)")?
        .execute((store_id, &seed[..]))?;
    Ok(seed)
}

/// The stored signed list of `store_id` and its version, if it has one.
fn stored_list(conn: &Connection, store_id: &str) -> rusqlite::Result<Option<(u64, Vec<u8>)>> {
    conn.prepare_cached("SELECT version, signed FROM staff_lists WHERE store_id = ?1")?
        .query_row([store_id], |r| {
            Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get(1)?))
        })
        .optional()
}

/// The first list of a new store, made by its creation.
pub(crate) fn insert_first_list(
    conn: &Connection,
    store_id: &str,
    signed: &SignedStaffList,
) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT INTO staff_lists (store_id, version, signed) VALUES (?1, 1, ?2)")?
        .execute((store_id, signed.to_bytes()))?;
    Ok(())
}

/// The store's public key and list, making the key if the store has none yet.
pub(crate) fn staff_state(conn: &Connection, store_id: &str) -> rusqlite::Result<StaffState> {
    let seed = store_seed(conn, store_id)?;
    let list = stored_list(conn, store_id)?;
    Ok(StaffState {
        store_key: hex(&SignedStaffList::public_key(&seed)),
        version: list.as_ref().map_or(0, |(version, _)| *version),
        staff_list: list.map(|(_, bytes)| base64(&bytes)),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A store's staff list, verified, and its version.
pub(crate) type VersionedList = (u64, StaffList);

impl Storage {
    /// The seed of `store_id`'s key and its current list, verified with that key, with the
    /// list's version; `None` while the store has no list. Blocking.
    pub(crate) fn current_staff(
        &self,
        store_id: &str,
    ) -> Result<([u8; 32], Option<VersionedList>), StaffError> {
        // Every store id is a UUID; one that is not cannot have a list signed for it.
        let store = Uuid::parse_str(store_id).map_err(|e| {
            StaffError::Damaged(StaffListError::Corrupt(format!(
                "the store id {store_id:?} is not a UUID: {e}"
            )))
        })?;
        let (seed, stored) = {
            let conn = self.lock()?;
            (store_seed(&conn, store_id)?, stored_list(&conn, store_id)?)
        };
        let Some((version, bytes)) = stored else {
            return Ok((seed, None));
        };
        let list = SignedStaffList::from_bytes(&bytes)
            .and_then(|s| s.verify(&SignedStaffList::public_key(&seed), store))
            .map_err(StaffError::Damaged)?;
        Ok((seed, Some((version, list))))
    }

    /// The store's public key and signed list (`GET /api/staff`). Blocking.
    pub fn staff(&self, store_id: &str) -> rusqlite::Result<StaffState> {
        let conn = self.lock()?;
        staff_state(&conn, store_id)
    }

    /// Signs and keeps `edit.list` as `device`'s store's next staff list, if the editor's PIN
    /// and the edit pass (see [`StaffError`] for what is refused). Blocking: it runs Argon2,
    /// without holding the database while it does.
    pub fn edit_staff(
        &self,
        pins: &StaffPins,
        clock: &dyn Clock,
        device: &Identity,
        edit: &StaffEdit,
    ) -> Result<Published, StaffError> {
        let next = &edit.list;
        if next.store.to_string() != device.store_id {
            return Err(StaffError::OtherStore);
        }
        if next.members.len() > MAX_MEMBERS {
            return Err(StaffError::TooManyMembers);
        }
        let (seed, current) = self.current_staff(&device.store_id)?;
        let Some((version, current)) = current else {
            check_first_list(device, edit)?;
            let signed = sign(next, &seed)?;
            // Two first lists sent at once: the second finds a list and is refused.
            let inserted = self.lock()?.execute(
                "INSERT INTO staff_lists (store_id, version, signed) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (store_id) DO NOTHING",
                (&device.store_id, next.version as i64, signed.to_bytes()),
            )?;
            return published(inserted, &signed, next.version);
        };

        let Some(editor) = current.member(edit.editor).filter(|m| m.active) else {
            return Err(StaffEditError::NotPermitted.into());
        };
        pins.check_pin(self, &device.store_id, editor, &edit.pin, clock)?;
        current.check_edit(editor.id, next)?;
        let signed = sign(next, &seed)?;
        // Compare and replace in one statement: of two edits of the same version, one wins.
        let replaced = self.lock()?.execute(
            "UPDATE staff_lists SET version = ?2, signed = ?3 WHERE store_id = ?1 AND version = ?4",
            (
                &device.store_id,
                next.version as i64,
                signed.to_bytes(),
                version as i64,
            ),
        )?;
        published(replaced, &signed, next.version)
    }
}

/// A store made before staff lists has none, and nothing to check an editor's PIN against; its
/// owner's device sets it up. The PIN must match the owner's hash in the list sent, which shows
/// that the person at the device just set it, not that the server knew them before: the owner's
/// device is what is trusted here, as it is for pairing.
fn check_first_list(device: &Identity, edit: &StaffEdit) -> Result<(), StaffError> {
    let list = &edit.list;
    if device.role != ROLE_OWNER {
        return Err(StaffError::FirstList(
            "This store has no staff list yet: only the owner's device can set up the first one.",
        ));
    }
    if list.version != 1 {
        return Err(StaffError::FirstList(
            "This store has no staff list yet, so the one sent must be its first (version 1).",
        ));
    }
    let Some(owner) = list
        .member(edit.editor)
        .filter(|m| m.active && m.role == Role::Owner)
    else {
        return Err(StaffError::FirstList(
            "The first staff list must be set up by an active owner in it.",
        ));
    };
    list.check().map_err(StaffEditError::from)?;
    if !pin_is_theirs(&edit.pin, owner) {
        return Err(StaffError::WrongPin { left: None });
    }
    Ok(())
}

fn sign(list: &StaffList, seed: &[u8; 32]) -> Result<SignedStaffList, StaffError> {
    SignedStaffList::sign(list, seed).map_err(|e| StaffEditError::from(e).into())
}

fn published(rows: usize, signed: &SignedStaffList, version: u64) -> Result<Published, StaffError> {
    if rows == 0 {
        return Err(StaffError::Changed);
    }
    Ok(Published {
        staff_list: base64(&signed.to_bytes()),
        version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_count_the_pins_left_and_the_wait() {
        // `left` is how many more wrong PINs cost nothing; the one after them locks.
        assert!(wrong_pin_message(Some(0)).contains("One more wrong PIN locks"));
        assert!(wrong_pin_message(Some(2)).contains("3 more wrong PINs lock"));
        assert_eq!(wait_message(Duration::from_millis(29_500)), "30 seconds");
        assert_eq!(wait_message(Duration::from_secs(3_600)), "60 minutes");
    }

    #[test]
    fn the_pin_is_not_in_the_debug_text() {
        let edit: StaffEdit = serde_json::from_value(serde_json::json!({
            "editor": Uuid::nil(), "pin": "917356",
            "list": {
                "store": Uuid::nil(), "version": 2, "members": [],
                "matrix": pos_core::staff::PermissionMatrix::default(),
            },
        }))
        .unwrap();
        assert!(!format!("{edit:?}").contains("917356"));
    }
}
