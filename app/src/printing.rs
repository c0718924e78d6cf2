//! The receipt printer and the cash drawer behind it: which printer this device uses, printing a
//! sale's receipt, a test page or a drawer kick, and the audit of drawer openings.
//!
//! Printing never affects the sale: it starts only after storage has committed the sale, it
//! reads the sale and never writes it, and a failure only sets [`PrintState::Failed`], which the
//! screen shows with "Print again".

use pos_core::{Sale, Tender};
use pos_devices::{
    BluetoothPacing, DrawerPin, EncodeError, FlowControl, PrinterCondition, PrinterProblem,
    PrinterProfile, ReceiptEncoder, SerialSettings, StatusRequest,
};
use serde::{Deserialize, Serialize};

use crate::i18n::Msg;
use crate::storage::{DrawerReason, Storage, StorageError};
use crate::transport::bluetooth::BluetoothDevice;
use crate::transport::serial::{SerialPort, SerialPortIds};
use crate::transport::usb::{UsbDevice, UsbDeviceIds};
use crate::transport::{DeviceLink, Transport, TransportError, TransportKind};

/// How long a status query waits for the printer's answer. A printer that never answers
/// (some clones ignore `DLE EOT`) is printed to anyway.
pub(crate) const STATUS_TIMEOUT_MS: u32 = 400;
/// Drawer openings shown in settings.
pub const RECENT_OPENINGS: usize = 20;

/// Where the printer is, as remembered across restarts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PrinterDevice {
    Usb(UsbDeviceIds),
    Serial {
        ids: SerialPortIds,
        baud_rate: u32,
        hardware_flow: bool,
    },
    Bluetooth {
        id: String,
        chunk_size: usize,
    },
}

impl PrinterDevice {
    pub fn kind(&self) -> TransportKind {
        match self {
            PrinterDevice::Usb(_) => TransportKind::Usb,
            PrinterDevice::Serial { .. } => TransportKind::Serial,
            PrinterDevice::Bluetooth { .. } => TransportKind::Bluetooth,
        }
    }
}

/// Where the printer setup is kept among the device's settings (`kv` key `printer`).
const SETTINGS_KEY: &str = "printer";

/// The printer this device prints to, if one was set up. A setup that no longer reads is an
/// error, not "no printer": the shop would otherwise lose it silently at the next save.
pub async fn load_setup(storage: &dyn Storage) -> Result<Option<PrinterSetup>, StorageError> {
    let Some(value) = storage.load_setting(SETTINGS_KEY).await? else {
        return Ok(None);
    };
    serde_json::from_value(value)
        .map_err(|e| StorageError::Failed(format!("the printer setup is unreadable: {e}")))
}

/// Remembers the printer, or forgets it with `None`.
pub async fn save_setup(
    storage: &dyn Storage,
    setup: Option<&PrinterSetup>,
) -> Result<(), StorageError> {
    let value = serde_json::to_value(setup).map_err(|e| StorageError::Failed(e.to_string()))?;
    storage.save_setting(SETTINGS_KEY, value).await
}

/// The printer this device prints to, kept in IndexedDB (`kv` key `printer`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrinterSetup {
    pub device: PrinterDevice,
    /// What the device calls itself, for the settings screen.
    pub name: String,
    /// A `PrinterProfile` id from `pos-devices`.
    pub profile: String,
    /// Characters per line, when the paper is narrower than the model's default.
    pub chars_per_line: u8,
    /// Print the customer's receipt as soon as a sale is saved.
    pub print_after_sale: bool,
}

impl PrinterSetup {
    pub fn profile(&self) -> PrinterProfile {
        let mut profile =
            PrinterProfile::by_id(&self.profile).unwrap_or(PrinterProfile::GENERIC_80);
        if self.chars_per_line != profile.chars_per_line {
            // 12-dot font A: the printable width follows the characters.
            profile.dots_per_line = u16::from(self.chars_per_line) * 12;
            profile.chars_per_line = self.chars_per_line;
        }
        profile
    }
}

/// What went wrong with a print, in terms the cashier can act on. `Display` is for developers;
/// the cashier reads [`PrintFailure::msg`], and [`PrintFailure::detail`] waits under "Details".
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PrintFailure {
    #[error("the printer reports {0}")]
    Problem(PrinterProblem),
    #[error("transport: {0}")]
    Transport(TransportError),
    #[error("no interface of this USB device takes a printer's bulk output")]
    NoInterface,
    /// The receipt cannot be put into this printer's commands (a code page it lacks, a barcode
    /// it cannot take): nothing was sent, and sending again would fail the same way.
    #[error("encoding: {0}")]
    Encode(EncodeError),
}

impl PrintFailure {
    pub fn msg(&self) -> Msg {
        match self {
            PrintFailure::Problem(problem) => problem_msg(*problem),
            PrintFailure::NoInterface => Msg::PrinterNoInterface,
            PrintFailure::Encode(_) => Msg::PrinterCannotEncode,
            PrintFailure::Transport(error) => match error {
                TransportError::Unsupported => unsupported_msg(None),
                TransportError::NotChosen => Msg::PrinterNotChosen,
                TransportError::NotFound => Msg::PrinterNotConnected,
                TransportError::Claimed => Msg::PrinterClaimed,
                TransportError::Disconnected => Msg::PrinterDisconnected,
                TransportError::Failed(_) => Msg::PrinterFailed,
            },
        }
    }

