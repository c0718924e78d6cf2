//! The points outbox and what this device last heard of each customer's points, in `kv` as the
//! gift cards' are (`idb/gift_cards.rs`): an operation waiting for the server under
//! `pointsop:<op id>` ([`LoyaltyOp`]), the server's last word on a customer under
//! `points:<customer id>` ([`KnownPoints`]). The operations of a sale or a refund are put in the
//! transaction that keeps it; a merge of two customers' points waits under
//! `pointsmerge:<op id>` ([`LoyaltyMerge`]), put in the transaction that keeps the merge.

use pos_core::loyalty::{LoyaltyMerge, LoyaltyOp, LoyaltyOpKind};

use super::*;
use crate::storage::KnownPoints;

const OP_PREFIX: &str = "pointsop:";
const KNOWN_PREFIX: &str = "points:";
const MERGE_PREFIX: &str = "pointsmerge:";

fn op_key(op: Uuid) -> String {
    format!("{OP_PREFIX}{op}")
}

fn known_key(customer: Uuid) -> String {
    format!("{KNOWN_PREFIX}{customer}")
}

/// Puts `ops` in the points outbox within the caller's transaction; the same id again is the
/// same operation, which the server counts once.
pub(super) fn put_points_ops(kv: &ObjectStore<'_>, ops: &[LoyaltyOp]) -> Result<(), StorageError> {
    for op in ops {
        put_json(kv, &op_key(op.id), op)?;
    }
    Ok(())
}

/// Puts a merge of two customers' points in the outbox within the caller's transaction.
pub(super) fn put_points_merge(
    kv: &ObjectStore<'_>,
    merge: &LoyaltyMerge,
) -> Result<(), StorageError> {
    put_json(kv, &format!("{MERGE_PREFIX}{}", merge.id), merge)
}

impl IdbStorage {
    pub(super) async fn all_points_merges(&self) -> Result<Vec<LoyaltyMerge>, StorageError> {
        let mut merges: Vec<LoyaltyMerge> =
            self.all_with_prefix(MERGE_PREFIX, "a points merge").await?;
        merges.sort_by_key(|m| (m.at_ms, m.id));
        Ok(merges)
    }

    /// The server answered the merge `id`: it leaves the outbox, and the survivor's points it
    /// said are remembered.
    pub(super) async fn points_merge_answered(
        &self,
        id: Uuid,
        known: Option<KnownPoints>,
    ) -> Result<(), StorageError> {
        self.answered(format!("{MERGE_PREFIX}{id}"), known).await
    }

    pub(super) async fn all_points_ops(&self) -> Result<Vec<LoyaltyOp>, StorageError> {
        let mut ops: Vec<LoyaltyOp> = self
            .all_with_prefix(OP_PREFIX, "a points operation")
            .await?;
        // In the order they were made: points earned go to the server before they are spent.
        ops.sort_by_key(|op| (op.at_ms, op.id));
        Ok(ops)
    }

    /// Puts an offline redemption in the outbox and takes its points off what this device
    /// knows of the customer, in one strict transaction.
    pub(super) async fn put_offline_redemption(&self, op: LoyaltyOp) -> Result<(), StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        put_points_ops(&kv, std::slice::from_ref(&op))?;
        let known: Option<KnownPoints> = get_json(&kv, &known_key(op.customer)).await?;
        if let Some(mut known) = known {
            if op.kind == LoyaltyOpKind::Redeem {
                known.balance -= op.points;
            }
            put_json(&kv, &known_key(op.customer), &known)?;
        }
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn points_op_answered(
        &self,
        op: Uuid,
        known: Option<KnownPoints>,
    ) -> Result<(), StorageError> {
        self.answered(op_key(op), known).await
    }

    /// Takes the outbox entry under `key` out and remembers what the server said of the
    /// customer's points, in one strict transaction.
    async fn answered(&self, key: String, known: Option<KnownPoints>) -> Result<(), StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        kv.delete(key).primitive().map_err(classify)?;
        if let Some(known) = known {
            put_json(&kv, &known_key(known.customer), &known)?;
        }
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn read_known_points(
        &self,
        customer: Uuid,
    ) -> Result<Option<KnownPoints>, StorageError> {
        self.read_json(&known_key(customer)).await
    }

    pub(super) async fn write_known_points(&self, known: KnownPoints) -> Result<(), StorageError> {
        self.write_json(&known_key(known.customer), &known).await
    }
}
