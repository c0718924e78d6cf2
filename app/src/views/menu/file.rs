//! The menu as one CSV file: exported for a spreadsheet, and imported back with a preview that
//! lists every row that cannot be taken, by line, column and reason, before anything is kept.
//! Only the good rows are imported, or none.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{ImportPreview, Uuid, export_csv, preview_csv};

use crate::core_errors::import_said;
use crate::csv_file;
use crate::i18n::Msg;
use crate::state::{AppState, Notice};

/// Rows with problems listed at once; the count says how many there are in all.
const LISTED_ERRORS: usize = 200;

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Idle,
    Reading,
    Previewed(ImportPreview),
    Importing(usize),
}

#[component]
pub(super) fn MenuFile() -> impl IntoView {
    let state = expect_context::<AppState>();
    let step = RwSignal::new(Step::Idle);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let export = move |_| {
        if !state.catalog_whole.get_untracked() {
            return state.error(Msg::CatalogStillLoading);
        }
        let text = state.catalog.with_untracked(export_csv);
        csv_file::offer_download("menu.csv", &text);
    };
    let picked = move |_| {
        let Some(input) = input.get_untracked() else {
            return;
        };
        step.set(Step::Reading);
        spawn_local(async move {
            let text = match csv_file::read_picked(&input).await {
                Ok(Some(text)) => text,
                Ok(None) => return step.set(Step::Idle),
                Err(detail) => {
                    step.set(Step::Idle);
                    return state
                        .notice
                        .set(Some(Notice::Fault(Msg::ImportUnreadable, detail)));
                }
            };
            input.set_value("");
            // Let "Reading the file…" be painted before the file is read.
            crate::browser::sleep(30).await;
            let preview = state
                .catalog
                .with_untracked(|c| preview_csv(&text, c, || Uuid::now_v7().to_string()));
            step.set(Step::Previewed(preview));
        });
    };
    let import = move |_| {
        let Step::Previewed(preview) = step.get_untracked() else {
            return;
        };
        let count = preview.edits.len();
        step.set(Step::Importing(count));
        spawn_local(async move {
            crate::browser::sleep(30).await;
            let kept = state.edit_catalog(preview.edits).await;
            step.set(Step::Idle);
            if kept {
                state.notice.set(Some(Notice::Done(
                    Msg::ImportDone,
                    vec![("count", count.to_string())],
                )));
            }
        });
    };
    view! {
        <div class="setting">
            <h3>{move || state.t(Msg::MenuFileHeading)}</h3>
            <p class="note">{move || state.t(Msg::MenuFileNote)}</p>
            <div class="toolbar">
                <button data-testid="export-csv" on:click=export>{move || state.t(Msg::ExportCsv)}</button>
                <label class="field">
                    <span>{move || state.t(Msg::ImportCsv)}</span>
                    <input type="file" accept=".csv,text/csv,text/plain" data-testid="import-file" node_ref=input on:change=picked />
                </label>
            </div>
            {move || match step.get() {
                Step::Idle => None,
                Step::Reading => Some(view! {
                    <p data-testid="import-reading">{state.t(Msg::ImportReading)}</p>
                    <progress />
                }.into_any()),
                Step::Importing(count) => Some(view! {
                    <p data-testid="import-running">{Msg::ImportRunning.fill(state.lang.get(), &[("count", &count.to_string())])}</p>
                    <progress />
                }.into_any()),
                Step::Previewed(preview) => Some(view! { <Preview preview step import /> }.into_any()),
            }}
        </div>
    }
}

#[component]
fn Preview(
    preview: ImportPreview,
    step: RwSignal<Step>,
    import: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let (good, bad) = (preview.edits.len(), preview.errors.len());
    let summary = Msg::ImportSummary.fill(
        lang,
        &[("good", &good.to_string()), ("bad", &bad.to_string())],
    );
    let rows = preview
        .errors
        .into_iter()
        .take(LISTED_ERRORS)
        .map(|e| {
            let (msg, args) = import_said(&e.reason);
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            view! {
                <tr data-testid="import-error" data-line=e.line.to_string()>
                    <td>{e.line}</td>
                    <td>{e.column.unwrap_or_default()}</td>
                    <td>{msg.fill(lang, &args)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <p data-testid="import-summary" data-good=good.to_string() data-bad=bad.to_string()>{summary}</p>
        {(bad > 0).then(|| view! {
            <table class="import-errors">
                <thead><tr>
                    <th>{Msg::ImportLine.text(lang)}</th>
                    <th>{Msg::ImportColumn.text(lang)}</th>
                    <th>{Msg::ImportReason.text(lang)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        })}
        <div class="actions">
            <button class="primary" data-testid="import-good" disabled=good == 0 on:click=import>
                {Msg::ImportGood.fill(lang, &[("count", &good.to_string())])}
            </button>
            <button data-testid="import-cancel" on:click=move |_| step.set(Step::Idle)>{Msg::Cancel.text(lang)}</button>
        </div>
    }
}
