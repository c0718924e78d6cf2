//! `sync-load --abuse`: what one hostile store costs the others. A fresh server (ours only: the
//! JavaScript reference server has none of these bounds) gets two stores. Store A's registers
//! (the victims) keep recording a sale and syncing it, each round timed. Store B (the attacker)
//! first uploads a few multi-MB documents, then, after a baseline, attacks all at once:
//!
//! - many sockets: 50 tasks share one device token, each reconnecting as soon as its socket
//!   closes or is refused, and send `request` messages for random well-formed document ids;
//! - slow readers: more devices of store B each open a socket with a small receive buffer, ask
//!   for the big documents, and never read again.
//!
//! It reports the victims' round trips before and under attack, what the server accepted and
//! refused, the documents it registered to store B, its memory over time and CPU time, and when
//! (if ever) it dropped each slow reader, read from its side of the TCP connection in
//! /proc/net/tcp, since a client that does not read cannot see a close frame. The attacker's
//! sockets are in `abuse/attackers.rs`, the victims' rounds in `abuse/victims.rs`, and the
//! page's section with the figures is written in `abuse/report.rs`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pos_core::automerge::transaction::Transactable;
use pos_core::automerge::{ROOT, ScalarValue};
use pos_core::{Actor, BusinessDay, DocumentId, SalesDay, SharedDocument, Uuid};
use pos_sync_server::client::NativePeer;
use pos_sync_server::sync::{PING_EVERY, SILENCE_LIMIT};
use tokio::sync::oneshot;

mod attackers;
mod report;
mod victims;

use attackers::{SlowResult, flood, server_sockets, slow_reader};
use victims::{VictimRounds, victim};

use crate::{
    Login, Options, cpu_seconds, enroll, load_average, mib, peak_memory, resident_memory,
    scratch_dir, start_ours, write_page,
};
use report::section;

/// The attacker's store.
const ATTACKER_STORE: &str = "attacker-store";
/// A victim waits this long between two rounds, as a busy register between two sales.
const VICTIM_PAUSE: Duration = Duration::from_millis(100);
/// A guard against a hung round, not a target.
const ROUND_TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The slow readers' socket receive buffer (Linux doubles it): small, as a reader that wants
/// the server to hold its data would set it.
const SLOW_READER_BUFFER: u32 = 64 * 1024;
/// The longest the server's bounds can take to drop a reader that pings but does not read: a
/// send blocked until [`SEND_TIMEOUT`] after a tick of [`PING_EVERY`], or silence past
/// [`SILENCE_LIMIT`] noticed at the next tick. Slow readers are watched a little longer.
const SLOW_READER_BOUND: Duration = SILENCE_LIMIT.saturating_add(PING_EVERY);
const SLOW_READER_WATCH: Duration = SLOW_READER_BOUND.saturating_add(Duration::from_secs(10));
/// The victims keep syncing at least this long after the attack, to show how they recover.
const RECOVERY: Duration = Duration::from_secs(30);
/// Server memory and documents are sampled this often.
const SAMPLE_EVERY: Duration = Duration::from_millis(500);
/// Figures over time are shown per window of this length during the attack, and of
/// [`WINDOW_AFTER`] after it.
const WINDOW: Duration = Duration::from_secs(5);
const WINDOW_AFTER: Duration = Duration::from_secs(15);

/// What one run throws at the server. Each runs on a fresh server; all of them together, then
/// each alone, tell which part of the attack costs what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attack {
    /// Many sockets flooding requests and slow readers, at once.
    All,
    /// Many sockets flooding requests.
    Flood,
    /// Many sockets that only join: the refused reconnections alone.
    Sockets,
    /// Slow readers alone.
    Slow,
}

impl Attack {
    pub(crate) fn parse(s: &str) -> Option<Attack> {
        Some(match s {
            "all" => Attack::All,
            "flood" => Attack::Flood,
            "sockets" => Attack::Sockets,
            "slow" => Attack::Slow,
            _ => return None,
        })
    }

    fn flag(self) -> &'static str {
        match self {
            Attack::All => "all",
            Attack::Flood => "flood",
            Attack::Sockets => "sockets",
            Attack::Slow => "slow",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Attack::All => "all at once",
            Attack::Flood => "flood only",
            Attack::Sockets => "many sockets only",
            Attack::Slow => "slow readers only",
        }
    }

    fn sockets(self) -> bool {
        self != Attack::Slow
    }

    fn requests(self) -> bool {
        matches!(self, Attack::All | Attack::Flood)
    }

    fn slow(self) -> bool {
        matches!(self, Attack::All | Attack::Slow)
    }
}

