//! The store's customers on this device (issue 14): created, edited, merged and erased here
//! offline, each change kept in IndexedDB with its outbox entry before the screen shows it,
//! then folded into the store's customers document by the sync worker, which sends back what
//! every device wrote (`FromEngine::Customers`). A customer's page reads their sales from every
//! device the sales list knows. The customer attached to the open ticket is named by its sale.
//!
//! Crypto-shredding (README "What erasure does"): a new customer gets a random key, kept with
//! the customer and sent to the server through an outbox; the worker seals the customer's fields
//! with it. [`sync_customer_keys`] sends the keys and erasures made here and takes the store's
//! keys from the server, forgetting those of customers erased elsewhere.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::customer::sealed::{CustomerKey, KEY_LEN};
use pos_core::customer::{
    Customer, CustomerChange, CustomerDirectory, CustomerError, CustomerRefused, CustomerStats,
    MergeError,
};
use pos_core::loyalty::LoyaltyMerge;
use pos_core::{Refund, Sale, Uuid, Void};

use super::{AppState, Notice, storage_notice};
use crate::i18n::Msg;
use crate::sync::customer_keys::{self as keys_api, Sent};

/// The customers screen: the list with its search, or one customer's page.
#[derive(Clone, Copy)]
pub struct Customers {
    pub directory: RwSignal<CustomerDirectory>,
    /// What is typed in the search box.
    pub query: RwSignal<String>,
    /// The customer whose page is open.
    pub viewed: RwSignal<Option<Uuid>>,
    /// The form open: a new customer (`None` inside) or an edit.
    pub editing: RwSignal<Option<Option<Uuid>>>,
    /// The viewed customer's sales, newest first, from every device this one heard of.
    pub history: RwSignal<Vec<Sale>>,
    /// The customer attached to the open ticket.
    pub on_ticket: RwSignal<Option<Uuid>>,
}

impl Customers {
    pub fn new() -> Customers {
        Customers {
            directory: RwSignal::new(CustomerDirectory::new()),
            query: RwSignal::new(String::new()),
            viewed: RwSignal::new(None),
            editing: RwSignal::new(None),
            history: RwSignal::new(Vec::new()),
            on_ticket: RwSignal::new(None),
        }
    }

    /// The name a receipt prints for the customer `id` counts for: none once they are erased.
    pub fn name_on_receipt(&self, id: Uuid) -> Option<String> {
        self.directory.with_untracked(|d| {
            d.get(d.resolve(id))
                .filter(|c| !c.erased && !c.name.trim().is_empty())
                .map(|c| c.name.clone())
        })
    }

    /// The customer `id` counts for (the survivor of a merge), as the directory holds it.
    pub fn person(&self, id: Uuid) -> Option<Customer> {
        self.directory.with(|d| d.get(d.resolve(id)).cloned())
    }
}

impl Default for Customers {
    fn default() -> Self {
        Customers::new()
    }
}

/// The customer form's fields as typed, and the record they make.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerForm {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub consent: bool,
    pub note: String,
}

impl CustomerForm {
    pub fn of(customer: &Customer) -> CustomerForm {
        CustomerForm {
            name: customer.name.clone(),
            phone: customer.phone.clone(),
            email: customer.email.clone(),
            consent: customer.marketing_consent.is_some(),
            note: customer.note.clone(),
        }
    }

    /// The record the form makes, checked by core: `kept` is the customer as it was (an edit),
    /// whose consent keeps its date while it stays given; consent given now is dated `now_ms`.
    pub fn customer(
        &self,
        id: Uuid,
        kept: Option<&Customer>,
        now_ms: i64,
    ) -> Result<Customer, CustomerError> {
        let mut customer = Customer::new(id, &self.name, &self.phone, &self.email)?;
        customer.note = self.note.trim().to_string();
        customer.marketing_consent = match (self.consent, kept.and_then(|k| k.marketing_consent)) {
            (true, Some(since)) => Some(since),
            (true, None) => Some(now_ms),
            (false, _) => None,
        };
        customer.merged_into = kept.and_then(|k| k.merged_into);
        Ok(customer)
    }
}

/// The cashier's words for core's refusal of a customer.
pub fn customer_msg(error: &CustomerError) -> Msg {
    match error {
        CustomerError::EmptyName => Msg::CustomerNeedsName,
        CustomerError::Phone(_) => Msg::CustomerBadPhone,
        CustomerError::Email(_) => Msg::CustomerBadEmail,
    }
}

