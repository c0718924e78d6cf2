//! The menu's forms: a product with its variants, modifiers and groups; a category; a modifier;
//! a modifier group; a tax. Each maps a catalog record to the strings its fields show and back.
//! What the strings cannot say (a number that is not one) is refused here; what the catalog
//! forbids (a duplicate barcode, a negative price) is refused by core's `Catalog::check`.

use pos_core::{Category, Decimal, Modifier, ModifierGroup, Product, TaxCategory, Unit, Variant};

use crate::i18n::{self, Msg};

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MenuFormError {
    #[error("the price is not a number")]
    Price,
    #[error("the cost is not a number")]
    Cost,
    #[error("a variant's price is not a number")]
    VariantPrice,
    #[error("the unit is not one offered")]
    Unit,
    #[error("a count is not a whole number")]
    Count,
    #[error("the rate is not a number")]
    Rate,
}

impl MenuFormError {
    pub fn msg(self) -> Msg {
        match self {
            MenuFormError::Price => Msg::PriceNotANumber,
            MenuFormError::Cost => Msg::CostNotANumber,
            MenuFormError::VariantPrice => Msg::VariantPriceNotANumber,
            MenuFormError::Unit => Msg::UnitInvalid,
            MenuFormError::Count => Msg::CountNotWhole,
            MenuFormError::Rate => Msg::RateNotANumber,
        }
    }
}

fn decimal(field: &str, error: MenuFormError) -> Result<Decimal, MenuFormError> {
    i18n::parse_decimal(field).ok_or(error)
}

/// A list typed as words: barcodes separated by spaces, commas or new lines.
fn words(field: &str) -> Vec<String> {
    field
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VariantDraft {
    pub id: String,
    pub name: String,
    pub price: String,
    pub sku: String,
    pub barcodes: String,
}

/// A product as its form shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProductDraft {
    pub id: String,
    pub name: String,
    pub category: String,
    pub price: String,
    /// `Unit::as_str`.
    pub unit: String,
    pub sku: String,
    pub barcodes: String,
    pub tax: String,
    /// Empty: the category's colour.
    pub colour: String,
    pub cost: String,
    pub open_price: bool,
    pub variants: Vec<VariantDraft>,
    pub modifiers: Vec<String>,
    pub modifier_groups: Vec<String>,
    pub archived: bool,
}

impl ProductDraft {
    /// A new product under `id`, in the first category with the first tax; its SKU is made from
    /// the id when left empty, since stock is counted by SKU and a merchant need not have any.
    pub fn new(id: String, category: Option<&Category>, tax: Option<&TaxCategory>) -> Self {
        ProductDraft {
            id,
            category: category.map(|c| c.id.clone()).unwrap_or_default(),
            tax: tax.map(|t| t.id.clone()).unwrap_or_default(),
            unit: Unit::Piece.as_str().to_string(),
            ..ProductDraft::default()
        }
    }

    pub fn of(p: &Product) -> Self {
        // As kept ("8.50"), not normalised ("8.5"), so the field reads as a price.
        let amount = |d: Decimal| d.to_string();
        ProductDraft {
            id: p.id.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            price: amount(p.price),
            unit: p.unit.as_str().to_string(),
            sku: p.sku.clone(),
            barcodes: p.barcodes.join(" "),
            tax: p.tax_category.clone(),
            colour: p.colour.clone().unwrap_or_default(),
            cost: p.cost.map(amount).unwrap_or_default(),
            open_price: p.open_price,
            variants: p
                .variants
                .iter()
                .map(|v| VariantDraft {
                    id: v.id.clone(),
                    name: v.name.clone(),
                    price: amount(v.price),
                    sku: v.sku.clone(),
                    barcodes: v.barcodes.join(" "),
                })
                .collect(),
            modifiers: p.modifiers.clone(),
            modifier_groups: p.modifier_groups.clone(),
            archived: p.archived,
        }
    }

