//! Loyalty points over the JSON API (issue 14): a customer's balance is the sum of their
//! operations, an operation sent twice counts once, fifty redemptions of one customer's points
//! at once never spend more than the customer has, and points spent offline beyond the balance
//! are recorded and shown as a conflict, once, in the store's list for a manager. A duplicate
//! merged into a customer brings its points once, however often and by however many tills the
//! merge is sent, and points later earned under the duplicate's id land on the survivor.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use common::{Device, Reply, another_setup_code, create_store, pair, send, start};

const STAFF: &str = "5f0c6a3e-0000-4000-8000-000000000001";
const SALE: &str = "01930000-0000-7000-8000-000000000001";

fn op_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    uuid::Uuid::from_u128(u128::from(NEXT.fetch_add(1, Ordering::Relaxed))).to_string()
}

fn op(customer: &str, kind: &str, points: &str) -> Value {
    json!({
        "op_id": op_id(), "customer": customer, "kind": kind, "points": points, "sale": SALE,
        "staff": STAFF, "made_at": "2026-11-29T12:00:00Z",
    })
}

struct Till {
    addr: SocketAddr,
    device: Device,
}

impl Till {
    async fn post(&self, body: &Value) -> Reply {
        let auth = self.device.bearer();
        send(
            self.addr,
            "POST",
            "/api/loyalty/ops",
            &[("Authorization", &auth)],
            Some(body),
        )
        .await
    }

    async fn record(&self, body: &Value) -> Value {
        let reply = self.post(body).await;
        assert_eq!(reply.status, 201, "{body}: {}", reply.text());
        reply.json()["account"].clone()
    }

    /// Another till of the store, paired as "Till 2".
    async fn another_till(&self) -> Till {
        let device = pair(self.addr, &self.device, "Till 2").await;
        Till { device, ..*self }
    }

    async fn get(&self, path: &str) -> Value {
        let auth = self.device.bearer();
        let reply = send(self.addr, "GET", path, &[("Authorization", &auth)], None).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
        reply.json()
    }

    async fn points(&self, customer: &str) -> Value {
        self.get(&format!("/api/loyalty/customers/{customer}"))
            .await
    }

    async fn conflicts(&self) -> Vec<Value> {
        let listed = self.get("/api/loyalty/conflicts").await;
        listed["conflicts"].as_array().unwrap().clone()
    }

    async fn send_merge(&self, body: &Value) -> Reply {
        let auth = self.device.bearer();
        let headers = [("Authorization", auth.as_str())];
        send(
            self.addr,
            "POST",
            "/api/loyalty/merge",
            &headers,
            Some(body),
        )
        .await
    }

    async fn merge(&self, body: &Value) -> Value {
        let reply = self.send_merge(body).await;
        assert_eq!(reply.status, 201, "{body}: {}", reply.text());
        reply.json()
    }
}

fn merge_of(from: &str, into: &str) -> Value {
    json!({
        "op_id": op_id(), "from": from, "into": into, "staff": STAFF,
        "made_at": "2026-11-29T13:00:00Z",
    })
}

fn offline(mut body: Value) -> Value {
    body["offline"] = json!(true);
    body
}

async fn one_store() -> (Till, common::Running, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let code = server.setup_code.clone().expect("a setup code");
    let device = create_store(server.addr, &code, "Festival Truck").await;
    let addr = server.addr;
    (Till { addr, device }, server, tmp)
}

#[tokio::test]
async fn a_customers_points_are_the_sum_of_their_operations_each_counted_once() {
    let (till, server, _tmp) = one_store().await;
    let anna = op_id();
    assert_eq!(till.points(&anna).await["balance"], "0");
    let earn = op(&anna, "earn", "120");
    assert_eq!(till.record(&earn).await["balance"], "120");
    // Sent again (the answer was lost): the same answer, counted once.
    let again = till.post(&earn).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json()["account"]["balance"], "120");
    till.record(&op(&anna, "redeem", "50")).await;
    till.record(&op(&anna, "take_back", "20")).await;
    assert_eq!(
        till.record(&op(&anna, "give_back", "5")).await["balance"],
        "55"
    );
    let refused = till.post(&op(&anna, "redeem", "56")).await;
    assert_eq!(refused.status, 409);
    assert_eq!(refused.json()["reason"], "insufficient_points");
    assert_eq!(refused.json()["balance"], "55");
    for bad in ["0", "1.5", "-3", "x", "10000000000"] {
        assert_eq!(
            till.post(&op(&anna, "earn", bad)).await.status,
            400,
            "{bad}"
        );
    }
    let mut reused = op(&anna, "earn", "7");
    reused["op_id"] = earn["op_id"].clone();
    assert_eq!(till.post(&reused).await.json()["reason"], "op_id_reused");
    let account = till.points(&anna).await;
    assert_eq!(account["balance"], "55");
    let kinds: Vec<&str> = account["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["earn", "redeem", "take_back", "give_back"]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_redemptions_of_one_customers_points_at_once_never_overspend() {
    let (till, server, _tmp) = one_store().await;
    let till = Arc::new(till);
    let anna = op_id();
    till.record(&op(&anna, "earn", "100")).await;

    let start_together = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (till, start, body) = (
                till.clone(),
                start_together.clone(),
                op(&anna, "redeem", "10"),
            );
            tokio::spawn(async move {
                start.wait().await;
                till.post(&body).await
            })
        })
        .collect();
    let (mut passed, mut short) = (0, 0);
    for task in tasks {
        let reply = task.await.unwrap();
        match (reply.status, reply.json()["reason"].as_str()) {
            (201, _) => passed += 1,
            (409, Some("insufficient_points")) => short += 1,
            other => panic!("unexpected answer {other:?}: {}", reply.text()),
        }
    }
    assert_eq!((passed, short), (10, 40));
    let account = till.points(&anna).await;
    assert_eq!(account["balance"], "0");
    assert_eq!(account["history"].as_array().unwrap().len(), 11);
    server.stop().await;
}

