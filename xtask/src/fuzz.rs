//! Fuzz: `cargo xtask fuzz [--seconds N] [target...]` runs the cargo-fuzz targets in `fuzz/`
//! (libFuzzer with AddressSanitizer, on nightly) one after another, each for N seconds, and
//! prints per target how many inputs ran, how fast, and whether one crashed it.
//!
//! The committed seeds in `fuzz/corpus/<target>` are only read. What a run discovers goes to a
//! working corpus in `fuzz/target/corpus/<target>`, kept between runs and never committed, so
//! fuzzing leaves the work tree clean; `docs/fuzzing.md` says how to fold it into the seeds.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::ensure::{self, FUZZ_TOOLCHAIN, FuzzToolchain};
use crate::util::{self, fmt_duration, repo_root, show};

/// Every target in `fuzz/fuzz_targets/`, in the order they run.
const TARGETS: [&str; 6] = [
    "sync_wire",
    "pump_header",
    "change_policy",
    "zvt_apdu",
    "escpos_status",
    "hid_pos",
];

/// Seconds per target when `--seconds` is not given.
const DEFAULT_SECONDS: u64 = 60;

/// One input taking longer than this is reported as a hang (libFuzzer's `-timeout`): these
/// decoders read a few kilobytes in microseconds.
const INPUT_TIMEOUT_SECS: u64 = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    seconds: u64,
    targets: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut seconds = DEFAULT_SECONDS;
    let mut targets = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = match arg.as_str() {
            "--seconds" => Some(it.next().context("--seconds needs a value")?.as_str()),
            other => other.strip_prefix("--seconds="),
        };
        if let Some(value) = value {
            seconds = value.parse().ok().filter(|&n| n > 0).with_context(|| {
                format!("--seconds takes a whole number above 0, not {value:?}")
            })?;
        } else if TARGETS.contains(&arg.as_str()) {
            if !targets.contains(arg) {
                targets.push(arg.clone());
            }
        } else {
            bail!(
                "unexpected argument {arg:?} (fuzz takes --seconds N and target names: {})",
                TARGETS.join(", ")
            );
        }
    }
    if targets.is_empty() {
        targets = TARGETS.iter().map(|t| t.to_string()).collect();
    }
    Ok(Options { seconds, targets })
}

/// What libFuzzer said at the end of one target's run.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Stats {
    executions: Option<u64>,
    exec_per_sec: Option<u64>,
    /// Inputs in the corpus libFuzzer held at the end (seeds and discoveries, deduplicated).
    corpus_inputs: Option<u64>,
    /// Their size as libFuzzer prints it (`475Kb`).
    corpus_size: Option<String>,
    /// Where libFuzzer wrote the input that crashed it.
    artifact: Option<PathBuf>,
}

/// One target's run.
#[derive(Debug)]
struct Report {
    target: String,
    stats: Stats,
    /// `None` when it ran its time out; else why it stopped.
    failure: Option<String>,
    took: Duration,
}

/// `cargo xtask fuzz ...`.
pub fn main(args: &[String]) -> Result<()> {
    let opts = parse_args(args)?;
    let reports = run(&opts)?;
    let crashed: Vec<String> = reports
        .iter()
        .filter_map(|r| r.failure.as_ref().map(|f| format!("{}: {f}", r.target)))
        .collect();
    if !crashed.is_empty() {
        bail!("{}", crashed.join("; "));
    }
    Ok(())
}

/// Ensures cargo-fuzz and nightly, builds the targets, runs each for `opts.seconds` and prints
/// a table. An `Err` means nothing could be fuzzed (no nightly, a build failure); a crash is a
/// report with a failure.
fn run(opts: &Options) -> Result<Vec<Report>> {
    let toolchain = util::step("ensure cargo-fuzz and a toolchain", ensure::ensure_fuzz)?;
    let root = repo_root();
    let how = match toolchain {
        FuzzToolchain::Nightly => "nightly, AddressSanitizer",
        FuzzToolchain::StableNoSanitizer => "stable with RUSTC_BOOTSTRAP=1, no sanitizer",
    };
    util::step(&format!("build the fuzz targets ({how})"), || {
        let mut cmd = fuzz_command(&root, toolchain, "build");
        if let [one] = opts.targets.as_slice() {
            cmd.arg(one);
        }
        let status = util::status(&mut cmd)?;
        if !status.success() {
            bail!("the fuzz targets did not build ({how}: {status}); the errors are above");
        }
        Ok(())
    })?;
    let mut reports = Vec::new();
    for target in &opts.targets {
        println!("==> fuzz {target} for {}s", opts.seconds);
        let report = run_target(&root, toolchain, target, opts.seconds)?;
        match &report.failure {
            None => println!("<== fuzz {target}: {}", summary(&report.stats)),
            Some(why) => println!("<== fuzz {target}: FAILED: {why}"),
        }
        reports.push(report);
    }
    print_table(&reports);
    Ok(reports)
}

