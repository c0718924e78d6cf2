//! Limits on guessing codes. A pairing code is short enough to type, so the server counts wrong
//! codes per client and, for pairing codes, across all clients, and stops looking codes up once
//! either count is spent. The README ("Guessing a pairing code") has the arithmetic behind the
//! numbers.
//!
//! An attempt is counted *before* its code is looked up ([`AttemptLimiter::reserve`]) and given
//! back only when the code was right ([`AttemptLimiter::release`]): requests sent at once cannot
//! all pass the check before the first of them has failed.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use axum::http::HeaderMap;

use crate::enroll::PAIRING_CODE_TTL;

/// Wrong codes (setup or pairing) one client may send per [`ATTEMPT_WINDOW`].
pub const MAX_FAILED_ATTEMPTS: u32 = 5;
/// The window of [`MAX_FAILED_ATTEMPTS`], from the client's first attempt in it.
pub const ATTEMPT_WINDOW: Duration = Duration::from_secs(60);
/// Wrong pairing codes the server takes from all clients together per [`PAIRING_WINDOW`]. Once
/// they are spent, pairing pauses for everyone until the window ends, so that many addresses
/// together cannot go on guessing. Setup codes are not counted here: at ~136 bits they cannot
/// be guessed, and a pause would only stop a new store.
pub const MAX_FAILED_PAIRINGS: u32 = 1000;
/// The window of [`MAX_FAILED_PAIRINGS`]: a pairing code's lifetime, so that one code's
/// lifetime meets at most two windows.
pub const PAIRING_WINDOW: Duration = PAIRING_CODE_TTL;

/// Which code an attempt tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// A setup code: counted per client only.
    Setup,
    /// A pairing code: counted per client and across all clients.
    Pairing,
}

/// Why an attempt was refused before its code was looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// This client sent [`MAX_FAILED_ATTEMPTS`] wrong codes lately.
    Client { retry_after: Duration },
    /// All clients together sent [`MAX_FAILED_PAIRINGS`] wrong pairing codes lately.
    Everyone { retry_after: Duration },
}

/// A range of proxy addresses whose `X-Forwarded-For` the server believes: `10.0.0.7`,
/// `10.0.0.0/8`, `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    /// Whether `ip` is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = mask_u32(self.prefix);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = mask_u128(self.prefix);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not an IP address or a CIDR range such as 10.0.0.0/8");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let parsed: IpAddr = addr.parse().map_err(|_| bad())?;
        let network = parsed.to_canonical();
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            // `::ffff:10.0.0.0/104` is `10.0.0.0/8`.
            Some(p) if network != parsed => p.checked_sub(96).ok_or_else(bad)?,
            Some(p) => p,
        };
        if prefix > bits {
            return Err(bad());
        }
        Ok(TrustedProxy { network, prefix })
    }
}

fn mask_u32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask_u128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

/// The address of the client: the peer's, unless the peer is a trusted proxy; then the
/// rightmost address in `X-Forwarded-For` that is not a trusted proxy. Entries left of that one
/// were written by the client and could say anything, so they are not read; an entry that is not
/// an address stops the walk at the last trusted proxy.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[TrustedProxy]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let mut hops: Vec<Option<IpAddr>> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        match value.to_str() {
            Ok(text) => hops.extend(text.split(',').map(forwarded_address)),
            Err(_) => hops.push(None),
        }
    }
    for hop in hops.into_iter().rev() {
        let Some(ip) = hop else { break };
        client = ip.to_canonical();
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, with or without a port.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The key a client is counted under: an IPv4 address (also when it arrives IPv4-mapped), or
/// the /64 of an IPv6 address, since one IPv6 subscriber usually holds at least a /64 and can
/// pick any address in it.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask_u128(64))),
    }
}

/// A count of attempts in a window that starts at the first of them.
#[derive(Debug, Clone, Copy)]
struct Count {
    since: SystemTime,
    n: u32,
}

impl Count {
    fn new(now: SystemTime) -> Count {
        Count { since: now, n: 0 }
    }

    fn open(&self, now: SystemTime, window: Duration) -> bool {
        now.duration_since(self.since)
            .map(|d| d < window)
            .unwrap_or(true)
    }

    fn left(&self, now: SystemTime, window: Duration) -> Duration {
        (self.since + window)
            .duration_since(now)
            .unwrap_or(Duration::ZERO)
    }
}

#[derive(Debug, Default)]
struct Counts {
    clients: HashMap<IpAddr, Count>,
    pairings: Option<Count>,
}

/// One attempt, counted before its code is looked up. It stays counted unless given back with
/// [`AttemptLimiter::release`]; a request abandoned midway (the client hung up) stays counted.
#[derive(Debug)]
#[must_use = "an attempt is given back with AttemptLimiter::release, or stays counted"]
pub struct Attempt {
    client: IpAddr,
    client_since: SystemTime,
    pairing_since: Option<SystemTime>,
}

