//! Who may turn one staff list into the next: the rule the signer (the server) runs before it
//! signs an edit. Without it, a manager trusted to add cashiers could make themselves owner.

use uuid::Uuid;

use super::roles::{Permission, Role};
use super::{StaffList, StaffListError};

/// Why an edit of the staff list was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StaffEditError {
    #[error("only an active member whose role may edit staff can change the staff list")]
    NotPermitted,
    #[error("the edit was made on version {based_on}, but the list is at version {current}")]
    Stale { based_on: u64, current: u64 },
    #[error("only an owner may add, change or remove an owner")]
    OwnersAreTheOwners,
    #[error("only an owner may change what roles may do, or when the till locks")]
    MatrixIsTheOwners,
    #[error("no one may change their own role but an owner")]
    OwnRole,
    #[error("member {member} has, or would get, a role that may do more than the editor's")]
    RoleAboveEditor { member: Uuid },
    #[error(transparent)]
    Invalid(#[from] StaffListError),
}

impl StaffList {
    /// Whether `editor`, a member of this list, may replace it with `next`: `next` must be the
    /// following version of the same store's list and well formed; an owner may change anything;
    /// anyone else needs [`Permission::EditStaff`], leaves the owners and the matrix as they are,
    /// keeps their own role, and adds, changes or removes only members whose role, before and
    /// after, may do nothing the editor's may not.
    pub fn check_edit(&self, editor: Uuid, next: &StaffList) -> Result<(), StaffEditError> {
        let Some(by) = self.member(editor).filter(|m| m.active) else {
            return Err(StaffEditError::NotPermitted);
        };
        if !self.matrix.allows(by.role, Permission::EditStaff) {
            return Err(StaffEditError::NotPermitted);
        }
        if next.store != self.store {
            return Err(StaffListError::OtherStore(next.store).into());
        }
        if next.version != self.version + 1 {
            return Err(StaffEditError::Stale {
                based_on: next.version.saturating_sub(1),
                current: self.version,
            });
        }
        next.check()?;
        if by.role == Role::Owner {
            return Ok(());
        }
        if next.matrix != self.matrix || next.idle_lock_minutes != self.idle_lock_minutes {
            return Err(StaffEditError::MatrixIsTheOwners);
        }
        let owners = |list: &StaffList| -> Vec<_> {
            let mut owners: Vec<_> = list
                .members
                .iter()
                .filter(|m| m.role == Role::Owner)
                .cloned()
                .map(|m| (m.id, m.name, m.pin_hash, m.active))
                .collect();
            owners.sort();
            owners
        };
        if owners(self) != owners(next) {
            return Err(StaffEditError::OwnersAreTheOwners);
        }
        // Each member added, changed or removed must, before and after, hold a role within the
        // editor's: resetting the PIN of someone who may do more would be a way to do it too.
        let within = |role: Role| {
            Permission::ALL
                .iter()
                .all(|&p| !self.matrix.allows(role, p) || self.matrix.allows(by.role, p))
        };
        let ids = self.members.iter().chain(&next.members).map(|m| m.id);
        for id in ids {
            let (before, after) = (self.member(id), next.member(id));
            if before == after {
                continue;
            }
            if id == editor && before.map(|m| m.role) != after.map(|m| m.role) {
                return Err(StaffEditError::OwnRole);
            }
            if !before.into_iter().chain(after).all(|m| within(m.role)) {
                return Err(StaffEditError::RoleAboveEditor { member: id });
            }
        }
        Ok(())
    }
}
