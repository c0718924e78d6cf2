//! From a tapped tile to what the ticket adds: the variant picked, the modifiers chosen within
//! each group's rule, and the price typed for an "any price" product. The ticket then keeps the
//! result as its snapshot, so a later catalog edit never changes it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Catalog, MAX_CATALOG_PRICE, Modifier, Product};
use crate::tax::TaxCategory;

/// Joins a product's id and its variant's in the id a ticket line carries (`latte:large`), so
/// two sizes at one price never merge into one line.
const VARIANT_SEPARATOR: char = ':';

/// What the cashier chose when the tile was tapped.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub variant: Option<String>,
    /// Modifier ids, from the product's groups and its loose modifiers.
    pub modifiers: Vec<String>,
    /// The price typed for a product whose price is typed at the sale.
    pub price: Option<Decimal>,
}

/// What a ticket adds: the product as sold (the variant's name, price and codes in place of the
/// product's; every modifier chosen offered), its tax and the chosen modifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sellable {
    pub product: Product,
    pub tax: TaxCategory,
    pub modifiers: Vec<Modifier>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChoiceError {
    #[error("the product is not in the catalog")]
    UnknownProduct,
    #[error("the product is archived")]
    Archived,
    #[error("choose one of the product's variants")]
    VariantNeeded,
    #[error("the product has no such variant")]
    UnknownVariant,
    #[error("type the price")]
    PriceNeeded,
    #[error("a typed price is above zero and at most the highest price kept")]
    PriceOutOfRange,
    #[error("the modifier is not offered with the product")]
    ModifierNotOffered,
    #[error("choose at least {min} in {group}")]
    TooFew { group: String, min: u32 },
    #[error("choose at most {max} in {group}")]
    TooMany { group: String, max: u32 },
    #[error("the product's tax category is missing")]
    UnknownTaxCategory,
}

impl Catalog {
    /// The catalog product a ticket line's `product_id` names, variant or not.
    pub fn product_of_line(&self, line_product_id: &str) -> Option<&Product> {
        let id = line_product_id
            .split_once(VARIANT_SEPARATOR)
            .map_or(line_product_id, |(product, _)| product);
        self.product(id)
    }

    /// The product a scanned or typed code names, with the variant chosen when the code is a
    /// variant's barcode or SKU.
    pub fn choice_for_code(&self, code: &str) -> Option<(&Product, Choice)> {
        let product = self.by_code(code)?;
        let code = code.trim();
        let variant = product.variants.iter().find(|v| {
            v.barcodes.iter().any(|b| b == code)
                || (!v.sku.is_empty() && v.sku.eq_ignore_ascii_case(code))
                || v.barcodes
                    .iter()
                    .any(|b| super::gtin14(b).is_some_and(|g| Some(g) == super::gtin14(code)))
        });
        let choice = Choice {
            variant: variant.map(|v| v.id.clone()),
            ..Choice::default()
        };
        Some((product, choice))
    }

    /// Whether `choice` leaves nothing to ask: the variant is chosen where there are variants,
    /// no group needs a choice, and no price is to be typed.
    pub fn choice_is_complete(&self, product: &Product, choice: &Choice) -> bool {
        let needs_group = product
            .modifier_groups
            .iter()
            .filter_map(|g| self.modifier_group(g))
            .any(|g| g.is_required());
        (product.variants.is_empty() || choice.variant.is_some())
            && !needs_group
            && !product.open_price
    }

    /// Whether tapping the product's tile asks something first: a variant, a modifier group or
    /// a typed price. Loose modifiers are added afterwards on the line, as before.
    pub fn needs_choice(&self, product: &Product) -> bool {
        product.open_price || !product.variants.is_empty() || !product.modifier_groups.is_empty()
    }