/// `cargo +nightly fuzz <subcommand>` (or its stable form, see [`FuzzToolchain`]) from the
/// repository root, where cargo-fuzz finds `fuzz/`.
fn fuzz_command(root: &Path, toolchain: FuzzToolchain, subcommand: &str) -> Command {
    let mut cmd = ensure::rustup_command("cargo");
    match toolchain {
        FuzzToolchain::Nightly => {
            cmd.arg(format!("+{FUZZ_TOOLCHAIN}"))
                .args(["fuzz", subcommand]);
        }
        FuzzToolchain::StableNoSanitizer => {
            cmd.env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", subcommand, "--sanitizer", "none"]);
        }
    }
    cmd.current_dir(root);
    cmd
}

fn run_target(root: &Path, toolchain: FuzzToolchain, target: &str, seconds: u64) -> Result<Report> {
    // Relative to the root, where cargo-fuzz runs, so the commands read as one would type them.
    let work = Path::new("fuzz/target/corpus").join(target);
    let seeds = Path::new("fuzz/corpus").join(target);
    std::fs::create_dir_all(root.join(&work))
        .with_context(|| format!("creating {}", work.display()))?;
    let logs = root.join("fuzz/target/logs");
    std::fs::create_dir_all(&logs)?;
    let log_path = logs.join(format!("{target}.log"));
    let mut log = std::fs::File::create(&log_path)
        .with_context(|| format!("creating {}", log_path.display()))?;

    let mut cmd = fuzz_command(root, toolchain, "run");
    cmd.arg(target)
        .arg(&work)
        .arg(&seeds)
        .arg("--")
        .arg(format!("-max_total_time={seconds}"))
        .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
        .arg("-print_final_stats=1");
    println!("$ {}  (full log: {})", show(&cmd), log_path.display());
    let started = Instant::now();
    // libFuzzer writes everything to stderr: keep it all in the log; show and keep for the
    // figures all but its per-input progress lines and its dictionary.
    let mut child = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{}`", show(&cmd)))?;
    let mut text = String::new();
    let mut in_dictionary = false;
    for line in BufReader::new(child.stderr.take().expect("piped stderr")).split(b'\n') {
        let line = String::from_utf8_lossy(&line?).into_owned();
        writeln!(log, "{line}")?;
        if line.starts_with("###### Recommended dictionary") {
            in_dictionary = true;
        }
        if is_progress(&line) {
            continue;
        }
        if !in_dictionary {
            println!("{line}");
        }
        if line.starts_with("###### End of recommended dictionary") {
            in_dictionary = false;
        }
        text.push_str(&line);
        text.push('\n');
    }
    let status = child.wait()?;
    let stats = parse_stats(&text, root);
    let failure = if status.success() {
        None
    } else {
        Some(match &stats.artifact {
            Some(artifact) => format!(
                "crashed ({status}); the input is {} (reproduce: cargo +{FUZZ_TOOLCHAIN} fuzz run {target} {})",
                artifact.display(),
                artifact.display()
            ),
            None => format!(
                "exited with {status} without writing an input; see {}",
                log_path.display()
            ),
        })
    };
    Ok(Report {
        target: target.to_string(),
        stats,
        failure,
        took: started.elapsed(),
    })
}

/// libFuzzer's per-input lines: `#1234  NEW    cov: ...`, `#65536 pulse ...`.
fn is_progress(line: &str) -> bool {
    line.strip_prefix('#').is_some_and(|rest| {
        rest.starts_with(|c: char| c.is_ascii_digit()) && !rest.contains("DONE")
    })
}

/// Reads the `#N DONE ... corp: X/YKb ... exec/s: Z` line, the `stat::` lines of
/// `-print_final_stats=1` (which a crash also prints) and `Test unit written to <path>`.
fn parse_stats(log: &str, root: &Path) -> Stats {
    let mut stats = Stats::default();
    for line in log.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix('#')
            && rest.contains("DONE")
        {
            let words: Vec<&str> = rest.split_whitespace().collect();
            stats.executions = words.first().and_then(|n| n.parse().ok());
            let after = |key: &str| {
                words
                    .iter()
                    .position(|w| *w == key)
                    .and_then(|i| words.get(i + 1))
                    .copied()
            };
            if let Some((n, size)) = after("corp:").and_then(|c| c.split_once('/')) {
                stats.corpus_inputs = n.parse().ok();
                stats.corpus_size = Some(size.to_string());
            }
            stats.exec_per_sec = after("exec/s:").and_then(|n| n.parse().ok());
        } else if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            stats.executions = n.trim().parse().ok().or(stats.executions);
        } else if let Some(n) = line.strip_prefix("stat::average_exec_per_sec:") {
            stats.exec_per_sec = n.trim().parse().ok().or(stats.exec_per_sec);
        } else if let Some((_, path)) = line.split_once("Test unit written to ") {
            let path = PathBuf::from(path.trim());
            stats.artifact = Some(
                path.strip_prefix(root)
                    .map(Path::to_path_buf)
                    .unwrap_or(path),
            );
        }
    }
    stats
}

