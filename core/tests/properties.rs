//! Properties that hold for any ticket, any sequence of edits and any sequence of tenders.

use pos_core::{
    CardApproval, CashRounding, CompleteError, Currency, Discount, Modifier, Payment, PricingRules,
    Product, ReceiptNumber, TaxCategory, TaxPricing, TaxRounding, Ticket, Unit,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn cents(max: i64) -> impl Strategy<Value = Decimal> {
    (0..=max).prop_map(|c| Decimal::new(c, 2))
}

fn rules() -> impl Strategy<Value = PricingRules> {
    (
        prop_oneof![Just(TaxPricing::Inclusive), Just(TaxPricing::Exclusive)],
        prop_oneof![Just(TaxRounding::PerLine), Just(TaxRounding::PerReceipt)],
        prop_oneof![
            Just(Decimal::ZERO),
            Just(Decimal::new(5, 2)),
            Just(Decimal::new(10, 2)),
            Just(Decimal::ONE)
        ],
        prop_oneof![
            Just(CashRounding::HalfUp),
            Just(CashRounding::CustomersFavour)
        ],
    )
        .prop_map(
            |(tax_pricing, tax_rounding, cash_increment, cash_rounding)| PricingRules {
                currency: Currency::EUR,
                tax_pricing,
                tax_rounding,
                cash_increment,
                cash_rounding,
            },
        )
}

fn discount() -> impl Strategy<Value = Option<Discount>> {
    prop_oneof![
        Just(None),
        (0..=100i64).prop_map(|p| Some(Discount::Percent(Decimal::from(p)))),
        cents(3000).prop_map(|a| Some(Discount::Amount(a))),
    ]
}

#[derive(Clone, Debug)]
enum Edit {
    Add { product: usize, quantity: u8 },
    Increment(usize),
    Decrement(usize),
    Remove(usize),
    LineDiscount(usize, Option<Discount>),
    OrderDiscount(Option<Discount>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        4 => (0..6usize, 1..5u8).prop_map(|(product, quantity)| Edit::Add { product, quantity }),
        1 => (0..8usize).prop_map(Edit::Increment),
        1 => (0..8usize).prop_map(Edit::Decrement),
        1 => (0..8usize).prop_map(Edit::Remove),
        1 => (0..8usize, discount()).prop_map(|(l, d)| Edit::LineDiscount(l, d)),
        1 => discount().prop_map(Edit::OrderDiscount),
    ]
}

const RATES: [i64; 4] = [0, 7, 10, 22];

fn catalog(prices: &[Decimal]) -> Vec<(Product, TaxCategory)> {
    prices
        .iter()
        .enumerate()
        .map(|(i, price)| {
            let rate = Decimal::from(RATES[i % RATES.len()]);
            let tax = TaxCategory {
                id: format!("r{rate}"),
                name: format!("{rate} %"),
                rate,
                ..TaxCategory::default()
            };
            let product = Product {
                id: format!("p{i}"),
                name: format!("Product {i}"),
                sku: format!("P{i}"),
                barcodes: vec![],
                price: *price,
                tax_category: tax.id.clone(),
                unit: Unit::Piece,
                category: "c".into(),
                colour: None,
                modifiers: vec![],
                ..Product::default()
            };
            (product, tax)
        })
        .collect()
}

fn apply(ticket: &mut Ticket, products: &[(Product, TaxCategory)], edit: &Edit) {
    let line_id = |ticket: &Ticket, i: usize| {
        ticket
            .lines()
            .get(i % ticket.lines().len().max(1))
            .map(|l| l.id)
    };
    match edit {
        Edit::Add { product, quantity } => {
            let (p, t) = &products[product % products.len()];
            ticket.add(p, t, &[], Decimal::from(*quantity)).unwrap();
        }
        Edit::Increment(i) => {
            if let Some(id) = line_id(ticket, *i) {
                ticket.increment(id).unwrap()
            }
        }
        Edit::Decrement(i) => {
            if let Some(id) = line_id(ticket, *i) {
                ticket.decrement(id).unwrap()
            }
        }
        Edit::Remove(i) => {
            if let Some(id) = line_id(ticket, *i) {
                ticket.remove(id).unwrap()
            }
        }
        Edit::LineDiscount(i, d) => {
            if let Some(id) = line_id(ticket, *i) {
                ticket.set_line_discount(id, *d).unwrap()
            }
        }
        Edit::OrderDiscount(d) => ticket.set_order_discount(*d).unwrap(),
    }
}

/// Builds a new ticket holding the same lines in one go, with no edit history. Each line gets its
/// own copy of the product so that lines the history kept apart are not merged.
fn rebuilt(ticket: &Ticket, products: &[(Product, TaxCategory)]) -> Ticket {
    let mut fresh = Ticket::new(*ticket.rules());
    for (k, line) in ticket.lines().iter().enumerate() {
        let (p, t) = products
            .iter()
            .find(|(p, _)| p.id == line.product_id)
            .unwrap();
        let p = Product {
            id: format!("{}#{k}", p.id),
            ..p.clone()
        };
        let id = fresh.add(&p, t, &[], line.quantity).unwrap();
        fresh.set_line_discount(id, line.discount).unwrap();
    }
    fresh.set_order_discount(ticket.order_discount()).unwrap();
    fresh
}

proptest! {
    #[test]
    fn totals_are_consistent_after_any_edits(
        rules in rules(),
        prices in prop::collection::vec(cents(5000), 1..6),
        edits in prop::collection::vec(edit(), 0..40),
    ) {
        let products = catalog(&prices);
        let mut ticket = Ticket::new(rules);
        for e in &edits {
            apply(&mut ticket, &products, e);
        }
        let totals = ticket.totals();
        let unit = Decimal::new(1, Currency::EUR.minor_unit());

        // totals equal a fresh computation from the final lines
        prop_assert_eq!(&totals, &rebuilt(&ticket, &products).totals().clone_with_ids_of(&totals));

        // the tax breakdown sums to the tax total, and so do the lines
        prop_assert_eq!(totals.taxes.iter().map(|b| b.tax).sum::<Decimal>(), totals.tax);
        prop_assert_eq!(totals.lines.iter().map(|l| l.tax).sum::<Decimal>(), totals.tax);
        for b in &totals.taxes {
            prop_assert_eq!(b.net + b.tax, b.gross);
        }

        // discounts come off the subtotal, and never take a line below zero
        let amounts: Decimal = totals.lines.iter().map(|l| l.amount).sum();
        prop_assert_eq!(amounts, totals.subtotal - totals.line_discounts - totals.order_discount);
        for l in &totals.lines {
            prop_assert!(l.amount >= Decimal::ZERO);
            prop_assert_eq!(l.gross - l.line_discount - l.order_discount_share, l.amount);
        }
        let expected_total = match rules.tax_pricing {
            TaxPricing::Inclusive => amounts,
            TaxPricing::Exclusive => amounts + totals.tax,
        };
        prop_assert_eq!(totals.total, expected_total);

        // each rate's tax is within rounding of the exact tax on its amount
        for b in &totals.taxes {
            let rate = b.category.rate;
            let base = match rules.tax_pricing { TaxPricing::Inclusive => b.gross, TaxPricing::Exclusive => b.net };
            let exact = match rules.tax_pricing {
                TaxPricing::Inclusive => base * rate / (Decimal::ONE_HUNDRED + rate),
                TaxPricing::Exclusive => base * rate / Decimal::ONE_HUNDRED,
            };
            let lines_at_rate = totals.lines.iter().zip(ticket.lines()).filter(|(_, l)| l.tax.same_rate_as(&b.category)).count();
            let slack = match rules.tax_rounding { TaxRounding::PerLine => Decimal::from(lines_at_rate as u32), TaxRounding::PerReceipt => Decimal::ONE } * unit / Decimal::TWO;
            prop_assert!((b.tax - exact).abs() <= slack, "tax {} vs exact {}", b.tax, exact);
        }
    }

    #[test]
    fn tenders_never_lose_or_invent_money(
        rules in rules(),
        due in cents(20000),
        tenders in prop::collection::vec((any::<bool>(), cents(30000)), 0..6),
    ) {
        let mut payment = Payment::new(due, rules);
        for (is_cash, amount) in tenders {
            let before = payment.tendered_total();
            let remaining = payment.remaining();
            let result = if is_cash { payment.add_cash(amount) } else { payment.add_card(amount, CardApproval::default()) };
            if !is_cash && amount > remaining {
                prop_assert!(result.is_err(), "a card cannot take more than is left");
            }
            if result.is_err() {
                prop_assert_eq!(payment.tendered_total(), before, "a refused tender changes nothing");
            }
            prop_assert!(payment.change() >= Decimal::ZERO);
        }
        if payment.is_paid() {
            prop_assert_eq!(payment.tendered_total() - payment.change(), due + payment.cash_rounding());
            let step = rules.cash_increment.max(Decimal::ZERO);
            match rules.cash_rounding {
                CashRounding::HalfUp => prop_assert!(payment.cash_rounding().abs() * Decimal::TWO <= step),
                CashRounding::CustomersFavour => prop_assert!(
                    payment.cash_rounding() <= Decimal::ZERO
                        && (payment.cash_rounding().is_zero() || -payment.cash_rounding() < step),
                    "rounding {} on a step of {}", payment.cash_rounding(), step
                ),
            }
            prop_assert_eq!(payment.remaining(), Decimal::ZERO);
        } else {
            prop_assert!(payment.remaining() > Decimal::ZERO);
            prop_assert_eq!(payment.change(), Decimal::ZERO);
        }
    }

    /// In the customer's favour a cash total is never rounded up: after any card, the cash due
    /// is at most what is left (by less than one cash step), and whatever cash settles it, the
    /// customer has paid at most the total.
    #[test]
    fn cash_in_the_customers_favour_is_never_rounded_up(
        rules in rules(),
        due in cents(20000),
        card in cents(20000),
        extra in cents(5000),
    ) {
        let rules = PricingRules { cash_rounding: CashRounding::CustomersFavour, ..rules };
        let mut payment = Payment::new(due, rules);
        let card = card.min(payment.remaining());
        if card > Decimal::ZERO {
            payment.add_card(card, CardApproval::default()).unwrap();
        }
        if !payment.is_paid() {
            let (cash_due, remaining) = (payment.cash_due(), payment.remaining());
            prop_assert!(cash_due <= remaining, "cash due {} of {}", cash_due, remaining);
            if rules.cash_increment > Decimal::ZERO {
                prop_assert!(remaining - cash_due < rules.cash_increment);
            } else {
                prop_assert_eq!(cash_due, remaining);
            }
            payment.add_cash(cash_due + extra).unwrap();
        }
        prop_assert!(payment.is_paid());
        prop_assert!(payment.cash_rounding() <= Decimal::ZERO, "rounded up by {}", payment.cash_rounding());
        prop_assert!(payment.tendered_total() - payment.change() <= due);
    }

    #[test]
    fn a_ticket_completes_only_when_fully_tendered(
        rules in rules(),
        prices in prop::collection::vec(cents(5000), 1..4),
        cash in cents(30000),
    ) {
        let products = catalog(&prices);
        let mut ticket = Ticket::new(rules);
        for (p, t) in &products {
            ticket.add(p, t, &[], Decimal::ONE).unwrap();
        }
        let total = ticket.totals().total;
        let mut payment = Payment::new(total, rules);
        let _ = payment.add_cash(cash);
        let receipt = ReceiptNumber { device_code: "T".into(), sequence: 1 };
        match ticket.complete(&payment, pos_core::Uuid::nil(), receipt, 0) {
            Ok(sale) => {
                prop_assert!(cash >= payment.cash_due() || payment.is_paid());
                prop_assert_eq!(sale.amount_paid(), total + sale.cash_rounding());
                prop_assert!(sale.change() >= Decimal::ZERO);
            }
            Err(CompleteError::UnderTendered { remaining }) => prop_assert!(remaining > Decimal::ZERO && !payment.is_paid()),
            Err(e) => prop_assert!(false, "unexpected {e}"),
        }
    }
}

fn any_currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::EUR),
        Just(Currency::from_code("JPY").unwrap()),
        Just(Currency::from_code("KWD").unwrap()),
    ]
}

