"""The unit queries, one module each: a selector and its column spec (a `Query`).

Adding one (过录表, bills, arrears …) is a module here with its selector and `QUERY`,
and a line in `QUERIES`; its page, .xlsx, PDF, API route and `shebao report` kind
follow from that.
"""

from __future__ import annotations

from django.http import Http404

from ..tables import Query
from . import account1992, bases, people

QUERIES: dict[str, Query] = {q.kind: q for q in (people.QUERY, bases.QUERY, account1992.QUERY)}


def query_get(kind: str) -> Query:
    """The query of a kind; 404 for an unknown one."""
    query = QUERIES.get(kind)
    if query is None:
        raise Http404
    return query
