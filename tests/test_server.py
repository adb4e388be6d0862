"""`hotline serve` as deployed: gunicorn workers answering signed webhooks, stopping cleanly on SIGTERM."""
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

from tests.conftest import BA_LAN, PUBLIC_URL

HOTLINE = [sys.executable, "-c", "from hotline.cli import main; main()"]


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


def test_serve_runs_workers_that_answer_webhooks_and_stop_on_sigterm(cli_env):
    env = {**cli_env, "TWILIO_AUTH_TOKEN": "server-test-token-123", "HOTLINE_ASR": "off"}
    subprocess.run(HOTLINE + ["demo"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(HOTLINE + ["serve", "--port", str(port), "--workers", "2"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert r.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "server did not start"
                time.sleep(0.2)
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
