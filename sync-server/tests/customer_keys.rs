//! Customers' keys over the JSON API (issue 14, crypto-shredding): a key is kept for the store
//! whose device sent it and read by that store's devices only; erasing the customer deletes the
//! key for good, and a key sent afterwards (a device that made it offline) is refused.

mod common;

use std::net::SocketAddr;

use serde_json::{Value, json};

use common::{Device, Reply, another_setup_code, create_store, pair, send, start};

const ANNA: &str = "01930000-0000-7000-8000-00000000a001";
const BORIS: &str = "01930000-0000-7000-8000-00000000b002";

fn key(byte: char) -> String {
    std::iter::repeat_n(byte, 64).collect()
}

async fn put_key(addr: SocketAddr, device: &Device, customer: &str, key: &str) -> Reply {
    let auth = device.bearer();
    let path = format!("/api/customers/{customer}/key");
    let body = json!({ "key": key });
    send(addr, "PUT", &path, &[("Authorization", &auth)], Some(&body)).await
}

async fn keys(addr: SocketAddr, device: &Device) -> Value {
    let auth = device.bearer();
    let reply = send(
        addr,
        "GET",
        "/api/customers/keys",
        &[("Authorization", &auth)],
        None,
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()
}

async fn erase(addr: SocketAddr, device: &Device, customer: &str) -> Reply {
    let auth = device.bearer();
    let path = format!("/api/customers/{customer}/erase");
    send(addr, "POST", &path, &[("Authorization", &auth)], None).await
}

#[tokio::test]
async fn keys_are_read_by_their_stores_devices_only_and_erasure_deletes_them_for_good() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let addr = server.addr;
    let code = server.setup_code.clone().expect("a setup code");
    let phone = create_store(addr, &code, "Festival Truck").await;
    let tablet = pair(addr, &phone, "Tablet").await;
    let other = create_store(addr, &another_setup_code(&server.storage), "Other Café").await;

    // The phone made Anna offline; it sends her key twice (an answer lost), the same key.
    for _ in 0..2 {
        let reply = put_key(addr, &phone, ANNA, &key('a')).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    assert_eq!(put_key(addr, &phone, BORIS, "abc").await.status, 400);
    let differs = put_key(addr, &tablet, ANNA, &key('c')).await;
    assert_eq!(differs.status, 409);
    assert_eq!(differs.json()["reason"], "key_differs");
    put_key(addr, &phone, BORIS, &key('b')).await;

    let on_tablet = keys(addr, &tablet).await;
    assert_eq!(
        on_tablet["keys"],
        json!([{ "customer": ANNA, "key": key('a') }, { "customer": BORIS, "key": key('b') }])
    );
    assert_eq!(on_tablet["erased"], json!([]));
    // Another store's device reads none of them, and its own customer with Anna's id is its own.
    assert_eq!(
        keys(addr, &other).await,
        json!({ "keys": [], "erased": [] })
    );
    assert_eq!(put_key(addr, &other, ANNA, &key('d')).await.status, 200);
    assert_eq!(keys(addr, &other).await["keys"][0]["key"], key('d'));
    assert_eq!(
        send(addr, "GET", "/api/customers/keys", &[], None)
            .await
            .status,
        401
    );

    // The tablet erases Anna: her key is gone for every device of the store, for good.
    for _ in 0..2 {
        let reply = erase(addr, &tablet, ANNA).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
    }
    let after = keys(addr, &phone).await;
    assert_eq!(
        after["keys"],
        json!([{ "customer": BORIS, "key": key('b') }])
    );
    assert_eq!(after["erased"], json!([ANNA]));
    let refused = put_key(addr, &phone, ANNA, &key('a')).await;
    assert_eq!(refused.status, 410);
    assert_eq!(refused.json()["reason"], "customer_erased");
    assert_eq!(keys(addr, &phone).await, after);
    // The other store's Anna is not touched.
    assert_eq!(keys(addr, &other).await["keys"][0]["key"], key('d'));
    server.stop().await;
}
