//! The edits managers make to the catalog, and the checks every record passes before it is kept:
//! a catalog that passed them never sells at a negative or absurd price, never scans one code
//! as two products, and never refers to something it does not have.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::code_index::CodeIndex;
use super::gtin::{BarcodeError, check_barcode};
use super::{Catalog, Category, Modifier, ModifierGroup, Product, Variant};
use crate::tax::{TaxCategory, TaxCategoryError};

/// The highest price (or cost) a catalog keeps: the ticket's bound on one unit, 10^11 of the
/// currency (above any real price, a car in Iranian rials), so nothing the catalog keeps is
/// refused at the till.
pub const MAX_CATALOG_PRICE: Decimal = crate::ticket::MAX_UNIT_PRICE;

/// Longest name kept: a tile and a receipt line show about 40 characters.
const MAX_NAME: usize = 120;

/// One change to the catalog. Records are put whole; a product is archived, never removed, so
/// its sales keep their meaning.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CatalogEdit {
    PutProduct(Product),
    Archive { product: String, archived: bool },
    PutCategory(Category),
    PutModifier(Modifier),
    PutModifierGroup(ModifierGroup),
    PutTaxCategory(TaxCategory),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogError {
    #[error("a name is needed")]
    NameMissing,
    #[error("a name is at most {MAX_NAME} characters")]
    NameTooLong,
    #[error("there is no product {0}")]
    UnknownProduct(String),
    #[error("{product} refers to the unknown tax category {tax_category}")]
    UnknownTaxCategory {
        product: String,
        tax_category: String,
    },
    #[error("{product} refers to the unknown category {category}")]
    UnknownCategory { product: String, category: String },
    #[error("{owner} refers to the unknown modifier {modifier}")]
    UnknownModifier { owner: String, modifier: String },
    #[error("{product} refers to the unknown modifier group {group}")]
    UnknownModifierGroup { product: String, group: String },
    #[error("{item} has a negative price")]
    NegativePrice { item: String },
    /// Zero, for a product whose price is not typed at the sale.
    #[error("{item} needs a price above zero")]
    PriceMissing { item: String },
    #[error("{item} costs more than the highest price kept")]
    PriceTooHigh { item: String },
    #[error("a product needs a SKU")]
    SkuMissing,
    #[error("the SKU {sku} is already {other}'s")]
    DuplicateSku { sku: String, other: String },
    #[error("barcode {code}: {error}")]
    Barcode { code: String, error: BarcodeError },
    #[error("the barcode {code} is already {other}'s")]
    DuplicateBarcode { code: String, other: String },
    #[error("{product} has two variants named {variant}")]
    DuplicateVariant { product: String, variant: String },
    /// No modifiers, a minimum above the maximum, or more required than offered.
    #[error("the group {group} cannot be chosen from as set")]
    GroupRule { group: String },
    #[error("{0} is not a colour such as #e4572e")]
    Colour(String),
    #[error(transparent)]
    Tax(#[from] TaxCategoryError),
}

impl Catalog {
    /// Checks that `edit` can be made to this catalog, then makes it.
    pub fn apply(&mut self, edit: &CatalogEdit) -> Result<(), CatalogError> {
        self.check(edit)?;
        match edit {
            CatalogEdit::PutProduct(p) => upsert(&mut self.products, p.clone(), |x| &x.id),
            CatalogEdit::Archive { product, archived } => {
                if let Some(p) = self.products.iter_mut().find(|p| &p.id == product) {
                    p.archived = *archived;
                }
            }
            CatalogEdit::PutCategory(c) => upsert(&mut self.categories, c.clone(), |x| &x.id),
            CatalogEdit::PutModifier(m) => upsert(&mut self.modifiers, m.clone(), |x| &x.id),
            CatalogEdit::PutModifierGroup(g) => {
                upsert(&mut self.modifier_groups, g.clone(), |x| &x.id)
            }
            CatalogEdit::PutTaxCategory(t) => {
                upsert(&mut self.tax_categories, t.clone(), |x| &x.id)
            }
        }
        self.is_demo = false;
        Ok(())
    }

    /// Whether `edit` can be made: the record is well formed and everything it names exists.
    pub fn check(&self, edit: &CatalogEdit) -> Result<(), CatalogError> {
        match edit {
            CatalogEdit::PutProduct(p) => self.check_product(p),
            CatalogEdit::Archive { product, archived } => {
                let p = self
                    .product(product)
                    .ok_or_else(|| CatalogError::UnknownProduct(product.clone()))?;
                // Bringing a product back checks its codes against those sold meanwhile.
                if !archived {
                    let mut back = p.clone();
                    back.archived = false;
                    self.check_product(&back)?;
                }
                Ok(())
            }
            CatalogEdit::PutCategory(c) => check_category(c),
            CatalogEdit::PutModifier(m) => {
                check_name(&m.name)?;
                check_price(m.price, &m.name, true)
            }
            CatalogEdit::PutModifierGroup(g) => self.check_group(g),
            CatalogEdit::PutTaxCategory(t) => {
                check_name(&t.name)?;
                Ok(t.validate()?)
            }
        }
    }

    /// Checks every record and every reference, so a broken catalog (an import, a document
    /// from an older version) is caught when it is loaded rather than when a cashier taps it.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let edits = (self
            .categories
            .iter()
            .cloned()
            .map(CatalogEdit::PutCategory))
        .chain(self.modifiers.iter().cloned().map(CatalogEdit::PutModifier))
        .chain(
            self.modifier_groups
                .iter()
                .cloned()
                .map(CatalogEdit::PutModifierGroup),
        )
        .chain(
            self.tax_categories
                .iter()
                .cloned()
                .map(CatalogEdit::PutTaxCategory),
        )
        .chain(self.products.iter().cloned().map(CatalogEdit::PutProduct));
        for edit in edits {
            self.check(&edit)?;
        }
        Ok(())
    }

    fn check_product(&self, p: &Product) -> Result<(), CatalogError> {
        self.check_product_fields(p)?;
        self.check_codes(p)
    }

    /// Everything about a product but whether its codes are another's.
    fn check_product_fields(&self, p: &Product) -> Result<(), CatalogError> {
        check_name(&p.name)?;
        check_price(p.price, &p.name, p.open_price || !p.variants.is_empty())?;
        if let Some(cost) = p.cost {
            check_price(cost, &p.name, true)?;
        }
        if p.sku.trim().is_empty() {
            return Err(CatalogError::SkuMissing);
        }
        if self.tax_category(&p.tax_category).is_none() {
            return Err(CatalogError::UnknownTaxCategory {
                product: p.name.clone(),
                tax_category: p.tax_category.clone(),
            });
        }
        if self.category(&p.category).is_none() {
            return Err(CatalogError::UnknownCategory {
                product: p.name.clone(),
                category: p.category.clone(),
            });
        }
        if let Some(m) = p.modifiers.iter().find(|m| self.modifier(m).is_none()) {
            return Err(CatalogError::UnknownModifier {
                owner: p.name.clone(),
                modifier: m.clone(),
            });
        }
        if let Some(g) = p
            .modifier_groups
            .iter()
            .find(|g| self.modifier_group(g).is_none())
        {
            return Err(CatalogError::UnknownModifierGroup {
                product: p.name.clone(),
                group: g.clone(),
            });
        }
        for (i, v) in p.variants.iter().enumerate() {
            check_variant(v, p.open_price)?;
            if p.variants[..i]
                .iter()
                .any(|o| o.name == v.name || o.id == v.id)
            {
                return Err(CatalogError::DuplicateVariant {
                    product: p.name.clone(),
                    variant: v.name.clone(),
                });
            }
        }
        own_codes_once(p)
    }

    /// A SKU or a barcode names one product: it may not be another sold product's. Archived
    /// products give their codes up. (One product's own codes are checked in `own_codes_once`.)
    fn check_codes(&self, p: &Product) -> Result<(), CatalogError> {
        if p.archived {
            return Ok(());
        }
        let taken = |same: &dyn Fn(&Product) -> bool| {
            self.products
                .iter()
                .find(|o| o.id != p.id && !o.archived && same(o))
                .map(|o| o.name.clone())
        };
        for sku in product_skus(p) {
            let other = taken(&|o| product_skus(o).any(|s| s.eq_ignore_ascii_case(sku)));
            if let Some(other) = other {
                return Err(CatalogError::DuplicateSku {
                    sku: sku.to_string(),
                    other,
                });
            }
        }
        for code in p.all_barcodes() {
            if let Some(other) = taken(&|o| o.all_barcodes().any(|b| b == code)) {
                return Err(CatalogError::DuplicateBarcode {
                    code: code.clone(),
                    other,
                });
            }
        }
        Ok(())
    }

    /// Makes many edits at once, each checked against the catalog as the ones before it left it,
    /// as `apply` one by one would, but with the products' codes and places looked up in maps:
    /// an import of 50,000 products takes as long as reading them, not 50,000 scans of them. On
    /// a refusal, the catalog is as the edits before it left it, and the refused edit's index
    /// is given.
    pub fn apply_all(&mut self, edits: &[CatalogEdit]) -> Result<(), (usize, CatalogError)> {
        let mut index = CodeIndex::of(self);
        for (at, edit) in edits.iter().enumerate() {
            self.apply_indexed(edit, &mut index).map_err(|e| (at, e))?;
        }
        Ok(())
    }

    fn apply_indexed(
        &mut self,
        edit: &CatalogEdit,
        index: &mut CodeIndex,
    ) -> Result<(), CatalogError> {
        let product = match edit {
            CatalogEdit::PutProduct(p) => p.clone(),
            CatalogEdit::Archive { product, archived } => {
                let at = *index
                    .places
                    .get(product)
                    .ok_or_else(|| CatalogError::UnknownProduct(product.clone()))?;
                Product {
                    archived: *archived,
                    ..self.products[at].clone()
                }
            }
            other => return self.apply(other),
        };
        self.check_product_fields(&product)?;
        index.check(self, &product)?;
        match index.places.get(&product.id) {
            Some(&at) => self.products[at] = product.clone(),
            None => {
                index.places.insert(product.id.clone(), self.products.len());
                self.products.push(product.clone());
            }
        }
        index.hold(&product);
        self.is_demo = false;
        Ok(())
    }

    fn check_group(&self, g: &ModifierGroup) -> Result<(), CatalogError> {
        check_name(&g.name)?;
        if let Some(m) = g.modifiers.iter().find(|m| self.modifier(m).is_none()) {
            return Err(CatalogError::UnknownModifier {
                owner: g.name.clone(),
                modifier: m.clone(),
            });
        }
        let offered = g.modifiers.len() as u32;
        let max = g.max.unwrap_or(offered);
        let sound = offered > 0 && max > 0 && g.min <= max && g.min <= offered;
        sound.then_some(()).ok_or_else(|| CatalogError::GroupRule {
            group: g.name.clone(),
        })
    }
}

