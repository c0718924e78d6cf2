//! The card terminal's form: model, serial number, how it is connected, and for ZVT the serial
//! line and the password.

use crate::i18n::Msg;
use crate::terminal::{Connection, TerminalSettings, TrainingOutcome};
use crate::transport::serial::SerialPortIds;

/// How the terminal is reached, as the connection select offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Standalone,
    Training,
    Zvt,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Standalone, Kind::Training, Kind::Zvt];

    pub fn tag(self) -> &'static str {
        match self {
            Kind::Standalone => "standalone",
            Kind::Training => "training",
            Kind::Zvt => "zvt-serial",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.tag() == tag)
    }

    pub fn msg(self) -> Msg {
        match self {
            Kind::Standalone => Msg::ConnectionStandalone,
            Kind::Training => Msg::ConnectionTraining,
            Kind::Zvt => Msg::ConnectionZvt,
        }
    }
}

/// The terminal form's fields. Every connection's fields are kept while another is chosen, so
/// switching back and forth loses nothing typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalForm {
    pub model: String,
    pub serial_number: String,
    pub kind: Kind,
    pub outcome: TrainingOutcome,
    pub baud: String,
    pub stop_bits: String,
    pub password: String,
    pub port: Option<SerialPortIds>,
}

/// The form's text fields, for components that bind one input or select to one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Model,
    SerialNumber,
    Baud,
    StopBits,
    Password,
}

/// What is wrong with the form; nothing is saved while one is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TerminalFormError {
    #[error("the baud rate is not one a serial port offers")]
    Baud,
    #[error("stop bits are 1 or 2")]
    StopBits,
    #[error("the ZVT password is six digits")]
    Password,
}

impl TerminalFormError {
    pub fn msg(self) -> Msg {
        match self {
            TerminalFormError::Baud => Msg::InvalidBaudRate,
            TerminalFormError::StopBits => Msg::InvalidStopBits,
            TerminalFormError::Password => Msg::InvalidTerminalPassword,
        }
    }
}

impl TerminalForm {
    pub fn of(saved: &TerminalSettings) -> TerminalForm {
        let line = pos_devices::zvt::SERIAL_LINE;
        let (kind, outcome, baud, stop_bits, port) = match &saved.connection {
            Connection::Standalone => (
                Kind::Standalone,
                TrainingOutcome::Approve,
                line.baud_rate,
                line.stop_bits.count(),
                None,
            ),
            Connection::Training { outcome } => (
                Kind::Training,
                *outcome,
                line.baud_rate,
                line.stop_bits.count(),
                None,
            ),
            Connection::ZvtSerial {
                baud,
                stop_bits,
                port,
            } => (
                Kind::Zvt,
                TrainingOutcome::Approve,
                *baud,
                *stop_bits,
                *port,
            ),
        };
        TerminalForm {
            model: saved.model.clone(),
            serial_number: saved.serial_number.clone(),
            kind,
            outcome,
            baud: baud.to_string(),
            stop_bits: stop_bits.to_string(),
            password: saved.password.clone(),
            port,
        }
    }

    pub fn field(&self, field: Field) -> &str {
        match field {
            Field::Model => &self.model,
            Field::SerialNumber => &self.serial_number,
            Field::Baud => &self.baud,
            Field::StopBits => &self.stop_bits,
            Field::Password => &self.password,
        }
    }

    pub fn set(&mut self, field: Field, value: String) {
        *match field {
            Field::Model => &mut self.model,
            Field::SerialNumber => &mut self.serial_number,
            Field::Baud => &mut self.baud,
            Field::StopBits => &mut self.stop_bits,
            Field::Password => &mut self.password,
        } = value;
    }

