//! The storage seam: everything the register keeps goes through [`Storage`]. The app holds a
//! `Rc<dyn Storage>` and never touches the browser database elsewhere, so screens do not know
//! how sales are kept. The IndexedDB implementation is in `idb.rs`.

use std::future::Future;
use std::pin::Pin;

use pos_core::gift_card::{GiftCardNumber, GiftCardOp};
use pos_core::{Catalog, CompleteError, Decimal, Payment, Refund, Sale, Store, Ticket, Uuid};
use serde::{Deserialize, Serialize};

pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + 'a>>;

/// Why something was not kept. In every case nothing already stored was changed. `Display` is
/// for developers (the console, "Details"); the cashier reads `state::storage_notice`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StorageError {
    /// The sale itself is not valid (under-tendered, the ticket changed).
    #[error("{0}")]
    Sale(CompleteError),
    /// The browser's storage quota or the disk is full.
    #[error("the storage quota is exceeded")]
    QuotaExceeded,
    /// Another tab holds the database open with an older version and will not let go.
    #[error("the database is blocked by another tab")]
    Blocked,
    /// The browser refused for another reason (the database is broken or unavailable).
    #[error("{0}")]
    Failed(String),
}

/// What a device keeps about itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// Prefix of this device's receipt numbers.
    pub code: String,
    /// The sequence number of the last receipt this device issued.
    pub last_sequence: u64,
}

/// A payment being taken. The sale's id is fixed when payment starts, so saving the same paid
/// ticket twice (a retry, a reload after a crash) finds the sale already kept instead of making
/// a second one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingPayment {
    pub sale_id: Uuid,
    pub payment: Payment,
    /// Taken while the training simulator was the card terminal: the sale is marked training.
    #[serde(default)]
    pub training: bool,
    /// A card amount sent to an integrated terminal whose answer has not been recorded yet.
    /// Saved before the terminal is asked, so that after a reload the register asks the
    /// terminal what became of it instead of charging again.
    #[serde(default)]
    pub card_in_flight: Option<CardInFlight>,
    /// Set with `card_in_flight` when what is with the terminal is the reversal of one of this
    /// payment's cards, not a payment: its approval takes that card back instead of adding one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversal_in_flight: Option<ReversalInFlight>,
    /// The staff member at the till when payment began, whom the sale names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cashier: Option<pos_core::Cashier>,
    /// Goods brought back from an earlier sale pay for this ticket (an exchange): their refund
    /// is recorded in the transaction that keeps this sale, never one without the other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Exchange>,
    /// The customer attached to the ticket when payment began, whom the sale names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Uuid>,
    /// A gift card redemption sent to the server whose answer is not recorded yet: kept before
    /// it is sent, so that after a reload the same operation (same id, so the server counts it
    /// once) is sent again and its confirmation adds the tender, never a second redemption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift_card_in_flight: Option<GiftCardOp>,
    /// A redemption of the customer's points sent to the server whose answer is not recorded
    /// yet, kept before it is sent as `gift_card_in_flight` is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_in_flight: Option<pos_core::loyalty::LoyaltyOp>,
    /// The store's loyalty programme when the sale was completed, and the customer's points as
    /// this device knew them: what the sale earns and the balance its receipt shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_rule: Option<pos_core::loyalty::LoyaltyRule>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points_before: Option<Decimal>,
}

/// What this device last heard of a gift card from the server: the balance an offline
/// redemption is allowed against (with the store's cap, core `OfflineAllowance`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownCard {
    pub card: GiftCardNumber,
    pub balance: Decimal,
    pub active: bool,
    /// When the server said so, by this device's clock.
    pub at_ms: i64,
}

/// What this device last heard of a customer's loyalty points from the server, less the points
/// it let them spend offline since: what an offline redemption is allowed against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownPoints {
    pub customer: Uuid,
    pub balance: Decimal,
    /// When the server said so, by this device's clock.
    pub at_ms: i64,
}

