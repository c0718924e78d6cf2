//! The printer's actions as the screens call them: print a sale's receipt (after the sale is
//! durable, never touching it), print again, the test page, add and forget a printer, open the
//! drawer with a reason and keep each opening in the audit. The driver they use is `printing.rs`.

use crate::i18n::Msg;
use crate::printing::*;
use crate::state::{AppState, storage_notice};
use crate::storage::{CardRefundMethod, DrawerOpening, DrawerReason, RefundRecord};
use crate::transport::{DeviceLink, Transport, TransportError};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{RefundSplit, Sale, Tender};
use pos_devices::{
    Align, BluetoothPacing, Cut, PrinterProfile, ReceiptCopy, ReceiptEncoder, ReceiptLanguage,
    ReceiptLayout, ReceiptOptions, RefundSlip,
};
use std::collections::VecDeque;
use std::rc::Rc;

/// The printer's signals, held in [`AppState`], and what the driver keeps between jobs.
#[derive(Clone, Copy)]
pub struct Printer {
    pub setup: RwSignal<Option<PrinterSetup>>,
    pub state: RwSignal<PrintState>,
    pub openings: RwSignal<Vec<DrawerOpening>>,
    link: StoredValue<Option<Rc<DeviceLink>>, LocalStorage>,
    /// The job that failed, kept for "Print again".
    failed_job: StoredValue<Option<PrintJob>, LocalStorage>,
    /// Jobs waiting for the one printing, so two receipts never interleave on the paper.
    queue: StoredValue<VecDeque<PrintJob>, LocalStorage>,
    busy: StoredValue<bool, LocalStorage>,
}

impl Printer {
    pub fn new() -> Printer {
        Printer {
            setup: RwSignal::new(None),
            state: RwSignal::new(PrintState::Idle),
            openings: RwSignal::new(Vec::new()),
            link: StoredValue::new_local(None),
            failed_job: StoredValue::new_local(None),
            queue: StoredValue::new_local(VecDeque::new()),
            busy: StoredValue::new_local(false),
        }
    }
}

impl AppState {
    /// The receipt layout of `sale`, for the screen and the printer alike.
    pub fn receipt_layout(&self, sale: &Sale, copy: ReceiptCopy, reprint: bool) -> ReceiptLayout {
        let options = self.receipt_options(sale, copy, reprint);
        self.store
            .with_untracked(|store| ReceiptLayout::from_sale(sale, store, &options))
    }

    /// How this store prints `copy` of `sale`'s receipt, and its refund slip.
    fn receipt_options(&self, sale: &Sale, copy: ReceiptCopy, reprint: bool) -> ReceiptOptions {
        self.store.with_untracked(|store| {
            let return_policy = store.return_policy.trim();
            ReceiptOptions {
                language: self.receipt_language(),
                copy,
                utc_offset_minutes: utc_offset_minutes(sale.completed_at_ms()),
                reprint,
                training: sale.is_training(),
                return_policy: (!return_policy.is_empty()).then(|| return_policy.to_string()),
                logo: store.logo.as_ref().and_then(crate::receipt_logo::bitmap),
                cashier: sale.cashier().map(|c| c.name.clone()),
                customer: sale
                    .customer()
                    .and_then(|id| self.customers.name_on_receipt(id)),
                ..ReceiptOptions::default()
            }
        })
    }

    /// The store's receipt language, else the language of this device's screen.
    pub fn receipt_language(&self) -> ReceiptLanguage {
        let chosen = self.store.with_untracked(|s| s.receipt_language.clone());
        let tag = if chosen.is_empty() {
            self.lang.get_untracked().tag().to_string()
        } else {
            chosen
        };
        ReceiptLanguage::from_tag(&tag)
    }

    /// Reads the recent drawer openings for settings.
    pub fn load_drawer_openings(&self) {
        let state = *self;
        let storage = self.storage();
        spawn_local(async move {
            if let Ok(list) = storage.drawer_openings(RECENT_OPENINGS).await {
                state.printer.openings.set(list);
            }
        });
    }

