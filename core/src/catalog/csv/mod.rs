//! The catalog as one CSV file that a merchant edits in a spreadsheet and imports back. Every
//! record is one row, and a `kind` column says what it is, so a single file holds the whole menu.
//! An import is a preview first. It lists the edits the good rows make and says why each bad row
//! was refused, and the merchant then applies all of those edits or none of them.
//!
//! The file starts with a header row naming its columns. The columns may come in any order and
//! any case. A column the format does not know is reported and then skipped. Here is which
//! columns each kind of row uses:
//!
//! | kind       | columns                                                                       |
//! |------------|-------------------------------------------------------------------------------|
//! | `tax`      | `name`, `rate` (percent)                                                      |
//! | `category` | `name`, `colour` (`#rrggbb`), `position`                                      |
//! | `modifier` | `name`, `price`                                                               |
//! | `group`    | `name`, `min`, `max` (empty: as many as offered), `modifiers`                 |
//! | `product`  | `sku`, `name`, `category`, `price`, `cost`, `unit`, `tax`, `barcodes`, `open_price`, `archived`, `colour`, `modifiers`, `groups` |
//! | `variant`  | `product_sku` (its product's SKU), `variant` (its name), `sku`, `price`, `barcodes` |
//!
//! Other records are named by their name, never by an id, so that a merchant can read and type
//! them: the tax category, the category, and the modifiers and groups. For the tax category, its
//! id is accepted as well. A file without a `kind`
//! column is a plain list of products, or of variants on rows that fill in `variant`. Lists are
//! separated by `|`. Barcodes may also be separated by spaces, because a barcode never contains
//! one. Spaces around a cell are ignored. `open_price` and `archived` are `yes` or `no` (also
//! `true`/`false`, `1`/`0`, `да`/`нет`); units are `piece`, `kilogram` or `litre` (also `kg`,
//! `l`, `шт`, `кг`, `л`).
//!
//! The export writes `,` between cells and `.` as the decimal point. The import also reads `;`
//! or tab as the delimiter when the header uses it. It reads a decimal comma (`3,50`), spaces
//! that group thousands, and a UTF-8 byte order mark, because that is what Excel writes in a
//! Russian locale.
//!
//! A cell that a spreadsheet would run as a formula (one that starts with `=`, `+`, `-`, `@`, a
//! tab or a carriage return) is exported with a `'` before it, so it opens as text; so is a cell
//! that starts with `'`. The import takes one leading `'` off every cell, which gives back exactly
//! what was exported (a `'` typed by hand at the start of a cell is taken off too).
//!
//! What an import does:
//! - The rows are taken as if they were applied one by one: taxes, then categories, modifiers,
//!   groups and finally products. Within each kind they are taken from the top down. So a later
//!   row sees the categories and SKUs of the earlier good rows.
//! - A product row whose SKU the catalog already has updates that product, which keeps its id.
//!   Any other row creates a product. Taxes, categories, modifiers and groups are matched by
//!   their name, ignoring case.
//! - A category that a product row names and that does not exist yet is created. A tax, modifier
//!   or group that does not exist is an error, because it would need a rate or a price.
//! - A column absent from the header keeps what the record already had, so a file with only
//!   `sku` and `price` updates prices. An empty cell clears a value that may be empty, such as
//!   the cost, the barcodes or the modifiers. For a value that cannot be empty, such as the name,
//!   price, tax or category, an empty cell keeps the value the record already had.
//! - A product row's variants are exactly the variant rows that name its SKU. Variant rows whose
//!   product has no row in the file are added to that product's variants, or replace the ones
//!   with the same name. A product is imported with all of its variant rows or not at all, and
//!   a row that cannot be read but names the product in `product_sku` holds the product back,
//!   because that row may be one of the variants.
//! - Nothing is ever deleted. To take a product off the register, set `archived` to `yes`.
//! - A row that changes nothing produces no edit.
//! - A bad row gets one error, for the first problem found in it. Its line is numbered the way a
//!   spreadsheet numbers it, with the header as line 1.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use rustc_hash::{FxHashMap, FxHashSet};

