//! The store's day (issue 13), for the owner or a manager: every device's shifts that were open
//! during a business day (today by default), open ones marked and one left open past midnight
//! flagged, with float, expected, counted and difference from each closed shift's Z report; and
//! the store-wide summary of the day's sales over every device. Reached from the shift screen.
//!
//! Test ids: `store-day` (`data-day`), `store-day-date`; each shift `store-shift`
//! (`data-device`: the device's receipt prefix, `data-state`: `open` or `closed`,
//! `data-overnight`) with `store-shift-device`, `store-shift-staff`, `store-shift-times`,
//! `store-shift-overnight`, and the figures `store-shift-float`, `-expected`, `-counted`,
//! `-difference`; `store-day-no-shifts`; the summary `store-day-summary` with rows `day-devices`,
//! `day-sales`, `day-paid`, `day-paid-cash`, `day-paid-card`, `day-refunds`, `day-refunded`,
//! `day-refunded-cash`, `day-refunded-card`, `day-net`.

use leptos::prelude::*;
use pos_core::{Currency, Decimal, DeviceEntry, DeviceShift, StoreDaySummary, Uuid};

use crate::i18n::{self, Lang, Msg};
use crate::state::AppState;

const HALF_DAY_MS: i64 = 43_200_000;

#[component]
pub fn StoreDayScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    let choose = move |ev| {
        // Noon of the chosen day: the day it names whatever the clock change that night.
        if let Some(start) = i18n::day_start_ms(&event_target_value(&ev)) {
            state.choose_store_day((start + HALF_DAY_MS) as f64);
        }
    };
    view! {
        <section
            class="store-day"
            data-testid="store-day"
            data-day=move || state.store_days.shown.with(|d| d.as_ref().map(|d| d.day.clone()))
        >
            <h2>{move || state.t(Msg::StoreDayTitle)}</h2>
            <label class="store-day-pick">
                <span>{move || state.t(Msg::StoreDayDate)}</span>
                <input
                    type="date"
                    data-testid="store-day-date"
                    prop:value=move || state.store_days.shown.with(|d| d.as_ref().map(|d| d.day.clone()).unwrap_or_default())
                    on:change=choose
                />
            </label>
            {move || match state.store_days.shown.get() {
                None => view! { <p class="hint">{state.t(Msg::StoreDayLoading)}</p> }.into_any(),
                Some(day) => {
                    let lang = state.lang.get();
                    let currency = state.store.with(|s| s.rules.currency);
                    let shifts = if day.shifts.is_empty() {
                        view! { <p data-testid="store-day-no-shifts">{Msg::StoreDayNoShifts.text(lang)}</p> }.into_any()
                    } else {
                        let rows = day
                            .shifts
                            .iter()
                            .map(|s| {
                                let overnight = day.overnight.contains(&s.state.shift.id);
                                shift_row(state, s, &day.devices, overnight, lang)
                            })
                            .collect::<Vec<_>>();
                        view! { <ul class="store-shifts">{rows}</ul> }.into_any()
                    };
                    view! {
                        <h3>{Msg::StoreDayShifts.text(lang)}</h3>
                        {shifts}
                        <h3>{Msg::StoreDaySummary.text(lang)}</h3>
                        {summary_table(&day.summary, currency, lang)}
                    }
                    .into_any()
                }
            }}
        </section>
    }
}

/// The device's name and receipt prefix, as the store's settings list it.
fn device_names(devices: &[DeviceEntry], id: Uuid) -> (String, String) {
    devices
        .iter()
        .find(|d| d.id == id)
        .map(|d| (d.name.clone(), d.code.clone()))
        .unwrap_or_else(|| (id.to_string(), String::new()))
}

