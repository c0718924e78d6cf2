//! The X or Z report of a shift as a layout, built from core's [`ShiftReport`] (and, when the
//! card terminal was reconciled, its [`Reconciliation`]): the sales and what paid them, refunds,
//! voids, taxes per rate, tips per staff member, the drawer counted against what was expected,
//! and the card terminal's totals beside the register's. Every figure is core's; this only
//! lays them out, in the labels of the chosen language.

use pos_core::shift::{CardTotal, Comparison, Explanation, Reconciliation, ShiftReport};
use pos_core::{Currency, Decimal};

use super::format::{format_amount, format_date_time, format_money, format_number};
use super::labels::ReceiptLanguage;
use super::report_labels::ShiftReportLabels;
use super::{ReceiptBlock, ReceiptLayout, Rule, TextStyle};
use crate::encoder::Align;

/// What a shift report does not say about its printing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShiftReportOptions {
    /// Labels, separators and date order.
    pub language: ReceiptLanguage,
    /// Minutes east of UTC of the store's clock, for the printed times.
    pub utc_offset_minutes: i32,
    /// The store's name, printed under the title.
    pub store: String,
    /// The till (device) the shift was on.
    pub till: String,
    /// An earlier report printed again: marked so.
    pub reprint: bool,
}

impl ReceiptLayout {
    /// The X report (open shift) or Z report (closed shift) of `report`, with the card
    /// terminal's reconciliation when there is one.
    pub fn shift_report(
        report: &ShiftReport,
        reconciliation: Option<&Reconciliation>,
        options: &ShiftReportOptions,
    ) -> ReceiptLayout {
        let mut out = ReportBuilder {
            blocks: Vec::new(),
            labels: options.language.shift_report_labels(),
            currency: report.currency,
            options,
        };
        out.heading(report);
        out.sales(report);
        out.taxes(report);
        out.tips(report);
        out.drawer(report);
        if let Some(reconciliation) = reconciliation {
            out.terminal(reconciliation);
        }
        out.blocks.push(ReceiptBlock::Cut);
        ReceiptLayout { blocks: out.blocks }
    }
}

struct ReportBuilder<'a> {
    blocks: Vec<ReceiptBlock>,
    labels: &'static ShiftReportLabels,
    currency: Currency,
    options: &'a ShiftReportOptions,
}

