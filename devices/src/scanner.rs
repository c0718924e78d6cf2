//! Keyboard-wedge barcode scanners: a scanner "types" the code as keystrokes, 1-20 ms apart,
//! and a person types 100 ms or more apart. [`WedgeDetector`] is fed each key with its time
//! and tells the two apart, so a scan can add an item from any screen while typing in a
//! field still works. It is pure: the app feeds it `keydown` events and calls
//! [`WedgeDetector::tick`] when [`WedgeDetector::deadline`] passes.
//!
//! ```
//! use pos_devices::{Key, WedgeConfig, WedgeDetector, WedgeOutput};
//!
//! let mut scanner = WedgeDetector::new(WedgeConfig::default());
//! let mut out = Vec::new();
//! let mut at = 1_000;
//! for c in "4006381333931".chars() {
//!     out.extend(scanner.key(Key::Char(c), at));
//!     at += 5;
//! }
//! out.extend(scanner.key(Key::Enter, at));
//! assert_eq!(out, [WedgeOutput::Scan("4006381333931".into())]);
//!
//! // A person: one key, then nothing for a while.
//! assert!(scanner.key(Key::Char('7'), 5_000).is_empty());
//! assert_eq!(scanner.tick(5_041), [WedgeOutput::Typed(Key::Char('7'))]);
//! ```
//!
//! # How a burst is judged
//! Keys at most [`WedgeConfig::max_gap_ms`] (40 ms) apart form a burst. A burst turns to
//! *data mode* once more than two of its keys came less than
//! [`WedgeConfig::data_mode_gap_ms`] (30 ms) after the key before; in data mode a pause of up
//! to [`WedgeConfig::timeout_ms`] (200 ms) is allowed, since scanners sometimes stall
//! mid-code. The burst ends at a longer pause, or at once when the suffix arrives in data
//! mode (or after the prefix). Then it is one [`WedgeOutput::Scan`] if it reached data mode
//! or starts with the configured prefix, ends with the configured suffix, and holds at
//! least [`WedgeConfig::min_length`] characters between them; otherwise every key comes
//! back, in order, as [`WedgeOutput::Typed`]. With a prefix configured, a burst without it
//! is always typing.
//!
//! Keys a person types are held back until the burst ends (40 ms after the last key), which
//! nobody notices. Feed only first presses: a held-down key repeats about 30 ms apart, so
//! the app should skip `keydown` events with `repeat` set.

/// A key as the detector sees it. Modifier keys (Shift, Control ...) are not keys here: a
/// scanner presses Shift for capitals, and only the character matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A key that types a character.
    Char(char),
    /// Enter, the usual suffix of a scanner.
    Enter,
    /// Tab, another common suffix.
    Tab,
}

impl Key {
    /// The key of a DOM `KeyboardEvent.key` value: one character, `Enter` or `Tab`; `None`
    /// for keys the detector ignores (`Shift`, `ArrowLeft`, `F1` ...), which the app leaves
    /// alone.
    pub fn from_dom(key: &str) -> Option<Key> {
        match key {
            "Enter" => Some(Key::Enter),
            "Tab" => Some(Key::Tab),
            _ => {
                let mut chars = key.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => Some(Key::Char(c)),
                    _ => None,
                }
            }
        }
    }
}

/// How the scanner is set up, and the timings that tell it from a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WedgeConfig {
    /// Keys the scanner sends before every code; empty for none. A prefix no person types
    /// (many scanners can send one) makes detection certain: a burst without it is typing.
    pub prefix: Vec<Key>,
    /// Keys the scanner sends after every code, usually Enter; empty for none. When set, a
    /// burst without it is typing. When empty, a burst in data mode may still end with one
    /// Enter or Tab, which ends the scan and is dropped.
    pub suffix: Vec<Key>,
    /// The fewest characters a code has (between prefix and suffix). EAN-8 has 8.
    pub min_length: usize,
    /// The longest pause between two keys of a burst outside data mode.
    pub max_gap_ms: u64,
    /// The longest pause between two keys in data mode; a longer one ends the scan.
    pub timeout_ms: u64,
    /// A key that comes less than this after the one before counts towards data mode.
    pub data_mode_gap_ms: u64,
    /// How many such fast keys put a burst in data mode: 3, "more than two".
    pub data_mode_keys: usize,
}

impl Default for WedgeConfig {
    /// No prefix, an Enter suffix, codes of at least 3 characters, and the timings that work
    /// with common scanners: 40 ms gap, 200 ms timeout, data mode after 3 keys under 30 ms.
    fn default() -> Self {
        WedgeConfig {
            prefix: Vec::new(),
            suffix: vec![Key::Enter],
            min_length: 3,
            max_gap_ms: 40,
            timeout_ms: 200,
            data_mode_gap_ms: 30,
            data_mode_keys: 3,
        }
    }
}

/// What the detector makes of the keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum WedgeOutput {
    /// A scanned code, without prefix and suffix.
    Scan(String),
    /// A key a person typed, to be handled as a normal key press.
    Typed(Key),
}

/// Tells a keyboard-wedge scanner's bursts from a person typing. See the module docs.
#[derive(Clone, Debug)]
pub struct WedgeDetector {
    config: WedgeConfig,
    burst: Vec<Key>,
    /// When the last key of the burst came; `None` when no burst is open.
    last_ms: Option<u64>,
    /// Keys of the burst that came less than `data_mode_gap_ms` after the one before.
    fast_keys: usize,
    data_mode: bool,
}

impl WedgeDetector {
    /// A detector with nothing pending.
    pub fn new(config: WedgeConfig) -> WedgeDetector {
        WedgeDetector {
            config,
            burst: Vec::new(),
            last_ms: None,
            fast_keys: 0,
            data_mode: false,
        }
    }

