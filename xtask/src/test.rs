//! Test: `cargo xtask test` runs every suite (native, in-browser wasm, Playwright end-to-end)
//! after installing what they need, keeps going after a failure so every summary is printed,
//! and fails if any suite failed or could not run.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use crate::ensure::{self, CHROMEDRIVER, Tools};
use crate::server::BuiltServer;
use crate::util::{self, fmt_duration, repo_root, run_tee};

/// How one suite ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Passed,
    Failed(String),
    /// It should have run but could not (e.g. a tool failed to install): a failure.
    NotRun(String),
    /// Left out on request (`--native-only` ...): not a failure.
    Skipped,
    /// The suite has no tests yet: not a failure.
    NoTests,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
}

struct Row {
    suite: &'static str,
    outcome: Outcome,
    counts: Option<Counts>,
    took: Duration,
}

#[derive(Debug, Default)]
struct Options {
    native: bool,
    wasm: bool,
    browser: bool,
    playwright_args: Vec<String>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut only: Option<&str> = None;
    let mut playwright_args = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--" => {
                playwright_args.extend(it.by_ref().cloned());
            }
            "--native-only" | "--wasm-only" | "--browser-only" => {
                if only.is_some() {
                    bail!("give at most one of --native-only, --wasm-only, --browser-only");
                }
                only = Some(arg.as_str());
            }
            other => bail!("unexpected argument {other:?}; pass Playwright arguments after `--`"),
        }
    }
    Ok(Options {
        native: matches!(only, None | Some("--native-only")),
        wasm: matches!(only, None | Some("--wasm-only")),
        browser: matches!(only, None | Some("--browser-only")),
        playwright_args,
    })
}

