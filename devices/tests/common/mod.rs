//! The emupos harness shared by the golden tests: our bytes go through `emupos_decode.py` (an
//! independent ESC/POS printer simulator from PyPI) and come back as what it printed.
#![allow(dead_code)] // each test file uses a different part of it

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// What emupos made of one byte stream.
pub(crate) struct Decoded {
    /// The text dump of each receipt (one per cut).
    pub(crate) receipts: Vec<String>,
    /// How each receipt ended: `cut`, `connection-closed` ...
    pub(crate) boundaries: Vec<String>,
    /// Events as `(type, data)`.
    pub(crate) events: Vec<(String, Value)>,
    /// Bytes the printer sent back.
    pub(crate) replies: Vec<u8>,
}

impl Decoded {
    pub(crate) fn events_of(&self, kind: &str) -> Vec<&Value> {
        self.events
            .iter()
            .filter(|(t, _)| t == kind)
            .map(|(_, data)| data)
            .collect()
    }
}

/// The one helper every test goes through: bytes in, emupos's reading out.
pub(crate) fn decode(profile: &str, bytes: &[u8], extra: &[&str]) -> Decoded {
    let python = std::env::var_os("EMUPOS_PYTHON").unwrap_or_else(|| {
        panic!(
            "EMUPOS_PYTHON is not set. These tests need emupos in a Python 3.13 venv:\n  \
             PYENV_VERSION=3.13.0 python -m venv target/emupos-venv\n  \
             target/emupos-venv/bin/pip install emupos==0.4.0\n  \
             EMUPOS_PYTHON=target/emupos-venv/bin/python cargo test -p pos-devices --test \
             emupos -- --ignored"
        )
    });
    // A relative path is taken from the workspace root, where `cargo xtask` runs.
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(python);
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let input = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "emupos-{}-{}.bin",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&input, bytes).expect("write the byte stream");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/emupos_decode.py");
    let output = Command::new(&python)
        .arg(script)
        .arg(profile)
        .arg(&input)
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("cannot run EMUPOS_PYTHON={python:?}: {e}"));
    let _ = std::fs::remove_file(&input);
    assert!(
        output.status.success(),
        "emupos_decode.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON from emupos_decode.py");
    let receipts = json["receipts"].as_array().expect("receipts");
    Decoded {
        receipts: receipts
            .iter()
            .map(|r| r["text"].as_str().unwrap().to_owned())
            .collect(),
        boundaries: receipts
            .iter()
            .map(|r| r["boundary"].as_str().unwrap().to_owned())
            .collect(),
        events: json["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| (e["type"].as_str().unwrap().to_owned(), e["data"].clone()))
            .collect(),
        replies: (0..json["replies"].as_str().unwrap().len() / 2)
            .map(|i| {
                u8::from_str_radix(&json["replies"].as_str().unwrap()[2 * i..2 * i + 2], 16)
                    .unwrap()
            })
            .collect(),
    }
}
