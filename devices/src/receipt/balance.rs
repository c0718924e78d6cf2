//! The slip of a gift card balance inquiry, printed for the customer at the desk or the till:
//! the store, the card by its last four digits only (the full number is what spends it, so it is
//! never printed), its balance and status, and when it was asked. The app words the labels in
//! its language and formats the money and the time.

use pos_core::gift_card::GiftCardNumber;

use super::{ReceiptBlock, ReceiptLayout, Rule, TextStyle};
use crate::encoder::Align;

/// What a balance slip says, worded by the app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceSlip {
    /// The store's name, at the top.
    pub store: String,
    /// "GIFT CARD BALANCE".
    pub heading: String,
    /// "Card".
    pub card_label: String,
    /// The card; only its last four digits are printed.
    pub card: GiftCardNumber,
    /// "Balance".
    pub balance_label: String,
    /// The balance as money, `€15.00`.
    pub balance: String,
    /// "Status".
    pub status_label: String,
    /// "Active", "Deactivated".
    pub status: String,
    /// When the server answered, as the receipts write times.
    pub at: String,
}

impl ReceiptLayout {
    /// The store and the heading centred, a row per fact, the time, and a cut.
    pub fn balance_slip(slip: &BalanceSlip) -> ReceiptLayout {
        let centred = |text: &str, style| ReceiptBlock::Text {
            text: text.to_string(),
            align: Align::Center,
            style,
        };
        let row = |left: &str, right: &str, style| ReceiptBlock::Row {
            left: left.to_string(),
            right: right.to_string(),
            style,
        };
        ReceiptLayout {
            blocks: vec![
                centred(&slip.store, TextStyle::BOLD),
                centred(&slip.heading, TextStyle::LARGE),
                ReceiptBlock::Rule(Rule::Single),
                row(&slip.card_label, &masked(&slip.card), TextStyle::PLAIN),
                row(&slip.balance_label, &slip.balance, TextStyle::BOLD),
                row(&slip.status_label, &slip.status, TextStyle::PLAIN),
                ReceiptBlock::Rule(Rule::Single),
                centred(&slip.at, TextStyle::PLAIN),
                ReceiptBlock::Cut,
            ],
        }
    }
}

/// `**** 1234`: asterisks print on every code page, where a bullet may not.
fn masked(card: &GiftCardNumber) -> String {
    format!("**** {}", card.last_four())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrinterProfile;

    #[test]
    fn a_balance_slip_names_the_card_by_its_last_four_digits_only() {
        let card = GiftCardNumber::parse("6012000000000011").unwrap();
        let slip = BalanceSlip {
            store: "Gift Shop".into(),
            heading: "ОСТАТОК НА КАРТЕ".into(),
            card_label: "Карта".into(),
            card,
            balance_label: "Баланс".into(),
            balance: "15,00 RUB".into(),
            status_label: "Статус".into(),
            status: "Активна".into(),
            at: "07.12.2026 17:20".into(),
        };
        let layout = ReceiptLayout::balance_slip(&slip);
        let text = layout.to_text(32);
        assert!(text.contains("**** 0011"), "{text}");
        assert!(
            !text.contains("6012"),
            "the full number is never printed: {text}"
        );
        assert!(text.contains("Баланс") && text.contains("15,00"), "{text}");
        assert!(text.contains("07.12.2026 17:20"), "{text}");
        assert_eq!(layout.blocks.last(), Some(&ReceiptBlock::Cut));
        // Russian prints on the Cyrillic code page with nothing replaced.
        let printed = layout.encode(PrinterProfile::XPRINTER_58).unwrap();
        assert!(printed.replaced.is_empty(), "{:?}", printed.replaced);
    }
}