/// The SKUs a product is sold by: its own and its variants'.
pub(super) fn product_skus(p: &Product) -> impl Iterator<Item = &str> {
    std::iter::once(p.sku.as_str())
        .chain(p.variants.iter().map(|v| v.sku.as_str()))
        .filter(|s| !s.is_empty())
}

/// No SKU or barcode twice within one product.
fn own_codes_once(p: &Product) -> Result<(), CatalogError> {
    let mut skus: Vec<String> = Vec::new();
    for sku in product_skus(p) {
        let key = sku.to_ascii_lowercase();
        if skus.contains(&key) {
            return Err(CatalogError::DuplicateSku {
                sku: sku.to_string(),
                other: p.name.clone(),
            });
        }
        skus.push(key);
    }
    let mut codes: Vec<&String> = Vec::new();
    for code in p.all_barcodes() {
        check_barcode(code).map_err(|error| CatalogError::Barcode {
            code: code.clone(),
            error,
        })?;
        if codes.contains(&code) {
            return Err(CatalogError::DuplicateBarcode {
                code: code.clone(),
                other: p.name.clone(),
            });
        }
        codes.push(code);
    }
    Ok(())
}

fn upsert<T>(records: &mut Vec<T>, record: T, id: impl Fn(&T) -> &String) {
    match records.iter_mut().find(|r| id(r) == id(&record)) {
        Some(existing) => *existing = record,
        None => records.push(record),
    }
}

