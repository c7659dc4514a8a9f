"""Question sets with Chinese column names, as the 评测 tab reads them: the template, and rows made from answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.records import UNIT_INTENTS, Answer
from eval.columns import CATEGORY_NAMES, FIELD_NAMES
from ui import matrix

_FIELDS = ("id", "q", "cat", "lead", "cooperate", "responsible", "must", "anchor", "abstain", "history")
HEADERS = [FIELD_NAMES[field] for field in _FIELDS] + ["备注"]
TEMPLATE_EXAMPLES = 3


@dataclass(frozen=True)
class GoldRow:
    """One question of a set: its gold answer taken from an answer someone confirmed (or left blank to fill in)."""

    id: str
    question: str
    answer: Answer | None  # None: the gold answer is to be written by hand
    history: tuple[str, ...] = ()
    note: str = ""

    def cells(self) -> list[str]:
        """The row under HEADERS."""
        gold = {field: "" for field in _FIELDS}
        gold.update(id=self.id, q=self.question, history="\n".join(self.history))
        result = self.answer
        if result is not None:
            gold["cat"] = CATEGORY_NAMES.get(result.intent, CATEGORY_NAMES["other"])
            if result.abstained:
                gold.update(cat=CATEGORY_NAMES["abstain"], abstain="是")
            else:
                if result.intent in UNIT_INTENTS:
                    for role in UNIT_INTENTS:
                        gold[role] = _list_cell(getattr(result.departments, role))
                gold["anchor"] = _anchor(result)
        return [gold[field] for field in _FIELDS] + [self.note]


def template_rows(examples: Iterable[tuple[str, Answer]], limit: int = TEMPLATE_EXAMPLES) -> list[list[str]]:
    """Example rows: questions about the loaded documents with today's answers as gold, then a row to abstain on."""
    rows = [
        GoldRow(str(number), question, result, note="示例:标准答案取自系统当前的回答,请核对").cells()
        for number, (question, result) in enumerate(examples, 1)
        if number <= limit
    ]
    refusal = Answer("", "", True)
    rows.append(GoldRow(str(len(rows) + 1), "某地没有文件的事项由哪个部门牵头?", refusal, note="示例:文件中没有答案,应拒答").cells())
    return rows


def write_question_set(
    rows: Sequence[Sequence[str]], stem: str, folder: Path | None = None, extra_headers: Sequence[str] = ()
) -> tuple[Path, Path]:
    """The rows under the Chinese headers (and any note columns after them) as CSV (UTF-8 with BOM) and Excel."""
    return matrix.export(HEADERS + list(extra_headers), rows, stem, folder, sheet_title="问题集")


def _list_cell(names: Sequence[str]) -> str:
    """Units one per line when a name holds 、 itself (各县、市、区人民政府), else joined by 、."""
    return ("\n" if any("、" in name for name in names) else "、").join(names)


def _anchor(result: Answer) -> str:
    """Words of the first cited clause: its own heading when its text holds it, else the text's first words."""
    if not result.citations:
        return ""
    first = result.citations[0]
    heading = first.clause.split(" > ")[-1].strip() if first.clause else ""
    return heading if heading and heading in first.text else first.text.strip()[:30]