    /// Called once a sale is committed: prints the customer's receipt when the setting says
    /// so, and opens the drawer for a cash sale either way. Never touches the sale.
    pub fn after_sale(&self, sale: &Sale) {
        let Some(setup) = self.printer.setup.get_untracked() else {
            return;
        };
        let opening = has_cash(sale).then(|| DrawerReason::Sale {
            receipt: sale.receipt_number().to_string(),
        });
        if setup.print_after_sale {
            self.print_sale(sale, ReceiptCopy::Customer, false, true);
        } else if let Some(reason) = opening {
            self.run_print(PrintJob {
                bytes: drawer_kick(setup.profile()),
                opening: Some(reason),
            });
        }
    }

    /// Prints `copy` of `sale`: after the sale (with the drawer kick for cash when `kick`), or
    /// as a reprint from the list of sales (marked, and the drawer stays shut).
    pub fn print_sale(&self, sale: &Sale, copy: ReceiptCopy, reprint: bool, kick: bool) {
        let Some(setup) = self.printer.setup.get_untracked() else {
            return;
        };
        let mut layout = self.receipt_layout(sale, copy, reprint);
        // The card terminal's slip of the payment just taken goes on our receipt (ZVT print lines).
        if !reprint
            && copy == ReceiptCopy::Customer
            && sale
                .tenders()
                .iter()
                .any(|t| matches!(t, Tender::Card { .. }))
        {
            layout.append_terminal_slip(&self.terminal_print.get_untracked());
        }
        if !kick {
            layout
                .blocks
                .retain(|block| *block != pos_devices::ReceiptBlock::OpenDrawer);
        }
        let opening = layout
            .blocks
            .contains(&pos_devices::ReceiptBlock::OpenDrawer)
            .then(|| DrawerReason::Sale {
                receipt: sale.receipt_number().to_string(),
            });
        self.print_layout(&layout, &setup, opening);
    }

    /// Called once a refund is recorded: opens the drawer for its cash part (recorded in the
    /// audit with the reason), and prints the refund slip when receipts print after a sale.
    pub fn after_refund(&self, sale: &Sale, refund: &RefundRecord) {
        let Some(setup) = self.printer.setup.get_untracked() else {
            return;
        };
        let opening = (!refund.cash.is_zero()).then(|| DrawerReason::Refund {
            receipt: refund.receipt.clone(),
            reason: refund.reason.clone(),
        });
        if !setup.print_after_sale {
            if let Some(reason) = opening {
                self.run_print(PrintJob {
                    bytes: drawer_kick(setup.profile()),
                    opening: Some(reason),
                });
            }
            return;
        }
        // The slip kicks the drawer first when cash goes back, as `opening` records.
        self.print_layout(&self.refund_layout(sale, refund), &setup, opening);
    }

    /// Encodes `layout` for the printer set up and prints it; `opening` is the drawer opening
    /// it holds, recorded once printed.
    fn print_layout(
        &self,
        layout: &ReceiptLayout,
        setup: &PrinterSetup,
        opening: Option<DrawerReason>,
    ) {
        match layout.encode(setup.profile()) {
            Ok(encoded) => self.run_print(PrintJob {
                bytes: encoded.bytes,
                opening,
            }),
            Err(e) => self
                .printer
                .state
                .set(PrintState::Failed(PrintFailure::Encode(e))),
        }
    }

    /// The refund slip of `refund`, with the terminal's slip when the register's terminal paid
    /// the card part back (`refund::card_paid_back` has just kept its lines).
    fn refund_layout(&self, sale: &Sale, refund: &RefundRecord) -> ReceiptLayout {
        let by_terminal = matches!(
            refund.card_method,
            Some(CardRefundMethod::Reversal { .. } | CardRefundMethod::Refund)
        );
        let slip = RefundSlip {
            paid_back: RefundSplit {
                card: refund.card,
                cash: refund.cash,
                exchange: refund.exchange,
                gift_card: refund.gift_card,
            },
            reason: refund.reason.clone(),
            returned: returned_items(sale, refund),
            terminal_slip: if by_terminal {
                self.terminal_print.get_untracked()
            } else {
                Vec::new()
            },
            void: refund.refund.as_ref().is_some_and(|r| r.voids_sale),
            store_credit: store_credit_card(sale, refund),
        };
        let options = self.receipt_options(sale, ReceiptCopy::Customer, false);
        self.store
            .with_untracked(|store| ReceiptLayout::refund_slip(sale, &slip, store, &options))
    }

