//! Gift cards over the JSON API (issue 14): a card's whole life, operations sent twice, one
//! store's cards out of another's reach, numbers and amounts refused, redemptions of one
//! balance at once of which only what the balance covers pass, and an overdraft reported from
//! offline shown as a conflict with the operation that spent the money first.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use pos_core::gift_card::GiftCardNumber;
use serde_json::{Value, json};

use common::{Device, Reply, another_setup_code, create_store, pair, send, start};

/// A gift card number as core issues them: `body` (zero-padded to 15 digits) and its check
/// digit.
fn card_number(body: u64) -> String {
    GiftCardNumber::from_body(body)
        .unwrap()
        .digits()
        .to_string()
}

/// A fresh operation id: unique within a test's server.
fn op_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    uuid::Uuid::from_u128(u128::from(NEXT.fetch_add(1, Ordering::Relaxed))).to_string()
}

const STAFF: &str = "5f0c6a3e-0000-4000-8000-000000000001";

/// The body of `POST /api/gift-cards/ops`, made now at the till.
fn op(card: &str, kind: &str, amount: Option<&str>) -> Value {
    json!({
        "op_id": op_id(), "card": card, "kind": kind, "amount": amount, "staff": STAFF,
        "made_at": "2026-11-29T12:00:00Z",
    })
}

/// The same, made with the authorisation code and reason a forced operation needs.
fn forced(card: &str, kind: &str, amount: &str) -> Value {
    let body = with(
        op(card, kind, Some(amount)),
        "auth_code",
        json!("VOICE-4471"),
    );
    with(body, "reason", json!("the card processor's line was down"))
}

/// `body` with one field set.
fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

fn status_and_reason(reply: &Reply) -> (u16, Value) {
    (reply.status, reply.json()["reason"].clone())
}

/// A device of a store, talking to the server with its token.
struct Till {
    addr: SocketAddr,
    device: Device,
}

impl Till {
    async fn post(&self, body: &Value) -> Reply {
        let auth = self.device.bearer();
        let headers = [("Authorization", auth.as_str())];
        send(
            self.addr,
            "POST",
            "/api/gift-cards/ops",
            &headers,
            Some(body),
        )
        .await
    }

    /// Posts an operation that must be recorded; the card after it.
    async fn record(&self, body: &Value) -> Value {
        let reply = self.post(body).await;
        assert_eq!(reply.status, 201, "{body}: {}", reply.text());
        reply.json()["card"].clone()
    }

    /// Posts an operation that must be refused with `status` and `reason`; the refusal.
    async fn refused(&self, body: &Value, status: u16, reason: &str) -> Value {
        let reply = self.post(body).await;
        assert_eq!(status_and_reason(&reply), (status, json!(reason)), "{body}");
        let json = reply.json();
        assert!(json["error"].as_str().is_some_and(|e| !e.is_empty()));
        json
    }

    async fn get(&self, path: &str) -> Reply {
        let auth = self.device.bearer();
        send(self.addr, "GET", path, &[("Authorization", &auth)], None).await
    }

    async fn ok(&self, path: &str) -> Value {
        let reply = self.get(path).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }

    async fn card(&self, number: &str) -> Value {
        self.ok(&format!("/api/gift-cards/{number}")).await
    }
}

/// A fresh server with one store; the owner's device, the server and its folder.
async fn one_store() -> (Till, common::Running, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let code = server.setup_code.clone().expect("a setup code");
    let device = create_store(server.addr, &code, "Festival Truck").await;
    let addr = server.addr;
    (Till { addr, device }, server, tmp)
}

/// The owner's device of a second store on `server`, beside `truck`'s.
async fn another_store(truck: &Till, server: &common::Running) -> Till {
    let code = another_setup_code(&server.storage);
    let device = create_store(truck.addr, &code, "Corner Café").await;
    Till {
        device,
        addr: truck.addr,
    }
}

