//! The operator's side of enrollment: what the subcommands `devices`, `revoke-device` and
//! `transfer-owner` do on the data dir, for when a store's owner cannot (their device was lost).
//! `lib.rs` (`operate`) runs them.

use std::time::SystemTime;

use rusqlite::OptionalExtension;

use crate::enroll::{DeviceInfo, ROLE_DEVICE, ROLE_OWNER};
use crate::storage::Storage;

/// Why an operator's command was refused.
#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("no device {0} on this server (`pos-sync-server devices` lists them)")]
    NoSuchDevice(String),
    #[error("device {0} was removed; pair it again first")]
    Revoked(String),
    #[error(transparent)]
    Storage(#[from] rusqlite::Error),
}

impl Storage {
    /// Every store and its devices, for `pos-sync-server devices`. Blocking.
    pub fn all_devices(&self) -> rusqlite::Result<Vec<(String, String, DeviceInfo)>> {
        let stores: Vec<(String, String)> = {
            let conn = self.lock()?;
            let mut stmt = conn
                .prepare_cached("SELECT store_id, name FROM stores ORDER BY created_at, rowid")?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut all = Vec::new();
        for (store_id, store_name) in stores {
            for device in self.devices(&store_id)? {
                all.push((store_id.clone(), store_name.clone(), device));
            }
        }
        Ok(all)
    }

    /// Revokes a device of any store, for the operator when its owner cannot (the owner device
    /// itself was lost); its open connections close at the server's next check. The store is
    /// returned; `None` if there is no such device. Blocking.
    pub fn revoke_device_by_operator(
        &self,
        device_id: &str,
        now: SystemTime,
    ) -> rusqlite::Result<Option<String>> {
        let Some(store) = self.store_of_device(device_id)? else {
            return Ok(None);
        };
        self.revoke_device(&store, device_id, now)?;
        Ok(Some(store))
    }

    /// Makes a device the owner of its store and its store's other owners plain devices, in one
    /// transaction. Refused for a revoked or unknown device. Blocking.
    pub fn transfer_owner(&self, device_id: &str) -> Result<String, OperatorError> {
        let mut conn = self.lock()?;
        let tx = conn.transaction()?;
        let found: Option<(String, Option<i64>)> = tx
            .query_row(
                "SELECT store_id, revoked_at FROM devices WHERE device_id = ?1",
                [device_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let store = match found {
            None => return Err(OperatorError::NoSuchDevice(device_id.to_string())),
            Some((_, Some(_))) => return Err(OperatorError::Revoked(device_id.to_string())),
            Some((store, None)) => store,
        };
        tx.execute(
            "UPDATE devices SET role = ?2 WHERE store_id = ?1 AND role = ?3",
            (&store, ROLE_DEVICE, ROLE_OWNER),
        )?;
        tx.execute(
            "UPDATE devices SET role = ?2 WHERE device_id = ?1",
            (device_id, ROLE_OWNER),
        )?;
        tx.commit()?;
        Ok(store)
    }

    pub(crate) fn store_of_device(&self, device_id: &str) -> rusqlite::Result<Option<String>> {
        let conn = self.lock()?;
        conn.prepare_cached("SELECT store_id FROM devices WHERE device_id = ?1")?
            .query_row([device_id], |r| r.get(0))
            .optional()
    }
}
