// The overview's wall picture: fetched again about once a second while the page is shown.
// A new object URL per frame, the old one released, so a day-long open tab does not grow.
(function () {
  "use strict";
  var img = document.getElementById("wall-picture");
  if (!img) { return; }
  var every = parseInt(img.getAttribute("data-refresh-ms"), 10) || 1000;
  var shown = null;
  function refresh() {
    if (document.hidden) { return schedule(); }
    fetch("/screen.png", { cache: "no-store", credentials: "same-origin" })
      .then(function (answer) {
        if (answer.status === 401 || answer.redirected) { window.location.reload(); return null; }
        return answer.status === 200 ? answer.blob() : null;
      })
      .then(function (blob) {
        if (blob) {
          var url = URL.createObjectURL(blob);
          img.src = url;
          if (shown) { URL.revokeObjectURL(shown); }
          shown = url;
        }
      })
      .catch(function () { /* the link dropped: try again next time */ })
      .then(schedule);
  }
  function schedule() { window.setTimeout(refresh, every); }
  schedule();
}());
