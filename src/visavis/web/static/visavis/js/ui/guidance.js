// What to do when camera and microphone do not start: one plain explanation per problem
// and per browser (Chrome, Edge, Firefox, Safari; computer and phone). All such texts
// live here, translatable; no DOM here, so the texts are tested without a browser.
//
// Browser detection reads the user agent only to pick the most helpful wording; nothing
// depends on it working, and a browser we do not recognise gets the general advice.

import { gettext } from "../i18n.js";

/** @typedef {import("../media.js").ProblemKind} ProblemKind */
/**
 * @typedef {object} Browser
 * @property {"chrome" | "edge" | "firefox" | "safari" | "samsung" | "other"} family
 * @property {"windows" | "mac" | "ios" | "android" | "linux" | "other"} os
 * @property {boolean} mobile a phone or tablet
 * @property {boolean} inApp a browser built into another app (mail, messenger)
 */
/**
 * @typedef {object} Guidance
 * @property {string} title what is wrong, in a few words
 * @property {string} text why, in one or two sentences
 * @property {string[]} steps what to do, in order
 * @property {boolean} retry whether trying again on this page can help
 */

/**
 * Recognise the browser and system from a user agent string.
 * @param {string} userAgent
 * @param {number} [touchPoints] navigator.maxTouchPoints (an iPad says it is a Mac)
 * @returns {Browser}
 */
