"""`hotline serve` as deployed: gunicorn workers answering signed webhooks, stopping cleanly on SIGTERM."""
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tests.conftest import BA_LAN, PUBLIC_URL
from tests.speech.test_asr import KO_MODEL

HOTLINE = [sys.executable, "-c", "from hotline.cli.main import main; main()"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port, path, form, token):
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, form)
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=urlencode(form).encode(),
                                     headers={"X-Twilio-Signature": signature})
    with urllib.request.urlopen(request, timeout=10) as r:
        return r.status, r.read().decode()


def serve(env: dict, workers: int = 2) -> tuple[subprocess.Popen, int]:
    """`hotline serve` started as deployed, once /health answers."""
    port = free_port()
    server = subprocess.Popen(HOTLINE + ["serve", "--port", str(port), "--workers", str(workers)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                assert r.status == 200
            return server, port
        except OSError:
            assert time.monotonic() < deadline and server.poll() is None, "server did not start"
            time.sleep(0.2)


def workers_of(pid: int, count: int) -> list[int]:
    """The server's worker processes, once gunicorn has started `count` of them."""
    deadline = time.monotonic() + 30
    while len(workers := Path(f"/proc/{pid}/task/{pid}/children").read_text().split()) < count:
        assert time.monotonic() < deadline, f"{len(workers)} of {count} workers started"
        time.sleep(0.1)
    return [int(w) for w in workers]


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def test_serve_runs_workers_that_answer_webhooks_and_stop_on_sigterm(cli_env):
    env = {**cli_env, "TWILIO_AUTH_TOKEN": "server-test-token-123", "HOTLINE_ASR": "off"}
    subprocess.run(HOTLINE + ["demo"], env=env, check=True, capture_output=True)
    server, port = serve(env)
    try:
        statuses = set()
        for n in range(6):       # spread over both workers: every one of them verifies and answers
            status, body = post(port, "/voice/incoming", {"CallSid": f"CA{n:032d}", "From": BA_LAN,
                                                          "To": "+84240000000"}, env["TWILIO_AUTH_TOKEN"])
            statuses.add(status)
            assert ET.fromstring(body).tag == "Response"
        assert statuses == {200}
        unsigned = urllib.request.Request(f"http://127.0.0.1:{port}/voice/incoming", data=b"From=%2B84")
        try:
            urllib.request.urlopen(unsigned, timeout=5)
            raise AssertionError("an unsigned webhook was answered")
        except urllib.error.HTTPError as e:
            assert e.code == 403
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0
    logs = output[output.index("Starting gunicorn"):]      # after the banner (whose example is a demo number)
    assert BA_LAN not in logs and env["TWILIO_AUTH_TOKEN"] not in output


def test_the_workers_share_one_speech_model_loaded_before_they_start(cli_env):
    env = {**cli_env, "HOTLINE_ASR": "vosk", "HOTLINE_VOSK_MODEL": str(KO_MODEL)}
    server, port = serve(env, workers=2)
    try:
        for _ in range(6):      # whichever worker answers has speech from its first request: no loading phase
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                assert json.load(r)["speech"]["mode"] == "keypad+speech"
        processes = [server.pid, *workers_of(server.pid, 2)]
        rss = sum(memory_kb(p, "Rss") for p in processes)
        pss = sum(memory_kb(p, "Pss") for p in processes)
        # One copy of the model, mapped by three processes: counted once by PSS, three times by summed RSS.
        # A model loaded in each worker would make the two about equal.
        assert pss < 0.6 * rss, (pss, rss)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    assert server.returncode == 0


def test_each_worker_loads_its_own_whisper_model_after_the_fork_and_hears_callers(cli_env, whisper_model,
                                                                                  fake_twilio, vi_clips):
    """CTranslate2 hangs in a forked child when the parent loaded the model: each worker loads its own, in a
    thread as it starts, and answers keypad-only until then (never a caller waiting for a model)."""
    import uuid

    from tests.speech import answers

    env = {**cli_env, "HOTLINE_ASR": "whisper", "HOTLINE_WHISPER_MODEL": str(whisper_model),
           "TWILIO_ACCOUNT_SID": fake_twilio.account_sid, "TWILIO_AUTH_TOKEN": fake_twilio.auth_token,
           "HOTLINE_TWILIO_API_URL": fake_twilio.url}
    subprocess.run(HOTLINE + ["demo"], env=env, check=True, capture_output=True)
    server, port = serve(env, workers=2)
    try:
        deadline, loaded = time.monotonic() + 60, 0
        while loaded < 8:           # both workers (whichever answers) report the model loaded, 8 times running
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                speech = json.load(r)["speech"]
            loaded = loaded + 1 if speech.get("loaded") else 0
            assert time.monotonic() < deadline, speech
            time.sleep(0.05)
        for n in range(6):          # a real "một" at the main menu, answered by every worker: option 1
            sid = "RE" + uuid.uuid4().hex
            url = fake_twilio.add_recording(sid, answers.spoken(vi_clips, *answers.MOT))
            status, body = post(port, "/voice/menu/main?ev=speech&n=0", {
                "CallSid": f"CA{n:032d}", "From": BA_LAN, "RecordingSid": sid, "RecordingUrl": url},
                env["TWILIO_AUTH_TOKEN"])
            # Option 1 is answered in the same response: bà Lan's warnings menu (no redirect to fetch).
            assert status == 200 and ET.fromstring(body).find("Gather").get("action").startswith(
                "/voice/warnings/village?"), body
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    assert server.returncode == 0


def raw_post(port, path, head: bytes, body_chunks=()) -> int:
    """A request written by hand: a declared length nobody sends, or a chunked body with no length at all."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + head + b"\r\n")
        try:
            for chunk in body_chunks:
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if body_chunks:
                s.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):   # answered and closed before the rest was sent
            pass
        status_line = s.makefile("rb").readline()
    return int(status_line.split()[1])


def test_the_server_refuses_bodies_over_their_cap_unread(cli_env):
    env = {**cli_env, "TWILIO_AUTH_TOKEN": "server-test-token-123", "HOTLINE_ASR": "off"}
    server, port = serve(env, workers=1)
    try:
        form = b"application/x-www-form-urlencoded"
        # 300 MB declared and none sent: answered at once, the server never waits for the body.
        started = time.monotonic()
        assert raw_post(port, "/voice/incoming", b"Content-Type: " + form + b"\r\nContent-Length: 314572800\r\n"
                        b"X-Twilio-Signature: x\r\n") == 413
        assert time.monotonic() - started < 5
        # Chunked, no length: read only up to the cap.
        assert raw_post(port, "/sms/gateway", b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                        b"X-Timestamp: 1\r\nX-Signature: x\r\n", [b"[" * 4096] * 64) == 413
        assert raw_post(port, "/sms/incoming", b"Content-Type: " + form + b"\r\nTransfer-Encoding: chunked\r\n"
                        b"X-Twilio-Signature: x\r\n", [b"Body=" + b"a" * 4096] * 64) == 413
        status, body = post(port, "/voice/incoming", {"CallSid": "CA" + "7" * 32, "From": BA_LAN,
                                                      "To": "+84240000000"}, env["TWILIO_AUTH_TOKEN"])
        assert status == 200 and ET.fromstring(body).tag == "Response"     # the worker still serves
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)


def test_restore_is_refused_while_the_server_runs_and_works_once_it_stopped(cli_env, tmp_path):
    env = {**cli_env, "TWILIO_AUTH_TOKEN": "server-test-token-123", "HOTLINE_ASR": "off"}
    subprocess.run(HOTLINE + ["demo"], env=env, check=True, capture_output=True)
    subprocess.run(HOTLINE + ["backup", "--to", str(tmp_path / "b")], env=env, check=True, capture_output=True)
    [copy] = (tmp_path / "b").glob("hotline-*.db")
    server, port = serve(env, workers=1)
    try:
        refused = subprocess.run(HOTLINE + ["restore", str(copy)], env=env, capture_output=True, text=True)
        assert refused.returncode == 1 and "hotline serve" in refused.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
            assert r.status == 200          # untouched: still serving its database
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    restored = subprocess.run(HOTLINE + ["restore", str(copy)], env=env, capture_output=True, text=True)
    assert restored.returncode == 0, restored.stderr
    assert "before-restore" in restored.stdout
