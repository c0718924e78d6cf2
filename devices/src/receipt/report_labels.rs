//! Every word the X and Z reports print, in English and in Russian, beside the receipt's labels
//! and kept the same way: a `const` [`ShiftReportLabels`] literal per language, so a label
//! missing from one does not compile.

use super::labels::ReceiptLanguage;

/// The words printed on a shift report, one field per label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShiftReportLabels {
    /// The title of a closed shift's report.
    pub z_report: &'static str,
    /// The title of an open shift's report.
    pub x_report: &'static str,
    /// Before the till's name.
    pub till: &'static str,
    /// "Opened".
    pub opened: &'static str,
    /// "Closed".
    pub closed: &'static str,
    /// Before the first and last receipt numbers.
    pub receipts: &'static str,
    /// What the goods came to before discounts.
    pub gross_sales: &'static str,
    /// "Discounts".
    pub discounts: &'static str,
    /// "Cash rounding".
    pub cash_rounding: &'static str,
    /// "Tips".
    pub tips: &'static str,
    /// What the customers paid.
    pub paid: &'static str,
    /// "Cash".
    pub cash: &'static str,
    /// "Card".
    pub card: &'static str,
    /// Goods brought back in an exchange: no money, the other goods' payment.
    pub exchange: &'static str,
    /// The store's own gift cards, the report's "other" tender.
    pub gift_card: &'static str,
    /// "Refunds".
    pub refunds: &'static str,
    /// "Net sales".
    pub net_sales: &'static str,
    /// "Voids".
    pub voids: &'static str,
    /// The number of sales.
    pub sales: &'static str,
    /// "Average ticket".
    pub average_ticket: &'static str,
    /// The heading of the taxes per rate.
    pub taxes: &'static str,
    /// Under a rate: the amount without tax.
    pub net: &'static str,
    /// Under a rate: the tax.
    pub tax: &'static str,
    /// The heading of the tips per staff member.
    pub tips_by_staff: &'static str,
    /// A tip of a sale taken on a device without staff.
    pub no_staff: &'static str,
    /// The heading of the drawer's figures.
    pub drawer: &'static str,
    /// "Float".
    pub float: &'static str,
    /// The cash customers handed over.
    pub cash_tendered: &'static str,
    /// "Change given".
    pub change: &'static str,
    /// "Cash refunds".
    pub cash_refunds: &'static str,
    /// "Pay-ins".
    pub pay_ins: &'static str,
    /// "Pay-outs".
    pub pay_outs: &'static str,
    /// Cash taken to the safe.
    pub drops: &'static str,
    /// "Expected".
    pub cash_expected: &'static str,
    /// "Counted".
    pub cash_counted: &'static str,
    /// Counted less expected.
    pub difference: &'static str,
    /// The heading of the card terminal's reconciliation.
    pub terminal: &'static str,
    /// The register's side of the reconciliation.
    pub register: &'static str,
    /// The terminal's side of the reconciliation.
    pub terminal_side: &'static str,
    /// Card payments in all, in the reconciliation.
    pub all_cards: &'static str,
    /// Cards of no brand the terminal groups apart (its "others").
    pub other_cards: &'static str,
    /// The terminal's totals agree with the register.
    pub matched: &'static str,
    /// The terminal's totals do not agree.
    pub mismatch: &'static str,
    /// Before an approval the terminal's batch does not hold.
    pub not_on_terminal: &'static str,
    /// Before a terminal receipt the register has no record of.
    pub not_recorded: &'static str,
    /// The banner of a report printed again.
    pub reprint: &'static str,
}

impl ShiftReportLabels {
    /// English.
    pub const ENGLISH: ShiftReportLabels = ShiftReportLabels {
        z_report: "Z REPORT",
        x_report: "X REPORT",
        till: "Till",
        opened: "Opened",
        closed: "Closed",
        receipts: "Receipts",
        gross_sales: "Gross sales",
        discounts: "Discounts",
        cash_rounding: "Cash rounding",
        tips: "Tips",
        paid: "Paid",
        cash: "Cash",
        card: "Card",
        exchange: "Exchanges",
        gift_card: "Other: gift cards",
        refunds: "Refunds",
        net_sales: "Net sales",
        voids: "Voids",
        sales: "Sales",
        average_ticket: "Average ticket",
        taxes: "Taxes",
        net: "net",
        tax: "tax",
        tips_by_staff: "Tips by staff",
        no_staff: "No staff",
        drawer: "Cash drawer",
        float: "Float",
        cash_tendered: "Cash taken",
        change: "Change given",
        cash_refunds: "Cash refunds",
        pay_ins: "Pay-ins",
        pay_outs: "Pay-outs",
        drops: "To the safe",
        cash_expected: "Expected",
        cash_counted: "Counted",
        difference: "Difference",
        terminal: "Card terminal",
        register: "Register",
        terminal_side: "Terminal",
        all_cards: "All cards",
        other_cards: "Other cards",
        matched: "Matches the terminal",
        mismatch: "DOES NOT MATCH THE TERMINAL",
        not_on_terminal: "Not on the terminal",
        not_recorded: "Not recorded: terminal receipt",
        reprint: "REPRINT",
    };

