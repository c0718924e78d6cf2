//! The abuse benchmark's section of `docs/benchmarks-sync.md`: one column per attack, one row
//! per figure beside the bound it is held to, and each run's memory and round trips over time.

use std::collections::BTreeMap;
use std::time::Duration;

use pos_sync_server::sync::{
    MAX_MESSAGE_BYTES, MAX_QUEUED_BYTES, MESSAGE_BURST, MESSAGES_PER_SEC, PING_EVERY, SEND_TIMEOUT,
    SILENCE_LIMIT, SyncLimits,
};

use super::{
    Figures, Phase, RECOVERY, ROUND_TIMEOUT, SAMPLE_EVERY, SLOW_READER_BOUND, SLOW_READER_BUFFER,
    SLOW_READER_WATCH, Settings, VICTIM_PAUSE, WINDOW, WINDOW_AFTER,
};
use crate::{Options, markdown_table, mib};

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

/// p50 / p95 / max of a phase, with its failed rounds.
fn rounds(p: &Phase) -> String {
    let failed = match p.failed {
        0 => String::new(),
        n => format!(", **{n} failed**"),
    };
    match &p.stats {
        Some(s) => format!(
            "{} / {} / {} ({} rounds{failed})",
            ms(s.p50),
            ms(s.p95),
            ms(s.max),
            s.n
        ),
        None => format!("none completed{failed}"),
    }
}

/// A measured figure with its verdict against the bound.
fn judged(measured: String, held: bool) -> String {
    if held {
        format!("{measured} (held)")
    } else {
        format!("{measured} **(not held)**")
    }
}

fn counted(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".into();
    }
    let mut rows: Vec<_> = map.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1));
    rows.iter()
        .map(|(what, n)| format!("{n} × {what}"))
        .collect::<Vec<_>>()
        .join("; ")
}

fn per_second(n: u64, f: &Figures) -> String {
    let seconds = (f.attack_to - f.attack_from).as_secs_f64();
    format!("{n} ({:.0}/s)", n as f64 / seconds)
}

/// What the attacker may make the server hold, by the server's own bounds: for each slow
/// reader what samod may queue and one message in flight, for each other socket it had open
/// one message being read.
fn memory_bound(f: &Figures) -> u64 {
    let slow = f.slow.len() as u64 * (MAX_QUEUED_BYTES + MAX_MESSAGE_BYTES) as u64;
    f.rss_before + slow + f.max_open as u64 * MAX_MESSAGE_BYTES as u64
}

/// The figures of one run against the server's bounds: (figure, bound, cell of a run).
type Row = (String, String, Box<dyn Fn(&Figures) -> String>);

