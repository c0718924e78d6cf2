//! Reading the file's rows: the lines as a spreadsheet numbers them, the header and where each
//! column is, the kind of each row, and the cells parsed (amounts with a point or a comma,
//! yes/no, units, lists). Rows that cannot be read are refused here, before any is planned.

use super::*;

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
pub(super) struct Row {
    pub(super) line: usize,
    record: csv::StringRecord,
}

/// Where each column of the format is in the file's rows.
#[derive(Default)]
pub(super) struct Header {
    line: usize,
    at: [Option<usize>; COLUMNS.len()],
    width: usize,
}

impl Header {
    pub(super) fn has(&self, column: Column) -> bool {
        self.at[column.index()].is_some()
    }

    /// The trimmed cell, without the `'` the export puts before a cell a spreadsheet would run.
    /// `None` means the header has no such column. A row that is shorter than the header has
    /// empty cells at its end, because a spreadsheet shows them that way.
    pub(super) fn cell<'r>(&self, row: &'r Row, column: Column) -> Option<&'r str> {
        let at = self.at[column.index()]?;
        Some(unguard(row.record.get(at).unwrap_or("").trim()))
    }

    /// The cell if it has something in it.
    pub(super) fn filled<'r>(&self, row: &'r Row, column: Column) -> Option<&'r str> {
        self.cell(row, column).filter(|c| !c.is_empty())
    }
}

/// The delimiter that the header line uses most often, counting only outside quotes: `,` (what
/// the export writes), `;` (what Excel writes where the comma is the decimal mark) or a tab
/// (rows pasted from a spreadsheet).
pub(super) fn delimiter(text: &str) -> u8 {
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
pub(super) fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The key that codes are matched by. SKUs ignore ASCII case, as in [`Catalog::check`].
pub(super) fn sku_key(sku: &str) -> String {
    sku.trim().to_ascii_lowercase()
}

pub(super) fn list(text: &str) -> impl Iterator<Item = &str> {
    text.split('|').map(str::trim).filter(|s| !s.is_empty())
}

pub(super) fn barcode_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == '|' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A price or a rate as a spreadsheet writes it: `3.50`, `3,50`, `1 234,50` or `1,234.50`.
/// When both separators appear, the last one is the decimal mark, and the other one must group
/// the digits in threes, so that a typo is refused instead of being read as some other amount.
/// A single comma is a decimal comma.
pub(super) fn parse_amount(text: &str) -> Option<Decimal> {
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

pub(super) fn parse_yes_no(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "x" | "да" | "истина" => Some(true),
        "no" | "n" | "false" | "0" | "" | "нет" | "ложь" => Some(false),
        _ => None,
    }
}

pub(super) fn parse_unit(text: &str) -> Option<Unit> {
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

pub(super) fn parse_number<T: FromStr>(text: &str) -> Result<T, ImportProblem> {
    text.replace([' ', '\u{a0}'], "")
        .parse()
        .map_err(|_| ImportProblem::BadNumber(text.to_string()))
}

/// A row error in `column`.
pub(super) fn refused(line: usize, column: Column, reason: ImportProblem) -> RowError {
    RowError {
        line,
        column: Some(column.name().to_string()),
        reason,
    }
}

/// Reads a file's records into rows by kind, as many at a time as asked (see
/// [`super::ImportSteps`]). It holds its own copy of the bytes, so the caller keeps the text.
pub(super) struct RowReader {
    reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
    /// The reader's own line numbers skip blank lines, and a record's position is where the
    /// reader started looking for it, before the blank lines. So lines are counted here, and
    /// line breaks inside quoted cells are taken off, because a spreadsheet shows such a cell
    /// in one row.
    lines: Lines,
    rows: [Vec<Row>; 6],
    has_header: bool,
}

impl RowReader {
    pub(super) fn new(text: &str) -> RowReader {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter(text))
            .from_reader(std::io::Cursor::new(text.as_bytes().to_vec()));
        RowReader {
            reader,
            lines: Lines::default(),
            rows: Default::default(),
            has_header: false,
        }
    }

    /// How far into the file the reader is, in bytes.
    pub(super) fn at(&self) -> u64 {
        self.reader.position().byte()
    }

    /// Reads up to `count` records of `text` (the text it was made with); `false` once the file
    /// is read to its end.
    pub(super) fn read<F: FnMut() -> String>(
        &mut self,
        import: &mut Import<F>,
        text: &str,
        count: usize,
    ) -> bool {
        for _ in 0..count {
            let mut record = csv::StringRecord::new();
            match self.reader.read_record(&mut record) {
                Ok(false) => return false,
                Ok(true) => {}
                Err(error) => {
                    let at = error.position().map_or(text.len(), |p| p.byte() as usize);
                    import.errors.push(RowError {
                        line: self.lines.at(text, at),
                        column: None,
                        reason: ImportProblem::Unreadable(error.to_string()),
                    });
                    continue;
                }
            }
            let at = record.position().map_or(text.len(), |p| p.byte() as usize);
            let row = Row {
                line: self.lines.at(text, at),
                record,
            };
            self.lines.breaks += row
                .record
                .iter()
                .map(|c| c.matches('\n').count())
                .sum::<usize>();
            if row.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if !self.has_header {
                import.read_header(&row);
                self.has_header = true;
            } else if let Some(kind) = import.kind_of(&row) {
                self.rows[kind as usize].push(row);
            }
        }
        true
    }

    /// The rows by kind. `None` for a file with no header.
    pub(super) fn finish(self) -> Option<[Vec<Row>; 6]> {
        self.has_header.then_some(self.rows)
    }
}

impl<F: FnMut() -> String> Import<F> {
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
}

#[cfg(test)]
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
