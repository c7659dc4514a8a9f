"""Extracting the lead (牵头), cooperating (配合) and responsible (负责) units a clause names.

Each way a document assigns a task yields one assignment (a Units with the text it applies to):
- a paragraph "由A牵头,B、C配合。" / "由A、B负责落实。"
- a labelled parenthetical or line "(牵头单位:A,配合单位:B,C)"; the labels are data (corpus.roles)
- a parenthetical after the task "(A、B等部门按职责分工负责)", "(A会同B负责)", "(A指导)"; under a stated
  convention ("列第一位者为牵头单位") the first unit of such a list leads and the others cooperate
- prose at a sentence start: "A会同B、C制定…", "A牵头,B配合…", "A负责…", "A按照各自职责…"
Units are quoted as the document writes them; "各县、市、区人民政府" and "各县(市、区)政府" stay one unit;
generic words (有关部门) are not units.
"""

from __future__ import annotations

import re
from dataclasses import replace

from corpus.records import Units
from corpus.roles import COOPERATE, FIRST_LISTED_LEADS, LEAD, MARKER_PATTERN, RESPONSIBLE, label_pattern, label_role, marker_role
from corpus.text import Normalized, normalize
from corpus.unitnames import opens_like_a_name

_LABEL = re.compile(rf"({label_pattern()})\s*[::]")
_ANY_LABEL = re.compile(r"(?<=[;,\s|])\s*[\u4e00-\u9fff]{2,6}\s*:")
_MARKER = re.compile(rf"(?:{MARKER_PATTERN})(?=$|[,;。)\s])")
_JOINT = re.compile(r"会同|联合")
_CONVENTION = re.compile(rf"[。,;]?\s*[^。,;]{{0,6}}{FIRST_LISTED_LEADS.pattern}(?:\s*[,;]?\s*下同)?[。]?")
# Characters after which a unit's last character is inside a longer word, not ending a name:
# 部分/部际/部署, 办学/办法/办理, 院校, 局长/局面/局限, 会议/会签/会谈, 处罚/处置, 联系/联网, 协调/协助, 科技/科研, 行政…
_WORD_GOES_ON = "[分际署学法理校长件级面势限托议计展签谈罚置驶程系网调助技研普属政]"
# 委 and 部 end a name, except inside 管委会 / 居委会 and 全部 / 局部 / 东部 (委会同 still ends one: "A委会同B").
_WEI = r"委(?!会(?!同|商|签|议))"
_BU = r"(?<![全内外局底顶东西南北中])部"
UNIT_SUFFIX = (
    rf"(?:(?<![格布结大全开时])局|{_WEI}|办|厅|{_BU}|院|会|室|中心|政府|单位|部门|公司|行|集团|站|所|处|科|队|小组|委员会|机构|机关|海关|法院|"
    r"检察院|署|社|联|协|企业|组委)(?![门厅局委办室]|" + _WORD_GOES_ON + ")"
)
_ITEM = r"(?:(?![要将把对是由]|应(?!急)|可以|向(?!阳))[\u4e00-\u9fff()])"  # a character of a unit's name: no modal or preposition (应急 is a name); 格局/布局 are not units
# A list of units in prose: items joined by 、, the last one ending with a unit suffix or "等部门".
# A name may carry its other name in brackets: "区经委(商务委)".
_ALIAS = rf"(?:\((?!以下|简称|下称|单位\)|部门\)){_ITEM}{{0,10}}?{UNIT_SUFFIX}\))?"
_PROSE_UNITS = rf"(?:{_ITEM}{{2,12}}?、)*{_ITEM}{{1,24}}?(?:{UNIT_SUFFIX}{_ALIAS}|等(?:有关|相关)?(?:部门|单位))"
PROSE_UNITS = re.compile(_PROSE_UNITS)
# What may open a sentence before its units: the clause's own number ("第五条", "24.", "(三)", "①") and "…由".
_NUMBER = r"\(?[一二三四五六七八九十\d]{1,3}[).、]\s*|[①-⑳]\s*"
_NUMBER_OPENING = re.compile(_NUMBER)
_ITEM_NUMBER = rf"(?:第[一二三四五六七八九十百零\d]+条\s*|{_NUMBER})?"
_LEAD_IN = rf"{_ITEM_NUMBER}(?:[^,。;]{{0,12}}?由)?"
_PROSE_JOINT = re.compile(rf"^{_LEAD_IN}(?P<lead>{_PROSE_UNITS})(?:应当|应|要|可以|依法)?(?:牵头|负责)?(?:会同|联合)(?P<coop>{_PROSE_UNITS})")
_PROSE_LEAD = re.compile(rf"^{_LEAD_IN}(?P<lead>{_PROSE_UNITS})牵头[,,](?P<coop>{_PROSE_UNITS})(?:配合|参与)")
# A name introducing its short form: "市城市市容和环境卫生主管部门(以下简称市市容环卫主管部门)主管本市…".
_SHORT_FORM = r"(?:\((?:以下)?简称[^()]{1,20}\))?"
_PROSE_RESP = re.compile(
    rf"^{_LEAD_IN}(?P<resp>{_PROSE_UNITS}){_SHORT_FORM}(?:(?:按照|依照|根据|按)[^,。;]{{0,10}}?)?(?:具体)?(?:负责|指导|主管(?!部门))(?!人)"
)
# A part naming its agent with 由, anywhere in a sentence: "…函告省审计部门,由省审计部门组织对…进行审计".
_PROSE_BY = re.compile(rf"^由(?P<resp>{_PROSE_UNITS})(?=[\u4e00-\u9fff])(?![的和与及等是为所之])")
# "A、B按照各自职责…", "A、B在职责范围内,分别负责…": units acting within their remits.
_PROSE_DUTIES = re.compile(rf"^{_LEAD_IN}(?P<resp>{_PROSE_UNITS})(?:应当)?(?:按照|依照|根据|在)(?:各自(?:的)?)?(?:职责|职权)")
_CONTINUED_JOINT = re.compile(rf"^(?:并|还|应当|应)?(?:会同|联合)(?P<coop>{_PROSE_UNITS})")
_PROSE_LEAD_ONLY = re.compile(rf"^{_LEAD_IN}(?P<lead>{_PROSE_UNITS})(?:共同|分别)?牵头(?:负责)?$")
_MODAL = "(?:要|应当|应|须|必须|将)?"  # "区发改委要牵头…,区财政局要积极配合"
# After a part naming who leads, one naming who cooperates: "区发改委牵头,区财政局配合".
_COOPERATE_AFTER_LEAD = re.compile(rf"^(?P<coop>{_PROSE_UNITS}){_MODAL}(?:共同|分别|积极)?(?:配合|参与|协助|协同)$")
# "A依照职业标准牵头组织开发…", "A牵头制定…": a unit leading the task its sentence goes on to name.
_PROSE_LEAD_TASK = re.compile(rf"^{_LEAD_IN}(?P<lead>{_PROSE_UNITS})(?:(?:按照|依照|根据|按)[^,。;]{{0,10}}?)?{_MODAL}(?:共同|分别|负责|发挥)?牵头(?![单部])")
# "建立市场监管部门牵头的联席会议制度", "成立由区政府办牵头、…": a body or mechanism and the unit leading it.
_PROSE_LED_BODY = re.compile(rf"^(?:建立|成立|组建|健全|完善)(?:由|以)?(?P<lead>{_PROSE_UNITS})(?:为)?牵头(?:的|、)")
# "市城市管理部门是本市生活垃圾分类工作的主管部门": the competent department of what the sentence names.
_PROSE_COMPETENT = re.compile(rf"^{_LEAD_IN}(?P<resp>{_PROSE_UNITS})(?:是|为)[^,。;]{{2,40}}?(?:行政)?主管部门")
_PROSE_COLON = re.compile(rf"^{_ITEM_NUMBER}(?P<resp>{_PROSE_UNITS})[::]\s*(?=[\u4e00-\u9fff])")
# The verb a duty opens with gives the unit's role in it ("区应急管理局:参与制定…;负责…启用"); other verbs: responsible.
_DUTY_ROLES = ((re.compile(r"^(?:分别|共同)?牵头"), LEAD), (re.compile(r"^(?:积极)?(?:配合|参与|协助|协同|协办)"), COOPERATE),
               (re.compile(r"^(?:具体)?负责"), RESPONSIBLE))
