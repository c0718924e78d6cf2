//! Loyalty points over the JSON API (issue 14): a customer's balance is the sum of their
//! operations, an operation sent twice counts once, fifty redemptions of one customer's points
//! at once never spend more than the customer has, and points spent offline beyond the balance
//! are recorded and shown as a conflict.

mod common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use common::{create_store, send, start, Device, Reply};

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

    async fn points(&self, customer: &str) -> Value {
        let auth = self.device.bearer();
        let path = format!("/api/loyalty/customers/{customer}");
        let reply = send(self.addr, "GET", &path, &[("Authorization", &auth)], None).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }
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