pub fn main(args: &[String]) -> ExitCode {
    let opts = match parse_args(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("xtask test: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    let mut rows: Vec<Row> = Vec::new();

    // Tools and test dependencies; the native suite needs emupos for the printer golden tests.
    let mut tools: Option<Tools> = None;
    let mut tools_error = String::new();
    if opts.native || opts.wasm || opts.browser {
        let t0 = Instant::now();
        match util::step("ensure tools and test dependencies", || {
            ensure::ensure(ensure::Want { test_deps: true })
        }) {
            Ok(t) => {
                tools = Some(t);
                rows.push(Row {
                    suite: "ensure",
                    outcome: Outcome::Passed,
                    counts: None,
                    took: t0.elapsed(),
                });
            }
            Err(e) => {
                tools_error = format!("tools missing: {e:#}");
                rows.push(Row {
                    suite: "ensure",
                    outcome: Outcome::Failed(format!("{e:#}")),
                    counts: None,
                    took: t0.elapsed(),
                });
            }
        }
    }

    if opts.native {
        rows.push(suite("native", native));
    } else {
        rows.push(skipped("native"));
    }
    if opts.wasm {
        rows.push(match &tools {
            Some(t) => suite("wasm", || wasm(t)),
            None => not_run("wasm", &tools_error),
        });
    } else {
        rows.push(skipped("wasm"));
    }
    if opts.browser {
        rows.push(match &tools {
            Some(t) => suite("browser", || browser(t, &opts.playwright_args)),
            None => not_run("browser", &tools_error),
        });
    } else {
        rows.push(skipped("browser"));
    }

    print_summary(&rows, started.elapsed());
    let ok = rows.iter().all(|r| {
        matches!(
            r.outcome,
            Outcome::Passed | Outcome::Skipped | Outcome::NoTests
        )
    });
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn skipped(suite: &'static str) -> Row {
    Row {
        suite,
        outcome: Outcome::Skipped,
        counts: None,
        took: Duration::ZERO,
    }
}

fn not_run(suite: &'static str, why: &str) -> Row {
    println!("==> {suite}: not run ({why})");
    Row {
        suite,
        outcome: Outcome::NotRun(why.to_string()),
        counts: None,
        took: Duration::ZERO,
    }
}

/// Runs a suite as a step; an error becomes a failed row.
fn suite(name: &'static str, f: impl FnOnce() -> Result<(Outcome, Option<Counts>)>) -> Row {
    let t0 = Instant::now();
    println!("\n==> suite {name}");
    let (outcome, counts) = match f() {
        Ok(r) => r,
        Err(e) => (Outcome::Failed(format!("{e:#}")), None),
    };
    let took = t0.elapsed();
    let counts_text = counts
        .map(|c| format!(": {} passed, {} failed", c.passed, c.failed))
        .unwrap_or_default();
    println!(
        "<== suite {name}: {}{counts_text} in {}",
        outcome_text(&outcome),
        fmt_duration(took)
    );
    Row {
        suite: name,
        outcome,
        counts,
        took,
    }
}

/// `cargo test --workspace --exclude pos-app`, with the tests that need emupos included and the
/// camera decoder (a feature of devices/ only the camera worker turns on) named explicitly; then
/// the app library's host tests (`cargo test -p pos-app --lib`).
fn native() -> Result<(Outcome, Option<Counts>)> {
    let mut cmd = Command::new(util::cargo());
    cmd.args([
        "test",
        "--workspace",
        "--exclude",
        "pos-app",
        "--features",
        "pos-devices/camera",
        "--",
        "--include-ignored",
    ])
    .env(
        "EMUPOS_PYTHON",
        crate::ensure::emupos_python(&util::tools_dir()?),
    )
    .current_dir(repo_root());
    let (status, mut out) = run_tee(&mut cmd)?;
    // The app's pure parts (what a catalog save writes, `idb/catalog.rs`) run on the host too;
    // the rest of the app needs a browser and is tested there.
    let mut app = Command::new(util::cargo());
    app.args(["test", "-p", "pos-app", "--lib"])
        .current_dir(repo_root());
    let (app_status, app_out) = run_tee(&mut app)?;
    out.push_str(&app_out);
    let status_ok = status.success() && app_status.success();
    let counts = libtest_counts(&out);
    println!("native test results:");
    for line in out.lines().filter(|l| l.starts_with("test result:")) {
        println!("  {line}");
    }
    Ok(judge(status_ok, counts, "cargo test"))
}

/// In-browser unit tests of the app, if it has any.
fn wasm(tools: &Tools) -> Result<(Outcome, Option<Counts>)> {
    let app = repo_root().join("app");
    if !has_wasm_tests(&app) {
        println!("wasm: no tests");
        return Ok((Outcome::NoTests, None));
    }
    let mut cmd = tools.command(&util::cargo().to_string_lossy());
    cmd.args(["test", "-p", "pos-app", "--target", ensure::WASM_TARGET])
        .current_dir(repo_root());
    if Path::new(CHROMEDRIVER).exists() && std::env::var_os("CHROMEDRIVER").is_none() {
        cmd.env("CHROMEDRIVER", CHROMEDRIVER);
    }
    let (status, out) = run_tee(&mut cmd)?;
    Ok(judge(status.success(), libtest_counts(&out), "wasm tests"))
}

/// True if app/tests/ has a file or app/src mentions `wasm_bindgen_test`.
fn has_wasm_tests(app: &Path) -> bool {
    fn walk(dir: &Path, f: &mut dyn FnMut(&Path) -> bool) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if walk(&path, f) {
                    return true;
                }
            } else if f(&path) {
                return true;
            }
        }
        false
    }
    walk(&app.join("tests"), &mut |_| true)
        || walk(&app.join("src"), &mut |p| {
            p.extension().is_some_and(|e| e == "rs")
                && std::fs::read_to_string(p).is_ok_and(|s| s.contains("wasm_bindgen_test"))
        })
}

/// Builds the release PWA and server, starts the server on a free port with a fresh data dir,
/// and runs Playwright against it.
fn browser(tools: &Tools, playwright_args: &[String]) -> Result<(Outcome, Option<Counts>)> {
    let root = repo_root();
    let tests = root.join("tests");
    let playwright = tests.join("node_modules/.bin/playwright");
    if !playwright.exists() {
        bail!(
            "{} is missing (npm ci in tests/ did not install it)",
            playwright.display()
        );
    }
    let server = BuiltServer::start(tools, "browser")?;

    let mut cmd = Command::new(&playwright);
    cmd.arg("test")
        .args(playwright_args)
        .current_dir(&tests)
        .env("PATH", tools.path())
        .env("POS_BASE_URL", server.base_url())
        .env("POS_SERVER_BIN", &server.server_bin)
        .env("POS_STATIC_DIR", &server.dist)
        // The printer tests decode what the fake printers received with emupos.
        .env(
            "EMUPOS_PYTHON",
            crate::ensure::emupos_python(&util::tools_dir()?),
        );
    let (status, out) = run_tee(&mut cmd)?;
    drop(server);
    Ok(judge(
        status.success(),
        playwright_counts(&out),
        "playwright",
    ))
}

