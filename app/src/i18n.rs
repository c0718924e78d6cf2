//! Every word the cashier reads comes from here: the messages (`messages.rs`), each declared once
//! with its English and its Russian text side by side, so a missing translation does not compile. Numbers, money and
//! dates are formatted by the browser's `Intl`, which knows each locale's separators and symbols;
//! amounts reach it as decimal strings, never as floats.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, Function, Intl, Object, Reflect};
use pos_core::{Currency, Decimal};
use wasm_bindgen::JsValue;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The BCP 47 tag `Intl` and the `lang` attribute take.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Lang> {
        match tag.split(['-', '_']).next()?.to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// The language's own name, shown in the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ru => "Русский",
        }
    }
}

mod messages;

pub use messages::Msg;

impl Msg {
    /// The text with `{name}` placeholders replaced.
    pub fn fill(self, lang: Lang, args: &[(&str, &str)]) -> String {
        let mut text = self.text(lang).to_string();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }
}

thread_local! {
    static MONEY_FORMATS: RefCell<HashMap<(Lang, Currency), Function>> = RefCell::new(HashMap::new());
    static DATE_FORMATS: RefCell<HashMap<Lang, Function>> = RefCell::new(HashMap::new());
}

fn intl_options(pairs: &[(&str, JsValue)]) -> Object {
    let options = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&options, &JsValue::from_str(key), value);
    }
    options
}

/// Formats an amount for the language and currency: `€14.50` in English, `14,50 €` in Russian.
pub fn money(amount: Decimal, currency: Currency, lang: Lang) -> String {
    let format = MONEY_FORMATS.with(|cache| {
        cache
            .borrow_mut()
            .entry((lang, currency))
            .or_insert_with(|| {
                let digits = JsValue::from_f64(f64::from(currency.minor_unit()));
                let options = intl_options(&[
                    ("style", "currency".into()),
                    ("currency", currency.code().into()),
                    ("minimumFractionDigits", digits.clone()),
                    ("maximumFractionDigits", digits),
                ]);
                Intl::NumberFormat::new(&Array::of1(&lang.tag().into()), &options).format()
            })
            .clone()
    });
    // Intl takes a decimal string and formats it exactly (ECMA-402 "Intl.NumberFormat v3").
    let text = currency.round(amount).to_string();
    format
        .call1(&JsValue::NULL, &JsValue::from_str(&text))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or(text)
}

/// Formats a quantity: whole pieces without decimals, kilograms with three, in the language's style.
pub fn quantity(q: Decimal, lang: Lang) -> String {
    let text = q.normalize().to_string();
    match lang {
        Lang::Ru => text.replace('.', ","),
        Lang::En => text,
    }
}

/// Parses what a cashier typed as an amount or a quantity: a comma or a point as decimal separator,
/// spaces ignored.
pub fn parse_decimal(input: &str) -> Option<Decimal> {
    let cleaned: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    cleaned.replace(',', ".").parse::<Decimal>().ok()
}

/// Formats a size in bytes as megabytes, in the language's style.
pub fn megabytes(bytes: u64, lang: Lang) -> String {
    let tenths = (bytes * 10 + 524_288) / 1_048_576;
    let text = format!("{}.{} MB", tenths / 10, tenths % 10);
    match lang {
        Lang::Ru => text.replace('.', ",").replace("MB", "МБ"),
        Lang::En => text,
    }
}

/// The local midnight that starts `date` (`YYYY-MM-DD`, as a date input gives it), in
/// milliseconds since the epoch; `None` for an empty or unreadable date.
pub fn day_start_ms(date: &str) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(str::parse::<u32>);
    let (Some(Ok(y)), Some(Ok(m)), Some(Ok(d))) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let ms =
        js_sys::Date::new_with_year_month_day(y, m.checked_sub(1)? as i32, d as i32).get_time();
    ms.is_finite().then_some(ms as i64)
}

/// Formats a moment (milliseconds since the epoch) as a local date and time.
pub fn date_time(ms: i64, lang: Lang) -> String {
    let format = DATE_FORMATS.with(|cache| {
        cache
            .borrow_mut()
            .entry(lang)
            .or_insert_with(|| {
                let options =
                    intl_options(&[("dateStyle", "short".into()), ("timeStyle", "short".into())]);
                Intl::DateTimeFormat::new(&Array::of1(&lang.tag().into()), &options).format()
            })
            .clone()
    });
    let date = js_sys::Date::new(&JsValue::from_f64(ms as f64));
    format
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// Checks that each message has an English and a Russian text, that they differ (a text left
/// in English, or left empty, in the Russian column fails), and that it has no placeholder: an
/// error's message is whole by itself, and no developer text is ever filled into it.
#[cfg(test)]
pub(crate) fn assert_translated(msgs: impl IntoIterator<Item = Msg>) {
    for msg in msgs {
        let (en, ru) = (msg.text(Lang::En), msg.text(Lang::Ru));
        assert!(!en.trim().is_empty(), "{msg:?} has no English text");
        assert!(!ru.trim().is_empty(), "{msg:?} has no Russian text");
        assert_ne!(en, ru, "{msg:?} reads the same in English and Russian");
        assert!(
            !en.contains('{') && !ru.contains('{'),
            "{msg:?} has a placeholder"
        );
    }
}