    /// The browser's or the encoder's own words, where the message does not say it all.
    pub fn detail(&self) -> Option<String> {
        match self {
            PrintFailure::Transport(TransportError::Failed(detail)) => Some(detail.clone()),
            PrintFailure::Encode(error) => Some(error.to_string()),
            PrintFailure::Problem(_) | PrintFailure::NoInterface | PrintFailure::Transport(_) => {
                None
            }
        }
    }
}

pub(crate) fn problem_msg(problem: PrinterProblem) -> Msg {
    match problem {
        PrinterProblem::CoverOpen => Msg::PrinterCoverOpen,
        PrinterProblem::PaperOut => Msg::PrinterPaperOut,
        PrinterProblem::CutterJammed => Msg::PrinterCutterJammed,
        PrinterProblem::Fault => Msg::PrinterFault,
        PrinterProblem::PaperNearEnd => Msg::PrinterPaperNearEnd,
        PrinterProblem::Error | PrinterProblem::Overheated => Msg::PrinterError,
        PrinterProblem::Offline => Msg::PrinterOffline,
    }
}

/// The message for a browser without the API of `kind` (a printer's, when it is not known).
pub fn unsupported_msg(kind: Option<TransportKind>) -> Msg {
    match kind {
        Some(TransportKind::Usb) | None => Msg::UsbUnsupported,
        Some(TransportKind::Serial) => Msg::SerialUnsupported,
        Some(TransportKind::Bluetooth) => Msg::BluetoothUnsupported,
    }
}

/// Where the last print stands, for the status banner.
#[derive(Clone, Debug, PartialEq)]
pub enum PrintState {
    Idle,
    Printing,
    Printed,
    Failed(PrintFailure),
}

/// Bytes to send, and the drawer opening they cause, if any (recorded once sent).
#[derive(Clone, Debug)]
pub(crate) struct PrintJob {
    pub(crate) bytes: Vec<u8>,
    pub(crate) opening: Option<DrawerReason>,
}

/// Opens the remembered device without a chooser: USB and serial through the browser's list of
/// granted devices, Bluetooth through `getDevices()` where the browser has it.
pub(crate) async fn reopen(setup: &PrinterSetup) -> Result<DeviceLink, PrintFailure> {
    let link = match &setup.device {
        PrinterDevice::Usb(ids) => {
            open_usb(
                UsbDevice::granted(ids)
                    .await
                    .map_err(PrintFailure::Transport)?,
            )
            .await?
        }
        PrinterDevice::Serial {
            ids,
            baud_rate,
            hardware_flow,
        } => {
            let port = SerialPort::granted(*ids)
                .await
                .map_err(PrintFailure::Transport)?;
            port.open(serial_settings(*baud_rate, *hardware_flow))
                .await
                .map_err(PrintFailure::Transport)?
        }
        PrinterDevice::Bluetooth { id, chunk_size } => {
            let device = BluetoothDevice::granted(id)
                .await
                .map_err(PrintFailure::Transport)?;
            device
                .connect(BluetoothPacing::with_chunk_size(*chunk_size))
                .await
                .map_err(PrintFailure::Transport)?
        }
    };
    Ok(link)
}

pub(crate) async fn open_usb(device: UsbDevice) -> Result<DeviceLink, PrintFailure> {
    if pos_devices::usb_print_route(&device.configurations()).is_none() {
        return Err(PrintFailure::NoInterface);
    }
    device.open().await.map_err(PrintFailure::Transport)
}

pub fn serial_settings(baud_rate: u32, hardware_flow: bool) -> SerialSettings {
    SerialSettings {
        baud_rate,
        flow_control: if hardware_flow {
            FlowControl::Hardware
        } else {
            FlowControl::None
        },
        ..SerialSettings::DEFAULT
    }
}

/// What the cashier chose in the "Connect printer" form.
#[derive(Clone, Debug, PartialEq)]
pub struct PrinterChoice {
    pub kind: TransportKind,
    pub profile: PrinterProfile,
    pub chars_per_line: u8,
    pub baud_rate: u32,
    pub chunk_size: usize,
}