impl ReportBuilder<'_> {
    fn text(&mut self, text: impl Into<String>, align: Align, style: TextStyle) {
        self.blocks.push(ReceiptBlock::Text {
            text: text.into(),
            align,
            style,
        });
    }

    fn row(&mut self, left: impl Into<String>, right: impl Into<String>) {
        self.blocks.push(ReceiptBlock::Row {
            left: left.into(),
            right: right.into(),
            style: TextStyle::PLAIN,
        });
    }

    fn bold_row(&mut self, left: impl Into<String>, right: impl Into<String>) {
        self.blocks.push(ReceiptBlock::Row {
            left: left.into(),
            right: right.into(),
            style: TextStyle::BOLD,
        });
    }

    fn amount(&self, amount: Decimal) -> String {
        format_amount(amount, self.currency, self.options.language)
    }

    fn money(&self, amount: Decimal) -> String {
        format_money(amount, self.currency, self.options.language)
    }

    /// What goes out, printed with a minus: what the drawer or the shift gave back.
    fn out(&self, amount: Decimal) -> String {
        self.amount(-amount)
    }

    fn when(&self, ms: i64) -> String {
        format_date_time(ms, self.options.utc_offset_minutes, self.options.language)
    }

    fn heading(&mut self, report: &ShiftReport) {
        let labels = self.labels;
        let title = if report.closed {
            labels.z_report
        } else {
            labels.x_report
        };
        if self.options.reprint {
            self.text(labels.reprint, Align::Center, TextStyle::BOLD);
        }
        self.text(title, Align::Center, TextStyle::LARGE);
        if !self.options.store.trim().is_empty() {
            self.text(self.options.store.trim(), Align::Center, TextStyle::BOLD);
        }
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
        if !self.options.till.trim().is_empty() {
            self.row(labels.till, self.options.till.trim());
        }
        self.row(labels.opened, self.when(report.opened_at_ms));
        if let Some(closed) = report.closed_at_ms {
            self.row(labels.closed, self.when(closed));
        }
        if let (Some(first), Some(last)) = (&report.first_receipt, &report.last_receipt) {
            self.row(labels.receipts, format!("{first} - {last}"));
        }
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
    }

    fn sales(&mut self, report: &ShiftReport) {
        let labels = self.labels;
        self.row(labels.gross_sales, self.amount(report.gross_sales));
        self.row(labels.discounts, self.out(report.discounts));
        if !report.cash_rounding.is_zero() {
            self.row(labels.cash_rounding, self.amount(report.cash_rounding));
        }
        if !report.tips.is_zero() {
            self.row(labels.tips, self.amount(report.tips));
        }
        self.bold_row(labels.paid, self.money(report.paid));
        self.row(
            format!("  {}", labels.cash),
            self.amount(report.paid_by_tender.cash),
        );
        self.row(
            format!("  {}", labels.card),
            self.amount(report.paid_by_tender.card),
        );
        if !report.paid_by_tender.exchange.is_zero() {
            self.row(
                format!("  {}", labels.exchange),
                self.amount(report.paid_by_tender.exchange),
            );
        }
        if !report.paid_by_tender.other().is_zero() {
            self.row(
                format!("  {}", labels.gift_card),
                self.amount(report.paid_by_tender.other()),
            );
        }
        self.bold_row(
            format!("{} ({})", labels.refunds, report.refunds),
            self.out(report.refunded),
        );
        self.row(
            format!("  {}", labels.cash),
            self.out(report.refunded_by_tender.cash),
        );
        self.row(
            format!("  {}", labels.card),
            self.out(report.refunded_by_tender.card),
        );
        if !report.refunded_by_tender.exchange.is_zero() {
            self.row(
                format!("  {}", labels.exchange),
                self.out(report.refunded_by_tender.exchange),
            );
        }
        if !report.refunded_by_tender.other().is_zero() {
            self.row(
                format!("  {}", labels.gift_card),
                self.out(report.refunded_by_tender.other()),
            );
        }
        self.blocks.push(ReceiptBlock::Rule(Rule::Double));
        self.blocks.push(ReceiptBlock::Row {
            left: labels.net_sales.to_string(),
            right: self.money(report.net_sales),
            style: TextStyle::LARGE,
        });
        self.blocks.push(ReceiptBlock::Rule(Rule::Double));
        self.row(
            format!("{} ({})", labels.voids, report.voids),
            self.amount(report.voided),
        );
        self.row(labels.sales, report.sales.to_string());
        if let Some(average) = report.average_ticket {
            self.row(labels.average_ticket, self.amount(average));
        }
    }

    fn taxes(&mut self, report: &ShiftReport) {
        if report.taxes.is_empty() {
            return;
        }
        let labels = self.labels;
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
        self.text(labels.taxes, Align::Left, TextStyle::BOLD);
        for rate in &report.taxes {
            self.row(rate.category.name.clone(), self.amount(rate.gross));
            self.row(format!("  {}", labels.net), self.amount(rate.net));
            self.row(format!("  {}", labels.tax), self.amount(rate.tax));
        }
    }

    fn tips(&mut self, report: &ShiftReport) {
        if report.tips_by_staff.is_empty() {
            return;
        }
        let labels = self.labels;
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
        self.text(labels.tips_by_staff, Align::Left, TextStyle::BOLD);
        for staff in &report.tips_by_staff {
            let name = staff.name.as_deref().unwrap_or(labels.no_staff);
            self.row(
                format!("{name} ({})", staff.count),
                self.amount(staff.amount),
            );
        }
    }

    fn drawer(&mut self, report: &ShiftReport) {
        let labels = self.labels;
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
        self.text(labels.drawer, Align::Left, TextStyle::BOLD);
        self.row(labels.float, self.amount(report.float));
        self.row(labels.cash_tendered, self.amount(report.cash_tendered));
        self.row(labels.change, self.out(report.change_given));
        self.row(
            labels.cash_refunds,
            self.out(report.refunded_by_tender.cash),
        );
        self.row(labels.pay_ins, self.amount(report.pay_ins));
        self.row(labels.pay_outs, self.out(report.pay_outs));
        self.row(labels.drops, self.out(report.drops));
        self.bold_row(labels.cash_expected, self.money(report.cash_expected));
        if let Some(counted) = report.cash_counted {
            self.bold_row(labels.cash_counted, self.money(counted));
        }
        if let Some(difference) = report.difference {
            self.blocks.push(ReceiptBlock::Row {
                left: labels.difference.to_string(),
                right: self.money(difference),
                style: TextStyle::LARGE,
            });
        }
    }

    fn terminal(&mut self, reconciliation: &Reconciliation) {
        let labels = self.labels;
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
        self.text(labels.terminal, Align::Left, TextStyle::BOLD);
        for row in reconciliation
            .brands
            .iter()
            .chain(std::iter::once(&reconciliation.overall))
        {
            self.comparison(row);
        }
        let verdict = if reconciliation.is_matched() {
            labels.matched
        } else {
            labels.mismatch
        };
        self.text(verdict, Align::Center, TextStyle::BOLD);
        for explanation in &reconciliation.explanations {
            let line = match explanation {
                Explanation::NotOnTerminal { card, certain } => format!(
                    "{}{}: {} {}",
                    labels.not_on_terminal,
                    if *certain { "" } else { "?" },
                    card.receipt,
                    self.amount(card.amount)
                ),
                Explanation::NotRecorded {
                    receipt_no, amount, ..
                } => {
                    let number = receipt_no.map_or(String::new(), |n| format!(" {n}"));
                    let amount = amount.map_or(String::new(), |a| format!(" {}", self.amount(a)));
                    format!("{}{number}{amount}", labels.not_recorded)
                }
            };
            self.text(line, Align::Left, TextStyle::PLAIN);
        }
    }

    /// `Visa  2 / 2  25.00 / 25.00`: the register's count and amount, then the terminal's.
    fn comparison(&mut self, row: &Comparison) {
        let labels = self.labels;
        let name = match row.brand {
            None => labels.all_cards,
            Some(brand) => brand.name().unwrap_or(labels.other_cards),
        };
        let figures = |t: &CardTotal, counted: bool| {
            let count = if counted {
                format_number(Decimal::from(t.count), None, self.options.language)
            } else {
                "-".to_string()
            };
            format!("{count} x {}", self.amount(t.amount))
        };
        let register = figures(&row.register, true);
        let terminal = figures(&row.terminal, row.counted);
        self.text(name, Align::Left, TextStyle::BOLD);
        self.row(format!("  {}", labels.register), register);
        self.row(format!("  {}", labels.terminal_side), terminal);
    }
}
