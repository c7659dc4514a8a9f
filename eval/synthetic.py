"""A synthetic library for benchmarks: the real documents' text recombined with other places, made deterministically.

Document i is seed i mod 5 with its place replaced by the i-th prefecture of the division list, the
years of a later round moved on by the round's number; nothing is random, so every run builds the same library.
The seed questions are moved the same way onto the library's documents (`questions`), one list per intent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from corpus import Document, load_document, place_stem
from corpus.places import divisions

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "documents"
SEED_QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"
INTENTS = ("lead", "cooperate", "target", "listing", "no place")
_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?=\s*年)")


@dataclass(frozen=True)
class BenchQuestion:
    """A question about one document of a synthetic library (or, for "no place", about none in particular)."""

    intent: str  # one of INTENTS
    text: str


def write_library(folder: Path, size: int, start: int = 0) -> list[Path]:
    """Write documents start … start+size-1 into `folder` (created), one .txt each; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(start, start + size):
        path, _document = _seeds()[number % len(_seeds())]
        target = folder / f"synthetic-{number:05d}-{path.stem.split('-')[0]}.txt"
        target.write_text(_moved(path.read_text(encoding="utf-8"), number), encoding="utf-8")
        written.append(target)
    return written


def questions(size: int) -> list[BenchQuestion]:
    """The seed questions of each intent moved onto the documents of a library of `size` (spread over it), and
    the who-questions with their place left out (they search every document)."""
    found = []
    seeds = {path.stem: seed for seed, (path, _document) in enumerate(_seeds())}
    for line_number, line in enumerate(SEED_QUESTIONS.read_text(encoding="utf-8").splitlines()):
        item = json.loads(line)
        intent = item["cat"]
        if intent not in INTENTS or item.get("doc") not in seeds or (intent == "listing" and "牵头" not in item["q"]):
            continue
        seed = seeds[item["doc"]]
        place = _seeds()[seed][1].place
        named = place in item["q"] or place_stem(place) in item["q"]
        if intent in ("lead", "cooperate") and named:
            unnamed = item["q"].replace(place, "").replace(place_stem(place), "")
            found.append(BenchQuestion("no place", unnamed))
        copies = (size - 1 - seed) // len(_seeds()) + 1 if size > seed else 0
        if named and copies:
            number = seed + len(_seeds()) * (line_number * 7919 % copies)
            found.append(BenchQuestion(intent, _moved(item["q"], number)))
    return found


def _moved(text: str, number: int) -> str:
    """A text of seed `number` mod 5 with its place and years those of document `number`."""
    document = _seeds()[number % len(_seeds())][1]
    cities = _cities()
    name, stem = cities[(number // len(_seeds())) % len(cities)]
    rounds = number // (len(_seeds()) * len(cities))
    text = text.replace(document.place, name).replace(place_stem(document.place), stem)
    return _YEAR.sub(lambda match: str(int(match.group(1)) + rounds), text) if rounds else text


@lru_cache(maxsize=1)
def _seeds() -> tuple[tuple[Path, Document], ...]:
    return tuple((path, load_document(path)) for path in sorted(SEEDS.glob("*.txt")))


@lru_cache(maxsize=1)
def _cities() -> tuple[tuple[str, str], ...]:
    taken = {place_stem(document.place) for _path, document in _seeds()}
    return tuple((name, place_stem(name)) for name, _code in divisions(2) if place_stem(name) not in taken)
