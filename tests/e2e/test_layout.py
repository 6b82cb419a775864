"""Every page a client or counselor sees, at common laptop and phone sizes, in both languages:
nothing sticks out sideways, and in a call the buttons and pictures fit the first screen.

One browser; one context per person and language; the viewport is resized per size instead of
opening new pages. ``VISAVIS_LAYOUT_SHOTS=<dir>`` saves a screenshot of every page, size and
language (``<dir>/<lang>-<page>-<width>x<height>.png``) for a person to look at.

The backend does not matter here: this runs in the first CI round only (no ``backend`` mark).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import SERVER_TIME_ZONE, api, knock, log_in, open_guest_page

SIZES = [(1280, 800), (1366, 657), (1440, 789), (1920, 1080), (390, 844), (360, 640)]
NARROW = 760  # the CSS breakpoint below which the counselor's side panel folds away

# The buttons of the call and both pictures: fully inside the first screen.
CALL_CONTROLS = ["#toggle-mic", "#toggle-camera", "#hang-up", "#quick-exit"]
PICTURES = {"#local-video": (80, 60), "#tiles .tile.remote video": (160, 120)}

# What a page shows, measured after layout: sideways overflow of the document, and every
# element of ``whole`` that is not completely inside the viewport at scroll position 0.
# ``across`` elements must only stay inside horizontally (they may be further down the page).
MEASURE = """
async ([whole, across, sizes]) => {
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  window.scrollTo(0, 0);
  const w = window.innerWidth, h = window.innerHeight;
  const problems = [];
  const scrollWidth = document.scrollingElement.scrollWidth;
  if (scrollWidth > w) problems.push(`page is ${scrollWidth}px wide`);
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden";
  const text = (el) => el.textContent.trim() ? ` "${el.textContent.trim().slice(0, 30)}"` : "";
  const describe = (el) => el.id ? `#${el.id}`
    : `${el.tagName.toLowerCase()}.${[...el.classList].join(".")}${text(el)}`;
  const at = (r) => `${Math.round(r.left)}-${Math.round(r.right)}`;
  for (const selector of whole) {
    const found = [...document.querySelectorAll(selector)].filter(shown);
    if (!found.length) { problems.push(`${selector} not shown`); continue; }
    for (const el of found) {
      const r = el.getBoundingClientRect();
      if (r.left < -0.5 || r.top < -0.5 || r.right > w + 0.5 || r.bottom > h + 0.5) {
        problems.push(`${describe(el)} outside the first screen: x ${at(r)}, `
          + `y ${Math.round(r.top)}-${Math.round(r.bottom)}`);
      }
      // Not cut off by a box of its own either (a panel that scrolls or hides what overflows).
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (style.overflowX === "visible" && style.overflowY === "visible") continue;
        const b = p.getBoundingClientRect();
        if (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5
            || r.left < b.left - 0.5 || r.right > b.right + 0.5) {
          problems.push(`${describe(el)} hidden in ${describe(p)}`);
          break;
        }
      }
      const min = sizes[selector];
      if (min && (r.width < min[0] || r.height < min[1])) {
        problems.push(`${describe(el)} only ${Math.round(r.width)}x${Math.round(r.height)}`);
      }
    }
  }
  for (const selector of across) {
    for (const el of [...document.querySelectorAll(selector)].filter(shown)) {
      // Only what the person can see: skip what a scrolling box of its own clips on purpose.
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== "visible" && p.scrollWidth > p.clientWidth) {
          clipped = true; break;
        }
      }
      const r = el.getBoundingClientRect();
      if (!clipped && (r.left < -0.5 || r.right > w + 0.5)) {
        problems.push(`${describe(el)} cut off at the side (${at(r)})`);
      }
      // ... and inside the box (card, fold-out section, group of fields) it belongs to.
      const box = el.parentElement?.closest(".panel-body, .card, details, fieldset");
      if (!clipped && box) {
        const b = box.getBoundingClientRect();
        if (r.left < b.left - 0.5 || r.right > b.right + 0.5) {
          problems.push(`${describe(el)} sticks out of its box (${at(r)} in ${at(b)})`);
        }
      }
    }
  }
  return problems;
}
"""

# Everything a person reads or uses on an ordinary page must stay inside sideways.
CONTENT = [
    "h1",
    "h2",
    "h3",
    "p",
    "li",
    "time",
    ".badge",
    "button",
    "a.button",
    "input",
    "select",
    "textarea",
    "summary",
    "label",
    "th",
    "td",
]


class Layout:
    """Collects the problems of every page/size; saves screenshots when asked to."""

    def __init__(self, language: str):
        self.language = language
        self.problems: list[str] = []
        self.counts: dict[str, int] = {}
        shots = os.environ.get("VISAVIS_LAYOUT_SHOTS")
        self.shots = Path(shots) if shots else None
        if self.shots:
            self.shots.mkdir(parents=True, exist_ok=True)

    def check(self, page, name: str, *, whole=(), across=CONTENT, sizes=SIZES, before=None):
        """Measure ``page`` at every size; ``before(page, width)`` runs after each resize."""
        for width, height in sizes:
            page.set_viewport_size({"width": width, "height": height})
            if before:
                before(page, width)
            wanted = list(whole(width) if callable(whole) else whole)
            found = page.evaluate(MEASURE, [wanted, list(across), PICTURES])
            key = f"{self.language} {name} {width}x{height}"
            if found:
                self.counts[key] = len(found)
                self.problems.extend(f"{key}: {problem}" for problem in found)
            if self.shots:
                page.screenshot(
                    path=str(self.shots / f"{self.language}-{name}-{width}x{height}.png"),
                    full_page=page.evaluate("document.scrollingElement.scrollHeight > innerHeight"),
                )

    def report(self) -> None:
        if self.problems:
            summary = "\n".join(f"{key}: {n}" for key, n in sorted(self.counts.items()))
            pytest.fail(
                f"{len(self.problems)} layout problems\n{summary}\n\n" + "\n".join(self.problems),
                pytrace=False,
            )


def wait_for_pictures(page, remote: int) -> None:
    """Until ``remote`` remote pictures (and the own one) show frames."""
    page.wait_for_function(
        """(n) => {
          const own = document.querySelector('#local-video');
          const others = [...document.querySelectorAll('#tiles .tile.remote video')];
          return own && own.videoWidth > 0 && others.length === n
            && others.every((v) => v.videoWidth > 0);
        }""",
        arg=remote,
        timeout=30000,
    )


def admit(host, name: str) -> None:
    host.set_viewport_size({"width": 1280, "height": 800})  # the waiting room beside the call
    close_host_panel(host)
    host.locator(f"#lobby li:has-text('{name}')").locator("button.admit").click()


def call_page(*, host: bool):
    """What must fit the first screen in a call; on a phone the counselor's list is folded
    away behind a button in the call's top bar."""

    def whole(width: int):
        items = [*CALL_CONTROLS, *PICTURES]
        if host and width <= NARROW:
            items.append("#toggle-host-panel")
        return items

    return whole


