//! The register's state as signals, and the actions the screens call. Rules live in core: an
//! action calls a core method and shows the error it returns; nothing here computes money.
//! One effect saves the open ticket after every edit; a sale is shown as paid only after
//! storage has committed it.

mod catalog;
pub mod customers;
pub mod enroll;
pub mod exchange;
pub mod gift_card_desk;
pub mod gift_cards;
pub mod loyalty;
pub mod kitchen;
pub use catalog::Choosing;
pub mod printing;
pub mod reconcile;
pub mod refund;
mod scanning;
pub mod shift;
pub mod staff;
mod store;
pub mod store_day;
pub mod terminal;

use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{
    CardApproval, Catalog, Decimal, Discount, LineId, Payment, PriceConflict, Sale, Store,
    TenderError, Ticket, TicketError, Uuid,
};
use pos_core::staff::Permission;

use crate::engine_link::EngineLink;
use crate::i18n::Lang;
use crate::i18n::Msg;
use crate::storage::{Exchange, Membership, OpenTicket, PendingPayment, Storage, StorageError};
use crate::sync::{self, SyncStatus};
use crate::terminal::{Progress, TerminalSettings};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Register,
    Sales,
    /// The store's customers: find, create, edit, merge, export, erase (issue 14).
    Customers,
    Settings,
    /// The store's products, categories, modifiers and taxes.
    Menu,
    /// The drawer's shift: float, cash in and out, X and Z reports.
    Shift,
    /// Every device's shifts of a day and the store-wide summary, for the owner.
    StoreDay,
    /// The manager's gift card desk: a card's history, deactivation, the store's liability.
    GiftCards,
    /// Creating the store with the server's setup code (`#/setup?code=`).
    Setup,
    /// Joining a store with a pairing code (`#/pair?code=`).
    Join,
}

/// A message for the cashier, in the language of the moment it is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Error(Msg, Vec<(&'static str, String)>),
    /// A failure whose cause is developer text (the browser's or a device's words, in English):
    /// the cashier reads the message, the cause waits under "Details" for whoever debugs it.
    Fault(Msg, String),
    Info(Msg),
    /// Something went well, with details.
    Done(Msg, Vec<(&'static str, String)>),
}

/// Whether the sync server answered the last time we asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Checking,
    Online,
    Offline,
}

#[derive(Clone, Copy)]
pub struct AppState {
    pub lang: RwSignal<Lang>,
    pub screen: RwSignal<Screen>,
    pub store: RwSignal<Store>,
    pub catalog: RwSignal<Catalog>,
    /// False while `catalog` holds only the first screen of products, at start: the rest is read
    /// after the first paint. Whatever would keep or share the catalog waits for it.
    pub catalog_whole: RwSignal<bool>,
    pub ticket: RwSignal<Ticket>,
    /// Set while the payment dialog is open.
    pub payment: RwSignal<Option<PendingPayment>>,
    pub saving: RwSignal<bool>,
    /// A device that joined a store waits for the store's settings to claim a receipt-number
    /// prefix no other device uses; no sale is kept before, so no number is printed twice.
    pub receipt_prefix_pending: RwSignal<bool>,
    pub last_sale: RwSignal<Option<Sale>>,
    /// The sale whose receipt is open from the sales list.
    pub viewed_sale: RwSignal<Option<Sale>>,
    pub recent_sales: RwSignal<Vec<Sale>>,
    /// False once the last page of sales has been read.
    pub more_sales: RwSignal<bool>,
    pub device_code: RwSignal<String>,
    pub notice: RwSignal<Option<Notice>>,
    pub connection: RwSignal<Connection>,
    /// This device's store, once it created or joined one.
    pub membership: RwSignal<Option<Membership>>,
    pub sync: RwSignal<SyncStatus>,
    /// Stock levels of counted products, by SKU.
    pub stock: RwSignal<BTreeMap<String, Decimal>>,
    pub price_conflicts: RwSignal<Vec<PriceConflict>>,
    /// The setup or pairing code from the address the device was opened with.
    pub enroll_code: RwSignal<String>,
    /// The card terminal as set up in Settings.
    pub terminal: RwSignal<TerminalSettings>,
    /// What the terminal is doing while it works on an operation; `None` when idle.
    pub card_progress: RwSignal<Option<Progress>>,
    /// The terminal's receipt lines of the last card payment, for our printer.
    pub terminal_print: RwSignal<Vec<String>>,
    /// The refunds kept on this device by sale, started or completed (`refund.rs`).
    pub refunds: RwSignal<refund::SaleRefunds>,
    /// The refund this tab recorded last, for the dialog that shows it done.
    pub last_refund: RwSignal<Option<Uuid>>,
    /// What the terminal is doing for a refund; `None` when no refund step runs.
    pub refund_progress: RwSignal<Option<Progress>>,
    /// The sale whose refund dialog is open.
    pub refunding: RwSignal<Option<Sale>>,
    /// Goods brought back to be exchanged: their credit pays the open ticket.
    pub exchange: RwSignal<Option<Exchange>>,
    /// The HID-POS scanner listened to, by name.
    pub hid_scanner: RwSignal<Option<String>>,
    /// Whether the camera scanner is open.
    pub camera_open: RwSignal<bool>,
    /// The product whose variant, modifiers or price is being chosen before it is added.
    pub choosing: RwSignal<Option<Choosing>>,
    pub printer: printing::Printer,
    /// Who works the till, and what they may do.
    pub staff: staff::Staff,
    /// The drawer's shifts on this device.
    pub shifts: shift::Shifts,
    /// The store's day shown to the owner: every device's shifts and sales.
    pub store_days: store_day::StoreDays,
    /// Gift cards being sold or redeemed (`gift_cards.rs`).
    pub gift_cards: gift_cards::GiftCards,
    /// The attached customer's loyalty points and the points outbox (`loyalty.rs`).
    pub loyalty: loyalty::Loyalty,
    /// The manager's gift card desk (`gift_card_desk.rs`).
    pub gift_card_desk: gift_card_desk::GiftCardDesk,
    /// The store's customers, and the one attached to the open ticket.
    pub customers: customers::Customers,
    storage: StoredValue<Rc<dyn Storage>, LocalStorage>,
    engine: StoredValue<Option<EngineLink>, LocalStorage>,
}

