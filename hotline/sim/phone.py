"""Simulated phones for officials and tests: signed webhooks in, TwiML followed the way Twilio runs it.

No side doors: every request goes through the same signed routes as Twilio's.
"""
from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from hotline.web.webhooks import sign

MAX_STEPS = 200
RECORDING_SID = re.compile(r"^RE[0-9a-f]{32}$")


class Webhooks:
    """Posts signed form webhooks to the app in-process (a Flask test client) or to a server over HTTP."""

    def __init__(self, config, client=None, base_url: str | None = None):
        self.config, self.client, self.base_url = config, client, (base_url or "").rstrip("/")

    def absolute(self, url: str) -> str:
        return urljoin(self.config.public_url + "/", url)

    def post(self, url: str, params: dict) -> tuple[int, str]:
        full = self.absolute(url)
        headers = {"X-Twilio-Signature": sign(self.config, full, params)}
        parts = urlsplit(full)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if self.client is not None:
            r = self.client.post(path, data=params, headers=headers)
            return r.status_code, r.get_data(as_text=True)
        import requests

        r = requests.post(self.base_url + path, data=params, headers=headers, timeout=15)
        return r.status_code, r.text


class HangUp(Exception):
    """Raised by an input function when the caller puts the phone down."""


class WaitingForInput(Exception):
    """Step mode: the document asks the caller for something; the call pauses here."""

    def __init__(self, kind: str, attrs: dict):
        super().__init__(kind)
        self.kind, self.attrs = kind, attrs


def scripted(*answers):
    """An input function that gives each answer in turn (keys, words, "y"/"n") and hangs up after the last."""
    queue = list(answers)

    def answer(kind, attrs):
        if not queue:
            raise HangUp
        return queue.pop(0)
    return answer


@dataclass
class Event:
    kind: str            # say | play | dial | record | hangup | sms | error
    text: str = ""
    attrs: dict = field(default_factory=dict)


