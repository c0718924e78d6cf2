//! Reading a file into a preview: the lines as a spreadsheet numbers them, the header, the
//! cells parsed (amounts with a point or a comma, yes/no, units), and the rows taken in the
//! order `Catalog::apply` needs, with every bad row's reason.

use super::*;

/// See [`super::preview_csv`].
pub(super) fn preview(text: &str, into: &Catalog, new_id: impl FnMut() -> String) -> ImportPreview {
    let mut import = Import::new(into, new_id);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(rows) = import.read(text) {
        import.take(&rows);
    }
    import.finish()
}

/// Counts the lines of the file as far as the reader got.
#[derive(Default)]
struct Lines {
    /// The byte up to which line breaks are counted.
    counted_to: usize,
    newlines: usize,
    /// Line breaks inside the quoted cells of the rows read so far.
    breaks: usize,
}

impl Lines {
    /// The spreadsheet's line of the record that the reader found from byte `at` on.
    fn at(&mut self, text: &str, at: usize) -> usize {
        let bytes = text.as_bytes();
        let mut start = at.min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.counted_to {
            let counted = &bytes[self.counted_to..start];
            self.newlines += counted.iter().filter(|&&b| b == b'\n').count();
            self.counted_to = start;
        }
        (self.newlines + 1).saturating_sub(self.breaks)
    }
}

/// One row of the file, as read.
struct Row {
    line: usize,
    record: csv::StringRecord,
}

/// Where each column of the format is in the file's rows.
#[derive(Default)]
struct Header {
    line: usize,
    at: [Option<usize>; COLUMNS.len()],
    width: usize,
}

impl Header {
    fn has(&self, column: Column) -> bool {
        self.at[column.index()].is_some()
    }

    /// The trimmed cell. `None` means the header has no such column. A row that is shorter than
    /// the header has empty cells at its end, because a spreadsheet shows them that way.
    fn cell<'r>(&self, row: &'r Row, column: Column) -> Option<&'r str> {
        let at = self.at[column.index()]?;
        Some(row.record.get(at).unwrap_or("").trim())
    }

    /// The cell if it has something in it.
    fn filled<'r>(&self, row: &'r Row, column: Column) -> Option<&'r str> {
        self.cell(row, column).filter(|c| !c.is_empty())
    }
}

/// The delimiter that the header line uses most often, counting only outside quotes: `,` (what
/// the export writes), `;` (what Excel writes where the comma is the decimal mark) or a tab
/// (rows pasted from a spreadsheet).
fn delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for b in text.bytes() {
        match b {
            b'\n' if !quoted => break,
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i)));
    [b',', b';', b'\t'][best.unwrap_or(0)]
}

/// The key that names are matched by, ignoring case and surrounding spaces.
fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The key that codes are matched by. SKUs ignore ASCII case, as in [`Catalog::check`].
fn sku_key(sku: &str) -> String {
    sku.trim().to_ascii_lowercase()
}

fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split('|').map(str::trim).filter(|s| !s.is_empty())
}

fn barcode_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == '|' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A price or a rate as a spreadsheet writes it: `3.50`, `3,50`, `1 234,50` or `1,234.50`.
/// When both separators appear, the last one is the decimal mark, and the other one must group
/// the digits in threes, so that a typo is refused instead of being read as some other amount.
/// A single comma is a decimal comma.
fn parse_amount(text: &str) -> Option<Decimal> {
    let text: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let last_mark = digits.rfind([',', '.']);
    let commas = digits.matches(',').count();
    let dots = digits.matches('.').count();
    let (whole, fraction, grouping) = match (commas, dots) {
        (0, 0) => (digits, None, None),
        (1, 0) | (0, 1) => {
            let at = last_mark?;
            (&digits[..at], Some(&digits[at + 1..]), None)
        }
        (_, 0) => (digits, None, Some(',')),
        (0, _) => (digits, None, Some('.')),
        _ => {
            let at = last_mark?;
            let group = if digits.as_bytes()[at] == b'.' {
                ','
            } else {
                '.'
            };
            (&digits[..at], Some(&digits[at + 1..]), Some(group))
        }
    };
    let whole = match grouping {
        Some(mark) => {
            let mut groups = whole.split(mark);
            let first = groups.next()?;
            let sound = (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3);
            if !sound || whole.contains(if mark == ',' { '.' } else { ',' }) {
                return None;
            }
            whole.replace(mark, "")
        }
        None => whole.to_string(),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let fraction = fraction.unwrap_or("");
    if !all_digits(&whole) || !all_digits(fraction) || whole.len() + fraction.len() == 0 {
        return None;
    }
    let sign = if negative { "-" } else { "" };
    let whole = if whole.is_empty() { "0" } else { &whole };
    let number = if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    };
    Decimal::from_str(&number).ok()
}

