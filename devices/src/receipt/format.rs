//! Numbers and dates as a receipt prints them, without a clock or a locale database: money
//! to the currency's minor unit with the language's separators, quantities and rates, and a
//! date and time computed from milliseconds since the Unix epoch and a UTC offset.

use pos_core::{Currency, Decimal};

use super::labels::ReceiptLanguage;

/// An amount to the currency's minor unit, with the language's separators and no currency:
/// `1,234.50` in English, `1 234,50` in Russian, `-0.72` when negative.
///
/// The amount is rounded half away from zero to the minor unit (as core rounds), so a sale's
/// amounts print exactly as stored.
pub fn format_amount(amount: Decimal, currency: Currency, language: ReceiptLanguage) -> String {
    let rounded = currency.round(amount);
    let (group, point) = separators(language);
    let digits = rounded.abs().to_string();
    let (whole, fraction) = match digits.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits.as_str(), None),
    };
    let mut out = String::with_capacity(digits.len() + 4);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        out.push('-');
    }
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push(point);
        out.push_str(fraction);
    }
    out
}

/// An amount with its ISO currency code after it: `14.50 EUR`, `1 234,50 RUB`.
///
/// The code, not a symbol: `₽` is in no code page a receipt printer has, and a code reads the
/// same on paper and on screen in every language.
pub fn format_money(amount: Decimal, currency: Currency, language: ReceiptLanguage) -> String {
    format!(
        "{} {}",
        format_amount(amount, currency, language),
        currency.code()
    )
}

/// A quantity or a rate without trailing zeros, with the language's decimal separator:
/// `2`, `0.25` / `0,25`. Weights keep their three decimals: pass `scale = 3`.
pub fn format_number(number: Decimal, scale: Option<u32>, language: ReceiptLanguage) -> String {
    let mut number = number.normalize();
    if let Some(scale) = scale {
        number = number.round_dp(scale);
        number.rescale(scale);
    }
    let text = number.to_string();
    match language {
        ReceiptLanguage::English => text,
        ReceiptLanguage::Russian => text.replace('.', ","),
    }
}

/// A tax rate as printed: `20%` in English, `20 %` in Russian.
pub fn format_rate(rate: Decimal, language: ReceiptLanguage) -> String {
    let number = format_number(rate, None, language);
    match language {
        ReceiptLanguage::English => format!("{number}%"),
        ReceiptLanguage::Russian => format!("{number} %"),
    }
}

fn separators(language: ReceiptLanguage) -> (char, char) {
    match language {
        ReceiptLanguage::English => (',', '.'),
        // A plain space, not U+00A0: every code page prints it, and the layout never breaks
        // a two-column row inside an amount.
        ReceiptLanguage::Russian => (' ', ','),
    }
}

/// A calendar date and wall-clock time, to the minute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    /// Year, e.g. 2026 (proleptic Gregorian).
    pub year: i64,
    /// 1..=12.
    pub month: u8,
    /// 1..=31.
    pub day: u8,
    /// 0..=23.
    pub hour: u8,
    /// 0..=59.
    pub minute: u8,
    /// 0..=59.
    pub second: u8,
}

impl DateTime {
    /// The local time of `ms` milliseconds since 1970-01-01T00:00Z at `utc_offset_minutes`
    /// east of UTC (180 for Moscow, -300 for New York in winter). Pure arithmetic: the
    /// caller knows the offset; this crate has no clock and no time-zone database.
    pub fn from_unix_ms(ms: i64, utc_offset_minutes: i32) -> DateTime {
        let seconds = ms.div_euclid(1000) + i64::from(utc_offset_minutes) * 60;
        let days = seconds.div_euclid(86_400);
        let second_of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        DateTime {
            year,
            month,
            day,
            hour: (second_of_day / 3600) as u8,
            minute: (second_of_day % 3600 / 60) as u8,
            second: (second_of_day % 60) as u8,
        }
    }
}

