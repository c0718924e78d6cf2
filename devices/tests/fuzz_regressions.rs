//! Inputs that crashed a decoder, found with the fuzz targets in `../fuzz` or while writing them
//! (see `docs/fuzzing.md`): each stays here as a plain test, so `cargo test` holds the fix
//! without nightly or libFuzzer.

use pos_devices::zvt::bcd_decode;

/// 20 BCD digits whose first 18, times 100, still fit in a `u64`: adding the last two
/// overflowed, a panic in a debug build and a wrong number in a release one. Found by reading
/// `bcd_decode` while writing the `zvt_apdu` target; that target panics on these bytes without
/// the fix (`fuzz/target/.../zvt_apdu <file>`).
#[test]
fn bcd_just_above_u64_max_is_none() {
    let above = [0x18, 0x44, 0x67, 0x44, 0x07, 0x37, 0x09, 0x55, 0x16, 0x99];
    assert_eq!(bcd_decode(&above), None);
    let max = [0x18, 0x44, 0x67, 0x44, 0x07, 0x37, 0x09, 0x55, 0x16, 0x15];
    assert_eq!(bcd_decode(&max), Some(u64::MAX));
}
