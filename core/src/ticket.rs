//! The open ticket (the cart): lines, discounts and the totals with their tax breakdown.
//! Lines keep a snapshot of the product as it was added, so editing the catalog never changes a
//! ticket a customer is already paying for. Totals are always computed from the lines, never
//! stored beside them, so they cannot drift.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{Modifier, Product, Unit};
use crate::gift_card::{GiftCardNumber, MAX_GIFT_CARD_AMOUNT};
use crate::money::{Currency, allocate, percent_of};
use crate::store::PricingRules;
use crate::tax::{TaxBreakdown, TaxCategory, TaxCategoryError, TaxPricing, compute_taxes};

/// The most of one product a line holds: a million pieces, or a million kilograms. Far above any
/// real sale, and with [`MAX_UNIT_PRICE`] it keeps every total of a ticket well inside `Decimal`'s
/// range (about 7.9 x 10^28), so adding up a ticket never overflows.
pub const MAX_QUANTITY: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// The highest price of one unit with its modifiers, in the currency's major unit: 10^11, a
/// hundred billion, which still leaves room for the dearest item in the currencies with the
/// smallest unit (a hundred billion rupiah is some six million dollars).
pub const MAX_UNIT_PRICE: Decimal = Decimal::from_parts(0x4876_E800, 0x17, 0, false, 0);

/// The largest fixed discount: what one line can come to at most ([`MAX_QUANTITY`] x
/// [`MAX_UNIT_PRICE`], 10^17). A discount never takes more than the amount it is on anyway.
pub const MAX_DISCOUNT_AMOUNT: Decimal = Decimal::from_parts(0x5D8A_0000, 0x0163_4578, 0, false, 0);

/// A discount on a line or on the whole order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Discount {
    /// Percent off, 0 to 100.
    Percent(Decimal),
    /// A fixed amount off, in the store's currency.
    Amount(Decimal),
}

impl Discount {
    fn validate(self) -> Result<Self, TicketError> {
        match self {
            Discount::Percent(p) if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED => {
                Err(TicketError::InvalidDiscount)
            }
            Discount::Amount(a) if a < Decimal::ZERO => Err(TicketError::InvalidDiscount),
            Discount::Amount(a) if a > MAX_DISCOUNT_AMOUNT => Err(TicketError::DiscountTooLarge),
            d => Ok(d),
        }
    }

    /// The discount on `amount`, never more than the amount itself.
    fn on(self, amount: Decimal, currency: Currency) -> Decimal {
        let off = match self {
            Discount::Percent(p) => currency.round(percent_of(amount, p)),
            Discount::Amount(a) => currency.round(a),
        };
        off.min(amount).max(Decimal::ZERO)
    }
}

/// Identifies a line within its ticket; stable while the line exists.
pub type LineId = u32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketLine {
    pub id: LineId,
    pub product_id: String,
    pub name: String,
    pub sku: String,
    pub unit: Unit,
    /// The product's price per unit when it was added, without modifiers, or the price someone
    /// at the till set for it (see `shelf_price`).
    pub unit_price: Decimal,
    /// The product's own price when someone changed `unit_price` at the till (a price override,
    /// a permission of its own): the ticket on screen and the audit log show what it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shelf_price: Option<Decimal>,
    pub quantity: Decimal,
    /// How much of `quantity` went to the kitchen on an order ticket ([`Ticket::send`]). Taking
    /// any of it back is voiding a sent line, a permission of its own.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    pub sent: Decimal,
    pub modifiers: Vec<Modifier>,
    pub discount: Option<Discount>,
    pub tax: TaxCategory,
    /// The store's gift cards this line sells, one per unit of `quantity`, each for
    /// `unit_price` ([`Ticket::add_gift_cards`]). A gift card is a liability, not a sale of
    /// goods: the line carries no tax and no discount. Empty for every other line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gift_cards: Vec<GiftCardNumber>,
}

impl TicketLine {
    /// Whether the line sells gift cards.
    pub fn is_gift_card(&self) -> bool {
        !self.gift_cards.is_empty()
    }

    /// Price of one unit with its modifiers.
    pub fn unit_price_with_modifiers(&self) -> Decimal {
        self.unit_price + self.modifiers.iter().map(|m| m.price).sum::<Decimal>()
    }
}

