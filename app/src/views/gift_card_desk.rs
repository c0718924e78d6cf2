//! The gift card desk (issue 14), reached from Sales: look a card up by its number (typed or
//! scanned) to see its balance, whether it is active and its history from every register;
//! deactivate or reactivate it; and read what the store owes on its cards with the overdrafts
//! registers made offline. What it asks the server is in `state/gift_card_desk.rs`.
//!
//! Test ids: `gift-card-desk`, `desk-number`, `desk-look-up`, the card `desk-card` (`data-active`,
//! `data-conflict`) with `desk-balance`, `desk-state`, `desk-deactivate`, `desk-reactivate`,
//! its history rows `desk-op` (`data-kind`, `data-offline`) with `desk-op-amount`,
//! `desk-op-after`; `desk-ledger-load`, `desk-ledger` with `desk-liability`, `desk-overdrawn`,
//! `desk-cards`, each overdraft `desk-conflict`, and `desk-no-conflicts`. The card's
//! `desk-print` prints its balance slip; each history row names who made it (`desk-op-by`) and a
//! forced one its authorisation (`desk-op-auth`). `desk-force` opens the forced issue
//! (`desk-force-form` with `desk-force-amount`, `desk-auth-code`, `desk-auth-reason`,
//! `desk-force-send`). `desk-expire` opens the write-off of an active card's balance
//! (`desk-expire-form` with `desk-expire-reason`, `desk-expire-send`). The period report's
//! `report-from`, `report-to`, `report-today`, `report-this-month`, `report-last-month`,
//! `report-show`, and `gift-card-report` with `report-issued`, `report-added`,
//! `report-redeemed`, `report-refunded`, `report-expired`, `report-liability`, `report-overdrawn`, `report-ops`,
//! `report-left-out`, `report-csv`, and the period's operations, newest first, in
//! `report-op-list`: each `report-op` (`data-kind`, `data-offline`) with `report-op-amount`,
//! `report-op-card`, `report-op-by` and `report-op-auth`.
//!
//! A card's value never expires by itself; "expired" in the report is what managers wrote off
//! (see README "Gift cards").

use leptos::prelude::*;
use pos_core::gift_card::GiftCardNumber;
use pos_core::staff::Permission;
use pos_core::{Decimal, Uuid};

use super::forms::report_period::{Date, Preset, period, preset};
use super::gift_card::{
    AuthorisationFields, NumberField, authorisation, print_balance, take_scans_for,
};
use crate::i18n::{self, Msg, parse_decimal};
use crate::state::AppState;
use crate::state::gift_cards::{NumberFor, masked};
use crate::sync::gift_card_desk::{CardHistory, LedgerOp};
use pos_core::gift_card::PeriodOp;