fn judge(success: bool, counts: Option<Counts>, what: &str) -> (Outcome, Option<Counts>) {
    if success {
        (Outcome::Passed, counts)
    } else {
        (
            Outcome::Failed(format!("{what} exited with failure")),
            counts,
        )
    }
}

/// Sums libtest's `test result: ok. N passed; M failed; ...` lines.
fn libtest_counts(out: &str) -> Option<Counts> {
    let mut total: Option<Counts> = None;
    for line in out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("test result:"))
    {
        let c = total.get_or_insert_with(Counts::default);
        for part in line.split(';') {
            let mut words = part.split_whitespace().rev();
            let (Some(kind), Some(n)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(n) = n.parse::<u64>() else { continue };
            match kind {
                "passed" => c.passed += n,
                "failed" => c.failed += n,
                _ => {}
            }
        }
    }
    total
}

/// Reads Playwright's closing lines: `  3 passed (2.1s)`, `  1 failed`, `  1 flaky`, ...
fn playwright_counts(out: &str) -> Option<Counts> {
    let mut total: Option<Counts> = None;
    for line in out.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() < 2 || words.len() > 4 {
            continue;
        }
        let Ok(n) = words[0].parse::<u64>() else {
            continue;
        };
        let kind = words[1..].join(" ");
        let kind = kind.split(" (").next().unwrap_or("");
        let c = match kind {
            "passed" | "failed" | "flaky" | "interrupted" | "did not run" => {
                total.get_or_insert_with(Counts::default)
            }
            _ => continue,
        };
        if kind == "passed" {
            c.passed += n;
        } else {
            c.failed += n;
        }
    }
    total
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Passed => "passed".into(),
        Outcome::Failed(_) => "FAILED".into(),
        Outcome::NotRun(_) => "NOT RUN".into(),
        Outcome::Skipped => "skipped".into(),
        Outcome::NoTests => "no tests".into(),
    }
}

fn print_summary(rows: &[Row], took: Duration) {
    println!("\n==== test summary ====");
    println!(
        "{:<8} {:<9} {:>7} {:>7} {:>9}",
        "suite", "result", "passed", "failed", "time"
    );
    let mut total = Counts::default();
    for r in rows {
        let (p, f) = match r.counts {
            Some(c) => {
                total.passed += c.passed;
                total.failed += c.failed;
                (c.passed.to_string(), c.failed.to_string())
            }
            None => ("-".into(), "-".into()),
        };
        let time = if r.took.is_zero() {
            "-".into()
        } else {
            fmt_duration(r.took)
        };
        println!(
            "{:<8} {:<9} {p:>7} {f:>7} {time:>9}",
            r.suite,
            outcome_text(&r.outcome)
        );
    }
    for r in rows {
        if let Outcome::Failed(why) | Outcome::NotRun(why) = &r.outcome {
            println!("{}: {why}", r.suite);
        }
    }
    println!("elapsed {}", fmt_duration(took));
    println!("total: {} passed, {} failed", total.passed, total.failed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_lines_are_summed() {
        let out = "running 2 tests\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s\n\
                   test result: FAILED. 5 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.26s\n";
        assert_eq!(
            libtest_counts(out),
            Some(Counts {
                passed: 7,
                failed: 1
            })
        );
        assert_eq!(libtest_counts("error: could not compile"), None);
    }

    #[test]
    fn playwright_lines_are_read() {
        let out = "Running 4 tests using 2 workers\n  ✓  1 smoke.spec.ts:3:5 › health (20ms)\n\n  1 failed\n    smoke.spec.ts:9:5 › title\n  1 flaky\n  2 passed (1.4s)\n";
        assert_eq!(
            playwright_counts(out),
            Some(Counts {
                passed: 2,
                failed: 2
            })
        );
        assert_eq!(playwright_counts("Error: No tests found"), None);
    }

    #[test]
    fn args() {
        let o = parse_args(&[
            "--browser-only".into(),
            "--".into(),
            "--grep".into(),
            "cash".into(),
        ])
        .unwrap();
        assert!(!o.native && !o.wasm && o.browser);
        assert_eq!(o.playwright_args, ["--grep", "cash"]);
        let o = parse_args(&[]).unwrap();
        assert!(o.native && o.wasm && o.browser);
        assert!(parse_args(&["--native-only".into(), "--browser-only".into()]).is_err());
        assert!(parse_args(&["--grep".into()]).is_err());
    }
}
