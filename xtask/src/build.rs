//! Build: the release PWA (Trunk, into dist/) and the server binary (the release profile, but
//! unwinding: `[profile.server]`).
//! Shared by `build`, `run` and the browser tests so all three ship exactly the same bytes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::ensure::Tools;
use crate::util::{self, repo_root, step, target_dir};

/// `trunk build --release` at the repo root (Trunk.toml: app/index.html -> dist/), then the
/// service worker, then the compressed copies the server sends. Returns the absolute dist dir.
pub fn build_pwa(tools: &Tools) -> Result<PathBuf> {
    let root = repo_root();
    step("build PWA (trunk build --release)", || {
        let mut cmd = tools.command("trunk");
        cmd.args(["build", "--release"]).current_dir(&root);
        util::run(&mut cmd)
    })?;
    let dist = root.join("dist");
    step("page wasm without Automerge", || {
        check_page_has_no_documents(&dist)
    })?;
    step("service worker", || generate_service_worker(tools, &dist))?;
    // Last, so the worker itself is compressed and no copy is older than its file.
    step("compressed copies (brotli, gzip)", || compress_dist(&dist))?;
    Ok(dist)
}

/// The page's wasm must not link Automerge: the documents live in the sync worker, and the page
/// loads (and compiles) every byte of its wasm before the first tile. Automerge's error texts name
/// it, so one call from the page into the documents shows up here as a failed build.
fn check_page_has_no_documents(dist: &Path) -> Result<()> {
    let mut found = 0;
    for entry in std::fs::read_dir(dist)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let is_page_wasm = name.starts_with("pos-app-") && name.ends_with("_bg.wasm");
        if !is_page_wasm {
            continue;
        }
        found += 1;
        let bytes = std::fs::read(entry.path())?;
        if bytes.windows(b"automerge".len()).any(|w| w == b"automerge") {
            bail!(
                "{name} links Automerge: the page reached the store's documents instead of asking \
                 the sync worker (app/src/engine_link.rs)"
            );
        }
    }
    if found != 1 {
        bail!(
            "expected one page wasm (pos-app-*_bg.wasm) in {}, found {found}",
            dist.display()
        );
    }
    Ok(())
}

/// Extensions worth compressing: text and wasm. Images (png) are compressed already.
const COMPRESSIBLE: [&str; 7] = ["wasm", "js", "css", "html", "json", "svg", "webmanifest"];
/// Below this a compressed copy saves less than its headers cost.
const MIN_COMPRESS_BYTES: u64 = 1024;

/// Writes `<file>.br` (brotli, quality 11) and `<file>.gz` (gzip, level 9) beside each
/// compressible file of dist/, for the server to send by Accept-Encoding: compressing once at
/// build time allows the slowest, smallest settings, which a server compressing per request
/// could not afford. Copies that would not be smaller are left out (the server then sends the
/// file). Old copies are removed first, so none outlives its file.
/// Files revalidated on every load and replaced in place by a new version (the service worker
/// and the page that registers it): a compressed copy could outlive them, so they go as they are.
const REVISED_IN_PLACE: &[&str] = &["sw.js", "index.html"];

pub fn compress_dist(dist: &Path) -> Result<()> {
    let mut files = Vec::new();
    collect_files(dist, &mut files)?;
    for file in &files {
        if file.extension().is_some_and(|e| e == "br" || e == "gz") {
            std::fs::remove_file(file).with_context(|| format!("removing {}", file.display()))?;
        }
    }
    let targets: Vec<&PathBuf> = files
        .iter()
        .filter(|f| {
            f.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| COMPRESSIBLE.contains(&e))
                && !f
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| REVISED_IN_PLACE.contains(&n))
                && std::fs::metadata(f).is_ok_and(|m| m.len() >= MIN_COMPRESS_BYTES)
        })
        .collect();
    // The wasm dominates; brotli and gzip of it run on both cores at once.
    let results: Vec<Result<(u64, u64, u64)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .iter()
            .map(|file| scope.spawn(move || compress_file(file)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("compression thread panicked"))
            .collect()
    });
    let (mut raw, mut br, mut gz) = (0, 0, 0);
    for result in results {
        let (r, b, g) = result?;
        raw += r;
        br += b;
        gz += g;
    }
    println!(
        "compressed {} files: {} KB -> brotli {} KB, gzip {} KB",
        targets.len(),
        raw / 1024,
        br / 1024,
        gz / 1024
    );
    Ok(())
}

