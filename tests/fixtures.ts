// Shared helpers for tests that need a server of their own (to kill it, restart it, or give it
// a fresh data dir). startServer() runs the release binary that `cargo xtask test` built
// (POS_SERVER_BIN) on a free port, serving POS_STATIC_DIR.
import { test as base } from '@playwright/test';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 (same after restart()). */
  url: string;
  dataDir: string;
  /** Stops the server (SIGTERM by default; 'SIGKILL' simulates a crash). Resolves on exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it if running, then starts it again on the same port with the same data dir. */
  restart(): Promise<void>;
  /** Everything the server printed, for failure messages. */
  output(): string;
  /** The one-time link that creates the first store, as the server printed it. */
  setupLink(): string;
  /** A link for one more store, made with `pos-sync-server new-store-code`. */
  newStoreLink(): string;
}

export interface StartOptions {
  /** Data dir to use; default a fresh temporary directory, removed by the `server` fixture. */
  dataDir?: string;
  /** Static dir; default POS_STATIC_DIR. */
  staticDir?: string;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through \`cargo xtask test\``);
  return value;
}

const BANNER = /Register running at (http:\/\/\S+?)\/?\s/;

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const bin = requireEnv('POS_SERVER_BIN');
  const staticDir = options.staticDir ?? requireEnv('POS_STATIC_DIR');
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'pos-e2e-'));
  let child: ChildProcess | undefined;
  let log = '';
  let addr = '127.0.0.1:0'; // the first start picks a free port; restarts keep it

  const launch = () =>
    new Promise<string>((resolve, reject) => {
      const proc = spawn(bin, ['--addr', addr, '--data-dir', dataDir, '--static-dir', staticDir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      let seen = '';
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`server did not start within 15 s:\n${log}`));
      }, 15_000);
      proc.stdout!.on('data', (chunk: Buffer) => {
        log += chunk;
        seen += chunk;
        const m = BANNER.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      proc.stderr!.on('data', (chunk: Buffer) => {
        log += chunk;
      });
      proc.on('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited (code ${code}, signal ${signal}) before it started:\n${log}`));
      });
    });

  const waitHealthy = async (url: string) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const res = await fetch(`${url}/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${url}/health did not answer 200:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(signal);
    const timeout = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
  };

  const url = await launch();
  addr = new URL(url).host;
  await waitHealthy(url);

  const server: TestServer = {
    url,
    dataDir,
    stop,
    async restart() {
      await stop();
      const again = await launch();
      if (again !== url) throw new Error(`restarted on ${again}, expected ${url}`);
      await waitHealthy(url);
    },
    output: () => log,
    setupLink() {
      const links = [...log.matchAll(/Create your store: (\S+)/g)];
      if (links.length === 0) throw new Error(`the server printed no setup link:\n${log}`);
      return links[links.length - 1][1];
    },
    newStoreLink() {
      const out = execFileSync(bin, ['new-store-code', '--data-dir', dataDir, '--addr', addr], { encoding: 'utf8' });
      const m = /(http:\/\/\S+)/.exec(out);
      if (!m) throw new Error(`new-store-code printed no link: ${out}`);
      return m[1];
    },
  };
  return server;
}

/** `test` with a `server` fixture: a server of its own, stopped and its data dir removed after. */
export const test = base.extend<{ server: TestServer }>({
  server: async ({}, use) => {
    const server = await startServer();
    await use(server);
    await server.stop('SIGKILL');
    rmSync(server.dataDir, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
