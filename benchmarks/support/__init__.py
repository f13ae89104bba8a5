"""What several benchmarks (and tests) share and is not a benchmark itself."""