/// What one line comes to, after its own discount and its share of the order discount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTotals {
    pub line_id: LineId,
    /// Unit price with modifiers times quantity, rounded to the currency.
    pub gross: Decimal,
    pub line_discount: Decimal,
    pub order_discount_share: Decimal,
    /// `gross - line_discount - order_discount_share`, in shelf-price terms.
    pub amount: Decimal,
    pub tax: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub currency: Currency,
    /// Sum of the lines before any discount.
    pub subtotal: Decimal,
    pub line_discounts: Decimal,
    pub order_discount: Decimal,
    pub tax: Decimal,
    /// What the customer pays.
    pub total: Decimal,
    pub lines: Vec<LineTotals>,
    pub taxes: Vec<TaxBreakdown>,
}

impl Totals {
    pub fn discount_total(&self) -> Decimal {
        self.line_discounts + self.order_discount
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("line {0} is not on the ticket")]
    NoSuchLine(LineId),
    /// Zero, negative, or more decimals than the unit allows.
    #[error("the quantity must be more than zero")]
    InvalidQuantity,
    /// Percent outside 0-100 or a negative amount.
    #[error("a discount is 0-100 % or a positive amount")]
    InvalidDiscount,
    /// The modifier is not offered with this product.
    #[error("this modifier is not offered with the product")]
    ModifierNotOffered,
    /// The product's tax category is not in the catalog.
    #[error("the product's tax category is missing")]
    UnknownTaxCategory,
    /// A product or modifier priced below zero: a modifier that takes money off would let a line,
    /// and so the ticket, come to less than nothing. Money off is a discount.
    #[error("a price on the ticket cannot be negative")]
    NegativePrice,
    /// A price typed at the till finer than the currency's smallest coin (0.001 EUR, 1.5 JPY).
    #[error("a price has more decimals than the currency")]
    PriceTooFine,
    /// More than [`MAX_QUANTITY`] of one product on a line.
    #[error("a line holds at most {} of one product", MAX_QUANTITY)]
    QuantityTooLarge,
    /// One unit with its modifiers priced above [`MAX_UNIT_PRICE`].
    #[error("one item costs at most {}", MAX_UNIT_PRICE)]
    PriceTooHigh,
    /// A fixed discount above [`MAX_DISCOUNT_AMOUNT`].
    #[error("a discount takes off at most {}", MAX_DISCOUNT_AMOUNT)]
    DiscountTooLarge,
    /// The line's tax category cannot tax it (a rate outside 0-100 %).
    #[error(transparent)]
    InvalidTax(#[from] TaxCategoryError),
    /// A gift card line's value, quantity or price is its cards': it takes no discount, no
    /// price override and no other quantity (take the line off and add it again).
    #[error("a gift card line takes no discount and no change of price or quantity")]
    GiftCardLineFixed,
    /// A card number already on the ticket: one card is sold once.
    #[error("this gift card is already on the ticket")]
    GiftCardTwice,
    /// A gift card's value is above zero, in whole minor units, at most
    /// [`MAX_GIFT_CARD_AMOUNT`].
    #[error(
        "a gift card's value is above zero, in whole cents, at most {}",
        MAX_GIFT_CARD_AMOUNT
    )]
    GiftCardValue,
}

/// The open ticket. All edits go through its methods; [`Ticket::totals`] computes what it comes to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    rules: PricingRules,
    lines: Vec<TicketLine>,
    order_discount: Option<Discount>,
    next_line_id: LineId,
}

impl Ticket {
    pub fn new(rules: PricingRules) -> Ticket {
        Ticket {
            rules,
            lines: Vec::new(),
            order_discount: None,
            next_line_id: 1,
        }
    }

    pub fn rules(&self) -> &PricingRules {
        &self.rules
    }

    pub fn lines(&self) -> &[TicketLine] {
        &self.lines
    }

    pub fn line(&self, id: LineId) -> Option<&TicketLine> {
        self.lines.iter().find(|l| l.id == id)
    }

