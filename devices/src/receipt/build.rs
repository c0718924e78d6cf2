//! The layout of one sale's receipt: header, lines, totals, taxes, tenders, footer; and of its
//! refund slip, the same receipt under a REFUND title with what was paid back and why.
//! Every amount comes from the sale as core computed it; nothing is added up here except to
//! decide which rows to show.

use pos_core::{Decimal, Discount, LineTotals, Sale, Store, TaxPricing, Tender, TicketLine, Unit};

use super::format::{format_amount, format_date_time, format_money, format_number, format_rate};
use super::labels::ReceiptLabels;
use super::{
    ReceiptBlock, ReceiptCopy, ReceiptLayout, ReceiptOptions, ReceiptQr, RefundSlip, Rule,
    TextStyle,
};
use crate::encoder::Align;

impl ReceiptLayout {
    /// Adds the card terminal's own receipt lines (ZVT `06 D1` / `06 D3`) at the end of the
    /// receipt, above the cut, so the customer gets one slip, not two.
    pub fn append_terminal_slip(&mut self, lines: &[String]) {
        if lines.is_empty() {
            return;
        }
        // The last cut: the drawer kick comes first on a receipt, and must stay there.
        let at = self
            .blocks
            .iter()
            .rposition(|b| *b == ReceiptBlock::Cut)
            .unwrap_or(self.blocks.len());
        let slip = [
            ReceiptBlock::Rule(Rule::Single),
            ReceiptBlock::Text {
                text: lines.join("\n"),
                align: Align::Left,
                style: TextStyle::PLAIN,
            },
        ];
        self.blocks.splice(at..at, slip);
    }

    /// The receipt of `sale` in `store`, as `options` say.
    pub fn from_sale(sale: &Sale, store: &Store, options: &ReceiptOptions) -> ReceiptLayout {
        Builder::new(sale, None, options).build(store)
    }

    /// The slip of a refund of `sale`: its receipt under a REFUND title, with what was paid
    /// back (to the card, from the drawer) and the reason under the tenders, and the card
    /// terminal's own lines of the refund above the cut. The drawer is kicked first when cash
    /// goes back (as [`ReceiptOptions::open_drawer_for_cash`] says), whatever the sale was paid
    /// with.
    pub fn refund_slip(
        sale: &Sale,
        refund: &RefundSlip,
        store: &Store,
        options: &ReceiptOptions,
    ) -> ReceiptLayout {
        let mut slip = Builder::new(sale, Some(refund), options).build(store);
        slip.append_terminal_slip(&refund.terminal_slip);
        slip
    }
}

struct Builder<'a> {
    blocks: Vec<ReceiptBlock>,
    labels: &'static ReceiptLabels,
    sale: &'a Sale,
    /// Set when this is a refund slip.
    refund: Option<&'a RefundSlip>,
    options: &'a ReceiptOptions,
    /// Each line prints its price after discounts and its VAT ([`Store::receipt_line_vat`]).
    line_vat: bool,
}

