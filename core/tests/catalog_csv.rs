//! The catalog as a CSV file: the export read back gives the same catalog, bad rows are refused
//! one by one with their line and column, and no file makes the import panic or propose edits
//! that `Catalog::apply` refuses.

use pos_core::{
    BarcodeError, Catalog, CatalogEdit, CatalogError, ImportPreview, ImportProblem, Modifier,
    ModifierGroup, Product, RowError, RowKind, Unit, Variant, demo, export_csv, preview_csv,
    preview_csv_steps,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// Ids as a caller would give them: fresh on every call.
fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("new-{n}")
    }
}

/// `into` with every edit of the preview applied, in order. Each one must apply.
fn applied(into: &Catalog, preview: &ImportPreview) -> Catalog {
    let mut catalog = into.clone();
    for (i, edit) in preview.edits.iter().enumerate() {
        if let Err(error) = catalog.apply(edit) {
            panic!("edit {i} ({edit:?}) is refused: {error}");
        }
    }
    catalog
}

fn price(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn product_edits(preview: &ImportPreview) -> Vec<&Product> {
    preview
        .edits
        .iter()
        .filter_map(|e| match e {
            CatalogEdit::PutProduct(p) => Some(p),
            _ => None,
        })
        .collect()
}

/// The demo menu with one of everything the format has: variants with their own SKU and codes,
/// modifier groups, a product sold by the litre, an archived one, a cost, a price typed at the
/// sale and a tile colour.
fn menu() -> Catalog {
    let (_, mut c) = demo::food_truck(false);
    c.modifiers.push(Modifier {
        id: "soy".into(),
        name: "Soy milk".into(),
        price: price("0.40"),
    });
    c.modifier_groups.push(ModifierGroup {
        id: "milk".into(),
        name: "Milk".into(),
        modifiers: vec!["oat".into(), "soy".into()],
        min: 0,
        max: Some(1),
    });
    c.modifier_groups.push(ModifierGroup {
        id: "dip".into(),
        name: "Dip".into(),
        modifiers: vec!["cheese-sauce".into()],
        min: 1,
        max: None,
    });
    fn product<'c>(c: &'c mut Catalog, id: &str) -> &'c mut Product {
        c.products.iter_mut().find(|p| p.id == id).unwrap()
    }
    let latte = product(&mut c, "latte");
    latte.modifier_groups = vec!["milk".into()];
    latte.variants = vec![
        Variant {
            id: "small".into(),
            name: "Small".into(),
            price: price("3.00"),
            sku: String::new(),
            barcodes: vec![pos_core::with_check_digit("200000001001")],
        },
        Variant {
            id: "large".into(),
            name: "Large".into(),
            price: price("4.20"),
            sku: "FT-025-L".into(),
            barcodes: vec![pos_core::with_check_digit("200000001002"), "LATTE-L".into()],
        },
    ];
    product(&mut c, "fries").modifier_groups = vec!["dip".into()];
    product(&mut c, "coleslaw").archived = true;
    product(&mut c, "classic-burger").cost = Some(price("3.10"));
    product(&mut c, "cola").colour = Some("#b00020".into());
    c.products.push(Product {
        id: "lemonade-tap".into(),
        name: "Lemonade on tap, \"fresh\"".into(),
        sku: "FT-101".into(),
        barcodes: vec![],
        price: price("6.00"),
        tax_category: "drinks-std".into(),
        unit: Unit::Litre,
        category: "drinks".into(),
        ..Product::default()
    });
    c.products.push(Product {
        id: "tip".into(),
        name: "Tip jar".into(),
        sku: "FT-102".into(),
        price: Decimal::ZERO,
        open_price: true,
        tax_category: "food".into(),
        category: "desserts".into(),
        ..Product::default()
    });
    c.validate().unwrap();
    c
}

/// The catalog with every id replaced by the record's name (or a product's SKU), so that two
/// catalogs whose records got different ids compare equal.
fn by_names(c: &Catalog) -> Catalog {
    let name_of = |id: &String, found: Option<&String>| found.unwrap_or(id).clone();
    let category = |id: &String| name_of(id, c.category(id).map(|x| &x.name));
    let modifier = |id: &String| name_of(id, c.modifier(id).map(|x| &x.name));
    let group = |id: &String| name_of(id, c.modifier_group(id).map(|x| &x.name));
    let tax = |id: &String| name_of(id, c.tax_category(id).map(|x| &x.name));
    let mut n = c.clone();
    n.is_demo = false;
    n.currency = None;
    for x in &mut n.categories {
        x.id = x.name.clone();
    }
    for x in &mut n.modifiers {
        x.id = x.name.clone();
    }
    for x in &mut n.tax_categories {
        x.id = x.name.clone();
    }
    for g in &mut n.modifier_groups {
        g.id = g.name.clone();
        g.modifiers = g.modifiers.iter().map(modifier).collect();
    }
    for p in &mut n.products {
        p.id = p.sku.clone();
        p.category = category(&p.category);
        p.tax_category = tax(&p.tax_category);
        p.modifiers = p.modifiers.iter().map(modifier).collect();
        p.modifier_groups = p.modifier_groups.iter().map(group).collect();
        for v in &mut p.variants {
            v.id = v.name.clone();
        }
    }
    n
}

