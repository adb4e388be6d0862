"""Whisper on real Vietnamese speech at telephone quality: sentences transcribed, silence and noise heard as nothing."""
import pytest

from hotline.speech import wer, whisper
from tests.speech import answers
from hotline.speech import asr
from hotline.core.config import Config


@pytest.fixture(scope="module")
def quick(whisper_model):
    return whisper.WhisperRecogniser(whisper_model, 2, 0.5)


@pytest.fixture(scope="module")
def thorough(whisper_model):
    return whisper.WhisperRecogniser(whisper_model, 2, 0.5, thorough=True)


def test_real_sentences_are_transcribed_in_vietnamese(thorough, vi_clips):
    pairs = [(text, thorough.transcribe(wav)) for wav, text in vi_clips.values()]
    # Whisper base at 8 kHz: about a quarter of the words wrong (docs/benchmarks.md), never most of them.
    assert wer.rate(pairs) < 0.45, pairs
    assert all(wer.errors(text, heard)[0] <= len(wer.words(text)) // 2 for text, heard in pairs), pairs
    assert any(ch in "".join(h for _, h in pairs) for ch in "ưươơđăâ"), "not Vietnamese spelling"


def test_a_callers_answer_is_heard_word_by_word_with_probabilities(quick, vi_clips):
    heard = quick.recognise(vi_clips["clip2"][0], [])
    assert wer.errors(vi_clips["clip2"][1], heard.text)[0] <= 4, heard.text
    assert [w for w, _ in heard.words] == heard.text.split()
    assert all(0 < p <= 1 for _, p in heard.words)
    assert dict(heard.words)["khác"] > 0.9          # a clear word is sure


def test_a_single_word_cut_from_real_speech_is_that_word(quick, vi_clips):
    heard = quick.recognise(answers.spoken(vi_clips, *answers.MOT), [])
    assert [w.lower() for w, _ in heard.words] == ["một"]


@pytest.mark.parametrize("recording", [answers.silence, answers.noise, answers.hum, lambda: answers.noise(level=0.005)],
                         ids=["silence", "loud noise", "hum", "hiss"])
def test_silence_and_noise_are_no_answer(quick, thorough, recording):
    # Whisper alone invents sentences on silence ("... subscribe cho kênh ..."); the voice detector stops that.
    assert quick.recognise(recording(), []) is None
    assert thorough.transcribe(recording()) == ""


def test_the_model_is_loaded_once_per_process(whisper_model, monkeypatch):
    first = whisper.load(whisper_model, 2)
    import faster_whisper

    monkeypatch.setattr(faster_whisper, "WhisperModel", lambda *a, **k: pytest.fail("loaded twice"))
    assert whisper.load(whisper_model, 2) is first and whisper.loaded(whisper_model, 2) is first


def test_a_process_that_has_not_loaded_the_model_offers_the_keypad(whisper_model, monkeypatch):
    # After a fork the parent's model hangs in the child: each process needs its own (hotline/speech/whisper.py).
    monkeypatch.setattr(whisper.os, "getpid", lambda: -1)
    recogniser = whisper.WhisperRecogniser(whisper_model, 2, 0.5)
    assert not recogniser.available and recogniser.status()["mode"] == "keypad-only"
    assert recogniser.recognise(answers.noise(), []) is None


@pytest.mark.parametrize("calls, background, vosk, whisper_present, expected", [
    ("auto", "auto", True, True, ("vosk", "whisper")),
    ("auto", "auto", False, True, ("whisper", "whisper")),
    ("auto", "auto", True, False, ("vosk", "vosk")),
    ("auto", "auto", False, False, ("off", "off")),
    ("script", "auto", False, True, ("script", "script")),
    ("off", "auto", True, True, ("off", "whisper")),
    ("whisper", "off", True, True, ("whisper", "off")),
])
def test_settings_choose_an_engine_for_each_job(tmp_path, whisper_model, calls, background, vosk, whisper_present,
                                                 expected):
    from tests.speech.test_asr import KO_MODEL

    config = Config.from_env({"HOTLINE_ASR": calls, "HOTLINE_ASR_BACKGROUND": background,
                              "HOTLINE_VOSK_MODEL": str(KO_MODEL if vosk else tmp_path / "none"),
                              "HOTLINE_WHISPER_MODEL": str(whisper_model if whisper_present else tmp_path / "none")})
    assert (asr.engine_for(config, "calls"), asr.engine_for(config, "background")) == expected


def test_more_words_than_the_speech_could_hold_are_no_answer(quick, vi_clips, monkeypatch):
    """Whisper sometimes writes a whole sentence from habit (a video's outro) over a word or two of speech."""
    real = whisper._words
    monkeypatch.setattr(whisper, "_words", lambda w, ids, steps: real(w, ids, steps) * 16)
    assert quick.recognise(answers.spoken(vi_clips, *answers.MOT), []) is None
    monkeypatch.setattr(whisper, "_words", lambda w, ids, steps: real(w, ids, steps) * 2)
    assert quick.recognise(answers.spoken(vi_clips, *answers.MOT), []) is not None


def test_a_model_that_fails_to_load_leaves_the_keypad_and_says_why(tmp_path):
    broken = tmp_path / "whisper-base"
    broken.mkdir()
    for name in ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt"):
        (broken / name).write_bytes(b"not a model")
    config = Config.from_env({"HOTLINE_ASR": "whisper", "HOTLINE_WHISPER_MODEL": str(broken)})
    asr.preload(config).join(30)
    recogniser = asr.get_recogniser(config)
    assert not recogniser.available and "failed to load" in recogniser.status()["reason"]
