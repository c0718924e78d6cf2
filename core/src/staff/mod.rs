//! Staff: members with a role and a PIN, the permissions of each role, approvals of protected
//! actions, the audit log's entries and the time clock. Pure: PINs are hashed with a salt the
//! caller draws, times and ids are passed in.
//!
//! # Where the staff list lives, and why a device cannot promote itself
//!
//! Every document a device syncs can be rewritten by that device (the server checks writers only
//! per store today, issue 11), so a role or a PIN hash kept in a shared document is only as
//! trustworthy as the least trustworthy device: a cashier's phone could make its cashier an owner,
//! or put its own hash on the owner. So roles are never read from a document as such.
//!
//! **The staff list is signed by the store's key, which the server holds.** The list (members with
//! their role, PIN hash and active flag, and the permission matrix) is one [`StaffList`] with the
//! store's id and a version number, serialised and signed with Ed25519 ([`SignedStaffList`]).
//! - The server makes the store's key pair when the store is created and keeps the secret half in
//!   its data folder. Devices get the public half in the enrollment reply (the same authenticated
//!   exchange that gives them their token) and keep it with their membership, never from a
//!   document.
//! - A device trusts a list only if [`SignedStaffList::verify_update`] passes: the signature checks
//!   with the store's public key, the list names this store, and its version is newer than the one
//!   the device holds. A list edited on a device fails the signature; an old signed list written
//!   back (to revive a dismissed manager) fails the version. Either is ignored on every device, so
//!   the signed bytes may travel in any channel, a shared document included.
//! - Offline, a device signs staff in, and checks approvals, against the last list it verified:
//!   PIN hashes are in it, [`pin_matches`] needs no network, and [`PinAttempts`] locks a member
//!   after wrong PINs on that device.
//! - Changing staff or roles needs the server: a device sends the edit with the PIN of a member
//!   whose role has [`Permission::EditStaff`]; the server checks that PIN against its own copy
//!   (with its own attempt limits) and the edit with [`StaffList::check_edit`] (only an owner
//!   touches owners or the matrix; no one changes their own role, or touches a member who may do
//!   more than they may), bumps the version, signs and publishes. The same copy lets the server
//!   check a manager's or owner's PIN for its admin actions (pairing, removing devices), and
//!   `transfer-owner` for a lost owner device is the server signing a list with a new owner. A
//!   store whose server is unreachable cannot change its staff until it is back: the price of
//!   having one authority the server can check.
//! - An owner-held key (signing on the owner's device, so staff edits work offline) was weighed and
//!   not chosen: the key would sit in a browser's storage, be lost with the device, and a
//!   replacement would have to be announced by the server anyway.
//!
//! What this does not protect: a PIN hash every device holds can be guessed offline by anyone who
//! reads a device's storage (a 6-digit PIN is a million Argon2 runs); the lockout protects the
//! till, not a stolen disk. And an audit entry saying who approved what is the device's word: the
//! server cannot check a PIN it never saw.
//!
//! The audit log is kept in each device's sales document of the day (`SalesDay::record_audit`),
//! which only that device writes, and read from every device's days (`StoreDocs::audit_log`),
//! filtered by [`AuditFilter`] and exported by [`audit_csv`].
//!
//! Implemented here: the types, the permission checks, PIN rules, hashing and lockout, approvals,
//! audit entries and their log, the time clock, the edit rule, and signing and verifying the list.
//! The server's key, its copy of the list and its edit endpoint are in `sync-server/src/staff.rs`;
//! the app's sign-in, switch, approval prompts and the entries it records in `app/src/state/staff.rs`.
//! Not yet: the server's PIN check for pairing and removing devices (the device's owner role and
//! an owner's PIN checked on the device still guard them). The settings document's owner PIN hash
//! (`SettingsDoc::owner_pin_hash`) is read only for a store whose server has no list yet.

mod approval;
mod audit;
mod audit_log;
mod edit;
mod pin;
mod roles;
mod signed;
mod time_clock;

