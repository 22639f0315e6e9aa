"""Report writers: each takes the run's store and summary and writes one file."""
