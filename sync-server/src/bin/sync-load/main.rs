//! `sync-load`: the sync benchmark's load generator, run by `cargo xtask bench`.
//!
//! Many registers that sold offline reconnect at once to one fresh server: each uploads its own
//! sales day and downloads every other device's. It measures the time until every device holds
//! every sale, and the server process's CPU time (utime + stime) and peak memory (VmHWM) from
//! /proc, for our server and then the JavaScript reference server, and prints the ratios.
//!
//! Native on purpose: a JavaScript load generator limited the wall time of an earlier
//! measurement (shared/NOTES-sync.md). Every device is a `NativePeer` (the register's own sync
//! client) on one tokio runtime, and all documents are built before the clock starts.
//!
//! `--abuse` runs the other benchmark instead, against our server only ([`abuse`]): one store's
//! device floods the server while another store's registers keep syncing, and the page gets a
//! section of its own, which the main benchmark keeps when it rewrites the page (and the other
//! way round). `servers.rs` starts the servers and enrolls the devices, for both.
//!
//!   sync-load [--devices 20] [--sales 1000] [--server-bin PATH] [--only ours|reference]
//!             [--timeout SECS]
//!             [--out docs/benchmarks-sync.md] [--command "cargo xtask bench"]
//!   sync-load --abuse [--seconds 20] [--flood-rate N] [--attack all|flood|sockets|slow]
//!             [--flooders 50] [--big-docs 6]
//!             [--server-bin PATH] [--out …] [--command …]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use pos_core::automerge::{AutoCommit, ChangeHash};
use pos_core::{Actor, BusinessDay, DocumentId, SalesDay, SharedDocument, Uuid, demo};
use pos_sync_server::client::{NativePeer, PeerError, SyncReport};

mod abuse;
mod servers;

use servers::{Login, Target, enroll, start_ours, start_reference};

/// The store of the JS reference server's devices, which checks no store; our server's is the
/// one its enrollment makes.
const STORE: Uuid = Uuid::from_u128(0x5707e_0000_0000_0000_0000_0000_0001);
/// The store the devices enroll into on our server.
const STORE_NAME: &str = "bench-store";

struct Options {
    devices: usize,
    sales: usize,
    server_bin: PathBuf,
    ours: bool,
    reference: bool,
    /// Per device: a guard against a hang, not a target.
    timeout: Duration,
    out: Option<PathBuf>,
    command: String,
    /// `--abuse`: the abuse benchmark instead of the main one.
    abuse: Option<abuse::Settings>,
}

