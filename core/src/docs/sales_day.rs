//! One device's sales, refunds and voids of one business day: append-only, written only by that
//! device, so a day of one register never conflicts with anything and stays small (about a
//! thousand sales) to load fast. Every record is keyed by its id made on the device, so recording
//! it again (a retry, a replay, a second tab) finds it there instead of adding a second one.
//!
//! A sale is stored as its serde JSON (amounts are decimal strings there, never floats) beside a
//! few plain fields that reports and the index read without parsing it. Sales are immutable and
//! have one writer, so a field-by-field merge would buy nothing and cost about ten times the
//! Automerge operations per sale.
//!
//! The staff audit log of the day is kept here too, for the same reasons: one writer, entries
//! made on the device with their own ids, never changed. Its map came after the genesis, which
//! never changes, so it is made on first use (see [`AUDIT`]). So are the device's shifts: each
//! step of a shift made that day, the shift's whole state (see [`SHIFTS`]).

use std::collections::{BTreeMap, BTreeSet};

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{AutoCommit, ROOT, ReadDoc};
use autosurgeon::{Hydrate, Reconcile, hydrate_prop, reconcile_prop};
use rust_decimal::Decimal;
use uuid::Uuid;

use super::{
    Actor, BusinessDay, DayEntry, DocError, DocKind, DocumentId, Recorded, SharedDocument,
    concurrent_maps, decimal_str, genesis, get_str, get_uuid_str, hydrate_entry,
    map_made_on_first_use, root_map, union_of_maps,
};
use crate::gift_card::{GiftCardOp, GiftCardOpKind};
use crate::sale::{RefundSplit, Sale};
use crate::shift::{ShiftState, TenderTotals, latest_states};
use crate::staff::AuditEntry;
use crate::tender::Tender;

const SALES: &str = "sales";
const RECEIPTS: &str = "receipts";
const REFUNDS: &str = "refunds";
/// Made at genesis, which never changes; nothing writes it: a void is a refund that voids its
/// sale ([`Refund::voids_sale`]), so it moves money and stock as a refund does.
const VOIDS: &str = "voids";
/// The staff audit log: entry id → the entry's serde JSON. Not in the genesis (it came later):
/// made by the first entry, and since two tabs of the device may each make it before they see
/// the other's, read as the union of every map under this key.
///
/// An entry is kept as its JSON text, not field by field: it is never edited, so a merge per field
/// would buy nothing, and comparing the text makes "the same entry again" exact (a `12.50` %
/// discount is not taken for `12.5`).
const AUDIT: &str = "audit";
/// The device's shifts as they stood after their last step made this day: shift id → the
/// [`ShiftState`]'s serde JSON, replaced by a step further along. Made on first use, as
/// [`AUDIT`] is; a day recorded before shifts were shared has none.
const SHIFTS: &str = "shifts";

/// Goods given back against a sale, and the money paid out for them. It points at the sale, which
/// may be in another device's document; it is kept in the document of the device that refunds.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct Refund {
    pub id: Uuid,
    pub sale_id: Uuid,
    /// Milliseconds since the Unix epoch, UTC, from the device's clock.
    pub at_ms: i64,
    pub lines: Vec<ReturnLine>,
    #[autosurgeon(with = "decimal_str")]
    pub amount: Decimal,
    pub reason: String,
    /// A refund of a training sale: no money changed hands, so the day's money leaves it out.
    /// Refunds recorded before this field existed read as real ones.
    #[autosurgeon(missing = "not_training")]
    #[serde(default)]
    pub training: bool,
    /// How [`Refund::amount`] went back, per tender of the sale: each card its part, the drawer
    /// the rest. Refunds recorded before this field existed have none; they were whole-sale
    /// refunds, back to the card first as far as the card paid and the rest in cash.
    #[autosurgeon(missing = "Vec::new")]
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tenders: Vec<RefundTender>,
    /// The whole sale voided rather than refunded: given back the same business day, by the
    /// device that made it, while its shift was open (a sale rung up by mistake). The money goes
    /// back as a refund's does, but the day counts the sale as voided: neither a sale nor a
    /// refund. Refunds recorded before voids read as refunds.
    #[autosurgeon(missing = "not_training")]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub voids_sale: bool,
}