#[test]
fn the_export_read_into_an_empty_catalog_is_the_same_catalog() {
    let menu = menu();
    let file = export_csv(&menu);
    let preview = preview_csv(&file, &Catalog::default(), ids());
    assert_eq!(preview.errors, []);
    let imported = applied(&Catalog::default(), &preview);
    assert_eq!(by_names(&imported), by_names(&menu));
    imported.validate().unwrap();

    // Into a catalog that already has the tax categories: they are matched by name and kept.
    let with_taxes = Catalog {
        tax_categories: menu.tax_categories.clone(),
        ..Catalog::default()
    };
    let preview = preview_csv(&file, &with_taxes, ids());
    assert_eq!(preview.errors, []);
    assert!(
        !preview
            .edits
            .iter()
            .any(|e| matches!(e, CatalogEdit::PutTaxCategory(_)))
    );
    let imported = applied(&with_taxes, &preview);
    assert_eq!(by_names(&imported), by_names(&menu));
    assert_eq!(imported.tax_categories, menu.tax_categories);
}

#[test]
fn the_export_read_into_its_own_catalog_changes_nothing() {
    let menu = menu();
    let preview = preview_csv(&export_csv(&menu), &menu, ids());
    assert_eq!(preview, ImportPreview::default());
}

#[test]
fn the_export_has_one_row_per_record_and_variants_follow_their_product() {
    let file = export_csv(&menu());
    let lines: Vec<&str> = file.lines().collect();
    assert_eq!(
        lines[0],
        "kind,sku,name,variant,product_sku,category,price,cost,unit,tax,barcodes,open_price,\
         archived,colour,modifiers,groups,position,rate,min,max"
    );
    assert_eq!(lines[1], "tax,,Food 10 %,,,,,,,,,,,,,,,10,,");
    assert!(lines.contains(&"group,,Milk,,,,,,,,,,,,Oat milk|Soy milk,,,,0,1"));
    let latte = lines.iter().position(|l| l.contains(",Latte,")).unwrap();
    assert_eq!(
        lines[latte],
        "product,FT-025,Latte,,,Drinks,3.50,,piece,Standard 20 %,2000000000251,no,no,,\
         Extra shot|Oat milk,Milk,,,,"
    );
    assert_eq!(
        lines[latte + 2],
        "variant,FT-025-L,,Large,FT-025,,4.20,,,,2000000010021|LATTE-L,,,,,,,,,"
    );
    assert!(file.contains("\"Lemonade on tap, \"\"fresh\"\"\""));
    assert_eq!(lines.len(), 1 + 2 + 5 + 9 + 2 + 32 + 2);
}

/// The characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection), and
/// the `'` that the export puts before them, which the import must take off again.
const FORMULA_STARTS: [&str; 7] = ["=", "+", "-", "@", "\t", "\r", "'"];

/// The file's cells, as a spreadsheet reads them.
fn cells(file: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(file.as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

#[test]
fn a_name_a_spreadsheet_would_run_is_exported_as_text_and_imported_as_it_was() {
    let mut menu = menu();
    let link = "=HYPERLINK(\"http://evil.example\",\"Click\")";
    menu.products[0].name = link.into();
    menu.products[1].name = "'Tis the season".into();
    menu.products[2].sku = "-FT-900".into();
    menu.categories[0].name = "+Specials".into();
    menu.modifiers[0].name = "@Ice".into();
    menu.tax_categories[0].name = "\tFood 10 %".into();
    menu.validate().unwrap();
    let file = export_csv(&menu);

    let cells = cells(&file);
    assert!(cells.contains(&format!("'{link}")), "{file}");
    assert!(cells.contains(&"''Tis the season".to_string()));
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "{cell:?}"
        );
    }

    let preview = preview_csv(&file, &Catalog::default(), ids());
    assert_eq!(preview.errors, []);
    assert_eq!(
        by_names(&applied(&Catalog::default(), &preview)),
        by_names(&menu)
    );
    assert_eq!(preview_csv(&file, &menu, ids()), ImportPreview::default());
}

