//! Roles, the protected actions they may take, and the matrix the owner edits. A role holds a set
//! of permissions; an action a role lacks is never refused outright at the till, it asks for
//! someone whose role has it (see `approval.rs`).

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use uuid::Uuid;

/// Who a staff member is to the store. The three built-in roles have fixed ids; the owner adds
/// roles of their own ("shift lead", "trainee"), known by a UUID and named in the matrix.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Owner,
    Manager,
    Cashier,
    Custom(Uuid),
}

/// An action at the till or in the back office that not every role may take.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    /// A discount above the store's limit ([`PermissionMatrix::discount_limit_percent`]); one at
    /// or under it needs no permission.
    DiscountAboveLimit,
    /// Refund a sale (the card part goes back through the terminal).
    Refund,
    /// Pay a refund out of the cash drawer.
    RefundToCash,
    /// Open the drawer with no sale.
    NoSale,
    /// Void a line after it was sent (to the kitchen, or on a ticket already shown to the
    /// customer); removing a line not yet sent is ordinary editing.
    VoidSentLine,
    /// Void a whole sale of the open shift (rung up by mistake): its money goes back as a
    /// refund's does, and the day counts it as voided, not as a sale and a refund.
    VoidSale,
    /// Deactivate and reactivate gift cards, and read what the store owes on them and the
    /// overdrafts registers made offline.
    ManageGiftCards,
    /// Sell gift cards on a ticket (issue them with a value). Spending one as a tender needs no
    /// permission: it is the customer's money.
    SellGiftCards,
    /// Issue or redeem a gift card past a refusal (the server unreachable, the card past the
    /// offline allowance or short of the amount), with the authorisation code and a reason.
    ForceGiftCardOps,
    /// Type a price other than the catalog's at the till.
    PriceOverride,
    EditCatalog,
    EditStaff,
    SeeReports,
    CloseShift,
    ChangeSettings,
}

impl Permission {
    pub const ALL: [Permission; 15] = [
        Permission::DiscountAboveLimit,
        Permission::Refund,
        Permission::RefundToCash,
        Permission::NoSale,
        Permission::VoidSentLine,
        Permission::VoidSale,
        Permission::ManageGiftCards,
        Permission::SellGiftCards,
        Permission::ForceGiftCardOps,
        Permission::PriceOverride,
        Permission::EditCatalog,
        Permission::EditStaff,
        Permission::SeeReports,
        Permission::CloseShift,
        Permission::ChangeSettings,
    ];

    /// Its stable kebab-case name, as serde writes it (`discount-above-limit`).
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::DiscountAboveLimit => "discount-above-limit",
            Permission::Refund => "refund",
            Permission::RefundToCash => "refund-to-cash",
            Permission::NoSale => "no-sale",
            Permission::VoidSentLine => "void-sent-line",
            Permission::VoidSale => "void-sale",
            Permission::ManageGiftCards => "manage-gift-cards",
            Permission::SellGiftCards => "sell-gift-cards",
            Permission::ForceGiftCardOps => "force-gift-card-ops",
            Permission::PriceOverride => "price-override",
            Permission::EditCatalog => "edit-catalog",
            Permission::EditStaff => "edit-staff",
            Permission::SeeReports => "see-reports",
            Permission::CloseShift => "close-shift",
            Permission::ChangeSettings => "change-settings",
        }
    }
}

/// A role the owner defined: its name and what it may do.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CustomRole {
    pub name: String,
    #[serde(deserialize_with = "known_permissions")]
    pub permissions: BTreeSet<Permission>,
}

