//! The card side of closing a shift: the register's card payments set beside the card
//! terminal's end-of-day totals (from a ZVT `06 50`, or typed from a standalone terminal's slip),
//! per card brand and overall, and, when they differ, the recorded approvals that explain it.
//!
//! A terminal totals what its batch holds, so the register's side is built the same way: card
//! payments of sales that count (training sales never do; a voided sale's card was reversed on
//! the terminal), less what went back to cards. Which brand a payment was is what the terminal
//! named it at the time ([`crate::CardApproval::card_name`]).

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::docs::{Refund, Void};
use crate::sale::{ReceiptNumber, Sale};
use crate::tender::Tender;

/// The card groups a ZVT terminal totals an end of day by (BMP 60), which are the brands a
/// merchant's acquirer statement lists too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CardBrand {
    /// The German debit card (formerly EC).
    Girocard,
    Jcb,
    /// Mastercard, which ZVT still calls Eurocard.
    Mastercard,
    Amex,
    Visa,
    Diners,
    /// Everything else (Maestro, V PAY, UnionPay, …), as the terminal's "others" row.
    Other,
}

impl CardBrand {
    /// The brand's name as cards and acquirers' statements print it, the same in every language;
    /// `None` for [`CardBrand::Other`], which a report words in its own language.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            CardBrand::Girocard => "girocard",
            CardBrand::Jcb => "JCB",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Visa => "Visa",
            CardBrand::Diners => "Diners Club",
            CardBrand::Other => return None,
        })
    }

    /// The brand of a card as the terminal named it ("MasterCard", "VISA Debit", "girocard").
    /// A name this does not know is [`CardBrand::Other`], as the terminal files it.
    pub fn from_card_name(name: &str) -> CardBrand {
        let name = name.to_ascii_lowercase();
        let has = |word: &str| name.contains(word);
        if has("girocard") || name.trim() == "ec" || has("electronic cash") {
            CardBrand::Girocard
        } else if has("mastercard") || has("eurocard") {
            CardBrand::Mastercard
        } else if has("amex") || has("american express") {
            CardBrand::Amex
        } else if has("visa") && !has("v pay") && !has("vpay") {
            CardBrand::Visa
        } else if has("diners") {
            CardBrand::Diners
        } else if has("jcb") {
            CardBrand::Jcb
        } else {
            CardBrand::Other
        }
    }
}

/// A count and an amount of card payments.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardTotal {
    pub count: i64,
    pub amount: Decimal,
}

impl std::ops::Add for CardTotal {
    type Output = CardTotal;
    fn add(self, other: CardTotal) -> CardTotal {
        CardTotal {
            count: self.count + other.count,
            amount: self.amount + other.amount,
        }
    }
}

/// What the terminal says it took: per brand when it says so, and overall.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TerminalTotals {
    /// Empty when only the overall figures are known (a standalone terminal's slip typed in
    /// short).
    pub brands: Vec<(CardBrand, CardTotal)>,
    pub overall: CardTotal,
    /// Whether the counts are known: a terminal that sends only its day's amount gives none,
    /// and then only amounts are compared.
    pub counted: bool,
    /// The terminal receipt numbers its batch covers, first and last (they wrap after 9999).
    pub receipts: Option<(u16, u16)>,
}

impl TerminalTotals {
    /// Totals per brand, the overall their sum.
    pub fn by_brand(brands: Vec<(CardBrand, CardTotal)>, receipts: Option<(u16, u16)>) -> Self {
        let overall = brands.iter().fold(CardTotal::default(), |t, (_, b)| t + *b);
        TerminalTotals {
            brands,
            overall,
            counted: true,
            receipts,
        }
    }

    /// Only the overall count and amount, as a cashier types them from a slip.
    pub fn overall(count: i64, amount: Decimal) -> Self {
        TerminalTotals {
            brands: Vec::new(),
            overall: CardTotal { count, amount },
            counted: true,
            receipts: None,
        }
    }

    /// Only the overall amount, with no count (a terminal that sends no more).
    pub fn amount_only(amount: Decimal) -> Self {
        TerminalTotals {
            counted: false,
            ..TerminalTotals::overall(0, amount)
        }
    }
}

/// What a card movement did to a terminal's batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardMovement {
    Payment,
    /// A payment undone on the terminal the same day: out of the batch, count and amount.
    Reversal,
    /// Money sent back to a card: its amount comes off, the count of payments stays.
    Refund,
}

/// One card movement as the register recorded it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedCard {
    pub sale: Uuid,
    pub receipt: ReceiptNumber,
    pub movement: CardMovement,
    /// Always positive: the movement says which way.
    pub amount: Decimal,
    /// `None` when the register was not told (a card typed from a standalone terminal).
    pub brand: Option<CardBrand>,
    /// The terminal's receipt number (ZVT BMP 87), when it reported one.
    pub receipt_no: Option<u16>,
    pub trace_no: Option<String>,
}

