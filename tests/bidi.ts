// WebDriver BiDi, for what Playwright cannot ask of Chromium: Playwright speaks the DevTools
// protocol, and Web Bluetooth's test automation is specified as BiDi `bluetooth.*` commands. So
// chromedriver starts the browser with a BiDi socket, and Playwright joins that same browser over
// its DevTools address to drive the page (bluetooth.spec.ts).
//
// The client is deliberately small: one socket, commands matched to replies by id, events by
// name. Only the commands the tests send are typed; the shapes follow the Web Bluetooth spec's
// "Automated testing" section and chromium-bidi's generated protocol types.
import { spawn } from 'node:child_process';
import WebSocket from 'ws';

/** A UUID in its full 128-bit form, as Chromium reports it back in events. */
export type BluetoothUuid = string;

export interface CharacteristicProperties {
  broadcast?: boolean;
  read?: boolean;
  writeWithoutResponse?: boolean;
  write?: boolean;
  notify?: boolean;
  indicate?: boolean;
}

type Empty = Record<string, never>;

/** The BiDi commands the tests send: parameters and result of each. */
export interface Commands {
  'session.subscribe': { params: { events: string[]; contexts?: string[] }; result: { subscription: string } };
  'browsingContext.getTree': {
    params: { maxDepth?: number; root?: string };
    result: { contexts: { context: string; url: string; parent?: string | null }[] };
  };
  'bluetooth.simulateAdapter': {
    params: { context: string; state: 'absent' | 'powered-off' | 'powered-on'; leSupported?: boolean };
    result: Empty;
  };
  'bluetooth.disableSimulation': { params: { context: string }; result: Empty };
  'bluetooth.simulatePreconnectedPeripheral': {
    params: {
      context: string;
      address: string;
      name: string;
      manufacturerData: { key: number; data: string }[];
      knownServiceUuids: BluetoothUuid[];
    };
    result: Empty;
  };
  'bluetooth.handleRequestDevicePrompt': {
    params: { context: string; prompt: string } & ({ accept: true; device: string } | { accept: false });
    result: Empty;
  };
  'bluetooth.simulateGattConnectionResponse': { params: { context: string; address: string; code: number }; result: Empty };
  'bluetooth.simulateService': {
    params: { context: string; address: string; uuid: BluetoothUuid; type: 'add' | 'remove' };
    result: Empty;
  };
  'bluetooth.simulateCharacteristic': {
    params: {
      context: string;
      address: string;
      serviceUuid: BluetoothUuid;
      characteristicUuid: BluetoothUuid;
      characteristicProperties?: CharacteristicProperties;
      type: 'add' | 'remove';
    };
    result: Empty;
  };
  'bluetooth.simulateCharacteristicResponse': {
    params: {
      context: string;
      address: string;
      serviceUuid: BluetoothUuid;
      characteristicUuid: BluetoothUuid;
      type: 'read' | 'write' | 'subscribe-to-notifications' | 'unsubscribe-from-notifications';
      code: number;
      data?: number[];
    };
    result: Empty;
  };
}

/** The BiDi events the tests listen to, by name. */
export interface Events {
  'bluetooth.requestDevicePromptUpdated': {
    context: string;
    prompt: string;
    devices: { id: string; name: string | null }[];
  };
  'bluetooth.gattConnectionAttempted': { context: string; address: string };
  'bluetooth.characteristicEventGenerated': {
    context: string;
    address: string;
    serviceUuid: BluetoothUuid;
    characteristicUuid: BluetoothUuid;
    type: 'read' | 'write-with-response' | 'write-without-response' | 'subscribe-to-notifications' | 'unsubscribe-from-notifications';
    data?: number[];
  };
}

/** A command the browser refused, with BiDi's error code and message. */
export class BidiError extends Error {
  constructor(
    readonly method: string,
    readonly error: string,
    message: string,
  ) {
    super(`${method}: ${error}: ${message}`);
  }
}

