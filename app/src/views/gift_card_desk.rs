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
//! forced one its authorisation (`desk-op-auth`). `desk-force-issue` opens the forced issue
//! (`desk-forced` with `desk-force-amount`, `desk-auth-code`, `desk-auth-reason`,
//! `desk-force-send`). The period report's
//! `report-from`, `report-to`, `report-today`, `report-this-month`, `report-last-month`,
//! `report-show`, and `gift-card-report` with `report-issued`, `report-added`,
//! `report-redeemed`, `report-refunded`, `report-liability`, `report-overdrawn`, `report-ops`,
//! `report-left-out` and `report-csv`.
//!
//! The report has no "expired" row: a card's value never expires here (see README "Gift cards").

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
                                            <ul>{ops.into_iter().map(|op| view! { <OpRow op /> }).collect_view()}</ul>
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
            <h3>{move || state.t(Msg::DeskHistory)}</h3>
            <ul class="desk-history">
                {card.history.into_iter().rev().map(|op| view! { <OpRow op /> }).collect_view()}
            </ul>
        </div>
    }
}

/// One operation: when, what, how much, the balance after, and how it was made.
#[component]
fn OpRow(op: LedgerOp) -> impl IntoView {
    let state = expect_context::<AppState>();
    let at = op.made_at_ms();
    let kind = kind_msg(&op.kind);
    let authorised = op
        .auth_code
        .clone()
        .map(|code| (code, op.reason.clone().unwrap_or_default()));
    let by = staff_name(state, op.staff);
    view! {
        <li class="desk-op" data-testid="desk-op" data-kind=op.kind.clone() data-offline=op.offline.to_string()>
            <span class="time">{move || i18n::date_time(at, state.lang.get())}</span>
            <span class="kind">{move || state.t(kind)}</span>
            <span class="amount" data-testid="desk-op-amount">{move || op.amount.map(|a| money(state, a)).unwrap_or_default()}</span>
            <span class="after" data-testid="desk-op-after">{move || money(state, op.balance_after)}</span>
            <Show when=move || op.offline>
                <span class="badge">{move || state.t(Msg::DeskOffline)}</span>
            </Show>
            <span class="by" data-testid="desk-op-by">{move || Msg::DeskOpBy.fill(state.lang.get(), &[("name", &by)])}</span>
            {authorised.map(|(code, reason)| view! {
                <span class="authorised" data-testid="desk-op-auth">{move || Msg::DeskAuthorised.fill(state.lang.get(), &[("code", &code), ("reason", &reason)])}</span>
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

/// "Forced issue": value put on the card whose number is typed above, past a refusal, with the
/// authorisation code and reason, by someone who may force it.
#[component]
fn ForcedIssue() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = RwSignal::new(false);
    let approved_by = RwSignal::new(None::<Uuid>);
    let amount = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let open_form = move || {
        state.protected(Permission::ForceGiftCardOps, move |by| {
            approved_by.set(by);
            state.gift_card_desk.forced_issued.set(false);
            open.set(true);
        })
    };
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
        Some(value) => state.force_issue_gift_card(
            state.gift_cards.number.get_untracked(),
            value,
            authorisation(code, reason),
            approved_by.get_untracked(),
        ),
        None => state.error(Msg::GiftCardValue),
    };
    view! {
        <Show when=move || !open.get()>
            <button data-testid="desk-force-issue" on:click=move |_| open_form()>
                {move || state.t(Msg::DeskForceIssue)}
            </button>
        </Show>
        <Show when=move || open.get()>
            <div class="desk-forced" data-testid="desk-forced">
                <p>{move || state.t(Msg::DeskForceIssueHelp)}</p>
                <label class="field">
                    <span>{move || state.t(Msg::GiftCardAmount)}</span>
                    <input inputmode="decimal" data-testid="desk-force-amount"
                        prop:value=move || amount.get()
                        on:input=move |ev| amount.set(event_target_value(&ev)) />
                </label>
                <AuthorisationFields code reason prefix="desk" />
                <div class="actions">
                    <button class="primary" data-testid="desk-force-send"
                        prop:disabled=move || state.gift_card_desk.busy.get()
                        on:click=move |_| send()>
                        {move || state.t(Msg::DeskForceIssueSend)}
                    </button>
                    <button data-testid="desk-force-cancel" on:click=move |_| open.set(false)>
                        {move || state.t(Msg::Cancel)}
                    </button>
                </div>
            </div>
        </Show>
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
                    {row(Msg::DeskReportLiability, "report-liability", report.liability)}
                    {row(Msg::DeskReportOverdrawn, "report-overdrawn", report.overdrawn)}
                </dl>
                <p data-testid="report-ops">{move || Msg::DeskReportOps.fill(state.lang.get(), &[("count", &count.to_string())])}</p>
                <Show when=move || listed < count>
                    <p class="note" data-testid="report-left-out">{move || Msg::DeskReportLeftOut.fill(state.lang.get(), &[("listed", &listed.to_string()), ("count", &count.to_string())])}</p>
                </Show>
                <button data-testid="report-csv" on:click=move |_| state.download_gift_card_report()>{move || state.t(Msg::DeskReportCsv)}</button>
            }
        })}
    }
}
