//! Protected actions at the till: whether the signed-in member may take one, and the approval of
//! another member who may, given with their PIN on the same device.

use uuid::Uuid;

use super::StaffMember;
use super::pin::PinOutcome;
use super::roles::{Permission, PermissionMatrix};

/// Whether the signed-in member may go ahead with a protected action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authorization {
    Allowed,
    /// Someone whose role has the permission must approve it with their PIN (an inactive
    /// member's every protected action needs one).
    NeedsApproval,
}

/// Whether `actor` may take `action` under `matrix` with no one else's PIN.
pub fn authorize(
    actor: &StaffMember,
    action: Permission,
    matrix: &PermissionMatrix,
) -> Authorization {
    if actor.active && matrix.allows(actor.role, action) {
        Authorization::Allowed
    } else {
        Authorization::NeedsApproval
    }
}

/// Whether `approver` could approve `action` at all: ask before asking for their PIN, so that a
/// member who cannot approve does not spend a PIN attempt.
pub fn can_approve(approver: &StaffMember, action: Permission, matrix: &PermissionMatrix) -> bool {
    authorize(approver, action, matrix) == Authorization::Allowed
}

/// An approval given: who asked, who approved, what, when and on which device. It goes into the
/// audit log with the action it allowed (see [`super::AuditEntry`]).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApprovalRecord {
    pub action: Permission,
    pub requested_by: Uuid,
    pub approved_by: Uuid,
    /// Milliseconds since the Unix epoch, from the device's clock.
    pub at_ms: i64,
    pub device: Uuid,
}

/// Why an approval was not given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("this staff member is no longer active")]
    Inactive,
    #[error("this staff member's role may not approve it")]
    NotPermitted,
    #[error("wrong PIN")]
    WrongPin,
    /// Locked after repeated wrong PINs: their PIN was not checked.
    #[error("locked after wrong PINs until {until_ms}")]
    Locked { until_ms: i64 },
}

/// The request of `requested_by` for `action`, approved by `approver` whose PIN, typed on
/// `device`, came out as `pin` (from the approver's [`super::PinAttempts::attempt`], so a locked
/// approver is refused without their PIN being checked).
pub fn approve(
    requested_by: &StaffMember,
    approver: &StaffMember,
    action: Permission,
    matrix: &PermissionMatrix,
    pin: PinOutcome,
    at_ms: i64,
    device: Uuid,
) -> Result<ApprovalRecord, ApprovalError> {
    if !approver.active {
        return Err(ApprovalError::Inactive);
    }
    if !matrix.allows(approver.role, action) {
        return Err(ApprovalError::NotPermitted);
    }
    match pin {
        PinOutcome::Accepted => Ok(ApprovalRecord {
            action,
            requested_by: requested_by.id,
            approved_by: approver.id,
            at_ms,
            device,
        }),
        PinOutcome::Wrong { .. } | PinOutcome::LockedNow { .. } => Err(ApprovalError::WrongPin),
        PinOutcome::StillLocked { until_ms } => Err(ApprovalError::Locked { until_ms }),
    }
}
