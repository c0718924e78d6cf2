// A fake ZVT card terminal behind a fake `navigator.serial`, injected before the app loads. It
// answers like a real terminal on a serial line: ACK for every intact frame, `80 00 00`, then its
// messages one by one, each waiting for the register's acknowledgement. Its messages are the real
// captures in ../shared/testdata/zvt/ (intermediate status, status information with the amount
// patched to the one asked, text block, completion); print lines (06 D1) are built here because
// no capture holds one. Its journal (the last payment) and its batch (what it approved since its
// last end of day, each payment with its own receipt number from 0231 on) live in localStorage,
// like a terminal's own memory, so they survive a reload of the register. Its end of day (06 50)
// answers like a real one: a screen, status information with the day's total (BMP 04), completion,
// and an empty batch after.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';

const CAPTURES = join(__dirname, '..', '..', 'shared', 'testdata', 'zvt');
const hex = (file: string) => readFileSync(join(CAPTURES, file)).toString('hex');

export const CAPTURED = {
  /** 04 FF 01 17: intermediate status "please wait". */
  intermediate: hex('1680728162.647465000_pt_ecr.blob'),
  /** 04 0F: status information of a MasterCard payment of 25.00, auth code 750071. */
  status: hex('1680728165.675509000_pt_ecr.blob'),
  /** 06 D3: the customer receipt as a text block. */
  textBlock: hex('1680728215.585561000_pt_ecr.blob'),
  /** 06 0F: completion with the terminal id. */
  completion: hex('1680761818.641601000_pt_ecr.blob'),
};

export interface FakeZvtOptions {
  /** 'approve': the whole dialogue; 'hang': after the status information of a payment the
   *  terminal goes quiet (the register is reloaded meanwhile); 'hang-refund': payments go
   *  through, but after the status information of a reversal or refund it goes quiet;
   *  'wrong-pin': the customer keys a wrong PIN, the terminal shows so, then aborts the payment. */
  mode: 'approve' | 'hang' | 'hang-refund' | 'wrong-pin';
  /** A tip the customer keys on the terminal: each payment is approved for this many cents more
   *  than the register asked. */
  tipCents?: number;
  /** How the terminal answers a reversal (06 30): approved (the default) or declined. */
  reversal?: 'approve' | 'decline';
  /** The end of day leaves this many of the last approved payments out of its total, as if
   *  they never reached the terminal's batch: a mismatch with the register by those approvals. */
  endOfDayDrops?: number;
  /** 'groups' (the default): the end of day's status information has the day's total (BMP 04)
   *  and the totals per card group with the batch's receipt numbers (BMP 60), every payment in
   *  the Eurocard (Mastercard) group as the captured payment is; 'amount-only': BMP 04 alone. */
  endOfDayTotals?: 'groups' | 'amount-only';
}

/** One movement in the fake terminal's batch: a payment (by its receipt number) or a refund. */
export interface FakeZvtBatchEntry {
  receipt: number;
  cents: number;
  kind: 'payment' | 'refund';
}

/** Changes how the fake terminal's next end of day answers, on a page already running:
 *  `drops` as `endOfDayDrops`; `abort` makes it refuse the end of day (06 1E, result 6C) and
 *  keep its batch, as a terminal that cannot reach its bank does. */
export async function setFakeZvtEndOfDay(page: Page, change: { drops?: number; abort?: boolean }) {
  await page.evaluate((c) => {
    if (c.drops !== undefined) localStorage.setItem('fake-zvt-end-of-day-drops', String(c.drops));
    if (c.abort !== undefined) localStorage.setItem('fake-zvt-end-of-day-abort', c.abort ? 'yes' : 'no');
  }, change);
}

/** What the fake terminal holds since its last end of day (read from the page's localStorage). */
export async function fakeZvtBatch(page: Page): Promise<FakeZvtBatchEntry[]> {
  return page.evaluate(() => JSON.parse(localStorage.getItem('fake-zvt-batch') ?? '[]'));
}

/** Installs the fake; `seen` receives each command the terminal gets, as hex of its APDU. */
export async function installFakeZvt(page: Page, options: FakeZvtOptions, seen: (apdu: string) => void) {
  await page.exposeFunction('zvtSeen', seen);
  await page.addInitScript(fakeTerminal, { ...options, captured: CAPTURED });
}

