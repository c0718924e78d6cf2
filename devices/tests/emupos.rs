//! Golden tests against an independent decoder: our bytes go through `emupos` (PyPI 0.4.0),
//! a simulated ESC/POS printer, and what it printed is compared with what we meant.
//!
//! Needs a Python 3.13 virtual environment with emupos, named by `EMUPOS_PYTHON` (absolute,
//! or relative to the workspace root):
//!
//! ```text
//! PYENV_VERSION=3.13.0 python -m venv target/emupos-venv
//! target/emupos-venv/bin/pip install emupos==0.4.0
//! EMUPOS_PYTHON=target/emupos-venv/bin/python \
//!     cargo test -p pos-devices --test emupos -- --ignored
//! ```
//!
//! The tests are `#[ignore]`d so a plain `cargo test` runs without Python; run with
//! `--ignored` and no `EMUPOS_PYTHON`, they fail and say how to set it up.

use pos_devices::{
    Align, BarcodeText, Bitmap, Cut, Dither, DrawerPin, PrinterCondition, PrinterProblem,
    PrinterProfile, QrOptions, ReceiptEncoder, StatusRequest,
};

mod common;
use common::decode;

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn epson_receipt_prints_cyrillic_latin_qr_barcodes_cut_and_drawer() {
    let logo = Bitmap::from_gray(&[0u8; 16 * 8], 16, 8, Dither::Threshold(128)).unwrap();
    let mut receipt = ReceiptEncoder::new(PrinterProfile::EPSON_TM_T20);
    receipt
        .initialize()
        .align(Align::Center)
        .image(&logo)
        .unwrap()
        .bold(true)
        .line("Кофейня у дома")
        .bold(false)
        .align(Align::Left)
        .line("Café crème 3,50 €")
        .two_columns("Капучино x2", "7.00", '.')
        .two_columns("Итого", "7.00", ' ')
        .qr("https://example.com/r/42?a=1", QrOptions::default())
        .unwrap()
        .barcode_text(BarcodeText::Below)
        .ean13("400638133393")
        .unwrap()
        .code128("R-42{x}")
        .unwrap()
        .cut(Cut::Partial)
        .open_drawer(DrawerPin::Pin2);
    let encoded = receipt.finish();
    assert!(encoded.replaced.is_empty());

    let decoded = decode("epson-tm-t20iii", &encoded.bytes, &[]);

    let dots = ".".repeat(48 - "Капучино x2".chars().count() - "7.00".len() - 2);
    let expected = [
        "[image 16x8]".to_owned(),
        "Кофейня у дома".to_owned(),
        "Café crème 3,50 €".to_owned(),
        format!("Капучино x2 {dots} 7.00"),
        format!("Итого{}7.00", " ".repeat(48 - 5 - 4)),
        "[qr https://example.com/r/42?a=1]".to_owned(),
        "[barcode EAN-13 4006381333931]".to_owned(),
        "[barcode CODE128 R-42{x}]".to_owned(),
    ];
    let text = expected.join("\n") + "\n";
    assert_eq!(decoded.receipts, [text]);
    assert_eq!(decoded.boundaries, ["cut"]);
    let drawer = decoded.events_of("drawer.opened");
    assert_eq!(drawer.len(), 1, "{:?}", decoded.events);
    assert_eq!(drawer[0]["pin"], 2);
    assert_eq!(drawer[0]["on_time_ms"], 50);
    assert!(
        decoded.events_of("printer.command.unknown").is_empty(),
        "{:?}",
        decoded.events
    );
    assert!(decoded.events_of("printer.codepage.unsupported").is_empty());
}

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn xprinter_numbers_decode_cp866_and_windows_1251() {
    // emupos's XP-80T profile lists only the pages it has verified; add ours as a profile file
    // would. It has glyphs for PC866 but not WPC1251, so for 1251 it reports the page as
    // unsupported for drawing while its text dump still decodes the bytes.
    let mut receipt = ReceiptEncoder::new(PrinterProfile::XPRINTER_80);
    receipt
        .initialize()
        .line("Чай")
        .line("Білий чай")
        .cut(Cut::Full);
    let encoded = receipt.finish();
    let decoded = decode(
        "xprinter-xp80t",
        &encoded.bytes,
        &[
            "--code-page",
            "17=PC866",
            "--code-page",
            "23=WPC1251",
            "--code-page",
            "19=PC858",
        ],
    );
    assert_eq!(decoded.receipts, ["Чай\nБілий чай\n"]);
    let unsupported = decoded.events_of("printer.codepage.unsupported");
    assert_eq!(unsupported.len(), 1);
    assert_eq!(unsupported[0]["number"], 23);
}

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn drawer_kick_does_not_swallow_the_next_characters() {
    let mut receipt = ReceiptEncoder::new(PrinterProfile::GENERIC_80);
    receipt
        .initialize()
        .open_drawer(DrawerPin::Pin5)
        .line("OK after kick");
    let decoded = decode("epson-tm-t20iii", &receipt.finish().bytes, &[]);
    assert_eq!(decoded.receipts, ["OK after kick\n"]);
    let drawer = decoded.events_of("drawer.opened");
    assert_eq!(drawer[0]["pin"], 5);
}

#[test]
#[ignore = "needs EMUPOS_PYTHON: see the module docs"]
fn status_replies_parse_into_problems() {
    let requests: Vec<u8> = StatusRequest::ALL.iter().flat_map(|r| r.bytes()).collect();
    let cases: [(&[&str], &[PrinterProblem]); 4] = [
        (&[], &[]),
        (&["--fault", "paper-out"], &[PrinterProblem::PaperOut]),
        (&["--fault", "cover-open"], &[PrinterProblem::CoverOpen]),
        (
            &["--fault", "paper-near-end"],
            &[PrinterProblem::PaperNearEnd],
        ),
    ];
    for (faults, problems) in cases {
        let decoded = decode("epson-tm-t20iii", &requests, faults);
        // One byte per request: three-byte requests, no stray 0x00 for emupos to trip on.
        assert_eq!(
            decoded.replies.len(),
            4,
            "{faults:?}: {:02X?}",
            decoded.replies
        );
        assert!(decoded.events_of("printer.command.unknown").is_empty());
        let mut condition = PrinterCondition::default();
        for (request, &byte) in StatusRequest::ALL.iter().zip(&decoded.replies) {
            condition.apply(request.parse(byte).expect("a valid status byte"));
        }
        assert_eq!(condition.problems(), problems, "{faults:?}");
    }
}