fn parse_yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" | "да" | "истина" => Some(true),
        "no" | "n" | "false" | "0" | "" | "нет" | "ложь" => Some(false),
        _ => None,
    }
}

fn parse_unit(text: &str) -> Option<Unit> {
    if text.trim().is_empty() {
        return Some(Unit::Piece);
    }
    Unit::parse(text).or(match text.trim().to_lowercase().as_str() {
        "pc" | "pcs" | "pieces" | "шт" | "шт." => Some(Unit::Piece),
        "kg" | "kilo" | "kilograms" | "кг" => Some(Unit::Kilogram),
        "l" | "liter" | "litres" | "liters" | "л" => Some(Unit::Litre),
        _ => None,
    })
}

fn parse_number<T: FromStr>(text: &str) -> Result<T, ImportProblem> {
    text.replace([' ', '\u{a0}'], "")
        .parse()
        .map_err(|_| ImportProblem::BadNumber(text.to_string()))
}

/// A row error in `column`.
fn refused(line: usize, column: Column, reason: ImportProblem) -> RowError {
    RowError {
        line,
        column: Some(column.name().to_string()),
        reason,
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

/// A product, with its variant rows when they are in the file.
struct ProductRows<'r> {
    product: Option<&'r Row>,
    variants: Vec<&'r Row>,
}

impl ProductRows<'_> {
    /// The line that errors about the product as a whole point to.
    fn line(&self) -> usize {
        self.product
            .or(self.variants.first().copied())
            .map_or(0, |r| r.line)
    }
}

/// A category that a product row names and the catalog does not have yet. It is created with
/// the product.
struct NewCategory {
    key: String,
    category: Category,
}

/// A product as its rows make it.
struct ReadProduct {
    product: Product,
    /// The category a product row names that is created with it.
    new_category: Option<NewCategory>,
    /// The line of each variant row, by variant id.
    lines: FxHashMap<String, usize>,
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

