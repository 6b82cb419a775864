// The counselor's side panel (waiting room, who is in the call, link, end) on a narrow
// screen: folded away behind a button in the call's top bar, so that the counselor's own
// picture and call buttons come first. On wide screens the panel always shows beside the
// call and both buttons are hidden by the stylesheet.

/**
 * Wire the "Waiting room and participants" button and "Back to the call"; keep the number
 * of people waiting on the button, so that a knock is seen while the panel is folded away.
 * @param {Document} doc
 */
export function bindHostPanel(doc = document) {
  const layout = doc.getElementById("host-layout");
  const open = doc.getElementById("toggle-host-panel");
  const close = doc.getElementById("close-host-panel");
  const count = doc.getElementById("host-panel-waiting");
  const waitingList = doc.getElementById("lobby"); // the waiting room's list
  if (!layout || !open || !close) return;

  /** @param {boolean} shown */
  const show = (shown) => {
    layout.classList.toggle("panel-open", shown);
    open.setAttribute("aria-expanded", String(shown));
    (shown ? close : open).focus();
  };
  open.addEventListener("click", () => show(!layout.classList.contains("panel-open")));
  close.addEventListener("click", () => show(false));

  if (count && waitingList) {
    const update = () => {
      const waiting = waitingList.children.length;
      count.textContent = String(waiting);
      count.hidden = waiting === 0;
      open.classList.toggle("someone-waits", waiting > 0);
    };
    new MutationObserver(update).observe(waitingList, { childList: true });
    update();
  }
}
