//! What a scan does: the code from any scanner (keyboard wedge, HID-POS, camera) adds its product
//! to the open ticket, from any screen, unless the ticket is being paid.

use std::rc::Rc;

use leptos::prelude::*;

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

    /// A code from any scanner: added to the open ticket.
    pub fn scanned(&self, code: &str) {
        if self.payment.with_untracked(Option::is_some) {
            // The total is being paid: adding to it now would change what the customer pays.
            self.notice
                .set(Some(Notice::Error(Msg::ScanWhilePaying, Vec::new())));
            return;
        }
        if self.last_sale.with_untracked(Option::is_some) {
            self.new_sale();
        }
        if self.screen.get_untracked() != Screen::Register {
            self.viewed_sale.set(None);
            self.screen.set(Screen::Register);
        }
        self.add_by_code(code);
    }
}
