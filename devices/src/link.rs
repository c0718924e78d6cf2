//! The decisions a transport makes that need no browser: which USB interface and endpoint
//! carry print data, how Bluetooth writes are cut and paced, which serial settings a printer
//! expects. The app reads the descriptors and moves the bytes; these functions decide, so they
//! are tested natively and never guessed as fixed numbers.

/// USB interface class of printers (USB Printer Class 1.1).
pub const USB_CLASS_PRINTER: u8 = 0x07;
/// USB interface class "vendor specific": many ESC/POS printers use it instead of class 7.
pub const USB_CLASS_VENDOR: u8 = 0xFF;

/// Which way an endpoint moves data, seen from the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsbDirection {
    /// Device to host (status replies).
    In,
    /// Host to device (print data).
    Out,
}

/// How an endpoint transfers (only bulk carries print data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UsbTransfer {
    /// Bulk.
    Bulk,
    /// Interrupt.
    Interrupt,
    /// Isochronous.
    Isochronous,
}

/// One endpoint of an alternate setting, as the descriptors say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsbEndpoint {
    /// The endpoint number (1-15), what `transferOut` / `transferIn` take.
    pub number: u8,
    /// In or out.
    pub direction: UsbDirection,
    /// Bulk, interrupt or isochronous.
    pub transfer: UsbTransfer,
}

/// One alternate setting of an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsbAlternate {
    /// `bAlternateSetting`.
    pub setting: u8,
    /// `bInterfaceClass`.
    pub class: u8,
    /// Its endpoints.
    pub endpoints: Vec<UsbEndpoint>,
}

/// One interface of a configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsbInterface {
    /// `bInterfaceNumber`, what `claimInterface` takes.
    pub number: u8,
    /// Its alternate settings.
    pub alternates: Vec<UsbAlternate>,
}

/// One configuration of a device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsbConfiguration {
    /// `bConfigurationValue`, what `selectConfiguration` takes.
    pub value: u8,
    /// Its interfaces.
    pub interfaces: Vec<UsbInterface>,
}

/// Where print data goes on a USB printer, chosen by [`usb_print_route`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsbPrintRoute {
    /// The configuration to select.
    pub configuration: u8,
    /// The interface to claim.
    pub interface: u8,
    /// The alternate setting to select.
    pub alternate: u8,
    /// The bulk OUT endpoint for print data.
    pub endpoint_out: u8,
    /// The bulk IN endpoint for status replies, when the interface has one.
    pub endpoint_in: Option<u8>,
}

/// Chooses the interface and bulk OUT endpoint print data goes to: a printer-class interface
/// (class 7) when the device has one, else the first vendor-specific interface (class 0xFF)
/// with a bulk OUT endpoint. Composite devices put the printer on any interface (a scanner or
/// a card reader on interface 0 is common), so no interface number is assumed.
/// `None` when nothing on the device can take print data.
pub fn usb_print_route(configurations: &[UsbConfiguration]) -> Option<UsbPrintRoute> {
    [USB_CLASS_PRINTER, USB_CLASS_VENDOR]
        .into_iter()
        .find_map(|class| route_of_class(configurations, class))
}

fn route_of_class(configurations: &[UsbConfiguration], class: u8) -> Option<UsbPrintRoute> {
    configurations.iter().find_map(|configuration| {
        configuration.interfaces.iter().find_map(|interface| {
            interface
                .alternates
                .iter()
                .filter(|alternate| alternate.class == class)
                .find_map(|alternate| {
                    let bulk = |direction| {
                        alternate
                            .endpoints
                            .iter()
                            .find(|e| e.direction == direction && e.transfer == UsbTransfer::Bulk)
                            .map(|e| e.number)
                    };
                    Some(UsbPrintRoute {
                        configuration: configuration.value,
                        interface: interface.number,
                        alternate: alternate.setting,
                        endpoint_out: bulk(UsbDirection::Out)?,
                        endpoint_in: bulk(UsbDirection::In),
                    })
                })
        })
    })
}

/// USB vendor ids of receipt printer makers, for the browser's device chooser.
/// Generic printers sold under many names use the chip makers' ids (STMicroelectronics,
/// Winbond, NXP, a common Chinese clone id), so those are listed too.
pub const USB_PRINTER_VENDORS: &[u16] = &[
    0x04B8, // Epson
    0x0519, // Star
    0x1D90, // Citizen
    0x05D9, // HP
    0x04C5, // Fujitsu
    0x0419, // Bixolon (Samsung)
    0x1504, // Bixolon
    0x0483, // generic (STMicroelectronics)
    0x0416, // generic (Winbond)
    0x1FC9, // generic (NXP)
    0x0FE6, // generic
];

