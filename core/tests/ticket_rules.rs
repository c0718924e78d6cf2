//! The ticket's refusals found in issue 12: amounts that would make a total negative, lines that
//! must stay apart because their tax or price differ, and numbers too large to add up. Products
//! come from the demo menu and are changed only where a test needs it, so these tests do not
//! depend on how a product is built.

use pos_core::{
    Catalog, Discount, MAX_DISCOUNT_AMOUNT, MAX_QUANTITY, MAX_UNIT_PRICE, Modifier, Product, Store,
    TaxCategoryError, Ticket, TicketError, demo,
};
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

#[test]
fn the_bounds_are_a_million_units_and_a_hundred_billion() {
    assert_eq!(MAX_QUANTITY, Decimal::from(1_000_000));
    assert_eq!(MAX_UNIT_PRICE, Decimal::from(100_000_000_000u64));
    assert_eq!(MAX_DISCOUNT_AMOUNT, MAX_QUANTITY * MAX_UNIT_PRICE);
}

/// 10^26 burgers used to be taken, and working out the total then panicked on an overflow.
#[test]
fn a_quantity_past_the_bound_is_refused() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let p = burger(&catalog, dec!(8.50));
    let mut ticket = Ticket::new(store.rules);
    let huge = Decimal::from_i128_with_scale(10i128.pow(26), 0);
    assert_eq!(
        ticket.add(&p, tax, &[], huge),
        Err(TicketError::QuantityTooLarge)
    );
    assert_eq!(
        ticket.add(&p, tax, &[], MAX_QUANTITY + Decimal::ONE),
        Err(TicketError::QuantityTooLarge)
    );
    let line = ticket.add(&p, tax, &[], MAX_QUANTITY).unwrap();
    assert_eq!(ticket.increment(line), Err(TicketError::QuantityTooLarge));
    assert_eq!(
        ticket.add(&p, tax, &[], Decimal::ONE),
        Err(TicketError::QuantityTooLarge),
        "one more on the full line is refused, not put on a second line"
    );
    assert_eq!(
        ticket.set_quantity(line, huge),
        Err(TicketError::QuantityTooLarge)
    );
    assert_eq!(ticket.totals().total, dec!(8500000.00));
    assert!(
        TicketError::QuantityTooLarge
            .to_string()
            .contains("1000000")
    );
}

#[test]
fn a_price_past_the_bound_is_refused() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let mut ticket = Ticket::new(store.rules);
    let dear = burger(&catalog, Decimal::from_i128_with_scale(10i128.pow(27), 0));
    assert_eq!(
        ticket.add(&dear, tax, &[], Decimal::ONE),
        Err(TicketError::PriceTooHigh)
    );
    // The bound is on one unit with its modifiers.
    let p = burger(&catalog, MAX_UNIT_PRICE);
    let cheese = modifier(&catalog, "cheese", dec!(0.01));
    assert_eq!(
        ticket.add(&p, tax, std::slice::from_ref(&cheese), Decimal::ONE),
        Err(TicketError::PriceTooHigh)
    );
    let line = ticket.add(&p, tax, &[], MAX_QUANTITY).unwrap();
    assert_eq!(
        ticket.toggle_modifier(line, &cheese, &p.modifiers),
        Err(TicketError::PriceTooHigh)
    );
    // The most one line can come to still adds up, with a discount spread over it.
    ticket
        .set_order_discount(Some(Discount::Amount(dec!(0.03))))
        .unwrap();
    let other = burger(&catalog, MAX_UNIT_PRICE);
    let mut other = other;
    other.id = "another-burger".into();
    ticket.add(&other, tax, &[], MAX_QUANTITY).unwrap();
    let totals = ticket.totals();
    assert_eq!(totals.total, dec!(200000000000000000.00) - dec!(0.03));
}

/// Before, a price of 10^10 times 10^20 pieces overflowed when the total was worked out.
#[test]
fn a_quantity_times_price_that_would_overflow_is_refused() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let p = burger(&catalog, Decimal::from(10_000_000_000u64));
    let mut ticket = Ticket::new(store.rules);
    let many = Decimal::from_i128_with_scale(10i128.pow(20), 0);
    assert!(ticket.add(&p, tax, &[], many).is_err());
    assert!(ticket.is_empty());
}

#[test]
fn a_fixed_discount_past_the_bound_is_refused() {
    let (store, _) = menu();
    let mut ticket = Ticket::new(store.rules);
    assert_eq!(
        ticket.set_order_discount(Some(Discount::Amount(Decimal::MAX))),
        Err(TicketError::DiscountTooLarge)
    );
    assert_eq!(
        ticket.set_order_discount(Some(Discount::Amount(MAX_DISCOUNT_AMOUNT))),
        Ok(())
    );
}

/// An inclusive price at -100 % divided by zero.
#[test]
fn a_tax_rate_outside_0_to_100_is_refused() {
    let (store, catalog) = menu();
    let mut tax = catalog.tax_category("food").unwrap().clone();
    let p = burger(&catalog, dec!(8.50));
    let mut ticket = Ticket::new(store.rules);
    for rate in [dec!(-100), dec!(-1), dec!(100.01), Decimal::MAX] {
        tax.rate = rate;
        assert_eq!(
            ticket.add(&p, &tax, &[], Decimal::ONE),
            Err(TicketError::InvalidTax(TaxCategoryError::RateOutOfRange))
        );
    }
    assert!(ticket.is_empty());
}