    /// The header and the rows, by kind. `None` for a file with no header.
    fn read(&mut self, text: &str) -> Option<[Vec<Row>; 6]> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter(text))
            .from_reader(text.as_bytes());
        let mut rows: [Vec<Row>; 6] = Default::default();
        let mut has_header = false;
        // The reader's own line numbers skip blank lines, and a record's position is where the
        // reader started looking for it, before the blank lines. So lines are counted here, and
        // line breaks inside quoted cells are taken off, because a spreadsheet shows such a cell
        // in one row.
        let mut lines = Lines::default();
        for record in reader.records() {
            let record = match record {
                Ok(record) => record,
                Err(error) => {
                    let at = error.position().map_or(text.len(), |p| p.byte() as usize);
                    self.errors.push(RowError {
                        line: lines.at(text, at),
                        column: None,
                        reason: ImportProblem::Unreadable(error.to_string()),
                    });
                    continue;
                }
            };
            let at = record.position().map_or(text.len(), |p| p.byte() as usize);
            let row = Row {
                line: lines.at(text, at),
                record,
            };
            lines.breaks += row
                .record
                .iter()
                .map(|c| c.matches('\n').count())
                .sum::<usize>();
            if row.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if !has_header {
                self.read_header(&row);
                has_header = true;
            } else if let Some(kind) = self.kind_of(&row) {
                rows[kind as usize].push(row);
            }
        }
        has_header.then_some(rows)
    }

    fn read_header(&mut self, row: &Row) {
        self.header.line = row.line;
        self.header.width = row.record.len();
        for (at, text) in row.record.iter().enumerate() {
            let problem = match Column::from_header(text) {
                Some(column) if self.header.has(column) => ImportProblem::DuplicateColumn,
                Some(column) => {
                    self.header.at[column.index()] = Some(at);
                    continue;
                }
                None => ImportProblem::UnknownColumn,
            };
            self.errors.push(RowError {
                line: row.line,
                column: Some(text.trim().to_string()),
                reason: problem,
            });
        }
    }

    /// What the row is, or `None` if it cannot be read. A row cannot be read when its kind is
    /// unknown, when it has more cells than the header has columns, or when the header lacks a
    /// column its kind needs.
    fn kind_of(&mut self, row: &Row) -> Option<RowKind> {
        let kind = self.try_kind_of(row);
        if kind.is_none()
            && let Some(sku) = self.header.filled(row, Column::ProductSku)
        {
            self.unread_variants.entry(sku_key(sku)).or_insert(row.line);
        }
        kind
    }

    fn try_kind_of(&mut self, row: &Row) -> Option<RowKind> {
        let extra = row.record.iter().skip(self.header.width);
        if extra.clone().any(|c| !c.trim().is_empty()) {
            self.errors.push(RowError {
                line: row.line,
                column: None,
                reason: ImportProblem::TooManyColumns {
                    found: row.record.len(),
                    expected: self.header.width,
                },
            });
            return None;
        }
        let kind = match self.header.filled(row, Column::Kind) {
            Some(text) => match RowKind::parse(text) {
                Some(kind) => kind,
                None => {
                    let problem = ImportProblem::UnknownKind(text.to_string());
                    self.errors.push(refused(row.line, Column::Kind, problem));
                    return None;
                }
            },
            None if self.header.filled(row, Column::Variant).is_some()
                || self.header.filled(row, Column::ProductSku).is_some() =>
            {
                RowKind::Variant
            }
            None => RowKind::Product,
        };
        let missing = kind.required().iter().find(|c| !self.header.has(**c));
        if let Some(&column) = missing {
            if self.missing_columns.insert((kind, column)) {
                let problem = ImportProblem::MissingColumn { kind };
                self.errors.push(refused(self.header.line, column, problem));
            }
            return None;
        }
        Some(kind)
    }

    fn take(&mut self, rows: &[Vec<Row>; 6]) {
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
        for product in self.product_rows(rows) {
            self.product(&product);
        }
    }

    /// Products with their variant rows, in the order of their first line.
    fn product_rows<'r>(&mut self, rows: &'r [Vec<Row>; 6]) -> Vec<ProductRows<'r>> {
        let mut variants: FxHashMap<String, Vec<&Row>> = FxHashMap::default();
        let mut order = Vec::new();
        for row in &rows[RowKind::Variant as usize] {
            match self.header.filled(row, Column::ProductSku) {
                Some(sku) => {
                    let key = sku_key(sku);
                    if !variants.contains_key(&key) {
                        order.push(key.clone());
                    }
                    variants.entry(key).or_default().push(row);
                }
                None => self.errors.push(refused(
                    row.line,
                    Column::ProductSku,
                    ImportProblem::ValueMissing,
                )),
            }
        }
        let mut products: Vec<ProductRows> = rows[RowKind::Product as usize]
            .iter()
            .map(|row| {
                let key = sku_key(self.header.cell(row, Column::Sku).unwrap_or(""));
                ProductRows {
                    product: Some(row),
                    variants: variants.remove(&key).unwrap_or_default(),
                }
            })
            .collect();
        products.extend(order.into_iter().filter_map(|key| {
            Some(ProductRows {
                product: None,
                variants: variants.remove(&key)?,
            })
        }));
        products.sort_by_key(ProductRows::line);
        products
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

    /// Imports one product and its variant rows, or refuses them all.
    fn product(&mut self, rows: &ProductRows) {
        let Err(mut errors) = self.try_product(rows) else {
            return;
        };
        // Every row that is not imported says so, including those refused only because another
        // row of the same product was refused.
        let first = errors.iter().map(|e| e.line).min().unwrap_or(rows.line());
        let has_error = |errors: &[RowError], line| errors.iter().any(|e| e.line == line);
        if let Some(row) = rows.product
            && !has_error(&errors, row.line)
        {
            let reason = ImportProblem::VariantRefused { line: first };
            errors.push(RowError {
                line: row.line,
                column: None,
                reason,
            });
        }
        for row in &rows.variants {
            if !has_error(&errors, row.line) {
                let reason = ImportProblem::ProductRefused { line: first };
                errors.push(RowError {
                    line: row.line,
                    column: None,
                    reason,
                });
            }
        }
        self.errors.extend(errors);
    }

    fn try_product(&mut self, rows: &ProductRows) -> Result<(), Vec<RowError>> {
        let line = rows.line();
        let ReadProduct {
            product,
            new_category,
            lines,
        } = self.read_product(rows)?;
        let mut created = None;
        if let Some(new) = new_category {
            let edit = CatalogEdit::PutCategory(new.category.clone());
            if let Err(error) = self.catalog.check(&edit) {
                let column = Some(Column::Category.name().to_string());
                let reason = ImportProblem::Catalog(error);
                let line = rows.product.map_or(line, |r| r.line);
                return Err(vec![RowError {
                    line,
                    column,
                    reason,
                }]);
            }
            // Tried in place and taken back if the product is refused, because the category
            // belongs to the product's row.
            self.catalog.categories.push(new.category.clone());
            created = Some((new, edit));
        }
        let checked = self
            .catalog
            .check(&CatalogEdit::PutProduct(product.clone()))
            .map_err(|error| self.product_error(&product, &lines, line, error))
            .and_then(|()| self.codes_free(&product, &lines, line));
        if let Err(error) = checked {
            if created.is_some() {
                self.catalog.categories.pop();
            }
            return Err(vec![error]);
        }
        if let Some((new, edit)) = created {
            self.next_position = self
                .next_position
                .max(new.category.position.saturating_add(1));
            self.names
                .insert((RowKind::Category, new.key), new.category.id.clone());
            self.edits[RowKind::Category as usize].push(edit);
        }
        self.keep(product, line);
        Ok(())
    }

    /// The product as its rows make it, or the errors of its rows.
    fn read_product(&mut self, rows: &ProductRows) -> Result<ReadProduct, Vec<RowError>> {
        let header = &self.header;
        let (mut product, new_category) = match rows.product {
            Some(row) => self.product_row(row).map_err(|e| vec![e])?,
            None => {
                // Variants of a product that the file has no row for.
                let sku = header
                    .filled(rows.variants[0], Column::ProductSku)
                    .unwrap_or("");
                let existing = self.existing(sku).map(|i| self.products[i].clone());
                let Some(product) = existing else {
                    let problem = ImportProblem::UnknownProduct(sku.to_string());
                    return Err(rows
                        .variants
                        .iter()
                        .map(|r| refused(r.line, Column::ProductSku, problem.clone()))
                        .collect());
                };
                (product, None)
            }
        };
        // A product row's variants are its variant rows, when the file has variant rows; a
        // variant row of a product without a row adds to the variants it has.
        let replace = rows.product.is_some()
            && self.header.has(Column::Variant)
            && self.header.has(Column::ProductSku);
        if let Some(row) = rows.product.filter(|_| replace) {
            // A row that could not be read may be one of its variants, which must not be lost.
            if let Some(&line) = self.unread_variants.get(&sku_key(&product.sku)) {
                let reason = ImportProblem::VariantRefused { line };
                return Err(vec![RowError {
                    line: row.line,
                    column: None,
                    reason,
                }]);
            }
        }
        let before = if replace {
            std::mem::take(&mut product.variants)
        } else {
            product.variants.clone()
        };
        let mut lines = FxHashMap::default();
        let mut errors = Vec::new();
        for row in &rows.variants {
            match self.variant_row(row, &before) {
                Ok(v) => {
                    // Two rows for one variant are both kept, for the check to refuse.
                    let again = lines.insert(v.id.clone(), row.line).is_some();
                    match product.variants.iter_mut().find(|o| o.id == v.id) {
                        Some(old) if !replace && !again => *old = v,
                        _ => product.variants.push(v),
                    }
                }
                Err(error) => errors.push(error),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        if !product.archived {
            let codes = product.barcodes.iter().map(|b| (b, rows.line())).chain(
                product.variants.iter().flat_map(|v| {
                    let line = lines.get(&v.id).copied().unwrap_or(rows.line());
                    v.barcodes.iter().map(move |b| (b, line))
                }),
            );
            for (code, line) in codes {
                if let Err(error) = check_barcode(code) {
                    let problem = ImportProblem::Barcode {
                        code: code.clone(),
                        error,
                    };
                    return Err(vec![refused(line, Column::Barcodes, problem)]);
                }
            }
        }
        Ok(ReadProduct {
            product,
            new_category,
            lines,
        })
    }

    /// The product a product row puts: the catalog's product with its SKU, changed by the
    /// row's cells, or a new product.
    fn product_row(&mut self, row: &Row) -> Result<(Product, Option<NewCategory>), RowError> {
        let line = row.line;
        let header = &self.header;
        let sku = header
            .filled(row, Column::Sku)
            .ok_or_else(|| refused(line, Column::Sku, ImportProblem::ValueMissing))?
            .to_string();
        let name = header.filled(row, Column::Name).unwrap_or("").to_string();
        if let Err((first, other)) = self.first_sight(RowKind::Product, sku_key(&sku), row, &name) {
            let problem = ImportProblem::DuplicateSku {
                sku,
                other,
                line: Some(first),
            };
            return Err(refused(line, Column::Sku, problem));
        }
        let header = &self.header;
        let mut p = match self.existing(&sku) {
            Some(i) => self.products[i].clone(),
            None => Product {
                id: (self.new_id)(),
                ..Product::default()
            },
        };
        p.sku = sku;
        if !name.is_empty() {
            p.name = name;
        }
        let err = |column, problem| refused(line, column, problem);
        let price = |column, text: &str| {
            parse_amount(text).ok_or_else(|| err(column, ImportProblem::BadPrice(text.to_string())))
        };
        let mut new_category = None;
        if let Some(text) = header.filled(row, Column::Category) {
            match self.id_of(RowKind::Category, text) {
                Some(id) => p.category = id.clone(),
                None => {
                    let key = name_key(text);
                    if let Some(&line) = self.refused.get(&(RowKind::Category, key.clone())) {
                        return Err(err(
                            Column::Category,
                            ImportProblem::RefersToRefusedRow { line },
                        ));
                    }
                    let category = Category {
                        id: (self.new_id)(),
                        name: text.to_string(),
                        colour: NEW_CATEGORY_COLOUR.to_string(),
                        position: self.next_position,
                    };
                    p.category = category.id.clone();
                    new_category = Some(NewCategory { key, category });
                }
            }
        }
        let header = &self.header;
        if let Some(text) = header.filled(row, Column::Price) {
            p.price = price(Column::Price, text)?;
        }
        if let Some(text) = header.cell(row, Column::Cost) {
            p.cost = match text {
                "" => None,
                text => Some(price(Column::Cost, text)?),
            };
        }
        if let Some(text) = header.cell(row, Column::Unit) {
            p.unit = parse_unit(text)
                .ok_or_else(|| err(Column::Unit, ImportProblem::BadUnit(text.to_string())))?;
        }
        if let Some(text) = header.filled(row, Column::Tax) {
            p.tax_category = self
                .reference(RowKind::Tax, text)
                .map_err(|problem| err(Column::Tax, problem))?;
        }
        if let Some(text) = header.cell(row, Column::Barcodes) {
            p.barcodes = barcode_list(text);
        }
        for (column, flag) in [
            (Column::OpenPrice, &mut p.open_price),
            (Column::Archived, &mut p.archived),
        ] {
            if let Some(text) = header.cell(row, column) {
                *flag = parse_yes_no(text)
                    .ok_or_else(|| err(column, ImportProblem::BadYesNo(text.to_string())))?;
            }
        }
        if let Some(text) = header.cell(row, Column::Colour) {
            p.colour = (!text.is_empty()).then(|| text.to_string());
        }
        if let Some(text) = header.cell(row, Column::Modifiers) {
            p.modifiers = self
                .references(RowKind::Modifier, text)
                .map_err(|problem| err(Column::Modifiers, problem))?;
        }
        if let Some(text) = header.cell(row, Column::Groups) {
            p.modifier_groups = self
                .references(RowKind::Group, text)
                .map_err(|problem| err(Column::Groups, problem))?;
        }
        Ok((p, new_category))
    }

    /// A variant as its row makes it. `before` holds the product's variants so far, and the
    /// variant with the same name keeps its id.
    fn variant_row(&mut self, row: &Row, before: &[Variant]) -> Result<Variant, RowError> {
        let header = &self.header;
        let line = row.line;
        let name = header
            .filled(row, Column::Variant)
            .ok_or_else(|| refused(line, Column::Variant, ImportProblem::ValueMissing))?;
        let key = name_key(name);
        let mut v = match before.iter().find(|v| name_key(&v.name) == key) {
            Some(v) => v.clone(),
            None => Variant {
                id: (self.new_id)(),
                ..Variant::default()
            },
        };
        v.name = name.to_string();
        if let Some(text) = header.cell(row, Column::Sku) {
            v.sku = text.to_string();
        }
        if let Some(text) = header.filled(row, Column::Price) {
            v.price = parse_amount(text).ok_or_else(|| {
                refused(
                    line,
                    Column::Price,
                    ImportProblem::BadPrice(text.to_string()),
                )
            })?;
        }
        if let Some(text) = header.cell(row, Column::Barcodes) {
            v.barcodes = barcode_list(text);
        }
        Ok(v)
    }

    /// The product of the catalog so far that the SKU names. A product that is sold is chosen
    /// over one that is archived.
    fn existing(&self, sku: &str) -> Option<usize> {
        let i = *self.by_sku.get(&sku_key(sku))?;
        self.products[i]
            .sku
            .eq_ignore_ascii_case(sku.trim())
            .then_some(i)
    }

    /// A refusal from [`Catalog::check`] of a product, pointed at the row and the column it is
    /// about.
    fn product_error(
        &self,
        p: &Product,
        lines: &FxHashMap<String, usize>,
        line: usize,
        error: CatalogError,
    ) -> RowError {
        let variant_line = |found: Option<&Variant>| {
            found
                .and_then(|v| lines.get(&v.id).copied())
                .unwrap_or(line)
        };
        let bad_price = |price: Decimal, zero_allowed: bool| {
            (price.is_sign_negative() && !price.is_zero())
                || price > MAX_CATALOG_PRICE
                || (price.is_zero() && !zero_allowed)
        };
        let (line, column) = match &error {
            CatalogError::NameMissing if !p.name.trim().is_empty() => (
                variant_line(p.variants.iter().find(|v| v.name.trim().is_empty())),
                Column::Variant,
            ),
            CatalogError::NameTooLong => {
                let longest = p.variants.iter().max_by_key(|v| v.name.chars().count());
                match longest {
                    Some(v) if v.name.chars().count() > p.name.chars().count() => {
                        (variant_line(Some(v)), Column::Variant)
                    }
                    _ => (line, Column::Name),
                }
            }
            CatalogError::NegativePrice { .. }
            | CatalogError::PriceMissing { .. }
            | CatalogError::PriceTooHigh { .. } => {
                let zero_allowed = p.open_price || !p.variants.is_empty();
                let variant = p.variants.iter().find(|v| bad_price(v.price, p.open_price));
                if bad_price(p.price, zero_allowed) {
                    (line, Column::Price)
                } else if p.cost.is_some_and(|c| bad_price(c, true)) {
                    (line, Column::Cost)
                } else {
                    (variant_line(variant), Column::Price)
                }
            }
            CatalogError::SkuMissing => (line, Column::Sku),
            CatalogError::DuplicateSku { sku, .. } => {
                let variant = p
                    .variants
                    .iter()
                    .rev()
                    .find(|v| v.sku.eq_ignore_ascii_case(sku));
                (variant_line(variant), Column::Sku)
            }
            CatalogError::Barcode { code, .. } | CatalogError::DuplicateBarcode { code, .. } => {
                let variant = p.variants.iter().rev().find(|v| v.barcodes.contains(code));
                (variant_line(variant), Column::Barcodes)
            }
            CatalogError::DuplicateVariant { variant, .. } => {
                let found = p.variants.iter().rev().find(|v| &v.name == variant);
                (variant_line(found), Column::Variant)
            }
            CatalogError::UnknownTaxCategory { .. } => (line, Column::Tax),
            CatalogError::UnknownCategory { .. } => (line, Column::Category),
            CatalogError::UnknownModifier { .. } => (line, Column::Modifiers),
            CatalogError::UnknownModifierGroup { .. } => (line, Column::Groups),
            _ => (line, Column::Name),
        };
        refused(line, column, ImportProblem::Catalog(error))
    }

    /// The SKUs and barcodes of `p` are no other sold product's, as [`Catalog::check`] would
    /// find, through the hash maps instead of a scan of every product.
    fn codes_free(
        &self,
        p: &Product,
        lines: &FxHashMap<String, usize>,
        line: usize,
    ) -> Result<(), RowError> {
        if p.archived {
            return Ok(());
        }
        let other = |holders: Option<&Vec<usize>>| {
            holders?
                .iter()
                .copied()
                .find(|&i| self.products[i].id != p.id)
        };
        let line_of =
            |v: Option<&Variant>| v.and_then(|v| lines.get(&v.id).copied()).unwrap_or(line);
        let skus = std::iter::once((&p.sku, None))
            .chain(p.variants.iter().map(|v| (&v.sku, Some(v))))
            .filter(|(s, _)| !s.is_empty());
        for (sku, variant) in skus {
            if let Some(i) = other(self.skus.get(&sku_key(sku))) {
                let problem = ImportProblem::DuplicateSku {
                    sku: sku.clone(),
                    other: self.products[i].name.clone(),
                    line: self.product_lines[i],
                };
                return Err(refused(line_of(variant), Column::Sku, problem));
            }
        }
        let codes = p.barcodes.iter().map(|b| (b, None)).chain(
            p.variants
                .iter()
                .flat_map(|v| v.barcodes.iter().map(move |b| (b, Some(v)))),
        );
        for (code, variant) in codes {
            if let Some(i) = other(self.barcodes.get(code)) {
                let problem = ImportProblem::DuplicateBarcode {
                    code: code.clone(),
                    other: self.products[i].name.clone(),
                    line: self.product_lines[i],
                };
                return Err(refused(line_of(variant), Column::Barcodes, problem));
            }
        }
        Ok(())
    }

    /// Keeps a checked product as `Catalog::apply` would: it replaces the product with its id,
    /// or it is added.
    fn keep(&mut self, p: Product, line: usize) {
        let i = match self.by_id.get(&p.id) {
            Some(&i) => {
                if self.products[i] == p {
                    self.product_lines[i] = Some(line);
                    return;
                }
                self.unindex_codes(i);
                self.products[i] = p.clone();
                i
            }
            None => {
                self.products.push(p.clone());
                self.product_lines.push(None);
                let i = self.products.len() - 1;
                self.by_id.insert(p.id.clone(), i);
                i
            }
        };
        self.product_lines[i] = Some(line);
        self.index_sku(i);
        self.index_codes(i);
        self.edits[RowKind::Product as usize].push(CatalogEdit::PutProduct(p));
    }

    fn index_sku(&mut self, i: usize) {
        let p = &self.products[i];
        let key = sku_key(&p.sku);
        let keep_current = self.by_sku.get(&key).is_some_and(|&j| {
            j != i
                && self.products[j].sku.eq_ignore_ascii_case(p.sku.trim())
                && (p.archived || !self.products[j].archived)
        });
        if !keep_current {
            self.by_sku.insert(key, i);
        }
    }

    fn sold_codes(&self, i: usize) -> (Vec<String>, Vec<String>) {
        let p = &self.products[i];
        if p.archived {
            return Default::default();
        }
        let skus = std::iter::once(&p.sku)
            .chain(p.variants.iter().map(|v| &v.sku))
            .filter(|s| !s.is_empty())
            .map(|s| sku_key(s))
            .collect();
        (skus, p.all_barcodes().cloned().collect())
    }

    fn index_codes(&mut self, i: usize) {
        let (skus, barcodes) = self.sold_codes(i);
        for sku in skus {
            self.skus.entry(sku).or_default().push(i);
        }
        for code in barcodes {
            self.barcodes.entry(code).or_default().push(i);
        }
    }

    fn unindex_codes(&mut self, i: usize) {
        let (skus, barcodes) = self.sold_codes(i);
        for sku in skus {
            if let Some(holders) = self.skus.get_mut(&sku) {
                holders.retain(|&j| j != i);
            }
        }
        for code in barcodes {
            if let Some(holders) = self.barcodes.get_mut(&code) {
                holders.retain(|&j| j != i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_spreadsheets_write_them() {
        let read = |t: &str| parse_amount(t).map(|d| d.to_string());
        assert_eq!(read("3.50").as_deref(), Some("3.50"));
        assert_eq!(read("3,50").as_deref(), Some("3.50"));
        assert_eq!(read("1 234,50").as_deref(), Some("1234.50"));
        assert_eq!(read("1\u{a0}234,5").as_deref(), Some("1234.5"));
        assert_eq!(read("1,234.50").as_deref(), Some("1234.50"));
        assert_eq!(read("1.234,50").as_deref(), Some("1234.50"));
        assert_eq!(read("1,234,567").as_deref(), Some("1234567"));
        assert_eq!(read("-2").as_deref(), Some("-2"));
        assert_eq!(read(",5").as_deref(), Some("0.5"));
        for bad in [
            "", "abc", "3.5.0", "1,23.50", "12,34,5", "€3", "1e5", "3,50 €", "--1", "1_000", ".",
        ] {
            assert_eq!(read(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_delimiter_is_the_headers() {
        assert_eq!(delimiter("kind,sku,name\n"), b',');
        assert_eq!(delimiter("kind;sku;name\nproduct,1;2"), b';');
        assert_eq!(delimiter("kind\tsku\tname;x"), b'\t');
        assert_eq!(delimiter("\"a;b;c\",d\n"), b',');
        assert_eq!(delimiter(""), b',');
    }

    #[test]
    fn line_numbers_are_the_spreadsheets() {
        let text = "sku,name,price\nA,\"two\nlines\",abc\n\nB,b,xyz\n";
        let preview = preview_csv(text, &Catalog::default(), || "id".into());
        let lines: Vec<usize> = preview.errors.iter().map(|e| e.line).collect();
        // The quoted cell's line break is one row; the blank line is a row of its own.
        assert_eq!(lines, [2, 4]);
    }
}
