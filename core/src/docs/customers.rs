//! The store's customers as one document that every device writes (issue 14): a customer made
//! offline on a phone reaches the tablet by sync. Three maps, so each kind of write merges by its
//! own rule:
//!
//! - `customers`: id → the record's fields, each its own key (`name`, `phone`, `email`, `note`,
//!   `consent`), so two devices editing different fields of one person both keep their edit, and
//!   one field edited on two devices at once keeps one of the two, the same on every device
//!   (Automerge's rule for concurrent puts). A save writes only the fields that differ.
//! - `merged`: duplicate id → survivor id. Read as [`CustomerDirectory::merge`] and `resolve`
//!   say: merges made at once on two devices that point two customers at each other make a loop,
//!   whose lowest id survives on every device.
//! - `erased`: id → when. An erasure wins over any edit: a record whose person (its id, every id
//!   merged into it, and what it was merged into) holds an erased id reads erased, whatever was
//!   written into its fields at the same time. The erasing device also empties the fields, so the
//!   document's current state holds nothing of the person.
//!
//! Every personal field (and the consent time) is written sealed under the customer's own key
//! (`crate::customer::sealed`: crypto-shredding), which lives outside this document. Automerge's
//! history keeps every value ever written, on every device and on the server; what it keeps of a
//! customer is ciphertext, and erasing the customer deletes the key everywhere, so nothing of
//! the person can be read from the history any more. Ids and the `merged` and `erased` maps stay
//! plain: they say nothing about the person. A record written before keys existed holds plain
//! strings; it is read as it is and edited in plain (no device holds a key for it, and two
//! devices making one at once could not agree), so its history is not purged (README says so).
//! A sealed field this device holds no key for reads as a locked record ([`Customer::locked`]),
//! never as an error.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use uuid::Uuid;

use super::{
    Actor, DocError, DocKind, DocumentId, Recorded, SharedDocument, genesis, get_str, get_uuid_str,
    root_map,
};
use crate::customer::sealed::{Keyring, Nonces, Opened, open, seal};
use crate::customer::{Customer, CustomerChange, CustomerDirectory};

const CUSTOMERS: &str = "customers";
const MERGED: &str = "merged";
const ERASED: &str = "erased";
/// The text fields of a record, each its own key.
const TEXT_FIELDS: [&str; 4] = ["name", "phone", "email", "note"];
const CONSENT: &str = "consent";

pub struct CustomersDoc {
    doc: AutoCommit,
}

impl CustomersDoc {
    /// The store's customers with none yet; the same genesis on every device.
    pub fn new(store: Uuid, actor: &Actor) -> CustomersDoc {
        let id = CustomersDoc::id(store);
        let store = store.to_string();
        CustomersDoc {
            doc: genesis(
                id,
                DocKind::Customers,
                &[("store", &store)],
                &[CUSTOMERS, MERGED, ERASED],
                actor,
            ),
        }
    }

    pub fn id(store: Uuid) -> DocumentId {
        DocumentId::derive(store, DocKind::Customers, "")
    }

    pub fn store_id(&self) -> Result<Uuid, DocError> {
        get_uuid_str(&self.doc, "store")
    }

    /// Every customer the document holds, merges and erasures applied: what every device that
    /// holds the same changes and keys reads alike. A record sealed under a key not in `keys`
    /// reads locked, its fields empty.
    pub fn directory(&self, keys: &Keyring) -> Result<CustomerDirectory, DocError> {
        let customers = root_map(&self.doc, CUSTOMERS)?;
        let merged = self.uuid_map(MERGED)?;
        let erased = self.erased()?;
        let mut records = Vec::new();
        for key in self.doc.keys(&customers) {
            let Ok(id) = Uuid::parse_str(&key) else {
                return Err(DocError::Corrupt(format!(
                    "customer key {key:?} is not a UUID"
                )));
            };
            let Some((Value::Object(ObjType::Map), record)) = self.doc.get(&customers, &key)?
            else {
                return Err(DocError::Corrupt(format!("customer {key} is not a map")));
            };
            let mut customer = Customer {
                id,
                name: String::new(),
                phone: String::new(),
                email: String::new(),
                marketing_consent: None,
                note: String::new(),
                erased: false,
                merged_into: merged.get(&id).copied(),
                locked: false,
            };
            match self.read_fields(&record, id, keys)? {
                Some((texts, consent)) => {
                    let [name, phone, email, note] = texts;
                    customer.name = name;
                    customer.phone = phone;
                    customer.email = email;
                    customer.note = note;
                    customer.marketing_consent = consent;
                }
                None => customer.locked = true,
            }
            records.push(customer);
        }
        let mut directory = CustomerDirectory::from_records(records);
        // The person of an erased id is erased whole: a merge made at the same time as the
        // erasure of either side cannot bring the data back.
        for id in erased.keys() {
            let _ = directory.erase(*id);
        }
        Ok(directory)
    }

