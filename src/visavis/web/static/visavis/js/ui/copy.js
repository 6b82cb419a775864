// Copy buttons: <button data-copy="ID-of-an-input-or-textarea">.

import { gettext } from "../i18n.js";

export function bindCopyButtons() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    if (!(button instanceof HTMLButtonElement)) continue;
    const label = button.textContent;
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy ?? "");
      if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
        button.textContent = gettext("Copied");
      } catch {
        button.textContent = gettext("Select the text and copy it");
      }
      setTimeout(() => { button.textContent = label; }, 2500);
    });
  }
}
