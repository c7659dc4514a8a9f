"""Separating a published document's text from web-page chrome, and reading its metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.text import nfkc

# A 文号 such as 许政办[2013]54号, 鲁政办字〔2016〕103号.
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")
_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_KIND_WORDS = re.compile(r"(通知|意见|计划|方案|预案|纲要|办法|规定|决定|规划|细则|条例|要点|措施|通告|公告|批复|函)")
_ORG_END = re.compile(r"(人民政府|政府|办公室|办公厅|委员会|局|厅|委|部|办)$")
# A document issued jointly is signed by each issuer on a line of its own above the date; at most this many.
MAX_JOINT_ISSUERS = 4
_INFO_FIELD = re.compile(
    r"^[•·●\-\s]*(索\s*引\s*号|信息分类|主题分类|发布机构|发文机关|生成日期|发布日期|成文日期|名\s*称|标\s*题|"
    r"文\s*号|关\s*键\s*字|关键词|有\s*效\s*性)\s*:\s*(.*)$"
)
_HEAD_CHROME = re.compile(
    r"(^首页\s*>|^当前位置|>\s*正文$|^\d+\s*次阅读|阅读(次数|量)?\s*:\s*\d+|浏览(次数|量)?\s*:\s*\d+|"
    r"^字号\s*:|^【?\s*字体\s*:|^来源\s*:.{0,30}$|^发布时间\s*:)"
)
_TAIL_CHROME = re.compile(
    r"^(收藏|评论|查看更多评论|相关.{2,8}|热门推荐|推荐文章|推荐阅读|上一篇.*|下一篇.*|分享到.*|打印本页|关闭窗口|"
    r"【?\s*打印\s*】?|【?\s*关闭\s*】?|标签\s*:.*|留言与评论.*|网友评论.*|验证码\s*:?.*|责任编辑\s*:.*|扫一扫.*)$"
)
_TRAILER = re.compile(r"^(抄送|抄报|主送)\s*:|印发$|^\(此件.{0,12}\)$")
_COVERING_NOTICE = re.compile(r"(现|予以)?印发给你们|请.{0,8}(贯彻执行|抓好落实|遵照执行|认真执行)。?$")
_ADDRESSEE_HINT = re.compile(r"(各|人民政府|部门|单位|机构|委员会)")
# A numbered line ("第十条 …:", "(三)…:", "2.…:") is the policy's own text, never an addressee line.
_NUMBERED = re.compile(r"^(?:第[一二三四五六七八九十百零\d]+[条章节]|\(?[一二三四五六七八九十百\d]+[)、.])")
# A table of contents opens with this line; its entries are the headings the body repeats.
_CONTENTS = re.compile(r"^目\s*录$")
# A covering notice's line that states a fact ("经区政府第97次常务会议通过") is kept.
_STATES_FACT = re.compile(r"\d|会议|通过")


@dataclass(frozen=True)
class Line:
    """One non-blank line of the source: its stripped text and where that text sits in the document."""

    text: str
    start: int
    end: int

    @property
    def norm(self) -> str:
        return nfkc(self.text).strip()


@dataclass(frozen=True)
class Cleaned:
    """What is left of a document after chrome is removed: metadata and the lines of its body."""

    title: str
    issuer: str
    doc_number: str
    date: str
    lines: tuple[Line, ...]  # body lines: preamble and numbered text, no title/notice/trailer lines


def split_lines(text: str) -> list[Line]:
    """Non-blank lines with their offsets, leading bullets and surrounding whitespace stripped."""
    lines, offset = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip(" \t\u3000\xa0•·●")
        if stripped:
            start = offset + raw.index(stripped)
            lines.append(Line(stripped, start, start + len(stripped)))
        offset += len(raw) + 1
    return lines


def clean(text: str) -> Cleaned:
    """Drop chrome (navigation, counters, info boxes, comments, related lists) and read the metadata."""
    lines = split_lines(text)
    fields: dict[str, str] = {}
    kept: list[Line] = []
    for line in lines:
        norm = line.norm
        if _TAIL_CHROME.match(norm) and kept:
            break
        field = _INFO_FIELD.match(norm)
        if field:
            fields[re.sub(r"\s", "", field.group(1))] = field.group(2).strip()
            continue
        if _HEAD_CHROME.search(norm):
            continue
        kept.append(line)

    kept = _without_contents(kept)
    title, doc_number, kept = _take_title(kept, fields)
    kept = [line for line in kept if not (title and _same_title(line.norm, title))]
    date, signer, kept = _take_trailer(kept)
    issuer = fields.get("发布机构") or fields.get("发文机关") or _issuer_from_title(title) or signer
    date = date or _first_date(fields.get("成文日期", "") or fields.get("发布日期", "") or fields.get("生成日期", ""))
    doc_number = re.sub(r"\s+", "", doc_number or _doc_number_from(fields.get("文号", "")))  # a PDF's layout spaces out "860 号"
    body = [line for line in kept if not _is_notice_line(line.norm)]
    return Cleaned(title, issuer, doc_number, date, tuple(body))


def _without_contents(lines: list[Line]) -> list[Line]:
    """Without a table of contents: from its 目录 line to where the body repeats its first entry."""
    for position, line in enumerate(lines):
        if _CONTENTS.match(line.norm) and position + 1 < len(lines):
            first_entry = lines[position + 1].norm
            for end in range(position + 2, len(lines)):
                if lines[end].norm == first_entry:
                    return lines[:position] + lines[end:]
            return lines[:position] + lines[position + 1 :]
    return lines


def _take_title(lines: list[Line], fields: dict[str, str]) -> tuple[str, str, list[Line]]:
    """The first line that reads as a title (possibly after a 文号), or "" when the source has none."""
    above = ""  # a 文号 on a line of its own above the title ("发改办财金规〔2019〕860 号")
    for position, line in enumerate(lines[:6]):
        norm = line.norm
        number = ""
        match = DOC_NUMBER.match(norm)
        if match:
            number, norm = match.group(0), norm[match.end() :].strip()
            if not norm:
                above = number
                continue
        if _looks_like_title(norm):
            number = number or above or _standalone_number(lines[position + 1 : position + 3])
            return norm, number, lines[:position] + lines[position + 1 :]
        if norm.endswith(":") or "。" in norm:
            break
    title = fields.get("名称", "") or fields.get("标题", "")
    if title and not title.endswith("..."):
        return title, "", lines
    return "", "", lines


def _looks_like_title(norm: str) -> bool:
    return (
        len(norm) <= 90
        and not norm.endswith((":", "。", ";", ","))
        and _KIND_WORDS.search(norm) is not None
        and not re.match(r"^([一二三四五六七八九十]+、|\(|第.{1,4}[章条]|\d)", norm)
    )


def _standalone_number(following: list[Line]) -> str:
    for line in following:
        if DOC_NUMBER.fullmatch(line.norm):
            return line.norm
    return ""


def _same_title(norm: str, title: str) -> bool:
    norm = DOC_NUMBER.sub("", norm).strip()
    return norm == title or (len(norm) > 12 and title.startswith(norm.rstrip(".…")))


def _take_trailer(lines: list[Line]) -> tuple[str, str, list[Line]]:
    """Remove signature blocks (issuer lines + date line), 抄送 and 印发 lines; return the first date and signer
    (the issuers of a joint document, one per line above the date, joined: "国家发展改革委办公厅、税务总局办公厅")."""
    date, signer, kept = "", "", []
    for line in lines:
        norm = line.norm
        if _DATE_LINE.match(norm):
            date = date or norm
            signers = []
            while kept and len(signers) < MAX_JOINT_ISSUERS and _is_signer(kept[-1].norm):
                signers.insert(0, kept.pop().norm)
            signer = signer or "、".join(signers)
            continue
        if _TRAILER.search(norm):
            continue
        kept.append(line)
    return date, signer, kept


def _is_signer(norm: str) -> bool:
    return len(norm) <= 30 and "。" not in norm and _ORG_END.search(norm) is not None


def _is_notice_line(norm: str) -> bool:
    """Lines of a covering notice that are not part of the policy text: the 文号 alone, the addressees."""
    if DOC_NUMBER.fullmatch(norm) or (_COVERING_NOTICE.search(norm) and not _STATES_FACT.search(norm)):
        return True
    return (
        not _NUMBERED.match(norm)
        and norm.endswith(":")
        and len(norm) <= 80
        and "。" not in norm
        and _ADDRESSEE_HINT.search(norm) is not None
        and not norm.startswith("为")
    )


def _issuer_from_title(title: str) -> str:
    match = re.match(r"^(.{2,30}?(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会))关于", title)
    return match.group(1) if match else ""


def _first_date(value: str) -> str:
    match = DATE.search(value) or re.search(r"\d{4}-\d{2}-\d{2}", value)
    return match.group(0) if match else ""


def _doc_number_from(value: str) -> str:
    match = DOC_NUMBER.search(nfkc(value))
    return match.group(0) if match else ""
