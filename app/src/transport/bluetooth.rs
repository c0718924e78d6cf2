//! Web Bluetooth: a BLE printer's write characteristic. A write holds only about 100 bytes,
//! so bytes go out in chunks, one after the other with a pause (`pos_devices::BluetoothPacing`);
//! the printer cannot answer status queries over it.

use pos_devices::{BLUETOOTH_PRINT_SERVICES, BluetoothPacing};
use wasm_bindgen::prelude::*;

use super::{DeviceLink, TransportError};

#[wasm_bindgen(inline_js = r#"
function fail(kind, error) {
  return { kind, message: String(error && error.message ? error.message : error) };
}

export async function bluetooth_request(services) {
  if (!navigator.bluetooth) throw fail('unsupported', 'navigator.bluetooth is undefined');
  try {
    // Printers rarely advertise their print service, so any device may be picked; the
    // services must still be named to be usable after connecting.
    return await navigator.bluetooth.requestDevice({ acceptAllDevices: true, optionalServices: Array.from(services) });
  } catch (e) {
    throw fail(e && e.name === 'NotFoundError' ? 'cancelled' : 'failed', e);
  }
}

export async function bluetooth_granted(id) {
  if (!navigator.bluetooth) throw fail('unsupported', 'navigator.bluetooth is undefined');
  // getDevices() is behind a flag in some Chrome versions: then the cashier reconnects.
  if (!navigator.bluetooth.getDevices) throw fail('not-found', 'getDevices is not available');
  const devices = await navigator.bluetooth.getDevices();
  const device = devices.find((d) => d.id === id);
  if (!device) throw fail('not-found', 'the printer is not remembered by the browser');
  return device;
}

export function bluetooth_id(device) { return device.id; }
export function bluetooth_name(device) { return device.name ?? null; }

class BluetoothPrinterLink {
  constructor(device) {
    this.device = device;
    this.gone = false;
    this.ondisconnect = null;
    this.onGone = () => {
      if (this.closing || this.gone) return;
      this.gone = true;
      if (this.ondisconnect) this.ondisconnect();
    };
  }
  async connect(pairs) {
    let server;
    try {
      server = await this.device.gatt.connect();
    } catch (e) {
      throw fail('disconnected', e);
    }
    this.device.addEventListener('gattserverdisconnected', this.onGone);
    for (const [service, characteristic] of pairs) {
      try {
        const s = await server.getPrimaryService(service);
        this.characteristic = await s.getCharacteristic(characteristic);
        return;
      } catch (e) {
        // Not this printer's service: try the next one.
      }
    }
    throw fail('failed', 'the device has none of the known printer services');
  }
  async write(bytes) {
    const data = new Uint8Array(bytes); // a copy: the wasm memory under `bytes` may move
    if (this.gone) throw fail('disconnected', 'the printer was disconnected');
    const c = this.characteristic;
    try {
      if (c.properties.writeWithoutResponse && c.writeValueWithoutResponse) await c.writeValueWithoutResponse(data);
      else if (c.writeValueWithResponse) await c.writeValueWithResponse(data);
      else await c.writeValue(data);
    } catch (e) {
      if (!this.device.gatt.connected) { this.onGone(); throw fail('disconnected', e); }
      throw fail('failed', e);
    }
  }
  async read() { return new Uint8Array(); }
  async close() {
    this.closing = true;
    this.device.removeEventListener('gattserverdisconnected', this.onGone);
    try { this.device.gatt.disconnect(); } catch (e) {}
  }
  set_ondisconnect(callback) { this.ondisconnect = callback; }
}

export async function bluetooth_connect(device, pairs) {
  const link = new BluetoothPrinterLink(device);
  await link.connect(pairs);
  return link;
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn bluetooth_request(services: js_sys::Array) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn bluetooth_granted(id: &str) -> Result<JsValue, JsValue>;
    fn bluetooth_id(device: &JsValue) -> String;
    fn bluetooth_name(device: &JsValue) -> Option<String>;
    #[wasm_bindgen(catch)]
    async fn bluetooth_connect(device: &JsValue, pairs: js_sys::Array) -> Result<JsValue, JsValue>;

}

/// A Bluetooth device the page may connect to.
pub struct BluetoothDevice {
    device: JsValue,
}

impl BluetoothDevice {
    /// Asks the cashier to pick the printer in the browser's chooser.
    pub async fn request() -> Result<BluetoothDevice, TransportError> {
        let services: js_sys::Array = BLUETOOTH_PRINT_SERVICES
            .iter()
            .map(|s| JsValue::from_str(s.service))
            .collect();
        let device = bluetooth_request(services)
            .await
            .map_err(TransportError::from_js)?;
        Ok(BluetoothDevice { device })
    }

    /// The device granted earlier (`navigator.bluetooth.getDevices()`, where the browser has it).
    pub async fn granted(id: &str) -> Result<BluetoothDevice, TransportError> {
        let device = bluetooth_granted(id)
            .await
            .map_err(TransportError::from_js)?;
        Ok(BluetoothDevice { device })
    }

    /// The browser's id for this device on this site.
    pub fn id(&self) -> String {
        bluetooth_id(&self.device)
    }

    pub fn name(&self) -> Option<String> {
        bluetooth_name(&self.device)
    }

    /// Connects and finds the print characteristic; writes go out as `pacing` says.
    pub async fn connect(self, pacing: BluetoothPacing) -> Result<DeviceLink, TransportError> {
        let pairs: js_sys::Array = BLUETOOTH_PRINT_SERVICES
            .iter()
            .map(|s| {
                JsValue::from(js_sys::Array::of2(
                    &s.service.into(),
                    &s.characteristic.into(),
                ))
            })
            .collect();
        let link = bluetooth_connect(&self.device, pairs)
            .await
            .map_err(TransportError::from_js)?;
        Ok(DeviceLink::new(link, false, Some(pacing)))
    }
}
