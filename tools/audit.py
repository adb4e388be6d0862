"""Offline dependency audit: installed distributions against the vendored tools/advisories.json.

pip-audit needs PyPI's JSON API or OSV, which the build machines cannot reach; this reads the
same OSV records (the Python Packaging Advisory Database), copied into the repository with their
source and date. Exit status 1 when an installed version falls in an advisory's range, unless that
finding is in the reviewed ignore list (tools/audit-ignore.json: package, advisory id, reason, date
of review). Ignored findings are still printed, with their reason; an ignore entry that matches no
finding is reported so it can be removed. Exit status 2 when the ignore list itself is malformed.
"""
import argparse
import datetime
import json
import re
import sys
from importlib import metadata
from pathlib import Path

try:
    from packaging.version import InvalidVersion, Version
except ImportError:  # a runtime-only venv has no packaging; pip always carries a copy
    from pip._vendor.packaging.version import InvalidVersion, Version

DATA = Path(__file__).with_name("advisories.json")
IGNORE = Path(__file__).with_name("audit-ignore.json")
SELF = {"loa-lang"}  # the project itself is not on PyPI


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def installed(path=None):
    """{canonical name: version} of every distribution on sys.path (or the given path list)."""
    dists = metadata.distributions(path=path) if path else metadata.distributions()
    return {canonical(d.metadata["Name"]): d.version for d in dists
            if d.metadata["Name"] and canonical(d.metadata["Name"]) not in SELF}


def _key(event):
    # OSV orders events by version; "0" is below every version. Empty events ({}) carry nothing.
    (kind, value), = event.items()
    return (Version("0") if value == "0" else Version(value)), kind


def is_affected(version, events):
    """OSV ECOSYSTEM semantics: walk the sorted events; introduced opens, fixed/last_affected close."""
    v = Version(version)
    state = False
    for bound, kind in sorted(_key(e) for e in events if e):
        if kind == "introduced" and v >= bound:
            state = True
        elif kind == "fixed" and v >= bound:
            state = False
        elif kind == "last_affected" and v > bound:
            state = False
    return state


def fixed_in(version, events):
    """The lowest fixed version above the installed one, or None when the record gives none."""
    v = Version(version)
    fixes = sorted(Version(e["fixed"]) for e in events if "fixed" in e and Version(e["fixed"]) > v)
    return str(fixes[0]) if fixes else None


def audit(packages, data):
    """One row per installed package: (name, version, status, [(advisory, fixed_in)])."""
    by_package = {}
    for adv in data["advisories"]:
        by_package.setdefault(canonical(adv["package"]), []).append(adv)
    checked = set(data["checked_packages"])
    rows = []
    for name in sorted(packages):
        version = packages[name]
        if name not in checked:
            rows.append((name, version, "not checked", []))
            continue
        hits = []
        for adv in by_package.get(name, []):
            if adv.get("withdrawn") or not adv["events"]:
                continue
            try:
                if is_affected(version, adv["events"]):
                    hits.append((adv, fixed_in(version, adv["events"])))
            except InvalidVersion:
                rows.append((name, version, "unparsable version", []))
                break
        else:
            rows.append((name, version, "AFFECTED" if hits else "ok", hits))
    return rows


def load_ignores(path):
    """The reviewed ignore entries of the file at path ([] when there is no file).

    Each entry names a package, the advisory's own id (as in advisories.json, not an alias), a
    written reason and the date it was reviewed; anything less is refused with ValueError.
    """
    if not path.exists():
        return []
    entries = json.loads(path.read_text("utf-8")).get("ignores", [])
    seen = set()
    for number, entry in enumerate(entries, 1):
        missing = [k for k in ("package", "id", "reason", "reviewed")
                   if not isinstance(entry.get(k), str) or not entry[k].strip()]
        if missing:
            raise ValueError(f"{path}: ignore entry {number} has no {', '.join(missing)}")
        try:
            datetime.date.fromisoformat(entry["reviewed"])
        except ValueError:
            raise ValueError(f"{path}: ignore entry {number}: reviewed must be a date (YYYY-MM-DD),"
                             f" not {entry['reviewed']!r}") from None
        key = (canonical(entry["package"]), entry["id"])
        if key in seen:
            raise ValueError(f"{path}: {key[0]} {key[1]} is listed twice")
        seen.add(key)
    return entries


def report(rows, data, out=None, ignores=()):
    """Print the rows; 1 when a finding is neither fixed nor in the ignore list, else 0."""
    out = out or sys.stdout
    reviewed = {(canonical(e["package"]), e["id"]): e for e in ignores}
    used = set()
    print(f"Advisory data retrieved {data['retrieved']}:", file=out)
    for source in data["sources"]:
        print(f"  {source['repo']}: {source['what']}", file=out)
    affected = ignored = 0
    for name, version, status, hits in rows:
        open_hits = [adv for adv, _ in hits if (name, adv["id"]) not in reviewed]
        if status == "AFFECTED":
            if open_hits:
                affected += 1
            else:
                status = "ignored (reviewed)"
        print(f"{name:22} {version:18} {status}", file=out)
        for adv, fix in hits:
            aliases = ", ".join(a for a in adv["aliases"] if a.startswith("CVE-")) or adv["id"]
            fix_text = f"fixed in {fix}" if fix else "no fixed version in the record"
            entry = reviewed.get((name, adv["id"]))
            mark = "IGNORED " if entry else ""
            print(f"    {mark}{adv['id']} ({aliases}): {adv['summary']}; {fix_text}", file=out)
            if entry:
                used.add((name, adv["id"]))
                ignored += 1
                print(f"        reason (reviewed {entry['reviewed']}): {entry['reason']}", file=out)
        if name in data.get("not_transcribed", {}):
            count = len(data["not_transcribed"][name])
            print(f"    incomplete: {count} listed advisories were not transcribed", file=out)
    for key in sorted(reviewed.keys() - used):
        print(f"WARNING: ignore entry {key[0]} {key[1]} matches no finding (fixed, not installed,"
              f" or not an advisory id in the data); remove it", file=out)
    print(f"{len(rows)} packages, {affected} affected, {ignored} findings ignored", file=out)
    return 1 if affected else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="advisory file (default: %(default)s)")
    parser.add_argument("--ignore", type=Path, default=IGNORE,
                        help="reviewed ignore list (default: %(default)s)")
    parser.add_argument("--path", action="append", help="site-packages to audit instead of sys.path")
    args = parser.parse_args(argv)
    data = json.loads(args.data.read_text("utf-8"))
    try:
        ignores = load_ignores(args.ignore)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    return report(audit(installed(args.path), data), data, ignores=ignores)


if __name__ == "__main__":
    sys.exit(main())