/// Another device paired to `owner`'s store.
async fn second_till(owner: &Till) -> Till {
    let device = pair(owner.addr, &owner.device, "Till 2").await;
    Till { device, ..*owner }
}

#[tokio::test]
async fn a_card_lives_its_whole_life_and_its_balance_is_the_sum_of_its_operations() {
    let (till, server, _tmp) = one_store().await;
    let number = card_number(601_100_000_000_012);
    let balance_after = async |body: Value| till.record(&body).await["balance"].clone();

    let issued = till.record(&op(&number, "issue", Some("100"))).await;
    let state = json!({"card": number, "balance": "100.00", "active": true, "in_conflict": false});
    assert_eq!(issued, state);
    till.refused(&op(&number, "issue", Some("5")), 409, "card_exists")
        .await;
    assert_eq!(
        balance_after(op(&number, "redeem", Some("30"))).await,
        "70.00"
    );
    assert_eq!(
        balance_after(op(&number, "add_value", Some("20.5"))).await,
        "90.50"
    );
    assert_eq!(
        balance_after(op(&number, "refund_to_card", Some("4.50"))).await,
        "95.00"
    );

    let off = till.record(&op(&number, "deactivate", None)).await;
    assert_eq!(
        (&off["active"], &off["balance"]),
        (&json!(false), &json!("95.00"))
    );
    for kind in ["redeem", "add_value"] {
        till.refused(&op(&number, kind, Some("1")), 409, "card_inactive")
            .await;
    }
    assert_eq!(
        till.record(&op(&number, "reactivate", None)).await["active"],
        true
    );

    let redeem_more = op(&number, "redeem", Some("95.01"));
    let short = till
        .refused(&redeem_more, 409, "insufficient_balance")
        .await;
    assert_eq!(short["balance"], "95.00");
    let unauthorised = with(
        forced(&number, "forced_redeem", "100"),
        "auth_code",
        json!(""),
    );
    till.refused(&unauthorised, 400, "authorisation_needed")
        .await;
    let past = till.record(&forced(&number, "forced_redeem", "100")).await;
    assert_eq!(
        (&past["balance"], &past["in_conflict"]),
        (&json!("-5.00"), &json!(false))
    );
    assert_eq!(
        balance_after(forced(&number, "forced_issue", "5")).await,
        "0.00"
    );

    let other = card_number(601_100_000_000_020);
    till.refused(&op(&other, "redeem", Some("1")), 404, "unknown_card")
        .await;
    let unknown = till.get(&format!("/api/gift-cards/{other}")).await;
    assert_eq!(status_and_reason(&unknown), (404, json!("unknown_card")));
    till.record(&op(&other, "issue", Some("25"))).await;

    let history = till.card(&number).await;
    assert_eq!(history["balance"], "0.00");
    let ops = history["history"].as_array().unwrap();
    let kinds: Vec<&str> = ops.iter().map(|o| o["kind"].as_str().unwrap()).collect();
    let life = [
        "issue",
        "redeem",
        "add_value",
        "refund_to_card",
        "deactivate",
        "reactivate",
    ];
    assert_eq!(
        kinds,
        [&life[..], &["forced_redeem", "forced_issue"]].concat()
    );
    let forced_op = &ops[6];
    assert_eq!(forced_op["auth_code"], "VOICE-4471");
    assert_eq!(forced_op["reason"], "the card processor's line was down");
    assert_eq!(forced_op["device"], till.device.device_id.as_str());
    assert_eq!(forced_op["staff"], STAFF);
    assert_eq!(forced_op["made_at"], "2026-11-29T12:00:00Z");
    assert_eq!(forced_op["balance_after"], "-5.00");
    assert!(ops[4]["amount"].is_null());

    let liability = till.ok("/api/gift-cards/liability").await;
    let owed = json!({"currency": "EUR", "liability": "25.00", "overdrawn": "0.00", "cards": 2});
    assert_eq!(liability, owed);
    assert_eq!(
        till.ok("/api/gift-cards/conflicts").await,
        json!({"conflicts": []})
    );
    server.stop().await;
}