proptest! {
    /// Any total, even one finer than the minor unit, is split into parts that add up to it
    /// exactly; every part but the one with the largest share is whole minor units, and each is
    /// within one minor unit (plus that fraction) of its exact share.
    #[test]
    fn allocation_always_ends_and_adds_up(
        currency in any_currency(),
        units in -1_000_000_000i64..1_000_000_000,
        scale in 0u32..8,
        weights in prop::collection::vec((0i64..100_000, 0u32..4), 1..8),
    ) {
        let total = Decimal::new(units, scale);
        let weights: Vec<Decimal> = weights.into_iter().map(|(w, s)| Decimal::new(w, s)).collect();
        let parts = pos_core::allocate(total, &weights, currency);
        prop_assert_eq!(parts.len(), weights.len());
        prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), total);
        let sum: Decimal = weights.iter().copied().sum();
        let unit = Decimal::new(1, currency.minor_unit());
        let off_unit = parts.iter().filter(|p| currency.round(**p) != **p).count();
        prop_assert!(off_unit <= 1, "only one part carries the fraction: {:?}", parts);
        if !sum.is_zero() {
            for (p, w) in parts.iter().zip(&weights) {
                let exact = total * *w / sum;
                prop_assert!((*p - exact).abs() < unit * Decimal::TWO, "{} vs {}", p, exact);
            }
        }
    }
}

