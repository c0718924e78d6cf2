//! How many rows the columns of a saved document decode to, counted before automerge decodes
//! them: a bound on what one sync message can make the server allocate.
//!
//! Why: automerge stores a document's changes and operations in columns, most of them
//! run-length encoded (a run is a count and one value), and trusts the counts. Automerge 0.12
//! collects some columns into vectors as it loads a document (`ChangeGraphCols::load` in
//! `change_graph.rs`: the actor, sequence and max-op columns each into a `Vec<u32>`), so a run
//! that says "this value 2^30 times" in a few bytes makes it allocate gigabytes; a failed
//! allocation aborts the process, unwinding or not, and the process serves every store
//! (`tests/data/change_policy_allocation_bomb.bin`, found by the `change_policy` fuzz target:
//! 639 bytes asking for 4 GiB); a bundle's legacy counter column is collected the same way.
//! Columns and whole changes may also be deflated, and automerge inflates them without a limit. Even a well-formed document can be small on the wire and huge in memory:
//! a million empty changes by one actor compress to a few runs.
//!
//! So before automerge sees a chunk of a sync message, [`check_chunk`] reads its header (for a
//! saved document: actors, heads, the specification and length of each change and operation
//! column; a bundle and a change have their own layouts), inflates each deflated column or
//! compressed change (up to [`MAX_INFLATED_BYTES`] in all), and counts each column's rows with
//! hexane's run decoder (`RunDecoder::next_run`, the decoder automerge itself uses), which reads
//! a run's count without expanding it. A chunk whose change columns hold more than
//! [`MAX_CHANGES`] rows, or operation columns more than [`MAX_OPS`], is refused. The counting
//! takes time in proportion to the chunk's bytes and memory for one inflated column. On runs
//! that are cut short hexane's decoder panics as automerge's would (an `unwrap` in its
//! `RleValue::unpack`); [`crate::policy::read_chunk`] catches that as it catches automerge's.

use std::io::Read as _;

use hexane::RunDecoder;

/// The most changes a saved document may hold. The register's documents are far below: a day
/// of 3,000 sales holds 3,001 changes (one a sale), a catalog of 50,000 products two (the test
/// `honest_documents_are_far_below_the_bounds` measures them).
/// Automerge builds a `Change` for each when it reads the document (hundreds of bytes each),
/// so this keeps a crafted document under a few hundred megabytes.
pub const MAX_CHANGES: u64 = 1 << 20;

/// The most operations a chunk may hold: two per byte of the largest message the server reads
/// ([`crate::sync::MAX_MESSAGE_BYTES`], 8 MiB), 2^24. A register's document holds fewer
/// operations than bytes: a day of 3,000 sales 21,009 operations in 132,710 bytes, a catalog of
/// 50,000 products 1,050,078 in 1,244,060, so one of the largest message's size some 7
/// million. Automerge collects some operation columns of a bundle into a `Vec<i64>`, 128 MiB
/// at this bound.
pub const MAX_OPS: u64 = 2 * crate::sync::MAX_MESSAGE_BYTES as u64;

/// The most bytes the deflated columns (or the compressed change) of one chunk may inflate to,
/// together: 32 times the largest message, 256 MiB. Automerge inflates them without a limit,
/// and deflate packs a thousand zero bytes in one (8 GiB for a message of the largest size).
/// A register's sales inflate well: a day of 3,000 sales, 132,710 bytes, to 3,252,654, 25
/// times, so this holds the deflated columns of a day of some 200,000 sales.
pub const MAX_INFLATED_BYTES: u64 = 32 * crate::sync::MAX_MESSAGE_BYTES as u64;

/// Why a chunk was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The header or a column is not where its lengths say (automerge would not read it either).
    Malformed,
    /// The deflated columns inflate to more than [`MAX_INFLATED_BYTES`] together.
    Inflates,
    /// A change column decodes to more than [`MAX_CHANGES`] rows (the count it reached).
    Changes(u64),
    /// An operation column decodes to more than [`MAX_OPS`] rows (the count it reached).
    Ops(u64),
}

