"""The ledger's tables (SQLAlchemy Core). Only the ledger package imports this module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

matters = Table(
    "matters",
    metadata,
    Column("id", String(120), primary_key=True),
    Column("name", Text, nullable=False, default=""),
    Column("created_at", String(40), nullable=False),
    # migration 0006_window_matters (the window's matter list)
    Column("number", Text, nullable=False, default=""),
    Column("client", Text, nullable=False, default=""),
    Column("practice", Text, nullable=False, default=""),
    Column("attorney", Text, nullable=False, default=""),
)

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("detected_type", String(120), nullable=False, default=""),
    Column("source_path", Text, nullable=False),
    Column("original_path", Text),
    Column("filed_path", Text),
    Column("filed_sha256", String(64)),
    Column("matter_id", String(120), ForeignKey("matters.id")),
    Column("category", Text, nullable=False, default="", index=True),  # 0009_firm3_category_index
    Column("document_date", String(10)),
    Column("status", String(16), nullable=False, index=True),
    Column("target_status", String(16), nullable=False),
    Column("family_id", String(64)),
    Column("parent_id", Integer, ForeignKey("documents.id")),
    Column("rule", Text),
    Column("reason", Text),
    Column("source_cleared", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    # A review action or an undo under way (JSON, migration 0005_filing_pending_action).
    Column("pending_action", Text),
)


def event_columns(*, own_chain: bool) -> list[Column[Any]]:
    """The columns of an event after its `seq` (what the row hash covers, and the hashes).
    On this ledger's own chain (`events`) they are indexed for lookups and each row hash
    is unique; `desk_events` keeps merged desks' rows as they were, unindexed."""
    return [
        Column("at", String(40), nullable=False),
        Column("kind", String(40), nullable=False, index=own_chain),
        Column("document_id", Integer, index=own_chain),
        Column("matter_id", String(120)),
        Column("actor_user", Text, nullable=False),
        Column("actor_role", String(40), nullable=False),
        Column("tool_version", Text, nullable=False),
        Column("rules_version", Text),
        Column("path_before", Text),
        Column("path_after", Text),
        Column("sha256_before", String(64), index=own_chain),
        Column("sha256_after", String(64), index=own_chain),
        Column("detail", Text, nullable=False, default="{}" if own_chain else None),
        Column("prev_hash", String(64), nullable=False),
        Column("row_hash", String(64), nullable=False, unique=own_chain),
    ]


events = Table(
    "events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    *event_columns(own_chain=True),
)

chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("writes", BigInteger, nullable=False),
)

# ---- Bates numbering (exhibit sets; migration 0003_bates) ---------------------------------
# The next free Bates number per prefix, so productions never overlap or leave gaps.
bates_counters = Table(
    "bates_counters",
    metadata,
    Column("prefix", String(120), primary_key=True),
    Column("next_number", BigInteger, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

# Columns of an event in the order they are hashed (never reorder: old chains would break).
EVENT_HASHED_COLUMNS: tuple[str, ...] = (
    "seq",
    "at",
    "kind",
    "document_id",
    "matter_id",
    "actor_user",
    "actor_role",
    "tool_version",
    "rules_version",
    "path_before",
    "path_after",
    "sha256_before",
    "sha256_after",
    "detail",
)
GENESIS_HASH = "0" * 64

# ---- watch claims (migration 0002_claims) ---------------------------------------------------
# One row per intake file a watcher has taken. The UNIQUE key makes the claim atomic across
# processes and workstations (SQLite and PostgreSQL alike): the insert that loses fails.
claims = Table(
    "claims",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("owner", String(200), nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("reason", Text),
    Column("claimed_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# Live watcher processes: each refreshes its heartbeat; claims of a silent owner go stale.
claim_owners = Table(
    "claim_owners",
    metadata,
    Column("owner", String(200), primary_key=True),
    Column("host", Text, nullable=False, default=""),
    Column("pid", Integer, nullable=False, default=0),
    Column("started_at", Float, nullable=False),
    Column("heartbeat_at", Float, nullable=False),
)

# ---- desktop app: local user profiles (migration 0004_users) ------------------------------

users = Table(
    "users",
    metadata,
    Column("name", String(120), primary_key=True),
    Column("role", String(40), nullable=False),
    # "scrypt$n$r$p$salt_b64$hash_b64" for profiles protected by a passphrase, else "".
    Column("passphrase_hash", Text, nullable=False, default=""),
    Column("created_at", String(40), nullable=False),
    Column("updated_at", String(40), nullable=False),
    # migration 0007_people_walls: initials shown beside work; the computer account whose
    # default person this is (`--as` may be left out there).
    Column("initials", String(12), nullable=False, default=""),
    Column("account", String(120), nullable=False, default=""),
)

# ---- matter walls (migration 0007_people_walls) --------------------------------------------
# A person screened from a matter; `wall_added`/`wall_removed` events are the record, this
# table the index every path asks (primary key person + matter: one lookup per check).
walls = Table(
    "walls",
    metadata,
    Column("person", String(120), primary_key=True),
    Column("matter_id", String(120), primary_key=True),
    Column("reason", Text, nullable=False, default=""),
    Column("added_by", String(120), nullable=False),
    Column("added_at", String(40), nullable=False),
)

# ---- desktop app: full-text search (migration 0006_window_search) --------------------------
# A document's words (all pages), page count and stamped labels. SQLite mirrors body and
# labels into the FTS5 table document_fts (triggers); PostgreSQL adds a tsvector column.
document_text = Table(
    "document_text",
    metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True,
           autoincrement=False),
    Column("pages", Integer),
    Column("body", Text, nullable=False, default=""),
    Column("labels", Text, nullable=False, default=""),
    Column("updated_at", String(40), nullable=False),
)
