//! The staff section of the settings: the members with their roles and PINs, what each role may
//! do, when the till locks, the time clock, and the audit log with its filters and CSV export.
//! Every change goes to the server with the PIN of the member at the till (`save_staff_list`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::Uuid;
use pos_core::staff::{
    AuditAction, AuditEntry, CustomRole, Permission, Role, StaffList, StaffMember, TimeClock,
};

use super::staff::{permission_msg, role_name};
use crate::i18n::{self, Msg};
use crate::state::staff::new_pin_hash;
use crate::state::{AppState, Notice};
use crate::sync::protocol::AUDIT_MAX_DAYS;

const DAY_MS: i64 = 86_400_000;

#[component]
pub fn StaffSetting() -> impl IntoView {
    let state = expect_context::<AppState>();
    let has_list = move || state.staff.list.with(Option::is_some);
    view! {
        <Show when=move || state.membership.with(Option::is_some)>
            <div class="setting" data-testid="staff-setting">
                <h3>{move || state.t(Msg::StaffSection)}</h3>
                <Show when=has_list fallback=FirstOwner>
                    <Members />
                    <Show when=move || state.staff.member().is_some_and(|m| m.role == Role::Owner)>
                        <RolesAndLock />
                    </Show>
                    <Clock />
                    <AuditLog />
                </Show>
            </div>
        </Show>
    }
}

/// A store from before staff existed: the owner's device names the owner and sets their PIN.
#[component]
fn FirstOwner() -> impl IntoView {
    let state = expect_context::<AppState>();
    let owner = move || {
        state
            .membership
            .with(|m| m.as_ref().is_some_and(|m| m.is_owner()))
    };
    let name = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name.get_untracked().trim().is_empty() {
            return state.error(Msg::StaffNameMissing);
        }
        busy.set(true);
        spawn_local(async move {
            match state
                .first_staff_list(&name.get_untracked(), &pin.get_untracked())
                .await
            {
                Ok(()) => state
                    .notice
                    .set(Some(crate::state::Notice::Info(Msg::StaffSaved))),
                Err(notice) => state.notice.set(Some(notice)),
            }
            busy.set(false);
        });
    };
    view! {
        <Show when=owner fallback=move || view! { <p>{move || state.t(Msg::StaffNoneYet)}</p> }>
            <p>{move || state.t(Msg::StaffFirstOwnerHint)}</p>
            <form on:submit=submit>
                <label>{move || state.t(Msg::StaffName)}
                    <input type="text" data-testid="first-owner-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>{move || state.t(Msg::StaffPin)}
                    <input type="password" inputmode="numeric" data-testid="first-owner-pin" prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="primary" data-testid="first-owner-save" disabled=move || busy.get()>{move || state.t(Msg::Save)}</button>
            </form>
        </Show>
    }
}

/// Applies `change` to a copy of the list as the next version and sends it with `pin`.
fn save(
    state: AppState,
    pin: String,
    change: impl FnOnce(&mut StaffList) -> Result<(), Msg> + 'static,
) {
    let Some(mut next) = state.staff.list.get_untracked() else {
        return;
    };
    if let Err(msg) = change(&mut next) {
        return state.error(msg);
    }
    next.version += 1;
    spawn_local(async move {
        match state.save_staff_list(next, &pin).await {
            Ok(()) => state
                .notice
                .set(Some(crate::state::Notice::Info(Msg::StaffSaved))),
            Err(notice) => state.notice.set(Some(notice)),
        }
    });
}

fn roles(list: &StaffList) -> Vec<Role> {
    let mut roles = vec![Role::Owner, Role::Manager, Role::Cashier];
    roles.extend(list.matrix.custom.keys().map(|id| Role::Custom(*id)));
    roles
}

fn role_tag(role: Role) -> String {
    match role {
        Role::Owner => "owner".into(),
        Role::Manager => "manager".into(),
        Role::Cashier => "cashier".into(),
        Role::Custom(id) => id.to_string(),
    }
}

fn role_of_tag(tag: &str) -> Option<Role> {
    match tag {
        "owner" => Some(Role::Owner),
        "manager" => Some(Role::Manager),
        "cashier" => Some(Role::Cashier),
        other => other.parse().ok().map(Role::Custom),
    }
}

