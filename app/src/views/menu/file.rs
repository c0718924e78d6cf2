//! The menu as one CSV file: exported for a spreadsheet, and imported back with a preview that
//! lists every row that cannot be taken, by line, column and reason, before anything is kept.
//! Only the good rows are imported, or none.

use leptos::prelude::*;
use leptos::task::spawn_local;
use pos_core::{CatalogEdit, ImportPreview, RowError, Uuid, export_csv, preview_csv_steps};

use crate::core_errors::import_said;
use crate::csv_file;
use crate::i18n::Msg;
use crate::state::{AppState, Notice};

/// Rows with problems listed at once; the count says how many there are in all.
const LISTED_ERRORS: usize = 200;

/// Rows read or planned between two paints: about 20 ms of work on a phone.
const ROWS_PER_STEP: usize = 1_000;

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Idle,
    /// Reading and checking the file, with how far it is in thousandths.
    Reading(u32),
    /// The preview's counts and its first bad rows; the edits wait in [`MenuFile`]'s store, so
    /// that drawing the preview never copies 50,000 of them.
    Previewed {
        good: usize,
        bad: usize,
        errors: Vec<RowError>,
    },
    Importing(usize),
    /// The sync worker is making the edits in the store's catalog and storing them, with how
    /// far it is in thousandths.
    Saving { count: usize, permille: u32 },
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
    let edits: StoredValue<Vec<CatalogEdit>, LocalStorage> = StoredValue::new_local(Vec::new());
    let picked = move |_| {
        let Some(input) = input.get_untracked() else {
            return;
        };
        step.set(Step::Reading(0));
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
            crate::browser::mark("import:preview");
            let into = state.catalog.get_untracked();
            let mut steps = preview_csv_steps(text, &into, || Uuid::now_v7().to_string());
            drop(into);
            // A part at a time, with the page drawn (and the progress bar moved) between parts.
            loop {
                let progress = steps.step(ROWS_PER_STEP);
                if progress.done {
                    break;
                }
                step.set(Step::Reading(progress.permille));
                crate::browser::sleep(0).await;
                if step.get_untracked() == Step::Idle {
                    return;
                }
            }
            let ImportPreview { edits: good, errors } = steps.finish();
            crate::browser::mark("import:previewed");
            let (count, bad) = (good.len(), errors.len());
            edits.set_value(good);
            step.set(Step::Previewed {
                good: count,
                bad,
                errors: errors.into_iter().take(LISTED_ERRORS).collect(),
            });
            crate::browser::mark("import:preview-drawn");
        });
    };
    let import = move |_| {
        let good = edits.try_update_value(std::mem::take).unwrap_or_default();
        if good.is_empty() {
            return;
        }
        let count = good.len();
        step.set(Step::Importing(count));
        spawn_local(async move {
            crate::browser::sleep(30).await;
            crate::browser::mark("import:keep");
            let saving = move |permille| step.set(Step::Saving { count, permille });
            let kept = state.edit_catalog_reporting(good, saving).await;
            crate::browser::mark("import:kept");
            step.set(Step::Idle);
            if kept {
                state.notice.set(Some(Notice::Done(
                    Msg::ImportDone,
                    vec![("count", count.to_string())],
                )));
            }
        });
    };
    let cancel = move || {
        edits.set_value(Vec::new());
        step.set(Step::Idle);
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
                Step::Reading(permille) => Some(view! {
                    <p data-testid="import-reading">{state.t(Msg::ImportReading)}</p>
                    <progress data-testid="import-progress" max="1000" value=permille.to_string() />
                    <button data-testid="import-stop" on:click=move |_| cancel()>{state.t(Msg::Cancel)}</button>
                }.into_any()),
                Step::Importing(count) => Some(view! {
                    <p data-testid="import-running">{Msg::ImportRunning.fill(state.lang.get(), &[("count", &count.to_string())])}</p>
                    <progress />
                }.into_any()),
                Step::Saving { count, permille } => Some(view! {
                    <p data-testid="import-saving">{Msg::ImportSaving.fill(state.lang.get(), &[("count", &count.to_string())])}</p>
                    <progress data-testid="import-progress" max="1000" value=permille.to_string() />
                }.into_any()),
                Step::Previewed { good, bad, errors } => Some(view! { <Preview good bad errors cancel import /> }.into_any()),
            }}
        </div>
    }
}

#[component]
fn Preview(
    good: usize,
    bad: usize,
    errors: Vec<RowError>,
    cancel: impl Fn() + Copy + 'static,
    import: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let lang = state.lang.get_untracked();
    let summary = Msg::ImportSummary.fill(
        lang,
        &[("good", &good.to_string()), ("bad", &bad.to_string())],
    );
    let rows = errors
        .into_iter()
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
            <button data-testid="import-cancel" on:click=move |_| cancel()>{Msg::Cancel.text(lang)}</button>
        </div>
    }
}
