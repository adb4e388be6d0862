"""CSV import and export of the residents register (UTF-8, with or without BOM; Vietnamese or English headers)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from hotline.domain import audit, places, residents
from hotline.domain.officials import permissions
from hotline.core import prompts
from hotline.core.db import transaction
from hotline.core.phones import InvalidPhone, normalise
from hotline.core.text import best_match, key, xml_safe

COLUMNS = ("phone", "name", "village", "household", "gender", "birth_year", "elderly", "low_lying",
           "prefers_voice", "cannot_read", "associations")
BOOLEAN_COLUMNS = ("elderly", "low_lying", "prefers_voice", "cannot_read")
# A cell a spreadsheet would run as a formula (OWASP's CSV injection list, and the full-width forms that
# LibreOffice reads the same way). Exported with a leading apostrophe; the import takes ours off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@dataclass
class RowError:
    line: int
    reason: str          # a code; prompts "csv.reason.<code>" says it in Vietnamese
    detail: str = ""


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def _aliases(section: str) -> dict[str, str]:
    """{"so dien thoai": "phone", …} from prompts/csv.toml, matched accent-blind."""
    found = {}
    for k, v in prompts.catalogue().items():
        if k.startswith(f"csv.{section}.") and isinstance(v, list):
            canonical = k.rsplit(".", 1)[1]
            for alias in v:
                found[key(alias)] = canonical
    return found


def import_csv(db, text: str, *, actor) -> ImportReport:
    """Good rows are imported in one transaction; each bad row is reported with its line and reason.

    A village head imports their own villages' residents: a row for another village (or a new resident
    with none) is reported as not_your_village and left out; the rest still go in."""
    permissions.require_role(db, actor, "resident.import")
    report = ImportReport()
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        report.errors.append(RowError(1, "no_header"))
        return report
    headers = _aliases("headers")
    columns = [headers.get(key(h)) for h in header]
    if "phone" not in columns:
        report.errors.append(RowError(1, "no_phone_column", ",".join(header)))
        return report
    values, genders, codes = _aliases("values"), _aliases("genders"), _aliases("associations")
    villages = {v["name"]: v for v in places.villages(db)}
    with transaction(db):
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            record = {c: _unquoted(cell.strip()) for c, cell in zip(columns, row) if c}
            try:
                fields, assoc = _parse(db, record, villages, values, genders, codes)
                _within(db, actor, fields)
            except RowProblem as problem:
                report.errors.append(RowError(line, problem.reason, problem.detail))
                continue
            resident, outcome = residents.register(db, fields.pop("phone"), "csv", **fields)
            if assoc is not None:
                residents.set_associations(db, resident["id"], assoc)
            report.imported += outcome == "registered"
            report.updated += outcome == "updated"
        refused = sum(e.reason == "not_your_village" for e in report.errors)
        audit.record(db, actor, "resident.import", "resident", None, imported=report.imported,
                     updated=report.updated, refused=refused or None)
    return report


def _within(db, actor, fields: dict) -> None:
    """The row's village, and the village the resident is in now, must both be the actor's."""
    existing = residents.by_phone(db, fields["phone"])
    touched = {fields.get("village_id", existing["village_id"] if existing else None)}
    if existing:
        touched.add(existing["village_id"])
    for village_id in touched:      # None: a resident with no village, the commune's
        if not permissions.may(db, actor, "resident.import", permissions.Target(
                None if village_id is None else (village_id,))):
            village = places.village(db, village_id) if village_id else None
            raise RowProblem("not_your_village", village["name"] if village else "-")


class RowProblem(Exception):
    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def _parse(db, record, villages, values, genders, codes):
    unsafe = [column for column, cell in record.items() if not xml_safe(cell)]
    if unsafe:      # a name or household said in TwiML, sent by SMS: refused like the admin's forms refuse it
        raise RowProblem("bad_characters", unsafe[0])
    try:
        phone = normalise(record.get("phone", ""))
    except InvalidPhone as e:
        raise RowProblem(f"phone_{e.reason}", record.get("phone", "")) from None
    fields = {"phone": phone, "name": record.get("name") or None}
    if record.get("village"):
        village = best_match(record["village"], villages)
        if village is None:
            raise RowProblem("unknown_village", record["village"])
        fields["village_id"] = village["id"]
        if record.get("household"):
            fields["household_id"] = places.ensure_household(db, village["id"], record["household"])
    if record.get("gender"):
        gender = genders.get(key(record["gender"]))
        if gender is None:
            raise RowProblem("bad_gender", record["gender"])
        fields["gender"] = {"female": "F", "male": "M"}[gender]
    if record.get("birth_year"):
        year = record["birth_year"]
        if not year.isdigit() or not 1900 <= int(year) <= date.today().year:
            raise RowProblem("bad_birth_year", year)
        fields["birth_year"] = int(year)
    for flag in BOOLEAN_COLUMNS:
        if flag in record:
            meaning = values.get(key(record[flag]))
            if meaning is None:
                raise RowProblem("bad_flag", f"{flag}={record[flag]}")
            fields[flag] = meaning == "yes"
    assoc = None
    if "associations" in record:
        assoc = []
        for part in filter(None, (p.strip() for p in record["associations"].replace(",", ";").split(";"))):
            code = codes.get(key(part))
            if code is None:
                raise RowProblem("unknown_association", part)
            assoc.append(code)
    return fields, assoc


def _quoted(value) -> str:
    """A cell safe to open in a spreadsheet: a name like "=HYPERLINK(…)" is shown, never run."""
    value = str(value)
    return "'" + value if value.startswith(FORMULA_START) else value


def _unquoted(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell


def export_csv(db, *, actor) -> str:
    """The register in the import format (English headers), so export then import changes nothing; cells that
    would start a formula (phone numbers' "+" included) are prefixed with an apostrophe (_quoted).

    Personal data: only the residents of the actor's own villages (everyone for the chairman and the operator),
    and the export itself goes in the audit trail."""
    permissions.require_role(db, actor, "resident.export")
    mine = permissions.reach(db, actor)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    exported = 0
    for r in db.query(
        "SELECT r.*, v.name AS village, h.name AS household FROM residents r"
        " LEFT JOIN villages v ON v.id = r.village_id LEFT JOIN households h ON h.id = r.household_id"
        " ORDER BY r.id"):
        if mine is not None and r["village_id"] not in mine:
            continue
        exported += 1
        writer.writerow([_quoted(cell) for cell in (
            r["phone"], r["name"] or "", r["village"] or "", r["household"] or "",
            {"F": "female", "M": "male"}.get(r["gender"], ""), r["birth_year"] or "",
            *(("yes" if r[f] else "no") for f in BOOLEAN_COLUMNS),
            ";".join(residents.association_codes(db, r["id"])),
        )])
    with transaction(db):
        audit.record(db, actor, "resident.export", "resident", None, rows=exported)
    return out.getvalue()
