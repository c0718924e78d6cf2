//! The store's settings as one document that managers edit: the store profile with its pricing
//! rules, and the devices of the store. Fields are separate keys, so two managers editing the
//! receipt footer and the address at once both keep their edit.

use std::collections::BTreeMap;

use automerge::AutoCommit;
use autosurgeon::reconcile::NoKey;
use autosurgeon::{hydrate_prop, reconcile_prop, Hydrate, HydrateError, Reconcile, Reconciler};
use uuid::Uuid;

use super::{
    genesis, get_uuid_str, root_map, Actor, DecimalStr, DocError, DocKind, DocumentId,
    SharedDocument,
};
use crate::money::{CashRounding, Currency};
use crate::store::{PricingRules, Store, StoreLogo};
use crate::tax::{TaxPricing, TaxRounding};
use crate::tip::TipPreset;

const DEVICES: &str = "devices";
const OWNER_PIN: &str = "owner_pin";

/// A device of the store as the settings list it (the server keeps the tokens, not this document).
#[derive(Clone, Debug, PartialEq, Eq, Reconcile, Hydrate, serde::Serialize, serde::Deserialize)]
pub struct DeviceEntry {
    pub id: Uuid,
    pub name: String,
    /// The prefix of the device's receipt numbers (`T1` in `T1-000042`), unique in the store.
    pub code: String,
    pub revoked: bool,
}

pub struct SettingsDoc {
    doc: AutoCommit,
}

impl SettingsDoc {
    /// Settings with no store profile yet; the same genesis on every device.
    pub fn new(store: Uuid, actor: &Actor) -> SettingsDoc {
        let id = DocumentId::derive(store, DocKind::Settings, "");
        let store = store.to_string();
        SettingsDoc {
            doc: genesis(
                id,
                DocKind::Settings,
                &[("store", &store)],
                &[DEVICES],
                actor,
            ),
        }
    }

    pub fn store_id(&self) -> Result<Uuid, DocError> {
        get_uuid_str(&self.doc, "store")
    }

    /// The store profile, once one has been set.
    pub fn store(&self) -> Result<Option<Store>, DocError> {
        Ok(hydrate_prop(&self.doc, automerge::ROOT, "profile")?)
    }

    /// Writes the profile; only the fields that differ become changes.
    pub fn set_store(&mut self, store: &Store) -> Result<(), DocError> {
        reconcile_prop(&mut self.doc, automerge::ROOT, "profile", store)?;
        self.doc.commit();
        Ok(())
    }

    /// The owner's PIN as a password-hash string (the app hashes it; core has no randomness for
    /// salts). Any device of the store can then check the owner's PIN offline.
    pub fn set_owner_pin_hash(&mut self, hash: &str) -> Result<(), DocError> {
        use automerge::transaction::Transactable;
        self.doc.put(automerge::ROOT, OWNER_PIN, hash)?;
        self.doc.commit();
        Ok(())
    }

    pub fn owner_pin_hash(&self) -> Result<Option<String>, DocError> {
        super::get_str(&self.doc, &automerge::ROOT, OWNER_PIN)
    }

    pub fn put_device(&mut self, device: &DeviceEntry) -> Result<(), DocError> {
        let map = root_map(&self.doc, DEVICES)?;
        reconcile_prop(&mut self.doc, &map, device.id.to_string().as_str(), device)?;
        self.doc.commit();
        Ok(())
    }

    pub fn devices(&self) -> Result<Vec<DeviceEntry>, DocError> {
        let map: BTreeMap<String, DeviceEntry> = hydrate_prop(&self.doc, automerge::ROOT, DEVICES)?;
        Ok(map.into_values().collect())
    }
}