/// A ticket stored by a version without the bounds is read back as it was; `check` tells the
/// caller it cannot be added up before `totals` would overflow on it.
#[test]
fn a_stored_ticket_past_the_bounds_fails_its_check() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let mut ticket = Ticket::new(store.rules);
    ticket
        .add(&burger(&catalog, dec!(8.50)), tax, &[], Decimal::ONE)
        .unwrap();
    assert_eq!(ticket.check(), Ok(()));
    let mut json = serde_json::to_value(&ticket).unwrap();
    json["lines"][0]["quantity"] = "100000000000000000000000000".into();
    let stored: Ticket = serde_json::from_value(json).unwrap();
    assert_eq!(stored.check(), Err(TicketError::QuantityTooLarge));
}

#[test]
fn a_price_changed_at_the_till_sells_at_that_price_and_keeps_the_shelf_price() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let p = burger(&catalog, dec!(5.00));
    let mut ticket = Ticket::new(store.rules);
    let line = ticket.add(&p, tax, &[], dec!(2)).unwrap();
    ticket.set_unit_price(line, dec!(4.20)).unwrap();
    assert_eq!(ticket.totals().total, dec!(8.40));
    let sold = ticket.line(line).unwrap();
    assert_eq!((sold.unit_price, sold.shelf_price), (dec!(4.20), Some(dec!(5.00))));
    // Changed again, the shelf price is still the product's, not the first override.
    ticket.set_unit_price(line, dec!(3.00)).unwrap();
    assert_eq!(ticket.line(line).unwrap().shelf_price, Some(dec!(5.00)));
    // The same product added again is a line of its own at the product's price.
    let other = ticket.add(&p, tax, &[], Decimal::ONE).unwrap();
    assert_ne!(other, line);
    assert_eq!(ticket.totals().total, dec!(11.00));
    // Back at the shelf price, nothing is overridden any more.
    ticket.set_unit_price(line, dec!(5.00)).unwrap();
    assert_eq!(ticket.line(line).unwrap().shelf_price, None);
}

#[test]
fn a_price_typed_at_the_till_is_refused_when_negative_too_fine_or_too_high() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let p = burger(&catalog, dec!(5.00));
    let mut ticket = Ticket::new(store.rules);
    let line = ticket.add(&p, tax, &[], Decimal::ONE).unwrap();
    assert_eq!(ticket.set_unit_price(line, dec!(-1)), Err(TicketError::NegativePrice));
    assert_eq!(ticket.set_unit_price(line, dec!(4.999)), Err(TicketError::PriceTooFine));
    assert_eq!(
        ticket.set_unit_price(line, MAX_UNIT_PRICE + Decimal::ONE),
        Err(TicketError::PriceTooHigh)
    );
    assert_eq!(ticket.set_unit_price(99, dec!(1)), Err(TicketError::NoSuchLine(99)));
    assert_eq!(ticket.totals().total, dec!(5.00));
    assert_eq!(ticket.line(line).unwrap().shelf_price, None);
}

#[test]
fn a_line_sold_at_its_shelf_price_is_stored_as_before() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let mut ticket = Ticket::new(store.rules);
    let line = ticket.add(&burger(&catalog, dec!(5.00)), tax, &[], Decimal::ONE).unwrap();
    let json = serde_json::to_string(ticket.line(line).unwrap()).unwrap();
    assert!(!json.contains("shelf_price"), "{json}");
}

#[test]
fn the_kitchen_gets_each_quantity_once_and_taking_back_what_it_has_is_counted() {
    let (store, catalog) = menu();
    let tax = catalog.tax_category("food").unwrap();
    let p = burger(&catalog, dec!(5.00));
    let mut ticket = Ticket::new(store.rules);
    let line = ticket.add(&p, tax, &[], dec!(2)).unwrap();
    assert!(ticket.has_unsent());
    let order = ticket.send();
    assert_eq!(order.iter().map(|l| (l.id, l.quantity)).collect::<Vec<_>>(), [(line, dec!(2))]);
    assert!(!ticket.has_unsent());
    assert!(ticket.send().is_empty(), "nothing goes twice");
    // One more: only that one goes next time.
    ticket.increment(line).unwrap();
    assert_eq!(ticket.send().iter().map(|l| l.quantity).collect::<Vec<_>>(), [dec!(1)]);
    // Three sent; one fewer leaves two sent, and setting more sends nothing by itself.
    ticket.decrement(line).unwrap();
    assert_eq!(ticket.line(line).unwrap().sent, dec!(2));
    ticket.set_quantity(line, dec!(4)).unwrap();
    assert_eq!(ticket.line(line).unwrap().sent, dec!(2));
    ticket.set_quantity(line, dec!(2)).unwrap();
    // The money is the same whether sent or not, and a line never sent is stored as before.
    assert_eq!(ticket.totals().total, dec!(10.00));
    let fresh = ticket.add(&burger(&catalog, dec!(4.00)), tax, &[], Decimal::ONE).unwrap();
    let json = serde_json::to_string(ticket.line(fresh).unwrap()).unwrap();
    assert!(!json.contains("sent"), "{json}");
}
