//! Who works the till: the store's staff list as this device verified it, signing in with a PIN
//! (at start, by "Switch", after the idle time the owner set), approvals of protected actions by a
//! member whose role has them, and the audit entries these make.
//!
//! The list is trusted only as the server signed it (core's `staff` module says why): it comes
//! with enrollment and from `GET /api/staff`, is verified with the store's public key, and is kept
//! with the membership. Every PIN is checked here, offline, against the hashes in it; wrong PINs
//! lock that member on this device (`PinAttempts`, kept in localStorage so a reload does not clear
//! them). Changing staff goes to the server, which checks the editor's PIN again and signs.
//!
//! A store whose list has one active member (the owner alone) never asks for a PIN: that member is
//! the one at the till. Each member signs in over the same open ticket: "Switch" hands the ticket
//! over rather than parking it, as a food truck's second pair of hands finishes the first's order.

use std::collections::BTreeMap;

use base64::Engine as _;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::Uuid;
use pos_core::staff::{
    ApprovalError, AuditAction, AuditEntry, Authorization, Permission, PinAttempts, PinOutcome,
    SignedStaffList, StaffList, StaffMember, approve, authorize, pin_matches,
};

use super::{AppState, Notice, storage_notice};
use crate::i18n::Msg;
use crate::storage::Membership;
use crate::sync::api::{self, ApiError};

/// A protected action, run with the member who approved it.
type Approved = Box<dyn FnOnce(Option<Uuid>)>;

/// localStorage key of the wrong-PIN counts of this device.
const ATTEMPTS_KEY: &str = "pos.pin-attempts";

/// The staff part of the page's state.
#[derive(Clone, Copy)]
pub struct Staff {
    /// The store's staff list as this device last verified it; `None` on a device of its own or
    /// in a store whose server has no list yet.
    pub list: RwSignal<Option<StaffList>>,
    /// Who works the till now.
    pub current: RwSignal<Option<Uuid>>,
    /// The till is locked: a PIN is needed before anything else.
    pub locked: RwSignal<bool>,
    /// A protected action waiting for the PIN of a member who may take it.
    pub asking: RwSignal<Option<Permission>>,
    /// Who approved the refund whose dialog is open, if the member at the till needed someone.
    pub refund_approved_by: RwSignal<Option<Uuid>>,
    /// Every device's audit entries, as last read from the store's documents.
    pub audit: RwSignal<Vec<AuditEntry>>,
    /// The days the audit log was asked for (start and end, in ms); `None` for the last week,
    /// which the time clock needs.
    pub audit_days: RwSignal<Option<(f64, f64)>>,
    then: StoredValue<Option<Approved>, LocalStorage>,
    /// Whether `current` typed their PIN on this page (signing in, creating the store, or
    /// confirming a staff edit), rather than being the one member of a list that asks no PIN.
    by_pin: StoredValue<bool, LocalStorage>,
    attempts: StoredValue<BTreeMap<Uuid, PinAttempts>, LocalStorage>,
    last_touch_ms: StoredValue<f64, LocalStorage>,
}

impl Staff {
    /// The name of staff member `id` as the store's list has it; the id itself for one the list
    /// no longer holds.
    pub fn name_of(&self, id: Uuid) -> String {
        self.list
            .with_untracked(|l| {
                l.as_ref()
                    .and_then(|l| l.member(id))
                    .map(|m| m.name.clone())
            })
            .unwrap_or_else(|| id.to_string())
    }

    pub fn new() -> Staff {
        Staff {
            list: RwSignal::new(None),
            current: RwSignal::new(None),
            locked: RwSignal::new(false),
            asking: RwSignal::new(None),
            audit: RwSignal::new(Vec::new()),
            audit_days: RwSignal::new(None),
            refund_approved_by: RwSignal::new(None),
            then: StoredValue::new_local(None),
            by_pin: StoredValue::new_local(false),
            attempts: StoredValue::new_local(load_attempts()),
            last_touch_ms: StoredValue::new_local(js_sys::Date::now()),
        }
    }

    /// The member signed in, as the list has them.
    pub fn member(&self) -> Option<StaffMember> {
        let id = self.current.get()?;
        self.list.with(|l| l.as_ref()?.member(id).cloned())
    }