    /// The product as `choice` sells it, or why it cannot be sold so.
    pub fn sellable(&self, product_id: &str, choice: &Choice) -> Result<Sellable, ChoiceError> {
        let product = self
            .product(product_id)
            .ok_or(ChoiceError::UnknownProduct)?;
        if product.archived {
            return Err(ChoiceError::Archived);
        }
        let tax = self
            .tax_category(&product.tax_category)
            .ok_or(ChoiceError::UnknownTaxCategory)?
            .clone();
        let mut sold = product.clone();
        match (&choice.variant, product.variants.is_empty()) {
            (None, true) => {}
            (None, false) => return Err(ChoiceError::VariantNeeded),
            (Some(_), true) => return Err(ChoiceError::UnknownVariant),
            (Some(id), false) => {
                let v = product.variant(id).ok_or(ChoiceError::UnknownVariant)?;
                sold.id = format!("{}{VARIANT_SEPARATOR}{}", product.id, v.id);
                sold.name = format!("{}, {}", product.name, v.name);
                sold.price = v.price;
                if !v.sku.is_empty() {
                    sold.sku = v.sku.clone();
                }
                sold.barcodes = v.barcodes.clone();
            }
        }
        sold.variants.clear();
        if product.open_price {
            let price = choice.price.ok_or(ChoiceError::PriceNeeded)?;
            if price <= Decimal::ZERO || price > MAX_CATALOG_PRICE {
                return Err(ChoiceError::PriceOutOfRange);
            }
            sold.price = price;
        }
        let modifiers = self.chosen_modifiers(product, &choice.modifiers)?;
        // Every modifier the product offers stays offered on the line, so the ticket accepts the
        // chosen ones and the line editor can still toggle the loose ones.
        sold.modifiers = self.offered_modifiers(product);
        sold.modifier_groups.clear();
        Ok(Sellable {
            product: sold,
            tax,
            modifiers,
        })
    }

    /// Every modifier id offered with `product`: its loose ones, then its groups'.
    fn offered_modifiers(&self, product: &Product) -> Vec<String> {
        let mut offered = product.modifiers.clone();
        for group in product
            .modifier_groups
            .iter()
            .filter_map(|g| self.modifier_group(g))
        {
            for m in &group.modifiers {
                if !offered.contains(m) {
                    offered.push(m.clone());
                }
            }
        }
        offered
    }