pub fn merge_msg(error: &MergeError) -> Msg {
    match error {
        MergeError::SameCustomer => Msg::MergeSameCustomer,
        MergeError::Unknown(_) => Msg::CustomerGone,
        MergeError::Erased(_) => Msg::CustomerWasErased,
        MergeError::AlreadyMerged(_) => Msg::CustomerAlreadyMerged,
    }
}

fn refused_msg(error: &CustomerRefused) -> Msg {
    match error {
        CustomerRefused::Customer(e) => customer_msg(e),
        CustomerRefused::Merge(e) => merge_msg(e),
    }
}

/// One customer's data as a file for their access request (GDPR art. 15, 152-FZ art. 14): every
/// record held about the person (merged duplicates too) and their purchases.
pub fn export_json(records: &[&Customer], sales: &[Sale], stats: &CustomerStats) -> String {
    let purchases: Vec<serde_json::Value> = sales
        .iter()
        .map(|s| {
            serde_json::json!({
                "receipt": s.receipt_number().to_string(),
                "at_ms": s.completed_at_ms(),
                "total": s.totals().total.to_string(),
                "paid": s.amount_paid().to_string(),
                "currency": s.rules().currency.code(),
                "items": s.lines().iter().map(|l| serde_json::json!({
                    "name": l.name,
                    "quantity": l.quantity.to_string(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let export = serde_json::json!({
        "customer": records,
        "purchases": purchases,
        "stats": {
            "visits": stats.visits,
            "total_spent": stats.total_spent.to_string(),
            "refunded": stats.refunded.to_string(),
            "average_ticket": stats.average_ticket.to_string(),
            "lifetime_value": stats.lifetime_value.to_string(),
        },
    });
    serde_json::to_string_pretty(&export).expect("JSON values serialise")
}

impl AppState {
    /// Reads the customers kept on this device, at start.
    pub fn load_customers(&self) {
        let state = *self;
        spawn_local(async move {
            match state.storage().load_customers().await {
                Ok(records) => state.adopt_customers(records),
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Shows the customers as the store's document holds them (from the sync worker).
    pub fn adopt_customers(&self, records: Vec<Customer>) {
        let directory = CustomerDirectory::from_records(records);
        if self.customers.directory.with_untracked(|d| *d != directory) {
            self.customers.directory.set(directory);
        }
        if let Some(id) = self.customers.viewed.get_untracked() {
            self.load_customer_history(id);
        }
    }

    /// Makes one change to the customers: checked on this device's directory, kept with its
    /// outbox entry (strict durability), then shown. Nothing is shown that was not kept.
    fn change_customers(
        &self,
        change: CustomerChange,
        points: Option<LoyaltyMerge>,
        done: Msg,
        after: impl FnOnce() + 'static,
    ) {
        let mut directory = self.customers.directory.get_untracked();
        if let Err(e) = directory.apply(&change) {
            return self.error(refused_msg(&e));
        }
        let before = self.customers.directory.get_untracked();
        // A customer made here gets the key their fields are sealed with; one made elsewhere,
        // or before keys existed, keeps what it has.
        let new_key = match &change {
            CustomerChange::Saved(c) if before.get(c.id).is_none() => Some((
                c.id,
                CustomerKey::from_bytes(crate::browser::random_bytes::<KEY_LEN>()),
            )),
            _ => None,
        };
        let changed: Vec<Customer> = directory
            .all()
            .filter(|c| before.get(c.id) != Some(*c))
            .cloned()
            .collect();
        let store = self
            .membership
            .with_untracked(|m| m.as_ref().map(|m| m.store_id));
        let state = *self;
        spawn_local(async move {
            match state
                .storage()
                .save_customers(changed, Some(change), points, store, new_key)
                .await
            {
                Ok(()) => {
                    if store.is_some() {
                        crate::sync::announce_outbox();
                        spawn_local(sync_customer_keys(state));
                    }
                    state.customers.directory.set(directory);
                    state.notice.set(Some(Notice::Info(done)));
                    after();
                }
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// Saves the form as a new customer (`id` `None`) or an edit, and opens the customer's page.
    pub fn save_customer(&self, id: Option<Uuid>, form: CustomerForm) {
        let id = id.unwrap_or_else(Uuid::now_v7);
        let kept = self
            .customers
            .directory
            .with_untracked(|d| d.get(id).cloned());
        let customer = match form.customer(id, kept.as_ref(), js_sys::Date::now() as i64) {
            Ok(customer) => customer,
            Err(e) => return self.error(customer_msg(&e)),
        };
        let state = *self;
        self.change_customers(
            CustomerChange::Saved(customer),
            None,
            Msg::CustomerSaved,
            move || {
                state.customers.editing.set(None);
                state.view_customer(id);
            },
        );
    }

    /// Merges `duplicate` into `survivor`, whose page then shows both one's sales, and both
    /// one's points once the server has moved them (the merge waits in the points outbox
    /// until it is in reach).
    pub fn merge_customers(&self, survivor: Uuid, duplicate: Uuid) {
        let state = *self;
        let change = CustomerChange::Merged {
            survivor,
            duplicate,
        };
        let points = LoyaltyMerge {
            id: Uuid::now_v7(),
            duplicate,
            survivor,
            staff: self.staff_id(),
            at_ms: js_sys::Date::now() as i64,
        };
        self.change_customers(change, Some(points), Msg::CustomersMerged, move || {
            state.view_customer(survivor);
            spawn_local(async move {
                super::loyalty::flush(state).await;
                if state.customers.viewed.get_untracked() == Some(survivor) {
                    super::loyalty::load_account(state, survivor);
                }
            });
        });
    }

    /// Erases the person `id` is on every device: their name, phone, e-mail, note and consent;
    /// their sales keep counting, under the id alone.
    pub fn erase_customer(&self, id: Uuid) {
        let state = *self;
        let change = CustomerChange::Erased {
            id,
            at_ms: js_sys::Date::now() as i64,
        };
        self.change_customers(change, None, Msg::CustomerErased, move || {
            if state.customers.on_ticket.get_untracked() == Some(id) {
                state.customers.on_ticket.set(None);
            }
        });
    }

    pub fn view_customer(&self, id: Uuid) {
        self.customers.viewed.set(Some(id));
        self.customers.history.set(Vec::new());
        self.load_customer_history(id);
    }

    /// Reads the sales of the person `id` is again (the page stays as it is meanwhile).
    pub fn load_customer_history(&self, id: Uuid) {
        let ids = self.customers.directory.with_untracked(|d| d.ids_of(id));
        let state = *self;
        spawn_local(async move {
            match state.storage().customer_sales(ids).await {
                Ok(sales) => {
                    if state.customers.viewed.get_untracked() == Some(id) {
                        state.customers.history.set(sales);
                    }
                }
                Err(e) => state.notice.set(Some(storage_notice(&e))),
            }
        });
    }

    /// The viewed customer's stats from their sales and the refunds and voids of those known
    /// here (this device's and those other devices recorded).
    pub fn customer_stats(&self, id: Uuid) -> CustomerStats {
        let ids = self.customers.directory.with(|d| d.ids_of(id));
        let sales = self.customers.history.get();
        let refunds: Vec<Refund> = self
            .refunds
            .with(|r| sales.iter().flat_map(|s| r.completed(s)).collect());
        let voids: Vec<Void> = refunds.iter().filter_map(Void::of).collect();
        CustomerStats::of(&ids, &sales, &refunds, &voids)
    }

    /// Offers the viewed customer's data as a JSON file.
    pub fn export_customer(&self, id: Uuid) {
        let stats = self.customer_stats(id);
        let sales = self.customers.history.get_untracked();
        let text = self
            .customers
            .directory
            .with_untracked(|d| export_json(&d.export(id), &sales, &stats));
        crate::csv_file::offer_json_download(&format!("customer-{id}.json"), &text);
    }

    /// Attaches a customer to the open ticket (`None` takes them off).
    pub fn attach_customer(&self, id: Option<Uuid>) {
        let id = id.map(|id| self.customers.directory.with_untracked(|d| d.resolve(id)));
        self.customers.on_ticket.set(id);
    }

    /// A scanned customer card: attaches its customer to the open ticket. False when the code
    /// is not a card's code.
    pub fn scanned_customer_card(&self, code: &str) -> bool {
        let a_card = code
            .trim()
            .to_uppercase()
            .starts_with(pos_core::customer::CARD_PREFIX);
        // A product whose code looks like a card's stays a product.
        if !a_card
            || self
                .catalog
                .with_untracked(|c| c.choice_for_code(code).is_some())
        {
            return false;
        }
        match self
            .customers
            .directory
            .with_untracked(|d| d.find_by_card(code))
        {
            Some(id) => {
                self.attach_customer(Some(id));
                self.notice.set(None);
            }
            None => self.notice.set(Some(Notice::Error(
                Msg::NoCustomerWithCard,
                vec![("code", code.trim().to_string())],
            ))),
        }
        true
    }
}

thread_local! {
    static SYNCING_KEYS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Sends the customers' keys and erasures made here that the server has not heard of, then
/// takes the store's keys: those this device lacks are kept (a customer made on another device
/// opens), and those of customers erased on another device are forgotten with the customer's
/// copy here. The sync worker is told when anything changed. Until the server is reached again
/// everything waits in its outbox.
pub async fn sync_customer_keys(state: AppState) {
    let Some(token) = state.token() else {
        return;
    };
    if SYNCING_KEYS.with(|s| s.replace(true)) {
        return;
    }
    sync_keys_with(state, &token).await;
    SYNCING_KEYS.with(|s| s.set(false));
}

async fn sync_keys_with(state: AppState, token: &str) {
    let storage = state.storage();
    for (id, key) in storage.customer_keys_to_send().await.unwrap_or_default() {
        match keys_api::put_key(token, id, &key).await {
            Sent::Done | Sent::Refused => {
                let _ = storage.customer_key_sent(id, false).await;
            }
            Sent::Later => return,
        }
    }
    for id in storage
        .customer_erasures_to_send()
        .await
        .unwrap_or_default()
    {
        match keys_api::erase(token, id).await {
            Sent::Done | Sent::Refused => {
                let _ = storage.customer_key_sent(id, true).await;
            }
            Sent::Later => return,
        }
    }
    let Some(held) = keys_api::store_keys(token).await else {
        return;
    };
    if let Ok(true) = storage
        .adopt_customer_keys(held.keys(), held.erased.clone())
        .await
    {
        crate::sync::announce_outbox();
        if held.erased.iter().any(|id| {
            state
                .customers
                .directory
                .with_untracked(|d| d.get(*id).is_some_and(|c| !c.erased))
        }) {
            state.load_customers();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, consent: bool) -> CustomerForm {
        CustomerForm {
            name: name.into(),
            phone: "+7 912 345-67-89".into(),
            email: " anna@example.org ".into(),
            consent,
            note: " oat milk ".into(),
        }
    }

    #[test]
    fn consent_is_dated_when_given_and_keeps_its_date_while_it_stays() {
        let id = Uuid::from_u128(1);
        let new = form("Anna", true).customer(id, None, 1_000).unwrap();
        assert_eq!(new.marketing_consent, Some(1_000));
        assert_eq!(
            (new.email.as_str(), new.note.as_str()),
            ("anna@example.org", "oat milk")
        );
        let edited = form("Anna P", true)
            .customer(id, Some(&new), 9_000)
            .unwrap();
        assert_eq!(edited.marketing_consent, Some(1_000));
        let withdrawn = form("Anna P", false)
            .customer(id, Some(&edited), 9_000)
            .unwrap();
        assert_eq!(withdrawn.marketing_consent, None);
        assert_eq!(CustomerForm::of(&edited), form("Anna P", true).trimmed());
    }

    #[test]
    fn every_refusal_has_translated_words() {
        let msgs = [
            customer_msg(&CustomerError::EmptyName),
            customer_msg(&CustomerError::Phone("x".into())),
            customer_msg(&CustomerError::Email("x".into())),
            merge_msg(&MergeError::SameCustomer),
            merge_msg(&MergeError::Unknown(Uuid::nil())),
            merge_msg(&MergeError::Erased(Uuid::nil())),
            merge_msg(&MergeError::AlreadyMerged(Uuid::nil())),
        ];
        crate::i18n::assert_translated(msgs.to_vec());
        assert!(matches!(
            form(" ", false).customer(Uuid::nil(), None, 0),
            Err(CustomerError::EmptyName)
        ));
    }

    #[test]
    fn an_export_holds_every_record_of_the_person_and_their_stats() {
        let anna = form("Anna", true)
            .customer(Uuid::from_u128(1), None, 5)
            .unwrap();
        let stats = CustomerStats::default();
        let text = export_json(&[&anna], &[], &stats);
        let read: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(read["customer"][0]["name"], "Anna");
        assert_eq!(read["customer"][0]["marketing_consent"], 5);
        assert_eq!(read["stats"]["visits"], 0);
        assert!(read["purchases"].as_array().unwrap().is_empty());
    }

    impl CustomerForm {
        fn trimmed(mut self) -> CustomerForm {
            self.email = self.email.trim().into();
            self.note = self.note.trim().into();
            self
        }
    }
}
