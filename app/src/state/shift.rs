//! The drawer's shift on this device (issue 13): opened with a float counted by note and coin,
//! cash paid in, paid out or dropped to the safe with a reason, an X report at any time, and the
//! close with a count, which gives the Z report. Each change is kept with strict durability before
//! the screen shows it, and on a device of a store shared with it in the same transaction (the
//! shift and, once closed, its Z report, through the outbox into this device's day), so the
//! owner sees every device's shifts on the store's day (`state/store_day.rs`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::shift::{
    CashCount, CashMovement, CashMovementKind, RecordedCard, Shift, ShiftError, ShiftReport,
    ShiftState, TerminalTotals,
};
use pos_core::staff::Permission;
use pos_core::{Refund, Sale, Uuid, Void};
use rust_decimal::Decimal;

use super::reconcile::TotalsFrom;
use super::{AppState, storage_notice};
use crate::i18n::Msg;
use crate::storage::{CardRefundMethod, RefundRecord, Storage, StorageError};

/// Sales read per step while a report gathers the shift's sales, newest first.
const SALES_PER_READ: usize = 200;

#[derive(Clone, Copy)]
pub struct Shifts {
    /// This device's shifts, oldest first; an open one is the last.
    pub all: RwSignal<Vec<Shift>>,
    /// The report on screen: the X report of the open shift or the Z report of a closed one.
    pub report: RwSignal<Option<ShiftReport>>,
    /// A change is being kept: the buttons wait, so a double tap does not count twice.
    pub busy: RwSignal<bool>,
    /// The shift whose card terminal totals are being fetched and set beside its own
    /// (`state/reconcile.rs`).
    pub reconciling: RwSignal<Option<Uuid>>,
}

impl Shifts {
    pub fn new() -> Shifts {
        Shifts {
            all: RwSignal::new(Vec::new()),
            report: RwSignal::new(None),
            busy: RwSignal::new(false),
            reconciling: RwSignal::new(None),
        }
    }

    pub fn open(&self) -> Option<Shift> {
        self.all
            .with(|all| all.last().filter(|s| s.is_open()).cloned())
    }

    fn open_untracked(&self) -> Option<Shift> {
        self.all
            .with_untracked(|all| all.last().filter(|s| s.is_open()).cloned())
    }
}

fn shift_msg(error: &ShiftError) -> Msg {
    match error {
        ShiftError::Closed => Msg::ShiftClosedAlready,
        ShiftError::UnknownDenomination { .. } | ShiftError::BadAmount(_) => Msg::ShiftBadAmount,
        ShiftError::ReasonMissing => Msg::ShiftReasonMissing,
        ShiftError::IdReused(_) => Msg::ShiftClosedAlready,
        ShiftError::StillOpen => Msg::ReconShiftOpen,
    }
}

