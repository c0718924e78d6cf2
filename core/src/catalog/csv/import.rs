//! Reading a file into a preview: `rows.rs` reads the file into rows by kind, and the rows are
//! then planned into edits in the order `Catalog::apply` needs (taxes, categories, modifiers and
//! groups here, products in `products.rs`), with every bad row's reason.

use super::*;

mod products;
mod rows;

use products::ProductAt;
use rows::{Header, Row, RowReader, list, name_key, parse_amount, parse_number, refused};

/// See [`super::preview_csv`].
pub(super) fn preview(text: &str, into: &Catalog, new_id: impl FnMut() -> String) -> ImportPreview {
    let mut steps = ImportSteps::new(text.to_string(), into, new_id);
    while !steps.step(usize::MAX).done {}
    steps.finish()
}

/// A preview made a part at a time (see [`super::preview_csv_steps`]): reading the file first,
/// then planning its products.
pub struct ImportSteps<F> {
    import: Import<F>,
    text: String,
    stage: Stage,
}

enum Stage {
    Reading(RowReader),
    Planning {
        rows: [Vec<Row>; 6],
        products: Vec<ProductAt>,
        next: usize,
    },
    Done,
}

/// How far a stepped preview is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportProgress {
    pub done: bool,
    /// Thousandths of the work: reading is the first half, planning the products the second.
    pub permille: u32,
}

impl<F: FnMut() -> String> ImportSteps<F> {
    pub(super) fn new(text: String, into: &Catalog, new_id: F) -> Self {
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) => rest.to_string(),
            None => text,
        };
        let reader = RowReader::new(&text);
        ImportSteps {
            import: Import::new(into, new_id),
            text,
            stage: Stage::Reading(reader),
        }
    }

    /// Reads or plans about `rows` more rows.
    pub fn step(&mut self, rows: usize) -> ImportProgress {
        match std::mem::replace(&mut self.stage, Stage::Done) {
            Stage::Reading(mut reader) => {
                if reader.read(&mut self.import, &self.text, rows) {
                    let permille = reader.at() * 500 / (self.text.len() as u64).max(1);
                    self.stage = Stage::Reading(reader);
                    return ImportProgress {
                        done: false,
                        permille: permille.min(500) as u32,
                    };
                }
                if let Some(rows) = reader.finish() {
                    self.import.take_named(&rows);
                    let products = self.import.product_rows(&rows);
                    self.stage = Stage::Planning {
                        rows,
                        products,
                        next: 0,
                    };
                }
            }
            Stage::Planning {
                rows: read,
                products,
                next,
            } => {
                let end = next.saturating_add(rows).min(products.len());
                for at in &products[next..end] {
                    self.import.product(&at.rows(&read));
                }
                let done = end == products.len();
                let permille = if done {
                    1000
                } else {
                    500 + end * 500 / products.len()
                };
                if !done {
                    self.stage = Stage::Planning {
                        rows: read,
                        products,
                        next: end,
                    };
                }
                return ImportProgress {
                    done,
                    permille: permille as u32,
                };
            }
            Stage::Done => {}
        }
        let done = matches!(self.stage, Stage::Done);
        let permille = if done { 1000 } else { 500 };
        ImportProgress { done, permille }
    }

    pub fn finish(self) -> ImportPreview {
        self.import.finish()
    }
}

/// The column that a refusal from [`Catalog::check`] of a tax, category, modifier or group is
/// about.
fn column_of(error: &CatalogError, group: Option<&ModifierGroup>) -> Option<Column> {
    Some(match error {
        CatalogError::NameMissing | CatalogError::NameTooLong => Column::Name,
        CatalogError::NegativePrice { .. }
        | CatalogError::PriceMissing { .. }
        | CatalogError::PriceTooHigh { .. } => Column::Price,
        CatalogError::Colour(_) => Column::Colour,
        CatalogError::Tax(_) => Column::Rate,
        CatalogError::UnknownModifier { .. } => Column::Modifiers,
        CatalogError::GroupRule { .. } => {
            let g = group?;
            let offered = g.modifiers.len() as u32;
            if offered == 0 {
                Column::Modifiers
            } else if g.max == Some(0) || g.max.is_some_and(|max| g.min > max) {
                Column::Max
            } else {
                Column::Min
            }
        }
        _ => return None,
    })
}

