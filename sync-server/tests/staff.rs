//! The store's staff list over the API: the server makes each store's key, signs the first list
//! when the store is created with its owner, hands key and list to every device it enrolls, and
//! signs an edit only with the editor's right PIN (locked after wrong ones) and only if the
//! editor may make it. A store made before staff lists gets its first list from its owner device.
//! The same list and PIN lockout decide who may rename the store (`PUT /api/store`) and who may
//! pair and remove devices (`POST /api/pairing-codes`, `DELETE /api/devices/{id}`), from any
//! device of the store; a store without a list leaves that to its owner's device.

mod common;

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use base64::Engine as _;
use pos_core::Uuid;
use pos_core::staff::{
    FIRST_LOCK_MS, FREE_ATTEMPTS, Permission, Role, SignedStaffList, StaffList, StaffMember,
    hash_pin,
};

use common::{
    Device, FakeClock, Reply, Running, another_setup_code, pair, send, start, start_with_clock,
};

// Argon2 is slow in a debug build: each PIN is hashed once.
static OWNER_HASH: LazyLock<String> = LazyLock::new(|| hash_pin("1234", &[1; 16]).unwrap());
static MANAGER_HASH: LazyLock<String> = LazyLock::new(|| hash_pin("2222", &[2; 16]).unwrap());
static CASHIER_HASH: LazyLock<String> = LazyLock::new(|| hash_pin("3333", &[3; 16]).unwrap());

const OWNER: Uuid = Uuid::from_u128(0x0a);
const MANAGER: Uuid = Uuid::from_u128(0x0b);
const CASHIER: Uuid = Uuid::from_u128(0x0c);
const NEWCOMER: Uuid = Uuid::from_u128(0x0d);

fn member(id: Uuid, name: &str, role: Role, pin_hash: &str) -> StaffMember {
    StaffMember {
        id,
        name: name.into(),
        role,
        pin_hash: pin_hash.into(),
        active: true,
    }
}

fn owner() -> StaffMember {
    member(OWNER, "Olga", Role::Owner, &OWNER_HASH)
}

fn store_body(setup_code: &str, owner: Option<serde_json::Value>) -> serde_json::Value {
    let mut body = serde_json::json!({
        "setup_code": setup_code, "store_name": "Corner Café", "currency": "EUR",
        "locale": "en", "device_name": "Owner's tablet"
    });
    if let Some(owner) = owner {
        body["owner"] = owner;
    }
    body
}

fn owner_json() -> serde_json::Value {
    serde_json::json!({ "id": OWNER, "name": "Olga", "pin_hash": *OWNER_HASH })
}

/// `POST /api/stores` naming Olga as the owner; the owner device and the whole reply.
async fn create_store_with_owner(
    addr: std::net::SocketAddr,
    code: &str,
) -> (Device, serde_json::Value) {
    let body = store_body(code, Some(owner_json()));
    let reply = send(addr, "POST", "/api/stores", &[], Some(&body)).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let json = reply.json();
    (Device::from_json(&json), json)
}

/// The store key of a reply (`store_key`, hex).
fn key_of(json: &serde_json::Value) -> [u8; 32] {
    let hex = json["store_key"]
        .as_str()
        .unwrap_or_else(|| panic!("no store_key in {json}"));
    assert_eq!(hex.len(), 64, "{hex}");
    assert_eq!(hex, hex.to_lowercase());
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    bytes.try_into().unwrap()
}