    /// The setup it runs with.
    pub fn config(&self) -> &WedgeConfig {
        &self.config
    }

    /// A key pressed at `at_ms` (any clock in milliseconds that does not go backwards, e.g.
    /// `event.timeStamp`). Returns what is decided by it: the end of the burst before it,
    /// and a scan when this key completes the suffix.
    pub fn key(&mut self, key: Key, at_ms: u64) -> Vec<WedgeOutput> {
        let mut out = Vec::new();
        if let Some(last) = self.last_ms {
            let gap = at_ms.saturating_sub(last);
            if gap > self.allowed_gap() {
                self.end(&mut out);
            } else if gap < self.config.data_mode_gap_ms {
                self.fast_keys += 1;
            }
        }
        self.burst.push(key);
        self.last_ms = Some(at_ms);
        if self.fast_keys >= self.config.data_mode_keys {
            self.data_mode = true;
        }
        if (self.data_mode || self.has_prefix()) && self.ends_with_suffix() {
            self.end(&mut out);
        }
        out
    }

    /// Time passing with no key: ends the burst once its pause is long enough. Call it at
    /// [`deadline`](Self::deadline) (or later); calling it early does nothing.
    pub fn tick(&mut self, now_ms: u64) -> Vec<WedgeOutput> {
        let mut out = Vec::new();
        if self.deadline().is_some_and(|deadline| now_ms >= deadline) {
            self.end(&mut out);
        }
        out
    }

    /// When the open burst ends if no key comes: the time for the next [`tick`](Self::tick).
    /// `None` when nothing is pending.
    pub fn deadline(&self) -> Option<u64> {
        self.last_ms
            .map(|last| last.saturating_add(self.allowed_gap()).saturating_add(1))
    }

    /// Ends the burst now, whatever the time (the page lost focus, say).
    pub fn flush(&mut self) -> Vec<WedgeOutput> {
        let mut out = Vec::new();
        self.end(&mut out);
        out
    }

    /// Keys held back while their burst is judged.
    pub fn pending(&self) -> &[Key] {
        &self.burst
    }

    /// Whether a prefix is configured and the burst starts with it.
    fn has_prefix(&self) -> bool {
        let prefix = &self.config.prefix;
        !prefix.is_empty() && self.burst.starts_with(prefix)
    }

    fn allowed_gap(&self) -> u64 {
        if self.data_mode {
            self.config.timeout_ms
        } else {
            self.config.max_gap_ms
        }
    }

    /// Whether the burst has just completed the suffix (or, with none configured, ended with
    /// Enter or Tab), after at least the prefix.
    fn ends_with_suffix(&self) -> bool {
        let suffix = &self.config.suffix;
        let prefix_len = self.config.prefix.len();
        if suffix.is_empty() {
            self.burst.len() > prefix_len
                && matches!(self.burst.last(), Some(Key::Enter | Key::Tab))
        } else {
            self.burst.len() >= prefix_len + suffix.len() && self.burst.ends_with(suffix)
        }
    }

    fn end(&mut self, out: &mut Vec<WedgeOutput>) {
        let burst = std::mem::take(&mut self.burst);
        match self.code(&burst) {
            Some(code) => out.push(WedgeOutput::Scan(code)),
            None => out.extend(burst.into_iter().map(WedgeOutput::Typed)),
        }
        self.last_ms = None;
        self.fast_keys = 0;
        self.data_mode = false;
    }

    /// The code in `burst` if the burst is a scan.
    fn code(&self, burst: &[Key]) -> Option<String> {
        let prefix = &self.config.prefix;
        let certain = self.data_mode || !prefix.is_empty();
        // A burst with the prefix needs no speed test beyond being a burst.
        if !certain || !burst.starts_with(prefix) {
            return None;
        }
        let rest = &burst[self.config.prefix.len()..];
        let body = if self.config.suffix.is_empty() {
            match rest.split_last() {
                Some((Key::Enter | Key::Tab, body)) => body,
                _ => rest,
            }
        } else {
            rest.strip_suffix(self.config.suffix.as_slice())?
        };
        let code: Option<String> = body
            .iter()
            .map(|key| match key {
                Key::Char(c) => Some(*c),
                Key::Enter | Key::Tab => None,
            })
            .collect();
        code.filter(|code| code.chars().count() >= self.config.min_length.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dom_keys() {
        assert_eq!(Key::from_dom("a"), Some(Key::Char('a')));
        assert_eq!(Key::from_dom("Ж"), Some(Key::Char('Ж')));
        assert_eq!(Key::from_dom("Enter"), Some(Key::Enter));
        assert_eq!(Key::from_dom("Tab"), Some(Key::Tab));
        assert_eq!(Key::from_dom("Shift"), None);
        assert_eq!(Key::from_dom("F1"), None);
        assert_eq!(Key::from_dom(""), None);
    }

    #[test]
    fn deadline_follows_the_mode() {
        let mut detector = WedgeDetector::new(WedgeConfig::default());
        assert_eq!(detector.deadline(), None);
        detector.key(Key::Char('1'), 100);
        assert_eq!(detector.deadline(), Some(141));
        assert!(detector.tick(140).is_empty());
        for (i, c) in "234".chars().enumerate() {
            detector.key(Key::Char(c), 105 + 5 * i as u64);
        }
        // Three fast keys: data mode, which waits up to 200 ms.
        assert_eq!(detector.deadline(), Some(115 + 201));
        assert_eq!(detector.pending().len(), 4);
        assert_eq!(
            detector.tick(316),
            [
                WedgeOutput::Typed(Key::Char('1')),
                WedgeOutput::Typed(Key::Char('2')),
                WedgeOutput::Typed(Key::Char('3')),
                WedgeOutput::Typed(Key::Char('4'))
            ]
        );
    }
}