/// Writes the `.br` and `.gz` copies of one file; returns (original, brotli, gzip) sizes, a
/// copy left out counting as the original.
fn compress_file(file: &Path) -> Result<(u64, u64, u64)> {
    use std::io::Write;
    let data = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let mut br = Vec::new();
    {
        // Quality 11 and a 4 MiB window (lgwin 22): the wasm is ~3 MB, so repeats anywhere in it
        // are in reach; every browser decodes this window.
        let mut w = brotli::CompressorWriter::new(&mut br, 64 * 1024, 11, 22);
        w.write_all(&data)?;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&data)?;
    let gz = gz.finish()?;
    let keep = |ext: &str, bytes: &[u8]| -> Result<u64> {
        if bytes.len() >= data.len() {
            return Ok(data.len() as u64);
        }
        let mut name = file.as_os_str().to_owned();
        name.push(ext);
        std::fs::write(&name, bytes).with_context(|| format!("writing {name:?}"))?;
        Ok(bytes.len() as u64)
    };
    let br_len = keep(".br", &br)?;
    let gz_len = keep(".gz", &gz)?;
    Ok((data.len() as u64, br_len, gz_len))
}

/// Every file under `dir`, recursively.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Generates the service worker into dist/ from public/workbox-config.cjs with Workbox
/// (`workbox generateSW`, the `workbox-cli` pinned in tests/package.json), so the precache list
/// always matches what Trunk just wrote. Installs tests/node_modules first if it is missing or
/// older than tests/package-lock.json, and fails the build if Workbox cannot run or the worker
/// would not precache the app shell.
/// Nothing to do while that config does not exist.
pub fn generate_service_worker(tools: &Tools, dist: &Path) -> Result<()> {
    let root = repo_root();
    let config = root.join("public/workbox-config.cjs");
    if !config.exists() {
        println!("no public/workbox-config.cjs: no service worker generated");
        return Ok(());
    }
    // Trunk's copy-dir of public/ copied the config into dist/; it is not part of the app.
    let _ = std::fs::remove_file(dist.join("workbox-config.cjs"));
    // Leftovers of an earlier generation, if Trunk did not start from an empty dist/.
    for entry in std::fs::read_dir(dist)
        .with_context(|| format!("reading {}", dist.display()))?
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "sw.js"
            || name == "sw.js.map"
            || (name.starts_with("workbox-") && name.contains(".js"))
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }

    let tests = root.join("tests");
    let workbox = tests.join("node_modules/.bin/workbox");
    if !workbox.exists() || npm_packages_stale(&tests) {
        println!("installing the test packages, which bring workbox-cli (npm ci in tests/)");
        let mut cmd = tools.command("npm");
        cmd.args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&tests)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        util::run(&mut cmd).context(
            "npm ci in tests/ failed, so Workbox cannot generate the service worker \
             (run `PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci` in tests/ to see why)",
        )?;
    }
    if !workbox.exists() {
        bail!(
            "{} is missing after npm ci: add workbox-cli to tests/package.json \
             (the service worker cannot be generated without it)",
            workbox.display()
        );
    }

    let mut cmd = tools.command(&workbox.to_string_lossy());
    cmd.arg("generateSW")
        .arg(&config)
        .current_dir(&root)
        .env("POS_DIST_DIR", dist);
    util::run(&mut cmd).context("workbox generateSW failed: no service worker was generated")?;

    check_precache(dist)
}

