//! Barcode scanners in USB HID-POS mode (usage page 0x8C, "Bar Code Scanner"): the scanner
//! sends each code as input reports of the Scanned Data Report, so no keyboard layout mangles
//! it and nothing is typed into a focused field. One report carries at most 56 bytes; longer
//! codes continue in further reports. This parser turns reports into codes; WebHID is the app's.
//!
//! Report layout (report id 0x02, the id itself not part of the data, as WebHID delivers it):
//! byte 0 the count of data bytes, bytes 1-3 the AIM symbology identifier (`]E0` for EAN-13),
//! bytes 4-59 the data padded with zeros, and, in full 63-byte reports, byte 62 non-zero when
//! the code continues in the next report. Scanners differ in whether the count includes a
//! terminator, so trailing zeros, CR and LF are dropped.

/// The HID usage page of barcode scanners.
pub const HID_POS_USAGE_PAGE: u16 = 0x8C;
/// The usage of a barcode scanner's application collection.
pub const HID_POS_SCANNER_USAGE: u16 = 0x02;
/// The report id of the Scanned Data Report.
pub const SCANNED_DATA_REPORT: u8 = 0x02;

const DATA_START: usize = 4;
const DATA_MAX: usize = 56;
const CONTINUED_AT: usize = 62;

/// One input report's part of a code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScannedChunk {
    /// The AIM symbology identifier, e.g. `]E0`, if the scanner sent one.
    pub symbology: Option<String>,
    /// The data bytes of this report.
    pub data: Vec<u8>,
    /// Whether the code goes on in the next report.
    pub continued: bool,
}

/// Reads one input report; `None` for reports that are not scanned data (status, other ids)
/// or that are too short to hold any.
pub fn parse_scanned_data(report_id: u8, data: &[u8]) -> Option<ScannedChunk> {
    if report_id != SCANNED_DATA_REPORT || data.len() < DATA_START {
        return None;
    }
    let count = usize::from(data[0]).min(DATA_MAX);
    let end = (DATA_START + count).min(data.len());
    let mut bytes = data[DATA_START..end].to_vec();
    while matches!(bytes.last(), Some(0 | b'\r' | b'\n')) {
        bytes.pop();
    }
    let aim = &data[1..DATA_START];
    let symbology = (aim[0] == b']').then(|| String::from_utf8_lossy(aim).into_owned());
    let continued = data.get(CONTINUED_AT).is_some_and(|&b| b != 0);
    Some(ScannedChunk {
        symbology,
        data: bytes,
        continued,
    })
}

/// Joins reports into whole codes.
#[derive(Clone, Debug, Default)]
pub struct HidPosReader {
    pending: Vec<u8>,
}

impl HidPosReader {
    /// A reader with nothing pending.
    pub fn new() -> HidPosReader {
        HidPosReader::default()
    }

    /// Feeds one input report; returns the code it completes, if any. Codes are text: bytes
    /// that are not UTF-8 are replaced rather than dropping the whole scan.
    pub fn report(&mut self, report_id: u8, data: &[u8]) -> Option<String> {
        let chunk = parse_scanned_data(report_id, data)?;
        self.pending.extend_from_slice(&chunk.data);
        if chunk.continued {
            return None;
        }
        let bytes = core::mem::take(&mut self.pending);
        let code = String::from_utf8_lossy(&bytes).trim().to_string();
        (!code.is_empty()).then_some(code)
    }
}