/// Goods of an earlier sale brought back to be exchanged for the goods on the open ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// The sale the goods came from.
    pub sale: Sale,
    /// What goes back for them (the lines, the damaged ones written off, and the money through
    /// the sale's own tenders) before the new ticket takes its part as credit.
    pub refund: Refund,
    /// How a card part left over goes back, decided when the payment completes.
    #[serde(default)]
    pub card_method: Option<CardRefundMethod>,
}

impl Exchange {
    /// The refund as kept with the sale that took `applied` of its credit: completed at
    /// `at_ms` unless a card part is still to go back (the terminal, or the bank's, does that
    /// next, as for any refund).
    pub fn record(&self, applied: Decimal, at_ms: i64) -> RefundRecord {
        let refund = self.refund.clone().towards_exchange(applied);
        let mut record = RefundRecord::started(&self.sale, refund, self.card_method);
        if record.card.is_zero() {
            record.completed_at_ms = Some(at_ms);
        }
        record
    }
}

/// A reversal sent to the terminal for a card of the open payment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReversalInFlight {
    /// The reversal's own id, sent as the operation's id: asking the terminal about it later
    /// never mistakes the reversal for a payment of the sale, nor the other way round.
    pub id: Uuid,
    /// The terminal's receipt number of the card payment it undoes.
    pub receipt_no: Option<u16>,
}

/// A card payment the terminal may have taken.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardInFlight {
    /// What the terminal was asked for, the tip included.
    pub amount: Decimal,
    /// The tip chosen on the register and charged on top: the terminal's approval of `amount`
    /// pays `amount - tip` of the ticket. Zero for a refund, and for one kept before tips.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub tip: Decimal,
    /// The terminal's receipt number of the last payment seen complete before this one, to tell
    /// that payment from this one when the terminal reports its last operation.
    pub known_receipt_no: Option<u16>,
    /// For a refund to a sale paid with several cards: which card's part this is (its index
    /// in the sale's tenders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<u32>,
}

/// The ticket on screen, with its payment if one is being taken; saved on every edit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenTicket {
    pub ticket: Ticket,
    pub payment: Option<PendingPayment>,
    /// The customer attached to the ticket, whom the sale will name (issue 14).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<Uuid>,
}

pub use pos_core::DocWrite;

/// A committed record that is not yet in the store's documents. The outbox is the only way into
/// the documents: a sale or refund is written there in the transaction that makes it real, and
/// the sync engine folds it into the documents (idempotently, by its id) and removes it in the
/// transaction that stores the documents. So nothing that was not committed can reach another
/// device, and nothing committed is left behind by a crash.
#[derive(Clone, Debug, PartialEq)]
pub struct OutboxItem {
    /// The outbox key: the record's UUIDv7, so the outbox reads in the order records were made.
    pub key: String,
    /// The store the device belonged to when the record was made; `None` for a sale made before
    /// it created or joined one, which goes to a store only when the owner says so.
    pub store: Option<Uuid>,
    pub record: Outgoing,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Outgoing {
    Sale(Sale),
    Refund(Refund),
    Audit(pos_core::staff::AuditEntry),
    /// A shift after one of its steps, for the store's day.
    Shift(pos_core::shift::ShiftState),
    /// A customer saved, merged or erased, for the store's customers (no business day).
    Customer(pos_core::customer::CustomerChange),
}

impl Outgoing {
    /// When it happened, which names the business day whose document it goes into; `None` for
    /// a record of the store's customers, which belong to no day.
    pub fn at_ms(&self) -> Option<i64> {
        match self {
            Outgoing::Sale(sale) => Some(sale.completed_at_ms()),
            Outgoing::Refund(refund) => Some(refund.at_ms),
            Outgoing::Audit(entry) => Some(entry.at_ms),
            Outgoing::Shift(state) => Some(state.at_ms),
            Outgoing::Customer(_) => None,
        }
    }
}

/// How the card part of a refund goes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardRefundMethod {
    /// Undoes the payment by its terminal receipt number (same terminal day: no fee).
    Reversal { receipt_no: u16 },
    /// Pays the amount back to the card.
    Refund,
    /// On the bank's own terminal, which the register cannot reach: the cashier confirms here.
    Standalone,
}

