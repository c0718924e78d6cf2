//! The shift screen: open with the float counted by note and coin, cash in and out, the X report,
//! the close with a blind count (and, on a standalone card terminal, the totals of its slip), and
//! the Z reports of earlier shifts with the card terminal's reconciliation; and the way to the
//! store's day (`views/store_day.rs`).
//!
//! Test ids of the reconciliation: `recon` (`data-matched`), its rows `recon-row` (`data-brand`:
//! `all` or a brand) with `recon-register`, `recon-terminal`, `recon-difference`, then
//! `recon-explanation` (or `recon-unexplained`); `recon-failed` with `recon-retry`;
//! `recon-progress`; and on the close form `terminal-total-amount`, `terminal-total-count`.

use std::collections::BTreeMap;

use leptos::prelude::*;
use pos_core::shift::{
    CashCount, CashMovementKind, Form, ShiftReport, TerminalTotals, denominations,
};
use pos_core::{Currency, Decimal};

use crate::i18n::{self, Msg, parse_decimal};
use crate::state::AppState;

#[component]
pub fn ShiftScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    let open = Memo::new(move |_| state.shifts.open());
    view! {
        <section class="shift" data-testid="shift-screen">
            <h2>{move || state.t(Msg::NavShift)}</h2>
            <p class="hint">{move || state.t(Msg::ShiftShared)}</p>
            // The owner's view of every register's shifts and the store's day.
            <Show when=move || state.membership.with(Option::is_some)>
                <button data-testid="open-store-day" on:click=move |_| state.open_store_day()>
                    {move || state.t(Msg::NavStoreDay)}
                </button>
            </Show>
            {move || match open.get() {
                None => view! { <OpenShift /> }.into_any(),
                Some(shift) => {
                    let since = shift.opened_at_ms;
                    // A shift left open past midnight: it may be closed now, but the cashier is
                    // told, since the day's figures then span two days.
                    let overnight = crate::sync::business_day(since as f64)
                        != crate::sync::business_day(js_sys::Date::now());
                    view! {
                        <p data-testid="shift-opened">
                            {move || Msg::ShiftOpenedAt.fill(state.lang.get(), &[("time", &i18n::date_time(since, state.lang.get()))])}
                        </p>
                        <Show when=move || overnight>
                            <p class="warning" role="status" data-testid="shift-overnight">{move || state.t(Msg::ShiftOvernight)}</p>
                        </Show>
                        <button data-testid="shift-x-report" on:click=move |_| state.show_shift_report(shift.clone())>
                            {move || state.t(Msg::ShiftXReport)}
                        </button>
                        <CashMoves />
                        <CloseShift />
                    }
                    .into_any()
                }
            }}
            <Report />
            <EarlierShifts />
        </section>
    }
}

/// How many of each note and coin, and the loose rest, as typed; the count is checked on use.
#[derive(Clone, Copy)]
struct CountInput {
    pieces: RwSignal<BTreeMap<Decimal, String>>,
    loose: RwSignal<String>,
}

impl CountInput {
    fn new() -> CountInput {
        CountInput {
            pieces: RwSignal::new(BTreeMap::new()),
            loose: RwSignal::new(String::new()),
        }
    }

    /// The count, or `None` when a field holds something that is not a whole number of pieces or
    /// an amount of the currency.
    fn count(&self, currency: Currency) -> Option<CashCount> {
        let pieces: Option<Vec<(Decimal, u32)>> = self.pieces.with(|p| {
            p.iter()
                .filter(|(_, n)| !n.trim().is_empty())
                .map(|(value, n)| Some((*value, n.trim().parse::<u32>().ok()?)))
                .collect()
        });
        let loose = self.loose.with(|l| {
            if l.trim().is_empty() {
                Some(Decimal::ZERO)
            } else {
                parse_decimal(l)
            }
        })?;
        CashCount::new(currency, &pieces?, loose).ok()
    }

    fn clear(&self) {
        self.pieces.set(BTreeMap::new());
        self.loose.set(String::new());
    }
}

