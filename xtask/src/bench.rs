//! Bench: `cargo xtask bench` builds the release PWA and server exactly as the browser tests do,
//! serves them on a free port with a fresh data dir, and runs `tests/bench/bench.mjs` (headless
//! Chromium through playwright-core). The script prints the figures and writes
//! `docs/benchmarks.md` with the command and the machine. Targets are reported, never enforced:
//! this fails only when something cannot be built, started or measured.

use anyhow::{Result, bail};

use crate::ensure;
use crate::server::BuiltServer;
use crate::util::{self, repo_root};

pub fn bench() -> Result<()> {
    let tools = util::step("ensure tools and test dependencies", || {
        ensure::ensure(ensure::Want { test_deps: true })
    })?;
    let root = repo_root();
    let script = root.join("tests/bench/bench.mjs");
    let playwright = root.join("tests/node_modules/playwright-core");
    if !playwright.exists() {
        bail!(
            "{} is missing (npm ci in tests/ did not install it)",
            playwright.display()
        );
    }
    let server = BuiltServer::start(&tools, "bench")?;

    let out = root.join("docs/benchmarks.md");
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut cmd = tools.command("node");
    cmd.arg(&script)
        .arg("--out")
        .arg(&out)
        .arg("--command")
        .arg("cargo xtask bench")
        .current_dir(&root)
        .env("POS_BASE_URL", server.base_url())
        .env("POS_STATIC_DIR", &server.dist);
    util::step("benchmarks (tests/bench/bench.mjs)", || util::run(&mut cmd))
}