def open_host_panel(page, width: int) -> None:
    if (
        width <= NARROW
        and page.locator("#toggle-host-panel").is_visible()
        and not page.locator("#close-host-panel").is_visible()
    ):
        page.click("#toggle-host-panel")


def close_host_panel(page) -> None:
    if page.locator("#close-host-panel").is_visible():
        page.click("#close-host-panel")


@pytest.mark.parametrize("language", ["en", "de"])
def test_pages_fit_every_screen(new_page, live_server_process, language):
    server = live_server_process
    layout = Layout(language)
    locale = "de-DE" if language == "de" else "en-US"

    # The counselor: dashboard, new-appointment form (all fields open), invitation page of a
    # series with a PIN, account.
    host = new_page(locale=locale)
    log_in(host)
    host.goto("/")
    host.click("details.more > summary")  # the new-appointment form beside the list, all fields
    host.select_option("#id_repeat", "weekly")
    layout.check(host, "dashboard")
    host.goto("/appointments/new")
    host.click("details.more > summary")
    host.select_option("#id_repeat", "weekly")
    layout.check(host, "new-appointment")
    now = datetime.now(ZoneInfo(SERVER_TIME_ZONE)) + timedelta(days=1)
    host.fill("#id_title", "Erstgespräch Familie Schönfeld-Andersen (Paarberatung)")
    host.fill("#id_start", now.strftime("%Y-%m-%dT%H:%M"))
    host.fill("#id_duration_minutes", "50")
    host.fill("#id_pin", "482915")
    host.fill("#id_occurrences", "4")
    host.locator("form.appointment-form button[type=submit]").click()
    host.wait_for_selector("#invite-link-text")
    layout.check(host, "appointment-detail")
    host.goto("/accounts/")
    layout.check(host, "account")

    # The client: privacy notice step, pre-join check, waiting room.
    appointment = api(
        server,
        "POST",
        "/appointments",
        {
            "title": f"Layout {language}",
            "start": datetime.now(UTC).isoformat(),
            "duration_minutes": 50,
            "language": language,
        },
    )
    guests = [new_page(locale=locale) for _ in range(3)]
    guests[0].goto(appointment["guest_url"])
    layout.check(guests[0], "privacy-step")
    open_guest_page(guests[0], appointment["guest_url"])
    layout.check(guests[0], "prejoin", whole=["#preview-video"])
    guests[0].fill("#display-name", "Robin")
    guests[0].click("#knock-button")
    guests[0].wait_for_selector("#waiting:not([hidden])")
    layout.check(guests[0], "waiting", whole=["#leave-waiting", "#waiting .quick-exit"])

    # A call with two people: both sides.
    host.goto(appointment["host_url"])
    admit(host, "Robin")
    guests[0].wait_for_selector("#call:not([hidden])")
    wait_for_pictures(host, 1)
    wait_for_pictures(guests[0], 1)
    layout.check(guests[0], "call2-client", whole=call_page(host=False))
    layout.check(
        host, "call2-counselor", whole=call_page(host=True), before=lambda p, w: close_host_panel(p)
    )

    # Chat and device choice open over or beside the pictures, the buttons stay in sight.
    def open_panel(button: str):
        def before(page, width):
            if page.get_attribute(button, "aria-expanded") != "true":
                page.click(button)

        return before

    layout.check(
        guests[0],
        "call2-client-chat",
        whole=["#chat-input", "#chat-form button[type=submit]", "#toggle-chat", "#hang-up"],
        before=open_panel("#toggle-chat"),
    )
    guests[0].click("#toggle-chat")
    layout.check(
        guests[0],
        "call2-client-devices",
        whole=["#call-camera-select", "#close-devices", "#hang-up"],
        before=open_panel("#toggle-devices"),
    )
    guests[0].click("#close-devices")
    # The counselor's list on a phone: opened from the call, closed with "Back to the call".
    narrow = [size for size in SIZES if size[0] <= NARROW]
    layout.check(
        host,
        "call2-counselor-panel",
        whole=["#close-host-panel"],
        sizes=narrow,
        before=open_host_panel,
    )
    close_host_panel(host)

    # A call with four people. On a phone the counselor sees the knock on the button of the
    # folded-away panel, admits from the panel and goes back to the call.
    host.set_viewport_size({"width": 390, "height": 844})
    knock(guests[1], appointment["guest_url"], "Alex")
    guests[1].wait_for_selector("#waiting:not([hidden])")
    host.wait_for_selector("#toggle-host-panel.someone-waits #host-panel-waiting:text-is('1')")
    host.click("#toggle-host-panel")
    host.locator("#lobby li:has-text('Alex')").locator("button.admit").click()
    host.click("#close-host-panel")
    assert host.locator("#hang-up").is_visible()
    knock(guests[2], appointment["guest_url"], "Sam")
    guests[2].wait_for_selector("#waiting:not([hidden])")
    admit(host, "Sam")
    for page in [host, *guests]:
        wait_for_pictures(page, 3)
    layout.check(guests[0], "call4-client", whole=call_page(host=False))
    layout.check(
        host, "call4-counselor", whole=call_page(host=True), before=lambda p, w: close_host_panel(p)
    )

    # The connection details, opened: their table stays in its own box.
    def open_details(page, width):
        close_host_panel(page)
        page.wait_for_selector("#connection-details:not([hidden])")
        page.evaluate("document.getElementById('connection-details').open = true")

    layout.check(
        host,
        "call4-connection-details",
        whole=["#connection-details > summary"],
        before=open_details,
    )
    layout.report()
