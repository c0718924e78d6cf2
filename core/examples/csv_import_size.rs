//! How large a 50,000-product catalog is as CSV, and how long its import preview takes, for
//! docs/benchmarks.md. Run it optimised: `cargo run -p pos-core --release --example csv_import_size`.

use std::time::Instant;

use pos_core::{Catalog, Category, Product, Unit, demo, export_csv, preview_csv};
use rust_decimal::Decimal;

const PRODUCTS: usize = 50_000;

/// A shop's catalog: the demo's taxes and modifiers, 40 shelves, and products with a barcode
/// each, a cost on every other one and the demo's modifiers on some.
fn large_catalog() -> Catalog {
    let (_, demo) = demo::food_truck(false);
    let mut catalog = Catalog {
        tax_categories: demo.tax_categories.clone(),
        modifiers: demo.modifiers.clone(),
        ..Catalog::default()
    };
    catalog.categories = (0..40)
        .map(|i| Category {
            id: format!("shelf-{i}"),
            name: format!("Shelf {i}"),
            colour: "#29335c".into(),
            position: i,
        })
        .collect();
    catalog.products = (0..PRODUCTS)
        .map(|i| Product {
            id: format!("p{i}"),
            name: format!("Item number {i}"),
            sku: format!("S{i:05}"),
            barcodes: vec![pos_core::with_check_digit(&format!("22{i:010}"))],
            price: Decimal::new(100 + (i as i64 % 9_000), 2),
            tax_category: demo.tax_categories[i % 2].id.clone(),
            unit: if i % 10 == 0 {
                Unit::Kilogram
            } else {
                Unit::Piece
            },
            category: format!("shelf-{}", i % 40),
            modifiers: if i % 5 == 0 {
                vec!["cheese".into()]
            } else {
                vec![]
            },
            cost: (i % 2 == 0).then(|| Decimal::new(50 + (i as i64 % 4_000), 2)),
            ..Product::default()
        })
        .collect();
    catalog
}

fn main() {
    let catalog = large_catalog();
    let started = Instant::now();
    let file = export_csv(&catalog);
    let export = started.elapsed();

    let empty = Catalog {
        tax_categories: catalog.tax_categories.clone(),
        modifiers: catalog.modifiers.clone(),
        ..Catalog::default()
    };
    let mut n = 0;
    let started = Instant::now();
    let preview = preview_csv(&file, &empty, || {
        n += 1;
        format!("new-{n}")
    });
    let into_empty = started.elapsed();
    assert!(preview.errors.is_empty(), "{:?}", &preview.errors[..1]);

    let started = Instant::now();
    let unchanged = preview_csv(&file, &catalog, || unreachable!("nothing is new"));
    let into_itself = started.elapsed();
    assert!(unchanged.edits.is_empty() && unchanged.errors.is_empty());

    // What the caller does next: every edit, checked, with the codes looked up in maps.
    let mut applied = empty.clone();
    let started = Instant::now();
    applied
        .apply_all(&preview.edits)
        .expect("a preview's edits apply");
    let apply = started.elapsed();

    println!(
        "{PRODUCTS} products: {} rows, {} bytes ({:.1} MiB)",
        file.lines().count(),
        file.len(),
        file.len() as f64 / (1024.0 * 1024.0)
    );
    println!("export: {:.0} ms", export.as_secs_f64() * 1000.0);
    println!(
        "preview into a catalog with only its taxes and modifiers: {:.0} ms ({} edits)",
        into_empty.as_secs_f64() * 1000.0,
        preview.edits.len()
    );
    println!(
        "preview into the same catalog (nothing changes): {:.0} ms",
        into_itself.as_secs_f64() * 1000.0
    );
    println!(
        "Catalog::apply_all of the preview's {} edits: {:.0} ms",
        preview.edits.len(),
        apply.as_secs_f64() * 1000.0
    );
}
