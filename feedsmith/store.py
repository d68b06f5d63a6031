"""The state between builds: the only module that reads or writes it.

Takes headlines that already have a GUID (:class:`NewItem`; GUIDs come from
:mod:`feedsmith.identity`) and source outcomes, keeps them in an embedded SQLite file, and
returns :class:`~feedsmith.models.Item` and :class:`~feedsmith.models.SourceStatus` for the
feeds, plus a per-feed "updated" time that moves only when a feed's items change
(:meth:`Store.feed_updated`), which is what makes a rebuild with nothing new byte-identical.

The schema carries its version in ``PRAGMA user_version``; :data:`MIGRATIONS` lists the SQL that
brings version n to n + 1, and opening a file applies the missing steps, each in one
transaction. Datetimes go in and come out timezone-aware UTC, stored as ISO 8601 text in one
fixed format so that text order is time order.

Identity rules:

* A GUID is kept forever: a known GUID keeps its ``first_seen`` and its ``source``; each sighting
  moves ``last_seen``.
* Two sources that produce one GUID (the same canonical link) share ONE item: the source that
  recorded it first owns it (its ``source``, title and other fields). Later sightings from other
  sources only move ``last_seen`` and fill fields the item lacks. Topics are kept per source
  and the item's topics are their union (owner's first), so they do not flip-flop from build to
  build whatever order the sources are recorded in.
* Items that leave their page stay (``last_seen`` no longer moves) until :meth:`Store.prune`;
  :meth:`Store.feed_items` shows only those seen within ``max_age_days``.
* A failing source loses nothing: :meth:`Store.record_failure` touches no item.
* A source whose page has not changed since its last success need not be read again:
  :meth:`Store.record_success` keeps the page's fingerprint and the GUIDs it gave, and
  :meth:`Store.reseen` moves their ``last_seen`` when re-recording them would change nothing
  else.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

from feedsmith.errors import FeedsmithError
from feedsmith.models import Item, SourceStatus

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "NewItem",
    "Store",
]

# --------------------------------------------------------------------------------------------
# Schema

# MIGRATIONS[n] brings a file at user_version n to n + 1. Append only; never edit a published step.
MIGRATIONS: tuple[str, ...] = (
    # 1: items and sources.
    """
    CREATE TABLE items (
        guid TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        title TEXT NOT NULL,
        link TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        published TEXT,
        summary TEXT,
        content_html TEXT,
        image TEXT,
        topics TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        last_success TEXT,
        last_error TEXT,
        failing_since TEXT,
        item_count INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: author, guid_is_link, a stored sort date and the indexes feed_items needs, topics per
    # source (NULL: all of ``topics`` came from ``source``); feed fingerprints; key-value meta.
    """
    ALTER TABLE items ADD COLUMN author TEXT;
    ALTER TABLE items ADD COLUMN guid_is_link INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE items ADD COLUMN sort_date TEXT;
    ALTER TABLE items ADD COLUMN source_topics TEXT;
    UPDATE items SET sort_date = COALESCE(published, first_seen);
    CREATE INDEX items_last_seen ON items (last_seen);
    CREATE INDEX items_order ON items (sort_date DESC, first_seen DESC, guid);
    CREATE TABLE feeds (
        slug TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        updated TEXT NOT NULL
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """,
    # 3: what a source's page gave at its last success (see Store.reseen): a fingerprint of the
    # page and of the settings that read it, and the GUIDs it yielded (a JSON list).
    """
    ALTER TABLE sources ADD COLUMN fingerprint TEXT;
    ALTER TABLE sources ADD COLUMN guids TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_ITEM_COLUMNS = (
    "guid, source, title, link, first_seen, last_seen, published, summary, content_html, "
    "image, author, topics, guid_is_link"
)


# json.dumps builds a new encoder per call when given options; this is the same encoder, once.
_ENCODER = json.JSONEncoder(ensure_ascii=False)


def _json(value: object) -> str:
    return _ENCODER.encode(value)


def _merged_topics(row: sqlite3.Row | None, source: str, topics: Sequence[str]) -> tuple[str, str]:
    """``(topics, source_topics)`` as JSON after ``source`` reports ``topics`` for an item:
    each source's topics replace only its own, the item's are the union, owner's first."""
    if row is None:
        by_source: dict[str, list[str]] = {}
    elif row["source_topics"]:
        by_source = json.loads(row["source_topics"])
    else:
        by_source = {row["source"]: json.loads(row["topics"])}
    by_source[source] = list(topics)
    union = dict.fromkeys(t for listed in by_source.values() for t in listed)
    return _json(list(union)), _json(by_source)


def _iso(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the store takes timezone-aware datetimes")
    # One fixed width (always microseconds, always +00:00) so that text order is time order.
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else _iso(value)


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def _row_to_item(row: sqlite3.Row) -> Item:
    first_seen = _dt(row["first_seen"])
    last_seen = _dt(row["last_seen"])
    assert first_seen is not None and last_seen is not None  # NOT NULL columns
    return Item(
        guid=row["guid"],
        source=row["source"],
        title=row["title"],
        link=row["link"],
        first_seen=first_seen,
        last_seen=last_seen,
        published=_dt(row["published"]),
        summary=row["summary"],
        content_html=row["content_html"],
        image=row["image"],
        author=row["author"],
        topics=tuple(json.loads(row["topics"])),
        guid_is_link=bool(row["guid_is_link"]),
    )


# Chunks stay under SQLite's limit on bound parameters (999 before SQLite 3.32).
_CHUNK = 500


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _marks(chunk: Sequence[str]) -> str:
    return ", ".join("?" * len(chunk))


_INSERT_ITEM = (
    f"INSERT INTO items ({_ITEM_COLUMNS}, sort_date, source_topics) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# The owner's sighting replaces what it shows; content and author only when given.
_UPDATE_OWNED = (
    "UPDATE items SET title = ?, link = ?, guid_is_link = ?, last_seen = ?, "
    "published = ?, sort_date = ?, summary = ?, "
    "content_html = COALESCE(?, content_html), image = ?, "
    "author = COALESCE(?, author), topics = ?, source_topics = ? "
    "WHERE guid = ?"
)
# Another source's sighting only fills what the item lacks.
_UPDATE_OTHERS = (
    "UPDATE items SET last_seen = ?, published = ?, sort_date = ?, "
    "summary = COALESCE(summary, ?), "
    "content_html = COALESCE(content_html, ?), "
    "image = COALESCE(image, ?), author = COALESCE(author, ?), "
    "link = CASE WHEN link = '' THEN ? ELSE link END, topics = ?, "
    "source_topics = ? WHERE guid = ?"
)


# An item only ``source`` has reported (see Store.unchanged_guids); two parameters: the source.
_SOLELY_OURS = (
    "source = ? AND (source_topics IS NULL OR NOT EXISTS "
    "(SELECT 1 FROM json_each(source_topics) WHERE key <> ?))"
)


def _record_success(
    conn: sqlite3.Connection,
    source: str,
    now: datetime,
    item_count: int,
    fingerprint: str | None,
    guids: Sequence[str],
) -> None:
    conn.execute(
        "INSERT INTO sources (name, last_success, last_error, failing_since, item_count, "
        "fingerprint, guids) VALUES (?, ?, NULL, NULL, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET "
        "last_success = excluded.last_success, last_error = NULL, "
        "failing_since = NULL, item_count = excluded.item_count, "
        "fingerprint = excluded.fingerprint, guids = excluded.guids",
        (source, _iso(now), item_count, fingerprint, _json(list(guids))),
    )


def _insert_params(
    new: NewItem, source: str, stamp: str, topics: str, source_topics: str
) -> tuple[object, ...]:
    published = _iso_or_none(new.published)
    return (
        new.guid,
        source,
        new.title,
        new.link or "",
        stamp,
        stamp,
        published,
        new.summary,
        new.content_html,
        new.image,
        new.author,
        topics,
        int(new.guid_is_link),
        published or stamp,
        source_topics,
    )


def _owner_params(
    new: NewItem, row: sqlite3.Row, stamp: str, topics: str, source_topics: str
) -> tuple[object, ...]:
    published = _iso_or_none(new.published) or row["published"]
    return (
        new.title,
        new.link if new.link else row["link"],
        int(new.guid_is_link) if new.link else row["guid_is_link"],
        stamp,
        published,
        published or row["first_seen"],
        new.summary,
        new.content_html,
        new.image,
        new.author,
        topics,
        source_topics,
        new.guid,
    )


def _other_params(
    new: NewItem, row: sqlite3.Row, stamp: str, topics: str, source_topics: str
) -> tuple[object, ...]:
    published = row["published"] or _iso_or_none(new.published)
    return (
        stamp,
        published,
        published or row["first_seen"],
        new.summary,
        new.content_html,
        new.image,
        new.author,
        new.link or "",
        topics,
        source_topics,
        new.guid,
    )


def _first_by_guid(items: Sequence[NewItem]) -> list[NewItem]:
    first: dict[str, NewItem] = {}
    for item in items:
        first.setdefault(item.guid, item)
    return list(first.values())


@dataclass(frozen=True)
class NewItem:
    """A headline of this build, with its GUID (from :func:`feedsmith.identity.make_guid`) and
    topics, before the store gives it first/last-seen times. ``link`` is the link to show
    (``None``: stored as ``""``, e.g. a ticker headline with nowhere to go)."""

    guid: str
    guid_is_link: bool
    title: str
    link: str | None
    topics: tuple[str, ...] = ()
    published: datetime | None = None
    summary: str | None = None
    content_html: str | None = None
    image: str | None = None
    author: str | None = None


class Store:
    """One SQLite state file. Open one per build and use it from one thread."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the state file at ``path``, creating its folder, and bring its
        schema up to :data:`SCHEMA_VERSION`. Raises ``FeedsmithError`` for a file written by a
        newer feedsmith."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are explicit (see _transaction), so a migration
        # step and its user_version bump commit together.
        self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except BaseException:
            self._conn.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Make the writes inside one transaction: one commit for many sources instead of one
        each (commits, and the WAL checkpoints they trigger, are most of a small write's
        cost), and all of them or none. A write that fails inside still changes nothing and
        leaves the others."""
        with self._transaction():
            yield

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        if self._conn.in_transaction:  # inside batch(): a savepoint, so a failure undoes one step
            self._conn.execute("SAVEPOINT step")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK TO step")
                self._conn.execute("RELEASE step")
                raise
            self._conn.execute("RELEASE step")
            return
        # IMMEDIATE takes the write lock up front, so a second writer waits (timeout=30) at
        # BEGIN instead of failing halfway through.
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise FeedsmithError(
                f"{self.path}: state schema version {version} was written by a newer feedsmith "
                f"(this one knows up to {SCHEMA_VERSION}); upgrade feedsmith or use another "
                "state file"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            # The step and its version bump in one transaction: a failed step leaves the file
            # at the previous version, never half-migrated.
            script = (
                f"BEGIN IMMEDIATE;\n{MIGRATIONS[target - 1]};\n"
                f"PRAGMA user_version = {target};\nCOMMIT;"
            )
            try:
                self._conn.executescript(script)
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    # -- items -------------------------------------------------------------------------------

    def record_items(self, source: str, items: Sequence[NewItem], now: datetime) -> list[Item]:
        """Record this build's sighting of ``items`` from ``source`` and return them as stored,
        in the given order (a GUID repeated in ``items`` counts once, its first occurrence).

        New GUID: stored with ``first_seen = last_seen = now``. Known GUID: ``first_seen``,
        ``guid`` and ``source`` never change, ``last_seen = now``. If ``source`` owns the item,
        title, summary, topics, image, link and published/author (when given) are replaced and
        content only when a new one is given; if another source owns it, only empty fields are
        filled. Either way ``source``'s topics for the item are replaced and the item's topics
        become the union over its sources (owner's first).
        """
        unique = _first_by_guid(items)
        with self._transaction() as conn:
            self._upsert(conn, source, unique, _iso(now))
            guids = [new.guid for new in unique]
            stored = {item.guid: item for item in self._items_by_guid(guids)}
        return [stored[guid] for guid in guids]

    def upsert_items(self, source: str, items: Sequence[NewItem], now: datetime) -> int:
        """Record ``items`` exactly as :meth:`record_items` does, without reading them back;
        returns how many of their GUIDs were new to the store."""
        unique = _first_by_guid(items)
        with self._transaction() as conn:
            return self._upsert(conn, source, unique, _iso(now))

    def _upsert(
        self, conn: sqlite3.Connection, source: str, unique: Sequence[NewItem], stamp: str
    ) -> int:
        # One SELECT per chunk and one executemany per kind of write: every GUID in ``unique``
        # is distinct, so the rows read up front are the rows each write would have seen.
        rows: dict[str, sqlite3.Row] = {}
        for chunk in _chunks([new.guid for new in unique]):
            sql = f"SELECT {_ITEM_COLUMNS}, source_topics FROM items WHERE guid IN "
            rows.update(
                (row["guid"], row) for row in conn.execute(f"{sql}({_marks(chunk)})", chunk)
            )
        inserts, owned, others = [], [], []
        for new in unique:
            row = rows.get(new.guid)
            topics, source_topics = _merged_topics(row, source, new.topics)
            if row is None:
                inserts.append(_insert_params(new, source, stamp, topics, source_topics))
            elif row["source"] == source:
                owned.append(_owner_params(new, row, stamp, topics, source_topics))
            else:
                others.append(_other_params(new, row, stamp, topics, source_topics))
        conn.executemany(_INSERT_ITEM, inserts)
        conn.executemany(_UPDATE_OWNED, owned)
        conn.executemany(_UPDATE_OTHERS, others)
        return len(inserts)

    def _items_by_guid(self, guids: Sequence[str]) -> list[Item]:
        items: list[Item] = []
        for chunk in _chunks(guids):
            rows = self._conn.execute(
                f"SELECT {_ITEM_COLUMNS} FROM items WHERE guid IN ({_marks(chunk)})", chunk
            )
            items.extend(_row_to_item(row) for row in rows)
        return items

    def has_item(self, guid: str) -> bool:
        """Whether ``guid`` is stored (used to skip full-text fetches of known items)."""
        row = self._conn.execute("SELECT 1 FROM items WHERE guid = ?", (guid,)).fetchone()
        return row is not None

    def item_content(self, guid: str) -> tuple[datetime | None, str | None]:
        """``(first_seen, content_html)`` of ``guid``: (None, None) for an unknown item, and
        content None for an item stored without its article body."""
        row = self._conn.execute(
            "SELECT first_seen, content_html FROM items WHERE guid = ?", (guid,)
        ).fetchone()
        return (None, None) if row is None else (_dt(row["first_seen"]), row["content_html"])

    def feed_items(
        self,
        *,
        now: datetime,
        max_items: int,
        max_age_days: int,
        topic: str | None = None,
        source: str | None = None,
    ) -> list[Item]:
        """At most ``max_items`` items seen within ``max_age_days`` of ``now`` (optionally only
        those of one topic and/or source), newest first: by date (published, else first seen)
        descending, then first seen descending, then GUID."""
        sql = f"SELECT {_ITEM_COLUMNS} FROM items WHERE last_seen >= ?"
        params: list[object] = [_iso(now - timedelta(days=max_age_days))]
        if topic is not None:
            sql += " AND EXISTS (SELECT 1 FROM json_each(items.topics) WHERE value = ?)"
            params.append(topic)
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        sql += " ORDER BY sort_date DESC, first_seen DESC, guid LIMIT ?"
        params.append(max(0, max_items))
        return [_row_to_item(row) for row in self._conn.execute(sql, params)]

    def prune(self, *, now: datetime, max_age_days: int) -> int:
        """Delete the items not seen for more than ``max_age_days``; returns how many."""
        cutoff = _iso(now - timedelta(days=max_age_days))
        with self._transaction() as conn:
            return conn.execute("DELETE FROM items WHERE last_seen < ?", (cutoff,)).rowcount

    # -- sources -----------------------------------------------------------------------------

    def record_success(
        self,
        source: str,
        now: datetime,
        item_count: int,
        *,
        fingerprint: str | None = None,
        guids: Sequence[str] = (),
    ) -> None:
        """A successful fetch of ``source``: clears its error and failing streak, and keeps the
        page's ``fingerprint`` and the ``guids`` it yielded for :meth:`reseen`."""
        with self._transaction() as conn:
            _record_success(conn, source, now, item_count, fingerprint, guids)

    def unchanged_guids(self, source: str, fingerprint: str) -> list[str] | None:
        """The GUIDs of ``source``'s last success, when that success had ``fingerprint`` and
        recording the same items again would change nothing but their ``last_seen``: every one
        is still stored, owned by ``source`` and never reported by another source (whose
        sightings fill fields that the owner's next sighting overwrites). None otherwise."""
        row = self._conn.execute(
            "SELECT fingerprint, guids FROM sources WHERE name = ?", (source,)
        ).fetchone()
        if row is None or row["fingerprint"] != fingerprint or row["guids"] is None:
            return None
        guids: list[str] = json.loads(row["guids"])
        solely_ours = 0
        for chunk in _chunks(guids):
            solely_ours += self._conn.execute(
                f"SELECT COUNT(*) FROM items WHERE guid IN ({_marks(chunk)}) AND {_SOLELY_OURS}",
                (*chunk, source, source),
            ).fetchone()[0]
        return guids if solely_ours == len(guids) else None

    def reseen(self, source: str, fingerprint: str, now: datetime) -> int | None:
        """A success of ``source`` whose page is what it was at its last success (same
        ``fingerprint``): moves ``last_seen`` of the items it gave to ``now`` and records the
        success, in one transaction; returns how many items. None, changing nothing, when
        :meth:`unchanged_guids` says the items must be recorded again."""
        with self._transaction() as conn:
            guids = self.unchanged_guids(source, fingerprint)
            if guids is None:
                return None
            for chunk in _chunks(guids):
                conn.execute(
                    f"UPDATE items SET last_seen = ? WHERE guid IN ({_marks(chunk)})",
                    (_iso(now), *chunk),
                )
            _record_success(conn, source, now, len(guids), fingerprint, guids)
        return len(guids)

    def record_failure(self, source: str, error: str, now: datetime) -> None:
        """A failed fetch of ``source``: keeps ``failing_since`` from the first failure in a
        row, keeps its last success and item count, and touches no item."""
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO sources (name, last_error, failing_since) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET last_error = excluded.last_error, "
                "failing_since = COALESCE(sources.failing_since, excluded.failing_since)",
                (source, error, _iso(now)),
            )

    def source_statuses(self) -> list[SourceStatus]:
        """Every source ever recorded, by name."""
        rows = self._conn.execute(
            "SELECT name, last_success, last_error, failing_since, item_count "
            "FROM sources ORDER BY name"
        )
        return [
            SourceStatus(
                name=row["name"],
                ok=row["failing_since"] is None,
                last_success=_dt(row["last_success"]),
                last_error=row["last_error"],
                failing_since=_dt(row["failing_since"]),
                item_count=row["item_count"],
            )
            for row in rows
        ]

    # -- feeds and meta ----------------------------------------------------------------------

    def feed_updated(self, slug: str, items: Sequence[Item], now: datetime) -> datetime:
        """The feed's "updated" time: the stored one when ``items`` are what they were at the
        last call for ``slug``, else ``now`` (stored with the new fingerprint).

        The fingerprint covers everything a feed shows of its items, in order, but not
        ``last_seen``, which moves at every build.
        """
        fingerprint = _fingerprint(items)
        stamp = _iso(now)
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT fingerprint, updated FROM feeds WHERE slug = ?", (slug,)
            ).fetchone()
            if row is not None and row["fingerprint"] == fingerprint:
                updated = _dt(row["updated"])
                assert updated is not None
                return updated
            conn.execute(
                "INSERT INTO feeds (slug, fingerprint, updated) VALUES (?, ?, ?) "
                "ON CONFLICT (slug) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "updated = excluded.updated",
                (slug, fingerprint, stamp),
            )
        return datetime.fromisoformat(stamp)

    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row["value"]

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _fingerprint(items: Sequence[Item]) -> str:
    shown = [
        [
            item.guid,
            item.source,
            item.title,
            item.link,
            _iso(item.date),
            _iso_or_none(item.published),
            item.summary,
            item.content_html,
            item.image,
            item.author,
            list(item.topics),
            item.guid_is_link,
        ]
        for item in items
    ]
    blob = json.dumps(shown, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
