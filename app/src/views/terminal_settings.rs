//! Settings for the card terminal, as a merchant sets one up: model, serial number, how it is
//! connected (standalone, training simulator, ZVT over a serial port with its baud rate and
//! password), then buttons that ask the terminal and show what it says. The fields map to the
//! saved settings through [`TerminalForm`](super::forms::terminal::TerminalForm).

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_devices::SerialSettings;

use super::forms::terminal::{Field, Kind, TerminalForm};
use crate::i18n::{self, Msg};
use crate::state::{AppState, Notice};
use crate::terminal::{self, Report, TerminalError, TrainingOutcome};

#[component]
pub fn TerminalSettingsView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let form = RwSignal::new(state.terminal.with_untracked(TerminalForm::of));
    let save = move |_| match state
        .terminal
        .with_untracked(|saved| form.with_untracked(|f| f.settings(saved)))
    {
        Ok(settings) => {
            crate::state::terminal::save_settings(state, settings);
            state.notice.set(Some(Notice::Info(Msg::TerminalSaved)));
        }
        Err(e) => state.error(e.msg()),
    };
    view! {
        <div class="setting terminal-setting" data-testid="terminal-settings">
            <h3>{move || state.t(Msg::CardTerminal)}</h3>
            <TextField form label=Msg::TerminalModel testid="terminal-model" field=Field::Model />
            <TextField form label=Msg::TerminalSerial testid="terminal-serial" field=Field::SerialNumber />
            <ConnectionField form />
            <Show when=move || form.with(|f| f.kind == Kind::Training)>
                <OutcomeField form />
            </Show>
            <Show when=move || form.with(|f| f.kind == Kind::Zvt)>
                <ZvtFields form />
            </Show>
            <button class="primary" data-testid="save-terminal" on:click=save>{move || state.t(Msg::SaveTerminal)}</button>
            <TerminalActions />
        </div>
    }
}

/// A text input bound to one string of the form.
#[component]
fn TextField(
    form: RwSignal<TerminalForm>,
    label: Msg,
    testid: &'static str,
    field: Field,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="field">
            <span>{move || state.t(label)}</span>
            <input data-testid=testid prop:value=move || form.with(|f| f.field(field).to_string())
                on:input=move |ev| form.update(|f| f.set(field, event_target_value(&ev))) />
        </label>
    }
}

#[component]
fn ConnectionField(form: RwSignal<TerminalForm>) -> impl IntoView {
    let options = Kind::ALL.map(|k| (k.tag(), k.msg())).to_vec();
    let current = Signal::derive(move || form.with(|f| f.kind.tag()));
    let choose = move |tag: String| {
        let kind = Kind::from_tag(&tag).unwrap_or(Kind::Standalone);
        form.update(|f| f.kind = kind);
    };
    view! { <Choice label=Msg::TerminalConnection testid="terminal-connection" options current choose /> }
}

#[component]
fn OutcomeField(form: RwSignal<TerminalForm>) -> impl IntoView {
    let options = TrainingOutcome::ALL.map(|o| (o.tag(), o.msg())).to_vec();
    let current = Signal::derive(move || form.with(|f| f.outcome.tag()));
    let choose = move |tag: String| {
        if let Some(o) = TrainingOutcome::ALL.into_iter().find(|o| o.tag() == tag) {
            form.update(|f| f.outcome = o);
        }
    };
    view! { <Choice label=Msg::TrainingOutcomeLabel testid="training-outcome" options current choose /> }
}

