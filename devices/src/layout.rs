//! Line layout in character cells: two-column lines, table rows and word wrap.
//! Every character the encoder prints takes one cell (a missing one prints as one `?`), so
//! widths are counted in `char`s, and cutting happens between `char`s, never inside one.

use crate::encoder::Align;

/// One column of a table row: its width in cells and how its text sits in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Width in character cells.
    pub width: usize,
    /// Where the text sits when it is shorter than the column.
    pub align: Align,
}

/// A cell is one line: control characters (`\n`, `\t`, ESC ...) become spaces, so that a
/// product name cannot break the layout or smuggle a printer command in.
fn cells(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().map(|c| if c.is_control() { ' ' } else { c })
}

/// The first `width` characters of `text`, as one line.
pub fn truncate(text: &str, width: usize) -> String {
    cells(text).take(width).collect()
}

/// `left` and `right` on one line of exactly `width` cells, `right` flush right:
/// `"Coffee x2 ............ 5.00"`.
///
/// The right text (a price) is kept whole and the left one is cut to fit, with at least one
/// cell between them; only a right text wider than the line is cut itself. With a `fill`
/// other than a space the gap is `fill` with a space at each end (a dot leader).
pub fn two_columns(left: &str, right: &str, width: usize, fill: char) -> String {
    let fill = if fill.is_control() { ' ' } else { fill };
    let right: Vec<char> = cells(right).take(width).collect();
    let room = width - right.len();
    // Keep one cell between the texts, unless there is no room for any left text at all.
    let left: Vec<char> = cells(left).take(room.saturating_sub(1)).collect();
    let gap = room - left.len();
    let mut line = String::with_capacity(width * 2);
    line.extend(&left);
    if fill != ' ' && gap >= 3 {
        line.push(' ');
        line.extend(std::iter::repeat_n(fill, gap - 2));
        line.push(' ');
    } else {
        line.extend(std::iter::repeat_n(' ', gap));
    }
    line.extend(&right);
    line
}

/// One table row: each text cut or padded to its column's width, columns side by side.
/// Texts beyond the last column are ignored; missing texts leave their column blank.
pub fn row(texts: &[&str], columns: &[Column]) -> String {
    let mut line = String::new();
    for (index, column) in columns.iter().enumerate() {
        let text: Vec<char> = cells(texts.get(index).copied().unwrap_or(""))
            .take(column.width)
            .collect();
        let gap = column.width - text.len();
        let (before, after) = match column.align {
            Align::Left => (0, gap),
            Align::Center => (gap / 2, gap - gap / 2),
            Align::Right => (gap, 0),
        };
        line.extend(std::iter::repeat_n(' ', before));
        line.extend(&text);
        line.extend(std::iter::repeat_n(' ', after));
    }
    line
}

/// `text` broken into lines of at most `width` cells, at spaces where possible; a word longer
/// than a line is cut. Explicit line breaks in `text` are kept.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    if width == 0 {
        return Vec::new();
    }
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line: Vec<char> = Vec::new();
        for word in paragraph.split(' ') {
            let mut word: Vec<char> = cells(word).collect();
            loop {
                let needed = if line.is_empty() {
                    word.len()
                } else {
                    line.len() + 1 + word.len()
                };
                if needed <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.append(&mut word);
                    break;
                }
                if !line.is_empty() {
                    lines.push(line.drain(..).collect());
                    continue;
                }
                // A word longer than a whole line: cut it.
                let rest = word.split_off(width);
                lines.push(word.into_iter().collect());
                word = rest;
            }
        }
        lines.push(line.into_iter().collect());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_leader() {
        assert_eq!(
            two_columns("Coffee x2", "5.00", 24, '.'),
            "Coffee x2 ......... 5.00"
        );
    }

    #[test]
    fn long_name_is_cut_not_the_price() {
        let line = two_columns("Капучино большой с корицей", "123.50", 20, ' ');
        assert_eq!(line, "Капучино боль 123.50");
        assert_eq!(line.chars().count(), 20);
    }

    #[test]
    fn short_gap_falls_back_to_spaces() {
        assert_eq!(two_columns("Tea", "1.00", 9, '.'), "Tea  1.00");
    }

    #[test]
    fn right_wider_than_line() {
        assert_eq!(two_columns("x", "1234567890", 4, ' '), "1234");
    }

    #[test]
    fn rows_align() {
        let columns = [
            Column {
                width: 6,
                align: Align::Left,
            },
            Column {
                width: 4,
                align: Align::Center,
            },
            Column {
                width: 6,
                align: Align::Right,
            },
        ];
        assert_eq!(row(&["Чай", "2", "3.00"], &columns), "Чай    2    3.00");
        assert_eq!(row(&["Espresso"], &columns), "Espres          ");
    }

    #[test]
    fn controls_become_spaces() {
        assert_eq!(truncate("a\u{1b}@b\n", 10), "a @b ");
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(
            wrap("Латте на овсяном молоке", 10),
            ["Латте на", "овсяном", "молоке"]
        );
        assert_eq!(wrap("ABCDEFGHIJKL", 5), ["ABCDE", "FGHIJ", "KL"]);
        assert_eq!(wrap("a\nb", 5), ["a", "b"]);
    }
}
