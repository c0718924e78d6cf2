//! The form of the store's loyalty programme (`Store::loyalty`): on or off, points per 1.00 spent,
//! per visit and per product (typed as `SKU=points; …`, kept by product id), what a point pays,
//! and how many points a device offline may let a customer spend.

use std::collections::BTreeMap;

use pos_core::loyalty::LoyaltyRule;
use pos_core::{Catalog, Decimal, OfflineAllowance, Store};

use crate::i18n::{parse_decimal, Msg};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoyaltyForm {
    pub on: bool,
    pub per_unit: String,
    pub per_visit: String,
    pub per_product: String,
    pub point_value: String,
    pub offline_cap: String,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoyaltyFormError {
    #[error("a number is not zero or more")]
    Number,
    #[error("not a SKU of the catalog with its points: {0}")]
    Product(String),
}

impl LoyaltyFormError {
    pub fn msg(&self) -> (Msg, Vec<(&'static str, String)>) {
        match self {
            LoyaltyFormError::Number => (Msg::InvalidLoyaltyNumber, Vec::new()),
            LoyaltyFormError::Product(code) => {
                (Msg::InvalidLoyaltyProduct, vec![("code", code.clone())])
            }
        }
    }
}

/// A store with no programme yet starts from these: a point per 1.00, a point worth 0.01.
fn suggested() -> LoyaltyRule {
    LoyaltyRule {
        points_per_currency_unit: Decimal::ONE,
        points_per_visit: Decimal::ZERO,
        points_per_product: BTreeMap::new(),
        point_value: Decimal::new(1, 2),
        offline: OfflineAllowance {
            cap: Decimal::from(500),
        },
    }
}

fn text(d: Decimal) -> String {
    d.normalize().to_string()
}

impl LoyaltyForm {
    pub fn of(store: &Store, catalog: &Catalog) -> LoyaltyForm {
        let rule = store.loyalty.clone().unwrap_or_else(suggested);
        let per_product = rule
            .points_per_product
            .iter()
            .map(|(id, points)| {
                let code = catalog.product(id).map_or(id.as_str(), |p| p.sku.as_str());
                format!("{code}={}", text(*points))
            })
            .collect::<Vec<_>>()
            .join("; ");
        LoyaltyForm {
            on: store.loyalty.is_some(),
            per_unit: text(rule.points_per_currency_unit),
            per_visit: text(rule.points_per_visit),
            per_product,
            point_value: text(rule.point_value),
            offline_cap: text(rule.offline.cap),
        }
    }

    /// The programme the form says, `None` when it is off; per-product points are by product id,
    /// looked up by SKU (or barcode) in `catalog`.
    pub fn rule(&self, catalog: &Catalog) -> Result<Option<LoyaltyRule>, LoyaltyFormError> {
        if !self.on {
            return Ok(None);
        }
        let number = |field: &str| {
            parse_decimal(field)
                .filter(|d| *d >= Decimal::ZERO)
                .ok_or(LoyaltyFormError::Number)
        };
        let mut points_per_product = BTreeMap::new();
        for entry in self
            .per_product
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let wrong = || LoyaltyFormError::Product(entry.to_string());
            let (code, points) = entry.split_once('=').ok_or_else(wrong)?;
            let product = catalog.by_code(code.trim()).ok_or_else(wrong)?;
            let points = parse_decimal(points)
                .filter(|d| *d >= Decimal::ZERO)
                .ok_or_else(wrong)?;
            points_per_product.insert(product.id.clone(), points);
        }
        Ok(Some(LoyaltyRule {
            points_per_currency_unit: number(&self.per_unit)?,
            points_per_visit: number(&self.per_visit)?,
            points_per_product,
            point_value: number(&self.point_value)?,
            offline: OfflineAllowance {
                cap: number(&self.offline_cap)?.trunc(),
            },
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    fn store_and_catalog() -> (Store, Catalog) {
        pos_core::demo::food_truck(false)
    }

    #[test]
    fn off_by_default_and_on_with_the_typed_rule() {
        let (store, catalog) = store_and_catalog();
        let mut form = LoyaltyForm::of(&store, &catalog);
        assert!(!form.on);
        assert_eq!(form.rule(&catalog), Ok(None), "no rule, no points");
        form.on = true;
        form.per_unit = "2".into();
        form.per_visit = "5".into();
        form.point_value = "0,05".into();
        form.offline_cap = "300".into();
        let product = &catalog.products[0];
        form.per_product = format!(" {}=3 ; ", product.sku);
        let rule = form.rule(&catalog).unwrap().unwrap();
        assert_eq!(rule.points_per_currency_unit, Decimal::TWO);
        assert_eq!(rule.points_per_visit, Decimal::from(5));
        assert_eq!(rule.point_value, Decimal::new(5, 2));
        assert_eq!(rule.offline.cap, Decimal::from(300));
        assert_eq!(
            rule.points_per_product.get(&product.id),
            Some(&Decimal::from(3))
        );
        // Saved and shown again: the same form.
        let saved = Store {
            loyalty: Some(rule.clone()),
            ..store
        };
        let again = LoyaltyForm::of(&saved, &catalog);
        assert_eq!(again.rule(&catalog), Ok(Some(rule)));
        assert!(again.per_product.starts_with(&product.sku));
    }

    #[test]
    fn each_bad_input_gives_its_error() {
        let (store, catalog) = store_and_catalog();
        let mut form = LoyaltyForm::of(&store, &catalog);
        form.on = true;
        form.per_unit = "-1".into();
        assert_eq!(form.rule(&catalog), Err(LoyaltyFormError::Number));
        form.per_unit = "1".into();
        form.per_product = "NO-SUCH-SKU=2".into();
        assert_eq!(
            form.rule(&catalog),
            Err(LoyaltyFormError::Product("NO-SUCH-SKU=2".into()))
        );
        assert_translated([LoyaltyFormError::Number.msg().0]);
        let (msg, args) = LoyaltyFormError::Product("X-9".into()).msg();
        for lang in crate::i18n::Lang::ALL {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let text = msg.fill(lang, &args);
            assert!(text.contains("X-9") && !text.contains('{'), "{text}");
        }
    }
}
