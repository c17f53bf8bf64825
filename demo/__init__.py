"""Demo and synthetic data, in one place outside the apps.

`manage.py load_demo` loads the seed-post demo (`events.load`, then `discussions.load`); its
`--scale N` and the benchmarks in bench/ add synthetic rows. Tests build their data with
tests/factories.py, not with these generators (tests/demo/ tests the generators themselves).
"""
