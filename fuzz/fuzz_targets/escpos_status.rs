//! The printer's answers to `DLE EOT 1..4`, as the app's status check reads them: each reply is
//! whatever bytes the transport returned, of which the last one is the status byte. No byte
//! may panic, a byte without the fixed bits is refused, and the problems add up consistently.

#![no_main]

use libfuzzer_sys::fuzz_target;
use pos_devices::{PrinterCondition, PrinterProblem, StatusRequest};

fuzz_target!(|data: &[u8]| {
    let mut condition = PrinterCondition::default();
    let mut rest = data;
    // Each reply: one length byte, then that many bytes (cut short at the end of the input).
    for request in StatusRequest::ALL.iter().cycle().take(8) {
        let Some((&len, tail)) = rest.split_first() else {
            break;
        };
        let (reply, tail) = tail.split_at(usize::from(len).min(tail.len()));
        rest = tail;
        let Some(&byte) = reply.last() else {
            continue;
        };
        match request.parse(byte) {
            Ok(reply) => {
                assert_eq!(byte & 0b1001_0011, 0b0001_0010, "accepted {byte:#04x}");
                condition.apply(reply);
            }
            Err(e) => {
                assert_ne!(byte & 0b1001_0011, 0b0001_0010, "refused {byte:#04x}");
                assert!(!e.to_string().is_empty());
            }
        }
    }
    let problems = condition.problems();
    for (i, p) in problems.iter().enumerate() {
        assert!(!problems[..i].contains(p), "{p:?} twice in {problems:?}");
        assert!(!p.to_string().is_empty());
    }
    assert!(
        !(problems.contains(&PrinterProblem::PaperOut)
            && problems.contains(&PrinterProblem::PaperNearEnd)),
        "{problems:?}"
    );
});
