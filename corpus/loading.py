"""Turning a folder of published documents (.txt .md .html .docx .pdf) into Documents with clauses and facts."""

from __future__ import annotations

import hashlib
import re
import stat
import sys
from collections import Counter
from pathlib import Path

from corpus.cleaning import Cleaned, Line, clean
from corpus.formats import SUPPORTED_SUFFIXES, read_source
from corpus.formats.source import CELL_SEPARATOR, Source
from corpus.library import LIBRARY_FILE, excluded_files
from corpus.places import find_places, most_specific, place_stem
from corpus.records import Clause, Document
from corpus.structure import Section, parse_sections
from corpus.tables import table_clauses
from corpus.targets import extract_targets
from corpus.text import DocumentError, nfkc
from corpus.units import extract_assignments, merge, states_first_listed_leads

# The parser's version is its own source: any change to how documents are read invalidates saved indexes.
PARSER_VERSION = hashlib.sha256(
    b"".join(path.read_bytes() for path in sorted(Path(__file__).parent.rglob("*.py")))
).hexdigest()[:16]
# Below this share of Chinese among the letters of a text, it is not a Chinese policy document (a README, code).
MIN_CHINESE_SHARE = 0.5
_MARKUP = re.compile(r"<[^<>]{0,200}>|https?://\S+")
_NOTICE = re.compile(r"关于印发《?(.+?)》?\s*的通知$|(?:转发|印发).{0,30}《(.+?)》\s*的通知$")
_DERIVED_KIND = re.compile(r"制定(?:了|如下|本)?(.{2,40}?(?:实施意见|意见|方案|预案|计划|办法|规划|纲要|细则|措施))")
_PLACE_NAME = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:自治区|自治州|省|市|州|盟|县|区)")
_NATIONAL = re.compile(r"^(国务院|中共中央|全国人民代表大会|国家)")


def load_documents(folder: Path) -> tuple[Document, ...]:
    """Every readable document in a folder, sorted by file name; unreadable files are reported and skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DocumentError(f"{folder}: not a folder of documents")
    documents = []
    for path in sorted(document_files(folder)):
        try:
            documents.append(load_document(path))
        except (DocumentError, OSError) as error:
            print(f"skipped {path.name}: {error}", file=sys.stderr)
    return tuple(documents)


def document_files(folder: Path) -> list[Path]:
    """The regular files of a folder that a reader exists for (no folders, links to nothing, FIFOs, hidden files),
    except the library's record and the files it was told to leave out (corpus/library.py)."""
    files = []
    left_out = excluded_files(folder) | {LIBRARY_FILE}
    for path in Path(folder).iterdir():
        if path.name.startswith(".") or path.suffix.lower() not in SUPPORTED_SUFFIXES or path.name in left_out:
            continue
        try:
            if stat.S_ISREG(path.stat().st_mode):
                files.append(path)
        except OSError:
            continue
    return files


def load_document(path: Path) -> Document:
    """Read one document: its format's reader, then cleaning, metadata, clauses and their facts.

    A fault of the parser on some unforeseen text refuses this document only (a DocumentError naming the fault),
    never the library it is loaded with.
    """
    try:
        return _parsed(Path(path))
    except (DocumentError, OSError):
        raise
    except Exception as error:  # noqa: BLE001 - one document's fault must not stop the others
        raise DocumentError(f"{Path(path).name}: 解析出错({type(error).__name__}: {error}),该文件未读入") from error


def _parsed(path: Path) -> Document:
    source = read_source(Path(path))
    _check_language(source.text, Path(path).name)
    table_lines = {start for table in source.tables for start, _end in table.row_spans}
    cleaned = clean(source.text)
    body = tuple(line for line in cleaned.lines if line.start not in table_lines and not _is_table_header(line, source))
    sections = parse_sections(body)
    if not sections and not source.tables:
        raise DocumentError(f"{Path(path).name}: 未找到政策正文")
    doc_id = Path(path).stem
    first_leads = states_first_listed_leads(source.text)
    clauses = [_clause(doc_id, ordinal, section, first_leads) for ordinal, section in enumerate(sections)]
    for table in source.tables:
        clauses += table_clauses(doc_id, table, source.text, len(clauses), first_leads)
    title = nfkc(source.title).strip() or cleaned.title
    cleaned = Cleaned(title, source.issuer or cleaned.issuer, source.doc_number or cleaned.doc_number,
                      source.date or cleaned.date, cleaned.lines)  # fmt: skip
    place, code = _place(cleaned, source)
    title, derived = _title(cleaned, place, sections)
    return Document(
        doc_id=doc_id,
        source=str(path),
        text=source.text,
        title=title,
        title_derived=derived,
        issuer=cleaned.issuer,
        doc_number=cleaned.doc_number,
        date=cleaned.date,
        place=place,
        clauses=tuple(clauses),
        place_code=code,
        original=source.original,
    )


def _check_language(text: str, name: str) -> None:
    """Refuse a text that is mostly not Chinese prose (markup and addresses quoted in a document do not count)."""
    counts = Counter(_MARKUP.sub(" ", text))  # by distinct character: a text has a few thousand
    chinese = sum(count for char, count in counts.items() if "\u4e00" <= char <= "\u9fff")
    latin = sum(count for char, count in counts.items() if char.isascii() and char.isalpha())
    if chinese == 0 or chinese < MIN_CHINESE_SHARE * (chinese + latin):
        raise DocumentError(f"{name}: 不是中文政策文件(中文字符占比过低)")


def _is_table_header(line: Line, source: Source) -> bool:
    """The header line a reader rendered above a table's rows."""
    return any(
        table.row_spans and line.text == CELL_SEPARATOR.join(label for label in table.header if label) for table in source.tables
    )


def _clause(doc_id: str, ordinal: int, section: Section, first_leads: bool) -> Clause:
    text = section.text
    assignments = extract_assignments(text, first_leads)
    return Clause(
        doc_id=doc_id,
        ordinal=ordinal,
        path=section.path,
        text=text,
        start=section.lines[0].start,
        end=section.lines[-1].end,
        units=merge(assignments),
        targets=extract_targets(text, section.context),
        assignments=assignments,
    )


def _place(cleaned: Cleaned, source: Source) -> tuple[str, str]:
    """The place a document governs and its division code: from its title, else its issuer; "" for a national
    document; for an untitled one, the place its text names most often."""
    for text in (cleaned.title, cleaned.issuer):
        text = nfkc(text)
        if _NATIONAL.match(text):
            return "", ""
        place = most_specific(find_places(text))
        if place is not None:
            return (place.found if _PLACE_NAME.fullmatch(place.found) else place.name), place.code
        unlisted = _PLACE_NAME.match(text)  # a division the list does not have (renamed, new): named, no code
        if unlisted and text.startswith(unlisted.group(0)) and cleaned.title:
            return unlisted.group(0), ""
    if cleaned.title:
        return "", ""
    body = "\n".join(line.text for line in cleaned.lines)
    counts = Counter((place.name, place.code) for place in find_places(nfkc(body)))
    for (name, code), _count in counts.most_common(1):
        return name, code
    return "", ""


def _title(cleaned: Cleaned, place: str, sections: tuple[Section, ...]) -> tuple[str, bool]:
    """The document's own title (the plan itself for a covering notice), or one derived from its content."""
    if cleaned.title:
        notice = _NOTICE.search(cleaned.title)
        if not notice:
            return cleaned.title, False
        inner = notice.group(1) or notice.group(2)
        stem = place_stem(place)
        return (inner if not stem or stem in inner or inner.startswith(("国家", "全国")) else place + inner), False
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
