"""Data that is not the clinic's own: the demo clinic `make run` starts with, and the
synthetic clinics the benchmarks measure. Nothing the app serves imports it."""
