//! The storage seam: everything the register keeps goes through [`Storage`]. The app holds a
//! `Rc<dyn Storage>` and never touches a browser database directly, so the backend can change
//! (memory now, IndexedDB next) without touching a screen.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

use pos_core::{Catalog, CompleteError, Payment, ReceiptNumber, Sale, Store, Ticket, Uuid};

pub type StorageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + 'a>>;

#[derive(Clone, Debug, PartialEq)]
pub enum StorageError {
    /// The sale itself is not valid (under-tendered, the ticket changed); nothing was written.
    Sale(CompleteError),
    /// The browser refused the write (quota, blocked database); nothing was written.
    Write(String),
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StorageError::Sale(e) => write!(f, "{e}"),
            StorageError::Write(e) => write!(f, "{e}"),
        }
    }
}

/// What a device keeps about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Prefix of this device's receipt numbers.
    pub code: String,
}

pub trait Storage {
    fn device(&self) -> StorageFuture<'_, DeviceInfo>;
    /// The store profile and catalog, or `None` on a device that has none yet.
    fn load_catalog(&self) -> StorageFuture<'_, Option<(Store, Catalog)>>;
    fn save_catalog(&self, store: Store, catalog: Catalog) -> StorageFuture<'_, ()>;
    /// Completes the ticket into a sale with the device's next receipt number and keeps it. The
    /// number is taken in the same step as the sale is written, so it is never used twice.
    fn commit_sale(&self, ticket: Ticket, payment: Payment, id: Uuid, at_ms: i64) -> StorageFuture<'_, Sale>;
    /// The newest sales first, `limit` of them after skipping `offset`.
    fn recent_sales(&self, offset: usize, limit: usize) -> StorageFuture<'_, Vec<Sale>>;
}

/// Keeps everything in the tab's memory. Honest about what it is: a reload forgets it all.
pub struct MemoryStorage {
    device: DeviceInfo,
    catalog: RefCell<Option<(Store, Catalog)>>,
    sales: RefCell<Vec<Sale>>,
}

impl MemoryStorage {
    pub fn new(device_code: String) -> MemoryStorage {
        MemoryStorage { device: DeviceInfo { code: device_code }, catalog: RefCell::new(None), sales: RefCell::new(Vec::new()) }
    }
}

impl Storage for MemoryStorage {
    fn device(&self) -> StorageFuture<'_, DeviceInfo> {
        let device = self.device.clone();
        Box::pin(async move { Ok(device) })
    }

    fn load_catalog(&self) -> StorageFuture<'_, Option<(Store, Catalog)>> {
        let catalog = self.catalog.borrow().clone();
        Box::pin(async move { Ok(catalog) })
    }

    fn save_catalog(&self, store: Store, catalog: Catalog) -> StorageFuture<'_, ()> {
        *self.catalog.borrow_mut() = Some((store, catalog));
        Box::pin(async { Ok(()) })
    }

    fn commit_sale(&self, ticket: Ticket, payment: Payment, id: Uuid, at_ms: i64) -> StorageFuture<'_, Sale> {
        let result = {
            let mut sales = self.sales.borrow_mut();
            let number = ReceiptNumber { device_code: self.device.code.clone(), sequence: sales.len() as u64 + 1 };
            ticket.complete(&payment, id, number, at_ms).map_err(StorageError::Sale).inspect(|sale| sales.push(sale.clone()))
        };
        Box::pin(async move { result })
    }

    fn recent_sales(&self, offset: usize, limit: usize) -> StorageFuture<'_, Vec<Sale>> {
        let page = self.sales.borrow().iter().rev().skip(offset).take(limit).cloned().collect();
        Box::pin(async move { Ok(page) })
    }
}
