// "Copy link" buttons: <button data-copy="ID-of-an-input">.

import { gettext } from "../i18n.js";

export function bindCopyButtons() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    if (!(button instanceof HTMLButtonElement)) continue;
    const label = button.textContent;
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy ?? "");
      if (!(field instanceof HTMLInputElement)) return;
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = gettext("Copied");
      } catch {
        button.textContent = gettext("Select and copy the link");
      }
      setTimeout(() => { button.textContent = label; }, 2500);
    });
  }
}