# The agent of an obligation in a regulation: "市财政部门应当…", "运营单位依法…" (only at a sentence's start).
_PROSE_AGENT = re.compile(rf"^{_LEAD_IN}(?P<resp>{_PROSE_UNITS}){_SHORT_FORM}(?:应当|应|依法|可以|必须|须)")
# The subject of a sentence in a plan: "区建设管理委、区住房保障房屋管理局对照标准完成…", "A和B列出…" (a sentence's
# first part, or the part after an opening date "9月30日前,"), followed by its verb.
# Only names with an unmistakable suffix qualify ("查处", "各行" end like units).
_SUBJECT_SUFFIX = rf"(?:局|{_WEI}|委会|办公室|办|厅|{_BU}|政府|中心|集团|公司|支队|大队|委员会|小组|部门|机构)(?![门厅局委办室业公事]|{_WORD_GOES_ON})"
_SUBJECT_UNITS = rf"(?:{_ITEM}{{2,12}}?{_SUBJECT_SUFFIX}[、和])*{_ITEM}{{1,24}}?{_SUBJECT_SUFFIX}"
_PROSE_SUBJECT = re.compile(rf"^{_LEAD_IN}(?P<resp>{_SUBJECT_UNITS})(?=[\u4e00-\u9fff])(?![的和与及等是为所之])")
# A sentence's opening condition before its agent: "新安装的乘客电梯在交付使用前,建设单位应当…", "…问题的,A应当…".
_UNIT_LINE = re.compile(rf"{_ITEM_NUMBER}(?P<unit>{_SUBJECT_UNITS})[ \t]*\n(?=\s*[\u4e00-\u9fff])")  # "(一)区建管委" on its own line
_CONDITION = re.compile(r"(?:之前|以前|前|之后|以后|后|时|的|期间)$")
_OPENING_DATE = re.compile(r"^(?:\d+\.)?\s*(?:\d{4}年)?(?:\d{1,2}月)?(?:\d{1,2}日)?(?:底|末)?(?:前|以前|之前|起|开始)?$")
_OBJECT = re.compile(r"(?<=[\u4e00-\u9fff)]{2})对(?!外|口)")  # "由A对B负责": the units end before 对
_AGENT_BY = re.compile(r"(?<![自理经缘])由")  # "(技工院校内由A负责)": the units start after 由 (自由贸易 is a name)
MIN_TASK_BEFORE_UNITS = 8  # characters of a task before a parenthetical naming only units
_SHORT_NAME = re.compile(r"简称|下称|下同|包括|含")
_EVERY_DIVISION = re.compile(r"各[\u4e00-\u9fff]{0,6}(?:街镇|街道|乡镇|镇|区|县|市)(?:人民政府|政府)?")  # "各街镇", "各区政府"
_LEVEL_OPENING = "市区县省国州乡镇各本"  # how a unit's name after 经 ("经市…批准") begins; 经济和信息化委 is a name
_SQUARE_AS_ROUND = str.maketrans("【】[]", "()()")
# A unit in a labelled list marked with its own role: "A(牵头)", "A为牵头单位", "B、C为配合单位".
_ROLE_MARK = re.compile(rf"\(?(?:牵头|主办)\)?$|(?:为|是)({label_pattern()})$")
_DIVISION_ONLY = re.compile(r"^各?[省市州县区乡镇旗]{1,2}$")
_TRAILING_WORDS = re.compile(r"(等(?:有关|相关|其他)?(?:部门|单位)?|等[\u4e00-\u9fff]{1,6}?(?:部门|单位|机构)|及其(?:他)?|有关部门|相关部门|分别|共同|按职责分工|按照职责分工)$")
_GENERIC = re.compile(
    r"^(?:各|其他|其它)?(?:有关|相关|其他|其它)?(?:部门|单位|方面)(?:和单位|和部门)?$|^(?:各|其他)?(?:有关|相关)(?!街镇|街道|镇|区县|区政府)"
    r"|^(?:本级|各级)?(?:人民)?政府$"  # what is left of "政府有关部门": no particular government
    # a plan's imperative verbs open a task, never a unit's name ("鼓励金融机构…", "加强政府…")
    r"|^(?:加强|加快|建立|强化|推动|支持|鼓励|完善|推进|落实|严格|充分|研究|深化|健全|实施|开展|提升|提高|优化|统筹|引导|"
    r"探索|培育|发挥|规范|促进|做好|抓好|积极|全面|依托|严查)"
)
# Spans that run past a name into the sentence: "本条例所称…", "…按照…", "坚持政府" (a government is a place's),
# or a pronoun with a suffix ("由其所在单位…": 其所).
_NOT_A_NAME = re.compile(r"^本(?:条例|办法|规定|细则)|^[其该本此].$|按照|依照|适用于|所称|有权|(?<![民市县区镇乡省州旗方)])政府$")
_ENDS_AS_UNIT = re.compile(rf"[\u4e00-\u9fff()]{{1,24}}{UNIT_SUFFIX}$")


