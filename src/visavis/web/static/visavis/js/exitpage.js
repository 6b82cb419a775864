// Entry module of a client's plain pages before the room (privacy notice step, PIN):
// the quick exit (button and Escape twice), and forms that continue to the room without
// leaving their own page behind in the history, so that Back after a quick exit has no
// earlier step of the link to return to.

import { quickExit } from "./quickexit.js";
import { bindQuickExit } from "./ui/controls.js";

bindQuickExit(() => quickExit());

for (const form of document.querySelectorAll("form[data-replace-history]")) {
  if (!(form instanceof HTMLFormElement)) continue;
  form.addEventListener("submit", async (event) => {
    // Anything the server must explain (a box not ticked) goes the ordinary way.
    if (!form.checkValidity()) return;
    event.preventDefault();
    const target = form.action;
    try {
      const response = await fetch(target, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        redirect: "manual", cache: "no-store",
      });
      if (response.type === "opaqueredirect" || response.ok) {
        window.location.replace(target);
        return;
      }
    } catch {
      // Network trouble: the ordinary submit below shows what the server says.
    }
    form.submit();
  });
}