/// Counts code attempts per client (see [`client_key`]) and wrong pairing codes overall.
#[derive(Debug, Default)]
pub struct AttemptLimiter {
    trusted_proxies: Vec<TrustedProxy>,
    counts: Mutex<Counts>,
}

impl AttemptLimiter {
    /// A limiter that believes `X-Forwarded-For` from the given proxies only.
    pub fn new(trusted_proxies: Vec<TrustedProxy>) -> AttemptLimiter {
        AttemptLimiter {
            trusted_proxies,
            counts: Mutex::default(),
        }
    }

    /// The key of the client of a request from `peer` (see [`client_address`], [`client_key`]).
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        client_key(client_address(peer, headers, &self.trusted_proxies))
    }

    /// Counts an attempt of `client`, or refuses it if a limit is spent.
    pub fn reserve(
        &self,
        client: IpAddr,
        kind: CodeKind,
        now: SystemTime,
    ) -> Result<Attempt, Refused> {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        counts.clients.retain(|_, c| c.open(now, ATTEMPT_WINDOW));
        if let Some(c) = counts.clients.get(&client)
            && c.n >= MAX_FAILED_ATTEMPTS
        {
            return Err(Refused::Client {
                retry_after: c.left(now, ATTEMPT_WINDOW),
            });
        }
        let pairing_since = match kind {
            CodeKind::Setup => None,
            CodeKind::Pairing => {
                if counts
                    .pairings
                    .is_some_and(|c| !c.open(now, PAIRING_WINDOW))
                {
                    counts.pairings = None;
                }
                let all = counts.pairings.get_or_insert(Count::new(now));
                if all.n >= MAX_FAILED_PAIRINGS {
                    return Err(Refused::Everyone {
                        retry_after: all.left(now, PAIRING_WINDOW),
                    });
                }
                all.n += 1;
                if all.n == MAX_FAILED_PAIRINGS {
                    eprintln!(
                        "pos-sync-server: {MAX_FAILED_PAIRINGS} wrong pairing codes since {}: \
                         pairing is paused for everyone until {}",
                        crate::enroll::rfc3339(crate::enroll::millis(all.since)),
                        crate::enroll::rfc3339(crate::enroll::millis(all.since + PAIRING_WINDOW)),
                    );
                }
                Some(all.since)
            }
        };
        let mine = counts.clients.entry(client).or_insert(Count::new(now));
        mine.n += 1;
        Ok(Attempt {
            client,
            client_since: mine.since,
            pairing_since,
        })
    }

    /// Gives an attempt back: its code was right, or was not looked up at all.
    pub fn release(&self, attempt: Attempt) {
        let mut counts = self.counts.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(c) = counts.clients.get_mut(&attempt.client)
            && c.since == attempt.client_since
        {
            c.n = c.n.saturating_sub(1);
            if c.n == 0 {
                counts.clients.remove(&attempt.client);
            }
        }
        if let Some(c) = counts.pairings.as_mut()
            && Some(c.since) == attempt.pairing_since
        {
            c.n = c.n.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    const T0: SystemTime = SystemTime::UNIX_EPOCH;

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            client_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            ip("2001:db8:1:2::")
        );
        assert_ne!(client_key(ip("2001:db8:1:3::1")), ip("2001:db8:1:2::"));
        assert_eq!(client_key(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_key(ip("::ffff:192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(client_key(ip("::1")), ip("::"));

        let limiter = AttemptLimiter::default();
        for i in 0..MAX_FAILED_ATTEMPTS {
            let other_address = client_key(ip(&format!("2001:db8::{i}")));
            let _ = limiter
                .reserve(other_address, CodeKind::Pairing, T0)
                .unwrap();
        }
        let same_64 = client_key(ip("2001:db8::ffff"));
        assert!(matches!(
            limiter.reserve(same_64, CodeKind::Pairing, T0),
            Err(Refused::Client { .. })
        ));
        let next_64 = client_key(ip("2001:db8:0:1::1"));
        assert!(limiter.reserve(next_64, CodeKind::Pairing, T0).is_ok());
    }

    #[test]
    fn trusted_proxies_parse_as_addresses_or_ranges() {
        let p: TrustedProxy = "10.1.2.3".parse().unwrap();
        assert!(p.contains(ip("10.1.2.3")));
        assert!(!p.contains(ip("10.1.2.4")));
        let p: TrustedProxy = " 10.0.0.0/8".parse().unwrap();
        assert!(p.contains(ip("10.200.0.1")));
        assert!(p.contains(ip("::ffff:10.200.0.1")));
        assert!(!p.contains(ip("11.0.0.1")));
        let p: TrustedProxy = "fd00::/8".parse().unwrap();
        assert!(p.contains(ip("fd12::1")));
        assert!(!p.contains(ip("fe80::1")));
        assert!(!p.contains(ip("10.0.0.1")));
        let p: TrustedProxy = "::ffff:10.0.0.0/104".parse().unwrap();
        assert_eq!(p, "10.0.0.0/8".parse().unwrap());
        assert!(
            "0.0.0.0/0"
                .parse::<TrustedProxy>()
                .unwrap()
                .contains(ip("1.2.3.4"))
        );
        for bad in ["10.0.0.0/33", "::/129", "proxy.lan", "10.0.0.0/x", ""] {
            let err = bad.parse::<TrustedProxy>().unwrap_err();
            assert!(err.contains("CIDR"), "{err}");
        }
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_forwarded_address() {
        let trusted = proxies(&["127.0.0.1", "10.0.0.0/8"]);
        let h = forwarded(&["203.0.113.9, 198.51.100.4, 10.0.0.2"]);
        // From a trusted proxy: skip the trusted hops from the right.
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("198.51.100.4")
        );
        assert_eq!(
            client_address(ip("::ffff:127.0.0.1"), &h, &trusted),
            ip("198.51.100.4")
        );
        // From anyone else the header is ignored.
        assert_eq!(
            client_address(ip("198.51.100.77"), &h, &trusted),
            ip("198.51.100.77")
        );
        // Several headers are one list, in order; ports are dropped.
        let h = forwarded(&["203.0.113.9", "[2001:db8::5]:4711, 10.1.1.1:80"]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("2001:db8::5")
        );
        // No header, only trusted hops, or garbage: the last trusted address.
        assert_eq!(
            client_address(ip("127.0.0.1"), &HeaderMap::new(), &trusted),
            ip("127.0.0.1")
        );
        let h = forwarded(&["10.0.0.9, 10.0.0.2"]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("10.0.0.9")
        );
        let h = forwarded(&["198.51.100.4, unknown, 10.0.0.2"]);
        assert_eq!(
            client_address(ip("127.0.0.1"), &h, &trusted),
            ip("10.0.0.2")
        );
        // With no trusted proxy, nobody's header is read.
        let h = forwarded(&["198.51.100.4"]);
        assert_eq!(client_address(ip("127.0.0.1"), &h, &[]), ip("127.0.0.1"));
    }

    #[test]
    fn an_attempt_is_counted_before_the_lookup_and_given_back_when_right() {
        let limiter = AttemptLimiter::default();
        let me = ip("192.0.2.1");
        let held: Vec<Attempt> = (0..MAX_FAILED_ATTEMPTS)
            .map(|_| limiter.reserve(me, CodeKind::Setup, T0).unwrap())
            .collect();
        assert_eq!(
            limiter
                .reserve(me, CodeKind::Setup, T0 + Duration::from_secs(20))
                .unwrap_err(),
            Refused::Client {
                retry_after: Duration::from_secs(40)
            }
        );
        // One of them was right: its place is free again.
        let mut held = held.into_iter();
        limiter.release(held.next().unwrap());
        let _ = limiter.reserve(me, CodeKind::Setup, T0).unwrap();
        assert!(limiter.reserve(me, CodeKind::Setup, T0).is_err());
        assert!(
            limiter
                .reserve(me, CodeKind::Setup, T0 + ATTEMPT_WINDOW)
                .is_ok()
        );
    }

    #[test]
    fn wrong_pairing_codes_from_everywhere_pause_pairing_for_everyone() {
        let limiter = AttemptLimiter::default();
        let client = |i: u32| IpAddr::from([198, 18, (i / 256) as u8, (i % 256) as u8]);
        for i in 0..MAX_FAILED_PAIRINGS {
            let _ = limiter.reserve(client(i), CodeKind::Pairing, T0).unwrap();
        }
        let later = T0 + Duration::from_secs(100);
        assert_eq!(
            limiter
                .reserve(ip("192.0.2.200"), CodeKind::Pairing, later)
                .unwrap_err(),
            Refused::Everyone {
                retry_after: PAIRING_WINDOW - Duration::from_secs(100)
            }
        );
        // Setup codes are not paused; pairing resumes when the window ends.
        assert!(
            limiter
                .reserve(ip("192.0.2.200"), CodeKind::Setup, later)
                .is_ok()
        );
        assert!(
            limiter
                .reserve(ip("192.0.2.201"), CodeKind::Pairing, T0 + PAIRING_WINDOW)
                .is_ok()
        );
    }

    #[test]
    fn the_budgets_keep_a_guess_below_one_in_a_million_per_code() {
        // A code's lifetime meets at most two global windows, each with MAX_FAILED_PAIRINGS
        // wrong guesses; the per-client limit only lowers this.
        assert!(PAIRING_WINDOW >= PAIRING_CODE_TTL);
        let guesses = 2.0 * f64::from(MAX_FAILED_PAIRINGS);
        let chance = guesses / crate::enroll::pairing_code_space();
        assert!(chance < 1e-6, "{chance:e}");
    }
}
