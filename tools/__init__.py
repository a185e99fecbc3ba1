"""Project tooling behind the Makefile targets (build the site, run the tests)."""