pub const RECENT_SALES_PAGE: usize = 50;

/// The cashier-facing message for a storage failure.
pub fn storage_notice(error: &StorageError) -> Notice {
    match error {
        StorageError::QuotaExceeded => Notice::Error(Msg::StorageFull, Vec::new()),
        StorageError::Blocked => Notice::Error(Msg::StorageBlocked, Vec::new()),
        StorageError::Sale(e) => Notice::Error(crate::core_errors::sale_msg(e), Vec::new()),
        StorageError::Failed(detail) => not_saved(detail),
    }
}

/// A change that was not kept (a write, or the store's documents refusing it); `detail` is
/// the browser's or the engine's reason, for "Details".
pub fn not_saved(detail: impl ToString) -> Notice {
    Notice::Fault(Msg::NotSaved, detail.to_string())
}

impl AppState {
    pub fn new(
        lang: Lang,
        store: Store,
        catalog: Catalog,
        open: Option<OpenTicket>,
        device_code: String,
        storage: Rc<dyn Storage>,
    ) -> AppState {
        let (ticket, payment, customer) = match open {
            Some(open) => (open.ticket, open.payment, open.customer),
            None => (Ticket::new(store.rules), None, None),
        };
        let customers = customers::Customers::new();
        customers.on_ticket.set(customer);
        AppState {
            lang: RwSignal::new(lang),
            screen: RwSignal::new(Screen::Register),
            ticket: RwSignal::new(ticket),
            store: RwSignal::new(store),
            catalog: RwSignal::new(catalog),
            catalog_whole: RwSignal::new(true),
            payment: RwSignal::new(payment),
            saving: RwSignal::new(false),
            receipt_prefix_pending: RwSignal::new(false),
            last_sale: RwSignal::new(None),
            viewed_sale: RwSignal::new(None),
            recent_sales: RwSignal::new(Vec::new()),
            more_sales: RwSignal::new(false),
            device_code: RwSignal::new(device_code),
            notice: RwSignal::new(None),
            connection: RwSignal::new(Connection::Checking),
            membership: RwSignal::new(None),
            sync: RwSignal::new(SyncStatus::default()),
            stock: RwSignal::new(BTreeMap::new()),
            price_conflicts: RwSignal::new(Vec::new()),
            enroll_code: RwSignal::new(String::new()),
            terminal: RwSignal::new(TerminalSettings::default()),
            card_progress: RwSignal::new(None),
            terminal_print: RwSignal::new(Vec::new()),
            refunds: RwSignal::new(refund::SaleRefunds::default()),
            last_refund: RwSignal::new(None),
            refund_progress: RwSignal::new(None),
            refunding: RwSignal::new(None),
            exchange: RwSignal::new(None),
            hid_scanner: RwSignal::new(None),
            camera_open: RwSignal::new(false),
            choosing: RwSignal::new(None),
            printer: printing::Printer::new(),
            staff: staff::Staff::new(),
            shifts: shift::Shifts::new(),
            store_days: store_day::StoreDays::new(),
            gift_cards: gift_cards::GiftCards::new(),
            loyalty: loyalty::Loyalty::new(),
            gift_card_desk: gift_card_desk::GiftCardDesk::new(),
            customers,
            storage: StoredValue::new_local(storage),
            engine: StoredValue::new_local(None),
        }
    }

