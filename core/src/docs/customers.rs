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
//!   document's current state holds nothing of the person; Automerge's history still holds what
//!   was written before (see README: what erasure does and does not remove).

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use uuid::Uuid;

use super::{
    Actor, DocError, DocKind, DocumentId, Recorded, SharedDocument, genesis, get_str, get_uuid_str,
    root_map,
};
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
    /// holds the same changes reads alike.
    pub fn directory(&self) -> Result<CustomerDirectory, DocError> {
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
            let text = |field: &str| -> Result<String, DocError> {
                Ok(get_str(&self.doc, &record, field)?.unwrap_or_default())
            };
            let marketing_consent = match self.doc.get(&record, CONSENT)? {
                Some((Value::Scalar(s), _)) => match s.as_ref() {
                    ScalarValue::Int(ms) => Some(*ms),
                    ScalarValue::Null => None,
                    other => {
                        return Err(DocError::Corrupt(format!(
                            "consent of {key} is {other:?}, not a time"
                        )));
                    }
                },
                _ => None,
            };
            records.push(Customer {
                id,
                name: text("name")?,
                phone: text("phone")?,
                email: text("email")?,
                marketing_consent,
                note: text("note")?,
                erased: false,
                merged_into: merged.get(&id).copied(),
            });
        }
        let mut directory = CustomerDirectory::from_records(records);
        // The person of an erased id is erased whole: a merge made at the same time as the
        // erasure of either side cannot bring the data back.
        for id in erased.keys() {
            let _ = directory.erase(*id);
        }
        Ok(directory)
    }

    /// Makes a change a device made ([`CustomerChange`]), as [`Self::save_customer`],
    /// [`Self::merge`] and [`Self::erase`] do.
    pub fn apply(&mut self, change: &CustomerChange) -> Result<Recorded, DocError> {
        match change {
            CustomerChange::Saved(customer) => self.save_customer(customer),
            CustomerChange::Merged {
                survivor,
                duplicate,
            } => self.merge(*survivor, *duplicate),
            CustomerChange::Erased { id, at_ms } => self.erase(*id, *at_ms),
        }
    }

    /// Creates or edits a customer, checked ([`Customer::check`]); only the fields that differ
    /// from the document are written. An erased customer stays erased: the edit is dropped.
    /// `merged_into` and `erased` are not written here (see [`Self::merge`], [`Self::erase`]).
    pub fn save_customer(&mut self, customer: &Customer) -> Result<Recorded, DocError> {
        customer.check()?;
        if customer.erased || self.erased()?.contains_key(&customer.id) {
            return Ok(Recorded::AlreadyThere);
        }
        let changed = self.write_fields(customer)?;
        self.doc.commit();
        Ok(if changed {
            Recorded::New
        } else {
            Recorded::AlreadyThere
        })
    }

    /// Merges `duplicate` into `survivor` as [`CustomerDirectory::merge`] does, on the directory
    /// as this document holds it now: the survivor's filled-in fields and the pointer are
    /// written. The same merge again is [`Recorded::AlreadyThere`].
    pub fn merge(&mut self, survivor: Uuid, duplicate: Uuid) -> Result<Recorded, DocError> {
        let mut directory = self.directory()?;
        if directory.get(duplicate).and_then(|c| c.merged_into) == Some(survivor) {
            return Ok(Recorded::AlreadyThere);
        }
        directory.merge(survivor, duplicate)?;
        let kept = directory.get(survivor).expect("merged into it").clone();
        self.write_fields(&kept)?;
        let merged = root_map(&self.doc, MERGED)?;
        self.doc
            .put(&merged, duplicate.to_string(), survivor.to_string())?;
        self.doc.commit();
        Ok(Recorded::New)
    }

    /// Erases the person `id` is (every id merged into it too) at `at_ms`: each is marked erased
    /// and its fields emptied. Again for an erased person, [`Recorded::AlreadyThere`].
    pub fn erase(&mut self, id: Uuid, at_ms: i64) -> Result<Recorded, DocError> {
        let mut directory = self.directory()?;
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
        let directory = self.directory()?;
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

    /// Writes the fields of `customer` that differ; returns whether any did.
    fn write_fields(&mut self, customer: &Customer) -> Result<bool, DocError> {
        let customers = root_map(&self.doc, CUSTOMERS)?;
        let key = customer.id.to_string();
        let record = match self.doc.get(&customers, &key)? {
            Some((Value::Object(ObjType::Map), record)) => record,
            _ => self.doc.put_object(&customers, &key, ObjType::Map)?,
        };
        let mut changed = false;
        let values = [
            &customer.name,
            &customer.phone,
            &customer.email,
            &customer.note,
        ];
        for (field, value) in TEXT_FIELDS.into_iter().zip(values) {
            if get_str(&self.doc, &record, field)?.as_deref() != Some(value.as_str()) {
                self.doc.put(&record, field, value.as_str())?;
                changed = true;
            }
        }
        let consent = match customer.marketing_consent {
            Some(ms) => ScalarValue::Int(ms),
            None => ScalarValue::Null,
        };
        let stored = match self.doc.get(&record, CONSENT)? {
            Some((Value::Scalar(s), _)) => Some(s.into_owned()),
            _ => None,
        };
        if stored.as_ref() != Some(&consent) {
            self.doc.put(&record, CONSENT, consent)?;
            changed = true;
        }
        Ok(changed)
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
