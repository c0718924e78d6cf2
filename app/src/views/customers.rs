//! The customers screen (issue 14): the list found as the cashier types, a new customer's form,
//! and a customer's page with their purchases from every device, their stats, edit, merge,
//! export and erasure. And the customer on the open ticket, found by search on the register.

use leptos::prelude::*;
use pos_core::Uuid;
use pos_core::customer::Customer;

use crate::i18n::{self, Msg};
use crate::state::AppState;
use crate::state::customers::CustomerForm;

#[component]
pub fn CustomersScreen() -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.customers;
    move || match (
        c.editing.get(),
        c.viewed.get(),
        state.loyalty.conflicts.get(),
    ) {
        (Some(id), _, _) => view! { <CustomerFormView id /> }.into_any(),
        (None, Some(id), _) => view! { <CustomerPage id /> }.into_any(),
        (None, None, Some(conflicts)) => {
            view! { <super::points::PointsConflicts conflicts /> }.into_any()
        }
        (None, None, None) => view! { <CustomerList /> }.into_any(),
    }
}

#[component]
fn CustomerList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.customers;
    let found = Memo::new(move |_| {
        let query = c.query.get();
        c.directory.with(|d| {
            let list = if query.trim().is_empty() {
                d.people()
            } else {
                d.search(&query)
            };
            list.into_iter().cloned().collect::<Vec<Customer>>()
        })
    });
    view! {
        <section class="customers">
            <h2>{move || state.t(Msg::CustomersTitle)}</h2>
            <div class="customer-tools">
                <input
                    type="search"
                    data-testid="customer-search"
                    placeholder=move || state.t(Msg::CustomerSearchPlaceholder)
                    aria-label=move || state.t(Msg::CustomerSearchPlaceholder)
                    prop:value=move || c.query.get()
                    on:input=move |ev| c.query.set(event_target_value(&ev))
                />
                <button class="primary" data-testid="customer-new" on:click=move |_| c.editing.set(Some(None))>
                    {move || state.t(Msg::CustomerNew)}
                </button>
                <Show when=move || state.membership.with(Option::is_some)>
                    <button data-testid="points-conflicts-open" prop:disabled=move || state.loyalty.busy.get()
                        on:click=move |_| crate::state::loyalty::load_conflicts(state)>
                        {move || state.t(Msg::PointsConflictsOpen)}
                    </button>
                </Show>
            </div>
            <Show when=move || found.with(Vec::is_empty)>
                <p class="empty">{move || state.t(Msg::NoCustomers)}</p>
            </Show>
            <CustomerPicks found testid="customer-row" list_testid="customer-list"
                pick=Callback::new(move |id| state.view_customer(id)) />
        </section>
    }
}

#[component]
fn CustomerFormView(id: Option<Uuid>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.customers;
    let kept = id.and_then(|id| c.directory.with_untracked(|d| d.get(id).cloned()));
    let start = kept.as_ref().map(CustomerForm::of).unwrap_or_default();
    let name = RwSignal::new(start.name);
    let phone = RwSignal::new(start.phone);
    let email = RwSignal::new(start.email);
    let consent = RwSignal::new(start.consent);
    let note = RwSignal::new(start.note);
    let since = kept.and_then(|k| k.marketing_consent);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = CustomerForm {
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            email: email.get_untracked(),
            consent: consent.get_untracked(),
            note: note.get_untracked(),
        };
        state.save_customer(id, form);
    };
    let field =
        move |label: Msg, value: RwSignal<String>, kind: &'static str, testid: &'static str| {
            view! {
                <label>
                    <span>{move || state.t(label)}</span>
                    <input type=kind data-testid=testid prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev)) />
                </label>
            }
        };
    view! {
        // No browser checks (`novalidate`): core's, in the cashier's language, say what is wrong.
        <form class="customer-form" data-testid="customer-form" novalidate=true on:submit=save>
            <h2>{move || state.t(if id.is_some() { Msg::CustomerEdit } else { Msg::CustomerNew })}</h2>
            {field(Msg::CustomerName, name, "text", "customer-name")}
            {field(Msg::CustomerPhone, phone, "tel", "customer-phone")}
            {field(Msg::CustomerEmail, email, "email", "customer-email")}
            <label class="check">
                <input type="checkbox" data-testid="customer-consent" prop:checked=move || consent.get()
                    on:change=move |ev| consent.set(event_target_checked(&ev)) />
                <span>{move || state.t(Msg::CustomerConsent)}</span>
                {since.map(|ms| view! {
                    <span class="hint">{move || Msg::CustomerConsentSince.fill(state.lang.get(), &[("date", &i18n::date_time(ms, state.lang.get()))])}</span>
                })}
            </label>
            <label>
                <span>{move || state.t(Msg::CustomerNote)}</span>
                <textarea data-testid="customer-note" prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </label>
            <div class="actions">
                <button type="submit" class="primary" data-testid="customer-save">{move || state.t(Msg::Save)}</button>
                <button type="button" data-testid="customer-cancel" on:click=move |_| c.editing.set(None)>{move || state.t(Msg::Back)}</button>
            </div>
        </form>
    }
}