/// A refund of some or all lines of a sale, from the moment the cashier starts it. Kept in `kv`
/// under `refund:<sale id>:<refund id>` (`refund:<sale id>` for one kept before refunds took
/// lines), so a sale's refunds are read with one key range. A sale has at most one unfinished
/// refund, and its id and lines are fixed before any terminal hears of it: a retry or a reload
/// continues this refund and never starts a second one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefundRecord {
    /// UUIDv7, made when the cashier started the refund.
    pub id: Uuid,
    pub sale_id: Uuid,
    pub receipt: String,
    /// When the cashier started it: the refund's time in the store's documents, fixed so that
    /// recording it again is recognised as the same refund.
    pub at_ms: i64,
    pub reason: String,
    /// Back to the card, by this device (zero for another device's refund kept here).
    pub card: Decimal,
    /// Back from this device's drawer.
    pub cash: Decimal,
    /// Kept as credit for the goods an exchange on this device took instead (no money moved).
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub exchange: Decimal,
    /// Put back onto the store's gift cards the sale was paid with (`refund_to_card` operations
    /// kept in the gift card outbox with the refund). Records kept before read zero.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub gift_card: Decimal,
    pub card_method: Option<CardRefundMethod>,
    /// The card part is with the terminal and its answer is not recorded: after a reload the
    /// register asks the terminal's last status instead of sending it again.
    pub card_in_flight: Option<CardInFlight>,
    /// The terminal approved the card part (or the cashier confirmed the bank's terminal did).
    pub card_done: bool,
    /// The cards (by index in the sale's tenders) the terminal has paid their part back to, of
    /// a sale paid with several: each card gets its own refund, one after the other.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cards_paid_back: Vec<u32>,
    /// Set in the transaction that records the refund in the store's documents.
    pub completed_at_ms: Option<i64>,
    /// The refund as the store's documents hold it: the lines and quantities returned and what
    /// went back through each tender. `None` for a record kept before refunds took lines: it
    /// returned the whole sale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund: Option<Refund>,
    /// Goods brought back with no receipt, rung up at today's prices: the sale this refund pays
    /// back, made only for it and never recorded as a sale (its receipt number's sequence is 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goods: Option<Sale>,
}

impl RefundRecord {
    /// `refund` of `sale` as it starts: nothing paid back yet, the card part (if any) to go back
    /// by `card_method`, the cash part from the drawer, what it keeps for an exchange.
    pub fn started(
        sale: &Sale,
        refund: Refund,
        card_method: Option<CardRefundMethod>,
    ) -> RefundRecord {
        let back = refund.paid_back(sale);
        RefundRecord {
            id: refund.id,
            sale_id: sale.id(),
            receipt: sale.receipt_number().to_string(),
            at_ms: refund.at_ms,
            reason: refund.reason.clone(),
            card: back.card,
            cash: back.cash,
            exchange: back.exchange,
            gift_card: back.gift_card,
            card_method: card_method.filter(|_| !back.card.is_zero()),
            card_in_flight: None,
            card_done: false,
            cards_paid_back: Vec::new(),
            completed_at_ms: None,
            refund: Some(refund),
            goods: None,
        }
    }

    pub fn is_completed(&self) -> bool {
        self.completed_at_ms.is_some()
    }

