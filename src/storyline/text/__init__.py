"""Text primitives shared by every phase: sentence splitting and text cleaning."""