impl SharedDocument for SettingsDoc {
    const KIND: DocKind = DocKind::Settings;
    automerge_in_doc_field!();
    fn from_automerge(doc: AutoCommit) -> Result<Self, DocError> {
        super::check_kind(&doc, Self::KIND)?;
        Ok(SettingsDoc { doc })
    }
    fn document_id(&self) -> DocumentId {
        DocumentId::derive(self.store_id().unwrap_or_default(), Self::KIND, "")
    }
}

// Hand-written for the same reason as in catalog.rs: the types keep serde only.

impl Reconcile for Store {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        use autosurgeon::reconcile::MapReconciler;
        let mut m = reconciler.map()?;
        m.put("name", &self.name)?;
        m.put("address", &self.address)?;
        m.put("tax_number", &self.tax_number)?;
        m.put("receipt_footer", &self.receipt_footer)?;
        m.put("return_policy", &self.return_policy)?;
        m.put("receipt_language", &self.receipt_language)?;
        m.put(
            "logo",
            self.logo
                .as_ref()
                .map(StoreLogo::to_text)
                .unwrap_or_default(),
        )?;
        let r = &self.rules;
        m.put("currency", r.currency.code())?;
        m.put(
            "tax_pricing",
            match r.tax_pricing {
                TaxPricing::Inclusive => "inclusive",
                TaxPricing::Exclusive => "exclusive",
            },
        )?;
        m.put(
            "tax_rounding",
            match r.tax_rounding {
                TaxRounding::PerLine => "per-line",
                TaxRounding::PerReceipt => "per-receipt",
            },
        )?;
        m.put("cash_increment", DecimalStr(r.cash_increment))?;
        m.put(
            "cash_rounding",
            match r.cash_rounding {
                CashRounding::HalfUp => "half-up",
                CashRounding::CustomersFavour => "customers-favour",
            },
        )?;
        m.put("receipt_line_vat", self.receipt_line_vat)?;
        m.put("tip_presets", TipPreset::list_text(&self.tip_presets))?;
        m.put("shift_required", self.shift_required)?;
        m.put("close_shows_expected", self.close_shows_expected)?;
        m.put("shift_opens_itself", self.shift_opens_itself)?;
        m.put(
            "gift_card_offline_cap",
            DecimalStr(self.gift_card_offline_cap),
        )?;
        // The programme as one JSON text: its fields are set together, never merged apart.
        let loyalty = match &self.loyalty {
            Some(rule) => serde_json::to_string(rule).unwrap_or_default(),
            None => String::new(),
        };
        m.put("loyalty", loyalty)?;
        Ok(())
    }
}