/// The part of a refund paid back through one tender of the sale.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct RefundTender {
    /// The card's index in the sale's tenders; `None` for cash from the drawer.
    pub card: Option<u32>,
    #[autosurgeon(with = "decimal_str")]
    pub amount: Decimal,
    /// Not paid back: kept as credit for the goods taken instead in an exchange (the sale that
    /// names this refund in its [`crate::Tender::Exchange`]). It still uses up what this tender
    /// has left to pay back. Parts recorded before exchanges read as paid back.
    #[autosurgeon(missing = "not_training")]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    /// A card's part paid back in cash from the drawer instead (someone allowed it): it uses up
    /// what the card has left to pay back, and no terminal was asked. Parts recorded before read
    /// as paid back the way they name.
    #[autosurgeon(missing = "not_training")]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_cash: bool,
    /// The tender is one of the store's gift cards: its part goes back onto that card (a
    /// `refund_to_card` operation, [`Refund::gift_card_ops`]), not to a bank card. Parts
    /// recorded before gift cards were tenders read as not.
    #[autosurgeon(missing = "not_training")]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub gift_card: bool,
}

fn not_training() -> bool {
    false
}

impl Refund {
    /// Everything of `sale` given back: every line back to stock, and what the customer paid
    /// (cash rounding included). A refund of a training sale is training too.
    pub fn full(sale: &Sale, id: Uuid, at_ms: i64, reason: &str) -> Refund {
        let lines = sale
            .lines()
            .iter()
            .zip(&sale.totals().lines)
            .map(|(line, totals)| ReturnLine {
                product_id: line.product_id.clone(),
                sku: line.sku.clone(),
                quantity: line.quantity,
                amount: totals.amount,
                line_id: Some(line.id),
                damaged: false,
            })
            .collect();
        let tenders = sale
            .tender_shares()
            .into_iter()
            .map(|(card, amount)| RefundTender {
                card,
                amount,
                carried: false,
                in_cash: false,
                gift_card: sale.is_gift_card_tender(card),
            })
            .collect();
        Refund {
            id,
            sale_id: sale.id(),
            at_ms,
            lines,
            amount: sale.amount_paid(),
            reason: reason.trim().to_string(),
            training: sale.is_training(),
            tenders,
            voids_sale: false,
        }
    }

    /// What went back to cards, what from the drawer and what was kept for an exchange. A
    /// refund recorded before it said so went back to the card first, as far as the sale's cards
    /// paid, and the rest in cash.
    pub fn paid_back(&self, sale: &Sale) -> RefundSplit {
        self.paid_back_as_recorded().unwrap_or_else(|| {
            let card = sale.refund_split().card.min(self.amount).max(Decimal::ZERO);
            RefundSplit {
                card,
                cash: self.amount - card,
                exchange: Decimal::ZERO,
                gift_card: Decimal::ZERO,
            }
        })
    }

    /// `sale` voided: [`Refund::full`], counted by the day as a void rather than a sale and a
    /// refund. Whether the sale may still be voided (same day, same device, its shift open) is
    /// for the till to say; a day that does not hold the sale reads it as a refund.
    pub fn voiding(sale: &Sale, id: Uuid, at_ms: i64, reason: &str) -> Refund {
        Refund {
            voids_sale: true,
            ..Refund::full(sale, id, at_ms, reason)
        }
    }

    /// What went back to cards, what from the drawer and what was kept for an exchange, as the
    /// refund says; `None` for one recorded before refunds said so, which needs its sale
    /// ([`Refund::paid_back`]).
    pub fn paid_back_as_recorded(&self) -> Option<RefundSplit> {
        if self.tenders.is_empty() {
            return None;
        }
        let sum = |keep: &dyn Fn(&RefundTender) -> bool| -> Decimal {
            self.tenders
                .iter()
                .filter(|t| keep(t))
                .map(|t| t.amount)
                .sum()
        };
        let card = sum(&|t| t.card.is_some() && !t.gift_card && !t.carried && !t.in_cash);
        let gift_card = sum(&|t| t.gift_card && !t.carried && !t.in_cash);
        let exchange = sum(&|t| t.carried);
        Some(RefundSplit {
            card,
            cash: self.amount - card - exchange - gift_card,
            exchange,
            gift_card,
        })
    }