/// A Bluetooth LE print service and the characteristic that takes print data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BluetoothPrintService {
    /// Service UUID, full 128-bit form.
    pub service: &'static str,
    /// Write characteristic UUID, full 128-bit form.
    pub characteristic: &'static str,
}

/// The print services the app asks the browser for, in the order it tries them.
pub const BLUETOOTH_PRINT_SERVICES: &[BluetoothPrintService] = &[
    // Most generic printers: service 0x18F0, characteristic 0x2AF1.
    BluetoothPrintService {
        service: "000018f0-0000-1000-8000-00805f9b34fb",
        characteristic: "00002af1-0000-1000-8000-00805f9b34fb",
    },
    // Epson TM-P and Star SM-L (Microchip's transparent UART service).
    BluetoothPrintService {
        service: "49535343-fe7d-4ae5-8fa9-9fafd205e455",
        characteristic: "49535343-8841-43f4-a8d4-ecbe34729bb3",
    },
];

/// How Bluetooth writes are cut and paced. A BLE characteristic write holds little: about 100
/// bytes on common printers, only 20 on some; and printers that cannot keep up garble images
/// when writes come too fast, so each chunk waits for the one before and then a pause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BluetoothPacing {
    /// Bytes per write, at least 1.
    pub chunk_size: usize,
    /// Pause after each write, in milliseconds.
    pub pause_ms: u32,
}

impl BluetoothPacing {
    /// 100 bytes per write, 20 ms apart.
    pub const DEFAULT: BluetoothPacing = BluetoothPacing {
        chunk_size: 100,
        pause_ms: 20,
    };
    /// The chunk size a shop may choose: the BLE minimum (20) up to 512 (the largest value
    /// an attribute can hold).
    pub const CHUNK_RANGE: std::ops::RangeInclusive<usize> = 20..=512;

    /// Pacing with `chunk_size` kept within [`CHUNK_RANGE`](Self::CHUNK_RANGE).
    pub fn with_chunk_size(chunk_size: usize) -> BluetoothPacing {
        BluetoothPacing {
            chunk_size: chunk_size.clamp(*Self::CHUNK_RANGE.start(), *Self::CHUNK_RANGE.end()),
            ..Self::DEFAULT
        }
    }

    /// The writes to make, in order; together they are exactly `bytes`.
    pub fn chunks<'a>(&self, bytes: &'a [u8]) -> std::slice::Chunks<'a, u8> {
        bytes.chunks(self.chunk_size.max(1))
    }
}

impl Default for BluetoothPacing {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Serial flow control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowControl {
    /// None: the printer's buffer must hold the receipt.
    None,
    /// RTS/CTS hardware handshake.
    Hardware,
}

/// Stop bits after each character on a serial line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopBits {
    /// One: every receipt printer we know.
    One,
    /// Two: ZVT card terminals.
    Two,
}

impl StopBits {
    /// The number WebSerial's `open()` takes.
    pub fn count(self) -> u8 {
        match self {
            StopBits::One => 1,
            StopBits::Two => 2,
        }
    }
}

/// What a serial port is opened with. Data bits and parity are 8N on every device we know
/// (printers and ZVT terminals alike), so the speed, flow control and stop bits vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SerialSettings {
    /// Bits per second.
    pub baud_rate: u32,
    /// Flow control.
    pub flow_control: FlowControl,
    /// Stop bits.
    pub stop_bits: StopBits,
}

