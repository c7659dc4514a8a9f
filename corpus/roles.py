"""Which words assign which role: the label → role table, role markers, and conventions documents state."""

from __future__ import annotations

import re

LEAD, COOPERATE, RESPONSIBLE = "lead", "cooperate", "responsible"

# A label before a unit list ("牵头单位:…") or a table column heading, and the role it gives.
LABEL_ROLES: dict[str, str] = {
    **dict.fromkeys(
        ("牵头单位", "牵头部门", "牵头处室", "牵头指导处室", "委内牵头处室", "牵头机构",
         "主办单位", "主办部门", "主责单位", "主责部门", "主办"),
        LEAD,
    ),
    **dict.fromkeys(
        ("配合单位", "配合部门", "配合处室", "协办单位", "协办部门", "参与单位", "参与部门", "协同单位",
         "协同部门", "支撑单位", "支撑部门", "协办", "配合"),
        COOPERATE,
    ),
    **dict.fromkeys(
        ("责任单位", "责任部门", "责任处室", "责任主体", "负责单位", "负责部门", "负责处室", "实施单位",
         "实施部门", "推进单位", "推进部门", "承办单位", "承办部门", "指导部门", "指导单位", "指导处室", "主管部门", "落实单位"),
        RESPONSIBLE,
    ),
}

# Words after a unit list that give its role ("…牵头", "…配合", "…按职责分工负责", "…指导"), longest first.
MARKER_ROLES: tuple[tuple[str, str], ...] = (
    (r"(?:分别|共同)?牵头(?:负责|落实|实施)?", LEAD),
    (r"(?:配合|参与|协助|协同|协办)", COOPERATE),
    (r"(?:按照?(?:各自)?职责(?:分工)?|按各自职责|依职责|分工|分别)?(?:具体)?"
     r"(?:负责(?:落实|实施|组织实施)?|负总责|组织实施|抓好落实|落实|指导)", RESPONSIBLE),
)

# Sentences in which a document states how to read its unit lists.
FIRST_LISTED_LEADS = re.compile(r"(?:列|排)(?:在|名)?(?:第一位|首位|第一)(?:的|者)?(?:部门|单位)?为牵头(?:单位|部门)")


def label_role(label: str) -> str | None:
    """The role a label or column heading gives (spaces ignored), or None when it names no role."""
    return LABEL_ROLES.get(re.sub(r"\s", "", label))


def label_pattern() -> str:
    """A regex alternation of every label, longest first (so 牵头指导处室 wins over 牵头)."""
    return "|".join(sorted(map(re.escape, LABEL_ROLES), key=len, reverse=True))


def marker_role(marker: str) -> str:
    """The role a marker found by MARKER_PATTERN gives."""
    for pattern, role in MARKER_ROLES:
        if re.fullmatch(pattern, marker):
            return role
    return RESPONSIBLE


MARKER_PATTERN = "|".join(f"(?:{pattern})" for pattern, _role in MARKER_ROLES)