    /// The settings to save: the form's, with what the register learnt from the terminal
    /// (`last_receipt_no`, `terminal_id`) kept from `saved`. Only the chosen connection's
    /// fields are checked.
    pub fn settings(
        &self,
        saved: &TerminalSettings,
    ) -> Result<TerminalSettings, TerminalFormError> {
        let password = self.password.trim();
        let connection = match self.kind {
            Kind::Standalone => Connection::Standalone,
            Kind::Training => Connection::Training {
                outcome: self.outcome,
            },
            Kind::Zvt => {
                let baud = super::baud_rate(&self.baud).ok_or(TerminalFormError::Baud)?;
                let stop_bits = match self.stop_bits.trim() {
                    "1" => 1,
                    "2" => 2,
                    _ => return Err(TerminalFormError::StopBits),
                };
                // Empty keeps the terminal's own default; otherwise ZVT's six digits.
                if !password.is_empty()
                    && !(password.len() == 6 && password.bytes().all(|b| b.is_ascii_digit()))
                {
                    return Err(TerminalFormError::Password);
                }
                Connection::ZvtSerial {
                    baud,
                    stop_bits,
                    port: self.port,
                }
            }
        };
        Ok(TerminalSettings {
            model: self.model.trim().to_string(),
            serial_number: self.serial_number.trim().to_string(),
            connection,
            password: password.to_string(),
            last_receipt_no: saved.last_receipt_no,
            terminal_id: saved.terminal_id.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::assert_translated;

    fn zvt() -> TerminalSettings {
        TerminalSettings {
            model: "Ingenico Move/5000".into(),
            serial_number: "52500038".into(),
            connection: Connection::ZvtSerial {
                baud: 115_200,
                stop_bits: 1,
                port: Some(SerialPortIds {
                    usb_vendor_id: Some(0x0403),
                    usb_product_id: Some(0x6001),
                }),
            },
            password: "000000".into(),
            last_receipt_no: Some(17),
            terminal_id: Some("52500038".into()),
        }
    }

    #[test]
    fn saved_settings_come_back_unchanged() {
        let training = TerminalSettings {
            connection: Connection::Training {
                outcome: TrainingOutcome::WrongPin,
            },
            ..TerminalSettings::default()
        };
        for saved in [zvt(), training, TerminalSettings::default()] {
            assert_eq!(TerminalForm::of(&saved).settings(&saved), Ok(saved));
        }
    }

    #[test]
    fn fields_are_trimmed_and_what_the_terminal_told_is_kept() {
        let saved = zvt();
        let mut form = TerminalForm::of(&TerminalSettings::default());
        form.model = "  Move/5000 ".into();
        form.kind = Kind::Zvt;
        form.password = " 123456 ".into();
        let settings = form.settings(&saved).unwrap();
        assert_eq!(settings.model, "Move/5000");
        assert_eq!(settings.password, "123456");
        assert_eq!(settings.last_receipt_no, Some(17));
        assert_eq!(settings.terminal_id.as_deref(), Some("52500038"));
        assert_eq!(
            settings.connection,
            Connection::ZvtSerial {
                baud: 9_600,
                stop_bits: 2,
                port: None
            }
        );
    }

    #[test]
    fn each_invalid_input_gives_its_error() {
        let saved = zvt();
        let form = TerminalForm::of(&saved);
        let with = |field: Field, value: &str| {
            let mut form = form.clone();
            form.set(field, value.into());
            assert_eq!(form.field(field), value);
            form
        };
        let cases = [
            (Field::Baud, "9601", TerminalFormError::Baud),
            (Field::Baud, "fast", TerminalFormError::Baud),
            (Field::StopBits, "3", TerminalFormError::StopBits),
            (Field::Password, "12345", TerminalFormError::Password),
            (Field::Password, "12345a", TerminalFormError::Password),
        ];
        for (field, value, error) in cases {
            assert_eq!(
                with(field, value).settings(&saved),
                Err(error),
                "{field:?} {value}"
            );
        }
        assert!(with(Field::Password, "").settings(&saved).is_ok());
        // The serial line is not checked for a connection that has none.
        let mut training = with(Field::Baud, "fast");
        training.kind = Kind::Training;
        assert!(training.settings(&saved).is_ok());
    }

    #[test]
    fn every_form_error_and_kind_is_translated() {
        let errors = [
            TerminalFormError::Baud,
            TerminalFormError::StopBits,
            TerminalFormError::Password,
        ];
        assert_translated(errors.map(TerminalFormError::msg));
        assert_translated(Kind::ALL.map(Kind::msg));
        assert!(
            Kind::ALL
                .iter()
                .all(|k| Kind::from_tag(k.tag()) == Some(*k))
        );
    }
}