/// A thousand products, of which rows 101, 501 and 901 are bad.
fn thousand_rows() -> (String, [String; 3]) {
    let mut file = String::from("sku,name,category,price,tax,barcodes\n");
    let mut bad = [String::new(), String::new(), String::new()];
    for i in 0..1000 {
        let line = i + 2;
        let mut price = format!("{}.{:02}", 1 + i % 50, i % 100);
        let mut tax = if i % 3 == 0 {
            "Standard 20 %"
        } else {
            "Food 10 %"
        };
        let mut code = pos_core::with_check_digit(&format!("21{i:010}"));
        match line {
            101 => {
                price = "1.2.3".into();
                bad[0] = price.clone();
            }
            501 => {
                tax = "Luxury 99 %";
                bad[1] = tax.into();
            }
            901 => {
                let last = code.pop().unwrap().to_digit(10).unwrap();
                code.push(char::from_digit((last + 1) % 10, 10).unwrap());
                bad[2] = code.clone();
            }
            _ => {}
        }
        let category = if i % 2 == 0 { "Burgers" } else { "Pantry" };
        file.push_str(&format!(
            "P{i:04},Product {i},{category},{price},{tax},{code}\n"
        ));
    }
    (file, bad)
}

#[test]
fn a_thousand_rows_with_three_bad_ones_give_three_errors_and_997_products() {
    let (_, into) = demo::food_truck(false);
    let (file, [bad_price, bad_tax, bad_code]) = thousand_rows();
    let preview = preview_csv(&file, &into, ids());
    let expected_digit = (bad_code.chars().last().unwrap().to_digit(10).unwrap() + 9) % 10;
    assert_eq!(
        preview.errors,
        [
            RowError {
                line: 101,
                column: Some("price".into()),
                reason: ImportProblem::BadPrice(bad_price),
            },
            RowError {
                line: 501,
                column: Some("tax".into()),
                reason: ImportProblem::UnknownTax(bad_tax),
            },
            RowError {
                line: 901,
                column: Some("barcodes".into()),
                reason: ImportProblem::Barcode {
                    code: bad_code.clone(),
                    error: BarcodeError::CheckDigit {
                        code: bad_code,
                        expected: expected_digit as u8,
                    },
                },
            },
        ]
    );
    assert_eq!(product_edits(&preview).len(), 997);
    // "Pantry" is made once, by the first row that names it, before the products.
    assert!(matches!(&preview.edits[0], CatalogEdit::PutCategory(c) if c.name == "Pantry"));
    assert_eq!(preview.edits.len(), 998);
    let imported = applied(&into, &preview);
    assert_eq!(imported.products.len(), 30 + 997);
    assert_eq!(
        imported.by_code("P0002").unwrap().price,
        price("3.02"),
        "found by SKU"
    );
    assert_eq!(
        preview.errors[0].to_string(),
        "line 101, price: \"1.2.3\" is not a price such as 3.50 or 3,50"
    );
}

#[test]
fn a_russian_excel_file_imports() {
    let code = pos_core::with_check_digit("460000000001");
    let file = format!(
        "\u{feff}kind;sku;name;category;price;unit;tax;barcodes;cost;rate;colour\r\n\
         tax;;НДС 10 %;;;;;;;10;\r\n\
         category;;Горячее;;;;;;;;#aa3300\r\n\
         product;RU-001;Пельмени домашние;Горячее;350,50;кг;НДС 10 %;{code};120,25;;\r\n\
         product;RU-002;\"Морс; клюквенный\";Напитки;1 200,00;л;ндс 10 %;;;;\r\n"
    );
    let preview = preview_csv(&file, &Catalog::default(), ids());
    assert_eq!(preview.errors, []);
    let catalog = applied(&Catalog::default(), &preview);
    let pelmeni = catalog.by_code(&code).unwrap();
    assert_eq!(pelmeni.name, "Пельмени домашние");
    assert_eq!(pelmeni.price, price("350.50"));
    assert_eq!(pelmeni.cost, Some(price("120.25")));
    assert_eq!(pelmeni.unit, Unit::Kilogram);
    assert_eq!(
        catalog.category(&pelmeni.category).unwrap().colour,
        "#aa3300"
    );
    let mors = catalog.by_code("RU-002").unwrap();
    assert_eq!(mors.name, "Морс; клюквенный");
    assert_eq!(mors.price, price("1200.00"));
    assert_eq!(mors.unit, Unit::Litre);
    assert_eq!(catalog.category(&mors.category).unwrap().name, "Напитки");
    assert_eq!(mors.tax_category, pelmeni.tax_category);
    assert_eq!(catalog.tax_categories[0].rate, Decimal::TEN);
}

