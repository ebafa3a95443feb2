"""`make bench`: the project's jobs timed side by side with the tools users would pick instead.

Run with `python -m bench`; it writes docs/benchmarks.md and docs/benchmarks.png.
"""
