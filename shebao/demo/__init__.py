"""The demo city (`shebao demo`): a deterministic, realistic Beijing of units and persons.

Modules: `names` (word lists), `naming` (text makers), `units`, `persons`, `history`
(imported pension accounts), `context` (policy figures read once), `designated` (the
units that fail one eligibility rule each), `staff` (demo logins), `writer` (sinks),
`generator` (the orchestration).
"""
