"""Outlets: who published each article, and what each outlet did across the stored stories.

- :mod:`.identity`: one outlet per publisher from site names, URL domains, byline agencies and the
  user's aliases (:func:`article_outlet`, :class:`OutletIndex`);
- :mod:`.metadata`: the user's outlet file (`--outlets FILE`: country, owner, ratings), read whole
  or not at all (:func:`read_outlets`);
- :mod:`.profile`: the facts a story's report gives about each article (:func:`article_facts`),
  profiles summed per outlet (:func:`build_profiles`), and a story's coverage by a column with its
  blindspot flag (:func:`coverage`).

All pure: the store-bound parts (reading rows, saving facts when a report is made) are in
:mod:`storyline.services`. See docs/outlets.md.
"""

from .identity import (
    BUILTIN_OUTLETS,
    OutletIndex,
    article_outlet,
    byline_agency,
    identify,
    name_key,
    registrable_domain,
)
from .metadata import MAX_BYTES, OutletFile, parse_outlets, read_outlets
from .profile import BLINDSPOT_SHARE, article_facts, build_profiles, coverage, profile_evidence

__all__ = [
    "BLINDSPOT_SHARE",
    "BUILTIN_OUTLETS",
    "MAX_BYTES",
    "OutletFile",
    "OutletIndex",
    "article_facts",
    "article_outlet",
    "build_profiles",
    "byline_agency",
    "coverage",
    "identify",
    "name_key",
    "parse_outlets",
    "profile_evidence",
    "read_outlets",
    "registrable_domain",
]