/// The abuse benchmark's knobs (`--seconds`, `--flood-rate`, `--attack`, `--flooders`,
/// `--big-docs`; the rest are fixed).
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    /// How long each attack lasts.
    pub(crate) seconds: u64,
    /// Messages a second each flooding socket sends; 0 for as fast as the socket takes them.
    pub(crate) flood_rate: u32,
    /// The runs, in order (`--attack` picks one).
    pub(crate) attacks: Vec<Attack>,
    /// Documents of [`Settings::big_doc_bytes`] the attacker uploads first when it has slow
    /// readers (`--big-docs`).
    pub(crate) big_docs: usize,
    /// Flooding tasks on the one token (`--flooders`).
    pub(crate) flooders: usize,
    baseline: Duration,
    victims: usize,
    slow_readers: usize,
    big_doc_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            seconds: 20,
            flood_rate: 0,
            attacks: vec![Attack::All, Attack::Flood, Attack::Sockets, Attack::Slow],
            baseline: Duration::from_secs(5),
            victims: 2,
            flooders: 50,
            slow_readers: 3,
            // 36 MiB in all: more than samod may queue for one connection.
            big_docs: 6,
            big_doc_bytes: 6 * 1024 * 1024,
        }
    }
}

pub(crate) async fn run(o: &Options, s: &Settings) -> Result<(), String> {
    let load_before = load_average();
    let mut runs = Vec::new();
    for attack in &s.attacks {
        let dir = scratch_dir(&format!("abuse-{}", attack.flag()));
        println!("sync-load: abuse, {}: a fresh server…", attack.name());
        let result = measure(o, s, *attack, &dir).await;
        let _ = std::fs::remove_dir_all(&dir);
        runs.push(result?);
    }
    let section = section(o, s, &runs, &load_before, &load_average());
    println!("{section}");
    if let Some(out) = &o.out {
        write_page(out, None, Some(&section))?;
        println!("sync-load: wrote the abuse section of {}", out.display());
    }
    Ok(())
}

/// What the flooding sockets saw, shared by their tasks.
#[derive(Default)]
struct FloodCounts {
    attempts: AtomicU64,
    accepted: AtomicU64,
    /// Connections refused before the upgrade, by HTTP status.
    refused: Mutex<BTreeMap<u16, u64>>,
    /// Connections that failed otherwise, by error.
    failed: Mutex<BTreeMap<String, u64>>,
    /// `request` messages written to the socket.
    sent: AtomicU64,
    /// Messages the server sent back (`doc-unavailable`, `error`).
    received: AtomicU64,
    /// How accepted sockets ended.
    closes: Mutex<BTreeMap<String, u64>>,
    open: AtomicUsize,
    max_open: AtomicUsize,
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    *map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_default() += 1;
}

fn snapshot<K: Clone + Ord>(map: &Mutex<BTreeMap<K, u64>>) -> BTreeMap<K, u64> {
    map.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// One reading of the server while the run goes on.
#[derive(Clone, Copy, Debug)]
struct Sample {
    /// Since the victims started.
    at: Duration,
    rss: u64,
    /// Documents registered to the attacker's store.
    documents: u64,
    /// Attacker messages sent so far.
    sent: u64,
}

/// Samples the server from a thread of its own, so that neither runtime's load delays it.
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Vec<Sample>>,
}

impl Sampler {
    fn start(pid: u32, data_dir: &Path, counts: Arc<FloodCounts>, start: Instant) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let data_dir = data_dir.to_path_buf();
        let thread = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut samples = Vec::new();
                while !stop.load(Relaxed) {
                    samples.push(Sample {
                        at: start.elapsed(),
                        rss: resident_memory(pid).unwrap_or(0),
                        documents: attacker_documents(&data_dir).unwrap_or(0),
                        sent: counts.sent.load(Relaxed),
                    });
                    std::thread::sleep(SAMPLE_EVERY);
                }
                samples
            })
        };
        Sampler { stop, thread }
    }

    fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

/// Documents registered to the attacker's store, read from the server's database (read-only;
/// the server keeps it in WAL mode, so this never blocks its writes).
fn attacker_documents(data_dir: &Path) -> Result<u64, String> {
    use rusqlite::OpenFlags;
    let db = data_dir.join(pos_sync_server::storage::DB_FILE);
    let conn = rusqlite::Connection::open_with_flags(
        &db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("{}: {e}", db.display()))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| e.to_string())?;
    conn.query_row(
        "SELECT count(*) FROM documents d JOIN stores s ON s.store_id = d.store_id \
         WHERE s.name = ?1",
        [ATTACKER_STORE],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n.max(0) as u64)
    .map_err(|e| format!("counting the attacker's documents: {e}"))
}

