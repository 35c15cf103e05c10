/* The ChemFit dashboard page. Live: it reads the server's JSON routes and follows its event
 * stream. Static (report.html): it reads the data embedded in the page and needs no server. */
(function () {
  'use strict';

  var dataEl = document.getElementById('chemfit-data');
  var STATIC = dataEl ? JSON.parse(dataEl.textContent) : null;
  var token = STATIC ? null : new URLSearchParams(window.location.search).get('token');
  var summary = null;
  var view = 'status';
  var charts = {};
  // evaluations are counted in whole numbers: the evaluation axis steps by 1, 2, 5, 10, ... never by 0.1
  var WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];
  function evaluationAxis() { return { label: 'evaluation', incrs: WHOLE }; }
  var predictions = null;
  var predictionsStamp = null;
  var evalState = { sort: 'number', desc: false, offset: 0, limit: 50, total: 0 };

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function fmt(v) {
    if (v === null || v === undefined) { return '–'; }
    if (typeof v !== 'number') { return String(v); }
    if (v === 0) { return '0'; }
    var a = Math.abs(v);
    return (a >= 1e5 || a < 1e-3) ? v.toExponential(4) : String(Number(v.toPrecision(6)));
  }

  /* An axis's tick labels: as many digits as the ticks need, never a small value rounded to "0" (uPlot's own
   * labels keep three decimals, so a log axis's 1e-4 read "0"). The labels drawn are kept on the chart's box
   * (data-y-ticks), since uPlot draws them on its canvas. */
  function tick(v) {
    if (v === 0) { return '0'; }
    var a = Math.abs(v);
    if (a >= 1e5 || a < 1e-3) { return v.toExponential().replace(/\.?0*e/, 'e').replace('e+', 'e'); }
    return String(Number(v.toPrecision(6)));
  }

  function ticks(box) {
    return function (u, splits) {
      var labels = splits.map(function (v) { return v === null || v === undefined ? '' : tick(v); });
      box.setAttribute('data-y-ticks', labels.filter(function (l) { return l !== ''; }).join(' '));
      return labels;
    };
  }

  function duration(s) {
    if (s === null || s === undefined) { return '–'; }
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + ' h ' : '') + (h || m ? m + ' min ' : '') + r + ' s';
  }

  /* Why a fit stopped, in words: the journal and results.json hold a StopReason name, or a failure's message. */
  var STOP_PHRASES = {
    CONVERGED: 'converged',
    MAX_EVALUATIONS: 'stopped at its evaluation budget (max_evaluations), not by convergence',
    STOP_CONDITION: 'stopped by its stop condition',
    NO_FREE_PARAMETERS: 'every parameter is fixed: the initial point was evaluated',
    INTERRUPTED: 'interrupted (Ctrl-C, SIGTERM or SIGHUP)',
    FAILED: 'an evaluation or the method failed'
  };
  function stopPhrase(reason) {
    return Object.prototype.hasOwnProperty.call(STOP_PHRASES, reason) ? STOP_PHRASES[reason] : String(reason);
  }

  function api(path, params) {
    var q = new URLSearchParams(params || {});
    q.set('token', token);
    return fetch(path + '?' + q.toString(), { cache: 'no-store' }).then(function (r) {
      if (!r.ok) { throw new Error(path + ': HTTP ' + r.status); }
      return r.json();
    });
  }

  function chartWidth() {
    return Math.max(360, (document.querySelector('main').clientWidth || 900) - 40);
  }

  /* --- views --- */

  function show(name) {
    view = name;
    document.querySelectorAll('.tab').forEach(function (b) {
      var on = b.getAttribute('data-view') === name;
      b.classList.toggle('active', on);
      // a screen reader is told which view is shown, not only a sighted reader by its fill
      b.setAttribute('aria-selected', on ? 'true' : 'false');
    });
    document.querySelectorAll('.view').forEach(function (s) {
      s.classList.toggle('hidden', s.id !== 'view-' + name);
    });
    render();
    if (name === 'evaluations') { loadEvaluations(); }
  }

  function render() {
    if (!summary) { return; }
    renderStatus();
    if (view === 'status') { lossChart('status-chart', 260); }
    if (view === 'loss') { lossChart('loss-chart', 420); }
    if (view === 'parameters') { renderParameters(); }
    if (view === 'terms') { renderTerms(); }
    if (view === 'failures') { renderFailures(); }
    if (view === 'results') { renderResults(); }
    labelCharts();
  }

  /*
   * uPlot draws on a canvas, which says nothing to a screen reader: each chart is an image named
   * by its title, its axes and how many points it draws, and the data are in the tables beside it.
   */
  function labelCharts() {
    document.querySelectorAll('.chart').forEach(function (c) {
      if (!c.querySelector('canvas')) {
        // not drawn (yet): its text, such as "no finished evaluation yet", is read as it is
        c.removeAttribute('role');
        c.removeAttribute('aria-label');
        return;
      }
      var x = c.getAttribute('data-x-title') || 'evaluation';
      var title = c.getAttribute('data-title');
      var y = title || c.getAttribute('data-y-title') || 'value';
      var n = c.getAttribute('data-points');
      var label = (c.getAttribute('data-quantity') && !title ? c.getAttribute('data-quantity') + ': ' : '')
        + y + ' against ' + x + (n !== null ? ', ' + n + ' points' : '');
      c.setAttribute('role', 'img');
      c.setAttribute('aria-label', label);
    });
  }

  function renderStatus() {
    var s = summary;
    $('folder').textContent = s.folder || '';
    $('job').textContent = s.job || '';
    // the tab's title tells one fit's page from another's: its job, then its folder
    document.title = 'ChemFit ' + (STATIC ? 'report' : 'dashboard') + (s.job ? ': ' + s.job : '')
      + (s.folder ? ' (' + s.folder + ')' : '');
    var p = $('problem');
    p.textContent = (s.problem || '')
      + (s.from_results ? ' Shown instead: what results.json and predictions.csv hold (the journal\'s history, terms and failures cannot be read).' : '');
    p.classList.toggle('hidden', !s.problem);
    var st = $('status-value');
    st.textContent = s.status;
    st.className = 'value status-' + s.status;
    $('stop-reason').textContent = s.stop_reason ? stopPhrase(s.stop_reason) : (s.method ? 'method ' + s.method : '');
    var c = s.counts || { total: 0, complete: 0, failed: 0, running: 0 };
    $('eval-count').textContent = String(c.total);
    $('eval-detail').textContent = c.complete === undefined
      ? (c.with_failed_terms ? c.with_failed_terms + ' with a failed term, ' : '') + 'as results.json counts them'
      : c.complete + ' complete'
      + (c.with_failed_terms ? ' (' + c.with_failed_terms + ' with a failed term)' : '')
      + ', ' + c.failed + ' failed, '
      + (c.cut_off ? c.cut_off + ' cut off when the fit stopped' : c.running + ' running')
      + (s.budget ? ' (budget ' + s.budget + ')' : '');
    var rounds = s.results && s.results.evaluations ? s.results.evaluations.rounds : null;
    $('eval-rounds').textContent = rounds !== null && rounds !== undefined ? 'in ' + rounds + ' rounds (batches evaluated at once)' : '';
    var hasResults = !!(s.results && (s.results.metrics || (s.results.terms || []).some(function (t) { return t.metrics; })));
    $('tab-results').classList.toggle('hidden', !hasResults);
    // while the fit runs (or the results are another run's) nothing of them is shown, only when they appear
    $('results-body').classList.toggle('hidden', !hasResults);
    $('results-pending').classList.toggle('hidden', hasResults);
    // asked again whenever results.json or predictions.csv changed (the server's stamp of them)
    if (hasResults && predictionsStamp !== String(s.outputs_stamp)) { loadPredictions(String(s.outputs_stamp)); }
    // in the loss's unit once results.json gives it (a unit of 1 is dimensionless: none shown)
    var lossUnit = s.results && s.results.loss && s.results.loss.unit;
    $('best-loss').textContent = fmt(s.best_loss)
      + (lossUnit && lossUnit !== '1' && s.best_loss !== null && s.best_loss !== undefined ? ' ' + lossUnit : '');
    $('best-at').textContent = s.best_evaluation !== null && s.best_evaluation !== undefined ? 'at evaluation ' + s.best_evaluation : '';
    // while running, the clock ticks on the page between updates (a long evaluation sends none)
    var elapsed = s.elapsed_seconds;
    if (!STATIC && !gone && s.status === 'running' && s.started) {
      elapsed = Math.max(elapsed || 0, (Date.now() - Date.parse(s.started)) / 1000);
    }
    var toLast = s.status === 'stopped' && (elapsed === null || elapsed === undefined);
    if (toLast) { elapsed = s.seconds_to_last_record; }
    $('elapsed').textContent = duration(elapsed);
    $('time-left').textContent = toLast && elapsed !== null && elapsed !== undefined
      ? 'from the run\'s first start to the last recorded evaluation (pauses between attempts included; the end of a stopped run is not recorded)'
      : (s.seconds_left !== null && s.seconds_left !== undefined ? 'at most ' + duration(s.seconds_left) + ' left (budget)' : '');
    $('run-id').textContent = s.run !== undefined ? String(s.run) : '–';
    $('run-detail').textContent = s.run !== undefined
      ? (s.method ? s.method + ', ' : '') + 'attempt ' + s.attempts + ' on ' + s.host : '';
    var n = s.failure_count || 0;
    $('failure-badge').textContent = n ? '(' + n + ')' : '';
    renderWarnings();
  }

  /* What the fit warned of (results.json's warnings): an undetermined parameter, a nearly singular J^T J, ... */
  function renderWarnings() {
    var w = summary.results && Array.isArray(summary.results.warnings) ? summary.results.warnings : [];
    var list = $('warning-list');
    list.textContent = '';
    w.forEach(function (t) { list.appendChild(el('li', t)); });
    $('warnings').classList.toggle('hidden', !w.length);
  }

  /* The uncertainty of the fitted parameters (results.json's uncertainty), as the text report gives it. */
  function uncertainty() {
    var u = summary.results && summary.results.uncertainty;
    return u && typeof u === 'object' ? u : null;
  }

  /* The correlation matrix of the estimated parameters, the strongly correlated pairs named above it, and what
   * the estimate rests on. */
  function renderUncertainty() {
    var box = $('uncertainty');
    box.textContent = '';
    var u = uncertainty();
    if (!u) { return; }
    var names = Array.isArray(u.estimated) ? u.estimated : [];
    var c = Array.isArray(u.correlation) ? u.correlation : null;
    var basis = [];
    if (u.residuals !== undefined) { basis.push('from ' + u.residuals + ' residuals'); }
    if (u.residual_variance !== undefined) {
      basis.push('residual variance ' + fmt(u.residual_variance) + (u.residual_variance_unit ? ' ' + u.residual_variance_unit : ''));
    }
    if (u.condition_number !== undefined) { basis.push('condition number of J^T J, its columns scaled to unit length, ' + fmt(u.condition_number)); }
    var note = el('p', 'Standard errors and correlations of the estimated parameters'
      + (basis.length ? ' (' + basis.join(', ') + ')' : '') + '.', 'note');
    note.id = 'uncertainty-basis';
    box.appendChild(note);
    if (!c || names.length < 2) { return; }
    var pairs = [];
    for (var i = 0; i < names.length; i++) {
      for (var j = i + 1; j < names.length; j++) {
        if (c[i] && typeof c[i][j] === 'number' && Math.abs(c[i][j]) >= 0.9) {
          pairs.push(names[i] + ' and ' + names[j] + ' (' + c[i][j].toFixed(3) + ')');
        }
      }
    }
    var strong = el('p', pairs.length
      ? 'Strongly correlated (|r| ≥ 0.9): ' + pairs.join('; ') + '. The data determine such a pair only together.'
      : 'No two parameters are strongly correlated (|r| ≥ 0.9).', pairs.length ? 'warn' : 'note');
    strong.id = 'correlated-pairs';
    box.appendChild(strong);
    var table = el('table');
    table.id = 'correlation-table';
    var hr = el('tr');
    hr.appendChild(el('th', 'correlation', 'text'));
    names.forEach(function (n) { hr.appendChild(el('th', n)); });
    table.appendChild(el('thead')).appendChild(hr);
    var body = table.appendChild(el('tbody'));
    names.forEach(function (n, i) {
      var tr = el('tr');
      tr.appendChild(el('td', n, 'text'));
      names.forEach(function (m, j) {
        var v = c[i] ? c[i][j] : null;
        tr.appendChild(el('td', typeof v === 'number' ? v.toFixed(3) : '–', i !== j && typeof v === 'number' && Math.abs(v) >= 0.9 ? 'strong' : ''));
      });
      body.appendChild(tr);
    });
    box.appendChild(table);
  }

  /* The loss of each evaluation apart from those in which a term failed and a penalty (or a skip) stood in: those
   * are a series of their own, so that a penalty is not read as a loss the parameters gave. */
  function lossData() {
    var h = summary.history;
    var d = h.degraded || [];
    var clean = h.loss.map(function (v, i) { return d[i] ? null : v; });
    var penalised = h.loss.map(function (v, i) { return d[i] ? v : null; });
    return [h.number, clean, penalised, h.best];
  }

  function countOf(a) {
    var n = 0;
    for (var i = 0; i < a.length; i++) { if (a[i] !== null && a[i] !== undefined) { n++; } }
    return n;
  }

  function hasPositive(a) {
    for (var i = 0; i < a.length; i++) { if (a[i] !== null && a[i] > 0) { return true; } }
    return false;
  }

  function lossChart(id, height) {
    var h = summary.history;
    var box = $(id);
    if (!h || !h.number.length || !hasPositive(h.best)) {
      if (!charts[id]) { box.textContent = 'no finished evaluation yet'; }
      return;
    }
    if (id === 'loss-chart') {
      $('loss-note').textContent = (h.points < h.of ? h.points + ' of ' + h.of + ' evaluations drawn (the lowest and highest of each stretch). ' : '')
        + (h.has_nonpositive ? 'Losses of zero or less cannot be drawn on a log scale and are left out.' : '');
    }
    var data = lossData();
    box.setAttribute('data-points', String(h.number.length));
    box.setAttribute('data-penalised-points', String(countOf(data[2])));
    // the loss's unit (results.json's loss.unit) once the fit has written it
    var unit = summary.results && summary.results.loss && summary.results.loss.unit;
    // a loss in unit 1 is named as the plots name it
    var yTitle = 'loss' + (unit ? ' (' + (unit === '1' ? 'dimensionless' : unit) + ')' : '');
    var ch = charts[id];
    if (ch && box.getAttribute('data-y-title') === yTitle) {
      ch.setData(data);
      return;
    }
    if (ch) { ch.destroy(); }
    // uPlot draws the axis titles on its canvas; the attributes give them to the chart's label (labelCharts)
    box.setAttribute('data-x-title', 'evaluation');
    box.setAttribute('data-y-title', yTitle);
    box.textContent = '';
    charts[id] = new uPlot({
      width: chartWidth(), height: height,
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [evaluationAxis(), { label: yTitle, size: 70, values: ticks(box) }],
      series: [
        { label: 'evaluation' },
        { label: 'loss', stroke: 'rgba(31,58,95,0.5)', width: 0, points: { show: true, size: 4, fill: 'rgba(31,58,95,0.5)' }, value: function (u, v) { return fmt(v); } },
        { label: 'a term failed (penalty or skip)', stroke: '#b52020', width: 0, points: { show: true, size: 6, fill: '#fff', stroke: '#b52020' }, value: function (u, v) { return fmt(v); } },
        // the best so far changes only at an evaluation that improves it: a step there, flat between
        { label: 'best so far', stroke: '#d9480f', width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: false }, value: function (u, v) { return fmt(v); } }
      ]
    }, data, box);
  }

  function renderParameters() {
    var tb = $('parameter-table').querySelector('tbody');
    tb.textContent = '';
    var box = $('parameter-charts');
    var h = summary.history;
    var u = uncertainty();
    var errors = u && u.standard_errors && typeof u.standard_errors === 'object' ? u.standard_errors : {};
    var noEffect = u && Array.isArray(u.no_effect) ? u.no_effect : [];
    renderUncertainty();
    (summary.parameters || []).forEach(function (p, k) {
      var tr = el('tr');
      tr.setAttribute('data-parameter', p.name);
      tr.appendChild(el('td', p.name, 'text'));
      tr.appendChild(el('td', p.unit || '', 'text'));
      tr.appendChild(el('td', fmt(p.lower)));
      tr.appendChild(el('td', fmt(p.initial)));
      tr.appendChild(el('td', fmt(p.best)));
      // a standard error wider than the bounds: the data do not determine the value shown as best
      var se = errors[p.name];
      var wide = typeof se === 'number' && typeof p.lower === 'number' && typeof p.upper === 'number' && se > p.upper - p.lower;
      // estimated, with a residual variance, but no standard error: a part of a combination the data leave free
      var free = se === null && Object.prototype.hasOwnProperty.call(errors, p.name)
        && u && typeof u.residual_variance === 'number';
      var seCell = el('td', typeof se === 'number' ? fmt(se) : '–', wide ? 'warn' : '');
      seCell.className += ' std-error';
      tr.appendChild(seCell);
      tr.appendChild(el('td', fmt(p.upper)));
      var flag = p.fixed ? 'fixed' : (p.at_bound ? 'at a bound' : (wide || free ? 'not determined by the data'
        : (noEffect.indexOf(p.name) >= 0 ? 'no effect' : '')));
      tr.appendChild(el('td', flag, p.at_bound || wide || free || noEffect.indexOf(p.name) >= 0 ? 'text warn' : 'text'));
      tb.appendChild(tr);
      if (!h || !h.number.length) { return; }
      var id = 'param-' + k;
      var lo = h.number.map(function () { return p.lower; });
      var hi = h.number.map(function () { return p.upper; });
      var data = [h.number, h.parameters[k], lo, hi];
      if (charts[id]) {
        $(id).setAttribute('data-points', String(h.number.length));
        charts[id].setData(data);
        return;
      }
      var div = el('div', null, 'chart');
      div.id = id;
      // uPlot draws the titles on its canvas; the attributes give them to the chart's label (labelCharts)
      var title = p.name + (p.unit ? ' (' + p.unit + ')' : '');
      div.setAttribute('data-title', title);
      div.setAttribute('data-y-title', p.unit || '');
      div.setAttribute('data-points', String(h.number.length));
      box.appendChild(div);
      charts[id] = new uPlot({
        title: title,
        width: chartWidth(), height: 200,
        scales: { x: { time: false } },
        axes: [evaluationAxis(), { label: p.unit || undefined, size: 70, values: ticks(div) }],
        series: [
          { label: 'evaluation' },
          { label: p.name, stroke: '#1f3a5f', width: 1, points: { show: h.number.length < 300 }, value: function (u, v) { return fmt(v); } },
          { label: 'lower bound', stroke: '#b52020', dash: [6, 4], width: 1, points: { show: false } },
          { label: 'upper bound', stroke: '#b52020', dash: [6, 4], width: 1, points: { show: false } }
        ]
      }, data, div);
    });
  }

  function renderTerms() {
    var tb = $('term-table').querySelector('tbody');
    tb.textContent = '';
    (summary.terms || []).forEach(function (t) {
      var tr = el('tr', null, t.failed ? 'failed' : '');
      tr.appendChild(el('td', t.name, 'text'));
      tr.appendChild(el('td', t.path, 'text'));
      tr.appendChild(el('td', t.runs));
      tr.appendChild(el('td', t.failed, t.failed ? 'warn' : ''));
      tr.appendChild(el('td', fmt(t.at_best)));
      tr.appendChild(el('td', fmt(t.last)));
      tr.appendChild(el('td', fmt(t.min)));
      tr.appendChild(el('td', fmt(t.mean_seconds)));
      tb.appendChild(tr);
    });
    var box = $('results-terms');
    box.textContent = '';
    var r = summary.results;
    if (!r || !r.terms || !r.terms.length) { return; }
    box.appendChild(el('h3', 'At the best point (results.json)'));
    var cols = [];
    r.terms.forEach(function (t) {
      Object.keys(t).forEach(function (k) {
        var v = t[k];
        if ((v === null || typeof v !== 'object') && cols.indexOf(k) < 0) { cols.push(k); }
      });
    });
    var table = el('table');
    table.id = 'results-table';
    var hr = el('tr');
    cols.forEach(function (k) { hr.appendChild(el('th', k.replace(/_/g, ' '), 'text')); });
    table.appendChild(el('thead')).appendChild(hr);
    var body = table.appendChild(el('tbody'));
    r.terms.forEach(function (t) {
      var tr = el('tr');
      cols.forEach(function (k) { tr.appendChild(el('td', fmt(t[k]), typeof t[k] === 'number' ? '' : 'text')); });
      body.appendChild(tr);
    });
    box.appendChild(table);
    valuesTable(box, r.terms);
  }

  var MAX_VALUE_ROWS = 500;

  /* A value's item as predictions.csv names it (the server gives a term's quantity's items, {names, per_atom}, only
   * when that file's reference values of it are the term's in results.json, the first 500): the structure's tag, or
   * for a quantity the server marks per-atom (an atoms term's forces, 3 components per atom, TAG[k] in
   * predictions.csv) also the atom (from 1) and the component, "trimer[4] (atom 2, y)"; an index otherwise, none for
   * a single value. */
  function itemLabel(items, i, n) {
    var it = items && Array.isArray(items.names) ? items.names[i] : undefined;
    if (typeof it !== 'string' || /^\d+$/.test(it)) { return n > 1 ? i : ''; }
    var m = items.per_atom === true ? /\[(\d+)\]$/.exec(it) : null;
    if (!m) { return it; }
    var k = Number(m[1]);
    return it + ' (atom ' + (Math.floor(k / 3) + 1) + ', ' + 'xyz'.charAt(k % 3) + ')';
  }

  /* Each term's computed values against its reference values at the best point, from results.json; the first
   * MAX_VALUE_ROWS of them, the page says so when there are more (predictions.csv holds every one). */
  function valuesTable(box, terms) {
    var rows = [];
    var total = 0;
    var byTerm = predictions && predictions.items ? predictions.items : {};
    terms.forEach(function (t) {
      var c = t.computed, ref = t.reference;
      if (!c || !ref || typeof c !== 'object' || typeof ref !== 'object') { return; }
      Object.keys(ref).forEach(function (q) {
        var rv = [].concat(ref[q]), cv = [].concat(c[q] === undefined ? [] : c[q]);
        var own = Object.prototype.hasOwnProperty;
        var items = own.call(byTerm, t.name) && own.call(byTerm[t.name], q) ? byTerm[t.name][q] : null;
        // the quantity's unit as the term's metrics give it, empty for none, as in the metrics table
        var m = t.metrics && typeof t.metrics === 'object' && own.call(t.metrics, q) ? t.metrics[q] : null;
        var unit = m && typeof m.unit === 'string' ? m.unit : '';
        total += rv.length;
        for (var i = 0; i < rv.length && rows.length < MAX_VALUE_ROWS; i++) {
          rows.push([t.name, q, unit, itemLabel(items, i, rv.length), rv[i], cv[i], typeof rv[i] === 'number' && typeof cv[i] === 'number' ? cv[i] - rv[i] : null]);
        }
      });
    });
    if (!rows.length) { return; }
    box.appendChild(el('h3', 'Computed against reference at the best point'));
    if (rows.length < total) {
      var cut = el('p', 'The first ' + rows.length + ' of ' + total + ' rows are shown; predictions.csv in the output folder'
        + ' lists every value (one line each, with its model at the start and at the best point).', 'note');
      cut.id = 'values-note';
      box.appendChild(cut);
    }
    var table = el('table');
    table.id = 'values-table';
    var hr = el('tr');
    ['term', 'quantity', 'unit', 'item', 'reference', 'computed', 'computed − reference'].forEach(function (h, k) {
      hr.appendChild(el('th', h, k < 4 ? 'text' : ''));
    });
    table.appendChild(el('thead')).appendChild(hr);
    var body = table.appendChild(el('tbody'));
    rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', r[0], 'text'));
      tr.appendChild(el('td', r[1], 'text'));
      tr.appendChild(el('td', r[2], 'text'));
      tr.appendChild(el('td', r[3], 'text'));
      tr.appendChild(el('td', fmt(r[4])));
      tr.appendChild(el('td', fmt(r[5])));
      tr.appendChild(el('td', fmt(r[6])));
      body.appendChild(tr);
    });
    box.appendChild(table);
  }

  /* --- results: metrics table (results.json) and parity charts (predictions.csv) --- */

  function loadPredictions(stamp) {
    predictionsStamp = stamp;
    var p = STATIC ? Promise.resolve(STATIC.predictions || null)
      : api('api/predictions').catch(function () { return null; });
    p.then(function (d) {
      predictions = d;
      var box = $('parity-charts');
      Object.keys(charts).forEach(function (id) {
        if (id.indexOf('parity-') === 0) { charts[id].destroy(); delete charts[id]; }
      });
      box.textContent = '';
      box.removeAttribute('data-charts');
      $('parity-note').textContent = PARITY_NOTE;
      if (view === 'results') { renderResults(); }
      // the values table names its rows by predictions.csv's items
      if (view === 'terms') { renderTerms(); }
      labelCharts();
    });
  }

  var PARITY_NOTE = $('parity-note').textContent;

  /* A fit term of weight 0 is monitored: in no loss, and in none of the fit's values. */
  function monitored(t) { return t && typeof t.weight === 'number' && t.weight === 0; }

  /* The name of the row of a quantity over the terms of a set, as the closing table of chemfit fit names it: "(all
   * N)" when all N terms have it, "(fitted K of N)" when it is over the K fitted terms of the fit's N (the others
   * monitored, left out), "(K of N)" when only K terms have it (m.terms; a results.json without it: over every
   * fitted term); null when there is none (one term, whose own row says the same, or no fitted term). */
  function overallName(terms, fit, m) {
    var fitted = terms.filter(function (t) { return !(fit && monitored(t)); }).length;
    if (terms.length < 2 || fitted === 0) { return null; }
    var over = m && typeof m.terms === 'number' ? m.terms : fitted;
    return over === terms.length ? '(all ' + terms.length + ')'
      : over === fitted ? '(fitted ' + fitted + ' of ' + terms.length + ')'
      : '(' + over + ' of ' + terms.length + ')';
  }

  /* The metrics over the terms of a set, grouped by the name of their rows, in the order of their quantities. */
  function overallGroups(terms, fit, metrics) {
    var groups = [], byName = {};
    Object.keys(metrics && typeof metrics === 'object' ? metrics : {}).forEach(function (q) {
      var name = overallName(terms, fit, metrics[q]);
      if (!name) { return; }
      if (!byName[name]) { byName[name] = {}; groups.push({ name: name, metrics: byName[name] }); }
      byName[name][q] = metrics[q];
    });
    return groups;
  }

  function metricRows() {
    var r = summary.results || {};
    var rows = [];
    function add(set, term, metrics, total) {
      if (!metrics || typeof metrics !== 'object') { return; }
      Object.keys(metrics).forEach(function (q) {
        var m = metrics[q] || {}, a = m.initial || {}, b = m.best || {};
        var row = [set, term, q, m.unit || '', b.count !== undefined ? b.count : a.count, a.rmse, b.rmse, b.mae, b.max_abs_error, b.r2];
        row.total = !!total;
        rows.push(row);
      });
    }
    var terms = Array.isArray(r.terms) ? r.terms : [];
    var validation = Array.isArray(r.validation) ? r.validation : [];
    var all = r.metrics && typeof r.metrics === 'object' ? r.metrics : {};
    // as the closing table: the row over the set's terms first, then the terms one by one
    overallGroups(terms, true, all.fit).forEach(function (g) { add('fit', g.name, g.metrics, true); });
    terms.forEach(function (t) { add(monitored(t) ? 'monitored' : 'fit', t.name, t.metrics); });
    overallGroups(validation, false, all.validation).forEach(function (g) {
      add('validation', g.name, g.metrics, true);
    });
    validation.forEach(function (t) { add('validation', t.name, t.metrics); });
    return rows;
  }

  /* What became of a validation term that has no metrics to show: failed at the best point (its message), not
   * evaluated because the fit was interrupted, or not evaluated after a fit that ended (the validation terms could
   * not be evaluated: results.json's warnings say why); null for one evaluated. */
  function validationState(r, t) {
    if (t.status === 'FAILED') {
      // as chemfit report says it: the message without its leading "term N 'name' failed: " (the row names the
      // term), with the end of the program's stderr that follows it
      var m = t.failure ? String(t.failure).replace(/^term \d+ '[^']*' failed(?: (on worker [^\n]*?, pid \d+\)))?: /,
        function (all, worker) { return worker ? worker + ': ' : ''; }) : 'no message recorded';
      return 'failed at the best parameters: ' + m;
    }
    if ((t.status === null || t.status === undefined) && r.status === 'interrupted') {
      return 'not evaluated: the fit was interrupted (they are when it ends: run the same command to resume)';
    }
    if ((t.status === null || t.status === undefined) && r.status === 'done') {
      return 'not evaluated: see the warnings';
    }
    return null;
  }

  function renderResults() {
    var tb = $('metrics-table').querySelector('tbody');
    tb.textContent = '';
    var r0 = summary.results || {};
    var states = {};
    (Array.isArray(r0.validation) ? r0.validation : []).forEach(function (t) {
      var st = validationState(r0, t);
      if (st) { states[t.name] = st; }
    });
    var said = {};
    function stateRow(name) {
      var tr = el('tr', null, 'failed validation-state');
      tr.setAttribute('data-term', name);
      tr.appendChild(el('td', 'validation', 'text'));
      tr.appendChild(el('td', name, 'text'));
      var td = el('td', states[name], 'text warn message');
      td.colSpan = 8;
      tr.appendChild(td);
      tb.appendChild(tr);
      said[name] = true;
    }
    var empty = function (r) {
      return !r[4] && [r[5], r[6], r[7], r[8], r[9]].every(function (v) { return v === null || v === undefined; });
    };
    metricRows().forEach(function (r) {
      if (r[0] === 'validation' && r.total && Object.keys(states).length && empty(r)) {
        // over the validation terms, when those that failed or were not evaluated leave no value
        var row = el('tr', null, 'total');
        [r[0], r[1], r[2], r[3]].forEach(function (v) { row.appendChild(el('td', v, 'text')); });
        var cell = el('td', 'no value: the validation terms below give none', 'text');
        cell.colSpan = 6;
        row.appendChild(cell);
        tb.appendChild(row);
        return;
      }
      var term = r[0] === 'validation' && !r.total && states[r[1]] ? r[1] : null;
      // a row of a term that gave no value says nothing its state row does not
      if (term && empty(r)) {
        if (!said[term]) { stateRow(term); }
        return;
      }
      var tr = el('tr', null, r.total ? 'total' : '');
      for (var k = 0; k < r.length; k++) { tr.appendChild(el('td', k < 4 ? r[k] : fmt(r[k]), k < 4 ? 'text' : '')); }
      tb.appendChild(tr);
      if (term && !said[term]) { stateRow(term); }
    });
    Object.keys(states).forEach(function (name) { if (!said[name]) { stateRow(name); } });
    var box = $('parity-charts');
    if (!predictions || !predictions.charts || box.getAttribute('data-charts')) { return; }
    box.textContent = '';
    box.setAttribute('data-charts', String(predictions.charts.length));
    if (predictions.of_results === false) {
      // the server gives no chart of a predictions.csv not written with these results (left by another fit)
      $('parity-note').textContent = 'No parity chart is drawn: predictions.csv in the output folder is another fit\'s'
        + ' (' + predictions.not_of_results + ').';
    }
    if (predictions.skipped) {
      $('parity-note').textContent += ' ' + predictions.skipped + ' rows without a finite value are left out.';
    }
    predictions.charts.forEach(function (c, k) { parityChart(box, c, k); });
  }

  /* One parity chart: x the reference, the fit and validation points as two series (null where
   * a point is of the other set), and the line model = reference; both axes on one range. */
  function parityChart(box, c, k) {
    var pts = [];
    // the fit's points, the monitored terms' (fit terms of weight 0, in no loss) and the validation's
    ['fit', 'validation', 'monitored'].forEach(function (set, s) {
      var d = c[set];
      if (!d) { return; }
      for (var i = 0; i < d.reference.length; i++) { pts.push([d.reference[i], d.model[i], s]); }
    });
    if (!pts.length) { return; }
    pts.sort(function (a, b) { return a[0] - b[0]; });
    var lo = Infinity, hi = -Infinity;
    pts.forEach(function (p) { lo = Math.min(lo, p[0], p[1]); hi = Math.max(hi, p[0], p[1]); });
    var pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
    lo -= pad; hi += pad;
    var x = [lo], fit = [null], val = [null], mon = [null], line = [lo];
    pts.forEach(function (p) {
      x.push(p[0]);
      fit.push(p[2] === 0 ? p[1] : null);
      val.push(p[2] === 1 ? p[1] : null);
      mon.push(p[2] === 2 ? p[1] : null);
      line.push(p[0]);
    });
    x.push(hi); fit.push(null); val.push(null); mon.push(null); line.push(hi);
    var unit = c.unit ? ' (' + c.unit + ')' : '';
    var div = el('div', null, 'chart parity');
    div.id = 'parity-' + k;
    div.setAttribute('data-quantity', c.quantity);
    div.setAttribute('data-unit', c.unit);
    div.setAttribute('data-points', String(pts.length));
    div.setAttribute('data-fit-points', String(c.fit ? c.fit.reference.length : 0));
    div.setAttribute('data-validation-points', String(c.validation ? c.validation.reference.length : 0));
    div.setAttribute('data-monitored-points', String(c.monitored ? c.monitored.reference.length : 0));
    // uPlot draws the axis titles on its canvas; the attributes give them to the chart's label (labelCharts)
    div.setAttribute('data-x-title', 'reference' + unit);
    div.setAttribute('data-y-title', 'model at best' + unit);
    box.appendChild(div);
    var size = Math.min(520, chartWidth());
    var series = [
      { label: 'reference', value: function (u, v) { return fmt(v); } },
      { label: 'fit', stroke: '#1f3a5f', width: 0, points: { show: true, size: 6, fill: '#1f3a5f' }, value: function (u, v) { return fmt(v); } },
      // hollow, so that the sets differ in shape as well as colour (in grey, to a red-green blind reader)
      { label: 'validation', stroke: '#d9480f', width: 0, points: { show: true, size: 7, width: 2, fill: '#fff', stroke: '#d9480f' }, value: function (u, v) { return fmt(v); } }
    ];
    var data = [x, fit, val];
    if (c.monitored) {
      // only when there are such points: a legend names only what is drawn
      series.push({ label: 'monitored, weight 0', stroke: '#2b8a3e', width: 0, points: { show: true, size: 10, width: 1, fill: 'rgba(0,0,0,0)', stroke: '#2b8a3e' }, value: function (u, v) { return fmt(v); } });
      data.push(mon);
    }
    series.push({ label: 'model = reference', stroke: '#888', dash: [6, 4], width: 1, points: { show: false } });
    data.push(line);
    charts[div.id] = new uPlot({
      title: c.quantity + unit,
      width: size, height: size,
      scales: { x: { time: false, range: [lo, hi] }, y: { range: [lo, hi] } },
      axes: [{ label: div.getAttribute('data-x-title') }, { label: div.getAttribute('data-y-title'), size: 70 }],
      series: series
    }, data, div);
  }

  /* The failures that stand, and apart those whose term completed when a later attempt of the run (a resume after
   * a kill) ran the same evaluation again: the journal's final state has no failure there. */
  function renderFailures() {
    var list = summary.failures || [];
    var resolved = summary.resolved_failures || [];
    var nResolved = summary.resolved_failure_count || 0;
    $('failure-note').textContent = summary.failure_count
      ? summary.failure_count + ' failed term runs' + (list.length < summary.failure_count ? '; the latest ' + list.length + ' are listed' : '') + '.'
      : (nResolved ? 'No failure stands: each term that failed completed when a later attempt ran its evaluation again (below).' : 'No term has failed.');
    failureRows($('failure-table'), list, false);
    $('resolved').classList.toggle('hidden', !nResolved);
    $('resolved-note').textContent = nResolved
      ? nResolved + ' failed term runs of an earlier attempt whose term completed when a later attempt ran the same evaluation again'
        + (resolved.length < nResolved ? '; the latest ' + resolved.length + ' are listed' : '') + '. They no longer stand.'
      : '';
    failureRows($('resolved-table'), resolved, true);
  }

  function failureRows(table, list, resolved) {
    var tb = table.querySelector('tbody');
    tb.textContent = '';
    list.slice().reverse().forEach(function (f) {
      var tr = el('tr', null, resolved ? 'resolved' : 'failed');
      tr.appendChild(el('td', f.index));
      // a failure of an earlier attempt is of that attempt's evaluation of the number
      tr.appendChild(el('td', f.attempt !== undefined && summary.attempts > 1 && f.attempt !== summary.attempts
        ? f.evaluation + ' (attempt ' + f.attempt + ')' : f.evaluation));
      tr.appendChild(el('td', f.term, 'text'));
      tr.appendChild(el('td', (f.message || '').split('\n')[0], 'text'));
      if (resolved) { tr.appendChild(el('td', 'completed in attempt ' + f.resolved_by_attempt, 'text')); }
      var td = el('td');
      var b = el('button', 'details');
      b.type = 'button';
      b.className = 'failure-open';
      b.setAttribute('data-index', f.index);
      b.addEventListener('click', function () { openFailure(f.index); });
      td.appendChild(b);
      tr.appendChild(td);
      tb.appendChild(tr);
    });
  }

  function openFailure(index) {
    var p = STATIC ? Promise.resolve(STATIC.failures[String(index)]) : api('api/failure', { index: index });
    p.then(showFailure).catch(report);
  }

  function showFailure(f) {
    if (!f) { return; }
    $('failure-detail').classList.remove('hidden');
    $('failure-title').textContent = 'Evaluation ' + f.evaluation
      + (f.attempt !== undefined && summary.attempts > 1 ? ' of attempt ' + f.attempt : '') + ', term ' + f.term
      + (f.resolved_by_attempt ? ' (completed in attempt ' + f.resolved_by_attempt + ': resolved)' : '');
    var j = f.failure_json || {};
    var dl = $('failure-fields');
    dl.textContent = '';
    var fields = [
      ['message', f.message],
      ['command', Array.isArray(j.command) ? j.command.join(' ') : j.command],
      ['exit code', j.exit_code],
      ['timed out', j.timed_out],
      ['step', j.step],
      ['run directory', f.run_directory],
      ['host', f.host],
      ['note', f.note]
    ];
    fields.forEach(function (kv) {
      if (kv[1] === undefined || kv[1] === null) { return; }
      dl.appendChild(el('dt', kv[0]));
      var dd = el('dd', kv[1]);
      dd.id = 'failure-' + kv[0].replace(/ /g, '-');
      dl.appendChild(dd);
    });
    $('failure-stderr').textContent = j.stderr_tail || '';
    $('failure-json').textContent = f.failure_json ? JSON.stringify(f.failure_json, null, 2) : '(none)';
  }

  /* --- evaluations table --- */

  var COLUMNS = [['number', 'number'], ['state', 'state'], ['loss', 'loss'], ['seconds', 'seconds'], [null, 'host'], [null, 'failure']];

  function loadEvaluations() {
    var p;
    if (STATIC) {
      p = Promise.resolve(staticPage());
    } else {
      p = api('api/evaluations', { sort: evalState.sort, desc: evalState.desc ? '1' : '0', offset: evalState.offset, limit: evalState.limit });
    }
    p.then(renderEvaluations).catch(report);
  }

  function staticPage() {
    var all = STATIC.evaluations.rows.slice();
    var idx = { number: 0, state: 1, loss: 2, seconds: 3 }[evalState.sort];
    all.sort(function (a, b) {
      var x = a[idx], y = b[idx];
      if (x === null) { x = Infinity; }
      if (y === null) { y = Infinity; }
      var c = x < y ? -1 : (x > y ? 1 : 0);
      if (c === 0) { c = a[0] - b[0]; }
      return evalState.desc ? -c : c;
    });
    return { total: all.length, offset: evalState.offset, parameters: STATIC.evaluations.parameters,
      rows: all.slice(evalState.offset, evalState.offset + evalState.limit) };
  }

  function renderEvaluations(page) {
    evalState.total = page.total;
    var head = $('evaluation-table').querySelector('thead');
    head.textContent = '';
    var hr = el('tr');
    COLUMNS.forEach(function (c) {
      if (!c[0]) { hr.appendChild(el('th', c[1], 'text')); return; }
      var th = el('th', null, 'sortable');
      th.id = 'sort-' + c[0];
      // a button in the column's heading: reached by Tab, pressed by Enter or Space; the heading keeps
      // its role, so its aria-sort tells a screen reader the order (the arrow is for the eye alone)
      var button = el('button', c[1]);
      button.type = 'button';
      if (c[0] === evalState.sort) {
        var arrow = el('span', evalState.desc ? ' ▼' : ' ▲');
        arrow.setAttribute('aria-hidden', 'true');
        button.appendChild(arrow);
      }
      th.setAttribute('aria-sort', c[0] === evalState.sort ? (evalState.desc ? 'descending' : 'ascending') : 'none');
      th.appendChild(button);
      th.addEventListener('click', function () {
        // the table is drawn anew: the focus comes back to this heading's button, not the page's top
        evalState.refocus = document.activeElement === button ? c[0] : null;
        evalState.desc = evalState.sort === c[0] ? !evalState.desc : false;
        evalState.sort = c[0];
        evalState.offset = 0;
        loadEvaluations();
      });
      hr.appendChild(th);
    });
    page.parameters.forEach(function (n) { hr.appendChild(el('th', n)); });
    head.appendChild(hr);
    if (evalState.refocus) {
      var back = $('sort-' + evalState.refocus);
      evalState.refocus = null;
      if (back && back.querySelector('button')) { back.querySelector('button').focus(); }
    }
    var tb = $('evaluation-table').querySelector('tbody');
    tb.textContent = '';
    page.rows.forEach(function (r) {
      // a complete evaluation with a failure text is one in which a term failed and was stood in for
      var cls = r[1] === 'FAILED' ? 'failed' : (summary && r[0] === summary.best_evaluation ? 'best' : (r[5] ? 'degraded' : ''));
      var tr = el('tr', null, cls);
      tr.appendChild(el('td', r[0]));
      // the best evaluation said in words, not by its row's tint alone
      tr.appendChild(el('td', r[1] + (cls === 'best' ? ' (best)' : ''), 'text'));
      tr.appendChild(el('td', fmt(r[2])));
      tr.appendChild(el('td', fmt(r[3])));
      tr.appendChild(el('td', r[4] || '', 'text'));
      tr.appendChild(el('td', r[5] ? String(r[5]).split('\n')[0] : '', 'text'));
      for (var k = 6; k < r.length; k++) { tr.appendChild(el('td', fmt(r[k]))); }
      tb.appendChild(tr);
    });
    var last = Math.max(0, Math.ceil(page.total / evalState.limit) - 1);
    $('page-info').textContent = page.total
      ? 'rows ' + (page.offset + 1) + '–' + (page.offset + page.rows.length) + ' of ' + page.total
      : 'no evaluation yet';
    $('page-prev').disabled = page.offset === 0;
    $('page-first').disabled = page.offset === 0;
    $('page-next').disabled = page.offset >= last * evalState.limit;
    $('page-last').disabled = page.offset >= last * evalState.limit;
  }

  function turn(to) {
    var last = Math.max(0, Math.ceil(evalState.total / evalState.limit) - 1) * evalState.limit;
    evalState.offset = Math.max(0, Math.min(last, to));
    loadEvaluations();
  }

  /* --- data --- */

  function report(e) {
    $('live').textContent = 'cannot reach the dashboard: ' + e.message;
  }

  // one request for the summary at a time: an update told while one is under way asks again after it
  var fetching = null;
  var fetchingSince = 0;
  var askAgain = false;
  var es = null;
  // while the page is not shown it asks for the state every 2 s instead of holding a connection
  var poll = null;
  // the dashboard could not be reached after it was: the last state is shown, its clock stopped
  var gone = false;

  function refresh() {
    if (fetching) {
      askAgain = true;
      return fetching;
    }
    fetchingSince = Date.now();
    fetching = api('api/summary').then(function (s) {
      summary = s;
      gone = false;
      render();
      if (es) { $('live').textContent = 'live · updated ' + new Date().toLocaleTimeString(); }
      if (view === 'evaluations') { loadEvaluations(); }
    }).catch(function (e) {
      if (summary) { gone = true; renderStatus(); }
      report(e);
    }).then(function () {
      fetching = null;
      if (askAgain) {
        askAgain = false;
        refresh();
      }
    });
    return fetching;
  }

  function connect() {
    if (es) { es.close(); }
    var source = new EventSource('events?token=' + encodeURIComponent(token));
    es = source;
    source.addEventListener('update', function () {
      gone = false;
      refresh();
    });
    source.onerror = function () {
      if (es !== source) { return; }
      gone = true;
      $('live').textContent = 'disconnected (the fit or the dashboard ended); reload to reconnect';
      if (summary) { renderStatus(); }
    };
  }

  // the browser holds a request back when the page's connections are all taken: it opens at most 6 to
  // one address, and each shown page of the dashboard keeps one open for its updates
  function checkStall() {
    if (fetching && es && Date.now() - fetchingSince > 5000) {
      $('live').textContent = 'waiting for the dashboard: too many pages of it are shown in this browser'
        + ' (at most 5 at once); close some';
    }
  }

  // a page in a tab not shown lets go of its connection, and takes it again when shown: a browser opens
  // at most 6 connections to one address, so that many pages each holding one would leave none for
  // their requests
  document.addEventListener('visibilitychange', function () {
    if (STATIC) { return; }
    if (document.hidden) {
      if (es) { es.close(); es = null; }
      if (!poll) { poll = window.setInterval(refresh, 2000); }
      $('live').textContent = 'not shown: the state is asked for every 2 s';
    } else {
      if (poll) { window.clearInterval(poll); poll = null; }
      if (!es) { connect(); }
    }
  });

  document.querySelectorAll('.tab').forEach(function (b) {
    b.addEventListener('click', function () { show(b.getAttribute('data-view')); });
  });
  $('page-first').addEventListener('click', function () { turn(0); });
  $('page-prev').addEventListener('click', function () { turn(evalState.offset - evalState.limit); });
  $('page-next').addEventListener('click', function () { turn(evalState.offset + evalState.limit); });
  $('page-last').addEventListener('click', function () { turn(evalState.total); });

  if (STATIC) {
    summary = STATIC.summary;
    $('live').textContent = 'report written ' + STATIC.written;
    render();
  } else {
    refresh().then(function () {
      if (document.hidden) {
        if (!poll) { poll = window.setInterval(refresh, 2000); }
      } else if (!es) {
        connect();
      }
    });
    window.setInterval(function () { if (summary) { renderStatus(); } checkStall(); }, 1000);
  }
}());
