//! From blocks to lines of a given width, and from lines to ESC/POS bytes. Both the bytes and
//! the plain-text preview come from the same line plan, so what the preview shows is what the
//! paper gets, line for line.

use super::{ReceiptBlock, ReceiptLayout, TextStyle};
use crate::encoder::{
    Align, BarcodeText, Cut, DrawerPin, EncodedReceipt, QrOptions, ReceiptEncoder,
};
use crate::error::EncodeError;
use crate::image::Bitmap;
use crate::layout::{truncate, two_columns, wrap};
use crate::profile::PrinterProfile;

/// Bar height of the receipt-number barcode, in dots: 7.5 mm at 203 dpi.
const BARCODE_HEIGHT: u8 = 60;

/// One printed thing after layout: a line that fits, or a command.
enum Piece<'a> {
    Line {
        text: String,
        align: Align,
        style: TextStyle,
    },
    Qr(&'a str),
    Barcode(&'a str),
    Logo(&'a Bitmap),
    Cut,
    Drawer,
}

impl ReceiptLayout {
    /// The receipt as ESC/POS bytes for `profile`, on its paper width
    /// ([`PrinterProfile::chars_per_line`]: 32, 42 or 48; set the field to print narrower).
    ///
    /// Fails only for a QR code or barcode the printer command cannot hold, which
    /// [`ReceiptLayout::from_sale`] never makes.
    pub fn encode(&self, profile: PrinterProfile) -> Result<EncodedReceipt, EncodeError> {
        let mut encoder = ReceiptEncoder::new(profile);
        encoder.initialize();
        let mut align = Align::Left;
        let mut style = TextStyle::PLAIN;
        for piece in self.plan(
            usize::from(profile.chars_per_line),
            Some(profile.dots_per_line),
        ) {
            match piece {
                Piece::Line {
                    text,
                    align: line_align,
                    style: line_style,
                } => {
                    set_align(&mut encoder, &mut align, line_align);
                    set_style(&mut encoder, &mut style, line_style)?;
                    encoder.line(&text);
                }
                Piece::Qr(data) => {
                    set_align(&mut encoder, &mut align, Align::Center);
                    encoder.qr(data, QrOptions::default())?;
                }
                Piece::Barcode(data) => {
                    set_align(&mut encoder, &mut align, Align::Center);
                    encoder
                        .barcode_height(BARCODE_HEIGHT)
                        .barcode_module_width(2)
                        .barcode_text(BarcodeText::Below)
                        .code128(data)?;
                }
                Piece::Logo(bitmap) => {
                    set_align(&mut encoder, &mut align, Align::Center);
                    encoder.image(bitmap)?;
                }
                Piece::Cut => {
                    encoder.cut(Cut::Partial);
                }
                Piece::Drawer => {
                    encoder.open_drawer(DrawerPin::Pin2);
                }
            }
        }
        set_align(&mut encoder, &mut align, Align::Left);
        set_style(&mut encoder, &mut style, TextStyle::PLAIN)?;
        Ok(encoder.finish())
    }

    /// The receipt as plain text, `width` characters per line (large text counts double),
    /// line for line as [`encode`](Self::encode) prints it: for a preview, a log or a test.
    /// Codes and commands show as placeholders: `[qr ...]`, `[barcode ...]`, `[cut]`,
    /// `[open drawer]`, `[logo WxH]`, which may be wider than the paper.
    pub fn to_text(&self, width: usize) -> String {
        let mut out = String::new();
        for piece in self.plan(width, None) {
            match piece {
                Piece::Line { text, align, style } => {
                    let room = line_width(width, style);
                    let gap = room.saturating_sub(text.chars().count());
                    let before = match align {
                        Align::Left => 0,
                        Align::Center => gap / 2,
                        Align::Right => gap,
                    };
                    out.extend(std::iter::repeat_n(' ', before));
                    out.push_str(text.trim_end());
                }
                Piece::Qr(data) => {
                    out.push_str("[qr ");
                    out.push_str(data);
                    out.push(']');
                }
                Piece::Barcode(data) => {
                    out.push_str("[barcode ");
                    out.push_str(data);
                    out.push(']');
                }
                Piece::Logo(bitmap) => {
                    out.push_str(&format!("[logo {}x{}]", bitmap.width(), bitmap.height()));
                }
                Piece::Cut => out.push_str("[cut]"),
                Piece::Drawer => out.push_str("[open drawer]"),
            }
            out.push('\n');
        }
        out
    }

    /// Every block broken into lines of at most `width` cells (half that for large text); a
    /// logo wider than `dots` (the paper, when printing) is left out.
    fn plan(&self, width: usize, dots: Option<u16>) -> Vec<Piece<'_>> {
        let mut pieces = Vec::with_capacity(self.blocks.len() + 16);
        let line = |pieces: &mut Vec<Piece<'_>>, text: String, align, style| {
            pieces.push(Piece::Line { text, align, style });
        };
        for block in &self.blocks {
            match block {
                ReceiptBlock::Text { text, align, style } => {
                    for text in wrap(text, line_width(width, *style)) {
                        line(&mut pieces, text, *align, *style);
                    }
                }
                ReceiptBlock::Row { left, right, style } => {
                    for text in row_lines(left, right, line_width(width, *style)) {
                        line(&mut pieces, text, Align::Left, *style);
                    }
                }
                ReceiptBlock::Rule(rule) => {
                    let text = std::iter::repeat_n(rule.character(), width).collect();
                    line(&mut pieces, text, Align::Left, TextStyle::PLAIN);
                }
                ReceiptBlock::Blank => {
                    line(&mut pieces, String::new(), Align::Left, TextStyle::PLAIN)
                }
                ReceiptBlock::Qr { data } => pieces.push(Piece::Qr(data)),
                ReceiptBlock::Barcode { data } => pieces.push(Piece::Barcode(data)),
                ReceiptBlock::Logo(bitmap) => {
                    if dots.is_none_or(|dots| bitmap.width() <= u32::from(dots)) {
                        pieces.push(Piece::Logo(bitmap));
                    }
                }
                ReceiptBlock::Signature { label } => {
                    line(&mut pieces, String::new(), Align::Left, TextStyle::PLAIN);
                    line(&mut pieces, String::new(), Align::Left, TextStyle::PLAIN);
                    let label = truncate(label, width.saturating_sub(1));
                    let rest = width.saturating_sub(label.chars().count() + 1);
                    let mut text = label;
                    if rest > 0 {
                        text.push(' ');
                        text.extend(std::iter::repeat_n('_', rest));
                    }
                    line(&mut pieces, text, Align::Left, TextStyle::PLAIN);
                }
                ReceiptBlock::Cut => pieces.push(Piece::Cut),
                ReceiptBlock::OpenDrawer => pieces.push(Piece::Drawer),
            }
        }
        pieces
    }
}