use super::{
    BarcodeError, Catalog, CatalogEdit, CatalogError, Category, MAX_CATALOG_PRICE, Modifier,
    ModifierGroup, Product, Unit, Variant, check_barcode,
};
use crate::spreadsheet::{guard, unguard};
use crate::tax::TaxCategory;

mod import;

pub use import::{ImportProgress, ImportSteps};

/// The colour given to a category created by an import that names no colour: a neutral grey
/// the merchant can change later.
const NEW_CATEGORY_COLOUR: &str = "#8d99ae";

/// The columns of the format, in the order the export writes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Column {
    Kind,
    Sku,
    Name,
    Variant,
    ProductSku,
    Category,
    Price,
    Cost,
    Unit,
    Tax,
    Barcodes,
    OpenPrice,
    Archived,
    Colour,
    Modifiers,
    Groups,
    Position,
    Rate,
    Min,
    Max,
}

const COLUMNS: [Column; 20] = [
    Column::Kind,
    Column::Sku,
    Column::Name,
    Column::Variant,
    Column::ProductSku,
    Column::Category,
    Column::Price,
    Column::Cost,
    Column::Unit,
    Column::Tax,
    Column::Barcodes,
    Column::OpenPrice,
    Column::Archived,
    Column::Colour,
    Column::Modifiers,
    Column::Groups,
    Column::Position,
    Column::Rate,
    Column::Min,
    Column::Max,
];

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Kind => "kind",
            Column::Sku => "sku",
            Column::Name => "name",
            Column::Variant => "variant",
            Column::ProductSku => "product_sku",
            Column::Category => "category",
            Column::Price => "price",
            Column::Cost => "cost",
            Column::Unit => "unit",
            Column::Tax => "tax",
            Column::Barcodes => "barcodes",
            Column::OpenPrice => "open_price",
            Column::Archived => "archived",
            Column::Colour => "colour",
            Column::Modifiers => "modifiers",
            Column::Groups => "groups",
            Column::Position => "position",
            Column::Rate => "rate",
            Column::Min => "min",
            Column::Max => "max",
        }
    }

    /// The column a header cell names. The aliases are the spellings other tools write.
    fn from_header(text: &str) -> Option<Column> {
        let text = text.trim().to_lowercase().replace([' ', '-'], "_");
        COLUMNS
            .into_iter()
            .find(|c| c.name() == text)
            .or(match text.as_str() {
                "barcode" => Some(Column::Barcodes),
                "color" => Some(Column::Colour),
                "modifier_groups" => Some(Column::Groups),
                "tax_category" => Some(Column::Tax),
                "parent_sku" => Some(Column::ProductSku),
                _ => None,
            })
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// What a row of the file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RowKind {
    Tax,
    Category,
    Modifier,
    Group,
    Product,
    Variant,
}

impl RowKind {
    /// The order in which rows are taken, which is the order `Catalog::apply` needs: a record
    /// comes after the records it refers to.
    const ALL: [RowKind; 6] = [
        RowKind::Tax,
        RowKind::Category,
        RowKind::Modifier,
        RowKind::Group,
        RowKind::Product,
        RowKind::Variant,
    ];

    /// The word in the `kind` column.
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Tax => "tax",
            RowKind::Category => "category",
            RowKind::Modifier => "modifier",
            RowKind::Group => "group",
            RowKind::Product => "product",
            RowKind::Variant => "variant",
        }
    }

    fn parse(text: &str) -> Option<RowKind> {
        let text = text.trim();
        RowKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(text))
    }

    /// The columns without which no row of this kind can be read.
    fn required(self) -> &'static [Column] {
        match self {
            RowKind::Product => &[Column::Sku],
            RowKind::Variant => &[Column::ProductSku, Column::Variant],
            _ => &[Column::Name],
        }
    }
}

impl fmt::Display for RowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an import would do: the edits of the good rows, in an order that [`Catalog::apply`]
/// accepts, and why each bad row is refused. Nothing is applied yet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportPreview {
    pub edits: Vec<CatalogEdit>,
    /// By line.
    pub errors: Vec<RowError>,
}

