//! The demo food-truck menu loaded on first start, so a new user can sell at once. It is marked
//! as demo data ([`Catalog::is_demo`]) and the app offers to remove it.

use rust_decimal::Decimal;

use crate::catalog::{Catalog, Category, Modifier, Product, Unit};
use crate::money::{CashRounding, Currency};
use crate::store::{PricingRules, Store};
use crate::tax::{TaxCategory, TaxPricing, TaxRounding};

/// A name in the two languages of the demo.
struct Name(&'static str, &'static str);

impl Name {
    fn pick(&self, russian: bool) -> String {
        if russian { self.1 } else { self.0 }.to_string()
    }
}

const CATEGORIES: &[(&str, Name, &str)] = &[
    ("burgers", Name("Burgers", "Бургеры"), "#e4572e"),
    (
        "hotdogs",
        Name("Hot dogs & wraps", "Хот-доги и роллы"),
        "#f3a712",
    ),
    ("sides", Name("Sides", "Закуски"), "#a8c686"),
    ("drinks", Name("Drinks", "Напитки"), "#29335c"),
    ("desserts", Name("Desserts", "Десерты"), "#db2b39"),
];

const MODIFIERS: &[(&str, Name, &str)] = &[
    ("cheese", Name("Extra cheese", "Доп. сыр"), "1.00"),
    ("bacon", Name("Bacon", "Бекон"), "1.50"),
    ("jalapeno", Name("Jalapeños", "Халапеньо"), "0.50"),
    (
        "gf-bun",
        Name("Gluten-free bun", "Булочка без глютена"),
        "1.00",
    ),
    ("onions", Name("Fried onions", "Жареный лук"), "0.50"),
    ("cheese-sauce", Name("Cheese sauce", "Сырный соус"), "0.80"),
    ("shot", Name("Extra shot", "Доп. эспрессо"), "0.50"),
    ("oat", Name("Oat milk", "Овсяное молоко"), "0.40"),
];

const BURGER: &[&str] = &["cheese", "bacon", "jalapeno", "gf-bun"];
const DOG: &[&str] = &["cheese", "jalapeno", "onions"];
const FRIES: &[&str] = &["cheese-sauce"];
const COFFEE: &[&str] = &["shot", "oat"];

