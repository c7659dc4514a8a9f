"""Chinese names of question-set fields and categories: the columns a CSV or Excel question set may use."""

from __future__ import annotations

# Field -> the Chinese column name a template writes (and messages use).
FIELD_NAMES = {
    "id": "编号", "q": "问题", "cat": "类别", "doc": "文件", "lead": "牵头单位", "cooperate": "配合单位",
    "responsible": "责任单位", "must": "必含", "anchor": "引用片段", "anchors": "引用片段(多条)", "abstain": "应拒答",
    "history": "上文", "split": "划分",
}  # fmt: skip
# Every Chinese column name read as a field (a header cell is matched after dropping spaces and a trailing 列).
COLUMN_FIELDS = {
    **{name: field for field, name in FIELD_NAMES.items()},
    "序号": "id", "题号": "id", "问题编号": "id", "提问": "q", "题目": "q", "问句": "q", "问题类别": "cat", "题型": "cat",
    "文件编号": "doc", "所属文件": "doc", "牵头部门": "lead", "牵头": "lead", "配合部门": "cooperate", "配合": "cooperate",
    "责任部门": "responsible", "负责单位": "responsible", "必须包含": "must", "必含内容": "must", "关键词": "must",
    "引用": "anchor", "引用条款": "anchor", "条款片段": "anchor", "原文片段": "anchor", "是否拒答": "abstain",
    "拒答": "abstain", "追问上文": "history", "上文问题": "history", "对话历史": "history", "历史": "history",
}  # fmt: skip
# Columns people keep beside a question set (notes, the feedback export's own columns): read and ignored quietly.
NOTE_COLUMNS = frozenset({"备注", "说明", "评价", "意见", "系统回答", "时间", "反馈时间", "来源"})
CATEGORY_NAMES = {
    "lead": "牵头单位", "cooperate": "配合单位", "responsible": "责任单位", "target": "目标指标", "amount": "金额",
    "person": "人员职务", "listing": "任务清单", "fact": "事实", "crossdoc": "跨文件", "paraphrase": "同义改写",
    "followup": "追问", "abstain": "应拒答", "other": "其他",
}  # fmt: skip
CATEGORY_CODES = {
    **{name: code for code, name in CATEGORY_NAMES.items()},
    "牵头": "lead", "配合": "cooperate", "责任": "responsible", "负责": "responsible", "目标": "target", "指标": "target",
    "人员": "person", "职务": "person", "清单": "listing", "拒答": "abstain", "改写": "paraphrase",
}  # fmt: skip


def column_field(header: str) -> str | None:
    """The field a header cell names (an English field name or a Chinese column name), "" for a note, None if unknown."""
    name = "".join(header.split())
    if name.lower() in FIELD_NAMES:
        return name.lower()
    if name in NOTE_COLUMNS:
        return ""
    return COLUMN_FIELDS.get(name) or COLUMN_FIELDS.get(name.removesuffix("列")) or (None if name else "")


def category_code(value: str) -> str:
    """A category as the scorer names it: "牵头单位" -> "lead"; an English code stays as it is."""
    return CATEGORY_CODES.get(value.strip(), value.strip())


def field_name(field: str) -> str:
    """The Chinese name of a field, for messages."""
    return FIELD_NAMES.get(field, field)
