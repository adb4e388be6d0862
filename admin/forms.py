"""Form checking for the admin pages: values kept as typed, errors as prompt keys (admin.errors.*)."""
from __future__ import annotations

from datetime import date, datetime

from hotline.core import clock
from hotline.core.phones import InvalidPhone, normalise
from hotline.core.text import xml_safe


class Form:
    def __init__(self, data):
        self.data, self.errors, self.clean = data, {}, {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def raw(self, name: str) -> str:
        return (self.data.get(name) or "").strip()

    def fail(self, name: str, code: str) -> None:
        self.errors.setdefault(name, f"admin.errors.{code}")

    def text(self, name: str, required: bool = False, max_len: int = 200) -> str | None:
        value = self.raw(name)
        if required and not value:
            self.fail(name, "required")
        elif len(value) > max_len:
            self.fail(name, "too_long")
        elif not xml_safe(value):       # said in TwiML and sent by SMS: a control character breaks both
            self.fail(name, "bad_characters")
        self.clean[name] = value or None
        return self.clean[name]

    def integer(self, name: str, low: int, high: int, required: bool = False) -> int | None:
        value, result = self.raw(name), None
        if not value:
            if required:
                self.fail(name, "required")
        elif not value.isdigit() or not low <= int(value) <= high:
            self.fail(name, "out_of_range")
        else:
            result = int(value)
        self.clean[name] = result
        return result

    def choice(self, name: str, options, required: bool = False):
        value = self.raw(name)
        options = {str(o): o for o in options}
        if not value:
            if required:
                self.fail(name, "required")
            result = None
        elif value not in options:
            self.fail(name, "bad_choice")
            result = None
        else:
            result = options[value]
        self.clean[name] = result
        return result

    def choices(self, name: str, options) -> list:
        options = {str(o): o for o in options}
        picked = [v for v in self.data.getlist(name)]
        if any(v not in options for v in picked):
            self.fail(name, "bad_choice")
        self.clean[name] = [options[v] for v in picked if v in options]
        return self.clean[name]

    def flag(self, name: str) -> bool:
        self.clean[name] = self.raw(name) in ("1", "on", "yes")
        return self.clean[name]

    def phone(self, name: str) -> str | None:
        try:
            self.clean[name] = normalise(self.raw(name))
        except InvalidPhone as e:
            self.fail(name, f"phone_{e.reason}")
            self.clean[name] = None
        return self.clean[name]

    def local_datetime(self, name: str, required: bool = False) -> str | None:
        """"2026-11-25T18:30" typed in Vietnam time -> UTC storage text, or None."""
        value, result = self.raw(name), None
        if not value:
            if required:
                self.fail(name, "required")
        else:
            try:
                # Officials type Vietnam time; an offset typed with it is overridden, not honoured.
                result = clock.stamp(datetime.fromisoformat(value).replace(tzinfo=clock.VIETNAM))
            except ValueError:
                self.fail(name, "bad_datetime")
        self.clean[name] = result
        return result


def this_year() -> int:
    return date.today().year


def local_time(stamp: str | None, fmt: str = "%d/%m %H:%M") -> str:
    """UTC storage text -> Vietnam local time for display."""
    if not stamp:
        return ""
    return clock.local(stamp).strftime(fmt)
