//! Build: the release PWA (Trunk, into dist/) and the release server binary.
//! Shared by `build`, `run` and the browser tests so all three ship exactly the same bytes.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Result;

use crate::ensure::Tools;
use crate::util::{self, repo_root, step, target_dir};

/// `trunk build --release` at the repo root (Trunk.toml: app/index.html -> dist/), then the
/// service worker. Returns the absolute dist dir.
pub fn build_pwa(tools: &Tools) -> Result<PathBuf> {
    let root = repo_root();
    step("build PWA (trunk build --release)", || {
        let mut cmd = tools.command("trunk");
        cmd.args(["build", "--release"]).current_dir(&root);
        util::run(&mut cmd)
    })?;
    let dist = root.join("dist");
    step("service worker", || generate_service_worker(tools, &dist))?;
    Ok(dist)
}

/// Generates the service worker into dist/ from public/workbox-config.cjs.
/// Nothing to do while that config does not exist.
pub fn generate_service_worker(_tools: &Tools, _dist: &std::path::Path) -> Result<()> {
    let root = repo_root();
    let config = root.join("public/workbox-config.cjs");
    if !config.exists() {
        println!("no public/workbox-config.cjs: no service worker generated");
        return Ok(());
    }
    let workbox = root.join("tests/node_modules/.bin/workbox");
    if !workbox.exists() {
        println!(
            "public/workbox-config.cjs exists but tests/node_modules/.bin/workbox does not: skipped"
        );
        return Ok(());
    }
    // The generation step (`workbox generateSW public/workbox-config.cjs`) is added with the
    // service worker itself.
    println!("service worker generation is not implemented yet");
    Ok(())
}

/// `cargo build --release -p pos-sync-server`; returns the binary's absolute path.
pub fn build_server() -> Result<PathBuf> {
    step(
        "build server (cargo build --release -p pos-sync-server)",
        || {
            let mut cmd = Command::new(util::cargo());
            cmd.args(["build", "--release", "-p", "pos-sync-server"])
                .current_dir(repo_root());
            util::run(&mut cmd)
        },
    )?;
    Ok(target_dir()?
        .join("release")
        .join(format!("pos-sync-server{}", std::env::consts::EXE_SUFFIX)))
}
