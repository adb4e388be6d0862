"""Speech for the call simulator, through the same road as a real caller's voice.

The simulator cannot speak, so the words typed at a speech prompt travel inside a recording: a short
WAV whose RIFF INFO chunk (ICMT) carries the transcript. A small local store serves it shaped like
Twilio's Recordings API, behind the same basic auth; the simulator posts its URL as RecordingUrl
through the signed Record action; the app downloads it like any recording and, with HOTLINE_ASR=script,
the script recogniser reads the words back and matches them against the menu's grammar.

The store keeps its recordings as files in the instance folder, named by their RecordingSid. Without a
Twilio account (local mode) the simulator is the only phone company there is, so the app reads a
recording of the local account from there by its sid (hotline.sending.recordings): a voicemail left through the
simulator is still found by the worker's retries after the simulator has hung up.
"""
from __future__ import annotations

import os
import re
import threading
import uuid
from contextlib import contextmanager

import numpy as np
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hotline.sending.recordings import local_folder as folder
from hotline.speech import audio
from hotline.speech.asr import TRANSCRIPT_TAG

SID = re.compile(r"^RE[0-9a-f]{32}$")


def speech_wav(words: str, seconds: float = 1.0, rate: int = 8000) -> bytes:
    """Low noise (a line is never digitally silent) carrying the words for the script recogniser."""
    samples = (np.random.default_rng(0).standard_normal(int(rate * seconds)) * 0.01).astype(np.float32)
    return audio.wav(samples, rate, {TRANSCRIPT_TAG: words})


class RecordingStore:
    """Twilio-shaped recordings on 127.0.0.1: GET /2010-04-01/Accounts/<sid>/Recordings/<RE…>[.wav]."""

    def __init__(self, config):
        self.account_sid = config.account_sid()
        self.token = config["TWILIO_AUTH_TOKEN"] or config.auth_token()
        self.folder = folder(config)
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @Request.application
    def _app(self, request):
        auth = request.authorization
        if not auth or (auth.username, auth.password) != (self.account_sid, self.token):
            return Response("unauthorised", 401)
        sid = request.path.rstrip("/").rsplit("/", 1)[-1].removesuffix(".wav")
        path = self.folder / f"{sid}.wav"
        if not SID.match(sid) or not path.is_file():
            return Response("not found", 404)
        return Response(path.read_bytes(), content_type="audio/x-wav")

    def record(self, words: str) -> str:
        """Store the words as a recording; the RecordingUrl Twilio would post (its last part is the RecordingSid)."""
        sid = "RE" + uuid.uuid4().hex
        self.folder.mkdir(parents=True, exist_ok=True)
        part = self.folder / f"{sid}.part"
        part.write_bytes(speech_wav(words))
        os.replace(part, self.folder / f"{sid}.wav")
        port = self.server.server_port
        return f"http://127.0.0.1:{port}/2010-04-01/Accounts/{self.account_sid}/Recordings/{sid}"


def caption(config, url: str) -> str:
    """The text of a pre-rendered clip (from the cache's index.tsv), so the simulator can show it."""
    from voice.render import read_index
    from voice.tts import cache_dir

    return read_index(cache_dir(config)).get(url.rsplit("/", 1)[-1], url)


@contextmanager
def recording_store(config):
    store = RecordingStore(config)
    store.thread.start()
    try:
        yield store
    finally:
        store.server.shutdown()
        store.server.server_close()
