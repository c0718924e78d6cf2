//! The store's customers (issue 14): created and found offline on any device, merged when one
//! person was entered twice, and erased on request (GDPR, 152-FZ) without losing the sales they
//! made, which keep pointing at the id. `directory` holds them and finds them, `stats` counts
//! what a customer bought from the sales of every device.

mod directory;
pub mod sealed;
mod stats;

pub use directory::{CustomerDirectory, CustomerRefused, MergeError};
pub use stats::CustomerStats;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a customer card's code starts with ([`Customer::card_code`]).
pub const CARD_PREFIX: &str = "C-";
/// Hexadecimal digits of the id a card carries: 48 random bits, so two customers of one store
/// share a code about once in 10^14 pairs (a scan that matches two is refused, never guessed).
pub const CARD_DIGITS: usize = 12;

/// Digits a phone number has at least and at most (E.164 allows 15 with the country code).
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 5..=15;
/// The longest e-mail address that can be delivered to (RFC 5321's path limit).
const MAX_EMAIL: usize = 254;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Made on the device (UUIDv7); kept after erasure so the sales stay counted.
    pub id: Uuid,
    pub name: String,
    /// As typed (`+7 (912) 345-67-89`); searched by its digits. Empty for none.
    pub phone: String,
    /// Empty for none; kept for receipts by e-mail.
    pub email: String,
    /// When the customer agreed to marketing messages (ms since the epoch, UTC); `None`: never.
    pub marketing_consent: Option<i64>,
    pub note: String,
    /// Personal data erased on request: every personal field is empty.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub erased: bool,
    /// A duplicate merged into another customer: its sales and points count for that one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<Uuid>,
    /// Its fields are sealed under a key this device does not hold yet (`sealed`): they read
    /// empty and the record is shown as not yet synced. Never saved over.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}

/// One change to the store's customers as a device makes it: applied at once to the device's own
/// directory ([`CustomerDirectory::apply`]) and, through the outbox, to the store's document
/// (`CustomersDoc::apply`), where the same change made again changes nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerChange {
    /// A customer created or edited: the record as it is now.
    Saved(Customer),
    /// `duplicate` merged into `survivor` ([`CustomerDirectory::merge`]).
    Merged { survivor: Uuid, duplicate: Uuid },
    /// The person `id` is, erased on request at `at_ms` ([`CustomerDirectory::erase`]).
    Erased { id: Uuid, at_ms: i64 },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("the customer needs a name")]
    EmptyName,
    /// Not a phone number: other characters than digits, spaces, `+ - ( ) .`, or too few digits.
    #[error("{0:?} is not a phone number")]
    Phone(String),
    #[error("{0:?} is not an e-mail address")]
    Email(String),
}

impl Customer {
    /// A new customer, checked, with the fields trimmed.
    pub fn new(id: Uuid, name: &str, phone: &str, email: &str) -> Result<Customer, CustomerError> {
        let customer = Customer {
            id,
            name: name.trim().to_string(),
            phone: phone.trim().to_string(),
            email: email.trim().to_string(),
            marketing_consent: None,
            note: String::new(),
            erased: false,
            merged_into: None,
            locked: false,
        };
        customer.check()?;
        Ok(customer)
    }

    /// Whether the customer may be saved: a name, and a phone and e-mail of the right shape when
    /// given. An erased customer has none of these and is fine as it is.
    pub fn check(&self) -> Result<(), CustomerError> {
        if self.erased {
            return Ok(());
        }
        if self.name.trim().is_empty() {
            return Err(CustomerError::EmptyName);
        }
        if !self.phone.is_empty() && !is_phone(&self.phone) {
            return Err(CustomerError::Phone(self.phone.clone()));
        }
        if !self.email.is_empty() && !is_email(&self.email) {
            return Err(CustomerError::Email(self.email.clone()));
        }
        Ok(())
    }

    /// The code of the customer's card, printed as a barcode or typed: `C-` and the last
    /// [`CARD_DIGITS`] hexadecimal digits of the id (the random end of a UUIDv7), upper case.
    /// Found again by [`CustomerDirectory::find_by_card`].
    pub fn card_code(&self) -> String {
        let hex = self.id.simple().to_string().to_uppercase();
        format!("{CARD_PREFIX}{}", &hex[hex.len() - CARD_DIGITS..])
    }

    /// The phone's digits only, as it is searched and compared.
    pub fn phone_digits(&self) -> String {
        digits_of(&self.phone)
    }

    /// Clears every personal field; the id stays, so sales still add up.
    pub(crate) fn erase(&mut self) {
        self.name.clear();
        self.phone.clear();
        self.email.clear();
        self.note.clear();
        self.marketing_consent = None;
        self.erased = true;
        self.locked = false;
    }
}

pub(crate) fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// Digits with the separators people type, a `+` only in front.
fn is_phone(phone: &str) -> bool {
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let shaped = rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'));
    shaped && PHONE_DIGITS.contains(&digits_of(phone).len())
}

/// `local@domain.tld`, with no spaces: enough to catch a mistyped address, not a full RFC 5322
/// parser (the address is only proved by a message arriving).
fn is_email(email: &str) -> bool {
    if email.len() > MAX_EMAIL || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    !local.is_empty()
        && !domain.contains('@')
        && labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
}
