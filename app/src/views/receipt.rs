//! The receipt on screen, drawn from the same `ReceiptLayout` the printer gets, so what the
//! cashier sees is what the customer takes away: the same rows, labels and amounts. Only the
//! codes differ: the screen leaves out the QR code and barcode (the receipt number is shown in
//! text above them) and the printer commands (cut, drawer kick).

use leptos::prelude::*;
use pos_core::Sale;
use pos_devices::{Align, ReceiptBlock, ReceiptCopy, Rule, TextStyle};

use crate::state::AppState;

#[component]
pub fn Receipt(sale: Sale) -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        // Follows the screen's language when the store has not chosen one for receipts.
        state.lang.track();
        let layout = state.receipt_layout(&sale, ReceiptCopy::Customer, false);
        let labels = state.receipt_language().labels();
        let number_prefix = format!("{} ", labels.receipt);
        let logo = state
            .store
            .with_untracked(|s| s.logo.as_ref().map(crate::receipt_logo::preview))
            .unwrap_or_default();
        view! {
            <article class="receipt" data-testid="receipt">
                {layout.blocks.into_iter().map(|block| block_view(block, labels.total, &number_prefix, &logo)).collect_view()}
            </article>
        }
    }
}

fn style_class(style: TextStyle) -> &'static str {
    match (style.bold, style.large) {
        (_, true) => "large",
        (true, false) => "bold",
        (false, false) => "",
    }
}

fn block_view(
    block: ReceiptBlock,
    total_label: &str,
    number_prefix: &str,
    logo: &str,
) -> Option<AnyView> {
    Some(match block {
        ReceiptBlock::Text { text, align, style } => {
            let align = match align {
                Align::Left => "left",
                Align::Center => "center",
                Align::Right => "right",
            };
            view! { <p class=format!("text {align} {}", style_class(style))>{text}</p> }.into_any()
        }
        ReceiptBlock::Row { left, right, style } => {
            // The tests and the sales list find the receipt number and the total by these ids.
            let left_id = left.starts_with(number_prefix).then_some("receipt-number");
            let right_id = (left == total_label).then_some("receipt-total");
            view! {
                <div class=format!("row {}", style_class(style))>
                    <span data-testid=left_id>{left}</span>" "<span data-testid=right_id>{right}</span>
                </div>
            }
            .into_any()
        }
        ReceiptBlock::Rule(rule) => {
            view! { <hr class=if rule == Rule::Double { "double" } else { "single" } /> }.into_any()
        }
        ReceiptBlock::Blank => view! { <div class="blank"></div> }.into_any(),
        ReceiptBlock::Signature { label } => {
            view! { <p class="signature">{label}" ____________________"</p> }.into_any()
        }
        ReceiptBlock::Logo(_) => {
            view! { <img class="logo" src=logo.to_string() alt="" data-testid="receipt-logo" /> }
                .into_any()
        }
        ReceiptBlock::Qr { .. }
        | ReceiptBlock::Barcode { .. }
        | ReceiptBlock::Cut
        | ReceiptBlock::OpenDrawer => return None,
    })
}
