"""Questions about a document itself (文号, 成文日期, 发布机构, 施行日期), answered from its metadata and final provisions."""

from __future__ import annotations

import re
from functools import partial

from assistant.records import Citation
from corpus import Document
from corpus.text import nfkc

_FIELDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("doc_number", "文号", re.compile(r"文号|发文字号|字号")),
    ("date", "成文日期", re.compile(r"落款|(什么时候|何时|哪天|哪一天|哪年|日期|(?<!多长)(?<!多少)时间).{0,6}(印发|发布|出台|制定|成文|下发|签发)|"
                                 r"(印发|发布|出台|制定|成文|下发|签发)(的)?(日期|时间)|(什么时候|何时|哪天)(印发|发布|出台|成文)")),
    ("issuer", "发布机构", re.compile(r"发布机构|发文机关|发文单位|(由谁|谁)(联合)?(印发|发布|制定|下发)|"
                                  r"(哪|什么|几)[两三四几]?[个家]?(部门|单位|机关|机构)(联合)?(印发|发布|制定|下发|发文|发的)")),
)


# The date a document takes effect, as its final provisions state it ("本条例自2015年5月1日起施行").
_EFFECTIVE_QUESTION = re.compile(
    r"(?:什么时候|何时|哪天|哪一天|哪年|日期|时间)(?:开始|起)?(?:施行|生效|起实施)|(?:什么时候|何时|哪天)(?:开始|起)实施|施行日期|生效日期|起施行|开始施行"
)
# A document it repeals is named in the same article ("…起施行。《杭州市电梯安全管理办法》同时废止。").
_EFFECTIVE = re.compile(r"[^。;\n]*自[^。;\n]{2,20}?起(?:施行|实施|生效)[^。;\n]*[。;]?(?:[^。;\n]*同时废止[^。;\n]*[。;]?)?")


def asks_effective_date(question: str) -> bool:
    return bool(_EFFECTIVE_QUESTION.search(nfkc(question)))


def effective_date_answer(document: Document) -> tuple[str, Citation] | None:
    """The sentence stating when a document takes effect, with its clause as the citation; None when none does."""
    for clause in reversed(document.clauses):  # final provisions come last
        match = _EFFECTIVE.search(clause.text)
        if match:
            sentence = match.group(0).strip()
            quote = partial(document.written, start=clause.start, end=clause.end)
            citation = Citation(document.doc_id, document.title, clause.label, quote(clause.text), 1.0, (quote(sentence),))
            return f"{sentence}(《{document.title}》{clause.heading})", citation
    return None


def metadata_field(question: str) -> tuple[str, str] | None:
    """The metadata field a question asks for, as (attribute, label), or None."""
    norm = nfkc(question)
    for attribute, label, pattern in _FIELDS:
        if pattern.search(norm):
            return attribute, label
    return None


# The words a question about a document's own metadata uses besides the document's name.
_METADATA_WORDS = re.compile(r"联合|[两三四五几]个|发$|印发|发布|出台|制定|成文|下发|签发|落款|发文字号|文号|字号|日期|时间|什么时候|何时|哪天|哪一天|哪年|机关|机构")
MAX_METADATA_TASK = 2  # characters a metadata question may leave beside those words ("该", "是")


def names_a_task_of_its_own(task: str) -> bool:
    """Whether a question's task goes beyond asking about the document ("禁止携带物品目录由哪个部门制定发布?")."""
    return len(_METADATA_WORDS.sub("", task)) > MAX_METADATA_TASK


def metadata_answer(document: Document, attribute: str, label: str) -> tuple[str, Citation] | None:
    """The answer text and a citation of the document's header, or None when the document lacks the field."""
    value = getattr(document, attribute)
    if not value:
        return None
    header = "\n".join(part for part in (document.title, document.issuer, document.doc_number, document.date) if part)
    citation = Citation(document.doc_id, document.title, "文件信息", header, 1.0, (value,))
    return f"《{document.title}》的{label}:{value}。", citation
