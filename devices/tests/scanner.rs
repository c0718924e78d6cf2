//! Keyboard-wedge scans told from typing by timing alone: the detector is fed keys with their
//! times, as the app feeds it `keydown` events, and a scan must come out as one code while a
//! person's keys come out one by one, in order, with nothing lost.

use pos_devices::{Key, WedgeConfig, WedgeDetector, WedgeOutput};
use proptest::prelude::*;

/// The one helper: feeds `keys` at the given times, then lets time run out, and returns
/// everything the detector said.
fn run(config: WedgeConfig, keys: &[(Key, u64)]) -> Vec<WedgeOutput> {
    let mut detector = WedgeDetector::new(config);
    let mut out = Vec::new();
    for &(key, at) in keys {
        // The app ticks at each deadline that passes before the next key.
        if let Some(deadline) = detector.deadline()
            && deadline <= at
        {
            out.extend(detector.tick(deadline));
        }
        out.extend(detector.key(key, at));
    }
    if let Some(deadline) = detector.deadline() {
        out.extend(detector.tick(deadline));
    }
    assert!(detector.pending().is_empty());
    assert_eq!(detector.deadline(), None);
    out
}

/// `text` as keys `gap_ms` apart from `start`; `\n` is Enter, `\t` Tab.
fn typed(text: &str, start: u64, gap_ms: u64) -> Vec<(Key, u64)> {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            let key = match c {
                '\n' => Key::Enter,
                '\t' => Key::Tab,
                c => Key::Char(c),
            };
            (key, start + i as u64 * gap_ms)
        })
        .collect()
}

fn keys_of(text: &str) -> Vec<WedgeOutput> {
    typed(text, 0, 0)
        .into_iter()
        .map(|(key, _)| WedgeOutput::Typed(key))
        .collect()
}

fn scan(code: &str) -> WedgeOutput {
    WedgeOutput::Scan(code.to_owned())
}

#[test]
fn five_ms_apart_is_one_scan() {
    let out = run(WedgeConfig::default(), &typed("4006381333931\n", 1_000, 5));
    assert_eq!(out, [scan("4006381333931")]);
}

#[test]
fn the_scan_ends_at_the_suffix_without_waiting() {
    let mut detector = WedgeDetector::new(WedgeConfig::default());
    let keys = typed("2000000000183\n", 0, 3);
    let (last, rest) = keys.split_last().unwrap();
    for &(key, at) in rest {
        assert!(detector.key(key, at).is_empty());
    }
    assert_eq!(detector.key(last.0, last.1), [scan("2000000000183")]);
    assert_eq!(detector.deadline(), None);
}

#[test]
fn a_hundred_and_twenty_ms_apart_is_typing() {
    let out = run(
        WedgeConfig::default(),
        &typed("4006381333931\n", 1_000, 120),
    );
    assert_eq!(out, keys_of("4006381333931\n"));
    // A person's key comes out 40 ms after it, when the deadline passes.
    let mut detector = WedgeDetector::new(WedgeConfig::default());
    assert!(detector.key(Key::Char('5'), 10).is_empty());
    assert_eq!(detector.deadline(), Some(51));
    assert!(detector.tick(50).is_empty());
    assert_eq!(detector.tick(51), keys_of("5"));
}

#[test]
fn typing_then_a_scan_then_typing() {
    let mut keys = typed("qty 2", 0, 150);
    keys.extend(typed("4006381333931\n", 2_000, 8));
    keys.extend(typed("ok\n", 3_000, 110));
    let out = run(WedgeConfig::default(), &keys);
    let mut expected = keys_of("qty 2");
    expected.push(scan("4006381333931"));
    expected.extend(keys_of("ok\n"));
    assert_eq!(out, expected);
}

#[test]
fn a_key_right_after_a_scan_starts_afresh() {
    let mut keys = typed("12345678\n", 0, 4);
    keys.extend(typed("x", 40, 0));
    assert_eq!(
        run(WedgeConfig::default(), &keys),
        [scan("12345678"), keys_of("x")[0].clone()]
    );
}