    /// The operations that put this refund's gift card parts back onto their cards (`sale` is
    /// the sale it refunds), one per part. Each id is made from the refund's id and the tender,
    /// so the operations made again (a retry, another tab) are the same ones and count once.
    pub fn gift_card_ops(
        &self,
        sale: &Sale,
        staff: Uuid,
        device: Uuid,
        at_ms: i64,
    ) -> Vec<GiftCardOp> {
        self.tenders
            .iter()
            .filter(|t| t.gift_card && !t.carried && !t.in_cash && !t.amount.is_zero())
            .filter_map(|t| {
                let at = t.card?;
                let Some(Tender::GiftCard { card, .. }) = sale.tenders().get(at as usize) else {
                    return None;
                };
                Some(GiftCardOp {
                    id: Uuid::new_v5(&self.id, format!("refund-to-card/{at}").as_bytes()),
                    card: card.clone(),
                    kind: GiftCardOpKind::RefundToCard,
                    amount: t.amount,
                    staff,
                    device,
                    at_ms,
                    offline: false,
                })
            })
            .collect()
    }

    /// The same refund with the cards' parts paid back in cash from the drawer instead, each
    /// rounded to the store's cash step as the drawer pays (`sale`'s rules): for a card the
    /// customer no longer has, or a terminal that cannot refund. What goes back to the drawer is
    /// what the refund then comes to.
    pub fn in_cash(mut self, sale: &Sale) -> Refund {
        let rules = sale.rules();
        for part in &mut self.tenders {
            if part.card.is_some() && !part.carried {
                part.in_cash = true;
                part.amount = rules.currency.round(
                    rules
                        .cash_rounding
                        .paid_back(part.amount, rules.cash_increment),
                );
            }
        }
        self.tenders.retain(|t| !t.amount.is_zero());
        self.amount = self.tenders.iter().map(|t| t.amount).sum();
        self
    }

    /// The same refund with `credit` of what it pays back kept for the goods taken instead, in
    /// an exchange: taken from the cards' parts first (a card keeps what the new goods cost, and
    /// the terminal is asked for nothing), then from the drawer's. What is left is paid back as
    /// before, each part through its own tender.
    pub fn towards_exchange(mut self, credit: Decimal) -> Refund {
        let mut left = credit.clamp(Decimal::ZERO, self.amount);
        let (cards, drawer): (Vec<RefundTender>, Vec<RefundTender>) =
            self.tenders.drain(..).partition(|t| t.card.is_some());
        for part in cards.into_iter().chain(drawer) {
            let carried = part.amount.min(left);
            left -= carried;
            if !carried.is_zero() {
                self.tenders.push(RefundTender {
                    carried: true,
                    amount: carried,
                    ..part.clone()
                });
            }
            if part.amount > carried {
                self.tenders.push(RefundTender {
                    carried: false,
                    amount: part.amount - carried,
                    ..part
                });
            }
        }
        self
    }
}

/// One returned line: what goes back into stock.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct ReturnLine {
    pub product_id: String,
    pub sku: String,
    #[autosurgeon(with = "decimal_str")]
    pub quantity: Decimal,
    #[autosurgeon(with = "decimal_str")]
    pub amount: Decimal,
    /// The sale's line it returns, so returns of one line from several devices add up. Lines
    /// returned before this field existed were whole-sale refunds, in the sale's line order.
    #[autosurgeon(missing = "Option::default")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_id: Option<crate::ticket::LineId>,
    /// Came back damaged: written off, not put back into stock. Lines returned before this
    /// field existed went back to stock.
    #[autosurgeon(missing = "not_training")]
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub damaged: bool,
}

/// A whole sale voided: what the reports need of a [`Refund`] that [`Refund::voids_sale`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Void {
    pub id: Uuid,
    pub sale_id: Uuid,
    pub at_ms: i64,
    pub reason: String,
}

impl Void {
    /// The void `refund` makes, if it voids its sale.
    pub fn of(refund: &Refund) -> Option<Void> {
        refund.voids_sale.then(|| Void {
            id: refund.id,
            sale_id: refund.sale_id,
            at_ms: refund.at_ms,
            reason: refund.reason.clone(),
        })
    }
}

/// What the stored sale looks like in the document.
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate)]
struct SaleRecord {
    receipt: String,
    completed_at_ms: i64,
    #[autosurgeon(with = "decimal_str")]
    total: Decimal,
    #[autosurgeon(with = "decimal_str")]
    paid: Decimal,
    /// The `Sale` as serde JSON.
    body: String,
}

