//! The receipt of a sale: golden layouts in English and Russian, the paper width as a
//! property over random sales, and (ignored unless `EMUPOS_PYTHON` is set) a whole receipt
//! decoded by the independent `emupos` printer simulator.
//!
//! ```text
//! PYENV_VERSION=3.13.0 python -m venv target/emupos-venv
//! target/emupos-venv/bin/pip install emupos==0.4.0
//! EMUPOS_PYTHON=target/emupos-venv/bin/python \
//!     cargo test -p pos-devices --test receipt -- --ignored
//! ```

use expect_test::expect;
use pos_core::{
    CardApproval, Catalog, Currency, Decimal, Discount, Payment, PricingRules, ReceiptNumber, Sale,
    Store, TaxPricing, TaxRounding, Ticket, Uuid, demo,
};
use pos_devices::{
    Bitmap, Dither, PrinterProfile, ReceiptBlock, ReceiptCopy, ReceiptLanguage, ReceiptLayout,
    ReceiptOptions, ReceiptQr, RefundSlip, ReturnedItem, gray_from_rgba,
};
use proptest::prelude::*;

mod common;
use common::Decoded;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// One line of a ticket: product id, modifier ids, quantity, discount.
type Item<'a> = (&'a str, &'a [&'a str], &'a str, Option<Discount>);

