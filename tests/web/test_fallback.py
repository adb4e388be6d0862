"""The static fallback answers in Vietnamese without the app."""
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import requests
from click.testing import CliRunner

from hotline.web import fallback
from hotline.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def test_the_voice_fallback_speaks_vietnamese_and_dials_the_duty_officer(tmp_path):
    root = ET.fromstring(fallback.voice_twiml(["+84240000001"]))
    says = root.findall("Say")
    assert says and all(s.get("language") == "vi-VN" for s in says)
    assert "112" in says[0].text
    assert [n.text for n in root.findall("./Dial/Number")] == ["+84240000001"]
    assert root[-1].tag == "Hangup"


def test_the_sms_fallback_fits_one_segment():
    from hotline.core.segments import count

    text = ET.fromstring(fallback.sms_twiml()).find("Message").text
    assert count(text).segments == 1


def test_the_fallback_server_runs_without_the_app(tmp_path):
    result = CliRunner().invoke(main, ["fallback", "build", "--to", str(tmp_path), "--dial", "024 3826 1234"])
    assert result.exit_code == 0, result.output
    # -S -I: no site-packages and no project on the path, so nothing of the app can be imported.
    server = subprocess.Popen([sys.executable, "-S", "-I", str(ROOT / "fallback" / "serve.py"), "--dir",
                               str(tmp_path), "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split()[-1]
        voice = requests.post(url + "/voice/incoming", data={"From": "+84912100000"}, timeout=5)
        sms = requests.post(url + "/sms/incoming", data={"Body": "DK"}, timeout=5)
    finally:
        server.kill()
        server.wait()
        server.stdout.close()
    assert voice.status_code == 200 and voice.headers["Content-Type"].startswith("text/xml")
    assert ET.fromstring(voice.text).find("./Dial/Number").text == "+842438261234"
    assert ET.fromstring(sms.text).find("Message") is not None
