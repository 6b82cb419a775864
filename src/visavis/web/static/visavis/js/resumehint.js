// Loaded in the <head> of the client's room page (a classic script, so it runs before
// the page is first shown). When this browser holds a saved place in this room
// (js/resume.js) that has not expired, the page opens on "Reconnecting…" instead of
// showing the pre-join page for the moment it takes the modules to load; guest.js then
// takes over and removes the mark.
(function () {
  var script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  var room = script && script.dataset.room;
  if (!room) return;
  try {
    var raw = window.localStorage.getItem("visavis.resume." + room);
    var saved = raw ? JSON.parse(raw) : null;
    if (saved && typeof saved.token === "string" && typeof saved.expires === "number"
        && saved.expires > Date.now()) {
      document.documentElement.classList.add("resuming");
    }
  } catch (error) {
    // Storage disabled or unreadable: the pre-join page shows as usual.
  }
})();
