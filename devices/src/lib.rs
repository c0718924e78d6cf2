//! Device protocols as pure codecs: bytes in, bytes out. This crate turns a receipt into
//! ESC/POS bytes and a printer's status byte into what the cashier must do.
//!
//! ```
//! use pos_devices::{Align, Cut, DrawerPin, PrinterProfile, QrOptions, ReceiptEncoder};
//!
//! let mut receipt = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
//! receipt
//!     .initialize()
//!     .align(Align::Center)
//!     .bold(true)
//!     .line("Кофейня у дома")
//!     .bold(false)
//!     .align(Align::Left)
//!     .two_columns("Капучино x2", "7.00", '.')
//!     .two_columns("Итого", "7.00", ' ')
//!     .qr("https://example.com/r/42", QrOptions::default())?
//!     .feed(3)
//!     .cut(Cut::Partial)
//!     .open_drawer(DrawerPin::Pin2);
//! let encoded = receipt.finish();
//!
//! // ESC @, then ESC t 17: the Cyrillic heading chose CP866, Epson's number 17.
//! assert_eq!(encoded.bytes[..2], [0x1B, 0x40]);
//! assert!(encoded.bytes.windows(3).any(|w| w == [0x1B, 0x74, 17]));
//! // The job ends with the cut and the drawer kick, with both of its timing bytes.
//! assert!(encoded.bytes.ends_with(&[0x1D, 0x56, 66, 0, 0x1B, 0x70, 0, 25, 250]));
//! // Every character had a code page: nothing printed as '?'.
//! assert!(encoded.replaced.is_empty());
//! # Ok::<(), pos_devices::EncodeError>(())
//! ```
//!
//! # Map
//! - [`ReceiptEncoder`] builds a print job; [`PrinterProfile`] says what differs between
//!   printer models (code page numbers, line width, drawer pulse), as data.
//! - Text is encoded per run: each character goes out in a code page the printer has, or as
//!   a `?` listed in [`EncodedReceipt::replaced`]; the receipt still prints.
//! - [`two_columns`], [`row`] and [`wrap`] lay out lines in character cells.
//! - [`Bitmap`] turns a grey logo into the dots of a raster image.
//! - [`StatusRequest`] is the `DLE EOT n` request and parses its reply;
//!   [`PrinterCondition`] adds replies up into [`PrinterProblem`]s.
//! - [`ReceiptLayout::from_sale`] lays out a sale's receipt as [`ReceiptBlock`]s, in English
//!   or Russian, [`ReceiptLayout::refund_slip`] the slip of its refund and
//!   [`ReceiptLayout::order_ticket`] the kitchen's order ticket;
//!   [`ReceiptLayout::encode`] prints them, and the app shows the same blocks.
//! - [`usb_print_route`] picks a USB printer's interface and bulk OUT endpoint from its
//!   descriptors; [`BluetoothPacing`] cuts and paces BLE writes; [`SerialSettings`] come with
//!   each profile.
//! - [`WedgeDetector`] tells a keyboard-wedge barcode scanner's keys from a person's.
//! - [`camera`] (feature `camera`) reads barcodes in camera frames for browsers without
//!   `BarcodeDetector`; only the app's camera worker links it.
//! - [`zvt`] speaks to card terminals (ZVT): commands, terminal messages, serial frames, and
//!   a [`zvt::Transaction`] that runs one payment's dialogue with the app owning I/O and time.
//!
//! # Architecture invariant
//! No I/O, no clock, no browser API: this crate compiles for the host and for
//! `wasm32-unknown-unknown` alike. Transports (WebUSB, WebSerial, Web Bluetooth) live in the
//! app and only move the bytes made here.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "camera")]
pub mod camera;
mod codepage;
mod encoder;
mod error;
mod hid_pos;
mod image;
mod layout;
mod link;
mod profile;
mod receipt;
mod scanner;
mod status;
pub mod zvt;

pub use codepage::{CodePage, Replaced};
pub use encoder::{
    Align, BarcodeText, Cut, DrawerPin, EncodedReceipt, QrErrorCorrection, QrOptions,
    RASTER_BAND_ROWS, ReceiptEncoder, Underline, UnprintableText,
};
pub use error::{EncodeError, StatusError};
pub use hid_pos::{
    HID_POS_SCANNER_USAGE, HID_POS_USAGE_PAGE, HidPosReader, SCANNED_DATA_REPORT, ScannedChunk,
    parse_scanned_data,
};
pub use image::{Bitmap, Dither, gray_from_rgba};
pub use layout::{Column, row, truncate, two_columns, wrap};
pub use link::{
    BLUETOOTH_PRINT_SERVICES, BluetoothPacing, BluetoothPrintService, FlowControl, SerialSettings,
    StopBits, USB_CLASS_PRINTER, USB_CLASS_VENDOR, USB_PRINTER_VENDORS, UsbAlternate,
    UsbConfiguration, UsbDirection, UsbEndpoint, UsbInterface, UsbPrintRoute, UsbTransfer,
    usb_print_route,
};
pub use profile::{DrawerPulse, PrinterProfile};
pub use receipt::{
    BalanceSlip, DateTime, OrderLine, ReceiptBlock, ReceiptCopy, ReceiptLabels, ReceiptLanguage,
    ReceiptLayout, ReceiptOptions, ReceiptQr, ReceiptQrError, RefundSlip, ReturnedItem, Rule,
    ShiftReportLabels, ShiftReportOptions, TextStyle, format_amount, format_date_time,
    format_money, format_number, format_rate,
};
pub use scanner::{Key, WedgeConfig, WedgeDetector, WedgeOutput};
pub use status::{
    DrawerSensor, ErrorCause, OfflineCause, PaperSensor, PrinterCondition, PrinterProblem,
    PrinterStatus, StatusReply, StatusRequest,
};