/// Any decimal: huge, tiny, negative, with up to 28 decimals, and the bounds' neighbours.
fn any_decimal() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        (
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
            any::<bool>(),
            0u32..=28
        )
            .prop_map(|(lo, mid, hi, neg, scale)| Decimal::from_parts(lo, mid, hi, neg, scale)),
        (0u64..10_000_000_000_000, 0u32..=6).prop_map(|(n, scale)| Decimal::new(n as i64, scale)),
        prop::sample::select(vec![
            Decimal::ZERO,
            Decimal::ONE,
            Decimal::MAX,
            Decimal::MIN,
            pos_core::MAX_QUANTITY,
            pos_core::MAX_QUANTITY + Decimal::ONE,
            pos_core::MAX_UNIT_PRICE,
            pos_core::MAX_UNIT_PRICE + Decimal::new(1, 2),
            pos_core::MAX_DISCOUNT_AMOUNT,
            Decimal::from_i128_with_scale(10i128.pow(26), 0),
            Decimal::new(-100, 0),
        ]),
    ]
}

#[derive(Clone, Debug)]
enum WildEdit {
    Add {
        price: Decimal,
        quantity: Decimal,
        modifier: Option<Decimal>,
        rate: Decimal,
        weighed: bool,
    },
    SetQuantity(usize, Decimal),
    Increment(usize),
    ToggleModifier(usize, Decimal),
    LineDiscount(usize, Discount),
    OrderDiscount(Discount),
}