/// The members, and the form that adds one or changes one.
#[component]
fn Members() -> impl IntoView {
    let state = expect_context::<AppState>();
    let may_edit = move || state.staff.may(Permission::EditStaff);
    // The member being changed; `None` adds one.
    let editing: RwSignal<Option<Uuid>> = RwSignal::new(None);
    let name = RwSignal::new(String::new());
    let role = RwSignal::new("cashier".to_string());
    let pin = RwSignal::new(String::new());
    let active = RwSignal::new(true);
    let confirm = RwSignal::new(String::new());
    let edit = move |m: StaffMember| {
        editing.set(Some(m.id));
        name.set(m.name);
        role.set(role_tag(m.role));
        pin.set(String::new());
        active.set(m.active);
    };
    let clear = move || {
        editing.set(None);
        name.set(String::new());
        role.set("cashier".into());
        pin.set(String::new());
        active.set(true);
        confirm.set(String::new());
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, name_now, role_now, new_pin, active_now) = (
            editing.get_untracked(),
            name.get_untracked().trim().to_string(),
            role_of_tag(&role.get_untracked()),
            pin.get_untracked(),
            active.get_untracked(),
        );
        if name_now.is_empty() {
            return state.error(Msg::StaffNameMissing);
        }
        let Some(role_now) = role_now else { return };
        let hash = if new_pin.is_empty() {
            if id.is_none() {
                return state.error(Msg::StaffPinFormat);
            }
            None
        } else {
            match new_pin_hash(&new_pin) {
                Ok(hash) => Some(hash),
                Err(notice) => return state.notice.set(Some(notice)),
            }
        };
        save(state, confirm.get_untracked(), move |list| {
            match id.and_then(|id| list.members.iter_mut().find(|m| m.id == id)) {
                Some(m) => {
                    m.name = name_now;
                    m.role = role_now;
                    m.active = active_now;
                    if let Some(hash) = hash {
                        m.pin_hash = hash;
                    }
                }
                None => list.members.push(StaffMember {
                    id: Uuid::now_v7(),
                    name: name_now,
                    role: role_now,
                    pin_hash: hash.ok_or(Msg::StaffPinFormat)?,
                    active: true,
                }),
            }
            Ok(())
        });
        clear();
    };
    view! {
        <table class="staff-list" data-testid="staff-list">
            <tbody>
                {move || state.staff.list.get().map(|list| list.members.into_iter().map(|m| {
                    let shown = m.clone();
                    let role = role_name(&state, m.role);
                    view! {
                        <tr data-testid="staff-row" class:inactive=!m.active>
                            <td>{m.name.clone()}</td>
                            <td data-testid="staff-role">{role}</td>
                            <td>{(!m.active).then(|| state.t(Msg::StaffInactive))}</td>
                            <td>
                                <Show when=may_edit>
                                    {
                                        let shown = shown.clone();
                                        view! { <button data-testid="staff-edit" on:click=move |_| edit(shown.clone())>{move || state.t(Msg::Edit)}</button> }
                                    }
                                </Show>
                            </td>
                        </tr>
                    }
                }).collect_view())}
            </tbody>
        </table>
        <Show when=may_edit fallback=move || view! { <p class="note">{move || state.t(Msg::StaffAskOwner)}</p> }>
            <form class="staff-form" on:submit=submit data-testid="staff-form">
                <h4>{move || state.t(if editing.get().is_some() { Msg::StaffChange } else { Msg::StaffAdd })}</h4>
                <label>{move || state.t(Msg::StaffName)}
                    <input type="text" data-testid="staff-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label>{move || state.t(Msg::StaffRole)}
                    <select data-testid="staff-role-select" on:change=move |ev| role.set(event_target_value(&ev))>
                        {move || state.staff.list.get().map(|list| roles(&list).into_iter().map(|r| {
                            let tag = role_tag(r);
                            let selected = { let tag = tag.clone(); move || role.get() == tag };
                            view! { <option value=tag selected=selected>{role_name(&state, r)}</option> }
                        }).collect_view())}
                    </select>
                </label>
                <label>{move || state.t(if editing.get().is_some() { Msg::StaffNewPinOptional } else { Msg::StaffPin })}
                    <input type="password" inputmode="numeric" maxlength="6" data-testid="staff-pin" prop:value=move || pin.get() on:input=move |ev| pin.set(event_target_value(&ev)) />
                </label>
                <Show when=move || editing.get().is_some()>
                    <label class="check">
                        <input type="checkbox" data-testid="staff-active" prop:checked=move || active.get() on:change=move |ev| active.set(event_target_checked(&ev)) />
                        {move || state.t(Msg::StaffActive)}
                    </label>
                </Show>
                <label>{move || state.t(Msg::StaffConfirmPin)}
                    <input type="password" inputmode="numeric" maxlength="6" data-testid="staff-confirm-pin" prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev)) />
                </label>
                <button type="submit" class="primary" data-testid="staff-save">{move || state.t(Msg::Save)}</button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" on:click=move |_| clear()>{move || state.t(Msg::Cancel)}</button>
                </Show>
            </form>
        </Show>
    }
}

