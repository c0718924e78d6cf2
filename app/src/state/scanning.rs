//! What a scan does: the code from any scanner (keyboard wedge, HID-POS, camera) adds its product
//! to the open ticket, from any screen, unless the ticket is being paid; with a gift card dialog
//! open, a gift card number fills its field.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_devices::ReceiptQr;

use super::{AppState, Notice, Screen};
use crate::i18n::Msg;
use crate::scanner::{OnScanner, ScannerEvent};

impl AppState {
    /// Where the scanners report to.
    pub fn on_scanner(&self) -> OnScanner {
        let state = *self;
        Rc::new(move |event| match event {
            ScannerEvent::Scanned(code) => state.scanned(&code),
            ScannerEvent::Opened(name) => state.hid_scanner.set(Some(name)),
        })
    }

    /// A code from any scanner: a receipt's QR code or barcode opens that sale (for a return or
    /// a reprint); a customer card's code attaches its customer to the open ticket; any other
    /// code adds its product to the open ticket. Neither while a payment
    /// is open.
    pub fn scanned(&self, code: &str) {
        // A gift card dialog open for a card number takes a scanned one.
        if self.scanned_gift_card(code) {
            return;
        }
        if self.payment.with_untracked(Option::is_some) {
            // The total is being paid: adding to it now would change what the customer pays.
            self.notice
                .set(Some(Notice::Error(Msg::ScanWhilePaying, Vec::new())));
            return;
        }
        if self.last_sale.with_untracked(Option::is_some) {
            self.new_sale();
        }
        if let Some(receipt) = self.scanned_receipt(code) {
            return self.open_receipt(receipt);
        }
        // A customer card (`C-` and 12 hex digits) attaches its customer to the ticket.
        if self.scanned_customer_card(code) {
            if self.screen.get_untracked() != Screen::Register {
                self.screen.set(Screen::Register);
            }
            return;
        }
        if self.screen.get_untracked() != Screen::Register {
            self.viewed_sale.set(None);
            self.screen.set(Screen::Register);
        }
        self.add_by_code(code);
    }

    /// The receipt `code` names: a receipt's QR code, or its barcode (the receipt number) when
    /// no product has that code. `None` for a product's code.
    fn scanned_receipt(&self, code: &str) -> Option<ScannedReceipt> {
        let code = code.trim();
        if code.starts_with(ReceiptQr::PREFIX) {
            return Some(match ReceiptQr::parse(code) {
                Ok(qr) => ScannedReceipt::Sale(qr.id),
                Err(_) => ScannedReceipt::NotOurs,
            });
        }
        let number = pos_core::ReceiptNumber::parse(code)?;
        let a_product = self
            .catalog
            .with_untracked(|c| c.choice_for_code(code).is_some());
        (!a_product).then_some(ScannedReceipt::Number(number.to_string()))
    }

    /// Shows the sale of a scanned receipt, where it can be returned or printed again.
    fn open_receipt(&self, receipt: ScannedReceipt) {
        let (lookup, shown) = match receipt {
            ScannedReceipt::NotOurs => {
                return self.error(Msg::NotOurReceiptCode);
            }
            ScannedReceipt::Sale(id) => (Lookup::Id(id), id.to_string()),
            ScannedReceipt::Number(number) => (Lookup::Number(number.clone()), number),
        };
        let state = *self;
        spawn_local(async move {
            let found = match lookup {
                Lookup::Id(id) => state.storage().find_sale(id).await,
                Lookup::Number(number) => state.storage().find_by_receipt(number).await,
            };
            match found {
                Ok(Some(sale)) => {
                    state.screen.set(Screen::Sales);
                    state.viewed_sale.set(Some(sale));
                }
                Ok(None) => state.notice.set(Some(Notice::Error(
                    Msg::NoSuchReceipt,
                    vec![("number", shown)],
                ))),
                Err(e) => state.notice.set(Some(super::storage_notice(&e))),
            }
        });
    }
}

/// What a scanned code says about a receipt.
enum ScannedReceipt {
    /// A receipt's QR code: the sale's id.
    Sale(pos_core::Uuid),
    /// A receipt's barcode: its number.
    Number(String),
    /// Looks like our QR code and is not one.
    NotOurs,
}

enum Lookup {
    Id(pos_core::Uuid),
    Number(String),
}
