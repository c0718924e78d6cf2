//! The gift card outbox and what this device last heard of each card, both in `kv`: an
//! operation waiting for the server under `giftop:<op id>` (its JSON, [`GiftCardOp`]), and the
//! server's last word on a card under `giftcard:<number>` ([`KnownCard`]). No store of its own:
//! the operations of a sale or a refund are put in the transaction that keeps it, which already
//! holds `kv`.

use pos_core::gift_card::{GiftCardNumber, GiftCardOp};

use super::*;
use crate::storage::KnownCard;

const OP_PREFIX: &str = "giftop:";
const CARD_PREFIX: &str = "giftcard:";

fn op_key(op: Uuid) -> String {
    format!("{OP_PREFIX}{op}")
}

fn card_key(card: &GiftCardNumber) -> String {
    format!("{CARD_PREFIX}{card}")
}

/// Puts `ops` in the gift card outbox within the caller's transaction. An operation already
/// there (the same id) is written again unchanged: its id is what the server counts it by.
pub(super) fn put_gift_card_ops(kv: &ObjectStore<'_>, ops: &[GiftCardOp]) -> Result<(), StorageError> {
    for op in ops {
        put_json(kv, &op_key(op.id), op)?;
    }
    Ok(())
}

impl IdbStorage {
    pub(super) async fn all_gift_card_ops(&self) -> Result<Vec<GiftCardOp>, StorageError> {
        let tx = self.readonly([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        let upper = format!("{OP_PREFIX}\u{ffff}");
        let range = KeyRange::Bound(OP_PREFIX.to_string(), false, upper, false);
        let mut ops: Vec<GiftCardOp> = get_all_json(&kv, Some(range), "a gift card operation").await?;
        // In the order they were made: a card sold here goes to the server before it is spent.
        ops.sort_by_key(|op| (op.at_ms, op.id));
        Ok(ops)
    }

    pub(super) async fn put_gift_card_op_batch(&self, ops: Vec<GiftCardOp>) -> Result<(), StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        put_gift_card_ops(&kv, &ops)?;
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn gift_card_op_answered(
        &self,
        op: Uuid,
        card: Option<KnownCard>,
    ) -> Result<(), StorageError> {
        let tx = self.strict([KV])?;
        let kv = tx.object_store(KV).map_err(classify)?;
        kv.delete(op_key(op)).primitive().map_err(classify)?;
        if let Some(card) = card {
            put_json(&kv, &card_key(&card.card), &card)?;
        }
        tx.commit().await.map_err(classify)
    }

    pub(super) async fn read_known_gift_card(
        &self,
        card: GiftCardNumber,
    ) -> Result<Option<KnownCard>, StorageError> {
        self.read_json(&card_key(&card)).await
    }

    pub(super) async fn write_known_gift_card(&self, card: KnownCard) -> Result<(), StorageError> {
        self.write_json(&card_key(&card.card), &card).await
    }
}
