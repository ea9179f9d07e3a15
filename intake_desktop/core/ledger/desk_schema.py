"""Tables of a firm ledger that holds other desks' chains (migration 0007_firm_desk_chains).

When several desks' ledgers are merged into one firm ledger, the first desk's chain becomes
the firm chain (`events`); every other desk's events are kept here byte for byte, so each
desk's chain still verifies on its own, and the firm chain records the merge
(`ledger_merged`, with the desk's head hash and event count). Only the ledger package
imports this module.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table

from intake_desktop.core.ledger.schema import event_columns, metadata

# One row per event of a merged desk, with the same columns (and hash) it had there.
desk_events = Table(
    "desk_events",
    metadata,
    Column("desk", String(64), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    *event_columns(own_chain=False),
)

# A merged desk's document id (as its events name it) and its id in the firm's documents.
desk_documents = Table(
    "desk_documents",
    metadata,
    Column("desk", String(64), primary_key=True),
    Column("desk_document_id", Integer, primary_key=True, autoincrement=False),
    Column("document_id", Integer, nullable=False),
)
