// Semel console: live refresh of the page's main part and the charts, no dependencies.
(function () {
  'use strict';
  var main = document.getElementById('main');
  if (!main) { return; }
  var refreshMs = parseInt(main.getAttribute('data-refresh-ms'), 10) || 2000;
  var live = document.getElementById('live');

  // A user ticking dead letters or typing an offset must not lose it to a refresh.
  function busy() {
    var a = document.activeElement;
    if (a && (a.tagName === 'INPUT' || a.tagName === 'SELECT' || a.tagName === 'TEXTAREA')) { return true; }
    return main.querySelector('input[type=checkbox]:checked') !== null;
  }

  // Absolute URLs from location.origin: a page opened as http://user:pass@host/ resolves relative
  // URLs with those credentials, and fetch() refuses such URLs. The browser still sends the cached
  // Basic credentials to the same origin.
  function withFragment(url) {
    return url + (url.indexOf('?') < 0 ? '?' : '&') + 'fragment=1';
  }

  function drawChart(svg, t, values) {
    var w = 600, h = 160, pad = 4;
    var max = 0;
    for (var i = 0; i < values.length; i++) { if (values[i] > max) { max = values[i]; } }
    var scale = max > 0 ? (h - 2 * pad) / max : 0;
    var pts = [];
    for (var j = 0; j < values.length; j++) {
      var x = values.length < 2 ? w : pad + (w - 2 * pad) * j / (values.length - 1);
      var y = h - pad - Math.max(0, values[j]) * scale;
      pts.push(x.toFixed(1) + ',' + y.toFixed(1));
    }
    var last = values.length ? values[values.length - 1] : 0;
    svg.setAttribute('data-points', String(values.length));
    svg.setAttribute('data-max', String(max));
    svg.innerHTML = '<polyline fill="none" stroke="#2a6fdb" stroke-width="2" points="' + pts.join(' ') + '"/>' +
      '<text x="6" y="14" class="axis">max ' + max.toFixed(1) + '</text>' +
      '<text x="594" y="14" text-anchor="end" class="axis">now ' + last.toFixed(1) + '</text>';
  }

  function charts() {
    var svgs = main.querySelectorAll('svg.chart');
    if (!svgs.length) { return Promise.resolve(); }
    return fetch(location.origin + '/api/metrics', { credentials: 'same-origin' }).then(function (r) { return r.json(); })
      .then(function (m) {
        for (var i = 0; i < svgs.length; i++) {
          var series = m[svgs[i].getAttribute('data-series')] || [];
          drawChart(svgs[i], m.t, series);
        }
      });
  }

  function refresh() {
    if (busy()) { setTimeout(refresh, refreshMs); return; }
    fetch(withFragment(location.origin + location.pathname + location.search), { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.text();
      })
      .then(function (html) {
        if (!busy()) { main.innerHTML = html; }
        live.className = 'live';
        live.setAttribute('data-refreshed', String(Date.now()));
        return charts();
      })
      .catch(function () { live.className = 'live stale'; })
      .then(function () { setTimeout(refresh, refreshMs); });
  }

  charts().catch(function () { live.className = 'live stale'; });
  setTimeout(refresh, refreshMs);
})();
