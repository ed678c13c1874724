"""Grouping, per store: embeddings, pair features, online clustering and the story builder."""