    /// Prints the kitchen's order ticket of the lines just sent; `false` when no printer is set
    /// up (the order counts as sent all the same: the cook may be told by voice).
    pub fn print_order(&self, order: &[pos_core::TicketLine]) -> bool {
        let Some(setup) = self.printer.setup.get_untracked() else {
            return false;
        };
        let lang = self.lang.get_untracked();
        let lines: Vec<pos_devices::OrderLine> = order
            .iter()
            .map(|l| pos_devices::OrderLine {
                quantity: crate::i18n::quantity(l.quantity, lang),
                name: l.name.clone(),
                modifiers: l.modifiers.iter().map(|m| m.name.clone()).collect(),
            })
            .collect();
        let when = crate::i18n::date_time(js_sys::Date::now() as i64, lang);
        let detail = match self.staff.member_now() {
            Some(member) => format!("{when} · {}", member.name),
            None => when,
        };
        let layout = ReceiptLayout::order_ticket(Msg::OrderTicket.text(lang), &detail, &lines);
        self.print_layout(&layout, &setup, None);
        true
    }

    /// Prints the slip of a gift card balance inquiry in the receipts' language: the card by its
    /// last four digits, its `balance` and whether it is `active`, the store, the time. False
    /// when no printer is set up.
    pub fn print_balance_slip(
        &self,
        card: &pos_core::gift_card::GiftCardNumber,
        balance: pos_core::Decimal,
        active: bool,
    ) -> bool {
        let Some(setup) = self.printer.setup.get_untracked() else {
            return false;
        };
        let language = self.receipt_language();
        let lang = crate::i18n::Lang::ALL
            .into_iter()
            .find(|l| ReceiptLanguage::from_tag(l.tag()) == language)
            .unwrap_or_else(|| self.lang.get_untracked());
        let now = js_sys::Date::now() as i64;
        let (store, currency) = self
            .store
            .with_untracked(|s| (s.name.clone(), s.rules.currency));
        let slip = pos_devices::BalanceSlip {
            store,
            heading: Msg::SlipGiftCardBalance.text(lang).to_string(),
            card_label: Msg::SlipCard.text(lang).to_string(),
            card: card.clone(),
            balance_label: Msg::DeskBalance.text(lang).to_string(),
            balance: pos_devices::format_money(balance, currency, language),
            status_label: Msg::SlipStatus.text(lang).to_string(),
            status: Msg::text(
                if active {
                    Msg::DeskActive
                } else {
                    Msg::DeskInactive
                },
                lang,
            )
            .to_string(),
            at: pos_devices::format_date_time(now, utc_offset_minutes(now), language),
        };
        self.print_layout(&ReceiptLayout::balance_slip(&slip), &setup, None);
        true
    }