#[component]
pub fn GiftCardDeskScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    take_scans_for(state, NumberFor::Desk);
    let busy = move || state.gift_card_desk.busy.get();
    let look_up = move || state.look_up_gift_card(state.gift_cards.number.get_untracked());
    view! {
        <section class="gift-card-desk" data-testid="gift-card-desk">
            <h2>{move || state.t(Msg::DeskTitle)}</h2>
            <div class="desk-find" on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { look_up() }>
                <NumberField testid="desk-number" />
                <button class="primary" data-testid="desk-look-up" prop:disabled=busy on:click=move |_| look_up()>
                    {move || state.t(Msg::DeskLookUp)}
                </button>
            </div>
            {move || state.gift_card_desk.card.get().map(|card| view! { <CardShown card /> })}
            <ForcedIssue />
            <PeriodReport />
            <h3>{move || state.t(Msg::DeskLedger)}</h3>
            <button data-testid="desk-ledger-load" prop:disabled=busy on:click=move |_| state.load_gift_card_ledger()>
                {move || state.t(Msg::DeskLedger)}
            </button>
            {move || state.gift_card_desk.ledger.get().map(|(owed, conflicts)| {
                view! {
                    <dl class="due" data-testid="desk-ledger">
                        <div class="row"><dt>{state.t(Msg::DeskLiability)}</dt><dd data-testid="desk-liability">{money(state, owed.liability)}</dd></div>
                        <div class="row"><dt>{state.t(Msg::DeskOverdrawn)}</dt><dd data-testid="desk-overdrawn">{money(state, owed.overdrawn)}</dd></div>
                        <div class="row"><dt>{state.t(Msg::DeskCards)}</dt><dd data-testid="desk-cards">{owed.cards.to_string()}</dd></div>
                    </dl>
                    <h4>{state.t(Msg::DeskConflicts)}</h4>
                    {if conflicts.is_empty() {
                        view! { <p data-testid="desk-no-conflicts">{state.t(Msg::DeskNoConflicts)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="desk-conflicts">
                                {conflicts.into_iter().map(|c| {
                                    let lang = state.lang.get_untracked();
                                    let text = Msg::DeskConflict.fill(lang, &[
                                        ("card", &last_four(&c.card)),
                                        ("overdraft", &money(state, c.overdraft)),
                                        ("balance", &money(state, c.balance)),
                                    ]);
                                    let ops: Vec<LedgerOp> = c.with.into_iter().chain(std::iter::once(c.op)).collect();
                                    view! {
                                        <li data-testid="desk-conflict">
                                            <p>{text}</p>
                                            <ul>{ops.into_iter().map(|op| view! { <LedgerRow op /> }).collect_view()}</ul>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                }
            })}
        </section>
    }
}

/// The card looked up: balance, state, the manager's button, and its history.
#[component]
fn CardShown(card: CardHistory) -> impl IntoView {
    let state = expect_context::<AppState>();
    let active = card.card.active;
    let in_conflict = card.card.in_conflict;
    let balance = card.card.balance;
    let card_number = card.card.card.clone();
    view! {
        <div class="desk-card" data-testid="desk-card" data-active=active.to_string() data-conflict=in_conflict.to_string()>
            <p class="desk-title">{move || Msg::GiftCardLine.fill(state.lang.get(), &[("card", &last_four(&card.card.card))])}</p>
            <dl class="due">
                <div class="row"><dt>{move || state.t(Msg::DeskBalance)}</dt><dd data-testid="desk-balance">{move || money(state, balance)}</dd></div>
            </dl>
            <p data-testid="desk-state">{move || state.t(if active { Msg::DeskActive } else { Msg::DeskInactive })}</p>
            <Show when=move || in_conflict>
                <p class="error" data-testid="desk-in-conflict">{move || state.t(Msg::DeskInConflict)}</p>
            </Show>
            <div class="actions">
                <button data-testid="desk-print" on:click=move |_| print_balance(state, &card_number, balance, active)>
                    {move || state.t(Msg::DeskPrintBalance)}
                </button>
                {if active {
                    view! { <button data-testid="desk-deactivate" on:click=move |_| state.set_gift_card_active(false)>{move || state.t(Msg::DeskDeactivate)}</button> }.into_any()
                } else {
                    view! { <button data-testid="desk-reactivate" on:click=move |_| state.set_gift_card_active(true)>{move || state.t(Msg::DeskReactivate)}</button> }.into_any()
                }}
            </div>
            <Show when=move || active && balance.is_sign_positive() && !balance.is_zero()>
                <WriteOff balance />
            </Show>
            <h3>{move || state.t(Msg::DeskHistory)}</h3>
            <ul class="desk-history">
                {card.history.into_iter().rev().map(|op| view! { <LedgerRow op /> }).collect_view()}
            </ul>
        </div>
    }
}

/// What a row says of any operation, from a card's history or from a period's.
struct OpFacts {
    at_ms: i64,
    kind: String,
    amount: Option<Decimal>,
    offline: bool,
    staff: Uuid,
    /// A forced operation's authorisation code.
    auth_code: Option<String>,
    /// Why it was forced or written off.
    reason: Option<String>,
}

impl From<&LedgerOp> for OpFacts {
    fn from(op: &LedgerOp) -> OpFacts {
        OpFacts {
            at_ms: op.made_at_ms(),
            kind: op.kind.clone(),
            amount: op.amount,
            offline: op.offline,
            staff: op.staff,
            auth_code: op.auth_code.clone(),
            reason: op.reason.clone(),
        }
    }
}

impl From<&PeriodOp> for OpFacts {
    fn from(op: &PeriodOp) -> OpFacts {
        OpFacts {
            at_ms: js_sys::Date::parse(&op.made_at) as i64,
            kind: op.kind.clone(),
            amount: op.amount,
            offline: op.offline,
            staff: op.staff,
            auth_code: op.auth_code.clone(),
            reason: op.reason.clone(),
        }
    }
}

/// One operation of a card's history, with the balance after it.
#[component]
fn LedgerRow(op: LedgerOp) -> impl IntoView {
    let state = expect_context::<AppState>();
    let after = op.balance_after;
    view! {
        <OpRow facts=OpFacts::from(&op) testid="desk-op">
            <span class="after" data-testid="desk-op-after">{move || money(state, after)}</span>
        </OpRow>
    }
}

/// One operation: when, what, how much, what `children` add (the balance after it, or the
/// card), and how it was made.
#[component]
fn OpRow(facts: OpFacts, testid: &'static str, children: Children) -> impl IntoView {
    let state = expect_context::<AppState>();
    let OpFacts {
        at_ms,
        kind,
        amount,
        offline,
        staff,
        auth_code,
        reason,
    } = facts;
    let why = match (auth_code, reason) {
        (Some(code), reason) => Some((
            Msg::DeskAuthorised,
            vec![("code", code), ("reason", reason.unwrap_or_default())],
        )),
        (None, Some(reason)) => Some((Msg::DeskOpReason, vec![("reason", reason)])),
        (None, None) => None,
    };
    let label = kind_msg(&kind);
    let by = staff_name(state, staff);
    view! {
        <li class="desk-op" data-testid=testid data-kind=kind data-offline=offline.to_string()>
            <span class="time">{move || i18n::date_time(at_ms, state.lang.get())}</span>
            <span class="kind">{move || state.t(label)}</span>
            <span class="amount" data-testid=format!("{testid}-amount")>{move || amount.map(|a| money(state, a)).unwrap_or_default()}</span>
            {children()}
            <Show when=move || offline>
                <span class="badge">{move || state.t(Msg::DeskOffline)}</span>
            </Show>
            <span class="by" data-testid=format!("{testid}-by")>{move || Msg::DeskOpBy.fill(state.lang.get(), &[("name", &by)])}</span>
            {why.map(|(msg, args)| view! {
                <span class="authorised" data-testid=format!("{testid}-auth")>{move || {
                    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    msg.fill(state.lang.get(), &args)
                }}</span>
            })}
        </li>
    }
}

fn kind_msg(kind: &str) -> Msg {
    match kind {
        "issue" => Msg::DeskOpIssue,
        "add_value" => Msg::DeskOpAddValue,
        "redeem" => Msg::DeskOpRedeem,
        "refund_to_card" => Msg::DeskOpRefund,
        "deactivate" => Msg::DeskOpDeactivate,
        "reactivate" => Msg::DeskOpReactivate,
        "forced_issue" => Msg::DeskOpForcedIssue,
        "sale_refunded" => Msg::DeskOpSaleRefunded,
        "expire" => Msg::DeskOpExpire,
        _ => Msg::DeskOpForcedRedeem,
    }
}

/// `•••• 1234` of a number as the server writes it.
fn last_four(digits: &str) -> String {
    GiftCardNumber::parse(digits).map_or_else(|_| digits.to_string(), |card| masked(&card))
}

fn money(state: AppState, amount: Decimal) -> String {
    let currency = state.store.with_untracked(|s| s.rules.currency);
    i18n::money(amount, currency, state.lang.get())
}

/// Who made an operation, by the store's staff list; a till without staff made it as the store.
fn staff_name(state: AppState, id: Uuid) -> String {
    if id.is_nil() {
        return state.t(Msg::DeskOpByTill).to_string();
    }
    state.staff.name_of(id)
}

/// A button of the desk that opens its form once someone with `permission` allowed it (`by`
/// names who typed their PIN for it), and the form itself with its send and cancel buttons.
#[component]
fn GuardedForm(
    permission: Permission,
    open: RwSignal<bool>,
    by: RwSignal<Option<Uuid>>,
    /// `{testid}` opens the form, `{testid}-form` is the form, `{testid}-send` sends it and
    /// `{testid}-cancel` closes it.
    testid: &'static str,
    opens: Msg,
    sends: Msg,
    on_send: impl Fn() + Copy + Send + Sync + 'static,
    children: ChildrenFn,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let open_form = move || {
        state.protected(permission, move |approved| {
            by.set(approved);
            open.set(true);
        })
    };
    view! {
        <Show when=move || !open.get()>
            <button data-testid=testid on:click=move |_| open_form()>
                {move || state.t(opens)}
            </button>
        </Show>
        <Show when=move || open.get()>
            <div class="desk-forced" data-testid=format!("{testid}-form")>
                {children()}
                <div class="actions">
                    <button class="primary" data-testid=format!("{testid}-send")
                        prop:disabled=move || state.gift_card_desk.busy.get()
                        on:click=move |_| on_send()>
                        {move || state.t(sends)}
                    </button>
                    <button data-testid=format!("{testid}-cancel") on:click=move |_| open.set(false)>
                        {move || state.t(Msg::Cancel)}
                    </button>
                </div>
            </div>
        </Show>
    }
}

/// "Write off as expired": the card's whole balance, with the reason, by someone who may
/// manage cards.
#[component]
fn WriteOff(balance: Decimal) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (open, by) = (RwSignal::new(false), RwSignal::new(None::<Uuid>));
    let reason = RwSignal::new(String::new());
    let send = move || {
        state.expire_gift_card(balance, reason.get_untracked(), by.get_untracked());
    };
    view! {
        <GuardedForm permission=Permission::ManageGiftCards open by testid="desk-expire"
            opens=Msg::DeskExpire sends=Msg::DeskExpireSend on_send=send>
            <p>{move || Msg::DeskExpireHelp.fill(state.lang.get(), &[("balance", &money(state, balance))])}</p>
            <label class="field">
                <span>{move || state.t(Msg::GiftCardAuthReason)}</span>
                <input type="text" autocomplete="off" data-testid="desk-expire-reason"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev)) />
            </label>
        </GuardedForm>
    }
}

/// "Forced issue": value put on the card whose number is typed above, past a refusal, with the
/// authorisation code and reason, by someone who may force it.
#[component]
fn ForcedIssue() -> impl IntoView {
    let state = expect_context::<AppState>();
    let (open, by) = (RwSignal::new(false), RwSignal::new(None::<Uuid>));
    let amount = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    // Sent or kept: the form closes and empties.
    Effect::new(move |_| {
        if state.gift_card_desk.forced_issued.get() {
            open.set(false);
            amount.set(String::new());
            code.set(String::new());
            reason.set(String::new());
        }
    });
    let send = move || match parse_decimal(&amount.get_untracked()) {
        Some(value) => {
            state.gift_card_desk.forced_issued.set(false);
            state.force_issue_gift_card(
                state.gift_cards.number.get_untracked(),
                value,
                authorisation(code, reason),
                by.get_untracked(),
            )
        }
        None => state.error(Msg::GiftCardValue),
    };
    view! {
        <GuardedForm permission=Permission::ForceGiftCardOps open by testid="desk-force"
            opens=Msg::DeskForceIssue sends=Msg::DeskForceIssueSend on_send=send>
            <p>{move || state.t(Msg::DeskForceIssueHelp)}</p>
            <label class="field">
                <span>{move || state.t(Msg::GiftCardAmount)}</span>
                <input inputmode="decimal" data-testid="desk-force-amount"
                    prop:value=move || amount.get()
                    on:input=move |ev| amount.set(event_target_value(&ev)) />
            </label>
            <AuthorisationFields code reason prefix="desk" />
        </GuardedForm>
    }
}

/// The period report: two dates (or a preset), and what moved through the store's cards in
/// those days, what it owed at their end, and the CSV file of it.
#[component]
fn PeriodReport() -> impl IntoView {
    let state = expect_context::<AppState>();
    let busy = move || state.gift_card_desk.busy.get();
    let today = move || {
        let now = js_sys::Date::new_0();
        Date {
            year: now.get_full_year() as i32,
            month: now.get_month() + 1,
            day: now.get_date(),
        }
    };
    let (first, last) = preset(Preset::ThisMonth, today());
    let (from, to) = (RwSignal::new(first.text()), RwSignal::new(last.text()));
    let show = move || {
        let (from, to) = (from.get_untracked(), to.get_untracked());
        let bounds = period(&from, &to).and_then(|(first, end)| {
            Some((
                i18n::day_start_ms(&first.text())?,
                i18n::day_start_ms(&end.text())?,
            ))
        });
        match bounds {
            Some((from_ms, to_ms)) => state.load_gift_card_report(from, to, from_ms, to_ms),
            None => state.error(Msg::DeskReportBadPeriod),
        }
    };
    let pick = move |p: Preset| {
        let (first, last) = preset(p, today());
        from.set(first.text());
        to.set(last.text());
        show();
    };
    let row = move |label: Msg, testid: &'static str, amount: Decimal| {
        view! {
            <div class="row"><dt>{move || state.t(label)}</dt><dd data-testid=testid>{move || money(state, amount)}</dd></div>
        }
    };
    view! {
        <h3>{move || state.t(Msg::DeskReport)}</h3>
        <div class="report-period">
            <label class="field">
                <span>{move || state.t(Msg::DeskReportFrom)}</span>
                <input type="date" data-testid="report-from" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>{move || state.t(Msg::DeskReportTo)}</span>
                <input type="date" data-testid="report-to" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev)) />
            </label>
        </div>
        <div class="actions">
            <button data-testid="report-today" prop:disabled=busy on:click=move |_| pick(Preset::Today)>{move || state.t(Msg::DeskReportToday)}</button>
            <button data-testid="report-this-month" prop:disabled=busy on:click=move |_| pick(Preset::ThisMonth)>{move || state.t(Msg::DeskReportThisMonth)}</button>
            <button data-testid="report-last-month" prop:disabled=busy on:click=move |_| pick(Preset::LastMonth)>{move || state.t(Msg::DeskReportLastMonth)}</button>
            <button class="primary" data-testid="report-show" prop:disabled=busy on:click=move |_| show()>{move || state.t(Msg::DeskReportShow)}</button>
        </div>
        {move || state.gift_card_desk.report.get().map(|(_, _, report)| {
            let listed = report.ops.len() as u64;
            let count = listed + report.ops_left_out;
            view! {
                <dl class="due" data-testid="gift-card-report" data-from=report.from.clone() data-to=report.to.clone()>
                    {row(Msg::DeskReportIssued, "report-issued", report.issued)}
                    {row(Msg::DeskReportAdded, "report-added", report.added)}
                    {row(Msg::DeskReportRedeemed, "report-redeemed", report.redeemed)}
                    {row(Msg::DeskReportRefunded, "report-refunded", report.refunded_to_cards)}
                    {row(Msg::DeskReportExpired, "report-expired", report.expired)}
                    {row(Msg::DeskReportLiability, "report-liability", report.liability)}
                    {row(Msg::DeskReportOverdrawn, "report-overdrawn", report.overdrawn)}
                </dl>
                <p data-testid="report-ops">{move || Msg::DeskReportOps.fill(state.lang.get(), &[("count", &count.to_string())])}</p>
                <Show when=move || listed < count>
                    <p class="note" data-testid="report-left-out">{move || Msg::DeskReportLeftOut.fill(state.lang.get(), &[("listed", &listed.to_string()), ("count", &count.to_string())])}</p>
                </Show>
                <button data-testid="report-csv" on:click=move |_| state.download_gift_card_report()>{move || state.t(Msg::DeskReportCsv)}</button>
                <ul class="desk-history" data-testid="report-op-list">
                    {report.ops.iter().rev().map(|op| {
                        let card = last_four(&op.card);
                        view! {
                            <OpRow facts=OpFacts::from(op) testid="report-op">
                                <span class="card" data-testid="report-op-card">{card}</span>
                            </OpRow>
                        }
                    }).collect_view()}
                </ul>
            }
        })}
    }
}
