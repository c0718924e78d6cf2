//! Orders for the kitchen: "Send to kitchen" marks what the ticket holds as sent and prints an
//! order ticket on the receipt printer. Taking back anything sent (fewer, removed, the ticket
//! cleared) is voiding a sent line: it asks for that permission and goes into the audit log.

use leptos::prelude::*;
use pos_core::staff::{AuditAction, Permission};
use pos_core::{Decimal, LineId, Ticket, TicketError};

use super::{AppState, Notice};
use crate::core_errors::ticket_msg;
use crate::i18n::Msg;

/// What a quantity control asks of a line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LineChange {
    Fewer,
    Quantity(Decimal),
    Remove,
}

impl LineChange {
    fn apply(self, ticket: &mut Ticket, id: LineId) -> Result<(), TicketError> {
        match self {
            LineChange::Fewer => ticket.decrement(id),
            LineChange::Quantity(q) => ticket.set_quantity(id, q),
            LineChange::Remove => ticket.remove(id),
        }
    }
}

impl AppState {
    /// Sends the part of the ticket the kitchen has not had, printed when a printer is set up.
    pub fn send_order(&self) {
        let mut order = Vec::new();
        self.ticket.update(|t| order = t.send());
        if order.is_empty() {
            return;
        }
        let said = if self.print_order(&order) {
            Msg::OrderSent
        } else {
            Msg::OrderSentNoPrinter
        };
        self.notice.set(Some(Notice::Info(said)));
    }

    /// Changes a line's quantity, or removes it; one that takes back what the kitchen already
    /// has needs someone who may void a sent line.
    pub fn change_line(&self, id: LineId, change: LineChange) {
        let mut trial = self.ticket.get_untracked();
        let before = trial.line(id).map(|l| l.sent);
        if let Err(e) = change.apply(&mut trial, id) {
            return self.error(ticket_msg(&e));
        }
        let after = trial.line(id).map_or(Decimal::ZERO, |l| l.sent);
        if before.unwrap_or_default() <= after {
            return self.edit_ticket(|t| change.apply(t, id));
        }
        let state = *self;
        self.protected(Permission::VoidSentLine, move |approved_by| {
            state.edit_ticket(|t| change.apply(t, id));
            state.record_audit(void_of(id), approved_by);
        });
    }

    /// Empties the ticket; one with lines the kitchen has needs someone who may void them.
    pub fn clear_ticket(&self) {
        let sent: Vec<LineId> = self.ticket.with_untracked(|t| {
            t.lines()
                .iter()
                .filter(|l| !l.sent.is_zero())
                .map(|l| l.id)
                .collect()
        });
        let clear = |t: &mut Ticket| {
            t.clear();
            Ok(())
        };
        if sent.is_empty() {
            self.customers.on_ticket.set(None);
            return self.edit_ticket(clear);
        }
        let state = *self;
        self.protected(Permission::VoidSentLine, move |approved_by| {
            state.customers.on_ticket.set(None);
            state.edit_ticket(clear);
            for id in sent {
                state.record_audit(void_of(id), approved_by);
            }
        });
    }
}

fn void_of(line: LineId) -> AuditAction {
    AuditAction::Void {
        sale: None,
        line: Some(u64::from(line)),
    }
}