    /// The product the fields describe. An empty price is zero (allowed for a price typed at the
    /// sale or a product sold by its variants; core refuses it otherwise).
    pub fn product(&self) -> Result<Product, MenuFormError> {
        let price = if self.price.trim().is_empty() {
            Decimal::ZERO
        } else {
            decimal(&self.price, MenuFormError::Price)?
        };
        let cost = match self.cost.trim() {
            "" => None,
            cost => Some(decimal(cost, MenuFormError::Cost)?),
        };
        let unit = Unit::parse(&self.unit).ok_or(MenuFormError::Unit)?;
        let variants = self
            .variants
            .iter()
            .filter(|v| !(v.name.trim().is_empty() && v.price.trim().is_empty()))
            .map(|v| {
                Ok(Variant {
                    id: v.id.clone(),
                    name: v.name.trim().to_string(),
                    price: decimal(&v.price, MenuFormError::VariantPrice)?,
                    sku: v.sku.trim().to_string(),
                    barcodes: words(&v.barcodes),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let sku = match self.sku.trim() {
            "" => self
                .id
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .take(12)
                .collect(),
            sku => sku.to_string(),
        };
        Ok(Product {
            id: self.id.clone(),
            name: self.name.trim().to_string(),
            sku,
            barcodes: words(&self.barcodes),
            price,
            tax_category: self.tax.clone(),
            unit,
            category: self.category.clone(),
            colour: Some(self.colour.trim().to_string()).filter(|c| !c.is_empty()),
            modifiers: self.modifiers.clone(),
            modifier_groups: self.modifier_groups.clone(),
            variants,
            cost,
            open_price: self.open_price,
            archived: self.archived,
        })
    }
}

/// A modifier (name and price) as its row shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ModifierDraft {
    pub id: String,
    pub name: String,
    pub price: String,
}

impl ModifierDraft {
    pub fn of(m: &Modifier) -> Self {
        ModifierDraft {
            id: m.id.clone(),
            name: m.name.clone(),
            price: m.price.normalize().to_string(),
        }
    }

    pub fn modifier(&self) -> Result<Modifier, MenuFormError> {
        let price = match self.price.trim() {
            "" => Decimal::ZERO,
            price => decimal(price, MenuFormError::Price)?,
        };
        Ok(Modifier {
            id: self.id.clone(),
            name: self.name.trim().to_string(),
            price,
        })
    }
}

/// A modifier group: its name, how many are chosen (empty maximum: any number) and its modifiers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupDraft {
    pub id: String,
    pub name: String,
    pub min: String,
    pub max: String,
    pub modifiers: Vec<String>,
}

impl GroupDraft {
    pub fn of(g: &ModifierGroup) -> Self {
        GroupDraft {
            id: g.id.clone(),
            name: g.name.clone(),
            min: g.min.to_string(),
            max: g.max.map(|m| m.to_string()).unwrap_or_default(),
            modifiers: g.modifiers.clone(),
        }
    }

    pub fn group(&self) -> Result<ModifierGroup, MenuFormError> {
        let count = |field: &str| {
            field
                .trim()
                .parse::<u32>()
                .map_err(|_| MenuFormError::Count)
        };
        let min = match self.min.trim() {
            "" => 0,
            min => count(min)?,
        };
        let max = match self.max.trim() {
            "" => None,
            max => Some(count(max)?),
        };
        Ok(ModifierGroup {
            id: self.id.clone(),
            name: self.name.trim().to_string(),
            modifiers: self.modifiers.clone(),
            min,
            max,
        })
    }
}

/// A tax category: its name and rate in percent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaxDraft {
    pub original: Option<TaxCategory>,
    pub id: String,
    pub name: String,
    pub rate: String,
}

impl TaxDraft {
    pub fn of(t: &TaxCategory) -> Self {
        TaxDraft {
            original: Some(t.clone()),
            id: t.id.clone(),
            name: t.name.clone(),
            rate: t.rate.normalize().to_string(),
        }
    }