/// The day's totals, for the monthly index. Money is counted as it changed hands: what the
/// customers paid and what was paid back, so a sale refunded in full nets to nothing even when
/// cash rounding made it 10.00 on a total of 10.02.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DaySummary {
    /// Real sales: training sales and voided sales are not counted here.
    pub sales: u64,
    /// What the real sales took ([`Sale::amount_paid`]: the total with its cash rounding and any
    /// card excess). A training sale took no money, and a voided one gave it back.
    pub total: Decimal,
    /// Sales made in training mode (a simulated card terminal), counted apart.
    pub training: u64,
    /// Real refunds: refunds of training sales are left out, as those sales are.
    pub refunds: u64,
    /// What the real refunds paid back; the day's money is `total - refunded`.
    pub refunded: Decimal,
    /// Voids of sales that are not training sales; their sales are out of `sales` and `total`.
    pub voids: u64,
}

impl DaySummary {
    /// Counts one more sale, by the same rule as [`SalesDay::summary`].
    pub fn add_sale(&mut self, sale: &Sale) {
        if sale.is_training() {
            self.training += 1;
        } else {
            self.sales += 1;
            self.total += sale.amount_paid();
        }
    }

    /// Counts one more refund, by the same rule as [`SalesDay::summary`].
    pub fn add_refund(&mut self, refund: &Refund) {
        if !refund.training {
            self.refunds += 1;
            self.refunded += refund.amount;
        }
    }

    /// The figures an index row carries (it has no count of training sales).
    pub fn from_entry(entry: &DayEntry) -> DaySummary {
        DaySummary {
            sales: entry.sales,
            total: entry.total,
            training: 0,
            refunds: entry.refunds,
            refunded: entry.refunded,
            voids: entry.voids,
        }
    }

    pub fn fill_entry(&self, entry: &mut DayEntry) {
        entry.sales = self.sales;
        entry.total = self.total;
        entry.refunds = self.refunds;
        entry.refunded = self.refunded;
        entry.voids = self.voids;
    }
}

/// What a day's money is counted from: see [`SalesDay::summary`].
struct Counted {
    real: Vec<Sale>,
    training: u64,
    refunds: Vec<Refund>,
    voids: u64,
}

/// A day's money by tender (see [`SalesDay::money_by_tender`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayTenders {
    /// What the real sales took: the cash the drawers kept (after change) and the cards' charges.
    pub paid: TenderTotals,
    /// What the real refunds paid back from the drawers and to the cards.
    pub refunded: TenderTotals,
}

pub struct SalesDay {
    doc: AutoCommit,
}

impl SalesDay {
    /// The sales document of `device` for `day`. Any device may make one to receive the owner's
    /// changes into (the genesis is the same everywhere); only the owner may record into it.
    pub fn new(store: Uuid, device: Uuid, day: BusinessDay, actor: &Actor) -> SalesDay {
        let id = SalesDay::id(store, device, day);
        let (store, device, day) = (store.to_string(), device.to_string(), day.to_string());
        let doc = genesis(
            id,
            DocKind::SalesDay,
            &[("store", &store), ("device", &device), ("day", &day)],
            &[SALES, RECEIPTS, REFUNDS, VOIDS],
            actor,
        );
        SalesDay { doc }
    }

    pub fn id(store: Uuid, device: Uuid, day: BusinessDay) -> DocumentId {
        DocumentId::derive(store, DocKind::SalesDay, &format!("{device}/{day}"))
    }

    pub fn store(&self) -> Result<Uuid, DocError> {
        get_uuid_str(&self.doc, "store")
    }
    pub fn device(&self) -> Result<Uuid, DocError> {
        get_uuid_str(&self.doc, "device")
    }
    pub fn day(&self) -> Result<BusinessDay, DocError> {
        get_str(&self.doc, &ROOT, "day")?
            .ok_or_else(|| DocError::Corrupt("day is missing".into()))?
            .parse()
    }

    fn check_owner(&self) -> Result<(), DocError> {
        let owner = self.device()?;
        let actor = self.doc.get_actor().to_bytes();
        let writer = actor
            .get(..16)
            .and_then(|b| Uuid::from_slice(b).ok())
            .unwrap_or_default();
        if writer != owner {
            return Err(DocError::NotOwner { owner, writer });
        }
        Ok(())
    }

