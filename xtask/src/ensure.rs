//! Ensure: installs the pinned build and test tools when they are missing, and checks the pins.
//! CI starts on a bare machine, so `cargo xtask build|run|test` must bring everything itself;
//! when the tools are present this is a few fast version checks. Missing tools install in parallel.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::util::{self, capture, fmt_duration, path_with, repo_root, show, tools_dir};

/// The Trunk version that builds on this toolchain (0.22 needs a newer rustc).
pub const TRUNK_VERSION: &str = "0.21.14";
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The independent ESC/POS decoder of the devices' golden tests, and the Python it needs.
pub const EMUPOS: &str = "emupos==0.4.0";
pub const EMUPOS_PYTHON_VERSION: &str = "3.13.0";

/// cargo-fuzz, the libFuzzer driver of `cargo xtask fuzz`.
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// The toolchain the fuzz targets build with: libFuzzer's coverage instrumentation and the
/// sanitizers are `-Z` flags, so stable cannot build them.
pub const FUZZ_TOOLCHAIN: &str = "nightly";

/// The tools the build and the tests use, resolved.
#[derive(Debug, Clone)]
pub struct Tools {
    /// `<target>/tools/node_modules/.bin`: goes first on PATH for every Trunk run.
    pub node_bin: PathBuf,
}

impl Tools {
    /// PATH for Trunk and the wasm tests: npm's wasm-opt first, never Debian's.
    pub fn path(&self) -> std::ffi::OsString {
        path_with(std::slice::from_ref(&self.node_bin))
    }

    /// A command with the tool PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PATH", self.path());
        cmd
    }
}

/// What to ensure besides the build tools.
#[derive(Debug, Clone, Copy, Default)]
pub struct Want {
    /// Chromium, chromedriver and the Playwright packages in tests/.
    pub test_deps: bool,
}

/// A background install.
struct Job {
    what: String,
    log: PathBuf,
    child: Child,
    started: Instant,
}

