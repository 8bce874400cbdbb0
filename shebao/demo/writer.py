"""Where generated rows go: the database (one executemany per table and batch) or a digest.

Rows are plain tuples in the order of a field list, with values already adapted for the
database (`connection.ops`), so inserting is a single executemany per table: measured
several times faster than `bulk_create`, which builds a model instance per row. Rows
that follow from others by rule (the imported account years) are not made in Python:
Python writes their seeds into a scratch table (`scratch`) and one INSERT … SELECT
derives them (`derive`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from django.core.management.color import no_style
from django.db import connection, models, transaction

Row = tuple[object, ...]
BULK_PRAGMAS = ("PRAGMA journal_mode=MEMORY", "PRAGMA synchronous=OFF",
                "PRAGMA cache_size=-1000000")


class Sink(Protocol):
    def insert(self, model: type[models.Model], fields: Sequence[str],
               rows: list[Row]) -> None: ...

    def scratch(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        """Replace the rows of a scratch table (integer columns; made on first use)."""

    def derive(self, sql: str, params: dict[str, int]) -> int:
        """Run an INSERT … SELECT over the scratch tables; the number of rows written."""

    def batch(self) -> AbstractContextManager[None]: ...


def insert_sql(model: type[models.Model], fields: Sequence[str]) -> str:
    meta = model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(_column(meta.get_field(f))) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"


def _column(field: object) -> str:
    column = getattr(field, "column", None)
    if not isinstance(column, str):
        raise TypeError(f"{field} is not a concrete field")
    return column


class DatabaseSink:
    """Inserts with executemany (COPY on PostgreSQL); each batch is one transaction."""

    def __init__(self) -> None:
        self._sql: dict[tuple[type[models.Model], tuple[str, ...]], str] = {}
        self._scratch: set[str] = set()

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        key = (model, tuple(fields))
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = insert_sql(model, fields)
        qn = connection.ops.quote_name
        columns = [qn(_column(model._meta.get_field(f))) for f in fields]
        self._write(qn(model._meta.db_table), columns, sql, rows)

    @staticmethod
    def _write(table: str, columns: list[str], sql: str, rows: list[Row]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                cursor.executemany(sql, rows)  # type: ignore[arg-type]
                return
            # PostgreSQL: COPY … FROM STDIN, an order of magnitude faster than executemany.
            raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def scratch(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        with connection.cursor() as cursor:
            if table not in self._scratch:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
                cursor.execute(f"CREATE TEMPORARY TABLE {table} "
                               f"({', '.join(f'{c} BIGINT NOT NULL' for c in columns)})")
                self._scratch.add(table)
            else:
                cursor.execute(f"DELETE FROM {table}")
        if rows:
            marks = ", ".join(["%s"] * len(columns))
            self._write(table, list(columns),
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def derive(self, sql: str, params: dict[str, int]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """SQLite outside a transaction: write the city without a journal on disk.

        [decision] A demo build goes into a new, empty database, so a crash loses
        nothing worth a journal: while it runs, the rollback journal is kept in memory
        (instead of the write-ahead log, which writes every page twice), nothing waits for
        the disk (synchronous=OFF) and the page cache is 1 GB, so the indexes keyed by
        unit stay in memory. The project's settings are restored afterwards. Elsewhere
        (PostgreSQL, or inside a transaction as in tests) nothing changes.
        """
        if connection.vendor != "sqlite" or connection.in_atomic_block:
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            for pragma in BULK_PRAGMAS:
                cursor.execute(pragma)
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA journal_mode={journal}")
                cursor.execute(f"PRAGMA synchronous={int(synchronous)}")
                cursor.execute(f"PRAGMA cache_size={int(cache)}")

    def close(self) -> None:
        """Drop the scratch tables (they would otherwise live as long as the connection)."""
        with connection.cursor() as cursor:
            for table in sorted(self._scratch):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
        self._scratch.clear()

    @contextmanager
    def batch(self) -> Iterator[None]:
        with transaction.atomic():
            yield

    def reset_sequences(self, model_list: Sequence[type[models.Model]]) -> None:
        """After explicit primary keys, move PostgreSQL's sequences past them."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


class DigestSink:
    """Hashes every row instead of storing it: proves that a seed gives the same city.

    One hash per table, so the digest does not depend on how rows were batched.
    """

    def __init__(self) -> None:
        self._hashes: dict[str, hashlib._Hash] = {}

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: list[Row]) -> None:
        self._add(f"{model._meta.label}({','.join(fields)})", rows)

    def scratch(self, table: str, columns: Sequence[str], rows: list[Row]) -> None:
        self._add(f"{table}({','.join(columns)})", rows)

    def derive(self, sql: str, params: dict[str, int]) -> int:
        """The derived rows follow from the scratch rows hashed already: nothing to add."""
        return 0

    def _add(self, key: str, rows: list[Row]) -> None:
        digest = self._hashes.setdefault(key, hashlib.sha256())
        for row in rows:
            digest.update(repr(row).encode())

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    def hexdigest(self) -> str:
        total = hashlib.sha256()
        for key in sorted(self._hashes):
            total.update(f"{key}={self._hashes[key].hexdigest()}\n".encode())
        return total.hexdigest()
