//! Util: paths of the workspace, running commands, and timing steps.
//! Every subcommand prints what it runs and how long each step took, so a slow or failing CI
//! run can be read from its log alone.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The workspace root (the parent of xtask/).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// The cargo executable that runs us (so nested builds use the same toolchain).
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The cargo target directory, honouring CARGO_TARGET_DIR and cargo config.
pub fn target_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        return Ok(std::path::absolute(PathBuf::from(dir))?);
    }
    let out = Command::new(cargo())
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .current_dir(repo_root())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!("cargo metadata failed");
    }
    let text = String::from_utf8(out.stdout)?;
    json_string_field(&text, "target_directory")
        .map(PathBuf::from)
        .context("cargo metadata has no target_directory")
}

/// Extracts a top-level-ish string field from JSON text without a JSON parser.
fn json_string_field(json: &str, key: &str) -> Option<String> {
    let pat = format!("\"{key}\":\"");
    let start = json.find(&pat)? + pat.len();
    let mut out = String::new();
    let mut chars = json[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

/// `<target dir>/tools`: npm-installed tools (wasm-opt) that survive with the target dir.
pub fn tools_dir() -> Result<PathBuf> {
    Ok(target_dir()?.join("tools"))
}

/// PATH with the given directories first, then cargo's bin dir, then the current PATH.
pub fn path_with(first: &[PathBuf]) -> OsString {
    let mut dirs: Vec<PathBuf> = first.to_vec();
    dirs.push(cargo_bin_dir());
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).expect("PATH entries have no separator")
}

/// Where `cargo install` puts binaries.
pub fn cargo_bin_dir() -> PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) => PathBuf::from(home).join("bin"),
        None => home_dir().join(".cargo/bin"),
    }
}

fn home_dir() -> PathBuf {
    std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root"))
}

/// Renders a command for the log.
pub fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        let a = arg.to_string_lossy();
        if a.contains(' ') || a.is_empty() {
            s.push_str(&format!(" '{a}'"));
        } else {
            s.push(' ');
            s.push_str(&a);
        }
    }
    s
}

/// Runs a command with inherited stdio; fails on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    let status = status(cmd)?;
    if !status.success() {
        bail!("`{}` failed: {status}", show(cmd));
    }
    Ok(())
}

/// Runs a command with inherited stdio and returns its exit status.
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    println!("$ {}", show(cmd));
    cmd.status()
        .with_context(|| format!("cannot start `{}`", show(cmd)))
}

/// Runs a command quietly and returns its trimmed stdout if it ran and succeeded.
pub fn capture(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Runs a command, echoing its stdout live and returning all of it (for parsing counts).
pub fn run_tee(cmd: &mut Command) -> Result<(ExitStatus, String)> {
    use std::io::{BufRead, BufReader, Write};
    println!("$ {}", show(cmd));
    let mut child = cmd
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start `{}`", show(cmd)))?;
    let mut all = String::new();
    let reader = BufReader::new(child.stdout.take().expect("piped stdout"));
    let stdout = std::io::stdout();
    for line in reader.split(b'\n') {
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        let mut out = stdout.lock();
        writeln!(out, "{text}")?;
        out.flush()?;
        all.push_str(&text);
        all.push('\n');
    }
    Ok((child.wait()?, all))
}

/// Formats a duration as `1m 02s` or `3.4s`.
pub fn fmt_duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else {
        format!("{}m {:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

/// Runs one named step, printing its start and its elapsed time.
pub fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    println!("==> {name}");
    let start = Instant::now();
    let res = f();
    let took = fmt_duration(start.elapsed());
    match &res {
        Ok(_) => println!("<== {name}: done in {took}"),
        Err(e) => println!("<== {name}: FAILED in {took}: {e:#}"),
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_field() {
        let j = r#"{"packages":[],"target_directory":"/a/b \"c\"\\d","version":1}"#;
        assert_eq!(
            json_string_field(j, "target_directory").unwrap(),
            "/a/b \"c\"\\d"
        );
        assert_eq!(json_string_field(j, "nope"), None);
    }

    #[test]
    fn durations() {
        assert_eq!(fmt_duration(Duration::from_millis(3400)), "3.4s");
        assert_eq!(fmt_duration(Duration::from_secs(62)), "1m 02s");
    }
}