/// Makes sure every tool is present at its pinned version, installing what is missing.
pub fn ensure(want: Want) -> Result<Tools> {
    let root = repo_root();
    let tools = tools_dir()?;
    std::fs::create_dir_all(&tools).with_context(|| format!("creating {}", tools.display()))?;
    let node_bin = tools.join("node_modules/.bin");
    let t = Tools {
        node_bin: node_bin.clone(),
    };
    let pins = Pins::read(&root)?;
    let mut jobs: Vec<Job> = Vec::new();

    // The wasm target: seconds, and the cargo installs do not need it, so do it inline.
    let installed = capture(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == WASM_TARGET) => {
            println!("ok rust target {WASM_TARGET}")
        }
        _ => {
            println!("installing rust target {WASM_TARGET}");
            util::run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
        }
    }

    // Trunk.
    let trunk = capture(t.command("trunk").arg("--version"));
    if trunk
        .as_deref()
        .is_some_and(|v| v.split_whitespace().nth(1) == Some(TRUNK_VERSION))
    {
        println!("ok trunk {TRUNK_VERSION}");
    } else {
        println!(
            "installing trunk {TRUNK_VERSION} (found: {})",
            trunk.as_deref().unwrap_or("none")
        );
        let mut cmd = Command::new(util::cargo());
        cmd.args([
            "install",
            "trunk",
            "--locked",
            "--force",
            "--version",
            TRUNK_VERSION,
        ]);
        jobs.push(spawn(
            &format!("trunk {TRUNK_VERSION}"),
            &tools,
            "trunk",
            cmd,
        )?);
    }

    // wasm-bindgen CLI, which also brings wasm-bindgen-test-runner.
    let wb = &pins.wasm_bindgen;
    let found = capture(t.command("wasm-bindgen").arg("--version"));
    let runner = capture(t.command("wasm-bindgen-test-runner").arg("--version"));
    let ok_version = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|v| v.split_whitespace().nth(1) == Some(wb.as_str()))
    };
    if ok_version(&found) && ok_version(&runner) {
        println!("ok wasm-bindgen {wb}");
    } else {
        println!(
            "installing wasm-bindgen-cli {wb} (found: {})",
            found.as_deref().unwrap_or("none")
        );
        // Not --locked: a locked dependency version of the CLI is no longer served.
        let mut cmd = Command::new(util::cargo());
        cmd.args(["install", "wasm-bindgen-cli", "--force", "--version", wb]);
        jobs.push(spawn(
            &format!("wasm-bindgen-cli {wb}"),
            &tools,
            "wasm-bindgen",
            cmd,
        )?);
    }

    // wasm-opt from npm's binaryen, in the tools dir (Debian's binaryen 108 breaks the wasm).
    let wasm_opt = node_bin.join("wasm-opt");
    let binaryen = format!("binaryen@{}.0.0", pins.wasm_opt);
    if wasm_opt_version(&wasm_opt).as_deref() == Some(pins.wasm_opt.as_str()) {
        println!("ok wasm-opt {} ({})", pins.wasm_opt, wasm_opt.display());
    } else {
        println!("installing wasm-opt from npm {binaryen}");
        let mut cmd = Command::new("npm");
        cmd.args([
            "install",
            "--no-save",
            "--no-audit",
            "--no-fund",
            "--prefix",
        ])
        .arg(&tools)
        .arg(&binaryen);
        jobs.push(spawn(&binaryen, &tools, "binaryen", cmd)?);
    }

    if want.test_deps {
        if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
            let v = capture(Command::new(CHROMEDRIVER).arg("--version")).unwrap_or_default();
            println!(
                "ok chromium and chromedriver ({})",
                v.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
            );
        } else {
            println!("installing chromium chromium-driver (apt-get)");
            let apt = "apt-get update && apt-get install -y --no-install-recommends chromium chromium-driver";
            let mut cmd = if is_root() {
                let mut c = Command::new("sh");
                c.args(["-c", apt]);
                c
            } else {
                let mut c = Command::new("sudo");
                c.args(["-E", "sh", "-c", apt]);
                c
            };
            cmd.env("DEBIAN_FRONTEND", "noninteractive");
            jobs.push(spawn("chromium", &tools, "apt", cmd)?);
        }

        let tests = root.join("tests");
        if npm_packages_stale(&tests) {
            println!("installing Playwright packages (npm ci in tests/)");
            let mut cmd = Command::new("npm");
            cmd.args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&tests)
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
            jobs.push(spawn("tests/node_modules", &tools, "npm-ci", cmd)?);
        } else {
            println!("ok tests/node_modules");
        }

        let python = emupos_python(&tools);
        if emupos_ready(&python) {
            println!("ok {EMUPOS} ({})", python.display());
        } else {
            let base = pyenv_python()?;
            println!("installing {EMUPOS} in a venv of {}", base.display());
            let venv = tools.join("emupos-venv");
            let mut cmd = Command::new("sh");
            cmd.arg("-c")
                .arg(format!(
                    "rm -rf '{venv}' && '{base}' -m venv '{venv}' && '{venv}/bin/pip' install --quiet {EMUPOS}",
                    venv = venv.display(),
                    base = base.display()
                ));
            jobs.push(spawn(EMUPOS, &tools, "emupos", cmd)?);
        }
    }

    // Wait for every install, then report all failures at once.
    let mut failed = Vec::new();
    for mut job in jobs {
        let status = job.child.wait()?;
        let took = fmt_duration(job.started.elapsed());
        if status.success() {
            println!("installed {} in {took}", job.what);
        } else {
            println!(
                "FAILED to install {} ({status}, {took}); last lines of {}:",
                job.what,
                job.log.display()
            );
            print_tail(&job.log, 30);
            failed.push(job.what);
        }
    }
    if !failed.is_empty() {
        bail!("could not install: {}", failed.join(", "));
    }

    // Verify what was installed, so a wrong version is caught here and not deep inside Trunk.
    let trunk = capture(t.command("trunk").arg("--version")).unwrap_or_default();
    if trunk.split_whitespace().nth(1) != Some(TRUNK_VERSION) {
        bail!("trunk on PATH is {trunk:?}, expected {TRUNK_VERSION}");
    }
    let found = capture(t.command("wasm-bindgen").arg("--version"));
    if !ok_version(&found) {
        bail!("wasm-bindgen on PATH is {found:?}, expected {wb}");
    }
    match wasm_opt_version(&wasm_opt) {
        Some(v) if v == pins.wasm_opt => {}
        other => bail!(
            "{} reports version {other:?}, expected {}",
            wasm_opt.display(),
            pins.wasm_opt
        ),
    }
    let first_on_path =
        capture(t.command("sh").args(["-c", "command -v wasm-opt"])).unwrap_or_default();
    if Path::new(&first_on_path) != wasm_opt {
        bail!(
            "the first wasm-opt on PATH is {first_on_path:?}, not {}",
            wasm_opt.display()
        );
    }
    if want.test_deps && !emupos_ready(&emupos_python(&tools)) {
        bail!(
            "{EMUPOS} does not import in {}",
            emupos_python(&tools).display()
        );
    }
    Ok(t)
}