fn any_discount() -> impl Strategy<Value = Discount> {
    prop_oneof![
        any_decimal().prop_map(Discount::Percent),
        any_decimal().prop_map(Discount::Amount)
    ]
}

fn wild_edit() -> impl Strategy<Value = WildEdit> {
    prop_oneof![
        3 => (any_decimal(), any_decimal(), prop::option::of(any_decimal()), prop_oneof![Just(Decimal::from(22)), any_decimal()], any::<bool>())
            .prop_map(|(price, quantity, modifier, rate, weighed)| WildEdit::Add { price, quantity, modifier, rate, weighed }),
        1 => (0..4usize, any_decimal()).prop_map(|(i, q)| WildEdit::SetQuantity(i, q)),
        1 => (0..4usize).prop_map(WildEdit::Increment),
        1 => (0..4usize, any_decimal()).prop_map(|(i, p)| WildEdit::ToggleModifier(i, p)),
        1 => (0..4usize, any_discount()).prop_map(|(i, d)| WildEdit::LineDiscount(i, d)),
        1 => any_discount().prop_map(WildEdit::OrderDiscount),
    ]
}

fn wild_product(n: usize, price: Decimal, rate: Decimal, weighed: bool) -> (Product, TaxCategory) {
    let tax = TaxCategory {
        id: "t".into(),
        name: "t".into(),
        rate,
        ..TaxCategory::default()
    };
    let product = Product {
        id: format!("p{n}"),
        name: "p".into(),
        sku: "P".into(),
        barcodes: vec![],
        price,
        tax_category: tax.id.clone(),
        unit: if weighed { Unit::Kilogram } else { Unit::Piece },
        category: "c".into(),
        colour: None,
        modifiers: vec!["m".into()],
        ..Product::default()
    };
    (product, tax)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Whatever quantity, price, modifier, rate or discount a cashier or a bad catalog gives the
    /// ticket, it is refused with an error or the ticket adds up; it never panics, and what it
    /// took stays within the bounds.
    #[test]
    fn any_number_is_refused_or_adds_up(
        rules in rules(),
        edits in prop::collection::vec(wild_edit(), 1..8),
    ) {
        let mut ticket = Ticket::new(rules);
        let line = |t: &Ticket, i: usize| t.lines().get(i % t.lines().len().max(1)).map(|l| l.id);
        for (n, e) in edits.iter().enumerate() {
            let _ = match e {
                WildEdit::Add { price, quantity, modifier, rate, weighed } => {
                    let (p, t) = wild_product(n % 2, *price, *rate, *weighed);
                    let m: Vec<Modifier> = modifier.iter().map(|price| Modifier { id: "m".into(), name: "m".into(), price: *price }).collect();
                    ticket.add(&p, &t, &m, *quantity).map(|_| ())
                }
                WildEdit::SetQuantity(i, q) => match line(&ticket, *i) { Some(id) => ticket.set_quantity(id, *q), None => Ok(()) },
                WildEdit::Increment(i) => match line(&ticket, *i) { Some(id) => ticket.increment(id), None => Ok(()) },
                WildEdit::ToggleModifier(i, price) => match line(&ticket, *i) {
                    Some(id) => ticket.toggle_modifier(id, &Modifier { id: "m".into(), name: "m".into(), price: *price }, &["m".into()]),
                    None => Ok(()),
                },
                WildEdit::LineDiscount(i, d) => match line(&ticket, *i) { Some(id) => ticket.set_line_discount(id, Some(*d)), None => Ok(()) },
                WildEdit::OrderDiscount(d) => ticket.set_order_discount(Some(*d)),
            };
            prop_assert_eq!(ticket.check(), Ok(()));
            let totals = ticket.totals();
            prop_assert!(totals.total >= Decimal::ZERO);
            prop_assert!(totals.tax >= Decimal::ZERO);
            for l in ticket.lines() {
                prop_assert!(l.quantity > Decimal::ZERO && l.quantity <= pos_core::MAX_QUANTITY);
                prop_assert!(l.unit_price_with_modifiers() >= Decimal::ZERO);
                prop_assert!(l.unit_price_with_modifiers() <= pos_core::MAX_UNIT_PRICE);
            }
        }
    }
}