    /// The member signed in, untracked, for actions.
    pub fn member_now(&self) -> Option<StaffMember> {
        let id = self.current.get_untracked()?;
        self.list
            .with_untracked(|l| l.as_ref()?.member(id).cloned())
    }

    /// Whether the signed-in member's role may take `permission` with no one else's PIN (true on
    /// a device without staff).
    pub fn may(&self, permission: Permission) -> bool {
        self.list
            .with(|list| list_allows(list.as_ref(), self.current.get(), permission))
    }

    /// [`Staff::may`], for actions.
    pub fn may_untracked(&self, permission: Permission) -> bool {
        self.list.with_untracked(|list| {
            list_allows(list.as_ref(), self.current.get_untracked(), permission)
        })
    }

    /// Whether the till asks for PINs at all: more than one member may sign in.
    fn signs_in(list: &StaffList) -> bool {
        list.active().count() > 1
    }
}

impl Default for Staff {
    fn default() -> Staff {
        Staff::new()
    }
}

/// Whether `member` may do `permission` under `list`. A store without a staff list has no roles,
/// so everything is allowed; with one, nobody signed in may do nothing.
fn list_allows(list: Option<&StaffList>, member: Option<Uuid>, permission: Permission) -> bool {
    list.is_none_or(|list| {
        member
            .and_then(|id| list.member(id))
            .is_some_and(|m| authorize(m, permission, &list.matrix) == Authorization::Allowed)
    })
}

/// The list in `membership`, if it verifies with the store's key. A list that does not is
/// ignored (and said in the console): a device must never act on an unsigned list.
pub fn verified_list(membership: &Membership) -> Option<StaffList> {
    let signed = membership.staff_list.as_deref()?;
    match verify(membership, signed, 0) {
        Ok(list) => Some(list),
        Err(reason) => {
            let reason = reason.unwrap_or_default();
            web_sys::console::warn_1(&format!("staff list not trusted: {reason}").into());
            None
        }
    }
}

/// The list `signed` (base64), if it verifies with the store's key and is newer than `have`;
/// `Err(None)` when it is simply not newer (the usual answer to asking again).
fn verify(membership: &Membership, signed: &str, have: u64) -> Result<StaffList, Option<String>> {
    let key = decode_key(&membership.store_key)
        .ok_or_else(|| Some("the store's key is missing or damaged".to_string()))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(signed)
        .map_err(|e| Some(e.to_string()))?;
    match SignedStaffList::from_bytes(&bytes)
        .and_then(|s| s.verify_update(&key, membership.store_id, have))
    {
        Ok(list) => Ok(list),
        Err(pos_core::staff::StaffListError::NotNewer { .. }) => Err(None),
        Err(e) => Err(Some(e.to_string())),
    }
}