fn parse_args() -> Result<Options, String> {
    let exe_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or_default();
    let mut o = Options {
        devices: 20,
        sales: 1000,
        server_bin: exe_dir.join(format!("pos-sync-server{}", std::env::consts::EXE_SUFFIX)),
        ours: true,
        reference: true,
        timeout: Duration::from_secs(300),
        out: None,
        command: "sync-load".into(),
        abuse: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--devices" => {
                o.devices = value("--devices")?
                    .parse()
                    .map_err(|e| format!("--devices: {e}"))?
            }
            "--sales" => {
                o.sales = value("--sales")?
                    .parse()
                    .map_err(|e| format!("--sales: {e}"))?
            }
            "--server-bin" => o.server_bin = value("--server-bin")?.into(),
            "--only" => match value("--only")?.as_str() {
                "ours" => o.reference = false,
                "reference" => o.ours = false,
                other => return Err(format!("--only takes ours or reference, not {other:?}")),
            },
            "--timeout" => {
                o.timeout = Duration::from_secs(
                    value("--timeout")?
                        .parse()
                        .map_err(|e| format!("--timeout: {e}"))?,
                )
            }
            "--out" => o.out = Some(value("--out")?.into()),
            "--command" => o.command = value("--command")?,
            "--abuse" => {
                o.abuse.get_or_insert_with(abuse::Settings::default);
            }
            "--seconds" => {
                o.abuse.get_or_insert_with(abuse::Settings::default).seconds = value("--seconds")?
                    .parse()
                    .map_err(|e| format!("--seconds: {e}"))?
            }
            "--flood-rate" => {
                o.abuse
                    .get_or_insert_with(abuse::Settings::default)
                    .flood_rate = value("--flood-rate")?
                    .parse()
                    .map_err(|e| format!("--flood-rate: {e}"))?
            }
            "--flooders" => {
                o.abuse
                    .get_or_insert_with(abuse::Settings::default)
                    .flooders = value("--flooders")?
                    .parse()
                    .map_err(|e| format!("--flooders: {e}"))?
            }
            "--big-docs" => {
                o.abuse
                    .get_or_insert_with(abuse::Settings::default)
                    .big_docs = value("--big-docs")?
                    .parse()
                    .map_err(|e| format!("--big-docs: {e}"))?
            }
            "--attack" => {
                let attack = value("--attack")?;
                let attack = abuse::Attack::parse(&attack).ok_or_else(|| {
                    format!("--attack takes all, flood, sockets or slow, not {attack:?}")
                })?;
                o.abuse.get_or_insert_with(abuse::Settings::default).attacks = vec![attack];
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if o.devices < 2 {
        return Err("--devices must be at least 2".into());
    }
    Ok(o)
}

fn today() -> BusinessDay {
    BusinessDay::new(2026, 11, 29).expect("a valid day")
}

/// One device's offline day: its id, document and heads.
struct Day {
    device: Uuid,
    id: DocumentId,
    doc: AutoCommit,
    heads: Vec<ChangeHash>,
}

/// The devices' offline days in `store`, one per device, in the order of `devices`.
fn offline_days(store_id: Uuid, devices: &[Uuid], sales: usize) -> Vec<Day> {
    let (store, catalog) = demo::food_truck(false);
    devices
        .iter()
        .enumerate()
        .map(|(d, &device)| {
            let code = format!("D{d}");
            let mut day = SalesDay::new(store_id, device, today(), &Actor::device(device));
            for n in 0..sales {
                let id = Uuid::from_u128(device.as_u128() << 32 | n as u128);
                let at = 1_764_400_000_000 + (n as i64) * 30_000;
                let sale = demo::cash_sale(&store, &catalog, n, id, &code, n as u64 + 1, at);
                day.record_sale(&sale).expect("a new sale records");
            }
            let heads = day.heads();
            Day {
                device,
                id: day.document_id(),
                doc: day.automerge().clone(),
                heads,
            }
        })
        .collect()
}

/// Each device holds its own day and the genesis of every other device's day (any device may
/// make one to receive into), expecting the owner's heads.
fn peers(store: Uuid, days: &[Day], peer_ids: &[String]) -> Vec<NativePeer> {
    days.iter()
        .zip(peer_ids)
        .map(|(me, peer_id)| {
            let mut peer = NativePeer::new(peer_id.clone(), Some(format!("storage-{}", me.device)));
            for day in days {
                let doc = if day.device == me.device {
                    day.doc.clone()
                } else {
                    SalesDay::new(store, day.device, today(), &Actor::device(me.device))
                        .automerge()
                        .clone()
                };
                peer.hold(day.id, doc, None);
                peer.expect_heads(day.id, day.heads.clone());
            }
            peer
        })
        .collect()
}

/// CPU seconds (user + system) of a process so far, from /proc/<pid>/stat.
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("/proc/{pid}/stat: {e}"))?;
    // The command name may hold spaces: the fields we want follow the last ')'.
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("malformed /proc stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')': state is field 3, so utime (14) and stime (15) are at 11 and 12.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .ok_or("malformed /proc stat")
    };
    Ok((ticks(11)? + ticks(12)?) as f64 / clock_ticks() as f64)
}

fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// Peak resident memory in bytes (VmHWM) of a process.
fn peak_memory(pid: u32) -> Result<u64, String> {
    memory_field(pid, "VmHWM:")
}

/// Resident memory in bytes (VmRSS) of a process now.
fn resident_memory(pid: u32) -> Result<u64, String> {
    memory_field(pid, "VmRSS:")
}

fn memory_field(pid: u32, field: &str) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("no {field} in /proc status"))
}

fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

