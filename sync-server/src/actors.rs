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

/// The most actors bound to one device. The register binds none (its actors carry its id);
/// automerge-repo's JavaScript client makes one per page load. The cap keeps one device from
/// growing the table without bound, a new actor in every change.
pub const ACTORS_PER_DEVICE: u64 = 100_000;

/// Whose an actor is, as [`Storage::bind_actor`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorOwner {
    /// The asking device's: it carries its id, or it was bound to it (just now, or before).
    Asker,
    /// Another device's (by id): it starts with that device's id, or was bound to it first.
    Other(String),
    /// No one's yet, and the asking device has `limit` actors bound already.
    OverQuota,
}

/// The device an actor id names by its first 16 bytes, as `devices.device_id` spells it.
pub fn named_device(actor: &[u8]) -> Option<String> {
    let prefix: [u8; 16] = actor.get(..16)?.try_into().ok()?;
    Some(uuid::Uuid::from_bytes(prefix).to_string())
}

impl Storage {
    /// Whose `actor` is, for `device` that sends a change under it at `now`: an actor that
    /// starts with an enrolled device's id (revoked or not) is that device's; any other is
    /// bound to the first device that asks, if that device has fewer than `limit` (see
    /// [`ACTORS_PER_DEVICE`]). Blocking.
    pub fn bind_actor(
        &self,
        actor: &ActorId,
        device: &str,
        now: SystemTime,
        limit: u64,
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
        let bound: Option<String> = conn
            .prepare_cached("SELECT device_id FROM actors WHERE actor = ?1")?
            .query_row([&actor], |r| r.get(0))
            .optional()?;
        if let Some(owner) = bound {
            return Ok(owner_is(owner));
        }
        // Under the one connection's lock: no one binds between this count and the insert.
        let held: i64 = conn
            .prepare_cached("SELECT count(*) FROM actors WHERE device_id = ?1")?
            .query_row([device], |r| r.get(0))?;
        if u64::try_from(held).unwrap_or(0) >= limit {
            return Ok(ActorOwner::OverQuota);
        }
        conn.prepare_cached("INSERT INTO actors (actor, device_id, bound_at) VALUES (?1, ?2, ?3)")?
            .execute((&actor, device, millis(now)))?;
        Ok(ActorOwner::Asker)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn actors_are_their_devices_or_the_first_binders_up_to_a_limit() {
        let tmp = tempfile::tempdir().unwrap();
        let storage = Storage::open(tmp.path()).unwrap();
        let a = storage.add_device_token("token-a", "store").unwrap();
        let b = storage.add_device_token("token-b", "store").unwrap();
        let now = UNIX_EPOCH;
        let bind =
            |actor: &ActorId, device: &str| storage.bind_actor(actor, device, now, 2).unwrap();

        // A's id, alone or with a writer session after it, is A's and binds nothing.
        let a_id = uuid::Uuid::parse_str(&a).unwrap();
        let mut session = a_id.as_bytes().to_vec();
        session.extend_from_slice(&7u32.to_be_bytes());
        for actor in [
            ActorId::from(a_id.as_bytes().to_vec()),
            ActorId::from(session),
        ] {
            assert_eq!(bind(&actor, &b), ActorOwner::Other(a.clone()));
            assert_eq!(bind(&actor, &a), ActorOwner::Asker);
        }

        // A random actor is the first device's, also when it asks again.
        let random = ActorId::random();
        assert_eq!(bind(&random, &b), ActorOwner::Asker);
        assert_eq!(bind(&random, &b), ActorOwner::Asker);
        assert_eq!(bind(&random, &a), ActorOwner::Other(b.clone()));

        // Two bound to B: a third is refused, while A may still bind.
        assert_eq!(bind(&ActorId::random(), &b), ActorOwner::Asker);
        assert_eq!(bind(&ActorId::random(), &b), ActorOwner::OverQuota);
        assert_eq!(bind(&random, &b), ActorOwner::Asker, "its own still are");
        assert_eq!(bind(&ActorId::random(), &a), ActorOwner::Asker);
    }
}
