"""Helpers for tests: article texts and pages that pass extraction, a real local HTTP server."""