impl<'a> Builder<'a> {
    fn new(
        sale: &'a Sale,
        refund: Option<&'a RefundSlip>,
        options: &'a ReceiptOptions,
    ) -> Builder<'a> {
        Builder {
            blocks: Vec::with_capacity(48 + sale.lines().len() * 4),
            labels: options.language.labels(),
            sale,
            refund,
            options,
            line_vat: false,
        }
    }

    fn build(mut self, store: &Store) -> ReceiptLayout {
        self.line_vat = store.receipt_line_vat;
        let card = self
            .sale
            .tenders()
            .iter()
            .any(|tender| matches!(tender, Tender::Card { .. }));
        // Cash goes out of the drawer for a refund's cash part, into it for a sale's cash.
        let cash = match self.refund {
            Some(refund) => !refund.paid_back.cash.is_zero(),
            None => self
                .sale
                .tenders()
                .iter()
                .any(|tender| matches!(tender, Tender::Cash { .. })),
        };
        if self.options.open_drawer_for_cash
            && cash
            && self.options.copy == ReceiptCopy::Customer
            && !self.options.reprint
        {
            // First, so the drawer opens while the receipt prints and change can be counted.
            self.blocks.push(ReceiptBlock::OpenDrawer);
        }
        if let Some(refund) = self.refund {
            let title = if refund.void {
                self.labels.void
            } else {
                self.labels.refund
            };
            self.text(title, Align::Center, TextStyle::LARGE);
        }
        self.banners(card);
        self.header(store);
        self.lines();
        self.totals();
        self.tenders();
        if let Some(refund) = self.refund {
            self.paid_back(refund);
        } else {
            self.points();
        }
        self.footer(store, card);
        self.blocks.push(ReceiptBlock::Cut);
        ReceiptLayout {
            blocks: self.blocks,
        }
    }

    fn text(&mut self, text: impl Into<String>, align: Align, style: TextStyle) {
        self.blocks.push(ReceiptBlock::Text {
            text: text.into(),
            align,
            style,
        });
    }

    fn row(&mut self, left: impl Into<String>, right: impl Into<String>, style: TextStyle) {
        self.blocks.push(ReceiptBlock::Row {
            left: left.into(),
            right: right.into(),
            style,
        });
    }

    fn amount(&self, amount: Decimal) -> String {
        format_amount(amount, self.sale.totals().currency, self.options.language)
    }

    fn money(&self, amount: Decimal) -> String {
        format_money(amount, self.sale.totals().currency, self.options.language)
    }

    fn banners(&mut self, card: bool) {
        let labels = self.labels;
        if self.options.training {
            self.training_banner();
        }
        match self.options.copy {
            ReceiptCopy::Merchant => {
                self.text(labels.merchant_copy, Align::Center, TextStyle::BOLD)
            }
            // Named only when the merchant's copy prints too, so the two are told apart.
            ReceiptCopy::Customer if card => {
                self.text(labels.customer_copy, Align::Center, TextStyle::BOLD)
            }
            ReceiptCopy::Customer => {}
        }
        if self.options.reprint {
            self.text(labels.reprint, Align::Center, TextStyle::BOLD);
        }
    }

    fn training_banner(&mut self) {
        self.text(self.labels.training, Align::Center, TextStyle::BOLD);
        self.text(self.labels.training_note, Align::Center, TextStyle::PLAIN);
    }

    fn header(&mut self, store: &Store) {
        let labels = self.labels;
        if let Some(logo) = &self.options.logo {
            self.blocks.push(ReceiptBlock::Logo(logo.clone()));
        }
        if !store.name.trim().is_empty() {
            self.text(store.name.trim(), Align::Center, TextStyle::LARGE);
        }
        if !store.address.trim().is_empty() {
            self.text(store.address.trim(), Align::Center, TextStyle::PLAIN);
        }
        if !store.tax_number.trim().is_empty() {
            self.text(
                format!("{} {}", labels.tax_number, store.tax_number.trim()),
                Align::Center,
                TextStyle::PLAIN,
            );
        }
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
        let when = format_date_time(
            self.sale.completed_at_ms(),
            self.options.utc_offset_minutes,
            self.options.language,
        );
        self.row(
            format!("{} {}", labels.receipt, self.sale.receipt_number()),
            when,
            TextStyle::PLAIN,
        );
        for (label, name) in [
            (labels.cashier, &self.options.cashier),
            (labels.customer, &self.options.customer),
        ] {
            if let Some(name) = name.as_deref().map(str::trim)
                && !name.is_empty()
            {
                self.text(format!("{label}: {name}"), Align::Left, TextStyle::PLAIN);
            }
        }
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
    }

    fn lines(&mut self) {
        let totals = self.sale.totals();
        for (index, line) in self.sale.lines().iter().enumerate() {
            let line_totals = totals
                .lines
                .iter()
                .find(|t| t.line_id == line.id)
                .or_else(|| totals.lines.get(index));
            if self.line_vat
                && let Some(line_totals) = line_totals
            {
                self.line_with_vat(line, line_totals);
                continue;
            }
            let gross = line_totals.map_or_else(
                || {
                    totals
                        .currency
                        .round(line.unit_price_with_modifiers() * line.quantity)
                },
                |t| t.gross,
            );
            let simple = line.unit == Unit::Piece
                && line.quantity == Decimal::ONE
                && line.modifiers.is_empty();
            if simple {
                self.row(self.line_name(line), self.amount(gross), TextStyle::PLAIN);
            } else {
                self.text(self.line_name(line), Align::Left, TextStyle::PLAIN);
                for modifier in &line.modifiers {
                    self.row(
                        format!("  + {}", modifier.name),
                        self.amount(modifier.price),
                        TextStyle::PLAIN,
                    );
                }
                let quantity = self.quantity(line);
                let unit_price = self.amount(line.unit_price_with_modifiers());
                self.row(
                    format!("  {quantity} x {unit_price}"),
                    self.amount(gross),
                    TextStyle::PLAIN,
                );
            }
            if let Some(line_totals) = line_totals
                && !line_totals.line_discount.is_zero()
            {
                let label = self.discount_label(self.labels.discount, line.discount);
                self.row(
                    format!("  {label}"),
                    self.amount(-line_totals.line_discount),
                    TextStyle::PLAIN,
                );
            }
        }
        // With VAT on each line no subtotal or discount follows, only the total's own rule.
        if !self.line_vat {
            self.blocks.push(ReceiptBlock::Rule(Rule::Single));
        }
    }

    /// What the receipt calls a line: its name, or for gift cards sold the receipt's own words
    /// and the last four digits of the first and last card, in characters every printer has.
    fn line_name(&self, line: &TicketLine) -> String {
        match (line.gift_cards.first(), line.gift_cards.last()) {
            (Some(first), Some(last)) if first != last => format!(
                "{} **** {} - {}",
                self.labels.gift_card,
                first.last_four(),
                last.last_four()
            ),
            (Some(card), _) => format!("{} **** {}", self.labels.gift_card, card.last_four()),
            _ => line.name.clone(),
        }
    }

    /// A line as a Russian receipt prints it (54-FZ): the quantity times the price of one after
    /// the line's share of every discount, what the line comes to, and its VAT rate and amount
    /// (or "without VAT"). The lines' totals add up to the receipt's total exactly. Where the
    /// pieces of a line do not share its total in whole coins (3 for 24.77), it prints as two
    /// rows, some pieces at a coin more (`1 x 8.27`, `2 x 8.25`), as fiscal registers split a
    /// line, so that each row's quantity times its price is its total; a weighed line's price
    /// of one is rounded to the coin.
    fn line_with_vat(&mut self, line: &TicketLine, totals: &LineTotals) {
        let pays = match self.sale.rules().tax_pricing {
            TaxPricing::Inclusive => totals.amount,
            TaxPricing::Exclusive => totals.amount + totals.tax,
        };
        self.text(self.line_name(line), Align::Left, TextStyle::PLAIN);
        for modifier in &line.modifiers {
            self.row(format!("  + {}", modifier.name), "", TextStyle::PLAIN);
        }
        match self.whole_coin_rows(line, pays) {
            Some(rows) => {
                for (pieces, price) in rows {
                    self.row(
                        format!(
                            "  {} x {}",
                            format_number(pieces, None, self.options.language),
                            self.amount(price)
                        ),
                        self.amount(pieces * price),
                        TextStyle::PLAIN,
                    );
                }
            }
            None => {
                let quantity = self.quantity(line);
                let currency = self.sale.totals().currency;
                let unit_price = self.amount(currency.round(pays / line.quantity));
                self.row(
                    format!("  {quantity} x {unit_price}"),
                    self.amount(pays),
                    TextStyle::PLAIN,
                );
            }
        }
        if line.tax.vat_exempt {
            self.row(
                format!("  {}", self.labels.without_vat),
                "",
                TextStyle::PLAIN,
            );
        } else {
            self.row(
                format!(
                    "  {} {}",
                    self.labels.tax,
                    format_rate(line.tax.rate, self.options.language)
                ),
                self.amount(totals.tax),
                TextStyle::PLAIN,
            );
        }
    }

    /// `(pieces, price of one)` rows whose products add up to `pays` exactly, for a line of whole
    /// pieces and a total in whole coins: one row when the pieces share it evenly, else the
    /// coins left over one each on the first pieces. `None` for a weighed line or a total finer
    /// than a coin.
    fn whole_coin_rows(&self, line: &TicketLine, pays: Decimal) -> Option<Vec<(Decimal, Decimal)>> {
        if line.unit != Unit::Piece || line.quantity.fract() != Decimal::ZERO {
            return None;
        }
        let currency = self.sale.totals().currency;
        let coins = currency.to_minor_units(pays)?;
        let pieces = u64::try_from(line.quantity.trunc())
            .ok()
            .filter(|&n| n > 0)?;
        let (each, left) = (coins / pieces, coins % pieces);
        let price = currency.from_minor_units(each);
        Some(if left == 0 {
            vec![(Decimal::from(pieces), price)]
        } else {
            vec![
                (Decimal::from(left), currency.from_minor_units(each + 1)),
                (Decimal::from(pieces - left), price),
            ]
        })
    }

    fn quantity(&self, line: &TicketLine) -> String {
        match line.unit {
            Unit::Piece => format_number(line.quantity, None, self.options.language),
            Unit::Kilogram | Unit::Litre => format!(
                "{} {}",
                format_number(line.quantity, Some(3), self.options.language),
                if line.unit == Unit::Litre {
                    self.labels.litre
                } else {
                    self.labels.kilogram
                }
            ),
        }
    }

    fn discount_label(&self, label: &str, discount: Option<Discount>) -> String {
        match discount {
            Some(Discount::Percent(percent)) => {
                format!("{label} {}", format_rate(percent, self.options.language))
            }
            _ => label.to_owned(),
        }
    }

    fn totals(&mut self) {
        let labels = self.labels;
        let totals = self.sale.totals();
        // With VAT on each line, the lines already say what they come to after discounts and
        // with their VAT: they add up to the total, and the VAT is shown as included in it.
        let exclusive = self.sale.rules().tax_pricing == TaxPricing::Exclusive && !self.line_vat;
        let discounted = !self.line_vat
            && (!totals.line_discounts.is_zero() || !totals.order_discount.is_zero());
        if discounted || exclusive {
            self.row(
                labels.subtotal,
                self.amount(totals.subtotal),
                TextStyle::PLAIN,
            );
        }
        if discounted && !totals.line_discounts.is_zero() {
            self.row(
                labels.item_discounts,
                self.amount(-totals.line_discounts),
                TextStyle::PLAIN,
            );
        }
        if discounted && !totals.order_discount.is_zero() {
            let label = self.discount_label(labels.order_discount, self.sale.order_discount());
            self.row(label, self.amount(-totals.order_discount), TextStyle::PLAIN);
        }
        if exclusive {
            self.taxes(labels.tax);
        }
        self.blocks.push(ReceiptBlock::Rule(Rule::Double));
        self.row(labels.total, self.money(totals.total), TextStyle::LARGE);
        let tips = self.sale.tip_total();
        if !self.sale.cash_rounding().is_zero() {
            self.row(
                labels.cash_rounding,
                self.amount(self.sale.cash_rounding()),
                TextStyle::PLAIN,
            );
        }
        // A tip is paid on top of the total and carries no tax: it is named apart, and what the
        // customer paid in all follows it.
        if !tips.is_zero() {
            self.row(labels.tip, self.amount(tips), TextStyle::PLAIN);
        }
        if !self.sale.cash_rounding().is_zero() || !tips.is_zero() {
            self.row(
                labels.amount_paid,
                self.money(self.sale.amount_paid()),
                TextStyle::BOLD,
            );
        }
        if !exclusive {
            self.taxes(labels.tax_included);
        }
        self.blocks.push(ReceiptBlock::Rule(Rule::Single));
    }

    /// One row per rate: `VAT 20% on 10.00 .... 2.00`, on the net amount whether the prices
    /// include the tax or not, so that the rate times the base is the tax.
    fn taxes(&mut self, label: &str) {
        let totals = self.sale.totals();
        for breakdown in &totals.taxes {
            // Sold without VAT is not VAT at 0 %: with VAT on each line, as a Russian receipt
            // does, the row says so beside what was sold without it.
            if self.line_vat && breakdown.category.vat_exempt {
                self.row(
                    self.labels.without_vat,
                    self.amount(breakdown.gross),
                    TextStyle::PLAIN,
                );
                continue;
            }
            self.row(
                format!(
                    "{label} {} {} {}",
                    format_rate(breakdown.category.rate, self.options.language),
                    self.labels.tax_on,
                    self.amount(breakdown.net)
                ),
                self.amount(breakdown.tax),
                TextStyle::PLAIN,
            );
        }
    }

    fn tenders(&mut self) {
        let labels = self.labels;
        for tender in self.sale.tenders() {
            match tender {
                Tender::Cash { tendered } => {
                    self.row(labels.cash, self.money(*tendered), TextStyle::PLAIN);
                }
                Tender::Card {
                    amount, approval, ..
                } => {
                    let card = match &approval.last_four {
                        Some(last_four) => format!("{} **** {last_four}", labels.card),
                        None => labels.card.to_owned(),
                    };
                    self.row(card, self.money(*amount), TextStyle::PLAIN);
                    if let Some(code) = &approval.auth_code {
                        self.text(
                            format!("  {} {code}", labels.auth_code),
                            Align::Left,
                            TextStyle::PLAIN,
                        );
                    }
                }
                Tender::Exchange { amount, .. } => {
                    self.row(
                        labels.exchange_credit,
                        self.money(*amount),
                        TextStyle::PLAIN,
                    );
                }
                Tender::GiftCard { card, amount, .. } => {
                    // Asterisks as on the bank card's row: every printer's code page has them.
                    let name = format!("{} **** {}", labels.gift_card, card.last_four());
                    self.row(name, self.money(*amount), TextStyle::PLAIN);
                }
                Tender::Points { points, amount, .. } => {
                    let name = format!("{} ({})", labels.points, points.normalize());
                    self.row(name, self.money(*amount), TextStyle::PLAIN);
                }
            }
        }
        let paid_cash = self
            .sale
            .tenders()
            .iter()
            .any(|tender| matches!(tender, Tender::Cash { .. }));
        if paid_cash {
            self.row(
                labels.change,
                self.money(self.sale.change()),
                TextStyle::BOLD,
            );
        }
    }

    /// The loyalty points the sale earned its customer, and their balance where the till knew it.
    fn points(&mut self) {
        let Some(points) = self.sale.points() else {
            return;
        };
        let labels = self.labels;
        self.row(
            labels.points_earned,
            points.earned.normalize().to_string(),
            TextStyle::PLAIN,
        );
        if let Some(balance) = points.balance {
            self.row(
                labels.points_balance,
                balance.normalize().to_string(),
                TextStyle::PLAIN,
            );
        }
    }

    /// What the refund paid back, through which tender, and why.
    fn paid_back(&mut self, refund: &RefundSlip) {
        let labels = self.labels;
        let paid_back = refund.paid_back;
        self.blocks.push(ReceiptBlock::Rule(Rule::Double));
        if !refund.returned.is_empty() {
            self.text(labels.returned_items, Align::Left, TextStyle::BOLD);
            for item in &refund.returned {
                let quantity = format_number(item.quantity, None, self.options.language);
                self.row(
                    format!("{quantity} x {}", item.name),
                    self.amount(item.amount),
                    TextStyle::PLAIN,
                );
            }
        }
        self.row(
            labels.refunded,
            self.money(paid_back.total()),
            TextStyle::BOLD,
        );
        if !paid_back.card.is_zero() {
            self.row(
                labels.refund_to_card,
                self.money(paid_back.card),
                TextStyle::PLAIN,
            );
        }
        if !paid_back.gift_card.is_zero() {
            self.row(
                labels.refund_to_gift_card,
                self.money(paid_back.gift_card),
                TextStyle::PLAIN,
            );
        }
        if let Some(card) = &refund.store_credit {
            self.text(labels.store_credit_card, Align::Left, TextStyle::PLAIN);
            self.text(card.grouped(), Align::Center, TextStyle::BOLD);
            self.blocks.push(ReceiptBlock::Barcode {
                data: card.digits().to_owned(),
            });
        }
        if !paid_back.cash.is_zero() {
            self.row(
                labels.refund_in_cash,
                self.money(paid_back.cash),
                TextStyle::PLAIN,
            );
        }
        if !paid_back.exchange.is_zero() {
            self.row(
                labels.refund_to_exchange,
                self.money(paid_back.exchange),
                TextStyle::PLAIN,
            );
        }
        let reason = refund.reason.trim();
        if !reason.is_empty() {
            self.text(
                format!("{}: {reason}", labels.refund_reason),
                Align::Left,
                TextStyle::PLAIN,
            );
        }
    }

    fn footer(&mut self, store: &Store, card: bool) {
        let labels = self.labels;
        if card && self.options.copy == ReceiptCopy::Merchant {
            self.blocks.push(ReceiptBlock::Signature {
                label: labels.signature.to_owned(),
            });
        }
        self.blocks.push(ReceiptBlock::Blank);
        if let Some(policy) = self.options.return_policy.as_deref().map(str::trim)
            && !policy.is_empty()
        {
            self.text(policy, Align::Left, TextStyle::PLAIN);
            self.blocks.push(ReceiptBlock::Blank);
        }
        if !store.receipt_footer.trim().is_empty() {
            self.text(store.receipt_footer.trim(), Align::Center, TextStyle::PLAIN);
            self.blocks.push(ReceiptBlock::Blank);
        }
        self.blocks.push(ReceiptBlock::Qr {
            data: ReceiptQr::of(self.sale).payload(),
        });
        let number = self.sale.receipt_number().to_string();
        if self.options.receipt_barcode
            && !number.is_empty()
            && number.len() <= 253
            && number.chars().all(|c| (' '..='~').contains(&c))
        {
            self.blocks.push(ReceiptBlock::Barcode { data: number });
        }
        if self.options.training {
            self.blocks.push(ReceiptBlock::Blank);
            self.training_banner();
        }
    }
}
