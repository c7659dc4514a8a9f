"""Turning a folder of published .txt documents into Document records with clauses and facts."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from corpus.cleaning import Cleaned, clean
from corpus.records import Clause, Document
from corpus.structure import Section, parse_sections
from corpus.targets import extract_targets
from corpus.text import DocumentError, nfkc, quiet_jieba, read_text
from corpus.units import extract_units

PARSER_VERSION = "1"
_PLACE = re.compile(r"^([\u4e00-\u9fff]{2,8}?(?:自治区|自治州|省|市|州|盟|县|区))")
_NOT_PLACES = {"中国", "全国", "城市", "城镇", "城乡", "农村", "全州", "全市", "全省", "长三角"}
_NOTICE = re.compile(r"关于印发《?(.+?)》?的通知$")
_DERIVED_KIND = re.compile(r"制定(?:了|如下|本)?(.{2,40}?(?:实施意见|意见|方案|计划|办法|规划|纲要|细则|措施))")


def load_documents(folder: Path) -> tuple[Document, ...]:
    """Every readable .txt document in a folder, sorted by file name; unreadable files are reported and skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DocumentError(f"{folder}: not a folder of documents")
    documents = []
    for path in sorted(folder.glob("*.txt")):
        try:
            documents.append(load_document(path))
        except (DocumentError, OSError) as error:
            print(f"skipped {error}", file=sys.stderr)
    return tuple(documents)


def load_document(path: Path) -> Document:
    """Read one document: clean it, find its metadata, parse its clauses and extract their facts."""
    text = read_text(path)
    cleaned = clean(text)
    sections = parse_sections(cleaned.lines)
    if not sections:
        raise DocumentError(f"{path.name}: no policy text found")
    doc_id = path.stem
    place = _place(cleaned, text)
    title, derived = _title(cleaned, place, sections)
    clauses = tuple(_clause(doc_id, ordinal, section) for ordinal, section in enumerate(sections))
    return Document(
        doc_id=doc_id,
        source=str(path),
        text=text,
        title=title,
        title_derived=derived,
        issuer=cleaned.issuer,
        doc_number=cleaned.doc_number,
        date=cleaned.date,
        place=place,
        clauses=clauses,
    )


def place_stem(place: str) -> str:
    """许昌市 → 许昌, 临夏州 → 临夏, 山东省 → 山东: the form people type."""
    stem = re.sub(r"(自治区|自治州|省|市|州|盟|县|区)$", "", place)
    return stem if len(stem) >= 2 else place


def _clause(doc_id: str, ordinal: int, section: Section) -> Clause:
    text = section.text
    return Clause(
        doc_id=doc_id,
        ordinal=ordinal,
        path=section.path,
        text=text,
        start=section.lines[0].start,
        end=section.lines[-1].end,
        units=extract_units(text),
        targets=extract_targets(text, section.context),
    )


def _place(cleaned: Cleaned, text: str) -> str:
    """The place a document governs: from its title, else the place its text names most often."""
    match = _PLACE.match(nfkc(cleaned.title))
    if match:
        return match.group(1)
    quiet_jieba()
    import jieba.posseg  # noqa: PLC0415  (only untitled documents need it)

    body = "\n".join(line.text for line in cleaned.lines)
    counts = Counter(
        place_stem(word.word) for word in jieba.posseg.cut(body) if word.flag == "ns" and len(word.word) >= 2
    )
    for stem, _count in counts.most_common():
        if stem in _NOT_PLACES:
            continue
        for suffix in ("市", "州", "省", "县", "区"):
            if f"{stem}{suffix}" in text:
                return f"{stem}{suffix}"
        return stem
    return ""


def _title(cleaned: Cleaned, place: str, sections: tuple[Section, ...]) -> tuple[str, bool]:
    """The document's own title (the plan itself for a covering notice), or one derived from its content."""
    if cleaned.title:
        notice = _NOTICE.search(cleaned.title)
        if not notice:
            return cleaned.title, False
        inner = notice.group(1)
        stem = place_stem(place)
        return (inner if not stem or inner.startswith(stem) else place + inner), False
    kind = ""
    for section in sections[:2]:
        match = _DERIVED_KIND.search(re.sub(r"\([^()]*\)", "", nfkc(section.text)))
        if match:
            kind = match.group(1)
            break
    year = re.search(r"(\d{4})\s*年", cleaned.date)
    title = f"{place}{kind or '政策文件'}"
    if year:
        title += f"({year.group(1)}年)"
    return title, True