#[test]
fn fast_typing_of_two_keys_is_not_a_scan() {
    // Rolling two keys: 15 ms apart, but only two keys and no data mode.
    let out = run(WedgeConfig::default(), &typed("ab", 0, 15));
    assert_eq!(out, keys_of("ab"));
    // A fast burst without the configured Enter is typing too.
    let out = run(WedgeConfig::default(), &typed("12345678", 0, 5));
    assert_eq!(out, keys_of("12345678"));
}

#[test]
fn data_mode_tolerates_a_stall() {
    // Four fast keys put the burst in data mode; a 150 ms stall then does not end it.
    let mut keys = typed("4006", 0, 5);
    keys.extend(typed("381333931\n", 165, 5));
    assert_eq!(run(WedgeConfig::default(), &keys), [scan("4006381333931")]);
    // A 250 ms stall does: both halves are typing.
    let mut keys = typed("4006", 0, 5);
    keys.extend(typed("381333931\n", 265, 5));
    let out = run(WedgeConfig::default(), &keys);
    assert_eq!(out[..4], keys_of("4006")[..]);
    assert_eq!(out[4..], [scan("381333931")]);
}

#[test]
fn short_codes_are_typing() {
    let config = WedgeConfig {
        min_length: 8,
        ..WedgeConfig::default()
    };
    assert_eq!(
        run(config.clone(), &typed("1234567\n", 0, 5)),
        keys_of("1234567\n")
    );
    assert_eq!(run(config, &typed("12345678\n", 0, 5)), [scan("12345678")]);
}

#[test]
fn prefix_and_suffix() {
    let config = WedgeConfig {
        prefix: vec![Key::Char('~')],
        suffix: vec![Key::Char('#'), Key::Enter],
        ..WedgeConfig::default()
    };
    assert_eq!(
        run(config.clone(), &typed("~ABC-123#\n", 0, 6)),
        [scan("ABC-123")]
    );
    // With the prefix the burst is certain from its first key: slower keys still count.
    assert_eq!(
        run(config.clone(), &typed("~ABC-123#\n", 0, 35)),
        [scan("ABC-123")]
    );
    // Without the prefix, a fast burst is typing.
    assert_eq!(
        run(config.clone(), &typed("ABC-123#\n", 0, 6)),
        keys_of("ABC-123#\n")
    );
    // Without the whole suffix, too.
    assert_eq!(
        run(config.clone(), &typed("~ABC-123\n", 0, 6)),
        keys_of("~ABC-123\n")
    );
    // A person typing the prefix slowly is typing.
    assert_eq!(
        run(config, &typed("~ABC-123#\n", 0, 120)),
        keys_of("~ABC-123#\n")
    );
}

#[test]
fn no_suffix_configured() {
    let config = WedgeConfig {
        suffix: Vec::new(),
        ..WedgeConfig::default()
    };
    // The burst ends by time alone...
    assert_eq!(
        run(config.clone(), &typed("ABC123", 0, 5)),
        [scan("ABC123")]
    );
    // ...or at once at an Enter or Tab, which is dropped.
    assert_eq!(
        run(config.clone(), &typed("ABC123\t", 0, 5)),
        [scan("ABC123")]
    );
    assert_eq!(run(config, &typed("ABC123\n", 0, 120)), keys_of("ABC123\n"));
}

#[test]
fn dom_keys_feed_the_detector() {
    let mut detector = WedgeDetector::new(WedgeConfig::default());
    let mut out = Vec::new();
    let events = ["Shift", "A", "1", "Shift", "B", "2", "Enter"];
    for (i, key) in events.iter().enumerate() {
        if let Some(key) = Key::from_dom(key) {
            out.extend(detector.key(key, 100 + i as u64 * 4));
        }
    }
    assert_eq!(out, [scan("A1B2")]);
}

