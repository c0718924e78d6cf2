//! The form that connects a receipt printer: how it is reached, its model, the paper width, and
//! the serial speed or the Bluetooth chunk size. Choosing a model sets the width and the speed
//! to the model's own, which the merchant may then change.

use pos_devices::{BluetoothPacing, PrinterProfile};

use crate::i18n::Msg;
use crate::printing::PrinterChoice;
use crate::transport::TransportKind;

/// The characters per line a roll can take: 58 mm paper, 80 mm in font B, 80 mm.
pub const PAPER_WIDTHS: [u8; 3] = [32, 42, 48];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrinterForm {
    pub kind: TransportKind,
    /// A `PrinterProfile` id.
    pub model: String,
    pub chars_per_line: String,
    pub baud: String,
    pub chunk_size: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrinterFormError {
    #[error("no printer profile has this id")]
    UnknownModel,
    #[error("the paper width is not one of the widths offered")]
    PaperWidth,
    #[error("the baud rate is not one a serial port offers")]
    Baud,
    #[error("the chunk size is not a number")]
    ChunkSize,
}

impl PrinterFormError {
    pub fn msg(self) -> Msg {
        match self {
            PrinterFormError::UnknownModel => Msg::InvalidPrinterModel,
            PrinterFormError::PaperWidth => Msg::InvalidPaperWidth,
            PrinterFormError::Baud => Msg::InvalidBaudRate,
            PrinterFormError::ChunkSize => Msg::InvalidChunkSize,
        }
    }
}

impl PrinterForm {
    /// The first model, reached by `kind`, with Bluetooth's default chunk size.
    pub fn new(kind: TransportKind) -> PrinterForm {
        let mut form = PrinterForm {
            kind,
            model: String::new(),
            chars_per_line: String::new(),
            baud: String::new(),
            chunk_size: BluetoothPacing::DEFAULT.chunk_size.to_string(),
        };
        form.choose_model(PrinterProfile::ALL[0].id);
        form
    }

    /// Takes the model and its paper width and serial speed; an unknown id changes nothing.
    pub fn choose_model(&mut self, id: &str) {
        if let Some(profile) = PrinterProfile::by_id(id) {
            self.model = profile.id.to_string();
            self.chars_per_line = profile.chars_per_line.to_string();
            self.baud = profile.serial.baud_rate.to_string();
        }
    }

    /// What to connect. A chunk size outside what Bluetooth allows is brought within it.
    pub fn choice(&self) -> Result<PrinterChoice, PrinterFormError> {
        let profile = PrinterProfile::by_id(&self.model).ok_or(PrinterFormError::UnknownModel)?;
        let chars_per_line = self
            .chars_per_line
            .trim()
            .parse()
            .ok()
            .filter(|n| PAPER_WIDTHS.contains(n))
            .ok_or(PrinterFormError::PaperWidth)?;
        let baud_rate = super::baud_rate(&self.baud).ok_or(PrinterFormError::Baud)?;
        let chunk_size: usize = self
            .chunk_size
            .trim()
            .parse()
            .map_err(|_| PrinterFormError::ChunkSize)?;
        Ok(PrinterChoice {
            kind: self.kind,
            profile,
            chars_per_line,
            baud_rate,
            chunk_size: BluetoothPacing::with_chunk_size(chunk_size).chunk_size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    /// The fields that show `choice` (the form keeps no choice once connected).
    fn form_of(choice: &PrinterChoice) -> PrinterForm {
        PrinterForm {
            kind: choice.kind,
            model: choice.profile.id.to_string(),
            chars_per_line: choice.chars_per_line.to_string(),
            baud: choice.baud_rate.to_string(),
            chunk_size: choice.chunk_size.to_string(),
        }
    }

    #[test]
    fn a_choice_comes_back_unchanged() {
        for profile in PrinterProfile::ALL {
            for kind in TransportKind::ALL {
                let choice = PrinterChoice {
                    kind,
                    profile: *profile,
                    chars_per_line: 42,
                    baud_rate: 115_200,
                    chunk_size: 20,
                };
                assert_eq!(form_of(&choice).choice(), Ok(choice));
            }
        }
    }

    #[test]
    fn a_model_brings_its_width_and_speed() {
        let mut form = PrinterForm::new(TransportKind::Serial);
        let narrow = PrinterProfile::ALL
            .iter()
            .find(|p| p.chars_per_line == 32)
            .unwrap();
        form.choose_model(narrow.id);
        let choice = form.choice().unwrap();
        assert_eq!(choice.profile, *narrow);
        assert_eq!(choice.chars_per_line, 32);
        assert_eq!(choice.baud_rate, narrow.serial.baud_rate);
        assert_eq!(choice.chunk_size, BluetoothPacing::DEFAULT.chunk_size);
        form.choose_model("no-such-printer");
        assert_eq!(form.model, narrow.id);
    }

    #[test]
    fn each_invalid_input_gives_its_error() {
        let form = PrinterForm::new(TransportKind::Bluetooth);
        let with = |change: fn(&mut PrinterForm)| {
            let mut form = form.clone();
            change(&mut form);
            form.choice()
        };
        assert_eq!(
            with(|f| f.model = "nope".into()),
            Err(PrinterFormError::UnknownModel)
        );
        assert_eq!(
            with(|f| f.chars_per_line = "40".into()),
            Err(PrinterFormError::PaperWidth)
        );
        assert_eq!(
            with(|f| f.baud = "9601".into()),
            Err(PrinterFormError::Baud)
        );
        assert_eq!(
            with(|f| f.chunk_size = "lots".into()),
            Err(PrinterFormError::ChunkSize)
        );
        // Out of range is brought within it, as the devices' pacing decides.
        assert_eq!(
            with(|f| f.chunk_size = "5000".into()).map(|c| c.chunk_size),
            Ok(*BluetoothPacing::CHUNK_RANGE.end())
        );
    }

    #[test]
    fn every_form_error_is_translated() {
        let all = [
            PrinterFormError::UnknownModel,
            PrinterFormError::PaperWidth,
            PrinterFormError::Baud,
            PrinterFormError::ChunkSize,
        ];
        assert_translated(all.map(PrinterFormError::msg));
    }
}