/// Uploads `count` documents of random bytes to the attacker's store, from its device
/// `login`: sales days of that device, one a day, each with its genesis (so that the server
/// registers them) and a blob at ROOT "blob". Their ids, and how long the upload took.
async fn seed_big_documents(
    url: &str,
    store: Uuid,
    login: &Login,
    count: usize,
    s: &Settings,
) -> Result<(Vec<DocumentId>, Duration), String> {
    let mut peer = NativePeer::new(login.peer_id.clone(), None);
    let device = login.device;
    let mut documents = Vec::new();
    for i in 0..count {
        let mut blob = vec![0u8; s.big_doc_bytes];
        getrandom::fill(&mut blob).map_err(|e| e.to_string())?;
        let day = BusinessDay::new(2026, 1 + (i / 28) as u32 % 12, 1 + (i % 28) as u32)
            .ok_or("no such business day")?;
        let mut day = SalesDay::new(store, device, day, &Actor::device(device));
        let id = day.document_id();
        day.automerge_mut()
            .put(ROOT, "blob", ScalarValue::Bytes(blob))
            .map_err(|e| e.to_string())?;
        let heads = day.heads();
        let doc = day.into_automerge();
        peer.hold(id, doc, None);
        peer.expect_heads(id, heads);
        documents.push(id);
    }
    let t = Instant::now();
    peer.sync_until_converged(url, Duration::from_secs(300))
        .await
        .map_err(|e| format!("seeding the attacker's store: {e}"))?;
    Ok((documents, t.elapsed()))
}

