//! The register's domain: money, taxes, the catalog, the open ticket, tenders and completed sales,
//! and the stored value that works offline: gift cards, customers and loyalty points.
//!
//! Pure Rust with no I/O, no clock and no randomness, so it runs the same natively and in wasm32
//! and every rule is tested with `cargo test`. Money is `rust_decimal::Decimal`, never a float.
//!
//! ```
//! use pos_core::{demo, Payment, ReceiptNumber, Ticket};
//! use rust_decimal::Decimal;
//!
//! let (store, catalog) = demo::food_truck(false);
//! let mut ticket = Ticket::new(store.rules);
//! for id in ["classic-burger", "fries", "cola"] {
//!     let product = catalog.product(id).unwrap();
//!     let tax = catalog.tax_category(&product.tax_category).unwrap();
//!     ticket.add(product, tax, &[], Decimal::ONE).unwrap();
//! }
//! let totals = ticket.totals();
//! assert_eq!(totals.total.to_string(), "14.50");
//!
//! let mut payment = Payment::new(totals.total, store.rules);
//! payment.add_cash(Decimal::from(50)).unwrap();
//! assert_eq!(payment.change().to_string(), "35.50");
//!
//! let receipt = ReceiptNumber { device_code: "T1".into(), sequence: 1 };
//! let sale = ticket.complete(&payment, uuid::Uuid::nil(), receipt, 0).unwrap();
//! assert_eq!(sale.receipt_number().to_string(), "T1-000001");
//! ```

mod catalog;
pub mod customer;
pub mod demo;
mod docs;
pub mod gift_card;
pub mod loyalty;
mod money;
mod returns;
mod sale;
pub mod shift;
mod spreadsheet;
pub mod staff;
mod store;
mod stored_value;
pub mod sync;
mod tax;
mod tender;
mod ticket;
mod tip;

pub use catalog::{
    BarcodeError, Catalog, CatalogEdit, CatalogError, Category, Choice, ChoiceError, ImportPreview,
    ImportProblem, ImportProgress, ImportSteps, MAX_CATALOG_PRICE, Modifier, ModifierGroup,
    Product, RowError, RowKind, SearchIndex, Sellable, Unit, Variant, check_barcode, export_csv,
    preview_csv, preview_csv_steps, with_check_digit,
};
pub use docs::{
    Actor, BusinessDay, CatalogDoc, CustomersDoc, DayEntry, DaySummary, DayTenders, DeviceEntry,
    DeviceShift, DocChunk, DocError, DocKind, DocRole, DocWrite, DocumentId, Month, MonthIndex,
    PartOfGiftCardBlock, PriceConflict, Recorded, Refund, RefundTender, ReturnLine, SCHEMA_VERSION,
    SalesDay, SettingsDoc, SharedDocument, StockCount, StockMovement, StockPeriod, StoreDaySummary,
    StoreDocs, Void, chunk_prefix, previous_month, sync_in_memory, sync_state_key,
};
pub use money::{CashRounding, Currency, allocate, round_to_increment};
pub use returns::{ExcessReturn, LineReturns, ReturnError, ReturnLedger, TenderBalance};
pub use sale::{Cashier, CompleteError, ReceiptNumber, RefundSplit, Sale, SalePoints};
pub use store::{DEFAULT_GIFT_CARD_OFFLINE_CAP, PricingRules, Store, StoreLogo};
pub use stored_value::OfflineAllowance;
pub use tax::presets::{PresetName, PresetTaxCategory, TaxPreset, tax_preset, tax_presets};
pub use tax::{TaxBreakdown, TaxCategory, TaxCategoryError, TaxPricing, TaxRounding};
pub use tender::{CardApproval, Payment, Tender, TenderError, suggested_cash};
pub use ticket::{
    Discount, GIFT_CARD_PRODUCT, LineId, LineTotals, MAX_DISCOUNT_AMOUNT, MAX_QUANTITY,
    MAX_UNIT_PRICE, Ticket, TicketError, TicketLine, Totals,
};
pub use tip::{MAX_TIP_PERCENT, MAX_TIP_PRESETS, Tip, TipError, TipPreset};

/// Re-exported so the app, the server and tests name the same Automerge as the documents.
pub use automerge;
/// Re-exported so callers name the same `Decimal` and `Uuid` as core.
pub use rust_decimal::Decimal;
pub use uuid::Uuid;