impl RecordedCard {
    /// The card payments of the sales that count: training sales and voided sales left out.
    pub fn payments(sales: &[Sale], voids: &[Void]) -> Vec<RecordedCard> {
        let voided: BTreeSet<Uuid> = voids.iter().map(|v| v.sale_id).collect();
        sales
            .iter()
            .filter(|s| !s.is_training() && !voided.contains(&s.id()))
            .flat_map(|sale| {
                sale.tenders().iter().filter_map(|t| match t {
                    Tender::Card {
                        amount, approval, ..
                    } => Some(RecordedCard {
                        sale: sale.id(),
                        receipt: sale.receipt_number().clone(),
                        movement: CardMovement::Payment,
                        amount: *amount,
                        brand: approval.card_name.as_deref().map(CardBrand::from_card_name),
                        receipt_no: approval.receipt_no,
                        trace_no: approval.trace_no.clone(),
                    }),
                    // The store's own gift card is no bank card: the terminal never saw it.
                    Tender::Cash { .. }
                    | Tender::Exchange { .. }
                    | Tender::GiftCard { .. }
                    | Tender::Points { .. } => None,
                })
            })
            .collect()
    }

    /// Every card movement of a shift, as its terminal's batch saw them: the payments of its
    /// sales that count, then what its refunds sent back, each `(refund, its sale, whether the
    /// card part was a reversal)`.
    pub fn of_shift(
        sales: &[Sale],
        voids: &[Void],
        refunds: &[(&Refund, &Sale, bool)],
    ) -> Vec<RecordedCard> {
        let mut out = RecordedCard::payments(sales, voids);
        for (refund, sale, reversal) in refunds {
            out.extend(RecordedCard::paid_back(refund, sale, *reversal));
        }
        out
    }

    /// What a refund of `sale` sent back to each card, as a reversal (the app reversed the
    /// payment by its receipt number) or a refund. Training refunds send nothing.
    pub fn paid_back(refund: &Refund, sale: &Sale, reversal: bool) -> Vec<RecordedCard> {
        if refund.training {
            return Vec::new();
        }
        let parts: Vec<(Option<u32>, Decimal)> = if refund.tenders.is_empty() {
            let card = refund.paid_back(sale).card;
            let first = sale.tender_shares().into_iter().find_map(|(c, _)| c);
            vec![(first, card)]
        } else {
            // What an exchange kept for the new goods, or the drawer paid instead, never went
            // back to the card.
            refund
                .tenders
                .iter()
                .filter(|t| !t.carried && !t.in_cash)
                .map(|t| (t.card, t.amount))
                .collect()
        };
        parts
            .into_iter()
            .filter_map(|(card, amount)| {
                let Some(Tender::Card { approval, .. }) = sale.tenders().get(card? as usize) else {
                    return None;
                };
                (!amount.is_zero()).then(|| RecordedCard {
                    sale: sale.id(),
                    receipt: sale.receipt_number().clone(),
                    movement: if reversal {
                        CardMovement::Reversal
                    } else {
                        CardMovement::Refund
                    },
                    amount,
                    brand: approval.card_name.as_deref().map(CardBrand::from_card_name),
                    receipt_no: approval.receipt_no,
                    trace_no: approval.trace_no.clone(),
                })
            })
            .collect()
    }

    fn effect(&self) -> CardTotal {
        match self.movement {
            CardMovement::Payment => CardTotal {
                count: 1,
                amount: self.amount,
            },
            CardMovement::Reversal => CardTotal {
                count: -1,
                amount: -self.amount,
            },
            CardMovement::Refund => CardTotal {
                count: 0,
                amount: -self.amount,
            },
        }
    }
}

/// One row of the reconciliation: a brand (or `None`: overall) on both sides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    pub brand: Option<CardBrand>,
    pub register: CardTotal,
    pub terminal: CardTotal,
    /// Whether the terminal gave a count to compare (see [`TerminalTotals::counted`]).
    pub counted: bool,
}

impl Comparison {
    pub fn matches(&self) -> bool {
        self.difference() == CardTotal::default()
    }
    /// Register less terminal: positive when the register recorded more. The count is 0 when
    /// the terminal gave none.
    pub fn difference(&self) -> CardTotal {
        CardTotal {
            count: if self.counted {
                self.register.count - self.terminal.count
            } else {
                0
            },
            amount: self.register.amount - self.terminal.amount,
        }
    }
}

/// A reason the two sides differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Explanation {
    /// The register recorded this payment and the terminal's batch does not hold it. `certain`
    /// when its receipt number is outside the batch; otherwise it is the one payment (or one
    /// of the payments) whose amount is the brand's difference.
    NotOnTerminal { card: RecordedCard, certain: bool },
    /// The terminal's batch holds a receipt the register has no record of (a payment keyed on
    /// the terminal, or one whose approval never reached the register): its receipt number
    /// when the batch's range shows it, or the brand and amount the difference comes to.
    NotRecorded {
        receipt_no: Option<u16>,
        brand: Option<CardBrand>,
        amount: Option<Decimal>,
    },
}

