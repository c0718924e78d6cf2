//! Staff: who may do what, approvals, PIN lockout, the signed staff list, who may edit it, and
//! the time clock.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use pos_core::staff::{
    ApprovalError, AuditAction, AuditEntry, Authorization, CustomRole, FIRST_LOCK_MS, MAX_LOCK_MS,
    Permission, PermissionMatrix, PinAttempts, PinOutcome, Role, SignedStaffList, StaffEditError,
    StaffList, StaffListError, StaffMember, TimeClock, approve, authorize, can_approve, hash_pin,
    hours, pin_matches,
};
use pos_core::{BusinessDay, Uuid};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// One real hash, made once: Argon2 is slow in a debug build.
static HASH_1234: LazyLock<String> = LazyLock::new(|| hash_pin("1234", &[1; 16]).unwrap());

const STORE: Uuid = Uuid::from_u128(0x5707e);
const TILL: Uuid = Uuid::from_u128(0xd1);
const SEED: [u8; 32] = [42; 32];

fn member(n: u128, role: Role) -> StaffMember {
    StaffMember {
        id: Uuid::from_u128(n),
        name: format!("Member {n}"),
        role,
        pin_hash: HASH_1234.clone(),
        active: true,
    }
}

// ---- permissions ----

fn permission() -> impl Strategy<Value = Permission> {
    proptest::sample::select(Permission::ALL.to_vec())
}

fn permissions() -> impl Strategy<Value = BTreeSet<Permission>> {
    proptest::collection::btree_set(permission(), 0..=Permission::ALL.len())
}

const CUSTOM_IDS: [u128; 3] = [101, 102, 103];

fn matrix() -> impl Strategy<Value = PermissionMatrix> {
    (
        permissions(),
        permissions(),
        proptest::collection::btree_map(
            proptest::sample::select(CUSTOM_IDS.to_vec()),
            permissions(),
            0..=2,
        ),
        0..=100i64,
    )
        .prop_map(|(manager, cashier, custom, limit)| PermissionMatrix {
            manager,
            cashier,
            custom: custom
                .into_iter()
                .map(|(id, permissions)| {
                    let name = format!("Role {id}");
                    (Uuid::from_u128(id), CustomRole { name, permissions })
                })
                .collect(),
            discount_limit_percent: Decimal::from(limit),
        })
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Owner),
        Just(Role::Manager),
        Just(Role::Cashier),
        // Sometimes a custom role the matrix does not define.
        proptest::sample::select(CUSTOM_IDS.to_vec())
            .prop_map(|id| Role::Custom(Uuid::from_u128(id))),
    ]
}

/// The permissions `role` has in `matrix`, read straight from the data, not through `allows`.
fn granted(matrix: &PermissionMatrix, role: Role) -> BTreeSet<Permission> {
    match role {
        Role::Owner => Permission::ALL.into(),
        Role::Manager => matrix.manager.clone(),
        Role::Cashier => matrix.cashier.clone(),
        Role::Custom(id) => matrix
            .custom
            .get(&id)
            .map(|r| r.permissions.clone())
            .unwrap_or_default(),
    }
}

fn pin_outcome() -> impl Strategy<Value = PinOutcome> {
    prop_oneof![
        Just(PinOutcome::Accepted),
        Just(PinOutcome::Wrong { left: 2 }),
        Just(PinOutcome::LockedNow { until_ms: 9 }),
        Just(PinOutcome::StillLocked { until_ms: 9 }),
    ]
}

proptest! {
    /// No role without a permission is ever allowed it, nor can it approve it; an inactive member
    /// is allowed nothing; and what a role has is allowed with no approval.
    #[test]
    fn no_role_is_allowed_what_it_lacks(
        matrix in matrix(),
        actor_role in role(),
        actor_active in any::<bool>(),
        approver_role in role(),
        approver_active in any::<bool>(),
        action in permission(),
        pin in pin_outcome(),
    ) {
        let actor = StaffMember { active: actor_active, ..member(1, actor_role) };
        let approver = StaffMember { active: approver_active, ..member(2, approver_role) };
        let has = granted(&matrix, actor_role).contains(&action);
        let allowed = authorize(&actor, action, &matrix) == Authorization::Allowed;
        prop_assert_eq!(allowed, has && actor_active);

        let approved = approve(&actor, &approver, action, &matrix, pin, 5, TILL);
        let approver_has = granted(&matrix, approver_role).contains(&action);
        prop_assert_eq!(can_approve(&approver, action, &matrix), approver_has && approver_active);
        if let Ok(record) = &approved {
            prop_assert!(approver_has && approver_active && pin == PinOutcome::Accepted);
            prop_assert_eq!(record.approved_by, approver.id);
            prop_assert_eq!(record.requested_by, actor.id);
            prop_assert_eq!(record.action, action);
        } else {
            prop_assert!(!(approver_has && approver_active && pin == PinOutcome::Accepted));
        }
    }
}

