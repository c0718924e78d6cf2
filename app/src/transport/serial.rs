//! WebSerial: a serial port (a printer's RS-232 port through an adapter, a USB-CDC device, a
//! card terminal) opened with given settings. Generic on purpose: a receipt printer and a ZVT
//! card terminal both open a port, write, read a stream of bytes and close it.

use pos_devices::{FlowControl, SerialSettings};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::{DeviceLink, TransportError};

#[wasm_bindgen(inline_js = r#"
function fail(kind, error) {
  return { kind, message: String(error && error.message ? error.message : error) };
}

export async function serial_request() {
  if (!navigator.serial) throw fail('unsupported', 'navigator.serial is undefined');
  try {
    return await navigator.serial.requestPort({});
  } catch (e) {
    throw fail(e && e.name === 'NotFoundError' ? 'cancelled' : 'failed', e);
  }
}

export async function serial_granted() {
  if (!navigator.serial) throw fail('unsupported', 'navigator.serial is undefined');
  return await navigator.serial.getPorts();
}

export function serial_info(port) {
  const info = port.getInfo ? port.getInfo() : {};
  return { usbVendorId: info.usbVendorId ?? null, usbProductId: info.usbProductId ?? null };
}

// One open port. Bytes that arrive are queued until read; a reader waiting for them is woken.
class SerialPortLink {
  constructor(port) {
    this.port = port;
    this.queue = [];
    this.wake = null;
    this.closing = false;
    this.ondisconnect = null;
    this.onPortGone = (event) => {
      if ((event.target === this.port || event.port === this.port) && !this.closing) this.lost();
    };
  }
  async open(baudRate, flowControl, stopBits) {
    try {
      await this.port.open({ baudRate, dataBits: 8, stopBits, parity: 'none', flowControl, bufferSize: 4096 });
    } catch (e) {
      throw fail('failed', e);
    }
    navigator.serial.addEventListener('disconnect', this.onPortGone);
    this.reading = this.readLoop();
  }
  lost() {
    if (this.gone) return;
    this.gone = true;
    if (this.ondisconnect) this.ondisconnect();
  }
  async readLoop() {
    let previous = null;
    // A recoverable error (framing, parity) gives a new readable; the same one again means the
    // port is gone, and reading it again would spin.
    while (this.port.readable && this.port.readable !== previous && !this.closing) {
      previous = this.port.readable;
      const reader = this.port.readable.getReader();
      this.reader = reader;
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          if (value) for (const byte of value) this.queue.push(byte);
          if (this.wake) this.wake();
        }
      } catch (e) {
        // Handled by the loop's condition.
      } finally {
        reader.releaseLock();
        this.reader = null;
      }
    }
  }
  async write(bytes) {
    const data = new Uint8Array(bytes); // a copy: the wasm memory under `bytes` may move
    if (this.gone || !this.port.writable) throw fail('disconnected', 'the port is closed');
    const writer = this.port.writable.getWriter();
    try {
      await writer.write(data);
    } catch (e) {
      this.lost();
      throw fail('disconnected', e);
    } finally {
      writer.releaseLock();
    }
  }
  async read(timeoutMs) {
    if (this.queue.length === 0 && !this.gone) {
      await new Promise((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        const self = this;
        function done() { clearTimeout(timer); self.wake = null; resolve(); }
        this.wake = done;
      });
    }
    return new Uint8Array(this.queue.splice(0));
  }
  async close() {
    this.closing = true;
    navigator.serial.removeEventListener('disconnect', this.onPortGone);
    try { if (this.reader) await this.reader.cancel(); } catch (e) {}
    try { await this.reading; } catch (e) {}
    try { await this.port.close(); } catch (e) {}
  }
  set_ondisconnect(callback) { this.ondisconnect = callback; }
}

export async function serial_open(port, baudRate, flowControl, stopBits) {
  const link = new SerialPortLink(port);
  await link.open(baudRate, flowControl, stopBits);
  return link;
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn serial_request() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn serial_granted() -> Result<JsValue, JsValue>;
    fn serial_info(port: &JsValue) -> JsValue;
    #[wasm_bindgen(catch)]
    async fn serial_open(
        port: &JsValue,
        baud_rate: u32,
        flow_control: &str,
        stop_bits: u8,
    ) -> Result<JsValue, JsValue>;

}

/// What identifies a port again after a restart: the USB ids of a USB-serial adapter or
/// USB-CDC device (a port on the mainboard has none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SerialPortIds {
    pub usb_vendor_id: Option<u16>,
    pub usb_product_id: Option<u16>,
}

/// A port the page may open: chosen by the cashier now, or granted earlier.
pub struct SerialPort {
    port: JsValue,
}

impl SerialPort {
    /// Asks the cashier to pick a port in the browser's chooser.
    pub async fn request() -> Result<SerialPort, TransportError> {
        let port = serial_request().await.map_err(TransportError::from_js)?;
        Ok(SerialPort { port })
    }

    /// The port granted earlier with these ids (`navigator.serial.getPorts()`), so a restart
    /// needs no chooser.
    pub async fn granted(ids: SerialPortIds) -> Result<SerialPort, TransportError> {
        let ports = serial_granted().await.map_err(TransportError::from_js)?;
        let ports: Vec<JsValue> = js_sys::Array::from(&ports).iter().collect();
        let same = |port: &JsValue| SerialPort { port: port.clone() }.ids() == ids;
        let port = ports.iter().find(|p| same(p)).or(if ports.len() == 1 {
            ports.first()
        } else {
            None
        });
        port.map(|port| SerialPort { port: port.clone() })
            .ok_or(TransportError::NotFound)
    }

    pub fn ids(&self) -> SerialPortIds {
        let info = serial_info(&self.port);
        let id = |name: &str| {
            js_sys::Reflect::get(&info, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
                .map(|v| v as u16)
        };
        SerialPortIds {
            usb_vendor_id: id("usbVendorId"),
            usb_product_id: id("usbProductId"),
        }
    }

    /// Opens the port at `settings` (8 data bits, no parity) and starts reading.
    pub async fn open(self, settings: SerialSettings) -> Result<SerialLink, TransportError> {
        let flow = match settings.flow_control {
            FlowControl::None => "none",
            FlowControl::Hardware => "hardware",
        };
        let link = serial_open(
            &self.port,
            settings.baud_rate,
            flow,
            settings.stop_bits.count(),
        )
        .await
        .map_err(TransportError::from_js)?;
        Ok(DeviceLink::new(link, true, None))
    }
}

/// An open serial port: write, read the bytes that arrived, close.
pub type SerialLink = DeviceLink;
