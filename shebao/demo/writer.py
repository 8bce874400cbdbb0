"""Where generated rows go: the database (one executemany per table and batch) or a digest.

Rows are plain tuples in the order of a field list, with values already adapted for the
database (`connection.ops`), so inserting is a single executemany per table: measured
several times faster than `bulk_create`, which builds a model instance per row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from django.core.management.color import no_style
from django.db import connection, models, transaction

Row = tuple[object, ...]


class Sink(Protocol):
    def insert(self, model: type[models.Model], fields: Sequence[str],
               rows: list[Row]) -> None: ...

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
    """Inserts with executemany; each batch is one transaction."""

    def __init__(self) -> None:
        self._sql: dict[tuple[type[models.Model], tuple[str, ...]], str] = {}

    def insert(self, model: type[models.Model], fields: Sequence[str], rows: list[Row]) -> None:
        if not rows:
            return
        key = (model, tuple(fields))
        sql = self._sql.get(key)
        if sql is None:
            sql = self._sql[key] = insert_sql(model, fields)
        if connection.vendor == "postgresql":
            self._copy(model, fields, rows)
            return
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)  # type: ignore[arg-type]

    @staticmethod
    def _copy(model: type[models.Model], fields: Sequence[str], rows: list[Row]) -> None:
        """PostgreSQL: COPY … FROM STDIN, an order of magnitude faster than executemany."""
        meta = model._meta
        qn = connection.ops.quote_name
        columns = ", ".join(qn(_column(meta.get_field(f))) for f in fields)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
            with raw.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

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
        key = f"{model._meta.label}({','.join(fields)})"
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