/// What `cargo xtask fuzz` needs: a nightly toolchain with the standard library for this
/// machine (never installed here: a toolchain is the developer's choice, so its absence is an
/// error that says what to run), and cargo-fuzz at its pin, installed when missing.
/// The toolchain the fuzz targets build with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FuzzToolchain {
    /// Nightly, with AddressSanitizer.
    Nightly,
    /// The machine's only (stable) toolchain with `RUSTC_BOOTSTRAP=1` for the unstable flags
    /// libFuzzer's instrumentation needs, and no sanitizer: a machine of this kind can fetch no
    /// other toolchain. Coverage-guided all the same; panics and aborts are still crashes.
    StableNoSanitizer,
}

pub fn ensure_fuzz() -> Result<FuzzToolchain> {
    let tools = tools_dir()?;
    std::fs::create_dir_all(&tools).with_context(|| format!("creating {}", tools.display()))?;
    // POS_FUZZ_STABLE=1 takes the path of a machine without nightly, to try it where there is one.
    let forced_stable = std::env::var_os("POS_FUZZ_STABLE").is_some_and(|v| v == "1");
    let nightly = if forced_stable {
        None
    } else {
        nightly_for_fuzzing()?
    };
    let toolchain = match nightly {
        Some(()) => FuzzToolchain::Nightly,
        None => {
            println!(
                "no usable {FUZZ_TOOLCHAIN} toolchain: fuzzing on this machine's toolchain with \
                 RUSTC_BOOTSTRAP=1, without AddressSanitizer"
            );
            FuzzToolchain::StableNoSanitizer
        }
    };
    ensure_cargo_fuzz(&tools)?;
    Ok(toolchain)
}

/// `Some` when nightly runs and has this machine's standard library.
fn nightly_for_fuzzing() -> Result<Option<()>> {
    let nightly = format!("+{FUZZ_TOOLCHAIN}");
    let Some(version) = capture(rustup_command("rustc").args([nightly.as_str(), "-vV"])) else {
        return Ok(None);
    };
    let host = version
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .context("`rustc +nightly -vV` names no host")?
        .to_string();
    let installed = capture(rustup_command("rustup").args([
        "target",
        "list",
        "--installed",
        "--toolchain",
        FUZZ_TOOLCHAIN,
    ]))
    .unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == host) {
        println!(
            "the {FUZZ_TOOLCHAIN} toolchain has no standard library for this machine ({host})"
        );
        return Ok(None);
    }
    println!(
        "ok {} ({host})",
        version.lines().next().unwrap_or(FUZZ_TOOLCHAIN)
    );
    Ok(Some(()))
}