/// (id, name, price, tax category, category, unit, modifiers)
const PRODUCTS: &[(&str, Name, &str, &str, &str, Unit, &[&str])] = &[
    (
        "classic-burger",
        Name("Classic Burger", "Классический бургер"),
        "8.50",
        "food",
        "burgers",
        Unit::Piece,
        BURGER,
    ),
    (
        "cheeseburger",
        Name("Cheeseburger", "Чизбургер"),
        "9.00",
        "food",
        "burgers",
        Unit::Piece,
        BURGER,
    ),
    (
        "bacon-burger",
        Name("Bacon Burger", "Бургер с беконом"),
        "10.50",
        "food",
        "burgers",
        Unit::Piece,
        BURGER,
    ),
    (
        "veggie-burger",
        Name("Veggie Burger", "Вегги-бургер"),
        "9.50",
        "food",
        "burgers",
        Unit::Piece,
        &["cheese", "jalapeno", "gf-bun"],
    ),
    (
        "chicken-burger",
        Name("Chicken Burger", "Бургер с курицей"),
        "9.50",
        "food",
        "burgers",
        Unit::Piece,
        BURGER,
    ),
    (
        "double-smash",
        Name("Double Smash", "Двойной смэш"),
        "12.00",
        "food",
        "burgers",
        Unit::Piece,
        BURGER,
    ),
    (
        "hot-dog",
        Name("Hot Dog", "Хот-дог"),
        "5.50",
        "food",
        "hotdogs",
        Unit::Piece,
        DOG,
    ),
    (
        "chili-dog",
        Name("Chili Dog", "Чили-дог"),
        "6.50",
        "food",
        "hotdogs",
        Unit::Piece,
        DOG,
    ),
    (
        "chicken-wrap",
        Name("Chicken Wrap", "Ролл с курицей"),
        "8.00",
        "food",
        "hotdogs",
        Unit::Piece,
        &["cheese", "jalapeno"],
    ),
    (
        "falafel-wrap",
        Name("Falafel Wrap", "Ролл с фалафелем"),
        "7.50",
        "food",
        "hotdogs",
        Unit::Piece,
        &["jalapeno"],
    ),
    (
        "quesadilla",
        Name("Quesadilla", "Кесадилья"),
        "7.00",
        "food",
        "hotdogs",
        Unit::Piece,
        &["cheese", "jalapeno"],
    ),
    (
        "fries",
        Name("Fries", "Картофель фри"),
        "3.50",
        "food",
        "sides",
        Unit::Piece,
        FRIES,
    ),
    (
        "sweet-fries",
        Name("Sweet Potato Fries", "Батат фри"),
        "4.50",
        "food",
        "sides",
        Unit::Piece,
        FRIES,
    ),
    (
        "onion-rings",
        Name("Onion Rings", "Луковые кольца"),
        "4.00",
        "food",
        "sides",
        Unit::Piece,
        FRIES,
    ),
    (
        "coleslaw",
        Name("Coleslaw", "Коул-слоу"),
        "2.50",
        "food",
        "sides",
        Unit::Piece,
        &[],
    ),
    (
        "nachos",
        Name("Nachos", "Начос"),
        "5.00",
        "food",
        "sides",
        Unit::Piece,
        &["cheese", "jalapeno"],
    ),
    (
        "loaded-fries",
        Name("Loaded Fries", "Фри с начинкой"),
        "6.00",
        "food",
        "sides",
        Unit::Piece,
        &["bacon", "jalapeno"],
    ),
    (
        "cola",
        Name("Cola", "Кола"),
        "2.50",
        "drinks-std",
        "drinks",
        Unit::Piece,
        &[],
    ),
    (
        "cola-zero",
        Name("Cola Zero", "Кола Зеро"),
        "2.50",
        "drinks-std",
        "drinks",
        Unit::Piece,
        &[],
    ),
    (
        "lemonade",
        Name("Lemonade", "Лимонад"),
        "3.50",
        "drinks-std",
        "drinks",
        Unit::Piece,
        &[],
    ),
    (
        "iced-tea",
        Name("Iced Tea", "Холодный чай"),
        "3.00",
        "drinks-std",
        "drinks",
        Unit::Piece,
        &[],
    ),
    (
        "water",
        Name("Still Water", "Вода без газа"),
        "2.00",
        "drinks-std",
        "drinks",
        Unit::Piece,
        &[],
    ),
    (
        "espresso",
        Name("Espresso", "Эспрессо"),
        "2.20",
        "drinks-std",
        "drinks",
        Unit::Piece,
        COFFEE,
    ),
    (
        "cappuccino",
        Name("Cappuccino", "Капучино"),
        "3.20",
        "drinks-std",
        "drinks",
        Unit::Piece,
        COFFEE,
    ),
    (
        "latte",
        Name("Latte", "Латте"),
        "3.50",
        "drinks-std",
        "drinks",
        Unit::Piece,
        COFFEE,
    ),
    (
        "brownie",
        Name("Brownie", "Брауни"),
        "3.00",
        "food",
        "desserts",
        Unit::Piece,
        &[],
    ),
    (
        "churros",
        Name("Churros", "Чуррос"),
        "4.00",
        "food",
        "desserts",
        Unit::Piece,
        &[],
    ),
    (
        "ice-cream",
        Name("Ice Cream Cup", "Мороженое в стаканчике"),
        "3.50",
        "food",
        "desserts",
        Unit::Piece,
        &[],
    ),
    (
        "apple-pie",
        Name("Apple Pie", "Яблочный пирог"),
        "3.50",
        "food",
        "desserts",
        Unit::Piece,
        &[],
    ),
    (
        "candied-nuts",
        Name("Candied Nuts (kg)", "Орехи в карамели (кг)"),
        "24.00",
        "food",
        "desserts",
        Unit::Kilogram,
        &[],
    ),
];

/// What the demo menu is priced in.
pub const CURRENCY: Currency = Currency::EUR;