/// The register's card payments of a shift beside the terminal's totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reconciliation {
    /// Per brand, when the terminal gave brands and the register knows every card's brand;
    /// in [`CardBrand`] order.
    pub brands: Vec<Comparison>,
    pub overall: Comparison,
    pub explanations: Vec<Explanation>,
}

/// At most this many unrecorded receipt numbers are listed: a batch range far wider than the
/// shift (the terminal's day spans several shifts) would otherwise list thousands.
const MAX_UNRECORDED_LISTED: usize = 20;

impl Reconciliation {
    pub fn new(recorded: &[RecordedCard], terminal: &TerminalTotals) -> Reconciliation {
        let add = |t: CardTotal, c: &RecordedCard| t + c.effect();
        let overall = Comparison {
            brand: None,
            register: recorded.iter().fold(CardTotal::default(), add),
            terminal: terminal.overall,
            counted: terminal.counted,
        };
        let brands_known = recorded.iter().all(|c| c.brand.is_some());
        let brands: Vec<Comparison> = if terminal.brands.is_empty() || !brands_known {
            Vec::new()
        } else {
            let mut all: BTreeSet<CardBrand> = terminal.brands.iter().map(|(b, _)| *b).collect();
            all.extend(recorded.iter().filter_map(|c| c.brand));
            all.into_iter()
                .map(|brand| Comparison {
                    brand: Some(brand),
                    register: recorded
                        .iter()
                        .filter(|c| c.brand == Some(brand))
                        .fold(CardTotal::default(), add),
                    terminal: terminal
                        .brands
                        .iter()
                        .filter(|(b, _)| *b == brand)
                        .fold(CardTotal::default(), |t, (_, b)| t + *b),
                    counted: terminal.counted,
                })
                .filter(|c| c.register != CardTotal::default() || c.terminal != c.register)
                .collect()
        };
        let mut reconciliation = Reconciliation {
            brands,
            overall,
            explanations: Vec::new(),
        };
        if !reconciliation.is_matched() {
            reconciliation.explanations = explain(&reconciliation, recorded, terminal);
        }
        reconciliation
    }

    pub fn is_matched(&self) -> bool {
        self.overall.matches() && self.brands.iter().all(Comparison::matches)
    }
}

fn explain(
    reconciliation: &Reconciliation,
    recorded: &[RecordedCard],
    terminal: &TerminalTotals,
) -> Vec<Explanation> {
    let mut out = Vec::new();
    // By receipt number: what the batch's range leaves out, and what it holds unrecorded.
    if let Some((first, last)) = terminal.receipts {
        let in_batch = |n: u16| {
            if first <= last {
                (first..=last).contains(&n)
            } else {
                n >= first || n <= last
            }
        };
        for card in recorded {
            if card.movement == CardMovement::Payment
                && card.receipt_no.is_some_and(|n| !in_batch(n))
            {
                out.push(Explanation::NotOnTerminal {
                    card: card.clone(),
                    certain: true,
                });
            }
        }
        let known: BTreeSet<u16> = recorded.iter().filter_map(|c| c.receipt_no).collect();
        // Only when the register knows the terminal's numbers at all: a standalone terminal's
        // payments have none, and every number would look unrecorded.
        if !known.is_empty() {
            let mut n = first;
            let mut listed = 0;
            loop {
                if !known.contains(&n) && listed < MAX_UNRECORDED_LISTED {
                    out.push(Explanation::NotRecorded {
                        receipt_no: Some(n),
                        brand: None,
                        amount: None,
                    });
                    listed += 1;
                }
                if n == last || listed >= MAX_UNRECORDED_LISTED {
                    break;
                }
                n = if n >= 9999 { 1 } else { n + 1 };
            }
        }
    }
    if !out.is_empty() {
        return out;
    }
    // By amount: a brand (or the whole, without brands) one payment apart.
    let rows: Vec<&Comparison> = if reconciliation.brands.is_empty() {
        vec![&reconciliation.overall]
    } else {
        reconciliation.brands.iter().collect()
    };
    for row in rows.into_iter().filter(|r| !r.matches()) {
        let difference = row.difference();
        let one = if row.counted { 1 } else { 0 };
        if difference.count == one && difference.amount > Decimal::ZERO {
            out.extend(
                recorded
                    .iter()
                    .filter(|c| {
                        c.movement == CardMovement::Payment
                            && c.amount == difference.amount
                            && (row.brand.is_none() || c.brand == row.brand)
                    })
                    .map(|c| Explanation::NotOnTerminal {
                        card: c.clone(),
                        certain: false,
                    }),
            );
        } else if difference.count == -one && difference.amount < Decimal::ZERO {
            out.push(Explanation::NotRecorded {
                receipt_no: None,
                brand: row.brand,
                amount: Some(-difference.amount),
            });
        }
    }
    out
}