fn ensure_cargo_fuzz(tools: &Path) -> Result<()> {
    let found = capture(rustup_command("cargo").args(["fuzz", "--version"]));
    if found.as_deref().and_then(|v| v.split_whitespace().nth(1)) == Some(CARGO_FUZZ_VERSION) {
        println!("ok cargo-fuzz {CARGO_FUZZ_VERSION}");
        return Ok(());
    }
    println!(
        "installing cargo-fuzz {CARGO_FUZZ_VERSION} (found: {})",
        found.as_deref().unwrap_or("none")
    );
    let mut cmd = Command::new(util::cargo());
    cmd.args([
        "install",
        "cargo-fuzz",
        "--locked",
        "--force",
        "--version",
        CARGO_FUZZ_VERSION,
    ]);
    let mut job = spawn(
        &format!("cargo-fuzz {CARGO_FUZZ_VERSION}"),
        tools,
        "cargo-fuzz",
        cmd,
    )?;
    let status = job.child.wait()?;
    let took = fmt_duration(job.started.elapsed());
    if !status.success() {
        println!(
            "FAILED to install {} ({status}, {took}); last lines of {}:",
            job.what,
            job.log.display()
        );
        print_tail(&job.log, 30);
        bail!("could not install {}", job.what);
    }
    println!("installed {} in {took}", job.what);
    let found = capture(rustup_command("cargo").args(["fuzz", "--version"])).unwrap_or_default();
    if found.split_whitespace().nth(1) != Some(CARGO_FUZZ_VERSION) {
        bail!("`cargo fuzz --version` says {found:?}, expected {CARGO_FUZZ_VERSION}");
    }
    Ok(())
}

/// A rustup proxy (`cargo`, `rustc`, `rustup`) from cargo's bin dir, where `+toolchain` works:
/// the `cargo` that runs xtask (`$CARGO`) is a toolchain's own binary and refuses it. The
/// toolchain xtask itself runs on is not passed down, so the proxy picks the one asked for.
pub fn rustup_command(program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("PATH", path_with(&[]))
        .env_remove("RUSTUP_TOOLCHAIN")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC")
        .env_remove("CARGO");
    cmd
}

/// The Python of the emupos venv in the tools dir.
pub fn emupos_python(tools: &Path) -> PathBuf {
    tools.join("emupos-venv/bin/python")
}

fn emupos_ready(python: &Path) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", "import emupos"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

/// Python 3.13 from pyenv, which machines of this kind carry; emupos needs it.
fn pyenv_python() -> Result<PathBuf> {
    let root = std::env::var_os("PYENV_ROOT")
        .map(PathBuf::from)
        .or_else(|| capture(Command::new("pyenv").arg("root")).map(|r| PathBuf::from(r.trim())))
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pyenv")))
        .context("cannot find pyenv: set PYENV_ROOT")?;
    let python = root
        .join("versions")
        .join(EMUPOS_PYTHON_VERSION)
        .join("bin/python3");
    if !python.exists() {
        bail!(
            "{} is missing: emupos needs Python {EMUPOS_PYTHON_VERSION} (`pyenv install {EMUPOS_PYTHON_VERSION}`)",
            python.display()
        );
    }
    Ok(python)
}

/// Starts an install in the background with its output in `<tools>/<name>.log`.
fn spawn(what: &str, tools: &Path, name: &str, mut cmd: Command) -> Result<Job> {
    let log = tools.join(format!("install-{name}.log"));
    let file = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    println!("  $ {}  (log: {})", show(&cmd), log.display());
    let child = cmd
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .spawn()
        .with_context(|| format!("cannot start `{}`", show(&cmd)))?;
    Ok(Job {
        what: what.to_string(),
        log,
        child,
        started: Instant::now(),
    })
}

fn print_tail(log: &Path, lines: usize) {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    for line in &all[all.len().saturating_sub(lines)..] {
        println!("    {line}");
    }
}

fn is_root() -> bool {
    capture(Command::new("id").arg("-u")).as_deref() == Some("0")
}

/// `wasm-opt --version` prints `wasm-opt version 132 (version_132)`; returns `132`.
fn wasm_opt_version(bin: &Path) -> Option<String> {
    if !bin.exists() {
        return None;
    }
    let out = capture(Command::new(bin).arg("--version"))?;
    let mut words = out.split_whitespace();
    words.find(|w| *w == "version")?;
    words.next().map(str::to_string)
}

/// True when tests/node_modules is missing or older than tests/package-lock.json.
fn npm_packages_stale(tests: &Path) -> bool {
    let installed = tests.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(&tests.join("package-lock.json")),
        modified(&installed),
    ) {
        (Some(lock), Some(inst)) => lock > inst,
        (_, None) => true,
        (None, Some(_)) => false,
    }
}

/// The versions pinned by the repository.
#[derive(Debug)]
pub struct Pins {
    /// The `wasm-bindgen` package in Cargo.lock (and Trunk.toml's `[tools] wasm_bindgen`).
    pub wasm_bindgen: String,
    /// The binaryen major version from Trunk.toml's `[tools] wasm_opt = "version_N"`.
    pub wasm_opt: String,
}

