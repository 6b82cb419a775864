// The "room not open yet" notice reloads itself when the room opens (and now and then
// before), so that a client who keeps the page open finds the room without doing
// anything. A script rather than <meta http-equiv="refresh">, which screen readers
// announce badly and which axe-core reports (WCAG 2.2.1).

const notice = document.querySelector("[data-reload-in]");
const seconds = Number(notice?.getAttribute("data-reload-in"));
if (Number.isFinite(seconds) && seconds > 0) {
  window.setTimeout(() => window.location.reload(), seconds * 1000);
}