#[tokio::test]
async fn an_operation_sent_twice_is_recorded_once_and_its_id_is_not_reused() {
    let (owner, server, _tmp) = one_store().await;
    let other_till = second_till(&owner).await;
    let number = card_number(700_000_000_001);
    owner.record(&op(&number, "issue", Some("50"))).await;

    let redeem = op(&number, "redeem", Some("20"));
    let first = owner.post(&redeem).await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(first.header("idempotent-replayed"), None);
    // The answer is the first one, even though the card has changed since.
    owner.record(&op(&number, "add_value", Some("5"))).await;
    let again = owner.post(&redeem).await;
    assert_eq!(again.status, 201, "{}", again.text());
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json(), first.json());
    assert_eq!(owner.card(&number).await["balance"], "35.00");
    // "20" and "20.00" are one amount, so one operation.
    let same = with(redeem.clone(), "amount", json!("20.00"));
    assert_eq!(owner.post(&same).await.json(), first.json());

    let changed = with(redeem.clone(), "amount", json!("21"));
    owner.refused(&changed, 409, "op_id_reused").await;
    other_till.refused(&redeem, 409, "op_id_reused").await;
    let history = owner.card(&number).await;
    assert_eq!(history["history"].as_array().unwrap().len(), 3);
    assert_eq!(history["balance"], "35.00");
    server.stop().await;
}

#[tokio::test]
async fn another_stores_device_never_sees_or_touches_a_stores_cards() {
    let (truck, server, _tmp) = one_store().await;
    let cafe = another_store(&truck, &server).await;
    let number = card_number(4_000_000_000_000);
    let issue = op(&number, "issue", Some("80"));
    truck.record(&issue).await;

    let unknown = cafe.get(&format!("/api/gift-cards/{number}")).await;
    assert_eq!(status_and_reason(&unknown), (404, json!("unknown_card")));
    for kind in ["redeem", "add_value", "refund_to_card"] {
        cafe.refused(&op(&number, kind, Some("10")), 404, "unknown_card")
            .await;
    }
    cafe.refused(&op(&number, "deactivate", None), 404, "unknown_card")
        .await;
    let forced_redeem = forced(&number, "forced_redeem", "10");
    cafe.refused(&forced_redeem, 404, "unknown_card").await;
    // The café may have a card under the same number, its own; and the truck's operation id
    // means nothing in the café (an id is the sending store's).
    let own = with(issue.clone(), "amount", json!("3"));
    assert_eq!(cafe.record(&own).await["balance"], "3.00");
    cafe.record(&op(&number, "redeem", Some("3"))).await;
    let offline = with(op(&number, "redeem", Some("9")), "offline", json!(true));
    cafe.record(&offline).await;

    let truck_card = truck.card(&number).await;
    assert_eq!(truck_card["balance"], "80.00");
    assert_eq!(truck_card["history"].as_array().unwrap().len(), 1);
    assert_eq!(truck_card["in_conflict"], false);
    let liability = truck.ok("/api/gift-cards/liability").await;
    assert_eq!(
        (&liability["liability"], &liability["cards"]),
        (&json!("80.00"), &json!(1))
    );
    assert_eq!(
        truck.ok("/api/gift-cards/conflicts").await["conflicts"],
        json!([])
    );
    let cafe_conflicts = cafe.ok("/api/gift-cards/conflicts").await;
    assert_eq!(cafe_conflicts["conflicts"].as_array().unwrap().len(), 1);

    let card_path = format!("/api/gift-cards/{number}");
    for path in [
        "/api/gift-cards/liability",
        "/api/gift-cards/conflicts",
        &card_path,
    ] {
        let anonymous = send(truck.addr, "GET", path, &[], None).await;
        assert_eq!(status_and_reason(&anonymous), (401, json!("no_token")));
    }
    let redeem = op(&number, "redeem", Some("1"));
    let anonymous = send(
        truck.addr,
        "POST",
        "/api/gift-cards/ops",
        &[],
        Some(&redeem),
    )
    .await;
    assert_eq!(status_and_reason(&anonymous), (401, json!("no_token")));
    server.stop().await;
}

