//! The period of a report as two date fields (`YYYY-MM-DD`, as a date input gives them, the
//! end included) and the presets that fill them: today, this month, last month. Dates only: the
//! device turns them into its local midnights (`i18n::day_start_ms`).

/// A calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `YYYY-MM-DD`; `None` for anything else or a day the month does not have.
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim().splitn(3, '-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return None;
        }
        let date = Date {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
            day: d.parse().ok()?,
        };
        ((1..=12).contains(&date.month) && (1..=days_in(date.year, date.month)).contains(&date.day))
            .then_some(date)
    }

    pub fn text(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// The day after: the end of a period that includes this day starts there.
    pub fn next(self) -> Date {
        match self {
            Date { day, .. } if day < days_in(self.year, self.month) => Date {
                day: day + 1,
                ..self
            },
            Date { month: 12, .. } => Date {
                year: self.year + 1,
                month: 1,
                day: 1,
            },
            _ => Date {
                month: self.month + 1,
                day: 1,
                ..self
            },
        }
    }
}

fn days_in(year: i32, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    Today,
    ThisMonth,
    LastMonth,
}

/// The first and last day (included) of `preset`, seen on `today`.
pub fn preset(preset: Preset, today: Date) -> (Date, Date) {
    let month = |year, month| {
        let first = Date {
            year,
            month,
            day: 1,
        };
        let last = Date {
            day: days_in(year, month),
            ..first
        };
        (first, last)
    };
    match preset {
        Preset::Today => (today, today),
        Preset::ThisMonth => month(today.year, today.month),
        Preset::LastMonth if today.month == 1 => month(today.year - 1, 12),
        Preset::LastMonth => month(today.year, today.month - 1),
    }
}

/// The period typed: its first day, and the day after its last (where it ends, excluded).
/// `None` when a date is missing or unreadable, or the end is before the start.
pub fn period(from: &str, to: &str) -> Option<(Date, Date)> {
    let (from, to) = (Date::parse(from)?, Date::parse(to)?);
    (from <= to).then(|| (from, to.next()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn the_presets_cover_today_this_month_and_last_month() {
        let today = date("2026-03-15");
        let texts = |p| {
            let (from, to) = preset(p, today);
            (from.text(), to.text())
        };
        assert_eq!(
            texts(Preset::Today),
            ("2026-03-15".into(), "2026-03-15".into())
        );
        assert_eq!(
            texts(Preset::ThisMonth),
            ("2026-03-01".into(), "2026-03-31".into())
        );
        assert_eq!(
            texts(Preset::LastMonth),
            ("2026-02-01".into(), "2026-02-28".into())
        );
        let january = preset(Preset::LastMonth, date("2028-01-02"));
        assert_eq!(january, (date("2027-12-01"), date("2027-12-31")));
        assert_eq!(
            preset(Preset::LastMonth, date("2028-03-31")).1,
            date("2028-02-29")
        );
    }

    #[test]
    fn a_period_ends_the_day_after_its_last_day_and_never_before_it_starts() {
        assert_eq!(
            period("2026-12-31", "2026-12-31"),
            Some((date("2026-12-31"), date("2027-01-01")))
        );
        assert_eq!(
            period("2026-02-01", "2026-02-28"),
            Some((date("2026-02-01"), date("2026-03-01")))
        );
        assert_eq!(period("2026-05-02", "2026-05-01"), None);
        for bad in [
            "",
            "2026-02-30",
            "2026-13-01",
            "26-01-01",
            "2026-1-01",
            "today",
        ] {
            assert_eq!(period(bad, "2026-05-01"), None, "{bad:?}");
        }
    }
}