    /// Saves the open ticket whenever it or its payment changes. The write waits until the frame
    /// showing the edit is painted, so a tap is never slowed by storage; edits made within one
    /// frame are saved once. IndexedDB queues the writes in order, so the last one is the last edit.
    pub fn persist_open_ticket(&self) {
        let state = *self;
        let latest: StoredValue<Option<OpenTicket>, LocalStorage> = StoredValue::new_local(None);
        Effect::new(move |first: Option<()>| {
            let open = OpenTicket {
                ticket: state.ticket.get(),
                payment: state.payment.get(),
                customer: state.customers.on_ticket.get(),
            };
            if first.is_none() {
                return;
            }
            let already_scheduled = latest.with_value(Option::is_some);
            latest.set_value(Some(open));
            if already_scheduled {
                return;
            }
            request_animation_frame(move || {
                set_timeout(
                    move || {
                        let Some(open) = latest.try_update_value(Option::take).flatten() else {
                            return;
                        };
                        let storage = state.storage.get_value();
                        spawn_local(async move {
                            if let Err(e) = storage.save_open_ticket(open).await {
                                state.notice.set(Some(storage_notice(&e)));
                            }
                        });
                    },
                    std::time::Duration::ZERO,
                )
            });
        });
    }

    pub fn storage(&self) -> Rc<dyn Storage> {
        self.storage.get_value()
    }

    /// Saves the open ticket and its payment now, for a step that must be durable before the
    /// next one (a card amount in flight before the terminal is asked).
    pub async fn save_open_ticket_now(&self) -> Result<(), StorageError> {
        let open = OpenTicket {
            ticket: self.ticket.get_untracked(),
            payment: self.payment.get_untracked(),
            customer: self.customers.on_ticket.get_untracked(),
        };
        self.storage.get_value().save_open_ticket(open).await
    }

