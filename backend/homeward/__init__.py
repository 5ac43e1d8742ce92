"""Homeward: software for running intensive outpatient programs."""