def extract_assignments(text: str, first_listed_leads: bool = False) -> tuple[Units, ...]:
    """Every assignment a clause makes, in order, each with the text it applies to (`scope`)."""
    norm = normalize(text)
    norm = replace(norm, text=_own_line_unit(norm.text.translate(_SQUARE_AS_ROUND)))  # "【区发改委牵头】" is a parenthetical
    statements = [
        (start, end, roles)
        for start, end in _statements(norm.text)
        if (roles := _parse_statement(norm, start, end, first_listed_leads))
    ]
    found = [
        (start, _units(roles, norm.quote(start, end).strip(), _scope(norm, statements, position)))
        for position, (start, end, roles) in enumerate(statements)
    ]
    if not any(_LABEL.search(norm.text, start, end) for start, end, _roles in statements):
        # a task with labelled units is assigned by its labels alone; otherwise prose around a parenthetical
        # ("…(技工院校内由A负责),C依照职业标准牵头组织开发…") assigns too, when it states a role in words
        found += _prose_assignments(norm, [(start, end) for start, end, _roles in statements])
    return tuple(units for _start, units in sorted(found, key=lambda pair: pair[0]))


def _own_line_unit(text: str) -> str:
    """A clause headed by a unit's name alone ("(三)区财政局" then "负责在政府投资项目中安排…") read as the unit and
    its duties after a colon ("区财政局:负责…"): the line break becomes the colon, so offsets stay."""
    match = _UNIT_LINE.match(text)
    if not match or label_role(match.group("unit")) or _GENERIC.match(match.group("unit")):
        return text
    return text[: match.end() - 1] + ":" + text[match.end() :]