    /// Prints the X or Z report of a shift (again: `reprint`); false when no printer is set up.
    pub fn print_shift_report(
        &self,
        report: &pos_core::shift::ShiftReport,
        reprint: bool,
        reconciliation: Option<&pos_core::shift::Reconciliation>,
    ) -> bool {
        let Some(setup) = self.printer.setup.get_untracked() else {
            return false;
        };
        let till = self
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.device_name.clone()))
            .unwrap_or_else(|| self.device_code.get_untracked());
        let options = pos_devices::ShiftReportOptions {
            language: self.receipt_language(),
            utc_offset_minutes: utc_offset_minutes(
                report.closed_at_ms.unwrap_or(report.opened_at_ms),
            ),
            store: self.store.with_untracked(|s| s.name.clone()),
            till,
            reprint,
        };
        let layout = ReceiptLayout::shift_report(report, reconciliation, &options);
        self.print_layout(&layout, &setup, None);
        true
    }

    pub fn print_test_page(&self) {
        let Some(setup) = self.printer.setup.get_untracked() else {
            return;
        };
        let lang = self.lang.get_untracked();
        let profile = setup.profile();
        let mut page = ReceiptEncoder::new(profile);
        page.initialize()
            .align(Align::Center)
            .bold(true)
            .line(Msg::TestPageTitle.text(lang))
            .bold(false)
            .line(profile.name)
            .align(Align::Left)
            .wrapped(Msg::TestPageBody.text(lang))
            .line("Съешь же ещё этих мягких французских булок")
            .line(
                &"1234567890".repeat(usize::from(profile.chars_per_line).div_ceil(10))
                    [..usize::from(profile.chars_per_line)],
            )
            .feed(3)
            .cut(Cut::Partial);
        self.run_print(PrintJob {
            bytes: page.finish().bytes,
            opening: None,
        });
    }

    /// "No sale": opens the drawer with a reason, recorded in the audit list.
    pub fn open_drawer_no_sale(&self, reason: String) -> Result<(), Msg> {
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(Msg::NoSaleNeedsReason);
        }
        let Some(setup) = self.printer.setup.get_untracked() else {
            return Err(Msg::DrawerNeedsPrinter);
        };
        self.run_print(PrintJob {
            bytes: drawer_kick(setup.profile()),
            opening: Some(DrawerReason::NoSale { reason }),
        });
        Ok(())
    }

    pub fn print_again(&self) {
        if let Some(job) = self.printer.failed_job.get_value() {
            self.run_print(job);
        }
    }

    /// Opens the browser's chooser for `choice`, connects, and keeps the setup.
    pub fn add_printer(&self, choice: PrinterChoice) {
        let state = *self;
        let storage = self.storage();
        self.printer.state.set(PrintState::Idle);
        spawn_local(async move {
            state.forget_link().await;
            match connect(&choice).await {
                Ok((mut setup, link)) => {
                    // Connecting again keeps what the shop chose before.
                    if let Some(before) = state.printer.setup.get_untracked() {
                        setup.print_after_sale = before.print_after_sale;
                    }
                    match save_setup(&*storage, Some(&setup)).await {
                        Ok(()) => {
                            state.keep_link(link);
                            state.printer.setup.set(Some(setup));
                        }
                        Err(e) => state.notice.set(Some(storage_notice(&e))),
                    }
                }
                Err(failure) => state.printer.state.set(PrintState::Failed(failure)),
            }
        });
    }

    /// Asks the browser for the printer again (a Bluetooth printer where the browser cannot
    /// list granted devices, or a printer that was replaced), with the same settings.
    pub fn reconnect_printer(&self) {
        let Some(setup) = self.printer.setup.get_untracked() else {
            return;
        };
        let profile = setup.profile();
        let (baud_rate, chunk_size) = match &setup.device {
            PrinterDevice::Serial { baud_rate, .. } => {
                (*baud_rate, BluetoothPacing::DEFAULT.chunk_size)
            }
            PrinterDevice::Bluetooth { chunk_size, .. } => (profile.serial.baud_rate, *chunk_size),
            PrinterDevice::Usb(_) => (
                profile.serial.baud_rate,
                BluetoothPacing::DEFAULT.chunk_size,
            ),
        };
        self.add_printer(PrinterChoice {
            kind: setup.device.kind(),
            profile: PrinterProfile::by_id(&setup.profile).unwrap_or(profile),
            chars_per_line: setup.chars_per_line,
            baud_rate,
            chunk_size,
        });
    }

    pub fn set_print_after_sale(&self, on: bool) {
        let Some(mut setup) = self.printer.setup.get_untracked() else {
            return;
        };
        setup.print_after_sale = on;
        self.save_setup(Some(setup));
    }

    pub fn forget_printer(&self) {
        let state = *self;
        spawn_local(async move { state.forget_link().await });
        self.printer.failed_job.set_value(None);
        self.printer.state.set(PrintState::Idle);
        self.save_setup(None);
    }

    fn save_setup(&self, setup: Option<PrinterSetup>) {
        let state = *self;
        let storage = self.storage();
        spawn_local(async move {
            match save_setup(&*storage, setup.as_ref()).await {
                Ok(()) => state.printer.setup.set(setup),
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    fn keep_link(&self, link: DeviceLink) {
        let printer = self.printer;
        // An unplugged printer is opened afresh for the next job.
        link.on_disconnect(Box::new(move || printer.link.set_value(None)));
        printer.link.set_value(Some(Rc::new(link)));
    }

    async fn forget_link(&self) {
        if let Some(link) = self.printer.link.try_update_value(Option::take).flatten() {
            let _ = link.close().await;
        }
    }

    /// Sends `job`: opens the printer if needed, checks its status, writes the bytes, and
    /// records a drawer opening once the kick has gone out. One job at a time; a job asked for
    /// while another prints waits for it.
    fn run_print(&self, job: PrintJob) {
        let state = *self;
        let printer = self.printer;
        printer.state.set(PrintState::Printing);
        printer.failed_job.set_value(None);
        printer.queue.update_value(|queue| queue.push_back(job));
        if printer.busy.get_value() {
            return;
        }
        printer.busy.set_value(true);
        spawn_local(async move {
            while let Some(job) = printer
                .queue
                .try_update_value(VecDeque::pop_front)
                .flatten()
            {
                match state.send(&job).await {
                    Ok(()) => {
                        printer.state.set(PrintState::Printed);
                        // "Printed." is news for a moment, not something to dismiss.
                        set_timeout(
                            move || {
                                if printer.state.get_untracked() == PrintState::Printed {
                                    printer.state.set(PrintState::Idle);
                                }
                            },
                            std::time::Duration::from_secs(4),
                        );
                        if let Some(reason) = job.opening {
                            state.record_opening(reason).await;
                        }
                    }
                    Err(failure) => {
                        if matches!(failure, PrintFailure::Transport(_)) {
                            state.forget_link().await;
                        }
                        printer.failed_job.set_value(Some(job));
                        printer.state.set(PrintState::Failed(failure));
                    }
                }
            }
            printer.busy.set_value(false);
        });
    }

    async fn send(&self, job: &PrintJob) -> Result<(), PrintFailure> {
        let setup = self
            .printer
            .setup
            .get_untracked()
            .ok_or(PrintFailure::Transport(TransportError::NotFound))?;
        let link = match self.printer.link.get_value() {
            Some(link) => link,
            None => {
                let link = reopen(&setup).await?;
                self.keep_link(link);
                self.printer
                    .link
                    .get_value()
                    .ok_or(PrintFailure::Transport(TransportError::Disconnected))?
            }
        };
        check_status(&link).await?;
        link.write(&job.bytes)
            .await
            .map_err(PrintFailure::Transport)
    }

    async fn record_opening(&self, reason: DrawerReason) {
        let opening = DrawerOpening {
            at_ms: js_sys::Date::now() as i64,
            by: self.device_code.get_untracked(),
            reason,
        };
        match self.storage().record_drawer_opening(opening.clone()).await {
            Ok(()) => self.printer.openings.update(|list| {
                list.insert(0, opening);
                list.truncate(RECENT_OPENINGS);
            }),
            Err(e) => self.notice.set(Some(storage_notice(&e))),
        }
    }
}

/// The lines a refund took back, for its slip; none when it took back the whole sale (the slip
/// shows the sale's lines above).
fn returned_items(sale: &Sale, record: &RefundRecord) -> Vec<pos_devices::ReturnedItem> {
    let refund = record.as_refund(sale);
    let whole = refund.lines.len() == sale.lines().len()
        && refund.lines.iter().all(|r| {
            sale.lines()
                .iter()
                .any(|l| Some(l.id) == r.line_id && l.quantity == r.quantity)
        });
    if whole {
        return Vec::new();
    }
    refund
        .lines
        .iter()
        .map(|r| pos_devices::ReturnedItem {
            name: sale
                .lines()
                .iter()
                .find(|l| Some(l.id) == r.line_id)
                .map_or_else(|| r.product_id.clone(), |l| l.name.clone()),
            quantity: r.quantity,
            amount: r.amount,
        })
        .collect()
}

/// The new gift card goods returned with no receipt were given back on as store credit: the
/// card their sale, made for the refund alone, was "paid" with.
fn store_credit_card(
    sale: &Sale,
    refund: &RefundRecord,
) -> Option<pos_core::gift_card::GiftCardNumber> {
    if refund.goods.is_none() || refund.gift_card.is_zero() {
        return None;
    }
    sale.tenders().iter().find_map(|t| match t {
        pos_core::Tender::GiftCard { card, .. } => Some(card.clone()),
        _ => None,
    })
}
