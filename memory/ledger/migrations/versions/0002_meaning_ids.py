"""Content ids from meaning: re-key stored rows whose id was a hash of their text.

Before, a row without an id got `r` + a hash of its raw text, so the same transactions re-saved by a
spreadsheet (0.10 for 0.1, btc for BTC, fee 0 for blank) imported again. Ids now hash the checked
values (memory/ledger/ids.py). This revision recomputes those ids from the stored (already checked)
values, so re-importing a file imported before the upgrade still finds its rows. Sells naming such a
lot in `lot_id` follow. The materialised lots and closings are cleared and rebuilt on the next open
(their rules marker is dropped). Rows with ids of their own (a user's, `cb-…`) are untouched.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

from indexdesk.memory.ledger.ids import CONTENT_ID, content_key_of, numbered
from indexdesk.memory.ledger.lots import SPLIT
from indexdesk.memory.ledger.models import LotClosingRow, LotRow, MetaRow, TransactionRow

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    table = TransactionRow.__table__
    rows = connection.execute(sa.select(table).order_by(table.c.timestamp, table.c.seq, table.c.tx_id)).all()
    renamed: dict[str, str] = {}
    seen: dict[str, int] = {}
    for row in rows:
        if not CONTENT_ID.match(row.tx_id):
            continue
        key = content_key_of(row.timestamp, row.kind, row.symbol, row.quantity, row.price, row.fee, row.currency,
                             row.venue, row.to_venue, row.lot_id, row.sleeve, row.note)
        seen[key] = seen.get(key, 0) + 1
        new = numbered(key, seen[key])
        if new != row.tx_id:
            renamed[row.tx_id] = new
    if not renamed:
        return
    connection.execute(sa.delete(LotClosingRow.__table__))
    connection.execute(sa.delete(LotRow.__table__))
    meta = MetaRow.__table__
    rules = connection.execute(sa.select(meta.c.value).where(meta.c.key == "lot_rules")).scalar()
    if rules is not None:  # keep the method the lots were built with; mark the lots stale (rebuilt on open)
        connection.execute(sa.update(meta).where(meta.c.key == "lot_rules")
                           .values(value=rules.split("/")[0] + "/stale"))
    # Two passes through temporary ids: a new id may equal another row's old one.
    update = sa.update(table).where(table.c.tx_id == sa.bindparam("old")).values(tx_id=sa.bindparam("new"))
    connection.execute(update, [{"old": old, "new": f"~{new}"} for old, new in renamed.items()])
    connection.execute(update, [{"old": f"~{new}", "new": new} for new in renamed.values()])
    relinked = []
    for row in rows:
        if row.lot_id:
            parts = row.lot_id.split(SPLIT)
            lot_id = SPLIT.join(renamed.get(part, part) for part in parts)
            if lot_id != row.lot_id:
                relinked.append({"tx": renamed.get(row.tx_id, row.tx_id), "lot": lot_id})
    if relinked:
        connection.execute(sa.update(table).where(table.c.tx_id == sa.bindparam("tx"))
                           .values(lot_id=sa.bindparam("lot")), relinked)


def downgrade() -> None:
    pass  # the old ids hashed text that is no longer stored; the new ids stay
