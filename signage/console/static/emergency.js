// The emergency page: count each notice's time left down every second, and redraw the
// preview as the texts change. Without this script the end time and the Preview button
// do the same work.
"use strict";

(function () {
  const started = performance.now();

  function hms(seconds) {
    const h = Math.floor(seconds / 3600);
    const m = Math.floor((seconds % 3600) / 60);
    const s = seconds % 60;
    return h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
  }

  // Counted from the server's figure, not the browser's clock (which may be wrong).
  function tick() {
    const elapsed = Math.floor((performance.now() - started) / 1000);
    document.querySelectorAll("[data-remaining-s]").forEach(function (el) {
      const left = Number(el.dataset.remainingS) - elapsed;
      el.textContent = left > 0 ? hms(left) : el.dataset.ended;
    });
  }

  if (document.querySelector("[data-remaining-s]")) {
    setInterval(tick, 1000);
  }

  const image = document.getElementById("notice-preview");
  const figure = document.getElementById("preview-figure");
  const fields = ["vi", "en", "zh"].map(function (lang) { return document.getElementById("t-" + lang); });
  if (!image || fields.some(function (f) { return !f; })) {
    return;
  }
  let timer = null;
  function redraw() {
    const query = new URLSearchParams();
    fields.forEach(function (field) { query.set(field.name, field.value); });
    if (fields.every(function (field) { return field.value.trim(); })) {
      image.src = image.dataset.base + "?" + query.toString();
      figure.hidden = false;
    }
  }
  fields.forEach(function (field) {
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(redraw, 600);
    });
  });
})();
