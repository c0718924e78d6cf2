//! Which device writes under which Automerge actor id. A change's actor says who wrote it, so a
//! device must not write under another's. The register's writers carry their device's id
//! (`pos_core::Actor`: the id's 16 bytes, then a writer session), so such an actor is its
//! device's by its bytes and needs no record; any other actor (automerge's random ones, which
//! automerge-repo's JavaScript client makes) belongs to the first device that sent a change
//! under it, recorded in the `actors` table. The sync pump (`sync/admission.rs`) asks here once
//! per actor and connection.

use std::time::SystemTime;

use automerge::ActorId;
use rusqlite::OptionalExtension;

use crate::enroll::millis;
use crate::storage::Storage;

/// Whose an actor is, as [`Storage::bind_actor`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorOwner {
    /// The asking device's: it carries its id, or it was bound to it (just now, or before).
    Asker,
    /// Another device's (by id): it starts with that device's id, or was bound to it first.
    Other(String),
}

/// The device an actor id names by its first 16 bytes, as `devices.device_id` spells it.
pub fn named_device(actor: &[u8]) -> Option<String> {
    let prefix: [u8; 16] = actor.get(..16)?.try_into().ok()?;
    Some(uuid::Uuid::from_bytes(prefix).to_string())
}

impl Storage {
    /// Whose `actor` is, for `device` that sends a change under it at `now`: an actor that
    /// starts with an enrolled device's id (revoked or not) is that device's; any other is
    /// bound to the first device that asks. Blocking.
    pub fn bind_actor(
        &self,
        actor: &ActorId,
        device: &str,
        now: SystemTime,
    ) -> rusqlite::Result<ActorOwner> {
        let owner_is = |owner: String| {
            if owner == device {
                ActorOwner::Asker
            } else {
                ActorOwner::Other(owner)
            }
        };
        let conn = self.lock()?;
        if let Some(named) = named_device(actor.to_bytes()) {
            let enrolled: Option<String> = conn
                .prepare_cached("SELECT device_id FROM devices WHERE device_id = ?1")?
                .query_row([&named], |r| r.get(0))
                .optional()?;
            if let Some(owner) = enrolled {
                return Ok(owner_is(owner));
            }
        }
        let actor = actor.to_hex_string();
        conn.prepare_cached(
            "INSERT INTO actors (actor, device_id, bound_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (actor) DO NOTHING",
        )?
        .execute((&actor, device, millis(now)))?;
        let owner: String = conn
            .prepare_cached("SELECT device_id FROM actors WHERE actor = ?1")?
            .query_row([&actor], |r| r.get(0))?;
        Ok(owner_is(owner))
    }
}