def _prose_assignments(norm: Normalized, statements: list[tuple[int, int]]) -> list[tuple[int, Units]]:
    """Assignments stated in prose, sentence by sentence. Beside statements, only parts outside them that name a role
    in words ("牵头", "负责", "会同") count: a subject alone is not enough."""
    found: list[tuple[int, Units]] = []
    extending = False  # the sentence before, on the same line, assigned units: a sentence naming none goes on with them
    for start, end in _sentences(norm.text):
        sentence = norm.quote(start, end).strip()
        parts = _segments(norm.text, start, end)
        matches: list[tuple[int, dict[str, list[str]]]] = []
        for position, (part_start, part_end) in enumerate(parts):
            if any(a < part_end and part_start < b for a, b in statements):
                continue
            before = [norm.text[a:b].strip() for a, b in parts[:position]]
            opening = all(_OPENING_DATE.match(part) for part in before)
            conditioned = bool(before) and _CONDITION.search(before[-1]) is not None and not statements
            roles = _parse_prose(norm, part_start, part_end, first=opening and not statements, agent=conditioned)
            if not roles and matches:
                roles = _continued(norm, part_start, part_end, matches[-1][1])
            if roles:
                matches.append((position, roles))
        if not matches and extending:  # "区教育局:负责A;负责B;参与C。": B and C are the same unit's duties
            at, last = found[-1]
            role = _duty_role(sentence)
            if role and not getattr(last, role):  # a duty in another role: "…;参与C" cooperates in C
                found.append((start, _units({LEAD: [], COOPERATE: [], RESPONSIBLE: [], role: list(last.all())}, sentence, sentence)))
            else:
                found[-1] = (at, replace(last, scope=last.scope + sentence))
        for number, (position, roles) in enumerate(matches):  # each governs its parts up to the next one
            scope_start = start if number == 0 else parts[position][0]
            scope_end = parts[matches[number + 1][0]][0] if number + 1 < len(matches) else end
            found.append((parts[position][0], _units(roles, sentence, norm.quote(scope_start, scope_end).strip())))
        extending = bool(found) and (bool(matches) or extending) and not norm.text[start:end].endswith("\n")
    return found


