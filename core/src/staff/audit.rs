//! The audit log's entries: who did what, when, on which device, and who approved it. An entry is
//! made on the device where it happened, with an id made there, so recording it again finds it.

use rust_decimal::Decimal;
use uuid::Uuid;

use super::roles::Permission;

/// One thing a staff member did that the owner may want to see later.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AuditEntry {
    /// UUIDv7, made on the device.
    pub id: Uuid,
    /// The staff member who did it.
    pub staff: Uuid,
    pub action: AuditAction,
    /// Milliseconds since the Unix epoch, UTC, from the device's clock.
    pub at_ms: i64,
    pub device: Uuid,
    /// The member whose PIN allowed it, when the actor's role did not.
    pub approved_by: Option<Uuid>,
}

/// What was done, with the record it points at.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum AuditAction {
    Sale {
        sale: Uuid,
    },
    Refund {
        refund: Uuid,
        sale: Uuid,
    },
    NoSale,
    /// A whole sale voided, or one line of an open ticket after it was sent.
    Void {
        sale: Option<Uuid>,
        line: Option<u64>,
    },
    Discount {
        percent: Decimal,
    },
    PriceChange {
        product: String,
    },
    /// A line sold at another price than the product's, typed at the till.
    PriceOverride {
        product: String,
        shelf: Decimal,
        price: Decimal,
    },
    /// An approval given for another member's action (the action's own entry names the approver
    /// too); `staff` is the one who asked.
    Approval {
        permission: Permission,
    },
    ClockIn,
    ClockOut,
    /// A member signed in at the till (by PIN), or was switched to.
    SignIn,
    SignOut,
    /// An edit of the staff list (members, roles, the permission matrix), signed by the server;
    /// `version` is that of the signed list that carries it.
    StaffEdit {
        version: u64,
    },
}

impl AuditAction {
    /// Every [`AuditAction::kind`], for a filter's choices.
    pub const KINDS: [&'static str; 13] = [
        "sale",
        "refund",
        "no-sale",
        "void",
        "discount",
        "price-change",
        "price-override",
        "approval",
        "clock-in",
        "clock-out",
        "sign-in",
        "sign-out",
        "staff-edit",
    ];

    /// A short stable name for filters and the CSV export: the `kind` tag the entry is stored with.
    pub fn kind(&self) -> &'static str {
        match self {
            AuditAction::Sale { .. } => "sale",
            AuditAction::Refund { .. } => "refund",
            AuditAction::NoSale => "no-sale",
            AuditAction::Void { .. } => "void",
            AuditAction::Discount { .. } => "discount",
            AuditAction::PriceChange { .. } => "price-change",
            AuditAction::PriceOverride { .. } => "price-override",
            AuditAction::Approval { .. } => "approval",
            AuditAction::ClockIn => "clock-in",
            AuditAction::ClockOut => "clock-out",
            AuditAction::SignIn => "sign-in",
            AuditAction::SignOut => "sign-out",
            AuditAction::StaffEdit { .. } => "staff-edit",
        }
    }
}

impl super::ApprovalRecord {
    /// The audit entry of this approval, with the id the device made for it.
    pub fn audit_entry(&self, id: Uuid) -> AuditEntry {
        AuditEntry {
            id,
            staff: self.requested_by,
            action: AuditAction::Approval {
                permission: self.action,
            },
            at_ms: self.at_ms,
            device: self.device,
            approved_by: Some(self.approved_by),
        }
    }
}
