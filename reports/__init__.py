"""Comparison, triangulation, diagnosis, rendering and the ``crosscheck`` command."""