def merge(assignments: tuple[Units, ...]) -> Units:
    """One Units for a whole clause: every unit once, in order, a lead never repeated in another role."""
    lead = _dedupe(unit for units in assignments for unit in units.lead)
    return Units(
        lead=lead,
        cooperate=_dedupe(u for units in assignments for u in units.cooperate if u not in lead),
        responsible=_dedupe(u for units in assignments for u in units.responsible if u not in lead),
        sentence="".join(units.sentence for units in assignments),
        scope="".join(units.scope for units in assignments),
    )


def extract_units(text: str, first_listed_leads: bool = False) -> Units:
    """The units a clause names, by role, from its own text."""
    return merge(extract_assignments(text, first_listed_leads))


def states_first_listed_leads(text: str) -> bool:
    """Whether a document says that the first unit of each list leads ("列第一位者为牵头单位")."""
    return FIRST_LISTED_LEADS.search(normalize(text).text) is not None


def _units(roles: dict[str, list[str]], sentence: str, scope: str) -> Units:
    lead = _dedupe(roles[LEAD])
    return Units(
        lead=lead,
        cooperate=_dedupe(u for u in roles[COOPERATE] if u not in lead),
        responsible=_dedupe(u for u in roles[RESPONSIBLE] if u not in lead),
        sentence=sentence,
        scope=scope,
    )


def _scope(norm: Normalized, statements: list, position: int) -> str:
    """The text a statement assigns: from the previous statement to it (the last one also takes what follows)."""
    start = statements[position - 1][1] if position else 0
    end = len(norm.text) if position == len(statements) - 1 else statements[position][0]
    return norm.quote(start, end).strip()


def _statements(text: str) -> list[tuple[int, int]]:
    """Spans that may assign units: parentheticals, "由…" sentences and labelled lines."""
    spans = []
    for start, end in _parentheticals(text):
        inner = _CONVENTION.sub("", text[start + 1 : end - 1])
        if _LABEL.search(inner) or _ends_with_marker(inner) or (_closes_a_task(text, start, end) and _only_units(inner)):
            spans.append((start + 1, end - 1))
    for start, end in _sentences(text):
        sentence = text[start:end].strip()
        if sentence.startswith("由") or (_LABEL.match(sentence) and not _inside(start, spans)):
            spans.append((start, end))
    return sorted(spans)


