"""A synthetic library for benchmarks: the real documents' text recombined with other places, made deterministically.

Document i is seed i mod 5 with its place (许昌, 宣城, …) replaced by the i-th prefecture of the division list, the
years of a later round moved on by the round's number; nothing is random, so every run builds the same library.
"""

from __future__ import annotations

import re
from pathlib import Path

from corpus import load_document, place_stem
from corpus.places import divisions

SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "documents"
_YEAR = re.compile(r"(?<!\d)(20[0-4]\d)(?=\s*年)")


def write_library(folder: Path, size: int, start: int = 0) -> list[Path]:
    """Write documents start … start+size-1 into `folder` (created), one .txt each; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = [(path, load_document(path)) for path in sorted(SEEDS.glob("*.txt"))]
    taken = {place_stem(document.place) for _path, document in seeds}
    cities = [(name, place_stem(name)) for name, _code in divisions(2) if place_stem(name) not in taken]
    written = []
    for number in range(start, start + size):
        path, document = seeds[number % len(seeds)]
        name, stem = cities[(number // len(seeds)) % len(cities)]
        rounds = number // (len(seeds) * len(cities))
        text = path.read_text(encoding="utf-8").replace(document.place, name).replace(place_stem(document.place), stem)
        if rounds:
            text = _YEAR.sub(lambda match: str(int(match.group(1)) + rounds), text)
        target = folder / f"synthetic-{number:05d}-{path.stem.split('-')[0]}.txt"
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