    /// The card parts still to go back through the terminal, each card of the sale its own
    /// part `(card index, amount)`; one part of `card` with no index for a refund that does not
    /// say how it went back per tender.
    pub fn card_parts_owed(&self) -> Vec<(Option<u32>, Decimal)> {
        let parts: Vec<(Option<u32>, Decimal)> = match &self.refund {
            Some(refund) if !refund.tenders.is_empty() => refund
                .tenders
                .iter()
                .filter(|t| t.card.is_some() && !t.gift_card && !t.carried && !t.in_cash)
                .map(|t| (t.card, t.amount))
                .collect(),
            _ => vec![(None, self.card)],
        };
        parts
            .into_iter()
            .filter(|(card, amount)| {
                !amount.is_zero() && !card.is_some_and(|c| self.cards_paid_back.contains(&c))
            })
            .collect()
    }

    /// The refund as recorded in the documents: its own lines, or the whole `sale` for a record
    /// kept before refunds took lines.
    pub fn as_refund(&self, sale: &Sale) -> Refund {
        self.refund
            .clone()
            .unwrap_or_else(|| Refund::full(sale, self.id, self.at_ms, &self.reason))
    }

    /// A refund another device recorded, kept here so this device counts what it returned.
    /// Nothing of it was paid back here (`card` and `cash` are this device's payments back).
    pub fn recorded_elsewhere(refund: Refund, receipt: String) -> RefundRecord {
        RefundRecord {
            id: refund.id,
            sale_id: refund.sale_id,
            receipt,
            at_ms: refund.at_ms,
            reason: refund.reason.clone(),
            card: Decimal::ZERO,
            cash: Decimal::ZERO,
            exchange: Decimal::ZERO,
            gift_card: Decimal::ZERO,
            card_method: None,
            card_in_flight: None,
            card_done: true,
            cards_paid_back: Vec::new(),
            completed_at_ms: Some(refund.at_ms),
            refund: Some(refund),
            goods: None,
        }
    }
}

/// This device's place in a store, from enrollment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub store_id: Uuid,
    pub store_name: String,
    pub device_id: Uuid,
    pub device_name: String,
    pub device_token: String,
    pub peer_id: String,
    pub role: String,
    /// The store's Ed25519 public key (hex), from enrollment: the only key a staff list is
    /// trusted with. Empty for a membership made before the server had one.
    #[serde(default)]
    pub store_key: String,
    /// The newest staff list this device verified, as the server signed it (base64).
    #[serde(default)]
    pub staff_list: Option<String>,
}

impl Membership {
    pub fn is_owner(&self) -> bool {
        self.role == "owner"
    }
}

/// One opening of the cash drawer, for the audit list. Kept on this device only, append-only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawerOpening {
    pub at_ms: i64,
    /// Who opened it. There are no staff accounts yet, so this is the device's code.
    pub by: String,
    pub reason: DrawerReason,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DrawerReason {
    /// Change for a cash sale: its receipt number.
    Sale { receipt: String },
    /// "No sale", with what the cashier typed.
    NoSale { reason: String },
    /// Cash handed back for a refunded sale: its receipt number and the cashier's reason.
    Refund { receipt: String, reason: String },
}

/// Products a start reads before the register is drawn: the register shows this many tiles.
pub const FIRST_SCREEN_PRODUCTS: usize = 120;

/// The catalog as a start first reads it (see [`Storage::load_catalog_start`]).
pub struct CatalogStart {
    pub store: Store,
    /// Every category, modifier and tax category, and the first products in the catalog's order.
    pub catalog: Catalog,
    /// True when `catalog` holds every product; otherwise `load_catalog` reads the rest.
    pub whole: bool,
}

