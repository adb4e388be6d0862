"""The officials' menus speak with the same pre-rendered Vietnamese audio residents hear, once rendered."""
from hotline.domain import places
from hotline.core import prompts
from hotline.core.db import get_db
from tests.voice.officials.flow import CHAIRMAN, CHAIRMAN_PIN, published, say
from voice import render, tts


def rendered(app) -> list[str]:
    """What `hotline prompts render` collects, each as a stand-in clip in the cache (no engine needed)."""
    with app.app_context():
        wanted = render.texts(get_db(), app.config)
    folder = tts.cache_dir(app.config)
    folder.mkdir(parents=True, exist_ok=True)
    for text in wanted:
        (folder / f"{tts.digest(text, 'espeak', 'vi')}.wav").write_bytes(b"RIFF")
    return wanted


def clip(text: str) -> str:
    return f"/audio/{tts.digest(text, 'espeak', 'vi')}.wav"


def option(key: str, digit) -> str:
    return prompts.say("voice.menu.option", action=say(key), digit=digit)


def test_prompts_render_collects_what_the_officials_menus_say(app):
    texts = set(rendered(app))
    with app.app_context():
        db = get_db()
        yen_nong = places.village_by_keypad(db, 1)["name"]
        minutes = max(1, round(app.config.number("HOTLINE_RECORDING_SECONDS") / 60))
    assert {say("pin"), say("menu"), say("audience"), say("audience_commune"), say("no_village"),
            say("welcome", name="Nguyễn Văn Tư"), say("record", minutes=minutes),
            option("record_new", 1), option("approve_pending", 2), option("as_resident", 3),
            option("publish", 1), option("kind_warning", 2), option("send_hotline_only", 2),
            say("audience_village", village=yen_nong, digit=1), say("not_allowed", place=yen_nong),
            say("confirm_announcement", place=yen_nong), say("confirm_warning", level=3, place=yen_nong),
            prompts.say("officials.callout.thanks")} <= texts


def test_a_rendered_officials_line_is_played_not_read(app, phone):
    rendered(app)
    chairman = phone(CHAIRMAN).call(CHAIRMAN_PIN + "#", "1", "vaccination day", "1", "1", "1", "2")
    (row,) = published(app)
    assert chairman.said == []                      # every line from the cache, the recording from its file
    for text in (say("menu"), option("record_new", 1), say("audience"), say("published")):
        assert any(url.endswith(clip(text)) for url in chairman.played), text


def test_an_unrendered_officials_line_is_still_read_in_vietnamese(app, phone):
    chairman = phone(CHAIRMAN).call(CHAIRMAN_PIN + "#")
    assert chairman.heard(say("menu")) and chairman.played == []
