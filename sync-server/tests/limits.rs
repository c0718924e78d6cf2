//! The limits on guessing codes, through HTTP: wrong codes sent at once are counted before any
//! of them is looked up; clients behind a trusted proxy are told apart by `X-Forwarded-For`,
//! and nobody else can choose their address that way; an IPv6 client is its /64; and after too
//! many wrong pairing codes from everywhere, pairing pauses for everyone.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;

use common::{FakeClock, Reply, create_store, pairing_code, send, start, try_pair};
use pos_sync_server::limits::{MAX_FAILED_ATTEMPTS, MAX_FAILED_PAIRINGS, PAIRING_WINDOW};
use pos_sync_server::{Config, Server, Storage};
use tokio::sync::oneshot;

/// A server that believes `X-Forwarded-For` from `trusted`, listening on `bind`.
struct Behind {
    addr: SocketAddr,
    setup_code: String,
    clock: Arc<FakeClock>,
    storage: Arc<Storage>,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _tmp: tempfile::TempDir,
}

impl Behind {
    async fn start(trusted: &[&str], bind: &str) -> std::io::Result<Behind> {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config {
            addr: bind.into(),
            data_dir: tmp.path().join("data"),
            static_dir: tmp.path().join("dist"),
            trusted_proxies: trusted.iter().map(|t| t.parse().unwrap()).collect(),
            ..common::config(tmp.path())
        };
        let clock = Arc::new(FakeClock::default());
        let server = match Server::bind_with_clock(&config, clock.clone()).await {
            Ok(server) => server,
            Err(e) => return Err(std::io::Error::other(e.to_string())),
        };
        let addr = server.local_addr();
        let setup_code = server
            .setup_link()
            .unwrap()
            .split_once("code=")
            .unwrap()
            .1
            .to_string();
        let storage = server.state().storage.clone();
        let (stop, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server.serve(async move {
            let _ = rx.await;
        }));
        Ok(Behind {
            addr,
            setup_code,
            clock,
            storage,
            stop,
            task,
            _tmp: tmp,
        })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }

    /// `POST /api/devices` as the proxy forwards it for `forwarded_for`.
    async fn pair(&self, forwarded_for: &str, code: &str) -> Reply {
        let body = serde_json::json!({ "pairing_code": code, "device_name": "X" });
        let headers = [("X-Forwarded-For", forwarded_for)];
        send(self.addr, "POST", "/api/devices", &headers, Some(&body)).await
    }

