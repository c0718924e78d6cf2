// Fake `navigator.usb` and `navigator.serial` printers, injected before the app loads, that
// record every byte the page writes and answer `DLE EOT` status queries like an Epson printer.
// The bytes are then read by emupos (an independent ESC/POS simulator from PyPI), the same
// harness the native golden tests use (devices/tests/emupos_decode.py), so a test checks what
// would come out of a real printer, not what our own encoder meant.
//
// WebUSB and WebSerial have no virtual devices in Debian's Chromium; these fakes do not
// exercise the browser's permission prompts, only our use of the APIs.
import type { Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface FakeEndpoint {
  number: number;
  direction: 'in' | 'out';
  type: 'bulk' | 'interrupt' | 'isochronous';
}
export interface FakeInterface {
  number: number;
  class: number;
  endpoints: FakeEndpoint[];
}

export interface FakeUsbOptions {
  vendorId?: number;
  productId?: number;
  productName?: string;
  serialNumber?: string;
  interfaces: FakeInterface[];
  /** claimInterface fails, as on Windows when the system printer driver owns the device. */
  claimFails?: boolean;
}

export interface FakeSerialOptions {
  usbVendorId?: number;
  usbProductId?: number;
}

/** What a fake printer received, and ways to make it misbehave. */
export class FakePrinter {
  /** Each write as the page made it: the endpoint (USB) or 0 (serial), and the bytes. */
  readonly writes: { endpoint: number; data: Buffer }[] = [];
  /** The options each `port.open()` was called with (serial). */
  readonly opens: Record<string, unknown>[] = [];

  constructor(private readonly page: Page) {}

  /** Every byte written to `endpoint` (any endpoint when omitted), in order. */
  bytes(endpoint?: number): Buffer {
    return Buffer.concat(this.writes.filter((w) => endpoint === undefined || w.endpoint === endpoint).map((w) => w.data));
  }

  /** Forgets what was written so far. */
  clear() {
    this.writes.length = 0;
  }

  /** Sets the printer's fault: `paper-out`, `cover-open`, or `null` for none. */
  async setFault(fault: 'paper-out' | 'cover-open' | null) {
    await this.page.evaluate((f) => (window as any).__fakePrinter.setFault(f), fault);
  }

  /** The printer disconnects once this many more bytes have arrived (mid-receipt). */
  async disconnectAfter(bytes: number) {
    await this.page.evaluate((n) => (window as any).__fakePrinter.disconnectAfter(n), bytes);
  }

  /** How many times the page opened the browser's chooser since it loaded. */
  async requests(): Promise<number> {
    return this.page.evaluate(() => (window as any).__fakePrinter.requests());
  }

  /** Plugs the printer back in: the browser lists it again among the granted devices. */
  async reconnect() {
    await this.page.evaluate(() => (window as any).__fakePrinter.reconnect());
  }
}

async function recorder(page: Page): Promise<FakePrinter> {
  const printer = new FakePrinter(page);
  await page.exposeBinding('__fakePrinterWrite', (_source, endpoint: number, hex: string) => {
    printer.writes.push({ endpoint, data: Buffer.from(hex, 'hex') });
  });
  await page.exposeBinding('__fakePrinterOpen', (_source, options: Record<string, unknown>) => {
    printer.opens.push(options);
  });
  return printer;
}

/** Runs in the page: the printer's state and its answers to `DLE EOT n`, shared by both fakes. */
function printerCore() {
  const w = window as any;
  const core = {
    fault: null as string | null,
    remaining: null as number | null,
    connected: true,
    replies: [] as number[],
    onReconnect: [] as (() => void)[],
    /** How many times the page asked for the device through the browser's chooser. */
    requests: 0,
    /** Epson's status bytes: fixed bits 0b0001_0010, plus what the fault sets. */
    status(n: number): number {
      const paperOut = core.fault === 'paper-out';
      const coverOpen = core.fault === 'cover-open';
      switch (n) {
        case 1: return 0x12 | (core.fault ? 0x08 : 0);
        case 2: return 0x12 | (coverOpen ? 0x04 : 0) | (paperOut ? 0x20 : 0) | (core.fault ? 0x40 : 0);
        case 3: return 0x12;
        case 4: return 0x12 | (paperOut ? 0x60 : 0);
        default: return 0x12;
      }
    },
    /** Takes bytes from the page; returns how many the printer got before it went away. */
    receive(endpoint: number, bytes: Uint8Array): number {
      let taken = bytes.length;
      if (core.remaining !== null) {
        taken = Math.min(taken, core.remaining);
        core.remaining -= taken;
      }
      const got = bytes.subarray(0, taken);
      w.__fakePrinterWrite(endpoint, Array.from(got, (b: number) => b.toString(16).padStart(2, '0')).join(''));
      for (let i = 0; i + 2 < got.length; i++) {
        if (got[i] === 0x10 && got[i + 1] === 0x04) core.replies.push(core.status(got[i + 2]));
      }
      return taken;
    },
    /** The browser's permission for the device: kept across reloads, like the real one. */
    access(kind: string) {
      const key = `fake-${kind}-granted`;
      return {
        grant() {
          core.requests += 1;
          localStorage.setItem(key, 'yes');
        },
        granted() { return core.connected && localStorage.getItem(key) === 'yes'; },
      };
    },
  };
  w.__fakePrinter = {
    requests: () => core.requests,
    setFault(fault: string | null) { core.fault = fault; },
    disconnectAfter(n: number) { core.remaining = n; },
    reconnect() {
      core.remaining = null;
      core.connected = true;
      for (const f of core.onReconnect) f();
    },
  };
  return core;
}

/** A USB printer with these descriptors, behind a fake `navigator.usb`. Call before `goto`. */
export async function fakeUsbPrinter(page: Page, options: FakeUsbOptions): Promise<FakePrinter> {
  const printer = await recorder(page);
  await page.addInitScript(
    ({ options, core: coreSource }) => {
      const core = eval(`(${coreSource})`)();
      const usb = new EventTarget() as any;
      const access = core.access('usb');
      const makeDevice = () => {
        const claimed = new Set<number>();
        const configuration = {
          configurationValue: 1,
          interfaces: options.interfaces.map((i: any) => {
            const alternate = {
              alternateSetting: 0,
              interfaceClass: i.class,
              interfaceSubclass: 1,
              interfaceProtocol: 2,
              endpoints: i.endpoints.map((e: any) => ({ endpointNumber: e.number, direction: e.direction, type: e.type, packetSize: 64 })),
            };
            return { interfaceNumber: i.number, alternate, alternates: [alternate], claimed: false };
          }),
        };
        const endpointOf = (number: number, direction: string) => {
          for (const i of configuration.interfaces) {
            if (!claimed.has(i.interfaceNumber)) continue;
            if (i.alternate.endpoints.some((e: any) => e.endpointNumber === number && e.direction === direction)) return true;
          }
          return false;
        };
        const gone = () => new DOMException('The device was disconnected.', 'NotFoundError');
        const device = {
          vendorId: options.vendorId ?? 0x04b8,
          productId: options.productId ?? 0x0e28,
          productName: options.productName ?? 'TM-T20III',
          serialNumber: options.serialNumber ?? 'X5E1234567',
          opened: false,
          configuration: null as any,
          configurations: [configuration],
          async open() { if (!core.connected) throw gone(); device.opened = true; },
          async close() { device.opened = false; },
          async selectConfiguration(value: number) {
            if (value !== 1) throw new DOMException('Invalid configuration', 'NotFoundError');
            device.configuration = configuration;
          },
          async claimInterface(number: number) {
            if (!device.opened || !device.configuration) throw new DOMException('The device must be opened first.', 'InvalidStateError');
            if (options.claimFails) throw new DOMException('Unable to claim interface.', 'NetworkError');
            claimed.add(number);
          },
          async releaseInterface(number: number) { claimed.delete(number); },
          async selectAlternateInterface() {},
          async transferOut(endpoint: number, data: BufferSource) {
            if (!core.connected) throw new DOMException('A transfer error has occurred.', 'NetworkError');
            if (!endpointOf(endpoint, 'out')) {
              throw new DOMException('The specified endpoint is not part of a claimed and selected alternate interface.', 'NotFoundError');
            }
            const bytes = new Uint8Array(ArrayBuffer.isView(data) ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) : data);
            const taken = core.receive(endpoint, bytes);
            if (taken < bytes.length) {
              core.connected = false;
              const event = new Event('disconnect') as any;
              event.device = device;
              usb.dispatchEvent(event);
              throw new DOMException('A transfer error has occurred.', 'NetworkError');
            }
            return { status: 'ok', bytesWritten: bytes.length };
          },
          async transferIn(endpoint: number) {
            if (!endpointOf(endpoint, 'in')) throw new DOMException('The specified endpoint is not part of a claimed interface.', 'NotFoundError');
            while (core.replies.length === 0) {
              if (!core.connected) throw new DOMException('A transfer error has occurred.', 'NetworkError');
              await new Promise((r) => setTimeout(r, 5));
            }
            return { status: 'ok', data: new DataView(Uint8Array.from(core.replies.splice(0)).buffer) };
          },
        };
        return device;
      };
      let device = makeDevice();
      core.onReconnect.push(() => { device = makeDevice(); });
      usb.requestDevice = async () => (access.grant(), device);
      usb.getDevices = async () => (access.granted() ? [device] : []);
      Object.defineProperty(navigator, 'usb', { value: usb, configurable: true });
    },
    { options, core: printerCore.toString() },
  );
  return printer;
}