#[test]
fn a_row_with_a_known_sku_updates_the_product_and_absent_columns_keep_their_values() {
    let (_, into) = demo::food_truck(false);
    let preview = preview_csv("SKU;Price\nft-001;8,90\nFT-099;1\n", &into, ids());
    let burger = into.product("classic-burger").unwrap();
    // FT-099 is new and has no name, tax or category.
    assert_eq!(preview.errors.len(), 1);
    assert_eq!(preview.errors[0].line, 3);
    assert!(matches!(
        preview.errors[0].reason,
        ImportProblem::Catalog(CatalogError::NameMissing)
    ));
    assert_eq!(
        preview.edits,
        [CatalogEdit::PutProduct(Product {
            sku: "ft-001".into(),
            price: price("8.90"),
            ..burger.clone()
        })]
    );
}

#[test]
fn codes_are_unique_within_the_file_and_against_the_rest_of_the_catalog() {
    let (_, into) = demo::food_truck(false);
    let cheeseburger_code = &into.product("cheeseburger").unwrap().barcodes[0];
    let a = pos_core::with_check_digit("290000000001");
    let file = format!(
        "sku,name,category,price,tax,barcodes\n\
         N1,One,Burgers,1,Food 10 %,{a}\n\
         N2,Two,Burgers,1,Food 10 %,{a}\n\
         N3,Three,Burgers,1,Food 10 %,{cheeseburger_code}\n\
         n1,One again,Burgers,1,Food 10 %,\n\
         FT-002,Cheeseburger,Burgers,9,Food 10 %,{a}\n"
    );
    let preview = preview_csv(&file, &into, ids());
    let reasons: Vec<(usize, Option<&str>, &ImportProblem)> = preview
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), &e.reason))
        .collect();
    let one = |code: &str| ImportProblem::DuplicateBarcode {
        code: code.into(),
        other: "One".into(),
        line: Some(2),
    };
    assert_eq!(
        reasons,
        [
            (3, Some("barcodes"), &one(&a)),
            (
                4,
                Some("barcodes"),
                &ImportProblem::DuplicateBarcode {
                    code: cheeseburger_code.clone(),
                    other: "Cheeseburger".into(),
                    line: None
                }
            ),
            (
                5,
                Some("sku"),
                &ImportProblem::DuplicateSku {
                    sku: "n1".into(),
                    other: "One".into(),
                    line: Some(2)
                }
            ),
            (6, Some("barcodes"), &one(&a)),
        ]
    );
    // The cheeseburger's own code is free once its row gives it up, but rows are taken top
    // down, so row 4 came too early for it.
    assert_eq!(product_edits(&preview).len(), 1);
}

#[test]
fn a_bad_variant_row_refuses_its_product_and_its_other_variants() {
    let (_, into) = demo::food_truck(false);
    let file = "kind,sku,name,variant,product_sku,price,category,tax\n\
                product,TEA,Tea,,,0,Drinks,Standard 20 %\n\
                variant,,,Small,TEA,2.00,,\n\
                variant,,,Large,TEA,lots,,\n\
                variant,,,Small,COFFEE,2.00,,\n\
                product,JUICE,Juice,,,0,Drinks,Standard 20 %\n\
                variant,,,Small,JUICE,2.00,,\n\
                varaint,,,Large,JUICE,3.00,,\n";
    let preview = preview_csv(file, &into, ids());
    let found: Vec<(usize, &ImportProblem)> =
        preview.errors.iter().map(|e| (e.line, &e.reason)).collect();
    assert_eq!(
        found,
        [
            (2, &ImportProblem::VariantRefused { line: 4 }),
            (3, &ImportProblem::ProductRefused { line: 4 }),
            (4, &ImportProblem::BadPrice("lots".into())),
            (5, &ImportProblem::UnknownProduct("COFFEE".into())),
            // A row that cannot be read may be a variant, which the product must not lose.
            (6, &ImportProblem::VariantRefused { line: 8 }),
            (7, &ImportProblem::ProductRefused { line: 6 }),
            (8, &ImportProblem::UnknownKind("varaint".into())),
        ]
    );
    assert_eq!(preview.edits, []);
}