/// What each role may do, as the owner set it. The owner's row is not stored: the owner may
/// always do everything, so no edit of the matrix can lock the store out of its own settings.
///
/// A matrix signed before a permission existed says nothing about it; read back, such a
/// permission takes the default rows a new store gets ([`StoredMatrix`]), so a store that
/// predates gift cards lets its cashiers sell them as a new store would, rather than asking a
/// manager for every card, until the owner decides otherwise.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(from = "StoredMatrix", into = "StoredMatrix")]
pub struct PermissionMatrix {
    pub manager: BTreeSet<Permission>,
    pub cashier: BTreeSet<Permission>,
    pub custom: BTreeMap<Uuid, CustomRole>,
    /// The largest discount, in percent of the line or ticket, that anyone may give without
    /// [`Permission::DiscountAboveLimit`].
    pub discount_limit_percent: Decimal,
}

/// The permissions the first signed matrices knew (issue 12); every one of them has been decided
/// by any matrix ever written.
const FIRST_PERMISSIONS: [Permission; 11] = [
    Permission::DiscountAboveLimit,
    Permission::Refund,
    Permission::RefundToCash,
    Permission::NoSale,
    Permission::VoidSentLine,
    Permission::PriceOverride,
    Permission::EditCatalog,
    Permission::EditStaff,
    Permission::SeeReports,
    Permission::CloseShift,
    Permission::ChangeSettings,
];

/// A matrix as it is signed and stored: the rows and the permissions they decide, so that a
/// permission added later can be told from one the owner took from every role.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredMatrix {
    #[serde(deserialize_with = "known_permissions")]
    manager: BTreeSet<Permission>,
    #[serde(deserialize_with = "known_permissions")]
    cashier: BTreeSet<Permission>,
    custom: BTreeMap<Uuid, CustomRole>,
    discount_limit_percent: Decimal,
    /// Absent from matrices written before it existed: those decided the first permissions and
    /// whichever later ones any of their rows holds (a store made after a permission was added
    /// got it in its default rows).
    #[serde(default, deserialize_with = "some_known_permissions")]
    decided: Option<BTreeSet<Permission>>,
}

impl From<StoredMatrix> for PermissionMatrix {
    fn from(stored: StoredMatrix) -> PermissionMatrix {
        let decided = stored.decided.unwrap_or_else(|| {
            let mut decided: BTreeSet<Permission> = FIRST_PERMISSIONS.into();
            decided.extend(stored.manager.iter().chain(&stored.cashier));
            decided.extend(stored.custom.values().flat_map(|r| &r.permissions));
            decided
        });
        let defaults = PermissionMatrix::default();
        let mut matrix = PermissionMatrix {
            manager: stored.manager,
            cashier: stored.cashier,
            custom: stored.custom,
            discount_limit_percent: stored.discount_limit_percent,
        };
        for new in Permission::ALL.into_iter().filter(|p| !decided.contains(p)) {
            if defaults.manager.contains(&new) {
                matrix.manager.insert(new);
            }
            if defaults.cashier.contains(&new) {
                matrix.cashier.insert(new);
            }
        }
        matrix
    }
}

impl From<PermissionMatrix> for StoredMatrix {
    fn from(matrix: PermissionMatrix) -> StoredMatrix {
        StoredMatrix {
            manager: matrix.manager,
            cashier: matrix.cashier,
            custom: matrix.custom,
            discount_limit_percent: matrix.discount_limit_percent,
            decided: Some(Permission::ALL.into()),
        }
    }
}

impl Default for PermissionMatrix {
    /// The matrix a new store starts with: a manager may do everything but edit staff and change
    /// settings; a cashier may close their shift, sell gift cards and give discounts up to 10 %.
    fn default() -> PermissionMatrix {
        use Permission::*;
        PermissionMatrix {
            manager: [
                DiscountAboveLimit,
                Refund,
                RefundToCash,
                NoSale,
                VoidSentLine,
                VoidSale,
                ManageGiftCards,
                SellGiftCards,
                ForceGiftCardOps,
                PriceOverride,
                EditCatalog,
                SeeReports,
                CloseShift,
            ]
            .into(),
            cashier: [CloseShift, SellGiftCards].into(),
            custom: BTreeMap::new(),
            discount_limit_percent: Decimal::TEN,
        }
    }
}