    /// Records a completed sale once: recording the same sale again changes nothing.
    pub fn record_sale(&mut self, sale: &Sale) -> Result<Recorded, DocError> {
        self.check_owner()?;
        let sales = root_map(&self.doc, SALES)?;
        let id = sale.id().to_string();
        let body = serde_json::to_string(sale).map_err(|e| DocError::Corrupt(e.to_string()))?;
        if let Some(existing) = hydrate_entry::<SaleRecord>(&self.doc, &sales, id.as_str())? {
            return if existing.body == body {
                Ok(Recorded::AlreadyThere)
            } else {
                Err(DocError::IdReused { id: sale.id() })
            };
        }
        let receipt = sale.receipt_number().to_string();
        let receipts = root_map(&self.doc, RECEIPTS)?;
        if get_str(&self.doc, &receipts, &receipt)?.is_some_and(|other| other != id) {
            return Err(DocError::ReceiptNumberReused { receipt });
        }
        let record = SaleRecord {
            receipt: receipt.clone(),
            completed_at_ms: sale.completed_at_ms(),
            total: sale.totals().total,
            paid: sale.amount_paid(),
            body,
        };
        reconcile_prop(&mut self.doc, &sales, id.as_str(), &record)?;
        self.doc.put(&receipts, receipt.as_str(), id.as_str())?;
        self.doc
            .commit_with(CommitOptions::default().with_time(sale.completed_at_ms()));
        Ok(Recorded::New)
    }

    pub fn record_refund(&mut self, refund: &Refund) -> Result<Recorded, DocError> {
        self.record(REFUNDS, refund.id, refund, refund.at_ms)
    }

    fn record<T: Reconcile + Hydrate + PartialEq>(
        &mut self,
        key: &str,
        id: Uuid,
        record: &T,
        at_ms: i64,
    ) -> Result<Recorded, DocError> {
        self.check_owner()?;
        let map = root_map(&self.doc, key)?;
        let id_text = id.to_string();
        if let Some(existing) = hydrate_entry::<T>(&self.doc, &map, id_text.as_str())? {
            return if &existing == record {
                Ok(Recorded::AlreadyThere)
            } else {
                Err(DocError::IdReused { id })
            };
        }
        reconcile_prop(&mut self.doc, &map, id_text.as_str(), record)?;
        self.doc
            .commit_with(CommitOptions::default().with_time(at_ms));
        Ok(Recorded::New)
    }

    /// Records a staff audit entry once: the same entry again changes nothing, and its id with
    /// other contents is refused. The entry must have been made on this document's device.
    pub fn record_audit(&mut self, entry: &AuditEntry) -> Result<Recorded, DocError> {
        self.check_owner()?;
        let owner = self.device()?;
        if entry.device != owner {
            // An entry says which device it happened on; the log of another device is not where
            // it belongs, and every device reads this one as the owner's word.
            return Err(DocError::NotOwner {
                owner,
                writer: entry.device,
            });
        }
        let id = entry.id.to_string();
        let body = serde_json::to_string(entry).map_err(|e| DocError::Corrupt(e.to_string()))?;
        for map in concurrent_maps(&self.doc, AUDIT)? {
            if let Some(existing) = get_str(&self.doc, &map, &id)? {
                return if existing == body {
                    Ok(Recorded::AlreadyThere)
                } else {
                    Err(DocError::IdReused { id: entry.id })
                };
            }
        }
        let map = map_made_on_first_use(&mut self.doc, AUDIT)?;
        self.doc.put(&map, id.as_str(), body)?;
        self.doc
            .commit_with(CommitOptions::default().with_time(entry.at_ms));
        Ok(Recorded::New)
    }