fn rows(s: &Settings) -> Vec<Row> {
    let limits = SyncLimits::default();
    let per_device = limits.connections_per_device;
    let quota = limits.documents_per_store;
    let no_sockets = |f: &Figures| !f.attack.sockets();
    let big_doc_bytes = s.big_doc_bytes;
    let mut rows: Vec<Row> = Vec::new();
    let mut row = |name: &str, bound: &str, cell: Box<dyn Fn(&Figures) -> String>| {
        rows.push((name.to_owned(), bound.to_owned(), cell));
    };
    row(
        "victim round p50 / p95 / max, baseline",
        "",
        Box::new(|f| rounds(&f.baseline)),
    );
    row(
        "victim round p50 / p95 / max, under attack",
        "p95 ≤ 2 × baseline, none failed",
        Box::new(|f| {
            let held = match (&f.baseline.stats, &f.attacked.stats) {
                (Some(b), Some(a)) => a.p95 <= b.p95 * 2 && f.attacked.failed == 0,
                _ => false,
            };
            judged(rounds(&f.attacked), held)
        }),
    );
    row(
        "victim round p50 / p95 / max, after the attack",
        "",
        Box::new(|f| {
            format!(
                "{} in {:.0} s",
                rounds(&f.after),
                (f.after.to - f.after.from).as_secs_f64()
            )
        }),
    );
    row(
        "store B's documents uploaded before the clock",
        "",
        Box::new(move |f| match f.big_docs {
            0 => "none".into(),
            n => format!(
                "{n} × {big} in {:.1} s",
                f.seeded_in.as_secs_f64(),
                big = mib(big_doc_bytes as u64)
            ),
        }),
    );
    row(
        "attacker connection attempts",
        "",
        Box::new(move |f| match no_sockets(f) {
            true => "–".into(),
            false => per_second(f.attempts, f),
        }),
    );
    row(
        "… accepted (101) / refused",
        "",
        Box::new(move |f| {
            if no_sockets(f) {
                return "–".into();
            }
            let refused: Vec<String> = f
                .refused
                .iter()
                .map(|(status, n)| format!("{n} × {status}"))
                .collect();
            let failed = f.failed.values().sum::<u64>();
            let failed = match failed {
                0 => String::new(),
                _ => format!("; failed otherwise: {}", counted(&f.failed)),
            };
            format!(
                "{} / {}{failed}",
                f.accepted,
                if refused.is_empty() {
                    "0".into()
                } else {
                    refused.join(", ")
                }
            )
        }),
    );
    row(
        "attacker sockets open at once, at most",
        &format!("≤ {per_device} per device"),
        Box::new(move |f| match no_sockets(f) {
            true => "–".into(),
            false => judged(f.max_open.to_string(), f.max_open <= per_device),
        }),
    );
    row(
        "attacker `request` messages written / answered",
        "",
        Box::new(|f| match f.attack.requests() {
            false => "–".into(),
            true => format!("{} / {}", per_second(f.sent, f), f.received),
        }),
    );
    row(
        "how the attacker's accepted sockets ended",
        "",
        Box::new(move |f| match no_sockets(f) {
            true => "–".into(),
            false => counted(&f.closes),
        }),
    );
    row(
        "store B documents: before → at the end",
        &format!("≤ {quota} per store"),
        Box::new(move |f| {
            judged(
                format!(
                    "{} → {} (+{})",
                    f.documents_before,
                    f.documents_after,
                    f.documents_after.saturating_sub(f.documents_before)
                ),
                f.documents_after <= quota,
            )
        }),
    );
    row(
        "server RSS: started / after the upload / before the attack",
        "",
        Box::new(|f| {
            format!(
                "{} / {} / {}",
                mib(f.rss_started),
                mib(f.rss_seeded),
                mib(f.rss_before)
            )
        }),
    );
    row(
        "server RSS: max in the attack / at its end / max after",
        &format!(
            "≤ before + {} per slow reader + {} per other attacker socket open",
            mib((MAX_QUEUED_BYTES + MAX_MESSAGE_BYTES) as u64),
            mib(MAX_MESSAGE_BYTES as u64),
        ),
        Box::new(|f| {
            let max = f.rss_attack_max.max(f.rss_after_max);
            judged(
                format!(
                    "{} / {} / {}",
                    mib(f.rss_attack_max),
                    mib(f.rss_attack_end),
                    mib(f.rss_after_max)
                ),
                max <= memory_bound(f),
            )
        }),
    );
    row(
        "server RSS added per store B document added",
        "",
        Box::new(move |f| {
            let added = f.documents_after.saturating_sub(f.documents_before);
            if added == 0 {
                return "–".into();
            }
            let grown = f
                .rss_attack_max
                .max(f.rss_after_max)
                .saturating_sub(f.rss_before);
            let each = grown as f64 / added as f64;
            format!(
                "{:.1} KiB (× the {quota} quota: {:.1} GiB)",
                each / 1024.0,
                each * quota as f64 / (1024.0 * 1024.0 * 1024.0)
            )
        }),
    );
    row(
        "server peak memory (VmHWM, whole run)",
        "",
        Box::new(|f| mib(f.peak)),
    );
    row(
        "server CPU time in the attack",
        "",
        Box::new(|f| {
            let seconds = (f.attack_to - f.attack_from).as_secs_f64();
            format!(
                "{:.1} s ({:.0} % of a core)",
                f.server_cpu,
                100.0 * f.server_cpu / seconds
            )
        }),
    );
    row(
        "load generator CPU time in the attack",
        "",
        Box::new(|f| format!("{:.1} s", f.generator_cpu)),
    );
    row(
        &format!(
            "slow readers ({} × {} documents of {})",
            s.slow_readers,
            s.big_docs,
            mib(s.big_doc_bytes as u64)
        ),
        &format!("dropped ≤ {} s", SLOW_READER_BOUND.as_secs()),
        Box::new(|f| {
            if f.slow.is_empty() {
                return "–".into();
            }
            let queued = f.slow.iter().map(|r| r.max_send_queue).max().unwrap_or(0);
            let mut held = true;
            let each: Vec<String> = f
                .slow
                .iter()
                .map(|r| match (&r.failed, r.dropped_after) {
                    (Some(e), _) => {
                        held = false;
                        format!("did not open ({e})")
                    }
                    (None, Some(after)) => {
                        held &= after <= SLOW_READER_BOUND;
                        format!("dropped after {:.1} s", after.as_secs_f64())
                    }
                    (None, None) => {
                        held = false;
                        format!("open after {} s", SLOW_READER_WATCH.as_secs())
                    }
                })
                .collect();
            judged(
                format!(
                    "{} (the server's kernel send queue up to {})",
                    each.join(", "),
                    mib(queued)
                ),
                held,
            )
        }),
    );
    rows
}

