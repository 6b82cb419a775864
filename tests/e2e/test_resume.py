"""Back in the call without knocking (issue 15, item 2): after a reload, after closing
the tab and opening the link again within the grace period, and after the server was
killed and started again. The counselor sees exactly one tile per person at every
moment, and a tile whose media stopped never says the connection is good."""

from __future__ import annotations

import pytest

from tests.conftest import running_server
from tests.e2e.conftest import PageLog, Pages
from tests.e2e.helpers import start_call, wait_for_media

pytestmark = pytest.mark.backend

# The most remote tiles the counselor's page ever showed at once, from now on.
COUNT_TILES = """() => {
  const tiles = document.getElementById("tiles");
  const count = () => {
    const now = tiles.querySelectorAll(".tile.remote").length;
    window.__maxTiles = Math.max(window.__maxTiles || 0, now);
  };
  new MutationObserver(count).observe(tiles, {childList: true});
  count();
}"""


# Runs at the start of every page load of the client: notes whether the pre-join page was
# ever on screen before the call showed (it must not flash up on the way back in).
WATCH_PREJOIN = """(() => {
  const check = () => {
    const prejoin = document.getElementById("prejoin");
    if (prejoin && prejoin.getClientRects().length) window.__prejoinShown = true;
    if (!document.querySelector("#call:not([hidden])")) requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})()"""


@pytest.fixture
def resume_server(tmp_path_factory, request):
    with running_server(tmp_path_factory, request, "resume") as server:
        yield server


@pytest.fixture
def resume_pages(browser, resume_server):
    pages = Pages(browser, resume_server.url)
    yield pages
    pages.close()


def back_in_the_call(host, guest) -> None:
    guest.wait_for_selector("#call:not([hidden])", timeout=20000)
    wait_for_media(host)
    wait_for_media(guest)
    assert host.locator("#tiles .tile.remote").count() == 1
    assert host.evaluate("window.__maxTiles") == 1, "the counselor saw a second tile"
    assert host.locator("#lobby li").count() == 0, "the client had to knock again"
    assert guest.locator("#prejoin").is_hidden()
    assert not guest.evaluate("window.__prejoinShown === true"), "the pre-join page showed"


def test_reload_reopen_and_server_restart_resume_the_call(resume_pages, resume_server):
    host, guest = start_call(resume_pages, resume_server, "Resume", guest_name="Robin")
    link = guest.url
    wait_for_media(host)
    host.evaluate(COUNT_TILES)

    # 1. Reload in the call.
    guest.context.add_init_script(WATCH_PREJOIN)
    guest.reload()
    guest.wait_for_selector("#resuming:not([hidden]), #call:not([hidden])")
    back_in_the_call(host, guest)

    # 2. The tab is closed: the counselor's tile stops saying "good" ...
    context = guest.context
    guest.close()
    host.wait_for_selector(".tile.remote .quality[data-verdict='stalled']", timeout=20000)
    assert host.locator(".tile.remote .quality").inner_text() == "No picture"
    # ... and the link opened again within the grace period takes the place back.
    guest = context.new_page()
    guest.visavis_log = PageLog(guest, resume_server.url)
    resume_pages.pages.append(guest)
    guest.goto(link)
    back_in_the_call(host, guest)
    assert guest.input_value("#display-name") == "" or guest.locator("#prejoin").is_hidden()

    # 3. The server is killed and started again on the same port and database.
    resume_server.process.kill()
    resume_server.process.wait()
    for page in (host, guest):
        page.wait_for_selector("#reconnecting:not([hidden])")
    resume_server.start()
    for page in (host, guest):
        page.wait_for_selector("#reconnecting", state="hidden", timeout=20000)
    back_in_the_call(host, guest)

    # Still one participant with one place: leaving is seen at once.
    guest.click("#hang-up")
    host.wait_for_selector("#tiles .tile.remote", state="detached")
    assert host.evaluate("window.__maxTiles") == 1