impl AppState {
    /// Reads this device's shifts, at start.
    pub fn load_shifts(&self) {
        let state = *self;
        spawn_local(async move {
            match state.storage().load_shifts().await {
                Ok(all) => state.shifts.all.set(all),
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Opens a shift with the drawer's float as counted.
    pub fn open_shift(&self, float: CashCount) {
        if self.shifts.open_untracked().is_some() {
            return self.error(Msg::ShiftOpenAlready);
        }
        let device = self
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.device_id))
            .unwrap_or_default();
        let shift = Shift::open(
            Uuid::now_v7(),
            device,
            self.store.with_untracked(|s| s.rules.currency),
            float,
            js_sys::Date::now() as i64,
            self.staff.current.get_untracked(),
        );
        self.keep_shift(shift, None);
    }

    /// Cash into or out of the drawer outside a sale.
    pub fn move_cash(&self, kind: CashMovementKind, amount: Decimal) {
        let Some(mut shift) = self.shifts.open_untracked() else {
            return self.error(Msg::ShiftNotOpen);
        };
        let movement = CashMovement {
            id: Uuid::now_v7(),
            at_ms: js_sys::Date::now() as i64,
            staff: self.staff.current.get_untracked(),
            amount,
            kind,
        };
        match shift.move_cash(movement) {
            Ok(()) => self.keep_shift(shift, None),
            Err(e) => self.error(shift_msg(&e)),
        }
    }

    /// Closes the open shift with the drawer as counted, and shows its Z report. A member who may
    /// not close shifts asks someone who may. Once the count is kept, the card terminal's totals
    /// are set beside the shift's: `typed` from a standalone terminal's slip, or an integrated
    /// ZVT terminal's end of day (`state/reconcile.rs`).
    pub fn close_shift(&self, counted: CashCount, typed: Option<TerminalTotals>) {
        let state = *self;
        self.protected(Permission::CloseShift, move |_| {
            let Some(mut shift) = state.shifts.open_untracked() else {
                return state.error(Msg::ShiftNotOpen);
            };
            let by = state.staff.current.get_untracked();
            let reconcile = match typed {
                Some(totals) => Some(TotalsFrom::Typed(totals)),
                None => state.closes_with_terminal().then_some(TotalsFrom::Terminal),
            };
            match shift.close(counted, js_sys::Date::now() as i64, by) {
                Ok(()) => state.keep_shift(shift, reconcile),
                Err(e) => state.error(shift_msg(&e)),
            }
        });
    }

    /// Keeps the shift durably, then shows it and its report, or reconciles it with the card
    /// terminal first when `reconcile` says where its totals come from.
    fn keep_shift(&self, shift: Shift, reconcile: Option<TotalsFrom>) {
        let state = *self;
        self.shifts.busy.set(true);
        spawn_local(async move {
            let kept = state.keep_and_share(&shift).await;
            state.shifts.busy.set(false);
            match kept {
                Ok(z_report) => {
                    state.notice.set(None);
                    state.shifts.all.update(|all| {
                        match all.iter_mut().find(|s| s.id == shift.id) {
                            Some(s) => *s = shift.clone(),
                            None => all.push(shift.clone()),
                        }
                    });
                    // The Z report goes to the printer as the shift closes (when there is one),
                    // with the terminal's totals when it is reconciled.
                    match (reconcile, z_report) {
                        (Some(from), _) => state.reconcile_shift(shift, from, true),
                        (None, Some(z_report)) => state.show_report(z_report, &shift, true),
                        (None, None) => state.report_shift(shift, false),
                    }
                }
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Keeps the shift as it is now, with strict durability, and shares this step with the
    /// store (through the outbox, in the same transaction): the whole shift and, once it is
    /// closed, its Z report, worked out here from this device's records, which are the drawer's
    /// truth. Returns that Z report.
    pub(super) async fn keep_and_share(
        &self,
        shift: &Shift,
    ) -> Result<Option<ShiftReport>, StorageError> {
        let storage = self.storage();
        let z_report = if shift.is_open() {
            None
        } else {
            let device_code = self.device_code.get_untracked();
            Some(shift_report(&*storage, shift, &device_code).await?)
        };
        let store = self
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.store_id));
        let step = ShiftState {
            shift: shift.clone(),
            z_report: z_report.clone(),
            at_ms: js_sys::Date::now() as i64,
        };
        storage.save_shift(step, store).await?;
        if store.is_some() {
            crate::sync::announce_outbox();
        }
        Ok(z_report)
    }

    /// Works out the shift's report from this device's sales and refunds and shows it.
    pub fn show_shift_report(&self, shift: Shift) {
        self.report_shift(shift, false);
    }

    pub(super) fn report_shift(&self, shift: Shift, print: bool) {
        let state = *self;
        let device_code = self.device_code.get_untracked();
        spawn_local(async move {
            match shift_report(&*state.storage(), &shift, &device_code).await {
                Ok(report) => state.show_report(report, &shift, print),
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    fn show_report(&self, report: ShiftReport, shift: &Shift, print: bool) {
        if print {
            self.print_shift_report(&report, false, shift.reconciliation());
        }
        self.shifts.report.set(Some(report));
    }
}

/// The shift's report over its sales and refunds ([`shift_records`]).
async fn shift_report(
    storage: &dyn Storage,
    shift: &Shift,
    device_code: &str,
) -> Result<ShiftReport, StorageError> {
    let records = shift_records(storage, shift, device_code).await?;
    let refunds: Vec<(&Refund, &Sale)> = records
        .refunds_not_voids()
        .map(|(r, s, _)| (r, s))
        .collect();
    Ok(ShiftReport::new(
        shift,
        &records.sales,
        &refunds,
        &records.voids(),
    ))
}

/// What a shift's reports and reconciliation are worked out from.
pub(super) struct ShiftRecords {
    pub sales: Vec<Sale>,
    /// Each refund with its sale and whether its card part was a reversal on the terminal.
    pub refunds: Vec<(Refund, Sale, bool)>,
}

impl ShiftRecords {
    /// The shift's card movements as the terminal's batch saw them.
    pub fn card_movements(&self) -> Vec<RecordedCard> {
        let refunds: Vec<(&Refund, &Sale, bool)> = self
            .refunds_not_voids()
            .map(|(r, s, reversal)| (r, s, *reversal))
            .collect();
        RecordedCard::of_shift(&self.sales, &self.voids(), &refunds)
    }

    /// Whether `refund` voids a sale of this shift; a void of any other sale (which the till
    /// never makes) counts as the refund it also is, as the day counts it.
    fn voids_here(&self, refund: &Refund) -> bool {
        refund.voids_sale && self.sales.iter().any(|s| s.id() == refund.sale_id)
    }

    fn refunds_not_voids(&self) -> impl Iterator<Item = &(Refund, Sale, bool)> {
        self.refunds.iter().filter(|(r, ..)| !self.voids_here(r))
    }

    /// The sales of the shift it voided.
    pub fn voids(&self) -> Vec<Void> {
        self.refunds
            .iter()
            .filter(|(r, ..)| self.voids_here(r))
            .filter_map(|(r, ..)| Void::of(r))
            .collect()
    }
}

/// The sales this device made while the shift was open (by this device's receipt prefix: the
/// sales list also holds other devices' sales) and the refunds it paid out meanwhile (other
/// devices' refunds are kept here with nothing paid from this drawer).
pub(super) async fn shift_records(
    storage: &dyn Storage,
    shift: &Shift,
    device_code: &str,
) -> Result<ShiftRecords, StorageError> {
    let until = shift.close.as_ref().map_or(i64::MAX, |c| c.at_ms);
    let during = |at_ms: i64| at_ms >= shift.opened_at_ms && at_ms <= until;
    let mut sales: Vec<Sale> = Vec::new();
    let mut before = None;
    loop {
        let page = storage.recent_sales(before, SALES_PER_READ).await?;
        let Some(last) = page.last() else { break };
        before = Some(last.id());
        // Sale ids are UUIDv7 of the payment's start: once a page reaches sales older than the
        // shift, the pages after it are older still.
        let older = page
            .iter()
            .any(|s| s.completed_at_ms() < shift.opened_at_ms);
        sales.extend(page.into_iter().filter(|s| {
            during(s.completed_at_ms()) && s.receipt_number().device_code == device_code
        }));
        if older {
            break;
        }
    }
    let mut refunds: Vec<(Refund, Sale, bool)> = Vec::new();
    for record in storage.load_refunds().await? {
        let Some(done_at) = record.completed_at_ms.filter(|at| during(*at)) else {
            continue;
        };
        let reversal = matches!(record.card_method, Some(CardRefundMethod::Reversal { .. }));
        if let Some((refund, sale)) =
            paid_from_this_drawer(storage, record, &sales, done_at).await?
        {
            refunds.push((refund, sale, reversal));
        }
    }
    Ok(ShiftRecords { sales, refunds })
}

/// The refund as the report counts it, with its sale; `None` for another device's refund.
async fn paid_from_this_drawer(
    storage: &dyn Storage,
    record: RefundRecord,
    sales: &[Sale],
    done_at: i64,
) -> Result<Option<(Refund, Sale)>, StorageError> {
    // An exchange's credit counts too: it balances the credit its new sale was paid with; and
    // so does what went onto gift cards (the sale's own, or store credit on a new one), the
    // report's "other", which the drawer does not pay.
    let paid_back = record.card + record.cash + record.exchange + record.gift_card;
    if paid_back <= Decimal::ZERO {
        return Ok(None);
    }
    let sale = match sales.iter().find(|s| s.id() == record.sale_id) {
        Some(sale) => Some(sale.clone()),
        None if record.goods.is_some() => record.goods.clone(),
        None => storage.find_by_receipt(record.receipt.clone()).await?,
    };
    Ok(sale.map(|sale| {
        let mut refund = record.as_refund(&sale);
        refund.at_ms = done_at;
        if refund.amount != paid_back {
            // Not what the sale's tenders add up to: counted by the older rule, card first.
            refund.amount = paid_back;
            refund.tenders.clear();
        }
        (refund, sale)
    }))
}
