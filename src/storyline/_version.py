"""The version, apart: modules that need it (fetch, the web) import it without the package API."""

__version__ = "0.1.0"
