//! This device's entry in the store's settings: a receipt-number prefix no other device uses.

use super::*;

/// Enters this device in the store's settings with a receipt-number prefix no other device of
/// the store uses, so receipt numbers stay unique across the store. Runs once the settings are
/// known (at once for the owner; for a joining device, when they arrive).
pub fn claim_device_code(shared: &SharedEngine) {
    let shared = shared.clone();
    spawn_local(async move {
        let (mut code, storage, taken) = {
            let mut engine = shared.borrow_mut();
            engine.awaiting_settings = false;
            let me = engine.membership.device_id;
            let taken: BTreeSet<String> = engine
                .docs
                .device_codes()
                .into_iter()
                .filter(|(id, _)| *id != me)
                .map(|(_, c)| c)
                .collect();
            (engine.device_code.clone(), engine.storage.clone(), taken)
        };
        if taken.contains(&code) {
            code = std::iter::repeat_with(crate::new_device_code)
                .find(|c| !taken.contains(c))
                .unwrap_or(code);
            if let Err(e) = storage.set_device_code(code.clone()).await {
                return tell(&shared, FromEngine::NotSaved(e.to_string()));
            }
            shared.borrow_mut().device_code = code.clone();
            tell(&shared, FromEngine::DeviceCode(code.clone()));
        }
        // The prefix is chosen against every code the store's settings list, so sales may carry
        // it now; the entry that tells the other devices follows (and may fail on a full disk
        // without holding the till up).
        tell(&shared, FromEngine::ReceiptPrefixPending(false));
        register_device(&shared, &code);
    });
}

/// Waits for the store's settings before entering this device in them (a joining device).
pub fn claim_device_code_when_settings_arrive(shared: &SharedEngine) {
    // Until the prefix is claimed a sale could carry another device's receipt numbers.
    tell(shared, FromEngine::ReceiptPrefixPending(true));
    let ready = shared.borrow_mut().docs.store_profile().is_some();
    if ready {
        claim_device_code(shared);
    } else {
        shared.borrow_mut().awaiting_settings = true;
    }
}

/// This device's entry in the store's settings (its name and receipt-number prefix).
pub(super) fn register_device(shared: &SharedEngine, code: &str) {
    let entry = {
        let engine = shared.borrow();
        DeviceEntry {
            id: engine.membership.device_id,
            name: engine.membership.device_name.clone(),
            code: code.to_owned(),
            revoked: false,
        }
    };
    let shared = shared.clone();
    spawn_local(async move {
        if let Err(reason) = edit(&shared, &[Role::Settings], |docs| docs.put_device(&entry)).await
        {
            tell(&shared, FromEngine::NotSaved(reason));
        }
    });
}
