"""Offline dependency audit: installed distributions against the vendored tools/advisories.json.

pip-audit needs PyPI's JSON API or OSV, which the build machines cannot reach; this reads the
same OSV records (the Python Packaging Advisory Database), copied into the repository with their
source and date. Exit status 1 when an installed version falls in an advisory's range.
"""
import argparse
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


def report(rows, data, out=None):
    out = out or sys.stdout
    print(f"Advisory data retrieved {data['retrieved']}:", file=out)
    for source in data["sources"]:
        print(f"  {source['repo']}: {source['what']}", file=out)
    for name, version, status, hits in rows:
        print(f"{name:22} {version:18} {status}", file=out)
        for adv, fix in hits:
            aliases = ", ".join(a for a in adv["aliases"] if a.startswith("CVE-")) or adv["id"]
            fix_text = f"fixed in {fix}" if fix else "no fixed version in the record"
            print(f"    {adv['id']} ({aliases}): {adv['summary']}; {fix_text}", file=out)
        if name in data.get("not_transcribed", {}):
            count = len(data["not_transcribed"][name])
            print(f"    incomplete: {count} listed advisories were not transcribed", file=out)
    affected = [r for r in rows if r[2] == "AFFECTED"]
    print(f"{len(rows)} packages, {len(affected)} affected", file=out)
    return 1 if affected else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="advisory file (default: %(default)s)")
    parser.add_argument("--path", action="append", help="site-packages to audit instead of sys.path")
    args = parser.parse_args(argv)
    data = json.loads(args.data.read_text("utf-8"))
    return report(audit(installed(args.path), data), data)


if __name__ == "__main__":
    sys.exit(main())