#[test]
fn a_cashier_refund_asks_a_manager_whose_wrong_pin_refuses() {
    let matrix = PermissionMatrix::default();
    let cashier = member(1, Role::Cashier);
    let manager = member(2, Role::Manager);
    let other_cashier = member(3, Role::Cashier);
    assert_eq!(
        authorize(&cashier, Permission::Refund, &matrix),
        Authorization::NeedsApproval
    );
    assert_eq!(
        authorize(&manager, Permission::Refund, &matrix),
        Authorization::Allowed
    );

    let mut attempts = PinAttempts::default();
    let at = 1_800_000_000_000;
    let wrong = attempts.attempt(at, || pin_matches("9999", &manager.pin_hash));
    assert_eq!(
        approve(
            &cashier,
            &manager,
            Permission::Refund,
            &matrix,
            wrong,
            at,
            TILL
        ),
        Err(ApprovalError::WrongPin)
    );
    assert!(!can_approve(&other_cashier, Permission::Refund, &matrix));
    assert_eq!(
        approve(
            &cashier,
            &other_cashier,
            Permission::Refund,
            &matrix,
            PinOutcome::Accepted,
            at,
            TILL
        ),
        Err(ApprovalError::NotPermitted)
    );
    let gone = StaffMember {
        active: false,
        ..manager.clone()
    };
    assert_eq!(
        approve(
            &cashier,
            &gone,
            Permission::Refund,
            &matrix,
            PinOutcome::Accepted,
            at,
            TILL
        ),
        Err(ApprovalError::Inactive)
    );

    let right = attempts.attempt(at + 5_000, || pin_matches("1234", &manager.pin_hash));
    let record = approve(
        &cashier,
        &manager,
        Permission::Refund,
        &matrix,
        right,
        at + 5_000,
        TILL,
    )
    .unwrap();
    let entry = record.audit_entry(Uuid::from_u128(77));
    assert_eq!(entry.staff, cashier.id);
    assert_eq!(entry.approved_by, Some(manager.id));
    assert_eq!(
        entry.action,
        AuditAction::Approval {
            permission: Permission::Refund
        }
    );
    assert_eq!((entry.at_ms, entry.device), (at + 5_000, TILL));
    // The entry reads back as it was written (the app keeps it as JSON).
    let json = serde_json::to_string(&entry).unwrap();
    assert_eq!(serde_json::from_str::<AuditEntry>(&json).unwrap(), entry);
}

#[test]
fn a_discount_above_the_limit_needs_the_permission() {
    let matrix = PermissionMatrix {
        discount_limit_percent: Decimal::from(15),
        ..PermissionMatrix::default()
    };
    let cashier = member(1, Role::Cashier);
    assert_eq!(matrix.discount_needs(Decimal::from(15)), None);
    let needs = matrix.discount_needs(Decimal::from(20)).unwrap();
    assert_eq!(
        authorize(&cashier, needs, &matrix),
        Authorization::NeedsApproval
    );
    assert_eq!(
        authorize(&member(2, Role::Manager), needs, &matrix),
        Authorization::Allowed
    );
}

// ---- lockout ----