/// The date and time a receipt prints: `2026-11-29 13:05` in English (ISO order, which no
/// reader mistakes), `29.11.2026 13:05` in Russian.
pub fn format_date_time(ms: i64, utc_offset_minutes: i32, language: ReceiptLanguage) -> String {
    let t = DateTime::from_unix_ms(ms, utc_offset_minutes);
    match language {
        ReceiptLanguage::English => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            t.year, t.month, t.day, t.hour, t.minute
        ),
        ReceiptLanguage::Russian => format!(
            "{:02}.{:02}.{:04} {:02}:{:02}",
            t.day, t.month, t.year, t.hour, t.minute
        ),
    }
}

/// Year, month and day of the day `days` after 1970-01-01, in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`: eras of 400 years starting in March).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn amounts_in_both_languages() {
        let en = ReceiptLanguage::English;
        let ru = ReceiptLanguage::Russian;
        let eur = Currency::EUR;
        assert_eq!(format_amount(d("1234.5"), eur, en), "1,234.50");
        assert_eq!(format_amount(d("1234.5"), eur, ru), "1 234,50");
        assert_eq!(format_amount(d("1234567.891"), eur, en), "1,234,567.89");
        assert_eq!(format_amount(d("0.005"), eur, en), "0.01");
        assert_eq!(format_amount(d("-0.72"), eur, ru), "-0,72");
        assert_eq!(format_amount(d("-0.001"), eur, en), "0.00");
        assert_eq!(format_amount(d("999"), eur, en), "999.00");
        assert_eq!(
            format_amount(d("100"), Currency::from_code("JPY").unwrap(), en),
            "100"
        );
        assert_eq!(
            format_amount(d("1.5"), Currency::from_code("KWD").unwrap(), en),
            "1.500"
        );
        assert_eq!(format_money(d("14.5"), Currency::RUB, ru), "14,50 RUB");
        assert_eq!(format_money(d("14.5"), eur, en), "14.50 EUR");
    }

    #[test]
    fn numbers_and_rates() {
        let en = ReceiptLanguage::English;
        let ru = ReceiptLanguage::Russian;
        assert_eq!(format_number(d("2.000"), None, en), "2");
        assert_eq!(format_number(d("0.25"), Some(3), ru), "0,250");
        assert_eq!(format_rate(d("20"), en), "20%");
        assert_eq!(format_rate(d("7.70"), ru), "7,7 %");
    }

    #[test]
    fn dates_from_the_epoch() {
        let en = ReceiptLanguage::English;
        let ru = ReceiptLanguage::Russian;
        assert_eq!(format_date_time(0, 0, en), "1970-01-01 00:00");
        // 2026-11-29T13:05:59.999Z
        let ms = 1_795_957_559_999;
        assert_eq!(format_date_time(ms, 0, en), "2026-11-29 13:05");
        assert_eq!(format_date_time(ms, 180, ru), "29.11.2026 16:05");
        // Across midnight and the year with a negative offset.
        assert_eq!(
            format_date_time(1_767_229_200_000, -300, en),
            "2025-12-31 20:00"
        );
        // Leap day, and before the epoch.
        assert_eq!(format_date_time(951_782_400_000, 0, en), "2000-02-29 00:00");
        assert_eq!(format_date_time(-1, 0, en), "1969-12-31 23:59");
        let t = DateTime::from_unix_ms(1_709_210_096_000, 0);
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (2024, 2, 29, 12, 34, 56)
        );
    }

    #[test]
    fn every_day_follows_the_one_before() {
        // 1900 to 2100, day by day: the calendar never skips or repeats a day.
        let mut previous = civil_from_days(-25_567);
        assert_eq!(previous, (1900, 1, 1));
        for days in -25_566..47_482 {
            let date = civil_from_days(days);
            let next_in_month = (previous.0, previous.1, previous.2 + 1);
            let next_month = if previous.1 == 12 {
                (previous.0 + 1, 1, 1)
            } else {
                (previous.0, previous.1 + 1, 1)
            };
            assert!(
                date == next_in_month || date == next_month,
                "{previous:?} -> {date:?}"
            );
            previous = date;
        }
        assert_eq!(previous, (2099, 12, 31));
    }
}
