// The live supervision screen (issue #21, item 6): keeps its figures current from the server's
// event stream. A new open alert shows a notice to reload; a lost stream shows a notice while the
// browser reconnects by itself.
(function () {
  var live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  var newest = Number(live.getAttribute("data-newest") || 0);
  var source = new EventSource(live.getAttribute("data-events"));
  function set(id, value) {
    var el = document.getElementById(id);
    if (el && el.textContent !== String(value)) el.textContent = String(value);
  }
  source.onmessage = function (e) {
    var f = JSON.parse(e.data);
    set("live-devices", f.devices);
    set("live-online", f.online);
    set("live-offline", f.offline);
    set("live-open", f.open);
    set("live-urgent", f.urgent);
    set("live-readings", f.readingsLastHour);
    set("live-at", f.at);
    document.getElementById("live-lost").hidden = true;
    document.getElementById("live-closed").hidden = true;
    if (f.newest > newest) document.getElementById("live-new").hidden = false;
  };
  source.onerror = function () {
    // CLOSED: the browser gave up (the session ended, so the stream answered with the sign-in page).
    var closed = source.readyState === EventSource.CLOSED;
    document.getElementById("live-lost").hidden = closed;
    document.getElementById("live-closed").hidden = !closed;
  };
})();