interface Pending {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/** One BiDi WebSocket: `send` resolves with the command's result, `on` hears events. */
export class BidiConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<(params: never) => void>>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (raw: Buffer) => this.receive(JSON.parse(raw.toString())));
    // A socket error is followed by 'close', which fails every command still waiting.
    socket.on('error', () => {});
    socket.on('close', () => this.failAll(new Error('the BiDi socket closed')));
  }

  static open(url: string): Promise<BidiConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new BidiConnection(socket)));
      socket.once('error', reject);
    });
  }

  send<M extends keyof Commands>(method: M, params: Commands[M]['params']): Promise<Commands[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (result: unknown) => void, reject });
      this.socket.send(JSON.stringify({ id, method, params }), (error?: Error) => {
        if (error) {
          this.pending.delete(id);
          reject(error);
        }
      });
    });
  }

  /** Calls `listener` for each `event` until the returned function is called. */
  on<E extends keyof Events>(event: E, listener: (params: Events[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as (params: never) => void);
    return () => set.delete(listener as (params: never) => void);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  private receive(message: { type?: string; id?: number | null; method?: string; params?: unknown; result?: unknown; error?: string; message?: string }) {
    if (message.type === 'event' && message.method) {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params as never);
      return;
    }
    // An error about a message the browser could not read has id null: nothing waits on it.
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'error') pending.reject(new BidiError(pending.method, message.error ?? 'error', message.message ?? ''));
    else pending.resolve(message.result);
  }

  private failAll(error: Error) {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

export interface BidiBrowserOptions {
  chromedriver?: string;
  binary: string;
  args: string[];
}

/** A browser started by chromedriver: its BiDi connection and its DevTools URL. */
export interface BidiBrowser {
  bidi: BidiConnection;
  /** For Playwright's `chromium.connectOverCDP`. */
  cdpUrl: string;
  /** Closes the socket, deletes the session (which quits the browser) and stops chromedriver. */
  close(): Promise<void>;
}

/**
 * Starts chromedriver on a port of its choosing and a session with a BiDi socket. Chromedriver
 * gives the browser a temporary profile of its own and removes it when the session ends.
 */
export async function launchBidiBrowser(options: BidiBrowserOptions): Promise<BidiBrowser> {
  const driver = spawn(options.chromedriver ?? process.env.CHROMEDRIVER ?? '/usr/bin/chromedriver', ['--port=0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  // A driver that could not be spawned reports an error and may never report an exit.
  const exited = new Promise<void>((resolve) => {
    driver.once('exit', () => resolve());
    driver.once('error', () => resolve());
  });
  const stopDriver = async () => {
    if (driver.exitCode !== null || driver.signalCode !== null || driver.pid === undefined) return;
    driver.kill('SIGTERM');
    const killer = setTimeout(() => driver.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };

  let sessionUrl: string | undefined;
  let bidi: BidiConnection | undefined;
  const close = async () => {
    await bidi?.close().catch(() => {});
    if (sessionUrl) await fetch(sessionUrl, { method: 'DELETE', signal: AbortSignal.timeout(10_000) }).catch(() => {});
    await stopDriver();
  };

  try {
    const base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`chromedriver did not start within 10 s:\n${log}`)), 10_000);
      const read = (chunk: Buffer) => {
        log += chunk.toString();
        const started = /started successfully on port (\d+)/.exec(log);
        if (started) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${started[1]}`);
        }
      };
      driver.stdout!.on('data', read);
      driver.stderr!.on('data', read);
      driver.once('error', (e) => (clearTimeout(timer), reject(e)));
      driver.once('exit', (code) => (clearTimeout(timer), reject(new Error(`chromedriver exited (${code}):\n${log}`))));
    });

    const response = await fetch(`${base}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        capabilities: {
          alwaysMatch: {
            browserName: 'chrome',
            webSocketUrl: true,
            'goog:chromeOptions': { binary: options.binary, args: options.args },
          },
        },
      }),
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json()) as {
      value: {
        sessionId?: string;
        capabilities?: { webSocketUrl?: string; 'goog:chromeOptions'?: { debuggerAddress?: string } };
        error?: string;
        message?: string;
      };
    };
    if (!response.ok || !body.value.sessionId) {
      throw new Error(`chromedriver refused the session: ${body.value.error}: ${body.value.message}\n${log}`);
    }
    sessionUrl = `${base}/session/${body.value.sessionId}`;
    const webSocketUrl = body.value.capabilities?.webSocketUrl;
    const debuggerAddress = body.value.capabilities?.['goog:chromeOptions']?.debuggerAddress;
    if (!webSocketUrl || !debuggerAddress) {
      throw new Error(`the session has no webSocketUrl or debuggerAddress: ${JSON.stringify(body.value.capabilities)}`);
    }
    bidi = await BidiConnection.open(webSocketUrl);
    return { bidi, cdpUrl: `http://${debuggerAddress}`, close };
  } catch (e) {
    await close();
    throw e;
  }
}