    /// The tax as edited. Whatever else the category records (its fiscal code) is kept.
    pub fn tax(&self) -> Result<TaxCategory, MenuFormError> {
        let rate = decimal(&self.rate, MenuFormError::Rate)?;
        let mut tax = self.original.clone().unwrap_or(TaxCategory {
            id: self.id.clone(),
            name: String::new(),
            rate,
            fiscal_tag: None,
            vat_exempt: false,
        });
        tax.name = self.name.trim().to_string();
        tax.rate = rate;
        Ok(tax)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pos_core::demo;

    #[test]
    fn a_product_with_variants_round_trips_through_its_form() {
        let (_, catalog) = demo::food_truck(false);
        let mut p = catalog.product("classic-burger").unwrap().clone();
        p.unit = Unit::Litre;
        p.cost = Some(Decimal::new(275, 2));
        p.colour = Some("#112233".into());
        p.barcodes = vec!["4006381333931".into(), "TRUCK-1".into()];
        p.variants = vec![Variant {
            id: "l".into(),
            name: "Large".into(),
            price: Decimal::new(950, 2),
            sku: "B-L".into(),
            barcodes: vec!["96385074".into()],
        }];
        p.modifier_groups = vec!["sauce".into()];
        assert_eq!(ProductDraft::of(&p).product(), Ok(p));
    }

    #[test]
    fn typed_fields_become_a_product_or_say_what_is_wrong() {
        let mut draft = ProductDraft::new("0193a1b2-c3d4-7e5f".into(), None, None);
        draft.name = "  Borscht ".into();
        draft.price = "3,50".into();
        draft.barcodes = "4006381333931, 96385074\nTRUCK-1".into();
        draft.variants.push(VariantDraft::default());
        let p = draft.product().unwrap();
        assert_eq!(p.name, "Borscht");
        assert_eq!(p.price, Decimal::new(350, 2));
        assert_eq!(p.barcodes, ["4006381333931", "96385074", "TRUCK-1"]);
        assert_eq!(p.sku, "0193a1b2c3d4", "a SKU is made when none is typed");
        assert!(
            p.variants.is_empty(),
            "an empty variant row is not a variant"
        );
        draft.price = "3.5.0".into();
        assert_eq!(draft.product(), Err(MenuFormError::Price));
        draft.price = "3.50".into();
        draft.cost = "abc".into();
        assert_eq!(draft.product(), Err(MenuFormError::Cost));
        draft.cost.clear();
        draft.variants = vec![VariantDraft {
            name: "Large".into(),
            price: "x".into(),
            ..VariantDraft::default()
        }];
        assert_eq!(draft.product(), Err(MenuFormError::VariantPrice));
        draft.variants.clear();
        draft.unit = "gallon".into();
        assert_eq!(draft.product(), Err(MenuFormError::Unit));
    }

    #[test]
    fn groups_modifiers_and_taxes_read_their_numbers() {
        let group = GroupDraft {
            id: "g".into(),
            name: "Sauce".into(),
            min: "1".into(),
            max: "1".into(),
            modifiers: vec!["ketchup".into()],
        };
        let g = group.group().unwrap();
        assert_eq!((g.min, g.max), (1, Some(1)));
        assert_eq!(GroupDraft::of(&g), group);
        let any = GroupDraft {
            min: String::new(),
            max: String::new(),
            ..group.clone()
        };
        assert_eq!(any.group().map(|g| (g.min, g.max)), Ok((0, None)));
        assert_eq!(
            GroupDraft {
                min: "-1".into(),
                ..group
            }
            .group(),
            Err(MenuFormError::Count)
        );
        let m = ModifierDraft {
            id: "m".into(),
            name: "Cheese".into(),
            price: "0,80".into(),
        };
        assert_eq!(m.modifier().unwrap().price, Decimal::new(80, 2));
        let tax = TaxDraft {
            original: None,
            id: "t".into(),
            name: "VAT".into(),
            rate: "22".into(),
        };
        assert_eq!(tax.tax().unwrap().rate, Decimal::from(22));
        assert_eq!(
            TaxDraft {
                rate: "x".into(),
                ..tax
            }
            .tax(),
            Err(MenuFormError::Rate)
        );
    }
}
