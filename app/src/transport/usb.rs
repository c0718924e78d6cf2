//! WebUSB: a USB printer. The interface and bulk endpoints come from the device's own
//! descriptors through `pos_devices::usb_print_route`, never from fixed numbers.

use pos_devices::{
    USB_PRINTER_VENDORS, UsbAlternate, UsbConfiguration, UsbDirection, UsbEndpoint, UsbInterface,
    UsbPrintRoute, UsbTransfer, usb_print_route,
};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::{DeviceLink, TransportError};

#[wasm_bindgen(inline_js = r#"
function fail(kind, error) {
  return { kind, message: String(error && error.message ? error.message : error) };
}

export async function usb_request(vendorIds) {
  if (!navigator.usb) throw fail('unsupported', 'navigator.usb is undefined');
  try {
    // Known printer makers first; an unknown maker is found through "any device" below.
    const filters = Array.from(vendorIds, (vendorId) => ({ vendorId }));
    filters.push({ classCode: 7 });
    return await navigator.usb.requestDevice({ filters });
  } catch (e) {
    throw fail(e && e.name === 'NotFoundError' ? 'cancelled' : 'failed', e);
  }
}

export async function usb_granted() {
  if (!navigator.usb) throw fail('unsupported', 'navigator.usb is undefined');
  return await navigator.usb.getDevices();
}

// The descriptors as plain data for Rust, which chooses the interface and endpoints.
export function usb_describe(device) {
  return {
    vendorId: device.vendorId,
    productId: device.productId,
    serialNumber: device.serialNumber ?? null,
    name: device.productName ?? null,
    configurations: (device.configurations ?? []).map((c) => ({
      value: c.configurationValue,
      interfaces: c.interfaces.map((i) => ({
        number: i.interfaceNumber,
        alternates: i.alternates.map((a) => ({
          setting: a.alternateSetting,
          class: a.interfaceClass,
          endpoints: a.endpoints.map((e) => ({ number: e.endpointNumber, direction: e.direction, type: e.type })),
        })),
      })),
    })),
  };
}

class UsbPrinterLink {
  constructor(device, route) {
    this.device = device;
    this.route = route;
    this.queue = [];
    this.pendingIn = null;
    this.gone = false;
    this.ondisconnect = null;
    this.onGone = (event) => {
      if (event.device === this.device) this.lost();
    };
  }
  lost() {
    if (this.gone) return;
    this.gone = true;
    if (this.ondisconnect) this.ondisconnect();
  }
  async open() {
    const r = this.route;
    try {
      if (!this.device.opened) await this.device.open();
      if (!this.device.configuration || this.device.configuration.configurationValue !== r.configuration) {
        await this.device.selectConfiguration(r.configuration);
      }
    } catch (e) {
      throw fail('failed', e);
    }
    try {
      await this.device.claimInterface(r.interface);
    } catch (e) {
      // On Windows the system printer driver owns the interface; nothing in the page can take it.
      throw fail('claimed', e);
    }
    try {
      if (r.alternate !== 0) await this.device.selectAlternateInterface(r.interface, r.alternate);
    } catch (e) {
      throw fail('failed', e);
    }
    navigator.usb.addEventListener('disconnect', this.onGone);
  }
  async write(bytes) {
    const data = new Uint8Array(bytes); // a copy: the wasm memory under `bytes` may move
    if (this.gone) throw fail('disconnected', 'the printer was disconnected');
    let result;
    try {
      result = await this.device.transferOut(this.route.endpointOut, data);
    } catch (e) {
      this.lost();
      throw fail('disconnected', e);
    }
    if (result.status !== 'ok' || result.bytesWritten !== data.length) {
      throw fail('failed', 'transfer ' + result.status + ', ' + result.bytesWritten + ' of ' + data.length + ' bytes');
    }
  }
  async read(timeoutMs) {
    if (this.route.endpointIn == null) return new Uint8Array();
    if (this.queue.length === 0 && !this.gone) {
      // One transfer in at a time; one that outlives the timeout fills the queue for later.
      if (!this.pendingIn) {
        this.pendingIn = this.device.transferIn(this.route.endpointIn, 64).then((result) => {
          if (result.data) for (let i = 0; i < result.data.byteLength; i++) this.queue.push(result.data.getUint8(i));
        }, () => {}).finally(() => { this.pendingIn = null; });
      }
      await Promise.race([this.pendingIn, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    }
    return new Uint8Array(this.queue.splice(0));
  }
  async close() {
    navigator.usb.removeEventListener('disconnect', this.onGone);
    try { await this.device.releaseInterface(this.route.interface); } catch (e) {}
    try { await this.device.close(); } catch (e) {}
  }
  set_ondisconnect(callback) { this.ondisconnect = callback; }
}

export async function usb_open(device, configuration, iface, alternate, endpointOut, endpointIn) {
  const link = new UsbPrinterLink(device, {
    configuration, interface: iface, alternate, endpointOut, endpointIn: endpointIn < 0 ? null : endpointIn,
  });
  await link.open();
  return link;
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    async fn usb_request(vendor_ids: &[u16]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    async fn usb_granted() -> Result<JsValue, JsValue>;
    fn usb_describe(device: &JsValue) -> JsValue;
    #[wasm_bindgen(catch)]
    async fn usb_open(
        device: &JsValue,
        configuration: u8,
        interface: u8,
        alternate: u8,
        endpoint_out: u8,
        endpoint_in: i32,
    ) -> Result<JsValue, JsValue>;

}

/// What identifies a USB device again after a restart.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsbDeviceIds {
    pub vendor_id: u16,
    pub product_id: u16,
    pub serial_number: Option<String>,
}

/// A USB device the page may open.
pub struct UsbDevice {
    device: JsValue,
}

fn number(value: &JsValue, key: &str) -> Option<f64> {
    js_sys::Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_f64())
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string())
}

