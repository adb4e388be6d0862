"""The pacing helper every menu uses: options said as action then key, keys or speech, and patience.

A menu is shown with a keypad <Gather> (finishOnKey="" so # reaches us), then, when speech is
available, a short <Record> whose action runs the menu's grammar. Silence or a wrong key re-prompts;
the second time the caller is also offered the operator (0) or the main menu (#); the third time we
say goodbye. * repeats and # goes to the main menu at every level; 0 reaches the operator.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app, g
from twilio.twiml.voice_response import VoiceResponse

from hotline.domain import calls
from hotline.core import prompts
from hotline.core.db import now
from hotline.core.text import key
from hotline.web.webhooks import Compiled, xml
from hotline.speech import asr, audio, matching
from hotline.sending import recordings
from voice import steps, tts
from voice.webhook import CallInput, Recorded

MAX_OPTIONS = 4
MAX_FAILURES = 3
MAIN_URL = "/voice/menu/main"
OPERATOR_URL = "/voice/operator"
RECORD_SECONDS = 4
log = logging.getLogger(__name__)
CONTROL = {"*": "repeat", "#": "main", "0": "operator"}


@dataclass(frozen=True)
class Option:
    key: str                       # the keypad digit
    action: str                    # said before the key (action, then key)
    value: str                     # what the route receives when it is chosen
    words: tuple[str, ...] = ()    # what the caller may say instead


@dataclass
class Menu:
    name: str                      # in the call log: main, guides, guide.vneid …
    url: str                       # the route that shows and answers this menu (state in its query)
    intro: list = field(default_factory=list)       # texts or Recordings; said on show and on *, not on retries
    options: list[Option] = field(default_factory=list)
    footer: list[str] = field(default_factory=list)
    understood: tuple[Option, ...] = ()             # chosen by speech only: not said, no key (villages on other pages)

    def __post_init__(self):
        if len(self.options) > MAX_OPTIONS:
            raise ValueError(f"menu {self.name} has {len(self.options)} options; elderly callers manage {MAX_OPTIONS}")
        keys = [o.key for o in self.options]
        if len(set(keys)) != len(keys) or set(keys) & set(CONTROL):
            raise ValueError(f"menu {self.name}: keys must be unique and not *, # or 0")


@dataclass(frozen=True)
class Recording:
    """A recording kept locally (an official's voice), read as text when the file is gone."""
    path: str | None
    text: str | None = None


@dataclass(frozen=True)
class Choice:
    option: Option
    via: str                       # key | speech


def option(action_key: str, digit: str, value: str, words_key: str | None = None, **values) -> Option:
    """An Option whose words come from prompts/ (voice.words.<value> and the digit's own words)."""
    words = tuple(prompts.raw(f"voice.words.{words_key}")) if words_key else ()
    return Option(digit, prompts.say(action_key, **values), value, words)


def with_params(url: str, **params) -> str:
    return _with_params(url, tuple((k, str(v)) for k, v in params.items() if v is not None))


@lru_cache(maxsize=2048)
def _with_params(url: str, params: tuple) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def option_line(o: Option) -> str:
    return prompts.say("voice.menu.option", action=o.action, digit=o.key)


def spoken(menu: Menu, intro: bool = True) -> list:
    """Everything the menu says, each text a separate pre-rendered clip."""
    return [*(menu.intro if intro else []), *(option_line(o) for o in menu.options), *menu.footer]


def say(parent, item) -> None:
    if isinstance(item, Recording):
        if not (item.path and tts.play_file(parent, item.path)) and item.text:
            tts.speak(parent, item.text)
    elif item:
        tts.speak(parent, item)


def show(menu: Menu, failures: int = 0, lead: list[str] = (), response: VoiceResponse | None = None,
         intro: bool = True) -> VoiceResponse:
    """The menu's TwiML. A menu said in full (no recorded voice: its file may come and go) is built once per
    wording, settings and audio cache, then sent from memory: the same words always make the same document."""
    if response is not None or any(isinstance(item, Recording) and item.path for item in (*lead, *menu.intro)):
        return _build(menu, failures, lead, response or VoiceResponse(), intro)
    config = current_app.config
    key = (menu.name, menu.url, tuple(menu.intro), tuple(menu.options), tuple(menu.footer), failures,
           tuple(lead), intro, id(prompts.catalogue()), config.public_url, config["HOTLINE_GATHER_TIMEOUT"],
           config["HOTLINE_TTS_ENGINES"], tts.listing(config), asr.get_recogniser().available)
    document = _documents.get(key)
    if document is None:
        document = Compiled(xml(_build(menu, failures, lead, VoiceResponse(), intro)))
        if len(_documents) >= 2048:      # wordings change rarely; this only bounds a long-running process
            _documents.clear()
        _documents[key] = document
    return document


_documents: dict[tuple, Compiled] = {}


def _build(menu: Menu, failures: int, lead, response: VoiceResponse, intro: bool) -> VoiceResponse:
    timeout = int(float(current_app.config["HOTLINE_GATHER_TIMEOUT"]))
    gather = response.gather(input="dtmf", num_digits=1, timeout=timeout, finish_on_key="",
                             action=with_params(menu.url, ev="key", n=failures))
    for item in [*lead, *spoken(menu, intro)]:
        say(gather, item)
    if failures >= 2:
        tts.speak(gather, prompts.say("voice.menu.offer_help"))
    if asr.get_recogniser().available:
        tts.speak(response, prompts.say("voice.menu.say_it"))
        response.record(max_length=RECORD_SECONDS, timeout=2, play_beep=False, trim="trim-silence",
                        action=with_params(menu.url, ev="speech", n=failures))
    # Reached only when the Gather timed out and nothing was said (an empty Record skips its action).
    response.redirect(with_params(menu.url, ev="silence", n=failures))
    return response


def handle(menu: Menu, call: CallInput) -> Choice | VoiceResponse:
    """Answer a menu request: a Choice for the route to act on, or the TwiML to send (repeat, re-prompt …)."""
    event, failures = call.event, call.number("n")
    if event == "speech" and call.digits is not None:
        event = "key"           # a key pressed during the <Record> ends it; Twilio posts it as Digits
    if event is None:
        log_step(menu, call, "shown")
        return show(menu, failures)
    if event == "key":
        digits = (call.digits or "")[:1]
        found, heard, confidence = _by_key(menu, digits), None, None
    elif event == "speech":
        digits = None
        try:
            found, heard, confidence = _by_speech(menu, call)
        except Exception as e:  # undecodable audio or a recogniser fault: the keypad still works
            log.warning("speech step failed: %s", e)
            log_step(menu, call, "speech_failed", "retry", heard=type(e).__name__)
            return retry(menu, failures + 1, "speech_failed")
    else:
        found = digits = heard = confidence = None
    kind = "silence" if event == "silence" or (event == "key" and not digits) else event
    if found is None:
        reason = "silence" if kind == "silence" else ("not_understood" if event == "speech" else "invalid")
        log_step(menu, call, reason, "retry" if failures + 1 < MAX_FAILURES else "goodbye",
                 input=digits, heard=heard, confidence=confidence)
        return retry(menu, failures + 1, reason)
    outcome = found if isinstance(found, str) else found.value
    log_step(menu, call, kind, outcome, input=digits, heard=heard, confidence=confidence)
    if found == "repeat":
        return show(menu, failures)
    if found == "main":
        return steps.go(call, MAIN_URL)
    if found == "operator":
        return steps.go(call, OPERATOR_URL)
    return Choice(found, kind)


def retry(menu: Menu, failures: int, reason: str) -> VoiceResponse:
    if failures >= MAX_FAILURES:
        return goodbye()
    return show(menu, failures, [prompts.say(f"voice.menu.{_lead(reason)}")], intro=False)


def _lead(reason: str) -> str:
    return {"silence": "not_heard", "not_understood": "not_understood",
            "speech_failed": "speech_unavailable"}.get(reason, "invalid")


def goodbye() -> VoiceResponse:
    response = VoiceResponse()
    tts.speak(response, prompts.say("voice.menu.goodbye"))
    response.hangup()
    return response


def _by_key(menu: Menu, digits: str):
    if digits in CONTROL:
        return CONTROL[digits]
    return next((o for o in menu.options if o.key == digits), None)


def grammar(menu: Menu) -> dict[str, tuple[str, object]]:
    """key(phrase) → (phrase, what it chooses): options' words and digits, speech-only choices, repeat / main / operator."""
    phrases: dict[str, tuple[str, object]] = {}
    sources = [(o, (*o.words, *prompts.raw(f"voice.words.{o.key}"))) for o in menu.options]
    sources += [(o, o.words) for o in menu.understood]
    sources += [(c, prompts.raw(f"voice.words.{c}")) for c in ("repeat", "main", "operator")]
    sources.append(("operator", prompts.raw("voice.words.0")))
    for choice, words in sources:
        for phrase in words:
            phrases.setdefault(key(phrase), (phrase, choice))   # options first: a yes/no menu's own "no" beats operator words
    return phrases


def _by_speech(menu: Menu, call: CallInput):
    phrases = grammar(menu)
    recording = call.recording or Recorded("", "")        # none posted: the download refuses it, as any bad one
    sid, posted = recording.sid, recording.url
    recording = recordings.download(current_app.config, sid, posted, seconds=RECORD_SECONDS)
    recordings.delete_later(current_app.config, sid, posted)         # what a caller said is never kept
    recogniser = asr.get_recogniser()
    heard = recogniser.recognise(audio.to_wav_8k(recording), sorted(p for p, _ in phrases.values()))
    if heard is None:
        return None, None, None
    # A free transcript (Whisper) may write a key as a numeral: "number 2" names key 2 as "number two" does.
    offered = {**phrases, **{o.key: (o.key, o) for o in menu.options}}
    found = matching.choose(heard.text, heard.confidence, heard.words, offered)
    if found is None or found.confidence < recogniser.min_confidence:
        return None, heard.text, found.confidence if found else heard.confidence
    return found.choice, heard.text, found.confidence


def log_step(menu: Menu, call: CallInput, event: str, outcome: str | None = None, *, input: str | None = None,
             heard: str | None = None, confidence: float | None = None) -> None:
    """Queued for the call log's writer: a menu step that reads nothing never opens the database."""
    if not call.call_sid:
        return
    elapsed = int((time.perf_counter() - g.started) * 1000) if "started" in g else None
    calls.queue(current_app.config["HOTLINE_DB"],
                (call.call_sid, now(), menu.name, event, input, heard, confidence, outcome, elapsed))