impl SerialSettings {
    /// 9600 8N1 without flow control: the factory default of most generic printers.
    pub const DEFAULT: SerialSettings = SerialSettings {
        baud_rate: 9600,
        flow_control: FlowControl::None,
        stop_bits: StopBits::One,
    };
    /// The speeds a printer's DIP switches or utility offer.
    pub const BAUD_RATES: &'static [u32] = &[9600, 19200, 38400, 57600, 115200];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(number: u8, direction: UsbDirection, transfer: UsbTransfer) -> UsbEndpoint {
        UsbEndpoint {
            number,
            direction,
            transfer,
        }
    }

    fn interface(number: u8, class: u8, endpoints: Vec<UsbEndpoint>) -> UsbInterface {
        UsbInterface {
            number,
            alternates: vec![UsbAlternate {
                setting: 0,
                class,
                endpoints,
            }],
        }
    }

    use UsbDirection::{In, Out};
    use UsbTransfer::{Bulk, Interrupt};

    #[test]
    fn the_printer_class_interface_wins_wherever_it_is() {
        let device = [UsbConfiguration {
            value: 1,
            interfaces: vec![
                // A vendor-specific interface first, with its own bulk OUT: not the printer.
                interface(0, USB_CLASS_VENDOR, vec![endpoint(1, Out, Bulk)]),
                interface(1, 0x03, vec![endpoint(2, In, Interrupt)]),
                interface(
                    2,
                    USB_CLASS_PRINTER,
                    vec![endpoint(5, In, Bulk), endpoint(3, Out, Bulk)],
                ),
            ],
        }];
        assert_eq!(
            usb_print_route(&device),
            Some(UsbPrintRoute {
                configuration: 1,
                interface: 2,
                alternate: 0,
                endpoint_out: 3,
                endpoint_in: Some(5),
            })
        );
    }

    #[test]
    fn else_the_first_vendor_interface_with_a_bulk_out() {
        let device = [UsbConfiguration {
            value: 1,
            interfaces: vec![
                interface(0, 0x03, vec![endpoint(1, Out, Bulk)]),
                // Vendor-specific but only an interrupt OUT: cannot take print data.
                interface(1, USB_CLASS_VENDOR, vec![endpoint(2, Out, Interrupt)]),
                interface(2, USB_CLASS_VENDOR, vec![endpoint(4, Out, Bulk)]),
            ],
        }];
        let route = usb_print_route(&device).unwrap();
        assert_eq!(
            (route.interface, route.endpoint_out, route.endpoint_in),
            (2, 4, None)
        );
    }

    #[test]
    fn a_printer_interface_without_bulk_out_is_skipped_and_alternates_count() {
        let device = [UsbConfiguration {
            value: 2,
            interfaces: vec![UsbInterface {
                number: 1,
                alternates: vec![
                    UsbAlternate {
                        setting: 0,
                        class: USB_CLASS_PRINTER,
                        endpoints: vec![endpoint(1, In, Bulk)],
                    },
                    UsbAlternate {
                        setting: 1,
                        class: USB_CLASS_PRINTER,
                        endpoints: vec![endpoint(1, In, Bulk), endpoint(2, Out, Bulk)],
                    },
                ],
            }],
        }];
        let route = usb_print_route(&device).unwrap();
        assert_eq!(
            (route.configuration, route.alternate, route.endpoint_out),
            (2, 1, 2)
        );
    }

    #[test]
    fn nothing_to_print_to() {
        assert_eq!(usb_print_route(&[]), None);
        let keyboard = [UsbConfiguration {
            value: 1,
            interfaces: vec![interface(0, 0x03, vec![endpoint(1, In, Interrupt)])],
        }];
        assert_eq!(usb_print_route(&keyboard), None);
    }

    #[test]
    fn chunks_cover_the_bytes_exactly_in_order() {
        let bytes: Vec<u8> = (0..=255).cycle().take(1234).collect();
        let pacing = BluetoothPacing::DEFAULT;
        let chunks: Vec<&[u8]> = pacing.chunks(&bytes).collect();
        assert_eq!(chunks.len(), 13);
        assert!(chunks.iter().all(|c| c.len() <= 100));
        assert_eq!(chunks.concat(), bytes);
        assert_eq!(pacing.chunks(&[]).count(), 0);
    }

    #[test]
    fn chunk_size_is_kept_within_what_ble_allows() {
        assert_eq!(BluetoothPacing::with_chunk_size(0).chunk_size, 20);
        assert_eq!(BluetoothPacing::with_chunk_size(20).chunk_size, 20);
        assert_eq!(BluetoothPacing::with_chunk_size(180).chunk_size, 180);
        assert_eq!(BluetoothPacing::with_chunk_size(4096).chunk_size, 512);
        let twenty: Vec<usize> = BluetoothPacing::with_chunk_size(20)
            .chunks(&[0; 45])
            .map(<[u8]>::len)
            .collect();
        assert_eq!(twenty, [20, 20, 5]);
    }
}
