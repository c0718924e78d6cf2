//! Barcodes in camera frames, for browsers without `BarcodeDetector` (Chrome on Windows and
//! Linux, Firefox, Safari before 17). A frame is handed over as the canvas gives it, RGBA, and
//! comes back as the code's text, decoded by the `rxing` crate (a port of ZXing).
//!
//! Behind the `camera` feature: only the camera worker turns it on, so the register's own wasm
//! never carries the decoder, and the app loads it the first time the cashier opens the camera.
//!
//! ```
//! use pos_devices::camera::{CameraFrame, FrameError};
//!
//! // A blank frame holds no code; a frame whose buffer does not match its size is refused.
//! let blank = vec![255u8; 64 * 48 * 4];
//! assert_eq!(CameraFrame::new(64, 48, &blank).unwrap().decode(), None);
//! assert_eq!(CameraFrame::new(64, 48, &blank[4..]).err(), Some(FrameError::WrongLength { expected: 12_288, got: 12_284 }));
//! ```

use std::collections::HashSet;

use rxing::{BarcodeFormat, DecodeHints};

use crate::image::gray_from_rgba;

/// The codes goods and receipts carry: retail 1D codes, the common industrial ones, and QR
/// (our own receipts print one). Fewer formats decode faster and misread less.
pub const CAMERA_FORMATS: [CodeFormat; 9] = [
    CodeFormat::Ean13,
    CodeFormat::Ean8,
    CodeFormat::UpcA,
    CodeFormat::UpcE,
    CodeFormat::Code128,
    CodeFormat::Code39,
    CodeFormat::Code93,
    CodeFormat::Itf,
    CodeFormat::Qr,
];

/// A barcode symbology the camera reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeFormat {
    /// EAN-13, also the container of ISBN and of UPC-A with a leading zero.
    Ean13,
    /// EAN-8.
    Ean8,
    /// UPC-A (12 digits).
    UpcA,
    /// UPC-E (8 digits).
    UpcE,
    /// Code 128.
    Code128,
    /// Code 39.
    Code39,
    /// Code 93.
    Code93,
    /// Interleaved 2 of 5.
    Itf,
    /// QR code.
    Qr,
}

impl CodeFormat {
    fn rxing(self) -> BarcodeFormat {
        match self {
            CodeFormat::Ean13 => BarcodeFormat::EAN_13,
            CodeFormat::Ean8 => BarcodeFormat::EAN_8,
            CodeFormat::UpcA => BarcodeFormat::UPC_A,
            CodeFormat::UpcE => BarcodeFormat::UPC_E,
            CodeFormat::Code128 => BarcodeFormat::CODE_128,
            CodeFormat::Code39 => BarcodeFormat::CODE_39,
            CodeFormat::Code93 => BarcodeFormat::CODE_93,
            CodeFormat::Itf => BarcodeFormat::ITF,
            CodeFormat::Qr => BarcodeFormat::QR_CODE,
        }
    }

    fn from_rxing(format: &BarcodeFormat) -> Option<CodeFormat> {
        CAMERA_FORMATS.into_iter().find(|f| f.rxing() == *format)
    }

    /// The name `BarcodeDetector` gives the format, so both camera paths report alike.
    pub fn name(self) -> &'static str {
        match self {
            CodeFormat::Ean13 => "ean_13",
            CodeFormat::Ean8 => "ean_8",
            CodeFormat::UpcA => "upc_a",
            CodeFormat::UpcE => "upc_e",
            CodeFormat::Code128 => "code_128",
            CodeFormat::Code39 => "code_39",
            CodeFormat::Code93 => "code_93",
            CodeFormat::Itf => "itf",
            CodeFormat::Qr => "qr_code",
        }
    }
}

/// One code found in a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameCode {
    /// The code's text, as printed under it (digits for retail codes).
    pub text: String,
    /// Its symbology.
    pub format: CodeFormat,
}

/// Why a frame could not be looked at.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A side of zero pixels, or a frame too big to be a camera's.
    #[error("a {width}x{height} frame cannot hold a barcode")]
    BadSize {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// The RGBA buffer is not `width * height * 4` bytes.
    #[error("the frame has {got} bytes of pixels where its size needs {expected}")]
    WrongLength {
        /// Bytes the size asks for.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
}

/// Frames above this many pixels are refused: 4K is the most a phone's camera gives a page.
const MAX_PIXELS: u64 = 4096 * 4096;

/// A camera frame as a canvas's `getImageData` returns it: rows of RGBA bytes.
#[derive(Debug)]
pub struct CameraFrame {
    width: u32,
    height: u32,
    luma: Vec<u8>,
}

impl CameraFrame {
    /// Checks the frame's size against its buffer and keeps only its brightness.
    pub fn new(width: u32, height: u32, rgba: &[u8]) -> Result<CameraFrame, FrameError> {
        let pixels = u64::from(width) * u64::from(height);
        if pixels == 0 || pixels > MAX_PIXELS {
            return Err(FrameError::BadSize { width, height });
        }
        let expected = pixels as usize * 4;
        if rgba.len() != expected {
            return Err(FrameError::WrongLength {
                expected,
                got: rgba.len(),
            });
        }
        Ok(CameraFrame {
            width,
            height,
            luma: gray_from_rgba(rgba),
        })
    }

    /// A frame already in grey levels, one byte per pixel (tests, and cameras that give YUV).
    pub fn from_luma(width: u32, height: u32, luma: Vec<u8>) -> Result<CameraFrame, FrameError> {
        let pixels = u64::from(width) * u64::from(height);
        if pixels == 0 || pixels > MAX_PIXELS {
            return Err(FrameError::BadSize { width, height });
        }
        if luma.len() as u64 != pixels {
            return Err(FrameError::WrongLength {
                expected: pixels as usize,
                got: luma.len(),
            });
        }
        Ok(CameraFrame {
            width,
            height,
            luma,
        })
    }

    /// The first code in the frame, if any. Looks hard (rotations, both directions): the worker
    /// that calls this runs beside the page, so a slow frame costs the cashier nothing.
    pub fn decode(self) -> Option<FrameCode> {
        let mut hints = DecodeHints {
            PossibleFormats: Some(
                CAMERA_FORMATS
                    .iter()
                    .map(|f| f.rxing())
                    .collect::<HashSet<_>>(),
            ),
            TryHarder: Some(true),
            ..DecodeHints::default()
        };
        let found = rxing::helpers::detect_in_luma_with_hints(
            self.luma,
            self.width,
            self.height,
            None,
            &mut hints,
        )
        .ok()?;
        let format = CodeFormat::from_rxing(found.getBarcodeFormat())?;
        let text = found.getText().trim().to_owned();
        (!text.is_empty()).then_some(FrameCode { text, format })
    }
}
