//! Reading what this device kept: pages of sales newest first, a sale by its receipt number,
//! the refund records, and the drawer's openings (the `audit` store).

use super::*;

impl IdbStorage {
    pub(super) async fn all_refunds(&self) -> Result<Vec<RefundRecord>, StorageError> {
        self.all_with_prefix(REFUND_PREFIX, "a refund").await
    }

    pub(super) async fn page(
        &self,
        before: Option<Uuid>,
        limit: usize,
    ) -> Result<Vec<Sale>, StorageError> {
        let tx = self.readonly([SALES])?;
        let sales = tx.object_store(SALES).map_err(classify)?;
        let mut out = Vec::with_capacity(limit);
        let cursor = match before {
            Some(id) => sales
                .open_cursor()
                .with_query::<String, _>(KeyRange::UpperBound(id.to_string(), true))
                .with_direction(CursorDirection::Prev)
                .serde()
                .map_err(classify)?
                .await
                .map_err(classify)?,
            None => sales
                .open_cursor()
                .with_direction(CursorDirection::Prev)
                .serde()
                .map_err(classify)?
                .await
                .map_err(classify)?,
        };
        if let Some(mut cursor) = cursor {
            while out.len() < limit {
                match cursor
                    .next_record_ser::<SaleRecord>()
                    .await
                    .map_err(classify)?
                {
                    Some(record) => out.push(record.sale()?),
                    None => break,
                }
            }
        }
        Ok(out)
    }

    pub(super) async fn add_drawer_opening(
        &self,
        opening: DrawerOpening,
    ) -> Result<(), StorageError> {
        let json = serde_json::to_string(&opening).map_err(failed)?;
        let tx = self.readwrite([AUDIT])?;
        tx.object_store(AUDIT)
            .map_err(classify)?
            .add(json)
            .primitive()
            .map_err(classify)?;
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn newest_drawer_openings(
        &self,
        limit: usize,
    ) -> Result<Vec<DrawerOpening>, StorageError> {
        let tx = self.readonly([AUDIT])?;
        let audit = tx.object_store(AUDIT).map_err(classify)?;
        let mut out = Vec::with_capacity(limit);
        let cursor = audit
            .open_cursor()
            .with_direction(CursorDirection::Prev)
            .primitive()
            .map_err(classify)?
            .await
            .map_err(classify)?;
        if let Some(mut cursor) = cursor {
            while out.len() < limit {
                match cursor.next_record::<String>().await.map_err(classify)? {
                    Some(json) => out.push(
                        serde_json::from_str(&json)
                            .map_err(|e| failed(format!("an audit entry is unreadable: {e}")))?,
                    ),
                    None => break,
                }
            }
        }
        Ok(out)
    }

    pub(super) async fn by_receipt(&self, receipt: String) -> Result<Option<Sale>, StorageError> {
        let tx = self.readonly([SALES])?;
        let sales = tx.object_store(SALES).map_err(classify)?;
        let index = sales.index(BY_RECEIPT).map_err(classify)?;
        let record: Option<SaleRecord> = index
            .get(receipt.as_str())
            .serde()
            .map_err(classify)?
            .await
            .map_err(classify)?;
        record.map(|r| r.sale()).transpose()
    }

    pub(super) async fn by_id(&self, id: Uuid) -> Result<Option<Sale>, StorageError> {
        let tx = self.readonly([SALES])?;
        let sales = tx.object_store(SALES).map_err(classify)?;
        let record: Option<SaleRecord> = sales
            .get(id.to_string().as_str())
            .serde()
            .map_err(classify)?
            .await
            .map_err(classify)?;
        record.map(|r| r.sale()).transpose()
    }
}