export function detectBrowser(userAgent, touchPoints = 0) {
  const ua = userAgent || "";
  /** @type {Browser["os"]} */
  let os = "other";
  if (/iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && touchPoints > 1)) os = "ios";
  else if (/Android/.test(ua)) os = "android";
  else if (/Windows/.test(ua)) os = "windows";
  else if (/Macintosh|Mac OS X/.test(ua)) os = "mac";
  else if (/Linux|CrOS/.test(ua)) os = "linux";

  /** @type {Browser["family"]} */
  let family = "other";
  if (/SamsungBrowser/.test(ua)) family = "samsung";
  else if (/Edg(e|A|iOS)?\//.test(ua)) family = "edge";
  else if (/Firefox\/|FxiOS\//.test(ua)) family = "firefox";
  else if (/Chrome\/|CriOS\/|Chromium\//.test(ua)) family = "chrome";
  else if (/Safari\//.test(ua) && /Version\//.test(ua)) family = "safari";

  const inApp = /FBAN|FBAV|Instagram|Line\/|WhatsApp|Snapchat|GSA\/|; wv\)/.test(ua);
  return { family, os, mobile: os === "ios" || os === "android" || /Mobile/.test(ua), inApp };
}

/** @returns {Browser} this browser */
export function currentBrowser() {
  const nav = globalThis.navigator;
  return detectBrowser(nav?.userAgent ?? "", nav?.maxTouchPoints ?? 0);
}

/**
 * How to allow camera and microphone again after they were blocked.
 * @param {Browser} browser
 * @returns {string[]}
 */
function unblockSteps(browser) {
  if (browser.os === "ios") {
    if (browser.family === "safari" || browser.family === "other") {
      return [
        gettext("Tap “aA” or the page symbol in the address bar and choose “Website Settings”."),
        gettext("Set Camera and Microphone to “Allow”, then reload this page."),
        gettext("If that does not help: open the Settings app, choose Safari, and set Camera and Microphone to “Ask” or “Allow”."),
      ];
    }
    return [
      gettext("Open the Settings app of your iPhone or iPad, find this browser in the list of apps, and switch Camera and Microphone on."),
      gettext("Come back here and reload this page."),
    ];
  }
  if (browser.os === "android") {
    if (browser.family === "firefox") {
      return [
        gettext("Tap the padlock to the left of the web address and allow Camera and Microphone."),
        gettext("Reload this page."),
        gettext("If the browser itself may not use them: open Android Settings, then Apps, this browser, Permissions, and allow Camera and Microphone."),
      ];
    }
    return [
      gettext("Tap the symbol to the left of the web address, then “Permissions”, and allow Camera and Microphone."),
      gettext("Reload this page."),
      gettext("If the browser itself may not use them: open Android Settings, then Apps, this browser, Permissions, and allow Camera and Microphone."),
    ];
  }
  /** @type {string[]} */
  let steps;
  switch (browser.family) {
    case "chrome":
      steps = [
        gettext("Click the symbol to the left of the web address (two sliders or a padlock)."),
        gettext("Switch Camera and Microphone to “Allow”, then reload this page."),
      ];
      break;
    case "edge":
      steps = [
        gettext("Click the padlock to the left of the web address and choose “Permissions for this site”."),
        // Same wording as Chrome's step: both browsers say "Zulassen" in German, Safari "Erlauben".
        gettext("Switch Camera and Microphone to “Allow”, then reload this page."),
      ];
      break;
    case "firefox":
      steps = [
        gettext("Click the crossed-out camera or microphone symbol to the left of the web address."),
        gettext("Remove the block with the small “×” next to “Blocked”, reload this page, and choose “Allow” when Firefox asks."),
      ];
      break;
    case "safari":
      steps = [
        gettext("In the menu bar, choose Safari, then “Settings for This Website…”."),
        gettext("Set Camera and Microphone to “Allow”, then reload this page."),
      ];
      break;
    default:
      steps = [
        gettext("Allow camera and microphone for this page in your browser; the setting is usually behind the symbol to the left of the web address."),
        gettext("Then reload this page."),
      ];
  }
  if (browser.os === "mac") {
    steps.push(gettext("Still blocked? In System Settings, under Privacy & Security, allow your browser to use Camera and Microphone."));
  } else if (browser.os === "windows") {
    steps.push(gettext("Still blocked? In the Windows Settings, under Privacy & security, allow access to Camera and Microphone for desktop apps."));
  }
  return steps;
}

/**
 * A title and the steps to take for a problem with camera and microphone.
 * @param {ProblemKind} kind
 * @param {Browser} browser
 * @returns {Guidance}
 */
export function guidanceFor(kind, browser) {
  switch (kind) {
    case "insecure":
      return {
        title: gettext("This page is not connected securely"),
        text: gettext("Your browser only allows camera and microphone on secure pages."),
        steps: [gettext("Please open the exact link from your invitation; it begins with “https://”.")],
        retry: false,
      };
    case "unsupported": {
      const steps = [];
      if (browser.inApp) {
        steps.push(gettext("You seem to have opened the link inside another app (for example your e-mail or a messenger). Open the app's menu (often “⋯”) and choose “Open in browser”."));
      }
      if (browser.os === "ios") {
        steps.push(gettext("On an iPhone or iPad, please open the link in Safari and make sure the system is up to date."));
      } else {
        steps.push(gettext("Please open the link in a current version of Chrome, Edge, Firefox or Safari."));
      }
      return {
        title: gettext("This browser cannot make video calls"),
        text: gettext("It lacks what video calls need, or it is too old."),
        steps,
        retry: false,
      };
    }
    case "denied":
      return {
        title: gettext("Camera and microphone are blocked"),
        text: gettext("Your browser did not allow this page to use your camera and microphone. This is how you allow them:"),
        steps: unblockSteps(browser),
        retry: true,
      };
    case "notfound":
      return {
        title: gettext("No microphone was found"),
        text: gettext("Without a microphone your counselor cannot hear you."),
        steps: browser.mobile
          ? [gettext("Restart the browser, then tap “Try again”.")]
          : [
            gettext("Connect a headset or microphone and make sure it is switched on."),
            gettext("Then click “Try again”."),
          ],
        retry: true,
      };
    case "inuse":
      return {
        title: gettext("Camera or microphone is busy"),
        text: gettext("The browser could not start them because something else is using them."),
        steps: browser.mobile
          ? [
            gettext("Another app is using the camera or microphone, for example a phone or video call. Close it."),
            gettext("Then tap “Try again”."),
          ]
          : [
            gettext("Another program or browser tab is using the camera or microphone (for example Zoom, Teams or Skype). Close it."),
            gettext("Then click “Try again”."),
          ],
        retry: true,
      };
    default:
      return {
        title: gettext("Camera and microphone could not be started"),
        text: gettext("Something unexpected went wrong in the browser."),
        steps: [
          gettext("Please try again. If it still does not work, restart your browser and open the link again."),
        ],
        retry: true,
      };
  }
}
