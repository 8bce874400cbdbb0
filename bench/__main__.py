"""`python -m bench`: the settlement benchmark, then the batch-file one (bench.settlement)."""

from bench.settlement import main

main()