impl PermissionMatrix {
    /// Whether `role` may take `permission`'s action. A custom role the matrix does not know (it
    /// was deleted) may do nothing.
    pub fn allows(&self, role: Role, permission: Permission) -> bool {
        match role {
            Role::Owner => true,
            Role::Manager => self.manager.contains(&permission),
            Role::Cashier => self.cashier.contains(&permission),
            Role::Custom(id) => self
                .custom
                .get(&id)
                .is_some_and(|r| r.permissions.contains(&permission)),
        }
    }

    /// Gives or takes `permission` from `role`. The owner's row cannot change; a custom role
    /// must exist first. Returns whether the matrix changed.
    pub fn set(&mut self, role: Role, permission: Permission, allowed: bool) -> bool {
        let set = match role {
            Role::Owner => return false,
            Role::Manager => &mut self.manager,
            Role::Cashier => &mut self.cashier,
            Role::Custom(id) => match self.custom.get_mut(&id) {
                Some(r) => &mut r.permissions,
                None => return false,
            },
        };
        if allowed {
            set.insert(permission)
        } else {
            set.remove(&permission)
        }
    }

    /// The permission a discount of `percent` needs, if any: `None` at or under the limit.
    pub fn discount_needs(&self, percent: Decimal) -> Option<Permission> {
        (percent > self.discount_limit_percent).then_some(Permission::DiscountAboveLimit)
    }

    /// The name of a custom role, if the matrix knows it.
    pub fn role_name(&self, role: Role) -> Option<&str> {
        match role {
            Role::Custom(id) => self.custom.get(&id).map(|r| r.name.as_str()),
            _ => None,
        }
    }
}

/// A set of permissions as written by any version: names this version does not know (a
/// permission added later) are left out rather than refusing the whole signed staff list, so a
/// device not yet updated keeps the newest list. It cannot be asked for an action it does not know.
fn known_permissions<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeSet<Permission>, D::Error> {
    use serde::Deserialize;
    use serde::de::IntoDeserializer;
    let names = Vec::<String>::deserialize(deserializer)?;
    Ok(names
        .iter()
        .filter_map(|name| {
            let name: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
                name.as_str().into_deserializer();
            Permission::deserialize(name).ok()
        })
        .collect())
}

