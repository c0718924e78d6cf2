// Interop with the official JavaScript automerge-repo client (2.5.x) against our sync server.
//
//   node tests/interop/js-client.mjs <server URL> <setup code>
//
// Enrolls through the real API (the owner with the setup code, a second device with a
// pairing code), creates the store's catalog document from one JS repo through the server,
// reads and changes it from a second JS repo, and checks that an upgrade without a token, or
// with a revoked one, is refused and that revoking closes the device's open connection. Prints
// `js-client: ok` and exits 0, or prints what failed and exits 1. Run by
// sync-server/tests/interop.rs.
//
// The server takes a document into a store only on its genesis (sync-server/src/policy.rs), so
// the document is made as the register makes it (core/src/docs/mod.rs): its id derived from the
// store id, a first change by the id's own actor naming its kind and store.

import { createHash } from "node:crypto"
import * as Automerge from "@automerge/automerge"
import { Repo, stringifyAutomergeUrl } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import WebSocket from "ws"

const WAIT_MS = 20_000

const [base, setupCode] = process.argv.slice(2)
if (!base || !setupCode) {
  console.error("usage: node tests/interop/js-client.mjs <server URL> <setup code>")
  process.exit(2)
}
const wsBase = base.replace(/^http/, "ws").replace(/\/$/, "")

function fail(message) {
  throw new Error(message)
}

async function api(method, path, { token, body } = {}) {
  const headers = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body) headers["content-type"] = "application/json"
  const res = await fetch(new URL(path, base), {
    method,
    headers,
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  return { status: res.status, json: text ? JSON.parse(text) : null }
}

async function expectStatus(promise, status, what) {
  const res = await promise
  if (res.status !== status) fail(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.json)}`)
  return res.json
}

function repoFor(device) {
  return new Repo({
    network: [new WebSocketClientAdapter(`${wsBase}/sync?token=${device.device_token}`)],
    // The server binds each connection to the peer id it gave the device at enrollment.
    peerId: device.peer_id,
    sharePolicy: async () => true,
  })
}

function withTimeout(promise, what) {
  let timer
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${WAIT_MS} ms`)), WAIT_MS)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** UUIDv5 (RFC 9562) of `name` in the namespace `namespace` (a UUID string), as bytes. */
function uuidV5(namespace, name) {
  const hash = createHash("sha1")
    .update(Buffer.from(namespace.replaceAll("-", ""), "hex"))
    .update(name, "utf8")
    .digest()
  const bytes = new Uint8Array(hash.subarray(0, 16))
  bytes[6] = (bytes[6] & 0x0f) | 0x50
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  return bytes
}

/** `DocumentId::derive(store, kind, key)` of core: the id of a store's document. */
function deriveDocumentId(store, kind, key) {
  return uuidV5(store, `pos/${kind}/${key}`)
}

/**
 * The store's catalog as a register starts it: the genesis (actor = the id's bytes, time 0,
 * `kind`, `schema` and `store` at the root, the strings as plain values, not text objects),
 * saved. Any device of the store may write it.
 */
function catalogGenesis(store, id) {
  const actor = Buffer.from(id).toString("hex")
  const doc = Automerge.change(Automerge.init({ actor }), { time: 0 }, (d) => {
    d.kind = new Automerge.ImmutableString("catalog")
    d.schema = new Automerge.Uint(1)
    d.store = new Automerge.ImmutableString(store)
  })
  return Automerge.save(doc)
}

/** Finds a document, asking again while the server does not have it yet. */
async function findOnServer(device, url) {
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    const repo = repoFor(device)
    try {
      const handle = await withTimeout(repo.find(url), "find")
      return { repo, handle }
    } catch (e) {
      await repo.shutdown()
      if (Date.now() > deadline) fail(`the second device never found ${url}: ${e.message}`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
}

/** The HTTP status of a refused WebSocket upgrade (fails if the upgrade succeeds). */
function refusedStatus(url) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const ws = new WebSocket(url)
      ws.on("open", () => {
        ws.close()
        reject(new Error(`${url}: the upgrade must be refused`))
      })
      ws.on("unexpected-response", (_req, res) => {
        resolve(res.statusCode)
        res.resume()
      })
      ws.on("error", () => {})
    }),
    "refused upgrade",
  )
}

async function main() {
  const owner = await expectStatus(
    api("POST", "/api/stores", {
      body: {
        setup_code: setupCode,
        store_name: "Interop shop",
        currency: "EUR",
        locale: "en",
        device_name: "JS owner",
      },
    }),
    201,
    "create the store",
  )
  const { code } = await expectStatus(
    api("POST", "/api/pairing-codes", { token: owner.device_token }),
    201,
    "make a pairing code",
  )
  const till = await expectStatus(
    api("POST", "/api/devices", { body: { pairing_code: code, device_name: "JS till" } }),
    201,
    "pair the till",
  )

  // The owner creates the store's catalog through our server; the till reads it back and
  // changes it.
  const ownerRepo = repoFor(owner)
  const id = deriveDocumentId(owner.store_id, "catalog", "")
  const url = stringifyAutomergeUrl({ documentId: id })
  const created = ownerRepo.import(catalogGenesis(owner.store_id, id), {
    docId: url.slice("automerge:".length),
  })
  // `import` with an id fills the handle but leaves it loading, as if more were to come.
  created.doneLoading()
  created.change((d) => {
    d.sale = "S-0001"
    d.total = 1250
  })
  const { repo: tillRepo, handle } = await findOnServer(till, created.url)
  const doc = handle.doc()
  if (doc.sale !== "S-0001" || doc.total !== 1250) fail(`the till read ${JSON.stringify(doc)}`)
  handle.change((d) => {
    d.total = 1300
  })
  await withTimeout(
    new Promise((resolve) => {
      const check = () => created.doc().total === 1300 && resolve()
      created.on("change", check)
      check()
    }),
    "the owner sees the till's change",
  )
  await tillRepo.shutdown()
  await ownerRepo.shutdown()

  // No token, a wrong one: no upgrade.
  if ((await refusedStatus(`${wsBase}/sync`)) !== 401) fail("an upgrade without a token was not refused with 401")
  if ((await refusedStatus(`${wsBase}/sync?token=nope`)) !== 401) fail("an unknown token was not refused with 401")

  // Revoking the till closes its open connection, and its token is refused afterwards.
  const tillUrl = `${wsBase}/sync?token=${till.device_token}`
  const open = new WebSocket(tillUrl)
  await withTimeout(new Promise((resolve, reject) => {
    open.on("open", resolve)
    open.on("error", reject)
  }), "the till connects")
  const closed = withTimeout(
    new Promise((resolve) => open.on("close", (code, reason) => resolve({ code, reason: String(reason) }))),
    "the revoked till's connection closes",
  )
  await expectStatus(
    api("DELETE", `/api/devices/${till.device_id}`, { token: owner.device_token }),
    204,
    "revoke the till",
  )
  const { code: closeCode, reason } = await closed
  if (closeCode !== 1008) fail(`the revoked till's connection closed with ${closeCode} ${reason}`)
  if ((await refusedStatus(tillUrl)) !== 401) fail("a revoked token was not refused with 401")
  await expectStatus(api("GET", "/api/me", { token: till.device_token }), 401, "the revoked till's /api/me")

  console.log("js-client: ok")
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`js-client: FAILED: ${e.stack ?? e}`)
    process.exit(1)
  },
)