/// A setup code for a second store, as an operator makes one beside the running server.
fn new_store_code(server_bin: &Path, port: u16, data_dir: &Path) -> Result<String, String> {
    let out = std::process::Command::new(server_bin)
        .args(["new-store-code", "--addr", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .map_err(|e| format!("new-store-code: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_once("#/setup?code=")
        .map(|(_, code)| code.trim().to_owned())
        .ok_or_else(|| {
            format!(
                "new-store-code printed no link: {text}{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
}

/// The attack's runtime, shut down without waiting when dropped (a runtime dropped inside
/// another one's task would panic).
struct AttackRuntime(Option<tokio::runtime::Runtime>);

impl AttackRuntime {
    fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.0 {
            Some(rt) => rt.spawn(task),
            None => tokio::spawn(task),
        }
    }
}

impl Drop for AttackRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Round trips of the victims.
#[derive(Clone, Copy, Debug)]
struct Stats {
    n: usize,
    p50: Duration,
    p95: Duration,
    max: Duration,
}

fn stats(mut v: Vec<Duration>) -> Option<Stats> {
    if v.is_empty() {
        return None;
    }
    v.sort();
    let at = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Some(Stats {
        n: v.len(),
        p50: at(0.5),
        p95: at(0.95),
        max: v[v.len() - 1],
    })
}

/// The victims' rounds that started in one stretch of the run.
#[derive(Clone, Debug)]
struct Phase {
    /// Since the victims started.
    from: Duration,
    to: Duration,
    stats: Option<Stats>,
    failed: usize,
}

/// Everything the run measured.
struct Figures {
    attack: Attack,
    big_docs: usize,
    seeded_in: Duration,
    baseline: Phase,
    attacked: Phase,
    after: Phase,
    /// The attack per [`WINDOW`], then the rest per [`WINDOW_AFTER`].
    windows: Vec<Phase>,
    victim_failures: Vec<(Duration, String)>,
    /// Since the victims started.
    attack_from: Duration,
    attack_to: Duration,
    attempts: u64,
    accepted: u64,
    refused: BTreeMap<u16, u64>,
    failed: BTreeMap<String, u64>,
    sent: u64,
    received: u64,
    closes: BTreeMap<String, u64>,
    max_open: usize,
    documents_before: u64,
    documents_after: u64,
    rss_started: u64,
    rss_seeded: u64,
    rss_before: u64,
    rss_attack_max: u64,
    rss_attack_end: u64,
    rss_after_max: u64,
    peak: u64,
    server_cpu: f64,
    generator_cpu: f64,
    slow: Vec<SlowResult>,
    samples: Vec<Sample>,
}

async fn measure(o: &Options, s: &Settings, attack: Attack, dir: &Path) -> Result<Figures, String> {
    let target = start_ours(&o.server_bin, s.victims, dir)?;
    let (pid, port) = (target.pid, target.port);
    let rss_started = resident_memory(pid)?;
    let big_docs = if attack.slow() { s.big_docs } else { 0 };
    let code = new_store_code(&o.server_bin, port, dir)?;
    let attackers = enroll(port, &code, ATTACKER_STORE, 1 + s.slow_readers)?;
    let url = |token: &str| format!("ws://127.0.0.1:{port}/sync?token={token}");
    let attacker = attackers.devices[0].clone();
    let (flood_token, flood_peer) = (attacker.token.clone(), attacker.peer_id.clone());
    println!(
        "sync-load: seeding the attacker's store (pid {pid}) with {big_docs} documents of {}…",
        mib(s.big_doc_bytes as u64)
    );
    let (big, seeded_in) =
        seed_big_documents(&url(&flood_token), attackers.store, &attacker, big_docs, s).await?;
    let documents_before = attacker_documents(dir)?;
    let rss_seeded = resident_memory(pid)?;

    let counts = Arc::new(FloodCounts::default());
    let start = Instant::now();
    let sampler = Sampler::start(pid, dir, counts.clone(), start);
    let stop_victims = Arc::new(AtomicBool::new(false));
    let victims: Vec<_> = target
        .logins
        .iter()
        .enumerate()
        .map(|(d, (url, peer))| {
            let (url, peer, stop) = (url.clone(), peer.clone(), stop_victims.clone());
            let (store, devices) = (target.store, target.devices.clone());
            tokio::spawn(victim(d, store, devices, url, peer, start, stop))
        })
        .collect();
    println!(
        "sync-load: {} victims sync for a {} s baseline…",
        s.victims,
        s.baseline.as_secs()
    );
    tokio::time::sleep_until((start + s.baseline).into()).await;

    // The attack runs on a runtime of its own, so that its tasks never queue ahead of the
    // victims' in the load generator.
    let attack_rt = AttackRuntime(Some(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("attacker")
            .enable_all()
            .build()
            .map_err(|e| format!("attack runtime: {e}"))?,
    ));
    let rss_before = resident_memory(pid)?;
    let cpu_before = cpu_seconds(pid)?;
    let generator_before = cpu_seconds(std::process::id())?;
    let attack_start = Instant::now();
    let flooders = if attack.sockets() { s.flooders } else { 0 };
    let slow_readers = if attack.slow() { s.slow_readers } else { 0 };
    let rate = attack.requests().then_some(s.flood_rate);
    println!(
        "sync-load: attack for {} s: {flooders} flooding tasks on one token, {slow_readers} slow readers…",
        s.seconds
    );
    let stop_flood = Arc::new(AtomicBool::new(false));
    let flooders: Vec<_> = (0..flooders)
        .map(|_| {
            attack_rt.spawn(flood(
                url(&flood_token),
                flood_peer.clone(),
                rate,
                counts.clone(),
                stop_flood.clone(),
            ))
        })
        .collect();
    let stop_slow = Arc::new(AtomicBool::new(false));
    let mut opening: Vec<Option<oneshot::Receiver<_>>> = Vec::new();
    let mut slow_tasks = Vec::new();
    for Login { token, peer_id, .. } in attackers.devices[1..].iter().take(slow_readers) {
        let (tx, rx) = oneshot::channel();
        opening.push(Some(rx));
        slow_tasks.push(attack_rt.spawn(slow_reader(
            port,
            token.clone(),
            peer_id.clone(),
            big.clone(),
            tx,
            stop_slow.clone(),
        )));
    }
    let mut slow = vec![SlowResult::default(); opening.len()];

    let attack_end = attack_start + Duration::from_secs(s.seconds);
    let mut ended: Option<(f64, f64, u64, Instant)> = None;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = Instant::now();
        for (rx, result) in opening.iter_mut().zip(&mut slow) {
            let Some(pending) = rx else { continue };
            match pending.try_recv() {
                Ok(Ok(opened)) => result.opened = Some(opened),
                Ok(Err(e)) => result.failed = Some(e),
                Err(oneshot::error::TryRecvError::Empty) => continue,
                Err(oneshot::error::TryRecvError::Closed) => {
                    result.failed = Some("the task ended".into())
                }
            }
            *rx = None;
        }
        let sockets = server_sockets(port);
        for result in &mut slow {
            let Some(opened) = result.opened else {
                continue;
            };
            if result.dropped_after.is_some() {
                continue;
            }
            match sockets.get(&opened.local_port) {
                Some((1, queued)) => result.max_send_queue = result.max_send_queue.max(*queued),
                _ => result.dropped_after = Some(now - opened.requested_at),
            }
        }
        if ended.is_none() && now >= attack_end {
            stop_flood.store(true, Relaxed);
            ended = Some((
                cpu_seconds(pid)? - cpu_before,
                cpu_seconds(std::process::id())? - generator_before,
                resident_memory(pid)?,
                now,
            ));
            println!("sync-load: attack over; watching the victims recover and the slow readers…");
        }
        let Some((_, _, _, ended_at)) = ended else {
            continue;
        };
        let settled = slow.iter().zip(&opening).all(|(r, rx)| {
            rx.is_none()
                && (r.failed.is_some()
                    || r.dropped_after.is_some()
                    || r.opened
                        .is_some_and(|o| now - o.requested_at >= SLOW_READER_WATCH))
        });
        let recovered = now - ended_at >= RECOVERY;
        if (settled && recovered) || now - ended_at > SLOW_READER_WATCH + CONNECT_TIMEOUT {
            break;
        }
    }
    let run_end = start.elapsed();
    stop_victims.store(true, Relaxed);
    let (server_cpu, generator_cpu, rss_attack_end) = match ended {
        Some((server, generator, rss, _)) => (server, generator, rss),
        None => (0.0, 0.0, 0),
    };
    stop_slow.store(true, Relaxed);
    for result in slow.iter_mut().filter(|r| r.opened.is_none()) {
        result.failed.get_or_insert_with(|| "never opened".into());
    }

    let mut rounds = VictimRounds::default();
    for task in victims {
        let mut v = task
            .await
            .map_err(|e| format!("a victim task failed: {e}"))?;
        rounds.rounds.append(&mut v.rounds);
        rounds.failures.append(&mut v.failures);
    }
    for task in flooders.into_iter().chain(slow_tasks) {
        if tokio::time::timeout(Duration::from_secs(15), task)
            .await
            .is_err()
        {
            eprintln!("sync-load: an attacking task did not stop in 15 s");
        }
    }
    let documents_after = attacker_documents(dir)?;
    let peak = peak_memory(pid)?;
    let samples = sampler.finish();
    drop(target);
    drop(attack_rt);

    let attack_from = attack_start - start;
    let attack_to = attack_end - start;
    let phase = |from: Duration, to: Duration| Phase {
        from,
        to,
        stats: stats(
            rounds
                .rounds
                .iter()
                .filter(|(at, _)| *at >= from && *at < to)
                .map(|(_, took)| *took)
                .collect(),
        ),
        failed: rounds
            .failures
            .iter()
            .filter(|(at, _)| *at >= from && *at < to)
            .count(),
    };
    let mut windows = Vec::new();
    let mut from = attack_from;
    while from < run_end {
        let mut to = if from < attack_to {
            (from + WINDOW).min(attack_to)
        } else {
            (from + WINDOW_AFTER).min(run_end)
        };
        // A last sliver joins the window before it.
        if to >= attack_to && run_end.saturating_sub(to) < WINDOW {
            to = run_end;
        }
        windows.push(phase(from, to));
        from = to;
    }
    let rss_max = |from: Duration, to: Duration| {
        samples
            .iter()
            .filter(|x| x.at >= from && x.at < to)
            .map(|x| x.rss)
            .max()
            .unwrap_or(0)
    };
    Ok(Figures {
        attack,
        big_docs,
        seeded_in,
        baseline: phase(Duration::ZERO, attack_from),
        attacked: phase(attack_from, attack_to),
        after: phase(attack_to, run_end),
        windows,
        victim_failures: rounds.failures,
        attack_from,
        attack_to,
        attempts: counts.attempts.load(Relaxed),
        accepted: counts.accepted.load(Relaxed),
        refused: snapshot(&counts.refused),
        failed: snapshot(&counts.failed),
        sent: counts.sent.load(Relaxed),
        received: counts.received.load(Relaxed),
        closes: snapshot(&counts.closes),
        max_open: counts.max_open.load(Relaxed),
        documents_before,
        documents_after,
        rss_started,
        rss_seeded,
        rss_before,
        rss_attack_max: rss_max(attack_from, attack_to),
        rss_attack_end,
        rss_after_max: rss_max(attack_to, Duration::MAX),
        peak,
        server_cpu,
        generator_cpu,
        slow,
        samples,
    })
}
