"""The benchmarks (`make bench`), kept out of the shipped `shebao` package.

    python -m bench          settlement, year-end interest, then the batch files
    python -m bench.batch    the batch files (报盘) alone

Run from the checkout's root (the repository, not an installed package, holds them).
Results go into docs/BENCHMARKS.md. Never run in tests.
"""
