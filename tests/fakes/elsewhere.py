"""Another web server on 127.0.0.1 that answers every request with audio and keeps a list of what it got:
where a crafted RecordingUrl would send our credentials, if anything still trusted it."""
from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


@contextmanager
def elsewhere():
    """(host:port, requests seen as (method, path, Authorization))."""
    from hotline.speech import audio

    seen: list[tuple[str, str, str | None]] = []
    wav = audio.wav(np.zeros(800, np.float32), 8000)

    @Request.application
    def app(request):
        seen.append((request.method, request.path, request.headers.get("Authorization")))
        return Response(wav, content_type="audio/x-wav")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield f"127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()
