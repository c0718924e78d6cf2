//! Planning the products: each product row with its variant rows becomes one `PutProduct` edit
//! or the refusals of its rows, checked as `Catalog::apply` would check it, with the SKUs and
//! barcodes looked up in the import's hash maps instead of a scan of every product.

use super::rows::{barcode_list, parse_unit, parse_yes_no, sku_key};
use super::*;

/// A product, with its variant rows when they are in the file.
pub(super) struct ProductRows<'r> {
    product: Option<&'r Row>,
    variants: Vec<&'r Row>,
}

/// [`ProductRows`] as places in the rows by kind, so that a plan made a part at a time can keep
/// them beside the rows.
pub(super) struct ProductAt {
    product: Option<usize>,
    variants: Vec<usize>,
}

impl ProductAt {
    pub(super) fn rows<'r>(&self, rows: &'r [Vec<Row>; 6]) -> ProductRows<'r> {
        ProductRows {
            product: self.product.map(|at| &rows[RowKind::Product as usize][at]),
            variants: self
                .variants
                .iter()
                .map(|at| &rows[RowKind::Variant as usize][*at])
                .collect(),
        }
    }
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

impl<F: FnMut() -> String> Import<F> {
    /// Products with their variant rows, in the order of their first line.
    pub(super) fn product_rows(&mut self, rows: &[Vec<Row>; 6]) -> Vec<ProductAt> {
        let mut variants: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut order = Vec::new();
        for (at, row) in rows[RowKind::Variant as usize].iter().enumerate() {
            match self.header.filled(row, Column::ProductSku) {
                Some(sku) => {
                    let key = sku_key(sku);
                    if !variants.contains_key(&key) {
                        order.push(key.clone());
                    }
                    variants.entry(key).or_default().push(at);
                }
                None => self.errors.push(refused(
                    row.line,
                    Column::ProductSku,
                    ImportProblem::ValueMissing,
                )),
            }
        }
        let mut products: Vec<ProductAt> = rows[RowKind::Product as usize]
            .iter()
            .enumerate()
            .map(|(at, row)| {
                let key = sku_key(self.header.cell(row, Column::Sku).unwrap_or(""));
                ProductAt {
                    product: Some(at),
                    variants: variants.remove(&key).unwrap_or_default(),
                }
            })
            .collect();
        products.extend(order.into_iter().filter_map(|key| {
            Some(ProductAt {
                product: None,
                variants: variants.remove(&key)?,
            })
        }));
        products.sort_by_key(|p| p.rows(rows).line());
        products
    }

    /// Imports one product and its variant rows, or refuses them all.
    pub(super) fn product(&mut self, rows: &ProductRows) {
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

    pub(super) fn index_sku(&mut self, i: usize) {
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

    pub(super) fn index_codes(&mut self, i: usize) {
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