pub use approval::{ApprovalError, ApprovalRecord, Authorization, approve, authorize, can_approve};
pub use audit::{AuditAction, AuditEntry};
pub use audit_log::{AUDIT_CSV_HEADER, AuditFilter, audit_csv};
pub use edit::StaffEditError;
pub use pin::{
    FIRST_LOCK_MS, FREE_ATTEMPTS, MAX_LOCK_MS, PIN_LENGTHS, PinAttempts, PinError, PinOutcome,
    hash_pin, is_phc_string, pin_matches, valid_pin,
};
pub use roles::{CustomRole, Permission, PermissionMatrix, Role};
pub use signed::SignedStaffList;
pub use time_clock::{TimeClock, hours};

use std::collections::BTreeSet;

use uuid::Uuid;

/// A person who works at the till.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StaffMember {
    pub id: Uuid,
    pub name: String,
    pub role: Role,
    /// The PIN's Argon2 hash as a PHC string ([`hash_pin`]); never the PIN.
    pub pin_hash: String,
    /// A member who left keeps their id (the audit log names them) but cannot sign in or approve.
    pub active: bool,
}

/// The store's staff and what each role may do: what the store's key signs.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StaffList {
    pub store: Uuid,
    /// One more with every signed edit; a device keeps the highest it has verified.
    pub version: u64,
    pub members: Vec<StaffMember>,
    pub matrix: PermissionMatrix,
    /// Minutes without a touch after which the till locks and asks for a PIN; 0 never locks.
    /// Here, signed with the rest, because only an owner may set it (it goes with the matrix).
    #[serde(default)]
    pub idle_lock_minutes: u32,
}

/// Why a staff list was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StaffListError {
    #[error("the staff list's signature does not match the store's key")]
    BadSignature,
    #[error("the store's public key is not a valid Ed25519 key")]
    BadKey,
    #[error("the staff list is damaged: {0}")]
    Corrupt(String),
    #[error("the staff list belongs to store {0}")]
    OtherStore(Uuid),
    #[error("staff list version {version} is not newer than version {have}")]
    NotNewer { version: u64, have: u64 },
    #[error("staff member {0} appears twice")]
    DuplicateMember(Uuid),
    #[error("the staff list has no active owner")]
    NoOwner,
    #[error("staff member {0} has no name")]
    NoName(Uuid),
    #[error("staff member {0}'s PIN hash is not a PHC string")]
    BadPinHash(Uuid),
    #[error("staff member {member} has role {role}, which the matrix does not define")]
    UnknownRole { member: Uuid, role: Uuid },
}

impl StaffList {
    /// A store's first list: its owner alone, with the default matrix.
    pub fn new(store: Uuid, owner: StaffMember) -> StaffList {
        StaffList {
            store,
            version: 1,
            members: vec![StaffMember {
                role: Role::Owner,
                active: true,
                ..owner
            }],
            matrix: PermissionMatrix::default(),
            idle_lock_minutes: 0,
        }
    }

    /// The members who may sign in.
    pub fn active(&self) -> impl Iterator<Item = &StaffMember> {
        self.members.iter().filter(|m| m.active)
    }

    pub fn member(&self, id: Uuid) -> Option<&StaffMember> {
        self.members.iter().find(|m| m.id == id)
    }

    /// What a signer checks before signing and a device after verifying: ids unique, names
    /// present, hashes readable, custom roles defined, and at least one active owner (so the store
    /// can always edit its staff).
    pub fn check(&self) -> Result<(), StaffListError> {
        let mut seen = BTreeSet::new();
        for m in &self.members {
            if !seen.insert(m.id) {
                return Err(StaffListError::DuplicateMember(m.id));
            }
            if m.name.trim().is_empty() {
                return Err(StaffListError::NoName(m.id));
            }
            if !is_phc_string(&m.pin_hash) {
                return Err(StaffListError::BadPinHash(m.id));
            }
            if let Role::Custom(role) = m.role
                && !self.matrix.custom.contains_key(&role)
            {
                return Err(StaffListError::UnknownRole { member: m.id, role });
            }
        }
        if !self
            .members
            .iter()
            .any(|m| m.active && m.role == Role::Owner)
        {
            return Err(StaffListError::NoOwner);
        }
        Ok(())
    }
}
