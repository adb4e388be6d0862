"""A transcript names an offered choice or nothing: exact spelling first, then accent-blind; never a guess."""
import pytest

from hotline.speech.matching import choose
from hotline.core.text import key

OFFER = {key(p): (p, c) for p, c in [("cảnh báo", "warnings"), ("một", "warnings"), ("hướng dẫn", "guides"),
                                    ("hai", "guides"), ("số hai", "guides"), ("ba", "lessons"), ("có", "yes"),
                                    ("không", "no"), ("tổng đài", "operator")]}


def pick(text, words=(), confidence=0.9, offer=OFFER):
    found = choose(text, confidence, words, offer)
    return found and found.choice


@pytest.mark.parametrize("text, expected", [
    ("Cảnh báo.", "warnings"),                          # case and punctuation are not words
    ("tôi muốn nghe hướng dẫn", "guides"),              # the option inside a sentence
    ("Canh bao", "warnings"),                           # no tone marks at all: still the option
    ("cảnh bảo", "warnings"),                           # a tone heard wrong
    ("số hai", "guides"),
    ("bà muốn nghe hướng dẫn", "guides"),               # "bà" is not "ba" (three) when "hướng dẫn" is exact
    ("Bà", "lessons"),                                  # …but "Ba" heard as "Bà" alone is three
    ("cảnh báo hay hướng dẫn", None),                   # two choices named: none
    ("xin chào", None),
    ("", None),
    ("haiphong", None),                                 # whole words only
    ("cả nhà", None),
])
def test_a_transcript_chooses_only_what_it_names(text, expected):
    assert pick(text) == expected


def test_a_choice_that_was_not_offered_is_never_picked():
    offer = {k: v for k, v in OFFER.items() if v[1] != "warnings"}
    assert pick("cảnh báo", offer=offer) is None and pick("một", offer=offer) is None


def test_the_confidence_is_that_of_the_words_naming_the_choice():
    words = (("Tôi", 0.2), ("muốn", 0.3), ("hướng", 0.9), ("dẫn", 0.4))
    found = choose("Tôi muốn hướng dẫn", 0.1, words, OFFER)
    assert found.choice == "guides" and found.confidence == pytest.approx((0.9 * 0.4) ** 0.5)


def test_without_word_probabilities_the_utterance_confidence_counts():
    assert choose("hai", 0.42, (), OFFER).confidence == pytest.approx(0.42)


def test_the_same_choice_named_twice_is_one_answer():
    assert pick("hai, số hai") == "guides"
