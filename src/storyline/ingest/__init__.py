"""Ingest, per article and streaming: inputs, feeds, WARC, fetching, extraction, the local and Ray engines, watch."""
