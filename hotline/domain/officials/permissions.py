"""Who may do what, on every channel: the acting official (or the operator at the terminal) and one table of rules.

Domain functions take the actor and call require() themselves, inside their write transaction, so the web
admin, the officials' phone menu and the CLI are held by the same checks; a page or a menu only hides what
may() refuses. The rules, in words, are in docs/security.md ("Who may do what").
"""
from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass

from hotline.domain import places
from hotline.domain.officials import rows

log = logging.getLogger(__name__)

CHANNELS = ("web", "phone", "cli")
CHAIRMAN = ("commune_chairman",)
WARN = ("commune_chairman", "village_head")            # warnings, check-ins, the residents register
SPEAK = WARN + ("association_leader",)                  # announcements; lessons their association hosts
EVERYONE = SPEAK + ("instructor",)                      # a lesson's attendance and enrolment in person

# action -> (the roles that may take it, the scope rule). Scope rules (why() below):
#   audience  every village the subject reaches must be the official's; the whole commune only for those
#             who may address it (never a village head)
#   author    audience, and the official recorded it, or is the commune chairman
#   owner     the official recorded it, or is the commune chairman (dropping one's own draft needs no audience)
#   second    audience, and the official did not record it (approval is a second pair of eyes)
#   lesson    audience (the lesson's village), and an association leader only for their association's lessons
RULES = {
    "alert.create": (WARN, "audience"),
    "alert.publish": (WARN, "audience"),
    "alert.update": (WARN, "audience"),
    "alert.cancel": (WARN, "audience"),
    "checkin.start": (WARN, "audience"),
    "announcement.create": (SPEAK, "author"),
    "announcement.edit": (SPEAK, "author"),
    "announcement.publish": (SPEAK, "author"),
    "announcement.withdraw": (SPEAK, "author"),
    "announcement.discard": (EVERYONE, "owner"),
    "announcement.approve": (SPEAK, "second"),
    "lesson.create": (SPEAK, "lesson"),
    "lesson.cancel": (SPEAK, "lesson"),
    "lesson.capacity": (SPEAK, "lesson"),
    "lesson.attendance": (EVERYONE, "lesson"),
    "lesson.enrol": (EVERYONE, "lesson"),
    "resident.edit": (WARN, "audience"),
    "resident.import": (WARN, "audience"),
    "resident.export": (WARN, "audience"),
    "official.manage": (CHAIRMAN, None),
}


REASONS = ("disabled", "role", "warning", "author", "own", "association", "commune", "village")


class Forbidden(ValueError):
    """reason: disabled | role | warning (an announcement that is a flood warning) | author | own | association
    | commune (the whole commune is not theirs) | village (a village that is not theirs)."""

    def __init__(self, reason: str, action: str = ""):
        super().__init__(f"{action}: {reason}" if action else reason)
        self.reason, self.action = reason, action


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where. official_id None is the operator at the terminal (they hold the server)."""

    channel: str
    official_id: int | None = None
    name: str = ""              # the official's name at the time, or operator@<OS user>, for the audit trail

    def __post_init__(self):
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel}")
        if self.official_id is None and self.channel != "cli":
            raise ValueError("only the terminal acts without an official")

    @classmethod
    def of(cls, official: dict, channel: str) -> Actor:
        return cls(channel, official["id"], official["name"])

    @classmethod
    def operator(cls, user: str | None = None) -> Actor:
        return cls("cli", None, f"operator@{user or _os_user()}")

    @property
    def is_operator(self) -> bool:
        return self.official_id is None


# `hotline demo` loading the demo commune's officials and lessons: the terminal's rights, its own name in the trail.
DEMO = Actor("cli", None, "hotline demo")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):     # no USER variable and no passwd entry (some containers)
        return "unknown"


@dataclass(frozen=True)
class Target:
    """What an action touches. villages None = the whole commune."""

    villages: tuple[int, ...] | None = None
    author_id: int | None = None          # announcements: who recorded it
    association_id: int | None = None     # lessons: the host (None = the commune)
    warning: bool = False                 # an announcement that becomes a flood warning


def audience(village_ids) -> tuple[int, ...] | None:
    """Village ids as a Target's villages: none (or an empty list) is the whole commune."""
    return tuple(sorted(set(village_ids))) if village_ids else None


def why(db, actor: Actor, action: str, target: Target = Target()) -> str | None:
    """The reason the actor may not take this action on this target, or None when they may."""
    roles, rule = RULES[action]
    if actor.is_operator:
        return None
    official = rows.get(db, actor.official_id)   # read again: a change of role or villages counts at once
    if official is None or official["disabled"]:
        return "disabled"
    role = official["role"]
    if role not in roles:
        return "role"
    if target.warning and action.startswith("announcement.") and role not in WARN:
        return "warning"
    if rule in ("author", "owner") and target.author_id != official["id"] and role != "commune_chairman":
        return "author"
    if rule == "second" and target.author_id == official["id"]:
        return "own"
    if rule == "lesson" and role == "association_leader" and target.association_id != official["association_id"]:
        return "association"
    return None if rule in (None, "owner") else outside(official, target.villages)


def outside(official: dict, villages: tuple[int, ...] | None) -> str | None:
    """"commune" or "village" when the audience is beyond the official's reach, else None."""
    commune, mine = rows.reach(official)
    if villages is None:
        return None if commune else "commune"
    return None if mine is None or set(villages) <= mine else "village"


def may(db, actor: Actor, action: str, target: Target = Target()) -> bool:
    return why(db, actor, action, target) is None


def require(db, actor: Actor, action: str, target: Target = Target()) -> None:
    """Raise Forbidden unless the actor may; call it inside the write transaction it guards."""
    reason = why(db, actor, action, target)
    if reason:
        who = "the operator" if actor.is_operator else f"official #{actor.official_id}"
        log.warning("%s refused %s (%s) from %s", who, action, reason, actor.channel)
        raise Forbidden(reason, action)


def has_role(db, actor: Actor, action: str) -> bool:
    """Whether the actor's role may ever take this action (somewhere): for menus and buttons."""
    return why(db, actor, action, Target(None, author_id=actor.official_id)) not in ("disabled", "role")


def require_role(db, actor: Actor, action: str) -> None:
    """For an action over many subjects (an import, an export): the role here, then each subject with may()."""
    if not has_role(db, actor, action):
        require(db, actor, action, Target(None, author_id=actor.official_id))


def choices(db, actor: Actor, action: str, **target) -> tuple[list[dict], bool]:
    """The villages this actor may take the action for, one by one, and whether the whole commune is theirs."""
    villages = [v for v in places.villages(db) if may(db, actor, action, Target((v["id"],), **target))]
    return villages, may(db, actor, action, Target(None, **target))


def reach(db, actor: Actor) -> frozenset[int] | None:
    """The village ids an actor's own villages are (None = every village), for filtering a listing."""
    if actor.is_operator:
        return None
    official = rows.get(db, actor.official_id)
    return rows.reach(official)[1] if official else frozenset()