/// A row that is not imported, and the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}{}: {reason}", .column.as_ref().map(|c| format!(", {c}")).unwrap_or_default())]
pub struct RowError {
    /// The line as a spreadsheet numbers it: the header is line 1, and a cell with line breaks
    /// in it does not count them.
    pub line: usize,
    /// The column, as the format names it (`price`), or as the header spells it for a column
    /// that is unknown or repeated.
    pub column: Option<String>,
    pub reason: ImportProblem,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportProblem {
    /// The CSV reader could not read the file at this point.
    #[error("the file cannot be read as CSV: {0}")]
    Unreadable(String),
    #[error("the row has {found} cells, but the header names only {expected} columns")]
    TooManyColumns { found: usize, expected: usize },
    /// The header lacks a column that rows of this kind need. Those rows are skipped.
    #[error("the header needs this column for {kind} rows")]
    MissingColumn { kind: RowKind },
    /// This column is not part of the format. It is ignored.
    #[error("the column is not one of the file's; it is ignored")]
    UnknownColumn,
    /// The header names this column twice. Only the first one is read.
    #[error("the column appears twice; the first is read")]
    DuplicateColumn,
    #[error("{0:?} is not a kind of row (tax, category, modifier, group, product, variant)")]
    UnknownKind(String),
    #[error("a value is needed")]
    ValueMissing,
    #[error("{0:?} is not a price such as 3.50 or 3,50")]
    BadPrice(String),
    #[error("{0:?} is not a number")]
    BadNumber(String),
    #[error("{0:?} is not a unit (piece, kilogram, litre)")]
    BadUnit(String),
    #[error("{0:?} is neither yes nor no")]
    BadYesNo(String),
    #[error("there is no tax category {0:?}")]
    UnknownTax(String),
    #[error("there is no modifier {0:?}")]
    UnknownModifier(String),
    #[error("there is no modifier group {0:?}")]
    UnknownGroup(String),
    /// A variant row's `product_sku` is in neither the file nor the catalog.
    #[error("there is no product with the SKU {0:?}")]
    UnknownProduct(String),
    /// The row refers to a record whose own row was refused; that row has the reason.
    #[error("it refers to line {line}, which is not imported")]
    RefersToRefusedRow { line: usize },
    /// A product is imported with all of its variants or not at all.
    #[error("its variant on line {line} is not imported")]
    VariantRefused { line: usize },
    /// A variant row of a product that is not imported, because of the row on `line`.
    #[error("its product is not imported, because of line {line}")]
    ProductRefused { line: usize },
    /// A second row for the same tax, category, modifier or group.
    #[error("line {first_line} already has this {kind}")]
    DuplicateRow { kind: RowKind, first_line: usize },
    /// `line`: the row of the file that has the SKU. `None`: a product of the catalog that the
    /// file does not change.
    #[error("the SKU {sku} is already {other}'s")]
    DuplicateSku {
        sku: String,
        other: String,
        line: Option<usize>,
    },
    #[error("the barcode {code} is already {other}'s")]
    DuplicateBarcode {
        code: String,
        other: String,
        line: Option<usize>,
    },
    /// A bad check digit, a blank, or a code that is too long.
    #[error("barcode {code}: {error}")]
    Barcode { code: String, error: BarcodeError },
    /// Refused by the catalog's own checks ([`Catalog::check`]).
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

/// The whole catalog as one CSV file (see the module's documentation for the format), with
/// taxes, categories, modifiers and groups first, and each product followed by its variants.
pub fn export_csv(catalog: &Catalog) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut write = |cells: &[String]| {
        out.write_record(cells.iter().map(|c| guard(c).into_owned()))
            .expect("writing to memory cannot fail");
    };
    write(&COLUMNS.map(|c| c.name().to_string()));
    let row = |kind: RowKind, cells: &[(Column, String)]| {
        let mut row: [String; COLUMNS.len()] = Default::default();
        row[Column::Kind.index()] = kind.as_str().to_string();
        for (column, value) in cells {
            row[column.index()] = value.clone();
        }
        row
    };
    let names = |ids: &[String], name: &dyn Fn(&str) -> Option<String>| {
        ids.iter()
            .map(|id| name(id).unwrap_or_else(|| id.clone()))
            .collect::<Vec<_>>()
            .join("|")
    };
    let modifier_name = |id: &str| catalog.modifier(id).map(|m| m.name.clone());
    let group_name = |id: &str| catalog.modifier_group(id).map(|g| g.name.clone());

    for t in &catalog.tax_categories {
        write(&row(
            RowKind::Tax,
            &[
                (Column::Name, t.name.clone()),
                (Column::Rate, t.rate.to_string()),
            ],
        ));
    }
    for c in catalog.ordered_categories() {
        write(&row(
            RowKind::Category,
            &[
                (Column::Name, c.name.clone()),
                (Column::Colour, c.colour.clone()),
                (Column::Position, c.position.to_string()),
            ],
        ));
    }
    for m in &catalog.modifiers {
        write(&row(
            RowKind::Modifier,
            &[
                (Column::Name, m.name.clone()),
                (Column::Price, m.price.to_string()),
            ],
        ));
    }
    for g in &catalog.modifier_groups {
        write(&row(
            RowKind::Group,
            &[
                (Column::Name, g.name.clone()),
                (Column::Min, g.min.to_string()),
                (
                    Column::Max,
                    g.max.map(|m| m.to_string()).unwrap_or_default(),
                ),
                (Column::Modifiers, names(&g.modifiers, &modifier_name)),
            ],
        ));
    }
    let yes_no = |yes: bool| if yes { "yes" } else { "no" }.to_string();
    for p in &catalog.products {
        let category = catalog.category(&p.category).map(|c| c.name.clone());
        let tax = catalog
            .tax_category(&p.tax_category)
            .map(|t| t.name.clone());
        write(&row(
            RowKind::Product,
            &[
                (Column::Sku, p.sku.clone()),
                (Column::Name, p.name.clone()),
                (
                    Column::Category,
                    category.unwrap_or_else(|| p.category.clone()),
                ),
                (Column::Price, p.price.to_string()),
                (
                    Column::Cost,
                    p.cost.map(|c| c.to_string()).unwrap_or_default(),
                ),
                (Column::Unit, p.unit.as_str().to_string()),
                (Column::Tax, tax.unwrap_or_else(|| p.tax_category.clone())),
                (Column::Barcodes, p.barcodes.join("|")),
                (Column::OpenPrice, yes_no(p.open_price)),
                (Column::Archived, yes_no(p.archived)),
                (Column::Colour, p.colour.clone().unwrap_or_default()),
                (Column::Modifiers, names(&p.modifiers, &modifier_name)),
                (Column::Groups, names(&p.modifier_groups, &group_name)),
            ],
        ));
        for v in &p.variants {
            write(&row(
                RowKind::Variant,
                &[
                    (Column::ProductSku, p.sku.clone()),
                    (Column::Variant, v.name.clone()),
                    (Column::Sku, v.sku.clone()),
                    (Column::Price, v.price.to_string()),
                    (Column::Barcodes, v.barcodes.join("|")),
                ],
            ));
        }
    }
    let bytes = out.into_inner().expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("the cells written are UTF-8")
}

/// What importing `text` into `into` would do. The edits are those of the good rows only, so
/// the caller applies them all, in order, or none. `new_id` names each record the file creates,
/// because core has no randomness. It must give ids that the catalog does not use yet.
pub fn preview_csv(text: &str, into: &Catalog, new_id: impl FnMut() -> String) -> ImportPreview {
    import::preview(text, into, new_id)
}

/// [`preview_csv`] a part at a time: each [`ImportSteps::step`] reads or plans about as many
/// rows as asked and says how far it is, so that a page can draw a progress bar between parts
/// (50,000 rows take most of a second in a browser). The preview is the same.
pub fn preview_csv_steps<F: FnMut() -> String>(
    text: String,
    into: &Catalog,
    new_id: F,
) -> ImportSteps<F> {
    ImportSteps::new(text, into, new_id)
}
