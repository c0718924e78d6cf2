//! Printer profiles: what differs between printer models, kept as data, not as branches.
//! The same code page has a different `ESC t` number on an Epson and on an Xprinter; a wrong
//! number is the usual cause of garbled Cyrillic, so the numbers live here, one table per model.

use crate::codepage::CodePage;
use crate::link::{FlowControl, SerialSettings, StopBits};

/// One printer model as the encoder needs to know it.
///
/// Profiles are `const` data; the app stores a profile's [`id`](Self::id) in its settings and
/// finds it again with [`PrinterProfile::by_id`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrinterProfile {
    /// A stable key for settings, e.g. `epson-tm-t20`.
    pub id: &'static str,
    /// What the shop sees in a list of printers.
    pub name: &'static str,
    /// Characters per line in font A (12 × 24 dots): 32 on 58 mm paper, 42 or 48 on 80 mm.
    pub chars_per_line: u8,
    /// Printable width in dots: the widest raster image.
    pub dots_per_line: u16,
    /// The code pages this model has, with their `ESC t` numbers, in the order the encoder
    /// prefers them when several have a character.
    pub code_pages: &'static [(CodePage, u8)],
    /// The cash drawer pulse used when none is given.
    pub drawer_pulse: DrawerPulse,
    /// The model's factory serial settings, for a printer on a serial port or USB-serial
    /// adapter.
    pub serial: SerialSettings,
}

/// Epson's serial interface leaves the factory at 38400 bps with hardware handshaking.
const EPSON_SERIAL: SerialSettings = SerialSettings {
    baud_rate: 38400,
    flow_control: FlowControl::Hardware,
    stop_bits: StopBits::One,
};

/// Epson's `ESC t` numbers (ESC/POS reference, "ESC t": PC437 = 0, PC866 = 17, PC858 = 19,
/// WPC1251 = 46). CP858 comes first so `€` prints; CP866 before WPC1251 because every
/// Cyrillic-capable printer has it.
const EPSON_PAGES: &[(CodePage, u8)] = &[
    (CodePage::Cp858, 19),
    (CodePage::Cp866, 17),
    (CodePage::Cp437, 0),
    (CodePage::Windows1251, 46),
];

/// Xprinter's numbers differ from Epson's for Windows-1251 (23, not 46); the others agree.
const XPRINTER_PAGES: &[(CodePage, u8)] = &[
    (CodePage::Cp858, 19),
    (CodePage::Cp866, 17),
    (CodePage::Cp437, 0),
    (CodePage::Windows1251, 23),
];

/// Only the numbers that Epson, Xprinter, Star, Sunmi and the common Chinese clones share.
/// Windows-1251 has no common number, so it is left out: Ukrainian `і` prints as `?`.
const COMMON_PAGES: &[(CodePage, u8)] = &[
    (CodePage::Cp858, 19),
    (CodePage::Cp866, 17),
    (CodePage::Cp437, 0),
];

impl PrinterProfile {
    /// Epson TM-T20 series (TM-T20II/III/IV, TM-m30): 80 mm, 48 characters, 576 dots.
    pub const EPSON_TM_T20: PrinterProfile = PrinterProfile {
        id: "epson-tm-t20",
        name: "Epson TM-T20 / TM-m30 (80 mm)",
        chars_per_line: 48,
        dots_per_line: 576,
        code_pages: EPSON_PAGES,
        drawer_pulse: DrawerPulse::DEFAULT,
        serial: EPSON_SERIAL,
    };

    /// Epson TM-T88 series: 80 mm paper but a 512-dot head, so 42 characters.
    pub const EPSON_TM_T88: PrinterProfile = PrinterProfile {
        id: "epson-tm-t88",
        name: "Epson TM-T88 (80 mm)",
        chars_per_line: 42,
        dots_per_line: 512,
        code_pages: EPSON_PAGES,
        drawer_pulse: DrawerPulse::DEFAULT,
        serial: EPSON_SERIAL,
    };

    /// Xprinter 58 mm models (XP-58 series): 32 characters, 384 dots.
    pub const XPRINTER_58: PrinterProfile = PrinterProfile {
        id: "xprinter-58",
        name: "Xprinter 58 mm",
        chars_per_line: 32,
        dots_per_line: 384,
        code_pages: XPRINTER_PAGES,
        drawer_pulse: DrawerPulse::DEFAULT,
        serial: SerialSettings::DEFAULT,
    };

    /// Xprinter 80 mm models (XP-80 series, XP-N160II): 48 characters, 576 dots.
    pub const XPRINTER_80: PrinterProfile = PrinterProfile {
        id: "xprinter-80",
        name: "Xprinter 80 mm",
        chars_per_line: 48,
        dots_per_line: 576,
        code_pages: XPRINTER_PAGES,
        drawer_pulse: DrawerPulse::DEFAULT,
        serial: SerialSettings::DEFAULT,
    };