#[tokio::test]
async fn points_spent_offline_beyond_the_balance_are_recorded_as_a_conflict() {
    let (till, server, _tmp) = one_store().await;
    let anna = op_id();
    till.record(&op(&anna, "earn", "30")).await;
    // Two tills offline each spent the 30 points they knew of.
    let mut first = op(&anna, "redeem", "30");
    first["offline"] = json!(true);
    let mut second = op(&anna, "redeem", "30");
    second["offline"] = json!(true);
    assert_eq!(till.record(&first).await["in_conflict"], false);
    let after = till.record(&second).await;
    assert_eq!(after["balance"], "-30");
    assert_eq!(after["in_conflict"], true);
    assert_eq!(after["overdrawn"], "30");
    assert_eq!(till.points(&anna).await["in_conflict"], true);
    server.stop().await;
}

#[tokio::test]
async fn the_stores_conflicts_list_each_overdraft_once_with_the_redemptions_that_made_it() {
    let (till, server, _tmp) = one_store().await;
    let other_till = till.another_till().await;
    let code = another_setup_code(&server.storage);
    let cafe = Till {
        addr: till.addr,
        device: create_store(till.addr, &code, "Corner Café").await,
    };
    let (anna, bert) = (op_id(), op_id());
    assert!(till.conflicts().await.is_empty());
    till.record(&op(&anna, "earn", "30")).await;
    till.record(&op(&bert, "earn", "10")).await;
    // Two tills offline each spent Anna's 30 points; Bert spent his 10 within his balance.
    let first = offline(op(&anna, "redeem", "30"));
    let second = offline(op(&anna, "redeem", "30"));
    till.record(&first).await;
    other_till.record(&second).await;
    till.record(&offline(op(&bert, "redeem", "10"))).await;
    // The second till's answer was lost: sent again, it is still one overdraft.
    assert_eq!(other_till.post(&second).await.status, 201);

    let listed = till.conflicts().await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let conflict = &listed[0];
    assert_eq!(conflict["customer"], anna.as_str());
    assert_eq!(conflict["overdraft"], "30");
    assert_eq!(conflict["balance"], "-30");
    assert_eq!(conflict["op"]["op_id"], second["op_id"]);
    assert_eq!(
        conflict["op"]["device"],
        other_till.device.device_id.as_str()
    );
    assert_eq!(conflict["op"]["made_at"], "2026-11-29T12:00:00Z");
    let with: Vec<&Value> = conflict["with"].as_array().unwrap().iter().collect();
    assert_eq!(with.len(), 1);
    assert_eq!(with[0]["op_id"], first["op_id"]);
    assert_eq!(with[0]["device"], till.device.device_id.as_str());
    let names = &conflict["devices"];
    assert_eq!(names[&till.device.device_id], "Owner's tablet");
    assert_eq!(names[&other_till.device.device_id], "Till 2");
    // Every till of the store sees it; another store's see none of it.
    assert_eq!(other_till.conflicts().await.len(), 1);
    assert!(cafe.conflicts().await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_merged_duplicates_points_move_to_the_survivor_once_however_often_the_merge_is_sent() {
    let (till, server, _tmp) = one_store().await;
    let other_till = till.another_till().await;
    let (anna, anna_again) = (op_id(), op_id());
    till.record(&op(&anna, "earn", "40")).await;
    till.record(&op(&anna_again, "earn", "25")).await;

    let merge = merge_of(&anna_again, &anna);
    let done = till.merge(&merge).await;
    assert_eq!(done["merge"]["moved"], "25");
    assert_eq!(done["merge"]["survivor"], anna.as_str());
    assert_eq!(done["account"]["balance"], "65");
    // Sent again (the answer was lost): the first answer, nothing moved twice.
    let again = till.send_merge(&merge).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.json()["account"]["balance"], "65");
    // The other till made the same merge offline, and a third the crossed one (Anna into her
    // duplicate): each is one person already, so nothing moves.
    let same = other_till.merge(&merge_of(&anna_again, &anna)).await;
    assert_eq!(
        (
            same["merge"]["applied"].clone(),
            same["merge"]["moved"].clone()
        ),
        (json!(false), json!("0"))
    );
    let crossed = other_till.merge(&merge_of(&anna, &anna_again)).await;
    assert_eq!(crossed["account"]["balance"], "65");
    // The same op id for another merge is refused.
    let mut reused = merge_of(&anna, &op_id());
    reused["op_id"] = merge["op_id"].clone();
    assert_eq!(
        till.send_merge(&reused).await.json()["reason"],
        "op_id_reused"
    );
    // Either id names the one account, whose history says where the 25 came from.
    for id in [&anna, &anna_again] {
        let account = till.points(id).await;
        assert_eq!(
            (account["customer"].as_str(), account["balance"].as_str()),
            (Some(anna.as_str()), Some("65"))
        );
    }
    let account = till.points(&anna).await;
    let kinds: Vec<&str> = account["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["earn", "merge_in"]);
    // Merge kinds are the server's to write.
    let forged = till.post(&op(&anna, "merge_in", "1000")).await;
    assert_eq!(forged.status, 400);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn merges_sent_at_once_from_many_tills_and_both_ways_move_the_points_once() {
    let (till, server, _tmp) = one_store().await;
    let till = Arc::new(till);
    let (carl, carl_again) = (op_id(), op_id());
    till.record(&op(&carl, "earn", "100")).await;
    till.record(&op(&carl_again, "earn", "30")).await;
    // Twenty merges at once: half of the duplicate into Carl, half crossed, each sent twice.
    let start_together = Arc::new(tokio::sync::Barrier::new(40));
    let tasks: Vec<_> = (0..20)
        .flat_map(|i| {
            let body = if i % 2 == 0 {
                merge_of(&carl_again, &carl)
            } else {
                merge_of(&carl, &carl_again)
            };
            [body.clone(), body]
        })
        .map(|body| {
            let (till, start) = (till.clone(), start_together.clone());
            tokio::spawn(async move {
                start.wait().await;
                till.send_merge(&body).await
            })
        })
        .collect();
    let mut moved = 0;
    for task in tasks {
        let reply = task.await.unwrap();
        assert_eq!(reply.status, 201, "{}", reply.text());
        if reply.header("idempotent-replayed").is_none() && reply.json()["merge"]["applied"] == true
        {
            moved += 1;
        }
    }
    assert_eq!(moved, 1, "one merge moved the points");
    for id in [&carl, &carl_again] {
        assert_eq!(till.points(id).await["balance"], "130");
    }
    server.stop().await;
}

#[tokio::test]
async fn points_earned_and_spent_under_a_merged_id_land_on_the_survivor() {
    let (till, server, _tmp) = one_store().await;
    let (dana, dana_again, dana_third) = (op_id(), op_id(), op_id());
    till.record(&op(&dana, "earn", "10")).await;
    till.record(&op(&dana_again, "earn", "5")).await;
    till.merge(&merge_of(&dana_again, &dana)).await;
    // A till that had not heard of the merge earns under the duplicate's id: on Dana's account.
    let late = till.record(&op(&dana_again, "earn", "20")).await;
    assert_eq!(
        (late["customer"].as_str(), late["balance"].as_str()),
        (Some(dana.as_str()), Some("35"))
    );
    // Sent again after the merge, an operation recorded before it is still the same one.
    let early = op(&dana_again, "earn", "1");
    let third = op(&dana_third, "earn", "2");
    till.record(&third).await;
    till.record(&early).await;
    // A chain: the third entry merged into the duplicate counts for Dana too.
    till.merge(&merge_of(&dana_third, &dana_again)).await;
    assert_eq!(till.post(&early).await.status, 201);
    assert_eq!(till.post(&third).await.status, 201);
    // Spending under the duplicate's id is checked against all she has, online.
    let refused = till.post(&op(&dana_again, "redeem", "39")).await;
    assert_eq!(refused.json()["balance"], "38");
    till.record(&op(&dana_third, "redeem", "38")).await;
    for id in [&dana, &dana_again, &dana_third] {
        assert_eq!(till.points(id).await["balance"], "0");
    }
    server.stop().await;
}