    pub fn order_discount(&self) -> Option<Discount> {
        self.order_discount
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Number of items, counting a weighed line as one.
    pub fn item_count(&self) -> Decimal {
        self.lines
            .iter()
            .map(|l| {
                if l.unit == Unit::Piece {
                    l.quantity
                } else {
                    Decimal::ONE
                }
            })
            .sum()
    }

    /// Adds a product with the given modifiers. A piece product already on the ticket with the
    /// same modifiers and no discount, at the same price and tax rate, gets its quantity raised
    /// instead of a second line: a line keeps the prices and rate it was added at.
    pub fn add(
        &mut self,
        product: &Product,
        tax: &TaxCategory,
        modifiers: &[Modifier],
        quantity: Decimal,
    ) -> Result<LineId, TicketError> {
        if tax.id != product.tax_category {
            return Err(TicketError::UnknownTaxCategory);
        }
        if modifiers.iter().any(|m| !product.modifiers.contains(&m.id)) {
            return Err(TicketError::ModifierNotOffered);
        }
        tax.validate()?;
        checked_unit_price(product.price, modifiers)?;
        let quantity = checked_quantity(quantity, product.unit)?;
        if product.unit == Unit::Piece {
            if let Some(line) = self.lines.iter_mut().find(|l| {
                l.product_id == product.id
                    && l.discount.is_none()
                    && l.unit_price == product.price
                    && l.tax.same_rate_as(tax)
                    && same_modifiers(&l.modifiers, modifiers)
            }) {
                line.quantity = checked_quantity(line.quantity + quantity, line.unit)?;
                return Ok(line.id);
            }
        }
        let id = self.next_line_id;
        self.next_line_id += 1;
        self.lines.push(TicketLine {
            id,
            product_id: product.id.clone(),
            name: product.name.clone(),
            sku: product.sku.clone(),
            unit: product.unit,
            unit_price: product.price,
            shelf_price: None,
            quantity,
            sent: Decimal::ZERO,
            modifiers: modifiers.to_vec(),
            discount: None,
            tax: tax.clone(),
            gift_cards: Vec::new(),
        });
        Ok(id)
    }

    /// Adds a line selling `cards` (one card, or a block of sequential ones), each for `value`.
    /// `name` is what the ticket and the receipt call it ("Gift card •••• 1234"). The line is
    /// sold without VAT (a gift card's value is taxed when it is spent on goods) and never
    /// discounted.
    pub fn add_gift_cards(
        &mut self,
        cards: Vec<GiftCardNumber>,
        value: Decimal,
        name: &str,
    ) -> Result<LineId, TicketError> {
        if cards.is_empty() {
            return Err(TicketError::InvalidQuantity);
        }
        if value <= Decimal::ZERO
            || value > MAX_GIFT_CARD_AMOUNT
            || self.rules.currency.round(value) != value
        {
            return Err(TicketError::GiftCardValue);
        }
        let mut seen: Vec<&GiftCardNumber> =
            self.lines.iter().flat_map(|l| &l.gift_cards).collect();
        for card in &cards {
            if seen.contains(&card) {
                return Err(TicketError::GiftCardTwice);
            }
            seen.push(card);
        }
        let quantity = checked_quantity(Decimal::from(cards.len()), Unit::Piece)?;
        let id = self.next_line_id;
        self.next_line_id += 1;
        self.lines.push(TicketLine {
            id,
            product_id: GIFT_CARD_PRODUCT.into(),
            name: name.into(),
            sku: GIFT_CARD_PRODUCT.into(),
            unit: Unit::Piece,
            unit_price: value,
            shelf_price: None,
            quantity,
            sent: Decimal::ZERO,
            modifiers: Vec::new(),
            discount: None,
            tax: gift_card_tax(),
            gift_cards: cards,
        });
        Ok(id)
    }

    /// Every gift card the ticket sells, with its value.
    pub fn gift_cards_sold(&self) -> Vec<(&GiftCardNumber, Decimal)> {
        gift_cards_sold(&self.lines)
    }

    pub fn set_quantity(&mut self, id: LineId, quantity: Decimal) -> Result<(), TicketError> {
        let line = self.line_mut(id)?;
        if line.is_gift_card() && quantity != line.quantity {
            return Err(TicketError::GiftCardLineFixed);
        }
        line.quantity = checked_quantity(quantity, line.unit)?;
        line.sent = line.sent.min(line.quantity);
        Ok(())
    }

    /// Sends what the kitchen has not had yet: each line's quantity beyond what was sent, as
    /// lines for the order ticket (with that quantity), all marked as sent.
    pub fn send(&mut self) -> Vec<TicketLine> {
        let mut order = Vec::new();
        for line in &mut self.lines {
            let new = line.quantity - line.sent;
            // A gift card is handed over at the till: nothing for the kitchen.
            if new > Decimal::ZERO && !line.is_gift_card() {
                line.sent = line.quantity;
                order.push(TicketLine {
                    quantity: new,
                    ..line.clone()
                });
            }
        }
        order
    }

    /// Whether some of the ticket has not gone to the kitchen.
    pub fn has_unsent(&self) -> bool {
        self.lines
            .iter()
            .any(|l| l.quantity > l.sent && !l.is_gift_card())
    }

    /// One more piece (or kilogram) of the line.
    pub fn increment(&mut self, id: LineId) -> Result<(), TicketError> {
        let line = self.line_mut(id)?;
        if line.is_gift_card() {
            return Err(TicketError::GiftCardLineFixed);
        }
        line.quantity = checked_quantity(line.quantity + Decimal::ONE, line.unit)?;
        Ok(())
    }

    /// One less; a line that would reach zero is removed, and so is a gift card line whole (its
    /// quantity is its cards).
    pub fn decrement(&mut self, id: LineId) -> Result<(), TicketError> {
        let line = self.line_mut(id)?;
        if line.quantity > Decimal::ONE && !line.is_gift_card() {
            line.quantity -= Decimal::ONE;
            line.sent = line.sent.min(line.quantity);
            Ok(())
        } else {
            self.remove(id)
        }
    }

    pub fn remove(&mut self, id: LineId) -> Result<(), TicketError> {
        let before = self.lines.len();
        self.lines.retain(|l| l.id != id);
        if self.lines.len() == before {
            Err(TicketError::NoSuchLine(id))
        } else {
            Ok(())
        }
    }

    /// Adds the modifier to the line, or takes it off if it is there. `offered` is the product's
    /// list of modifier ids, from the catalog.
    pub fn toggle_modifier(
        &mut self,
        id: LineId,
        modifier: &Modifier,
        offered: &[String],
    ) -> Result<(), TicketError> {
        if !offered.contains(&modifier.id) {
            return Err(TicketError::ModifierNotOffered);
        }
        let line = self.line_mut(id)?;
        if let Some(at) = line.modifiers.iter().position(|m| m.id == modifier.id) {
            line.modifiers.remove(at);
        } else {
            let mut modifiers = line.modifiers.clone();
            modifiers.push(modifier.clone());
            checked_unit_price(line.unit_price, &modifiers)?;
            line.modifiers = modifiers;
        }
        Ok(())
    }

    /// Sells the line at `price` per unit instead of the product's price (a price override at
    /// the till). The product's own price is kept in `shelf_price`; setting it back clears it.
    pub fn set_unit_price(&mut self, id: LineId, price: Decimal) -> Result<(), TicketError> {
        let currency = self.rules.currency;
        if currency.round(price) != price {
            return Err(TicketError::PriceTooFine);
        }
        let line = self.line_mut(id)?;
        if line.is_gift_card() {
            return Err(TicketError::GiftCardLineFixed);
        }
        checked_unit_price(price, &line.modifiers)?;
        let shelf = line.shelf_price.unwrap_or(line.unit_price);
        line.shelf_price = (price != shelf).then_some(shelf);
        line.unit_price = price;
        Ok(())
    }

    pub fn set_line_discount(
        &mut self,
        id: LineId,
        discount: Option<Discount>,
    ) -> Result<(), TicketError> {
        let discount = discount.map(Discount::validate).transpose()?;
        let line = self.line_mut(id)?;
        if line.is_gift_card() && discount.is_some() {
            return Err(TicketError::GiftCardLineFixed);
        }
        line.discount = discount;
        Ok(())
    }

    pub fn set_order_discount(&mut self, discount: Option<Discount>) -> Result<(), TicketError> {
        self.order_discount = discount.map(Discount::validate).transpose()?;
        Ok(())
    }

    /// Whether every line and discount is within what the methods take: always true for a ticket
    /// built through them, and worth asking of one read back from storage, which may have been
    /// written by an older version with no bounds. [`Ticket::totals`] relies on it.
    pub fn check(&self) -> Result<(), TicketError> {
        for line in &self.lines {
            line.tax.validate()?;
            checked_unit_price(line.unit_price, &line.modifiers)?;
            checked_quantity(line.quantity, line.unit)?;
            line.discount.map(Discount::validate).transpose()?;
        }
        self.order_discount.map(Discount::validate).transpose()?;
        Ok(())
    }

    /// Empties the ticket, keeping its pricing rules.
    pub fn clear(&mut self) {
        self.lines.clear();
        self.order_discount = None;
    }

    /// What the ticket comes to.
    ///
    /// The bounds its methods keep ([`MAX_QUANTITY`], [`MAX_UNIT_PRICE`], [`MAX_DISCOUNT_AMOUNT`],
    /// rates of 0-100 %) hold every line under 10^17 and the whole ticket far under `Decimal`'s
    /// range, so this never overflows for a ticket they built. A ticket deserialized from outside
    /// them could; [`Ticket::check`] says so first.
    pub fn totals(&self) -> Totals {
        let currency = self.rules.currency;
        let gross: Vec<Decimal> = self
            .lines
            .iter()
            .map(|l| currency.round(l.unit_price_with_modifiers() * l.quantity))
            .collect();
        let line_discounts: Vec<Decimal> = self
            .lines
            .iter()
            .zip(&gross)
            .map(|(l, g)| l.discount.map_or(Decimal::ZERO, |d| d.on(*g, currency)))
            .collect();
        let after_line: Vec<Decimal> = gross
            .iter()
            .zip(&line_discounts)
            .map(|(g, d)| g - d)
            .collect();
        // The order discount is shared over the goods only: a gift card is never discounted.
        let discountable: Vec<Decimal> = self
            .lines
            .iter()
            .zip(&after_line)
            .map(|(l, a)| if l.is_gift_card() { Decimal::ZERO } else { *a })
            .collect();
        let after_line_sum: Decimal = discountable.iter().copied().sum();
        let order_discount = self
            .order_discount
            .map_or(Decimal::ZERO, |d| d.on(after_line_sum, currency));
        let shares = allocate(order_discount, &discountable, currency);
        let amounts: Vec<Decimal> = after_line.iter().zip(&shares).map(|(a, s)| a - s).collect();

        let taxed: Vec<(&TaxCategory, Decimal)> = self
            .lines
            .iter()
            .map(|l| &l.tax)
            .zip(amounts.iter().copied())
            .collect();
        let taxes = compute_taxes(
            &taxed,
            self.rules.tax_pricing,
            self.rules.tax_rounding,
            currency,
        );
        let tax: Decimal = taxes.breakdown.iter().map(|b| b.tax).sum();
        let amount_sum: Decimal = amounts.iter().copied().sum();
        let total = match self.rules.tax_pricing {
            TaxPricing::Inclusive => amount_sum,
            TaxPricing::Exclusive => amount_sum + tax,
        };
        let lines = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| LineTotals {
                line_id: l.id,
                gross: gross[i],
                line_discount: line_discounts[i],
                order_discount_share: shares[i],
                amount: amounts[i],
                tax: taxes.line_taxes[i],
            })
            .collect();
        Totals {
            currency,
            subtotal: currency.round(gross.iter().copied().sum()),
            line_discounts: currency.round(line_discounts.iter().copied().sum()),
            order_discount: currency.round(order_discount),
            tax: currency.round(tax),
            total: currency.round(total),
            lines,
            taxes: taxes.breakdown,
        }
    }

