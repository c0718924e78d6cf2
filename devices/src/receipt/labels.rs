//! Every word a receipt prints, in English and in Russian. The app's i18n layer does not reach
//! this crate, so the labels live here; a language is a `const` [`ReceiptLabels`] literal, and a
//! label missing from one of them does not compile.

/// The language a receipt prints in: its labels, decimal comma or point, date order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReceiptLanguage {
    /// Labels in English, `1,234.50`, dates as `2026-11-29 13:05`.
    #[default]
    English,
    /// Labels in Russian, `1 234,50`, dates as `29.11.2026 13:05`.
    Russian,
}

impl ReceiptLanguage {
    /// Both languages, for a settings list.
    pub const ALL: [ReceiptLanguage; 2] = [ReceiptLanguage::English, ReceiptLanguage::Russian];

    /// The printed words of this language.
    pub const fn labels(self) -> &'static ReceiptLabels {
        match self {
            ReceiptLanguage::English => &ReceiptLabels::ENGLISH,
            ReceiptLanguage::Russian => &ReceiptLabels::RUSSIAN,
        }
    }

    /// The BCP 47 tag (`en`, `ru`), to match the app's language setting.
    pub const fn tag(self) -> &'static str {
        match self {
            ReceiptLanguage::English => "en",
            ReceiptLanguage::Russian => "ru",
        }
    }

    /// The language for a BCP 47 tag such as `ru-RU`; English for anything else.
    pub fn from_tag(tag: &str) -> ReceiptLanguage {
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("ru") {
            ReceiptLanguage::Russian
        } else {
            ReceiptLanguage::English
        }
    }
}

/// The words printed on a receipt, one field per label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReceiptLabels {
    /// Before the receipt number: "Receipt T1-000042".
    pub receipt: &'static str,
    /// Before the cashier's name.
    pub cashier: &'static str,
    /// Before the name of the customer the sale was made for.
    pub customer: &'static str,
    /// Before the store's tax number.
    pub tax_number: &'static str,
    /// Sum of the lines before discounts.
    pub subtotal: &'static str,
    /// A line's own discount, under the line.
    pub discount: &'static str,
    /// The sum of the lines' own discounts, above the total.
    pub item_discounts: &'static str,
    /// The discount on the whole order.
    pub order_discount: &'static str,
    /// The tax, added on top (prices without tax): "VAT 20%".
    pub tax: &'static str,
    /// The tax contained in the prices (prices with tax): "incl. VAT 20%".
    pub tax_included: &'static str,
    /// Between a tax rate and the net amount it is charged on: "VAT 20% on 10.00".
    pub tax_on: &'static str,
    /// Under a line sold without VAT, when each line prints its VAT.
    pub without_vat: &'static str,
    /// What the sale comes to.
    pub total: &'static str,
    /// The difference cash rounding made.
    pub cash_rounding: &'static str,
    /// What the customer paid after cash rounding.
    pub amount_paid: &'static str,
    /// A tip paid on top of the total.
    pub tip: &'static str,
    /// A cash tender.
    pub cash: &'static str,
    /// A card tender.
    pub card: &'static str,
    /// A tender of the store's own gift card: "Gift card **** 1234".
    pub gift_card: &'static str,
    /// A tender of the customer's loyalty points: "Points (120)".
    pub points: &'static str,
    /// The points the sale earned its customer.
    pub points_earned: &'static str,
    /// The customer's points after the sale.
    pub points_balance: &'static str,
    /// Before a card approval's code.
    pub auth_code: &'static str,
    /// Change given back.
    pub change: &'static str,
    /// After a weight: "0.250 kg".
    pub kilogram: &'static str,
    /// After a volume: "0.500 l".
    pub litre: &'static str,
    /// The banner of the merchant's copy.
    pub merchant_copy: &'static str,
    /// The banner of the customer's copy, printed when a merchant copy is printed too.
    pub customer_copy: &'static str,
    /// The banner of a receipt printed again from the list of sales.
    pub reprint: &'static str,
    /// The banner of every receipt made in training mode.
    pub training: &'static str,
    /// Under the training banner.
    pub training_note: &'static str,
    /// Beside the signature line of the merchant's copy of a card sale.
    pub signature: &'static str,
    /// The title of a refund slip, above the sale's receipt.
    pub refund: &'static str,
    /// The title of the slip of a voided sale.
    pub void: &'static str,
    /// What a refund paid back in all.
    pub refunded: &'static str,
    /// The part of a refund paid back to the card.
    pub refund_to_card: &'static str,
    /// The part of a refund put back onto the store's gift card the sale was paid with.
    pub refund_to_gift_card: &'static str,
    /// The part of a refund handed back from the drawer.
    pub refund_in_cash: &'static str,
    /// Above the number of the new gift card a refund was given on as store credit.
    pub store_credit_card: &'static str,
    /// Before the cashier's reason for a refund: "Reason: Cold fries".
    pub refund_reason: &'static str,
    /// Above the lines a refund of part of a sale took back.
    pub returned_items: &'static str,
    /// A sale paid (in part) with goods brought back in an exchange.
    pub exchange_credit: &'static str,
    /// The part of a refund kept for the goods taken instead, in an exchange.
    pub refund_to_exchange: &'static str,
}

