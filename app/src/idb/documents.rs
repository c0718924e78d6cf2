//! The store's documents and the outbox in IndexedDB: document chunks and sync states (`docs`),
//! folding committed records out of the outbox in the same transaction as the chunks they became,
//! sales made before joining, the days the server has not acknowledged, and the writer session.
//! Used by the sync worker.

use super::*;

impl IdbStorage {
    pub(super) async fn read_outbox(&self) -> Result<Vec<OutboxItem>, StorageError> {
        let tx = self.readonly([OUTBOX, SALES])?;
        let outbox = tx.object_store(OUTBOX).map_err(classify)?;
        let sales = tx.object_store(SALES).map_err(classify)?;
        let entries: Vec<OutboxEntry> = get_all_json(&outbox, None, "an outbox entry").await?;
        let mut items = Vec::new();
        for entry in entries {
            let record = match (entry.sale, entry.refund) {
                _ if entry.audit.is_some() => {
                    Outgoing::Audit(entry.audit.expect("checked to be there"))
                }
                _ if entry.shift.is_some() => {
                    Outgoing::Shift(entry.shift.expect("checked to be there"))
                }
                _ if entry.customer.is_some() => {
                    Outgoing::Customer(entry.customer.expect("checked to be there"))
                }
                (_, Some(refund)) => Outgoing::Refund(refund),
                (Some(id), None) => {
                    let kept: Option<SaleRecord> = sales
                        .get(id.to_string().as_str())
                        .serde()
                        .map_err(classify)?
                        .await
                        .map_err(classify)?;
                    let sale = kept
                        .ok_or_else(|| failed(format!("sale {id} of the outbox is missing")))?
                        .sale()?;
                    Outgoing::Sale(sale)
                }
                (None, None) => return Err(failed("an outbox entry holds nothing")),
            };
            items.push(OutboxItem {
                key: entry.key,
                store: entry.store,
                record,
            });
        }
        Ok(items)
    }

    pub(super) async fn fold(
        &self,
        writes: Vec<DocWrite>,
        folded: Vec<String>,
        own_days: Vec<String>,
    ) -> Result<(), StorageError> {
        let tx = self.strict([DOCS, OUTBOX, KV])?;
        put_doc_writes(&tx.object_store(DOCS).map_err(classify)?, writes)?;
        let outbox = tx.object_store(OUTBOX).map_err(classify)?;
        for key in folded {
            outbox.delete(key).primitive().map_err(classify)?;
        }
        if !own_days.is_empty() {
            let kv = tx.object_store(KV).map_err(classify)?;
            let mut days: Vec<String> = get_json(&kv, UNACKED_DAYS_KEY).await?.unwrap_or_default();
            for day in own_days {
                if !days.contains(&day) {
                    days.push(day);
                }
            }
            put_json(&kv, UNACKED_DAYS_KEY, &days)?;
        }
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn claim_outbox_keys(
        &self,
        keys: Vec<String>,
        store: Uuid,
    ) -> Result<(), StorageError> {
        let tx = self.strict([OUTBOX])?;
        let outbox = tx.object_store(OUTBOX).map_err(classify)?;
        for key in keys {
            let Some(text) = get_text(&outbox, &key).await? else {
                continue;
            };
            let mut entry: OutboxEntry = serde_json::from_str(&text)
                .map_err(|e| failed(format!("an outbox entry is unreadable: {e}")))?;
            if entry.store.is_none() {
                entry.store = Some(store);
                put_outbox(&outbox, &entry)?;
            }
        }
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn drop_outbox_keys(&self, keys: Vec<String>) -> Result<(), StorageError> {
        let tx = self.strict([OUTBOX])?;
        let outbox = tx.object_store(OUTBOX).map_err(classify)?;
        for key in keys {
            outbox.delete(key).primitive().map_err(classify)?;
        }
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn forget_days(&self, acknowledged: Vec<String>) -> Result<(), StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let mut days: Vec<String> = get_json(&kv, UNACKED_DAYS_KEY).await?.unwrap_or_default();
        days.retain(|d| !acknowledged.contains(d));
        put_json(&kv, UNACKED_DAYS_KEY, &days)?;
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn bump_writer_session(&self) -> Result<u32, StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        // Starts above every ticket slot, the writer numbers of versions before the outbox.
        let last: u32 = get_json(&kv, WRITER_SESSION_KEY).await?.unwrap_or(1_000);
        let next = last
            .checked_add(1)
            .ok_or_else(|| failed("writer numbers ran out"))?;
        put_json(&kv, WRITER_SESSION_KEY, &next)?;
        tx.commit().await.map_err(classify)?;
        Ok(next)
    }
    pub(super) async fn doc_chunks(
        &self,
        prefix: String,
    ) -> Result<Vec<(String, Vec<u8>)>, StorageError> {
        let tx = self.readonly([DOCS])?;
        let docs = tx.object_store(DOCS).map_err(classify)?;
        let upper = format!("{prefix}\u{ffff}");
        let records = docs
            .get_all::<DocRecord>()
            .with_query::<String, _>(KeyRange::Bound(prefix, false, upper, false))
            .serde()
            .map_err(classify)?
            .await
            .map_err(classify)?;
        records
            .map(|r| r.map(|r| (r.key, r.bytes)).map_err(classify))
            .collect()
    }

    pub(super) async fn write_docs(
        &self,
        writes: Vec<DocWrite>,
        sales: Vec<Sale>,
        refunds: Vec<Refund>,
    ) -> Result<(), StorageError> {
        let tx = self.strict([DOCS, SALES, KV])?;
        let docs = tx.object_store(DOCS).map_err(classify)?;
        put_doc_writes(&docs, writes)?;
        let store = tx.object_store(SALES).map_err(classify)?;
        for sale in &sales {
            store
                .put(SaleRecord::new(sale)?)
                .serde()
                .map_err(classify)?;
        }
        // Another device's refund is kept here too, so what it returned is not returned again;
        // a refund this device keeps of its own is never replaced.
        let kv = tx.object_store(KV).map_err(classify)?;
        for refund in refunds {
            let kept = refunds_of_sale(&kv, refund.sale_id).await?;
            if kept.iter().any(|(_, k)| k.id == refund.id) {
                continue;
            }
            let sale: Option<SaleRecord> = store
                .get(refund.sale_id.to_string().as_str())
                .serde()
                .map_err(classify)?
                .await
                .map_err(classify)?;
            let receipt = sale.map(|s| s.receipt).unwrap_or_default();
            let record = RefundRecord::recorded_elsewhere(refund, receipt);
            put_json(&kv, &refund_key(&record), &record)?;
        }
        tx.commit().await.map_err(classify)
    }
}

pub(super) fn put_doc_writes(
    docs: &indexed_db_futures::object_store::ObjectStore<'_>,
    writes: Vec<DocWrite>,
) -> Result<(), StorageError> {
    for write in writes {
        for key in &write.delete {
            docs.delete(key.as_str()).primitive().map_err(classify)?;
        }
        for chunk in write.chunk.into_iter().chain(write.sync_state) {
            docs.put(DocRecord {
                key: chunk.key,
                bytes: chunk.bytes,
            })
            .serde()
            .map_err(classify)?;
        }
    }
    Ok(())
}
