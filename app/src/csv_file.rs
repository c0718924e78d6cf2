//! The menu's CSV file in the browser: the text of a file the manager picked, and a download of
//! the export, and of a customer's data as JSON. What the file says is read by core
//! (`pos_core::preview_csv`).

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::browser::error_message;

#[wasm_bindgen(inline_js = r#"
export async function picked_text(input) {
  const file = input.files && input.files[0];
  if (!file) return null;
  return await file.text();
}
export function download_text(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}
"#)]
extern "C" {
    #[wasm_bindgen(catch)]
    fn picked_text(input: &web_sys::HtmlInputElement) -> Result<js_sys::Promise, JsValue>;
    fn download_text(name: &str, text: &str, kind: &str);
}

/// The text of the file chosen in `input`; `Ok(None)` when none was chosen.
pub async fn read_picked(input: &web_sys::HtmlInputElement) -> Result<Option<String>, String> {
    let promise = picked_text(input).map_err(error_message)?;
    let text = JsFuture::from(promise).await.map_err(error_message)?;
    Ok(text.as_string())
}

/// Offers `text` as a file to save. A byte-order mark first, so a spreadsheet opening it reads
/// UTF-8 (Cyrillic names) rather than the system's code page.
pub fn offer_download(name: &str, text: &str) {
    download_text(name, &format!("\u{feff}{text}"), "text/csv;charset=utf-8");
}

/// Offers `text` as a JSON file to save (a customer's data on their request).
pub fn offer_json_download(name: &str, text: &str) {
    download_text(name, text, "application/json;charset=utf-8");
}