impl ReceiptLabels {
    /// English.
    pub const ENGLISH: ReceiptLabels = ReceiptLabels {
        receipt: "Receipt",
        cashier: "Cashier",
        customer: "Customer",
        tax_number: "Tax no.",
        subtotal: "Subtotal",
        discount: "Discount",
        item_discounts: "Item discounts",
        order_discount: "Order discount",
        tax: "VAT",
        tax_included: "incl. VAT",
        tax_on: "on",
        without_vat: "Without VAT",
        total: "Total",
        cash_rounding: "Rounding",
        amount_paid: "Amount paid",
        tip: "Tip",
        cash: "Cash",
        card: "Card",
        gift_card: "Gift card",
        points: "Points",
        points_earned: "Points earned",
        points_balance: "Points balance",
        auth_code: "Auth code",
        change: "Change",
        kilogram: "kg",
        litre: "l",
        merchant_copy: "MERCHANT COPY",
        customer_copy: "CUSTOMER COPY",
        reprint: "REPRINT",
        training: "*** TRAINING ***",
        training_note: "Training mode: no money was taken.",
        signature: "Signature",
        refund: "REFUND",
        void: "VOID",
        refunded: "Refunded",
        refund_to_card: "Back to the card",
        refund_to_gift_card: "Back to the gift card",
        refund_in_cash: "In cash from the drawer",
        store_credit_card: "Store credit on gift card",
        refund_reason: "Reason",
        returned_items: "Items returned",
        exchange_credit: "Goods exchanged",
        refund_to_exchange: "Towards the exchange",
    };

    /// Russian.
    pub const RUSSIAN: ReceiptLabels = ReceiptLabels {
        receipt: "Чек",
        cashier: "Кассир",
        customer: "Покупатель",
        tax_number: "ИНН",
        subtotal: "Подытог",
        discount: "Скидка",
        item_discounts: "Скидки на товары",
        order_discount: "Скидка на чек",
        tax: "НДС",
        tax_included: "в т.ч. НДС",
        tax_on: "от",
        without_vat: "Без НДС",
        total: "Итого",
        cash_rounding: "Округление",
        amount_paid: "Оплачено",
        tip: "Чаевые",
        cash: "Наличные",
        card: "Карта",
        gift_card: "Подарочная карта",
        points: "Баллы",
        points_earned: "Начислено баллов",
        points_balance: "Баланс баллов",
        auth_code: "Код авторизации",
        change: "Сдача",
        kilogram: "кг",
        litre: "л",
        merchant_copy: "КОПИЯ ПРОДАВЦА",
        customer_copy: "КОПИЯ ПОКУПАТЕЛЯ",
        reprint: "ПОВТОРНАЯ ПЕЧАТЬ",
        training: "*** УЧЕБНЫЙ РЕЖИМ ***",
        training_note: "Учебный режим: деньги не принимались.",
        signature: "Подпись",
        refund: "ВОЗВРАТ",
        void: "АННУЛИРОВАНИЕ",
        refunded: "Возвращено",
        refund_to_card: "На карту",
        refund_to_gift_card: "На подарочную карту",
        refund_in_cash: "Наличными из ящика",
        store_credit_card: "Кредит магазина на подарочной карте",
        refund_reason: "Причина",
        returned_items: "Возвращённые позиции",
        exchange_credit: "Зачёт при обмене",
        refund_to_exchange: "В зачёт обмена",
    };

    /// Every label with its field name, to check that none is empty.
    pub fn all(&self) -> [(&'static str, &'static str); 41] {
        [
            ("receipt", self.receipt),
            ("cashier", self.cashier),
            ("customer", self.customer),
            ("tax_number", self.tax_number),
            ("subtotal", self.subtotal),
            ("discount", self.discount),
            ("item_discounts", self.item_discounts),
            ("order_discount", self.order_discount),
            ("tax", self.tax),
            ("tax_included", self.tax_included),
            ("tax_on", self.tax_on),
            ("without_vat", self.without_vat),
            ("total", self.total),
            ("cash_rounding", self.cash_rounding),
            ("amount_paid", self.amount_paid),
            ("tip", self.tip),
            ("cash", self.cash),
            ("card", self.card),
            ("gift_card", self.gift_card),
            ("points", self.points),
            ("points_earned", self.points_earned),
            ("points_balance", self.points_balance),
            ("auth_code", self.auth_code),
            ("change", self.change),
            ("kilogram", self.kilogram),
            ("merchant_copy", self.merchant_copy),
            ("customer_copy", self.customer_copy),
            ("reprint", self.reprint),
            ("training", self.training),
            ("training_note", self.training_note),
            ("signature", self.signature),
            ("refund", self.refund),
            ("refunded", self.refunded),
            ("refund_to_card", self.refund_to_card),
            ("refund_to_gift_card", self.refund_to_gift_card),
            ("refund_in_cash", self.refund_in_cash),
            ("store_credit_card", self.store_credit_card),
            ("refund_reason", self.refund_reason),
            ("returned_items", self.returned_items),
            ("exchange_credit", self.exchange_credit),
            ("refund_to_exchange", self.refund_to_exchange),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_is_filled_in_both_languages() {
        for language in ReceiptLanguage::ALL {
            for (name, text) in language.labels().all() {
                assert!(!text.trim().is_empty(), "{language:?}: {name} is empty");
            }
        }
        // Russian labels are Russian, not a copied English line.
        let english = ReceiptLabels::ENGLISH.all();
        for (index, (name, russian)) in ReceiptLabels::RUSSIAN.all().into_iter().enumerate() {
            assert_ne!(russian, english[index].1, "{name}");
        }
    }

    #[test]
    fn tags() {
        assert_eq!(ReceiptLanguage::from_tag("ru-RU"), ReceiptLanguage::Russian);
        assert_eq!(ReceiptLanguage::from_tag("RU"), ReceiptLanguage::Russian);
        assert_eq!(ReceiptLanguage::from_tag("en-GB"), ReceiptLanguage::English);
        assert_eq!(ReceiptLanguage::from_tag("de"), ReceiptLanguage::English);
        for language in ReceiptLanguage::ALL {
            assert_eq!(ReceiptLanguage::from_tag(language.tag()), language);
        }
    }
}