fn summary(stats: &Stats) -> String {
    let n = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
    format!(
        "{} executions, {} exec/s, corpus {} inputs ({})",
        n(stats.executions),
        n(stats.exec_per_sec),
        n(stats.corpus_inputs),
        stats.corpus_size.as_deref().unwrap_or("?")
    )
}

fn print_table(reports: &[Report]) {
    println!("\n==== fuzz summary ====");
    println!(
        "{:<14} {:>12} {:>8} {:>8} {:>9} {:>8}  result",
        "target", "executions", "exec/s", "corpus", "size", "time"
    );
    for r in reports {
        let n = |v: Option<u64>| v.map_or("?".to_string(), |v| v.to_string());
        println!(
            "{:<14} {:>12} {:>8} {:>8} {:>9} {:>8}  {}",
            r.target,
            n(r.stats.executions),
            n(r.stats.exec_per_sec),
            n(r.stats.corpus_inputs),
            r.stats.corpus_size.as_deref().unwrap_or("?"),
            fmt_duration(r.took),
            match (&r.failure, &r.stats.artifact) {
                (None, _) => "no crash".to_string(),
                (Some(_), Some(artifact)) => format!("CRASH {}", artifact.display()),
                (Some(why), None) => format!("FAILED: {why}"),
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args() {
        let all = parse_args(&[]).unwrap();
        assert_eq!(all.seconds, DEFAULT_SECONDS);
        assert_eq!(all.targets, TARGETS);
        let o = parse_args(&[
            "--seconds".into(),
            "15".into(),
            "zvt_apdu".into(),
            "hid_pos".into(),
            "zvt_apdu".into(),
        ])
        .unwrap();
        assert_eq!(o.seconds, 15);
        assert_eq!(o.targets, ["zvt_apdu", "hid_pos"]);
        assert_eq!(parse_args(&["--seconds=3".into()]).unwrap().seconds, 3);
        assert!(parse_args(&["--seconds".into()]).is_err());
        assert!(parse_args(&["--seconds".into(), "0".into()]).is_err());
        assert!(parse_args(&["nope".into()]).is_err());
    }

    #[test]
    fn final_lines_are_read() {
        let log = "#32768\tpulse  cov: 1313 ft: 4681 corp: 683/368Kb lim: 4093 exec/s: 6553 rss: 460Mb\n\
                   #71652\tDONE   cov: 1350 ft: 5167 corp: 839/475Kb lim: 4093 exec/s: 6513 rss: 493Mb\n\
                   Done 71652 runs in 11 second(s)\n\
                   stat::number_of_executed_units: 71652\n\
                   stat::average_exec_per_sec:     6513\n";
        let s = parse_stats(log, Path::new("/repo"));
        assert_eq!(s.executions, Some(71652));
        assert_eq!(s.exec_per_sec, Some(6513));
        assert_eq!(s.corpus_inputs, Some(839));
        assert_eq!(s.corpus_size.as_deref(), Some("475Kb"));
        assert_eq!(s.artifact, None);
        assert!(is_progress("#32768\tpulse  cov: 1"));
        assert!(!is_progress("#71652\tDONE   cov: 1"));
        assert!(!is_progress("###### Recommended dictionary. ######"));
    }

    #[test]
    fn crash_names_its_input() {
        let log = "==1234== ERROR: libFuzzer: deadly signal\n\
                   artifact_prefix='/repo/fuzz/artifacts/zvt_apdu/'; Test unit written to /repo/fuzz/artifacts/zvt_apdu/crash-0a1b\n\
                   stat::number_of_executed_units: 512\n\
                   stat::average_exec_per_sec:     0\n";
        let s = parse_stats(log, Path::new("/repo"));
        assert_eq!(
            s.artifact,
            Some(PathBuf::from("fuzz/artifacts/zvt_apdu/crash-0a1b"))
        );
        assert_eq!(s.executions, Some(512));
    }
}