    /// The text fields (in [`TEXT_FIELDS`] order) and the consent of one record, opened with
    /// its key; `None` when any is sealed under a key not held.
    #[allow(clippy::type_complexity)]
    fn read_fields(
        &self,
        record: &ObjId,
        id: Uuid,
        keys: &Keyring,
    ) -> Result<Option<([String; 4], Option<i64>)>, DocError> {
        let key = keys.get(id);
        let mut texts: [String; 4] = Default::default();
        for (field, out) in TEXT_FIELDS.into_iter().zip(texts.iter_mut()) {
            match self.field(record, id, field, key)? {
                Opened::Text(text) => *out = text,
                Opened::Locked => return Ok(None),
            }
        }
        Ok(self
            .consent(record, id, key)?
            .map(|consent| (texts, consent)))
    }

    /// The consent time of a record: plain (before keys), sealed, or none; `None` when sealed
    /// under a key not held.
    fn consent(
        &self,
        record: &ObjId,
        id: Uuid,
        key: Option<&crate::customer::sealed::CustomerKey>,
    ) -> Result<Option<Option<i64>>, DocError> {
        let not_a_time = |what: &dyn std::fmt::Debug| {
            DocError::Corrupt(format!("consent of {id} is {what:?}, not a time"))
        };
        Ok(match self.doc.get(record, CONSENT)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Int(ms) => Some(Some(*ms)),
                ScalarValue::Null => Some(None),
                ScalarValue::Bytes(bytes) => match open(key, id, CONSENT, bytes) {
                    Opened::Text(text) => Some(Some(text.parse().map_err(|_| not_a_time(&text))?)),
                    Opened::Locked => None,
                },
                other => return Err(not_a_time(other)),
            },
            _ => Some(None),
        })
    }

    /// One text field: plain (written before keys, or emptied by an erasure) or sealed.
    fn field(
        &self,
        record: &ObjId,
        id: Uuid,
        field: &str,
        key: Option<&crate::customer::sealed::CustomerKey>,
    ) -> Result<Opened, DocError> {
        Ok(match self.doc.get(record, field)? {
            Some((Value::Scalar(s), _)) => match s.as_ref() {
                ScalarValue::Str(text) => Opened::Text(text.to_string()),
                ScalarValue::Bytes(bytes) => open(key, id, field, bytes),
                other => {
                    return Err(DocError::Corrupt(format!(
                        "{field} of {id} is {other:?}, not text"
                    )));
                }
            },
            _ => Opened::Text(String::new()),
        })
    }

    /// Makes a change a device made ([`CustomerChange`]), as [`Self::save_customer`],
    /// [`Self::merge`] and [`Self::erase`] do.
    pub fn apply(
        &mut self,
        change: &CustomerChange,
        keys: &Keyring,
        nonces: Nonces<'_>,
    ) -> Result<Recorded, DocError> {
        match change {
            CustomerChange::Saved(customer) => self.save_customer(customer, keys, nonces),
            CustomerChange::Merged {
                survivor,
                duplicate,
            } => self.merge(*survivor, *duplicate, keys, nonces),
            CustomerChange::Erased { id, at_ms } => self.erase(*id, *at_ms),
        }
    }

    /// Creates or edits a customer, checked ([`Customer::check`]); only the fields that differ
    /// from the document are written. An erased customer stays erased: the edit is dropped.
    /// `merged_into` and `erased` are not written here (see [`Self::merge`], [`Self::erase`]).
    /// The fields are sealed under the customer's key in `keys`, each with a nonce from
    /// `nonces`; a new customer without a key is refused ([`DocError::CustomerKeyMissing`]).
    /// A locked record (read without its key) is never written back.
    pub fn save_customer(
        &mut self,
        customer: &Customer,
        keys: &Keyring,
        nonces: Nonces<'_>,
    ) -> Result<Recorded, DocError> {
        if customer.locked {
            return Ok(Recorded::AlreadyThere);
        }
        customer.check()?;
        if customer.erased || self.erased()?.contains_key(&customer.id) {
            return Ok(Recorded::AlreadyThere);
        }
        let changed = self.write_fields(customer, keys, nonces)?;
        self.doc.commit();
        Ok(if changed {
            Recorded::New
        } else {
            Recorded::AlreadyThere
        })
    }

    /// Merges `duplicate` into `survivor` as [`CustomerDirectory::merge`] does, on the directory
    /// as this document holds it now: the survivor's filled-in fields and the pointer are
    /// written, sealed under the survivor's key. The same merge again is
    /// [`Recorded::AlreadyThere`].
    pub fn merge(
        &mut self,
        survivor: Uuid,
        duplicate: Uuid,
        keys: &Keyring,
        nonces: Nonces<'_>,
    ) -> Result<Recorded, DocError> {
        let mut directory = self.directory(keys)?;
        if directory.get(duplicate).and_then(|c| c.merged_into) == Some(survivor) {
            return Ok(Recorded::AlreadyThere);
        }
        directory.merge(survivor, duplicate)?;
        let kept = directory.get(survivor).expect("merged into it").clone();
        self.write_fields(&kept, keys, nonces)?;
        let merged = root_map(&self.doc, MERGED)?;
        self.doc
            .put(&merged, duplicate.to_string(), survivor.to_string())?;
        self.doc.commit();
        Ok(Recorded::New)
    }

    /// Erases the person `id` is (every id merged into it too) at `at_ms`: each is marked erased
    /// and its fields emptied. Again for an erased person, [`Recorded::AlreadyThere`].
    pub fn erase(&mut self, id: Uuid, at_ms: i64) -> Result<Recorded, DocError> {
        // Who is merged into whom is plain: no key is needed to erase.
        let mut directory = self.directory(&Keyring::new())?;
        let erased = self.erased()?;
        let ids = directory.erase(id)?;
        let customers = root_map(&self.doc, CUSTOMERS)?;
        let marks = root_map(&self.doc, ERASED)?;
        let mut recorded = Recorded::AlreadyThere;
        for erased_id in ids {
            let key = erased_id.to_string();
            if !erased.contains_key(&erased_id) {
                self.doc.put(&marks, key.as_str(), at_ms)?;
                recorded = Recorded::New;
            }
            if let Some((Value::Object(ObjType::Map), record)) = self.doc.get(&customers, &key)? {
                recorded = self
                    .empty_fields(&record)
                    .map(|emptied| if emptied { Recorded::New } else { recorded })?;
            }
        }
        self.doc.commit();
        Ok(recorded)
    }

    /// Empties the fields of erased records that an edit made at the same time as the erasure
    /// wrote again (they read erased anyway; this keeps them out of the current state). Returns
    /// whether it wrote.
    pub fn scrub(&mut self) -> Result<bool, DocError> {
        let customers = root_map(&self.doc, CUSTOMERS)?;
        let directory = self.directory(&Keyring::new())?;
        let mut wrote = false;
        for key in self.doc.keys(&customers).collect::<Vec<_>>() {
            let Ok(id) = Uuid::parse_str(&key) else {
                continue;
            };
            if !directory.get(id).is_some_and(|c| c.erased) {
                continue;
            }
            if let Some((Value::Object(ObjType::Map), record)) = self.doc.get(&customers, &key)? {
                wrote |= self.empty_fields(&record)?;
            }
        }
        if wrote {
            self.doc.commit();
        }
        Ok(wrote)
    }

    fn erased(&self) -> Result<BTreeMap<Uuid, i64>, DocError> {
        let map = root_map(&self.doc, ERASED)?;
        let mut out = BTreeMap::new();
        for key in self.doc.keys(&map) {
            let id = Uuid::parse_str(&key)
                .map_err(|_| DocError::Corrupt(format!("erased key {key:?} is not a UUID")))?;
            let at = match self.doc.get(&map, &key)? {
                Some((Value::Scalar(s), _)) => s.as_i64().unwrap_or_default(),
                _ => 0,
            };
            out.insert(id, at);
        }
        Ok(out)
    }

    fn uuid_map(&self, key: &str) -> Result<BTreeMap<Uuid, Uuid>, DocError> {
        let map = root_map(&self.doc, key)?;
        let mut out = BTreeMap::new();
        for entry in self.doc.keys(&map) {
            let bad = || DocError::Corrupt(format!("{key} entry {entry:?} is not a UUID"));
            let from = Uuid::parse_str(&entry).map_err(|_| bad())?;
            let to = get_str(&self.doc, &map, &entry)?.ok_or_else(bad)?;
            out.insert(from, Uuid::parse_str(&to).map_err(|_| bad())?);
        }
        Ok(out)
    }

    /// Writes the fields of `customer` that differ, sealed under its key; returns whether any
    /// did. Without a key only a record written before keys existed (plain, see the module's
    /// doc) is written, in plain.
    fn write_fields(
        &mut self,
        customer: &Customer,
        keys: &Keyring,
        nonces: Nonces<'_>,
    ) -> Result<bool, DocError> {
        let customers = root_map(&self.doc, CUSTOMERS)?;
        let id = customer.id;
        let key = keys.get(id);
        let record = match self.doc.get(&customers, id.to_string())? {
            Some((Value::Object(ObjType::Map), record)) => {
                if key.is_none() && self.holds_sealed(&record)? {
                    return Err(DocError::CustomerKeyMissing(id));
                }
                record
            }
            _ if key.is_none() => return Err(DocError::CustomerKeyMissing(id)),
            _ => self
                .doc
                .put_object(&customers, id.to_string(), ObjType::Map)?,
        };
        let mut changed = false;
        let values = [
            &customer.name,
            &customer.phone,
            &customer.email,
            &customer.note,
        ];
        for (field, value) in TEXT_FIELDS.into_iter().zip(values) {
            if self.field(&record, id, field, key)? == Opened::Text(value.clone()) {
                continue;
            }
            match key {
                Some(key) => {
                    let sealed = seal(key, nonces(), id, field, value);
                    self.doc.put(&record, field, ScalarValue::Bytes(sealed))?;
                }
                None => self.doc.put(&record, field, value.as_str())?,
            }
            changed = true;
        }
        // A damaged or unopenable value is written over.
        let stored = self.consent(&record, id, key).unwrap_or(None);
        if stored != Some(customer.marketing_consent) {
            let consent = match (customer.marketing_consent, key) {
                (None, _) => ScalarValue::Null,
                (Some(ms), Some(key)) => {
                    ScalarValue::Bytes(seal(key, nonces(), id, CONSENT, &ms.to_string()))
                }
                (Some(ms), None) => ScalarValue::Int(ms),
            };
            self.doc.put(&record, CONSENT, consent)?;
            changed = true;
        }
        Ok(changed)
    }

    /// Whether any field of the record is sealed.
    fn holds_sealed(&self, record: &ObjId) -> Result<bool, DocError> {
        for field in TEXT_FIELDS.into_iter().chain([CONSENT]) {
            if let Some((Value::Scalar(s), _)) = self.doc.get(record, field)?
                && matches!(s.as_ref(), ScalarValue::Bytes(_))
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Empties a record's personal fields; returns whether any was not empty.
    fn empty_fields(&mut self, record: &ObjId) -> Result<bool, DocError> {
        let mut emptied = false;
        for field in TEXT_FIELDS {
            // Every value, not only the winner: a concurrent edit's value is a conflict that a
            // plain put replaces too.
            let values = self.doc.get_all(record, field)?;
            let all_empty = values.iter().all(|(v, _)| v.as_str() == Some(""));
            if values.is_empty() || all_empty {
                continue;
            }
            self.doc.put(record, field, "")?;
            emptied = true;
        }
        let consents = self.doc.get_all(record, CONSENT)?;
        if consents.iter().any(|(v, _)| !v.is_null()) {
            self.doc.put(record, CONSENT, ScalarValue::Null)?;
            emptied = true;
        }
        Ok(emptied)
    }
}

impl SharedDocument for CustomersDoc {
    const KIND: DocKind = DocKind::Customers;
    automerge_in_doc_field!();
    fn from_automerge(doc: AutoCommit) -> Result<Self, DocError> {
        super::check_kind(&doc, Self::KIND)?;
        Ok(CustomersDoc { doc })
    }
    fn document_id(&self) -> DocumentId {
        CustomersDoc::id(self.store_id().unwrap_or_default())
    }
}
