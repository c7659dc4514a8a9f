"""The responsibility matrix: which units lead, cooperate on or answer for each task, by document or by unit."""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import Clause, Document
from corpus.records import PATH_SEPARATOR
from corpus.unitnames import ORGAN_SUFFIX, department_key, unit_key
from ui.formulas import neutralise_row
from ui.scratch import new_folder

ALL = ""  # the choice "全部" in either filter
HEADERS = ["文件", "章节", "条款", "牵头单位", "配合单位", "责任单位", "任务内容"]
ROLE_HEADER = "角色"
_ROLES = (("lead", "牵头"), ("cooperate", "配合"), ("responsible", "负责"))
# A unit named by its line of work only ("发展改革、质监等部门按职责分工负责") is that line's department: 质监部门.
_UNIT_ENDING = re.compile(r"(?:局|委员会|委|厅|办|部|会|府|组|位|院|所|室|处|中心|部门|机构|单位|政府|银行|公司|协会)$")


@dataclass(frozen=True)
class Task:
    """One row of the matrix: a clause that names units, in its document, with the chosen department's roles."""

    document: Document
    clause: Clause
    roles: tuple[str, ...] = ()  # 牵头 / 配合 / 负责 of the chosen department, empty when none is chosen

    @property
    def text(self) -> str:
        """The task's own words: the clause without its heading line."""
        body = self.clause.text
        if body.startswith(self.clause.heading):
            body = body[len(self.clause.heading) :]
        return body.strip(" \n。.") or self.clause.heading


@dataclass(frozen=True)
class Department:
    """Every written form of one unit across the documents, found together."""

    key: str  # department_key of its names
    label: str  # the commonest unit_key among its names: 质监局
    names: tuple[str, ...]  # as the documents write them, commonest first: 市质监局, 质监局, 质监
    tasks: int  # clauses that name it


def departments(documents: Sequence[Document]) -> list[Department]:
    """The units named anywhere, grouped by department_key, those with most tasks first."""
    names: dict[str, Counter[str]] = defaultdict(Counter)
    tasks: Counter[str] = Counter()
    for clause in _clauses(documents):
        for key in {department_key(name) for name in clause.units.all()}:
            tasks[key] += 1
        for name in clause.units.all():
            names[department_key(name)][name] += 1
    found = []
    for key, written in names.items():
        keys = Counter()
        for name, count in written.items():
            keys[unit_key(name)] += count
        label = max(keys, key=lambda k: (ORGAN_SUFFIX.search(k) is not None, keys[k], len(k)))
        found.append(Department(key, label, tuple(name for name, _ in written.most_common()), tasks[key]))
    return sorted(found, key=lambda department: (-department.tasks, department.label))


def department_choices(documents: Sequence[Document]) -> list[tuple[str, str]]:
    """Dropdown choices (label, key): "质监局(33项:市质监局、质监局、质监)"."""
    choices = [("全部部门", ALL)]
    for department in departments(documents):
        forms = "、".join(department.names[:4]) + ("等" if len(department.names) > 4 else "")
        choices.append((f"{department.label}({department.tasks}项:{forms})", department.key))
    return choices


def document_choices(documents: Sequence[Document]) -> list[tuple[str, str]]:
    return [("全部文件", ALL)] + [(document.title, document.doc_id) for document in documents]


def tasks(documents: Sequence[Document], doc_id: str = ALL, department: str = ALL, search: str = "") -> list[Task]:
    """Every clause that names units (in one document, or all), or those naming one department, or matching `search`."""
    found = []
    words = search.split()
    for document in documents:
        if doc_id not in (ALL, document.doc_id):
            continue
        for clause in document.clauses:
            if not clause.units:
                continue
            roles = ()
            if department != ALL:
                roles = tuple(label for role, label in _ROLES if any(department_key(n) == department for n in getattr(clause.units, role)))
                if not roles:
                    continue
            if words and not all(word in clause.label + clause.text for word in words):
                continue
            found.append(Task(document, clause, roles))
    return found


def matrix(documents: Sequence[Document], doc_id: str = ALL, department: str = ALL, search: str = "") -> tuple[list[str], list[list[str]]]:
    """Headers and rows of `tasks`, as the CSV and Excel downloads hold them.

    With a department, a first column says its role in each task (牵头 / 配合 / 负责).
    """
    rows = [([("、".join(task.roles))] if department != ALL else []) + _row(task, documents) for task in tasks(documents, doc_id, department, search)]
    return ([ROLE_HEADER] + HEADERS if department != ALL else list(HEADERS)), rows


def why_empty(documents: Sequence[Document], doc_id: str, department: str, search: str, label: str) -> str:
    """Why a choice of filters lists no task, and where to look instead."""
    document = next((d for d in documents if d.doc_id == doc_id), None)
    where = f"《{document.title}》" if document else "现有文件"
    if document is not None and not any(clause.units for clause in document.clauses):
        return f"{where}的条款都没有写明牵头、配合或责任单位,因此没有可列的任务。"
    if department != ALL and not tasks(documents, doc_id, department):
        elsewhere = Counter(task.document.doc_id for task in tasks(documents, ALL, department))
        places = "、".join(f"{short_name(d, documents)}({elsewhere[d.doc_id]} 项)" for d in documents if elsewhere[d.doc_id])
        return f"{where}没有写明由{label}牵头、配合或负责的任务。" + (f"{label}的任务见:{places}。" if places else "")
    return f"{where}中没有含“{search}”的任务{'(' + label + ')' if department != ALL else ''};请换个词或清空搜索框。"


def whole_name(name: str) -> str:
    """A unit as a whole name: a bare line of work from "农业、林业等部门" reads 林业部门; named units stay as written."""
    return name if _UNIT_ENDING.search(name) else f"{name}部门"


def _row(task: Task, documents: Sequence[Document]) -> list[str]:
    units = task.clause.units
    return [
        short_name(task.document, documents),
        PATH_SEPARATOR.join(task.clause.path[:-1]),
        task.clause.heading,
        "、".join(units.lead),
        "、".join(units.cooperate),
        "、".join(units.responsible),
        task.text,
    ]


def short_name(document: Document, documents: Sequence[Document]) -> str:
    """The document's place when no other document shares it, else its title."""
    shared = sum(1 for other in documents if other.place == document.place)
    return document.place if document.place and shared == 1 else document.title


def _clauses(documents: Sequence[Document]):
    return (clause for document in documents for clause in document.clauses if clause.units)


def export(
    headers: Sequence[str], rows: Sequence[Sequence], stem: str, folder: Path | None = None, sheet_title: str = "责任矩阵"
) -> tuple[Path, Path]:
    """Write the table as CSV (UTF-8 with BOM, so Excel reads the Chinese) and as an Excel workbook.

    Cells that begin like a formula are written as text (ui/formulas.py); without a folder, one of ours (ui/scratch.py).
    """
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # noqa: PLC0415
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415

    folder = folder or new_folder("matrix")
    headers, rows = neutralise_row(headers), [neutralise_row(row) for row in rows]
    safe = re.sub(r'[\\/:*?"<>|\s]+', "_", stem)[:80] or "matrix"
    csv_path, xlsx_path = folder / f"{safe}.csv", folder / f"{safe}.xlsx"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(list(headers))
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, header in zip(sheet.columns, headers):
        width = max([len(str(header))] + [len(str(cell.value or "")) for cell in column])
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 1.6))
        for cell in column:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    workbook.save(xlsx_path)
    return csv_path, xlsx_path
