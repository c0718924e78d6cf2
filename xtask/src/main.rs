//! xtask: `cargo xtask <command>`, the one entry point to build, run and test the register.
//! It installs the pinned tools it needs (see `ensure`), so the same commands work on a fresh CI
//! machine and on a developer's. Plain std + anyhow to stay quick to compile.

mod bench;
mod build;
mod ensure;
mod fuzz;
mod server;
mod test;
#[cfg(test)]
mod tidy;
mod util;

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const HELP: &str = "\
cargo xtask <command>

commands:
  ensure                 install missing tools (wasm target, trunk, wasm-bindgen, wasm-opt)
  build                  ensure, then build the release PWA into dist/
  run [--addr A] [--data-dir D]
                         build the PWA and the server, then run the server
                         (POS_ADDR / POS_DATA_DIR are honoured; default data dir <repo>/data)
  test [--native-only | --wasm-only | --browser-only] [-- <playwright args>]
                         install test deps and run the native, wasm and browser suites
  bench [--browser-only | --sync-only]
                         run the benchmarks: the PWA in Chromium (docs/benchmarks.md)
                         and the sync server under load (docs/benchmarks-sync.md)
  fuzz [--seconds N] [target...]
                         run the cargo-fuzz targets in fuzz/ on nightly, N seconds each
                         (default 60; targets: sync_wire pump_header zvt_apdu
                         escpos_status hid_pos); fails on a crash, naming the input
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((cmd, rest)) = args.split_first() else {
        print!("{HELP}");
        return ExitCode::FAILURE;
    };
    let started = std::time::Instant::now();
    let result = match cmd.as_str() {
        "ensure" => {
            no_args(rest).and_then(|()| ensure::ensure(ensure::Want::default()).map(|_| ()))
        }
        "build" => no_args(rest).and_then(|()| {
            let tools = util::step("ensure tools", || ensure::ensure(ensure::Want::default()))?;
            build::build_pwa(&tools).map(|_| ())
        }),
        "run" => run(rest),
        "test" => return test::main(rest),
        "bench" => bench(rest),
        "fuzz" => fuzz::main(rest),
        "help" | "-h" | "--help" => {
            print!("{HELP}");
            return ExitCode::SUCCESS;
        }
        other => Err(anyhow::anyhow!("unknown command {other:?}\n\n{HELP}")),
    };
    match result {
        Ok(()) => {
            println!(
                "xtask {cmd}: ok in {}",
                util::fmt_duration(started.elapsed())
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("xtask {cmd}: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn no_args(rest: &[String]) -> Result<()> {
    if let Some(arg) = rest.first() {
        bail!("unexpected argument {arg:?}");
    }
    Ok(())
}

/// Builds everything and runs the server in the foreground.
fn run(rest: &[String]) -> Result<()> {
    let mut addr = None;
    let mut data_dir = None;
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--addr" => addr = Some(value("--addr")?),
            "--data-dir" => data_dir = Some(value("--data-dir")?),
            other => match other.split_once('=') {
                Some(("--addr", v)) => addr = Some(v.to_string()),
                Some(("--data-dir", v)) => data_dir = Some(v.to_string()),
                _ => bail!("unexpected argument {other:?} (run takes --addr and --data-dir)"),
            },
        }
    }
    let tools = util::step("ensure tools", || ensure::ensure(ensure::Want::default()))?;
    let dist = build::build_pwa(&tools)?;
    let server = build::build_server()?;
    let root = util::repo_root();

    let mut cmd = Command::new(&server);
    cmd.current_dir(&root).arg("--static-dir").arg(&dist);
    if let Some(addr) = addr {
        cmd.arg("--addr").arg(addr);
    }
    match data_dir {
        Some(dir) => {
            cmd.arg("--data-dir").arg(dir);
        }
        // The server reads POS_DATA_DIR itself; otherwise keep data in the (gitignored) repo.
        None if std::env::var_os("POS_DATA_DIR").is_some() => {}
        None => {
            cmd.arg("--data-dir").arg(root.join("data"));
        }
    }
    println!("starting the register; open the address printed below (Ctrl-C to stop)");
    println!("$ {}", util::show(&cmd));
    exec(cmd)
}

/// Replaces this process with the server so Ctrl-C and SIGTERM reach it directly.
#[cfg(unix)]
fn exec(mut cmd: Command) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let err = cmd.exec();
    Err(err).context("cannot start the server")
}

#[cfg(not(unix))]
fn exec(mut cmd: Command) -> Result<()> {
    let status = cmd.status().context("cannot start the server")?;
    if !status.success() {
        bail!("the server exited with {status}");
    }
    Ok(())
}

/// Benchmarks: the browser benchmarks (docs/benchmarks.md), then the sync load
/// (docs/benchmarks-sync.md); a flag runs one of them.
fn bench(rest: &[String]) -> Result<()> {
    let which = match rest {
        [] => bench::Which::All,
        [flag] if flag == "--browser-only" => bench::Which::Browser,
        [flag] if flag == "--sync-only" => bench::Which::Sync,
        [other, ..] => {
            bail!("unexpected argument {other:?} (bench takes --browser-only or --sync-only)")
        }
    };
    bench::bench(which)
}
