// Entry module of the counselor's appointment list: copy buttons, and who is waiting in
// which of their rooms, live (the watch connection), with a tone, a notification and the
// count in the tab's title.
import { format, gettext } from "./i18n.js";
import { bindCopyButtons } from "./ui/copy.js";
import { bindNotificationButton, countWaiting, showCountInTitle, watchRooms } from "./ui/watch.js";

/** @typedef {import("./protocol.js").WaitingRoom} WaitingRoom */

const WATCH_PATH = "/ws/watch";
const baseTitle = document.title;

/**
 * One line per waiting client: "Robin is waiting in Session R." and a link into the room.
 * (The names are the counselor's own clients: the watch connection sends no others.)
 * @param {WaitingRoom[]} rooms
 */
function render(rooms) {
  const section = document.getElementById("waiting-now");
  const list = document.getElementById("waiting-rooms");
  const template = document.getElementById("waiting-room-entry");
  if (!section || !list || !(template instanceof HTMLTemplateElement)) return;
  list.replaceChildren();
  for (const room of rooms) {
    for (const guest of room.waiting) {
      const fragment = /** @type {DocumentFragment} */ (template.content.cloneNode(true));
      const entry = /** @type {HTMLElement} */ (fragment.firstElementChild);
      entry.dataset.appointment = room.appointment;
      const who = entry.querySelector(".who");
      if (who) {
        who.textContent = format(gettext("%(name)s is waiting in %(appointment)s."), {
          name: guest.name, appointment: room.title,
        });
      }
      const enter = /** @type {HTMLAnchorElement | null} */ (entry.querySelector(".enter"));
      if (enter) {
        enter.href = room.url;
        enter.setAttribute("aria-label", format(gettext("Enter room: %(appointment)s"), { appointment: room.title }));
      }
      list.append(entry);
    }
  }
  const count = countWaiting(rooms);
  section.hidden = count === 0;
  showCountInTitle(baseTitle, count);
}

bindCopyButtons();
bindNotificationButton(
  /** @type {HTMLButtonElement | null} */ (document.getElementById("allow-notifications")),
  document.getElementById("notifications-blocked"),
);
watchRooms({ path: WATCH_PATH, render });