def _parse_statement(norm: Normalized, start: int, end: int, first_listed_leads: bool) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {LEAD: [], COOPERATE: [], RESPONSIBLE: []}
    convention = _CONVENTION.search(norm.text, start, end)
    if convention:
        end = convention.start()
    text = norm.text[start:end]
    labels = list(_LABEL.finditer(text))
    if labels:
        for position, label in enumerate(labels):
            value_end = labels[position + 1].start() if position + 1 < len(labels) else len(text)
            other_label = _ANY_LABEL.search(text, label.end(), value_end)  # "完成时限:…" ends the unit list
            value_end = other_label.start() if other_label else value_end
            role = label_role(label.group(1))
            units = _split_units(text, label.end(), value_end)
            if role == RESPONSIBLE and first_listed_leads and len(units) > 1:
                units, role = _first_leads(norm, start, units, roles)
            _add_marked(norm, start, text, units, role, roles)
        return roles if any(roles.values()) else {}
    previous = len(text) - len(text.lstrip())
    for marker in _MARKER.finditer(text, previous):
        role = marker_role(marker.group(0))
        agent_by = [by.end() for by in _AGENT_BY.finditer(text, previous, marker.start())]
        previous = agent_by[-1] if agent_by else previous
        joint = _JOINT.search(text, previous, marker.start())
        if joint:  # "A会同B负责": A leads, B cooperates
            _add(norm, start, text, previous, joint.start(), LEAD, roles)
            _add(norm, start, text, joint.end(), marker.start(), COOPERATE, roles)
        else:
            object_at = _OBJECT.search(text, previous, marker.start())  # "由项目法人对项目的策划、…负责": 项目法人
            units = _split_units(text, previous, object_at.start() if object_at else marker.start())
            if role == RESPONSIBLE and first_listed_leads and len(units) > 1:
                units, role = _first_leads(norm, start, units, roles)
            for unit_start, unit_end in units:
                roles[role].append(norm.quote(start + unit_start, start + unit_end))
        previous = marker.end()
    joined_after = _CONTINUED_JOINT.match(text[previous:].lstrip(" ,")) if roles[LEAD] or roles[RESPONSIBLE] else None
    if joined_after:  # "由A牵头(负责),会同B、C制定…": A leads, B and C cooperate
        if not roles[LEAD]:
            roles[LEAD], roles[RESPONSIBLE] = roles[RESPONSIBLE], []
        offset = previous + len(text[previous:]) - len(text[previous:].lstrip(" ,"))
        _add(norm, start, text, offset + joined_after.start("coop"), offset + joined_after.end("coop"), COOPERATE, roles)
    if not any(roles.values()) and _only_units(text):  # "推进老旧小区改造(区住建委、各街镇)": the units it names
        units = _split_units(text, 0, len(text))
        role = RESPONSIBLE
        if first_listed_leads and len(units) > 1:
            units, role = _first_leads(norm, start, units, roles)
        for unit_start, unit_end in units:
            roles[role].append(norm.quote(start + unit_start, start + unit_end))
    return roles if any(roles.values()) else {}


def _add_marked(norm: Normalized, offset: int, text: str, units: list[tuple[int, int]], role: str, roles: dict[str, list[str]]) -> None:
    """Add a labelled list's units under its role; a unit marked with a role of its own under that role: "A(牵头)"
    alone, "B、C为配合单位" with the unmarked units before it."""
    pending: list[str] = []
    for unit_start, unit_end in units:
        marked = _ROLE_MARK.search(text, unit_start, unit_end)
        if not marked:
            pending.append(norm.quote(offset + unit_start, offset + unit_end))
            continue
        name = norm.quote(offset + unit_start, offset + marked.start()).strip()
        if marked.group(1):
            roles[label_role(marked.group(1)) or role] += [*pending, name]
            pending = []
        else:
            roles[LEAD].append(name)
    roles[role] += pending


def _only_units(text: str) -> bool:
    """Whether a text is nothing but a list of units, each named as one ("区发改委、区财政局、各街镇")."""
    if _SHORT_NAME.search(text):
        return False
    units = _split_units(text, 0, len(text))
    rest = text
    for unit_start, unit_end in sorted(units, reverse=True):
        rest = rest[:unit_start] + rest[unit_end:]
    named = all(_ENDS_AS_UNIT.fullmatch(text[a:b]) or _EVERY_DIVISION.fullmatch(text[a:b]) for a, b in units)
    return bool(units) and named and not rest.strip(" 、,;和及")


