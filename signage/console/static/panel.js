// The brightness slider: shown only with JavaScript (without it the number field does the
// job alone); the slider and the number field follow each other.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const slider = document.getElementById("percent-slider");
  const number = document.getElementById("percent");
  if (!slider || !number) return;
  for (const hidden of document.querySelectorAll(".js-only")) hidden.hidden = false;
  slider.addEventListener("input", () => { number.value = slider.value; });
  number.addEventListener("input", () => {
    if (number.value !== "" && !Number.isNaN(Number(number.value))) slider.value = number.value;
  });
});
