"""Geometry for the server-rendered SVG bar charts: enrolled and attended against a target."""
from __future__ import annotations

from dataclasses import dataclass

WIDTH = 340          # viewBox units: about one CSS pixel each on a phone, so the words stay readable
ROW = 58             # label line + two bars + gap
BAR = 14
NUMBERS = 34         # room for the value written after a bar


@dataclass
class Row:
    label: str
    enrolled: int
    attended: int
    target: int | None
    y: float
    enrolled_w: float
    attended_w: float
    target_x: float | None


def rows(items: list[dict], label: str = "name", target: str = "target") -> dict:
    """items: dicts with a label, enrolled, attended and an optional target; one shared scale for all bars."""
    top = max([1] + [max(i["enrolled"], i["attended"], i.get(target) or 0) for i in items])
    scale = (WIDTH - NUMBERS) / top
    out = []
    for n, item in enumerate(items):
        goal = item.get(target)
        out.append(Row(item[label], item["enrolled"], item["attended"], goal, n * ROW,
                       item["enrolled"] * scale, item["attended"] * scale,
                       None if goal is None else goal * scale))
    return {"rows": out, "width": WIDTH, "height": max(ROW, len(out) * ROW), "bar": BAR}


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"