/// The rows each column of a chunk holds: the change columns', then the operation
/// columns', each as (column specification, rows).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rows {
    pub changes: Vec<(u32, u64)>,
    pub ops: Vec<(u32, u64)>,
    /// The bytes its deflated columns or compressed change inflated to.
    pub inflated: u64,
}

impl Rows {
    /// The most rows of any change column: how many changes the document holds.
    pub fn max_changes(&self) -> u64 {
        self.changes.iter().map(|c| c.1).max().unwrap_or(0)
    }
    /// The most rows of any operation column: how many operations the document holds.
    pub fn max_ops(&self) -> u64 {
        self.ops.iter().map(|c| c.1).max().unwrap_or(0)
    }
}

/// Whether automerge may decode the storage chunk `chunk` (whole: magic, checksum, type,
/// length, data): the columns of a saved document (type 0), a change (1), a compressed change
/// (2, inflated up to [`MAX_INFLATED_BYTES`]) or a bundle (3) stay within [`MAX_CHANGES`] and
/// [`MAX_OPS`] rows, and their deflated columns within [`MAX_INFLATED_BYTES`].
pub fn check_chunk(chunk: &[u8]) -> Result<Rows, Refused> {
    let mut r = Reader {
        bytes: chunk,
        at: 9,
    };
    if chunk.len() < 9 {
        return Err(Refused::Malformed);
    }
    let len = r.uleb()?;
    if usize::try_from(len).ok() != Some(r.bytes.len() - r.at) {
        return Err(Refused::Malformed);
    }
    let mut count = Counting {
        rows: Rows::default(),
        inflate_left: MAX_INFLATED_BYTES,
    };
    match chunk[8] {
        // A document: actors, heads, the change and the operation columns' metadata, then the
        // change columns and the operation columns.
        0 => {
            r.actors()?;
            r.hashes()?;
            let changes = r.column_meta()?;
            let ops = r.column_meta()?;
            count.changes(&mut r, changes)?;
            count.ops(&mut r, ops)?;
        }
        1 => count.change(r)?,
        // A deflated change: automerge inflates it whole, without a limit.
        2 => {
            let inflated = inflate(&chunk[r.at..], &mut count.inflate_left)?;
            count.change(Reader {
                bytes: &inflated,
                at: 0,
            })?;
        }
        // A bundle: dependencies, actors, the change columns' metadata and columns, then the
        // operation columns'.
        3 => {
            r.hashes()?;
            r.actors()?;
            let changes = r.column_meta()?;
            count.changes(&mut r, changes)?;
            let ops = r.column_meta()?;
            count.ops(&mut r, ops)?;
        }
        _ => return Err(Refused::Malformed),
    }
    count.rows.inflated = MAX_INFLATED_BYTES - count.inflate_left;
    Ok(count.rows)
}

/// The rows counted so far, and what deflated columns may still inflate to.
struct Counting {
    rows: Rows,
    inflate_left: u64,
}

impl Counting {
    fn changes(&mut self, r: &mut Reader<'_>, meta: Vec<(u32, u64)>) -> Result<(), Refused> {
        let rows = self.columns(r, meta, MAX_CHANGES, Refused::Changes)?;
        self.rows.changes.extend(rows);
        Ok(())
    }

    fn ops(&mut self, r: &mut Reader<'_>, meta: Vec<(u32, u64)>) -> Result<(), Refused> {
        let rows = self.columns(r, meta, MAX_OPS, Refused::Ops)?;
        self.rows.ops.extend(rows);
        Ok(())
    }

