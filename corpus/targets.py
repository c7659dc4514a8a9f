"""Extracting quantified targets ("到2020年 … 产品质量监督抽查合格率达到95%以上") from a clause."""

from __future__ import annotations

import bisect
import re

from corpus.records import Target
from corpus.text import normalize

_VERB = (
    r"分别达到|分别达|达到|达|提高到|提高至|提升到|提升至|增加到|增长到|不低于|不少于|超过|控制在|"
    r"降低到|降低至|下降到|降至|压减至|压减到|压缩至|压缩到|缩短至|缩短到|减少至|减少到|保持在|稳定在|"
    r"年递增|年均增长|递增|增长|下降|减少"
)
_UNIT = r"%|‰|个百分点|个工作日|工作日|个月|小时|天|万元|亿元|元|个|家|件|项|户|人|所|座|公里|处|批|名|次|吨|台|套|万|亿|星|A"
_FIGURE = rf"\d+(?:\.\d+)?\s*(?:{_UNIT})?"
_TARGET = re.compile(
    rf"(?P<metric>[^,;。:、\n()“”]{{2,40}}?)(?P<verb>{_VERB})\s*"
    rf"(?P<figure>{_FIGURE}(?:\s*[、和]\s*{_FIGURE})*)(?P<qualifier>以上|以下|左右|以内)?"
)
# A share of something reaching a goal: "建成区40%以上面积达到海绵城市建设目标要求", "70%以上居住区实现垃圾分类实效达标".
_SHARE_TARGET = re.compile(
    r"(?P<subject>[\u4e00-\u9fff]{0,12}?)(?P<figure>\d+(?:\.\d+)?\s*%)(?P<qualifier>以上|以下|左右)?的?"
    r"(?P<noun>[\u4e00-\u9fff]{1,12}?)(?P<verb>达到|实现|完成|满足|符合)(?P<goal>[^,;。:、\n()]{2,30})"
)
_COUNT = r"\d+(?:\.\d+)?\s*(?:个|家|件|项|户|所|座|名|批|处|台|套|条)"
# Goals stated as counts, without a verb: "甘肃名牌30个以上", "10项国家标准".
_NOUN_COUNT = re.compile(
    rf"(?P<metric>(?:[^,;。:、\n()“”\d]|\d+[A-Za-z]){{2,30}}?)(?P<figure>{_COUNT})(?!方面|环节|领域|机制|大)(?P<qualifier>以上|以下|左右)?"
)
_COUNT_NOUN = re.compile(rf"(?P<figure>{_COUNT})(?P<qualifier>以上)?(?P<metric>[\u4e00-\u9fff“”]{{2,16}}?)(?=[,;。、和及]|$)")
_LEADING_VERB = re.compile(r"^(?:新培育|培育|争创|创建|建成|新建|打造|开发|建设|新增|引进|参与制\(修\)订|参与)")
_YEAR = re.compile(r"(?:到|至|在)?\s*(\d{4})\s*年(?:底|末|前)?")
_METRIC_PREFIX = re.compile(r"^(?:其中|并|且|和|及|使|实现|力争|确保|全州|全市|全省|全县|每年|力争到|到)+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def extract_targets(text: str, context: str = "") -> tuple[Target, ...]:
    """Targets stated in a clause; a year stated above the clause (in `context`) applies when it states none."""
    norm = normalize(text)
    default_year = _first_year(normalize(context).text) if context else None
    years = [(m.start(), m.end(), int(m.group(1))) for m in _YEAR.finditer(norm.text)]
    targets = []
    taken: list[tuple[int, int]] = []  # spans already read as targets; the count patterns skip them
    for match in _TARGET.finditer(norm.text):
        taken.append((match.start(), match.end()))
        metric_start = match.start("metric")
        metric = norm.text[metric_start : match.end("metric")]
        prefix = _METRIC_PREFIX.match(metric)
        if prefix:
            metric_start += prefix.end()
        metric = _strip_year(norm.text[metric_start : match.end("metric")]).strip().rstrip("均都")
        if len(metric) < 2 or not re.search(r"[\u4e00-\u9fff]", metric):
            continue
        figure = norm.quote(match.start("figure"), match.end("figure")).strip()
        number = _NUMBER.search(match.group("figure"))
        unit = re.sub(r"[\d.\s]", "", match.group("figure").split("、")[0].split("和")[0])
        targets.append(
            Target(
                metric=metric,
                figure=figure,
                value=float(number.group(0)) if number else 0.0,
                unit=unit,
                qualifier=match.group("qualifier") or "",
                year=_year_before(norm.text, years, match.start()) or default_year,
                phrase=norm.quote(metric_start, match.end()).strip(),
            )
        )
    for match in _SHARE_TARGET.finditer(norm.text):
        if any(match.start() < end and start < match.end() for start, end in taken):
            continue
        metric = _strip_year(match.group("subject") + match.group("noun") + match.group("verb") + match.group("goal")).strip()
        taken.append((match.start(), match.end()))
        targets.append(
            Target(
                metric=metric,
                figure=norm.quote(match.start("figure"), match.end("figure")).strip(),
                value=float(_NUMBER.search(match.group("figure")).group(0)),
                unit="%",
                qualifier=match.group("qualifier") or "",
                year=_year_before(norm.text, years, match.start()) or default_year,
                phrase=norm.quote(match.start(), match.end()).strip(),
            )
        )
    for pattern in (_NOUN_COUNT, _COUNT_NOUN):
        for match in pattern.finditer(norm.text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            metric = _LEADING_VERB.sub("", _METRIC_PREFIX.sub("", match.group("metric").strip()))
            if len(metric) < 2 or re.search(r"年|月|日|以上|以下", metric) or metric.endswith(("达到", "达")):
                continue
            taken.append((match.start(), match.end()))
            figure = match.group("figure")
            targets.append(
                Target(
                    metric=metric,
                    figure=norm.quote(match.start("figure"), match.end("figure")).strip(),
                    value=float(_NUMBER.search(figure).group(0)),
                    unit=re.sub(r"[\d.\s]", "", figure),
                    qualifier=match.group("qualifier") or "",
                    year=_year_before(norm.text, years, match.start()) or default_year,
                    phrase=norm.quote(match.start(), match.end()).strip(),
                )
            )
    return tuple(targets)


def _year_before(text: str, years: list[tuple[int, int, int]], position: int) -> int | None:
    """The last year stated in the same paragraph before a position (years: the text's (start, end, year), in order)."""
    last = bisect.bisect_right(years, position, key=lambda year: year[1]) - 1  # a search, not a scan: long texts stay linear
    if last < 0 or years[last][0] < text.rfind("\n", 0, position) + 1:
        return None
    return years[last][2]


def _first_year(text: str) -> int | None:
    match = re.search(r"到\s*(\d{4})\s*年", text)
    return int(match.group(1)) if match else None


def _strip_year(metric: str) -> str:
    return _METRIC_PREFIX.sub("", _YEAR.sub("", metric))