pub trait Storage {
    fn device(&self) -> StorageFuture<'_, DeviceInfo>;
    /// The store profile and catalog, or `None` on a device that has none yet.
    fn load_catalog(&self) -> StorageFuture<'_, Option<(Store, Catalog)>>;
    /// What the register needs on screen first: the store profile, the catalog's categories and
    /// taxes, and its first [`FIRST_SCREEN_PRODUCTS`] products, read without parsing a large
    /// catalog. `None` on a device that has no catalog yet.
    fn load_catalog_start(&self) -> StorageFuture<'_, Option<CatalogStart>>;
    fn save_catalog(&self, store: Store, catalog: Catalog) -> StorageFuture<'_, ()>;
    /// A device setting kept under `key` (the card terminal, scanners, the last sync), as JSON.
    fn load_setting(&self, key: &'static str) -> StorageFuture<'_, Option<serde_json::Value>>;
    fn save_setting(&self, key: &'static str, value: serde_json::Value) -> StorageFuture<'_, ()>;
    /// The ticket this tab had open, if any.
    fn load_open_ticket(&self) -> StorageFuture<'_, Option<OpenTicket>>;
    /// Saves the open ticket. While a payment is open the write is strict (on disk when it
    /// resolves): it may set or clear a card amount in flight, which must survive a power cut.
    fn save_open_ticket(&self, open: OpenTicket) -> StorageFuture<'_, ()>;
    /// Completes the paid ticket into a sale and keeps it, in one transaction with the device's
    /// next receipt number and the removal of the open ticket. Resolves only once the transaction
    /// has committed. Committing the same sale id again returns the sale already kept.
    /// The sale goes into the outbox in the same transaction, marked with `store` (the store the
    /// device belongs to now, if any).
    fn commit_sale(
        &self,
        ticket: Ticket,
        payment: PendingPayment,
        at_ms: i64,
        store: Option<Uuid>,
    ) -> StorageFuture<'_, Sale>;
    /// The newest sales first: `limit` of them, older than the sale `before` if given.
    fn recent_sales(&self, before: Option<Uuid>, limit: usize) -> StorageFuture<'_, Vec<Sale>>;
    /// The sale with this receipt number, exactly as printed (`K7Q2-000042`).
    fn find_by_receipt(&self, receipt: String) -> StorageFuture<'_, Option<Sale>>;
    /// The sale with this id (a receipt's QR code holds it), from any device of the store.
    fn find_sale(&self, id: Uuid) -> StorageFuture<'_, Option<Sale>>;
    /// Gives this device a new receipt-number prefix. The sequence goes on from where it was, so
    /// a number this device printed is never printed again, whatever prefix it had.
    fn set_device_code(&self, code: String) -> StorageFuture<'_, ()>;
    fn load_membership(&self) -> StorageFuture<'_, Option<Membership>>;
    fn save_membership(&self, membership: Membership) -> StorageFuture<'_, ()>;
    /// Every stored chunk of a document (snapshot, incrementals, sync states), by key.
    fn load_doc_chunks(&self, prefix: String) -> StorageFuture<'_, Vec<(String, Vec<u8>)>>;
    /// Writes documents' chunks and sync states, the sales they carry from other devices and
    /// those devices' refunds (a sale of this device refunded elsewhere shows as refunded; a
    /// refund record already kept is left alone), in one transaction with strict durability.
    fn save_docs(
        &self,
        writes: Vec<DocWrite>,
        sales: Vec<Sale>,
        refunds: Vec<Refund>,
    ) -> StorageFuture<'_, ()>;
    /// Every record in the outbox, oldest first.
    fn outbox(&self) -> StorageFuture<'_, Vec<OutboxItem>>;
    /// Stores what folding outbox records into the documents wrote and removes those records,
    /// in one transaction with strict durability. `own_days` are added to the days this device
    /// has changes of that the server has not acknowledged (see [`Storage::unacknowledged_days`]).
    fn fold_outbox(
        &self,
        writes: Vec<DocWrite>,
        folded: Vec<String>,
        own_days: Vec<String>,
    ) -> StorageFuture<'_, ()>;
    /// Marks outbox records made before the device belonged to a store as the store's, so they
    /// are folded into its documents.
    fn claim_for_store(&self, keys: Vec<String>, store: Uuid) -> StorageFuture<'_, ()>;
    /// Removes outbox records without folding them (sales made before joining a store that the
    /// owner chose to keep on this device only).
    fn drop_from_outbox(&self, keys: Vec<String>) -> StorageFuture<'_, ()>;
    /// The days (`YYYY-MM-DD`) of this device's own sales documents with changes the server has
    /// not acknowledged: opened at every start, whatever their date, so nothing is stranded.
    fn unacknowledged_days(&self) -> StorageFuture<'_, Vec<String>>;
    /// The server has acknowledged everything of these days.
    fn acknowledged_days(&self, days: Vec<String>) -> StorageFuture<'_, ()>;
    /// A number no writer of this device used before: the store's documents are written under
    /// an Automerge actor made of the device id and this number, so two page loads never write
    /// two different changes with one (actor, sequence number).
    fn next_writer_session(&self) -> StorageFuture<'_, u32>;
    /// Puts a staff member's action in the outbox for the store's audit log, with strict
    /// durability; the sync worker folds it into this device's day document.
    fn record_audit(
        &self,
        entry: pos_core::staff::AuditEntry,
        store: Option<Uuid>,
    ) -> StorageFuture<'_, ()>;
    /// Adds an opening to the drawer's audit list.
    fn record_drawer_opening(&self, opening: DrawerOpening) -> StorageFuture<'_, ()>;
    /// The newest `limit` drawer openings, newest first.
    fn drawer_openings(&self, limit: usize) -> StorageFuture<'_, Vec<DrawerOpening>>;
    /// Every refund this device started, finished or not.
    fn load_refunds(&self) -> StorageFuture<'_, Vec<RefundRecord>>;
    /// Keeps a refund's progress (its id, what is in flight at the terminal). Refuses to go
    /// back on a refund already completed, and to start a second unfinished refund of a sale:
    /// it returns the refund kept instead.
    fn save_refund(&self, record: RefundRecord) -> StorageFuture<'_, RefundRecord>;
    /// This device's shifts, oldest first.
    fn load_shifts(&self) -> StorageFuture<'_, Vec<pos_core::shift::Shift>>;
    /// Keeps a shift as it is now (opened, cash moved, closed), with strict durability: the
    /// float and every pay-out are money the drawer report must still know after a power cut.
    /// For a device of a store (`store`), the state goes into the outbox in the same
    /// transaction, for the sync worker to fold into this device's day of the step.
    fn save_shift(
        &self,
        state: pos_core::shift::ShiftState,
        store: Option<Uuid>,
    ) -> StorageFuture<'_, ()>;
    /// The gift card operations waiting for the server (the gift card outbox), oldest first.
    fn gift_card_outbox(&self) -> StorageFuture<'_, Vec<GiftCardOp>>;
    /// Puts operations in the gift card outbox, strictly (an offline redemption, taken as a
    /// tender, must reach the server whatever happens to the page).
    fn record_gift_card_ops(&self, ops: Vec<GiftCardOp>) -> StorageFuture<'_, ()>;
    /// The server answered operation `op` (recorded it, or refused it for good): it leaves the
    /// outbox, and what the server said of the card (`card`) is remembered.
    fn gift_card_answered(&self, op: Uuid, card: Option<KnownCard>) -> StorageFuture<'_, ()>;
    /// What this device last heard of `card` from the server.
    fn known_gift_card(&self, card: GiftCardNumber) -> StorageFuture<'_, Option<KnownCard>>;
    /// Remembers what the server said of a card.
    fn remember_gift_card(&self, card: KnownCard) -> StorageFuture<'_, ()>;
    /// The loyalty operations waiting for the server (the points outbox), oldest first.
    fn points_outbox(&self) -> StorageFuture<'_, Vec<pos_core::loyalty::LoyaltyOp>>;
    /// Puts a redemption made offline in the points outbox and takes its points off what this
    /// device knows of the customer, strictly.
    fn record_offline_redemption(&self, op: pos_core::loyalty::LoyaltyOp) -> StorageFuture<'_, ()>;
    /// The merges of customers' points waiting for the server, oldest first.
    fn points_merges(&self) -> StorageFuture<'_, Vec<pos_core::loyalty::LoyaltyMerge>>;
    /// The server answered merge `id`: it leaves the outbox, and what the server said of the
    /// survivor's points is remembered.
    fn points_merge_answered(&self, id: Uuid, known: Option<KnownPoints>) -> StorageFuture<'_, ()>;
    /// The server answered operation `op`: it leaves the outbox, and what the server said of
    /// the customer's points is remembered.
    fn points_answered(&self, op: Uuid, known: Option<KnownPoints>) -> StorageFuture<'_, ()>;
    /// What this device last knew of `customer`'s points.
    fn known_points(&self, customer: Uuid) -> StorageFuture<'_, Option<KnownPoints>>;
    /// Remembers what the server said of a customer's points.
    fn remember_points(&self, known: KnownPoints) -> StorageFuture<'_, ()>;
    /// Completes the refund: the record marked completed and the refund put in the outbox (for
    /// `store`), in one transaction with strict durability. Completing it again returns the
    /// record already completed.
    fn commit_refund(
        &self,
        record: RefundRecord,
        store: Option<Uuid>,
    ) -> StorageFuture<'_, RefundRecord>;
    /// The store's customers as this device keeps them (its own changes and what the store's
    /// document last said), erased and merged ones too.
    fn load_customers(&self) -> StorageFuture<'_, Vec<pos_core::customer::Customer>>;
    /// Keeps customer records as they are now and, for a change made on this device of a store
    /// (`store`), puts the change in the outbox (and a merge's `points` in the points outbox),
    /// in one transaction with strict durability: a customer saved offline is on disk before
    /// the screen says so. The sync worker calls it with no change to keep what the store's
    /// document says. `new_key`: the key made here for a new customer, kept and put in the key
    /// outbox in the same transaction. The key of every erased record is forgotten in it, and an
    /// erasure made here goes in the erasure outbox.
    fn save_customers(
        &self,
        records: Vec<pos_core::customer::Customer>,
        change: Option<pos_core::customer::CustomerChange>,
        points: Option<pos_core::loyalty::LoyaltyMerge>,
        store: Option<Uuid>,
        new_key: Option<(Uuid, pos_core::customer::sealed::CustomerKey)>,
    ) -> StorageFuture<'_, ()>;
    /// The customers' keys this device holds.
    fn customer_keys(&self) -> StorageFuture<'_, pos_core::customer::sealed::Keyring>;
    /// Keys made here that the server has not kept yet.
    fn customer_keys_to_send(
        &self,
    ) -> StorageFuture<'_, Vec<(Uuid, pos_core::customer::sealed::CustomerKey)>>;
    /// Erasures made here that the server has not heard of yet.
    fn customer_erasures_to_send(&self) -> StorageFuture<'_, Vec<Uuid>>;
    /// The server answered for the key (or, `erasure`, the erasure) of `customer`.
    fn customer_key_sent(&self, customer: Uuid, erasure: bool) -> StorageFuture<'_, ()>;
    /// Keeps the keys the server holds that this device lacks and forgets those of the
    /// customers it says were erased, with their copies; whether anything changed.
    fn adopt_customer_keys(
        &self,
        keys: Vec<(Uuid, pos_core::customer::sealed::CustomerKey)>,
        erased: Vec<Uuid>,
    ) -> StorageFuture<'_, bool>;
    /// The sales kept on this device (its own and those of every device the sales list holds)
    /// made for any of `customers`, newest first.
    fn customer_sales(&self, customers: Vec<Uuid>) -> StorageFuture<'_, Vec<Sale>>;
}