#[component]
fn CountForm(input: CountInput, title: Msg, testid: &'static str) -> impl IntoView {
    let state = expect_context::<AppState>();
    let currency = move || state.store.with(|s| s.rules.currency);
    let money = move |amount: Decimal| i18n::money(amount, currency(), state.lang.get());
    let row = move |value: Decimal, form: Form| {
        let key = value.normalize().to_string();
        view! {
            <label class="count-row" class:coin=form == Form::Coin>
                <span class="count-value">{move || money(value)}</span>
                <input
                    type="number"
                    min="0"
                    step="1"
                    inputmode="numeric"
                    data-testid=format!("{testid}-{key}")
                    prop:value=move || input.pieces.with(|p| p.get(&value).cloned().unwrap_or_default())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        input.pieces.update(|p| {
                            p.insert(value, text);
                        });
                    }
                />
            </label>
        }
    };
    view! {
        <fieldset class="cash-count" data-testid=testid>
            <legend>{move || state.t(title)}</legend>
            <div class="count-grid">
                {move || denominations(currency()).into_iter().map(|d| row(d.value, d.form)).collect::<Vec<_>>()}
            </div>
            <label class="count-row loose">
                <span>{move || state.t(Msg::ShiftLoose)}</span>
                <input
                    type="text"
                    inputmode="decimal"
                    data-testid=format!("{testid}-loose")
                    prop:value=move || input.loose.get()
                    on:input=move |ev| input.loose.set(event_target_value(&ev))
                />
            </label>
            <p class="count-total" data-testid=format!("{testid}-total")>
                {move || match input.count(currency()) {
                    Some(count) => Msg::ShiftCounted.fill(state.lang.get(), &[("amount", &money(count.total()))]),
                    None => state.t(Msg::ShiftBadAmount).to_string(),
                }}
            </p>
        </fieldset>
    }
}

#[component]
fn OpenShift() -> impl IntoView {
    let state = expect_context::<AppState>();
    let input = CountInput::new();
    let open = move |_| match input.count(state.store.with_untracked(|s| s.rules.currency)) {
        Some(float) => {
            state.open_shift(float);
            input.clear();
        }
        None => state.error(Msg::ShiftBadAmount),
    };
    view! {
        <p data-testid="shift-none">{move || state.t(Msg::ShiftNoneOpen)}</p>
        <CountForm input title=Msg::ShiftFloatCount testid="float" />
        <button class="primary" data-testid="shift-open" disabled=move || state.shifts.busy.get() on:click=open>
            {move || state.t(Msg::ShiftOpen)}
        </button>
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Move {
    PayIn,
    PayOut,
    Drop,
}

#[component]
fn CashMoves() -> impl IntoView {
    let state = expect_context::<AppState>();
    let kind = RwSignal::new(Move::PayOut);
    let amount = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let record = move |_| {
        let Some(value) = parse_decimal(&amount.get_untracked()) else {
            return state.error(Msg::ShiftBadAmount);
        };
        let why = reason.get_untracked();
        let movement = match kind.get_untracked() {
            Move::PayIn => CashMovementKind::PayIn { reason: why },
            Move::PayOut => CashMovementKind::PayOut { reason: why },
            Move::Drop => CashMovementKind::Drop,
        };
        state.move_cash(movement, value);
        amount.set(String::new());
        reason.set(String::new());
    };
    let choice = move |this: Move, msg: Msg, testid: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="cash-move" data-testid=testid prop:checked=move || kind.get() == this on:change=move |_| kind.set(this) />
                {move || state.t(msg)}
            </label>
        }
    };
    view! {
        <fieldset class="cash-moves">
            <legend>{move || state.t(Msg::ShiftCashMove)}</legend>
            {choice(Move::PayIn, Msg::ShiftPayIn, "move-pay-in")}
            {choice(Move::PayOut, Msg::ShiftPayOut, "move-pay-out")}
            {choice(Move::Drop, Msg::ShiftDrop, "move-drop")}
            <input
                type="text"
                inputmode="decimal"
                data-testid="move-amount"
                aria-label=move || state.t(Msg::ShiftAmount)
                placeholder=move || state.t(Msg::ShiftAmount)
                prop:value=move || amount.get()
                on:input=move |ev| amount.set(event_target_value(&ev))
            />
            <Show when=move || kind.get() != Move::Drop>
                <input
                    type="text"
                    data-testid="move-reason"
                    aria-label=move || state.t(Msg::ShiftReason)
                    placeholder=move || state.t(Msg::ShiftReason)
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                />
            </Show>
            <button data-testid="move-record" disabled=move || state.shifts.busy.get() on:click=record>
                {move || state.t(Msg::ShiftRecordMove)}
            </button>
        </fieldset>
    }
}