fn decode_key(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

/// The hash of a new PIN, salted with 16 bytes from the browser's random source.
pub fn new_pin_hash(pin: &str) -> Result<String, Notice> {
    if !pos_core::staff::valid_pin(pin) {
        return Err(Notice::Error(Msg::StaffPinFormat, Vec::new()));
    }
    let mut salt = [0u8; 16];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .and_then(|c| c.get_random_values_with_u8_array(&mut salt).ok())
        .ok_or_else(|| Notice::Error(Msg::StaffPinFormat, Vec::new()))?;
    pos_core::staff::hash_pin(pin, &salt).map_err(super::not_saved)
}

fn load_attempts() -> BTreeMap<Uuid, PinAttempts> {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(ATTEMPTS_KEY).ok().flatten())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

fn keep_attempts(attempts: &BTreeMap<Uuid, PinAttempts>) {
    if let (Some(storage), Ok(text)) = (
        web_sys::window().and_then(|w| w.local_storage().ok().flatten()),
        serde_json::to_string(attempts),
    ) {
        let _ = storage.set_item(ATTEMPTS_KEY, &text);
    }
}

/// Why a PIN was not taken, for the person who typed it.
#[derive(Clone, Debug, PartialEq)]
pub enum PinRefusal {
    Wrong { left: u32 },
    Locked { until_ms: i64 },
    NotPermitted,
}

impl PinRefusal {
    pub fn notice(&self) -> Notice {
        match self {
            PinRefusal::Wrong { left } => {
                Notice::Error(Msg::StaffWrongPin, vec![("left", left.to_string())])
            }
            PinRefusal::Locked { until_ms } => {
                let seconds = ((until_ms - js_sys::Date::now() as i64).max(1000) + 999) / 1000;
                Notice::Error(Msg::StaffLocked, vec![("seconds", seconds.to_string())])
            }
            PinRefusal::NotPermitted => Notice::Error(Msg::StaffCannotApprove, Vec::new()),
        }
    }
}

impl AppState {
    /// Takes the staff list of this device's membership, and decides who is at the till.
    pub fn adopt_staff(&self, membership: &Membership) {
        let list = verified_list(membership);
        self.set_staff_list(list);
    }

    fn set_staff_list(&self, list: Option<StaffList>) {
        let staff = self.staff;
        let Some(list) = list else {
            staff.list.set(None);
            staff.current.set(None);
            staff.locked.set(false);
            return;
        };
        // The member who was at the till only because they were the only one must sign in
        // once there are others: they may not be the one holding the tablet now.
        let by_pin = staff.by_pin.get_value();
        let current = staff
            .current
            .get_untracked()
            .filter(|id| list.member(*id).is_some_and(|m| m.active))
            .filter(|_| by_pin || !Staff::signs_in(&list));
        if Staff::signs_in(&list) {
            staff.current.set(current);
            if current.is_none() {
                staff.locked.set(true);
            }
        } else {
            staff.current.set(list.active().next().map(|m| m.id));
            staff.locked.set(false);
        }
        staff.list.set(Some(list));
    }

    /// Asks the server for a newer staff list and keeps it if it verifies. Offline, or with no
    /// newer list, nothing changes.
    pub fn refresh_staff(&self) {
        let state = *self;
        let Some(membership) = self.membership.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let Ok(reply) = api::staff(&membership.device_token).await else {
                return;
            };
            let mut updated = membership.clone();
            if updated.store_key.is_empty() {
                updated.store_key = reply.store_key.clone();
            }
            let Some(signed) = reply.staff_list else {
                return;
            };
            state.keep_signed_list(updated, signed).await;
        });
    }

    /// Verifies `signed` as newer than the list held, keeps it with the membership and shows it.
    async fn keep_signed_list(&self, membership: Membership, signed: String) -> bool {
        let have = self
            .staff
            .list
            .with_untracked(|l| l.as_ref().map_or(0, |l| l.version));
        if membership.store_key.is_empty() {
            return false;
        }
        let list = match verify(&membership, &signed, have) {
            Ok(list) => list,
            Err(reason) => {
                if let Some(reason) = reason {
                    web_sys::console::warn_1(&format!("staff list not taken: {reason}").into());
                }
                return false;
            }
        };
        // Onto the membership as it is now: another save (a rename) may have come in meanwhile.
        let store_key = membership.store_key;
        let Some(mut membership) = self.membership.get_untracked() else {
            return false;
        };
        membership.store_key = store_key;
        membership.staff_list = Some(signed);
        if let Err(e) = self.storage().save_membership(membership.clone()).await {
            self.notice.set(Some(storage_notice(&e)));
            return false;
        }
        self.membership.set(Some(membership));
        self.set_staff_list(Some(list));
        true
    }

    /// The member who just typed their PIN elsewhere (creating the store) is the one at the till.
    pub fn signed_in_by_pin(&self, member: Uuid) {
        self.staff.by_pin.set_value(true);
        self.staff.current.set(Some(member));
    }

    /// Checks `pin` for `member` on this device, counting wrong ones.
    fn check_pin(&self, member: &StaffMember, pin: &str) -> PinOutcome {
        let now = js_sys::Date::now() as i64;
        let mut outcome = PinOutcome::Wrong { left: 0 };
        self.staff.attempts.update_value(|all| {
            outcome = all
                .entry(member.id)
                .or_default()
                .attempt(now, || pin_matches(pin, &member.pin_hash));
            keep_attempts(all);
        });
        outcome
    }

    /// Signs `member` in with `pin`, handing them the open ticket.
    pub fn sign_in(&self, member: Uuid, pin: &str) -> Result<(), PinRefusal> {
        let Some(m) = self
            .staff
            .list
            .with_untracked(|l| l.as_ref()?.member(member).cloned())
            .filter(|m| m.active)
        else {
            return Err(PinRefusal::NotPermitted);
        };
        match self.check_pin(&m, pin) {
            PinOutcome::Accepted => {
                self.staff.by_pin.set_value(true);
                self.staff.current.set(Some(member));
                self.staff.locked.set(false);
                self.staff.last_touch_ms.set_value(js_sys::Date::now());
                self.record_audit(AuditAction::SignIn, None);
                Ok(())
            }
            PinOutcome::Wrong { left } => Err(PinRefusal::Wrong { left }),
            PinOutcome::LockedNow { until_ms } | PinOutcome::StillLocked { until_ms } => {
                Err(PinRefusal::Locked { until_ms })
            }
        }
    }

    /// Locks the till for another member to sign in; the open ticket stays.
    pub fn switch_staff(&self) {
        if self
            .staff
            .list
            .with_untracked(|l| l.as_ref().is_some_and(Staff::signs_in))
        {
            self.record_audit(AuditAction::SignOut, None);
            self.staff.locked.set(true);
        }
    }

    /// Notes a touch, so the idle lock counts from now.
    pub fn touched(&self) {
        self.staff.last_touch_ms.set_value(js_sys::Date::now());
    }

    /// Locks the till when no one touched it for the owner's idle time.
    pub fn lock_if_idle(&self) {
        let idle_ms = self.staff.list.with_untracked(|l| match l {
            Some(l) if Staff::signs_in(l) && l.idle_lock_minutes > 0 => {
                Some(f64::from(l.idle_lock_minutes) * 60_000.0)
            }
            _ => None,
        });
        if let Some(idle_ms) = idle_ms
            && js_sys::Date::now() - self.staff.last_touch_ms.get_value() >= idle_ms
            && !self.staff.locked.get_untracked()
        {
            self.staff.locked.set(true);
        }
    }

    /// Runs `action` if the member at the till may take `permission`, or once a member who may
    /// has given their PIN (`action` then gets who approved). A device without staff runs it.
    pub fn protected(&self, permission: Permission, action: impl FnOnce(Option<Uuid>) + 'static) {
        let allowed = self.staff.list.with_untracked(|l| match l {
            None => true,
            Some(list) => self
                .staff
                .member_now()
                .is_some_and(|m| authorize(&m, permission, &list.matrix) == Authorization::Allowed),
        });
        if allowed {
            return action(None);
        }
        self.staff.then.set_value(Some(Box::new(action)));
        self.staff.asking.set(Some(permission));
    }

    /// Gives `discount` (of `base`) by `apply`, once allowed: one above the store's limit asks
    /// for a member who may; every discount given goes into the audit log.
    pub fn guard_discount(
        &self,
        discount: Option<pos_core::Discount>,
        base: pos_core::Decimal,
        apply: impl FnOnce() + 'static,
    ) {
        let Some(discount) = discount else {
            return apply();
        };
        let percent = match discount {
            pos_core::Discount::Percent(p) => p,
            pos_core::Discount::Amount(a) if base > pos_core::Decimal::ZERO => {
                (a * pos_core::Decimal::ONE_HUNDRED / base).round_dp(2)
            }
            pos_core::Discount::Amount(_) => pos_core::Decimal::ONE_HUNDRED,
        };
        let needs = self
            .staff
            .list
            .with_untracked(|l| l.as_ref().and_then(|l| l.matrix.discount_needs(percent)));
        let state = *self;
        let give = move |approved_by: Option<Uuid>| {
            apply();
            state.record_audit(AuditAction::Discount { percent }, approved_by);
        };
        match needs {
            Some(permission) => self.protected(permission, give),
            None => give(None),
        }
    }

    /// Whether `member` (one who just approved something), or else the member at the till, may
    /// take `permission` without asking anyone.
    pub fn member_may(&self, member: Option<Uuid>, permission: Permission) -> bool {
        let Some(member) = member else {
            return self.staff.may_untracked(permission);
        };
        self.staff
            .list
            .with_untracked(|list| list_allows(list.as_ref(), Some(member), permission))
    }

    /// The members whose role may approve what is asked.
    pub fn approvers(&self) -> Vec<StaffMember> {
        let Some(permission) = self.staff.asking.get() else {
            return Vec::new();
        };
        self.staff.list.with(|l| {
            l.as_ref().map_or_else(Vec::new, |list| {
                list.active()
                    .filter(|m| pos_core::staff::can_approve(m, permission, &list.matrix))
                    .cloned()
                    .collect()
            })
        })
    }

    /// `approver`'s PIN for what is asked: recorded and the action taken, or refused.
    pub fn approve_with(&self, approver: Uuid, pin: &str) -> Result<(), PinRefusal> {
        let Some(permission) = self.staff.asking.get_untracked() else {
            return Ok(());
        };
        let Some((asker, approver, matrix)) = self.staff.list.with_untracked(|l| {
            let list = l.as_ref()?;
            Some((
                self.staff.member_now()?,
                list.member(approver)?.clone(),
                list.matrix.clone(),
            ))
        }) else {
            return Err(PinRefusal::NotPermitted);
        };
        // Asked first, so that a member who may not approve does not spend a PIN attempt.
        if !pos_core::staff::can_approve(&approver, permission, &matrix) {
            return Err(PinRefusal::NotPermitted);
        }
        let outcome = self.check_pin(&approver, pin);
        let device = self
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.device_id))
            .unwrap_or_default();
        let now = js_sys::Date::now() as i64;
        match approve(&asker, &approver, permission, &matrix, outcome, now, device) {
            Ok(record) => {
                self.staff.asking.set(None);
                self.keep_audit(record.audit_entry(Uuid::now_v7()));
                if let Some(action) = self.staff.then.try_update_value(Option::take).flatten() {
                    action(Some(approver.id));
                }
                Ok(())
            }
            Err(ApprovalError::WrongPin) => Err(match outcome {
                PinOutcome::LockedNow { until_ms } => PinRefusal::Locked { until_ms },
                PinOutcome::Wrong { left } => PinRefusal::Wrong { left },
                _ => PinRefusal::Wrong { left: 0 },
            }),
            Err(ApprovalError::Locked { until_ms }) => Err(PinRefusal::Locked { until_ms }),
            Err(ApprovalError::Inactive | ApprovalError::NotPermitted) => {
                Err(PinRefusal::NotPermitted)
            }
        }
    }

    pub fn cancel_approval(&self) {
        self.staff.asking.set(None);
        self.staff.then.set_value(None);
    }

    /// Records what the member at the till did, for the owner's audit log. A device without
    /// staff records nothing: there is no one to name.
    pub fn record_audit(&self, action: AuditAction, approved_by: Option<Uuid>) {
        let Some(staff) = self.staff.current.get_untracked() else {
            return;
        };
        let Some(device) = self
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.device_id))
        else {
            return;
        };
        self.keep_audit(AuditEntry {
            id: Uuid::now_v7(),
            staff,
            action,
            at_ms: js_sys::Date::now() as i64,
            device,
            approved_by,
        });
    }

    /// Stores an audit entry in the outbox (durably, like a sale) for the sync worker to fold
    /// into this device's day document.
    fn keep_audit(&self, entry: AuditEntry) {
        let state = *self;
        let store = self
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.store_id));
        spawn_local(async move {
            match state.storage().record_audit(entry.clone(), store).await {
                Ok(()) => {
                    crate::sync::announce_outbox();
                    // Shown at once; the documents' copy replaces the list when it is read again.
                    state.staff.audit.update(|all| {
                        if all.iter().all(|e| e.id != entry.id) {
                            all.push(entry);
                        }
                    });
                }
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Reads every device's audit entries from the store's documents.
    pub fn load_audit(&self) {
        let Some(engine) = self.engine() else { return };
        let state = *self;
        let (from_ms, to_ms) = self.staff.audit_days.get_untracked().unwrap_or_else(|| {
            let now = js_sys::Date::now();
            (now - 7.0 * 86_400_000.0, now)
        });
        spawn_local(async move {
            let request = crate::sync::protocol::Request::AuditLog { from_ms, to_ms };
            match engine.ask(request).await {
                Ok(crate::sync::protocol::Answer::Audit(entries)) => state.staff.audit.set(entries),
                Ok(_) => {}
                Err(reason) => state.notice.set(Some(super::not_saved(reason))),
            }
        });
    }

    /// Gives a store whose server has no staff list yet (made before staff existed) its first:
    /// the owner alone, named and with a PIN, typed on the owner's device.
    pub async fn first_staff_list(&self, name: &str, pin: &str) -> Result<(), Notice> {
        let Some(mut membership) = self.membership.get_untracked() else {
            return Err(Notice::Error(Msg::JoinStoreFirst, Vec::new()));
        };
        // A membership from before the server had store keys learns the key now.
        if membership.store_key.is_empty() {
            let reply = api::staff(&membership.device_token)
                .await
                .map_err(|e| crate::state::enroll::api_notice(&e))?;
            membership.store_key = reply.store_key;
        }
        let owner = StaffMember {
            id: Uuid::now_v7(),
            name: name.trim().to_string(),
            role: pos_core::staff::Role::Owner,
            pin_hash: new_pin_hash(pin)?,
            active: true,
        };
        let list = StaffList::new(membership.store_id, owner.clone());
        match api::save_staff(&membership.device_token, owner.id, pin, &list).await {
            Ok(signed) => {
                self.staff.current.set(Some(owner.id));
                self.staff.by_pin.set_value(true);
                if self.keep_signed_list(membership, signed).await {
                    Ok(())
                } else {
                    Err(Notice::Error(Msg::StaffListUntrusted, Vec::new()))
                }
            }
            Err(e) => Err(crate::state::enroll::api_notice(&e)),
        }
    }

    /// Renames the store: on the server (which checks the PIN of the member at the till), then in
    /// the store's profile, which every device shows.
    pub async fn rename_store(&self, name: &str, pin: &str) -> Result<(), Notice> {
        let Some(mut membership) = self.membership.get_untracked() else {
            return Err(Notice::Error(Msg::JoinStoreFirst, Vec::new()));
        };
        let Some(editor) = self.staff.current.get_untracked() else {
            return Err(Notice::Error(Msg::StaffSignInFirst, Vec::new()));
        };
        let name = api::rename_store(&membership.device_token, editor, pin, name.trim())
            .await
            .map_err(|e| crate::state::enroll::api_notice(&e))?;
        membership.store_name = name.clone();
        self.storage()
            .save_membership(membership.clone())
            .await
            .map_err(|e| storage_notice(&e))?;
        self.membership.set(Some(membership));
        let mut store = self.store.get_untracked();
        store.name = name;
        self.save_store_profile(store, Msg::StoreRenamed);
        Ok(())
    }

    /// Sends `next` to the server as the store's next staff list, confirmed with the PIN of the
    /// member at the till; keeps the signed list the server answers.
    pub async fn save_staff_list(&self, next: StaffList, pin: &str) -> Result<(), Notice> {
        let Some(membership) = self.membership.get_untracked() else {
            return Err(Notice::Error(Msg::JoinStoreFirst, Vec::new()));
        };
        let Some(editor) = self.staff.current.get_untracked() else {
            return Err(Notice::Error(Msg::StaffSignInFirst, Vec::new()));
        };
        let version = next.version;
        match api::save_staff(&membership.device_token, editor, pin, &next).await {
            Ok(signed) => {
                // The server checked the editor's PIN: they are the one at the till.
                self.staff.by_pin.set_value(true);
                if self.keep_signed_list(membership, signed).await {
                    self.record_audit(AuditAction::StaffEdit { version }, None);
                    Ok(())
                } else {
                    Err(Notice::Error(Msg::StaffListUntrusted, Vec::new()))
                }
            }
            Err(e @ ApiError::Offline) => Err(Notice::Error(e.msg(), Vec::new())),
            Err(e) => {
                if matches!(
                    e,
                    ApiError::Refused {
                        refusal: api::Refusal::Stale,
                        ..
                    }
                ) {
                    self.refresh_staff();
                }
                Err(crate::state::enroll::api_notice(&e))
            }
        }
    }
}