/// The staff list of a reply (`staff_list`, base64), verified with the reply's own key or `key`.
fn list_of(json: &serde_json::Value, key: &[u8; 32], store: &str) -> StaffList {
    let b64 = json["staff_list"]
        .as_str()
        .unwrap_or_else(|| panic!("no staff_list in {json}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    SignedStaffList::from_bytes(&bytes)
        .unwrap()
        .verify(key, Uuid::parse_str(store).unwrap())
        .expect("the list verifies with the store's key")
}

/// A server on a clock the test moves, with one store made with Olga as its owner: the server,
/// the clock, the owner's device and the store's first list (verified with the store's key).
async fn store_of_olga(tmp: &std::path::Path) -> (Running, Arc<FakeClock>, Device, StaffList) {
    let clock = Arc::new(FakeClock::default());
    let server = start_with_clock(&tmp.join("data"), &tmp.join("dist"), clock.clone()).await;
    let (owner_device, created) =
        create_store_with_owner(server.addr, server.setup_code.as_deref().unwrap()).await;
    let v1 = list_of(&created, &key_of(&created), &owner_device.store_id);
    (server, clock, owner_device, v1)
}

/// A server with one store made without naming an owner, so with no staff list (as stores
/// made before staff were): the server, the owner's device and the API's answer.
async fn store_without_staff(tmp: &std::path::Path) -> (Running, Device, serde_json::Value) {
    let server = start(&tmp.join("data"), &tmp.join("dist")).await;
    let body = store_body(server.setup_code.as_deref().unwrap(), None);
    let reply = send(server.addr, "POST", "/api/stores", &[], Some(&body)).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let created = reply.json();
    (server, Device::from_json(&created), created)
}

async fn get_staff(addr: std::net::SocketAddr, device: &Device) -> Reply {
    let auth = device.bearer();
    send(addr, "GET", "/api/staff", &[("Authorization", &auth)], None).await
}

/// `PUT path` with `body`, sent by `device`.
async fn put(
    addr: std::net::SocketAddr,
    device: &Device,
    path: &str,
    body: serde_json::Value,
) -> Reply {
    let auth = device.bearer();
    send(addr, "PUT", path, &[("Authorization", &auth)], Some(&body)).await
}

async fn put_staff(
    addr: std::net::SocketAddr,
    device: &Device,
    editor: Uuid,
    pin: &str,
    list: &StaffList,
) -> Reply {
    let body = serde_json::json!({ "editor": editor, "pin": pin, "list": list });
    put(addr, device, "/api/staff", body).await
}

/// `list` as its next version, changed by `edit`.
fn next(list: &StaffList, edit: impl FnOnce(&mut StaffList)) -> StaffList {
    let mut next = list.clone();
    next.version += 1;
    edit(&mut next);
    next
}

fn error_of(reply: &Reply) -> String {
    let json = reply.json();
    json["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {json}"))
        .to_string()
}

fn assert_refused(reply: &Reply, status: u16, reason: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert_eq!(reply.json()["reason"], reason, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

/// The body that pairs or removes a device in a store with staff: a member and their PIN.
fn pin_of(staff: Uuid, pin: &str) -> serde_json::Value {
    serde_json::json!({ "staff": staff, "pin": pin })
}

/// `POST /api/pairing-codes` from `device`, with `body` if any.
async fn ask_pairing_code(
    addr: std::net::SocketAddr,
    device: &Device,
    body: Option<serde_json::Value>,
) -> Reply {
    let auth = device.bearer();
    let headers = [("Authorization", auth.as_str())];
    send(addr, "POST", "/api/pairing-codes", &headers, body.as_ref()).await
}

/// `DELETE /api/devices/{target}` from `device`, with `body` if any.
async fn remove_device(
    addr: std::net::SocketAddr,
    device: &Device,
    target: &Device,
    body: Option<serde_json::Value>,
) -> Reply {
    let auth = device.bearer();
    let headers = [("Authorization", auth.as_str())];
    let path = format!("/api/devices/{}", target.device_id);
    send(addr, "DELETE", &path, &headers, body.as_ref()).await
}

/// `GET /api/devices` from `device`.
async fn list_devices(addr: std::net::SocketAddr, device: &Device) -> Reply {
    let auth = device.bearer();
    send(
        addr,
        "GET",
        "/api/devices",
        &[("Authorization", &auth)],
        None,
    )
    .await
}

/// A pairing code asked for from `device` with Olga's PIN.
async fn pairing_code_as_olga(addr: std::net::SocketAddr, device: &Device) -> String {
    let reply = ask_pairing_code(addr, device, Some(pin_of(OWNER, "1234"))).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    reply.json()["code"].as_str().unwrap().to_string()
}

/// A new device of `device`'s store, paired with a code asked for with Olga's PIN.
async fn pair_as_olga(addr: std::net::SocketAddr, device: &Device, name: &str) -> Device {
    let code = pairing_code_as_olga(addr, device).await;
    let reply = common::try_pair(addr, &code, name).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    Device::from_json(&reply.json())
}

/// Olga's store with a second device, the till, and her manager Mia and cashier Carl in its list.
struct StoreWithStaff {
    server: Running,
    owner_device: Device,
    till: Device,
    /// The list with Mia and Carl, as the server signed it.
    list: StaffList,
}

async fn store_with_mia_and_carl(tmp: &std::path::Path) -> StoreWithStaff {
    let (server, _, owner_device, v1) = store_of_olga(tmp).await;
    let till = pair_as_olga(server.addr, &owner_device, "Till 2").await;
    let mut staffed = StoreWithStaff {
        server,
        owner_device,
        till,
        list: v1,
    };
    staffed.list = staffed
        .edit_list(&staffed.list, |l| {
            l.members
                .push(member(MANAGER, "Mia", Role::Manager, &MANAGER_HASH));
            l.members
                .push(member(CASHIER, "Carl", Role::Cashier, &CASHIER_HASH));
        })
        .await;
    staffed
}

impl StoreWithStaff {
    /// The next version of `list`, changed by `edit` and signed with Olga's PIN.
    async fn edit_list(&self, list: &StaffList, edit: impl FnOnce(&mut StaffList)) -> StaffList {
        let next = next(list, edit);
        let reply = put_staff(self.server.addr, &self.owner_device, OWNER, "1234", &next).await;
        assert_eq!(reply.status, 200, "{}", reply.text());
        next
    }
}

/// Members and PINs that may not change settings in `store_with_mia_and_carl`: the default
/// matrix lets neither cashiers nor managers, and a member not in the list may not either. The
/// role is checked before the PIN, so a right and a wrong PIN are refused alike.
const MAY_NOT_CHANGE_SETTINGS: [(Uuid, &str); 4] = [
    (CASHIER, "3333"),
    (CASHIER, "9999"),
    (MANAGER, "2222"),
    (NEWCOMER, "1234"),
];

fn let_managers_change_settings(list: &mut StaffList) {
    list.matrix
        .set(Role::Manager, Permission::ChangeSettings, true);
}

fn mia_leaves(list: &mut StaffList) {
    list.members
        .iter_mut()
        .find(|m| m.id == MANAGER)
        .unwrap()
        .active = false;
}

#[tokio::test]
async fn a_store_made_with_its_owner_has_a_signed_list_that_every_device_gets() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let code = server.setup_code.clone().unwrap();

    // A bad owner is refused before the setup code is used.
    for (owner, says) in [
        (
            serde_json::json!({ "id": OWNER, "name": "Olga", "pin_hash": "1234" }),
            "Argon2",
        ),
        (
            serde_json::json!({ "id": OWNER, "name": " ", "pin_hash": *OWNER_HASH }),
            "owner's name",
        ),
    ] {
        let body = store_body(&code, Some(owner));
        let reply = send(server.addr, "POST", "/api/stores", &[], Some(&body)).await;
        assert_eq!(reply.status, 400, "{}", reply.text());
        assert!(error_of(&reply).contains(says));
    }

    let (owner_device, created) = create_store_with_owner(server.addr, &code).await;
    let key = key_of(&created);
    let list = list_of(&created, &key, &owner_device.store_id);
    assert_eq!(list.version, 1);
    assert_eq!(list.members, vec![owner()]);

    // A paired device gets the same key and list, and so does GET /api/staff.
    let till = pair_as_olga(server.addr, &owner_device, "Till 2").await;
    let code = pairing_code_as_olga(server.addr, &owner_device).await;
    let paired = common::try_pair(server.addr, &code, "Till 3").await.json();
    assert_eq!(paired["store_key"], created["store_key"]);
    assert_eq!(paired["staff_list"], created["staff_list"]);
    let reply = get_staff(server.addr, &till).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let json = reply.json();
    assert_eq!(json["store_key"], created["store_key"]);
    assert_eq!(json["staff_list"], created["staff_list"]);
    assert_eq!(json["version"], 1);

    // Another store has another key.
    let (_, other) =
        create_store_with_owner(server.addr, &another_setup_code(&server.storage)).await;
    assert_ne!(other["store_key"], created["store_key"]);

    // No token, or a revoked one: 401.
    let anonymous = send(server.addr, "GET", "/api/staff", &[], None).await;
    assert_eq!(anonymous.status, 401);
    let revoked = remove_device(
        server.addr,
        &owner_device,
        &till,
        Some(pin_of(OWNER, "1234")),
    )
    .await;
    assert_eq!(revoked.status, 204, "{}", revoked.text());
    assert_eq!(get_staff(server.addr, &till).await.status, 401);
    let edit = next(&list, |_| {});
    assert_eq!(
        put_staff(server.addr, &till, OWNER, "1234", &edit)
            .await
            .status,
        401
    );
    server.stop().await;
}

#[tokio::test]
async fn the_owner_adds_a_cashier_with_their_pin() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let (owner_device, created) =
        create_store_with_owner(server.addr, server.setup_code.as_deref().unwrap()).await;
    let key = key_of(&created);
    let store = owner_device.store_id.clone();
    let v1 = list_of(&created, &key, &store);
    // Any device of the store may send the edit: the PIN is what authorises it.
    let till = pair_as_olga(server.addr, &owner_device, "Till 2").await;

    let v2 = next(&v1, |l| {
        l.members
            .push(member(CASHIER, "Carl", Role::Cashier, &CASHIER_HASH))
    });
    let reply = put_staff(server.addr, &till, OWNER, "1234", &v2).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let json = reply.json();
    assert_eq!(json["version"], 2);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(json["staff_list"].as_str().unwrap())
        .unwrap();
    let signed = SignedStaffList::from_bytes(&bytes).unwrap();
    let store_uuid = Uuid::parse_str(&store).unwrap();
    assert_eq!(signed.verify_update(&key, store_uuid, 1), Ok(v2.clone()));

    let got = get_staff(server.addr, &owner_device).await.json();
    assert_eq!(got["version"], 2);
    assert_eq!(got["staff_list"], json["staff_list"]);
    assert_eq!(list_of(&got, &key, &store), v2);

    // The PIN is nowhere in the database.
    let conn = rusqlite::Connection::open(server.storage.db_path()).unwrap();
    let dump: Vec<u8> = conn
        .query_row("SELECT signed FROM staff_lists", [], |r| r.get(0))
        .unwrap();
    assert!(!String::from_utf8_lossy(&dump).contains("\"1234\""));
    server.stop().await;
}

#[tokio::test]
async fn wrong_pins_are_refused_and_then_locked_out() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, clock, owner_device, v1) = store_of_olga(tmp.path()).await;
    let v2 = next(&v1, |l| {
        l.members
            .push(member(CASHIER, "Carl", Role::Cashier, &CASHIER_HASH))
    });
    let first = get_staff(server.addr, &owner_device).await.json()["staff_list"].clone();

    for _ in 0..FREE_ATTEMPTS {
        let reply = put_staff(server.addr, &owner_device, OWNER, "9999", &v2).await;
        assert_refused(&reply, 403, "wrong_pin");
        assert!(error_of(&reply).contains("Wrong PIN"));
    }
    let got = get_staff(server.addr, &owner_device).await.json();
    assert_eq!(got["version"], 1);
    assert_eq!(got["staff_list"], first);

    // The next wrong PIN locks the owner for 30 s: even the right PIN is then refused unchecked.
    let locking = put_staff(server.addr, &owner_device, OWNER, "9999", &v2).await;
    assert_refused(&locking, 429, "pin_locked");
    let lock_secs = (FIRST_LOCK_MS / 1000).to_string();
    assert_eq!(locking.header("retry-after"), Some(lock_secs.as_str()));
    let locked = put_staff(server.addr, &owner_device, OWNER, "1234", &v2).await;
    assert_refused(&locked, 429, "pin_locked");
    assert!(locked.header("retry-after").is_some());
    assert!(error_of(&locked).contains("Try again in 30 seconds"));
    assert_eq!(
        get_staff(server.addr, &owner_device).await.json()["version"],
        1
    );

    clock.advance(Duration::from_millis(FIRST_LOCK_MS as u64));
    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &v2).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    server.stop().await;
}

