//! Web: serves the built PWA (Trunk's `dist/`) with the caching a PWA needs.
//! The entry points (index.html, the service worker) must always be revalidated, files whose
//! names carry a content hash can be cached forever, and client-side routes fall back to index.html.
//! `cargo xtask build` writes brotli (`.br`) and gzip (`.gz`) copies of the text and wasm files
//! beside them, and they are sent to browsers that accept them: the start wasm is ~3 MB as is and
//! a third of that compressed, which is most of a first visit on a slow line. A dist/ without
//! those copies is served as it is.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;
use tower_http::services::ServeDir;

/// Cache-Control for entry points and anything whose name does not carry a content hash.
pub const NO_CACHE: &str = "no-cache";
/// Cache-Control for files whose name carries a content hash.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Text answered when the static dir has no index.html.
pub const NOT_BUILT: &str = "The PWA is not built: run cargo xtask run";

/// The service for everything that is not an API route: files from `static_dir`, and
/// index.html for unknown paths without a file extension (client-side routes).
pub fn static_service(static_dir: PathBuf) -> BoxCloneSyncService<Request, Response, Infallible> {
    let fallback_dir = static_dir.clone();
    let fallback = tower::service_fn(move |req: Request| {
        let dir = fallback_dir.clone();
        async move { Ok::<_, Infallible>(spa_fallback(&dir, req.method(), req.uri()).await) }
    });
    // Negotiated from Accept-Encoding by tower-http (brotli first at equal q); a missing copy
    // falls back to the next encoding, then to the file itself.
    let serve_dir = ServeDir::new(&static_dir)
        .append_index_html_on_directories(true)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(fallback);
    let svc = tower::service_fn(move |req: Request| {
        let serve_dir = serve_dir.clone();
        async move {
            let res = serve_dir.oneshot(req).await?;
            Ok::<_, Infallible>(res.map(Body::new))
        }
    });
    BoxCloneSyncService::new(svc)
}

/// Answers a path that is not a file in the static dir.
async fn spa_fallback(dir: &Path, method: &Method, uri: &Uri) -> Response {
    let path = uri.path();
    let index = dir.join("index.html");
    let is_root = path == "/" || path.is_empty();
    if !is_root && (looks_like_file(path) || is_reserved(path)) {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, "Method not allowed").into_response();
    }
    match tokio::fs::read(&index).await {
        Ok(bytes) => {
            let mut res = Response::new(if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(bytes)
            });
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
            res
        }
        Err(_) => not_built(),
    }
}

/// 503 with a hint, for a static dir without index.html.
fn not_built() -> Response {
    let mut res = (StatusCode::SERVICE_UNAVAILABLE, NOT_BUILT).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Paths that belong to the server, never to the client router.
fn is_reserved(path: &str) -> bool {
    path.starts_with("/api/") || path == "/api" || path.starts_with("/health/")
}

/// True if the last path segment has a file extension (`/app.js`, `/icons/x.png`).
fn looks_like_file(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    match last.rfind('.') {
        Some(dot) => dot > 0 && dot + 1 < last.len(),
        None => false,
    }
}

/// The file name of a request path (last segment).
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or("")
}

/// True for names that carry a content hash: Trunk's `pos-app-<hash>_bg.wasm` and
/// `main-<hash>.css` (a u64 in hex without leading zeros, so 12-16 digits in practice), and
/// Workbox's `workbox-<8 hex>.js`.
pub fn is_hashed_name(name: &str) -> bool {
    let is_hex_run =
        |s: &str, min: usize| s.len() >= min && s.bytes().all(|b| b.is_ascii_hexdigit());
    let stem = name.split('.').next().unwrap_or("");
    if stem
        .strip_prefix("workbox-")
        .is_some_and(|rest| is_hex_run(rest, 8))
    {
        return true;
    }
    stem.split(['-', '_'])
        .skip(1)
        .any(|part| is_hex_run(part, 12))
}

/// True for the files that must never be served stale: the page and the service worker.
fn is_entry_point(name: &str) -> bool {
    name.is_empty()
        || name.ends_with(".html")
        || name == "sw.js"
        || name == "service-worker.js"
        || name.ends_with(".webmanifest")
}

/// Content type for extensions where a wrong guess breaks the PWA.
fn forced_content_type(name: &str) -> Option<&'static str> {
    if name.ends_with(".wasm") {
        Some("application/wasm")
    } else if name.ends_with(".webmanifest") {
        Some("application/manifest+json")
    } else {
        None
    }
}