/// The owner's part: what each role may do, the discount limit, roles of their own, and after
/// how many idle minutes the till locks.
#[component]
fn RolesAndLock() -> impl IntoView {
    let state = expect_context::<AppState>();
    let confirm = RwSignal::new(String::new());
    // Edited here and sent whole with the owner's PIN.
    let draft: RwSignal<Option<StaffList>> = RwSignal::new(None);
    Effect::new(move |_| draft.set(state.staff.list.get()));
    let new_role = RwSignal::new(String::new());
    let toggle = move |role: Role, p: Permission, on: bool| {
        draft.update(|d| {
            if let Some(d) = d {
                d.matrix.set(role, p, on);
            }
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(edited) = draft.get_untracked() else {
            return;
        };
        save(state, confirm.get_untracked(), move |list| {
            list.matrix = edited.matrix;
            list.idle_lock_minutes = edited.idle_lock_minutes;
            Ok(())
        });
        confirm.set(String::new());
    };
    let set_limit = move |text: String| {
        if let Some(v) = i18n::parse_decimal(&text) {
            let v = v.clamp(pos_core::Decimal::ZERO, pos_core::Decimal::ONE_HUNDRED);
            draft.update(|d| {
                if let Some(d) = d {
                    d.matrix.discount_limit_percent = v;
                }
            });
        }
    };
    let set_idle = move |text: String| {
        if let Ok(v) = text.trim().parse::<u32>() {
            draft.update(|d| {
                if let Some(d) = d {
                    d.idle_lock_minutes = v.min(240);
                }
            });
        }
    };
    let add_role = move |_| {
        let name = new_role.get_untracked().trim().to_string();
        if name.is_empty() {
            return state.error(Msg::StaffNameMissing);
        }
        draft.update(|d| {
            if let Some(d) = d {
                d.matrix.custom.insert(
                    Uuid::now_v7(),
                    CustomRole {
                        name,
                        permissions: Default::default(),
                    },
                );
            }
        });
        new_role.set(String::new());
    };
    view! {
        <form class="roles" on:submit=submit data-testid="roles-form">
            <h4>{move || state.t(Msg::StaffRoles)}</h4>
            <table class="matrix">
                <thead><tr>
                    <th></th>
                    {move || draft.get().map(|d| roles(&d).into_iter().filter(|r| *r != Role::Owner).map(|r| {
                        let name = match r {
                            Role::Custom(id) => d.matrix.custom.get(&id).map(|c| c.name.clone()).unwrap_or_default(),
                            _ => role_name(&state, r),
                        };
                        view! { <th>{name}</th> }
                    }).collect_view())}
                </tr></thead>
                <tbody>
                    {Permission::ALL.into_iter().map(|p| view! {
                        <tr>
                            <th>{move || state.t(permission_msg(p))}</th>
                            {move || draft.get().map(|d| roles(&d).into_iter().filter(|r| *r != Role::Owner).map(|r| {
                                let on = d.matrix.allows(r, p);
                                view! {
                                    <td><input
                                        type="checkbox"
                                        data-testid=format!("perm-{}-{}", role_tag(r), serde_json::to_value(p).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default())
                                        prop:checked=on
                                        on:change=move |ev| toggle(r, p, event_target_checked(&ev))
                                    /></td>
                                }
                            }).collect_view())}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <label>{move || state.t(Msg::StaffNewRole)}
                <input type="text" data-testid="new-role-name" prop:value=move || new_role.get() on:input=move |ev| new_role.set(event_target_value(&ev)) />
            </label>
            <button type="button" data-testid="add-role" on:click=add_role>{move || state.t(Msg::StaffAddRole)}</button>
            <label>{move || state.t(Msg::StaffDiscountLimit)}
                <input type="number" min="0" max="100" step="1" data-testid="discount-limit"
                    prop:value=move || draft.with(|d| d.as_ref().map(|d| d.matrix.discount_limit_percent.to_string()).unwrap_or_default())
                    on:change=move |ev| set_limit(event_target_value(&ev)) />
            </label>
            <label>{move || state.t(Msg::StaffIdleLock)}
                <input type="number" min="0" max="240" step="1" data-testid="idle-lock-minutes"
                    prop:value=move || draft.with(|d| d.as_ref().map(|d| d.idle_lock_minutes.to_string()).unwrap_or_default())
                    on:change=move |ev| set_idle(event_target_value(&ev)) />
            </label>
            <label>{move || state.t(Msg::StaffConfirmPin)}
                <input type="password" inputmode="numeric" maxlength="6" data-testid="roles-confirm-pin" prop:value=move || confirm.get() on:input=move |ev| confirm.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="primary" data-testid="roles-save">{move || state.t(Msg::Save)}</button>
        </form>
    }
}

/// Clock in and out for the member at the till, and everyone's hours today and this week.
#[component]
fn Clock() -> impl IntoView {
    let state = expect_context::<AppState>();
    let clock = move || {
        let now = js_sys::Date::now() as i64;
        let offset = -(js_sys::Date::new_0().get_timezone_offset() as i32);
        state
            .staff
            .audit
            .with(|entries| TimeClock::from_entries(entries, now, offset))
    };
    let clocked_in = move || {
        let me = state.staff.current.get();
        state.staff.audit.with(|entries| {
            entries
                .iter()
                .filter(|e| {
                    Some(e.staff) == me
                        && matches!(e.action, AuditAction::ClockIn | AuditAction::ClockOut)
                })
                .max_by_key(|e| (e.at_ms, e.id))
                .is_some_and(|e| e.action == AuditAction::ClockIn)
        })
    };
    let punch = move |action: AuditAction| state.record_audit(action, None);
    Effect::new(move |_| state.load_audit());
    view! {
        <div class="time-clock" data-testid="time-clock">
            <h4>{move || state.t(Msg::StaffTimeClock)}</h4>
            <Show when=move || state.staff.current.get().is_some()>
                <Show
                    when=clocked_in
                    fallback=move || view! { <button data-testid="clock-in" on:click=move |_| punch(AuditAction::ClockIn)>{move || state.t(Msg::StaffClockIn)}</button> }
                >
                    <button data-testid="clock-out" on:click=move |_| punch(AuditAction::ClockOut)>{move || state.t(Msg::StaffClockOut)}</button>
                </Show>
            </Show>
            <table class="hours" data-testid="hours">
                <thead><tr>
                    <th>{move || state.t(Msg::StaffName)}</th>
                    <th>{move || state.t(Msg::StaffHoursToday)}</th>
                    <th>{move || state.t(Msg::StaffHoursWeek)}</th>
                </tr></thead>
                <tbody>
                    {move || {
                        let clock = clock();
                        let today = crate::sync::business_day(js_sys::Date::now());
                        state.staff.list.get().map(|list| list.members.into_iter().map(|m| {
                            let day = pos_core::staff::hours(clock.day_ms(m.id, today));
                            let week = pos_core::staff::hours(clock.week_ms(m.id, today));
                            view! { <tr data-testid="hours-row"><td>{m.name}</td><td>{day.to_string()}</td><td>{week.to_string()}</td></tr> }
                        }).collect_view())
                    }}
                </tbody>
            </table>
        </div>
    }
}

/// What everyone did, newest first, filtered by who, what and when; the shown rows as CSV.
#[component]
fn AuditLog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let who = RwSignal::new(String::new());
    let what = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let name_of = move |id: Uuid| state.staff.name_of(id);
    let shown = move || {
        let filter = pos_core::staff::AuditFilter {
            staff: who.get().parse().ok(),
            kind: AuditAction::KINDS.into_iter().find(|k| *k == what.get()),
            from_ms: i18n::day_start_ms(&from.get()),
            to_ms: i18n::day_start_ms(&to.get()).map(|ms| ms + DAY_MS),
        };
        let mut entries: Vec<AuditEntry> = state
            .staff
            .audit
            .with(|all| all.iter().filter(|e| filter.matches(e)).cloned().collect());
        entries.reverse();
        entries
    };
    let export = move |_| {
        let mut entries = shown();
        entries.reverse();
        let text = pos_core::staff::audit_csv(&entries, name_of);
        crate::csv_file::offer_download("audit-log.csv", &text);
    };
    // Days not open on this device (last month, another device's week) are opened for the log.
    let ask_days = move || {
        let (from, to) = (
            i18n::day_start_ms(&from.get_untracked()),
            i18n::day_start_ms(&to.get_untracked()),
        );
        let days = match (from, to) {
            (None, None) => None,
            (from, to) => {
                let to = to.map_or_else(js_sys::Date::now, |t| (t + DAY_MS - 1) as f64);
                let from = from.map_or(to - 6.0 * DAY_MS as f64, |f| f as f64);
                if from > to {
                    return state.error(Msg::AuditDaysBackwards);
                }
                if to - from > (AUDIT_MAX_DAYS * DAY_MS) as f64 {
                    return state.notice.set(Some(Notice::Error(
                        Msg::AuditTooManyDays,
                        vec![("days", AUDIT_MAX_DAYS.to_string())],
                    )));
                }
                Some((from, to))
            }
        };
        state.staff.audit_days.set(days);
        state.load_audit();
    };
    let kinds = AuditAction::KINDS;
    view! {
        <Show when=move || state.staff.may(Permission::SeeReports) fallback=|| ()>
            <div class="audit-log" data-testid="audit-log">
                <h4>{move || state.t(Msg::StaffAuditLog)}</h4>
                <div class="filters">
                    <select data-testid="audit-who" on:change=move |ev| who.set(event_target_value(&ev))>
                        <option value="">{move || state.t(Msg::StaffEveryone)}</option>
                        {move || state.staff.list.get().map(|l| l.members.into_iter().map(|m| view! { <option value=m.id.to_string()>{m.name}</option> }).collect_view())}
                    </select>
                    <select data-testid="audit-what" on:change=move |ev| what.set(event_target_value(&ev))>
                        <option value="">{move || state.t(Msg::StaffEverything)}</option>
                        {kinds.into_iter().map(|k| view! { <option value=k>{move || state.t(audit_kind_msg(k))}</option> }).collect_view()}
                    </select>
                    <input type="date" data-testid="audit-from" on:change=move |ev| { from.set(event_target_value(&ev)); ask_days(); } />
                    <input type="date" data-testid="audit-to" on:change=move |ev| { to.set(event_target_value(&ev)); ask_days(); } />
                    <button data-testid="audit-refresh" on:click=move |_| state.load_audit()>{move || state.t(Msg::StaffRefresh)}</button>
                    <button data-testid="audit-export" on:click=export>{move || state.t(Msg::ExportCsv)}</button>
                </div>
                <table class="audit">
                    <tbody>
                        {move || shown().into_iter().map(|e| {
                            let lang = state.lang.get();
                            let approver = e.approved_by.map(|id| Msg::StaffApprovedBy.fill(lang, &[("name", &name_of(id))]));
                            view! {
                                <tr data-testid="audit-row" data-kind=e.action.kind()>
                                    <td>{i18n::date_time(e.at_ms, lang)}</td>
                                    <td>{name_of(e.staff)}</td>
                                    <td>{state.t(audit_kind_msg(e.action.kind()))}</td>
                                    <td>{audit_detail(&e.action, lang)}</td>
                                    <td>{approver}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

fn audit_kind_msg(kind: &str) -> Msg {
    match kind {
        "sale" => Msg::AuditSale,
        "refund" => Msg::AuditRefund,
        "no-sale" => Msg::AuditNoSale,
        "void" => Msg::AuditVoid,
        "discount" => Msg::AuditDiscount,
        "price-change" => Msg::AuditPriceChange,
        "price-override" => Msg::AuditPriceOverride,
        "approval" => Msg::AuditApproval,
        "clock-in" => Msg::AuditClockIn,
        "clock-out" => Msg::AuditClockOut,
        "sign-in" => Msg::AuditSignIn,
        "sign-out" => Msg::AuditSignOut,
        _ => Msg::AuditStaffEdit,
    }
}

fn audit_detail(action: &AuditAction, lang: i18n::Lang) -> String {
    match action {
        AuditAction::Approval { permission } => permission_msg(*permission).text(lang).to_string(),
        AuditAction::Discount { percent } => format!("{percent} %"),
        AuditAction::PriceChange { product } => product.clone(),
        AuditAction::PriceOverride {
            product,
            shelf,
            price,
        } => format!(
            "{product}: {} → {}",
            i18n::quantity(*shelf, lang),
            i18n::quantity(*price, lang)
        ),
        AuditAction::StaffEdit { version } => format!("v{version}"),
        _ => String::new(),
    }
}
