//! The staff list as the store's signing key signed it: bytes that any channel may carry (a shared
//! document, an API reply, a file) and that a device trusts only after checking the signature with
//! the store's public key it was given at enrollment. See the module docs of `staff` for why.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use uuid::Uuid;

use super::{StaffList, StaffListError};

/// Signed bytes start with this, so a signature the same key makes for another purpose can never
/// pass for a staff list.
const CONTEXT: &[u8] = b"pos-staff-list/v1\0";

/// A staff list's JSON and the Ed25519 signature of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedStaffList {
    payload: Vec<u8>,
    signature: [u8; 64],
}

impl SignedStaffList {
    /// Signs `list` with the 32-byte secret `seed` of the store's key (the signer draws it once;
    /// signing itself needs no randomness). The list is checked first: a signer never vouches for
    /// a list without an owner or with a damaged PIN hash.
    pub fn sign(list: &StaffList, seed: &[u8; 32]) -> Result<SignedStaffList, StaffListError> {
        list.check()?;
        let payload =
            serde_json::to_vec(list).map_err(|e| StaffListError::Corrupt(e.to_string()))?;
        let key = SigningKey::from_bytes(seed);
        let signature = key.sign(&signed_message(&payload)).to_bytes();
        Ok(SignedStaffList { payload, signature })
    }

    /// The public key of the secret `seed`, which devices are given to verify with.
    pub fn public_key(seed: &[u8; 32]) -> [u8; 32] {
        SigningKey::from_bytes(seed).verifying_key().to_bytes()
    }

    /// The list, once the signature checks out with `public_key` and the list is `store`'s and
    /// well formed. Anything else (a list edited on a device, one signed by another key, one of
    /// another store) is refused whole.
    pub fn verify(&self, public_key: &[u8; 32], store: Uuid) -> Result<StaffList, StaffListError> {
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| StaffListError::BadKey)?;
        // Strict: refuses small-order keys and non-canonical signatures, so one list has one
        // valid signature.
        key.verify_strict(
            &signed_message(&self.payload),
            &Signature::from_bytes(&self.signature),
        )
        .map_err(|_| StaffListError::BadSignature)?;
        let list: StaffList = serde_json::from_slice(&self.payload)
            .map_err(|e| StaffListError::Corrupt(e.to_string()))?;
        if list.store != store {
            return Err(StaffListError::OtherStore(list.store));
        }
        list.check()?;
        Ok(list)
    }

    /// The list, if it verifies and is newer than the one at `version` this device holds. An older
    /// signed list (one a device kept and wrote back, with a manager since removed) is refused,
    /// and so is the same version again.
    pub fn verify_update(
        &self,
        public_key: &[u8; 32],
        store: Uuid,
        version: u64,
    ) -> Result<StaffList, StaffListError> {
        let list = self.verify(public_key, store)?;
        if list.version <= version {
            return Err(StaffListError::NotNewer {
                version: list.version,
                have: version,
            });
        }
        Ok(list)
    }

    /// The signature, then the JSON: what is stored and sent.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(64 + self.payload.len());
        bytes.extend_from_slice(&self.signature);
        bytes.extend_from_slice(&self.payload);
        bytes
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<SignedStaffList, StaffListError> {
        if bytes.len() < 64 {
            return Err(StaffListError::Corrupt("shorter than a signature".into()));
        }
        let (signature, payload) = bytes.split_at(64);
        Ok(SignedStaffList {
            payload: payload.to_vec(),
            signature: signature.try_into().expect("64 bytes"),
        })
    }
}

fn signed_message(payload: &[u8]) -> Vec<u8> {
    [CONTEXT, payload].concat()
}
