//! The `pos-sync-server` binary: parses flags, starts [`pos_sync_server::Server`], and stops on
//! SIGINT/SIGTERM. Everything else lives in the library so tests can run it in-process.

use std::process::ExitCode;

use clap::Parser;
use pos_sync_server::{Cli, Server, operate, shutdown_signal};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(command) = cli.command {
        return match operate(&command) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("pos-sync-server: error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let config = cli.config;
    let server = match Server::bind(&config).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("pos-sync-server: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    // One write for the whole banner: `println!` lets stdout's line buffering flush it line by
    // line, and a reader that sees the address may otherwise miss the setup link printed after it.
    let banner = format!("{}\n", server.banner());
    {
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = stdout
            .write_all(banner.as_bytes())
            .and_then(|()| stdout.flush());
    }
    match server.serve(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pos-sync-server: error: {e}");
            ExitCode::FAILURE
        }
    }
}