#[tokio::test]
async fn numbers_amounts_and_bodies_out_of_bounds_are_refused() {
    let (till, server, _tmp) = one_store().await;
    let good = card_number(601_100_012_345_678);
    let (body, check) = good.split_at(good.len() - 1);
    let mistyped = format!("{body}{}", (check.parse::<u8>().unwrap() + 1) % 10);
    let swapped = format!("{}{}{}", &good[1..2], &good[..1], &good[2..]);
    // A mistyped digit is refused, and the till is told to look for the typo.
    let refusal = till
        .refused(&op(&mistyped, "issue", Some("10")), 400, "bad_number")
        .await;
    let error = refusal["error"].as_str().unwrap();
    assert!(error.contains("check digit does not match"), "{error}");
    assert!(error.contains("typo"), "{error}");
    let numbers = [
        &swapped,
        // Numbers the server took before it read them as core does: 8 to 19 digits with a
        // valid check digit, which core never issues.
        "79927398713",
        "12345674",
        "1234567812345678905",
        "1234567",
        "12345678901234567890",
        "1234 5678 9012",
    ];
    for number in numbers {
        let refusal = till
            .refused(&op(number, "issue", Some("10")), 400, "bad_number")
            .await;
        assert!(
            refusal["error"]
                .as_str()
                .unwrap()
                .starts_with("This is not a gift card number")
        );
    }
    let reply = till.get(&format!("/api/gift-cards/{mistyped}")).await;
    assert_eq!(status_and_reason(&reply), (400, json!("bad_number")));
    // Typed in groups, as printed on a card, it is the number's digits.
    let printed = card_number(601_100_012_345_679);
    let grouped = GiftCardNumber::parse(&printed).unwrap().grouped();
    let card = till.record(&op(&grouped, "issue", Some("10"))).await;
    assert_eq!(card["card"], json!(printed));
    assert_eq!(till.card(&printed).await["balance"], "10.00");

    for amount in ["0", "-5", "10.001", "1000000000.01", "1e3", "ten"] {
        till.refused(&op(&good, "issue", Some(amount)), 400, "invalid")
            .await;
    }
    till.refused(&op(&good, "issue", None), 400, "invalid")
        .await;
    till.record(&op(&good, "issue", Some("1000000000"))).await;

    // A float is never an amount.
    let float = with(op(&good, "redeem", None), "amount", json!(10.5));
    till.refused(&float, 400, "malformed").await;
    let stray = with(op(&good, "redeem", Some("1")), "balance", json!("999"));
    till.refused(&stray, 400, "malformed").await;
    let undated = with(
        op(&good, "redeem", Some("1")),
        "made_at",
        json!("yesterday"),
    );
    till.refused(&undated, 400, "invalid").await;
    let long_reason = with(
        forced(&good, "forced_redeem", "1"),
        "reason",
        json!("x".repeat(201)),
    );
    till.refused(&long_reason, 400, "invalid").await;
    let huge = with(
        op(&good, "redeem", Some("1")),
        "reason",
        json!("x".repeat(20 * 1024)),
    );
    till.refused(&huge, 413, "too_large").await;
    server.stop().await;
}