function fakeTerminal(args: {
  mode: string;
  tipCents?: number;
  reversal?: string;
  endOfDayDrops?: number;
  endOfDayTotals?: string;
  captured: typeof CAPTURED;
}) {
  const DLE = 0x10, STX = 0x02, ETX = 0x03, ACK = 0x06;
  const fromHex = (h: string) => Uint8Array.from(h.match(/../g)!.map((b) => parseInt(b, 16)));
  const toHex = (b: Uint8Array | number[]) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const crc16 = (data: number[]) => {
    let crc = 0;
    for (let byte of data) {
      for (let i = 0; i < 8; i++) {
        const mix = (byte ^ crc) & 1;
        crc >>= 1;
        if (mix) crc ^= 0x8408;
        byte >>= 1;
      }
    }
    return crc;
  };
  const frame = (apdu: Uint8Array | number[]) => {
    const out = [DLE, STX];
    for (const b of apdu) {
      out.push(b);
      if (b === DLE) out.push(DLE);
    }
    out.push(DLE, ETX);
    const crc = crc16([...apdu, ETX]);
    out.push(crc & 0xff, crc >> 8);
    return Uint8Array.from(out);
  };
  const printLine = (attribute: number, text: string) => {
    const bytes = Array.from(text, (c) => c.charCodeAt(0));
    return Uint8Array.from([0x06, 0xd1, bytes.length + 1, attribute, ...bytes]);
  };

  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let readable: ReadableStream<Uint8Array> | null = null;
  let writable: WritableStream<Uint8Array> | null = null;
  const send = (bytes: Uint8Array) => setTimeout(() => controller?.enqueue(bytes), 5);

  // The terminal's outgoing messages wait for the register's `80 00 00` one by one.
  let queue: Uint8Array[] = [];
  let waiting = false;
  const next = () => {
    const message = queue.shift();
    waiting = !!message;
    if (message) setTimeout(() => send(frame(message)), 30);
  };
  const say = (messages: Uint8Array[]) => {
    queue = messages;
    next();
  };

  /** An intermediate status (04 FF) like the captured one, showing the terminal screen `code`. */
  const screen = (code: number) => {
    const message = fromHex(args.captured.intermediate);
    message[3] = code;
    return message;
  };
  const journal = () => JSON.parse(localStorage.getItem('fake-zvt-journal') ?? 'null');
  const statusFor = (amountBcd: number[]) => {
    const status = fromHex(args.captured.status);
    if (status[5] !== 0x04) throw new Error('the captured status information moved its amount');
    status.set(amountBcd, 6);
    return status;
  };
  const receipt = () => [printLine(0x00, 'FAKE TERMINAL'), printLine(0x80, 'CUSTOMER COPY')];
  // The terminal receipt number (BMP 87, two BCD bytes) of the captured status information.
  const RECEIPT_NO_AT = 33;
  const withReceiptNo = (status: Uint8Array, no: number) => {
    if (status[RECEIPT_NO_AT] !== 0x87) throw new Error('the captured status information moved its receipt number');
    const digits = no.toString().padStart(4, '0');
    status.set([parseInt(digits.slice(0, 2), 16), parseInt(digits.slice(2), 16)], RECEIPT_NO_AT + 1);
    return status;
  };
  const receiptNoOf = (status: Uint8Array) =>
    parseInt(toHex(status.slice(RECEIPT_NO_AT + 1, RECEIPT_NO_AT + 3)), 10);
  const completion = fromHex(args.captured.completion);

  // The batch since the last end of day, and the last receipt number the terminal gave (the
  // captured payment's 0231 is the first it gives).
  type Entry = { receipt: number; cents: number; kind: 'payment' | 'refund' };
  const batch = (): Entry[] => JSON.parse(localStorage.getItem('fake-zvt-batch') ?? '[]');
  const keepBatch = (entries: Entry[]) => localStorage.setItem('fake-zvt-batch', JSON.stringify(entries));
  const nextReceiptNo = () => {
    const no = Number(localStorage.getItem('fake-zvt-receipt-no') ?? '230') + 1;
    localStorage.setItem('fake-zvt-receipt-no', String(no));
    return no;
  };
  const centsOf = (bcd: Uint8Array | number[]) => parseInt(toHex(bcd), 10);
  const bcd = (value: number, bytes: number) => Array.from(fromHex(value.toString().padStart(bytes * 2, '0')));
  /** BMP 60 (LLLVAR, 53 bytes): the batch's first and last receipt numbers, then a count and a
   *  turnover for each of ZVT's seven card groups (girocard, JCB, Eurocard, Amex, Visa, Diners,
   *  others); every payment is the captured MasterCard's, so all are Eurocard, refunds off its
   *  turnover. As devices/src/zvt/end_of_day.rs encodes it (tests/zvt_end_of_day.rs pins it). */
  const groupTotals = (entries: Entry[]) => {
    const receipts = entries.filter((e) => e.kind === 'payment').map((e) => e.receipt);
    const first = receipts.length ? Math.min(...receipts) : 0;
    const last = receipts.length ? Math.max(...receipts) : 0;
    const turnover = Math.max(entries.reduce((sum, e) => sum + e.cents, 0), 0);
    const value = [...bcd(first, 2), ...bcd(last, 2)];
    for (let group = 0; group < 7; group++) {
      const eurocard = group === 2;
      value.push(eurocard ? receipts.length : 0, ...bcd(eurocard ? turnover : 0, 6));
    }
    return [0x60, 0xf0, 0xf5, 0xf3, ...value];
  };
  /** The end of day's status information (04 0F): result 00 (BMP 27), the day's total (BMP 04),
   *  and unless told otherwise the group totals (BMP 60). */
  const endOfDayStatus = (entries: Entry[]) => {
    const total = Math.max(entries.reduce((sum, e) => sum + e.cents, 0), 0);
    const data = [0x27, 0x00, 0x04, ...bcd(total, 6)];
    if (args.endOfDayTotals !== 'amount-only') data.push(...groupTotals(entries));
    return Uint8Array.from([0x04, 0x0f, data.length, ...data]);
  };

  const onCommand = (apdu: Uint8Array) => {
    const h = toHex(apdu);
    if (h.startsWith('8000')) {
      if (waiting) next();
      return;
    }
    (window as any).zvtSeen(h);
    // In page order with the register's IndexedDB writes, when a test watches them (idb-watch.ts).
    (window as any).idbWatch?.push({ kind: 'zvt', apdu: h });
    send(Uint8Array.from([0x80, 0x00, 0x00]));
    const control = h.slice(0, 4);
    if (control === '0601' && args.mode === 'wrong-pin') {
      say([screen(0x01), screen(0x15)]);
      setTimeout(() => say([Uint8Array.from([0x06, 0x1e, 0x01, 0x6c])]), 1500);
    } else if (control === '0601') {
      // BMP 04 and six BCD bytes of the amount come first in an authorisation.
      let amount = Array.from(apdu.slice(4, 10));
      if (args.tipCents) {
        // The customer added a tip on the terminal: it approves the amount asked plus the tip.
        const cents = parseInt(toHex(amount), 10) + args.tipCents;
        amount = Array.from(fromHex(cents.toString().padStart(12, '0')));
      }
      const status = withReceiptNo(statusFor(amount), nextReceiptNo());
      localStorage.setItem('fake-zvt-journal', JSON.stringify({ status: toHex(status) }));
      // Approved (a hanging terminal approved too, before it went quiet): in the day's batch.
      keepBatch([...batch(), { receipt: receiptNoOf(status), cents: centsOf(amount), kind: 'payment' }]);
      const messages = [fromHex(args.captured.intermediate), status];
      if (args.mode === 'hang') say(messages);
      else say([...messages, ...receipt(), fromHex(args.captured.textBlock), completion]);
    } else if (control === '0630' && args.reversal === 'decline') {
      // The terminal refuses the reversal (result code 05: declined); its journal is unchanged.
      say([fromHex(args.captured.intermediate), Uint8Array.from([0x06, 0x1e, 0x01, 0x05])]);
    } else if (control === '0630' || control === '0631') {
      // A reversal (by the receipt number of a payment of the day) or a refund (by amount) is
      // approved like a payment: the status information carries the next receipt number, and
      // the amount of the payment reversed or the amount refunded.
      const last = journal();
      const before = last ? fromHex(last.status) : statusFor([0, 0, 0, 0, 0, 0]);
      const status = fromHex(toHex(before));
      if (control === '0631') {
        if (apdu[6] !== 0x04) throw new Error('a refund without its amount first');
        status.set(Array.from(apdu.slice(7, 13)), 6);
        keepBatch([...batch(), { receipt: 0, cents: -centsOf(apdu.slice(7, 13)), kind: 'refund' }]);
      } else if (apdu[6] === 0x87) {
        // The reversed payment (by its receipt number, BMP 87) leaves the batch.
        const reversed = parseInt(toHex(apdu.slice(7, 9)), 10);
        keepBatch(batch().filter((e) => !(e.kind === 'payment' && e.receipt === reversed)));
      }
      withReceiptNo(status, nextReceiptNo());
      localStorage.setItem('fake-zvt-journal', JSON.stringify({ status: toHex(status) }));
      const messages = [fromHex(args.captured.intermediate), status];
      if (args.mode === 'hang-refund') say(messages);
      else say([...messages, ...receipt(), completion]);
    } else if (control === '0620') {
      const last = journal();
      if (last) say([fromHex(last.status), ...receipt(), completion]);
      else say([Uint8Array.from([0x06, 0x1e, 0x01, 0x6c])]);
    } else if (control === '0650' && localStorage.getItem('fake-zvt-end-of-day-abort') === 'yes') {
      say([fromHex(args.captured.intermediate), Uint8Array.from([0x06, 0x1e, 0x01, 0x6c])]);
    } else if (control === '0650') {
      // End of day: the batch's total (less the payments told to go missing), then an empty batch.
      let entries = batch();
      const drops = Number(localStorage.getItem('fake-zvt-end-of-day-drops') ?? args.endOfDayDrops ?? 0);
      for (let drop = drops; drop > 0; drop--) {
        const last = entries.map((e) => e.kind).lastIndexOf('payment');
        if (last >= 0) entries = entries.filter((_, i) => i !== last);
      }
      keepBatch([]);
      say([fromHex(args.captured.intermediate), endOfDayStatus(entries), completion]);
    } else {
      // Registration, status enquiry: done.
      say([completion]);
    }
  };

  // The register's bytes: ACK/NAK and frames, which are acknowledged at once.
  let buffer: number[] = [];
  let inFrame = false;
  const onBytes = (chunk: Uint8Array) => {
    for (const b of chunk) {
      if (!inFrame) {
        if (b === DLE) buffer = [DLE];
        else if (buffer.length === 1 && b === STX) { inFrame = true; buffer = []; }
        else buffer = [];
        continue;
      }
      buffer.push(b);
      const n = buffer.length;
      // Frame ends with DLE ETX (an unpaired DLE) and two CRC bytes.
      if (n >= 4 && buffer[n - 4] === DLE && buffer[n - 3] === ETX) {
        let dles = 0;
        for (let i = n - 4; i >= 0 && buffer[i] === DLE; i--) dles++;
        if (dles % 2 === 1) {
          const body = buffer.slice(0, n - 4);
          const apdu: number[] = [];
          for (let i = 0; i < body.length; i++) {
            apdu.push(body[i]);
            if (body[i] === DLE) i++;
          }
          inFrame = false;
          buffer = [];
          send(Uint8Array.from([ACK]));
          onCommand(Uint8Array.from(apdu));
        }
      }
    }
  };

  const port = {
    get readable() { return readable; },
    get writable() { return writable; },
    async open(line: { baudRate: number; dataBits?: number; stopBits?: number; parity?: string }) {
      (window as any).zvtLine = line;
      // A terminal on another line setting sees framing errors, never a command: it stays silent.
      const sameLine = line.baudRate === 9600 && line.dataBits === 8 && line.stopBits === 2 && line.parity === 'none';
      readable = new ReadableStream<Uint8Array>({ start(c) { controller = c; } });
      writable = new WritableStream<Uint8Array>({ write(chunk) { if (sameLine) onBytes(chunk); } });
    },
    async close() { readable = null; writable = null; controller = null; },
    getInfo() { return { usbVendorId: 0x1234, usbProductId: 0x0001 }; },
    addEventListener() {},
    removeEventListener() {},
  };
  const granted = () => localStorage.getItem('fake-serial-granted') === 'yes';
  Object.defineProperty(navigator, 'serial', {
    value: {
      async getPorts() { return granted() ? [port] : []; },
      async requestPort() { localStorage.setItem('fake-serial-granted', 'yes'); return port; },
      addEventListener() {},
      removeEventListener() {},
    },
  });
}
