//! Staff at the till: the lock screen that asks who is there and their PIN, the name and "Switch"
//! in the header, and the dialog that asks a manager's PIN for a protected action.

use leptos::prelude::*;
use pos_core::Uuid;
use pos_core::staff::{Permission, Role, StaffMember};

use crate::i18n::Msg;
use crate::state::AppState;

/// The member picked and the PIN typed, shared by the lock screen and the approval dialog.
#[component]
fn PinPad(
    members: Signal<Vec<StaffMember>>,
    submit: Callback<(Uuid, String)>,
    testid: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let picked: RwSignal<Option<Uuid>> = RwSignal::new(None);
    let pin = RwSignal::new(String::new());
    // The one member there is needs no picking.
    Effect::new(move |_| {
        let all = members.get();
        if all.len() == 1 {
            picked.set(Some(all[0].id));
        }
    });
    let go = move || {
        let Some(member) = picked.get_untracked() else {
            return state.error(Msg::StaffPickSomeone);
        };
        submit.run((member, pin.get_untracked()));
        pin.set(String::new());
    };
    view! {
        <div class="staff-pick" role="group" aria-label=move || state.t(Msg::StaffWho)>
            <For each=move || members.get() key=|m| m.id let:m>
                {
                    let id = m.id;
                    view! {
                        <button
                            type="button"
                            class="staff-member"
                            class:active=move || picked.get() == Some(id)
                            aria-pressed=move || (picked.get() == Some(id)).to_string()
                            data-testid="staff-pick"
                            on:click=move |_| picked.set(Some(id))
                        >
                            {m.name.clone()}
                        </button>
                    }
                }
            </For>
        </div>
        <form class="pin-form" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); go() }>
            <label>
                {move || state.t(Msg::StaffPin)}
                <input
                    type="password"
                    inputmode="numeric"
                    autocomplete="off"
                    maxlength="6"
                    data-testid=testid
                    prop:value=move || pin.get()
                    on:input=move |ev| pin.set(event_target_value(&ev))
                />
            </label>
            <button type="submit" class="primary" data-testid=format!("{testid}-ok")>{move || state.t(Msg::StaffSignIn)}</button>
        </form>
    }
}

/// Over everything while the till is locked: nothing behind it can be touched, and the open
/// ticket waits under it for whoever signs in.
#[component]
pub fn LockScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    let members = Signal::derive(move || {
        state.staff.list.with(|l| {
            l.as_ref()
                .map(|l| l.active().cloned().collect())
                .unwrap_or_default()
        })
    });
    let submit =
        Callback::new(
            move |(member, pin): (Uuid, String)| match state.sign_in(member, &pin) {
                Ok(()) => state.notice.set(None),
                Err(refusal) => state.notice.set(Some(refusal.notice())),
            },
        );
    view! {
        <Show when=move || state.staff.locked.get()>
            <div class="overlay lock">
                <div class="dialog lock-screen" role="dialog" aria-modal="true" data-testid="lock-screen">
                    <h2>{move || state.t(Msg::StaffLockTitle)}</h2>
                    <super::NoticeBar />
                    <PinPad members submit testid="lock-pin" />
                </div>
            </div>
        </Show>
    }
}

/// The member at the till, and "Switch" to hand the till (and its open ticket) to another.
#[component]
pub fn StaffBadge() -> impl IntoView {
    let state = expect_context::<AppState>();
    let signs_in = move || {
        state
            .staff
            .list
            .with(|l| l.as_ref().is_some_and(|l| l.active().count() > 1))
    };
    view! {
        {move || state.staff.member().map(|m| view! {
            <span class="staff-badge" data-testid="staff-current">{m.name}</span>
        })}
        <Show when=signs_in>
            <button class="nav" data-testid="switch-staff" on:click=move |_| state.switch_staff()>
                {move || state.t(Msg::StaffSwitch)}
            </button>
        </Show>
    }
}

/// Asks for the PIN of a member who may take the protected action the member at the till may not.
#[component]
pub fn ApprovalDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let members = Signal::derive(move || state.approvers());
    let submit = Callback::new(move |(member, pin): (Uuid, String)| {
        match state.approve_with(member, &pin) {
            Ok(()) => {}
            Err(refusal) => state.notice.set(Some(refusal.notice())),
        }
    });
    view! {
        {move || state.staff.asking.get().map(|permission| view! {
            <div class="overlay">
                <div class="dialog approval" role="dialog" aria-modal="true" data-testid="approval">
                    <h2>{move || state.t(Msg::StaffApprovalTitle)}</h2>
                    <p data-testid="approval-what">{move || state.t(permission_msg(permission))}</p>
                    <super::NoticeBar />
                    <Show
                        when=move || !members.with(Vec::is_empty)
                        fallback=move || view! { <p>{move || state.t(Msg::StaffNoApprover)}</p> }
                    >
                        <PinPad members submit testid="approval-pin" />
                    </Show>
                    <button data-testid="approval-cancel" on:click=move |_| state.cancel_approval()>{move || state.t(Msg::Cancel)}</button>
                </div>
            </div>
        })}
    }
}

/// What a permission lets its holder do, in words.
pub fn permission_msg(permission: Permission) -> Msg {
    match permission {
        Permission::DiscountAboveLimit => Msg::PermDiscount,
        Permission::Refund => Msg::PermRefund,
        Permission::RefundToCash => Msg::PermRefundToCash,
        Permission::NoSale => Msg::PermNoSale,
        Permission::VoidSentLine => Msg::PermVoidSentLine,
        Permission::VoidSale => Msg::PermVoidSale,
        Permission::ManageGiftCards => Msg::PermManageGiftCards,
        Permission::SellGiftCards => Msg::PermSellGiftCards,
        Permission::ForceGiftCardOps => Msg::PermForceGiftCardOps,
        Permission::PriceOverride => Msg::PermPriceOverride,
        Permission::EditCatalog => Msg::PermEditCatalog,
        Permission::EditStaff => Msg::PermEditStaff,
        Permission::SeeReports => Msg::PermSeeReports,
        Permission::CloseShift => Msg::PermCloseShift,
        Permission::ChangeSettings => Msg::PermChangeSettings,
    }
}

/// A role's name: the built-in ones translated, the owner's own as they named them.
pub fn role_name(state: &AppState, role: Role) -> String {
    match role {
        Role::Owner => state.t(Msg::RoleNameOwner).to_string(),
        Role::Manager => state.t(Msg::RoleManager).to_string(),
        Role::Cashier => state.t(Msg::RoleCashier).to_string(),
        Role::Custom(_) => state
            .staff
            .list
            .with_untracked(|l| {
                l.as_ref()
                    .and_then(|l| l.matrix.role_name(role).map(str::to_owned))
            })
            .unwrap_or_else(|| state.t(Msg::RoleUnknown).to_string()),
    }
}
