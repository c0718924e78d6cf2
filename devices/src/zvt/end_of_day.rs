//! The end of day (`06 50`) as the register reads it: the terminal closes its batch and answers
//! with status information holding the day's total (BMP 04) and, per card group, a count and a
//! turnover (BMP 60). [`EndOfDay`] keeps what reconciliation needs and turns it into core's
//! [`TerminalTotals`]; [`EndOfDay::to_status_apdu`] is the terminal's side of the same message,
//! which a fake terminal in tests sends.
//!
//! Read from the real capture `1680761828.489701000_pt_ecr.blob` (a Feig terminal's end of day:
//! two Mastercard payments, 9.58 EUR, receipts 233-234) and PA00P015's layout of BMP 60.

use pos_core::shift::{CardBrand, CardTotal, TerminalTotals};
use pos_core::{Currency, Decimal};

use super::apdu::Apdu;
use super::bmp::{Fields, bcd_encode, tag};
use super::message::{DayTotals, MonthDay, SchemeTotal, StatusInformation, TimeOfDay};
use super::result::ResultCode;

/// What an end of day reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndOfDay {
    /// Result code (BMP 27); `None` when the terminal sent none (success).
    pub result: Option<ResultCode>,
    /// The day's total in minor units (BMP 04).
    pub total: u64,
    /// ISO 4217 numeric currency (BMP 49), when sent.
    pub currency: Option<u16>,
    /// Trace number (BMP 0B).
    pub trace_no: Option<u32>,
    /// The day the batch closed (BMP 0D).
    pub date: Option<MonthDay>,
    /// The time it closed (BMP 0C).
    pub time: Option<TimeOfDay>,
    /// Per card group (BMP 60); `None` when the terminal sent only the total.
    pub totals: Option<DayTotals>,
}

/// Why status information is not an end of day's result.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EndOfDayError {
    /// The terminal refused or failed the end of day.
    #[error("the terminal did not close the day (result {0:?})")]
    NotClosed(ResultCode),
    /// No total (BMP 04): not the answer to an end of day.
    #[error("the terminal's answer has no day total")]
    NoTotal,
    /// The terminal sent a currency other than the store's.
    #[error("the terminal totals in currency {terminal}, the store sells in {store}")]
    OtherCurrency {
        /// The terminal's ISO 4217 numeric code.
        terminal: u16,
        /// The store's.
        store: u16,
    },
}

impl SchemeTotal {
    /// The card brand this ZVT group is, in core's terms.
    pub fn brand(&self) -> CardBrand {
        match self.scheme {
            "girocard" => CardBrand::Girocard,
            "JCB" => CardBrand::Jcb,
            "Eurocard" => CardBrand::Mastercard,
            "Amex" => CardBrand::Amex,
            "Visa" => CardBrand::Visa,
            "Diners" => CardBrand::Diners,
            _ => CardBrand::Other,
        }
    }
}

impl DayTotals {
    /// The BMP 60 value: first and last receipt, then count and turnover of each group in
    /// ZVT's order. `None` if a figure has more digits than the field holds.
    pub fn encode(&self) -> Option<Vec<u8>> {
        let mut out = bcd_encode(u64::from(self.first_receipt), 2)?;
        out.extend(bcd_encode(u64::from(self.last_receipt), 2)?);
        for scheme in DayTotals::SCHEMES {
            let row = self.schemes.iter().find(|s| s.scheme == scheme);
            out.push(row.map_or(0, |s| s.count));
            out.extend(bcd_encode(row.map_or(0, |s| s.total), 6)?);
        }
        Some(out)
    }
}

impl EndOfDay {
    /// Reads the status information an end of day ended with.
    pub fn from_status(status: &StatusInformation) -> Result<EndOfDay, EndOfDayError> {
        if let Some(code) = status.result.filter(|c| !c.is_success()) {
            return Err(EndOfDayError::NotClosed(code));
        }
        Ok(EndOfDay {
            result: status.result,
            total: status.amount.ok_or(EndOfDayError::NoTotal)?,
            currency: status.currency,
            trace_no: status.trace_no,
            date: status.date,
            time: status.time,
            totals: status.totals.clone(),
        })
    }

    /// The totals for core's reconciliation, in `currency` (the store's). Per brand when the
    /// terminal gave its groups (groups with nothing left out); the overall is the terminal's
    /// own total, which on some terminals is net of refunds the groups do not show.
    pub fn terminal_totals(&self, currency: Currency) -> Result<TerminalTotals, EndOfDayError> {
        if let Some(code) = self.currency.filter(|c| *c != currency.numeric()) {
            return Err(EndOfDayError::OtherCurrency {
                terminal: code,
                store: currency.numeric(),
            });
        }
        let money = |minor: u64| -> Decimal { currency.from_minor_units(minor) };
        let Some(totals) = &self.totals else {
            // Without its groups the terminal gives no count: only the amount is compared.
            return Ok(TerminalTotals::amount_only(money(self.total)));
        };
        let brands = totals
            .schemes
            .iter()
            .filter(|s| s.count > 0 || s.total > 0)
            .map(|s| {
                let total = CardTotal {
                    count: i64::from(s.count),
                    amount: money(s.total),
                };
                (s.brand(), total)
            })
            .collect();
        let mut out =
            TerminalTotals::by_brand(brands, Some((totals.first_receipt, totals.last_receipt)));
        out.overall.amount = money(self.total);
        Ok(out)
    }

    /// The status information (`04 0F`) a terminal sends with this result, fields in the
    /// order the Feig capture has them. `None` if a figure does not fit its field.
    pub fn to_status_apdu(&self) -> Option<Apdu> {
        let mut fields = Fields::default();
        fields.push(
            tag::RESULT,
            vec![self.result.unwrap_or(ResultCode::SUCCESS).0],
        );
        fields.push(tag::AMOUNT, bcd_encode(self.total, 6)?);
        if let Some(currency) = self.currency {
            fields.push(tag::CURRENCY, bcd_encode(u64::from(currency), 2)?);
        }
        if let Some(trace) = self.trace_no {
            fields.push(tag::TRACE, bcd_encode(u64::from(trace), 3)?);
        }
        if let Some(d) = self.date {
            let value = u64::from(d.month) * 100 + u64::from(d.day);
            fields.push(tag::DATE, bcd_encode(value, 2)?);
        }
        if let Some(t) = self.time {
            let value =
                u64::from(t.hour) * 10_000 + u64::from(t.minute) * 100 + u64::from(t.second);
            fields.push(tag::TIME, bcd_encode(value, 3)?);
        }
        if let Some(totals) = &self.totals {
            fields.push(tag::TOTALS, totals.encode()?);
        }
        let mut data = Vec::new();
        fields.encode_into(&mut data);
        Some(Apdu::new(0x04, 0x0F, data))
    }
}
