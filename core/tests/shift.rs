//! Shifts and the drawer (issue 13, core building blocks): the notes and coins of each currency,
//! a drawer counted by them, a shift's cash movements, and the X and Z reports, whose figures add
//! up for any sequence of sales, refunds, voids and movements.

mod common;

use common::sales::{sell, sell_quantity, Pay};
use expect_test::expect;
use pos_core::shift::{
    denominations, CashCount, CashMovement, CashMovementKind, Form, Shift, ShiftError, ShiftReport,
};
use pos_core::{
    Currency, PricingRules, Refund, ReturnLedger, Sale, TaxPricing, TaxRounding, Tender, Uuid, Void,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use common::sales::MORNING;

const DEVICE: Uuid = Uuid::from_u128(0xd1);
const ANN: Uuid = Uuid::from_u128(0xa1);

fn currency(code: &str) -> Currency {
    Currency::from_code(code).unwrap()
}

fn rules(code: &str, cash_increment: Decimal) -> PricingRules {
    PricingRules {
        currency: currency(code),
        tax_pricing: TaxPricing::Inclusive,
        tax_rounding: TaxRounding::PerLine,
        cash_increment,
        cash_rounding: pos_core::CashRounding::HalfUp,
    }
}

fn movement(n: u128, amount: Decimal, kind: CashMovementKind) -> CashMovement {
    CashMovement {
        id: Uuid::from_u128(0x3000 + n),
        at_ms: MORNING + n as i64 * 1_000,
        staff: Some(ANN),
        amount,
        kind,
    }
}

fn pay_out(n: u128, amount: Decimal, reason: &str) -> CashMovement {
    movement(
        n,
        amount,
        CashMovementKind::PayOut {
            reason: reason.into(),
        },
    )
}

fn void_of(sale: &Sale) -> Void {
    Void {
        id: Uuid::from_u128(sale.id().as_u128() + 0x100_0000),
        sale_id: sale.id(),
        at_ms: sale.completed_at_ms() + 1_000,
        reason: "rang up twice".into(),
    }
}

#[test]
fn every_currency_of_the_issue_has_its_notes_and_coins_largest_first() {
    for code in ["RUB", "EUR", "USD", "GBP", "CHF", "PLN", "KZT", "TRY"] {
        let all = denominations(currency(code));
        let notes: Vec<Decimal> = all
            .iter()
            .filter(|d| d.form == Form::Note)
            .map(|d| d.value)
            .collect();
        let coins: Vec<Decimal> = all
            .iter()
            .filter(|d| d.form == Form::Coin)
            .map(|d| d.value)
            .collect();
        assert!(
            notes.len() >= 4 && coins.len() >= 5,
            "{code}: {notes:?} {coins:?}"
        );
        for list in [&notes, &coins] {
            assert!(list.windows(2).all(|w| w[0] > w[1]), "{code}: {list:?}");
        }
        assert!(notes.last() > coins.last(), "{code}");
        let minor = currency(code).minor_unit();
        assert!(all
            .iter()
            .all(|d| d.value > Decimal::ZERO && d.value.scale() <= minor));
    }
    let eur = denominations(Currency::EUR);
    assert_eq!((eur[0].value, eur[0].form), (dec!(500), Form::Note));
    assert_eq!(eur.last().unwrap().value, dec!(0.01));
    assert!(denominations(currency("CHF"))
        .iter()
        .all(|d| d.value >= dec!(0.05)));
    assert!(denominations(currency("JPY")).is_empty());
}

#[test]
fn a_count_adds_up_its_pieces_and_refuses_what_the_currency_has_not() {
    let rub = Currency::RUB;
    let float = CashCount::new(
        rub,
        &[
            (dec!(1000), 2),
            (dec!(500), 1),
            (dec!(100), 4),
            (dec!(10), 9),
            (dec!(1), 10),
        ],
        Decimal::ZERO,
    )
    .unwrap();
    assert_eq!(float.total(), dec!(3000));
    // The same denomination twice adds up; none of one is not kept.
    let count = CashCount::new(
        Currency::EUR,
        &[
            (dec!(50), 3),
            (dec!(0.20), 2),
            (dec!(50.00), 1),
            (dec!(5), 0),
        ],
        dec!(1.30),
    )
    .unwrap();
    assert_eq!(count.total(), dec!(201.70));
    assert_eq!(count.pieces.len(), 2);

    assert_eq!(
        CashCount::new(Currency::EUR, &[(dec!(3), 1)], Decimal::ZERO),
        Err(ShiftError::UnknownDenomination {
            value: dec!(3),
            currency: Currency::EUR
        })
    );
    for loose in [dec!(-1), dec!(0.001)] {
        assert_eq!(
            CashCount::amount(Currency::EUR, loose),
            Err(ShiftError::BadAmount(loose))
        );
    }
}

#[test]
fn a_shift_takes_movements_with_their_reason_until_it_is_closed() {
    let float = CashCount::amount(Currency::EUR, dec!(150)).unwrap();
    let mut shift = Shift::open(
        Uuid::from_u128(1),
        DEVICE,
        Currency::EUR,
        float,
        MORNING,
        Some(ANN),
    );
    assert!(shift.is_open());

    assert_eq!(
        shift.move_cash(pay_out(1, dec!(20), "  ")),
        Err(ShiftError::ReasonMissing)
    );
    for bad in [dec!(0), dec!(-5), dec!(0.001)] {
        assert_eq!(
            shift.move_cash(movement(2, bad, CashMovementKind::Drop)),
            Err(ShiftError::BadAmount(bad))
        );
    }
    let paid_out = pay_out(3, dec!(20), "milk from the shop next door");
    shift.move_cash(paid_out.clone()).unwrap();
    // The same movement again (a retry) changes nothing; its id with other contents is refused.
    shift.move_cash(paid_out.clone()).unwrap();
    assert_eq!(shift.movements.len(), 1);
    let mut other = paid_out.clone();
    other.amount = dec!(25);
    assert_eq!(
        shift.move_cash(other),
        Err(ShiftError::IdReused(paid_out.id))
    );
    shift
        .move_cash(movement(
            4,
            dec!(50),
            CashMovementKind::PayIn {
                reason: "change from the bank".into(),
            },
        ))
        .unwrap();
    shift
        .move_cash(movement(5, dec!(100), CashMovementKind::Drop))
        .unwrap();
    assert_eq!(shift.movements_effect(), dec!(-70));

    let counted = CashCount::amount(Currency::EUR, dec!(80)).unwrap();
    shift
        .close(counted.clone(), MORNING + 8 * 3_600_000, Some(ANN))
        .unwrap();
    assert!(!shift.is_open());
    assert_eq!(shift.close(counted, MORNING, None), Err(ShiftError::Closed));
    assert_eq!(
        shift.move_cash(movement(6, dec!(1), CashMovementKind::Drop)),
        Err(ShiftError::Closed)
    );

    // Plain serde records, amounts as decimal strings.
    let json = serde_json::to_string(&shift).unwrap();
    assert!(json.contains("\"amount\":\"20\""), "{json}");
    assert_eq!(serde_json::from_str::<Shift>(&json).unwrap(), shift);
}

/// The issue's day: a float of 3,000.00 RUB by denomination, cash and card sales, 500 paid out
/// for supplies, one sale refunded, and a count 10 short.
#[test]
fn the_z_report_of_a_day_with_a_pay_out_a_refund_and_a_short_count() {
    let rub = rules("RUB", Decimal::ZERO);
    let float = CashCount::new(
        Currency::RUB,
        &[(dec!(1000), 2), (dec!(500), 2)],
        Decimal::ZERO,
    )
    .unwrap();
    let mut shift = Shift::open(
        Uuid::from_u128(0x5f1),
        DEVICE,
        Currency::RUB,
        float,
        MORNING,
        Some(ANN),
    );
    let sales = vec![
        sell(rub, 1, dec!(450), dec!(22), Pay::Cash(dec!(50))),
        sell(rub, 2, dec!(1200), dec!(22), Pay::Card),
        sell(rub, 3, dec!(99.90), dec!(10), Pay::Split(dec!(50))),
        sell(rub, 4, dec!(300), dec!(22), Pay::Cash(Decimal::ZERO)),
        sell(rub, 5, dec!(80), dec!(10), Pay::Cash(Decimal::ZERO)).in_training(),
        sell(rub, 6, dec!(700), dec!(22), Pay::Cash(dec!(300))),
    ];
    shift.move_cash(pay_out(1, dec!(500), "supplies")).unwrap();
    let refund = Refund::full(
        &sales[0],
        Uuid::from_u128(0x4ef),
        MORNING + 3_600_000,
        "wrong size",
    );
    let voids = [void_of(&sales[5])];
    // Expected: 3000 + (450 + 49.90 + 300) cash - 450 refunded - 500 paid out = 2849.90.
    let counted = CashCount::amount(Currency::RUB, dec!(2839.90)).unwrap();

    let x = ShiftReport::new(&shift, &sales, &[(&refund, &sales[0])], &voids);
    assert!(!x.closed);
    assert_eq!(
        (x.cash_expected, x.cash_counted, x.difference),
        (dec!(2849.90), None, None)
    );

    shift
        .close(counted, MORNING + 9 * 3_600_000, Some(ANN))
        .unwrap();
    let z = ShiftReport::new(&shift, &sales, &[(&refund, &sales[0])], &voids);
    assert_eq!(z.difference, Some(dec!(-10.00)));
    assert_eq!(z.net_sales, z.paid - z.refunded);
    expect![[r#"
        ShiftReport {
            shift: 00000000-0000-0000-0000-0000000005f1,
            currency: Currency(
                RUB,
            ),
            closed: true,
            opened_at_ms: 1795942800000,
            closed_at_ms: Some(
                1795975200000,
            ),
            sales: 4,
            gross_sales: 2049.90,
            discounts: 0.00,
            cash_rounding: 0.00,
            card_excess: 0,
            tips: 0,
            tips_by_staff: [],
            paid: 2049.90,
            paid_by_tender: TenderTotals {
                cash: 799.90,
                card: 1250.00,
                exchange: 0,
                gift_card: 0,
            },
            cash_tendered: 849.90,
            change_given: 50.00,
            refunds: 1,
            refunded: 450.00,
            refunded_by_tender: TenderTotals {
                cash: 450.00,
                card: 0,
                exchange: 0,
                gift_card: 0,
            },
            net_sales: 1599.90,
            voids: 1,
            voided: 700.00,
            taxes: [
                TaxBreakdown {
                    category: TaxCategory {
                        id: "vat-22",
                        name: "VAT 22 %",
                        rate: 22,
                        fiscal_tag: None,
                        vat_exempt: false,
                    },
                    net: 1598.36,
                    tax: 351.64,
                    gross: 1950.00,
                },
                TaxBreakdown {
                    category: TaxCategory {
                        id: "vat-10",
                        name: "VAT 10 %",
                        rate: 10,
                        fiscal_tag: None,
                        vat_exempt: false,
                    },
                    net: 90.82,
                    tax: 9.08,
                    gross: 99.90,
                },
            ],
            refunded_taxes: [
                TaxBreakdown {
                    category: TaxCategory {
                        id: "vat-22",
                        name: "VAT 22 %",
                        rate: 22,
                        fiscal_tag: None,
                        vat_exempt: false,
                    },
                    net: 368.85,
                    tax: 81.15,
                    gross: 450.00,
                },
            ],
            average_ticket: Some(
                512.48,
            ),
            first_receipt: Some(
                ReceiptNumber {
                    device_code: "T1",
                    sequence: 1,
                },
            ),
            last_receipt: Some(
                ReceiptNumber {
                    device_code: "T1",
                    sequence: 6,
                },
            ),
            float: 3000,
            pay_ins: 0,
            pay_outs: 500,
            drops: 0,
            cash_expected: 2849.90,
            cash_counted: Some(
                2839.90,
            ),
            difference: Some(
                -10.00,
            ),
        }"#]]
    .assert_eq(&format!("{z:#?}"));
}

#[test]
fn a_sale_rounded_in_cash_and_refunded_nets_to_nothing_in_the_report() {
    let chf = rules("CHF", dec!(0.05));
    let float = CashCount::amount(currency("CHF"), dec!(100)).unwrap();
    let shift = Shift::open(
        Uuid::from_u128(2),
        DEVICE,
        currency("CHF"),
        float,
        MORNING,
        None,
    );
    let sale = sell(chf, 1, dec!(10.02), dec!(8.1), Pay::Cash(Decimal::ZERO));
    let refund = Refund::full(
        &sale,
        Uuid::from_u128(0x4ef),
        MORNING + 60_000,
        "changed mind",
    );
    let report = ShiftReport::new(
        &shift,
        std::slice::from_ref(&sale),
        &[(&refund, &sale)],
        &[],
    );
    assert_eq!(report.cash_rounding, dec!(-0.02));
    assert_eq!(report.paid, dec!(10.00));
    assert_eq!(report.net_sales, Decimal::ZERO);
    assert_eq!(report.cash_expected, dec!(100.00));
}

/// One thing done at the till during a shift, for the property below.
#[derive(Clone, Debug)]
enum Event {
    Sell {
        price: Decimal,
        quantity: Decimal,
        rate: Decimal,
        pay: Pay,
        training: bool,
    },
    /// Refunds the `n`th sale so far (modulo), once.
    Refund(usize),
    /// Returns this many of the `n`th sale's line, as far as any is left.
    Return(usize, Decimal),
    /// Voids the `n`th sale so far (modulo).
    Void(usize),
    PayIn(Decimal),
    PayOut(Decimal),
    Drop(Decimal),
}

fn cents(max: i64) -> impl Strategy<Value = Decimal> {
    (1..max).prop_map(|c| Decimal::new(c, 2))
}

fn event() -> impl Strategy<Value = Event> {
    let pay = prop_oneof![
        cents(5_000).prop_map(Pay::Cash),
        Just(Pay::Cash(Decimal::ZERO)),
        Just(Pay::Card),
        cents(500).prop_map(Pay::Split),
        cents(1_000).prop_map(Pay::CardTip),
        cents(1_000).prop_map(Pay::CashTip),
    ];
    prop_oneof![
        6 => (cents(20_000), 1..4u8, prop::sample::select(vec![dec!(0), dec!(10), dec!(20), dec!(8.1)]), pay, prop::bool::weighted(0.1))
            .prop_map(|(price, quantity, rate, pay, training)| Event::Sell { price, quantity: quantity.into(), rate, pay, training }),
        1 => any::<usize>().prop_map(Event::Refund),
        2 => (any::<usize>(), 1..3u8).prop_map(|(i, q)| Event::Return(i, q.into())),
        1 => any::<usize>().prop_map(Event::Void),
        1 => cents(10_000).prop_map(Event::PayIn),
        1 => cents(10_000).prop_map(Event::PayOut),
        1 => cents(10_000).prop_map(Event::Drop),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// For any shift: the drawer is expected to hold the float, plus the cash kept from the sales,
    /// less the cash handed back for refunds, plus pay-ins, less pay-outs and drops; and the
    /// report's figures add up to one another.
    #[test]
    fn the_reports_figures_add_up_for_any_shift(
        code in prop::sample::select(vec!["CHF", "RUB", "EUR"]),
        float in cents(100_000),
        events in prop::collection::vec(event(), 0..40),
        short in cents(1_000),
    ) {
        let increment = if code == "CHF" { dec!(0.05) } else { Decimal::ZERO };
        let rules = rules(code, increment);
        let currency = rules.currency;
        let mut shift = Shift::open(
            Uuid::from_u128(9),
            DEVICE,
            currency,
            CashCount::amount(currency, float).unwrap(),
            MORNING,
            None,
        );
        let mut sales: Vec<Sale> = Vec::new();
        let mut refunds: Vec<(Refund, usize)> = Vec::new();
        let mut voids: Vec<Void> = Vec::new();
        // The drawer as the till sees it, tender by tender.
        let mut drawer = float;
        let mut voided_cash = Decimal::ZERO;
        for (n, event) in events.iter().enumerate() {
            match event.clone() {
                Event::Sell { price, quantity, rate, pay, training } => {
                    let pay = match pay {
                        // A card part of more than the ticket is paid by card alone.
                        Pay::Split(card) if card >= price => Pay::Card,
                        pay => pay,
                    };
                    let mut sale = sell_quantity(rules, n as u64 + 1, price, quantity, rate, pay);
                    if training {
                        sale = sale.in_training();
                    } else {
                        let cash: Decimal = sale.tenders().iter().map(|t| match t {
                            Tender::Cash { tendered } => *tendered,
                            Tender::Card { .. } | Tender::Exchange { .. } | Tender::GiftCard { .. } | Tender::Points { .. } => Decimal::ZERO,
                        }).sum();
                        drawer += cash - sale.change();
                    }
                    sales.push(sale);
                }
                Event::Refund(i) if !sales.is_empty() => {
                    let i = i % sales.len();
                    let voided = voids.iter().any(|v| v.sale_id == sales[i].id());
                    if refunds.iter().all(|(_, j)| *j != i) && !voided {
                        let refund = Refund::full(&sales[i], Uuid::from_u128(0x4000 + n as u128), MORNING, "r");
                        if !refund.training {
                            drawer -= sales[i].refund_split().cash;
                        }
                        refunds.push((refund, i));
                    }
                }
                Event::Return(i, quantity) if !sales.is_empty() => {
                    let i = i % sales.len();
                    let sale = &sales[i];
                    let voided = voids.iter().any(|v| v.sale_id == sale.id());
                    let earlier: Vec<Refund> = refunds.iter().filter(|(_, j)| *j == i).map(|(r, _)| r.clone()).collect();
                    let left = ReturnLedger::of(sale, &earlier).lines[0].returnable();
                    let quantity = quantity.min(left);
                    if !voided && quantity > Decimal::ZERO {
                        let line = sale.lines()[0].id;
                        let refund = Refund::of_lines(sale, &earlier, &[(line, quantity)], Uuid::from_u128(0x4000 + n as u128), MORNING, "r").unwrap();
                        if !refund.training {
                            // What the slip says came out of the drawer, tender by tender.
                            drawer -= refund.tenders.iter().filter(|t| t.card.is_none()).map(|t| t.amount).sum::<Decimal>();
                        }
                        refunds.push((refund, i));
                    }
                }
                Event::Void(i) if !sales.is_empty() => {
                    let i = i % sales.len();
                    let sale = &sales[i];
                    let refunded = refunds.iter().any(|(_, j)| *j == i);
                    if !refunded && voids.iter().all(|v| v.sale_id != sale.id()) {
                        if !sale.is_training() {
                            // The cash of a voided sale goes back to the customer.
                            voided_cash += sale.refund_split().cash;
                        }
                        voids.push(void_of(sale));
                    }
                }
                Event::PayIn(amount) => {
                    shift.move_cash(movement(n as u128, amount, CashMovementKind::PayIn { reason: "in".into() })).unwrap();
                    drawer += amount;
                }
                Event::PayOut(amount) => {
                    shift.move_cash(pay_out(n as u128, amount, "out")).unwrap();
                    drawer -= amount;
                }
                Event::Drop(amount) => {
                    shift.move_cash(movement(n as u128, amount, CashMovementKind::Drop)).unwrap();
                    drawer -= amount;
                }
                Event::Refund(_) | Event::Return(..) | Event::Void(_) => {}
            }
        }
        let drawer = drawer - voided_cash;
        let paired: Vec<(&Refund, &Sale)> = refunds.iter().map(|(r, i)| (r, &sales[*i])).collect();

        let x = ShiftReport::new(&shift, &sales, &paired, &voids);
        prop_assert_eq!(x.cash_expected, drawer);
        prop_assert_eq!(x.cash_expected, x.float + x.paid_by_tender.cash - x.refunded_by_tender.cash
            + x.pay_ins - x.pay_outs - x.drops);
        prop_assert_eq!(x.net_sales, x.paid - x.refunded);
        prop_assert_eq!(x.paid, x.gross_sales - x.discounts + x.cash_rounding + x.tips);
        // The issue's definition, with change and cash handed over apart.
        prop_assert_eq!(x.cash_expected, x.float + x.cash_tendered - x.change_given
            - x.refunded_by_tender.cash - x.pay_outs + x.pay_ins - x.drops);
        prop_assert!(x.card_excess <= x.tips);
        prop_assert_eq!(x.tips_by_staff.iter().map(|t| t.amount).sum::<Decimal>(), x.tips);
        prop_assert_eq!(x.paid_by_tender.total(), x.paid);
        prop_assert_eq!(x.refunded_by_tender.total(), x.refunded);
        let taxed: Decimal = x.taxes.iter().map(|t| t.gross).sum();
        prop_assert_eq!(taxed, x.gross_sales - x.discounts);
        for t in x.taxes.iter().chain(&x.refunded_taxes) {
            prop_assert_eq!(t.net + t.tax, t.gross);
        }
        // What the refunds returned of the goods carries the tax.
        let returned_goods: Decimal = paired
            .iter()
            .filter(|(r, _)| !r.training)
            .flat_map(|(r, _)| r.lines.iter().map(|l| l.amount))
            .sum();
        let refunded_gross: Decimal = x.refunded_taxes.iter().map(|t| t.gross).sum();
        prop_assert_eq!(refunded_gross, returned_goods);
        let real = sales.iter().filter(|s| !s.is_training()).count() as u64;
        prop_assert_eq!(x.sales + x.voids, real);
        prop_assert!(x.difference.is_none());

        let counted = CashCount::amount(currency, (drawer - short).max(Decimal::ZERO)).unwrap();
        shift.close(counted.clone(), MORNING + 3_600_000, None).unwrap();
        let z = ShiftReport::new(&shift, &sales, &paired, &voids);
        prop_assert!(z.closed);
        prop_assert_eq!(z.difference, Some(counted.total() - drawer));
    }
}