/// The generated worker must precache the page, the wasm, its JS glue and the CSS, or the
/// register would not start offline (e.g. a wasm above `maximumFileSizeToCacheInBytes` is left
/// out with only a warning).
fn check_precache(dist: &Path) -> Result<()> {
    let sw_path = dist.join("sw.js");
    let sw = std::fs::read_to_string(&sw_path)
        .with_context(|| format!("workbox did not write {}", sw_path.display()))?;
    let mut shell: Vec<String> = vec!["index.html".into()];
    for entry in std::fs::read_dir(dist)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let app_file = name.ends_with(".wasm")
            || name.ends_with(".css")
            || (name.ends_with(".js") && name != "sw.js" && !name.starts_with("workbox-"));
        if app_file {
            shell.push(name);
        }
    }
    if !shell.iter().any(|n| n.ends_with(".wasm")) {
        bail!("{} has no .wasm file: did trunk build run?", dist.display());
    }
    let missing: Vec<&String> = shell
        .iter()
        .filter(|name| !sw.contains(&format!("\"{name}\"")))
        .collect();
    if !missing.is_empty() {
        bail!(
            "{} does not precache {missing:?}: check globPatterns and \
             maximumFileSizeToCacheInBytes in public/workbox-config.cjs",
            sw_path.display()
        );
    }
    println!(
        "service worker {} precaches the app shell ({})",
        sw_path.display(),
        shell.join(", ")
    );
    Ok(())
}

/// True when tests/node_modules is missing or older than tests/package-lock.json.
fn npm_packages_stale(tests: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(&tests.join("package-lock.json")),
        modified(&tests.join("node_modules/.package-lock.json")),
    ) {
        (Some(lock), Some(installed)) => lock > installed,
        (_, None) => true,
        (None, Some(_)) => false,
    }
}

/// The Cargo profile the shipped server is built with: the release profile, but unwinding on a
/// panic (see `[profile.server]` in Cargo.toml), so that a panic on a device's bytes is caught
/// and refused instead of aborting the one process that serves every store.
pub const SERVER_PROFILE: &str = "server";