impl Hydrate for Store {
    fn hydrate_map<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        let code: String = hydrate_prop(doc, obj, "currency")?;
        let currency = Currency::from_code(&code)
            .ok_or_else(|| HydrateError::unexpected("an ISO 4217 code", code))?;
        let tax_pricing = match hydrate_prop::<_, String, _, _>(doc, obj, "tax_pricing")?.as_str() {
            "inclusive" => TaxPricing::Inclusive,
            "exclusive" => TaxPricing::Exclusive,
            other => {
                return Err(HydrateError::unexpected(
                    "inclusive or exclusive",
                    other.to_string(),
                ));
            }
        };
        let tax_rounding = match hydrate_prop::<_, String, _, _>(doc, obj, "tax_rounding")?.as_str()
        {
            "per-line" => TaxRounding::PerLine,
            "per-receipt" => TaxRounding::PerReceipt,
            other => {
                return Err(HydrateError::unexpected(
                    "per-line or per-receipt",
                    other.to_string(),
                ));
            }
        };
        let DecimalStr(cash_increment) = hydrate_prop(doc, obj, "cash_increment")?;
        // Profiles written before these fields existed lack them: half up and no VAT per line,
        // as such a store rounded and printed.
        let cash_rounding = match text_or_empty(doc, obj, "cash_rounding")?.as_str() {
            "" | "half-up" => CashRounding::HalfUp,
            "customers-favour" => CashRounding::CustomersFavour,
            other => {
                return Err(HydrateError::unexpected(
                    "half-up or customers-favour",
                    other.to_string(),
                ));
            }
        };
        let receipt_line_vat = match hydrate_prop(doc, obj, "receipt_line_vat")? {
            autosurgeon::hydrate::MaybeMissing::Present(on) => on,
            autosurgeon::hydrate::MaybeMissing::Missing => false,
        };
        Ok(Store {
            name: hydrate_prop(doc, obj, "name")?,
            address: hydrate_prop(doc, obj, "address")?,
            tax_number: hydrate_prop(doc, obj, "tax_number")?,
            receipt_footer: hydrate_prop(doc, obj, "receipt_footer")?,
            return_policy: text_or_empty(doc, obj, "return_policy")?,
            receipt_language: text_or_empty(doc, obj, "receipt_language")?,
            logo: StoreLogo::from_text(&text_or_empty(doc, obj, "logo")?),
            receipt_line_vat,
            shift_required: match hydrate_prop(doc, obj, "shift_required")? {
                autosurgeon::hydrate::MaybeMissing::Present(on) => on,
                autosurgeon::hydrate::MaybeMissing::Missing => false,
            },
            close_shows_expected: match hydrate_prop(doc, obj, "close_shows_expected")? {
                autosurgeon::hydrate::MaybeMissing::Present(on) => on,
                autosurgeon::hydrate::MaybeMissing::Missing => false,
            },
            shift_opens_itself: match hydrate_prop(doc, obj, "shift_opens_itself")? {
                autosurgeon::hydrate::MaybeMissing::Present(on) => on,
                autosurgeon::hydrate::MaybeMissing::Missing => false,
            },
            // Profiles written before gift cards were tenders have none: the default cap.
            gift_card_offline_cap: match hydrate_prop(doc, obj, "gift_card_offline_cap")? {
                autosurgeon::hydrate::MaybeMissing::Present(DecimalStr(cap)) => cap,
                autosurgeon::hydrate::MaybeMissing::Missing => {
                    crate::store::DEFAULT_GIFT_CARD_OFFLINE_CAP
                }
            },
            // Profiles written before loyalty existed have none; a programme this device cannot
            // read (a newer kind of rule) earns nothing here rather than refusing the profile.
            loyalty: serde_json::from_str(&text_or_empty(doc, obj, "loyalty")?).ok(),
            // Profiles written before tips existed have none; a list this device cannot read
            // (a newer kind of preset) shows no tip buttons rather than refusing the profile.
            tip_presets: TipPreset::parse_list(&text_or_empty(doc, obj, "tip_presets")?, currency)
                .unwrap_or_default(),
            rules: PricingRules {
                currency,
                tax_pricing,
                tax_rounding,
                cash_increment,
                cash_rounding,
            },
        })
    }
}

