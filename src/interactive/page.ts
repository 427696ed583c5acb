/**
 * The page of `spex explore`: its HTML, its style (the HTML report's, export/html.ts, for the
 * state tables and views, then the explorer's own) and its script, served as three fixed
 * files. The script asks the JSON API (server.ts) for the model (session.ts) and draws it. It
 * puts every text into the page with textContent; only the model's `...Html` fields, which
 * the server built from escaped parts, are inserted as markup.
 */
import { CSS as REPORT_CSS } from '../export/html.js';

export const PAGE_HTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>spex explore</title>
<link rel="stylesheet" href="/explorer.css">
</head>
<body class="hide-same">
<header>
<h1><span id="spec-name">spex explore</span> <span class="meta" id="spec-check"></span></h1>
<div class="meta" id="spec-file"></div>
<div class="meta" id="constants"></div>
<div class="toolbar">
<button type="button" id="back" title="back (Alt+Left)">◀ back</button>
<button type="button" id="forward" title="forward (Alt+Right)">forward ▶</button>
<button type="button" id="initials">initial states</button>
<form id="search-form" autocomplete="off"><input id="search" type="text" spellcheck="false" placeholder="jump to the nearest state where ... (a Bool over the state)"><button type="submit" id="search-go">search</button></form>
<label class="open-trace">open ITF trace <input type="file" id="trace-file" accept=".json,application/json"></label>
</div>
<pre id="message" hidden></pre>
</header>
<main>
<nav id="path-panel"><h2>Path</h2><ol id="path"></ol></nav>
<section id="state-panel">
<h2 id="state-title"></h2>
<ul id="changes"></ul>
<div id="views"></div>
<label class="meta"><input type="checkbox" id="show-unchanged"> show unchanged parts</label>
<div id="state"></div>
</section>
<aside id="side">
<section><h2 id="steps-title">Steps</h2><p id="status"></p><ol id="steps"></ol></section>
<section><h2>Invariants</h2><ul id="invariants" class="status-list"></ul></section>
<section id="step-checks-panel" hidden><h2>The step into this state</h2><ul id="step-checks" class="status-list"></ul></section>
<section id="constraints-panel" hidden><h2>Constraints</h2><ul id="constraints" class="status-list"></ul></section>
<section id="properties-panel" hidden><h2>Properties</h2><p class="meta">Temporal properties are not judged on one state: their state predicates, here.</p><ul id="properties"></ul></section>
<section><h2 id="coverage-title">Coverage</h2><ul id="coverage"></ul></section>
</aside>
</main>
<script src="/explorer.js"></script>
</body>
</html>
`;

export const PAGE_CSS =
  REPORT_CSS +
  `