    /// The rows of the columns `meta` lists, read from `r`; `refused` past `max` in one.
    fn columns(
        &mut self,
        r: &mut Reader<'_>,
        meta: Vec<(u32, u64)>,
        max: u64,
        refused: fn(u64) -> Refused,
    ) -> Result<Vec<(u32, u64)>, Refused> {
        let mut out = Vec::with_capacity(meta.len());
        for (spec, len) in meta {
            let n = column_rows(spec, r.take(len)?, max, &mut self.inflate_left)?;
            if n > max {
                return Err(refused(n));
            }
            out.push((spec, n));
        }
        Ok(out)
    }

    /// A change's data: dependencies, actor, sequence number, first op, time, message, other
    /// actors, the operation columns' metadata and columns, extra bytes.
    fn change(&mut self, mut r: Reader<'_>) -> Result<(), Refused> {
        r.hashes()?;
        let actor = r.uleb()?;
        r.skip(actor)?;
        r.uleb()?;
        r.uleb()?;
        r.sleb()?;
        let message = r.uleb()?;
        r.skip(message)?;
        r.actors()?;
        let ops = r.column_meta()?;
        self.ops(&mut r, ops)
    }
}

/// `bytes` inflated, taking their size from `left`.
fn inflate(bytes: &[u8], left: &mut u64) -> Result<Vec<u8>, Refused> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(bytes)
        .take(*left + 1)
        .read_to_end(&mut out)
        .map_err(|_| Refused::Malformed)?;
    *left = left
        .checked_sub(out.len() as u64)
        .ok_or(Refused::Inflates)?;
    Ok(out)
}

/// The rows of one column (specification `spec`: its id above bit 4, bit 3 set when deflated,
/// its type in bits 0-2, as automerge's `ColumnSpec`), counted up to one past `max`; a deflated
/// column is inflated first, taking its size from `inflate_left`.
fn column_rows(spec: u32, bytes: &[u8], max: u64, inflate_left: &mut u64) -> Result<u64, Refused> {
    let inflated;
    let bytes = if spec & 0b1000 != 0 {
        inflated = inflate(bytes, inflate_left)?;
        &inflated[..]
    } else {
        bytes
    };
    // The column types of automerge's format, each counted with the most permissive hexane
    // type of its encoding (nullable, strings as bytes), so that the count is never below what
    // automerge's own decoders of the column read.
    Ok(match spec & 0b111 {
        // Group, actor, unsigned integer, value metadata: RLE of unsigned LEB128.
        0 | 1 | 2 | 6 => runs(hexane::decoder::<Option<u64>>(bytes), max),
        // Delta: RLE of the signed differences.
        3 => runs(hexane::decoder::<Option<i64>>(bytes), max),
        // Boolean: alternating run lengths, each an unsigned LEB128. Counted here, not with
        // hexane's `BoolDecoder`, which loops for ever on a count that is not valid LEB128 (it
        // neither moves on nor stops; found by the `change_policy` fuzz target,
        // `tests/data/change_policy_bool_loop.bin`), as automerge reading the column would.
        4 => {
            let (mut r, mut rows) = (Reader { bytes, at: 0 }, 0u64);
            while r.at < bytes.len() && rows <= max {
                rows = rows.saturating_add(r.uleb()?);
            }
            rows
        }
        // String: RLE of length-prefixed bytes.
        5 => runs(hexane::decoder::<Option<Vec<u8>>>(bytes), max),
        // Value: the raw bytes the value metadata column points into, no runs.
        _ => 0,
    })
}

/// The sum of the runs' counts, stopping once it is past `max`.
fn runs<D: RunDecoder>(mut decoder: D, max: u64) -> u64 {
    let mut rows: u64 = 0;
    while rows <= max {
        match decoder.next_run() {
            Some(run) => rows = rows.saturating_add(run.count as u64),
            None => break,
        }
    }
    rows
}

