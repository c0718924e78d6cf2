//! The store's day (issue 13): every device's sales day of one business day added up into one
//! summary, and every device's shifts that were open during it, as the owner reads them. The
//! figures are each device's own, counted by [`SalesDay::summary`] and
//! [`SalesDay::money_by_tender`], so the store's day is exactly the sum of its devices' days.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{BusinessDay, DaySummary, DayTenders, SalesDay, StoreDocs};
use crate::sale::Sale;
use crate::shift::{ShiftState, TenderTotals, latest_states};

/// The money of one business day over all the store's devices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreDaySummary {
    /// The devices whose day is counted (those that made a sales document of the day).
    pub devices: u64,
    /// Sales, refunds and voids of every device, each counted as its day counts them.
    pub totals: DaySummary,
    /// What the sales took, by tender.
    pub paid_by_tender: TenderTotals,
    /// What the refunds paid back, by tender.
    pub refunded_by_tender: TenderTotals,
}

impl StoreDaySummary {
    /// Adds one device's day.
    pub fn add_device(&mut self, day: &DaySummary, money: &DayTenders) {
        self.devices += 1;
        let totals = &mut self.totals;
        totals.sales += day.sales;
        totals.total += day.total;
        totals.training += day.training;
        totals.refunds += day.refunds;
        totals.refunded += day.refunded;
        totals.voids += day.voids;
        self.paid_by_tender += money.paid;
        self.refunded_by_tender += money.refunded;
    }

    /// What the store took and kept: sales less refunds.
    pub fn net(&self) -> Decimal {
        self.totals.total - self.totals.refunded
    }
}

/// One device's shift as the store's day shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceShift {
    /// The device whose sales day holds the shift (the device that ran it).
    pub device: Uuid,
    pub state: ShiftState,
}

impl StoreDocs {
    /// The open sales documents (this device's and the others') of these days.
    fn open_days_among(&self, days: &[BusinessDay]) -> Vec<super::DocumentId> {
        self.open_days()
            .into_iter()
            .filter(|id| self.day_of(*id).is_some_and(|(d, _)| days.contains(&d)))
            .collect()
    }

    /// The store-wide summary of `day` over every device's sales document of it that is open.
    /// A document that cannot be read is left out, as [`Self::sales_in`] leaves it.
    pub fn store_day(&mut self, day: BusinessDay) -> StoreDaySummary {
        let ids = self.open_days_among(&[day]);
        // A refund recorded before refunds named their tenders is split by its sale, which may
        // be in any open day: those few sales are looked for, never every sale.
        let wanted: BTreeSet<Uuid> = ids
            .iter()
            .flat_map(|id| self.refunds_in(*id))
            .filter(|r| r.paid_back_as_recorded().is_none())
            .map(|r| r.sale_id)
            .collect();
        let mut sales: Vec<Sale> = Vec::new();
        if !wanted.is_empty() {
            for id in self.open_days() {
                sales.extend(
                    self.sales_in(id)
                        .into_iter()
                        .filter(|s| wanted.contains(&s.id())),
                );
            }
        }
        let mut summary = StoreDaySummary::default();
        for id in ids {
            let counted = self.read_typed(id, |d: &SalesDay| {
                let money =
                    d.money_by_tender(|sale| sales.iter().find(|s| s.id() == sale).cloned())?;
                Ok((d.summary()?, money))
            });
            if let Ok((day, money)) = counted {
                summary.add_device(&day, &money);
            }
        }
        summary
    }

    /// Every device's shifts in the open sales documents of `days`, each as it stood after its
    /// last step in them (see [`latest_states`]), in the order they were opened.
    pub fn shifts_in(&mut self, days: &[BusinessDay]) -> Vec<DeviceShift> {
        let mut states = Vec::new();
        for id in self.open_days_among(days) {
            let read = self.read_typed(id, |d: &SalesDay| Ok((d.device()?, d.shifts()?)));
            if let Ok((device, shifts)) = read {
                states.extend(shifts.into_iter().map(|s| (device, s)));
            }
        }
        latest_states(states)
            .into_iter()
            .map(|(device, state)| DeviceShift { device, state })
            .collect()
    }
}