/// The close is blind unless the store says otherwise (`Store::close_shows_expected`): the form
/// shows what was counted, never what is expected, and the X report is put away while the drawer
/// is counted; the Z report then shows both. Not blind, the cash expected stays beside the count.
#[component]
fn CloseShift() -> impl IntoView {
    let state = expect_context::<AppState>();
    let input = CountInput::new();
    let blind = move || state.store.with(|s| !s.close_shows_expected);
    Effect::new(move |first: Option<()>| {
        input.pieces.track();
        input.loose.track();
        let showing_x = state
            .shifts
            .report
            .with_untracked(|r| r.as_ref().is_some_and(|r| !r.closed));
        if first.is_some() && showing_x && blind() {
            state.shifts.report.set(None);
        }
    });
    // Not blind: the X report is worked out now, for its cash expected.
    if state.store.with_untracked(|s| s.close_shows_expected)
        && let Some(open) = state.shifts.open()
    {
        state.show_shift_report(open);
    }
    let expected = move || {
        state
            .shifts
            .report
            .with(|r| r.as_ref().filter(|r| !r.closed).map(|r| (r.cash_expected, r.currency)))
    };
    let slip_amount = RwSignal::new(String::new());
    let slip_count = RwSignal::new(String::new());
    let close = move |_| {
        let Some(counted) = input.count(state.store.with_untracked(|s| s.rules.currency)) else {
            return state.error(Msg::ShiftBadAmount);
        };
        let typed = if state.terminal.with_untracked(|t| t.is_integrated()) {
            None
        } else {
            match slip_totals(&slip_amount.get_untracked(), &slip_count.get_untracked()) {
                Ok(typed) => typed,
                Err(()) => return state.error(Msg::ReconSlipBad),
            }
        };
        state.shifts.report.set(None);
        state.close_shift(counted, typed);
        slip_amount.set(String::new());
        slip_count.set(String::new());
    };
    view! {
        <CountForm input title=Msg::ShiftCloseCount testid="close-count" />
        {move || match expected().filter(|_| !blind()) {
            Some((amount, currency)) => view! {
                <p class="expected-now" data-testid="close-expected">
                    {move || Msg::ShiftExpectedNow.fill(state.lang.get(), &[("amount", &crate::i18n::money(amount, currency, state.lang.get()))])}
                </p>
            }.into_any(),
            None => view! { <p class="hint">{move || state.t(Msg::ShiftBlindNote)}</p> }.into_any(),
        }}
        // A standalone terminal's end of day is printed on its own slip: its card total, typed
        // here, is reconciled with the shift's card payments.
        <Show when=move || !state.terminal.with(|t| t.is_integrated())>
            <fieldset class="slip-totals">
                <label>
                    <span>{move || state.t(Msg::ReconSlipAmount)}</span>
                    <input
                        type="text"
                        inputmode="decimal"
                        data-testid="terminal-total-amount"
                        prop:value=move || slip_amount.get()
                        on:input=move |ev| slip_amount.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    <span>{move || state.t(Msg::ReconSlipCount)}</span>
                    <input
                        type="number"
                        min="0"
                        step="1"
                        inputmode="numeric"
                        data-testid="terminal-total-count"
                        prop:value=move || slip_count.get()
                        on:input=move |ev| slip_count.set(event_target_value(&ev))
                    />
                </label>
            </fieldset>
        </Show>
        <button class="primary" data-testid="shift-close" disabled=move || state.shifts.busy.get() on:click=close>
            {move || state.t(Msg::ShiftClose)}
        </button>
    }
}