/// A cursor over a chunk's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn uleb(&mut self) -> Result<u64, Refused> {
        self.leb(leb128::read::unsigned::<&[u8]>)
    }

    fn sleb(&mut self) -> Result<i64, Refused> {
        self.leb(leb128::read::signed::<&[u8]>)
    }

    fn leb<T>(
        &mut self,
        read: impl FnOnce(&mut &'a [u8]) -> Result<T, leb128::read::Error>,
    ) -> Result<T, Refused> {
        let mut rest = &self.bytes[self.at..];
        let value = read(&mut rest).map_err(|_| Refused::Malformed)?;
        self.at = self.bytes.len() - rest.len();
        Ok(value)
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], Refused> {
        let end = usize::try_from(n)
            .ok()
            .and_then(|n| self.at.checked_add(n))
            .filter(|end| *end <= self.bytes.len())
            .ok_or(Refused::Malformed)?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn skip(&mut self, n: u64) -> Result<(), Refused> {
        self.take(n).map(|_| ())
    }

    /// A count of actor ids, then each one's length and bytes.
    fn actors(&mut self) -> Result<(), Refused> {
        for _ in 0..self.uleb()? {
            let n = self.uleb()?;
            self.skip(n)?;
        }
        Ok(())
    }

    /// A count of change hashes, then their 32 bytes each.
    fn hashes(&mut self) -> Result<(), Refused> {
        let n = self.uleb()?;
        self.skip(n.checked_mul(32).ok_or(Refused::Malformed)?)
    }

    /// A column metadata block: the count of columns, then each one's specification and length.
    fn column_meta(&mut self) -> Result<Vec<(u32, u64)>, Refused> {
        let n = self.uleb()?;
        // Each column takes at least two bytes, so a count past the bytes left is a lie.
        if n > (self.bytes.len() - self.at) as u64 {
            return Err(Refused::Malformed);
        }
        (0..n)
            .map(|_| {
                let spec = u32::try_from(self.uleb()?).map_err(|_| Refused::Malformed)?;
                Ok((spec, self.uleb()?))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::Message;
    use pos_core::{Actor, BusinessDay, CatalogDoc, SalesDay, SharedDocument, Uuid, demo};

    /// The fuzz target's input (16 id bytes, then a sync message carrying a saved document),
    /// unsealed: its checksum is recomputed by `policy::fuzz_seal`, as the target does.
    const BOMB: &[u8] = include_bytes!("../tests/data/change_policy_allocation_bomb.bin");

    /// The document chunks of the sync message in a fuzz input.
    fn documents(input: &[u8]) -> Vec<Vec<u8>> {
        let message = Message::decode(&input[16..]).expect("a sync message");
        message
            .changes
            .iter()
            .filter(|c| c.get(8) == Some(&0))
            .map(|c| c.to_vec())
            .collect()
    }

    #[test]
    fn the_allocation_bomb_is_refused_before_automerge_decodes_it() {
        let sealed = crate::policy::fuzz_seal(BOMB);
        let chunks = documents(&sealed);
        assert_eq!(chunks.len(), 1);
        let started = std::time::Instant::now();
        match check_chunk(&chunks[0]) {
            Err(Refused::Changes(n)) => assert!(n > MAX_CHANGES, "{n}"),
            other => panic!("the bomb was not refused: {other:?}"),
        }
        // Refused as unreadable, without automerge allocating (this test would abort otherwise).
        assert_eq!(crate::policy::fuzz_origin(&sealed), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    /// The fuzz target's timeout: a boolean column whose count is not LEB128, which hexane's
    /// decoder loops on for ever.
    #[test]
    fn a_boolean_column_cut_short_is_refused_at_once() {
        // Unsealed, as the target keeps it: its checksums are recomputed as the target does.
        let input =
            crate::policy::fuzz_seal(include_bytes!("../tests/data/change_policy_bool_loop.bin"));
        let started = std::time::Instant::now();
        assert_eq!(crate::policy::fuzz_origin(&input), None);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn runs_are_counted_without_expanding_them() {
        // A run of 2^40 copies of 7, then a literal run of three values, then 5 nulls.
        let mut column = Vec::new();
        leb128::write::signed(&mut column, 1 << 40).unwrap();
        leb128::write::unsigned(&mut column, 7).unwrap();
        leb128::write::signed(&mut column, -3).unwrap();
        for v in [1, 2, 300] {
            leb128::write::unsigned(&mut column, v).unwrap();
        }
        column.extend([0, 5]);
        let mut inflate_left = MAX_INFLATED_BYTES;
        let rows = |spec, max, left: &mut u64| column_rows(spec, &column, max, left);
        assert_eq!(rows(0x12, u64::MAX, &mut inflate_left), Ok((1 << 40) + 8));
        // Counting stops past the bound, at the run that crossed it.
        assert_eq!(rows(0x12, 10, &mut inflate_left), Ok(1 << 40));
        // Deflated: the same rows, the inflated size taken from what is left.
        let mut deflated = Vec::new();
        flate2::read::DeflateEncoder::new(&column[..], flate2::Compression::default())
            .read_to_end(&mut deflated)
            .unwrap();
        let mut left = 100;
        assert_eq!(
            column_rows(0x1a, &deflated, u64::MAX, &mut left),
            Ok((1 << 40) + 8)
        );
        assert_eq!(left, 100 - column.len() as u64);
        let mut left = 3;
        assert_eq!(
            column_rows(0x1a, &deflated, u64::MAX, &mut left),
            Err(Refused::Inflates)
        );
        // A boolean column: 3 false, 2^33 true.
        let mut bools = vec![3];
        leb128::write::unsigned(&mut bools, 1 << 33).unwrap();
        assert_eq!(
            column_rows(0x14, &bools, u64::MAX, &mut inflate_left),
            Ok(3 + (1 << 33))
        );
        // A count that is not LEB128 (cut short) is malformed, not a loop.
        assert_eq!(
            column_rows(0x14, &[3, 0x80], u64::MAX, &mut inflate_left),
            Err(Refused::Malformed)
        );
        // Raw values have no rows.
        assert_eq!(column_rows(0x17, &column, 0, &mut inflate_left), Ok(0));
    }

    /// [`MAX_INFLATED_BYTES`] and one more of zeros, deflated (some 260 KB).
    fn zeros_past_the_bound() -> Vec<u8> {
        let mut deflated = Vec::new();
        flate2::read::DeflateEncoder::new(
            std::io::repeat(0).take(MAX_INFLATED_BYTES + 1),
            flate2::Compression::fast(),
        )
        .read_to_end(&mut deflated)
        .unwrap();
        deflated
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        // A document whose one change column is zeros past the bound, deflated a thousand-fold.
        let deflated = zeros_past_the_bound();
        let mut data = vec![0, 0, 1, 0x1a]; // no actors, no heads, one change column ...
        leb128::write::unsigned(&mut data, deflated.len() as u64).unwrap();
        data.push(0); // ... no op columns
        data.extend(&deflated);
        let mut chunk = vec![0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 0];
        leb128::write::unsigned(&mut chunk, data.len() as u64).unwrap();
        chunk.extend(&data);
        assert_eq!(check_chunk(&chunk), Err(Refused::Inflates));
    }

    #[test]
    fn a_compressed_change_is_inflated_only_up_to_the_bound() {
        // A change as automerge sends one that is large: deflated (type 2).
        let mut doc = automerge::AutoCommit::new();
        let text = "a line of a long receipt\n".repeat(2_000);
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, "text", text).unwrap();
        let mut change = doc.get_changes(&[]).remove(0);
        let compressed = change.bytes().to_vec();
        assert_eq!(compressed[8], 2, "a compressed change");
        let rows = check_chunk(&compressed).unwrap();
        assert_eq!((rows.max_changes(), rows.max_ops()), (0, 1));
        assert!(crate::policy::read_chunk(&compressed).is_some());
        // One whose data inflates to zeros past the bound.
        let deflated = zeros_past_the_bound();
        let mut chunk = compressed[..8].to_vec();
        chunk.push(2);
        leb128::write::unsigned(&mut chunk, deflated.len() as u64).unwrap();
        chunk.extend(&deflated);
        assert_eq!(check_chunk(&chunk), Err(Refused::Inflates));
        assert!(crate::policy::read_chunk(&chunk).is_none());
    }

    #[test]
    fn malformed_headers_are_refused_not_read_past() {
        let day = BusinessDay::new(2026, 11, 29).unwrap();
        let actor = Actor::device(Uuid::from_u128(2));
        let mut doc =
            SalesDay::new(Uuid::from_u128(1), Uuid::from_u128(2), day, &actor).into_automerge();
        let saved = doc.save();
        assert!(check_chunk(&saved).is_ok());
        for end in 0..saved.len() {
            assert!(check_chunk(&saved[..end]).is_err(), "{end}");
        }
    }

    /// No honest device is ever refused: a busy day's sales and a catalog, as the register makes
    /// them, are counted far below the bounds. Measured once
    /// (3,000 sales, 50,000 products): the day 132,710 bytes, 3,001 changes, 21,009 operations;
    /// the store's other documents of that day fewer; the catalog 1,244,060 bytes, 2 changes,
    /// 1,050,078 operations (less than one a byte, so 8 MiB of catalog is some 7 million).
    #[test]
    fn honest_documents_are_far_below_the_bounds() {
        const SALES: u64 = 3_000;
        let (store, device) = (Uuid::from_u128(0x5705), Uuid::from_u128(0xde71ce));
        let today = BusinessDay::new(2026, 11, 29).unwrap();
        let started = std::time::Instant::now();
        let mut day = SalesDay::new(store, device, today, &Actor::device(device));
        let (shop, menu) = demo::food_truck(false);
        for n in 1..=SALES {
            let id = Uuid::from_u128(device.as_u128() << 32 | u128::from(n));
            let at = 1_764_400_000_000 + 20_000 * n as i64;
            let sale = demo::cash_sale(&shop, &menu, n as usize, id, "T1", n, at);
            day.record_sale(&sale).unwrap();
        }
        let mut saved = vec![(
            format!("a day of {SALES} sales"),
            day.into_automerge().save(),
        )];
        eprintln!("the day made in {:?}", started.elapsed());
        // A 25th of the catalog measured above (which takes minutes in a debug build): the
        // operations per byte are what holds a catalog of any size below the bound.
        const PRODUCTS: usize = 2_000;
        let (_, mut catalog) = demo::food_truck(false);
        let base = catalog.products[0].clone();
        catalog.products = (0..PRODUCTS)
            .map(|i| {
                let mut p = base.clone();
                p.id = format!("p{i:05}");
                p.sku = p.id.clone();
                p.name = format!("Product number {i}");
                p
            })
            .collect();
        let mut doc = CatalogDoc::new(store, &Actor::device(device));
        doc.replace(&catalog).unwrap();
        saved.push((
            format!("a catalog of {PRODUCTS} products"),
            doc.automerge_mut().save(),
        ));
        eprintln!("and the catalog by {:?}", started.elapsed());
        for (what, bytes) in saved {
            let rows = check_chunk(&bytes).unwrap_or_else(|e| panic!("{what}: {e:?}"));
            eprintln!(
                "{what}: {} bytes, {} changes, {} operations, {} bytes inflated",
                bytes.len(),
                rows.max_changes(),
                rows.max_ops(),
                rows.inflated
            );
            assert!(rows.max_changes() >= SALES || what.contains("catalog"));
            assert!(rows.max_changes() * 10 <= MAX_CHANGES, "{what}: {rows:?}");
            // Fewer operations than bytes: a document of the largest message's size holds half
            // the bound at most.
            assert!(rows.max_ops() <= bytes.len() as u64, "{what}: {rows:?}");
            assert!(rows.inflated * 10 <= MAX_INFLATED_BYTES, "{what}: {rows:?}");
        }
    }
}