impl Pins {
    pub fn read(root: &Path) -> Result<Pins> {
        let lock =
            std::fs::read_to_string(root.join("Cargo.lock")).context("reading Cargo.lock")?;
        let trunk =
            std::fs::read_to_string(root.join("Trunk.toml")).context("reading Trunk.toml")?;
        Pins::parse(&lock, &trunk)
    }

    fn parse(lock: &str, trunk_toml: &str) -> Result<Pins> {
        let versions = lock_versions(lock, "wasm-bindgen");
        let wasm_bindgen = match versions.as_slice() {
            [one] => one.clone(),
            [] => bail!("Cargo.lock has no wasm-bindgen package (is the app a workspace member?)"),
            many => bail!(
                "Cargo.lock has several wasm-bindgen versions {many:?}; the CLI can match only one"
            ),
        };
        let pinned = toml_tools_value(trunk_toml, "wasm_bindgen")
            .context("Trunk.toml has no [tools] wasm_bindgen = \"...\" pin")?;
        if pinned != wasm_bindgen {
            bail!(
                "Trunk.toml pins wasm_bindgen = \"{pinned}\" but Cargo.lock has wasm-bindgen {wasm_bindgen}: \
                 set [tools] wasm_bindgen = \"{wasm_bindgen}\" in Trunk.toml"
            );
        }
        let opt = toml_tools_value(trunk_toml, "wasm_opt")
            .context("Trunk.toml has no [tools] wasm_opt = \"version_N\" pin")?;
        let wasm_opt = opt
            .strip_prefix("version_")
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .with_context(|| {
                format!("Trunk.toml's wasm_opt = \"{opt}\" is not of the form \"version_N\"")
            })?
            .to_string();
        Ok(Pins {
            wasm_bindgen,
            wasm_opt,
        })
    }
}

/// Versions of a package in Cargo.lock text.
fn lock_versions(lock: &str, name: &str) -> Vec<String> {
    let wanted = format!("name = \"{name}\"");
    let mut out = Vec::new();
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted
            && let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
        {
            out.push(v.trim_end_matches('"').to_string());
        }
    }
    out
}

/// A string value in the `[tools]` table of Trunk.toml.
fn toml_tools_value(toml: &str, key: &str) -> Option<String> {
    let mut in_tools = false;
    for line in toml.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            in_tools = line == "[tools]";
            continue;
        }
        if !in_tools {
            continue;
        }
        if let Some((k, v)) = line.split_once('=')
            && k.trim() == key
        {
            return Some(v.trim().trim_matches('"').to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\nsource = \"x\"\n\n[[package]]\nname = \"wasm-bindgen-shared\"\nversion = \"0.2.130\"\n";
    const TRUNK: &str = "[build]\nrelease = true\n\n[tools]\nwasm_bindgen = \"0.2.130\"  # must equal\nwasm_opt = \"version_132\"\n";

    #[test]
    fn pins_from_lock_and_trunk_toml() {
        let pins = Pins::parse(LOCK, TRUNK).unwrap();
        assert_eq!(pins.wasm_bindgen, "0.2.130");
        assert_eq!(pins.wasm_opt, "132");
    }

    #[test]
    fn mismatched_pin_is_an_error() {
        let err = Pins::parse(LOCK, &TRUNK.replace("0.2.130", "0.2.100"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("wasm_bindgen = \"0.2.130\""), "{err}");
        let err = Pins::parse(LOCK, &TRUNK.replace("version_132", "132"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("version_N"), "{err}");
        assert!(Pins::parse("", TRUNK).is_err());
    }

    #[test]
    fn stale_npm_packages() {
        let dir = std::env::temp_dir().join(format!("xtask-npm-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("node_modules")).unwrap();
        std::fs::write(dir.join("package-lock.json"), "{}").unwrap();
        assert!(
            npm_packages_stale(&dir),
            "no node_modules/.package-lock.json"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.join("node_modules/.package-lock.json"), "{}").unwrap();
        assert!(!npm_packages_stale(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