#[test]
fn variant_rows_of_a_product_not_in_the_file_are_put_by_name() {
    let catalog = menu();
    let file = "product_sku,variant,price\nFT-025,large,4.40\nFT-025,Medium,3.80\n";
    let preview = preview_csv(file, &catalog, ids());
    assert_eq!(preview.errors, []);
    let after = applied(&catalog, &preview);
    let latte = after.product("latte").unwrap();
    let variants: Vec<(&str, &str, String)> = latte
        .variants
        .iter()
        .map(|v| (v.id.as_str(), v.name.as_str(), v.price.to_string()))
        .collect();
    assert_eq!(
        variants,
        [
            ("small", "Small", "3.00".into()),
            ("large", "large", "4.40".into()),
            ("new-1", "Medium", "3.80".into())
        ]
    );
}

#[test]
fn the_header_and_malformed_rows_are_reported() {
    let (_, into) = demo::food_truck(false);
    let file = "kind,name,prise,name,price\n\
                product,Tea,1,,2\n\
                modifier,Honey,x,,0.30,extra\n\
                potion,Elixir,,,\n\
                modifier,Honey,,,0.50\n\
                ,,,,\n\
                group,Sweet,,,\n";
    let preview = preview_csv(file, &into, ids());
    let found: Vec<(usize, Option<&str>, &ImportProblem)> = preview
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), &e.reason))
        .collect();
    assert_eq!(
        found,
        [
            (1, Some("prise"), &ImportProblem::UnknownColumn),
            (1, Some("name"), &ImportProblem::DuplicateColumn),
            (
                1,
                Some("sku"),
                &ImportProblem::MissingColumn {
                    kind: RowKind::Product
                }
            ),
            (
                3,
                None,
                &ImportProblem::TooManyColumns {
                    found: 6,
                    expected: 5
                }
            ),
            (
                4,
                Some("kind"),
                &ImportProblem::UnknownKind("potion".into())
            ),
            (
                7,
                Some("modifiers"),
                &ImportProblem::Catalog(CatalogError::GroupRule {
                    group: "Sweet".into()
                })
            ),
        ]
    );
    // The row on line 5 is the first Honey that could be read.
    assert!(matches!(
        &preview.edits[..],
        [CatalogEdit::PutModifier(m)] if m.name == "Honey" && m.price == price("0.50")
    ));
}

#[test]
fn rows_that_refer_to_a_refused_row_say_so() {
    let (_, into) = demo::food_truck(false);
    let file = "kind,sku,name,price,category,tax,colour,rate,modifiers\n\
                tax,,Luxury,,,,,200,\n\
                category,,Soups,,,,red,,\n\
                modifier,,Croutons,free,,,,,\n\
                product,S1,Tomato soup,4,Soups,Food 10 %,,,\n\
                product,S2,Onion soup,4,Burgers,Luxury,,,\n\
                product,S3,Pea soup,4,Burgers,Food 10 %,,,Croutons\n";
    let preview = preview_csv(file, &into, ids());
    let found: Vec<(usize, Option<&str>, &ImportProblem)> = preview
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), &e.reason))
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                Some("rate"),
                &ImportProblem::Catalog(CatalogError::Tax(
                    pos_core::TaxCategoryError::RateOutOfRange
                ))
            ),
            (
                3,
                Some("colour"),
                &ImportProblem::Catalog(CatalogError::Colour("red".into()))
            ),
            (4, Some("price"), &ImportProblem::BadPrice("free".into())),
            (
                5,
                Some("category"),
                &ImportProblem::RefersToRefusedRow { line: 3 }
            ),
            (
                6,
                Some("tax"),
                &ImportProblem::RefersToRefusedRow { line: 2 }
            ),
            (
                7,
                Some("modifiers"),
                &ImportProblem::RefersToRefusedRow { line: 4 }
            ),
        ]
    );
    assert_eq!(preview.edits, []);
}

#[test]
fn fifty_thousand_rows_are_previewed_in_one_pass() {
    let (_, into) = demo::food_truck(false);
    let mut file = String::from("sku,name,category,price,tax,barcodes\n");
    for i in 0..50_000 {
        let code = pos_core::with_check_digit(&format!("22{i:010}"));
        file.push_str(&format!(
            "S{i:05},Item {i},Shelf {},{}.99,Food 10 %,{code}\n",
            i % 40,
            1 + i % 90
        ));
    }
    let preview = preview_csv(&file, &into, ids());
    assert_eq!(preview.errors, []);
    assert_eq!(product_edits(&preview).len(), 50_000);
    assert_eq!(preview.edits.len(), 50_040);
}