#[test]
fn five_wrong_pins_lock_for_30_seconds_then_each_wrong_one_doubles_it() {
    let mut attempts = PinAttempts::default();
    let t = 1_000_000;
    for left in [3, 2, 1, 0] {
        assert_eq!(attempts.attempt(t, || false), PinOutcome::Wrong { left });
    }
    assert_eq!(
        attempts.attempt(t, || false),
        PinOutcome::LockedNow {
            until_ms: t + 30_000
        }
    );
    // While locked, the PIN is not even checked: a right one is not let in.
    let checked = std::cell::Cell::new(false);
    let outcome = attempts.attempt(t + 29_999, || {
        checked.set(true);
        true
    });
    assert_eq!(
        outcome,
        PinOutcome::StillLocked {
            until_ms: t + 30_000
        }
    );
    assert!(!checked.get());
    assert_eq!(attempts.locked_until(t + 29_999), Some(t + 30_000));
    assert_eq!(attempts.locked_until(t + 30_000), None);

    // The next wrong PIN, once the lock has passed, locks at once for twice as long.
    let t2 = t + 30_000;
    assert_eq!(
        attempts.attempt(t2, || false),
        PinOutcome::LockedNow {
            until_ms: t2 + 60_000
        }
    );
    let t3 = t2 + 60_000;
    assert_eq!(
        attempts.attempt(t3, || false),
        PinOutcome::LockedNow {
            until_ms: t3 + 120_000
        }
    );
    // A right PIN after the lock clears everything.
    let t4 = t3 + 120_000;
    assert_eq!(attempts.attempt(t4, || true), PinOutcome::Accepted);
    assert_eq!(attempts.wrong_in_a_row(), 0);
    assert_eq!(
        attempts.attempt(t4, || false),
        PinOutcome::Wrong { left: 3 }
    );
}