    pub fn t(&self, msg: Msg) -> &'static str {
        msg.text(self.lang.get())
    }

    pub fn error(&self, msg: Msg) {
        self.notice.set(Some(Notice::Error(msg, Vec::new())));
    }

    /// Adds the product whose barcode or SKU is `code`; says so when there is none. A code scanned
    /// while the catalog is still being read is looked up again once it is whole.
    pub fn add_by_code(&self, code: &str) -> bool {
        let found = self.catalog.with_untracked(|c| {
            c.choice_for_code(code)
                .map(|(p, choice)| (p.clone(), choice))
        });
        match found {
            Some((product, choice)) => {
                self.add_or_ask(&product, choice);
                true
            }
            None if !self.catalog_whole.get_untracked() => {
                let state = *self;
                let code = code.to_string();
                spawn_local(async move {
                    while !state.catalog_whole.get_untracked() {
                        crate::browser::sleep(50).await;
                    }
                    state.add_by_code(&code);
                });
                true
            }
            None => {
                self.notice.set(Some(Notice::Error(
                    Msg::NoProductWithCode,
                    vec![("code", code.trim().to_string())],
                )));
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
        let Some(modifier) = catalog.modifier(modifier_id).cloned() else {
            return;
        };
        let Some(product_id) = self
            .ticket
            .read_untracked()
            .line(line)
            .map(|l| l.product_id.clone())
        else {
            return;
        };
        let offered = catalog
            .product_of_line(&product_id)
            .map(|p| p.modifiers.clone())
            .unwrap_or_default();
        self.edit_ticket(|t| t.toggle_modifier(line, &modifier, &offered));
    }

    /// A discount above the store's limit asks for a manager first (`staff.rs`).
    pub fn set_line_discount(&self, line: LineId, discount: Option<Discount>) {
        let base = self.ticket.with_untracked(|t| {
            t.line(line)
                .map(|l| l.unit_price_with_modifiers() * l.quantity)
        });
        let state = *self;
        self.guard_discount(discount, base.unwrap_or_default(), move || {
            state.edit_ticket(|t| t.set_line_discount(line, discount))
        });
    }

    pub fn set_order_discount(&self, discount: Option<Discount>) {
        let base = self.ticket.with_untracked(|t| {
            let totals = t.totals();
            totals.subtotal - totals.line_discounts
        });
        let state = *self;
        self.guard_discount(discount, base, move || {
            state.edit_ticket(|t| t.set_order_discount(discount))
        });
    }

    /// Sells a line at a price typed at the till, once someone who may change prices allows it;
    /// the audit log keeps the product's own price beside the new one.
    pub fn override_price(&self, line: LineId, price: Decimal) {
        let Some((product, shelf, now)) = self.ticket.with_untracked(|t| {
            t.line(line)
                .map(|l| (l.name.clone(), l.shelf_price.unwrap_or(l.unit_price), l.unit_price))
        }) else {
            return self.error(Msg::LineGone);
        };
        if price == now {
            return;
        }
        // A price the ticket would refuse is said at once, before anyone is asked for a PIN.
        if let Err(e) = self.ticket.with_untracked(|t| t.clone().set_unit_price(line, price)) {
            return self.ticket_error(e);
        }
        let state = *self;
        self.protected(Permission::PriceOverride, move |approved_by| {
            state.edit_ticket(|t| t.set_unit_price(line, price));
            let action = pos_core::staff::AuditAction::PriceOverride {
                product,
                shelf,
                price,
            };
            state.record_audit(action, approved_by);
        });
    }

    fn ticket_error(&self, e: TicketError) {
        self.error(crate::core_errors::ticket_msg(&e));
    }

    pub fn start_payment(&self) {
        if self.ticket.with_untracked(Ticket::is_empty) {
            return;
        }
        let mut opened_shift = false;
        if self.store.with_untracked(|s| s.shift_required) && self.shifts.open().is_none() {
            if !self.store.with_untracked(|s| s.shift_opens_itself) {
                return self.error(Msg::ShiftNeededToSell);
            }
            // The store lets the first sale open the shift: the drawer is taken as empty.
            let currency = self.store.with_untracked(|s| s.rules.currency);
            match pos_core::shift::CashCount::amount(currency, Decimal::ZERO) {
                Ok(empty) => self.open_shift(empty),
                Err(_) => return self.error(Msg::ShiftNeededToSell),
            }
            opened_shift = true;
        }
        let ticket = self.ticket.read_untracked();
        let mut payment = Payment::new(ticket.totals().total, *ticket.rules());
        drop(ticket);
        let exchange = self.exchange.get_untracked();
        if let Some(exchange) = &exchange {
            // The goods brought back pay first; what they do not cover is paid as usual.
            if let Err(e) = payment.add_exchange_credit(exchange.refund.id, exchange.refund.amount) {
                return self.tender_error(e);
            }
        }
        // The card terminal's slip belongs to one payment only.
        self.terminal_print.set(Vec::new());
        let training = self.terminal.with_untracked(TerminalSettings::is_training);
        self.payment.set(Some(PendingPayment {
            sale_id: Uuid::now_v7(),
            payment,
            training,
            card_in_flight: None,
            reversal_in_flight: None,
            cashier: self.staff.member_now().map(|m| pos_core::Cashier {
                id: m.id,
                name: m.name,
            }),
            exchange,
            gift_card_in_flight: None,
            points_in_flight: None,
            points_rule: None,
            points_before: None,
            customer: self.customers.on_ticket.get_untracked(),
        }));
        self.notice.set(opened_shift.then_some(Notice::Info(Msg::ShiftOpenedBySale)));
    }

    /// Closes the payment dialog; refused while tenders are recorded, because that money was
    /// taken (core says which: a card the terminal charged needs a reversal on the terminal).
    pub fn cancel_payment(&self) {
        if self.card_with_terminal() {
            return self.error(Msg::TerminalStillOpen);
        }
        // A gift card redemption the server may have recorded: its answer comes first.
        if self
            .payment
            .with_untracked(|p| {
                p.as_ref()
                    .is_some_and(|p| p.gift_card_in_flight.is_some() || p.points_in_flight.is_some())
            })
        {
            return self.error(Msg::GiftCardStillAsking);
        }
        let allowed = self
            .payment
            .with_untracked(|p| p.as_ref().map(|p| p.payment.can_cancel()));
        match allowed {
            Some(Ok(())) => self.payment.set(None),
            Some(Err(TenderError::ApprovedOnTerminal)) => self.error(Msg::CancelNeedsReversal),
            Some(Err(e)) => self.tender_error(e),
            None => {}
        }
    }

    /// Whether a card operation is with the terminal (sent, or its answer not recorded yet).
    fn card_with_terminal(&self) -> bool {
        self.payment
            .with_untracked(|p| p.as_ref().is_some_and(|p| p.card_in_flight.is_some()))
            || self.card_progress.with_untracked(Option::is_some)
    }

    pub fn add_cash(&self, tendered: Decimal) {
        self.tender(|p| p.add_cash(tendered));
    }

    pub fn add_card(&self, amount: Decimal, approval: CardApproval) {
        self.tender(|p| p.add_card(amount, approval));
    }

    /// Cash that settles the payment with `tip` kept from the change, for the cashier.
    pub fn add_cash_with_tip(&self, tendered: Decimal, tip: Decimal) {
        self.tender(|p| p.add_cash_with_tip(tendered, tip, None));
    }

    /// A card on a standalone terminal charged `amount` of the ticket and `tip` on top.
    pub fn add_card_with_tip(&self, amount: Decimal, tip: Decimal, approval: CardApproval) {
        self.tender(|p| p.add_card_with_tip(amount, tip, approval, None));
    }

    /// Takes back the last tender, as core allows: a card the terminal charged is refused (it
    /// goes back through "Reverse on the terminal", `terminal::reverse`).
    pub fn undo_tender(&self) {
        if self.saving.get_untracked() {
            return;
        }
        if self.card_with_terminal() {
            return self.error(Msg::TerminalStillOpen);
        }
        let result = self
            .payment
            .try_update(|p| p.as_mut().map(|p| p.payment.undo_last()))
            .flatten();
        match result {
            Some(Ok(_)) | Some(Err(TenderError::NothingToUndo)) => self.notice.set(None),
            Some(Err(e)) => self.tender_error(e),
            None => {}
        }
    }

    fn tender(&self, take: impl FnOnce(&mut Payment) -> Result<(), TenderError>) {
        if self.saving.get_untracked() {
            return;
        }
        self.take_tender(|p| take(&mut p.payment));
    }

    /// Records a tender on the open payment (`take` may clear what was in flight for it, in the
    /// same update the open ticket's effect saves); a payment it settles is completed.
    pub(super) fn take_tender(
        &self,
        take: impl FnOnce(&mut PendingPayment) -> Result<(), TenderError>,
    ) {
        let result = self.payment.try_update(|p| p.as_mut().map(take)).flatten();
        match result {
            Some(Ok(())) => {
                self.notice.set(None);
                if self
                    .payment
                    .with_untracked(|p| p.as_ref().is_some_and(|p| p.payment.is_paid()))
                {
                    self.complete_sale();
                }
            }
            Some(Err(e)) => self.tender_error(e),
            None => {}
        }
    }

    pub fn tender_error(&self, e: TenderError) {
        self.error(crate::core_errors::tender_msg(&e));
    }

    /// Hands the paid ticket to storage. Only when storage says the sale is committed does the
    /// screen say it is paid; on failure the ticket and its tenders stay as they were, and a retry
    /// commits the same sale id, so it can never be kept twice.
    pub fn complete_sale(&self) {
        let Some(pending) = self.payment.get_untracked() else {
            return;
        };
        if !pending.payment.is_paid() || self.saving.get_untracked() {
            return;
        }
        if self.receipt_prefix_pending.get_untracked() {
            return self.error(Msg::WaitingForReceiptPrefix);
        }
        let mut pending = pending;
        if let Some(exchange) = &mut pending.exchange {
            // What the credit leaves over goes back through the first sale's tenders: a card
            // part as any refund's card part would.
            match refund::card_method(*self, &exchange.sale, false) {
                Ok(method) => exchange.card_method = method,
                Err(msg) => return self.error(msg),
            }
        }
        (pending.points_rule, pending.points_before) = loyalty::earning(*self);
        self.saving.set(true);
        let ticket = self.ticket.get_untracked();
        let state = *self;
        let storage = self.storage.get_value();
        let at_ms = js_sys::Date::now() as i64;
        let store = self
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.store_id));
        spawn_local(async move {
            let exchange = pending.exchange.clone().map(|exchange| {
                let record = exchange.record(pending.payment.exchange_credit(), at_ms);
                (exchange.sale, record)
            });
            // The sale and its outbox entry (and an exchange's refund) in one transaction; the
            // documents follow from it.
            let result = storage.commit_sale(ticket, pending, at_ms, store).await;
            if store.is_some() && result.is_ok() {
                sync::announce_outbox();
                // The gift cards it sold, activated on the server now rather than at the next turn.
                gift_cards::flush_soon(state);
                loyalty::flush_soon(state);
            }
            state.saving.set(false);
            match result {
                Ok(sale) => {
                    let rules = state.store.with_untracked(|s| s.rules);
                    state.ticket.set(Ticket::new(rules));
                    state.payment.set(None);
                    state.customers.on_ticket.set(None);
                    state.recent_sales.update(|list| {
                        if !list.iter().any(|s| s.id() == sale.id()) {
                            list.insert(0, sale.clone());
                        }
                    });
                    // Shown over the register, which stays mounted for the next sale.
                    state.last_sale.set(Some(sale.clone()));
                    crate::announce_sale();
                    // Only now, with the sale durable: printing can fail without touching it.
                    state.after_sale(&sale);
                    if let Some((first_sale, record)) = exchange {
                        state.exchange.set(None);
                        exchange::exchange_kept(state, first_sale, record);
                    }
                }
                // Any failure of this write is a sale not saved, with the ticket still open.
                Err(StorageError::Failed(detail)) => state
                    .notice
                    .set(Some(Notice::Fault(Msg::SaleFailed, detail))),
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    pub fn new_sale(&self) {
        self.last_sale.set(None);
    }

    /// Reads the newest page of sales, or the next older page when `more`.
    pub fn load_sales(&self, more: bool) {
        let state = *self;
        let storage = self.storage.get_value();
        let before = if more {
            self.recent_sales.with_untracked(|s| s.last().map(Sale::id))
        } else {
            None
        };
        spawn_local(async move {
            match storage.recent_sales(before, RECENT_SALES_PAGE).await {
                Ok(page) => {
                    state.more_sales.set(page.len() == RECENT_SALES_PAGE);
                    if more {
                        state.recent_sales.update(|list| list.extend(page));
                    } else {
                        state.recent_sales.set(page);
                    }
                }
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Finds a past sale by its receipt number; a bare number means this device's receipt.
    pub fn find_sale(&self, query: String) {
        let query = query.trim().to_uppercase();
        if query.is_empty() {
            return;
        }
        let receipt = match query.parse::<u64>() {
            Ok(n) => format!("{}-{n:06}", self.device_code.get_untracked()),
            Err(_) => query.clone(),
        };
        let state = *self;
        let storage = self.storage.get_value();
        spawn_local(async move {
            match storage.find_by_receipt(receipt).await {
                Ok(Some(sale)) => state.viewed_sale.set(Some(sale)),
                Ok(None) => state.notice.set(Some(Notice::Error(
                    Msg::NoSuchReceipt,
                    vec![("number", query)],
                ))),
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Reads the refunds kept on this device (its own, and those other devices recorded for
    /// sales listed here) into the sales list.
    pub fn load_refunds(&self) {
        let state = *self;
        spawn_local(async move {
            match state.storage().load_refunds().await {
                Ok(records) => state.refunds.set(refund::SaleRefunds::new(records)),
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_failure_keeps_the_browsers_words_out_of_the_message() {
        let notices = [
            storage_notice(&StorageError::QuotaExceeded),
            storage_notice(&StorageError::Blocked),
            storage_notice(&StorageError::Sale(pos_core::CompleteError::EmptyTicket)),
            storage_notice(&StorageError::Failed("UnknownError: IO".into())),
        ];
        let msgs = notices.iter().map(|notice| match notice {
            Notice::Error(msg, args) => {
                assert!(args.is_empty(), "{notice:?}");
                *msg
            }
            Notice::Fault(msg, detail) => {
                assert_eq!(detail, "UnknownError: IO");
                *msg
            }
            Notice::Info(_) | Notice::Done(..) => panic!("{notice:?} is not an error"),
        });
        crate::i18n::assert_translated(msgs.collect::<Vec<_>>());
    }
}
