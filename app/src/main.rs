//! The register's page: see the crate's documentation.

fn main() {
    pos_app::run_page();
}
