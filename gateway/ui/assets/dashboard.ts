// The dashboard's browser script, served as /ui/assets/dashboard.js (the CSP admits no inline script). It
// listens to the SSE stream named by the page (`data-events`), and on each `dashboard` event copies the view
// (gateway/ui/dashboard/view.ts) into the page: stats and table cells with textContent only, the chart by
// moving the server-computed rectangles. On `expired` (session over) it goes to the login page.

export const DASHBOARD_JS = `(function () {
  'use strict';
  var root = document.querySelector('[data-dashboard]');
  if (!root || !window.EventSource) return;
  var liveStatus = document.querySelector('[data-live-status]');
  var errorBox = document.querySelector('[data-errors]');
  var noRules = document.querySelector('[data-no-active-rules]');
  var BADGES = ['ok', 'warn', 'bad', 'info', 'muted'];

  function setLive(text, cls) {
    if (!liveStatus) return;
    liveStatus.textContent = text;
    liveStatus.className = 'live ' + cls;
  }

  function cellNode(cell) {
    var td = document.createElement('td');
    var classes = String(cell.cls || '').split(' ').filter(Boolean);
    if (classes.indexOf('num') >= 0) td.className = 'num';
    if (cell.span) { td.colSpan = cell.span; td.className = 'empty'; }
    var badge = classes.filter(function (c) { return BADGES.indexOf(c) >= 0; })[0];
    var content;
    if (typeof cell.href === 'string' && cell.href.indexOf('/ui/') === 0) {
      content = document.createElement('a');
      content.setAttribute('href', cell.href);
      content.textContent = cell.text;
    } else if (badge) {
      content = document.createElement('span');
      content.className = 'badge ' + badge;
      content.textContent = cell.text;
    } else {
      content = document.createTextNode(cell.text);
    }
    td.appendChild(content);
    return td;
  }

  function applyTables(tables) {
    Object.keys(tables || {}).forEach(function (name) {
      var body = document.querySelector('tbody[data-table="' + name + '"]');
      if (!body) return;
      var frag = document.createDocumentFragment();
      (tables[name] || []).forEach(function (row) {
        var tr = document.createElement('tr');
        row.forEach(function (cell) { tr.appendChild(cellNode(cell)); });
        frag.appendChild(tr);
      });
      while (body.firstChild) body.removeChild(body.firstChild);
      body.appendChild(frag);
    });
  }

  function applyStats(stats) {
    Object.keys(stats || {}).forEach(function (key) {
      var nodes = document.querySelectorAll('[data-stat="' + key + '"]');
      for (var i = 0; i < nodes.length; i++) {
        var el = nodes[i];
        var s = stats[key];
        el.textContent = s.text;
        var base = el.getAttribute('data-base-class');
        if (base !== null) el.setAttribute('class', base + (s.cls && BADGES.indexOf(s.cls) >= 0 ? ' ' + s.cls : ''));
      }
    });
  }

  function applyChart(chart) {
    var svg = document.querySelector('svg[data-chart]');
    if (!svg || !chart) return;
    (chart.bars || []).forEach(function (b, i) {
      var rect = svg.querySelector('rect[data-bar="' + i + '"]');
      if (!rect) return;
      rect.setAttribute('x', b.x); rect.setAttribute('y', b.y);
      rect.setAttribute('width', b.w); rect.setAttribute('height', b.h);
      var title = rect.querySelector('title');
      if (title) title.textContent = b.title;
    });
    (chart.labels || []).forEach(function (l, i) {
      var t = svg.querySelector('text[data-xlabel="' + i + '"]');
      if (t) t.textContent = l.text;
    });
    var max = svg.querySelector('[data-ymax]');
    if (max) max.textContent = chart.maxLabel;
    var mid = svg.querySelector('[data-ymid]');
    if (mid) mid.textContent = chart.midLabel;
  }

  function applyErrors(errors) {
    if (!errorBox) return;
    while (errorBox.firstChild) errorBox.removeChild(errorBox.firstChild);
    (errors || []).forEach(function (e) {
      var li = document.createElement('li');
      li.textContent = e;
      errorBox.appendChild(li);
    });
    var wrap = errorBox.closest('[data-errors-wrap]');
    if (wrap) wrap.hidden = !(errors && errors.length);
  }

  var source = new EventSource(root.getAttribute('data-events'));
  source.addEventListener('dashboard', function (ev) {
    var view;
    try { view = JSON.parse(ev.data); } catch (e) { return; }
    applyStats(view.stats);
    applyTables(view.tables);
    applyChart(view.chart);
    applyErrors(view.errors);
    if (noRules) noRules.hidden = view.activeRules !== 0;
    root.setAttribute('data-updated', String(view.at));
    setLive('live · updated ' + view.updated + ' UTC', view.errors && view.errors.length ? 'warn' : 'ok');
  });
  source.addEventListener('unavailable', function () {
    setLive('services unavailable; retrying…', 'warn');
  });
  source.addEventListener('expired', function () {
    source.close();
    window.location.assign('/ui/login');
  });
  source.onerror = function () {
    // CLOSED: the server refused the stream (session over); otherwise the browser retries by itself.
    if (source.readyState === 2) setLive('disconnected · reload the page', 'warn');
    else setLive('reconnecting…', 'warn');
  };
})();
`;
