// Browser-compatibility lint of the client's JavaScript, and nothing else: no style rules.
// eslint-plugin-compat checks the Web APIs and ES built-ins the code uses against MDN's
// browser-compat-data for the oldest browsers named in package.json "browserslist"; the
// parser accepts ES2022 syntax and no newer, which every browser on that list has.
// Why those browsers, and what the lint cannot see: docs/browsers.md.
// Run: npm run compat (tests/test_js.py runs it too and fails on any finding).
// A use guarded by a check the plugin cannot see gets a narrow
//   // eslint-disable-next-line compat/compat -- guarded: <why>
// never a file-wide disable.
import compat from "eslint-plugin-compat";

export default [
  {
    files: ["src/visavis/web/static/visavis/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
    plugins: { compat },
    settings: {
      // ES built-ins too (Array.prototype.at, structuredClone, Object.hasOwn, ...),
      // not only Web APIs.
      lintAllEsApis: true,
    },
    rules: {
      "compat/compat": "error",
    },
  },
];
