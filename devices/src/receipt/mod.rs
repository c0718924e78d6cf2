//! The receipt of a sale as a layout: a list of blocks (text, two-column rows, rules, a QR
//! code, a barcode, the signature line, the cut, the drawer kick) built from a
//! [`pos_core::Sale`] and the store's profile, and the slip of a refund of that sale. The layout knows nothing of bytes or pixels:
//! [`ReceiptLayout::encode`] prints it with ESC/POS on a given printer profile, and the app
//! walks [`ReceiptLayout::blocks`] to show the same receipt on screen.
//!
//! ```
//! use pos_core::{demo, Payment, ReceiptNumber, Ticket, Decimal, Uuid};
//! use pos_devices::{PrinterProfile, ReceiptLanguage, ReceiptLayout, ReceiptOptions};
//!
//! let (store, catalog) = demo::food_truck(true);
//! let mut ticket = Ticket::new(store.rules);
//! let cola = catalog.product("cola").unwrap();
//! ticket.add(cola, catalog.tax_category(&cola.tax_category).unwrap(), &[], Decimal::TWO).unwrap();
//! let mut payment = Payment::new(ticket.totals().total, store.rules);
//! payment.add_cash(Decimal::TEN).unwrap();
//! let number = ReceiptNumber { device_code: "T1".into(), sequence: 7 };
//! let sale = ticket.complete(&payment, Uuid::nil(), number, 1_795_957_559_999).unwrap();
//!
//! let options = ReceiptOptions {
//!     language: ReceiptLanguage::Russian,
//!     utc_offset_minutes: 180,
//!     ..ReceiptOptions::default()
//! };
//! let layout = ReceiptLayout::from_sale(&sale, &store, &options);
//! let text = layout.to_text(32);
//! assert!(text.contains("Итого"));
//! assert!(text.contains("Сдача"));
//! assert!(text.contains("29.11.2026 16:05"));
//!
//! let printed = layout.encode(PrinterProfile::XPRINTER_58)?;
//! assert!(printed.replaced.is_empty());
//! # Ok::<(), pos_devices::EncodeError>(())
//! ```

mod balance;
mod build;
mod format;
mod labels;
mod order;
mod render;
mod report_labels;
mod shift_report;

use pos_core::{Currency, Decimal, RefundSplit, Sale, Uuid};

use crate::encoder::Align;
use crate::image::Bitmap;

pub use balance::BalanceSlip;
pub use format::{
    DateTime, format_amount, format_date_time, format_money, format_number, format_rate,
};
pub use labels::{ReceiptLabels, ReceiptLanguage};
pub use order::OrderLine;
pub use report_labels::ShiftReportLabels;
pub use shift_report::ShiftReportOptions;

/// A receipt as blocks, top to bottom: what to print or show, not how.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReceiptLayout {
    /// The blocks in printing order.
    pub blocks: Vec<ReceiptBlock>,
}

/// One piece of a receipt. Text never carries printer commands: control characters print as
/// spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReceiptBlock {
    /// Text broken into lines at spaces to fit the paper, each line aligned.
    Text {
        /// What to print; `\n` starts a new line.
        text: String,
        /// Where each line sits.
        align: Align,
        /// Bold, large.
        style: TextStyle,
    },
    /// A label at the left and an amount flush right on the same line, such as
    /// `Total ..... 14.50 EUR`. The amount is never cut: a label too long for the line wraps
    /// over more lines and the amount goes on the last one (or a line of its own).
    Row {
        /// The label, e.g. a product name.
        left: String,
        /// The amount.
        right: String,
        /// Bold, large.
        style: TextStyle,
    },
    /// A full-width line of `-` or `=`.
    Rule(Rule),
    /// An empty line.
    Blank,
    /// A QR code (model 2), centred.
    Qr {
        /// What the code holds, e.g. [`ReceiptQr::payload`].
        data: String,
    },
    /// A Code 128 barcode with its digits under it, centred.
    Barcode {
        /// Printable ASCII.
        data: String,
    },
    /// A line to sign on: the label and a rule to the end of the line, after some space.
    Signature {
        /// "Signature".
        label: String,
    },
    /// Feed the paper past the cutter and cut, leaving a hinge.
    Cut,
    /// Kick the cash drawer connected to the printer.
    OpenDrawer,
    /// The store's logo, centred. A printer whose paper is narrower than the logo prints the
    /// receipt without it rather than not at all.
    Logo(Bitmap),
}

