//! Crypto-shredding of customers' personal data (GDPR art. 17, 152-FZ art. 21): every personal
//! field goes into the store's customers document sealed with XChaCha20-Poly1305 under a key of
//! its own customer, a random 256-bit [`CustomerKey`] kept OUTSIDE Automerge (on each device, and
//! on the server behind the device token). Automerge never forgets a value once written, on any
//! device or on the server; forgetting the key is what makes those values unreadable. Erasing a
//! customer deletes the key everywhere, so the document's whole history keeps only ciphertext
//! nobody can open.
//!
//! A sealed value is `Bytes`: [`SEALED_V1`], the 24-byte nonce, then the ciphertext with its tag.
//! The customer id and the field's name are the associated data, so a value copied to another
//! field or another customer does not open. Core stays pure: the key and the nonces come from
//! the caller (the app draws them from the browser's random source). A value that does not open
//! (no key yet, a key erased, a wrong key) reads as [`Opened::Locked`], never as an error.

use std::collections::BTreeMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The first byte of a sealed value: the format, so another can follow.
pub const SEALED_V1: u8 = 1;
pub const KEY_LEN: usize = 32;
pub const NONCE_LEN: usize = 24;

/// Where the nonces of sealed values come from: 24 random bytes a call, drawn by the caller.
pub type Nonces<'a> = &'a mut dyn FnMut() -> [u8; NONCE_LEN];

/// One customer's key; shown and stored as 64 hexadecimal digits.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CustomerKey([u8; KEY_LEN]);

impl std::fmt::Debug for CustomerKey {
    // A key in a log would undo the erasure it exists for.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CustomerKey(..)")
    }
}

impl CustomerKey {
    /// A key from random bytes the caller drew.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> CustomerKey {
        CustomerKey(bytes)
    }

    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(text: &str) -> Option<CustomerKey> {
        if text.len() != KEY_LEN * 2 || !text.is_ascii() {
            return None;
        }
        let mut out = [0u8; KEY_LEN];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[i * 2..i * 2 + 2], 16).ok()?;
        }
        Some(CustomerKey(out))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

impl TryFrom<String> for CustomerKey {
    type Error = String;
    fn try_from(text: String) -> Result<Self, String> {
        CustomerKey::from_hex(&text).ok_or_else(|| "a customer key is 64 hex digits".to_string())
    }
}

impl From<CustomerKey> for String {
    fn from(key: CustomerKey) -> String {
        key.hex()
    }
}

/// The keys a device holds, by customer id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keyring {
    keys: BTreeMap<Uuid, CustomerKey>,
}

impl Keyring {
    pub fn new() -> Keyring {
        Keyring::default()
    }

    pub fn insert(&mut self, customer: Uuid, key: CustomerKey) {
        self.keys.insert(customer, key);
    }

    pub fn remove(&mut self, customer: Uuid) -> Option<CustomerKey> {
        self.keys.remove(&customer)
    }

    pub fn get(&self, customer: Uuid) -> Option<&CustomerKey> {
        self.keys.get(&customer)
    }

    pub fn ids(&self) -> impl Iterator<Item = Uuid> + '_ {
        self.keys.keys().copied()
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl FromIterator<(Uuid, CustomerKey)> for Keyring {
    fn from_iter<I: IntoIterator<Item = (Uuid, CustomerKey)>>(iter: I) -> Self {
        Keyring {
            keys: iter.into_iter().collect(),
        }
    }
}

/// What a document's value of a personal field reads as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Opened {
    Text(String),
    /// Sealed under a key this device does not hold (yet, or any more).
    Locked,
}

fn associated(customer: Uuid, field: &str) -> Vec<u8> {
    let mut aad = customer.as_bytes().to_vec();
    aad.extend_from_slice(field.as_bytes());
    aad
}

/// Seals `text` as the value of `field` of `customer`. The nonce must never repeat under one
/// key: the caller draws 24 random bytes for every value.
pub fn seal(
    key: &CustomerKey,
    nonce: [u8; NONCE_LEN],
    customer: Uuid,
    field: &str,
    text: &str,
) -> Vec<u8> {
    let aad = associated(customer, field);
    let sealed = key
        .cipher()
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: text.as_bytes(),
                aad: &aad,
            },
        )
        .expect("XChaCha20-Poly1305 seals any message a customer field holds");
    let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
    out.push(SEALED_V1);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// Opens a value [`seal`] made; [`Opened::Locked`] without the key, with a wrong key, or for
/// bytes that are not a sealed value.
pub fn open(key: Option<&CustomerKey>, customer: Uuid, field: &str, bytes: &[u8]) -> Opened {
    let Some(key) = key else {
        return Opened::Locked;
    };
    let Some((&SEALED_V1, rest)) = bytes.split_first() else {
        return Opened::Locked;
    };
    if rest.len() < NONCE_LEN {
        return Opened::Locked;
    }
    let (nonce, sealed) = rest.split_at(NONCE_LEN);
    let aad = associated(customer, field);
    key.cipher()
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .ok()
        .and_then(|plain| String::from_utf8(plain).ok())
        .map_or(Opened::Locked, Opened::Text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANNA: Uuid = Uuid::from_u128(7);

    #[test]
    fn a_sealed_field_opens_only_with_its_key_customer_and_field() {
        let key = CustomerKey::from_bytes([3; KEY_LEN]);
        let sealed = seal(&key, [9; NONCE_LEN], ANNA, "name", "Анна Петрова");
        assert!(!String::from_utf8_lossy(&sealed).contains("Анна"));
        assert_eq!(
            open(Some(&key), ANNA, "name", &sealed),
            Opened::Text("Анна Петрова".into())
        );
        assert_eq!(open(None, ANNA, "name", &sealed), Opened::Locked);
        let other = CustomerKey::from_bytes([4; KEY_LEN]);
        assert_eq!(open(Some(&other), ANNA, "name", &sealed), Opened::Locked);
        assert_eq!(open(Some(&key), ANNA, "email", &sealed), Opened::Locked);
        assert_eq!(
            open(Some(&key), Uuid::from_u128(8), "name", &sealed),
            Opened::Locked
        );
        assert_eq!(
            open(Some(&key), ANNA, "name", &sealed[..10]),
            Opened::Locked
        );
        assert_eq!(open(Some(&key), ANNA, "name", &[]), Opened::Locked);
    }

    #[test]
    fn a_key_reads_back_from_its_hex_and_never_prints() {
        let key = CustomerKey::from_bytes([0xab; KEY_LEN]);
        assert_eq!(CustomerKey::from_hex(&key.hex()), Some(key.clone()));
        assert_eq!(CustomerKey::from_hex("zz"), None);
        assert!(!format!("{key:?}").contains("ab"));
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(serde_json::from_str::<CustomerKey>(&json).unwrap(), key);
    }
}
