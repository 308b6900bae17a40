"""WSGI entry of ``bench_viewer.py``: the viewer app plus two trivial routes.

Run by gunicorn as ``viewer_wsgi:make_app()`` (with ``--chdir benchmarks``).  The app
is the real one from ``create_app()``, configured like a deployment through
``HISTFMT_INSTANCE_PATH`` and ``HISTFMT_DATABASE_URL``; the extra routes only give
the benchmark a floor served by the very same server, workers and middleware:

* ``/bench/ping``: a fixed short text (the trivial endpoint of target 1);
* ``/bench/pid``: the worker's process id, padded to a fixed width, so that a client
  can tell which worker holds a keep-alive connection;
* ``POST /bench/sink``: reads the request body and answers 201 (the trivial POST the
  upload benchmark compares uploads with).
"""

from __future__ import annotations

import os

from flask import Flask, Response, request

from histfmt_viewer import create_app, csrf

PING = b"pong\n"


def make_app() -> Flask:
    """``create_app()`` from the environment, with the benchmark routes."""
    app = create_app()

    @app.get("/bench/ping")
    def ping() -> Response:
        return Response(PING, mimetype="text/plain")

    @app.get("/bench/pid")
    def pid() -> Response:
        return Response(f"{os.getpid():>10}\n", mimetype="text/plain")

    @app.post("/bench/sink")
    @csrf.exempt
    def sink() -> Response:
        return Response(f"{len(request.get_data())}\n", status=201, mimetype="text/plain")

    return app
