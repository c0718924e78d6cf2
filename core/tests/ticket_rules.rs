//! The ticket's refusals found in issue 12: amounts that would make a total negative, lines that
//! must stay apart because their tax or price differ, and numbers too large to add up. Products
//! come from the demo menu and are changed only where a test needs it, so these tests do not
//! depend on how a product is built.

use pos_core::{Catalog, Modifier, Product, Store, Ticket, TicketError, demo};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn menu() -> (Store, Catalog) {
    demo::food_truck(false)
}

/// The demo burger at `price`, offering the demo's burger modifiers.
fn burger(catalog: &Catalog, price: Decimal) -> Product {
    let mut p = catalog.product("classic-burger").unwrap().clone();
    p.price = price;
    p
}

fn modifier(catalog: &Catalog, id: &str, price: Decimal) -> Modifier {
    let mut m = catalog.modifier(id).unwrap().clone();
    m.price = price;
    m
}

#[test]
fn a_negative_modifier_is_refused_when_the_line_is_added() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let p = burger(&catalog, dec!(5.00));
    let minus = modifier(&catalog, "cheese", dec!(-10.50));
    let mut ticket = Ticket::new(store.rules);
    assert_eq!(
        ticket.add(&p, tax, &[minus], Decimal::ONE),
        Err(TicketError::NegativePrice)
    );
    assert!(ticket.is_empty());
}

#[test]
fn a_negative_modifier_is_refused_when_toggled_on() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let p = burger(&catalog, dec!(5.00));
    let minus = modifier(&catalog, "cheese", dec!(-10.50));
    let mut ticket = Ticket::new(store.rules);
    let line = ticket.add(&p, tax, &[], Decimal::ONE).unwrap();
    assert_eq!(
        ticket.toggle_modifier(line, &minus, &p.modifiers),
        Err(TicketError::NegativePrice)
    );
    // Before the fix the customer got 5.50 back from a 5.00 burger.
    assert_eq!(ticket.totals().total, dec!(5.00));
}

#[test]
fn a_product_with_a_negative_price_is_refused() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let p = burger(&catalog, dec!(-1.00));
    let mut ticket = Ticket::new(store.rules);
    assert_eq!(
        ticket.add(&p, tax, &[], Decimal::ONE),
        Err(TicketError::NegativePrice)
    );
    // A free item is fine.
    let free = burger(&catalog, dec!(0.00));
    assert!(ticket.add(&free, tax, &[], Decimal::ONE).is_ok());
}

/// The same product added before and after its category's rate changed (the ticket stayed open
/// across midnight on 1 January) stays on two lines, each with its own rate.
#[test]
fn a_product_at_a_new_tax_rate_gets_its_own_line() {
    let (store, catalog) = menu();
    let before = catalog.tax_category("food").unwrap().clone();
    let mut after = before.clone();
    after.rate = dec!(12);
    let p = burger(&catalog, dec!(11.20));
    let mut ticket = Ticket::new(store.rules);
    let a = ticket.add(&p, &before, &[], Decimal::ONE).unwrap();
    let b = ticket.add(&p, &after, &[], Decimal::ONE).unwrap();
    assert_ne!(a, b, "a line keeps the rate it was added at");
    let totals = ticket.totals();
    let rows: Vec<_> = totals
        .taxes
        .iter()
        .map(|t| (t.category.rate, t.tax))
        .collect();
    // 11.20 x 10/110 = 1.02; 11.20 x 12/112 = 1.20
    assert_eq!(rows, vec![(dec!(10), dec!(1.02)), (dec!(12), dec!(1.20))]);
    // Added again at the new rate, it joins the line that has that rate.
    assert_eq!(ticket.add(&p, &after, &[], Decimal::ONE), Ok(b));
}

#[test]
fn a_product_at_a_new_price_or_modifier_price_gets_its_own_line() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let mut ticket = Ticket::new(store.rules);
    let a = ticket
        .add(&burger(&catalog, dec!(8.50)), tax, &[], Decimal::ONE)
        .unwrap();
    let b = ticket
        .add(&burger(&catalog, dec!(9.00)), tax, &[], Decimal::ONE)
        .unwrap();
    assert_ne!(a, b);
    let p = burger(&catalog, dec!(8.50));
    let cheese = modifier(&catalog, "cheese", dec!(1.00));
    let dearer = modifier(&catalog, "cheese", dec!(1.20));
    let c = ticket.add(&p, tax, &[cheese], Decimal::ONE).unwrap();
    let d = ticket.add(&p, tax, &[dearer], Decimal::ONE).unwrap();
    assert_ne!(c, d, "a modifier keeps the price it was added at");
    assert_eq!(ticket.totals().total, dec!(36.70));
}
