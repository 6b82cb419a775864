"""Every page a client sees passes axe-core, on a desktop and on a phone; the pre-join page
works with the keyboard alone.

axe-core comes from npm (a devDependency in package.json, installed by ``npm ci``) and is
given to the page only here, with ``page.evaluate``: DevTools evaluation is not subject to
the page's Content-Security-Policy, which stays as strict as in production. visavis
itself never serves it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.helpers import api, confirm_privacy_notice, knock, log_in, past_appointment

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PIN = "246813"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# WCAG 2.2 A and AA, and axe's best practices (landmarks, one main heading, …).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Known violations, each to be fixed where it is (and then taken out of here): none.
KNOWN: set[tuple[str, str]] = set()
RUN_AXE = """async (options) => {
  const result = await axe.run(document, options);
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(" ")} :: ${n.failureSummary}`),
  }));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm is not installed, and axe-core (package.json) comes from npm"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True,
                       capture_output=True, timeout=600)
    return AXE.read_text(encoding="utf-8")


def appointment(server, title: str, *, days: float = 0, **extra) -> dict:
    start = (datetime.now(UTC) + timedelta(days=days)).isoformat()
    return api(server, "POST", "/appointments",
               {"title": title, "start": start, "duration_minutes": 50, **extra})


class Audit:
    """Runs axe on pages in turn and collects every violation, so that one run reports
    all pages at once instead of the first only."""

    def __init__(self, axe_source: str):
        self.axe_source = axe_source
        self.found: dict[str, list[dict]] = {}
        self.without_help: list[str] = []

    def __call__(self, page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        if not page.locator("#footer-help").count():  # help is one click away everywhere
            self.without_help.append(name)
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            if not page.evaluate("typeof window.axe === 'object'"):
                page.evaluate(self.axe_source)
            violations = [
                v for v in page.evaluate(RUN_AXE, AXE_OPTIONS) if (name, v["rule"]) not in KNOWN
            ]
            if violations:
                self.found[f"{name} ({label})"] = violations
        page.set_viewport_size(DESKTOP)

    def report(self) -> str:
        lines = []
        for where, violations in self.found.items():
            for v in violations:
                lines.append(f"{where}: {v['rule']} ({v['impact']}) {v['help']}")
                lines.extend(f"    {node}" for node in v["nodes"])
        return "\n".join(lines)


def test_every_client_page_passes_axe_on_desktop_and_phone(
    new_page, live_server_process, axe_source
):
    server = live_server_process
    audit = Audit(axe_source)
    plain = appointment(server, "Axe plain")
    host = new_page()
    log_in(host)
    host.goto(plain["host_url"])

    # The consent step, untouched and after a try without the tick; then the pre-join page.
    guest = new_page()
    guest.goto(plain["guest_url"])
    audit(guest, "consent step")
    with guest.expect_navigation():
        guest.click("#consent-continue")
    guest.wait_for_selector("#consent-error")
    audit(guest, "consent step with error")
    confirm_privacy_notice(guest)
    guest.wait_for_selector("#knock-form")
    audit(guest, "pre-join")
    guest.fill("#display-name", "Robin")
    guest.click("#knock-button")
    guest.wait_for_selector("#waiting:not([hidden])")
    audit(guest, "waiting")
    guest.click("#leave-waiting")
    guest.wait_for_selector("#ended:not([hidden])")
    audit(guest, "ended")

    denied = new_page()
    knock(denied, plain["guest_url"], "Stranger")
    host.locator("#lobby li:has-text('Stranger')").get_by_role(
        "button", name="Deny: Stranger"
    ).click()
    denied.wait_for_selector("#denied:not([hidden])")
    audit(denied, "denied")

    # In the call (the host admits a client).
    in_call = new_page()
    knock(in_call, plain["guest_url"], "Kim")
    host.locator("#lobby li:has-text('Kim')").get_by_role("button", name="Admit: Kim").click()
    in_call.wait_for_selector("#call:not([hidden])")
    audit(in_call, "in the call")
    host.once("dialog", lambda dialog: dialog.accept())
    host.click("#end-session")  # the counselor ends the session for everyone
    in_call.wait_for_selector("#session-ended:not([hidden])")
    audit(in_call, "session ended")

    # The PIN page, empty and after a wrong PIN, in German.
    with_pin = appointment(server, "Axe PIN", pin=PIN, language="de")
    pin_page = new_page(locale="de-DE")
    pin_page.goto(with_pin["guest_url"])
    audit(pin_page, "PIN")
    pin_page.fill("#id_pin", "111111")
    with pin_page.expect_navigation():
        pin_page.click("#pin-submit")
    pin_page.wait_for_selector("#pin-error")
    audit(pin_page, "PIN with error")

    # The link's notices, the external video page, help and the privacy notice.
    notices = new_page()
    later = appointment(server, "Axe later", days=2)
    notices.goto(later["guest_url"])
    audit(notices, "not open yet")
    notices.goto(past_appointment(server, "Axe over", days=2)["guest_url"])
    audit(notices, "ended notice")
    cancelled = appointment(server, "Axe cancelled", days=1)
    api(server, "DELETE", f"/appointments/{cancelled['id']}")
    notices.goto(cancelled["guest_url"])
    audit(notices, "cancelled")
    external = appointment(server, "Axe external", external_url="https://meet.example.org/j/1")
    notices.goto(external["guest_url"])
    audit(notices, "external video")
    for path in ("/help?lang=en", "/help?lang=de", "/privacy?lang=en", "/privacy?lang=de"):
        notices.goto(path)
        audit(notices, path)
    # The setup test days ahead, where this visavis has it.
    setup = notices.goto(later["guest_url"] + "/setup")
    if setup.status == 200:
        audit(notices, "setup test")

    assert not audit.found, "axe found violations:\n" + audit.report()
    assert not audit.without_help, f"pages without the help link: {audit.without_help}"


# Every visible control of the page, marked so that Tab's stops can be matched to them.
CONTROLS = """() => [...document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])")]
  .filter((el) => !el.disabled && el.checkVisibility({visibilityProperty: true}))
  .map((el, i) => {
    el.dataset.tabProbe = `c${i}`;
    const label = el.id || `${el.tagName.toLowerCase()}: ${el.textContent.trim()}`;
    return {probe: `c${i}`, control: label};
  })"""
# The focused element: which it is, its accessible name, whether it shows that it has focus.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  if (!el.dataset.tabProbe) el.dataset.tabProbe = `x${Math.random()}`;
  axe.setup(document.documentElement);
  const name = axe.commons.text.accessibleText(el).trim();
  axe.teardown();
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  return {probe: el.dataset.tabProbe, tag: el.tagName.toLowerCase(), id: el.id, name,
          focusStyle: outline || style.boxShadow !== "none"};
}"""


def test_the_pre_join_page_works_with_the_keyboard_alone(
    new_page, live_server_process, axe_source
):
    plain = appointment(live_server_process, "Keyboard")
    page = new_page()
    page.goto(plain["guest_url"])
    # The consent step by keyboard too: Tab to the box, Space ticks it, Enter continues.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "consent-read":
            break
    page.keyboard.press("Space")
    assert page.is_checked("#consent-read")
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Tab")  # to the button
        page.keyboard.press("Enter")
    page.wait_for_selector("#knock-form")
    page.wait_for_load_state("networkidle")
    page.evaluate(axe_source)
    # Folded parts (the device choice) open, so that their controls count too.
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")

    expected = page.evaluate(CONTROLS)
    reached: list[dict] = []
    for _ in range(len(expected) * 2 + 10):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            continue
        if any(state["probe"] == r["probe"] for r in reached):  # once round the page: done
            break
        reached.append(state)
    probes = {r["probe"] for r in reached}
    missing = [c["control"] for c in expected if c["probe"] not in probes]
    assert not missing, f"not reachable with Tab: {missing}\nreached: {reached}"
    nameless = [r for r in reached if not r["name"]]
    assert not nameless, f"controls without an accessible name: {nameless}"
    invisible = [r for r in reached if not r["focusStyle"]]
    assert not invisible, f"controls without a visible focus style: {invisible}"
    assert {"display-name", "knock-button"} <= {r["id"] for r in reached}
