//! Barcodes as GS1 defines them: an 8, 12, 13 or 14 digit code is a GTIN (EAN-8, UPC-A, EAN-13,
//! GTIN-14) and its last digit checks the others, so a mistyped digit is caught when the product
//! is saved rather than when a scan finds nothing. Other codes (a shop's own Code 128 labels)
//! are kept as typed.

/// Why a barcode cannot be kept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("a barcode cannot be empty or contain spaces")]
    Blank,
    #[error("a barcode is at most 48 characters")]
    TooLong,
    /// A GTIN whose check digit is not the one its other digits give.
    #[error("the check digit of {code} should be {expected}")]
    CheckDigit { code: String, expected: u8 },
}

/// The longest code kept: GS1-128 carries up to 48 characters.
const MAX_LEN: usize = 48;

/// Checks one barcode as typed or imported.
pub fn check_barcode(code: &str) -> Result<(), BarcodeError> {
    if code.is_empty() || code.chars().any(char::is_whitespace) {
        return Err(BarcodeError::Blank);
    }
    if code.len() > MAX_LEN {
        return Err(BarcodeError::TooLong);
    }
    let is_gtin =
        matches!(code.len(), 8 | 12 | 13 | 14) && code.bytes().all(|b| b.is_ascii_digit());
    if !is_gtin {
        return Ok(());
    }
    let (body, last) = code.split_at(code.len() - 1);
    let expected = check_digit(body);
    if last.as_bytes()[0] - b'0' == expected {
        Ok(())
    } else {
        Err(BarcodeError::CheckDigit {
            code: code.to_string(),
            expected,
        })
    }
}

/// `body` (digits only) with its GS1 check digit appended: 12 digits make an EAN-13 (in-store
/// codes start with 2), 7 an EAN-8.
pub fn with_check_digit(body: &str) -> String {
    format!("{body}{}", check_digit(body))
}

/// The GS1 check digit of the digits before it: weights 3 and 1 alternate from the right.
pub(crate) fn check_digit(body: &str) -> u8 {
    let sum: u32 = body
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_codes_pass_and_one_wrong_digit_is_caught() {
        // An EAN-13, a UPC-A, an EAN-8 and a GTIN-14 from GS1's examples.
        for code in [
            "4006381333931",
            "036000291452",
            "96385074",
            "10012345678902",
        ] {
            assert_eq!(check_barcode(code), Ok(()), "{code}");
        }
        assert_eq!(
            check_barcode("4006381333932"),
            Err(BarcodeError::CheckDigit {
                code: "4006381333932".into(),
                expected: 1
            })
        );
        assert!(check_barcode("036000291453").is_err());
        // A shop's own code is not a GTIN and is kept as typed.
        assert_eq!(check_barcode("TRUCK-0042"), Ok(()));
        assert_eq!(check_barcode("12345"), Ok(()));
        assert_eq!(check_barcode(""), Err(BarcodeError::Blank));
        assert_eq!(check_barcode("12 34"), Err(BarcodeError::Blank));
        assert_eq!(check_barcode(&"9".repeat(49)), Err(BarcodeError::TooLong));
    }
}
