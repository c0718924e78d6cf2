//! The register's state as signals, and the actions the screens call. Rules live in core: an
//! action calls a core method and shows the error it returns; nothing here computes money.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{
    CardApproval, Catalog, Decimal, Discount, LineId, Payment, Product, Sale, Store, TenderError, Ticket, TicketError, Uuid,
};

use crate::i18n::{Lang, Msg};
use crate::storage::{Storage, StorageError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Register,
    /// The sale just completed, with its change and receipt.
    Completed,
    Sales,
    Settings,
}

/// A message for the cashier, in the language of the moment it is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Error(Msg, Vec<(&'static str, String)>),
    Info(Msg),
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub screen: RwSignal<Screen>,
    pub store: RwSignal<Store>,
    pub catalog: RwSignal<Catalog>,
    pub ticket: RwSignal<Ticket>,
    /// Set while the payment dialog is open.
    pub payment: RwSignal<Option<Payment>>,
    pub saving: RwSignal<bool>,
    pub last_sale: RwSignal<Option<Sale>>,
    /// The sale whose receipt is open from the sales list.
    pub viewed_sale: RwSignal<Option<Sale>>,
    pub recent_sales: RwSignal<Vec<Sale>>,
    pub device_code: RwSignal<String>,
    pub notice: RwSignal<Option<Notice>>,
    storage: StoredValue<Rc<dyn Storage>, LocalStorage>,
}

pub const RECENT_SALES_PAGE: usize = 50;

