//! The customers a device knows, found by name, phone or e-mail as a cashier types them, with
//! duplicates merged (one id survives and the other's sales and points follow it) and erasure.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use super::{CARD_DIGITS, CARD_PREFIX, Customer, CustomerChange, CustomerError, digits_of};

/// Fewer typed digits than this would match half the phone book.
const MIN_PHONE_DIGITS_SEARCHED: usize = 3;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("a customer cannot be merged into itself")]
    SameCustomer,
    #[error("no customer {0}")]
    Unknown(Uuid),
    /// Erased data cannot be merged: there is nothing left to tell it is the same person.
    #[error("customer {0} was erased")]
    Erased(Uuid),
    /// Merged into another already: merge with the one it was merged into.
    #[error("customer {0} was merged into another already")]
    AlreadyMerged(Uuid),
}

/// Why a [`CustomerChange`] was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CustomerRefused {
    #[error(transparent)]
    Customer(#[from] CustomerError),
    #[error(transparent)]
    Merge(#[from] MergeError),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomerDirectory {
    customers: BTreeMap<Uuid, Customer>,
}

impl CustomerDirectory {
    pub fn new() -> CustomerDirectory {
        CustomerDirectory::default()
    }

    /// The directory as the store's documents hold it, merges and erasures included. Not
    /// checked again: each record was checked when a device saved it, and one refused now (a
    /// rule made stricter later) must still be found, shown and erased.
    pub fn from_records(records: impl IntoIterator<Item = Customer>) -> CustomerDirectory {
        CustomerDirectory {
            customers: records.into_iter().map(|c| (c.id, c)).collect(),
        }
    }

    /// Makes one change, as [`Self::save`], [`Self::merge`] or [`Self::erase`]. Saving an
    /// erased customer again changes nothing, and neither does a merge already made: the
    /// same change arriving twice (a retry, another device's copy) is no error. An edit keeps
    /// the record's merge, which only a merge writes.
    pub fn apply(&mut self, change: &CustomerChange) -> Result<(), CustomerRefused> {
        match change {
            CustomerChange::Saved(customer) => {
                customer.check()?;
                match self.customers.get(&customer.id) {
                    Some(kept) if kept.erased => {}
                    kept => {
                        let merged_into = kept.and_then(|k| k.merged_into);
                        let mut customer = customer.clone();
                        customer.erased = false;
                        customer.merged_into = merged_into;
                        self.customers.insert(customer.id, customer);
                    }
                }
            }
            CustomerChange::Merged {
                survivor,
                duplicate,
            } => {
                let done = self.get(*duplicate).and_then(|d| d.merged_into) == Some(*survivor);
                if !done {
                    self.merge(*survivor, *duplicate)?;
                }
            }
            CustomerChange::Erased { id, .. } => {
                self.erase(*id)?;
            }
        }
        Ok(())
    }

    /// The person a scanned or typed card code names ([`Customer::card_code`]): the survivor if
    /// the card's customer was merged. `None` for a code that is not a card's, names no one, one
    /// erased, or (most unlikely) two people.
    pub fn find_by_card(&self, code: &str) -> Option<Uuid> {
        let code = code.trim().to_uppercase();
        let digits = code.strip_prefix(CARD_PREFIX)?.to_lowercase();
        if digits.len() != CARD_DIGITS || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let mut people: Vec<Uuid> = self
            .customers
            .values()
            .filter(|c| c.id.simple().to_string().ends_with(&digits))
            .map(|c| self.resolve(c.id))
            .collect();
        people.dedup();
        match people.as_slice() {
            [one] if !self.customers[one].erased => Some(*one),
            _ => None,
        }
    }

    /// Every customer held, erased and merged ones too, in id order.
    pub fn all(&self) -> impl Iterator<Item = &Customer> {
        self.customers.values()
    }

    /// The customers to show in a list: neither erased nor merged into another, in name order.
    pub fn people(&self) -> Vec<&Customer> {
        let mut found: Vec<&Customer> = self
            .customers
            .values()
            .filter(|c| !c.erased && c.merged_into.is_none())
            .collect();
        found.sort_by_key(|c| (c.name.to_lowercase(), c.id));
        found
    }

    /// Adds or replaces a customer, if it passes [`Customer::check`].
    pub fn save(&mut self, customer: Customer) -> Result<(), CustomerError> {
        customer.check()?;
        self.customers.insert(customer.id, customer);
        Ok(())
    }

    pub fn get(&self, id: Uuid) -> Option<&Customer> {
        self.customers.get(&id)
    }

    /// The customers to offer for what the cashier typed: names and e-mails containing it
    /// (ignoring case), phones containing its digits when it has a few. Erased and merged
    /// customers are not offered. In name order.
    pub fn search(&self, query: &str) -> Vec<&Customer> {
        let text = query.trim().to_lowercase();
        if text.is_empty() {
            return Vec::new();
        }
        let digits = digits_of(&text);
        let looks_like_phone = digits.len() >= MIN_PHONE_DIGITS_SEARCHED
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
        let mut found: Vec<&Customer> = self
            .customers
            .values()
            .filter(|c| !c.erased && c.merged_into.is_none())
            .filter(|c| {
                c.name.to_lowercase().contains(&text)
                    || c.email.to_lowercase().contains(&text)
                    || (looks_like_phone && c.phone_digits().contains(&digits))
            })
            .collect();
        found.sort_by_key(|c| (c.name.to_lowercase(), c.id));
        found
    }

    /// Merges `duplicate` into `survivor`: the survivor keeps its id and takes what it lacks
    /// (phone, e-mail, consent) from the duplicate, their notes joined; the duplicate stays,
    /// pointing at the survivor, so the sales and points recorded under its id follow.
    pub fn merge(&mut self, survivor: Uuid, duplicate: Uuid) -> Result<(), MergeError> {
        if survivor == duplicate {
            return Err(MergeError::SameCustomer);
        }
        for id in [survivor, duplicate] {
            let customer = self.customers.get(&id).ok_or(MergeError::Unknown(id))?;
            if customer.erased {
                return Err(MergeError::Erased(id));
            }
            if customer.merged_into.is_some() {
                return Err(MergeError::AlreadyMerged(id));
            }
        }
        let taken = self.customers[&duplicate].clone();
        let kept = self.customers.get_mut(&survivor).expect("checked above");
        if kept.phone.is_empty() {
            kept.phone = taken.phone;
        }
        if kept.email.is_empty() {
            kept.email = taken.email;
        }
        kept.marketing_consent = kept.marketing_consent.or(taken.marketing_consent);
        if !taken.note.is_empty() && kept.note != taken.note {
            kept.note = [kept.note.as_str(), taken.note.as_str()]
                .into_iter()
                .filter(|n| !n.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
        }
        if let Some(dup) = self.customers.get_mut(&duplicate) {
            dup.merged_into = Some(survivor);
        }
        Ok(())
    }

    /// The customer `id` counts for: itself, or the one it was merged into (through any chain).
    /// Merges made at once on two devices may point two customers at each other; the lowest id
    /// of such a loop survives, the same on every device.
    pub fn resolve(&self, id: Uuid) -> Uuid {
        let mut seen = BTreeSet::new();
        let mut at = id;
        while seen.insert(at) {
            match self.customers.get(&at).and_then(|c| c.merged_into) {
                Some(next) => at = next,
                None => return at,
            }
        }
        // `at` is on the loop: walk it once more to find its lowest id.
        let mut lowest = at;
        let mut walk = self.customers[&at].merged_into.expect("on the loop");
        while walk != at {
            lowest = lowest.min(walk);
            walk = self.customers[&walk].merged_into.expect("on the loop");
        }
        lowest
    }

    /// Every id that counts for the same person as `id`: the survivor and all merged into it.
    /// Sales, stats and points are read for all of them.
    pub fn ids_of(&self, id: Uuid) -> Vec<Uuid> {
        let person = self.resolve(id);
        self.customers
            .keys()
            .copied()
            .filter(|&other| self.resolve(other) == person)
            .collect()
    }

    /// Erases the person `id` is: their record and every duplicate merged into it. Ids stay, so
    /// sales keep counting in the store's totals. Returns the ids erased.
    pub fn erase(&mut self, id: Uuid) -> Result<Vec<Uuid>, MergeError> {
        if !self.customers.contains_key(&id) {
            return Err(MergeError::Unknown(id));
        }
        let ids = self.ids_of(id);
        for erased in &ids {
            if let Some(c) = self.customers.get_mut(erased) {
                c.erase();
            }
        }
        Ok(ids)
    }

    /// Every record held about the person `id` is, for a request to see one's data.
    pub fn export(&self, id: Uuid) -> Vec<&Customer> {
        if !self.customers.contains_key(&id) {
            return Vec::new();
        }
        self.ids_of(id)
            .into_iter()
            .filter_map(|id| self.customers.get(&id))
            .collect()
    }
}