fn check_name(name: &str) -> Result<(), CatalogError> {
    if name.trim().is_empty() {
        return Err(CatalogError::NameMissing);
    }
    if name.chars().count() > MAX_NAME {
        return Err(CatalogError::NameTooLong);
    }
    Ok(())
}

/// A price is at least zero and at most [`MAX_CATALOG_PRICE`]; zero only where `zero_allowed`
/// (a modifier at no charge, a price typed at the sale, a product sold by its variants).
fn check_price(price: Decimal, item: &str, zero_allowed: bool) -> Result<(), CatalogError> {
    let item = || item.to_string();
    if price.is_sign_negative() && !price.is_zero() {
        return Err(CatalogError::NegativePrice { item: item() });
    }
    if price.is_zero() && !zero_allowed {
        return Err(CatalogError::PriceMissing { item: item() });
    }
    if price > MAX_CATALOG_PRICE {
        return Err(CatalogError::PriceTooHigh { item: item() });
    }
    Ok(())
}

fn check_variant(v: &Variant, open_price: bool) -> Result<(), CatalogError> {
    check_name(&v.name)?;
    check_price(v.price, &v.name, open_price)
}

fn check_category(c: &Category) -> Result<(), CatalogError> {
    check_name(&c.name)?;
    let hex = c.colour.strip_prefix('#').unwrap_or("");
    let is_colour = hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    is_colour
        .then_some(())
        .ok_or_else(|| CatalogError::Colour(c.colour.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    fn burger(catalog: &Catalog) -> Product {
        catalog.product("classic-burger").unwrap().clone()
    }

    #[test]
    fn the_highest_price_is_ten_to_the_eleventh() {
        assert_eq!(MAX_CATALOG_PRICE, Decimal::from(100_000_000_000_i64));
    }

    #[test]
    fn a_new_product_is_added_and_an_edit_replaces_it() {
        let (_, mut catalog) = demo::food_truck(false);
        let mut soup = burger(&catalog);
        soup.id = "soup".into();
        soup.name = "Soup".into();
        soup.sku = "SOUP".into();
        soup.barcodes = vec![];
        soup.unit = super::super::Unit::Litre;
        catalog
            .apply(&CatalogEdit::PutProduct(soup.clone()))
            .unwrap();
        assert!(!catalog.is_demo, "an edited demo menu is the store's own");
        soup.price = Decimal::new(450, 2);
        catalog
            .apply(&CatalogEdit::PutProduct(soup.clone()))
            .unwrap();
        assert_eq!(catalog.product("soup"), Some(&soup));
        assert_eq!(
            catalog.products.iter().filter(|p| p.id == "soup").count(),
            1
        );
    }

    #[test]
    fn bad_products_are_refused_with_the_reason() {
        let (_, catalog) = demo::food_truck(false);
        let base = burger(&catalog);
        let refused = |change: &dyn Fn(&mut Product)| {
            let mut p = base.clone();
            change(&mut p);
            catalog.check(&CatalogEdit::PutProduct(p)).unwrap_err()
        };
        assert_eq!(
            refused(&|p| p.name = "  ".into()),
            CatalogError::NameMissing
        );
        assert!(matches!(
            refused(&|p| p.price = Decimal::new(-1, 2)),
            CatalogError::NegativePrice { .. }
        ));
        assert!(matches!(
            refused(&|p| p.price = Decimal::ZERO),
            CatalogError::PriceMissing { .. }
        ));
        assert!(matches!(
            refused(&|p| p.price = Decimal::from(10_i128.pow(26))),
            CatalogError::PriceTooHigh { .. }
        ));
        assert!(matches!(
            refused(&|p| p.barcodes = vec!["4006381333932".into()]),
            CatalogError::Barcode { .. }
        ));
        // The cheeseburger's barcode.
        let taken = catalog.product("cheeseburger").unwrap().barcodes[0].clone();
        assert_eq!(
            refused(&|p| p.barcodes = vec![taken.clone()]),
            CatalogError::DuplicateBarcode {
                code: taken.clone(),
                other: "Cheeseburger".into()
            }
        );
        assert!(matches!(
            refused(&|p| p.sku = "ft-002".into()),
            CatalogError::DuplicateSku { .. }
        ));
        assert!(matches!(
            refused(&|p| p.tax_category = "nope".into()),
            CatalogError::UnknownTaxCategory { .. }
        ));
        assert!(matches!(
            refused(&|p| p.modifier_groups = vec!["nope".into()]),
            CatalogError::UnknownModifierGroup { .. }
        ));
        assert!(matches!(
            refused(&|p| p.variants = vec![
                Variant {
                    id: "s".into(),
                    name: "Small".into(),
                    price: Decimal::ONE,
                    ..Default::default()
                },
                Variant {
                    id: "l".into(),
                    name: "Small".into(),
                    price: Decimal::TWO,
                    ..Default::default()
                },
            ]),
            CatalogError::DuplicateVariant { .. }
        ));
        // A price typed at the sale needs no price in the catalog.
        let mut open = base.clone();
        open.open_price = true;
        open.price = Decimal::ZERO;
        assert_eq!(catalog.check(&CatalogEdit::PutProduct(open)), Ok(()));
    }

    #[test]
    fn an_archived_product_gives_up_its_codes_and_cannot_come_back_over_a_new_one() {
        let (_, mut catalog) = demo::food_truck(false);
        let old = burger(&catalog);
        catalog
            .apply(&CatalogEdit::Archive {
                product: old.id.clone(),
                archived: true,
            })
            .unwrap();
        assert!(catalog.by_code(&old.barcodes[0]).is_none(), "not sold");
        let mut new = old.clone();
        new.id = "new-burger".into();
        new.sku = "NEW".into();
        catalog.apply(&CatalogEdit::PutProduct(new)).unwrap();
        assert_eq!(catalog.by_code(&old.barcodes[0]).unwrap().id, "new-burger");
        assert!(matches!(
            catalog.check(&CatalogEdit::Archive {
                product: old.id.clone(),
                archived: false
            }),
            Err(CatalogError::DuplicateBarcode { .. })
        ));
    }

    #[test]
    fn modifier_groups_and_categories_are_checked() {
        let (_, catalog) = demo::food_truck(false);
        let group = |min, max: Option<u32>, modifiers: &[&str]| ModifierGroup {
            id: "sauce".into(),
            name: "Sauce".into(),
            modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
            min,
            max,
        };
        let check = |g| catalog.check(&CatalogEdit::PutModifierGroup(g));
        assert_eq!(check(group(1, Some(1), &["cheese", "bacon"])), Ok(()));
        assert_eq!(check(group(0, None, &["cheese"])), Ok(()));
        for bad in [
            group(2, Some(1), &["cheese", "bacon"]),
            group(3, None, &["cheese", "bacon"]),
            group(0, Some(0), &["cheese"]),
            group(0, None, &[]),
        ] {
            assert!(matches!(check(bad), Err(CatalogError::GroupRule { .. })));
        }
        assert!(matches!(
            check(group(0, None, &["nope"])),
            Err(CatalogError::UnknownModifier { .. })
        ));
        let modifier = Modifier {
            id: "m".into(),
            name: "Less".into(),
            price: Decimal::new(-50, 2),
        };
        assert!(matches!(
            catalog.check(&CatalogEdit::PutModifier(modifier)),
            Err(CatalogError::NegativePrice { .. })
        ));
        let category = Category {
            id: "c".into(),
            name: "Soups".into(),
            colour: "red".into(),
            position: 0,
        };
        assert_eq!(
            catalog.check(&CatalogEdit::PutCategory(category)),
            Err(CatalogError::Colour("red".into()))
        );
        for rate in [-1, 101] {
            let tax = TaxCategory {
                rate: Decimal::from(rate),
                ..catalog.tax_categories[0].clone()
            };
            assert_eq!(
                catalog.check(&CatalogEdit::PutTaxCategory(tax)),
                Err(CatalogError::Tax(TaxCategoryError::RateOutOfRange))
            );
        }
    }

    #[test]
    fn the_demo_menu_is_valid() {
        for russian in [false, true] {
            demo::food_truck(russian).1.validate().unwrap();
        }
    }

    #[test]
    fn many_edits_at_once_are_refused_and_kept_as_one_by_one_would_be() {
        let (_, start) = demo::food_truck(false);
        let burger = burger(&start);
        let code = burger.barcodes[0].clone();
        let mut moved = burger.clone();
        moved.barcodes = vec!["96385074".into()];
        let mut taker = burger.clone();
        taker.id = "taker".into();
        taker.sku = "TAKER".into();
        taker.barcodes = vec![code.clone()];
        let mut twin = taker.clone();
        twin.id = "twin".into();
        twin.sku = "TWIN".into();
        let archive = |id: &str, archived| CatalogEdit::Archive {
            product: id.into(),
            archived,
        };
        let batches: Vec<Vec<CatalogEdit>> = vec![
            // The burger gives its barcode up, then another product takes it: both kept.
            vec![
                CatalogEdit::PutProduct(moved.clone()),
                CatalogEdit::PutProduct(taker.clone()),
            ],
            // Taken while the burger still has it: refused at the second edit.
            vec![CatalogEdit::PutProduct(taker.clone())],
            // Archived products give codes up; coming back over a taken code is refused.
            vec![
                archive("classic-burger", true),
                CatalogEdit::PutProduct(taker.clone()),
                archive("classic-burger", false),
            ],
            vec![
                CatalogEdit::PutProduct(moved),
                CatalogEdit::PutProduct(taker),
                CatalogEdit::PutProduct(twin),
            ],
        ];
        for edits in batches {
            let mut one_by_one = start.clone();
            let sequential = edits
                .iter()
                .enumerate()
                .try_for_each(|(at, e)| one_by_one.apply(e).map_err(|err| (at, err)));
            let mut at_once = start.clone();
            assert_eq!(at_once.apply_all(&edits), sequential, "{edits:?}");
            assert_eq!(at_once, one_by_one);
        }
    }
}