    /// Sends the per-client limit's worth of wrong codes for `forwarded_for`.
    async fn spend(&self, forwarded_for: &str) {
        for _ in 0..MAX_FAILED_ATTEMPTS {
            let reply = self.pair(forwarded_for, "AAAA-AAAA").await;
            assert_eq!(reply.status, 403, "{}", reply.text());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_codes_sent_at_once_are_counted_before_they_are_looked_up() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let owner = create_store(server.addr, server.setup_code.as_deref().unwrap(), "S").await;
    let _live = pairing_code(server.addr, &owner).await;

    let replies =
        futures::future::join_all((0..50).map(|_| try_pair(server.addr, "AAAA-AAAA", "X"))).await;
    let wrong = replies.iter().filter(|r| r.status == 403).count();
    let limited = replies.iter().filter(|r| r.status == 429).count();
    assert_eq!(wrong + limited, 50, "every reply is 403 or 429");
    assert!(
        wrong <= MAX_FAILED_ATTEMPTS as usize,
        "{wrong} of 50 concurrent wrong codes were looked up; the limit is {MAX_FAILED_ATTEMPTS}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_forwarded_address_from_a_peer_that_is_not_a_trusted_proxy_is_ignored() {
    // The server trusts another proxy, not this test's 127.0.0.1.
    let server = Behind::start(&["10.0.0.1"], "127.0.0.1:0").await.unwrap();
    server.spend("198.51.100.1").await;
    let reply = server.pair("198.51.100.2", "AAAA-AAAA").await;
    assert_eq!(reply.status, 429, "a new X-Forwarded-For bought new tries");
    server.stop().await;
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_have_their_own_budgets() {
    let server = Behind::start(&["127.0.0.1"], "127.0.0.1:0").await.unwrap();
    let owner = create_store(server.addr, &server.setup_code, "S").await;
    let code = pairing_code(server.addr, &owner).await;

    server.spend("203.0.113.1").await;
    assert_eq!(server.pair("203.0.113.1", "AAAA-AAAA").await.status, 429);
    // What the client itself wrote left of the proxy's entry does not change who it is.
    let spoofed = server.pair("192.0.2.99, 203.0.113.1", "AAAA-AAAA").await;
    assert_eq!(spoofed.status, 429);
    // Another client behind the same proxy still has its tries, and pairs.
    assert_eq!(server.pair("203.0.113.2", "AAAA-AAAA").await.status, 403);
    assert_eq!(server.pair("203.0.113.2", &code).await.status, 201);
    server.stop().await;
}

#[tokio::test]
async fn a_dual_stack_server_knows_its_ipv4_proxy_by_its_mapped_address() {
    // Bound on [::], the server sees 127.0.0.1 as ::ffff:127.0.0.1. Hosts without IPv6 skip.
    let Ok(server) = Behind::start(&["127.0.0.1"], "[::]:0").await else {
        eprintln!("no IPv6 here: skipped");
        return;
    };
    let v4 = SocketAddr::from(([127, 0, 0, 1], server.addr.port()));
    let body = serde_json::json!({ "pairing_code": "AAAA-AAAA", "device_name": "X" });
    for who in ["203.0.113.1", "203.0.113.2"] {
        for _ in 0..MAX_FAILED_ATTEMPTS {
            let headers = [("X-Forwarded-For", who)];
            let reply = send(v4, "POST", "/api/devices", &headers, Some(&body)).await;
            assert_eq!(reply.status, 403, "{who}: {}", reply.text());
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn an_ipv6_client_is_counted_by_its_64() {
    let server = Behind::start(&["127.0.0.1"], "127.0.0.1:0").await.unwrap();
    for i in 1..=MAX_FAILED_ATTEMPTS {
        let reply = server
            .pair(&format!("2001:db8:1:2::{i}"), "AAAA-AAAA")
            .await;
        assert_eq!(reply.status, 403);
    }
    let same_64 = server.pair("2001:db8:1:2:ffff::9", "AAAA-AAAA").await;
    assert_eq!(
        same_64.status, 429,
        "another address of the /64 bought new tries"
    );
    assert_eq!(
        server.pair("2001:db8:1:3::1", "AAAA-AAAA").await.status,
        403
    );

    // An IPv4-mapped address is its IPv4 address.
    server.spend("::ffff:203.0.113.7").await;
    assert_eq!(server.pair("203.0.113.7", "AAAA-AAAA").await.status, 429);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pairing_codes_from_many_clients_pause_pairing_for_everyone() {
    let server = Behind::start(&["127.0.0.1"], "127.0.0.1:0").await.unwrap();
    let owner = create_store(server.addr, &server.setup_code, "S").await;
    let code = pairing_code(server.addr, &owner).await;

    // Each client stays within its own limit; together they spend the server's.
    let clients = MAX_FAILED_PAIRINGS.div_ceil(MAX_FAILED_ATTEMPTS);
    let addresses: Vec<String> = (0..clients)
        .map(|i| format!("198.18.{}.{}", i / 250, i % 250 + 1))
        .collect();
    let tries: Vec<&str> = addresses
        .iter()
        .flat_map(|a| std::iter::repeat_n(a.as_str(), MAX_FAILED_ATTEMPTS as usize))
        .take(MAX_FAILED_PAIRINGS as usize)
        .collect();
    for batch in tries.chunks(50) {
        let replies =
            futures::future::join_all(batch.iter().map(|a| server.pair(a, "AAAA-AAAA"))).await;
        assert!(replies.iter().all(|r| r.status == 403));
    }

    // Now a new client with the right code is refused, and told why and for how long.
    let paused = server.pair("192.0.2.1", &code).await;
    assert_eq!(paused.status, 429, "{}", paused.text());
    assert_eq!(paused.json()["reason"], "pairing_paused");
    let message = paused.json()["error"].as_str().unwrap().to_string();
    assert!(message.contains("paused for everyone"), "{message}");
    assert!(message.contains("10 minutes"), "{message}");
    assert_eq!(paused.header("retry-after"), Some("600"));
    // A setup code (not guessable) still makes a store meanwhile.
    let setup = server.storage.new_setup_code(server.clock_now()).unwrap();
    create_store(server.addr, &setup, "Second").await;

    server.clock.advance(PAIRING_WINDOW);
    let code = pairing_code(server.addr, &owner).await;
    assert_eq!(server.pair("192.0.2.1", &code).await.status, 201);
    server.stop().await;
}

impl Behind {
    fn clock_now(&self) -> std::time::SystemTime {
        use pos_sync_server::Clock;
        self.clock.now()
    }
}
