// The map of the catalog: markers of the found programs' organizations from the API,
// clustered; a click on a marker shows its programs, a click on the map offers to search
// near that point. Without JavaScript or tiles the list below the map is the page.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("map");
    if (!box || !window.L) return;
    box.hidden = false;
    var hint = document.querySelector(".map-hint");
    if (hint) hint.hidden = false;
    var centre = box.dataset.centre.split(",").map(Number);
    var map = L.map(box, { scrollWheelZoom: false }).setView(centre, 11);
    L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: box.dataset.attribution }).addTo(map);
    var cluster = L.markerClusterGroup({ showCoverageOnHover: false });
    map.addLayer(cluster);
    var query = box.dataset.query ? "?" + box.dataset.query : "";
    function text(tag, value) {
      var element = document.createElement(tag);
      element.textContent = value;
      return element;
    }
    fetch(box.dataset.api + query, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (points) {
        var bounds = [];
        points.forEach(function (point) {
          if (point.latitude === null || point.longitude === null) return;
          var card = document.createElement("div");
          card.appendChild(text("strong", point.name));
          card.appendChild(text("div", point.address));
          var link = text("a", box.dataset.open + " (" + point.programs + ")");
          link.href = point.url;
          card.appendChild(link);
          var marker = L.marker([point.latitude, point.longitude], { title: point.name, alt: point.name });
          marker.bindPopup(card);
          cluster.addLayer(marker);
          bounds.push([point.latitude, point.longitude]);
        });
        // the first view is set at once: the map has just appeared, and a marker tapped
        // while the view still zooms would be missed
        if (bounds.length) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 14, animate: false });
        box.dataset.markers = String(bounds.length);
      });
    map.on("click", function (event) {
      var params = new URLSearchParams(box.dataset.query);
      params.set("near", event.latlng.lat.toFixed(5) + "," + event.latlng.lng.toFixed(5));
      params.set("sort", "distance");
      params.delete("organization");
      var link = text("a", box.dataset.near);
      link.href = box.dataset.catalog + "?" + params.toString();
      L.popup().setLatLng(event.latlng).setContent(link).openOn(map);
    });
  }
  document.addEventListener("DOMContentLoaded", start);
})();
