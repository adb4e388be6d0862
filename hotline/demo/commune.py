"""The demo commune's places and people (prompts/demo/commune.toml): villages, associations, residents."""
from __future__ import annotations

from hotline.domain import places, residents
from hotline.core import prompts
from hotline.core.db import transaction


def load(db) -> dict:
    """Idempotent: places are ensured, residents upserted by phone."""
    data = prompts.data("demo/commune")
    with transaction(db):
        commune_id = places.ensure_commune(db, data["commune"])
        villages = {v["name"]: places.ensure_village(db, commune_id, v["name"], v.get("keypad"))
                    for v in data["villages"]}
        for a in data["associations"]:
            places.ensure_association(db, a["code"], a["name"])
        for r in data["residents"]:
            village_id = villages[r["village"]]
            household_id = places.ensure_household(db, village_id, r["household"], "low_lying" in r["flags"])
            resident, _ = residents.register(
                db, r["phone"], "demo", name=r["name"], village_id=village_id, household_id=household_id,
                gender=r["gender"], birth_year=r["birth_year"],
                **{flag: flag in r["flags"] for flag in residents.FLAGS})
            residents.set_associations(db, resident["id"], r["associations"])
    return {"commune": data["commune"], "residents": len(data["residents"])}