#[tokio::test]
async fn an_edit_must_be_the_editors_to_make_and_made_on_the_current_list() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let (owner_device, created) =
        create_store_with_owner(server.addr, server.setup_code.as_deref().unwrap()).await;
    let key = key_of(&created);
    let v1 = list_of(&created, &key, &owner_device.store_id);
    let till = pair_as_olga(server.addr, &owner_device, "Till 2").await;

    // The owner lets managers edit staff and adds a manager and a cashier.
    let v2 = next(&v1, |l| {
        l.matrix.set(Role::Manager, Permission::EditStaff, true);
        l.members
            .push(member(MANAGER, "Mia", Role::Manager, &MANAGER_HASH));
        l.members
            .push(member(CASHIER, "Carl", Role::Cashier, &CASHIER_HASH));
    });
    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &v2).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    // A cashier may not edit staff.
    let by_cashier = next(&v2, |l| {
        l.members
            .push(member(NEWCOMER, "Nina", Role::Cashier, &CASHIER_HASH))
    });
    let reply = put_staff(server.addr, &till, CASHIER, "3333", &by_cashier).await;
    assert_refused(&reply, 403, "not_permitted");
    assert!(error_of(&reply).contains("edit staff"));

    // A manager may not make themselves owner.
    let promoted = next(&v2, |l| {
        l.members.iter_mut().find(|m| m.id == MANAGER).unwrap().role = Role::Owner
    });
    let reply = put_staff(server.addr, &till, MANAGER, "2222", &promoted).await;
    assert_refused(&reply, 403, "not_permitted");
    assert!(error_of(&reply).contains("owner"));

    // A manager adds a cashier; an edit made on the list before that is stale.
    let reply = put_staff(server.addr, &till, MANAGER, "2222", &by_cashier).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["version"], 3);
    let late = next(&v2, |l| l.members.retain(|m| m.id != CASHIER));
    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &late).await;
    assert_refused(&reply, 409, "stale");

    // A list with no owner left is not signed.
    let v3 = list_of(
        &get_staff(server.addr, &till).await.json(),
        &key,
        &till.store_id,
    );
    let ownerless = next(&v3, |l| l.members.retain(|m| m.id != OWNER));
    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &ownerless).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(error_of(&reply).contains("no active owner"));
    assert_eq!(get_staff(server.addr, &till).await.json()["version"], 3);

    // Two edits of version 3 at once, by two editors: one is signed, the other is stale.
    let by_owner = next(&v3, |l| l.members.retain(|m| m.id != NEWCOMER));
    let by_manager = next(&v3, |l| {
        l.members
            .iter_mut()
            .find(|m| m.id == NEWCOMER)
            .unwrap()
            .name = "Nina B.".into()
    });
    let (a, b) = tokio::join!(
        put_staff(server.addr, &owner_device, OWNER, "1234", &by_owner),
        put_staff(server.addr, &till, MANAGER, "2222", &by_manager),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text(), b.text());
    let won = if a.status == 200 {
        by_owner
    } else {
        by_manager
    };
    let got = get_staff(server.addr, &till).await.json();
    assert_eq!(list_of(&got, &key, &till.store_id), won);
    server.stop().await;
}

