// The playlist editor: a live preview of the item being typed (the form sent to the
// preview route half a second after the last key, newest answer wins), the picked
// picture's thumbnail, and a new kind applied at once. Without this file every part
// still works through the form's buttons.
(function () {
  "use strict";
  var form = document.getElementById("playlist-form");
  var picture = document.getElementById("preview-picture");
  var note = document.getElementById("preview-note");
  if (!form || !picture || !note) { return; }
  var csrf = form.querySelector("input[name=csrf]").value;
  var timer = null;
  var asked = 0;
  var shown = null;

  function say(text, isError) {
    note.textContent = "";
    (Array.isArray(text) ? text : [text]).forEach(function (line) {
      var p = document.createElement("p");
      if (isError) { p.className = "error"; }
      p.textContent = line;
      note.appendChild(p);
    });
  }

  function itemOf(element) {
    var item = element.closest ? element.closest("li.item") : null;
    return item ? parseInt(item.getAttribute("data-index"), 10) : null;
  }

  function preview(index) {
    var ticket = ++asked;
    say(form.getAttribute("data-wait-word"));
    fetch(form.getAttribute("data-preview") + "?item=" + index, {
      method: "POST", body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
    }).then(function (answer) {
      if (ticket !== asked) { return; }  // a newer preview is on its way
      if (answer.status === 200) {
        return answer.blob().then(function (blob) {
          if (ticket !== asked) { return; }
          var url = URL.createObjectURL(blob);
          picture.src = url;
          picture.hidden = false;
          if (shown) { URL.revokeObjectURL(shown); }
          shown = url;
          say(form.getAttribute("data-item-word").replace("{n}", String(index + 1)));
        });
      }
      if (answer.status === 422) {
        return answer.json().then(function (body) { say(body.messages, true); });
      }
      say(form.getAttribute("data-failed-word"), true);
    }).catch(function () {
      if (ticket === asked) { say(form.getAttribute("data-failed-word"), true); }
    });
  }

  function soon(index) {
    if (index === null || isNaN(index)) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { preview(index); }, 500);
  }

  form.addEventListener("input", function (event) { soon(itemOf(event.target)); });
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name && /\]\.kind$/.test(target.name)) {
      // A new kind has other fields: the server draws them (nothing is saved).
      var apply = target.closest("li.item").querySelector("button.kind-apply");
      if (apply && form.requestSubmit) { form.requestSubmit(apply); return; }
    }
    if (target.classList.contains("asset-select")) { showThumb(target); }
    soon(itemOf(target));
  });
  // Move up/down here, without sending the page over a slow link: the items swap places
  // and every field is renamed for its new place, as the server would have drawn it.
  form.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[value]") : null;
    var move = button ? /^(up|down):(\d+)$/.exec(button.value) : null;
    if (!move) { return; }
    var item = button.closest("li.item");
    var other = move[1] === "up" ? item.previousElementSibling : item.nextElementSibling;
    if (!other || !other.classList.contains("item")) { return; }
    event.preventDefault();
    item.parentNode.insertBefore(move[1] === "up" ? item : other, move[1] === "up" ? other : item);
    renumber();
    var again = item.querySelector('button[value^="' + move[1] + ':"]');
    (again && !again.disabled ? again : item).focus();
  });

  function renumber() {
    var items = form.querySelectorAll("li.item");
    Array.prototype.forEach.call(items, function (item, now) {
      var was = item.getAttribute("data-index");
      item.setAttribute("data-index", String(now));
      item.id = "item-" + now;
      if (String(now) === was) { return setEnds(item, now, items.length); }
      var names = new RegExp("items\\[" + was + "\\]", "g");
      var ids = new RegExp("f-items-" + was + "-", "g");
      item.querySelectorAll("[name],[id],[for],[aria-describedby],[data-for]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby", "data-for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) {
            el.setAttribute(attr, value.replace(names, "items[" + now + "]")
              .replace(ids, "f-items-" + now + "-"));
          }
        });
      });
      item.querySelectorAll("legend, button .sr").forEach(function (el) {
        el.textContent = el.textContent.replace(/\d+/, String(now + 1));
      });
      item.querySelectorAll("button[value]").forEach(function (el) {
        el.value = el.value.replace(/:\d+$/, ":" + now);
      });
      setEnds(item, now, items.length);
    });
  }

  function setEnds(item, index, count) {
    var up = item.querySelector('button[value^="up:"]');
    var down = item.querySelector('button[value^="down:"]');
    var path = form.getAttribute("action");
    if (up) { up.disabled = index === 0; up.setAttribute("formaction", path + "#item-" + Math.max(index - 1, 0)); }
    if (down) { down.disabled = index === count - 1; down.setAttribute("formaction", path + "#item-" + (index + 1)); }
    var apply = item.querySelector("button.kind-apply");
    if (apply) { apply.setAttribute("formaction", path + "#item-" + index); }
  }

  // The Preview buttons draw here at once instead of sending the whole page.
  form.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.preview-button") : null;
    if (!button) { return; }
    event.preventDefault();
    window.clearTimeout(timer);
    preview(itemOf(button));
    picture.scrollIntoView({ block: "nearest" });
  });

  // The first item at once, so the page opens with a picture (not for a reader: their
  // fields are disabled, so the form would send nothing to draw).
  var fields = form.querySelector("fieldset.plain");
  if (fields && !fields.disabled && form.querySelector("li.item") && picture.hidden) {
    preview(0);
  }

  // A big library is not sent in the page: the pickers are filled from the library's list
  // the first time one is reached (by tab, tap or click).
  var library = null;
  function fillPickers() {
    if (library) { return; }
    library = fetch("/playlists/_library.json", { credentials: "same-origin" })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (choices) {
        if (!choices) { library = null; return; }
        form.querySelectorAll("select[data-library]").forEach(function (select) {
          var chosen = select.value;
          Array.prototype.slice.call(select.options).forEach(function (option) {
            if (option.value && option.value !== chosen) { select.removeChild(option); }
          });
          (choices[select.getAttribute("data-library")] || []).forEach(function (entry) {
            if (entry.ref === chosen) { return; }
            var option = document.createElement("option");
            option.value = entry.ref;
            option.textContent = entry.label;
            option.setAttribute("data-thumb", entry.thumb);
            select.appendChild(option);
          });
          select.removeAttribute("data-library");
        });
      })
      .catch(function () { library = null; });
  }
  ["focusin", "pointerdown"].forEach(function (kind) {
    form.addEventListener(kind, function (event) {
      if (event.target.matches && event.target.matches("select[data-library]")) { fillPickers(); }
    });
  });

  function showThumb(select) {
    var img = form.querySelector('img.thumb[data-for="' + select.id + '"]');
    var option = select.options[select.selectedIndex];
    var src = option ? option.getAttribute("data-thumb") : "";
    if (!img) { return; }
    img.hidden = !src;
    if (src) { img.src = src; }
  }
}());
