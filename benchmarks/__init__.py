"""Performance tables: ``python -m benchmarks.bench`` (``make bench``)."""