#[test]
fn locks_stop_growing_at_an_hour() {
    let mut attempts = PinAttempts::default();
    let mut t = 0;
    let mut last = 0;
    for _ in 0..40 {
        match attempts.attempt(t, || false) {
            PinOutcome::LockedNow { until_ms } => {
                last = until_ms - t;
                t = until_ms;
            }
            PinOutcome::Wrong { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(last, MAX_LOCK_MS);
    // The state survives being stored (the app keeps it, so a reload does not clear it).
    let json = serde_json::to_string(&attempts).unwrap();
    assert_eq!(
        serde_json::from_str::<PinAttempts>(&json).unwrap(),
        attempts
    );
}

proptest! {
    /// Whatever is typed when: a PIN is never checked while locked, a lock never exceeds an hour,
    /// and the first lock comes after exactly five wrong PINs in a row.
    #[test]
    fn lockout_holds_for_any_sequence(
        steps in proptest::collection::vec((0..120_000i64, any::<bool>()), 1..60),
    ) {
        let mut attempts = PinAttempts::default();
        let mut now = 0;
        let mut wrong = 0u32;
        for (wait, right) in steps {
            now += wait;
            let locked = attempts.locked_until(now);
            let mut checked = false;
            let outcome = attempts.attempt(now, || { checked = true; right });
            prop_assert_eq!(checked, locked.is_none());
            match outcome {
                PinOutcome::StillLocked { until_ms } => prop_assert_eq!(Some(until_ms), locked),
                PinOutcome::Accepted => { prop_assert!(right); wrong = 0; }
                PinOutcome::Wrong { left } => {
                    wrong += 1;
                    prop_assert!(wrong < 5);
                    prop_assert_eq!(left, 4 - wrong);
                }
                PinOutcome::LockedNow { until_ms } => {
                    wrong += 1;
                    prop_assert!(wrong >= 5);
                    let length = until_ms - now;
                    prop_assert!((FIRST_LOCK_MS..=MAX_LOCK_MS).contains(&length));
                    if wrong == 5 { prop_assert_eq!(length, FIRST_LOCK_MS); }
                }
            }
        }
    }
}

// ---- the signed staff list ----

fn store_list() -> StaffList {
    let mut list = StaffList::new(STORE, member(1, Role::Owner));
    list.members.push(member(2, Role::Manager));
    list.members.push(member(3, Role::Cashier));
    list
}

fn public_key() -> [u8; 32] {
    SignedStaffList::public_key(&SEED)
}

#[test]
fn a_signed_list_verifies_with_the_stores_key_only() {
    let list = store_list();
    let signed = SignedStaffList::sign(&list, &SEED).unwrap();
    let bytes = signed.to_bytes();
    let read = SignedStaffList::from_bytes(&bytes).unwrap();
    assert_eq!(read.verify(&public_key(), STORE).unwrap(), list);
    assert_eq!(read.verify_update(&public_key(), STORE, 0).unwrap(), list);

    let other_key = SignedStaffList::public_key(&[7; 32]);
    assert_eq!(
        read.verify(&other_key, STORE),
        Err(StaffListError::BadSignature)
    );
    assert_eq!(
        read.verify(&public_key(), Uuid::from_u128(9)),
        Err(StaffListError::OtherStore(STORE))
    );
    assert!(matches!(
        SignedStaffList::from_bytes(&bytes[..40]),
        Err(StaffListError::Corrupt(_))
    ));
}

#[test]
fn a_cashier_made_owner_on_a_device_is_refused() {
    let signed = SignedStaffList::sign(&store_list(), &SEED).unwrap();
    let bytes = signed.to_bytes();
    let text = String::from_utf8(bytes[64..].to_vec()).unwrap();
    // The device rewrites its cashier's role, keeping the signature.
    let forged = text.replacen("\"cashier\"", "\"owner\"", 1);
    assert_ne!(forged, text);
    let mut tampered = bytes[..64].to_vec();
    tampered.extend_from_slice(forged.as_bytes());
    let tampered = SignedStaffList::from_bytes(&tampered).unwrap();
    assert_eq!(
        tampered.verify(&public_key(), STORE),
        Err(StaffListError::BadSignature)
    );
    // Nor can it sign the forged list with a key of its own.
    let mut list: StaffList = serde_json::from_str(&forged).unwrap();
    list.version += 1;
    let own = SignedStaffList::sign(&list, &[9; 32]).unwrap();
    assert_eq!(
        own.verify(&public_key(), STORE),
        Err(StaffListError::BadSignature)
    );
}

#[test]
fn an_older_signed_list_written_back_is_refused() {
    let v1 = SignedStaffList::sign(&store_list(), &SEED).unwrap();
    let mut list = store_list();
    list.version = 2;
    list.members[1].active = false; // the manager left
    let v2 = SignedStaffList::sign(&list, &SEED).unwrap();
    let held = v2.verify_update(&public_key(), STORE, 1).unwrap();
    assert!(!held.member(Uuid::from_u128(2)).unwrap().active);
    assert_eq!(
        v1.verify_update(&public_key(), STORE, held.version),
        Err(StaffListError::NotNewer {
            version: 1,
            have: 2
        })
    );
    assert!(matches!(
        v2.verify_update(&public_key(), STORE, 2),
        Err(StaffListError::NotNewer { .. })
    ));
}

#[test]
fn a_list_that_would_lock_the_store_out_is_not_signed() {
    let mut list = store_list();
    list.members[0].active = false;
    assert_eq!(
        SignedStaffList::sign(&list, &SEED),
        Err(StaffListError::NoOwner)
    );
    let mut list = store_list();
    list.members[2].pin_hash = "1234".into();
    assert_eq!(
        SignedStaffList::sign(&list, &SEED),
        Err(StaffListError::BadPinHash(Uuid::from_u128(3)))
    );
    let mut list = store_list();
    list.members.push(member(2, Role::Cashier));
    assert_eq!(
        SignedStaffList::sign(&list, &SEED),
        Err(StaffListError::DuplicateMember(Uuid::from_u128(2)))
    );
    let mut list = store_list();
    list.members[2].role = Role::Custom(Uuid::from_u128(55));
    assert!(matches!(
        SignedStaffList::sign(&list, &SEED),
        Err(StaffListError::UnknownRole { .. })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Any one bit flipped anywhere in the stored bytes, signature or list, and it is refused.
    #[test]
    fn any_flipped_bit_is_refused(bit in 0usize..8 * 1024) {
        let bytes = SIGNED.to_bytes();
        let bit = bit % (bytes.len() * 8);
        let mut bytes = bytes.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        let flipped = SignedStaffList::from_bytes(&bytes).unwrap();
        prop_assert!(flipped.verify(&public_key(), STORE).is_err());
    }
}

static SIGNED: LazyLock<SignedStaffList> =
    LazyLock::new(|| SignedStaffList::sign(&store_list(), &SEED).unwrap());

// ---- who may edit the list ----

const OWNER: Uuid = Uuid::from_u128(1);
const MANAGER: Uuid = Uuid::from_u128(2);
const CASHIER: Uuid = Uuid::from_u128(3);
const BOOKKEEPER: Uuid = Uuid::from_u128(4);
const BOOKKEEPING: Uuid = Uuid::from_u128(201);

/// The store's list, where managers may edit staff and a bookkeeper may change settings (which a
/// manager may not).
fn editable_list() -> StaffList {
    let mut list = store_list();
    list.matrix.manager.insert(Permission::EditStaff);
    list.matrix.custom.insert(
        BOOKKEEPING,
        CustomRole {
            name: "Bookkeeper".into(),
            permissions: [Permission::SeeReports, Permission::ChangeSettings].into(),
        },
    );
    list.members.push(member(4, Role::Custom(BOOKKEEPING)));
    list
}

fn edited(list: &StaffList, edit: impl FnOnce(&mut StaffList)) -> StaffList {
    let mut next = list.clone();
    next.version += 1;
    edit(&mut next);
    next
}

fn entry(list: &mut StaffList, id: Uuid) -> &mut StaffMember {
    list.members.iter_mut().find(|m| m.id == id).unwrap()
}

#[test]
fn a_manager_edits_cashiers_but_cannot_raise_anyone_above_themselves() {
    let list = editable_list();
    // Adding a cashier, and resetting a cashier's PIN, are a manager's to do.
    let add = edited(&list, |l| l.members.push(member(5, Role::Cashier)));
    assert_eq!(list.check_edit(MANAGER, &add), Ok(()));
    let reset = edited(&list, |l| {
        entry(l, CASHIER).pin_hash = hash_pin("5678", &[2; 16]).unwrap()
    });
    assert_eq!(list.check_edit(MANAGER, &reset), Ok(()));
    // A cashier may not edit staff at all, nor may a dismissed manager.
    assert_eq!(
        list.check_edit(CASHIER, &add),
        Err(StaffEditError::NotPermitted)
    );
    let mut gone = list.clone();
    entry(&mut gone, MANAGER).active = false;
    assert_eq!(
        gone.check_edit(MANAGER, &edited(&gone, |_| {})),
        Err(StaffEditError::NotPermitted)
    );

    let promote_self = edited(&list, |l| entry(l, MANAGER).role = Role::Owner);
    assert_eq!(
        list.check_edit(MANAGER, &promote_self),
        Err(StaffEditError::OwnersAreTheOwners)
    );
    let own_role = edited(&list, |l| entry(l, MANAGER).role = Role::Cashier);
    assert_eq!(
        list.check_edit(MANAGER, &own_role),
        Err(StaffEditError::OwnRole)
    );
    let owner_pin = edited(&list, |l| {
        entry(l, OWNER).pin_hash = hash_pin("0000", &[3; 16]).unwrap()
    });
    assert_eq!(
        list.check_edit(MANAGER, &owner_pin),
        Err(StaffEditError::OwnersAreTheOwners)
    );
    let matrix = edited(&list, |l| {
        l.matrix.cashier.insert(Permission::Refund);
    });
    assert_eq!(
        list.check_edit(MANAGER, &matrix),
        Err(StaffEditError::MatrixIsTheOwners)
    );
    // When the till locks is the owner's too: a manager who may edit staff cannot turn it off.
    let never_lock = edited(&list, |l| l.idle_lock_minutes = 0);
    let locking = edited(&list, |l| l.idle_lock_minutes = 5);
    assert_eq!(
        list.check_edit(MANAGER, &locking),
        Err(StaffEditError::MatrixIsTheOwners)
    );
    assert_eq!(list.check_edit(OWNER, &locking), Ok(()));
    assert_eq!(list.check_edit(MANAGER, &never_lock), Ok(()));
    // The bookkeeper may change settings, which a manager may not: a manager can neither make a
    // cashier one, nor reset a bookkeeper's PIN, nor remove one.
    let to_bookkeeper = edited(&list, |l| {
        entry(l, CASHIER).role = Role::Custom(BOOKKEEPING)
    });
    assert_eq!(
        list.check_edit(MANAGER, &to_bookkeeper),
        Err(StaffEditError::RoleAboveEditor { member: CASHIER })
    );
    let takeover = edited(&list, |l| {
        entry(l, BOOKKEEPER).pin_hash = hash_pin("0000", &[3; 16]).unwrap()
    });
    assert_eq!(
        list.check_edit(MANAGER, &takeover),
        Err(StaffEditError::RoleAboveEditor { member: BOOKKEEPER })
    );
    let removed = edited(&list, |l| l.members.retain(|m| m.id != BOOKKEEPER));
    assert_eq!(
        list.check_edit(MANAGER, &removed),
        Err(StaffEditError::RoleAboveEditor { member: BOOKKEEPER })
    );
    // The owner may do all of it.
    for next in [
        &promote_self,
        &owner_pin,
        &matrix,
        &to_bookkeeper,
        &takeover,
        &removed,
    ] {
        assert_eq!(list.check_edit(OWNER, next), Ok(()));
    }
    // An edit made on an older version is refused, as is one that leaves no owner.
    let stale = edited(&list, |l| l.version -= 1);
    assert!(matches!(
        list.check_edit(OWNER, &stale),
        Err(StaffEditError::Stale { .. })
    ));
    let no_owner = edited(&list, |l| entry(l, OWNER).active = false);
    assert_eq!(
        list.check_edit(OWNER, &no_owner),
        Err(StaffEditError::Invalid(StaffListError::NoOwner))
    );
}

proptest! {
    /// Whatever a non-owner changes, if it passes, every member it added, changed or removed may do
    /// nothing the editor may not, and the editor's own role and the owners are as they were.
    #[test]
    fn a_passing_edit_never_raises_anyone_above_the_editor(
        matrix in matrix(),
        editor_role in prop_oneof![Just(Role::Manager), Just(Role::Cashier)],
        changes in proptest::collection::vec((1u128..=6, role(), any::<bool>()), 1..4),
    ) {
        let mut list = store_list();
        list.matrix = matrix;
        list.matrix.manager.insert(Permission::EditStaff);
        list.matrix.cashier.insert(Permission::EditStaff);
        list.members.push(member(4, Role::Manager));
        entry(&mut list, MANAGER).role = editor_role;
        let next = edited(&list, |l| {
            for (n, role, active) in changes {
                let id = Uuid::from_u128(n);
                match l.members.iter_mut().find(|m| m.id == id) {
                    Some(m) => { m.role = role; m.active = active; }
                    None => l.members.push(StaffMember { active, ..member(n, role) }),
                }
            }
        });
        if list.check_edit(MANAGER, &next).is_ok() {
            let editor = granted(&list.matrix, editor_role);
            for m in &next.members {
                if list.member(m.id) != Some(m) {
                    prop_assert!(granted(&next.matrix, m.role).is_subset(&editor), "{m:?}");
                    prop_assert!(m.role != Role::Owner);
                }
            }
            prop_assert_eq!(next.member(MANAGER).unwrap().role, editor_role);
            prop_assert_eq!(next.member(OWNER), list.member(OWNER));
        }
    }
}

// ---- time clock ----

const HOUR: i64 = 3_600_000;
/// 2026-03-02 00:00 UTC, a Monday.
const MONDAY: i64 = 1_772_409_600_000;

fn day(y: i32, m: u32, d: u32) -> BusinessDay {
    BusinessDay::new(y, m, d).unwrap()
}

fn clock(n: &mut u128, staff: Uuid, at_ms: i64, clock_in: bool, device: Uuid) -> AuditEntry {
    *n += 1;
    AuditEntry {
        id: Uuid::from_u128(*n),
        staff,
        action: if clock_in {
            AuditAction::ClockIn
        } else {
            AuditAction::ClockOut
        },
        at_ms,
        device,
        approved_by: None,
    }
}

#[test]
fn a_night_shift_counts_on_both_days_and_an_open_one_up_to_now() {
    let (ann, bob) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let phone = Uuid::from_u128(0xd2);
    let n = &mut 0;
    let entries = vec![
        // Ann: Monday 22:00 on the till to Tuesday 06:00 on a phone.
        clock(n, ann, MONDAY + 22 * HOUR, true, TILL),
        clock(n, ann, MONDAY + 30 * HOUR, false, phone),
        // Bob: Tuesday 09:00, still in at 12:30.
        clock(n, bob, MONDAY + 33 * HOUR, true, TILL),
    ];
    let now = MONDAY + 36 * HOUR + HOUR / 2;
    let sheet = TimeClock::from_entries(&entries, now, 0);
    assert_eq!(sheet.day_ms(ann, day(2026, 3, 2)), 2 * HOUR);
    assert_eq!(sheet.day_ms(ann, day(2026, 3, 3)), 6 * HOUR);
    assert_eq!(sheet.week_ms(ann, day(2026, 3, 8)), 8 * HOUR);
    assert_eq!(
        hours(sheet.day_ms(bob, day(2026, 3, 3))),
        Decimal::new(350, 2)
    );
    assert_eq!(sheet.open, BTreeMap::from([(bob, MONDAY + 33 * HOUR)]));
    assert!(sheet.ignored.is_empty());

    // In Moscow (UTC+3) Ann's shift runs 01:00 to 09:00 on Tuesday.
    let moscow = TimeClock::from_entries(&entries, now, 180);
    assert_eq!(moscow.day_ms(ann, day(2026, 3, 2)), 0);
    assert_eq!(moscow.day_ms(ann, day(2026, 3, 3)), 8 * HOUR);
}

#[test]
fn a_sunday_night_shift_counts_in_both_weeks() {
    let ann = Uuid::from_u128(1);
    let n = &mut 0;
    let sunday_night = MONDAY + 6 * 24 * HOUR + 20 * HOUR; // Sunday 8 March, 20:00
    let entries = vec![
        clock(n, ann, MONDAY + 9 * HOUR, true, TILL),
        clock(n, ann, MONDAY + 17 * HOUR, false, TILL),
        clock(n, ann, sunday_night, true, TILL),
        clock(n, ann, sunday_night + 7 * HOUR, false, TILL), // Monday 9 March, 03:00
    ];
    let sheet = TimeClock::from_entries(&entries, sunday_night + 20 * HOUR, 0);
    assert_eq!(sheet.week_ms(ann, day(2026, 3, 2)), 12 * HOUR);
    assert_eq!(sheet.week_ms(ann, day(2026, 3, 9)), 3 * HOUR);
    let weeks: Vec<_> = sheet
        .weeks()
        .map(|(_, monday, ms)| (monday.to_string(), ms))
        .collect();
    assert_eq!(
        weeks,
        [
            ("2026-03-02".to_string(), 12 * HOUR),
            ("2026-03-09".to_string(), 3 * HOUR)
        ]
    );
}

#[test]
fn a_second_clock_in_and_a_stray_clock_out_are_set_aside() {
    let ann = Uuid::from_u128(1);
    let n = &mut 0;
    let stray_out = clock(n, ann, MONDAY + 8 * HOUR, false, TILL);
    let clock_in = clock(n, ann, MONDAY + 9 * HOUR, true, TILL);
    let second_in = clock(n, ann, MONDAY + 10 * HOUR, true, Uuid::from_u128(0xd2));
    let out = clock(n, ann, MONDAY + 17 * HOUR, false, TILL);
    let sale = AuditEntry {
        action: AuditAction::Sale {
            sale: Uuid::from_u128(5),
        },
        ..clock(n, ann, MONDAY + 12 * HOUR, true, TILL)
    };
    // The logs of two devices merged, in any order, one entry twice.
    let entries = vec![
        out.clone(),
        sale,
        second_in.clone(),
        clock_in.clone(),
        stray_out.clone(),
        out,
    ];
    let sheet = TimeClock::from_entries(&entries, MONDAY + 20 * HOUR, 0);
    assert_eq!(sheet.day_ms(ann, day(2026, 3, 2)), 8 * HOUR);
    assert_eq!(sheet.ignored, [stray_out.id, second_in.id]);
    assert!(sheet.open.is_empty());
}

proptest! {
    /// For any shifts, the days and the weeks add up to the same total, the shifts' lengths.
    #[test]
    fn days_and_weeks_add_up_to_the_shifts(
        gaps in proptest::collection::vec((0..40 * HOUR, 0..30 * HOUR), 1..12),
        offset in -720i32..=840,
        open_end in any::<bool>(),
    ) {
        let ann = Uuid::from_u128(1);
        let n = &mut 0;
        let mut at = MONDAY - 3 * 24 * HOUR;
        let mut entries = Vec::new();
        let mut total = 0;
        for (i, (gap, length)) in gaps.iter().enumerate() {
            at += gap;
            entries.push(clock(n, ann, at, true, TILL));
            at += length;
            if !(open_end && i == gaps.len() - 1) {
                entries.push(clock(n, ann, at, false, TILL));
            }
            total += length;
        }
        let sheet = TimeClock::from_entries(&entries, at, offset);
        let by_day: i64 = sheet.days().map(|(_, _, ms)| ms).sum();
        let by_week: i64 = sheet.weeks().map(|(_, _, ms)| ms).sum();
        prop_assert_eq!(by_day, total);
        prop_assert_eq!(by_week, total);
        prop_assert!(sheet.days().all(|(_, _, ms)| ms <= 24 * HOUR));
        prop_assert!(sheet.ignored.is_empty());
    }
}
