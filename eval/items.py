"""The gold question record (Item) and its validation from one parsed JSONL line or table row."""

from __future__ import annotations

from dataclasses import dataclass

from eval.columns import CATEGORY_NAMES, category_code, field_name

ROLES = ("lead", "cooperate", "responsible")
CATEGORIES = (
    "lead", "cooperate", "responsible", "target", "amount", "person", "listing", "fact",
    "crossdoc", "paraphrase", "followup", "abstain", "other",
)  # fmt: skip
STRING_FIELDS = ("id", "q", "cat", "anchor")
LIST_FIELDS = ("lead", "cooperate", "responsible", "must", "anchors", "history")
FIELDS = STRING_FIELDS + LIST_FIELDS + ("doc", "abstain", "split")


@dataclass(frozen=True)
class Item:
    """One gold question (format of ../shared/questions.sample.jsonl)."""

    id: str
    q: str
    cat: str
    doc: tuple[str, ...] = ()
    lead: tuple[str, ...] | None = None
    cooperate: tuple[str, ...] | None = None
    responsible: tuple[str, ...] | None = None
    must: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    abstain: bool = False
    history: tuple[str, ...] = ()
    line: int = 0  # line (JSONL) or row (CSV, Excel; the header is row 1) it was read from
    split: str = ""  # "tune" or "test": which half of a question set thresholds may be chosen on

    def gold_units(self, role: str) -> tuple[str, ...] | None:
        return getattr(self, role)

    def all_gold_units(self) -> tuple[str, ...]:
        return tuple(unit for role in ROLES for unit in (self.gold_units(role) or ()))


def item_from_record(record: dict, line: int = 0) -> Item:
    """An Item from one parsed record; raises ValueError naming everything that is wrong with it."""
    if not isinstance(record, dict):
        raise ValueError(f"应为一个 JSON 对象 {{…}},实为{_kind(record)}")
    errors = []
    strings = {key: _string(record, key, errors) for key in STRING_FIELDS}
    lists = {key: _list(record, key, errors) for key in LIST_FIELDS}
    doc = _doc(record.get("doc"), errors)
    abstain = _flag(record.get("abstain"), errors)
    missing = [key for key in ("id", "q") if record.get(key) is None or str(record[key]).strip() == ""]
    if missing:
        errors.insert(0, f"缺少{'和'.join(field_name(key) for key in missing)}")
    cat = category_code(strings["cat"]) or "other"
    if cat not in CATEGORIES:
        errors.append(f"未知类别“{strings['cat']}”(可选:{'、'.join(CATEGORY_NAMES.values())})")
    abstain = abstain or cat == "abstain"
    anchors = lists["anchors"] or ([strings["anchor"]] if strings["anchor"] else [])
    has_units = any(lists[role] is not None for role in ROLES)
    if not errors and not abstain and not (anchors or lists["must"] or has_units):
        errors.append("没有标准答案:请填写引用片段、必含、牵头/配合/责任单位之一,或标为应拒答")
    if errors:
        raise ValueError(";".join(errors))
    return Item(
        id=strings["id"],
        q=strings["q"],
        cat=cat,
        doc=doc,
        must=tuple(lists["must"] or ()),
        anchors=tuple(anchors),
        abstain=abstain,
        history=tuple(lists["history"] or ()),
        line=line,
        split=str(record.get("split") or "").strip(),
        **{role: tuple(lists[role]) for role in ROLES if lists[role] is not None},
    )


def unknown_fields(record: dict) -> list[str]:
    """Keys of a record the scorer does not read (a misspelt gold field would otherwise pass unnoticed)."""
    return [key for key in record if key not in FIELDS] if isinstance(record, dict) else []


def _string(record: dict, key: str, errors: list[str]) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        errors.append(f"{field_name(key)}应为文本,实为{_kind(value)}")
        return ""
    return str(value).strip()


def _list(record: dict, key: str, errors: list[str]) -> list[str] | None:
    """A list-of-strings field; a lone string counts as a one-element list; None when absent."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if not isinstance(value, list):
        errors.append(f"{field_name(key)}应为文本列表,实为{_kind(value)}")
        return None
    bad = [part for part in value if isinstance(part, bool) or not isinstance(part, (str, int, float))]
    if bad:
        errors.append(f"{field_name(key)}应只含文本,实有{_kind(bad[0])} {bad[0]!r}")
        return None
    return [str(part).strip() for part in value if str(part).strip()]


def _doc(value, errors: list[str]) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return tuple(part.strip() for part in value if part.strip())
    errors.append(f"文件应为一个文件编号或一组文件编号,实为{_kind(value)}")
    return ()


def _flag(value, errors: list[str]) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    errors.append(f"应拒答应为是或否,实为{value!r}")
    return False


def _kind(value) -> str:
    kinds = {dict: "对象", list: "列表", bool: "布尔值", type(None): "空值", str: "文本", int: "数字", float: "数字"}
    return kinds.get(type(value), "其他类型")