/// The state of an import, which is the catalog as the good rows so far would leave it.
///
/// Products are kept apart from `catalog`, and their codes are kept in hash maps. The reason
/// is that [`Catalog::check`] of a product compares its codes with every other product, which
/// costs O(n) for each row and O(n²) for a file. So each product is checked against `catalog`
/// with no products in it, which still checks its fields and references, and its SKUs and
/// barcodes are then looked up here.
struct Import<F> {
    new_id: F,
    header: Header,
    /// The catalog without its products.
    catalog: Catalog,
    products: Vec<Product>,
    /// The row that put each product, if the file has one.
    product_lines: Vec<Option<usize>>,
    /// The first product with each id, which is the one `Catalog::apply` replaces.
    by_id: FxHashMap<String, usize>,
    /// Products by their own SKU. A product that is sold wins over an archived one.
    by_sku: FxHashMap<String, usize>,
    /// The SKUs, of products and of variants, and the barcodes of the products that are sold.
    /// The values are lists because an invalid catalog can have one code twice.
    skus: FxHashMap<String, Vec<usize>>,
    barcodes: FxHashMap<String, Vec<usize>>,
    /// The ids of taxes, categories, modifiers and groups, by name key.
    names: FxHashMap<(RowKind, String), String>,
    /// The first line of each name, or SKU, in the file.
    seen: FxHashMap<(RowKind, String), (usize, String)>,
    /// The lines of refused rows, by name key, so that rows that refer to them say why.
    refused: FxHashMap<(RowKind, String), usize>,
    next_position: i64,
    edits: [Vec<CatalogEdit>; 5],
    errors: Vec<RowError>,
    missing_columns: FxHashSet<(RowKind, Column)>,
    /// The first line of each row that could not be read and names a product in `product_sku`.
    unread_variants: FxHashMap<String, usize>,
}

impl<F: FnMut() -> String> Import<F> {
    fn new(into: &Catalog, new_id: F) -> Self {
        let mut catalog = into.clone();
        let products = std::mem::take(&mut catalog.products);
        let mut names = FxHashMap::default();
        // The first record with a name is the one a name means, as a merchant reading the
        // register's lists top down would take it.
        let mut name = |kind, record_name: &str, id: &String| {
            names
                .entry((kind, name_key(record_name)))
                .or_insert_with(|| id.clone());
        };
        for t in &catalog.tax_categories {
            name(RowKind::Tax, &t.name, &t.id);
        }
        for c in &catalog.categories {
            name(RowKind::Category, &c.name, &c.id);
        }
        for m in &catalog.modifiers {
            name(RowKind::Modifier, &m.name, &m.id);
        }
        for g in &catalog.modifier_groups {
            name(RowKind::Group, &g.name, &g.id);
        }
        let next_position = catalog
            .categories
            .iter()
            .map(|c| c.position.saturating_add(1))
            .max()
            .unwrap_or(0);
        let mut import = Import {
            new_id,
            header: Header::default(),
            catalog,
            product_lines: vec![None; products.len()],
            by_id: FxHashMap::default(),
            by_sku: FxHashMap::default(),
            skus: FxHashMap::default(),
            barcodes: FxHashMap::default(),
            products,
            names,
            seen: FxHashMap::default(),
            refused: FxHashMap::default(),
            next_position,
            edits: Default::default(),
            errors: Vec::new(),
            missing_columns: FxHashSet::default(),
            unread_variants: FxHashMap::default(),
        };
        for i in 0..import.products.len() {
            import
                .by_id
                .entry(import.products[i].id.clone())
                .or_insert(i);
            import.index_sku(i);
            import.index_codes(i);
        }
        import
    }

    fn finish(mut self) -> ImportPreview {
        self.errors.sort_by_key(|e| e.line);
        ImportPreview {
            edits: self.edits.into_iter().flatten().collect(),
            errors: self.errors,
        }
    }

    /// Plans the taxes, categories, modifiers and groups: the products name them.
    fn take_named(&mut self, rows: &[Vec<Row>; 6]) {
        let kinds = [
            RowKind::Tax,
            RowKind::Category,
            RowKind::Modifier,
            RowKind::Group,
        ];
        for kind in kinds {
            for row in &rows[kind as usize] {
                let done = match kind {
                    RowKind::Tax => self.tax_row(row),
                    RowKind::Category => self.category_row(row),
                    RowKind::Modifier => self.modifier_row(row),
                    _ => self.group_row(row),
                };
                if let Err(error) = done {
                    if let Some(name) = self.header.filled(row, Column::Name) {
                        self.refused
                            .entry((kind, name_key(name)))
                            .or_insert(row.line);
                    }
                    self.errors.push(error);
                }
            }
        }
    }

