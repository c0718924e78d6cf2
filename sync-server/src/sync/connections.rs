//! The open sync connections: counted against [`SyncLimits`] per device and in all, and
//! closed at once when their device is revoked.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// How much of the server one device, one store and everyone together may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncLimits {
    /// Open sync connections, all devices together.
    pub connections: usize,
    /// Open sync connections of one device (its tabs, and sockets not yet known to be dead).
    pub connections_per_device: usize,
    /// Documents registered to one store.
    pub documents_per_store: u64,
}

impl Default for SyncLimits {
    fn default() -> Self {
        SyncLimits {
            connections: 2048,
            connections_per_device: 4,
            // A day per device and a month index: 20 devices for ten years is about 75,000.
            documents_per_store: 100_000,
        }
    }
}

/// The open sync connections of each device: counted against [`SyncLimits`], and closed at
/// once when their device is revoked.
#[derive(Debug, Default)]
pub struct Connections {
    revoked: Mutex<HashMap<String, watch::Sender<bool>>>,
    open: Mutex<OpenCount>,
    limits: SyncLimits,
    /// When each device's `last_seen` was last written.
    seen: Mutex<HashMap<String, std::time::SystemTime>>,
}

/// How often a device's `last_seen` is written at most.
const LAST_SEEN_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Debug, Default)]
struct OpenCount {
    total: usize,
    per_device: HashMap<String, usize>,
}

/// Why a sync connection was not opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooMany {
    Device,
    Server,
}

/// One open sync connection, counted until it is dropped.
#[derive(Debug)]
pub struct ConnectionSlot {
    connections: Arc<Connections>,
    device: String,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.connections.lock_open();
        open.total -= 1;
        if let Some(n) = open.per_device.get_mut(&self.device) {
            *n -= 1;
            if *n == 0 {
                open.per_device.remove(&self.device);
            }
        }
    }
}

impl Connections {
    pub fn new(limits: SyncLimits) -> Self {
        Connections {
            limits,
            ..Connections::default()
        }
    }

    pub fn limits(&self) -> SyncLimits {
        self.limits
    }

    fn lock_open(&self) -> std::sync::MutexGuard<'_, OpenCount> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts one more connection of `device`, if the limits allow it.
    pub fn open(self: &Arc<Self>, device: &str) -> Result<ConnectionSlot, TooMany> {
        let mut open = self.lock_open();
        if open.total >= self.limits.connections {
            return Err(TooMany::Server);
        }
        let mine = open.per_device.entry(device.to_string()).or_default();
        if *mine >= self.limits.connections_per_device {
            return Err(TooMany::Device);
        }
        *mine += 1;
        open.total += 1;
        Ok(ConnectionSlot {
            connections: self.clone(),
            device: device.to_string(),
        })
    }

    /// Whether `device`'s `last_seen` should be written now (and notes that it is).
    pub fn due_for_last_seen(&self, device: &str, now: std::time::SystemTime) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let due = seen.get(device).is_none_or(|last| {
            now.duration_since(*last)
                .map_or(true, |since| since >= LAST_SEEN_EVERY)
        });
        if due {
            seen.insert(device.to_string(), now);
        }
        due
    }

    /// Open sync connections now.
    pub fn open_count(&self) -> usize {
        self.lock_open().total
    }

    fn sender<'a>(
        map: &'a mut HashMap<String, watch::Sender<bool>>,
        device: &str,
    ) -> &'a watch::Sender<bool> {
        map.entry(device.to_string())
            .or_insert_with(|| watch::channel(false).0)
    }

    /// A receiver that turns `true` when `device` is revoked (at once if it already was
    /// since this server started).
    pub fn watch(&self, device: &str) -> watch::Receiver<bool> {
        let mut map = self.revoked.lock().unwrap_or_else(|p| p.into_inner());
        Self::sender(&mut map, device).subscribe()
    }

    /// Closes every sync connection of `device`, now and for the life of this process. Call
    /// it after the revocation is stored, so that a connection opened in between is refused
    /// either by the token check or by this signal.
    pub fn revoke(&self, device: &str) {
        let mut map = self.revoked.lock().unwrap_or_else(|p| p.into_inner());
        Self::sender(&mut map, device).send_replace(true);
    }
}
