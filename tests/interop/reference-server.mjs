// The automerge-repo reference sync server (@automerge/automerge-repo-sync-server 0.2.8),
// bound to 127.0.0.1 only: as published it calls `listen(PORT)` on every interface.
//
//   node tests/interop/reference-server.mjs [port] [data-dir]
//
// The port comes from the first argument or $PORT (0 or nothing: a free port); the data dir
// from the second argument or $DATA_DIR (default: a fresh temporary folder). Prints one line,
// `reference-server listening on 127.0.0.1:<port>`, once it accepts connections. It has no
// authentication: anyone who knows a document id can read and write it.

import fs from "node:fs"
import http from "node:http"
import os from "node:os"
import path from "node:path"

const port = Number(process.argv[2] ?? process.env.PORT ?? 0)
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`reference-server: not a port: ${process.argv[2] ?? process.env.PORT}`)
  process.exit(2)
}
process.env.PORT = String(port)
process.env.DATA_DIR =
  process.argv[3] ?? process.env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), "amrg-"))

// Express's app.listen(PORT, cb) becomes listen(PORT, "127.0.0.1", cb).
const listen = http.Server.prototype.listen
http.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && typeof args[1] !== "string") {
    args.splice(1, 0, "127.0.0.1")
  }
  this.once("listening", () => {
    const { address, port } = this.address()
    console.log(`reference-server listening on ${address}:${port}`)
  })
  return listen.apply(this, args)
}

// The package's own entry point runs `new Server()` on import; importing the class keeps the
// patch above in force before it listens.
const { Server } = await import("@automerge/automerge-repo-sync-server/src/server.js")
const server = new Server()
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close()
    process.exit(0)
  })
}
