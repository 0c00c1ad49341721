// "Nearest to me first": the phone's position reloads the list sorted by distance.
(function () {
  var button = document.getElementById("near-me");
  if (!button || !navigator.geolocation) { if (button) button.hidden = true; return; }
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("near-lat").value = pos.coords.latitude.toFixed(5);
      document.getElementById("near-lon").value = pos.coords.longitude.toFixed(5);
      document.getElementById("near-form").submit();
    });
  });
})();