/// Line ids depend on the edit history; everything else must match.
trait CloneWithIds {
    fn clone_with_ids_of(&self, other: &pos_core::Totals) -> pos_core::Totals;
}

impl CloneWithIds for pos_core::Totals {
    fn clone_with_ids_of(&self, other: &pos_core::Totals) -> pos_core::Totals {
        let mut t = self.clone();
        for (l, o) in t.lines.iter_mut().zip(&other.lines) {
            l.line_id = o.line_id;
        }
        t
    }
}

// ---- variants and modifier groups ----

/// A modifier group as generated: which of the menu's modifiers it offers and its rule, which the
/// catalog may refuse (such a group is left out).
#[derive(Clone, Debug)]
struct GroupSpec {
    modifiers: Vec<usize>,
    min: u32,
    max: Option<u32>,
}

/// A random product of the demo menu given random variants, loose modifiers and groups, with the
/// menu's modifiers at random prices, and a random choice, mostly among what the product offers.
#[derive(Clone, Debug)]
struct ChoiceCase {
    product: prop::sample::Index,
    variant_prices: Vec<Decimal>,
    modifier_prices: Vec<Decimal>,
    loose: Vec<usize>,
    groups: Vec<GroupSpec>,
    variant: VariantPick,
    chosen: Vec<usize>,
    only_offered: bool,
}