/// One cell of a generated row, written as a spreadsheet would, quoted when it must be.
fn cell(text: &str, delimiter: char) -> String {
    if text.contains([delimiter, '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

const HEADER: [&str; 20] = [
    "kind",
    "sku",
    "name",
    "variant",
    "product_sku",
    "category",
    "price",
    "cost",
    "unit",
    "tax",
    "barcodes",
    "open_price",
    "archived",
    "colour",
    "modifiers",
    "groups",
    "position",
    "rate",
    "min",
    "max",
];

/// Values for each column, the good ones first, few enough that rows collide on names and
/// codes.
fn values(column: &str) -> (Vec<String>, Vec<String>) {
    let long = "x".repeat(130);
    let (good, bad): (Vec<&str>, Vec<&str>) = match column {
        "kind" => (
            vec![
                "product", "product", "product", "variant", "variant", "category", "modifier",
                "group", "tax", "",
            ],
            vec!["potion"],
        ),
        "sku" => (
            vec!["A", "a", "B", "C", "D", "E", "FT-001", "FT-002", ""],
            vec!["A B"],
        ),
        "name" => (
            vec![
                "Tea",
                "Coffee",
                "Burgers",
                "Drinks",
                "Extra cheese",
                "Milk",
                "Food 10 %",
                "Два; \"слова\"\nстроки",
            ],
            vec!["", &long],
        ),
        "variant" => (vec!["", "Small", "Large", "small"], vec![&long]),
        "product_sku" => (vec!["", "A", "B", "FT-001", "FT-025"], vec!["Z"]),
        "category" => (vec!["Burgers", "New shelf", "", "drinks"], vec![&long]),
        "price" | "cost" => (
            vec!["1.50", "3,50", "0", "", "1 234,5", "12"],
            vec!["-1", "abc", "100000000001", "99999999999999999999999999999"],
        ),
        "unit" => (vec!["piece", "kg", "л", ""], vec!["bad"]),
        "tax" => (vec!["Food 10 %", "food", "", "Standard 20 %"], vec!["Nope"]),
        "barcodes" => (
            vec!["", "TRUCK-1", "TRUCK-2|TRUCK-3"],
            vec!["2900000000018", "x|x"],
        ),
        "open_price" | "archived" => (vec!["yes", "no", "", "no"], vec!["maybe"]),
        "colour" => (vec!["", "#123456"], vec!["red"]),
        "modifiers" => (
            vec!["Extra cheese", "Bacon|Oat milk", "", "Extra cheese|Honey"],
            vec!["Nope"],
        ),
        "groups" => (vec!["", "Milk"], vec!["Nope"]),
        "position" => (vec!["", "1", "-9223372036854775808"], vec!["x"]),
        "rate" => (vec!["10", "20%", ""], vec!["200", "x"]),
        "min" | "max" => (vec!["", "0", "1", "2"], vec!["x"]),
        _ => (vec![""], vec![]),
    };
    let owned = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    let mut good = owned(good);
    if column == "barcodes" {
        // Codes of the demo menu, and new ones, alone and in pairs.
        let codes: Vec<String> = (0..8)
            .map(|i| pos_core::with_check_digit(&format!("2900000000{i:02}")))
            .chain([
                pos_core::with_check_digit("200000000001"),
                pos_core::with_check_digit("200000000002"),
            ])
            .collect();
        good.extend(codes.iter().cloned());
        good.push(format!("{} {}", codes[0], codes[1]));
        good.push(format!("{}|{}", codes[2], codes[8]));
    }
    (good, owned(bad))
}

/// Columns every generated header has; any of the others may be there too.
const CORE_COLUMNS: [&str; 8] = [
    "kind",
    "sku",
    "name",
    "variant",
    "product_sku",
    "category",
    "price",
    "tax",
];

fn generated_file() -> impl Strategy<Value = String> {
    let row = HEADER
        .map(|column| {
            let (good, bad) = values(column);
            let bad = if bad.is_empty() { good.clone() } else { bad };
            prop_oneof![
                19 => prop::sample::select(good),
                1 => prop::sample::select(bad),
            ]
        })
        .to_vec();
    let optional: Vec<&str> = HEADER
        .into_iter()
        .filter(|c| !CORE_COLUMNS.contains(c))
        .collect();
    (
        prop::sample::subsequence(optional.clone(), 0..=optional.len()),
        prop::collection::vec(row, 0..25),
        prop::bool::ANY,
        prop::bool::weighted(0.1),
    )
        .prop_map(|(extra, rows, semicolons, drop_core)| {
            let delimiter = if semicolons { ';' } else { ',' };
            let columns: Vec<&str> = HEADER
                .into_iter()
                .filter(|c| {
                    extra.contains(c) || (CORE_COLUMNS.contains(c) && !(drop_core && *c == "sku"))
                })
                .collect();
            let join = |cells: Vec<String>| cells.join(&delimiter.to_string());
            let mut file = join(columns.iter().map(|c| c.to_string()).collect());
            for row in rows {
                file.push('\n');
                let cells = columns
                    .iter()
                    .map(|c| {
                        let at = HEADER.iter().position(|h| h == c).unwrap();
                        cell(&row[at], delimiter)
                    })
                    .collect();
                file.push_str(&join(cells));
            }
            file
        })
}

fn check_preview(text: &str) -> Result<(), TestCaseError> {
    for into in [menu(), Catalog::default()] {
        let preview = preview_csv(text, &into, ids());
        let catalog = applied(&into, &preview);
        prop_assert_eq!(catalog.validate(), Ok(()));
        prop_assert!(preview.errors.windows(2).all(|w| w[0].line <= w[1].line));
    }
    Ok(())
}

/// One change to a file, as a hand in a spreadsheet or a text editor, or a damaged copy, makes it.
#[derive(Clone, Debug)]
enum Mutation {
    Delete(prop::sample::Index, usize),
    Insert(prop::sample::Index, String),
    Replace(prop::sample::Index, char),
    DuplicateLine(prop::sample::Index),
    SwapLines(prop::sample::Index, prop::sample::Index),
    Truncate(prop::sample::Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    // What breaks a CSV file: delimiters, quotes, line ends, list separators, a decimal comma, a
    // byte order mark, a NUL, letters where numbers go, and text in other scripts.
    let piece = prop_oneof![
        prop::sample::select(vec![
            ",", ";", "\t", "\"", "\"\"", "\n", "\r\n", "\r", "|", " ", "-", ".", "0", "9,5",
            "\u{feff}", "\0", "x", "Ж", "🍔", "product", "variant", "group", "yes",
        ])
        .prop_map(str::to_string),
        "[a-z0-9,;|\"\n .-]{1,6}",
    ];
    prop_oneof![
        (any::<prop::sample::Index>(), 1..20usize).prop_map(|(at, n)| Mutation::Delete(at, n)),
        (any::<prop::sample::Index>(), piece).prop_map(|(at, text)| Mutation::Insert(at, text)),
        (any::<prop::sample::Index>(), any::<char>()).prop_map(|(at, c)| Mutation::Replace(at, c)),
        any::<prop::sample::Index>().prop_map(Mutation::DuplicateLine),
        (any::<prop::sample::Index>(), any::<prop::sample::Index>())
            .prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        any::<prop::sample::Index>().prop_map(Mutation::Truncate),
    ]
}

/// `text` with `mutation` made, by character, so it stays text.
fn mutated(text: &str, mutation: &Mutation) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = |i: &prop::sample::Index, len: usize| if len == 0 { 0 } else { i.index(len) };
    let lines = || {
        text.split_inclusive('\n')
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    match mutation {
        Mutation::Delete(i, n) => {
            let start = at(i, chars.len());
            let end = (start + n).min(chars.len());
            chars.drain(start..end);
        }
        Mutation::Insert(i, piece) => {
            let start = at(i, chars.len() + 1);
            chars.splice(start..start, piece.chars());
        }
        Mutation::Replace(i, c) => {
            if !chars.is_empty() {
                let i = at(i, chars.len());
                chars[i] = *c;
            }
        }
        Mutation::DuplicateLine(i) => {
            let mut lines = lines();
            if !lines.is_empty() {
                let i = at(i, lines.len());
                lines.insert(i, lines[i].clone());
            }
            return lines.concat();
        }
        Mutation::SwapLines(a, b) => {
            let mut lines = lines();
            if !lines.is_empty() {
                let (a, b) = (at(a, lines.len()), at(b, lines.len()));
                lines.swap(a, b);
            }
            return lines.concat();
        }
        Mutation::Truncate(i) => chars.truncate(at(i, chars.len() + 1)),
    }
    chars.into_iter().collect()
}

/// `menu()` with some names and codes starting with what a spreadsheet would run, or with `'`.
/// Codes get no tab or line end: a code never holds white space.
fn menu_with_formula_starts() -> impl Strategy<Value = Catalog> {
    let start = || {
        prop_oneof![
            3 => Just(""),
            1 => prop::sample::select(FORMULA_STARTS.to_vec()),
            1 => Just("''"),
        ]
    };
    let code_start = || prop::sample::select(vec!["", "", "=", "+", "-", "@", "'"]);
    let menu = menu();
    let names = menu.products.len()
        + menu
            .products
            .iter()
            .map(|p| p.variants.len())
            .sum::<usize>()
        + menu.categories.len()
        + menu.modifiers.len()
        + menu.modifier_groups.len()
        + menu.tax_categories.len();
    (
        prop::collection::vec(start(), names),
        prop::collection::vec(code_start(), menu.products.len()),
    )
        .prop_map(move |(starts, code_starts)| {
            let mut c = menu.clone();
            let mut starts = starts.into_iter();
            let mut prefix =
                |name: &mut String| *name = format!("{}{name}", starts.next().unwrap());
            for p in &mut c.products {
                prefix(&mut p.name);
                for v in &mut p.variants {
                    prefix(&mut v.name);
                }
            }
            c.categories.iter_mut().for_each(|x| prefix(&mut x.name));
            c.modifiers.iter_mut().for_each(|x| prefix(&mut x.name));
            c.modifier_groups
                .iter_mut()
                .for_each(|x| prefix(&mut x.name));
            c.tax_categories
                .iter_mut()
                .for_each(|x| prefix(&mut x.name));
            for (p, start) in c.products.iter_mut().zip(code_starts) {
                p.sku = format!("{start}{}", p.sku);
                for code in &mut p.barcodes {
                    *code = format!("{start}{code}");
                }
            }
            c
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Names and codes that start with a formula character or a `'` survive the export and the
    /// import: the import takes off exactly the `'` the export put on.
    #[test]
    fn the_export_read_back_is_the_same_catalog_whatever_its_names_start_with(
        menu in menu_with_formula_starts(),
    ) {
        prop_assert_eq!(menu.validate(), Ok(()));
        let file = export_csv(&menu);
        let preview = preview_csv(&file, &Catalog::default(), ids());
        prop_assert_eq!(&preview.errors, &vec![]);
        prop_assert_eq!(by_names(&applied(&Catalog::default(), &preview)), by_names(&menu));
        prop_assert_eq!(preview_csv(&file, &menu, ids()), ImportPreview::default());
    }

    /// A valid export changed in a few places, by character or by line (a cell edited by hand, a
    /// quote lost, a row pasted twice, a file cut short), still gives good rows and bad rows.
    #[test]
    fn a_mutated_export_gives_a_preview_whose_edits_apply(
        mutations in prop::collection::vec(mutation(), 1..6),
        lossy_bytes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..3),
    ) {
        let mut file = export_csv(&menu());
        for m in &mutations {
            file = mutated(&file, m);
        }
        // And a few bytes overwritten, as a damaged copy has them, read as text the way the app
        // reads a file (invalid UTF-8 becomes U+FFFD).
        let mut bytes = file.into_bytes();
        for (at, byte) in &lossy_bytes {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = *byte;
            }
        }
        check_preview(&String::from_utf8_lossy(&bytes))?;
    }

    /// The preview a page makes a few rows at a time, to draw a progress bar between them, is
    /// the one made at once; its progress only goes up, and ends at the whole.
    #[test]
    fn a_preview_made_in_steps_is_the_preview_made_at_once(
        mutations in prop::collection::vec(mutation(), 0..4),
        rows in 1usize..40,
    ) {
        let mut file = export_csv(&menu());
        for m in &mutations {
            file = mutated(&file, m);
        }
        let file = format!("\u{feff}{file}");
        let mut steps = preview_csv_steps(file.clone(), &menu(), ids());
        let mut last = 0;
        loop {
            let progress = steps.step(rows);
            prop_assert!(progress.permille >= last && progress.permille <= 1000, "{progress:?} after {last}");
            last = progress.permille;
            if progress.done {
                break;
            }
        }
        prop_assert_eq!(last, 1000);
        prop_assert_eq!(steps.finish(), preview_csv(&file, &menu(), ids()));
    }

    #[test]
    fn any_bytes_give_a_preview_whose_edits_apply(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check_preview(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn csv_like_text_gives_a_preview_whose_edits_apply(
        text in "(kind|sku|name|price|barcodes|product_sku|variant|[a-z0-9 .,;|\"\r\n\t-]){0,40}",
    ) {
        check_preview(&text)?;
    }

    #[test]
    fn generated_rows_give_a_preview_whose_edits_apply(file in generated_file()) {
        check_preview(&file)?;
    }
}
