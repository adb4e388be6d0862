"""The voice prompts built from keys at run time exist, and every menu keeps to four options."""
import pytest

from hotline.core import prompts
from voice import guides, menus
from hotline.speech.models import FetchError

CONTROL_WORDS = ["repeat", "main", "operator", "0", "1", "2", "3", "4", "yes", "no"]


@pytest.mark.parametrize("reason", ["silence", "invalid", "not_understood", "speech_failed"])
def test_every_reprompt_has_words(reason):
    assert prompts.say(f"voice.menu.{menus._lead(reason)}")


@pytest.mark.parametrize("guide", guides.GUIDES)
def test_every_guide_has_title_steps_and_spoken_names(guide):
    assert prompts.say(f"guides.{guide}.title") and prompts.raw(f"guides.{guide}.steps")
    assert prompts.raw(f"voice.words.{guide}")


@pytest.mark.parametrize("words", CONTROL_WORDS + ["warnings", "guides", "lessons", "announcements", "next",
                                                    "again", "sms"])
def test_every_vocabulary_is_a_list_of_phrases(words):
    phrases = prompts.raw(f"voice.words.{words}")
    assert phrases and all(isinstance(p, str) and p == p.strip() and p for p in phrases)


@pytest.mark.parametrize("topic", sorted(__import__("hotline.domain.lessons").domain.lessons.topics()))
def test_every_lesson_topic_has_a_spoken_name(topic):
    assert prompts.say(f"voice.lessons.topic.{topic}")


@pytest.mark.parametrize("reason, values", [("model_offline", {"url": "u", "reason": "r"}),
                                            ("model_bad_hash", {"got": "x"})])
def test_every_model_fetch_error_has_words(reason, values):
    assert prompts.say(f"voice.cli.{reason}", **values)
    assert FetchError(reason, **values).reason == reason


def test_a_menu_refuses_a_fifth_option_or_a_reserved_key():
    options = [menus.Option(str(n), "x", str(n)) for n in range(1, 6)]
    with pytest.raises(ValueError):
        menus.Menu("too-long", "/x", [], options)
    with pytest.raises(ValueError):
        menus.Menu("reserved", "/x", [], [menus.Option("0", "x", "x")])


def test_main_menu_words_do_not_collide():
    """A phrase must choose one thing: the same words for two options would make speech ambiguous."""
    from voice.routes import main_menu

    seen = {}
    for o in main_menu().options:
        for phrase in o.words:
            assert seen.setdefault(phrase, o.key) == o.key, phrase
