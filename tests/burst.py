"""Real concurrent requests against a real server process (tests/conftest.py's
``running_server``): many threads post a form at the same moment, each with its own
connection and CSRF cookie, as many browsers would."""

from __future__ import annotations

import http.client
import re
import threading
from dataclasses import dataclass
from urllib.parse import urlencode

from tests.conftest import LiveServer

_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_COOKIE = re.compile(r"csrftoken=([^;]+)")


@dataclass
class Answer:
    status: int
    body: str
    set_cookie: str = ""


def _request(
    server: LiveServer,
    method: str,
    path: str,
    *,
    body: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[http.client.HTTPResponse, str]:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read().decode(errors="replace")
    finally:
        connection.close()


def form_token(server: LiveServer, path: str, *, cookie: str = "") -> tuple[str, str]:
    """(csrf cookie, csrf form field) from a GET of the form page."""
    response, body = _request(server, "GET", path, headers={"Cookie": cookie} if cookie else {})
    cookie = next(
        _COOKIE.search(v).group(1)
        for k, v in response.getheaders()
        if k.lower() == "set-cookie" and v.startswith("csrftoken=")
    )
    return cookie, _TOKEN.search(body).group(1)


def post_form(
    server: LiveServer,
    path: str,
    fields: dict[str, str],
    csrf: tuple[str, str],
    *,
    headers: dict[str, str] | None = None,
    cookie: str = "",
) -> Answer:
    csrf_cookie, token = csrf
    response, body = _request(
        server,
        "POST",
        path,
        body=urlencode({**fields, "csrfmiddlewaretoken": token}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(c for c in (f"csrftoken={csrf_cookie}", cookie) if c),
            "Origin": server.url,
            "Sec-Fetch-Site": "same-origin",
            **(headers or {}),
        },
    )
    return Answer(response.status, body, response.getheader("Set-Cookie") or "")


def burst(
    server: LiveServer, path: str, forms: list[dict[str, str]], *, cookie: str = ""
) -> list[Answer]:
    """Post each of ``forms`` to ``path`` from a thread of its own, all released at once
    (each with a CSRF token fetched beforehand; all with ``cookie``, e.g. one session).
    Returns the answers in order."""
    tokens = [form_token(server, path, cookie=cookie) for _ in forms]
    barrier = threading.Barrier(len(forms))
    answers: list[Answer | BaseException | None] = [None] * len(forms)

    def one(i: int) -> None:
        barrier.wait()
        try:
            answers[i] = post_form(server, path, forms[i], tokens[i], cookie=cookie)
        except BaseException as exc:  # reported below, not lost in the thread
            answers[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [a for a in answers if not isinstance(a, Answer)]
    assert not failed, failed
    return answers  # type: ignore[return-value]


def shell(server: LiveServer, code: str) -> str:
    """Run Python in the server's Django (its database, whichever backend) and return what
    printed last (Django's shell first says what it imported)."""
    done = server.run("shell", "-c", code)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else ""


def peak_memory_kib(server: LiveServer) -> int:
    """The server process's peak resident memory so far (VmHWM), in KiB."""
    with open(f"/proc/{server.process.pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")