/** A printer on a serial port, behind a fake `navigator.serial`. Call before `goto`. */
export async function fakeSerialPrinter(page: Page, options: FakeSerialOptions = {}): Promise<FakePrinter> {
  const printer = await recorder(page);
  await page.addInitScript(
    ({ options, core: coreSource }) => {
      const core = eval(`(${coreSource})`)();
      const w = window as any;
      const serial = new EventTarget() as any;
      const access = core.access('serial');
      const makePort = () => {
        let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
        let pump: ReturnType<typeof setInterval> | null = null;
        const port = {
          readable: null as ReadableStream<Uint8Array> | null,
          writable: null as WritableStream<Uint8Array> | null,
          getInfo: () => ({ usbVendorId: options.usbVendorId ?? 0x067b, usbProductId: options.usbProductId ?? 0x2303 }),
          async open(settings: Record<string, unknown>) {
            if (!core.connected) throw new DOMException('Failed to open serial port.', 'NetworkError');
            if (port.readable) throw new DOMException('The port is already open.', 'InvalidStateError');
            w.__fakePrinterOpen(settings);
            port.readable = new ReadableStream<Uint8Array>({ start(c) { controller = c; } });
            pump = setInterval(() => {
              if (controller && core.replies.length) controller.enqueue(Uint8Array.from(core.replies.splice(0)));
            }, 5);
            port.writable = new WritableStream<Uint8Array>({
              write(chunk) {
                if (!core.connected) throw new DOMException('The device has been lost.', 'NetworkError');
                const taken = core.receive(0, chunk);
                if (taken < chunk.length) {
                  core.connected = false;
                  controller?.error(new DOMException('The device has been lost.', 'NetworkError'));
                  // As in Chromium, a lost device leaves the port with no streams.
                  port.readable = null;
                  port.writable = null;
                  const event = new Event('disconnect') as any;
                  event.port = port;
                  serial.dispatchEvent(event);
                  throw new DOMException('The device has been lost.', 'NetworkError');
                }
              },
            });
          },
          async close() {
            if (pump) clearInterval(pump);
            port.readable = null;
            port.writable = null;
          },
        };
        return port;
      };
      let port = makePort();
      core.onReconnect.push(() => { port = makePort(); });
      serial.requestPort = async () => (access.grant(), port);
      serial.getPorts = async () => (access.granted() ? [port] : []);
      Object.defineProperty(navigator, 'serial', { value: serial, configurable: true });
    },
    { options, core: printerCore.toString() },
  );
  return printer;
}

