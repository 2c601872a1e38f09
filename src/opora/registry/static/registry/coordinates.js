// The coordinates picker of the organization form: a click on the map puts the marker
// there and fills in «широта» and «долгота»; the marker can be dragged; numbers typed in
// the fields move it. The fields stay the truth (the server checks them against the
// region's box); without JavaScript or tiles they are typed by hand.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("coordinates-map");
    var latitude = document.getElementById("id_latitude");
    var longitude = document.getElementById("id_longitude");
    if (!box || !latitude || !longitude || !window.L) return;
    box.hidden = false;
    var hint = document.querySelector(".coordinates-hint");
    if (hint) hint.hidden = false;
    var b = box.dataset.bounds.split(",").map(Number);  // south, west, north, east
    var region = L.latLngBounds([b[0], b[1]], [b[2], b[3]]);
    function typed() {
      var lat = parseFloat(latitude.value.replace(",", "."));
      var lng = parseFloat(longitude.value.replace(",", "."));
      return isNaN(lat) || isNaN(lng) ? null : L.latLng(lat, lng);
    }
    var start = typed();
    var map = L.map(box, { scrollWheelZoom: false, maxBounds: region.pad(0.5) })
      .setView(start || box.dataset.centre.split(",").map(Number), start ? 15 : 10);
    L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: box.dataset.attribution }).addTo(map);
    var marker = null;
    // Written as the page's language writes decimals («56,60140» in Russian), as the
    // server shows them; the server takes a dot too.
    var comma = (document.documentElement.lang || "").indexOf("ru") === 0;
    function decimal(value) {
      var text = value.toFixed(5);
      return comma ? text.replace(".", ",") : text;
    }
    function fill(point) {
      latitude.value = decimal(point.lat);
      longitude.value = decimal(point.lng);
      latitude.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function place(point) {
      if (marker) {
        marker.setLatLng(point);
        return;
      }
      marker = L.marker(point, { draggable: true, autoPan: true,
                                 title: box.getAttribute("aria-label"), alt: box.getAttribute("aria-label") })
        .addTo(map);
      marker.on("dragend", function () { fill(marker.getLatLng()); });
    }
    if (start) place(start);
    map.on("click", function (event) {
      place(event.latlng);
      fill(event.latlng);
    });
    [latitude, longitude].forEach(function (input) {
      input.addEventListener("input", function () {
        var point = typed();
        if (point && region.contains(point)) {
          place(point);
          map.panTo(point);
        }
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