    fn chosen_modifiers(
        &self,
        product: &Product,
        chosen: &[String],
    ) -> Result<Vec<Modifier>, ChoiceError> {
        let offered = self.offered_modifiers(product);
        if chosen.iter().any(|m| !offered.contains(m)) {
            return Err(ChoiceError::ModifierNotOffered);
        }
        for group in product
            .modifier_groups
            .iter()
            .filter_map(|g| self.modifier_group(g))
        {
            let count = chosen
                .iter()
                .filter(|m| group.modifiers.contains(m))
                .count() as u32;
            if count < group.min {
                return Err(ChoiceError::TooFew {
                    group: group.name.clone(),
                    min: group.min,
                });
            }
            if let Some(max) = group.max.filter(|max| count > *max) {
                return Err(ChoiceError::TooMany {
                    group: group.name.clone(),
                    max,
                });
            }
        }
        chosen
            .iter()
            .map(|m| {
                self.modifier(m)
                    .cloned()
                    .ok_or(ChoiceError::ModifierNotOffered)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CatalogEdit, ModifierGroup, Variant};
    use crate::demo;

    /// The demo menu with a latte in two sizes that needs exactly one milk, and a donation.
    fn menu() -> Catalog {
        let (_, mut catalog) = demo::food_truck(false);
        let mut latte = catalog.product("classic-burger").unwrap().clone();
        latte.id = "latte".into();
        latte.name = "Latte".into();
        latte.sku = "LATTE".into();
        latte.barcodes.clear();
        latte.modifiers = vec!["shot".into()];
        latte.modifier_groups = vec!["milk".into()];
        latte.variants = vec![
            Variant {
                id: "s".into(),
                name: "Small".into(),
                price: Decimal::new(300, 2),
                sku: "LATTE-S".into(),
                barcodes: vec![],
            },
            Variant {
                id: "l".into(),
                name: "Large".into(),
                price: Decimal::new(400, 2),
                sku: String::new(),
                barcodes: vec![],
            },
        ];
        let milk = ModifierGroup {
            id: "milk".into(),
            name: "Milk".into(),
            modifiers: vec!["oat".into(), "cheese".into()],
            min: 1,
            max: Some(1),
        };
        catalog.apply(&CatalogEdit::PutModifierGroup(milk)).unwrap();
        catalog.apply(&CatalogEdit::PutProduct(latte)).unwrap();
        let mut donation = catalog.product("fries").unwrap().clone();
        donation.id = "donation".into();
        donation.name = "Donation".into();
        donation.sku = "DON".into();
        donation.barcodes.clear();
        donation.modifiers.clear();
        donation.open_price = true;
        donation.price = Decimal::ZERO;
        catalog.apply(&CatalogEdit::PutProduct(donation)).unwrap();
        catalog
    }

    fn choice(variant: Option<&str>, modifiers: &[&str], price: Option<Decimal>) -> Choice {
        Choice {
            variant: variant.map(str::to_string),
            modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
            price,
        }
    }

    #[test]
    fn a_variant_with_its_required_group_sells_under_its_own_name_price_and_sku() {
        let catalog = menu();
        assert!(catalog.needs_choice(catalog.product("latte").unwrap()));
        let sold = catalog
            .sellable("latte", &choice(Some("s"), &["oat", "shot"], None))
            .unwrap();
        assert_eq!(sold.product.id, "latte:s");
        assert_eq!(sold.product.name, "Latte, Small");
        assert_eq!(sold.product.price, Decimal::new(300, 2));
        assert_eq!(sold.product.sku, "LATTE-S");
        let names: Vec<&str> = sold.modifiers.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Oat milk", "Extra shot"]);
        assert_eq!(catalog.product_of_line("latte:s").unwrap().id, "latte");
        // A variant with no SKU of its own sells under the product's.
        let large = catalog
            .sellable("latte", &choice(Some("l"), &["oat"], None))
            .unwrap();
        assert_eq!(large.product.sku, "LATTE");
    }

    #[test]
    fn a_choice_outside_the_rules_is_refused_with_the_reason() {
        let catalog = menu();
        let refused = |c: Choice| catalog.sellable("latte", &c).unwrap_err();
        assert_eq!(
            refused(choice(None, &["oat"], None)),
            ChoiceError::VariantNeeded
        );
        assert_eq!(
            refused(choice(Some("xl"), &["oat"], None)),
            ChoiceError::UnknownVariant
        );
        assert_eq!(
            refused(choice(Some("s"), &[], None)),
            ChoiceError::TooFew {
                group: "Milk".into(),
                min: 1
            }
        );
        assert_eq!(
            refused(choice(Some("s"), &["oat", "cheese"], None)),
            ChoiceError::TooMany {
                group: "Milk".into(),
                max: 1
            }
        );
        assert_eq!(
            refused(choice(Some("s"), &["oat", "bacon"], None)),
            ChoiceError::ModifierNotOffered
        );
    }

    #[test]
    fn an_any_price_product_needs_a_typed_price_within_bounds() {
        let catalog = menu();
        let sell = |price| catalog.sellable("donation", &choice(None, &[], price));
        assert_eq!(sell(None).unwrap_err(), ChoiceError::PriceNeeded);
        assert_eq!(
            sell(Some(Decimal::ZERO)).unwrap_err(),
            ChoiceError::PriceOutOfRange
        );
        assert_eq!(
            sell(Some(Decimal::from(10_i128.pow(20)))).unwrap_err(),
            ChoiceError::PriceOutOfRange
        );
        assert_eq!(
            sell(Some(Decimal::new(750, 2))).unwrap().product.price,
            Decimal::new(750, 2)
        );
    }

    #[test]
    fn a_variant_barcode_chooses_the_variant() {
        let mut catalog = menu();
        let mut latte = catalog.product("latte").unwrap().clone();
        latte.variants[1].barcodes = vec!["4006381333931".into()];
        latte.modifier_groups.clear();
        catalog.apply(&CatalogEdit::PutProduct(latte)).unwrap();
        let (product, choice) = catalog.choice_for_code("4006381333931").unwrap();
        assert_eq!(product.id, "latte");
        assert_eq!(choice.variant.as_deref(), Some("l"));
        assert!(catalog.choice_is_complete(product, &choice));
        let (_, by_sku) = catalog.choice_for_code("latte-s").unwrap();
        assert_eq!(by_sku.variant.as_deref(), Some("s"));
        let (product, by_product_sku) = catalog.choice_for_code("LATTE").unwrap();
        assert!(!catalog.choice_is_complete(product, &by_product_sku));
    }

    #[test]
    fn an_archived_product_is_not_sold() {
        let mut catalog = menu();
        catalog
            .apply(&CatalogEdit::Archive {
                product: "donation".into(),
                archived: true,
            })
            .unwrap();
        assert_eq!(
            catalog.sellable("donation", &choice(None, &[], Some(Decimal::ONE))),
            Err(ChoiceError::Archived)
        );
    }
}
