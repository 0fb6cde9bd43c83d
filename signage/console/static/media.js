// The media library: send an upload with a progress bar (XMLHttpRequest: fetch() cannot
// report upload progress), accept a file dropped on the box, and refresh while a film is
// being made the wall's size. Without this script the forms post as usual.
"use strict";

(function () {
  const errors = document.getElementById("upload-errors");

  function showErrors(messages) {
    errors.replaceChildren(...messages.map((words) => {
      const line = document.createElement("p");
      line.className = "error";
      line.textContent = words;  // text, never HTML: the words may quote a file name
      return line;
    }));
  }

  // The server's caps, checked here first: on a slow link a file over its cap should be
  // refused before it is sent, not after. The server checks again (by content).
  function tooBig(file) {
    const film = file.type.startsWith("video/") || /\.(mp4|m4v|mov|mkv|webm)$/i.test(file.name);
    const limit = Number(film ? errors.dataset.filmMax : errors.dataset.imageMax);
    if (file.size <= limit) { return null; }
    return film ? errors.dataset.filmTooBig : errors.dataset.imageTooBig;
  }

  function send(form) {
    const input = form.querySelector("input[type=file]");
    if (!input.files.length) { input.focus(); return; }
    const refusal = tooBig(input.files[0]);
    if (refusal) {
      input.setAttribute("aria-invalid", "true");
      showErrors([refusal]);
      return;
    }
    const bar = form.querySelector(".upload-progress");
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", form.elements.csrf.value);
    request.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) { return; }
      bar.value = Math.round((100 * event.loaded) / event.total);
      bar.textContent = bar.value + "%";
    });
    request.addEventListener("load", () => {
      let answer = {};
      try { answer = JSON.parse(request.responseText); } catch (e) { answer = {}; }
      if (answer.redirect) { window.location.assign(answer.redirect); return; }
      bar.hidden = true;
      input.setAttribute("aria-invalid", "true");
      showErrors(answer.errors || [form.dataset.failed || request.statusText]);
    });
    request.addEventListener("error", () => {
      bar.hidden = true;
      showErrors([errors.dataset.network]);
    });
    bar.hidden = false;
    bar.value = 0;
    request.send(new FormData(form));
  }

  document.querySelectorAll("form.upload-form").forEach((form) => {
    form.addEventListener("submit", (event) => { event.preventDefault(); send(form); });
  });

  document.querySelectorAll("[data-drop]").forEach((zone) => {
    const input = zone.querySelector("input[type=file]");
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => {
      zone.classList.remove("dragging");
    }));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      if (!event.dataTransfer.files.length) { return; }
      input.files = event.dataTransfer.files;
      send(zone);
    });
  });

  // A film being transcoded: look again in a few seconds, until its job is over.
  if (document.querySelector("[data-job-running]")) {
    window.setTimeout(() => window.location.reload(), 5000);
  }
}());
