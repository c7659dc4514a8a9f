"""Records the corpus layer produces: a Document with its Clauses, their Units and Targets."""

from __future__ import annotations

from dataclasses import dataclass, field

PATH_SEPARATOR = " > "


@dataclass(frozen=True)
class Units:
    """Departments a clause names, by role, each as the document writes it."""

    lead: tuple[str, ...] = ()
    cooperate: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    sentence: str = ""  # the clause's own words that name them ("由市质监局牵头,…配合。")
    scope: str = ""  # the text they are assigned: the task before a unit line, or the prose sentence itself

    def __bool__(self) -> bool:
        return bool(self.lead or self.cooperate or self.responsible)

    def all(self) -> tuple[str, ...]:
        return self.lead + self.cooperate + self.responsible


@dataclass(frozen=True)
class Target:
    """A quantified goal: "到2020年 … 产品质量监督抽查合格率达到95%以上"."""

    metric: str  # 产品质量监督抽查合格率
    figure: str  # 95%  (as written)
    value: float  # 95.0
    unit: str  # %
    qualifier: str  # 以上 / 以下 / ""
    year: int | None  # 2020
    phrase: str  # the source words stated as the goal, quoted as written


@dataclass(frozen=True)
class Clause:
    """One numbered task or section of a document, with its heading path and extracted facts."""

    doc_id: str
    ordinal: int  # position within the document, 0-based
    path: tuple[str, ...]  # heading lines from the top, ending with this clause's heading
    text: str  # the clause's own full text, heading and unit line included, lines joined by "\n"
    start: int  # character offsets of the clause in Document.text
    end: int
    units: Units = field(default_factory=Units)  # every unit the clause names (its assignments merged)
    targets: tuple[Target, ...] = ()
    assignments: tuple[Units, ...] = ()  # each unit line or sentence of the clause with the text it assigns

    @property
    def clause_id(self) -> str:
        return f"{self.doc_id}#{self.ordinal}"

    @property
    def label(self) -> str:
        """The heading path as the document numbers it: "六、… > 21.…"."""
        return PATH_SEPARATOR.join(self.path)

    @property
    def heading(self) -> str:
        return self.path[-1] if self.path else ""


@dataclass(frozen=True)
class Document:
    """A policy document as published, with metadata and its clauses."""

    doc_id: str  # file stem: xuchang-2013-action-plan
    source: str  # path of the file it was read from
    text: str  # the text as read (decoded, line endings unified); clause offsets point here
    title: str
    title_derived: bool  # True when the source has no title line and it was derived from content
    issuer: str
    doc_number: str  # 文号, "" when none
    date: str  # 成文/发布 date as written, "" when none
    place: str  # 济南市 / 上海市 / 延边州 …
    clauses: tuple[Clause, ...] = ()
    place_code: str = ""  # the place's administrative division code (GB/T 2260), "" when none
    original: str = ""  # written in traditional characters: the text as written (`text` reads it simplified); else ""

    @property
    def written_text(self) -> str:
        """The text in the document's own characters."""
        return self.original or self.text

    def written(self, fragment: str, start: int = 0, end: int | None = None) -> str:
        """A fragment of `text` in the document's own characters: each of its lines taken from where it first
        stands between start and end (the same offsets in both); as given for a document read as written."""
        if not self.original:
            return fragment
        end = len(self.text) if end is None else end
        lines = []
        for line in fragment.split("\n"):
            at = self.text.find(line, start, end)
            lines.append(line if at < 0 else self.original[at : at + len(line)])
            start = start if at < 0 else at + len(line)
        return "\n".join(lines)
