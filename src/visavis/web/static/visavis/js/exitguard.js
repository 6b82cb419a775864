// Loaded first, in the <head> of every visavis page (a classic script, so it runs
// before anything is shown and before any module opens a camera). After a quick exit
// (js/quickexit.js) this tab must not show visavis again: Back, Forward or the
// back/forward cache bringing a visavis page back sends the tab on to the neutral page
// at once, replacing the entry. Opening a link afresh clears the mark.
(function () {
  var KEY = "visavis.exited";
  var script = /** @type {HTMLScriptElement | null} */ (document.currentScript);
  var fallback = (script && script.dataset.exit) || "/exit";

  /** @returns {string | null} */
  function mark() {
    try {
      return window.sessionStorage.getItem(KEY);
    } catch (error) {
      return null;
    }
  }

  /** @param {string} target */
  function leave(target) {
    document.documentElement.hidden = true;
    try {
      window.stop();
    } catch (error) {
      // Older browsers: the replace below still wins.
    }
    window.location.replace(target || fallback);
  }

  var entry = /** @type {PerformanceNavigationTiming | undefined} */ (
    performance.getEntriesByType("navigation")[0]
  );
  var target = mark();
  if (target !== null) {
    if (entry && entry.type === "back_forward") {
      leave(target);
      return;
    }
    try {
      window.sessionStorage.removeItem(KEY);  // a fresh visit: the exit is over
    } catch (error) {
      // Storage disabled.
    }
  }
  window.addEventListener("pageshow", function (event) {
    var now = mark();
    if (event.persisted && now !== null) leave(now);
  });
})();