#[tokio::test]
async fn a_list_for_another_store_or_too_long_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let (ours, created) =
        create_store_with_owner(server.addr, server.setup_code.as_deref().unwrap()).await;
    let (theirs, other) =
        create_store_with_owner(server.addr, &another_setup_code(&server.storage)).await;
    let their_list = list_of(&other, &key_of(&other), &theirs.store_id);

    // Our owner (same id and PIN as theirs) sends their store's next list through our device.
    let injected = next(&their_list, |l| {
        l.members
            .push(member(CASHIER, "Carl", Role::Owner, &CASHIER_HASH))
    });
    let reply = put_staff(server.addr, &ours, OWNER, "1234", &injected).await;
    assert_refused(&reply, 403, "not_permitted");
    assert!(error_of(&reply).contains("another store"));
    assert_eq!(
        get_staff(server.addr, &theirs).await.json()["staff_list"],
        other["staff_list"]
    );

    // 1,001 members: refused before any PIN is checked.
    let our_list = list_of(&created, &key_of(&created), &ours.store_id);
    let crowd = next(&our_list, |l| {
        for n in 0..1_000u128 {
            let id = Uuid::from_u128(0x1000 + n);
            l.members.push(member(
                id,
                &format!("Member {n}"),
                Role::Cashier,
                &CASHIER_HASH,
            ));
        }
    });
    let reply = put_staff(server.addr, &ours, OWNER, "1234", &crowd).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(error_of(&reply).contains("1,000"));
    server.stop().await;
}

#[tokio::test]
async fn a_store_made_without_staff_gets_its_first_list_from_its_owner_device() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, owner_device, created) = store_without_staff(tmp.path()).await;
    let key = key_of(&created);
    assert_eq!(created["staff_list"], serde_json::Value::Null);
    let till = pair(server.addr, &owner_device, "Till 2").await;
    let got = get_staff(server.addr, &till).await.json();
    assert_eq!(got["store_key"], created["store_key"]);
    assert_eq!(got["staff_list"], serde_json::Value::Null);
    assert_eq!(got["version"], 0);

    let store = Uuid::parse_str(&owner_device.store_id).unwrap();
    let first = StaffList::new(store, owner());
    // Not from a device that is not the owner's, not at another version, not with a PIN that
    // is not the one in the list.
    let reply = put_staff(server.addr, &till, OWNER, "1234", &first).await;
    assert_refused(&reply, 403, "not_permitted");
    let later = next(&first, |_| {});
    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &later).await;
    assert_refused(&reply, 403, "not_permitted");
    let reply = put_staff(server.addr, &owner_device, OWNER, "4321", &first).await;
    assert_refused(&reply, 403, "wrong_pin");
    assert_eq!(
        get_staff(server.addr, &till).await.json()["staff_list"],
        serde_json::Value::Null
    );

    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &first).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["version"], 1);
    let got = get_staff(server.addr, &till).await.json();
    assert_eq!(got["version"], 1);
    assert_eq!(list_of(&got, &key, &till.store_id), first);

    // Once there is a list, a first list again is an edit of it, and version 1 is stale.
    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &first).await;
    assert_refused(&reply, 409, "stale");
    server.stop().await;
}