/// How the customer paid, in order. A card without an amount pays what is left.
enum Pay<'a> {
    Cash(&'a str),
    Card(Option<&'a str>, &'a str, &'a str),
    /// The store's gift card: amount and card number.
    GiftCard(&'a str, &'a str),
    /// The customer's loyalty points: how many, and what they paid.
    Points(&'a str, &'a str),
}

/// The one helper every test sells through: a ticket from the catalog, paid, completed.
#[allow(clippy::too_many_arguments)]
fn sell(
    store: &Store,
    catalog: &Catalog,
    items: &[Item<'_>],
    order_discount: Option<Discount>,
    pays: &[Pay<'_>],
    id: Uuid,
    sequence: u64,
    at_ms: i64,
) -> Sale {
    let mut ticket = Ticket::new(store.rules);
    for (product, modifiers, quantity, discount) in items {
        let product = catalog.product(product).unwrap();
        let tax = catalog.tax_category(&product.tax_category).unwrap();
        let modifiers: Vec<_> = modifiers
            .iter()
            .map(|m| catalog.modifier(m).unwrap().clone())
            .collect();
        let line = ticket.add(product, tax, &modifiers, d(quantity)).unwrap();
        ticket.set_line_discount(line, *discount).unwrap();
    }
    ticket.set_order_discount(order_discount).unwrap();
    let mut payment = Payment::new(ticket.totals().total, store.rules);
    for pay in pays {
        match pay {
            Pay::Cash(amount) => payment.add_cash(d(amount)).unwrap(),
            Pay::Card(amount, auth, last_four) => {
                let amount = amount.map_or_else(|| payment.remaining(), d);
                let approval = CardApproval::new(auth, last_four).unwrap();
                payment.add_card(amount, approval).unwrap();
            }
            Pay::GiftCard(amount, number) => {
                let card = pos_core::gift_card::GiftCardNumber::parse(number).unwrap();
                let op = Uuid::from_u128(u128::from(sequence));
                payment.add_gift_card(card, d(amount), op, false).unwrap();
            }
            Pay::Points(points, amount) => {
                let op = Uuid::from_u128(u128::from(sequence) + 0x9a00);
                payment
                    .add_points(Uuid::from_u128(0xA1), d(points), d(amount), op, false)
                    .unwrap();
            }
        }
    }
    let number = ReceiptNumber {
        device_code: "T1".into(),
        sequence,
    };
    ticket.complete(&payment, id, number, at_ms).unwrap()
}

const LATIN_ID: &str = "0192f5a4-1b2c-7d3e-8f40-123456789abc";
const CYRILLIC_ID: &str = "0192f5a4-1b2c-7d3e-8f40-cba987654321";
/// 2026-11-29T13:05:59.999Z.
const AT_MS: i64 = 1_795_957_559_999;

/// An English food-truck sale in EUR: modifiers, a weighed line, both kinds of discount, part
/// paid by card, the rest in cash with change.
fn latin_sale() -> (Store, Sale) {
    let (store, catalog) = demo::food_truck(false);
    let sale = sell(
        &store,
        &catalog,
        &[
            ("classic-burger", &["cheese", "bacon"], "2", None),
            ("fries", &[], "1", None),
            ("cola", &[], "1", Some(Discount::Percent(d("10")))),
            ("candied-nuts", &[], "0.25", None),
        ],
        Some(Discount::Percent(d("5"))),
        &[Pay::Card(Some("10"), "a1b2c3", "4242"), Pay::Cash("30")],
        LATIN_ID.parse().unwrap(),
        42,
        AT_MS,
    );
    (store, sale)
}

/// A Russian café in roubles, prices with VAT, cash rounded to whole roubles.
fn cyrillic_store() -> Store {
    Store {
        name: "Кофейня у дома".into(),
        address: "ул. Ленина, 5, Москва".into(),
        tax_number: "7701234567".into(),
        rules: PricingRules {
            currency: Currency::RUB,
            tax_pricing: TaxPricing::Inclusive,
            tax_rounding: TaxRounding::PerLine,
            cash_increment: Decimal::ONE,
            cash_rounding: pos_core::CashRounding::HalfUp,
        },
        receipt_footer: "Спасибо за покупку!".into(),
        return_policy: String::new(),
        receipt_language: "ru".into(),
        logo: None,
        receipt_line_vat: false,
        tip_presets: Vec::new(),
        shift_required: false,
        close_shows_expected: false,
        shift_opens_itself: false,
        gift_card_offline_cap: pos_core::DEFAULT_GIFT_CARD_OFFLINE_CAP,
        loyalty: None,
    }
}

fn cyrillic_sale() -> (Store, Sale) {
    let store = cyrillic_store();
    let (_, catalog) = demo::food_truck(true);
    let sale = sell(
        &store,
        &catalog,
        &[
            ("cappuccino", &["oat"], "2", None),
            ("ice-cream", &[], "1", Some(Discount::Amount(d("0.50")))),
            ("classic-burger", &[], "1", None),
        ],
        None,
        &[Pay::Cash("100")],
        CYRILLIC_ID.parse().unwrap(),
        7,
        AT_MS,
    );
    (store, sale)
}

fn english(copy: ReceiptCopy) -> ReceiptOptions {
    ReceiptOptions {
        language: ReceiptLanguage::English,
        copy,
        cashier: Some("Alex".into()),
        return_policy: Some("Returns within 14 days with this receipt.".into()),
        utc_offset_minutes: 60,
        ..ReceiptOptions::default()
    }
}

fn russian() -> ReceiptOptions {
    ReceiptOptions {
        language: ReceiptLanguage::Russian,
        cashier: Some("Мария Иванова".into()),
        return_policy: Some("Возврат в течение 14 дней при наличии чека.".into()),
        utc_offset_minutes: 180,
        ..ReceiptOptions::default()
    }
}

/// The English merchant's copy of a card-and-cash sale, in training mode, on 42 columns.
#[test]
fn latin_golden() {
    let (store, sale) = latin_sale();
    let options = ReceiptOptions {
        training: true,
        ..english(ReceiptCopy::Merchant)
    };
    let layout = ReceiptLayout::from_sale(&sale, &store, &options);
    expect![[r#"
                     *** TRAINING ***
            Training mode: no money was taken.
                      MERCHANT COPY
           Demo Food Truck
                     Market Square 1
                   Tax no. DE000000000
        ------------------------------------------
        Receipt T1-000042         2026-11-29 14:05
        Cashier: Alex
        ------------------------------------------
        Classic Burger
          + Extra cheese                      1.00
          + Bacon                             1.50
          2 x 11.00                          22.00
        Fries                                 3.50
        Cola                                  2.50
          Discount 10%                       -0.25
        Candied Nuts (kg)
          0.250 kg x 24.00                    6.00
        ------------------------------------------
        Subtotal                             34.00
        Item discounts                       -0.25
        Order discount 5%                    -1.69
        ==========================================
        Total       32.06 EUR
        incl. VAT 10% on 27.20                2.72
        incl. VAT 20% on 1.78                 0.36
        ------------------------------------------
        Card **** 4242                   10.00 EUR
        Auth code A1B2C3
        Cash                             30.00 EUR
        Change                            7.94 EUR


        Signature ________________________________

        Returns within 14 days with this receipt.

          Thank you! Demo receipt, not a fiscal
                        document.

        [qr RCPT:0192f5a4-1b2c-7d3e-8f40-123456789abc;32.06;EUR]
        [barcode T1-000042]

                     *** TRAINING ***
            Training mode: no money was taken.
        [cut]
    "#]]
    .assert_eq(&layout.to_text(42));
}

/// The Russian customer's receipt of a cash sale on 58 mm paper.
#[test]
fn cyrillic_golden() {
    let (store, sale) = cyrillic_sale();
    let layout = ReceiptLayout::from_sale(&sale, &store, &russian());
    expect![[r#"
        [open drawer]
         Кофейня у дома
             ул. Ленина, 5, Москва
                 ИНН 7701234567
        --------------------------------
        Чек T1-000007   29.11.2026 16:05
        Кассир: Мария Иванова
        --------------------------------
        Капучино
          + Овсяное молоко          0,40
          2 x 3,60                  7,20
        Мороженое в стаканчике      3,50
          Скидка                   -0,50
        Классический бургер         8,50
        --------------------------------
        Подытог                    19,20
        Скидки на товары           -0,50
        ================================
        Итого  18,70 RUB
        Округление                  0,30
        Оплачено               19,00 RUB
        в т.ч. НДС 20 % от 6,00     1,20
        в т.ч. НДС 10 % от 10,46    1,04
        --------------------------------
        Наличные              100,00 RUB
        Сдача                  81,00 RUB

        Возврат в течение 14 дней при
        наличии чека.

              Спасибо за покупку!

        [qr RCPT:0192f5a4-1b2c-7d3e-8f40-cba987654321;18.70;RUB]
        [barcode T1-000007]
        [cut]
    "#]]
    .assert_eq(&layout.to_text(32));
}

#[test]
fn the_receipt_names_the_customer_under_the_cashier_and_no_one_once_erased() {
    let (store, sale) = cyrillic_sale();
    let named = ReceiptOptions {
        customer: Some("Анна Петрова".into()),
        ..russian()
    };
    let text = ReceiptLayout::from_sale(&sale, &store, &named).to_text(32);
    assert!(
        text.contains("Кассир: Мария Иванова\nПокупатель: Анна Петрова\n"),
        "{text}"
    );
    // An erased customer's sale is reprinted with no name (the app passes none), and a blank
    // name prints no empty label.
    for customer in [None, Some("  ".to_string())] {
        let options = ReceiptOptions {
            customer,
            ..russian()
        };
        let text = ReceiptLayout::from_sale(&sale, &store, &options).to_text(32);
        assert!(!text.contains("Покупатель"), "{text}");
    }
    let text = ReceiptLayout::from_sale(
        &sale,
        &store,
        &ReceiptOptions {
            customer: Some("Anna Petrova".into()),
            ..english(ReceiptCopy::Customer)
        },
    )
    .to_text(42);
    assert!(text.contains("Customer: Anna Petrova"), "{text}");
}

#[test]
fn copies_drawer_and_marks() {
    let (store, sale) = latin_sale();
    assert_eq!(
        ReceiptCopy::for_sale(&sale),
        [ReceiptCopy::Customer, ReceiptCopy::Merchant]
    );
    let customer = ReceiptLayout::from_sale(&sale, &store, &english(ReceiptCopy::Customer));
    let merchant = ReceiptLayout::from_sale(&sale, &store, &english(ReceiptCopy::Merchant));
    let signatures = |layout: &ReceiptLayout| {
        layout
            .blocks
            .iter()
            .filter(|b| matches!(b, ReceiptBlock::Signature { .. }))
            .count()
    };
    assert_eq!(signatures(&customer), 0);
    assert_eq!(signatures(&merchant), 1);
    // The drawer opens once: before the customer's copy of a sale with cash, first of all.
    assert_eq!(customer.blocks.first(), Some(&ReceiptBlock::OpenDrawer));
    assert!(!merchant.blocks.contains(&ReceiptBlock::OpenDrawer));
    assert_eq!(customer.blocks.last(), Some(&ReceiptBlock::Cut));
    assert!(merchant.to_text(48).contains("MERCHANT COPY"));
    assert!(customer.to_text(48).contains("CUSTOMER COPY"));

    // A reprint is marked and leaves the drawer shut.
    let reprint = ReceiptOptions {
        reprint: true,
        ..english(ReceiptCopy::Customer)
    };
    let layout = ReceiptLayout::from_sale(&sale, &store, &reprint);
    assert!(!layout.blocks.contains(&ReceiptBlock::OpenDrawer));
    assert!(layout.to_text(48).contains("REPRINT"));

    // A card-only sale: no drawer, no change line.
    let (store, catalog) = demo::food_truck(false);
    let card_only = sell(
        &store,
        &catalog,
        &[("latte", &[], "1", None)],
        None,
        &[Pay::Card(None, "", "")],
        Uuid::nil(),
        1,
        0,
    );
    let layout = ReceiptLayout::from_sale(&card_only, &store, &english(ReceiptCopy::Customer));
    assert!(!layout.blocks.contains(&ReceiptBlock::OpenDrawer));
    let text = layout.to_text(32);
    assert!(!text.contains("Change"), "{text}");
    assert!(text.contains("Card  ") && !text.contains("****"), "{text}");
    // A cash-only sale has one copy.
    let (store, sale) = cyrillic_sale();
    assert_eq!(ReceiptCopy::for_sale(&sale), [ReceiptCopy::Customer]);
    let _ = store;
}

#[test]
fn training_marks_every_receipt() {
    let (store, sale) = cyrillic_sale();
    for copy in [ReceiptCopy::Customer, ReceiptCopy::Merchant] {
        for reprint in [false, true] {
            let options = ReceiptOptions {
                training: true,
                copy,
                reprint,
                ..russian()
            };
            let text = ReceiptLayout::from_sale(&sale, &store, &options).to_text(32);
            assert_eq!(text.matches("УЧЕБНЫЙ РЕЖИМ").count(), 2, "{text}");
            let lines: Vec<&str> = text.lines().collect();
            // At the very top (after the drawer kick) and just before the cut.
            assert!(lines[..3].iter().any(|l| l.contains("УЧЕБНЫЙ")), "{text}");
            assert!(
                lines[lines.len() - 4..]
                    .iter()
                    .any(|l| l.contains("Учебный")),
                "{text}"
            );
        }
    }
}

#[test]
fn qr_payload_is_stable_and_parses_back() {
    let (store, sale) = latin_sale();
    let qr = ReceiptQr::of(&sale);
    let payload = qr.payload();
    assert_eq!(payload, format!("RCPT:{LATIN_ID};32.06;EUR"));
    assert_eq!(ReceiptQr::parse(&payload), Ok(qr));
    let layout = ReceiptLayout::from_sale(&sale, &store, &english(ReceiptCopy::Customer));
    assert!(layout.blocks.contains(&ReceiptBlock::Qr { data: payload }));
    // Whole currencies keep no decimals, three-decimal ones three.
    let jpy = ReceiptQr {
        id: Uuid::nil(),
        total: d("1500"),
        currency: Currency::from_code("JPY").unwrap(),
    };
    assert_eq!(
        jpy.payload(),
        "RCPT:00000000-0000-0000-0000-000000000000;1500;JPY"
    );
    let kwd = ReceiptQr {
        total: d("1.5"),
        currency: Currency::from_code("KWD").unwrap(),
        ..jpy
    };
    assert!(kwd.payload().ends_with(";1.500;KWD"));
    // A later field is ignored; anything else is not a receipt.
    assert_eq!(
        ReceiptQr::parse(&format!("{}{}", kwd.payload(), ";v2")),
        Ok(kwd)
    );
    for bad in [
        "",
        "https://example.com",
        "RCPT:not-a-uuid;1.00;EUR",
        "RCPT:00000000-0000-0000-0000-000000000000;1,00;EUR",
        "RCPT:00000000-0000-0000-0000-000000000000;1.00;XYZ",
        "RCPT:00000000-0000-0000-0000-000000000000;1.00",
    ] {
        let error = ReceiptQr::parse(bad).unwrap_err();
        assert!(error.to_string().contains("not one of our receipts"));
    }
}

#[test]
fn exclusive_prices_add_tax_above_the_total() {
    let (mut store, catalog) = demo::food_truck(false);
    store.rules.tax_pricing = TaxPricing::Exclusive;
    let sale = sell(
        &store,
        &catalog,
        &[("cola", &[], "2", None)],
        None,
        &[Pay::Cash("10")],
        Uuid::nil(),
        3,
        0,
    );
    let text = ReceiptLayout::from_sale(&sale, &store, &english(ReceiptCopy::Customer)).to_text(32);
    let subtotal = text.find("Subtotal").unwrap();
    let vat = text.find("VAT 20% on 5.00").unwrap();
    let total = text.find("Total").unwrap();
    assert!(subtotal < vat && vat < total, "{text}");
    assert!(!text.contains("incl. VAT"), "{text}");
    assert!(text.contains("6.00 EUR"), "{text}");
}

// ---- VAT on each line (a Russian receipt, 54-FZ) ------------------------------------------

/// The Russian café printing VAT on each line, its taxes from core's RU preset: drinks at 22 %,
/// food at 10 %, the ice cream without VAT.
fn line_vat_store_and_menu() -> (Store, Catalog) {
    let mut store = cyrillic_store();
    let russia = pos_core::tax_preset("RU").unwrap();
    russia.apply_to(&mut store);
    assert!(store.receipt_line_vat);
    let (_, mut catalog) = demo::food_truck(true);
    catalog.tax_categories = russia.tax_categories("ru");
    for product in &mut catalog.products {
        product.tax_category = match (product.id.as_str(), product.tax_category.as_str()) {
            ("ice-cream", _) => "ru-no-vat",
            (_, "food") => "ru-vat-10",
            _ => "ru-vat-22",
        }
        .into();
    }
    (store, catalog)
}

/// Two cappuccinos with oat milk, an ice cream with 0.50 off, three burgers, and `order`
/// off the whole ticket, paid in cash.
fn line_vat_sale(store: &Store, catalog: &Catalog, order: Option<Discount>) -> Sale {
    sell(
        store,
        catalog,
        &[
            ("cappuccino", &["oat"], "2", None),
            ("ice-cream", &[], "1", Some(Discount::Amount(d("0.50")))),
            ("classic-burger", &[], "3", None),
        ],
        order,
        &[Pay::Cash("100")],
        CYRILLIC_ID.parse().unwrap(),
        8,
        AT_MS,
    )
}

/// An amount as the receipt prints it (`1 234,50` or `1,234.50`), back as a number.
fn printed_amount(text: &str, language: ReceiptLanguage) -> Decimal {
    let plain: String = match language {
        ReceiptLanguage::Russian => text.replace(' ', "").replace(',', "."),
        ReceiptLanguage::English => text.replace(',', ""),
    };
    d(plain.trim_start_matches('-'))
        * if plain.starts_with('-') {
            -Decimal::ONE
        } else {
            Decimal::ONE
        }
}

/// What the lines print as their totals (the `  2 x 3,40 ..... 6,80` rows) and as their VAT
/// (the `  НДС 22 % ..... 1,23` rows), in the receipt's order. Panics where a row of pieces
/// (not a weight) prints a total other than its quantity times its price.
fn line_rows(layout: &ReceiptLayout, language: ReceiptLanguage) -> (Vec<Decimal>, Vec<Decimal>) {
    let vat = format!("  {} ", language.labels().tax);
    let (mut totals, mut taxes) = (Vec::new(), Vec::new());
    for block in &layout.blocks {
        if let ReceiptBlock::Row { left, right, .. } = block {
            if let Some((quantity, price)) =
                left.strip_prefix("  ").and_then(|l| l.split_once(" x "))
            {
                let total = printed_amount(right, language);
                if quantity.chars().all(|c| c.is_ascii_digit()) {
                    let price = printed_amount(price, language);
                    assert_eq!(d(quantity) * price, total, "{left} .... {right}");
                }
                totals.push(total);
            } else if left.starts_with(&vat) {
                taxes.push(printed_amount(right, language));
            }
        }
    }
    (totals, taxes)
}

/// The Russian receipt with VAT on each line: each line's price after its share of the order
/// discount, its total and its VAT, no receipt-level discount rows, and the VAT per rate as
/// included in the total.
#[test]
fn line_vat_golden() {
    let (store, catalog) = line_vat_store_and_menu();
    // 7 % of 35,70 is 2,50: the burgers' share leaves them 23,71, which three do not share in
    // whole kopecks, so they print as one at 7,91 and two at 7,90.
    let sale = line_vat_sale(&store, &catalog, Some(Discount::Percent(d("7"))));
    let layout = ReceiptLayout::from_sale(&sale, &store, &russian());
    expect![[r#"
        [open drawer]
         Кофейня у дома
             ул. Ленина, 5, Москва
                 ИНН 7701234567
        --------------------------------
        Чек T1-000008   29.11.2026 16:05
        Кассир: Мария Иванова
        --------------------------------
        Капучино
          + Овсяное молоко
          2 x 3,35                  6,70
          НДС 22 %                  1,21
        Мороженое в стаканчике
          1 x 2,79                  2,79
          Без НДС
        Классический бургер
          1 x 7,91                  7,91
          2 x 7,90                 15,80
          НДС 10 %                  2,16
        ================================
        Итого  33,20 RUB
        Округление                 -0,20
        Оплачено               33,00 RUB
        в т.ч. НДС 22 % от 5,49     1,21
        Без НДС                     2,79
        в т.ч. НДС 10 % от 21,55    2,16
        --------------------------------
        Наличные              100,00 RUB
        Сдача                  67,00 RUB

        Возврат в течение 14 дней при
        наличии чека.

              Спасибо за покупку!

        [qr RCPT:0192f5a4-1b2c-7d3e-8f40-cba987654321;33.20;RUB]
        [barcode T1-000008]
        [cut]
    "#]]
    .assert_eq(&layout.to_text(32));
    let encoded = layout.encode(PrinterProfile::XPRINTER_58).unwrap();
    assert!(encoded.replaced.is_empty(), "{:?}", encoded.replaced);
}

/// However an order discount splits over the lines, the lines' printed totals add up to the
/// receipt's total exactly and their VAT to its VAT, in both languages and with prices with or
/// without VAT; a store without the setting prints its discounts as receipt-level rows.
#[test]
fn line_totals_add_up_to_the_total_whatever_the_order_discount() {
    let (store, catalog) = line_vat_store_and_menu();
    for order in [
        None,
        Some(Discount::Amount(d("1.00"))),
        Some(Discount::Amount(d("0.01"))),
        Some(Discount::Percent(d("7"))),
        Some(Discount::Percent(d("33"))),
    ] {
        for exclusive in [false, true] {
            let mut store = store.clone();
            if exclusive {
                store.rules.tax_pricing = TaxPricing::Exclusive;
            }
            let sale = line_vat_sale(&store, &catalog, order);
            for options in [russian(), english(ReceiptCopy::Customer)] {
                let layout = ReceiptLayout::from_sale(&sale, &store, &options);
                let text = layout.to_text(42);
                let (line_totals, line_taxes) = line_rows(&layout, options.language);
                assert!((3..=6).contains(&line_totals.len()), "{text}");
                assert_eq!(
                    line_totals.iter().copied().sum::<Decimal>(),
                    sale.totals().total,
                    "{order:?} exclusive {exclusive}:\n{text}"
                );
                assert_eq!(line_taxes.len(), 2, "the ice cream has no VAT:\n{text}");
                assert_eq!(
                    line_taxes.iter().copied().sum::<Decimal>(),
                    sale.totals().tax
                );
                let labels = options.language.labels();
                // Under the ice cream, and in the breakdown beside what was sold without it.
                assert_eq!(text.matches(labels.without_vat).count(), 2, "{text}");
                for row in [
                    labels.subtotal,
                    labels.order_discount,
                    labels.item_discounts,
                ] {
                    assert!(!text.contains(row), "{row} in\n{text}");
                }
                assert!(text.contains(labels.tax_included), "{text}");
            }
            // The same sale in a store that does not print VAT per line: as before.
            let before = Store {
                receipt_line_vat: false,
                ..store.clone()
            };
            let text = ReceiptLayout::from_sale(&sale, &before, &russian()).to_text(42);
            assert!(text.contains("Подытог"), "{text}");
            assert!(!text.contains("Без НДС"), "{text}");
            assert_eq!(
                line_rows(
                    &ReceiptLayout::from_sale(&sale, &before, &russian()),
                    ReceiptLanguage::Russian
                )
                .1,
                Vec::<Decimal>::new()
            );
        }
    }
}

// ---- Paper width over random sales -------------------------------------------------------

/// Walks the ESC/POS bytes the receipt renderer makes and returns every printed line with
/// its width in cells (character count times the `GS !` width). Panics on a byte that is
/// neither text nor a command the renderer uses, so a stray control code fails too.
fn printed_lines(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut lines = Vec::new();
    let mut cells = 0;
    let mut scale = 1;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = |k: usize| usize::from(bytes[i + k]);
        match b {
            0x1B => match bytes[i + 1] {
                b'@' => i += 2,
                b't' | b'E' | b'a' | b'd' | b'-' => i += 3,
                b'p' => i += 5,
                other => panic!("ESC {other:#04x} at {i}"),
            },
            0x1D => match bytes[i + 1] {
                b'!' => {
                    scale = (next(2) >> 4) + 1;
                    i += 3;
                }
                b'h' | b'w' | b'H' => i += 3,
                b'V' => i += 4,
                b'k' => {
                    assert_eq!(next(2), 73, "only Code 128");
                    i += 4 + next(3);
                }
                b'(' => {
                    assert_eq!(bytes[i + 2], b'k');
                    i += 5 + next(3) + 256 * next(4);
                }
                other => panic!("GS {other:#04x} at {i}"),
            },
            0x0A => {
                lines.push((cells, scale));
                cells = 0;
                i += 1;
            }
            0x20..=0xFF => {
                cells += scale;
                i += 1;
            }
            other => panic!("control byte {other:#04x} at {i}"),
        }
    }
    assert_eq!(cells, 0, "text after the last line feed");
    lines
}

#[derive(Clone, Debug)]
struct RandomLine {
    product: usize,
    modifiers: Vec<bool>,
    pieces: u32,
    grams: u32,
    discount: Option<(bool, u32)>,
}

fn random_line() -> impl Strategy<Value = RandomLine> {
    (
        0..30usize,
        prop::collection::vec(any::<bool>(), 4),
        1..=40u32,
        1..=9_999u32,
        prop::option::of((any::<bool>(), 0..=100u32)),
    )
        .prop_map(|(product, modifiers, pieces, grams, discount)| RandomLine {
            product,
            modifiers,
            pieces,
            grams,
            discount,
        })
}

/// Text from Latin and Cyrillic letters, digits and spaces, with words of any length.
fn random_text() -> impl Strategy<Value = String> {
    "[a-zA-Zа-яА-ЯёЁ0-9 .,]{0,90}"
}

#[allow(clippy::too_many_arguments)]
fn random_sale(
    russian: bool,
    exclusive: bool,
    increment: &str,
    lines: &[RandomLine],
    order_discount: Option<u32>,
    card_share: u32,
    extra_cash: u32,
    name: &str,
    line_vat: bool,
) -> (Store, Sale) {
    let (mut store, catalog) = demo::food_truck(russian);
    store.rules.cash_increment = d(increment);
    store.receipt_line_vat = line_vat;
    if exclusive {
        store.rules.tax_pricing = TaxPricing::Exclusive;
    }
    if !name.trim().is_empty() {
        store.name = name.to_owned();
        store.receipt_footer = format!("{name} {name}");
    }
    let mut ticket = Ticket::new(store.rules);
    for line in lines {
        let product = &catalog.products[line.product];
        let tax = catalog.tax_category(&product.tax_category).unwrap();
        let modifiers: Vec<_> = product
            .modifiers
            .iter()
            .zip(&line.modifiers)
            .filter(|(_, on)| **on)
            .map(|(m, _)| catalog.modifier(m).unwrap().clone())
            .collect();
        let quantity = match product.unit {
            pos_core::Unit::Piece => Decimal::from(line.pieces),
            pos_core::Unit::Kilogram | pos_core::Unit::Litre => {
                Decimal::new(i64::from(line.grams), 3)
            }
        };
        let id = ticket.add(product, tax, &modifiers, quantity).unwrap();
        let discount = line.discount.map(|(percent, n)| {
            if percent {
                Discount::Percent(Decimal::from(n))
            } else {
                Discount::Amount(Decimal::new(i64::from(n) * 10, 2))
            }
        });
        ticket.set_line_discount(id, discount).unwrap();
    }
    ticket
        .set_order_discount(order_discount.map(|p| Discount::Percent(Decimal::from(p))))
        .unwrap();
    let total = ticket.totals().total;
    let mut payment = Payment::new(total, store.rules);
    let card = store
        .rules
        .currency
        .round(total * Decimal::from(card_share) / Decimal::ONE_HUNDRED);
    if card > Decimal::ZERO && !payment.is_paid() {
        let approval = CardApproval::new("AB12", "1234").unwrap();
        payment.add_card(card, approval).unwrap();
    }
    if !payment.is_paid() {
        let cash = payment.cash_due() + Decimal::from(extra_cash);
        payment.add_cash(cash).unwrap();
    }
    let number = ReceiptNumber {
        device_code: "POS1".into(),
        sequence: u64::from(extra_cash) * 1000,
    };
    let sale = ticket
        .complete(
            &payment,
            Uuid::from_u128(u128::from(card_share)),
            number,
            i64::from(extra_cash) * 7_654_321_987,
        )
        .unwrap();
    (store, sale)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// No line the printer gets is wider than the paper, at 32, 42 and 48 columns, in both
    /// languages, for every copy and mode; nothing is replaced by `?`; the preview agrees.
    #[test]
    fn no_line_is_wider_than_the_paper(
        russian in any::<bool>(),
        exclusive in any::<bool>(),
        increment in prop::sample::select(vec!["0", "0.05", "1"]),
        lines in prop::collection::vec(random_line(), 1..12),
        order_discount in prop::option::of(0..=100u32),
        card_share in prop::sample::select(vec![0u32, 0, 30, 100]),
        extra_cash in 0..500u32,
        name in random_text(),
        cashier in prop::option::of(random_text()),
        policy in prop::option::of(random_text()),
        profile in prop::sample::select(PrinterProfile::ALL.to_vec()),
        merchant in any::<bool>(),
        training in any::<bool>(),
        reprint in any::<bool>(),
        offset in -720..=840i32,
        line_vat in any::<bool>(),
    ) {
        let (store, sale) = random_sale(
            russian, exclusive, increment, &lines, order_discount, card_share, extra_cash, &name,
            line_vat,
        );
        let options = ReceiptOptions {
            language: if russian { ReceiptLanguage::Russian } else { ReceiptLanguage::English },
            copy: if merchant { ReceiptCopy::Merchant } else { ReceiptCopy::Customer },
            cashier,
            return_policy: policy,
            utc_offset_minutes: offset,
            training,
            reprint,
            ..ReceiptOptions::default()
        };
        let layout = ReceiptLayout::from_sale(&sale, &store, &options);
        let encoded = layout.encode(profile).unwrap();
        prop_assert!(encoded.replaced.is_empty(), "{:?}", encoded.replaced);
        let width = usize::from(profile.chars_per_line);
        let printed = printed_lines(&encoded.bytes);
        for (cells, scale) in &printed {
            prop_assert!(*cells <= width, "{cells} cells at x{scale} on {width}:\n{}", layout.to_text(width));
        }
        let preview = layout.to_text(width);
        let text_lines: Vec<&str> = preview
            .lines()
            .filter(|l| !l.starts_with('['))
            .collect();
        prop_assert_eq!(text_lines.len(), printed.len());
        for line in text_lines {
            prop_assert!(line.chars().count() <= width, "{line:?}");
        }
        // The total is on the paper, in the receipt's language.
        let total = pos_devices::format_money(sale.totals().total, sale.totals().currency, options.language);
        prop_assert!(preview.contains(&total), "{total} not in\n{preview}");
        // With VAT on each line, the lines add up to the total exactly.
        if line_vat {
            let (line_totals, _) = line_rows(&layout, options.language);
            prop_assert!(line_totals.len() >= sale.lines().len());
            prop_assert_eq!(line_totals.iter().copied().sum::<Decimal>(), sale.totals().total, "{}", preview);
        }
    }
}

// ---- Decoded by emupos -------------------------------------------------------------------

/// Bytes through the shared emupos harness, with no extra options.
fn decode(profile: &str, bytes: &[u8]) -> Decoded {
    common::decode(profile, bytes, &[])
}

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn russian_cash_receipt_decodes_with_emupos() {
    let (store, sale) = cyrillic_sale();
    let encoded = ReceiptLayout::from_sale(&sale, &store, &russian())
        .encode(PrinterProfile::EPSON_TM_T20)
        .unwrap();
    assert!(encoded.replaced.is_empty());
    let decoded = decode("epson-tm-t20iii", &encoded.bytes);
    println!("{}", decoded.receipts.join("\n[next]\n"));

    assert_eq!(decoded.boundaries, ["cut"], "{:?}", decoded.receipts);
    let text = &decoded.receipts[0];
    for expected in [
        "Кофейня у дома",
        "ул. Ленина, 5, Москва",
        "ИНН 7701234567",
        "Чек T1-000007",
        "29.11.2026 16:05",
        "Кассир: Мария Иванова",
        "Капучино",
        "+ Овсяное молоко",
        "2 x 3,60",
        "Мороженое в стаканчике",
        "Классический бургер",
        "Итого",
        "18,70 RUB",
        "Оплачено",
        "19,00 RUB",
        "в т.ч. НДС 20 %",
        "Наличные",
        "100,00 RUB",
        "Сдача",
        "81,00 RUB",
        "Спасибо за покупку!",
        &format!("[qr RCPT:{CYRILLIC_ID};18.70;RUB]"),
        "[barcode CODE128 T1-000007]",
    ] {
        assert!(text.contains(expected), "{expected:?} is not in:\n{text}");
    }
    let drawer = decoded.events_of("drawer.opened");
    assert_eq!(drawer.len(), 1, "{:?}", decoded.events);
    assert_eq!(drawer[0]["pin"], 2);
    assert!(
        decoded.events_of("printer.command.unknown").is_empty(),
        "{:?}",
        decoded.events
    );
    assert!(
        decoded.events_of("printer.codepage.unsupported").is_empty(),
        "{:?}",
        decoded.events
    );
}

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn english_card_sale_prints_two_copies_with_emupos() {
    let (store, sale) = latin_sale();
    let mut bytes = Vec::new();
    for &copy in ReceiptCopy::for_sale(&sale) {
        let encoded = ReceiptLayout::from_sale(&sale, &store, &english(copy))
            .encode(PrinterProfile::XPRINTER_58)
            .unwrap();
        assert!(encoded.replaced.is_empty());
        bytes.extend_from_slice(&encoded.bytes);
    }
    let decoded = decode("epson-tm-t20iii", &bytes);
    println!("{}", decoded.receipts.join("\n[next]\n"));
    assert_eq!(decoded.boundaries, ["cut", "cut"]);
    let (customer, merchant) = (&decoded.receipts[0], &decoded.receipts[1]);
    for text in [customer, merchant] {
        for expected in [
            "Demo Food Truck",
            "Classic Burger",
            "+ Bacon",
            "0.250 kg x 24.00",
            "Order discount 5%",
            "32.06 EUR",
            "Card **** 4242",
            "Auth code A1B2C3",
            "Change",
            "7.94 EUR",
            &format!("[qr RCPT:{LATIN_ID};32.06;EUR]"),
        ] {
            assert!(text.contains(expected), "{expected:?} is not in:\n{text}");
        }
        for line in text.lines().filter(|l| !l.starts_with('[')) {
            assert!(line.chars().count() <= 32, "{line:?}");
        }
    }
    assert!(customer.contains("CUSTOMER COPY") && !customer.contains("Signature"));
    assert!(merchant.contains("MERCHANT COPY") && merchant.contains("Signature ____"));
    assert_eq!(decoded.events_of("drawer.opened").len(), 1);
    assert!(
        decoded.events_of("printer.command.unknown").is_empty(),
        "{:?}",
        decoded.events
    );
}

#[test]
fn the_terminal_slip_prints_above_the_cut_and_the_drawer_kick_stays_first() {
    // Card and cash: the drawer kick leads the receipt, the terminal's lines end it.
    let (store, sale) = latin_sale();
    let mut layout = ReceiptLayout::from_sale(&sale, &store, &english(ReceiptCopy::Customer));
    let before = layout.blocks.len();
    layout.append_terminal_slip(&[
        "TERMINAL 52500038".into(),
        "AUTH 123456  TRACE 000042".into(),
    ]);
    assert_eq!(layout.blocks.len(), before + 2);
    assert_eq!(layout.blocks[0], ReceiptBlock::OpenDrawer);
    let text = layout.to_text(42);
    assert!(
        text.ends_with(
            "[barcode T1-000042]\n\
             ------------------------------------------\n\
             TERMINAL 52500038\n\
             AUTH 123456  TRACE 000042\n\
             [cut]\n"
        ),
        "{text}"
    );
    layout.append_terminal_slip(&[]);
    assert_eq!(layout.blocks.len(), before + 2, "no lines, nothing added");
}

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn the_logo_prints_above_the_store_name_and_is_left_out_where_the_paper_is_too_narrow() {
    let (store, sale) = cyrillic_sale();
    // A dark square on white with a transparent margin, as a canvas gives a PNG logo.
    let (w, h) = (64u32, 24u32);
    let mut rgba = Vec::new();
    for y in 0..h {
        for x in 0..w {
            let inside = (8..56).contains(&x) && (4..20).contains(&y);
            rgba.extend_from_slice(if inside {
                &[20, 20, 20, 255]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let logo = Bitmap::from_gray(&gray_from_rgba(&rgba), w, h, Dither::Threshold(128)).unwrap();
    assert!(
        logo.is_black(10, 10) && !logo.is_black(2, 2),
        "transparency is paper, not ink"
    );
    let options = ReceiptOptions {
        logo: Some(logo),
        ..russian()
    };
    let layout = ReceiptLayout::from_sale(&sale, &store, &options);
    // The drawer opens first, as the receipt starts to print.
    assert!(
        layout
            .to_text(48)
            .starts_with("[open drawer]\n[logo 64x24]\n"),
        "{}",
        layout.to_text(48)
    );

    let decoded = decode(
        "epson-tm-t20iii",
        &layout.encode(PrinterProfile::EPSON_TM_T20).unwrap().bytes,
    );
    let text = &decoded.receipts[0];
    let (logo_at, name_at) = (text.find("[image 64x24]"), text.find("Кофейня у дома"));
    assert!(logo_at.is_some() && logo_at < name_at, "{text}");

    // 64 dots do not fit paper of 48 dots: the receipt still prints, without the logo.
    let narrow = PrinterProfile {
        dots_per_line: 48,
        ..PrinterProfile::EPSON_TM_T20
    };
    let decoded = decode("epson-tm-t20iii", &layout.encode(narrow).unwrap().bytes);
    assert!(
        !decoded.receipts[0].contains("[image"),
        "{}",
        decoded.receipts[0]
    );
    assert!(decoded.receipts[0].contains("Кофейня у дома"));
}

// ---- Refund slips -------------------------------------------------------------------------

/// A small sale paid partly by card and partly in cash, with change.
fn card_and_cash_sale() -> (Store, Sale) {
    fries_and_cola(
        &[Pay::Card(Some("2"), "a1b2c3", "4242"), Pay::Cash("5")],
        43,
    )
}

/// Fries and a cola from the English demo menu, paid as `pays`.
fn fries_and_cola(pays: &[Pay<'_>], sequence: u64) -> (Store, Sale) {
    let (store, catalog) = demo::food_truck(false);
    let sale = sell(
        &store,
        &catalog,
        &[("fries", &[], "1", None), ("cola", &[], "1", None)],
        None,
        pays,
        LATIN_ID.parse().unwrap(),
        sequence,
        AT_MS,
    );
    (store, sale)
}

/// A Russian cash sale of one coffee, rounded to whole roubles.
fn cyrillic_cash_sale() -> (Store, Sale) {
    let store = cyrillic_store();
    let (_, catalog) = demo::food_truck(true);
    let sale = sell(
        &store,
        &catalog,
        &[("cappuccino", &[], "1", None)],
        None,
        &[Pay::Cash("5")],
        CYRILLIC_ID.parse().unwrap(),
        8,
        AT_MS,
    );
    (store, sale)
}

/// The slip of a whole refund of `sale`, paid back as the sale was paid.
fn refund_slip(
    store: &Store,
    sale: &Sale,
    reason: &str,
    terminal_slip: &[&str],
    options: &ReceiptOptions,
) -> ReceiptLayout {
    let refund = RefundSlip {
        paid_back: sale.refund_split(),
        reason: reason.into(),
        returned: Vec::new(),
        terminal_slip: terminal_slip.iter().map(|l| l.to_string()).collect(),
        void: false,
        store_credit: None,
    };
    ReceiptLayout::refund_slip(sale, &refund, store, options)
}

/// The English slip of a card-and-cash sale, with the terminal's lines of the card part.
fn english_refund_slip() -> ReceiptLayout {
    let (store, sale) = card_and_cash_sale();
    refund_slip(
        &store,
        &sale,
        "Cold fries",
        &["TERMINAL 52500038", "REFUND  AUTH 654321"],
        &english(ReceiptCopy::Customer),
    )
}

/// The Russian slip of a cash sale.
fn russian_refund_slip() -> ReceiptLayout {
    let (store, sale) = cyrillic_cash_sale();
    refund_slip(&store, &sale, "Передумал", &[], &russian())
}

#[test]
fn english_refund_slip_of_a_card_and_cash_sale() {
    expect![[r#"
        [open drawer]
               REFUND
                      CUSTOMER COPY
           Demo Food Truck
                     Market Square 1
                   Tax no. DE000000000
        ------------------------------------------
        Receipt T1-000043         2026-11-29 14:05
        Cashier: Alex
        ------------------------------------------
        Fries                                 3.50
        Cola                                  2.50
        ------------------------------------------
        ==========================================
        Total        6.00 EUR
        incl. VAT 10% on 3.18                 0.32
        incl. VAT 20% on 2.08                 0.42
        ------------------------------------------
        Card **** 4242                    2.00 EUR
        Auth code A1B2C3
        Cash                              5.00 EUR
        Change                            1.00 EUR
        ==========================================
        Refunded                          6.00 EUR
        Back to the card                  2.00 EUR
        In cash from the drawer           4.00 EUR
        Reason: Cold fries

        Returns within 14 days with this receipt.

          Thank you! Demo receipt, not a fiscal
                        document.

        [qr RCPT:0192f5a4-1b2c-7d3e-8f40-123456789abc;6.00;EUR]
        [barcode T1-000043]
        ------------------------------------------
        TERMINAL 52500038
        REFUND  AUTH 654321
        [cut]
    "#]]
    .assert_eq(&english_refund_slip().to_text(42));
}

#[test]
fn russian_refund_slip_of_a_cash_sale() {
    expect![[r#"
        [open drawer]
            ВОЗВРАТ
         Кофейня у дома
             ул. Ленина, 5, Москва
                 ИНН 7701234567
        --------------------------------
        Чек T1-000008   29.11.2026 16:05
        Кассир: Мария Иванова
        --------------------------------
        Капучино                    3,20
        --------------------------------
        ================================
        Итого   3,20 RUB
        Округление                 -0,20
        Оплачено                3,00 RUB
        в т.ч. НДС 20 % от 2,67     0,53
        --------------------------------
        Наличные                5,00 RUB
        Сдача                   2,00 RUB
        ================================
        Возвращено              3,00 RUB
        Наличными из ящика      3,00 RUB
        Причина: Передумал

        Возврат в течение 14 дней при
        наличии чека.

              Спасибо за покупку!

        [qr RCPT:0192f5a4-1b2c-7d3e-8f40-cba987654321;3.20;RUB]
        [barcode T1-000008]
        [cut]
    "#]]
    .assert_eq(&russian_refund_slip().to_text(32));
}

/// A voided sale's slip is titled as a void, not a refund, in both languages; the rest is the
/// refund slip's (what went back, and through which tender).
#[test]
fn a_voided_sales_slip_says_void() {
    let (store, sale) = cyrillic_cash_sale();
    let void = RefundSlip {
        paid_back: sale.refund_split(),
        reason: "Пробил дважды".into(),
        returned: Vec::new(),
        terminal_slip: Vec::new(),
        void: true,
        store_credit: None,
    };
    let russian = ReceiptLayout::refund_slip(&sale, &void, &store, &russian()).to_text(32);
    assert!(russian.contains("АННУЛИРОВАНИЕ\n"), "{russian}");
    assert!(!russian.contains("ВОЗВРАТ"), "{russian}");
    assert!(
        russian.contains("Наличными из ящика      3,00 RUB"),
        "{russian}"
    );
    let (store, sale) = card_and_cash_sale();
    let void = RefundSlip {
        paid_back: sale.refund_split(),
        reason: "Rang up twice".into(),
        returned: Vec::new(),
        terminal_slip: Vec::new(),
        void: true,
        store_credit: None,
    };
    let english = ReceiptLayout::refund_slip(&sale, &void, &store, &english(ReceiptCopy::Customer))
        .to_text(42);
    assert!(english.contains("VOID\n"), "{english}");
    assert!(!english.contains("REFUND"), "{english}");
}

/// A refund of one line of two: the slip names what came back and what it paid back.
#[test]
fn a_refund_of_some_lines_lists_them_above_what_was_paid_back() {
    let (store, sale) = card_and_cash_sale();
    let refund = RefundSlip {
        paid_back: pos_core::RefundSplit {
            card: Decimal::ZERO,
            cash: Decimal::new(250, 2),
            ..Default::default()
        },
        reason: "Flat cola".into(),
        returned: vec![ReturnedItem {
            name: "Cola".into(),
            quantity: Decimal::ONE,
            amount: Decimal::new(250, 2),
        }],
        terminal_slip: Vec::new(),
        void: false,
        store_credit: None,
    };
    let slip = ReceiptLayout::refund_slip(&sale, &refund, &store, &english(ReceiptCopy::Customer));
    let text = slip.to_text(42);
    let paid_back = text
        .split("==========================================\n")
        .nth(2)
        .unwrap();
    expect![[r#"
        Items returned
        1 x Cola                              2.50
        Refunded                          2.50 EUR
        In cash from the drawer           2.50 EUR
        Reason: Flat cola

    "#]]
    .assert_eq(paid_back.split("Returns within").next().unwrap());
}

/// An exchange: the slip of the goods brought back says what went to the new goods, and only
/// the cash handed back opens the drawer's line.
#[test]
fn an_exchange_slip_says_what_the_goods_taken_instead_kept() {
    let (store, sale) = card_and_cash_sale();
    let refund = RefundSlip {
        paid_back: pos_core::RefundSplit {
            card: Decimal::ZERO,
            cash: Decimal::new(100, 2),
            exchange: Decimal::new(150, 2),
            gift_card: Decimal::ZERO,
        },
        reason: "Wrong size".into(),
        returned: Vec::new(),
        terminal_slip: Vec::new(),
        void: false,
        store_credit: None,
    };
    let slip = ReceiptLayout::refund_slip(&sale, &refund, &store, &english(ReceiptCopy::Customer));
    let text = slip.to_text(42);
    let paid_back = text
        .split("==========================================\n")
        .nth(2)
        .unwrap();
    expect![[r#"
        Refunded                          2.50 EUR
        In cash from the drawer           1.00 EUR
        Towards the exchange              1.50 EUR
        Reason: Wrong size

    "#]]
    .assert_eq(paid_back.split("Returns within").next().unwrap());
}

/// Goods returned with no receipt as store credit: the slip prints the new card's whole number
/// and its barcode, and nothing from the drawer.
#[test]
fn a_store_credit_slip_prints_the_new_cards_number() {
    let (store, sale) = card_and_cash_sale();
    let card = pos_core::gift_card::GiftCardNumber::from_body(612_345_678_901_234).unwrap();
    let refund = RefundSlip {
        paid_back: pos_core::RefundSplit {
            card: Decimal::ZERO,
            cash: Decimal::ZERO,
            exchange: Decimal::ZERO,
            gift_card: Decimal::new(250, 2),
        },
        reason: "No receipt".into(),
        returned: Vec::new(),
        terminal_slip: Vec::new(),
        void: false,
        store_credit: Some(card.clone()),
    };
    let slip = ReceiptLayout::refund_slip(&sale, &refund, &store, &english(ReceiptCopy::Customer));
    let text = slip.to_text(42);
    let paid_back = text
        .split("==========================================\n")
        .nth(2)
        .unwrap();
    assert!(
        paid_back.contains("Store credit on gift card\n"),
        "{paid_back}"
    );
    assert!(paid_back.contains(&card.grouped()), "{paid_back}");
    assert!(!paid_back.contains("In cash"), "{paid_back}");
    let barcode = ReceiptBlock::Barcode {
        data: card.digits().to_owned(),
    };
    assert!(slip.blocks.contains(&barcode));
    assert!(!slip.blocks.contains(&ReceiptBlock::OpenDrawer));
}

#[test]
fn the_drawer_opens_for_cash_paid_back_only() {
    let (store, sale) = card_and_cash_sale();
    let kicks = |refund: &RefundSlip, options: &ReceiptOptions| {
        let slip = ReceiptLayout::refund_slip(&sale, refund, &store, options);
        slip.blocks
            .iter()
            .filter(|b| **b == ReceiptBlock::OpenDrawer)
            .count()
    };
    let customer = english(ReceiptCopy::Customer);
    let mut refund = RefundSlip {
        paid_back: sale.refund_split(),
        reason: "Cold fries".into(),
        returned: Vec::new(),
        terminal_slip: Vec::new(),
        void: false,
        store_credit: None,
    };
    assert_eq!(kicks(&refund, &customer), 1);
    // The sale took cash, but this refund pays nothing back from the drawer.
    refund.paid_back.cash = Decimal::ZERO;
    assert_eq!(kicks(&refund, &customer), 0);
    refund.paid_back = sale.refund_split();
    let no_kick = ReceiptOptions {
        open_drawer_for_cash: false,
        ..customer.clone()
    };
    assert_eq!(kicks(&refund, &no_kick), 0);
    assert_eq!(kicks(&refund, &english(ReceiptCopy::Merchant)), 0);
}

/// Prints `slip` on a TM-T20III as emupos reads it, checks that the paper says what the
/// preview says (emupos drops alignment and names the barcode's symbology), and returns the
/// printed text.
fn printed_as_previewed(slip: &ReceiptLayout) -> String {
    let encoded = slip.encode(PrinterProfile::EPSON_TM_T20).unwrap();
    assert!(encoded.replaced.is_empty());
    let decoded = decode("epson-tm-t20iii", &encoded.bytes);
    assert_eq!(decoded.boundaries, ["cut"]);
    assert_eq!(decoded.events_of("drawer.opened").len(), 1);
    for kind in ["printer.command.unknown", "printer.codepage.unsupported"] {
        assert!(decoded.events_of(kind).is_empty(), "{:?}", decoded.events);
    }
    let text = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('['))
            .map(|l| l.trim().to_owned())
            .collect()
    };
    let printed = decoded.receipts[0].clone();
    assert_eq!(text(&printed), text(&slip.to_text(48)), "{printed}");
    printed
}

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn english_refund_slip_decodes_with_emupos() {
    let printed = printed_as_previewed(&english_refund_slip());
    for expected in [
        "REFUND\n",
        "Reason: Cold fries\n",
        &format!("[qr RCPT:{LATIN_ID};6.00;EUR]\n[barcode CODE128 T1-000043]\n"),
        "TERMINAL 52500038\nREFUND  AUTH 654321\n",
    ] {
        assert!(
            printed.contains(expected),
            "{expected:?} is not in:\n{printed}"
        );
    }
}

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn russian_refund_slip_decodes_from_cp866_with_emupos() {
    let slip = russian_refund_slip();
    // ESC t 17: the Cyrillic goes out as PC866, the page the TM-T20III's manual lists.
    let bytes = slip.encode(PrinterProfile::EPSON_TM_T20).unwrap().bytes;
    assert!(bytes.windows(3).any(|w| w == [0x1B, b't', 17]));
    let printed = printed_as_previewed(&slip);
    for expected in ["ВОЗВРАТ\n", "Возвращено", "Причина: Передумал\n"]
    {
        assert!(
            printed.contains(expected),
            "{expected:?} is not in:\n{printed}"
        );
    }
}

/// `n` rows of a receipt's text from the first that starts with `start`.
fn rows_from<'t>(text: &'t str, start: &str, n: usize) -> Vec<&'t str> {
    text.lines()
        .skip_while(|l| !l.starts_with(start))
        .take(n)
        .collect()
}

/// Fries and a cola, 2.50 from the gift card 6012 0000 0000 0011, the rest in cash.
fn gift_card_and_cash_sale() -> (Store, Sale) {
    fries_and_cola(
        &[Pay::GiftCard("2.50", "6012 0000 0000 0011"), Pay::Cash("5")],
        44,
    )
}

/// A gift card tender prints as the card's last four digits and what it paid; its refund goes
/// back onto the gift card, not to a bank card.
#[test]
fn a_gift_card_tender_and_its_refund_print_the_cards_last_four() {
    let (store, sale) = gift_card_and_cash_sale();
    let receipt =
        ReceiptLayout::from_sale(&sale, &store, &english(ReceiptCopy::Customer)).to_text(42);
    let tenders = rows_from(&receipt, "Gift card", 3);
    expect![[r#"
        [
            "Gift card **** 0011               2.50 EUR",
            "Cash                              5.00 EUR",
            "Change                            1.50 EUR",
        ]
    "#]]
    .assert_debug_eq(&tenders);

    let slip = refund_slip(
        &store,
        &sale,
        "Cold fries",
        &[],
        &english(ReceiptCopy::Customer),
    )
    .to_text(42);
    let paid_back = rows_from(&slip, "Refunded", 3);
    expect![[r#"
        [
            "Refunded                          6.00 EUR",
            "Back to the gift card             2.50 EUR",
            "In cash from the drawer           3.50 EUR",
        ]
    "#]]
    .assert_debug_eq(&paid_back);
}

/// Points pay as a tender naming how many; the receipt then says what the sale earned the
/// customer and their balance after it.
#[test]
fn points_paid_earned_and_the_balance_print_on_the_receipt() {
    let (store, sale) = fries_and_cola(&[Pay::Points("10", "1.00"), Pay::Cash("5")], 45);
    let rule = pos_core::loyalty::LoyaltyRule {
        points_per_currency_unit: Decimal::ONE,
        points_per_visit: Decimal::ZERO,
        points_per_product: Default::default(),
        point_value: d("0.10"),
        offline: pos_core::OfflineAllowance { cap: d("100") },
    };
    let sale = sale
        .for_customer(Some(Uuid::from_u128(0xA1)))
        .earning_points(Some(&rule), Some(d("40")));
    let receipt =
        ReceiptLayout::from_sale(&sale, &store, &english(ReceiptCopy::Customer)).to_text(42);
    let tenders = rows_from(&receipt, "Points (10)", 5);
    expect![[r#"
        [
            "Points (10)                       1.00 EUR",
            "Cash                              5.00 EUR",
            "Change                            0.00 EUR",
            "Points earned                            5",
            "Points balance                          35",
        ]
    "#]]
    .assert_debug_eq(&tenders);
    // A sale with no customer earns nothing and says nothing of points.
    let (store, plain) = fries_and_cola(&[Pay::Cash("6")], 46);
    let receipt =
        ReceiptLayout::from_sale(&plain, &store, &english(ReceiptCopy::Customer)).to_text(42);
    assert!(!receipt.contains("Points"), "{receipt}");
}

#[test]
fn a_gift_card_tender_prints_in_russian() {
    let store = cyrillic_store();
    let (_, catalog) = demo::food_truck(true);
    let sale = sell(
        &store,
        &catalog,
        &[("cappuccino", &[], "1", None)],
        None,
        &[Pay::GiftCard("3.20", "6012000000000011")],
        CYRILLIC_ID.parse().unwrap(),
        9,
        AT_MS,
    );
    let receipt = ReceiptLayout::from_sale(&sale, &store, &russian()).to_text(32);
    assert!(receipt.contains("Подарочная карта **** 0011"), "{receipt}");
    assert!(
        !receipt.contains("Сдача"),
        "a gift card gives no change: {receipt}"
    );
    let slip = refund_slip(&store, &sale, "Передумал", &[], &russian()).to_text(32);
    assert!(slip.contains("На подарочную карту"), "{slip}");
    assert!(!slip.contains("Наличными из ящика"), "{slip}");
}

/// A block of gift cards sold prints as one line naming the first and last card, in characters
/// every printer has, and without VAT.
#[test]
fn a_block_of_gift_cards_sold_prints_as_one_line() {
    let (store, _) = demo::food_truck(false);
    let first = pos_core::gift_card::GiftCardNumber::parse("6012000000000011").unwrap();
    let cards = pos_core::gift_card::generate_block(&first, 3).unwrap();
    let mut ticket = Ticket::new(store.rules);
    ticket
        .add_gift_cards(cards, d("25.00"), "Gift card •••• 0011")
        .unwrap();
    let mut payment = Payment::new(ticket.totals().total, store.rules);
    payment.add_cash(d("75")).unwrap();
    let number = ReceiptNumber {
        device_code: "T1".into(),
        sequence: 45,
    };
    let sale = ticket
        .complete(&payment, LATIN_ID.parse().unwrap(), number, AT_MS)
        .unwrap();
    let receipt =
        ReceiptLayout::from_sale(&sale, &store, &english(ReceiptCopy::Customer)).to_text(42);
    let line = rows_from(&receipt, "Gift card", 2);
    expect![[r#"
        [
            "Gift card **** 0011 - 0037",
            "  3 x 25.00                          75.00",
        ]
    "#]]
    .assert_debug_eq(&line);
    assert!(!receipt.contains('•'), "{receipt}");
}