fn over_time(f: &Figures) -> String {
    let mut rows: Vec<Vec<String>> = vec![vec![
        "since the attack began".into(),
        "server RSS".into(),
        "store B documents".into(),
        "attacker messages/s".into(),
        "victim p95".into(),
    ]];
    let sample_at = |at: Duration| {
        f.samples
            .iter()
            .find(|x| x.at >= at)
            .or(f.samples.last())
            .copied()
    };
    for w in &f.windows {
        let (Some(a), Some(b)) = (sample_at(w.from), sample_at(w.to)) else {
            continue;
        };
        let rate = (b.sent - a.sent) as f64 / b.at.saturating_sub(a.at).as_secs_f64().max(0.001);
        let victim = match (&w.stats, w.failed) {
            (Some(st), 0) => ms(st.p95),
            (Some(st), n) => format!("{} ({n} failed)", ms(st.p95)),
            (None, n) => format!("none completed ({n} failed)"),
        };
        let since = |d: Duration| d.as_secs_f64() - f.attack_from.as_secs_f64();
        rows.push(vec![
            format!(
                "{:.0}–{:.0} s{}",
                since(w.from),
                since(w.to),
                if w.from >= f.attack_to {
                    " (after)"
                } else {
                    ""
                }
            ),
            mib(b.rss),
            b.documents.to_string(),
            format!("{rate:.0}"),
            victim,
        ]);
    }
    markdown_table(&rows)
}