/// Characters per line in `style`: large text is twice as wide.
fn line_width(width: usize, style: TextStyle) -> usize {
    if style.large { width / 2 } else { width }
}

/// A label and an amount in lines of `width`: on one line when they fit; else the label wraps
/// and the amount goes flush right on its last line, or on a line of its own. The amount is
/// cut only when it is wider than the whole line.
fn row_lines(left: &str, right: &str, width: usize) -> Vec<String> {
    if width == 0 {
        return Vec::new();
    }
    let right = truncate(right, usize::MAX);
    let right = right.trim();
    let right_len = right.chars().count();
    let left_len = left.chars().count();
    if right_len == 0 {
        // A row with nothing on the right keeps its indent when it fits, as a row with an
        // amount does (`  + Oat milk` under its line).
        if left_len <= width && !left.contains('\n') {
            return vec![left.to_owned()];
        }
        return wrap(left, width);
    }
    if left_len + 1 + right_len <= width && !left.contains('\n') {
        return vec![two_columns(left, right, width, ' ')];
    }
    let mut lines = wrap(left, width);
    if right_len > width {
        lines.extend(wrap(right, width));
        return lines;
    }
    match lines.last_mut() {
        Some(last) if last.chars().count() + 1 + right_len <= width => {
            *last = two_columns(last, right, width, ' ');
        }
        _ => {
            let mut text: String = std::iter::repeat_n(' ', width - right_len).collect();
            text.push_str(right);
            lines.push(text);
        }
    }
    lines
}

fn set_align(encoder: &mut ReceiptEncoder, current: &mut Align, wanted: Align) {
    if *current != wanted {
        encoder.align(wanted);
        *current = wanted;
    }
}

fn set_style(
    encoder: &mut ReceiptEncoder,
    current: &mut TextStyle,
    wanted: TextStyle,
) -> Result<(), EncodeError> {
    if current.bold != wanted.bold {
        encoder.bold(wanted.bold);
    }
    if current.large != wanted.large {
        let scale = if wanted.large { 2 } else { 1 };
        encoder.size(scale, scale)?;
    }
    *current = wanted;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_the_amount_whole() {
        assert_eq!(row_lines("Tea", "2.50", 12), ["Tea     2.50"]);
        assert_eq!(
            row_lines("Large oat latte", "12.50", 12),
            ["Large oat", "latte  12.50"]
        );
        assert_eq!(
            row_lines("Large oat lattes!", "12.50", 12),
            ["Large oat", "lattes!", "       12.50"]
        );
        assert_eq!(
            row_lines("x", "1234567890123", 6),
            ["x", "123456", "789012", "3"]
        );
        assert_eq!(row_lines("Only a label", "", 8), ["Only a", "label"]);
    }
}