fn some_known_permissions<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<BTreeSet<Permission>>, D::Error> {
    known_permissions(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_may_do_everything_whatever_the_matrix_says() {
        let mut matrix = PermissionMatrix::default();
        for p in Permission::ALL {
            assert!(!matrix.set(Role::Owner, p, false));
            assert!(matrix.allows(Role::Owner, p));
        }
    }

    #[test]
    fn defaults_keep_staff_and_settings_with_the_owner() {
        let matrix = PermissionMatrix::default();
        assert!(matrix.allows(Role::Manager, Permission::Refund));
        assert!(!matrix.allows(Role::Manager, Permission::EditStaff));
        assert!(!matrix.allows(Role::Manager, Permission::ChangeSettings));
        assert!(!matrix.allows(Role::Cashier, Permission::NoSale));
        assert!(matrix.allows(Role::Cashier, Permission::CloseShift));
        // Cashiers sell gift cards; forcing one past a refusal and stopping one are managers'.
        assert!(matrix.allows(Role::Cashier, Permission::SellGiftCards));
        assert!(!matrix.allows(Role::Cashier, Permission::ForceGiftCardOps));
        assert!(!matrix.allows(Role::Cashier, Permission::ManageGiftCards));
        assert!(matrix.allows(Role::Manager, Permission::ForceGiftCardOps));
        assert!(matrix.allows(Role::Manager, Permission::SellGiftCards));
        assert_eq!(matrix.discount_needs(Decimal::TEN), None);
        assert_eq!(
            matrix.discount_needs(Decimal::new(1001, 2)),
            Some(Permission::DiscountAboveLimit)
        );
    }

    #[test]
    fn a_deleted_custom_role_may_do_nothing() {
        let lead = Uuid::from_u128(9);
        let mut matrix = PermissionMatrix::default();
        assert!(!matrix.set(Role::Custom(lead), Permission::NoSale, true));
        matrix.custom.insert(
            lead,
            CustomRole {
                name: "Shift lead".into(),
                permissions: BTreeSet::new(),
            },
        );
        assert!(matrix.set(Role::Custom(lead), Permission::NoSale, true));
        assert!(matrix.allows(Role::Custom(lead), Permission::NoSale));
        assert_eq!(matrix.role_name(Role::Custom(lead)), Some("Shift lead"));
        matrix.custom.remove(&lead);
        assert!(!matrix.allows(Role::Custom(lead), Permission::NoSale));
    }

    #[test]
    fn a_permission_added_later_is_left_out_not_refused() {
        let mut json = serde_json::to_value(PermissionMatrix::default()).unwrap();
        json["cashier"]
            .as_array_mut()
            .unwrap()
            .push("fly-the-drone".into());
        let matrix: PermissionMatrix = serde_json::from_value(json).unwrap();
        assert_eq!(matrix, PermissionMatrix::default());
    }

    /// The staff list of a store made before gift cards and voids, as its owner's device signed
    /// it: the owner had taken refunds from managers.
    fn matrix_signed_before_gift_cards() -> serde_json::Value {
        serde_json::json!({
            "manager": ["discount-above-limit", "refund-to-cash", "no-sale", "void-sent-line",
                        "price-override", "edit-catalog", "see-reports", "close-shift"],
            "cashier": ["close-shift"],
            "custom": {},
            "discount_limit_percent": "10"
        })
    }

    #[test]
    fn a_store_made_before_a_permission_existed_gets_its_default_rows() {
        let matrix: PermissionMatrix =
            serde_json::from_value(matrix_signed_before_gift_cards()).unwrap();
        assert!(matrix.allows(Role::Cashier, Permission::SellGiftCards));
        assert!(!matrix.allows(Role::Cashier, Permission::ForceGiftCardOps));
        for added in [
            Permission::VoidSale,
            Permission::ManageGiftCards,
            Permission::SellGiftCards,
            Permission::ForceGiftCardOps,
        ] {
            assert!(matrix.allows(Role::Manager, added), "{added:?}");
        }
        // What the owner decided stays decided.
        assert!(!matrix.allows(Role::Manager, Permission::Refund));
        assert!(!matrix.allows(Role::Cashier, Permission::NoSale));
    }

    #[test]
    fn a_permission_the_owner_took_from_every_role_stays_taken_once_decided() {
        let mut matrix = PermissionMatrix::default();
        matrix.set(Role::Cashier, Permission::SellGiftCards, false);
        matrix.set(Role::Manager, Permission::SellGiftCards, false);
        let read: PermissionMatrix =
            serde_json::from_value(serde_json::to_value(&matrix).unwrap()).unwrap();
        assert_eq!(read, matrix);
        assert!(!read.allows(Role::Cashier, Permission::SellGiftCards));
        // A matrix from before `decided` that holds a later permission in some row was made
        // after it existed: its other rows are left as the owner set them.
        let mut json = matrix_signed_before_gift_cards();
        json["manager"]
            .as_array_mut()
            .unwrap()
            .push("sell-gift-cards".into());
        let read: PermissionMatrix = serde_json::from_value(json).unwrap();
        assert!(!read.allows(Role::Cashier, Permission::SellGiftCards));
        assert!(read.allows(Role::Cashier, Permission::CloseShift));
    }

    #[test]
    fn roles_and_permissions_serialise_as_words() {
        assert_eq!(
            serde_json::to_string(&Permission::VoidSentLine).unwrap(),
            "\"void-sent-line\""
        );
        assert_eq!(
            serde_json::to_string(&Role::Cashier).unwrap(),
            "\"cashier\""
        );
    }
}
