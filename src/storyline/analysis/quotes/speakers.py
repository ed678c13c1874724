"""Who the people of an article are: full names for short ones, roles, genders, the recent
speakers a pronoun or a description ("the Kremlin spokesman") can refer to."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .lexicon import FEMALE_TITLES, INSTITUTION_WORDS, MALE_TITLES

__all__ = ["Context", "Speaker", "name_key", "not_a_person", "title_gender"]


@dataclass(slots=True)
class Speaker:
    name: str | None
    span: tuple[int, int]
    text: str
    role: str | None
    gender: str | None = None
    pronoun: bool = False


@dataclass(slots=True)
class Context:
    """What the article has said so far about people: names, roles, genders, recent speakers."""

    full_names: dict[str, str] = field(default_factory=dict)  # surname key → full name
    roles: list[tuple[str, str]] = field(default_factory=list)  # (role words, name)
    genders: dict[str, str] = field(default_factory=dict)
    recent: list[str] = field(default_factory=list)  # named people, latest last
    speakers: list[str] = field(default_factory=list)  # named speakers, latest last

    def remember(self, name: str, role: str | None, gender: str | None, *, speaker: bool = False) -> str:
        parts = name.split()
        key = name_key(parts[-1])
        if len(parts) > 1:
            self.full_names.setdefault(key, name)
        else:
            name = self.full_names.get(key, name)
        if role:
            self.roles.append((role.lower(), name))
        if gender:
            self.genders[name] = gender
        for recent in (self.recent, self.speakers) if speaker else (self.recent,):
            if name in recent:
                recent.remove(name)
            recent.append(name)
        return name

    def resolve_pronoun(self, gender: str | None) -> str | None:
        """The last named speaker who fits; else the last named person who fits."""
        for candidates in (self.speakers, self.recent):
            for name in reversed(candidates):
                if (len(name.split()) < 2 and name not in self.genders) or not_a_person(name):
                    continue  # a pronoun refers to a person: a full name or someone with a known gender
                known = self.genders.get(name)
                if gender is None or known is None or known == gender:
                    if gender and not known:
                        self.genders[name] = gender
                    return name
        return None

    def resolve_description(self, words: Sequence[str]) -> str | None:
        wanted = {w.lower() for w in words if w.lower() not in {"the", "a", "an", "'s", "his", "her", "its"}}
        head = words[-1].lower() if words else ""
        for role, name in reversed(self.roles):
            role_words = set(role.replace(",", " ").split())
            if head in role_words and len(wanted & role_words) >= min(len(wanted), 2):
                return name
        return None


def name_key(word: str) -> str:
    """A spelling-tolerant key for a surname: Zelensky, Zelenskiy and Zelenskyy agree."""
    folded = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()
    folded = re.sub(r"[^a-z]", "", folded).replace("y", "i")
    folded = re.sub(r"(.)\1+", r"\1", folded)
    return folded


def not_a_person(name: str) -> bool:
    return name.rsplit(maxsplit=1)[-1].lower() in INSTITUTION_WORDS


def title_gender(words: Iterable[str]) -> str | None:
    for w in words:
        low = w.lower()
        if low in MALE_TITLES:
            return "m"
        if low in FEMALE_TITLES:
            return "f"
    return None
