//! Settings for the card terminal, as a merchant sets one up: model, serial number, how it is
//! connected (standalone, training simulator, ZVT over a serial port with its baud rate and
//! password), then buttons that ask the terminal and show what it says.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_devices::SerialSettings;

use crate::i18n::{self, Msg};
use crate::state::{AppState, Notice};
use crate::terminal::{self, Connection, Report, TerminalError, TerminalSettings, TrainingOutcome};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Standalone,
    Training,
    Zvt,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Standalone => "standalone",
            Kind::Training => "training",
            Kind::Zvt => "zvt-serial",
        }
    }
}

#[component]
pub fn TerminalSettingsView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let saved = state.terminal.get_untracked();
    let model = RwSignal::new(saved.model.clone());
    let serial_number = RwSignal::new(saved.serial_number.clone());
    let password = RwSignal::new(saved.password.clone());
    let line = pos_devices::zvt::SERIAL_LINE;
    let (kind, outcome, baud, stop_bits, port) = match saved.connection {
        Connection::Standalone => (
            Kind::Standalone,
            TrainingOutcome::Approve,
            line.baud_rate,
            line.stop_bits.count(),
            None,
        ),
        Connection::Training { outcome } => (
            Kind::Training,
            outcome,
            line.baud_rate,
            line.stop_bits.count(),
            None,
        ),
        Connection::ZvtSerial {
            baud,
            port,
            stop_bits,
        } => (Kind::Zvt, TrainingOutcome::Approve, baud, stop_bits, port),
    };
    let kind = RwSignal::new(kind);
    let outcome = RwSignal::new(outcome);
    let baud = RwSignal::new(baud);
    let stop_bits = RwSignal::new(stop_bits);
    let port = RwSignal::new(port);
    let port_chosen = RwSignal::new(false);
    spawn_local(
        async move { port_chosen.set(terminal::zvt::has_port(port.get_untracked()).await) },
    );
    let result: RwSignal<Option<Result<(Msg, Report), TerminalError>>> = RwSignal::new(None);

    let save = move |_| {
        let connection = match kind.get_untracked() {
            Kind::Standalone => Connection::Standalone,
            Kind::Training => Connection::Training {
                outcome: outcome.get_untracked(),
            },
            Kind::Zvt => Connection::ZvtSerial {
                baud: baud.get_untracked(),
                stop_bits: stop_bits.get_untracked(),
                port: port.get_untracked(),
            },
        };
        let (last_receipt_no, terminal_id) = state
            .terminal
            .with_untracked(|t| (t.last_receipt_no, t.terminal_id.clone()));
        let settings = TerminalSettings {
            model: model.get_untracked().trim().to_string(),
            serial_number: serial_number.get_untracked().trim().to_string(),
            connection,
            password: password.get_untracked().trim().to_string(),
            last_receipt_no,
            terminal_id,
        };
        crate::state::terminal::save_settings(state, settings);
        state.notice.set(Some(Notice::Info(Msg::TerminalSaved)));
    };
    let choose_port = move |_| {
        spawn_local(async move {
            if let Some(ids) = terminal::zvt::choose_port().await {
                port.set(Some(ids));
            }
            port_chosen.set(terminal::zvt::has_port(port.get_untracked()).await);
        })
    };
    // Each button asks the saved terminal and shows its answer below.
    let ask = move |what: Msg| {
        if state.card_progress.get_untracked().is_some() {
            return;
        }
        let currency = state.store.with_untracked(|s| s.rules.currency);
        let device = state
            .terminal
            .with_untracked(|t| terminal::connect(t, currency));
        let on: terminal::OnProgress = std::rc::Rc::new(move |p| state.card_progress.set(Some(p)));
        result.set(None);
        spawn_local(async move {
            let answer = match what {
                Msg::CheckConnection => device.check(on).await,
                Msg::LastOperation => device.last_operation(on).await,
                Msg::RepeatReceipt => device.repeat_receipt(on).await,
                _ => device.end_of_day(on).await,
            };
            state.card_progress.set(None);
            result.set(Some(answer.map(|r| (what, r))));
        });
    };
    let money = move |amount| {
        i18n::money(
            amount,
            state.store.with(|s| s.rules.currency),
            state.lang.get(),
        )
    };
    let report_text = move |what: Msg, r: &Report| -> String {
        let lang = state.lang.get();
        let amount = r.amount.map(money).unwrap_or_else(|| "—".into());
        let receipt = r
            .receipt_no
            .map(|n| n.to_string())
            .unwrap_or_else(|| "—".into());
        match (what, r.approved) {
            (Msg::CheckConnection, _) => Msg::TerminalAnswers.text(lang).to_string(),
            (Msg::EndOfDayTotals, _) => Msg::ReportTotals.fill(
                lang,
                &[
                    ("count", &r.count.unwrap_or(0).to_string()),
                    ("amount", &amount),
                ],
            ),
            (_, None) => Msg::ReportNoOperation.text(lang).to_string(),
            (_, Some(true)) if r.amount.is_some() => {
                Msg::ReportApproved.fill(lang, &[("amount", &amount), ("receipt", &receipt)])
            }
            (_, Some(true)) => Msg::ReportNoOperation.text(lang).to_string(),
            (_, Some(false)) => {
                Msg::ReportNotApproved.fill(lang, &[("amount", &amount), ("receipt", &receipt)])
            }
        }
    };

    view! {
        <div class="setting terminal-setting" data-testid="terminal-settings">
            <h3>{move || state.t(Msg::CardTerminal)}</h3>
            <label class="field">
                <span>{move || state.t(Msg::TerminalModel)}</span>
                <input data-testid="terminal-model" prop:value=move || model.get() on:input=move |ev| model.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>{move || state.t(Msg::TerminalSerial)}</span>
                <input data-testid="terminal-serial" prop:value=move || serial_number.get() on:input=move |ev| serial_number.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>{move || state.t(Msg::TerminalConnection)}</span>
                <select
                    data-testid="terminal-connection"
                    on:change=move |ev| {
                        kind.set(match event_target_value(&ev).as_str() {
                            "training" => Kind::Training,
                            "zvt-serial" => Kind::Zvt,
                            _ => Kind::Standalone,
                        })
                    }
                >
                    {[(Kind::Standalone, Msg::ConnectionStandalone), (Kind::Training, Msg::ConnectionTraining), (Kind::Zvt, Msg::ConnectionZvt)]
                        .into_iter()
                        .map(|(k, msg)| view! { <option value=k.tag() selected=move || kind.get() == k>{move || state.t(msg)}</option> })
                        .collect_view()}
                </select>
            </label>
            <Show when=move || kind.get() == Kind::Training>
                <label class="field">
                    <span>{move || state.t(Msg::TrainingOutcomeLabel)}</span>
                    <select
                        data-testid="training-outcome"
                        on:change=move |ev| {
                            let tag = event_target_value(&ev);
                            if let Some(o) = TrainingOutcome::ALL.into_iter().find(|o| o.tag() == tag) {
                                outcome.set(o);
                            }
                        }
                    >
                        {TrainingOutcome::ALL
                            .into_iter()
                            .map(|o| view! { <option value=o.tag() selected=move || outcome.get() == o>{move || state.t(o.msg())}</option> })
                            .collect_view()}
                    </select>
                </label>
            </Show>
            <Show when=move || kind.get() == Kind::Zvt>
                <label class="field">
                    <span>{move || state.t(Msg::BaudRate)}</span>
                    <select data-testid="terminal-baud" on:change=move |ev| baud.set(event_target_value(&ev).parse().unwrap_or(9_600))>
                        {SerialSettings::BAUD_RATES
                            .iter()
                            .map(|&b| view! { <option value=b.to_string() selected=move || baud.get() == b>{b.to_string()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || state.t(Msg::StopBits)}</span>
                    <select data-testid="terminal-stop-bits" on:change=move |ev| stop_bits.set(event_target_value(&ev).parse().unwrap_or(2))>
                        {[2u8, 1]
                            .into_iter()
                            .map(|b| view! { <option value=b.to_string() selected=move || stop_bits.get() == b>{b.to_string()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>{move || state.t(Msg::TerminalPassword)}</span>
                    <input data-testid="terminal-password" inputmode="numeric" maxlength="6" autocomplete="off" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                </label>
                <p data-testid="serial-port-status">{move || state.t(if port_chosen.get() { Msg::SerialPortChosen } else { Msg::SerialPortNone })}</p>
                <button data-testid="choose-serial-port" on:click=choose_port>{move || state.t(Msg::ChooseSerialPort)}</button>
            </Show>
            <button class="primary" data-testid="save-terminal" on:click=save>{move || state.t(Msg::SaveTerminal)}</button>
            <Show when=move || state.terminal.with(|t| t.is_integrated())>
                <div class="terminal-actions">
                    <button data-testid="terminal-check" on:click=move |_| ask(Msg::CheckConnection)>{move || state.t(Msg::CheckConnection)}</button>
                    <button data-testid="terminal-last" on:click=move |_| ask(Msg::LastOperation)>{move || state.t(Msg::LastOperation)}</button>
                    <button data-testid="terminal-totals" on:click=move |_| ask(Msg::EndOfDayTotals)>{move || state.t(Msg::EndOfDayTotals)}</button>
                    <button data-testid="terminal-repeat" on:click=move |_| ask(Msg::RepeatReceipt)>{move || state.t(Msg::RepeatReceipt)}</button>
                </div>
            </Show>
            {move || state.card_progress.get().map(|p| view! {
                <p class="terminal-progress" role="status" data-testid="terminal-progress">{p.text(state.lang.get())}</p>
            })}
            {move || result.get().map(|answer| match answer {
                Ok((what, report)) => view! {
                    <div class="terminal-report" data-testid="terminal-report">
                        <p>{report_text(what, &report)}</p>
                        {(!report.lines.is_empty()).then(|| view! {
                            <h4>{move || state.t(Msg::TerminalPrint)}</h4>
                            <pre data-testid="terminal-print">{report.lines.join("\n")}</pre>
                        })}
                    </div>
                }.into_any(),
                Err(e) => {
                    let (msg, detail) = (e.msg(), e.detail());
                    view! {
                        <div class="terminal-report error" data-testid="terminal-report">
                            <p>{move || state.t(msg)}</p>
                            <super::Details detail=detail />
                        </div>
                    }.into_any()
                }
            })}
        </div>
    }
}