/// The totals typed from a standalone terminal's slip: none when the amount is left empty, the
/// amount alone when the count is; `Err` when either is not a number of its kind.
fn slip_totals(amount: &str, count: &str) -> Result<Option<TerminalTotals>, ()> {
    if amount.trim().is_empty() {
        return if count.trim().is_empty() {
            Ok(None)
        } else {
            Err(())
        };
    }
    let amount = parse_decimal(amount)
        .filter(|a| *a >= Decimal::ZERO)
        .ok_or(())?;
    if count.trim().is_empty() {
        return Ok(Some(TerminalTotals::amount_only(amount)));
    }
    let count = count.trim().parse::<u32>().map_err(|_| ())?;
    Ok(Some(TerminalTotals::overall(i64::from(count), amount)))
}

#[component]
fn Report() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.shifts.report.get().map(|report| {
            let lang = state.lang.get();
            view! { <ReportTable report lang /> }
        })
    }
}

#[component]
fn ReportTable(report: ShiftReport, lang: i18n::Lang) -> impl IntoView {
    let state = expect_context::<AppState>();
    let printed = report.clone();
    let shift_id = report.shift;
    // A Z report is printed when the shift closes; printing it from the screen is a reprint.
    let reprint = report.closed;
    let currency = report.currency;
    let money = move |amount: Decimal| i18n::money(amount, currency, lang);
    let row =
        move |msg: Msg, testid: &'static str, value: String| report_row(msg, testid, value, lang);
    let receipts = match (&report.first_receipt, &report.last_receipt) {
        (Some(first), Some(last)) => format!("{first} – {last}"),
        _ => "–".to_string(),
    };
    let taxes = report
        .taxes
        .iter()
        .map(|t| {
            let text = Msg::RepTaxes.fill(
                lang,
                &[
                    ("rate", &t.category.name),
                    ("net", &money(t.net)),
                    ("tax", &money(t.tax)),
                    ("gross", &money(t.gross)),
                ],
            );
            view! { <li data-testid="rep-tax">{text}</li> }
        })
        .collect::<Vec<_>>();
    let tips = report
        .tips_by_staff
        .iter()
        .map(|t| {
            let who = t
                .name
                .clone()
                .unwrap_or_else(|| Msg::TipsOfTheTill.text(lang).to_string());
            let text = Msg::RepTips.fill(
                lang,
                &[
                    ("who", &who),
                    ("count", &t.count.to_string()),
                    ("amount", &money(t.amount)),
                ],
            );
            view! { <li data-testid="rep-tips">{text}</li> }
        })
        .collect::<Vec<_>>();
    let title = if report.closed { Msg::ShiftZReport } else { Msg::ShiftXReport };
    let mut rows = vec![
        row(Msg::RepSales, "rep-sales", report.sales.to_string()),
        row(Msg::RepGross, "rep-gross", money(report.gross_sales)),
        row(Msg::RepDiscounts, "rep-discounts", money(report.discounts)),
        row(Msg::RepCashRounding, "rep-cash-rounding", money(report.cash_rounding)),
        row(Msg::RepCardExcess, "rep-card-excess", money(report.card_excess)),
        row(Msg::RepTipsTotal, "rep-tips-total", money(report.tips)),
        row(Msg::RepPaid, "rep-paid", money(report.paid)),
        row(Msg::RepPaidCash, "rep-paid-cash", money(report.paid_by_tender.cash)),
        row(Msg::RepPaidCard, "rep-paid-card", money(report.paid_by_tender.card)),
        row(Msg::RepRefunds, "rep-refunds", report.refunds.to_string()),
        row(Msg::RepRefundedCash, "rep-refunded-cash", money(report.refunded_by_tender.cash)),
        row(Msg::RepRefundedCard, "rep-refunded-card", money(report.refunded_by_tender.card)),
        row(Msg::RepVoids, "rep-voids", report.voids.to_string()),
        row(Msg::RepVoided, "rep-voided", money(report.voided)),
        row(Msg::RepNet, "rep-net", money(report.net_sales)),
        row(Msg::RepAverage, "rep-average", report.average_ticket.map(money).unwrap_or_else(|| "–".into())),
        row(Msg::RepReceipts, "rep-receipts", receipts),
        row(Msg::RepFloat, "rep-float", money(report.float)),
        row(Msg::RepPayIns, "rep-pay-ins", money(report.pay_ins)),
        row(Msg::RepPayOuts, "rep-pay-outs", money(report.pay_outs)),
        row(Msg::RepDrops, "rep-drops", money(report.drops)),
        row(Msg::RepCashExpected, "rep-cash-expected", money(report.cash_expected)),
    ];
    if !report.paid_by_tender.exchange.is_zero() || !report.refunded_by_tender.exchange.is_zero() {
        // Exchanges took and gave back goods, not money: shown apart so cash and card add up.
        rows.insert(9, row(Msg::RepPaidExchange, "rep-paid-exchange", money(report.paid_by_tender.exchange)));
        rows.insert(13, row(Msg::RepRefundedExchange, "rep-refunded-exchange", money(report.refunded_by_tender.exchange)));
    }
    if report.closed {
        rows.push(row(Msg::RepCashCounted, "rep-cash-counted", report.cash_counted.map(money).unwrap_or_default()));
        rows.push(row(Msg::RepDifference, "rep-difference", report.difference.map(money).unwrap_or_default()));
    }
    view! {
        <section class="shift-report" data-testid="shift-report" data-kind=if report.closed { "z" } else { "x" }>
            <h3>{title.text(lang)}</h3>
            <table>
                <tbody>{rows}</tbody>
            </table>
            <ul class="report-taxes">{taxes}</ul>
            <ul class="report-tips">{tips}</ul>
            {report.closed.then(|| view! { <super::reconciliation::Reconciled shift_id currency lang /> })}
            <button data-testid="print-shift-report" on:click=move |_| {
                let reconciliation = state.shifts.all.with_untracked(|all| {
                    all.iter().find(|s| s.id == shift_id).and_then(|s| s.reconciliation().cloned())
                });
                if !state.print_shift_report(&printed, reprint, reconciliation.as_ref()) {
                    state.error(Msg::ShiftNoPrinter);
                }
            }>
                {Msg::ShiftPrint.text(lang)}
            </button>
        </section>
    }
}