def _closes_a_task(text: str, start: int, end: int) -> bool:
    """Whether a parenthetical ends the sentence or line of a task stated before it ("推进老旧小区改造(…)"), not
    the short name of a unit ("领导小组办公室(省质监局)") or a table cell ("庄行学校(小学部)")."""
    before = text[: start].rsplit("\n", 1)[-1]
    ends = not text[end:].strip(" ") or text[end] in "。;\n"
    return ends and len(before.strip()) >= MIN_TASK_BEFORE_UNITS and not _ENDS_AS_UNIT.search(before)


def _first_leads(norm: Normalized, start: int, units: list, roles: dict[str, list[str]]) -> tuple[list, str]:
    """Under "列第一位者为牵头单位": the first unit leads, the rest (returned) cooperate."""
    unit_start, unit_end = units[0]
    roles[LEAD].append(norm.quote(start + unit_start, start + unit_end))
    return units[1:], COOPERATE


def _add(norm: Normalized, offset: int, text: str, start: int, end: int, role: str, roles: dict[str, list[str]]) -> None:
    for unit_start, unit_end in _split_units(text, start, end):
        roles[role].append(norm.quote(offset + unit_start, offset + unit_end))


def _continued(norm: Normalized, start: int, end: int, previous: dict[str, list[str]]) -> dict[str, list[str]]:
    """A part that goes on with the sentence's subject ("…公安机关负责…,会同交通主管部门、运营单位制定…") or names who
    cooperates after a part naming who leads ("区发改委牵头,区财政局配合")."""
    part = norm.text[start:end].strip()
    subject = previous[LEAD] or previous[RESPONSIBLE]
    cooperating = _COOPERATE_AFTER_LEAD.match(part.rstrip("。;")) if previous[LEAD] else None
    match = cooperating or (_CONTINUED_JOINT.match(part) if subject else None)
    if not match:
        return {}
    offset = start + len(norm.text[start:end]) - len(norm.text[start:end].lstrip())
    roles: dict[str, list[str]] = {LEAD: [] if cooperating else list(subject), COOPERATE: [], RESPONSIBLE: []}
    _add(norm, offset, norm.text[offset:end], match.start("coop"), match.end("coop"), COOPERATE, roles)
    return roles if roles[COOPERATE] else {}


