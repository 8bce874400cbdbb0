"""Queries and printed documents (查询与报表打印): read-only selectors scoped by the
request's principal, shared by the unit's and the person's pages, the exports, the API and
`shebao report`. Above contributions, pension, registry and declarations; never writes
their rows."""