fn list(value: &JsValue, key: &str) -> Vec<JsValue> {
    js_sys::Reflect::get(value, &key.into())
        .map(|v| js_sys::Array::from(&v).iter().collect())
        .unwrap_or_default()
}

fn byte(value: &JsValue, key: &str) -> u8 {
    number(value, key).unwrap_or(0.0) as u8
}

impl UsbDevice {
    /// Asks the cashier to pick a printer in the browser's chooser.
    pub async fn request() -> Result<UsbDevice, TransportError> {
        let device = usb_request(USB_PRINTER_VENDORS)
            .await
            .map_err(TransportError::from_js)?;
        Ok(UsbDevice { device })
    }

    /// The device granted earlier with these ids (`navigator.usb.getDevices()`).
    pub async fn granted(ids: &UsbDeviceIds) -> Result<UsbDevice, TransportError> {
        let devices = usb_granted().await.map_err(TransportError::from_js)?;
        js_sys::Array::from(&devices)
            .iter()
            .map(|device| UsbDevice { device })
            .find(|device| device.ids() == *ids)
            .ok_or(TransportError::NotFound)
    }

    pub fn ids(&self) -> UsbDeviceIds {
        let d = usb_describe(&self.device);
        UsbDeviceIds {
            vendor_id: number(&d, "vendorId").unwrap_or(0.0) as u16,
            product_id: number(&d, "productId").unwrap_or(0.0) as u16,
            serial_number: text(&d, "serialNumber"),
        }
    }

    /// The product name the device reports, if any.
    pub fn name(&self) -> Option<String> {
        text(&usb_describe(&self.device), "name")
    }

    /// The device's descriptors, as `pos-devices` reads them.
    pub fn configurations(&self) -> Vec<UsbConfiguration> {
        let d = usb_describe(&self.device);
        list(&d, "configurations")
            .iter()
            .map(|c| UsbConfiguration {
                value: byte(c, "value"),
                interfaces: list(c, "interfaces")
                    .iter()
                    .map(|i| UsbInterface {
                        number: byte(i, "number"),
                        alternates: list(i, "alternates")
                            .iter()
                            .map(|a| UsbAlternate {
                                setting: byte(a, "setting"),
                                class: byte(a, "class"),
                                endpoints: list(a, "endpoints")
                                    .iter()
                                    .map(|e| UsbEndpoint {
                                        number: byte(e, "number"),
                                        direction: if text(e, "direction").as_deref() == Some("in")
                                        {
                                            UsbDirection::In
                                        } else {
                                            UsbDirection::Out
                                        },
                                        transfer: match text(e, "type").as_deref() {
                                            Some("bulk") => UsbTransfer::Bulk,
                                            Some("interrupt") => UsbTransfer::Interrupt,
                                            _ => UsbTransfer::Isochronous,
                                        },
                                    })
                                    .collect(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// Opens the device and claims its printer interface. `Err(Failed)` when nothing on it
    /// can take print data; `Err(Claimed)` when the system driver holds it.
    pub async fn open(self) -> Result<DeviceLink, TransportError> {
        let route: UsbPrintRoute = usb_print_route(&self.configurations())
            .ok_or_else(|| TransportError::Failed("the device has no printer interface".into()))?;
        let link = usb_open(
            &self.device,
            route.configuration,
            route.interface,
            route.alternate,
            route.endpoint_out,
            route.endpoint_in.map_or(-1, i32::from),
        )
        .await
        .map_err(TransportError::from_js)?;
        Ok(DeviceLink::new(link, route.endpoint_in.is_some(), None))
    }
}
