//! Rules about the code itself, checked by `cargo test` (after rust-analyzer's `tidy.rs`): the
//! crates' boundaries from ARCHITECTURE.md, and a `//!` header on every module.

use std::path::{Path, PathBuf};

use crate::util::repo_root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn files_under(dirs: &[&str]) -> Vec<(String, String)> {
    let root = repo_root();
    let mut paths = Vec::new();
    for dir in dirs {
        rust_files(&root.join(dir), &mut paths);
    }
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (name, text)
        })
        .collect()
}

/// Lines of code, without comments, so a comment may name what the code must not use.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter(|l| !l.trim_start().starts_with("//"))
}

#[test]
fn core_and_devices_do_no_browser_io() {
    let root = repo_root();
    for krate in ["core", "devices"] {
        let manifest = std::fs::read_to_string(root.join(krate).join("Cargo.toml")).unwrap();
        assert!(
            !manifest.contains("web-sys"),
            "{krate}/Cargo.toml depends on web-sys"
        );
        for (name, text) in files_under(&[&format!("{krate}/src"), &format!("{krate}/tests")]) {
            assert!(
                !code_lines(&text).any(|l| l.contains("web_sys")),
                "{name} uses web_sys: core/ and devices/ do no I/O (ARCHITECTURE.md)"
            );
        }
    }
}

#[test]
fn every_module_says_what_it_is() {
    let dirs = [
        "app/src",
        "app/camera-worker/src",
        "core/src",
        "devices/src",
        "sync-server/src",
        "xtask/src",
    ];
    let missing: Vec<String> = files_under(&dirs)
        .into_iter()
        .filter(|(_, text)| !text.trim_start().starts_with("//!"))
        .map(|(name, _)| name)
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a `//!` header: {missing:?}"
    );
}

#[test]
fn the_sync_engine_and_its_link_never_touch_the_page_state() {
    for (name, text) in files_under(&["app/src/sync"]).into_iter().chain(
        files_under(&["app/src"])
            .into_iter()
            .filter(|(n, _)| n == "app/src/engine_link.rs"),
    ) {
        let offends = code_lines(&text)
            .any(|l| l.contains("crate::state") || l.contains("AppState") || l.contains("leptos"));
        assert!(
            !offends,
            "{name} reaches the page's state or Leptos: the engine reports by events (FromEngine), \
             applied in state.rs"
        );
    }
}

#[test]
fn only_screens_and_actions_touch_the_page_state() {
    // views/ → state/ → services → storage → leaves: a service reports by return values or
    // events, applied in state/ (issue #15).
    let allowed = |name: &str| {
        name.starts_with("app/src/views/")
            || name.starts_with("app/src/state/")
            || name == "app/src/main.rs"
    };
    let importing: Vec<String> = files_under(&["app/src"])
        .into_iter()
        .filter(|(name, text)| {
            !allowed(name)
                && code_lines(text).any(|l| l.contains("crate::state") || l.contains("AppState"))
        })
        .map(|(name, _)| name)
        .collect();
    assert!(
        importing.is_empty(),
        "services that reach the page's state: {importing:?}; report by return values or events \
         applied in state/ instead"
    );
}

/// The app's top-level modules (a file or a folder under `app/src`, but the binaries' roots) that
/// `module` names through `crate::`.
fn app_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let top = |name: &str| -> Option<String> {
        let rest = name.strip_prefix("app/src/")?;
        let first = rest.split('/').next()?;
        Some(first.trim_end_matches(".rs").to_string())
    };
    let files = files_under(&["app/src"]);
    let modules: std::collections::BTreeSet<String> = files
        .iter()
        .filter_map(|(name, _)| top(name))
        .filter(|m| !matches!(m.as_str(), "main" | "lib" | "bin"))
        .collect();
    let mut graph = std::collections::BTreeMap::new();
    for (name, text) in &files {
        let Some(from) = top(name).filter(|m| modules.contains(m)) else {
            continue;
        };
        let uses: &mut std::collections::BTreeSet<String> = graph.entry(from.clone()).or_default();
        for line in code_lines(text) {
            for (at, _) in line.match_indices("crate::") {
                let after = &line[at + "crate::".len()..];
                // `crate::a::b` names `a`; `crate::{a, b::c}` names `a` and `b`.
                let named: Vec<&str> = match after.strip_prefix('{') {
                    Some(group) => group
                        .split(',')
                        .map(|part| part.trim().split("::").next().unwrap_or(""))
                        .collect(),
                    None => vec![
                        after
                            .split(|c: char| !c.is_alphanumeric() && c != '_')
                            .next()
                            .unwrap_or(""),
                    ],
                };
                for module in named {
                    if module != from && modules.contains(module) {
                        uses.insert(module.to_string());
                    }
                }
            }
        }
    }
    graph
}

#[test]
fn app_modules_import_one_another_without_a_circle() {
    // A circle (storage → printing → storage) means neither can be read or changed alone.
    let graph = app_imports();
    fn visit<'a>(
        module: &'a str,
        graph: &'a std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut std::collections::BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|m| *m == module) {
            let mut circle: Vec<String> = path[at..].iter().map(|m| m.to_string()).collect();
            circle.push(module.to_string());
            return Some(circle);
        }
        if !done.insert(module) {
            return None;
        }
        path.push(module);
        for next in graph.get(module).into_iter().flatten() {
            if let Some(circle) = visit(next, graph, path, done) {
                return Some(circle);
            }
        }
        path.pop();
        None
    }
    let mut done = std::collections::BTreeSet::new();
    for module in graph.keys() {
        let circle = visit(module, &graph, &mut Vec::new(), &mut done);
        assert!(
            circle.is_none(),
            "app modules import one another in a circle: {}",
            circle.unwrap_or_default().join(" → ")
        );
    }
    // The check sees imports at all: the page's state uses storage.
    assert!(
        graph
            .get("state")
            .is_some_and(|uses| uses.contains("storage"))
    );
}