    /// Russian.
    pub const RUSSIAN: ShiftReportLabels = ShiftReportLabels {
        z_report: "Z-ОТЧЁТ",
        x_report: "X-ОТЧЁТ",
        till: "Касса",
        opened: "Открыта",
        closed: "Закрыта",
        receipts: "Чеки",
        gross_sales: "Продажи без скидок",
        discounts: "Скидки",
        cash_rounding: "Округление",
        tips: "Чаевые",
        paid: "Оплачено",
        cash: "Наличные",
        card: "Карта",
        exchange: "Обмены",
        gift_card: "Прочее: подарочные карты",
        refunds: "Возвраты",
        net_sales: "Выручка",
        voids: "Аннулировано",
        sales: "Продаж",
        average_ticket: "Средний чек",
        taxes: "Налоги",
        net: "без НДС",
        tax: "НДС",
        tips_by_staff: "Чаевые по сотрудникам",
        no_staff: "Без сотрудника",
        drawer: "Денежный ящик",
        float: "Размен",
        cash_tendered: "Принято наличных",
        change: "Выдано сдачи",
        cash_refunds: "Возвраты наличными",
        pay_ins: "Внесения",
        pay_outs: "Выплаты",
        drops: "В сейф",
        cash_expected: "Ожидается",
        cash_counted: "Пересчитано",
        difference: "Расхождение",
        terminal: "Банковский терминал",
        register: "Касса",
        terminal_side: "Терминал",
        all_cards: "Все карты",
        other_cards: "Другие карты",
        matched: "Сходится с терминалом",
        mismatch: "НЕ СХОДИТСЯ С ТЕРМИНАЛОМ",
        not_on_terminal: "Нет на терминале",
        not_recorded: "Не учтён чек терминала",
        reprint: "ПОВТОРНАЯ ПЕЧАТЬ",
    };

    /// Every label, to check that none is empty.
    pub fn all(&self) -> Vec<&'static str> {
        vec![
            self.z_report,
            self.x_report,
            self.till,
            self.opened,
            self.closed,
            self.receipts,
            self.gross_sales,
            self.discounts,
            self.cash_rounding,
            self.tips,
            self.paid,
            self.cash,
            self.card,
            self.exchange,
            self.gift_card,
            self.refunds,
            self.net_sales,
            self.voids,
            self.sales,
            self.average_ticket,
            self.taxes,
            self.net,
            self.tax,
            self.tips_by_staff,
            self.no_staff,
            self.drawer,
            self.float,
            self.cash_tendered,
            self.change,
            self.cash_refunds,
            self.pay_ins,
            self.pay_outs,
            self.drops,
            self.cash_expected,
            self.cash_counted,
            self.difference,
            self.terminal,
            self.register,
            self.terminal_side,
            self.all_cards,
            self.other_cards,
            self.matched,
            self.mismatch,
            self.not_on_terminal,
            self.not_recorded,
            self.reprint,
        ]
    }
}

impl ReceiptLanguage {
    /// The words of a shift report in this language.
    pub const fn shift_report_labels(self) -> &'static ShiftReportLabels {
        match self {
            ReceiptLanguage::English => &ShiftReportLabels::ENGLISH,
            ReceiptLanguage::Russian => &ShiftReportLabels::RUSSIAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_label_is_filled_in_both_languages() {
        let english = ShiftReportLabels::ENGLISH.all();
        let russian = ShiftReportLabels::RUSSIAN.all();
        assert_eq!(english.len(), russian.len());
        for (en, ru) in english.iter().zip(&russian) {
            assert!(!en.trim().is_empty() && !ru.trim().is_empty());
            assert_ne!(en, ru, "a Russian label copied from English");
        }
    }
}
