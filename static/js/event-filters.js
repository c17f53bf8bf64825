// The filter panel of /events/ is open without JavaScript. On small screens, fold it so the
// events come first, unless a filter is in use (then people want to see and change it).
(function () {
  "use strict";
  var panel = document.querySelector("details[data-fold-on-small]");
  if (panel && !panel.hasAttribute("data-in-use") && window.matchMedia("(max-width: 991.98px)").matches) {
    panel.open = false;
  }
})();
