//! Staff PINs: what a PIN may be, how it is hashed (one Argon2id setting, shared by the app and
//! the server), and the lockout after repeated wrong PINs.
//!
//! Core has no randomness, so [`hash_pin`] takes the salt from the caller (the app draws it from
//! `crypto.getRandomValues`, the server from the OS). Checking needs none: [`pin_matches`].

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Why a PIN was not accepted as a new PIN.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    #[error("a PIN is 4 to 6 digits")]
    Format,
    #[error("the PIN could not be hashed: {0}")]
    Hash(String),
}

pub const PIN_LENGTHS: std::ops::RangeInclusive<usize> = 4..=6;

/// Whether `pin` is 4 to 6 ASCII digits.
pub fn valid_pin(pin: &str) -> bool {
    PIN_LENGTHS.contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// Argon2id, 8 MiB, two passes: the setting the app has used for the owner's PIN since enrollment,
/// so hashes already stored keep verifying. A check must stay under a second on a cheap phone.
/// The parameters travel in the PHC string, so a later, costlier setting still reads old hashes.
fn argon2() -> Argon2<'static> {
    let params = argon2::Params::new(8 * 1024, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

/// The PHC string of `pin` (`$argon2id$v=19$m=8192,t=2,p=1$<salt>$<hash>`), salted with 16
/// random bytes the caller draws.
pub fn hash_pin(pin: &str, salt: &[u8; 16]) -> Result<String, PinError> {
    if !valid_pin(pin) {
        return Err(PinError::Format);
    }
    let salt = SaltString::encode_b64(salt).map_err(|e| PinError::Hash(e.to_string()))?;
    argon2()
        .hash_password(pin.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PinError::Hash(e.to_string()))
}

/// Whether `pin` is the one `hash` (a PHC string) was made from. A hash that does not parse
/// matches nothing.
pub fn pin_matches(pin: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .is_ok_and(|parsed| argon2().verify_password(pin.as_bytes(), &parsed).is_ok())
}

/// Whether `hash` reads as a PHC string at all (a staff list with a damaged hash is refused).
pub fn is_phc_string(hash: &str) -> bool {
    PasswordHash::new(hash).is_ok()
}

/// Wrong PINs allowed in a row before the first lock.
pub const FREE_ATTEMPTS: u32 = 4;
/// The first lock; each further wrong PIN doubles it, up to [`MAX_LOCK_MS`].
pub const FIRST_LOCK_MS: i64 = 30_000;
pub const MAX_LOCK_MS: i64 = 3_600_000;

/// The wrong PINs of one staff member on one device, as a state machine with times passed in.
///
/// The rule: four wrong PINs in a row cost nothing; the fifth locks the member for 30 s; every
/// wrong PIN after that (once the lock has passed) locks again for twice as long as the last
/// time (60 s, 2 min, 4 min, ...), at most an hour. A right PIN clears it all. While locked, a
/// PIN is not even checked, so a locked member cannot learn whether a guess was right.
///
/// So a stranger at the till gets 4 + 1 guesses in the first half minute and about one an hour
/// after a dozen; guessing a 4-digit PIN (10,000) then takes over a year. The state is per
/// device: the app keeps it in storage (it is `serde`), so reloading the page does not clear it;
/// the server keeps its own for the PINs it checks. A clock set back makes a lock last longer,
/// never shorter.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PinAttempts {
    /// Wrong PINs since the last right one.
    wrong: u32,
    /// When the current lock ends (ms since the epoch), if one was set.
    locked_until_ms: Option<i64>,
}

/// What came of one typed PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinOutcome {
    Accepted,
    /// Wrong; `left` more wrong PINs before a lock.
    Wrong {
        left: u32,
    },
    /// Wrong, and the member is now locked until then.
    LockedNow {
        until_ms: i64,
    },
    /// Not checked: the member was already locked until then.
    StillLocked {
        until_ms: i64,
    },
}

impl PinAttempts {
    /// When the member may try again, if they are locked at `now_ms`.
    pub fn locked_until(&self, now_ms: i64) -> Option<i64> {
        self.locked_until_ms.filter(|&until| now_ms < until)
    }

    pub fn wrong_in_a_row(&self) -> u32 {
        self.wrong
    }

    /// One PIN typed at `now_ms`: `check` runs the (slow) hash comparison and is called only when
    /// the member is not locked.
    pub fn attempt(&mut self, now_ms: i64, check: impl FnOnce() -> bool) -> PinOutcome {
        if let Some(until_ms) = self.locked_until(now_ms) {
            return PinOutcome::StillLocked { until_ms };
        }
        if check() {
            *self = PinAttempts::default();
            return PinOutcome::Accepted;
        }
        self.wrong = self.wrong.saturating_add(1);
        if self.wrong <= FREE_ATTEMPTS {
            return PinOutcome::Wrong {
                left: FREE_ATTEMPTS - self.wrong,
            };
        }
        let until_ms = now_ms.saturating_add(lock_ms(self.wrong - FREE_ATTEMPTS));
        self.locked_until_ms = Some(until_ms);
        PinOutcome::LockedNow { until_ms }
    }
}

/// The length of the `n`th lock (1-based): 30 s doubled `n - 1` times, at most an hour.
fn lock_ms(n: u32) -> i64 {
    let doublings = (n - 1).min(20);
    FIRST_LOCK_MS
        .saturating_mul(1 << doublings)
        .min(MAX_LOCK_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_four_to_six_digits() {
        for ok in ["0000", "12345", "999999"] {
            assert!(valid_pin(ok), "{ok}");
        }
        for bad in ["", "123", "1234567", "12a4", "١٢٣٤", " 1234", "12 34"] {
            assert!(!valid_pin(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_hash_matches_its_pin_only_and_carries_its_parameters() {
        let hash = hash_pin("2580", &[7; 16]).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=8192,t=2,p=1$"), "{hash}");
        assert!(is_phc_string(&hash));
        assert!(pin_matches("2580", &hash));
        assert!(!pin_matches("2581", &hash));
        assert!(!pin_matches("2580", "not a hash"));
        assert_eq!(hash_pin("12", &[7; 16]), Err(PinError::Format));
        // Another salt, another hash of the same PIN.
        assert_ne!(hash_pin("2580", &[8; 16]).unwrap(), hash);
    }

    #[test]
    fn lock_lengths_double_up_to_an_hour() {
        assert_eq!(lock_ms(1), 30_000);
        assert_eq!(lock_ms(2), 60_000);
        assert_eq!(lock_ms(3), 120_000);
        assert_eq!(lock_ms(8), 3_600_000);
        assert_eq!(lock_ms(u32::MAX), 3_600_000);
    }
}