    fn id_of(&self, kind: RowKind, name: &str) -> Option<&String> {
        self.names.get(&(kind, name_key(name)))
    }

    /// Notes the first line of each name. A second row with the name is refused.
    fn first_sight(
        &mut self,
        kind: RowKind,
        key: String,
        row: &Row,
        name: &str,
    ) -> Result<(), (usize, String)> {
        match self.seen.get(&(kind, key.clone())) {
            Some(first) => Err(first.clone()),
            None => {
                self.seen.insert((kind, key), (row.line, name.to_string()));
                Ok(())
            }
        }
    }

    fn named_row(&mut self, kind: RowKind, row: &Row) -> Result<String, RowError> {
        let name = self
            .header
            .filled(row, Column::Name)
            .ok_or_else(|| refused(row.line, Column::Name, ImportProblem::ValueMissing))?;
        self.first_sight(kind, name_key(name), row, name)
            .map_err(|(first_line, _)| {
                refused(
                    row.line,
                    Column::Name,
                    ImportProblem::DuplicateRow { kind, first_line },
                )
            })?;
        Ok(name.to_string())
    }

    /// The id a name refers to, or why there is none.
    fn reference(&self, kind: RowKind, name: &str) -> Result<String, ImportProblem> {
        if let Some(id) = self.id_of(kind, name) {
            return Ok(id.clone());
        }
        // Taxes are shown by name, but the catalog's ids are accepted too.
        if kind == RowKind::Tax && self.catalog.tax_category(name).is_some() {
            return Ok(name.to_string());
        }
        if let Some(&line) = self.refused.get(&(kind, name_key(name))) {
            return Err(ImportProblem::RefersToRefusedRow { line });
        }
        Err(match kind {
            RowKind::Tax => ImportProblem::UnknownTax(name.to_string()),
            RowKind::Modifier => ImportProblem::UnknownModifier(name.to_string()),
            _ => ImportProblem::UnknownGroup(name.to_string()),
        })
    }

    fn references(&self, kind: RowKind, text: &str) -> Result<Vec<String>, ImportProblem> {
        list(text).map(|name| self.reference(kind, name)).collect()
    }

    /// Checks a tax, category, modifier or group against the catalog so far and, if it passes,
    /// keeps it. A record equal to the one the catalog already has makes no edit.
    fn put(&mut self, row: &Row, kind: RowKind, edit: CatalogEdit) -> Result<(), RowError> {
        let group = match &edit {
            CatalogEdit::PutModifierGroup(g) => Some(g.clone()),
            _ => None,
        };
        let (id, name, unchanged) = match &edit {
            CatalogEdit::PutTaxCategory(t) => {
                (&t.id, &t.name, self.catalog.tax_category(&t.id) == Some(t))
            }
            CatalogEdit::PutCategory(c) => {
                (&c.id, &c.name, self.catalog.category(&c.id) == Some(c))
            }
            CatalogEdit::PutModifier(m) => {
                (&m.id, &m.name, self.catalog.modifier(&m.id) == Some(m))
            }
            CatalogEdit::PutModifierGroup(g) => (
                &g.id,
                &g.name,
                self.catalog.modifier_group(&g.id) == Some(g),
            ),
            CatalogEdit::PutProduct(_) | CatalogEdit::Archive { .. } => {
                unreachable!("products are put by `product`")
            }
        };
        let key = (kind, name_key(name));
        let id = id.clone();
        if unchanged {
            self.names.insert(key, id);
            return Ok(());
        }
        self.catalog.apply(&edit).map_err(|error| RowError {
            line: row.line,
            column: column_of(&error, group.as_ref()).map(|c| c.name().to_string()),
            reason: ImportProblem::Catalog(error),
        })?;
        self.names.insert(key, id);
        self.edits[kind as usize].push(edit);
        Ok(())
    }

