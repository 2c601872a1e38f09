// «Рядом со мной»: with the parent's permission, the browser's location becomes the point
// the catalog sorts by distance from. The button shows only where location is available.
(function () {
  "use strict";
  function show() {
    if (!navigator.geolocation) return;
    document.querySelectorAll("[data-near-me]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", show);
  document.addEventListener("htmx:afterSwap", show);
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-near-me]");
    if (!button) return;
    var form = button.closest("form");
    button.setAttribute("aria-busy", "true");
    navigator.geolocation.getCurrentPosition(function (position) {
      var near = form.querySelector("input[name=near]");
      if (!near) {
        near = document.createElement("input");
        near.type = "hidden";
        near.name = "near";
        form.appendChild(near);
      }
      near.value = position.coords.latitude.toFixed(5) + "," + position.coords.longitude.toFixed(5);
      var sort = form.querySelector("select[name=sort]");
      if (sort && !sort.querySelector("option[value=distance]")) {
        var option = document.createElement("option");
        option.value = "distance";
        option.textContent = button.textContent;
        sort.appendChild(option);
      }
      if (sort) sort.value = "distance";
      button.removeAttribute("aria-busy");
      form.requestSubmit();
    }, function () {
      button.removeAttribute("aria-busy");
      var announce = document.getElementById("announce");
      if (announce) announce.textContent = button.dataset.nearDenied;
      window.alert(button.dataset.nearDenied);
    }, { timeout: 10000, maximumAge: 600000 });
  });
})();
