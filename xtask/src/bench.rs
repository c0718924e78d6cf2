//! Bench: `cargo xtask bench` runs two benchmarks. The browser one builds the release PWA and
//! server exactly as the browser tests do, serves them on a free port with a fresh data dir, and
//! runs `tests/bench/bench.mjs` (headless Chromium through playwright-core; it starts a server of
//! its own from the same binary for pay with a store joined, and runs Lighthouse from
//! tests/node_modules against the served PWA), which writes `docs/benchmarks.md`. The sync one
//! runs the native load generator `sync-load` (built with the server; it starts a fresh server
//! per run, and the JavaScript reference server for comparison) and writes
//! `docs/benchmarks-sync.md`, then runs it again with `--abuse` (a flood, slow readers and many
//! sockets from one store while another keeps syncing), which adds its own section to that page.
//! xtask only starts them: it stays free of Automerge.
//! Targets are reported, never enforced: this fails only when something cannot be built,
//! started or measured.

use anyhow::{Result, bail};

use crate::server::BuiltServer;
use crate::util::{self, repo_root};
use crate::{build, ensure};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Which {
    All,
    Browser,
    Sync,
}

pub fn bench(which: Which) -> Result<()> {
    let tools = util::step("ensure tools and test dependencies", || {
        ensure::ensure(ensure::Want { test_deps: true })
    })?;
    // The command as it was typed, for the pages to say how they were made.
    let command = match which {
        Which::All => "cargo xtask bench",
        Which::Browser => "cargo xtask bench --browser-only",
        Which::Sync => "cargo xtask bench --sync-only",
    };
    if which != Which::Sync {
        browser(&tools, command)?;
    }
    if which != Which::Browser {
        sync(command)?;
    }
    Ok(())
}

fn browser(tools: &ensure::Tools, command: &str) -> Result<()> {
    let root = repo_root();
    let script = root.join("tests/bench/bench.mjs");
    let playwright = root.join("tests/node_modules/playwright-core");
    if !playwright.exists() {
        bail!(
            "{} is missing (npm ci in tests/ did not install it)",
            playwright.display()
        );
    }
    // Dropped at the end of this function, so the sync benchmark has the machine to itself.
    let server = BuiltServer::start(tools, "bench")?;

    let out = root.join("docs/benchmarks.md");
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut cmd = tools.command("node");
    cmd.arg(&script)
        .arg("--out")
        .arg(&out)
        .arg("--command")
        .arg(command)
        .current_dir(&root)
        .env("POS_BASE_URL", server.base_url())
        .env("POS_STATIC_DIR", &server.dist)
        .env("POS_SERVER_BIN", &server.server_bin);
    util::step("benchmarks (tests/bench/bench.mjs)", || util::run(&mut cmd))
}

fn sync(command: &str) -> Result<()> {
    let root = repo_root();
    // Builds every binary of pos-sync-server, the load generator included.
    let server_bin = build::build_server()?;
    let load = server_bin.with_file_name(format!("sync-load{}", std::env::consts::EXE_SUFFIX));
    let out = root.join("docs/benchmarks-sync.md");
    let sync_load = |extra: &[&str]| {
        let mut cmd = std::process::Command::new(&load);
        cmd.args(extra)
            .arg("--server-bin")
            .arg(&server_bin)
            .arg("--out")
            .arg(&out)
            .arg("--command")
            .arg(command)
            .current_dir(&root);
        cmd
    };
    util::step(
        "sync benchmark (sync-load: 20 devices, ours and the JS reference)",
        || util::run(&mut sync_load(&[])),
    )?;
    util::step(
        "sync abuse benchmark (sync-load --abuse: flood, slow readers, many sockets)",
        || util::run(&mut sync_load(&["--abuse", "--seconds", "20"])),
    )
}
