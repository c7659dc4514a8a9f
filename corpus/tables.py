"""Task tables (任务分工表) as clauses: one clause per row, its units read from the role columns."""

from __future__ import annotations

import re

from corpus.formats.source import Table
from corpus.records import Clause, Units
from corpus.roles import COOPERATE, LEAD, MARKER_PATTERN, RESPONSIBLE, label_pattern, label_role
from corpus.targets import extract_targets
from corpus.units import extract_assignments, merge

# Column headings that name the task of a row, best first; otherwise the first wordy column.
_TASK_HEADINGS = ("改革举措", "工作任务", "重点任务", "主要任务", "具体任务", "任务", "工作事项", "事项", "工作措施",
                  "主要内容", "工作内容", "内容", "项目", "措施")  # fmt: skip
_NUMBER_HEADINGS = re.compile(r"^(序号|编号|序|号)$")
_DEFAULT_CAPTION = "表格"
_LABELS = {LEAD: "牵头单位", COOPERATE: "配合单位", RESPONSIBLE: "责任单位"}
_HEADING_CHARS = 40
# Words by which a role column's cell states roles itself; without one the cell is a list of units of its column
# ("区委组织部（区公务员局）" is one unit, not 区委 organising something).
_STATES_ROLES = re.compile(rf"{MARKER_PATTERN}|{label_pattern()}|会同|联合")


def table_clauses(doc_id: str, table: Table, text: str, first_ordinal: int, first_listed_leads: bool) -> list[Clause]:
    """The clauses of a table's rows, numbered from first_ordinal, each citing its own row line of `text`."""
    caption = table.caption or _DEFAULT_CAPTION
    task_column = _task_column(table)
    clauses = []
    for number, (row, (start, end)) in enumerate(zip(table.rows, table.row_spans)):
        row_text = text[start:end]
        units = _row_units(table.header, row, row_text, first_listed_leads)
        heading = _row_heading(table.header, row, task_column, number)
        clauses.append(
            Clause(
                doc_id=doc_id,
                ordinal=first_ordinal + number,
                path=(caption, heading),
                text=row_text,
                start=start,
                end=end,
                units=merge(units),
                targets=extract_targets(row_text),
                assignments=units,
            )
        )
    return clauses


def _row_units(header: tuple[str, ...], row: tuple[str, ...], row_text: str, first_listed_leads: bool) -> tuple[Units, ...]:
    """The row's units: each role column read as a labelled list ("牵头单位:A、B"); marked cells ("A牵头,B配合") as written."""
    statements = []
    for label, cell in zip(header, row):
        role = label_role(label)
        if role is None or not cell.strip():
            continue
        own = extract_assignments(cell, first_listed_leads) if _STATES_ROLES.search(cell) else ()
        if own:  # the cell says its roles itself: "市经信委牵头,市发改委配合"
            statements.extend(own)
            continue
        statements.extend(extract_assignments(f"({_LABELS[role]}:{cell})", first_listed_leads and role == RESPONSIBLE))
    if not statements:
        return ()
    merged = merge(tuple(statements))
    return (Units(merged.lead, merged.cooperate, merged.responsible, merged.sentence, row_text),)


def _task_column(table: Table) -> int | None:
    for name in _TASK_HEADINGS:
        for position, label in enumerate(table.header):
            if label == name:
                return position
    for position, label in enumerate(table.header):
        if not _NUMBER_HEADINGS.match(label) and label_role(label) is None:
            return position
    return None


def _row_heading(header: tuple[str, ...], row: tuple[str, ...], task_column: int | None, number: int) -> str:
    """"3.推广…" : the row's number (its 序号 cell, else its position) and its task, shortened."""
    serial = next((cell for label, cell in zip(header, row) if _NUMBER_HEADINGS.match(label) and cell), str(number + 1))
    task = row[task_column] if task_column is not None else ""
    if len(task) > _HEADING_CHARS:
        task = task[:_HEADING_CHARS] + "…"
    return f"{serial}.{task}" if task else f"第{serial}行"
