/* Check-in on patrol: put the phone's position into the hidden latitude / longitude /
   accuracy_m fields of every form marked data-geo, and make sure each form carries a
   client_id. When the phone refuses or has no fix, the form is sent without a position.
   A form sent before the position arrives waits for it a few seconds, never longer. */
(function () {
  "use strict";
  var WAIT_MS = 8000;
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-geo]"));
  if (!forms.length) return;
  var status = document.querySelector("[data-geo-status]");
  var state = "asking"; // asking | ok | refused
  var waiting = [];

  function say(key) {
    if (status && status.dataset[key]) status.textContent = status.dataset[key];
  }

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function set(form, name, value) {
    var input = form.querySelector("input[name='" + name + "']");
    if (input) input.value = value;
  }

  function settle(newState) {
    if (state !== "asking") return;
    state = newState;
    say(newState);
    var pending = waiting;
    waiting = [];
    pending.forEach(function (form) { form.submit(); });
  }

  forms.forEach(function (form) {
    var id = form.querySelector("input[name='client_id']");
    if (id && !id.value) id.value = uuid4();
    form.addEventListener("submit", function (event) {
      var button = form.querySelector("button[type=submit]");
      if (form.dataset.sent) { event.preventDefault(); return; } // a double tap: once is enough
      form.dataset.sent = "1";
      if (button) button.disabled = true;
      if (state === "asking") {
        event.preventDefault();
        waiting.push(form);
        window.setTimeout(function () { settle("refused"); }, WAIT_MS);
      }
    });
  });

  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return; // back to a page kept in memory: it may be sent again
    forms.forEach(function (form) {
      delete form.dataset.sent;
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = false;
    });
  });

  if (!("geolocation" in navigator)) { settle("refused"); return; }
  say("asking");
  navigator.geolocation.getCurrentPosition(
    function (pos) {
      forms.forEach(function (form) {
        set(form, "latitude", pos.coords.latitude.toFixed(6));
        set(form, "longitude", pos.coords.longitude.toFixed(6));
        set(form, "accuracy_m", Math.round(pos.coords.accuracy || 0));
      });
      settle("ok");
    },
    function () { settle("refused"); },
    { enableHighAccuracy: true, timeout: WAIT_MS, maximumAge: 60000 }
  );
})();