class Call:
    """One inbound call. input_fn(kind, attrs) -> str returns keys pressed ("" = silence) or words said."""

    def __init__(self, hooks: Webhooks, caller: str, input_fn, output_fn=None, called: str | None = None,
                 recorder=None):
        self.hooks, self.input_fn = hooks, input_fn
        self.output_fn = output_fn or (lambda event: None)
        self.recorder = recorder        # recorder(words) -> RecordingUrl; None = typed speech is silence
        self.events: list[Event] = []
        self.step_mode = input_fn is None   # no input function: pause at each question (begin/resume)
        self._answer: str | None = None
        self._at = None
        self.params = {"CallSid": "CA" + uuid.uuid4().hex, "AccountSid": hooks.config.account_sid(),
                       "From": caller, "To": called or hooks.config["TWILIO_FROM"] or "+84240000000",
                       "Caller": caller, "Direction": "inbound", "CallStatus": "in-progress",
                       "ApiVersion": "2010-04-01"}

    def emit(self, kind, text="", **attrs):
        event = Event(kind, text, attrs)
        self.events.append(event)
        self.output_fn(event)

    def run(self, url: str = "/voice/incoming") -> list[Event]:
        self._drive(self.fetch(url, {}))
        return self.events

    def begin(self, url: str = "/voice/incoming") -> dict | None:
        """Step mode: walk until the caller must act; the saved state (JSON-able), or None once hung up."""
        return self._drive(self.fetch(url, {}))

    def resume(self, state: dict, answer: str) -> dict | None:
        """Step mode: give the paused verb its answer (keys, words, "y"/"n") and walk on."""
        self.params = dict(state["params"])
        self._answer = answer
        return self._drive((state["url"], ET.fromstring(state["xml"])), state["index"])

    def hang_up(self, state: dict | None = None) -> None:
        """Step mode: the caller puts the phone down while the call is paused."""
        if state:
            self.params = dict(state["params"])
        self._drive(None)

    def _drive(self, document, start: int = 0) -> dict | None:
        try:
            for _ in range(MAX_STEPS):
                if document is None:
                    break
                document, start = self.execute(*document, start=start), 0
        except HangUp:  # the caller put the phone down; Twilio still reports the call completed
            document = None
        except WaitingForInput as waiting:
            url, root, index = self._at
            return {"params": self.params, "url": url, "xml": ET.tostring(root, encoding="unicode"),
                    "index": index, "kind": waiting.kind, "attrs": waiting.attrs}
        self.hooks.post("/voice/status", {**self.params, "CallStatus": "completed"})
        self.emit("hangup")
        return None

    def ask(self, kind: str, attrs: dict) -> str:
        if self._answer is not None:
            answer, self._answer = self._answer, None
            return answer
        if self.step_mode:
            raise WaitingForInput(kind, attrs)
        return self.input_fn(kind, attrs)

    def fetch(self, url: str, extra: dict):
        status, body = self.hooks.post(url, {**self.params, **extra})
        if status != 200:
            self.emit("error", f"HTTP {status}")
            return None
        return self.hooks.absolute(url), ET.fromstring(body)

    def execute(self, url: str, root, start: int = 0):
        """Run the verbs in order (from verb `start` when resuming); the next document, or None at the end."""
        for index, verb in enumerate(root):
            if index < start:
                continue
            resumed = index == start and self._answer is not None  # its prompts were heard before the pause
            self._at = (url, root, index)
            tag = verb.tag
            if tag in ("Say", "Play"):
                self.speak(verb)
            elif tag == "Gather":
                for child in ([] if resumed else verb):
                    self.speak(child)
                keys = self.ask("gather", dict(verb.attrib))
                finish = verb.get("finishOnKey", "#")
                if finish and finish in keys:
                    keys = keys[: keys.index(finish)]
                if verb.get("numDigits"):
                    keys = keys[: int(verb.get("numDigits"))]
                # A timed-out Gather falls through to the next verb unless actionOnEmptyResult.
                if keys or verb.get("actionOnEmptyResult") == "true":
                    return self.fetch(urljoin(url, verb.get("action", url)), {"Digits": keys})
            elif tag == "Record":
                words = self.ask("record", dict(verb.attrib))
                self.emit("record", words, **verb.attrib)
                # An empty recording does not call the action: Twilio moves on to the next verb.
                if words and self.recorder is not None:
                    recording = self.recorder(words)
                    # Twilio's RecordingUrl ends in the RecordingSid: the app may find the recording by either.
                    sid = recording.rstrip("/").rsplit("/", 1)[-1].removesuffix(".wav")
                    extra = {"RecordingUrl": recording, "RecordingDuration": "3",
                             "RecordingSid": sid if RECORDING_SID.match(sid) else "RE" + uuid.uuid4().hex}
                    return self.fetch(urljoin(url, verb.get("action", url)), extra)
            elif tag == "Redirect":
                return self.fetch(urljoin(url, verb.text.strip()), {})
            elif tag == "Dial":
                numbers = [n.text for n in verb] or [verb.text]
                if not resumed:
                    self.emit("dial", ", ".join(filter(None, numbers)), **verb.attrib)
                answered = self.ask("dial", dict(verb.attrib))
                status = "completed" if answered.strip().lower() in ("y", "yes", "1") else "no-answer"
                if verb.get("action"):
                    return self.fetch(urljoin(url, verb.get("action")), {"DialCallStatus": status})
            elif tag in ("Hangup", "Reject"):
                return None
            elif tag == "Pause":
                continue
            else:
                self.emit("error", f"unsupported verb {tag}")
        return None  # out of verbs: Twilio hangs up

    def speak(self, verb):
        if verb.tag == "Say":
            self.emit("say", (verb.text or "").strip(), **verb.attrib)
        elif verb.tag == "Play":
            self.emit("play", (verb.text or "").strip(), **verb.attrib)


def send_sms(hooks: Webhooks, sender: str, body: str, to: str | None = None,
             sid: str | None = None) -> tuple[int, list[str]]:
    """One inbound SMS through /sms/incoming; returns the status and the reply texts."""
    sid = sid or "SM" + uuid.uuid4().hex
    params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": hooks.config.account_sid(), "From": sender,
              "To": to or hooks.config["TWILIO_FROM"] or "+84240000000", "Body": body, "NumMedia": "0"}
    status, text = hooks.post("/sms/incoming", params)
    if status != 200 or not text.strip():
        return status, []
    return status, [(m.text or "") for m in ET.fromstring(text).iter("Message")]