struct Run {
    name: &'static str,
    /// Per device, from the start to its convergence.
    converged: Vec<Duration>,
    server_cpu: f64,
    server_peak: u64,
    disk: u64,
    generator_cpu: f64,
    bytes_sent: usize,
    bytes_received: usize,
    messages: usize,
    /// New connections after the server dropped one.
    reconnects: usize,
    /// Why not every device converged, if so.
    failure: Option<String>,
}

impl Run {
    fn all_converged(&self) -> Duration {
        self.converged.iter().copied().max().unwrap_or_default()
    }
}

/// Runs the load against `target`. A device that fails or times out does not end the run: the
/// server's figures are still read, and the failure is reported beside them.
async fn measure(o: &Options, days: &[Day], target: Target) -> Result<Run, String> {
    let timeout = o.timeout;
    let peer_ids: Vec<String> = target.logins.iter().map(|(_, peer)| peer.clone()).collect();
    let peers = peers(target.store, days, &peer_ids);
    let cpu_before = cpu_seconds(target.pid)?;
    let generator_before = cpu_seconds(std::process::id())?;
    let start = tokio::time::Instant::now();
    let tasks: Vec<_> = peers
        .into_iter()
        .zip(target.logins.iter().map(|(url, _)| url.clone()))
        .map(|(mut peer, url)| {
            tokio::spawn(async move {
                // A connection the server drops is opened again, as a register would, until
                // the timeout; the reconnects are counted and reported.
                let mut total = SyncReport::default();
                let mut reconnects = 0;
                let result = loop {
                    let left = timeout.saturating_sub(start.elapsed());
                    match peer.sync_until_converged(&url, left).await {
                        Ok(report) => {
                            total.bytes_sent += report.bytes_sent;
                            total.bytes_received += report.bytes_received;
                            total.messages_sent += report.messages_sent;
                            total.messages_received += report.messages_received;
                            break Ok(total);
                        }
                        Err(PeerError::Socket(_) | PeerError::Closed { .. })
                            if start.elapsed() < timeout =>
                        {
                            reconnects += 1
                        }
                        Err(e) => break Err(format!("{}: {e}", peer.peer_id())),
                    }
                };
                (start.elapsed(), result, reconnects, peer)
            })
        })
        .collect();
    let mut run = Run {
        name: target.name,
        converged: Vec::new(),
        server_cpu: 0.0,
        server_peak: 0,
        disk: 0,
        generator_cpu: 0.0,
        bytes_sent: 0,
        bytes_received: 0,
        messages: 0,
        reconnects: 0,
        failure: None,
    };
    let mut failures = Vec::new();
    let mut finished = Vec::new();
    for task in tasks {
        let (elapsed, report, reconnects, peer) = task
            .await
            .map_err(|e| format!("a device task failed: {e}"))?;
        run.reconnects += reconnects;
        let report = match report {
            Ok(report) => report,
            Err(e) => {
                failures.push(format!("{e} (after {:.1} s)", elapsed.as_secs_f64()));
                continue;
            }
        };
        run.converged.push(elapsed);
        run.bytes_sent += report.bytes_sent;
        run.bytes_received += report.bytes_received;
        run.messages += report.messages_sent + report.messages_received;
        finished.push(peer);
    }
    run.server_cpu = cpu_seconds(target.pid)? - cpu_before;
    run.generator_cpu = cpu_seconds(std::process::id())? - generator_before;
    run.server_peak = peak_memory(target.pid)?;
    run.disk = dir_size(&target.data_dir);
    run.converged.sort();
    if let Some(first) = failures.first() {
        eprintln!(
            "sync-load: {}: {} device(s) did not converge: {}",
            run.name,
            failures.len(),
            failures.join("; ")
        );
        run.failure = Some(format!(
            "{} of {} devices did not converge ({first})",
            failures.len(),
            o.devices
        ));
        return Ok(run);
    }
    // Convergence was judged by heads; check one device's sales by reading them, as the app would.
    let sample = &finished[finished.len() - 1];
    let mut sales = 0;
    for day in days {
        let doc = sample
            .document(day.id)
            .ok_or("the device lost a document")?
            .clone();
        sales += SalesDay::from_automerge(doc)
            .map_err(|e| e.to_string())?
            .sales()
            .map_err(|e| e.to_string())?
            .len();
    }
    if sales != o.devices * o.sales {
        return Err(format!(
            "{}: a device holds {sales} sales, expected {}",
            run.name,
            o.devices * o.sales
        ));
    }
    drop(finished);
    drop(target);
    Ok(run)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

fn report(
    o: &Options,
    runs: &[Run],
    load_before: &str,
    load_after: &str,
    prepared: Duration,
) -> String {
    let mut rows: Vec<Vec<String>> =
        vec![vec!["figure".into(), "".into(), "".into(), "target".into()]];
    rows[0][1] = runs.first().map(|r| r.name.to_string()).unwrap_or_default();
    rows[0][2] = runs.get(1).map(|r| r.name.to_string()).unwrap_or_default();
    let cell = |i: usize, f: &dyn Fn(&Run) -> String| runs.get(i).map(f).unwrap_or_default();
    let mut row = |name: &str, f: &dyn Fn(&Run) -> String, target: &str| {
        rows.push(vec![name.into(), cell(0, f), cell(1, f), target.into()]);
    };
    row(
        "every device holds every sale (wall time)",
        &|r| match &r.failure {
            Some(_) => "not reached".into(),
            None => secs(r.all_converged()),
        },
        "< 10 s",
    );
    row(
        "first device done",
        &|r| {
            r.converged
                .first()
                .map(|d| secs(*d))
                .unwrap_or("none".into())
        },
        "",
    );
    row(
        "median device done",
        &|r| {
            r.converged
                .get(o.devices / 2)
                .map(|d| secs(*d))
                .unwrap_or("none".into())
        },
        "",
    );
    row(
        "server CPU time (utime + stime)",
        &|r| format!("{:.2} s", r.server_cpu),
        "ours ≤ 1/3 of the reference",
    );
    row(
        "server peak memory (VmHWM)",
        &|r| mib(r.server_peak),
        "ours ≤ 1/5 of the reference",
    );
    row("server data on disk afterwards", &|r| mib(r.disk), "");
    row(
        "load generator CPU time",
        &|r| format!("{:.2} s", r.generator_cpu),
        "",
    );
    row(
        "bytes devices sent / received",
        &|r| {
            format!(
                "{} / {}",
                mib(r.bytes_sent as u64),
                mib(r.bytes_received as u64)
            )
        },
        "",
    );
    row("WebSocket messages", &|r| r.messages.to_string(), "");
    row(
        "reconnects after the server dropped a socket",
        &|r| r.reconnects.to_string(),
        "",
    );
    let table = markdown_table(&rows);
    let mut ratios = String::new();
    for r in runs {
        if let Some(failure) = &r.failure {
            ratios.push_str(&format!(
                "**{}: {failure}.** Its figures cover the run up to the timeout.\n\n",
                r.name
            ));
        }
    }
    if let [ours, reference] = runs
        && ours.failure.is_none()
        && reference.failure.is_none()
    {
        let cpu = ours.server_cpu / reference.server_cpu;
        let mem = ours.server_peak as f64 / reference.server_peak as f64;
        let met = |ok: bool| if ok { "met" } else { "missed" };
        ratios += &format!(
            "Ours / reference: CPU time {cpu:.2} (target ≤ 0.33: {}), peak memory {mem:.2} (target ≤ 0.20: {}), \
             wall time {:.2}. Convergence under 10 s: ours {}, reference {}.\n",
            met(cpu <= 1.0 / 3.0),
            met(mem <= 0.2),
            ours.all_converged().as_secs_f64() / reference.all_converged().as_secs_f64(),
            met(ours.all_converged() < Duration::from_secs(10)),
            met(reference.all_converged() < Duration::from_secs(10)),
        );
    }
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "# Sync server benchmark\n\n\
         Generated by `{command}` (the load generator is `sync-server/src/bin/sync-load/`); rerun it\n\
         to refresh this page. Targets are goals to report against, not assertions.\n\n\
         - Load: {devices} devices, each with {sales} offline cash sales (`demo::cash_sale`) in its own\n  \
           `SalesDay`, reconnect at once to one fresh server; each uploads its day and downloads the\n  \
           {others} others, until every device holds all {total} sales (judged by the owners' heads;\n  \
           one device's sales are then read back and counted).\n\
         - Load generator: native, one tokio runtime, each device a `NativePeer` (the register's own\n  \
           sync client) on its own WebSocket; documents built per server before its clock starts\n  \
           ({prepared:.1} s in all). It shares the machine with the server, so its CPU time is shown too.\n\
         - Servers: a fresh process and data dir per run. CPU time is utime + stime from\n  \
           `/proc/<pid>/stat` before and after; peak memory is `VmHWM` from `/proc/<pid>/status`.\n\
         - Machine: {cpus} CPUs, {model}; load average (1, 5, 15 min) {load_before} before,\n  \
           {load_after} after.\n\n\
         {table}\n\n{ratios}",
        command = o.command,
        devices = o.devices,
        sales = o.sales,
        others = o.devices - 1,
        total = o.devices * o.sales,
        prepared = prepared.as_secs_f64(),
    )
}

