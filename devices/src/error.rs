//! Errors a cashier can act on: `Display` says what happened and what to do next, and the
//! variant's fields carry the details a developer needs (`Debug`).

use crate::codepage::CodePage;
use crate::status::StatusRequest;

/// A receipt command that cannot be encoded as asked. Nothing is written for it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// [`ReceiptEncoder::code_page`](crate::ReceiptEncoder::code_page) asked for a page the
    /// printer profile does not list.
    #[error(
        "The printer profile \"{printer}\" has no {} character set. Choose the printer \
         model in Settings, or ask your administrator to check it.",
        .page.name()
    )]
    CodePageNotOnPrinter {
        /// The page asked for.
        page: CodePage,
        /// The profile's name.
        printer: &'static str,
    },
    /// Character size outside 1..=8 times.
    #[error(
        "Text can be 1 to 8 times larger; {width} x {height} was asked for. Change the \
         receipt layout in Settings."
    )]
    TextSize {
        /// Width multiplier asked for.
        width: u8,
        /// Height multiplier asked for.
        height: u8,
    },
    /// An EAN-13 number that is not 12 or 13 digits.
    #[error(
        "\"{data}\" is not an EAN-13 barcode number: it needs 12 or 13 digits. Check \
         the number on the product."
    )]
    Ean13Format {
        /// What was given.
        data: String,
    },
    /// An EAN-13 number whose last digit does not match the other twelve.
    #[error(
        "The barcode number {data} has a wrong last digit (it should be {expected}). \
         Check the number on the product and type it again."
    )]
    Ean13CheckDigit {
        /// What was given.
        data: String,
        /// The check digit the first twelve digits call for.
        expected: u8,
    },
    /// A Code 128 barcode with a character outside printable ASCII.
    #[error(
        "The barcode \"{data}\" contains \"{character}\", which a barcode cannot hold. \
         Use only Latin letters, digits and common signs."
    )]
    Code128Character {
        /// What was given.
        data: String,
        /// The first character that cannot be encoded.
        character: char,
    },
    /// A barcode longer than the printer command can carry.
    #[error(
        "The barcode is too long ({length} characters, at most {max}). Use a shorter \
         code."
    )]
    BarcodeTooLong {
        /// Characters given.
        length: usize,
        /// The most this barcode type takes.
        max: usize,
    },
    /// A QR code with no data.
    #[error("The QR code has no text. Check the receipt settings.")]
    QrEmpty,
    /// More data than a QR code holds at the chosen error correction level.
    #[error(
        "The QR code text is too long ({length} bytes, at most {max}). Use a shorter \
         link or a lower error correction level."
    )]
    QrTooLong {
        /// Bytes given.
        length: usize,
        /// The most a QR code holds at this level.
        max: usize,
    },
    /// QR module size outside 1..=16 dots.
    #[error(
        "QR code dots can be 1 to 16 printer dots wide; {size} was asked for. Change \
         the receipt layout in Settings."
    )]
    QrModuleSize {
        /// The size asked for.
        size: u8,
    },
    /// An image with no pixels.
    #[error("The logo image is empty. Upload the logo again.")]
    ImageEmpty,
    /// An image wider than the paper.
    #[error(
        "The logo is {width} dots wide but this printer prints at most {max}. Upload a \
         narrower logo, or choose the right paper width in Settings."
    )]
    ImageTooWide {
        /// Image width in dots.
        width: u32,
        /// The printer's printable width in dots.
        max: u16,
    },
    /// Pixel data whose length does not match width × height.
    #[error(
        "The logo image is damaged ({given} values for {expected} pixels). Upload the \
         logo again."
    )]
    ImageSize {
        /// Pixels (or packed bytes) given.
        given: usize,
        /// What the dimensions call for.
        expected: usize,
    },
}

/// A byte that is not the answer to a `DLE EOT` status request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "The printer gave an answer we do not understand (0x{byte:02X} to a {} request). \
     Check that the printer is set to ESC/POS mode, or turn it off and on again.",
    .request.name()
)]
pub struct StatusError {
    /// The request that was answered.
    pub request: StatusRequest,
    /// The byte received; its fixed bits (0 and 7 clear, 1 and 4 set) were wrong.
    pub byte: u8,
}