    /// The day's staff audit entries, in time order (then by id); none before the first.
    pub fn audit(&self) -> Result<Vec<AuditEntry>, DocError> {
        let bodies = union_of_maps(&self.doc, AUDIT, |map, key| get_str(&self.doc, map, key))?;
        let mut entries = bodies
            .into_iter()
            .map(|(id, body)| {
                serde_json::from_str::<AuditEntry>(&body)
                    .map_err(|e| DocError::Corrupt(format!("audit entry {id}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        entries.sort_by_key(|e| (e.at_ms, e.id));
        Ok(entries)
    }

    fn records(&self) -> Result<BTreeMap<String, SaleRecord>, DocError> {
        Ok(hydrate_prop(&self.doc, ROOT, SALES)?)
    }

    /// The day's sales in the order they were completed.
    pub fn sales(&self) -> Result<Vec<Sale>, DocError> {
        let mut sales = self
            .records()?
            .into_values()
            .map(|r| {
                serde_json::from_str::<Sale>(&r.body).map_err(|e| DocError::Corrupt(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        sales.sort_by(|a, b| {
            (a.completed_at_ms(), a.receipt_number())
                .cmp(&(b.completed_at_ms(), b.receipt_number()))
        });
        Ok(sales)
    }

    pub fn sale(&self, id: Uuid) -> Result<Option<Sale>, DocError> {
        let sales = root_map(&self.doc, SALES)?;
        let Some(record) = hydrate_entry::<SaleRecord>(&self.doc, &sales, id.to_string().as_str())?
        else {
            return Ok(None);
        };
        serde_json::from_str(&record.body)
            .map(Some)
            .map_err(|e| DocError::Corrupt(e.to_string()))
    }

    pub fn refunds(&self) -> Result<Vec<Refund>, DocError> {
        let map: BTreeMap<String, Refund> = hydrate_prop(&self.doc, ROOT, REFUNDS)?;
        Ok(map.into_values().collect())
    }

    /// The day's voids: its refunds that void their sale.
    pub fn voids(&self) -> Result<Vec<Void>, DocError> {
        Ok(self.refunds()?.iter().filter_map(Void::of).collect())
    }

    /// The day's real sales (neither training nor voided), its real refunds, and how many
    /// training sales and voids of real sales it left out: what [`Self::summary`] and
    /// [`Self::money_by_tender`] count.
    fn counted(&self) -> Result<Counted, DocError> {
        let sales = self.sales()?;
        let here: BTreeSet<Uuid> = sales.iter().map(Sale::id).collect();
        // A void is a void of a sale of this day (a device voids only its own sale of the day
        // it made it); any other reads as the refund it also is.
        let (voids, refunds): (Vec<Refund>, Vec<Refund>) = self
            .refunds()?
            .into_iter()
            .filter(|r| !r.training)
            .partition(|r| r.voids_sale && here.contains(&r.sale_id));
        let voided: BTreeSet<Uuid> = voids.iter().map(|v| v.sale_id).collect();
        let mut training = 0;
        let mut real = Vec::new();
        for sale in sales {
            if sale.is_training() {
                training += 1;
            } else if !voided.contains(&sale.id()) {
                real.push(sale);
            }
        }
        Ok(Counted {
            real,
            training,
            refunds,
            voids: voided.len() as u64,
        })
    }

    /// The day's totals (see [`DaySummary`]).
    pub fn summary(&self) -> Result<DaySummary, DocError> {
        let counted = self.counted()?;
        Ok(DaySummary {
            sales: counted.real.len() as u64,
            total: counted.real.iter().map(Sale::amount_paid).sum(),
            training: counted.training,
            refunds: counted.refunds.len() as u64,
            refunded: counted.refunds.iter().map(|r| r.amount).sum(),
            voids: counted.voids,
        })
    }

    /// The day's money by tender, counted as [`Self::summary`] counts it: what the real sales'
    /// drawers kept and cards were charged, and what the real refunds paid back through each. A
    /// refund recorded before refunds named their tenders is split by its sale, found in this
    /// day or by `sale_of` (another day); one whose sale is nowhere to be read counts as cash.
    pub fn money_by_tender(
        &self,
        sale_of: impl Fn(Uuid) -> Option<Sale>,
    ) -> Result<DayTenders, DocError> {
        let counted = self.counted()?;
        let mut money = DayTenders::default();
        for sale in &counted.real {
            money.paid += sale.refund_split();
        }
        for refund in &counted.refunds {
            let split = match refund.paid_back_as_recorded() {
                Some(split) => split,
                None => match self
                    .sale(refund.sale_id)?
                    .or_else(|| sale_of(refund.sale_id))
                {
                    Some(sale) => refund.paid_back(&sale),
                    None => RefundSplit {
                        cash: refund.amount,
                        ..RefundSplit::default()
                    },
                },
            };
            money.refunded += split;
        }
        Ok(money)
    }

    /// Records the state of one of the device's shifts after a step made this day: once, and
    /// only when it is further along than the state the day holds of it (an earlier step folded
    /// after a later one changes nothing).
    pub fn record_shift(&mut self, state: &ShiftState) -> Result<Recorded, DocError> {
        self.check_owner()?;
        let id = state.shift.id;
        let kept = self.shifts()?.into_iter().find(|s| s.shift.id == id);
        if kept.is_some_and(|kept| !state.is_later_than(&kept)) {
            return Ok(Recorded::AlreadyThere);
        }
        let body = serde_json::to_string(state).map_err(|e| DocError::Corrupt(e.to_string()))?;
        let map = map_made_on_first_use(&mut self.doc, SHIFTS)?;
        self.doc.put(&map, id.to_string().as_str(), body)?;
        self.doc
            .commit_with(CommitOptions::default().with_time(state.at_ms));
        Ok(Recorded::New)
    }

    /// The device's shifts as they stood after their last step of this day, in the order they
    /// were opened; none in a day recorded before shifts were shared. Two tabs that each made
    /// the map give two states of a shift: the one further along is read.
    pub fn shifts(&self) -> Result<Vec<ShiftState>, DocError> {
        let mut states = Vec::new();
        for map in concurrent_maps(&self.doc, SHIFTS)? {
            for key in self.doc.keys(&map) {
                let Some(body) = get_str(&self.doc, &map, &key)? else {
                    continue;
                };
                let state: ShiftState = serde_json::from_str(&body)
                    .map_err(|e| DocError::Corrupt(format!("shift {key}: {e}")))?;
                states.push(((), state));
            }
        }
        Ok(latest_states(states).into_iter().map(|(_, s)| s).collect())
    }

    /// This day's row in the monthly index.
    pub fn index_entry(&self) -> Result<DayEntry, DocError> {
        let s = self.summary()?;
        Ok(DayEntry {
            device: self.device()?,
            day: self.day()?.to_string(),
            sales: s.sales,
            total: s.total,
            refunds: s.refunds,
            refunded: s.refunded,
            voids: s.voids,
        })
    }
}

impl SharedDocument for SalesDay {
    const KIND: DocKind = DocKind::SalesDay;
    automerge_in_doc_field!();
    fn from_automerge(doc: AutoCommit) -> Result<Self, DocError> {
        super::check_kind(&doc, Self::KIND)?;
        Ok(SalesDay { doc })
    }
    fn document_id(&self) -> DocumentId {
        match (self.store(), self.device(), self.day()) {
            (Ok(store), Ok(device), Ok(day)) => SalesDay::id(store, device, day),
            _ => DocumentId([0; 16]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refund as devices recorded it before returns named their lines and tenders.
    #[derive(Reconcile)]
    struct RefundBeforeReturns {
        id: Uuid,
        sale_id: Uuid,
        at_ms: i64,
        lines: Vec<LineBeforeReturns>,
        #[autosurgeon(with = "decimal_str")]
        amount: Decimal,
        reason: String,
    }

    #[derive(Reconcile)]
    struct LineBeforeReturns {
        product_id: String,
        sku: String,
        #[autosurgeon(with = "decimal_str")]
        quantity: Decimal,
        #[autosurgeon(with = "decimal_str")]
        amount: Decimal,
    }

    #[test]
    fn a_refund_recorded_before_returns_by_line_still_reads() {
        let device = Uuid::from_u128(0xd1);
        let day = BusinessDay::new(2026, 11, 29).unwrap();
        let mut sales = SalesDay::new(Uuid::from_u128(1), device, day, &Actor::device(device));
        let old = RefundBeforeReturns {
            id: Uuid::from_u128(0x4ef),
            sale_id: Uuid::from_u128(0x5a1e),
            at_ms: 1,
            lines: vec![LineBeforeReturns {
                product_id: "fries".into(),
                sku: "F-1".into(),
                quantity: Decimal::ONE,
                amount: Decimal::new(350, 2),
            }],
            amount: Decimal::new(350, 2),
            reason: "cold".into(),
        };
        let map = root_map(&sales.doc, REFUNDS).unwrap();
        reconcile_prop(&mut sales.doc, &map, "old", &old).unwrap();
        let read = sales.refunds().unwrap();
        assert_eq!(read.len(), 1);
        assert!(!read[0].training);
        assert!(read[0].tenders.is_empty());
        assert_eq!(read[0].lines[0].line_id, None);

        // The outbox keeps refunds as serde JSON: an old entry reads the same way.
        let json = r#"{"id":"00000000-0000-0000-0000-0000000004ef","sale_id":"00000000-0000-0000-0000-000000005a1e","at_ms":1,"lines":[{"product_id":"fries","sku":"F-1","quantity":"1","amount":"3.50"}],"amount":"3.50","reason":"cold"}"#;
        let from_json: Refund = serde_json::from_str(json).unwrap();
        assert_eq!(from_json, read[0]);
    }
}