#[component]
fn CustomerPage(id: Uuid) -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.customers;
    let person = Memo::new(move |_| c.person(id));
    let merging = RwSignal::new(false);
    let erasing = RwSignal::new(false);
    let stats = Memo::new(move |_| state.customer_stats(id));
    let money = move |amount| {
        i18n::money(
            amount,
            state.store.with(|s| s.rules.currency),
            state.lang.get(),
        )
    };
    let survivor = move || person.with(|p| p.as_ref().map_or(id, |p| p.id));
    view! {
        <section class="customer-page" data-testid="customer-page">
            <button class="back" data-testid="customer-back" on:click=move |_| c.viewed.set(None)>{move || state.t(Msg::Back)}</button>
            {move || person.get().map(|p| {
                let erased = p.erased;
                let locked = p.locked;
                let card = p.card_code();
                view! {
                    <h2 data-testid="customer-title">
                        {shown_name(state, &p)}
                    </h2>
                    <dl class="customer-details">
                        <dt>{move || state.t(Msg::CustomerPhone)}</dt>
                        <dd data-testid="customer-phone-shown">{p.phone.clone()}</dd>
                        <dt>{move || state.t(Msg::CustomerEmail)}</dt>
                        <dd data-testid="customer-email-shown">{p.email.clone()}</dd>
                        <dt>{move || state.t(Msg::CustomerConsent)}</dt>
                        <dd data-testid="customer-consent-shown">{move || match p.marketing_consent {
                            Some(ms) => Msg::CustomerConsentSince.fill(state.lang.get(), &[("date", &i18n::date_time(ms, state.lang.get()))]),
                            None => state.t(Msg::CustomerNoConsent).to_string(),
                        }}</dd>
                        <dt>{move || state.t(Msg::CustomerNote)}</dt>
                        <dd data-testid="customer-note-shown">{p.note.clone()}</dd>
                        <dt>{move || state.t(Msg::CustomerCard)}</dt>
                        <dd data-testid="customer-card">{card}</dd>
                    </dl>
                    <Show when=move || !erased>
                        <div class="actions">
                            <button class="primary" data-testid="customer-attach" on:click=move |_| {
                                state.attach_customer(Some(survivor()));
                                state.screen.set(crate::state::Screen::Register);
                            }>{move || state.t(Msg::CustomerAttach)}</button>
                            // Without the key there is nothing to edit, merge or export yet.
                            <Show when=move || !locked>
                                <button data-testid="customer-edit" on:click=move |_| c.editing.set(Some(Some(survivor())))>{move || state.t(Msg::CustomerEdit)}</button>
                                <button data-testid="customer-merge" on:click=move |_| merging.set(true)>{move || state.t(Msg::CustomerMerge)}</button>
                                <button data-testid="customer-export" on:click=move |_| state.export_customer(survivor())>{move || state.t(Msg::CustomerExport)}</button>
                            </Show>
                            <button class="danger" data-testid="customer-erase" on:click=move |_| erasing.set(true)>{move || state.t(Msg::CustomerErase)}</button>
                        </div>
                    </Show>
                }
            })}
            <dl class="customer-stats" data-testid="customer-stats">
                <dt>{move || state.t(Msg::CustomerVisits)}</dt>
                <dd data-testid="stat-visits">{move || stats.with(|s| s.visits.to_string())}</dd>
                <dt>{move || state.t(Msg::CustomerTotalSpent)}</dt>
                <dd data-testid="stat-total">{move || money(stats.with(|s| s.total_spent))}</dd>
                <dt>{move || state.t(Msg::CustomerAverageTicket)}</dt>
                <dd data-testid="stat-average">{move || money(stats.with(|s| s.average_ticket))}</dd>
                <dt>{move || state.t(Msg::CustomerLifetimeValue)}</dt>
                <dd data-testid="stat-lifetime">{move || money(stats.with(|s| s.lifetime_value))}</dd>
            </dl>
            <super::points::CustomerPoints id=id />
            <h3>{move || state.t(Msg::CustomerHistory)}</h3>
            <Show when=move || c.history.with(Vec::is_empty)>
                <p class="empty">{move || state.t(Msg::NoSales)}</p>
            </Show>
            <ul class="sales-list" data-testid="customer-history">
                <For
                    each=move || c.history.get()
                    key=|s| s.id()
                    children=move |sale| {
                        let number = sale.receipt_number().to_string();
                        let at = sale.completed_at_ms();
                        let total = sale.totals().total;
                        let currency = sale.rules().currency;
                        view! {
                            <li class="sale-row" data-testid="customer-sale">
                                <span class="receipt">{number}</span>
                                <span class="when">{move || i18n::date_time(at, state.lang.get())}</span>
                                <span class="total">{move || i18n::money(total, currency, state.lang.get())}</span>
                            </li>
                        }
                    }
                />
            </ul>
            <Show when=move || merging.get()>
                <MergeDialog survivor=survivor() open=merging />
            </Show>
            <Show when=move || erasing.get()>
                <div class="overlay">
                    <div class="dialog" role="dialog" aria-modal="true" data-testid="erase-dialog">
                        <p>{move || state.t(Msg::CustomerEraseConfirm)}</p>
                        <div class="actions">
                            <button class="danger" data-testid="erase-confirm" on:click=move |_| {
                                erasing.set(false);
                                state.erase_customer(survivor());
                            }>{move || state.t(Msg::CustomerErase)}</button>
                            <button data-testid="erase-cancel" on:click=move |_| erasing.set(false)>{move || state.t(Msg::Back)}</button>
                        </div>
                    </div>
                </div>
            </Show>
        </section>
    }
}