#[tokio::test]
async fn the_store_key_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, dist) = (tmp.path().join("data"), tmp.path().join("dist"));
    let server = start(&data, &dist).await;
    let (owner_device, created) =
        create_store_with_owner(server.addr, server.setup_code.as_deref().unwrap()).await;
    // A store made without an owner gets its key when first asked; it must last as well.
    let body = store_body(&another_setup_code(&server.storage), None);
    let reply = send(server.addr, "POST", "/api/stores", &[], Some(&body)).await;
    let bare = Device::from_json(&reply.json());
    let bare_key = get_staff(server.addr, &bare).await.json()["store_key"].clone();
    server.stop().await;

    let server = start(&data, &dist).await;
    let got = get_staff(server.addr, &owner_device).await.json();
    assert_eq!(got["store_key"], created["store_key"]);
    assert_eq!(got["staff_list"], created["staff_list"]);
    assert_eq!(
        get_staff(server.addr, &bare).await.json()["store_key"],
        bare_key
    );
    // And what it signs after the restart verifies with the key the devices already hold.
    let key = key_of(&created);
    let v1 = list_of(&created, &key, &owner_device.store_id);
    let v2 = next(&v1, |l| {
        l.members
            .push(member(CASHIER, "Carl", Role::Cashier, &CASHIER_HASH))
    });
    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &v2).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(list_of(&reply.json(), &key, &owner_device.store_id), v2);
    server.stop().await;
}

/// Olga's free wrong PINs and the one after them, on renames from `device`: the locking reply.
async fn lock_out_olga(addr: std::net::SocketAddr, device: &Device) -> Reply {
    for _ in 0..FREE_ATTEMPTS {
        let reply = put_store(addr, device, OWNER, "9999", "Guessed").await;
        assert_refused(&reply, 403, "wrong_pin");
    }
    let locking = put_store(addr, device, OWNER, "9999", "Guessed").await;
    assert_refused(&locking, 429, "pin_locked");
    locking
}

#[tokio::test]
async fn a_pin_lock_outlasts_killing_and_restarting_the_server() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, dist) = (tmp.path().join("data"), tmp.path().join("dist"));
    let server = common::spawn(&data, &dist, true);
    let (owner_device, _) =
        create_store_with_owner(server.addr, server.setup_code.as_deref().unwrap()).await;
    lock_out_olga(server.addr, &owner_device).await;
    drop(server); // SIGKILL

    // The real binary on the real clock: the lock is still there, most of its 30 s ahead.
    let server = common::spawn(&data, &dist, false);
    let locked = put_store(server.addr, &owner_device, OWNER, "1234", "Renamed").await;
    assert_refused(&locked, 429, "pin_locked");
    let wait: i64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=FIRST_LOCK_MS / 1000).contains(&wait), "{wait}");
    assert_eq!(store_name(server.addr, &owner_device).await, "Corner Café");
}

#[tokio::test]
async fn a_pin_lock_held_across_a_restart_ends_on_time_and_the_next_one_is_longer() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, clock, owner_device, _) = store_of_olga(tmp.path()).await;
    lock_out_olga(server.addr, &owner_device).await;
    server.stop().await;

    let (data, dist) = (tmp.path().join("data"), tmp.path().join("dist"));
    let server = start_with_clock(&data, &dist, clock.clone()).await;
    clock.advance(Duration::from_millis(FIRST_LOCK_MS as u64 - 1));
    let locked = put_store(server.addr, &owner_device, OWNER, "1234", "Renamed").await;
    assert_refused(&locked, 429, "pin_locked");
    assert_eq!(locked.header("retry-after"), Some("1"));

    // The wrong PINs before the restart still count: one more locks for twice as long.
    clock.advance(Duration::from_millis(1));
    let locking = put_store(server.addr, &owner_device, OWNER, "9999", "Guessed").await;
    assert_refused(&locking, 429, "pin_locked");
    let twice = (2 * FIRST_LOCK_MS / 1000).to_string();
    assert_eq!(locking.header("retry-after"), Some(twice.as_str()));
    server.stop().await;

    // Once that lock is over, the right PIN works, and clears the count for the next start.
    let server = start_with_clock(&data, &dist, clock.clone()).await;
    clock.advance(Duration::from_millis(2 * FIRST_LOCK_MS as u64));
    let reply = put_store(server.addr, &owner_device, OWNER, "1234", "Renamed").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    server.stop().await;
    let server = start_with_clock(&data, &dist, clock).await;
    let reply = put_store(server.addr, &owner_device, OWNER, "9999", "Guessed").await;
    assert_refused(&reply, 403, "wrong_pin");
    assert!(error_of(&reply).contains(&format!("{FREE_ATTEMPTS} more wrong PINs")));
    server.stop().await;
}

