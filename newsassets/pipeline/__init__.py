"""The thin Dagster shell: assets, checks, schedule, sensor and resources over the core modules."""
