"""Whatever arrives, and however often at once: a command, one effect, the same reply."""
import threading
import uuid

from hypothesis import given, settings as hyp_settings, strategies as st

from hotline.domain import residents
from hotline.sim.phone import Webhooks, send_sms
from sms import commands, keywords
from tests.conftest import ANH_MINH

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐ ?!.,"


@hyp_settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.text(alphabet=VIETNAMESE, max_size=60),
                 st.builds(lambda kw, rest: kw + rest, st.sampled_from(["DK ", "HOC", "HD ", "huy ", "?"]),
                           st.text(max_size=30))))
def test_every_text_parses_to_a_command_we_answer(body):
    command = keywords.parse(body)
    assert command.name in commands.HANDLERS
    assert all(isinstance(word, str) and word for word in command.args)


def test_simultaneous_deliveries_of_one_message_have_one_effect(app):
    """Twilio retries a slow webhook while the first attempt still runs: both get the same answer."""
    from werkzeug.serving import make_server

    # shutdown() stops the loop before the socket closes (waitress's close() from another thread
    # raced its select() and failed the next test now and then).
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hooks = Webhooks(app.config, base_url=f"http://127.0.0.1:{server.server_port}")
        sid, results = "SM" + uuid.uuid4().hex, []
        barrier = threading.Barrier(8)

        def deliver():
            barrier.wait()
            results.append(send_sms(hooks, ANH_MINH, "DK Minh Dong Tam", sid=sid))

        threads = [threading.Thread(target=deliver) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        server.shutdown()
        server.server_close()
    assert len(results) == 8 and len({(status, tuple(replies)) for status, replies in results}) == 1
    assert results[0][0] == 200 and results[0][1][0].startswith("Da dang ky Minh, thon Dong Tam")
    from hotline.core import db as storage

    db = storage.connect(app.config["HOTLINE_DB"])
    assert db.execute("SELECT COUNT(*) FROM sms_inbox WHERE provider_id = ?", [sid]).fetchone()[0] == 1
    assert residents.by_phone(db, ANH_MINH)["name"] == "Minh"
    db.conn.close()