/// One figure of a report: its name and its value (the store's day has them too).
pub(super) fn report_row(
    msg: Msg,
    testid: &'static str,
    value: String,
    lang: i18n::Lang,
) -> impl IntoView {
    view! {
        <tr data-testid=testid>
            <th scope="row">{msg.text(lang)}</th>
            <td class="amount">{value}</td>
        </tr>
    }
}

#[component]
fn EarlierShifts() -> impl IntoView {
    let state = expect_context::<AppState>();
    let closed = Memo::new(move |_| {
        state.shifts.all.with(|all| {
            all.iter()
                .rev()
                .filter(|s| !s.is_open())
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || closed.with(|c| !c.is_empty())>
            <h3>{move || state.t(Msg::ShiftEarlier)}</h3>
            <ul class="earlier-shifts">
                {move || closed.get().into_iter().map(|shift| {
                    let lang = state.lang.get();
                    let at = i18n::date_time(shift.close.as_ref().map_or(shift.opened_at_ms, |c| c.at_ms), lang);
                    view! {
                        <li data-testid="earlier-shift">
                            <span>{i18n::date_time(shift.opened_at_ms, lang)}" – "{at}</span>
                            <button data-testid="earlier-shift-report" on:click=move |_| state.show_shift_report(shift.clone())>
                                {move || state.t(Msg::ShiftShowReport)}
                            </button>
                        </li>
                    }
                }).collect::<Vec<_>>()}
            </ul>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slips_totals_are_optional_and_checked() {
        assert_eq!(slip_totals("", ""), Ok(None));
        assert_eq!(slip_totals(" ", "2"), Err(()));
        assert_eq!(
            slip_totals("12.50", ""),
            Ok(Some(TerminalTotals::amount_only(Decimal::new(1250, 2))))
        );
        assert_eq!(
            slip_totals("12,50", " 2 "),
            Ok(Some(TerminalTotals::overall(2, Decimal::new(1250, 2))))
        );
        assert_eq!(slip_totals("-1", "1"), Err(()));
        assert_eq!(slip_totals("3.50", "1.5"), Err(()));
        assert_eq!(slip_totals("lots", "1"), Err(()));
    }
}