    /// Any ESC/POS printer on 58 mm paper, using only widely shared code page numbers.
    pub const GENERIC_58: PrinterProfile = PrinterProfile {
        id: "generic-58",
        name: "Other ESC/POS printer (58 mm)",
        chars_per_line: 32,
        dots_per_line: 384,
        code_pages: COMMON_PAGES,
        drawer_pulse: DrawerPulse::DEFAULT,
        serial: SerialSettings::DEFAULT,
    };

    /// Any ESC/POS printer on 80 mm paper, using only widely shared code page numbers.
    pub const GENERIC_80: PrinterProfile = PrinterProfile {
        id: "generic-80",
        name: "Other ESC/POS printer (80 mm)",
        chars_per_line: 48,
        dots_per_line: 576,
        code_pages: COMMON_PAGES,
        drawer_pulse: DrawerPulse::DEFAULT,
        serial: SerialSettings::DEFAULT,
    };

    /// Every built-in profile, for a settings screen.
    pub const ALL: &'static [PrinterProfile] = &[
        PrinterProfile::EPSON_TM_T20,
        PrinterProfile::EPSON_TM_T88,
        PrinterProfile::XPRINTER_58,
        PrinterProfile::XPRINTER_80,
        PrinterProfile::GENERIC_58,
        PrinterProfile::GENERIC_80,
    ];

    /// The built-in profile with this [`id`](Self::id).
    pub fn by_id(id: &str) -> Option<PrinterProfile> {
        Self::ALL.iter().find(|profile| profile.id == id).copied()
    }

    /// The `ESC t` number of `page` on this printer, if it has the page.
    pub fn code_page_number(&self, page: CodePage) -> Option<u8> {
        self.code_pages
            .iter()
            .find(|(candidate, _)| *candidate == page)
            .map(|&(_, number)| number)
    }
}

/// How long the drawer kick-out pulse is on and then off, in the printer's units of 2 ms
/// (`ESC p m t1 t2`). Both bytes are always sent: a printer waiting for them would take the
/// next two bytes of the receipt instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawerPulse {
    on: u8,
    off: u8,
}

impl DrawerPulse {
    /// 50 ms on, 500 ms off (`t1 = 25`, `t2 = 250`): Epson's example, which opens common
    /// solenoid drawers without overheating them.
    pub const DEFAULT: DrawerPulse = DrawerPulse::from_millis(50, 500);

    /// A pulse from milliseconds, rounded up to the 2 ms unit and kept within 2..=510 ms.
    /// Epson printers take an off time shorter than the on time as equal to it.
    pub const fn from_millis(on_ms: u16, off_ms: u16) -> DrawerPulse {
        DrawerPulse {
            on: units(on_ms),
            off: units(off_ms),
        }
    }

    /// The `t1` byte: on time in 2 ms units.
    pub const fn on_units(self) -> u8 {
        self.on
    }

    /// The `t2` byte: off time in 2 ms units.
    pub const fn off_units(self) -> u8 {
        self.off
    }
}

const fn units(ms: u16) -> u8 {
    let units = ms.div_ceil(2);
    if units < 1 {
        1
    } else if units > 255 {
        255
    } else {
        units as u8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_numbers_differ_for_windows_1251() {
        let epson = PrinterProfile::EPSON_TM_T20;
        let xprinter = PrinterProfile::XPRINTER_58;
        assert_eq!(epson.code_page_number(CodePage::Windows1251), Some(46));
        assert_eq!(xprinter.code_page_number(CodePage::Windows1251), Some(23));
        assert_eq!(epson.code_page_number(CodePage::Cp866), Some(17));
        assert_eq!(xprinter.code_page_number(CodePage::Cp866), Some(17));
        assert_eq!(
            PrinterProfile::GENERIC_80.code_page_number(CodePage::Windows1251),
            None
        );
    }

    #[test]
    fn ids_are_unique_and_found() {
        for profile in PrinterProfile::ALL {
            assert_eq!(PrinterProfile::by_id(profile.id), Some(*profile));
        }
        assert_eq!(PrinterProfile::by_id("nope"), None);
    }

    #[test]
    fn pulse_rounds_up_and_clamps() {
        assert_eq!(DrawerPulse::DEFAULT.on_units(), 25);
        assert_eq!(DrawerPulse::DEFAULT.off_units(), 250);
        assert_eq!(DrawerPulse::from_millis(3, 0).on_units(), 2);
        assert_eq!(DrawerPulse::from_millis(3, 0).off_units(), 1);
        assert_eq!(DrawerPulse::from_millis(2000, 2000).off_units(), 255);
    }
}