impl AppState {
    pub fn new(lang: Lang, store: Store, catalog: Catalog, device_code: String, storage: Rc<dyn Storage>) -> AppState {
        AppState {
            lang: RwSignal::new(lang),
            screen: RwSignal::new(Screen::Register),
            ticket: RwSignal::new(Ticket::new(store.rules)),
            store: RwSignal::new(store),
            catalog: RwSignal::new(catalog),
            payment: RwSignal::new(None),
            saving: RwSignal::new(false),
            last_sale: RwSignal::new(None),
            viewed_sale: RwSignal::new(None),
            recent_sales: RwSignal::new(Vec::new()),
            device_code: RwSignal::new(device_code),
            notice: RwSignal::new(None),
            storage: StoredValue::new_local(storage),
        }
    }

    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang.get())
    }

    pub fn error(&self, msg: Msg) {
        self.notice.set(Some(Notice::Error(msg, Vec::new())));
    }

    pub fn add_product(&self, product: &Product) {
        let catalog = self.catalog.read_untracked();
        let Some(tax) = catalog.tax_category(&product.tax_category) else {
            return self.ticket_error(TicketError::UnknownTaxCategory);
        };
        let result = self.ticket.try_update(|t| t.add(product, tax, &[], Decimal::ONE)).expect("ticket signal alive");
        match result {
            Ok(_) => self.notice.set(None),
            Err(e) => self.ticket_error(e),
        }
    }

    /// Adds the product whose barcode or SKU is `code`; says so when there is none.
    pub fn add_by_code(&self, code: &str) -> bool {
        let product = self.catalog.read_untracked().by_code(code).cloned();
        match product {
            Some(p) => {
                self.add_product(&p);
                true
            }
            None => {
                self.notice.set(Some(Notice::Error(Msg::NoProductWithCode, vec![("code", code.trim().to_string())])));
                false
            }
        }
    }

    pub fn edit_ticket(&self, edit: impl FnOnce(&mut Ticket) -> Result<(), TicketError>) {
        match self.ticket.try_update(edit).expect("ticket signal alive") {
            Ok(()) => self.notice.set(None),
            Err(e) => self.ticket_error(e),
        }
    }

    pub fn toggle_modifier(&self, line: LineId, modifier_id: &str) {
        let catalog = self.catalog.read_untracked();
        let Some(modifier) = catalog.modifier(modifier_id).cloned() else { return };
        let Some(product_id) = self.ticket.read_untracked().line(line).map(|l| l.product_id.clone()) else { return };
        let offered = catalog.product(&product_id).map(|p| p.modifiers.clone()).unwrap_or_default();
        self.edit_ticket(|t| t.toggle_modifier(line, &modifier, &offered));
    }

    pub fn set_line_discount(&self, line: LineId, discount: Option<Discount>) {
        self.edit_ticket(|t| t.set_line_discount(line, discount));
    }

    pub fn set_order_discount(&self, discount: Option<Discount>) {
        self.edit_ticket(|t| t.set_order_discount(discount));
    }

    fn ticket_error(&self, e: TicketError) {
        self.error(match e {
            TicketError::InvalidQuantity => Msg::InvalidQuantity,
            TicketError::InvalidDiscount => Msg::InvalidDiscount,
            _ => Msg::InvalidNumber,
        });
    }

    pub fn start_payment(&self) {
        let ticket = self.ticket.read_untracked();
        if ticket.is_empty() {
            return;
        }
        self.payment.set(Some(Payment::new(ticket.totals().total, *ticket.rules())));
        self.notice.set(None);
    }

    /// Closes the payment dialog; refused while tenders are recorded, because that money was taken.
    pub fn cancel_payment(&self) {
        let has_tenders = self.payment.with_untracked(|p| p.as_ref().is_some_and(|p| !p.tenders().is_empty()));
        if has_tenders {
            self.error(Msg::CannotCancelWithTenders);
        } else {
            self.payment.set(None);
        }
    }

    pub fn add_cash(&self, tendered: Decimal) {
        self.tender(|p| p.add_cash(tendered));
    }

    pub fn add_card(&self, amount: Decimal, approval: CardApproval) {
        self.tender(|p| p.add_card(amount, approval));
    }

    pub fn undo_tender(&self) {
        self.payment.update(|p| {
            if let Some(p) = p {
                p.undo_last();
            }
        });
    }

    fn tender(&self, take: impl FnOnce(&mut Payment) -> Result<(), TenderError>) {
        let result = self.payment.try_update(|p| p.as_mut().map(take)).flatten();
        match result {
            Some(Ok(())) => {
                self.notice.set(None);
                if self.payment.with_untracked(|p| p.as_ref().is_some_and(Payment::is_paid)) {
                    self.complete_sale();
                }
            }
            Some(Err(e)) => self.tender_error(e),
            None => {}
        }
    }

    pub fn tender_error(&self, e: TenderError) {
        self.error(match e {
            TenderError::NonPositiveAmount => Msg::AmountMustBePositive,
            TenderError::CardExceedsRemaining => Msg::CardExceedsRemaining,
            TenderError::AlreadyPaid => Msg::AlreadyPaid,
            TenderError::InvalidAuthCode => Msg::InvalidAuthCode,
            TenderError::InvalidLastFour => Msg::InvalidLastFour,
        });
    }

    /// Hands the paid ticket to storage. Only when storage says the sale is kept does the screen
    /// say it is paid; on failure the ticket and its tenders stay as they were.
    pub fn complete_sale(&self) {
        let Some(payment) = self.payment.get_untracked() else { return };
        if self.saving.get_untracked() {
            return;
        }
        self.saving.set(true);
        let ticket = self.ticket.get_untracked();
        let state = *self;
        let storage = self.storage.get_value();
        let id = Uuid::now_v7();
        let at_ms = js_sys::Date::now() as i64;
        spawn_local(async move {
            let result = storage.commit_sale(ticket, payment, id, at_ms).await;
            state.saving.set(false);
            match result {
                Ok(sale) => {
                    let rules = state.store.with_untracked(|s| s.rules);
                    state.ticket.set(Ticket::new(rules));
                    state.payment.set(None);
                    state.recent_sales.update(|list| {
                        list.insert(0, sale.clone());
                        list.truncate(RECENT_SALES_PAGE);
                    });
                    state.last_sale.set(Some(sale));
                    state.screen.set(Screen::Completed);
                }
                Err(e) => {
                    let reason = match &e {
                        StorageError::Sale(e) => e.to_string(),
                        StorageError::Write(e) => e.clone(),
                    };
                    state.notice.set(Some(Notice::Error(Msg::SaleFailed, vec![("reason", reason)])));
                }
            }
        });
    }

    pub fn new_sale(&self) {
        self.last_sale.set(None);
        self.screen.set(Screen::Register);
    }

    pub fn load_recent_sales(&self) {
        let state = *self;
        let storage = self.storage.get_value();
        spawn_local(async move {
            match storage.recent_sales(0, RECENT_SALES_PAGE).await {
                Ok(sales) => state.recent_sales.set(sales),
                Err(e) => state.notice.set(Some(Notice::Error(Msg::SaleFailed, vec![("reason", e.to_string())]))),
            }
        });
    }

    /// Replaces the catalog (loading or removing the demo menu) and keeps it.
    pub fn replace_catalog(&self, store: Store, catalog: Catalog, done: Msg) {
        let state = *self;
        let storage = self.storage.get_value();
        self.store.set(store.clone());
        self.catalog.set(catalog.clone());
        if self.ticket.with_untracked(Ticket::is_empty) {
            self.ticket.set(Ticket::new(store.rules));
        }
        spawn_local(async move {
            match storage.save_catalog(store, catalog).await {
                Ok(()) => state.notice.set(Some(Notice::Info(done))),
                Err(e) => state.notice.set(Some(Notice::Error(Msg::SaleFailed, vec![("reason", e.to_string())]))),
            }
        });
    }
}