/// Sends every body at once (each task waits for the others before it sends); the replies in
/// the bodies' order.
async fn all_at_once(till: &Arc<Till>, bodies: Vec<Value>) -> Vec<Reply> {
    let start_together = Arc::new(tokio::sync::Barrier::new(bodies.len()));
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (till, start) = (till.clone(), start_together.clone());
            tokio::spawn(async move {
                start.wait().await;
                till.post(&body).await
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_redemptions_of_one_card_at_once_spend_its_balance_exactly_once() {
    let (owner, server, _tmp) = one_store().await;
    let owner = Arc::new(owner);
    let number = card_number(900_000_000_000_001);
    owner.record(&op(&number, "issue", Some("100"))).await;

    let redemptions = (0..50).map(|_| op(&number, "redeem", Some("10"))).collect();
    let (mut passed, mut short) = (0, 0);
    for reply in all_at_once(&owner, redemptions).await {
        match status_and_reason(&reply) {
            (201, _) => passed += 1,
            (409, reason) if reason == "insufficient_balance" => short += 1,
            other => panic!("unexpected answer {other:?}: {}", reply.text()),
        }
    }
    assert_eq!((passed, short), (10, 40));
    let after = owner.card(&number).await;
    assert_eq!(after["balance"], "0.00");
    assert_eq!(after["history"].as_array().unwrap().len(), 11);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_redemption_sent_twenty_times_at_once_is_recorded_once() {
    let (owner, server, _tmp) = one_store().await;
    let owner = Arc::new(owner);
    let number = card_number(900_000_000_000_002);
    owner.record(&op(&number, "issue", Some("100"))).await;

    let redeem = op(&number, "redeem", Some("10"));
    let replies = all_at_once(&owner, vec![redeem; 20]).await;
    assert!(replies.iter().all(|r| r.status == 201), "{replies:?}");
    assert!(replies.iter().all(|r| r.json() == replies[0].json()));
    let repeats = replies
        .iter()
        .filter(|r| r.header("idempotent-replayed").is_some());
    assert_eq!(repeats.count(), 19);
    assert_eq!(owner.card(&number).await["balance"], "90.00");
    server.stop().await;
}

#[tokio::test]
async fn an_overdraft_reported_from_offline_is_recorded_and_shown_as_a_conflict() {
    let (owner, server, _tmp) = one_store().await;
    let field_till = second_till(&owner).await;
    let number = card_number(55_500_000_000);
    owner.record(&op(&number, "issue", Some("100"))).await;

    // The owner's till redeems online; the other till, offline since it saw 100.00, redeemed
    // 80.00 at 11:00 and reports it now.
    let online = op(&number, "redeem", Some("50"));
    owner.record(&online).await;
    let offline = with(op(&number, "redeem", Some("80")), "offline", json!(true));
    let offline = with(offline, "made_at", json!("2026-11-29T11:00:00Z"));
    let overdrawn = field_till.record(&offline).await;
    let state = json!({"card": number, "balance": "-30.00", "active": true, "in_conflict": true});
    assert_eq!(overdrawn, state);
    // Reported again (the till did not hear the answer): still one operation, one conflict.
    assert_eq!(field_till.record(&offline).await, overdrawn);
    let one_more = op(&number, "redeem", Some("1"));
    owner.refused(&one_more, 409, "insufficient_balance").await;

    let conflicts = owner.ok("/api/gift-cards/conflicts").await["conflicts"].clone();
    let [conflict] = conflicts.as_array().unwrap().as_slice() else {
        panic!("one conflict expected: {conflicts}");
    };
    assert_eq!(conflict["card"], number.as_str());
    assert_eq!(conflict["balance"], "-30.00");
    assert_eq!(conflict["overdraft"], "30.00");
    assert_eq!(conflict["op"]["op_id"], offline["op_id"]);
    assert_eq!(conflict["op"]["offline"], true);
    assert_eq!(
        conflict["op"]["device"],
        field_till.device.device_id.as_str()
    );
    assert_eq!(conflict["op"]["made_at"], "2026-11-29T11:00:00Z");
    let spent_first: Vec<&Value> = conflict["with"].as_array().unwrap().iter().collect();
    assert_eq!(spent_first.len(), 1);
    assert_eq!(spent_first[0]["op_id"], online["op_id"]);
    assert_eq!(spent_first[0]["device"], owner.device.device_id.as_str());
    assert_eq!(owner.card(&number).await["in_conflict"], true);
    let liability = owner.ok("/api/gift-cards/liability").await;
    let owed = (&liability["liability"], &liability["overdrawn"]);
    assert_eq!(owed, (&json!("0.00"), &json!("30.00")));
    server.stop().await;
}

#[tokio::test]
async fn a_refunded_sale_takes_a_card_back_once_only_while_it_holds_its_value() {
    let (till, server, _tmp) = one_store().await;
    let whole = card_number(601_100_000_000_210);
    let spent = card_number(601_100_000_000_228);
    for number in [&whole, &spent] {
        till.record(&op(number, "issue", Some("25"))).await;
    }
    till.record(&op(&spent, "redeem", Some("0.01"))).await;

    // Spent even by a cent: refused with what is left, and the card goes on as it was.
    let short = till
        .refused(
            &op(&spent, "sale_refunded", Some("25")),
            409,
            "insufficient_balance",
        )
        .await;
    assert_eq!(short["balance"], "24.99");
    assert_eq!(till.card(&spent).await["active"], true);

    // Whole: the value taken off and the card stopped in one step; sent again, counted once.
    let back = op(&whole, "sale_refunded", Some("25"));
    let after = till.record(&back).await;
    assert_eq!(
        (&after["balance"], &after["active"]),
        (&json!("0.00"), &json!(false))
    );
    assert_eq!(till.record(&back).await["balance"], "0.00");
    let card = till.card(&whole).await;
    let kinds: Vec<&str> = card["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|op| op["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["issue", "sale_refunded"]);
    till.refused(&op(&whole, "redeem", Some("1")), 409, "card_inactive")
        .await;
    // Never as made offline: the server is the one that checks the card was not spent.
    let offline = with(
        op(&spent, "sale_refunded", Some("24.99")),
        "offline",
        json!(true),
    );
    let reply = till.post(&offline).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(till.card(&spent).await["balance"], "24.99");
    server.stop().await;
}

#[tokio::test]
async fn a_write_off_takes_exactly_the_balance_the_card_holds_and_the_report_counts_it_expired() {
    let (till, server, _tmp) = one_store().await;
    let card = card_number(601_100_000_000_236);
    till.record(&op_at(&card, "issue", Some("40"), "2026-11-02T10:00:00Z"))
        .await;
    till.record(&op_at(&card, "redeem", Some("15"), "2026-11-03T10:00:00Z"))
        .await;
    let expire = |amount: &str| {
        with(
            op_at(&card, "expire", Some(amount), "2026-11-20T10:00:00Z"),
            "reason",
            json!("Three years unused (terms, section 4)"),
        )
    };
    // The manager looked before the last 15 were spent: refused with what it holds now.
    let changed = till.refused(&expire("40"), 409, "balance_changed").await;
    assert_eq!(changed["balance"], "25.00");
    // Without a reason, with an authorisation code, or made offline: refused, nothing moves.
    let bare = op_at(&card, "expire", Some("25"), "2026-11-20T10:00:00Z");
    till.refused(&bare, 400, "authorisation_needed").await;
    for bad in [
        with(expire("25"), "auth_code", json!("VOICE-1")),
        with(expire("25"), "offline", json!(true)),
    ] {
        let reply = till.post(&bad).await;
        assert_eq!(reply.status, 400, "{}", reply.text());
    }
    assert_eq!(till.card(&card).await["balance"], "25.00");

    // The whole balance: written off, the card stopped; sent again, counted once.
    let whole = expire("25");
    let after = till.record(&whole).await;
    assert_eq!(
        (&after["balance"], &after["active"]),
        (&json!("0.00"), &json!(false))
    );
    till.record(&whole).await;
    till.refused(&op(&card, "redeem", Some("1")), 409, "card_inactive")
        .await;
    let history = till.card(&card).await;
    assert_eq!(history["history"][2]["kind"], "expire");
    assert_eq!(
        history["history"][2]["reason"],
        "Three years unused (terms, section 4)"
    );

    let november = report(&till, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z").await;
    let figures = ["issued", "redeemed", "expired", "liability"]
        .map(|f| november[f].as_str().unwrap_or("missing").to_string());
    assert_eq!(figures, ["40.00", "15.00", "25.00", "0.00"]);
    // Before the write-off the store still owed it.
    let before = report(&till, "2026-11-01T00:00:00Z", "2026-11-20T10:00:00Z").await;
    assert_eq!(
        (&before["expired"], &before["liability"]),
        (&json!("0.00"), &json!("25.00"))
    );
    server.stop().await;
}

/// An operation made at the till at `made_at` (RFC 3339, UTC).
fn op_at(card: &str, kind: &str, amount: Option<&str>, made_at: &str) -> Value {
    with(op(card, kind, amount), "made_at", json!(made_at))
}

/// `GET /api/gift-cards/report` of the store for the period from `from` to `to`.
async fn report(till: &Till, from: &str, to: &str) -> Value {
    till.ok(&format!("/api/gift-cards/report?from={from}&to={to}"))
        .await
}

/// The report's operations as (kind, card, amount).
fn listed(report: &Value) -> Vec<(String, String, Value)> {
    let ops = report["ops"].as_array().unwrap();
    ops.iter()
        .map(|op| {
            let text = |f: &str| op[f].as_str().unwrap().to_string();
            (text("kind"), text("card"), op["amount"].clone())
        })
        .collect()
}

#[tokio::test]
async fn the_period_report_counts_the_operations_made_in_the_period_and_owes_what_was_left_at_its_end()
 {
    let (owner, server, _tmp) = one_store().await;
    let till = second_till(&owner).await;
    let (a, b) = (
        card_number(7_100_000_000_001),
        card_number(7_100_000_000_002),
    );
    // October: card A sold with 100, 30 spent.
    owner
        .record(&op_at(&a, "issue", Some("100"), "2026-10-20T10:00:00Z"))
        .await;
    owner
        .record(&op_at(&a, "redeem", Some("30"), "2026-10-31T23:59:59Z"))
        .await;
    // November: A spent (one of them on the other till offline, reported late), B sold and
    // topped up, a refund onto A, a forced issue onto B, and A stopped.
    owner
        .record(&op_at(&a, "redeem", Some("20"), "2026-11-01T00:00:00Z"))
        .await;
    owner
        .record(&op_at(&b, "issue", Some("50"), "2026-11-03T09:00:00Z"))
        .await;
    owner
        .record(&op_at(
            &b,
            "add_value",
            Some("25.50"),
            "2026-11-04T09:00:00Z",
        ))
        .await;
    owner
        .record(&op_at(
            &a,
            "refund_to_card",
            Some("5"),
            "2026-11-05T09:00:00Z",
        ))
        .await;
    let mut forced_issue = forced(&b, "forced_issue", "4.50");
    forced_issue["made_at"] = json!("2026-11-06T09:00:00Z");
    owner.record(&forced_issue).await;
    let late = with(
        op_at(&a, "redeem", Some("10"), "2026-11-29T18:00:00Z"),
        "offline",
        json!(true),
    );
    owner
        .record(&op_at(&a, "deactivate", None, "2026-11-30T12:00:00Z"))
        .await;
    // December, after the period: B spent.
    owner
        .record(&op_at(&b, "redeem", Some("60"), "2026-12-01T00:00:00Z"))
        .await;
    till.record(&late).await;

    let november = report(&owner, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z").await;
    let totals = |r: &Value| {
        [
            "issued",
            "added",
            "redeemed",
            "refunded_to_cards",
            "liability",
            "overdrawn",
        ]
        .map(|f| r[f].as_str().unwrap_or("missing").to_string())
    };
    // Issued 50 + 25.50 + 4.50; redeemed 20 + 10 (the late offline one, by its till time);
    // owed at the end: A 100 - 30 - 20 + 5 - 10 = 45, B 80 (December's 60 not yet spent).
    assert_eq!(
        totals(&november),
        ["80.00", "25.50", "30.00", "5.00", "125.00", "0.00"]
    );
    assert_eq!(
        (&november["currency"], &november["ops_left_out"]),
        (&json!("EUR"), &json!(0))
    );
    let kinds: Vec<String> = listed(&november).into_iter().map(|(k, _, _)| k).collect();
    let expected = [
        "redeem",
        "issue",
        "add_value",
        "refund_to_card",
        "forced_issue",
        "redeem",
        "deactivate",
    ];
    assert_eq!(kinds, expected);
    assert_eq!(november["ops"][5]["offline"], true);
    assert_eq!(november["ops"][5]["device"], till.device.device_id.as_str());
    assert_eq!(november["ops"][4]["auth_code"], "VOICE-4471");
    assert_eq!(november["ops"][6]["amount"], Value::Null);

    // The bounds: an operation at `from` is in, one at `to` is out.
    let last_second = report(&owner, "2026-10-31T23:59:59Z", "2026-11-01T00:00:00Z").await;
    assert_eq!(
        listed(&last_second),
        [("redeem".to_string(), a.clone(), json!("30.00"))]
    );
    assert_eq!(totals(&last_second)[4], "70.00");
    // Before any card: nothing moved, nothing owed.
    let empty = report(&owner, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z").await;
    assert_eq!(
        totals(&empty),
        ["0.00", "0.00", "0.00", "0.00", "0.00", "0.00"]
    );
    assert_eq!(empty["ops"], json!([]));
    // December: B's 60 spent of 80; A holds 45 (deactivated, still owed).
    let december = report(&owner, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z").await;
    assert_eq!(totals(&december)[2..5], ["60.00", "0.00", "65.00"]);
    server.stop().await;
}

#[tokio::test]
async fn the_period_report_shows_only_the_stores_own_cards_and_refuses_bad_periods() {
    let (truck, server, _tmp) = one_store().await;
    let cafe = another_store(&truck, &server).await;
    let number = card_number(7_200_000_000_000);
    truck.record(&op(&number, "issue", Some("80"))).await;
    // The café issues a card under the same number: its own.
    cafe.record(&op(&number, "issue", Some("3"))).await;
    cafe.record(&op(&number, "redeem", Some("1"))).await;

    let (from, to) = ("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z");
    let truck_report = report(&truck, from, to).await;
    assert_eq!(
        listed(&truck_report),
        [("issue".to_string(), number.clone(), json!("80.00"))]
    );
    assert_eq!(
        (&truck_report["redeemed"], &truck_report["liability"]),
        (&json!("0.00"), &json!("80.00"))
    );
    let cafe_report = report(&cafe, from, to).await;
    assert_eq!(listed(&cafe_report).len(), 2);
    assert_eq!(cafe_report["liability"], "2.00");

    let path = format!("/api/gift-cards/report?from={from}&to={to}");
    let anonymous = send(truck.addr, "GET", &path, &[], None).await;
    assert_eq!(status_and_reason(&anonymous), (401, json!("no_token")));
    for bad in [
        format!("/api/gift-cards/report?from={to}&to={from}"),
        format!("/api/gift-cards/report?from={from}&to={from}"),
        format!("/api/gift-cards/report?from=yesterday&to={to}"),
        format!("/api/gift-cards/report?from={from}"),
        "/api/gift-cards/report".to_string(),
    ] {
        let refused = truck.get(&bad).await;
        assert_eq!(
            status_and_reason(&refused),
            (400, json!("invalid")),
            "{bad}"
        );
    }
    server.stop().await;
}