pub(super) fn section(
    o: &Options,
    s: &Settings,
    runs: &[Figures],
    load_before: &str,
    load_after: &str,
) -> String {
    let mut header = vec!["figure".to_owned()];
    header.extend(runs.iter().map(|f| f.attack.name().to_owned()));
    header.push("bound".into());
    let mut figures = vec![header];
    for (name, bound, cell) in rows(s) {
        let mut line = vec![name];
        line.extend(runs.iter().map(&cell));
        line.push(bound);
        figures.push(line);
    }
    let over_time: Vec<String> = runs
        .iter()
        .map(|f| {
            format!(
                "{}, per {} s in the attack and {} s after it:\n\n{}\n",
                f.attack.name(),
                WINDOW.as_secs(),
                WINDOW_AFTER.as_secs(),
                over_time(f)
            )
        })
        .collect();
    let failures: Vec<String> = runs
        .iter()
        .filter_map(|f| {
            let (at, e) = f.victim_failures.first()?;
            Some(format!(
                "{}: at {:.1} s, {e}",
                f.attack.name(),
                at.as_secs_f64()
            ))
        })
        .collect();
    let failures = match failures.is_empty() {
        true => String::new(),
        false => format!(
            "\nThe first failed victim round of each run (time since the victims started):\n\n- {}\n",
            failures.join("\n- ")
        ),
    };
    let mut flags = format!("--seconds {}", s.seconds);
    let default = Settings::default();
    if s.attacks != default.attacks {
        for a in &s.attacks {
            flags += &format!(" --attack {}", a.flag());
        }
    }
    if s.flood_rate != default.flood_rate {
        flags += &format!(" --flood-rate {}", s.flood_rate);
    }
    if s.flooders != default.flooders {
        flags += &format!(" --flooders {}", s.flooders);
    }
    if s.big_docs != default.big_docs {
        flags += &format!(" --big-docs {}", s.big_docs);
    }
    let rate = match s.flood_rate {
        0 => "as fast as the socket takes them".to_owned(),
        n => format!("{n} a second per socket"),
    };
    let date = humantime::format_rfc3339_seconds(std::time::SystemTime::now());
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let limits = SyncLimits::default();
    // The command as typed when it was not this tool's own.
    let generated = match o.command.as_str() {
        "sync-load" => format!("`sync-load --abuse {flags}`"),
        command => format!("`{command}`, which runs `sync-load --abuse {flags}`"),
    };
    format!(
        "{heading}\n\n\
         Generated by {generated} (release build; the code is\n\
         `sync-server/src/bin/sync-load/abuse.rs`, and `cargo xtask bench --sync-only` runs it after\n\
         the benchmark above) at {date}. Against our server only, with its default limits, one\n\
         fresh server per run. The bounds are the server's own; \"held\" is judged from the figures.\n\n\
         - Victims: store A's {victims} registers, each in a loop: record a cash sale, sync (connect,\n  \
           join, upload, until the server acknowledges it and the other register's day is current),\n  \
           wait {pause} ms. Each round is timed; one that takes {round_timeout} s gives up and counts as\n  \
           failed. {baseline} s of baseline, {seconds} s of attack, then at least {recovery} s more.\n\
         - Many sockets: {flooders} tasks share store B's owner token; each reconnects as soon as its\n  \
           socket closes or is refused. In the flood, each accepted socket sends `request` messages\n  \
           for random well-formed document ids, {rate}; in \"many sockets only\" it only joins.\n\
         - Slow readers: {slow} more devices of store B each open one socket (receive buffer\n  \
           {buffer} KiB), request the store's {big_docs} documents of {big_mib} (uploaded before the\n  \
           clock starts, in runs with slow readers only), then never read; they ping every 5 s, so\n  \
           only the bounds on sending can drop them. A drop is read from the server's side of the\n  \
           TCP connection in `/proc/net/tcp` (it leaves ESTABLISHED): a client that does not read\n  \
           cannot see a close frame.\n\
         - Server bounds: {per_device} sockets per device, {total} in all; {burst} messages at once,\n  \
           then {per_sec}/s per socket; {quota} documents per store; {queued} queued per socket; a\n  \
           send may take {send_timeout} s; pings every {ping} s, {silence} s of silence ends a socket.\n\
         - Memory is VmRSS of `/proc/<pid>/status`, sampled every {sample} ms. The load generator\n  \
           runs on the same {cpus} CPUs as the server (the attack on a tokio runtime of its own);\n  \
           load average {load_before} before, {load_after} after.\n\n\
         {table}\n{failures}\n\
         Over time:\n\n{over_time}",
        heading = crate::ABUSE_HEADING,
        victims = s.victims,
        pause = VICTIM_PAUSE.as_millis(),
        round_timeout = ROUND_TIMEOUT.as_secs(),
        baseline = s.baseline.as_secs(),
        seconds = s.seconds,
        recovery = RECOVERY.as_secs(),
        flooders = s.flooders,
        slow = s.slow_readers,
        buffer = SLOW_READER_BUFFER / 1024,
        big_docs = s.big_docs,
        big_mib = mib(s.big_doc_bytes as u64),
        per_device = limits.connections_per_device,
        total = limits.connections,
        burst = MESSAGE_BURST,
        per_sec = MESSAGES_PER_SEC,
        quota = limits.documents_per_store,
        queued = mib(MAX_QUEUED_BYTES as u64),
        send_timeout = SEND_TIMEOUT.as_secs(),
        ping = PING_EVERY.as_secs(),
        silence = SILENCE_LIMIT.as_secs(),
        sample = SAMPLE_EVERY.as_millis(),
        table = markdown_table(&figures),
        over_time = over_time.join("\n"),
    )
}
