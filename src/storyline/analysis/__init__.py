"""Analysis, per story and pure: copies, upstream sources, claims, conflicts, quotes, timeline, summary, report."""
