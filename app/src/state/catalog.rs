//! The catalog at the till and in the back office: a tapped tile or a scanned code becomes a
//! ticket line (asking for the variant, the modifier groups or the price first where the product
//! needs them), and managers' edits are checked, kept and given to every device of the store.

use leptos::prelude::*;
use pos_core::{CatalogEdit, Choice, Decimal, Product};

use super::{AppState, Notice, not_saved, storage_notice};
use crate::core_errors::{catalog_said, choice_msg};
use crate::i18n::Msg;

/// Catalog edits applied between two paints of the page (an import's 50,000 in parts).
const EDITS_PER_PART: usize = 2_000;

/// The product whose tile asks for a choice before it is added, with what is chosen so far.
#[derive(Clone, Debug, PartialEq)]
pub struct Choosing {
    pub product: String,
    pub choice: Choice,
}

impl AppState {
    /// A tile was tapped: the product is added, or its choices are asked first.
    pub fn add_product(&self, product: &Product) {
        self.add_or_ask(product, Choice::default());
    }

    /// Adds the product as `choice` sells it when nothing is left to ask, else opens the choice
    /// with what is known (a scanned variant).
    pub(super) fn add_or_ask(&self, product: &Product, choice: Choice) {
        if !self.menu_is_in_store_currency() {
            return;
        }
        let complete = self
            .catalog
            .with_untracked(|c| c.choice_is_complete(product, &choice));
        if complete {
            self.add_chosen(&product.id, &choice);
        } else {
            self.choosing.set(Some(Choosing {
                product: product.id.clone(),
                choice,
            }));
        }
    }

    /// Adds the product as chosen; false, with the reason shown, if the choice is not complete.
    pub fn add_chosen(&self, product_id: &str, choice: &Choice) -> bool {
        if !self.menu_is_in_store_currency() {
            return false;
        }
        let sellable = self
            .catalog
            .with_untracked(|c| c.sellable(product_id, choice));
        let sold = match sellable {
            Ok(sold) => sold,
            Err(e) => {
                let (msg, args) = choice_msg(&e);
                self.notice.set(Some(Notice::Error(msg, args)));
                return false;
            }
        };
        let added = self
            .ticket
            .try_update(|t| t.add(&sold.product, &sold.tax, &sold.modifiers, Decimal::ONE))
            .expect("ticket signal alive");
        match added {
            Ok(_) => {
                self.notice.set(None);
                self.choosing.set(None);
                true
            }
            Err(e) => {
                self.ticket_error(e);
                false
            }
        }
    }

    /// A menu priced in another currency than the store's is never sold from: its prices would
    /// silently change meaning (a 3.50 EUR burger sold for 3.50 RUB).
    fn menu_is_in_store_currency(&self) -> bool {
        let currency = self.store.with_untracked(|s| s.rules.currency);
        let menu = self.catalog.with_untracked(|c| c.price_currency());
        match menu {
            Some(menu) if menu != currency => {
                self.notice.set(Some(Notice::Error(
                    Msg::MenuInOtherCurrency,
                    vec![
                        ("menu", menu.code().to_string()),
                        ("store", currency.code().to_string()),
                    ],
                )));
                false
            }
            _ => true,
        }
    }

    /// Makes managers' edits of the catalog, all or none: checked here (the refusal in the
    /// manager's words), then, on a device of a store, kept in the store's catalog by the sync
    /// worker for every device; on a device on its own, kept here. True once kept.
    pub async fn edit_catalog(&self, edits: Vec<CatalogEdit>) -> bool {
        self.edit_catalog_reporting(edits, |_| {}).await
    }

    /// [`AppState::edit_catalog`]; on a device of a store, `saving` hears how far the sync
    /// worker is with a large edit, in thousandths, until it has stored it.
    pub async fn edit_catalog_reporting(
        &self,
        edits: Vec<CatalogEdit>,
        saving: impl Fn(u32) + 'static,
    ) -> bool {
        if !self.catalog_whole.get_untracked() {
            self.error(Msg::CatalogStillLoading);
            return false;
        }
        let mut next = self.catalog.get_untracked();
        crate::browser::mark("catalog:apply");
        // In parts, drawing between them: an import's 50,000 edits take a long moment. All or
        // none still, because `next` is a copy until the end.
        let mut applied = Ok(());
        for part in edits.chunks(EDITS_PER_PART) {
            applied = next.apply_all(part);
            if applied.is_err() {
                break;
            }
            if edits.len() > EDITS_PER_PART {
                crate::browser::sleep(0).await;
            }
        }
        crate::browser::mark("catalog:applied");
        if let Err((_, e)) = applied {
            let (msg, args) = catalog_said(&e);
            self.notice.set(Some(Notice::Error(msg, args)));
            return false;
        }
        match self.engine() {
            Some(engine) => {
                if let Err(e) = engine.edit_catalog(edits, saving).await {
                    self.notice.set(Some(not_saved(e)));
                    return false;
                }
            }
            None => {
                let store = self.store.get_untracked();
                if let Err(e) = self.storage().save_catalog(store, next.clone()).await {
                    self.notice.set(Some(storage_notice(&e)));
                    return false;
                }
            }
        }
        // The sync worker tells the other tabs and devices; this page shows it now (the worker
        // does not send it back).
        crate::browser::mark("catalog:stored");
        self.catalog.set(next);
        crate::browser::mark("catalog:shown");
        self.notice.set(Some(Notice::Info(Msg::MenuSaved)));
        true
    }
}
