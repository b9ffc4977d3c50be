/* The screen at a patrol point: keep the phone awake and grey the code out when it has not
   refreshed for a while (the phone is offline), so nobody scans a code that has expired. */
(function () {
  "use strict";
  var STALE_AFTER_MS = 70 * 1000;
  var lastOk = Date.now();
  var lock = null;

  function keepAwake() {
    if (!("wakeLock" in navigator) || document.visibilityState !== "visible") { return; }
    navigator.wakeLock.request("screen").then(function (l) {
      lock = l;
      l.addEventListener("release", function () { lock = null; });
    }).catch(function () { lock = null; });
  }

  function panel() { return document.querySelector(".pp-live"); }

  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail && event.detail.successful) {
      lastOk = Date.now();
      var p = panel();
      if (p) { p.classList.remove("pp-stale"); }
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && lock === null) { keepAwake(); }
  });

  setInterval(function () {
    var p = panel();
    if (p && Date.now() - lastOk > STALE_AFTER_MS) { p.classList.add("pp-stale"); }
  }, 5000);

  keepAwake();
})();
