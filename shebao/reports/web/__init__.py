"""The unit's query pages (查询): a page, an .xlsx and a PDF per query, and a person's
enrolments at the unit."""
