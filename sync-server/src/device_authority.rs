//! Who may pair and remove a store's devices (issue 11). A store with a signed staff list trusts
//! people, not a device: a staff member whose role may change settings types their PIN on any
//! device of the store, and the server checks it against its own list, in the one lockout of
//! [`StaffPins`]; so a lost owner's device is removed from any other, and a stolen token alone
//! pairs nothing. A store without a list has no one to check a PIN against, so its owner's device
//! keeps the say it had before staff lists. `api.rs` maps this onto `/api/pairing-codes` and
//! `/api/devices`.

use std::fmt;

use pos_core::staff::Permission;
use uuid::Uuid;

use crate::enroll::{Clock, Identity, ROLE_OWNER};
use crate::staff::{StaffError, StaffPins, member_who_may};
use crate::storage::Storage;

/// The body of `POST /api/pairing-codes` and `DELETE /api/devices/{id}` in a store with staff:
/// the staff member who pairs or removes a device, and their PIN.
#[derive(serde::Deserialize)]
pub struct StaffPin {
    pub staff: Uuid,
    pub pin: String,
}

/// Without the PIN: a request logged by accident must not hold one.
impl fmt::Debug for StaffPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaffPin")
            .field("staff", &self.staff)
            .field("pin", &"<hidden>")
            .finish()
    }
}

/// Why a device may not pair or remove devices, or see them. The messages are for the person at
/// the device.
#[derive(Debug, thiserror::Error)]
pub enum DeviceAuthorityError {
    /// The store has no staff list, and this is not its owner's device.
    #[error("Only the store owner's device can do this.")]
    OwnerDeviceOnly,
    /// The store has a staff list, and the request carries no staff member and PIN.
    #[error(
        "Pairing or removing a device needs the PIN of a staff member who may change settings: \
         send {{\"staff\": \"<member id>\", \"pin\": \"<their PIN>\"}}."
    )]
    PinNeeded,
    /// The member is not an active member of the list, or their role may not change settings.
    #[error(
        "Only an active staff member whose role may change settings can pair or remove devices. \
         Ask the owner."
    )]
    NotPermitted,
    /// The PIN was wrong or the member is locked; the list is damaged; the database failed.
    #[error(transparent)]
    Staff(#[from] StaffError),
}

fn owner_device_only(device: &Identity) -> Result<(), DeviceAuthorityError> {
    if device.role == ROLE_OWNER {
        Ok(())
    } else {
        Err(DeviceAuthorityError::OwnerDeviceOnly)
    }
}

impl Storage {
    /// Whether `device` may see its store's devices: any device of a store with a staff list
    /// (the list shows nothing a device of the store could not see, and the PIN is asked where
    /// something changes), only the owner's device of a store without one. Blocking.
    pub fn check_may_see_devices(&self, device: &Identity) -> Result<(), DeviceAuthorityError> {
        match self.current_staff(&device.store_id)? {
            (_, Some(_)) => Ok(()),
            (_, None) => owner_device_only(device),
        }
    }

    /// Whether `device` may pair a device to its store or remove one: in a store with a staff
    /// list, from any device with `pin`, the PIN of an active member whose role may change
    /// settings (the role is checked before the PIN, which counts toward the member's lock as
    /// for a staff edit or a rename); in a store without one, from its owner's device, whatever
    /// `pin` is. What it allows is not made conditional on the list's version: a member whose
    /// permission an edit takes away while their PIN is checked pairs or removes one device
    /// more, as they could have a second before. Blocking: it runs Argon2, without holding the
    /// database while it does.
    pub fn check_may_manage_devices(
        &self,
        pins: &StaffPins,
        clock: &dyn Clock,
        device: &Identity,
        pin: Option<&StaffPin>,
    ) -> Result<(), DeviceAuthorityError> {
        let (_, current) = self.current_staff(&device.store_id)?;
        let Some((_, list)) = current else {
            return owner_device_only(device);
        };
        let pin = pin.ok_or(DeviceAuthorityError::PinNeeded)?;
        let Some(member) = member_who_may(&list, pin.staff, Permission::ChangeSettings) else {
            return Err(DeviceAuthorityError::NotPermitted);
        };
        pins.check_pin(self, &device.store_id, member, &pin.pin, clock)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pin_is_not_in_the_debug_text() {
        let pin: StaffPin = serde_json::from_value(serde_json::json!({
            "staff": Uuid::nil(), "pin": "917356",
        }))
        .unwrap();
        assert!(!format!("{pin:?}").contains("917356"));
    }
}