/// The Content-Security-Policy of the register's page: its scripts only from this origin, plus
/// the inline scripts of `index_html` by their hash (Trunk's start script), and wasm compiled
/// from them; no other site may frame it. Styles may be inline: tiles set their colour with a
/// `style` attribute. A script injected into the page (a product name rendered as HTML by a
/// future mistake, a hostile extension's markup) does not run.
pub fn content_security_policy(index_html: &str) -> String {
    use base64::Engine as _;
    use sha2::{Digest, Sha256};
    let mut hashes = String::new();
    let mut rest = index_html;
    while let Some(open) = rest.find("<script") {
        let after = &rest[open..];
        let Some(tag_end) = after.find('>') else {
            break;
        };
        let tag = &after[..tag_end];
        let Some(close) = after.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") && close > tag_end {
            let body = &after[tag_end + 1..close];
            let digest = Sha256::digest(body.as_bytes());
            let hash = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push_str(&format!(" 'sha256-{hash}'"));
        }
        rest = &after[close + "</script>".len()..];
    }
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// Middleware: on every answer, `nosniff`, no `Referer` to other sites and no framing; on the
/// page, its Content-Security-Policy. On static files it also sets Cache-Control and the content
/// type of files that did not set one, and `Vary: Accept-Encoding` (ServeDir does not), so a
/// cache never hands a brotli body to a client that did not ask for it.
pub async fn static_headers(
    State(static_dir): State<PathBuf>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let is_page = h
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if is_page {
        let index = tokio::fs::read_to_string(static_dir.join("index.html"))
            .await
            .unwrap_or_default();
        if let Ok(policy) = HeaderValue::from_str(&content_security_policy(&index)) {
            h.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
    }
    let ok = res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED;
    if !ok || res.headers().contains_key(header::CACHE_CONTROL) {
        return res;
    }
    let name = file_name(&path);
    let cache = if is_entry_point(name) || !is_hashed_name(name) {
        NO_CACHE
    } else {
        IMMUTABLE
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Some(ct) = forced_content_type(name) {
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    h.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_policy_allows_its_own_inline_script_by_hash_and_nothing_else() {
        let page = "<html><head><script type=\"module\">import init from '/a.js';</script>\
                    <script src=\"/b.js\"></script></head></html>";
        let policy = content_security_policy(page);
        use base64::Engine as _;
        use sha2::{Digest, Sha256};
        let expected = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(b"import init from '/a.js';"));
        assert!(policy.contains(&format!(
            "script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}';"
        )));
        assert_eq!(
            policy.matches("'sha256-").count(),
            1,
            "a script with src is not hashed"
        );
        assert!(policy.contains("frame-ancestors 'none'"));
        let scripts = policy
            .split("; ")
            .find(|d| d.starts_with("script-src"))
            .unwrap();
        assert!(!scripts.contains("unsafe-inline") && !scripts.contains(" 'unsafe-eval'"));
    }

    #[test]
    fn hashed_names() {
        assert!(is_hashed_name("pos-app-1a2b3c4d5e6f7a8b_bg.wasm"));
        assert!(is_hashed_name("pos-app-1a2b3c4d5e6f7a8b.js"));
        assert!(is_hashed_name("style-0123456789abcdef.css"));
        assert!(
            is_hashed_name("main-bdc6b0ffebb03c0.css"),
            "Trunk drops leading zeros"
        );
        assert!(!is_hashed_name("icon-192x192.png"));
        assert!(!is_hashed_name("report-20261129.csv"));
        assert!(is_hashed_name("workbox-3e911b1d.js"));
        assert!(!is_hashed_name("index.html"));
        assert!(!is_hashed_name("sw.js"));
        assert!(!is_hashed_name("icon-192.png"));
        assert!(!is_hashed_name("manifest.webmanifest"));
        assert!(
            !is_hashed_name("0123456789abcdef.js"),
            "a bare hash is not a Trunk name"
        );
    }

    #[test]
    fn file_like_paths() {
        assert!(looks_like_file("/app.js"));
        assert!(looks_like_file("/icons/x.png"));
        assert!(!looks_like_file("/sale/123"));
        assert!(!looks_like_file("/"));
        assert!(!looks_like_file("/.well-known/"));
    }
}