/// How a text or a row is emphasised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TextStyle {
    /// Bold.
    pub bold: bool,
    /// Double width and height: half as many characters per line.
    pub large: bool,
}

impl TextStyle {
    /// Neither bold nor large.
    pub const PLAIN: TextStyle = TextStyle {
        bold: false,
        large: false,
    };
    /// Bold.
    pub const BOLD: TextStyle = TextStyle {
        bold: true,
        large: false,
    };
    /// Bold and large: the total, the store name.
    pub const LARGE: TextStyle = TextStyle {
        bold: true,
        large: true,
    };
}

/// The character a [`ReceiptBlock::Rule`] is drawn with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `-----`, between parts of the receipt.
    Single,
    /// `=====`, above the total.
    Double,
}

impl Rule {
    /// The character the rule is printed with.
    pub const fn character(self) -> char {
        match self {
            Rule::Single => '-',
            Rule::Double => '=',
        }
    }
}

/// Whose copy a print is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReceiptCopy {
    /// The customer's receipt.
    #[default]
    Customer,
    /// The copy the shop keeps: marked, and with a signature line when a card paid.
    Merchant,
}

impl ReceiptCopy {
    /// The copies to print for `sale`: the customer's, and the merchant's too when a card
    /// paid part of it (the merchant keeps the signed slip).
    pub fn for_sale(sale: &Sale) -> &'static [ReceiptCopy] {
        let card = sale
            .tenders()
            .iter()
            .any(|tender| matches!(tender, pos_core::Tender::Card { .. }));
        if card {
            &[ReceiptCopy::Customer, ReceiptCopy::Merchant]
        } else {
            &[ReceiptCopy::Customer]
        }
    }
}

/// What the sale does not say about its receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReceiptOptions {
    /// Labels, separators and date order.
    pub language: ReceiptLanguage,
    /// Which copy this is.
    pub copy: ReceiptCopy,
    /// The cashier's name, printed under the receipt number.
    pub cashier: Option<String>,
    /// The name of the customer the sale was made for, printed under the cashier's; `None` when
    /// there was none or they were erased, so a reprint never brings an erased name back.
    pub customer: Option<String>,
    /// The store's return policy, printed above the footer.
    pub return_policy: Option<String>,
    /// Minutes east of UTC of the store's clock, for the printed time (180 for Moscow).
    pub utc_offset_minutes: i32,
    /// Made in training mode: the receipt says so at the top and the bottom.
    pub training: bool,
    /// Printed again from the list of sales: marked, and the drawer is not kicked.
    pub reprint: bool,
    /// Kick the cash drawer before printing the customer's copy of a sale with a cash tender
    /// (never for the merchant's copy or a reprint).
    pub open_drawer_for_cash: bool,
    /// Print the receipt number as a Code 128 barcode, to find the sale again by scanning.
    /// Left out when the number has characters a barcode cannot hold.
    pub receipt_barcode: bool,
    /// The store's logo, printed above its name.
    pub logo: Option<Bitmap>,
}

impl Default for ReceiptOptions {
    fn default() -> Self {
        ReceiptOptions {
            language: ReceiptLanguage::English,
            copy: ReceiptCopy::Customer,
            cashier: None,
            customer: None,
            return_policy: None,
            utc_offset_minutes: 0,
            training: false,
            reprint: false,
            open_drawer_for_cash: true,
            receipt_barcode: true,
            logo: None,
        }
    }
}