def _segments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The comma-separated parts of a sentence (a role is often stated in one: "…,A、B牵头,C配合…")."""
    spans, part_start = [], start
    depth = 0
    for index in range(start, end):
        char = text[index]
        depth += char in "((“"
        depth -= char in "))”" and depth > 0
        if char == "," and depth == 0:
            spans.append((part_start, index))
            part_start = index + 1
    spans.append((part_start, end))
    return spans


def _parse_prose(norm: Normalized, start: int, end: int, first: bool = True, agent: bool = False) -> dict[str, list[str]]:
    """The roles a part of a sentence states; a sentence's first part (or one after an opening date) may also name
    its subject, and one after an opening condition its agent ("…交付使用前,建设单位应当…")."""
    text = norm.text[start:end].rstrip("。; \n")
    lead_at = len(text) - len(text.lstrip())
    patterns = [(_PROSE_JOINT, ("lead", "coop")), (_PROSE_LEAD, ("lead", "coop")), (_PROSE_LEAD_ONLY, ("lead",)),
                (_PROSE_LEAD_TASK, ("lead",)), (_PROSE_LED_BODY, ("lead",)), (_PROSE_COMPETENT, ("resp",)), (_PROSE_COLON, ("resp",)), (_PROSE_RESP, ("resp",)), (_PROSE_DUTIES, ("resp",)),
                (_PROSE_BY, ("resp",))]  # fmt: skip
    if first or agent:
        patterns += [(_PROSE_AGENT, ("resp",))]
    if first:
        patterns += [(_PROSE_SUBJECT, ("resp",))]
    for pattern, groups in patterns:
        match = pattern.match(text, lead_at)
        if not match:
            continue
        roles: dict[str, list[str]] = {LEAD: [], COOPERATE: [], RESPONSIBLE: []}
        for group in groups:
            role = {"lead": LEAD, "coop": COOPERATE, "resp": RESPONSIBLE}[group]
            if pattern is _PROSE_COLON:
                role = _duty_role(text[match.end() :]) or RESPONSIBLE
            _add(norm, start, text, match.start(group), match.end(group), role, roles)
        if any(roles.values()):
            return roles
    return {}


def _duty_role(text: str) -> str | None:
    """The role the verb opening a duty gives ("参与制定…": cooperate), or None."""
    text = text.strip()
    return next((role for pattern, role in _DUTY_ROLES if pattern.match(text)), None)


def _split_units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a unit list at 、,; (and "等和") outside parentheses, keeping "各县、市、区人民政府" whole."""
    pieces, depth, piece_start = [], 0, start
    for index in range(start, end):
        char = text[index]
        if char in "((":
            depth += 1
        elif char in "))":
            depth = max(0, depth - 1)
        elif depth == 0 and (char in "、,;" or text.startswith("等和", index - 1) and char == "和"):
            pieces.append((piece_start, index))
            piece_start = index + 1
    pieces.append((piece_start, end))

    units, pending = [], None
    for piece_start, piece_end in pieces:
        if _DIVISION_ONLY.match(text[piece_start:piece_end].strip()):
            pending = piece_start if pending is None else pending
            continue
        span = _trim(text, piece_start if pending is None else pending, piece_end)
        pending = None
        if span:
            units.extend(_split_conjunction(text, *span))
    return [
        span for span in units
        if not _GENERIC.match(text[span[0] : span[1]]) and not _NOT_A_NAME.search(text[span[0] : span[1]])
        and opens_like_a_name(text[span[0] : span[1]])
    ]  # fmt: skip


def _split_conjunction(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """"医疗保障部门与财政部门" is two units; "人力资源和社会保障局" is one."""
    for index in range(start + 2, end - 2):
        if text[index] in "和与及" and _ENDS_AS_UNIT.fullmatch(text[start:index]) and _ENDS_AS_UNIT.fullmatch(text[index + 1 : end]):
            return [(start, index), (index + 1, end)]
    return [(start, end)]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Strip spaces, a leading 由 or unclosed bracket and trailing 等部门 / 分别 words from a unit's span."""
    while start < end and text[start] in " \t\n":
        start += 1
    while end > start and text[end - 1] in " \t\n。":
        end -= 1
    number = _NUMBER_OPENING.match(text, start, end)  # "(三)专职消防队…": the item's number is not the name's
    if number and number.end() < end:
        start = number.end()
    if text.startswith(("由", "请"), start) and end - start > 2:  # "请人力资源社会保障部会同…": a request to the unit
        start += 1
    if text.startswith("经", start) and end - start > 3 and text[start + 1] in _LEVEL_OPENING:  # "经市运输管理处…批准"
        start += 1
    if start < end and text[start] in "((" and not any(char in "))" for char in text[start:end]):  # "(生态环境部指导,…" opens no name
        start += 1
    while True:
        match = _TRAILING_WORDS.search(text[start:end])
        if not (match and match.start() > 0):
            break
        end = start + match.start()
    return (start, end) if end - start >= 2 else None


def _parentheticals(text: str) -> list[tuple[int, int]]:
    """Outermost balanced (…) groups, as spans including the brackets."""
    spans, depth, opened = [], 0, 0
    for index, char in enumerate(text):
        if char in "((":
            if depth == 0:
                opened = index
            depth += 1
        elif char in "))" and depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, index + 1))
    return spans


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"[。;\n]", text):
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _ends_with_marker(text: str) -> bool:
    text = text.rstrip(" 。")
    return any(marker.end() == len(text) for marker in _MARKER.finditer(text))


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _dedupe(units) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for unit in units:
        if unit and unit not in seen:
            seen[unit] = None
    return tuple(seen)