/// What went in, from what came out: a scan stands for its prefix, code and suffix.
fn replay(config: &WedgeConfig, out: &[WedgeOutput]) -> Vec<Key> {
    let mut keys = Vec::new();
    for output in out {
        match output {
            WedgeOutput::Typed(key) => keys.push(*key),
            WedgeOutput::Scan(code) => {
                keys.extend(&config.prefix);
                keys.extend(code.chars().map(Key::Char));
                keys.extend(&config.suffix);
            }
        }
    }
    keys
}

fn any_key() -> impl Strategy<Value = Key> {
    prop_oneof![
        8 => prop::char::range('0', 'z').prop_map(Key::Char),
        1 => Just(Key::Enter),
        1 => Just(Key::Tab),
    ]
}

fn any_config() -> impl Strategy<Value = WedgeConfig> {
    (
        prop::sample::select(vec![
            Vec::new(),
            vec![Key::Char('~')],
            vec![Key::Tab, Key::Char('$')],
        ]),
        prop::sample::select(vec![
            vec![Key::Enter],
            vec![Key::Tab],
            vec![Key::Char('#'), Key::Enter],
        ]),
        1..10usize,
    )
        .prop_map(|(prefix, suffix, min_length)| WedgeConfig {
            prefix,
            suffix,
            min_length,
            ..WedgeConfig::default()
        })
}

proptest! {
    /// Whatever the timing, every key comes out exactly once and in order: as typing, or
    /// inside a scan.
    #[test]
    fn nothing_is_lost_or_reordered(
        config in any_config(),
        keys in prop::collection::vec((any_key(), 0..400u64), 0..80),
    ) {
        let mut at = 0;
        let timed: Vec<(Key, u64)> = keys
            .iter()
            .map(|&(key, gap)| {
                at += gap;
                (key, at)
            })
            .collect();
        let out = run(config.clone(), &timed);
        let input: Vec<Key> = keys.iter().map(|&(key, _)| key).collect();
        prop_assert_eq!(replay(&config, &out), input);
        for output in &out {
            if let WedgeOutput::Scan(code) = output {
                prop_assert!(code.chars().count() >= config.min_length);
            }
        }
    }

    /// A person, 100 ms or more between keys, never makes a scan without a prefix.
    #[test]
    fn people_never_scan(
        keys in prop::collection::vec((any_key(), 100..2_000u64), 0..60),
    ) {
        let mut at = 0;
        let timed: Vec<(Key, u64)> = keys
            .iter()
            .map(|&(key, gap)| {
                at += gap;
                (key, at)
            })
            .collect();
        let out = run(WedgeConfig::default(), &timed);
        prop_assert!(out.iter().all(|o| matches!(o, WedgeOutput::Typed(_))));
        prop_assert_eq!(out.len(), keys.len());
    }

    /// A scanner, 1-20 ms between keys, always makes one scan of the whole code, after any
    /// typing that ended at least 100 ms before it.
    #[test]
    fn scanners_always_scan(
        config in any_config(),
        code in "[0-9A-Z]{10,30}",
        gaps in prop::collection::vec(1..=20u64, 40),
        typing in "[a-z]{0,5}",
        pause in 100..1_000u64,
    ) {
        let mut keys = typed(&typing, 0, 150);
        let mut at = keys.last().map_or(0, |&(_, at)| at) + pause;
        let scanned: Vec<Key> = config
            .prefix
            .iter()
            .copied()
            .chain(code.chars().map(Key::Char))
            .chain(config.suffix.iter().copied())
            .collect();
        for (key, gap) in scanned.into_iter().zip(gaps.iter().cycle()) {
            keys.push((key, at));
            at += gap;
        }
        let out = run(config.clone(), &keys);
        let expected = keys_of(&typing);
        prop_assert_eq!(&out[..out.len() - 1], &expected[..]);
        prop_assert_eq!(out.last(), Some(&WedgeOutput::Scan(code)));
    }
}
