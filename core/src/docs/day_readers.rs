//! What `StoreDocs` reads across the open sales days and month indexes: the sales, refunds and
//! day totals of a sales document, a sale's refund wherever it was made, the staff audit log of
//! every open day, and the other devices' days the index lists. Only reads: every write goes
//! through `store_docs.rs`, which holds the documents.

use std::collections::BTreeSet;

use uuid::Uuid;

use super::{
    BusinessDay, DaySummary, DocError, DocRole, DocumentId, MonthIndex, Refund, SalesDay, StoreDocs,
};
use crate::sale::Sale;
use crate::staff::AuditEntry;

impl StoreDocs {
    /// The sales documents open now, this device's and the others'.
    pub(super) fn open_days(&self) -> Vec<DocumentId> {
        self.open_as(&[DocRole::OwnDay, DocRole::OtherDay])
    }

    /// The staff audit log of every open sales document, this device's and the others', in time
    /// order (then by id), with a `Sale` entry for each sale that names its cashier. A day whose
    /// log cannot be read is left out, as its sales are by [`Self::sales_in`]; an entry recorded
    /// on two days (a retry after midnight) is listed once.
    pub fn audit_log(&mut self) -> Vec<AuditEntry> {
        // A sale is its own record of who took it: listed from the sale, never written twice.
        let mut entries: Vec<AuditEntry> = self
            .open_days()
            .into_iter()
            .flat_map(|id| {
                self.read_typed(id, |d: &SalesDay| {
                    let device = d.device()?;
                    let mut entries = d.audit()?;
                    entries.extend(d.sales()?.iter().filter_map(|sale| {
                        let cashier = sale.cashier()?;
                        Some(AuditEntry {
                            id: sale.id(),
                            staff: cashier.id,
                            action: crate::staff::AuditAction::Sale { sale: sale.id() },
                            at_ms: sale.completed_at_ms(),
                            device,
                            approved_by: None,
                        })
                    }));
                    Ok(entries)
                })
                .unwrap_or_default()
            })
            .collect();
        entries.sort_by_key(|e| (e.at_ms, e.id));
        entries.dedup_by_key(|e| e.id);
        entries
    }

    /// The refunds of `sale` recorded in any open sales document, this device's or another's.
    pub fn refunds_of(&mut self, sale: Uuid) -> Vec<Refund> {
        self.open_days()
            .into_iter()
            .flat_map(|id| self.refunds_in(id))
            .filter(|r| r.sale_id == sale)
            .collect()
    }

    /// Every sale in a sales document.
    pub fn sales_in(&mut self, id: DocumentId) -> Vec<Sale> {
        self.read_typed(id, |d: &SalesDay| d.sales())
            .unwrap_or_default()
    }

    /// The refunds in a sales document.
    pub fn refunds_in(&mut self, id: DocumentId) -> Vec<Refund> {
        self.read_typed(id, |d: &SalesDay| d.refunds())
            .unwrap_or_default()
    }

    /// The day's totals of a sales document (real sales and refunds; training left out).
    pub fn summary_of(&mut self, id: DocumentId) -> Result<DaySummary, DocError> {
        self.read_typed(id, |d: &SalesDay| d.summary())
    }

    /// The rows of the month's index of `day` (the month must be open).
    pub fn index_rows(&mut self, day: BusinessDay) -> Vec<(DocumentId, super::DayEntry)> {
        self.read_typed(self.index_id(day), |i: &MonthIndex| i.days())
            .unwrap_or_default()
    }

    /// Every other device's row in the open month indexes, by sales document.
    pub fn other_devices_rows(&mut self) -> Vec<(DocumentId, super::DayEntry)> {
        let indexes = self.open_as(&[DocRole::Index]);
        let device = self.device;
        indexes
            .into_iter()
            .flat_map(|id| {
                self.read_typed(id, |i: &MonthIndex| i.days())
                    .unwrap_or_default()
            })
            .filter(|(_, entry)| entry.device != device)
            .collect()
    }

    /// Other devices' sales documents of these days, as the month's index lists them.
    pub fn days_in_index(&mut self, days: &[BusinessDay]) -> Vec<(DocumentId, Uuid, BusinessDay)> {
        let wanted: BTreeSet<String> = days.iter().map(ToString::to_string).collect();
        let mut found = Vec::new();
        let months: BTreeSet<DocumentId> = days.iter().map(|d| self.index_id(*d)).collect();
        for index in months {
            let Ok(rows) = self.read_typed(index, |i: &MonthIndex| i.days()) else {
                continue;
            };
            for (id, entry) in rows {
                let Ok(day) = entry.day.parse::<BusinessDay>() else {
                    continue;
                };
                if entry.device != self.device && wanted.contains(&entry.day) {
                    found.push((id, entry.device, day));
                }
            }
        }
        found
    }
}