#[tokio::test]
async fn a_body_over_a_mebibyte_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let server = start(&tmp.path().join("data"), &tmp.path().join("dist")).await;
    let code = server.setup_code.clone().unwrap();
    let owner_device = common::create_store(server.addr, &code, "S").await;
    // Only just over the limit, so the server has read the whole request when it answers and
    // closes (a socket closed on unread bytes is reset, and the reply could be lost).
    let body = serde_json::json!({ "editor": OWNER, "pin": "1".repeat(1024 * 1024), "list": {} });
    let auth = owner_device.bearer();
    let reply = send(
        server.addr,
        "PUT",
        "/api/staff",
        &[("Authorization", &auth)],
        Some(&body),
    )
    .await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert!(error_of(&reply).contains("too large"));
    server.stop().await;
}

// Renaming the store (`PUT /api/store`): authorised by the server's staff list like a staff edit.

async fn put_store(
    addr: std::net::SocketAddr,
    device: &Device,
    editor: Uuid,
    pin: &str,
    name: &str,
) -> Reply {
    let body = serde_json::json!({ "editor": editor, "pin": pin, "name": name });
    put(addr, device, "/api/store", body).await
}

/// The store's name as `GET /api/me` gives it to `device`.
async fn store_name(addr: std::net::SocketAddr, device: &Device) -> String {
    let auth = device.bearer();
    let reply = send(addr, "GET", "/api/me", &[("Authorization", &auth)], None).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    reply.json()["store_name"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_owner_renames_the_store_and_every_device_sees_the_name() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, _, owner_device, _) = store_of_olga(tmp.path()).await;
    let till = pair_as_olga(server.addr, &owner_device, "Till 2").await;
    assert_eq!(store_name(server.addr, &till).await, "Corner Café");

    // Sent from the owner's device, seen by the till; trimmed, and Cyrillic kept as typed.
    let reply = put_store(
        server.addr,
        &owner_device,
        OWNER,
        "1234",
        "  Шаурма у моста ",
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(
        reply.json(),
        serde_json::json!({ "store_name": "Шаурма у моста" })
    );
    assert_eq!(store_name(server.addr, &till).await, "Шаурма у моста");
    assert_eq!(
        store_name(server.addr, &owner_device).await,
        "Шаурма у моста"
    );

    // Any device of the store may send it: the PIN is what authorises it.
    let reply = put_store(server.addr, &till, OWNER, "1234", "Corner Café 2").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        store_name(server.addr, &owner_device).await,
        "Corner Café 2"
    );

    // Without a token: 401, and nothing changes.
    let body = serde_json::json!({ "editor": OWNER, "pin": "1234", "name": "Anyone's" });
    let reply = send(server.addr, "PUT", "/api/store", &[], Some(&body)).await;
    assert_eq!(reply.status, 401, "{}", reply.text());
    assert_eq!(store_name(server.addr, &till).await, "Corner Café 2");
    server.stop().await;
}

#[tokio::test]
async fn only_a_role_that_may_change_settings_renames_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let staffed = store_with_mia_and_carl(tmp.path()).await;
    let (server, till) = (&staffed.server, &staffed.till);

    for (editor, pin) in MAY_NOT_CHANGE_SETTINGS {
        let reply = put_store(server.addr, till, editor, pin, "Mia's Café").await;
        assert_refused(&reply, 403, "not_permitted");
        assert!(error_of(&reply).contains("change settings"));
    }
    assert_eq!(store_name(server.addr, till).await, "Corner Café");

    // Once the owner lets managers change settings, Mia may rename the store.
    let v3 = staffed
        .edit_list(&staffed.list, let_managers_change_settings)
        .await;
    let reply = put_store(server.addr, till, MANAGER, "2222", "Mia's Café").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        store_name(server.addr, &staffed.owner_device).await,
        "Mia's Café"
    );

    // And a manager who has left may not.
    staffed.edit_list(&v3, mia_leaves).await;
    let reply = put_store(server.addr, till, MANAGER, "2222", "Mia's Own Café").await;
    assert_refused(&reply, 403, "not_permitted");
    assert_eq!(store_name(server.addr, till).await, "Mia's Café");
    staffed.server.stop().await;
}

#[tokio::test]
async fn wrong_pins_for_a_rename_and_a_staff_edit_add_up_to_one_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, clock, owner_device, v1) = store_of_olga(tmp.path()).await;
    let v2 = next(&v1, |_| {});

    // Half the free wrong PINs on a rename, half on a staff edit: the edit's last one is the
    // last free one of both together.
    let half = FREE_ATTEMPTS / 2;
    for _ in 0..half {
        let reply = put_store(server.addr, &owner_device, OWNER, "9999", "Guessed").await;
        assert_refused(&reply, 403, "wrong_pin");
        assert!(error_of(&reply).contains("Wrong PIN"));
    }
    let mut said = String::new();
    for _ in half..FREE_ATTEMPTS {
        let reply = put_staff(server.addr, &owner_device, OWNER, "9999", &v2).await;
        assert_refused(&reply, 403, "wrong_pin");
        said = error_of(&reply);
    }
    assert!(said.contains("One more wrong PIN locks"), "{said}");
    assert_eq!(store_name(server.addr, &owner_device).await, "Corner Café");

    // The next wrong PIN, on a rename, locks the owner for both: even the right PIN waits.
    let locking = put_store(server.addr, &owner_device, OWNER, "9999", "Guessed").await;
    assert_refused(&locking, 429, "pin_locked");
    let lock_secs = (FIRST_LOCK_MS / 1000).to_string();
    assert_eq!(locking.header("retry-after"), Some(lock_secs.as_str()));
    let locked = put_staff(server.addr, &owner_device, OWNER, "1234", &v2).await;
    assert_refused(&locked, 429, "pin_locked");
    let locked = put_store(server.addr, &owner_device, OWNER, "1234", "Renamed").await;
    assert_refused(&locked, 429, "pin_locked");
    assert!(locked.header("retry-after").is_some());
    assert!(error_of(&locked).contains("Try again in 30 seconds"));
    assert_eq!(store_name(server.addr, &owner_device).await, "Corner Café");

    clock.advance(Duration::from_millis(FIRST_LOCK_MS as u64));
    let reply = put_store(server.addr, &owner_device, OWNER, "1234", "Renamed").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(store_name(server.addr, &owner_device).await, "Renamed");
    server.stop().await;
}