/// The demo store and its menu, named in Russian when `russian`, else in English.
pub fn food_truck(russian: bool) -> (Store, Catalog) {
    let store = Store {
        name: Name("Demo Food Truck", "Демо фудтрак").pick(russian),
        address: Name("Market Square 1", "Рыночная площадь, 1").pick(russian),
        tax_number: "DE000000000".into(),
        rules: PricingRules {
            currency: CURRENCY,
            tax_pricing: TaxPricing::Inclusive,
            tax_rounding: TaxRounding::PerLine,
            cash_increment: Decimal::ZERO,
            cash_rounding: CashRounding::HalfUp,
        },
        receipt_footer: Name(
            "Thank you! Demo receipt, not a fiscal document.",
            "Спасибо! Демо-чек, не фискальный документ.",
        )
        .pick(russian),
        return_policy: Name(
            "Returns within 14 days with this receipt.",
            "Возврат в течение 14 дней по этому чеку.",
        )
        .pick(russian),
        receipt_language: String::new(),
        logo: None,
        receipt_line_vat: false,
        tip_presets: Vec::new(),
        shift_required: false,
        close_shows_expected: false,
        shift_opens_itself: false,
        gift_card_offline_cap: crate::store::DEFAULT_GIFT_CARD_OFFLINE_CAP,
        loyalty: None,
    };
    let tax_categories = vec![
        TaxCategory {
            id: "food".into(),
            name: Name("Food 10 %", "Еда 10 %").pick(russian),
            rate: Decimal::TEN,
            ..TaxCategory::default()
        },
        TaxCategory {
            id: "drinks-std".into(),
            name: Name("Standard 20 %", "Стандарт 20 %").pick(russian),
            rate: Decimal::from(20),
            ..TaxCategory::default()
        },
    ];
    let categories = CATEGORIES
        .iter()
        .enumerate()
        .map(|(position, (id, name, colour))| Category {
            id: id.to_string(),
            name: name.pick(russian),
            colour: colour.to_string(),
            position: position as i64,
        })
        .collect();
    let modifiers = MODIFIERS
        .iter()
        .map(|(id, name, price)| Modifier {
            id: id.to_string(),
            name: name.pick(russian),
            price: price.parse().unwrap(),
        })
        .collect();
    let products = PRODUCTS
        .iter()
        .enumerate()
        .map(
            |(i, (id, name, price, tax, category, unit, modifiers))| Product {
                id: id.to_string(),
                name: name.pick(russian),
                sku: format!("FT-{:03}", i + 1),
                barcodes: vec![crate::catalog::with_check_digit(&format!(
                    "200000000{:03}",
                    i + 1
                ))],
                price: price.parse().unwrap(),
                tax_category: tax.to_string(),
                unit: *unit,
                category: category.to_string(),
                colour: None,
                modifiers: modifiers.iter().map(|m| m.to_string()).collect(),
                ..Product::default()
            },
        )
        .collect();
    (
        store,
        Catalog {
            categories,
            products,
            modifiers,
            tax_categories,
            is_demo: true,
            modifier_groups: Vec::new(),
            currency: Some(CURRENCY),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_menu_is_consistent_in_both_languages() {
        for russian in [false, true] {
            let (_, catalog) = food_truck(russian);
            catalog.validate().unwrap();
            assert_eq!(catalog.products.len(), 30);
            assert!(catalog.is_demo);
            assert!(catalog.categories.len() >= 5);
        }
        let (_, ru) = food_truck(true);
        assert_eq!(ru.product("cola").unwrap().name, "Кола");
    }

    #[test]
    fn ean13_check_digit() {
        assert_eq!(
            crate::catalog::with_check_digit("400638133393"),
            "4006381333931"
        );
        assert_eq!(
            food_truck(false).1.product("cola").unwrap().barcodes[0],
            "2000000000183"
        );
    }
}

/// A paid cash sale of one demo product (the `n`-th of the menu, wrapping), numbered
/// `<device_code>-<sequence>`: the load of the sync tests and benchmarks, sold through the same
/// ticket and payment rules as the register.
pub fn cash_sale(
    store: &Store,
    catalog: &Catalog,
    n: usize,
    id: uuid::Uuid,
    device_code: &str,
    sequence: u64,
    at_ms: i64,
) -> crate::Sale {
    let product = catalog
        .products
        .iter()
        .filter(|p| p.unit == Unit::Piece)
        .nth(
            n % catalog
                .products
                .iter()
                .filter(|p| p.unit == Unit::Piece)
                .count(),
        )
        .expect("the demo menu sells by the piece");
    let tax = catalog
        .tax_category(&product.tax_category)
        .expect("demo products have their tax");
    let mut ticket = crate::Ticket::new(store.rules);
    ticket
        .add(product, tax, &[], Decimal::ONE)
        .expect("a demo product adds");
    let total = ticket.totals().total;
    let mut payment = crate::Payment::new(total, store.rules);
    payment.add_cash(total).expect("exact cash pays");
    let receipt = crate::ReceiptNumber {
        device_code: device_code.to_owned(),
        sequence,
    };
    ticket
        .complete(&payment, id, receipt, at_ms)
        .expect("a paid ticket completes")
}