    fn line_mut(&mut self, id: LineId) -> Result<&mut TicketLine, TicketError> {
        self.lines
            .iter_mut()
            .find(|l| l.id == id)
            .ok_or(TicketError::NoSuchLine(id))
    }
}

/// The `product_id` and `sku` of a line selling gift cards.
pub const GIFT_CARD_PRODUCT: &str = "gift-card";

/// A gift card line's tax: none. Its value is taxed when it is spent on goods.
fn gift_card_tax() -> TaxCategory {
    TaxCategory {
        id: GIFT_CARD_PRODUCT.into(),
        name: "Gift card".into(),
        rate: Decimal::ZERO,
        fiscal_tag: Some(6),
        vat_exempt: true,
    }
}

/// Every gift card `lines` sell, with its value.
pub(crate) fn gift_cards_sold(lines: &[TicketLine]) -> Vec<(&GiftCardNumber, Decimal)> {
    lines
        .iter()
        .flat_map(|l| l.gift_cards.iter().map(|c| (c, l.unit_price)))
        .collect()
}

fn checked_quantity(quantity: Decimal, unit: Unit) -> Result<Decimal, TicketError> {
    if quantity <= Decimal::ZERO || quantity.normalize().scale() > unit.quantity_scale() {
        return Err(TicketError::InvalidQuantity);
    }
    if quantity > MAX_QUANTITY {
        return Err(TicketError::QuantityTooLarge);
    }
    Ok(quantity.normalize())
}

fn checked_price(price: Decimal) -> Result<Decimal, TicketError> {
    if price.is_sign_negative() && !price.is_zero() {
        return Err(TicketError::NegativePrice);
    }
    if price > MAX_UNIT_PRICE {
        return Err(TicketError::PriceTooHigh);
    }
    Ok(price)
}

/// The price of one unit with its modifiers, each and all together within the bounds.
fn checked_unit_price(price: Decimal, modifiers: &[Modifier]) -> Result<Decimal, TicketError> {
    let mut total = checked_price(price)?;
    for m in modifiers {
        total = checked_price(total + checked_price(m.price)?)?;
    }
    Ok(total)
}

/// The same modifiers at the same prices, in any order.
fn same_modifiers(a: &[Modifier], b: &[Modifier]) -> bool {
    a.len() == b.len()
        && a.iter()
            .all(|m| b.iter().any(|n| n.id == m.id && n.price == m.price))
}