#[tokio::test]
async fn a_name_that_is_empty_too_long_or_not_on_one_line_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, _, owner_device, _) = store_of_olga(tmp.path()).await;
    let too_long = "Ш".repeat(101);
    for (name, says) in [
        ("", "Enter the store's name"),
        ("   ", "Enter the store's name"),
        (too_long.as_str(), "at most 100 characters"),
        ("Corner\nCafé", "control characters"),
    ] {
        // With a wrong PIN: the name is refused before the PIN is checked or counted.
        let reply = put_store(server.addr, &owner_device, OWNER, "9999", name).await;
        assert_eq!(reply.status, 400, "{}", reply.text());
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert!(error_of(&reply).contains(says), "{}", reply.text());
    }
    assert_eq!(store_name(server.addr, &owner_device).await, "Corner Café");
    // 100 characters are enough, and no wrong PIN was counted above.
    let longest = "Ш".repeat(100);
    let reply = put_store(server.addr, &owner_device, OWNER, "1234", &longest).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(store_name(server.addr, &owner_device).await, longest);
    server.stop().await;
}

#[tokio::test]
async fn a_store_without_a_staff_list_cannot_be_renamed() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, owner_device, _) = store_without_staff(tmp.path()).await;

    // Not even from the owner's device: there is no one to check the PIN against.
    let reply = put_store(server.addr, &owner_device, OWNER, "1234", "Renamed").await;
    assert_refused(&reply, 403, "not_permitted");
    assert!(error_of(&reply).contains("Set up staff first"));
    assert_eq!(store_name(server.addr, &owner_device).await, "Corner Café");

    // Once its owner sets up the first list, the owner may.
    let store = Uuid::parse_str(&owner_device.store_id).unwrap();
    let first = StaffList::new(store, owner());
    let reply = put_staff(server.addr, &owner_device, OWNER, "1234", &first).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = put_store(server.addr, &owner_device, OWNER, "1234", "Renamed").await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(store_name(server.addr, &owner_device).await, "Renamed");
    server.stop().await;
}

// Pairing and removing devices: with a staff list, authorised by a member's PIN, not the device.

#[tokio::test]
async fn with_staff_any_device_pairs_and_removes_devices_with_the_pin_of_a_member_who_may() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, _, owner_device, _) = store_of_olga(tmp.path()).await;

    // The owner's device alone, without a PIN, pairs nothing.
    for body in [
        None,
        Some(serde_json::json!({})),
        Some(serde_json::json!({ "staff": OWNER })),
    ] {
        let reply = ask_pairing_code(server.addr, &owner_device, body.clone()).await;
        assert_eq!(reply.status, 400, "{body:?}: {}", reply.text());
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert!(error_of(&reply).contains("PIN"), "{}", reply.text());
    }

    // With Olga's PIN, the owner's device pairs a till, and the till (not an owner's device)
    // pairs a third device.
    let reply = ask_pairing_code(server.addr, &owner_device, Some(pin_of(OWNER, "1234"))).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let reply = common::try_pair(
        server.addr,
        reply.json()["code"].as_str().unwrap(),
        "Till 2",
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let till = Device::from_json(&reply.json());
    assert_eq!(till.role, "device");
    let third = pair_as_olga(server.addr, &till, "Till 3").await;
    assert_eq!(third.store_id, owner_device.store_id);

    // Any device lists the store's devices, without a PIN.
    let reply = list_devices(server.addr, &third).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let names: Vec<_> = reply.json()["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Owner's tablet", "Till 2", "Till 3"]);

    // The till removes the third device with Olga's PIN; without a PIN it could not.
    let reply = remove_device(server.addr, &till, &third, None).await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    let reply = remove_device(server.addr, &till, &third, Some(pin_of(OWNER, "1234"))).await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(get_staff(server.addr, &third).await.status, 401);

    // A device cannot remove itself, even with the PIN (and the PIN is not checked).
    let reply = remove_device(server.addr, &till, &till, Some(pin_of(OWNER, "9999"))).await;
    assert_eq!(reply.status, 403, "{}", reply.text());
    assert!(error_of(&reply).contains("itself"));

    // A lost owner's device is removed from the till (issue 11).
    let reply = remove_device(
        server.addr,
        &till,
        &owner_device,
        Some(pin_of(OWNER, "1234")),
    )
    .await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    assert_eq!(get_staff(server.addr, &owner_device).await.status, 401);
    let reply = ask_pairing_code(server.addr, &owner_device, Some(pin_of(OWNER, "1234"))).await;
    assert_eq!(reply.status, 401, "{}", reply.text());
    let reply = list_devices(server.addr, &till).await;
    let revoked: Vec<_> = reply.json()["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["revoked"].as_bool().unwrap())
        .collect();
    assert_eq!(revoked, [true, false, true]);
    server.stop().await;
}

