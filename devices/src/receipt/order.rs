//! The kitchen's order ticket: what to make, with no prices, in large type for a cook to read at
//! arm's length. The app words the heading (the till, the time, who took the order).

use super::{ReceiptBlock, ReceiptLayout, Rule, TextStyle};
use crate::encoder::Align;

/// One line of an order ticket: how many (as the app writes the quantity), what, and its
/// modifiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderLine {
    /// How many, as the till shows it: `2`, `0,5`.
    pub quantity: String,
    /// The product, as on the ticket.
    pub name: String,
    /// The modifiers' names.
    pub modifiers: Vec<String>,
}

impl ReceiptLayout {
    /// `heading` large and centred, `detail` under it, then each line as `2 x Burger` with its
    /// modifiers under it, and a cut.
    pub fn order_ticket(heading: &str, detail: &str, lines: &[OrderLine]) -> ReceiptLayout {
        let mut blocks = vec![
            ReceiptBlock::Text {
                text: heading.to_string(),
                align: Align::Center,
                style: TextStyle::LARGE,
            },
            ReceiptBlock::Text {
                text: detail.to_string(),
                align: Align::Center,
                style: TextStyle::PLAIN,
            },
            ReceiptBlock::Rule(Rule::Double),
        ];
        for line in lines {
            blocks.push(ReceiptBlock::Text {
                text: format!("{} x {}", line.quantity, line.name),
                align: Align::Left,
                style: TextStyle::LARGE,
            });
            for modifier in &line.modifiers {
                blocks.push(ReceiptBlock::Text {
                    text: format!("  + {modifier}"),
                    align: Align::Left,
                    style: TextStyle::BOLD,
                });
            }
        }
        blocks.extend([ReceiptBlock::Rule(Rule::Double), ReceiptBlock::Cut]);
        ReceiptLayout { blocks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_ticket_lists_what_to_make_without_prices() {
        let lines = [
            OrderLine {
                quantity: "2".into(),
                name: "Burger".into(),
                modifiers: vec!["Cheese".into()],
            },
            OrderLine {
                quantity: "1".into(),
                name: "Fries".into(),
                modifiers: Vec::new(),
            },
        ];
        let ticket = ReceiptLayout::order_ticket("ORDER", "Till 1 · 12:30 · Ivan", &lines);
        let texts: Vec<&str> = ticket
            .blocks
            .iter()
            .filter_map(|b| match b {
                ReceiptBlock::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            texts,
            ["ORDER", "Till 1 · 12:30 · Ivan", "2 x Burger", "  + Cheese", "1 x Fries"]
        );
        assert_eq!(ticket.blocks.last(), Some(&ReceiptBlock::Cut));
        assert!(!ticket.blocks.iter().any(|b| matches!(b, ReceiptBlock::Row { .. })));
    }
}
