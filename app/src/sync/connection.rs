//! The WebSocket to the server: connecting with backoff, noticing a revoked device, and handing
//! what arrives to core's `SyncClient`.

use super::*;

pub(super) fn connect(shared: &SharedEngine) {
    let (url, protocols, stopped) = {
        let engine = shared.borrow();
        (
            sync_url(),
            sync_protocols(&engine.membership.device_token),
            engine.stopped,
        )
    };
    if stopped {
        return;
    }
    let Some(url) = url else { return };
    let Ok(socket) = web_sys::WebSocket::new_with_str_sequence(&url, &protocols) else {
        schedule_reconnect(shared);
        return;
    };
    socket.set_binary_type(web_sys::BinaryType::Arraybuffer);

    let on_open = {
        let shared = shared.clone();
        Closure::<dyn FnMut()>::new(move || {
            let join = shared.borrow_mut().client.connect();
            send(&shared, &join);
        })
    };
    let on_message = {
        let shared = shared.clone();
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            if let Ok(buffer) = event.data().dyn_into::<js_sys::ArrayBuffer>() {
                receive(&shared, &js_sys::Uint8Array::new(&buffer).to_vec());
            }
        })
    };
    let on_close = {
        let shared = shared.clone();
        Closure::<dyn FnMut()>::new(move || closed(&shared))
    };
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    // The socket owns its handlers for its life; they are dropped with the page.
    on_open.forget();
    on_message.forget();
    on_close.forget();
    shared.borrow_mut().socket = Some(socket);
}

pub(super) fn send(shared: &SharedEngine, bytes: &[u8]) {
    let engine = shared.borrow();
    if let Some(socket) = &engine.socket {
        if socket.ready_state() == web_sys::WebSocket::OPEN {
            let _ = socket.send_with_u8_array(bytes);
        }
    }
}

pub(super) fn closed(shared: &SharedEngine) {
    let was_ready = {
        let mut engine = shared.borrow_mut();
        let was_ready = engine.client.is_ready();
        engine.client.disconnected();
        engine.socket = None;
        if was_ready {
            engine.retry_ms = RETRY_FIRST_MS;
            engine.failures_in_a_row = 0;
        } else {
            engine.failures_in_a_row += 1;
        }
        was_ready
    };
    set_status(shared, |s| s.link = SyncLink::Offline);
    if !was_ready && shared.borrow().failures_in_a_row >= 2 {
        check_still_enrolled(shared);
    }
    schedule_reconnect(shared);
}

/// A socket refused over and over may mean the owner revoked this device: ask the API, which
/// says so plainly, and stop retrying if so.
pub(super) fn check_still_enrolled(shared: &SharedEngine) {
    let shared = shared.clone();
    let token = shared.borrow().membership.device_token.clone();
    spawn_local(async move {
        if let Ok(false) = api::token_valid(&token).await {
            shared.borrow_mut().stopped = true;
            set_status(&shared, |s| s.link = SyncLink::Removed);
        }
    });
}

pub(super) fn schedule_reconnect(shared: &SharedEngine) {
    let delay = {
        let mut engine = shared.borrow_mut();
        if engine.stopped {
            return;
        }
        let delay = engine.retry_ms;
        engine.retry_ms = (engine.retry_ms * 2).min(RETRY_MAX_MS);
        // Jitter, so that devices that lost the server together do not return in lockstep.
        delay + (js_sys::Math::random() * f64::from(delay) / 4.0) as u32
    };
    let shared = shared.clone();
    set_timeout(
        move || {
            if shared.borrow().socket.is_none() {
                connect(&shared);
            }
        },
        Duration::from_millis(u64::from(delay)),
    );
}

/// Reconnects at once when the browser says the network is back.
pub(super) fn listen_for_network(shared: &SharedEngine) {
    // The page's window or the worker's scope: both hear the browser's `online`.
    let scope: web_sys::EventTarget = js_sys::global().unchecked_into();
    let shared = shared.clone();
    let on_online = Closure::<dyn FnMut()>::new(move || {
        shared.borrow_mut().retry_ms = RETRY_FIRST_MS;
        if shared.borrow().socket.is_none() {
            connect(&shared);
        }
    });
    let _ = scope.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
    on_online.forget();
}

pub(super) fn receive(shared: &SharedEngine, bytes: &[u8]) {
    let incoming = shared.borrow_mut().client.receive(bytes);
    match incoming {
        Ok(Incoming::Ready) => {
            set_status(shared, |s| {
                s.link = SyncLink::Online;
                s.error = None;
            });
            let ids = shared.borrow().docs.ids();
            flush(shared, &ids);
        }
        Ok(Incoming::Sync { document, message }) => {
            let role = {
                let mut guard = shared.borrow_mut();
                let engine = &mut *guard;
                let Some(doc) = engine.docs.doc_mut(document) else {
                    return;
                };
                let before = doc.get_heads();
                if let Err(err) = engine.client.apply(document, doc, message) {
                    web_sys::console::warn_1(&err.to_string().into());
                    return;
                }
                let changed = doc.get_heads() != before;
                let role = engine.docs.role(document);
                if changed && role == Some(Role::OtherDay) {
                    engine.changed_days.insert(document);
                }
                changed.then_some(role).flatten()
            };
            flush(shared, &[document]);
            if let Some(role) = role {
                publish_store(shared, &[role]);
                if role == Role::Settings && shared.borrow().awaiting_settings {
                    claim_device_code_when_settings_arrive(shared);
                }
                if role == Role::Index {
                    open_new_days(shared);
                }
            }
            schedule_save(shared);
        }
        Ok(Incoming::Unavailable(document)) => {
            web_sys::console::warn_1(
                &format!("the server will not share document {document}").into(),
            );
        }
        Ok(Incoming::ServerError(message)) => {
            set_status(shared, |s| s.error = Some(message));
        }
        Ok(Incoming::Ignored) => {}
        Err(err) => {
            set_status(shared, |s| s.error = Some(err.to_string()));
        }
    }
    schedule_status(shared);
}