/// Asks the browser for the device (its chooser), opens it, and returns the setup to keep.
pub(crate) async fn connect(
    choice: &PrinterChoice,
) -> Result<(PrinterSetup, DeviceLink), PrintFailure> {
    let setup = |device, name: Option<String>| PrinterSetup {
        device,
        name: name.unwrap_or_else(|| choice.profile.name.to_string()),
        profile: choice.profile.id.to_string(),
        chars_per_line: choice.chars_per_line,
        print_after_sale: true,
    };
    match choice.kind {
        TransportKind::Usb => {
            let device = UsbDevice::request()
                .await
                .map_err(PrintFailure::Transport)?;
            let (ids, name) = (device.ids(), device.name());
            let link = open_usb(device).await?;
            Ok((setup(PrinterDevice::Usb(ids), name), link))
        }
        TransportKind::Serial => {
            let port = SerialPort::request()
                .await
                .map_err(PrintFailure::Transport)?;
            let ids = port.ids();
            let hardware_flow = choice.profile.serial.flow_control == FlowControl::Hardware;
            let link = port
                .open(serial_settings(choice.baud_rate, hardware_flow))
                .await
                .map_err(PrintFailure::Transport)?;
            let device = PrinterDevice::Serial {
                ids,
                baud_rate: choice.baud_rate,
                hardware_flow,
            };
            Ok((setup(device, None), link))
        }
        TransportKind::Bluetooth => {
            let device = BluetoothDevice::request()
                .await
                .map_err(PrintFailure::Transport)?;
            let (id, name) = (device.id(), device.name().filter(|n| !n.is_empty()));
            let pacing = BluetoothPacing::with_chunk_size(choice.chunk_size);
            let link = device
                .connect(pacing)
                .await
                .map_err(PrintFailure::Transport)?;
            Ok((
                setup(
                    PrinterDevice::Bluetooth {
                        id,
                        chunk_size: pacing.chunk_size,
                    },
                    name,
                ),
                link,
            ))
        }
    }
}

/// Asks the printer what is wrong, if it can answer. `Ok` when nothing blocks printing or the
/// printer does not answer status queries at all.
pub(crate) async fn check_status(link: &DeviceLink) -> Result<(), PrintFailure> {
    if !link.can_read() {
        return Ok(());
    }
    // Whatever the printer sent before belongs to no question of ours.
    link.read(0).await.map_err(PrintFailure::Transport)?;
    let mut condition = PrinterCondition::default();
    for request in StatusRequest::ALL {
        link.write(&request.bytes())
            .await
            .map_err(PrintFailure::Transport)?;
        let reply = link
            .read(STATUS_TIMEOUT_MS)
            .await
            .map_err(PrintFailure::Transport)?;
        let Some(&byte) = reply.last() else {
            return Ok(());
        };
        if let Ok(reply) = request.parse(byte) {
            condition.apply(reply);
        }
    }
    match condition
        .problems()
        .into_iter()
        .find(|p| p.blocks_printing())
    {
        Some(problem) => Err(PrintFailure::Problem(problem)),
        None => Ok(()),
    }
}

/// Minutes east of UTC on this device's clock, for the printed time.
pub(crate) fn utc_offset_minutes(at_ms: i64) -> i32 {
    -(js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at_ms as f64)).get_timezone_offset()
        as i32)
}

pub(crate) fn has_cash(sale: &Sale) -> bool {
    sale.tenders()
        .iter()
        .any(|t| matches!(t, Tender::Cash { .. }))
}

/// Only the drawer kick: `ESC @`, then `ESC p` with the profile's pulse.
pub(crate) fn drawer_kick(profile: PrinterProfile) -> Vec<u8> {
    let mut kick = ReceiptEncoder::new(profile);
    kick.initialize().open_drawer(DrawerPin::Pin2);
    kick.finish().bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    fn every_failure() -> Vec<PrintFailure> {
        let problems = [
            PrinterProblem::CoverOpen,
            PrinterProblem::PaperOut,
            PrinterProblem::CutterJammed,
            PrinterProblem::Fault,
            PrinterProblem::Overheated,
            PrinterProblem::Error,
            PrinterProblem::Offline,
            PrinterProblem::PaperNearEnd,
        ];
        let transport = [
            TransportError::Unsupported,
            TransportError::NotChosen,
            TransportError::NotFound,
            TransportError::Claimed,
            TransportError::Disconnected,
            TransportError::Failed("NetworkError: transferOut failed".into()),
        ];
        let mut all: Vec<PrintFailure> = problems.into_iter().map(PrintFailure::Problem).collect();
        all.extend(transport.into_iter().map(PrintFailure::Transport));
        all.push(PrintFailure::NoInterface);
        all.push(PrintFailure::Encode(EncodeError::QrEmpty));
        all
    }

    #[test]
    fn every_print_failure_is_translated() {
        assert_translated(every_failure().iter().map(PrintFailure::msg));
        assert_translated(
            [
                None,
                Some(TransportKind::Usb),
                Some(TransportKind::Serial),
                Some(TransportKind::Bluetooth),
            ]
            .into_iter()
            .map(unsupported_msg),
        );
    }

    #[test]
    fn an_encoder_error_is_not_told_as_a_connection_failure() {
        let failure = PrintFailure::Encode(EncodeError::QrEmpty);
        assert_eq!(failure.msg(), Msg::PrinterCannotEncode);
        assert!(failure.detail().is_some_and(|d| !d.is_empty()));
    }

    #[test]
    fn only_developer_text_goes_to_details() {
        for failure in every_failure() {
            let has_words = matches!(
                failure,
                PrintFailure::Encode(_) | PrintFailure::Transport(TransportError::Failed(_))
            );
            assert_eq!(failure.detail().is_some(), has_words, "{failure:?}");
        }
    }
}