/// What a refund slip prints beyond the sale's receipt
/// ([`ReceiptLayout::refund_slip`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundSlip {
    /// What went back, to the card and from the drawer.
    pub paid_back: RefundSplit,
    /// Why, in the cashier's words.
    pub reason: String,
    /// What came back, when it is not the whole sale; empty for a refund of every line.
    pub returned: Vec<ReturnedItem>,
    /// The card terminal's own receipt lines of the refund (ZVT `06 D1` / `06 D3`); empty when
    /// no terminal the register drives paid the card part back.
    pub terminal_slip: Vec<String>,
    /// The whole sale was voided (rung up by mistake) rather than refunded: the title says so.
    pub void: bool,
    /// The new gift card the refund was given on as store credit (goods returned with no
    /// receipt): its number printed whole, with a barcode, since the customer may have no other
    /// copy of it.
    pub store_credit: Option<pos_core::gift_card::GiftCardNumber>,
}

/// A line a refund took back, part or all of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReturnedItem {
    /// The line's name as the sale's receipt prints it.
    pub name: String,
    /// How much of the line came back, in its unit.
    pub quantity: Decimal,
    /// What was paid back for it.
    pub amount: Decimal,
}

/// What a receipt's QR code holds: `RCPT:<id>;<total>;<currency>`, for example
/// `RCPT:0192f5a4-1b2c-7d3e-8f40-123456789abc;14.50;EUR`.
///
/// - `<id>` is the sale's UUID, lowercase and hyphenated: it finds the sale for a return or a
///   reprint, on any device that has synced it.
/// - `<total>` is the sale's total (before any cash rounding) with a `.` and as many decimals as
///   the currency's minor unit, no grouping: `14.50`, `1500` (JPY), `1.500` (KWD).
/// - `<currency>` is the ISO 4217 code.
///
/// The format is stable: receipts already printed must still scan. A new field would go
/// after the last `;`, and a reader ignores fields it does not know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceiptQr {
    /// The sale's id.
    pub id: Uuid,
    /// The sale's total.
    pub total: Decimal,
    /// The sale's currency.
    pub currency: Currency,
}

/// A QR text that is not a receipt's: [`ReceiptQr::parse`] says what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "This QR code is not one of our receipts (\"{text}\"). Scan the code at the bottom of \
     the receipt, or type the receipt number."
)]
pub struct ReceiptQrError {
    /// The text that was scanned.
    pub text: String,
}

impl ReceiptQr {
    /// The text before the fields.
    pub const PREFIX: &'static str = "RCPT:";

    /// The QR of `sale`.
    pub fn of(sale: &Sale) -> ReceiptQr {
        let totals = sale.totals();
        ReceiptQr {
            id: sale.id(),
            total: totals.total,
            currency: totals.currency,
        }
    }

    /// The text the QR code holds.
    pub fn payload(&self) -> String {
        let mut total = self.currency.round(self.total);
        total.rescale(self.currency.minor_unit());
        format!(
            "{}{};{};{}",
            Self::PREFIX,
            self.id.hyphenated(),
            total,
            self.currency.code()
        )
    }

    /// Reads a scanned receipt QR back.
    pub fn parse(text: &str) -> Result<ReceiptQr, ReceiptQrError> {
        let error = || ReceiptQrError {
            text: text.to_owned(),
        };
        let fields = text.strip_prefix(Self::PREFIX).ok_or_else(error)?;
        let mut fields = fields.split(';');
        let id = fields
            .next()
            .and_then(|id| Uuid::try_parse(id).ok())
            .ok_or_else(error)?;
        let total = fields
            .next()
            .filter(|total| {
                !total.is_empty()
                    && total
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            })
            .and_then(|total| total.parse::<Decimal>().ok())
            .ok_or_else(error)?;
        let currency = fields
            .next()
            .and_then(Currency::from_code)
            .ok_or_else(error)?;
        Ok(ReceiptQr {
            id,
            total,
            currency,
        })
    }
}