/// Rows as a Markdown table, the first row its header, each column as wide as its widest cell.
pub(crate) fn markdown_table(rows: &[Vec<String>]) -> String {
    let columns = rows.first().map_or(0, Vec::len);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let line = |r: &Vec<String>| {
        let cells: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("| {} |", cells.join(" | "))
    };
    let mut out = vec![line(&rows[0])];
    out.push(format!(
        "|{}|",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("|")
    ));
    out.extend(rows[1..].iter().map(line));
    out.join("\n")
}

fn scratch_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pos-sync-load-{label}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn run(o: Options) -> Result<(), String> {
    if let Some(settings) = &o.abuse {
        return abuse::run(&o, settings).await;
    }
    let load_before = load_average();
    // Each server's days name its store and devices, so they are built per server, after its
    // enrollment and before its clock starts.
    let mut prepared = Duration::ZERO;
    let mut build = |target: &Target| {
        println!(
            "sync-load: building {} offline days of {} sales for {}…",
            o.devices, o.sales, target.name
        );
        let t = Instant::now();
        let days = offline_days(target.store, &target.devices, o.sales);
        prepared += t.elapsed();
        days
    };
    let mut runs = Vec::new();

    if o.ours {
        let dir = scratch_dir("ours");
        let target = start_ours(&o.server_bin, o.devices, &dir)?;
        let days = build(&target);
        println!(
            "sync-load: {} devices against our server (pid {})…",
            o.devices, target.pid
        );
        let result = measure(&o, &days, target).await;
        let _ = std::fs::remove_dir_all(&dir);
        runs.push(result?);
    }

    if o.reference {
        let dir = scratch_dir("reference");
        let target = start_reference(&o, &dir)?;
        let days = build(&target);
        println!(
            "sync-load: {} devices against the JS reference server (pid {})…",
            o.devices, target.pid
        );
        let result = measure(&o, &days, target).await;
        let _ = std::fs::remove_dir_all(&dir);
        runs.push(result?);
    }

    let page = report(&o, &runs, &load_before, &load_average(), prepared);
    println!("{page}");
    if let Some(out) = &o.out {
        write_page(out, Some(&page), None)?;
        println!("sync-load: wrote {}", out.display());
    }
    Ok(())
}

/// Where the abuse section starts: the page's last section, from this heading to the end.
const ABUSE_HEADING: &str = "## Abuse: a flood, slow readers and many sockets";

/// Writes the main benchmark's part of the page, or the abuse section, keeping the other part
/// as the file has it.
fn write_page(out: &Path, main: Option<&str>, abuse: Option<&str>) -> Result<(), String> {
    let old = std::fs::read_to_string(out).unwrap_or_default();
    let (old_main, old_abuse) = old.split_at(old.find(ABUSE_HEADING).unwrap_or(old.len()));
    let main = main.unwrap_or(old_main).trim_end();
    let abuse = abuse.unwrap_or(old_abuse).trim_end();
    let page = match (main.is_empty(), abuse.is_empty()) {
        (_, true) => format!("{main}\n"),
        (true, false) => format!("{abuse}\n"),
        (false, false) => format!("{main}\n\n{abuse}\n"),
    };
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(out, page).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("sync-load: {e}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sync-load: error: {e}");
            ExitCode::FAILURE
        }
    }
}