/// A text field that profiles written before it existed lack.
fn text_or_empty<D: autosurgeon::ReadDoc>(
    doc: &D,
    obj: &automerge::ObjId,
    key: &str,
) -> Result<String, HydrateError> {
    Ok(match hydrate_prop(doc, obj, key)? {
        autosurgeon::hydrate::MaybeMissing::Present(text) => text,
        autosurgeon::hydrate::MaybeMissing::Missing => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;
    use automerge::transaction::Transactable;
    use automerge::ReadDoc;

    #[test]
    fn concurrent_edits_of_different_fields_both_stay() {
        let (store, _) = demo::food_truck(false);
        let id = Uuid::from_u128(1);
        let mut a = SettingsDoc::new(id, &Actor::device(Uuid::from_u128(2)));
        a.set_store(&store).unwrap();
        let mut b = SettingsDoc::load(&a.save(), &Actor::device(Uuid::from_u128(3))).unwrap();
        let mut s = store.clone();
        s.receipt_footer = "Thank you".into();
        a.set_store(&s).unwrap();
        let mut s = store.clone();
        s.address = "Harbour 2".into();
        b.set_store(&s).unwrap();
        b.put_device(&DeviceEntry {
            id: Uuid::from_u128(3),
            name: "Tablet".into(),
            code: "T2".into(),
            revoked: false,
        })
        .unwrap();
        a.merge(&mut b).unwrap();
        let merged = a.store().unwrap().unwrap();
        assert_eq!(merged.receipt_footer, "Thank you");
        assert_eq!(merged.address, "Harbour 2");
        assert_eq!(merged.rules, store.rules);
        assert_eq!(a.devices().unwrap().len(), 1);
    }

    #[test]
    fn the_receipt_fields_round_trip_and_a_profile_written_before_them_still_reads() {
        let (mut store, _) = demo::food_truck(false);
        store.receipt_language = "ru".into();
        store.logo = StoreLogo::new(16, 2, vec![0xf0, 0x0f, 0xaa, 0x55]);
        store.rules.cash_rounding = CashRounding::CustomersFavour;
        store.receipt_line_vat = true;
        store.shift_required = true;
        store.close_shows_expected = true;
        store.shift_opens_itself = true;
        store.gift_card_offline_cap = rust_decimal::Decimal::new(2000, 2);
        store.loyalty = Some(crate::loyalty::LoyaltyRule {
            points_per_currency_unit: rust_decimal::Decimal::ONE,
            points_per_visit: rust_decimal::Decimal::TEN,
            points_per_product: [("coffee".to_string(), rust_decimal::Decimal::TWO)].into(),
            point_value: rust_decimal::Decimal::new(1, 2),
            offline: crate::OfflineAllowance {
                cap: rust_decimal::Decimal::from(500),
            },
        });
        store.tip_presets = vec![
            TipPreset::Percent(rust_decimal::Decimal::TEN),
            TipPreset::Amount(rust_decimal::Decimal::new(250, 2)),
        ];
        let mut doc = SettingsDoc::new(Uuid::from_u128(1), &Actor::device(Uuid::from_u128(2)));
        doc.set_store(&store).unwrap();
        assert_eq!(doc.store().unwrap().unwrap(), store);

        // An older device wrote the profile without them.
        let profile = match doc.doc.get(automerge::ROOT, "profile").unwrap() {
            Some((_, id)) => id,
            None => panic!("no profile"),
        };
        doc.doc.delete(&profile, "return_policy").unwrap();
        doc.doc.delete(&profile, "receipt_language").unwrap();
        doc.doc.delete(&profile, "logo").unwrap();
        doc.doc.delete(&profile, "cash_rounding").unwrap();
        doc.doc.delete(&profile, "receipt_line_vat").unwrap();
        doc.doc.delete(&profile, "tip_presets").unwrap();
        doc.doc.delete(&profile, "shift_required").unwrap();
        doc.doc.delete(&profile, "close_shows_expected").unwrap();
        doc.doc.delete(&profile, "shift_opens_itself").unwrap();
        doc.doc.delete(&profile, "gift_card_offline_cap").unwrap();
        doc.doc.delete(&profile, "loyalty").unwrap();
        let read = doc.store().unwrap().unwrap();
        assert_eq!(
            read.loyalty, None,
            "a store kept before loyalty earns no points"
        );
        assert!(read.tip_presets.is_empty());
        assert!(!read.shift_required);
        assert!(
            !read.close_shows_expected,
            "a store kept before it counts blind"
        );
        assert!(!read.shift_opens_itself);
        assert_eq!(
            read.gift_card_offline_cap,
            crate::DEFAULT_GIFT_CARD_OFFLINE_CAP
        );
        assert_eq!(
            (
                read.return_policy.as_str(),
                read.receipt_language.as_str(),
                read.logo,
                read.rules.cash_rounding,
                read.receipt_line_vat,
            ),
            ("", "", None, CashRounding::HalfUp, false)
        );
        assert_eq!(read.name, store.name);
    }
}