header { padding: 10px 20px; }
h1 { font-size: 18px; }
h2 { font-size: 14px; margin: 0 0 6px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-top: 8px; }
.toolbar form { display: flex; gap: 4px; flex: 1 1 360px; }
.toolbar input[type=text] { flex: 1; font: 13px ui-monospace, monospace; padding: 3px 6px; }
button { font: inherit; font-size: 13px; cursor: pointer; }
button:disabled { cursor: default; }
.open-trace { font-size: 13px; }
#message { margin: 8px 0 0; padding: 6px 10px; border-radius: 4px; white-space: pre-wrap; font: 12px/1.4 ui-monospace, monospace; background: #eef6ff; }
#message.error { background: #fde2e1; color: #82071e; }
main { display: grid; grid-template-columns: 240px minmax(0, 1fr) 380px; gap: 14px; padding: 14px 20px; align-items: start; }
main > nav, main > section, main > aside > section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
main > aside > section { margin-bottom: 12px; }
ol#path { list-style: none; margin: 0; padding: 0; font: 12px ui-monospace, monospace; }
ol#path button { display: block; width: 100%; text-align: left; border: 0; border-left: 3px solid var(--line); background: none; padding: 3px 6px; font: inherit; }
ol#path li.current button { border-left-color: #0969da; background: #ddf4ff; font-weight: 700; }
ol#path li.future button { color: #8c959f; }
ol#path .num { color: var(--muted); display: inline-block; min-width: 2.5ch; }
#state-title { font: 700 14px ui-monospace, monospace; }
ul#changes { margin: 0 0 8px; padding-left: 18px; font: 13px ui-monospace, monospace; }
ul#changes .before { color: #8c959f; text-decoration: line-through; }
ol#steps { list-style: none; margin: 0; padding: 0; }
ol#steps li { margin: 0 0 4px; }
ol#steps button.step { width: 100%; text-align: left; border: 1px solid var(--line); border-radius: 4px; background: #f6f8fa; padding: 4px 8px; display: flex; flex-wrap: wrap; gap: 6px; align-items: baseline; }
ol#steps button.step:hover { background: #ddf4ff; border-color: #54aeff; }
ol#steps .label { font: 600 12px ui-monospace, monospace; }
ol#steps li.fault .step { border-color: var(--bad); background: #fff5f5; cursor: default; }
ol#steps li.fault .label { color: var(--bad); }
ol#steps pre.diagnostic { font-size: 11px; white-space: pre-wrap; margin: 4px 0; color: #82071e; }
ol#steps .summary { font: 11px ui-monospace, monospace; color: var(--muted); }
.badge.info { background: #eef2f6; color: #444; }
#status.deadlock { color: var(--bad); font-weight: 600; }
#status.done { color: #1a7f37; font-weight: 600; }
ul.status-list, ul#properties, ul#coverage { list-style: none; margin: 0; padding: 0; font: 12px ui-monospace, monospace; }
ul.status-list li { padding: 2px 6px; border-radius: 4px; margin-bottom: 2px; display: flex; justify-content: space-between; gap: 8px; }
li.ok { background: #dafbe1; color: #1a7f37; }
li.bad { background: #cf222e; color: #fff; font-weight: 700; }
li.err { background: #fff1b8; color: #9a6700; }
ul#properties > li { margin-bottom: 6px; }
ul#properties ul { list-style: none; padding-left: 10px; margin: 2px 0; }
ul#properties .pred.true { color: #1a7f37; }
ul#properties .pred.false { color: var(--bad); }
ul#coverage li { padding: 1px 6px; }
ul#coverage li.taken { color: #1a7f37; }
ul#coverage li.not-taken { color: #8c959f; }
ul#coverage .count { float: right; }
`;

/** The page's script (plain ES2017, no modules): fetches the model and draws it. */
export const PAGE_JS = `'use strict';
(function () {
  var model = null;
  var busy = false;
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function showMessage(m) {
    var box = $('message');
    if (!m) { box.hidden = true; box.textContent = ''; return; }
    box.hidden = false;
    box.className = m.kind;
    box.textContent = m.text;
  }
  function api(path, body) {
    var init = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
    return fetch(path, init).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error || ('HTTP ' + r.status));
        return j;
      });
    });
  }
  function act(path, body) {
    if (busy) return Promise.resolve();
    busy = true;
    document.body.classList.add('busy');
    return api(path, body).then(render, function (e) { showMessage({ kind: 'error', text: e.message }); })
      .then(function () { busy = false; document.body.classList.remove('busy'); });
  }
  function badge(kind, text) { return el('span', 'badge ' + kind, text); }

  function renderPath(m) {
    var ol = clear($('path'));
    m.path.forEach(function (p, i) {
      var li = el('li', i === m.pos ? 'current' : i > m.pos ? 'future' : '');
      var b = el('button');
      b.type = 'button';
      b.appendChild(el('span', 'num', String(i)));
      b.appendChild(document.createTextNode(' ' + p.label));
      b.addEventListener('click', function () { act('/api/goto', { pos: i }); });
      li.appendChild(b);
      ol.appendChild(li);
    });
    $('back').disabled = m.pos <= 0;
    $('forward').disabled = m.pos >= m.path.length - 1;
    $('initials').hidden = m.initialCount <= 1;
  }

  function renderInitial(m) {
    $('state-title').textContent = 'Choose an initial state (' + (m.initialCut ? 'the first ' : '') + m.initialCount + ')';
    clear($('changes')); clear($('views')); clear($('state'));
    $('steps-title').textContent = 'Initial states';
    $('status').textContent = '';
    $('status').className = '';
    var ol = clear($('steps'));
    (m.initial || []).forEach(function (s) {
      var li = el('li', s.fault ? 'fault' : '');
      var b = el('button', 'step');
      b.type = 'button';
      b.appendChild(el('span', 'label', s.fault ? 'init fails' : 'init #' + (s.index + 1)));
      if (s.fault) {
        b.disabled = true;
        li.appendChild(b);
        li.appendChild(el('pre', 'diagnostic', s.fault));
      } else {
        s.violates.forEach(function (v) { b.appendChild(badge('bad', 'violates ' + v)); });
        b.appendChild(el('span', 'summary', s.summary.join(', ')));
        b.setAttribute('data-label', 'init');
        b.addEventListener('click', function () { act('/api/init', { index: s.index }); });
        li.appendChild(b);
      }
      ol.appendChild(li);
    });
    ['invariants', 'step-checks', 'constraints', 'properties'].forEach(function (id) { clear($(id)); });
  }

  function statusList(id, items) {
    var ul = clear($(id));
    items.forEach(function (it) {
      var li = el('li', it.holds === true ? 'ok' : it.holds === false ? 'bad' : 'err');
      li.setAttribute('data-name', it.name);
      li.appendChild(el('span', 'name', it.name));
      li.appendChild(el('span', 'value', it.holds === null ? 'error: ' + (it.error || '') : String(it.holds)));
      ul.appendChild(li);
    });
    return items.length > 0;
  }

  function renderCurrent(m) {
    var c = m.current;
    $('state-title').textContent = 'State ' + c.pos + ': ' + c.label;
    var ul = clear($('changes'));
    c.changes.forEach(function (ch) {
      var li = el('li');
      li.appendChild(el('span', 'path', ch.path + ': '));
      li.appendChild(el('span', 'before', ch.before));
      li.appendChild(document.createTextNode(' → '));
      li.appendChild(el('span', 'after', ch.after));
      ul.appendChild(li);
    });
    if (c.pos > 0 && c.changes.length === 0) ul.appendChild(el('li', 'meta', '(no change)'));
    // Built by the server from escaped parts (export/html.ts, export/view.ts).
    $('views').innerHTML = c.viewsHtml;
    $('state').innerHTML = c.stateHtml;

    $('steps-title').textContent = 'Steps (' + (c.steps.length + c.moreSteps) + ')';
    var st = $('status');
    st.className = c.status;
    st.textContent = c.status === 'deadlock' ? 'Deadlock: no step is enabled in this state.'
      : c.status === 'done' ? 'No step: every process has ended or waits at an end label (a valid end, not a deadlock).' : '';
    var ol = clear($('steps'));
    c.steps.forEach(function (s) {
      var li = el('li', s.fault ? 'fault' : '');
      var b = el('button', 'step');
      b.type = 'button';
      b.setAttribute('data-label', s.label);
      b.setAttribute('data-index', String(s.index));
      b.appendChild(el('span', 'label', s.label));
      if (s.fault) {
        b.disabled = true;
        b.appendChild(badge('bad', s.fault.kind === 'assert' ? 'assert fails: ' + s.fault.message : 'run-time error: ' + s.fault.message));
        li.appendChild(b);
        li.appendChild(el('pre', 'diagnostic', s.fault.diagnostic));
      } else {
        s.notes.forEach(function (n) { b.appendChild(badge(n.kind, n.text)); });
        b.addEventListener('click', function () { act('/api/step', { from: c.id, index: s.index }); });
        li.appendChild(b);
      }
      ol.appendChild(li);
    });
    if (c.moreSteps > 0) ol.appendChild(el('li', 'meta', '... and ' + c.moreSteps + ' more (search to reach them)'));

    statusList('invariants', c.invariants);
    $('step-checks-panel').hidden = !statusList('step-checks', c.stepChecks);
    $('constraints-panel').hidden = !statusList('constraints', c.constraints);
    var pl = clear($('properties'));
    c.properties.forEach(function (p) {
      var li = el('li');
      li.setAttribute('data-name', p.name);
      li.appendChild(el('span', 'name', p.name));
      li.appendChild(el('span', 'meta', ' (' + p.kind + ', not judged here)'));
      var inner = el('ul');
      p.predicates.forEach(function (q) {
        var v = q.holds === null ? 'error: ' + (q.error || '') : String(q.holds);
        inner.appendChild(el('li', 'pred ' + String(q.holds), q.source + ' = ' + v));
      });
      li.appendChild(inner);
      pl.appendChild(li);
    });
    $('properties-panel').hidden = c.properties.length === 0;
  }

  function renderCoverage(m) {
    var ul = clear($('coverage'));
    var taken = 0;
    m.coverage.forEach(function (it) {
      if (it.taken > 0) taken++;
      var li = el('li', it.taken > 0 ? 'taken' : 'not-taken');
      li.setAttribute('data-name', it.name);
      li.appendChild(el('span', 'name', (it.taken > 0 ? '✓ ' : '○ ') + it.name));
      li.appendChild(el('span', 'count', it.taken > 0 ? '×' + it.taken : 'not yet'));
      ul.appendChild(li);
    });
    $('coverage-title').textContent = 'Coverage: ' + taken + ' of ' + m.coverage.length + ' taken';
  }

  function render(m) {
    model = m;
    $('spec-name').textContent = 'spec ' + m.spec.name;
    $('spec-check').textContent = m.spec.check === null ? '(default constants)' : 'check ' + m.spec.check;
    $('spec-file').textContent = m.spec.file;
    $('constants').textContent = m.spec.constants.length === 0 ? '' : 'constants: ' + m.spec.constants.map(function (c) { return c.name + ' = ' + c.value; }).join(', ');
    document.title = 'spex explore: ' + m.spec.name;
    showMessage(m.message);
    renderPath(m);
    if (m.current) renderCurrent(m); else renderInitial(m);
    renderCoverage(m);
    document.body.setAttribute('data-pos', String(m.pos));
  }

  $('back').addEventListener('click', function () { if (model && model.pos > 0) act('/api/goto', { pos: model.pos - 1 }); });
  $('forward').addEventListener('click', function () { if (model && model.pos < model.path.length - 1) act('/api/goto', { pos: model.pos + 1 }); });
  $('initials').addEventListener('click', function () { act('/api/initial', {}); });
  $('search-form').addEventListener('submit', function (e) {
    e.preventDefault();
    act('/api/search', { expr: $('search').value });
  });
  $('trace-file').addEventListener('change', function () {
    var f = this.files && this.files[0];
    if (!f) return;
    var input = this;
    f.text().then(function (text) {
      var json;
      try { json = JSON.parse(text); } catch (err) { showMessage({ kind: 'error', text: f.name + ' is not JSON: ' + err.message }); return; }
      return act('/api/trace', { itf: json, name: f.name });
    }).then(function () { input.value = ''; });
  });
  $('show-unchanged').addEventListener('change', function () { document.body.classList.toggle('hide-same', !this.checked); });
  document.addEventListener('keydown', function (e) {
    if (!e.altKey || !model) return;
    if (e.key === 'ArrowLeft') $('back').click();
    else if (e.key === 'ArrowRight') $('forward').click();
  });
  api('/api/state').then(render, function (e) { showMessage({ kind: 'error', text: e.message }); });
})();
`;
