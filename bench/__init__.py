"""Speed benchmarks of the whole stack (`make bench`); never part of the test suite."""