/// Which variant the cashier picks.
#[derive(Clone, Debug)]
enum VariantPick {
    None,
    /// One of the product's, if it has any (else none).
    Its(prop::sample::Index),
    /// An id the product does not have.
    Unknown,
}

const DEMO_MODIFIERS: usize = 8;

fn choice_case() -> impl Strategy<Value = ChoiceCase> {
    let indices = || prop::sample::subsequence((0..DEMO_MODIFIERS).collect::<Vec<_>>(), 0..=4);
    let group = (
        prop::sample::subsequence((0..DEMO_MODIFIERS).collect::<Vec<_>>(), 1..=4),
        0..=2u32,
        prop::option::weighted(0.7, 0..=3u32),
    )
        .prop_map(|(modifiers, min, max)| GroupSpec {
            modifiers,
            min,
            max,
        });
    (
        any::<prop::sample::Index>(),
        prop::collection::vec(
            cents(100_000).prop_filter("a variant has a price", |p| !p.is_zero()),
            0..4,
        ),
        prop::collection::vec(cents(500), DEMO_MODIFIERS),
        indices(),
        prop::collection::vec(group, 0..3),
        prop_oneof![
            1 => Just(VariantPick::None),
            8 => any::<prop::sample::Index>().prop_map(VariantPick::Its),
            1 => Just(VariantPick::Unknown),
        ],
        prop::sample::subsequence((0..DEMO_MODIFIERS + 1).collect::<Vec<_>>(), 0..=6),
        prop::bool::weighted(0.8),
    )
        .prop_map(
            |(
                product,
                variant_prices,
                modifier_prices,
                loose,
                groups,
                variant,
                chosen,
                only_offered,
            )| {
                ChoiceCase {
                    product,
                    variant_prices,
                    modifier_prices,
                    loose,
                    groups,
                    variant,
                    chosen,
                    only_offered,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Whatever variant and modifiers are chosen, the product sells at its variant's price (or its
    /// own) plus the chosen modifiers' prices, or the choice is refused with the rule it breaks;
    /// it is refused exactly when it breaks one.
    #[test]
    fn a_choice_sells_at_its_prices_or_says_which_rule_it_breaks(case in choice_case()) {
        use pos_core::{CatalogEdit, ChoiceError, ModifierGroup, Variant, demo};

        let (store, mut catalog) = demo::food_truck(false);
        let ids: Vec<String> = catalog.modifiers.iter().map(|m| m.id.clone()).collect();
        prop_assert_eq!(ids.len(), DEMO_MODIFIERS);
        for (m, price) in catalog.modifiers.clone().iter().zip(&case.modifier_prices) {
            let priced = Modifier { price: *price, ..m.clone() };
            catalog.apply(&CatalogEdit::PutModifier(priced)).unwrap();
        }
        let mut groups = Vec::new();
        for (i, spec) in case.groups.iter().enumerate() {
            let group = ModifierGroup {
                id: format!("g{i}"),
                name: format!("Group {i}"),
                modifiers: spec.modifiers.iter().map(|m| ids[*m].clone()).collect(),
                min: spec.min,
                max: spec.max,
            };
            // The catalog refuses a rule no choice can meet (min above max or above what is
            // offered); only the groups it keeps are offered.
            if catalog.apply(&CatalogEdit::PutModifierGroup(group.clone())).is_ok() {
                groups.push(group);
            }
        }
        let mut product = case.product.get(&catalog.products).clone();
        product.open_price = false;
        product.modifiers = case.loose.iter().map(|m| ids[*m].clone()).collect();
        product.modifier_groups = groups.iter().map(|g| g.id.clone()).collect();
        product.variants = case
            .variant_prices
            .iter()
            .enumerate()
            .map(|(i, price)| Variant {
                id: format!("v{i}"),
                name: format!("Size {i}"),
                price: *price,
                sku: String::new(),
                barcodes: vec![],
            })
            .collect();
        catalog.apply(&CatalogEdit::PutProduct(product.clone())).unwrap();

        let offered: Vec<String> = product
            .modifiers
            .iter()
            .chain(groups.iter().flat_map(|g| &g.modifiers))
            .cloned()
            .collect();
        let chosen: Vec<String> = case
            .chosen
            .iter()
            .map(|m| ids.get(*m).cloned().unwrap_or_else(|| "nope".into()))
            .filter(|m| !case.only_offered || offered.contains(m))
            .collect();
        let variant_id = match &case.variant {
            VariantPick::None => None,
            VariantPick::Its(_) if product.variants.is_empty() => None,
            VariantPick::Its(i) => Some(i.get(&product.variants).id.clone()),
            VariantPick::Unknown => Some("nope".to_string()),
        };
        let choice = pos_core::Choice {
            variant: variant_id.clone(),
            modifiers: chosen.clone(),
            price: None,
        };

        // What the rules say, worked out here from the case.
        let variant = variant_id.as_ref().and_then(|id| product.variants.iter().find(|v| &v.id == id));
        let variant_ok = match &variant_id {
            None => product.variants.is_empty(),
            Some(_) => variant.is_some(),
        };
        let count = |g: &ModifierGroup| chosen.iter().filter(|m| g.modifiers.contains(m)).count() as u32;
        let breaks_group = |g: &ModifierGroup| count(g) < g.min || g.max.is_some_and(|max| count(g) > max);
        let all_offered = chosen.iter().all(|m| offered.contains(m));
        let allowed = variant_ok && all_offered && !groups.iter().any(breaks_group);

        match catalog.sellable(&product.id, &choice) {
            Ok(sold) => {
                prop_assert!(allowed, "sold although a rule is broken: {:?}", choice);
                let base = variant.map_or(product.price, |v| v.price);
                prop_assert_eq!(sold.product.price, base);
                let extras: Decimal = chosen
                    .iter()
                    .map(|id| catalog.modifier(id).unwrap().price)
                    .sum();
                let mut ticket = Ticket::new(store.rules);
                let line = ticket.add(&sold.product, &sold.tax, &sold.modifiers, Decimal::ONE).unwrap();
                prop_assert_eq!(ticket.line(line).unwrap().unit_price_with_modifiers(), base + extras);
            }
            Err(e) => {
                prop_assert!(!allowed, "refused although every rule is met: {:?}", e);
                let named = |name: &str| groups.iter().find(|g| g.name == name).unwrap().clone();
                match e {
                    ChoiceError::VariantNeeded => prop_assert!(variant_id.is_none() && !product.variants.is_empty()),
                    ChoiceError::UnknownVariant => prop_assert!(variant_id.is_some() && variant.is_none()),
                    ChoiceError::ModifierNotOffered => prop_assert!(!all_offered),
                    ChoiceError::TooFew { group, min } => {
                        let g = named(&group);
                        prop_assert!(count(&g) < min && min == g.min);
                    }
                    ChoiceError::TooMany { group, max } => {
                        let g = named(&group);
                        prop_assert!(count(&g) > max && g.max == Some(max));
                    }
                    other => prop_assert!(false, "not a rule of the choice: {:?}", other),
                }
            }
        }
    }
}