#[tokio::test]
async fn only_a_member_whose_role_may_change_settings_pairs_or_removes_a_device() {
    let tmp = tempfile::tempdir().unwrap();
    let staffed = store_with_mia_and_carl(tmp.path()).await;
    let (server, till) = (&staffed.server, &staffed.till);
    let third = pair_as_olga(server.addr, &staffed.owner_device, "Till 3").await;

    for (staff, pin) in MAY_NOT_CHANGE_SETTINGS {
        let reply = ask_pairing_code(server.addr, till, Some(pin_of(staff, pin))).await;
        assert_refused(&reply, 403, "not_permitted");
        assert!(error_of(&reply).contains("change settings"));
        let reply = remove_device(server.addr, till, &third, Some(pin_of(staff, pin))).await;
        assert_refused(&reply, 403, "not_permitted");
    }
    assert_eq!(get_staff(server.addr, &third).await.status, 200);

    // Once the owner lets managers change settings, Mia may.
    let v3 = staffed
        .edit_list(&staffed.list, let_managers_change_settings)
        .await;
    let reply = ask_pairing_code(server.addr, till, Some(pin_of(MANAGER, "2222"))).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let reply = remove_device(server.addr, till, &third, Some(pin_of(MANAGER, "2222"))).await;
    assert_eq!(reply.status, 204, "{}", reply.text());

    // And a manager who has left may not.
    staffed.edit_list(&v3, mia_leaves).await;
    let reply = ask_pairing_code(server.addr, till, Some(pin_of(MANAGER, "2222"))).await;
    assert_refused(&reply, 403, "not_permitted");
    staffed.server.stop().await;
}

#[tokio::test]
async fn wrong_pins_for_devices_count_toward_the_one_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, clock, owner_device, _) = store_of_olga(tmp.path()).await;
    let till = pair_as_olga(server.addr, &owner_device, "Till 2").await;
    let third = pair_as_olga(server.addr, &owner_device, "Till 3").await;

    // The free wrong PINs spread over a pairing code, a removal and a rename.
    let wrong = || Some(pin_of(OWNER, "9999"));
    let mut said = String::new();
    for n in 0..FREE_ATTEMPTS {
        let reply = match n % 3 {
            0 => ask_pairing_code(server.addr, &till, wrong()).await,
            1 => remove_device(server.addr, &till, &third, wrong()).await,
            _ => put_store(server.addr, &till, OWNER, "9999", "Guessed").await,
        };
        assert_refused(&reply, 403, "wrong_pin");
        said = error_of(&reply);
    }
    assert!(said.contains("One more wrong PIN locks"), "{said}");
    assert_eq!(get_staff(server.addr, &third).await.status, 200);

    // The next wrong PIN, on a pairing code, locks Olga everywhere: even the right PIN waits.
    let locking = ask_pairing_code(server.addr, &owner_device, wrong()).await;
    assert_refused(&locking, 429, "pin_locked");
    let lock_secs = (FIRST_LOCK_MS / 1000).to_string();
    assert_eq!(locking.header("retry-after"), Some(lock_secs.as_str()));
    let right = || Some(pin_of(OWNER, "1234"));
    let locked = remove_device(server.addr, &till, &third, right()).await;
    assert_refused(&locked, 429, "pin_locked");
    assert!(locked.header("retry-after").is_some());
    assert!(error_of(&locked).contains("Try again in 30 seconds"));
    let locked = put_store(server.addr, &till, OWNER, "1234", "Renamed").await;
    assert_refused(&locked, 429, "pin_locked");
    assert_eq!(get_staff(server.addr, &third).await.status, 200);

    clock.advance(Duration::from_millis(FIRST_LOCK_MS as u64));
    let reply = ask_pairing_code(server.addr, &till, right()).await;
    assert_eq!(reply.status, 201, "{}", reply.text());
    let reply = remove_device(server.addr, &till, &third, right()).await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    server.stop().await;
}

#[tokio::test]
async fn without_a_staff_list_only_the_owners_device_pairs_and_removes_devices() {
    let tmp = tempfile::tempdir().unwrap();
    let (server, owner_device, _) = store_without_staff(tmp.path()).await;

    // The owner's device as before: `{}` (what the app sends), no body, or a PIN it ignores.
    for body in [
        Some(serde_json::json!({})),
        None,
        Some(pin_of(OWNER, "9999")),
    ] {
        let reply = ask_pairing_code(server.addr, &owner_device, body.clone()).await;
        assert_eq!(reply.status, 201, "{body:?}: {}", reply.text());
    }
    let till = pair(server.addr, &owner_device, "Till 2").await;
    let third = pair(server.addr, &owner_device, "Till 3").await;

    // Any other device, as before: 403, with or without a PIN.
    for body in [Some(serde_json::json!({})), Some(pin_of(OWNER, "1234"))] {
        let reply = ask_pairing_code(server.addr, &till, body.clone()).await;
        assert_eq!(reply.status, 403, "{body:?}: {}", reply.text());
        assert!(error_of(&reply).contains("owner's device"));
        let reply = remove_device(server.addr, &till, &third, body).await;
        assert_eq!(reply.status, 403, "{}", reply.text());
    }
    assert_eq!(list_devices(server.addr, &till).await.status, 403);
    assert_eq!(list_devices(server.addr, &owner_device).await.status, 200);
    let reply = remove_device(server.addr, &owner_device, &third, None).await;
    assert_eq!(reply.status, 204, "{}", reply.text());
    assert_eq!(get_staff(server.addr, &third).await.status, 401);
    server.stop().await;
}