/// A select of translated choices, each with the tag its option's value carries.
#[component]
fn Choice(
    label: Msg,
    testid: &'static str,
    options: Vec<(&'static str, Msg)>,
    current: Signal<&'static str>,
    choose: impl Fn(String) + 'static,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label class="field">
            <span>{move || state.t(label)}</span>
            <select data-testid=testid on:change=move |ev| choose(event_target_value(&ev))>
                {options
                    .into_iter()
                    .map(|(tag, msg)| view! { <option value=tag selected=move || current.get() == tag>{move || state.t(msg)}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// The serial line, the password and the port of a ZVT terminal.
#[component]
fn ZvtFields(form: RwSignal<TerminalForm>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let port_chosen = RwSignal::new(false);
    let port = move || form.with_untracked(|f| f.port);
    spawn_local(async move { port_chosen.set(terminal::zvt::has_port(port()).await) });
    let choose_port = move |_| {
        spawn_local(async move {
            if let Some(ids) = terminal::zvt::choose_port().await {
                form.update(|f| f.port = Some(ids));
            }
            port_chosen.set(terminal::zvt::has_port(port()).await);
        })
    };
    let bauds = SerialSettings::BAUD_RATES
        .iter()
        .map(u32::to_string)
        .collect();
    view! {
        <SelectField form label=Msg::BaudRate testid="terminal-baud" options=bauds field=Field::Baud />
        <SelectField form label=Msg::StopBits testid="terminal-stop-bits" options=vec!["2".into(), "1".into()] field=Field::StopBits />
        <label class="field">
            <span>{move || state.t(Msg::TerminalPassword)}</span>
            <input data-testid="terminal-password" inputmode="numeric" maxlength="6" autocomplete="off"
                prop:value=move || form.with(|f| f.password.clone())
                on:input=move |ev| form.update(|f| f.set(Field::Password, event_target_value(&ev))) />
        </label>
        <p data-testid="serial-port-status">{move || state.t(if port_chosen.get() { Msg::SerialPortChosen } else { Msg::SerialPortNone })}</p>
        <button data-testid="choose-serial-port" on:click=choose_port>{move || state.t(Msg::ChooseSerialPort)}</button>
    }
}

/// A select of fixed values bound to one string of the form.
#[component]
fn SelectField(
    form: RwSignal<TerminalForm>,
    label: Msg,
    testid: &'static str,
    options: Vec<String>,
    field: Field,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let current = move || form.with(|f| f.field(field).to_string());
    view! {
        <label class="field">
            <span>{move || state.t(label)}</span>
            <select data-testid=testid on:change=move |ev| form.update(|f| f.set(field, event_target_value(&ev)))>
                {options
                    .into_iter()
                    .map(|o| view! { <option value=o.clone() selected={let o = o.clone(); move || current() == o}>{o.clone()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}

/// What the administration buttons ask the terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ask {
    Check,
    LastOperation,
    Totals,
    RepeatReceipt,
}

impl Ask {
    const ALL: [Ask; 4] = [
        Ask::Check,
        Ask::LastOperation,
        Ask::Totals,
        Ask::RepeatReceipt,
    ];

    fn msg(self) -> Msg {
        match self {
            Ask::Check => Msg::CheckConnection,
            Ask::LastOperation => Msg::LastOperation,
            Ask::Totals => Msg::EndOfDayTotals,
            Ask::RepeatReceipt => Msg::RepeatReceipt,
        }
    }

    fn testid(self) -> &'static str {
        match self {
            Ask::Check => "terminal-check",
            Ask::LastOperation => "terminal-last",
            Ask::Totals => "terminal-totals",
            Ask::RepeatReceipt => "terminal-repeat",
        }
    }
}

/// The buttons that ask the saved terminal, and what it answered.
#[component]
fn TerminalActions() -> impl IntoView {
    let state = expect_context::<AppState>();
    let result: RwSignal<Option<Result<(Ask, Report), TerminalError>>> = RwSignal::new(None);
    let ask = move |what: Ask| {
        if state.card_progress.get_untracked().is_some() {
            return;
        }
        let device = crate::state::terminal::terminal(state);
        let on: terminal::OnProgress = std::rc::Rc::new(move |p| state.card_progress.set(Some(p)));
        result.set(None);
        spawn_local(async move {
            let answer = match what {
                Ask::Check => device.check(on).await,
                Ask::LastOperation => device.last_operation(on).await,
                Ask::Totals => device.end_of_day(on).await,
                Ask::RepeatReceipt => device.repeat_receipt(on).await,
            };
            state.card_progress.set(None);
            result.set(Some(answer.map(|r| (what, r))));
        });
    };
    let button = move |what: Ask| {
        view! { <button data-testid=what.testid() on:click=move |_| ask(what)>{move || state.t(what.msg())}</button> }
    };
    view! {
        <Show when=move || state.terminal.with(|t| t.is_integrated())>
            <div class="terminal-actions">
                {Ask::ALL.into_iter().map(button).collect::<Vec<_>>()}
            </div>
        </Show>
        {move || state.card_progress.get().map(|p| view! {
            <p class="terminal-progress" role="status" data-testid="terminal-progress">{p.text(state.lang.get())}</p>
        })}
        {move || result.get().map(|answer| view! { <TerminalAnswer answer /> })}
    }
}

/// What the terminal answered to one of the buttons.
#[component]
fn TerminalAnswer(answer: Result<(Ask, Report), TerminalError>) -> impl IntoView {
    let state = expect_context::<AppState>();
    match answer {
        Ok((what, report)) => {
            let lines = report.lines.join("\n");
            view! {
                <div class="terminal-report" data-testid="terminal-report">
                    <p>{move || report_text(state, what, &report)}</p>
                    {(!lines.is_empty()).then(|| view! {
                        <h4>{move || state.t(Msg::TerminalPrint)}</h4>
                        <pre data-testid="terminal-print">{lines}</pre>
                    })}
                </div>
            }
            .into_any()
        }
        Err(e) => {
            let (msg, detail) = (e.msg(), e.detail());
            view! {
                <div class="terminal-report error" data-testid="terminal-report">
                    <p>{move || state.t(msg)}</p>
                    <super::Details detail=detail />
                </div>
            }
            .into_any()
        }
    }
}

fn report_text(state: AppState, what: Ask, r: &Report) -> String {
    let lang = state.lang.get();
    let currency = state.store.with(|s| s.rules.currency);
    let amount = r
        .amount
        .map(|a| i18n::money(a, currency, lang))
        .unwrap_or_else(|| "—".into());
    let receipt = r
        .receipt_no
        .map(|n| n.to_string())
        .unwrap_or_else(|| "—".into());
    match (what, r.approved) {
        (Ask::Check, _) => Msg::TerminalAnswers.text(lang).to_string(),
        (Ask::Totals, _) => Msg::ReportTotals.fill(
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
}
