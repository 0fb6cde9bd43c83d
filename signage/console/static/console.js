// On a wide screen the menu starts open; on a phone it stays folded until tapped.
// Without this script the menu still opens with a tap or Enter.
(function () {
  "use strict";
  var menu = document.querySelector("details.menu");
  if (menu && window.matchMedia("(min-width: 900px)").matches) { menu.open = true; }
}());
