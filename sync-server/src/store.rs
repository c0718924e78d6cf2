//! The store as the server keeps it: today its name, which only the server knew and no device
//! could change (issue 12). A rename is authorised like a staff edit: by a staff member of the
//! server's own signed list whose role may change settings, with their PIN, counted in the same
//! lockout as `PUT /api/staff` ([`StaffPins`]). `api.rs` maps it onto `PUT /api/store`.

use std::fmt;

use pos_core::staff::Permission;
use uuid::Uuid;

use crate::enroll::{Clock, Identity, store_name};
use crate::staff::{StaffError, StaffPins, member_who_may};
use crate::storage::Storage;

/// The body of `PUT /api/store`: the new name, and who renames the store with their PIN.
#[derive(serde::Deserialize)]
pub struct Rename {
    pub editor: Uuid,
    pub pin: String,
    pub name: String,
}

/// Without the PIN: a request logged by accident must not hold one.
impl fmt::Debug for Rename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rename")
            .field("editor", &self.editor)
            .field("pin", &"<hidden>")
            .field("name", &self.name)
            .finish()
    }
}

/// Why a rename was refused. The messages are for the person at the device.
#[derive(Debug, thiserror::Error)]
pub enum RenameError {
    /// The name is empty, too long or holds control characters.
    #[error("{0}")]
    Name(String),
    /// Without a signed list the server has no one to check a PIN or a role against.
    #[error(
        "This store has no staff list yet, so no one may rename it. Set up staff first (on the \
         owner's device, Settings, Staff), then rename the store."
    )]
    NoStaffList,
    /// The editor is not an active member of the list, or their role may not change settings.
    #[error(
        "Only an active staff member whose role may change settings can rename the store. Ask \
         the owner."
    )]
    NotPermitted,
    /// The PIN was wrong or the editor is locked; the list is damaged; the database failed.
    #[error(transparent)]
    Staff(#[from] StaffError),
}

impl From<rusqlite::Error> for RenameError {
    fn from(e: rusqlite::Error) -> Self {
        RenameError::Staff(e.into())
    }
}

impl Storage {
    /// Renames `device`'s store to `rename.name` (trimmed), which it returns, if the editor may
    /// (see [`RenameError`]); the role is checked before the PIN (`member_who_may`). Blocking:
    /// it runs Argon2, without holding the database while it does.
    pub fn rename_store(
        &self,
        pins: &StaffPins,
        clock: &dyn Clock,
        device: &Identity,
        rename: &Rename,
    ) -> Result<String, RenameError> {
        let name = store_name(&rename.name).map_err(|e| RenameError::Name(e.to_string()))?;
        let (_, current) = self.current_staff(&device.store_id)?;
        let Some((version, list)) = current else {
            return Err(RenameError::NoStaffList);
        };
        let Some(editor) = member_who_may(&list, rename.editor, Permission::ChangeSettings) else {
            return Err(RenameError::NotPermitted);
        };
        pins.check_pin(self, &device.store_id, editor, &rename.pin, clock)?;
        // Only while the list the editor was checked against is still the store's: an edit
        // that took their permission away in the meantime wins.
        let renamed = self.lock()?.execute(
            "UPDATE stores SET name = ?2 WHERE store_id = ?1 AND EXISTS \
             (SELECT 1 FROM staff_lists WHERE store_id = ?1 AND version = ?3)",
            (&device.store_id, &name, version as i64),
        )?;
        if renamed == 0 {
            return Err(StaffError::Changed.into());
        }
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_is_not_in_the_debug_text() {
        let rename: Rename = serde_json::from_value(serde_json::json!({
            "editor": Uuid::nil(), "pin": "917356", "name": "Corner Café",
        }))
        .unwrap();
        assert!(!format!("{rename:?}").contains("917356"));
    }
}