export interface Decoded {
  receipts: { text: string; boundary: string }[];
  events: { type: string; data: Record<string, unknown> }[];
}

/**
 * What emupos prints from `bytes` on one of its printer profiles (default the Epson TM-T20III).
 * `codePages` adds `ESC t` numbers the profile lacks, as `NUMBER=NAME` (`17=PC866`): emupos's
 * profiles list only the pages its authors verified.
 */
export function emupos(bytes: Buffer, profile = 'epson-tm-t20iii', codePages: string[] = []): Decoded {
  const root = resolve(__dirname, '..');
  const python = resolve(root, process.env.EMUPOS_PYTHON ?? 'target/tools/emupos-venv/bin/python');
  const dir = mkdtempSync(join(tmpdir(), 'emupos-'));
  try {
    const input = join(dir, 'print.bin');
    writeFileSync(input, bytes);
    const out = execFileSync(python, [join(root, 'devices/tests/emupos_decode.py'), profile, input, ...codePages.flatMap((page) => ['--code-page', page])], { encoding: 'utf8' });
    return JSON.parse(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A composite device: a HID interface 0, then the printer-class interface 1 on endpoints 3 (out) and 4 (in). */
export const COMPOSITE_PRINTER: FakeInterface[] = [
  { number: 0, class: 0x03, endpoints: [{ number: 1, direction: 'in', type: 'interrupt' }, { number: 2, direction: 'out', type: 'bulk' }] },
  { number: 1, class: 0x07, endpoints: [{ number: 4, direction: 'in', type: 'bulk' }, { number: 3, direction: 'out', type: 'bulk' }] },
];