/// `cargo build --profile server -p pos-sync-server`; returns the binary's absolute path.
pub fn build_server() -> Result<PathBuf> {
    step(
        &format!("build server (cargo build --profile {SERVER_PROFILE} -p pos-sync-server)"),
        || {
            let mut cmd = Command::new(util::cargo());
            cmd.args([
                "build",
                "--profile",
                SERVER_PROFILE,
                "-p",
                "pos-sync-server",
            ])
            .current_dir(repo_root());
            util::run(&mut cmd)
        },
    )?;
    Ok(target_dir()?
        .join(SERVER_PROFILE)
        .join(format!("pos-sync-server{}", std::env::consts::EXE_SUFFIX)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped server must unwind: its policy catches automerge's panics on a device's
    /// bytes (`sync-server/src/policy.rs`), which `panic = "abort"` would turn into the end of
    /// the process.
    #[test]
    fn the_server_profile_unwinds() {
        let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
        let profile = manifest
            .split(&format!("[profile.{SERVER_PROFILE}]\n"))
            .nth(1)
            .expect("Cargo.toml has the server profile");
        let profile = profile.split("\n[").next().unwrap();
        assert!(profile.contains("inherits = \"release\""), "{profile}");
        assert!(profile.contains("panic = \"unwind\""), "{profile}");
    }

    #[test]
    fn a_page_wasm_that_links_automerge_fails_the_build() {
        let dist = std::env::temp_dir().join(format!("xtask-am-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dist);
        std::fs::create_dir_all(&dist).unwrap();
        let page = dist.join("pos-app-1a2b3c4d5e6f7a8b_bg.wasm");
        std::fs::write(&page, b"\0asm tiles and tickets").unwrap();
        // The worker may (and does) hold the documents.
        std::fs::write(dist.join("pos-sync-worker_bg.wasm"), b"automerge::change").unwrap();
        assert!(check_page_has_no_documents(&dist).is_ok());
        std::fs::write(&page, b"\0asm automerge::storage::change").unwrap();
        let err = check_page_has_no_documents(&dist).unwrap_err().to_string();
        assert!(err.contains("links Automerge"), "{err}");
        let _ = std::fs::remove_dir_all(&dist);
    }

    #[test]
    fn precache_check_wants_the_whole_shell() {
        let dist = std::env::temp_dir().join(format!("xtask-sw-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dist);
        std::fs::create_dir_all(&dist).unwrap();
        for name in [
            "index.html",
            "pos-app-1a2b3c4d5e6f7a8b_bg.wasm",
            "pos-app-1a2b3c4d5e6f7a8b.js",
            "main-bdc6b0ffebb03c0.css",
            "workbox-9c191d2f.js",
        ] {
            std::fs::write(dist.join(name), "x").unwrap();
        }
        let entries = r#"{url:"pos-app-1a2b3c4d5e6f7a8b.js",revision:null},{url:"main-bdc6b0ffebb03c0.css",revision:null},{url:"index.html",revision:"4e7e"}"#;
        // The wasm was left out (too big for maximumFileSizeToCacheInBytes): an error.
        std::fs::write(dist.join("sw.js"), entries).unwrap();
        let err = check_precache(&dist).unwrap_err().to_string();
        assert!(err.contains("pos-app-1a2b3c4d5e6f7a8b_bg.wasm"), "{err}");
        assert!(!err.contains("workbox-9c191d2f"), "{err}");
        let all = format!(r#"{entries},{{url:"pos-app-1a2b3c4d5e6f7a8b_bg.wasm",revision:null}}"#);
        std::fs::write(dist.join("sw.js"), all).unwrap();
        check_precache(&dist).unwrap();
        std::fs::remove_dir_all(&dist).unwrap();
    }

    #[test]
    fn compressed_copies_decode_to_their_files() {
        use std::io::Read;
        let dist = std::env::temp_dir().join(format!("xtask-compress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dist);
        std::fs::create_dir_all(dist.join("icons")).unwrap();
        let js = "export function init() { return 42; }\n".repeat(200);
        std::fs::write(dist.join("app.js"), &js).unwrap();
        std::fs::write(dist.join("icons/logo.svg"), "<svg></svg>".repeat(300)).unwrap();
        std::fs::write(dist.join("tiny.css"), "a{}").unwrap();
        std::fs::write(dist.join("icon.png"), vec![7u8; 4096]).unwrap();
        // A stale copy of a file that is gone.
        std::fs::write(dist.join("old.js.br"), "stale").unwrap();
        compress_dist(&dist).unwrap();

        let mut from_br = String::new();
        brotli::Decompressor::new(std::fs::File::open(dist.join("app.js.br")).unwrap(), 4096)
            .read_to_string(&mut from_br)
            .unwrap();
        assert_eq!(from_br, js);
        let mut from_gz = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dist.join("app.js.gz")).unwrap())
            .read_to_string(&mut from_gz)
            .unwrap();
        assert_eq!(from_gz, js);
        assert!(dist.join("icons/logo.svg.br").exists());
        assert!(!dist.join("tiny.css.br").exists(), "too small to gain");
        assert!(
            !dist.join("icon.png.br").exists(),
            "not a compressible type"
        );
        assert!(!dist.join("old.js.br").exists(), "stale copies are removed");
        // Running it again (a second build into the same dist) leaves no copies of copies.
        compress_dist(&dist).unwrap();
        assert!(!dist.join("app.js.br.br").exists());
        assert!(!dist.join("app.js.br.gz").exists());
        std::fs::remove_dir_all(&dist).unwrap();
    }
}
