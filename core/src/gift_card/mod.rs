//! The store's own gift cards (issue 14), kept working offline. A card is its history of
//! operations from every device ([`GiftCardOp`], merged in a [`GiftCardLedger`]), never a stored
//! balance two devices could overwrite. Online the server checks each redemption against the whole
//! history ([`check_redemption`]); offline a device may redeem up to the store's
//! [`OfflineAllowance`](crate::OfflineAllowance), and what two devices spent of one balance at once
//! comes back as a [`GiftCardConflict`] for a manager once they sync.
//!
//! `number` reads and makes card numbers (a Luhn check digit catches typos), `op` is one recorded
//! operation and its rules, `ledger` merges them and answers balances, statuses and conflicts,
//! `redemption` decides whether a card may be spent, `report` the liability and a period's totals.

mod ledger;
mod number;
mod op;
mod redemption;
mod report;

pub use ledger::{CardStatus, CardSummary, GiftCardConflict, GiftCardLedger};
pub use number::{GIFT_CARD_DIGITS, GiftCardNumber, MAX_BLOCK, NumberError, generate_block};
pub use op::{Authorisation, GiftCardOp, GiftCardOpError, GiftCardOpKind, MAX_GIFT_CARD_AMOUNT};
pub use redemption::{Approved, RedemptionRefused, RedemptionRequest, check_redemption};
pub use report::{
    GIFT_CARD_CSV_HEADER, GIFT_CARD_PERIOD_CSV_HEADER, GiftCardPeriodReport, GiftCardTotals,
    PeriodOp,
};