/// Picks the duplicate to merge into the customer whose page is open.
#[component]
fn MergeDialog(survivor: Uuid, open: RwSignal<bool>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = RwSignal::new(String::new());
    let found = Memo::new(move |_| {
        let query = query.get();
        state.customers.directory.with(|d| {
            d.search(&query)
                .into_iter()
                .filter(|c| c.id != survivor)
                .cloned()
                .collect::<Vec<Customer>>()
        })
    });
    view! {
        <div class="overlay">
            <div class="dialog" role="dialog" aria-modal="true" data-testid="merge-dialog">
                <p>{move || state.t(Msg::CustomerMergeHint)}</p>
                <input type="search" data-testid="merge-search"
                    placeholder=move || state.t(Msg::CustomerSearchPlaceholder)
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev)) />
                <CustomerPicks found testid="merge-pick" list_testid="merge-list"
                    pick=Callback::new(move |duplicate| {
                        open.set(false);
                        state.merge_customers(survivor, duplicate);
                    }) />
                <button data-testid="merge-cancel" on:click=move |_| open.set(false)>{move || state.t(Msg::Back)}</button>
            </div>
        </div>
    }
}

/// The customer on the open ticket: their name with a way to take them off, or a search that
/// attaches one (a scanned customer card does too).
#[component]
pub fn TicketCustomer() -> impl IntoView {
    let state = expect_context::<AppState>();
    let c = state.customers;
    let query = RwSignal::new(String::new());
    let found = Memo::new(move |_| {
        let query = query.get();
        c.directory.with(|d| {
            d.search(&query)
                .into_iter()
                .take(5)
                .cloned()
                .collect::<Vec<Customer>>()
        })
    });
    move || {
        match c.on_ticket.get().and_then(|id| c.person(id)) {
        Some(customer) => view! {
            <div class="ticket-customer" data-testid="ticket-customer">
                <span>{move || state.t(Msg::CustomerOnTicket)}</span>
                " "
                <strong data-testid="ticket-customer-name">{customer.name.clone()}</strong>
                <button class="link" data-testid="ticket-customer-remove" on:click=move |_| state.attach_customer(None)>
                    {move || state.t(Msg::Remove)}
                </button>
            </div>
        }
        .into_any(),
        None => view! {
            <div class="ticket-customer">
                <input type="search" data-testid="ticket-customer-search"
                    placeholder=move || state.t(Msg::CustomerFind)
                    aria-label=move || state.t(Msg::CustomerFind)
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev)) />
                <CustomerPicks found testid="ticket-customer-pick" list_testid="ticket-customer-list"
                    pick=Callback::new(move |id| {
                        query.set(String::new());
                        state.attach_customer(Some(id));
                    }) />
            </div>
        }
        .into_any(),
    }
    }
}

/// Customers found, each a button that picks it (to open, to merge, to put on the ticket).
#[component]
fn CustomerPicks(
    found: Memo<Vec<Customer>>,
    testid: &'static str,
    list_testid: &'static str,
    pick: Callback<Uuid>,
) -> impl IntoView {
    view! {
        <ul class="customer-list" data-testid=list_testid>
            <For
                each=move || found.get()
                key=|customer| (customer.id, customer.name.clone(), customer.phone.clone(), customer.email.clone(), customer.locked)
                children=move |customer| {
                    let id = customer.id;
                    let state = expect_context::<AppState>();
                    view! {
                        <li>
                            <button class="customer-row" data-testid=testid on:click=move |_| pick.run(id)>
                                <span class="name">{shown_name(state, &customer)}</span>
                                <span class="contact">{customer.phone.clone()}</span>
                                <span class="contact">{customer.email.clone()}</span>
                            </button>
                        </li>
                    }
                }
            />
        </ul>
    }
}

/// The name a customer is shown by: an erased one's and a locked one's (sealed under a key
/// this device has not received yet) in words, never empty or unreadable.
fn shown_name(state: AppState, customer: &Customer) -> String {
    if customer.erased {
        state.t(Msg::CustomerErasedName).to_string()
    } else if customer.locked {
        state.t(Msg::CustomerNotSynced).to_string()
    } else {
        customer.name.clone()
    }
}
