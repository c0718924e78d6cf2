// Workbox `generateSW` configuration: the service worker that lets the register start with no
// network. `cargo xtask build|run|test` runs it after `trunk build`:
//   tests/node_modules/.bin/workbox generateSW public/workbox-config.cjs
// with POS_DIST_DIR set to the built dist/ (default: ../dist next to this file).
// The precache list is generated from what Trunk wrote, never kept by hand. Trunk names the wasm,
// the JS glue and the CSS with content hashes, so those are cached under their names; files
// without a hash (index.html, the manifest, the icons) get a revision from their contents.
// xtask removes this file from dist/ (Trunk's copy-dir of public/ copies it there).
const path = require('node:path');

const dist = process.env.POS_DIST_DIR || path.join(__dirname, '..', 'dist');

module.exports = {
  globDirectory: dist,
  globPatterns: ['**/*.{html,js,wasm,css,webmanifest,png,svg}'],
  // The worker and its runtime are not precached by themselves (Workbox skips swDest and its
  // runtime file, listed here to be explicit). Nor are the .br/.gz copies xtask writes for the
  // server: the browser fetches a file and the server picks the copy by Accept-Encoding, so the
  // cache holds each file once, decoded.
  globIgnores: ['sw.js', 'sw.js.map', 'workbox-*.js', 'workbox-*.js.map', 'workbox-config.cjs', '**/*.br', '**/*.gz'],
  // The release wasm is 1-2 MB today and will grow; Workbox's default (2 MiB) would silently
  // leave it out and the register would not start offline.
  maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
  // Trunk's content-hashed names (pos-app-<hex>_bg.wasm, pos-app-<hex>.js, main-<hex>.css):
  // the name is the revision.
  dontCacheBustURLsMatching: /-[0-9a-f]{12,}(_bg)?\.(js|wasm|css)$/,
  swDest: path.join(dist, 'sw.js'),
  // Every client-side route opens the app shell, offline too; server routes never do.
  navigateFallback: '/index.html',
  navigateFallbackDenylist: [/^\/health/, /^\/api(\/|$)/, /^\/sync(\/|$)/],
  // The app decides when a new version takes over (never under an open ticket): the generated
  // worker waits and activates when the page posts {type: 'SKIP_WAITING'}.
  skipWaiting: false,
  clientsClaim: true,
  cleanupOutdatedCaches: true,
  sourcemap: false,
  mode: 'production',
};