    fn tax_row(&mut self, row: &Row) -> Result<(), RowError> {
        let name = self.named_row(RowKind::Tax, row)?;
        let rate = match self.header.filled(row, Column::Rate) {
            Some(text) => Some(parse_amount(text.trim_end_matches('%')).ok_or_else(|| {
                refused(
                    row.line,
                    Column::Rate,
                    ImportProblem::BadNumber(text.to_string()),
                )
            })?),
            None => None,
        };
        let existing = self
            .id_of(RowKind::Tax, &name)
            .and_then(|id| self.catalog.tax_category(id))
            .cloned();
        let tax = match existing {
            Some(t) => TaxCategory {
                name,
                rate: rate.unwrap_or(t.rate),
                ..t
            },
            None => TaxCategory {
                id: (self.new_id)(),
                name,
                rate: rate
                    .ok_or_else(|| refused(row.line, Column::Rate, ImportProblem::ValueMissing))?,
                fiscal_tag: None,
                vat_exempt: false,
            },
        };
        self.put(row, RowKind::Tax, CatalogEdit::PutTaxCategory(tax))
    }

    fn category_row(&mut self, row: &Row) -> Result<(), RowError> {
        let name = self.named_row(RowKind::Category, row)?;
        let colour = self.header.filled(row, Column::Colour).map(str::to_string);
        let position = match self.header.filled(row, Column::Position) {
            Some(text) => Some(
                parse_number::<i64>(text).map_err(|p| refused(row.line, Column::Position, p))?,
            ),
            None => None,
        };
        let existing = self
            .id_of(RowKind::Category, &name)
            .and_then(|id| self.catalog.category(id))
            .cloned();
        let category = match existing {
            Some(c) => Category {
                name,
                colour: colour.unwrap_or(c.colour),
                position: position.unwrap_or(c.position),
                ..c
            },
            None => Category {
                id: (self.new_id)(),
                name,
                colour: colour.unwrap_or_else(|| NEW_CATEGORY_COLOUR.to_string()),
                position: position.unwrap_or(self.next_position),
            },
        };
        let position = category.position;
        self.put(row, RowKind::Category, CatalogEdit::PutCategory(category))?;
        self.next_position = self.next_position.max(position.saturating_add(1));
        Ok(())
    }

    fn modifier_row(&mut self, row: &Row) -> Result<(), RowError> {
        let name = self.named_row(RowKind::Modifier, row)?;
        let price = match self.header.filled(row, Column::Price) {
            Some(text) => Some(parse_amount(text).ok_or_else(|| {
                refused(
                    row.line,
                    Column::Price,
                    ImportProblem::BadPrice(text.to_string()),
                )
            })?),
            None => None,
        };
        let existing = self
            .id_of(RowKind::Modifier, &name)
            .and_then(|id| self.catalog.modifier(id))
            .cloned();
        let modifier = match existing {
            Some(m) => Modifier {
                name,
                price: price.unwrap_or(m.price),
                ..m
            },
            None => Modifier {
                id: (self.new_id)(),
                name,
                price: price
                    .ok_or_else(|| refused(row.line, Column::Price, ImportProblem::ValueMissing))?,
            },
        };
        self.put(row, RowKind::Modifier, CatalogEdit::PutModifier(modifier))
    }

    fn group_row(&mut self, row: &Row) -> Result<(), RowError> {
        let name = self.named_row(RowKind::Group, row)?;
        let number = |column| -> Result<Option<u32>, RowError> {
            match self.header.filled(row, column) {
                Some(text) => parse_number(text)
                    .map(Some)
                    .map_err(|p| refused(row.line, column, p)),
                None => Ok(None),
            }
        };
        let min = number(Column::Min)?;
        let max = number(Column::Max)?;
        let modifiers = match self.header.cell(row, Column::Modifiers) {
            Some(text) => Some(
                self.references(RowKind::Modifier, text)
                    .map_err(|p| refused(row.line, Column::Modifiers, p))?,
            ),
            None => None,
        };
        let existing = self
            .id_of(RowKind::Group, &name)
            .and_then(|id| self.catalog.modifier_group(id))
            .cloned();
        let mut group = existing.unwrap_or_else(|| ModifierGroup {
            id: (self.new_id)(),
            ..ModifierGroup::default()
        });
        group.name = name;
        group.min = min.unwrap_or(group.min);
        if self.header.has(Column::Max) {
            group.max = max;
        }
        if let Some(modifiers) = modifiers {
            group.modifiers = modifiers;
        }
        self.put(row, RowKind::Group, CatalogEdit::PutModifierGroup(group))
    }
}
