//! The cashier's words for core's refusals. Core's `Display` is English developer text; the
//! screen shows these translated messages instead. Each `match` lists every variant, so a new
//! refusal in core does not compile here until it has its words in both languages.

use pos_core::{CompleteError, TenderError, TicketError};

use crate::i18n::Msg;

pub fn ticket_msg(error: &TicketError) -> Msg {
    match error {
        TicketError::NoSuchLine(_) => Msg::LineGone,
        TicketError::InvalidQuantity => Msg::InvalidQuantity,
        TicketError::InvalidDiscount => Msg::InvalidDiscount,
        TicketError::ModifierNotOffered => Msg::ModifierNotOffered,
        TicketError::UnknownTaxCategory => Msg::TaxCategoryMissing,
    }
}

pub fn tender_msg(error: &TenderError) -> Msg {
    match error {
        TenderError::NonPositiveAmount => Msg::AmountMustBePositive,
        TenderError::CardExceedsRemaining => Msg::CardExceedsRemaining,
        TenderError::AlreadyPaid => Msg::AlreadyPaid,
        TenderError::InvalidAuthCode => Msg::InvalidAuthCode,
        TenderError::InvalidLastFour => Msg::InvalidLastFour,
        TenderError::ApprovedOnTerminal => Msg::UndoNeedsReversal,
        TenderError::TendersTaken => Msg::CannotCancelWithTenders,
        TenderError::NothingToUndo => Msg::NothingToUndo,
        TenderError::NoSuchTerminalCard => Msg::NothingToReverse,
        TenderError::FinerThanMinorUnit => Msg::AmountFinerThanMinorUnit,
    }
}

/// Why a paid ticket did not become a sale.
pub fn sale_msg(error: &CompleteError) -> Msg {
    match error {
        CompleteError::EmptyTicket => Msg::SaleEmpty,
        CompleteError::UnderTendered { .. } => Msg::SaleUnderTendered,
        CompleteError::TotalChanged { .. } => Msg::SaleTotalChanged,
    }
}

#[cfg(test)]
mod tests {
    use pos_core::Decimal;

    use super::*;
    use crate::i18n::assert_translated;

    #[test]
    fn every_ticket_refusal_is_translated() {
        let all = [
            TicketError::NoSuchLine(1),
            TicketError::InvalidQuantity,
            TicketError::InvalidDiscount,
            TicketError::ModifierNotOffered,
            TicketError::UnknownTaxCategory,
        ];
        assert_translated(all.iter().map(ticket_msg));
        // The defect this replaced: a missing tax category asked for "a number such as 12.50".
        assert_ne!(
            ticket_msg(&TicketError::UnknownTaxCategory),
            Msg::InvalidNumber
        );
    }

    #[test]
    fn every_tender_refusal_is_translated() {
        let all = [
            TenderError::NonPositiveAmount,
            TenderError::CardExceedsRemaining,
            TenderError::AlreadyPaid,
            TenderError::InvalidAuthCode,
            TenderError::InvalidLastFour,
            TenderError::ApprovedOnTerminal,
            TenderError::TendersTaken,
            TenderError::NothingToUndo,
            TenderError::NoSuchTerminalCard,
            TenderError::FinerThanMinorUnit,
        ];
        assert_translated(all.iter().map(tender_msg));
    }

    #[test]
    fn every_refused_sale_is_translated() {
        let all = [
            CompleteError::EmptyTicket,
            CompleteError::UnderTendered {
                remaining: Decimal::ONE,
            },
            CompleteError::TotalChanged {
                paid_for: Decimal::ONE,
                total: Decimal::TWO,
            },
        ];
        assert_translated(all.iter().map(sale_msg));
    }
}