fn shift_row(
    state: AppState,
    device_shift: &DeviceShift,
    devices: &[DeviceEntry],
    overnight: bool,
    lang: Lang,
) -> impl IntoView {
    let shift = &device_shift.state.shift;
    let (name, code) = device_names(devices, device_shift.device);
    let device = if code.is_empty() {
        name
    } else {
        format!("{name} ({code})")
    };
    let who = |id: Option<Uuid>| id.map(|id| state.staff.name_of(id));
    let opened_by = who(shift.opened_by);
    let closed_by = shift.close.as_ref().and_then(|c| who(c.staff));
    let staff = match (opened_by, closed_by) {
        (Some(opened), Some(closed)) if opened != closed => {
            Msg::StoreShiftStaffBoth.fill(lang, &[("opened", &opened), ("closed", &closed)])
        }
        (Some(one), _) | (None, Some(one)) => one,
        (None, None) => String::new(),
    };
    let opened_at = i18n::date_time(shift.opened_at_ms, lang);
    let times = match &shift.close {
        Some(close) => Msg::StoreShiftClosedTimes.fill(
            lang,
            &[
                ("opened", &opened_at),
                ("closed", &i18n::date_time(close.at_ms, lang)),
            ],
        ),
        None => Msg::StoreShiftOpenSince.fill(lang, &[("opened", &opened_at)]),
    };
    let money = move |amount: Decimal| i18n::money(amount, shift.currency, lang);
    let figure = |msg: Msg, testid: &'static str, value: String| {
        view! {
            <div class="figure" data-testid=testid>
                <dt>{msg.text(lang)}</dt>
                <dd class="amount">{value}</dd>
            </div>
        }
    };
    let mut figures = vec![figure(
        Msg::RepFloat,
        "store-shift-float",
        money(shift.float.total()),
    )];
    if let Some(z) = &device_shift.state.z_report {
        figures.push(figure(
            Msg::RepCashExpected,
            "store-shift-expected",
            money(z.cash_expected),
        ));
        if let (Some(counted), Some(difference)) = (z.cash_counted, z.difference) {
            figures.push(figure(
                Msg::RepCashCounted,
                "store-shift-counted",
                money(counted),
            ));
            figures.push(figure(
                Msg::RepDifference,
                "store-shift-difference",
                money(difference),
            ));
        }
    }
    let is_open = shift.is_open();
    view! {
        <li
            class="store-shift"
            class:open=is_open
            data-testid="store-shift"
            data-device=code
            data-state=if is_open { "open" } else { "closed" }
            data-overnight=overnight.to_string()
        >
            <p class="store-shift-head">
                <strong data-testid="store-shift-device">{device}</strong>
                <span class="badge" class:open=is_open>
                    {if is_open { Msg::StoreShiftOpen.text(lang) } else { Msg::StoreShiftClosed.text(lang) }}
                </span>
            </p>
            <p data-testid="store-shift-times">{times}</p>
            {(!staff.is_empty()).then(|| view! { <p data-testid="store-shift-staff">{staff}</p> })}
            {overnight.then(|| view! {
                <p class="warning" data-testid="store-shift-overnight">
                    {if is_open { Msg::StoreShiftLeftOpen.text(lang) } else { Msg::StoreShiftClosedLater.text(lang) }}
                </p>
            })}
            <dl class="store-shift-figures">{figures}</dl>
            {is_open.then(|| view! { <p class="hint">{Msg::StoreShiftOpenNote.text(lang)}</p> })}
        </li>
    }
}

fn summary_table(summary: &StoreDaySummary, currency: Currency, lang: Lang) -> impl IntoView {
    let money = move |amount: Decimal| i18n::money(amount, currency, lang);
    let row = move |msg: Msg, testid: &'static str, value: String| {
        super::shift::report_row(msg, testid, value, lang)
    };
    let totals = &summary.totals;
    let rows = vec![
        row(
            Msg::StoreDayDevices,
            "day-devices",
            summary.devices.to_string(),
        ),
        row(Msg::RepSales, "day-sales", totals.sales.to_string()),
        row(Msg::RepPaid, "day-paid", money(totals.total)),
        row(
            Msg::RepPaidCash,
            "day-paid-cash",
            money(summary.paid_by_tender.cash),
        ),
        row(
            Msg::RepPaidCard,
            "day-paid-card",
            money(summary.paid_by_tender.card),
        ),
        row(
            Msg::RepPaidGiftCard,
            "day-paid-gift-card",
            money(summary.paid_by_tender.other()),
        ),
        row(Msg::RepRefunds, "day-refunds", totals.refunds.to_string()),
        row(
            Msg::StoreDayRefunded,
            "day-refunded",
            money(totals.refunded),
        ),
        row(
            Msg::RepRefundedCash,
            "day-refunded-cash",
            money(summary.refunded_by_tender.cash),
        ),
        row(
            Msg::RepRefundedCard,
            "day-refunded-card",
            money(summary.refunded_by_tender.card),
        ),
        row(
            Msg::RepRefundedGiftCard,
            "day-refunded-gift-card",
            money(summary.refunded_by_tender.other()),
        ),
        row(Msg::RepNet, "day-net", money(summary.net())),
    ];
    view! {
        <table class="store-day-summary" data-testid="store-day-summary">
            <tbody>{rows}</tbody>
        </table>
    }
}
