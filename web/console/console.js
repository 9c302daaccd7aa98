/* chainbreak review console. Plain JavaScript, no third-party code.
 * Contract: docs/CASES.md. The API token lives in this tab's sessionStorage
 * only and goes out as "Authorization: Bearer". The queue, the case view
 * and decisions are here; the evidence (blurred viewer, reveals, retention
 * and legal holds) is evidence.js, the NCMEC section cybertip.js, shared
 * helpers and rules case_info.js. */
(function () {
  'use strict';

  /* Shared helpers, the evidence and the NCMEC section: case_info.js,
   * evidence.js, cybertip.js. */
  var CB = window.CBConsole;
  var el = CB.el;
  var fmtTime = CB.fmtTime;
  var fmtDuration = CB.fmtDuration;

  var TOKEN_KEY = 'chainbreak.console.token';

  var STATE_LABELS = {
    new: 'New',
    triage: 'In triage',
    assessed: 'Assessed',
    referred: 'Referred',
    notice_sent: 'Notice sent',
    removed: 'Content removed',
    closed: 'Closed'
  };
  /* Allowed moves (docs/CASES.md): one step forward, or closed from any
   * state but closed. */
  var NEXT = {
    new: ['triage', 'closed'],
    triage: ['assessed', 'closed'],
    assessed: ['referred', 'closed'],
    referred: ['notice_sent', 'closed'],
    notice_sent: ['removed', 'closed'],
    removed: ['closed'],
    closed: []
  };
  /* Closing early needs a note; closing after an assessment of "not
   * illegal" / "false positive" or after removal does not. */
  var CLOSE_WITHOUT_NOTE = { assessed: true, removed: true };
  var ASSESSMENTS = {
    illegal_baseline: 'Illegal under the international baseline',
    illegal_national: 'Illegal nationally',
    not_illegal: 'Not illegal',
    false_positive: 'False positive'
  };
  var CATEGORIES = {
    csam: 'Sexual images or videos of a child',
    grooming: 'Grooming',
    sextortion: 'Sextortion',
    trafficking: 'Trafficking',
    other: 'Other'
  };

  var token = '';
  var partners = [];
  var current = null;       /* the open case (JSON) */
  var exposureTimer = null;

  function $(id) { return document.getElementById(id); }

  function show(node, on) { node.hidden = !on; }

  function setError(id, message) {
    var n = $(id);
    n.textContent = message || '';
    n.hidden = !message;
  }

  /* ---- API ---- */

  function ApiError(status, body) {
    var err = body && body.error ? body.error : {};
    this.status = status;
    this.code = err.code || '';
    this.field = err.field || '';
    this.message = err.message || ('HTTP ' + status);
  }

  function api(method, path, body, opts) {
    var headers = { Authorization: 'Bearer ' + token };
    var init = { method: method, headers: headers, credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (opts && opts.keepalive) init.keepalive = true;
    return fetch(path, init).then(function (r) {
      if (opts && opts.blob) {
        if (!r.ok) return r.text().then(function (t) { throw new ApiError(r.status, parse(t)); });
        return r.blob();
      }
      return r.text().then(function (t) {
        var data = parse(t);
        if (!r.ok) throw new ApiError(r.status, data);
        return data;
      });
    }).catch(function (e) {
      if (e instanceof ApiError) {
        if (e.status === 401) signOut('Your token was not accepted (expired or revoked). Sign in again.');
        throw e;
      }
      throw new ApiError(0, { error: { message: 'The server could not be reached.' } });
    });
  }

  function parse(text) {
    try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
  }

  function describe(e) {
    if (!(e instanceof ApiError)) return String(e);
    if (e.status === 403) return 'Your token does not allow this (' + e.message + ').';
    var s = e.message;
    if (e.field) s += ' [field: ' + e.field + ']';
    if (e.status) s += ' (HTTP ' + e.status + (e.code ? ', ' + e.code : '') + ')';
    return s;
  }

  /* ---- formatting ---- */

  function fmtSeconds(s) {
    var n = Number(s) || 0;
    return (Math.round(n * 10) / 10) + ' s';
  }

  function stateLabel(s) { return STATE_LABELS[s] || s; }

  function partnerLabel(p) {
    return p.name + ' (' + (p.country || '??') + ', ' + p.kind + ', notice within ' + p.deadline_hours + ' h)';
  }

  /* ---- sign in / out ---- */

  function signIn(ev) {
    ev.preventDefault();
    var value = $('token').value.trim();
    if (!value) { setError('signin-error', 'Enter your API token.'); $('token').focus(); return; }
    token = value;
    setError('signin-error', '');
    api('GET', '/v1/reviewers/me/exposure').then(function (exp) {
      sessionStorage.setItem(TOKEN_KEY, token);
      $('token').value = '';
      enter(exp);
    }).catch(function (e) {
      token = '';
      setError('signin-error', e.status === 401 ? 'This token was not accepted.' : describe(e));
      $('token').focus();
    });
  }

  function enter(exp) {
    show($('signin'), false);
    show($('workspace'), true);
    show($('signout'), true);
    show($('exposure'), true);
    if (exp) renderExposure(exp); else refreshExposure();
    clearInterval(exposureTimer);
    exposureTimer = setInterval(refreshExposure, 60000);
    loadPartners();
    loadQueue().then(route);
  }

  function signOut(message) {
    CB.evidence.hideAll(true);
    token = '';
    sessionStorage.removeItem(TOKEN_KEY);
    clearInterval(exposureTimer);
    closeCase();
    show($('workspace'), false);
    show($('signout'), false);
    show($('exposure'), false);
    show($('signin'), true);
    setError('signin-error', typeof message === 'string' ? message : '');
    $('token').focus();
  }

  /* ---- exposure ---- */

  function renderExposure(exp) {
    var reveals = Number(exp.reveals) || 0;
    var seconds = exp.seconds !== undefined ? Number(exp.seconds) : (Number(exp.duration_ms) || 0) / 1000;
    var f = $('exposure-figure');
    f.textContent = reveals + (reveals === 1 ? ' reveal, ' : ' reveals, ') + fmtSeconds(seconds);
    f.setAttribute('data-reveals', String(reveals));
    f.setAttribute('data-seconds', String(seconds));
  }

  function refreshExposure() {
    if (!token) return Promise.resolve();
    return api('GET', '/v1/reviewers/me/exposure').then(renderExposure).catch(function () {});
  }

  /* ---- partners ---- */

  function loadPartners() {
    return api('GET', '/v1/partners').then(function (data) {
      partners = (data && (data.partners || data)) || [];
      if (current) renderDecision(current);
    }).catch(function () { partners = []; });
  }

  /* ---- queue ---- */

  function loadQueue() {
    var state = $('queue-state').value;
    var q = '/v1/cases?limit=200' + (state ? '&state=' + encodeURIComponent(state) : '');
    setError('queue-error', '');
    $('queue-status').textContent = 'Loading…';
    return api('GET', q).then(function (data) {
      var cases = (data && (data.cases || data)) || [];
      renderQueue(cases);
      $('queue-status').textContent = cases.length + (cases.length === 1 ? ' case' : ' cases');
    }).catch(function (e) {
      $('queue-status').textContent = '';
      setError('queue-error', describe(e));
    });
  }

  function renderQueue(cases) {
    var list = $('queue-list');
    list.textContent = '';
    var now = Date.now();
    cases.forEach(function (c) {
      var flags = CB.caseBadges(c, now);
      var summary = c.url || (CB.isAutomated(c) ? 'Pipeline match' : (CATEGORIES[c.category] || c.category || ''));
      var a = el('a', { href: '#case-' + c.id, className: 'queue-link', 'data-case-id': String(c.id) }, [
        el('span', { className: 'q-id', text: 'Case ' + c.id }),
        el('span', { className: 'state state-' + c.state, text: stateLabel(c.state) }),
        el('span', { className: 'q-summary', text: summary }),
        el('span', { className: 'q-meta', text: (c.report_count || 0) + ' report' + (c.report_count === 1 ? '' : 's') +
          (c.country ? ' · ' + c.country : '') + ' · ' + fmtTime(c.created_at) }),
        flags.length ? el('span', { className: 'q-flags' }, flags) : null
      ]);
      if (current && String(current.id) === String(c.id)) a.setAttribute('aria-current', 'true');
      list.appendChild(el('li', null, [a]));
    });
  }

  /* ---- case ---- */

  function route() {
    var m = /^#case-(\d+)$/.exec(window.location.hash);
    if (m && token) openCase(m[1]);
  }

  function closeCase() {
    CB.evidence.clear();
    $('decision-status').textContent = '';
    current = null;
    $('case-title').textContent = 'No case open';
    show($('case-empty'), true);
    show($('case-body'), false);
    setError('case-error', '');
  }

  function openCase(id, keepFocus) {
    var same = current && String(current.id) === String(id);
    return api('GET', '/v1/cases/' + encodeURIComponent(id)).then(function (c) {
      if (!same) closeCase();
      current = c;
      renderCase(c, same);
      var links = document.querySelectorAll('.queue-link');
      for (var i = 0; i < links.length; i++) {
        if (links[i].getAttribute('data-case-id') === String(c.id)) links[i].setAttribute('aria-current', 'true');
        else links[i].removeAttribute('aria-current');
      }
      if (!keepFocus) $('case').focus();
    }).catch(function (e) {
      closeCase();
      setError('case-error', describe(e));
    });
  }

  function fact(dl, name, value) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', { text: name }));
    dl.appendChild(el('dd', null, [typeof value === 'string' ? value : value]));
  }

  function renderCase(c, same) {
    $('case-title').textContent = 'Case ' + c.id;
    show($('case-empty'), false);
    show($('case-body'), true);
    setError('case-error', '');

    var now = Date.now();
    var flags = $('case-flags');
    var badges = CB.caseBadges(c, now);
    flags.textContent = '';
    badges.forEach(function (b) { flags.appendChild(b); });
    show(flags, badges.length > 0);

    var dl = $('case-facts');
    dl.textContent = '';
    fact(dl, 'State', el('span', { id: 'case-state', className: 'state state-' + c.state, 'data-state': c.state,
                                   text: stateLabel(c.state) }));
    if (c.assessment) fact(dl, 'Assessment', el('span', { id: 'case-assessment', text: ASSESSMENTS[c.assessment] || c.assessment }));
    var cls = CB.classification(c.severity);
    fact(dl, 'Priority', (c.live_harm ? 'Live harm reported. ' : '') + (cls ? 'Classification ' + cls + ' (gravest match). ' : '') +
         (c.report_count || 0) + ' report(s).');
    fact(dl, 'Source', el('span', { id: 'case-source', 'data-source': c.source || '', text: CB.sourceText(c) }));
    fact(dl, 'Category', CATEGORIES[c.category] || c.category);
    fact(dl, 'Country', c.country || 'unknown');
    if (c.url) fact(dl, 'URL', el('code', { className: 'url', text: c.url }));
    fact(dl, 'Opened', fmtTime(c.created_at));
    if (c.partner_id) {
      var p = partners.filter(function (x) { return String(x.id) === String(c.partner_id); })[0];
      fact(dl, 'Referred to', p ? partnerLabel(p) : 'partner ' + c.partner_id);
    }
    if (c.notice_deadline) {
      var overdue = CB.isNoticeOverdue(c, now);
      fact(dl, 'Notice deadline', el('span', { id: 'case-deadline', 'data-overdue': String(overdue) }, [
        fmtTime(c.notice_deadline), overdue ? ' ' : '', overdue ? el('span', { className: 'flag overdue', text: 'Notice overdue' }) : null
      ]));
    }
    var st = c.seconds_to || {};
    if (st.assessment !== null && st.assessment !== undefined) fact(dl, 'Time to assessment', fmtDuration(st.assessment));
    if (st.notice !== null && st.notice !== undefined) fact(dl, 'Time to notice', fmtDuration(st.notice));
    if (st.removal !== null && st.removal !== undefined) fact(dl, 'Time to removal', fmtDuration(st.removal));

    CB.evidence.render(c, same);
    renderDecision(c);
    CB.cybertip.render(c);
    renderReports(c.reports || []);
    renderHistory(c.transitions || []);
  }

  function renderReports(reports) {
    var list = $('reports-list');
    list.textContent = '';
    reports.forEach(function (r) {
      var dl = el('dl', { className: 'facts small' });
      fact(dl, 'Received', fmtTime(r.received_at));
      fact(dl, 'Category', CATEGORIES[r.category] || r.category);
      fact(dl, 'Country', r.country || 'unknown');
      fact(dl, 'Portal language', r.language);
      if (r.live_harm) fact(dl, 'Live harm', 'yes: the reporter says a child may be in danger now');
      if (r.url) fact(dl, 'URL', el('code', { className: 'url', text: r.url }));
      if (r.description) fact(dl, 'Description', el('span', { className: 'description', dir: 'auto', text: r.description }));
      fact(dl, 'Contact', r.contact_withdrawn ? 'withdrawn by the reporter' : (r.has_contact ? 'given (not shown)' : 'none'));
      var f = r.file || {};
      if (f.sha256) fact(dl, 'File', el('code', { className: 'hash', text: (f.media_type || '') + ' sha256 ' + f.sha256 }));
      list.appendChild(el('li', { 'data-report-id': String(r.id) }, [dl]));
    });
  }

  function renderHistory(ts) {
    var list = $('history-list');
    list.textContent = '';
    if (!ts.length) list.appendChild(el('li', { className: 'muted', text: 'No decisions yet.' }));
    ts.forEach(function (t) {
      var parts = [fmtTime(t.time) + ': ' + (t.actor || '?') + ' moved it from ' + stateLabel(t.from) + ' to ' + stateLabel(t.to)];
      if (t.assessment) parts.push('assessment: ' + (ASSESSMENTS[t.assessment] || t.assessment));
      if (t.partner_id) {
        var p = partners.filter(function (x) { return String(x.id) === String(t.partner_id); })[0];
        parts.push('partner: ' + (p ? p.name : t.partner_id));
      }
      var li = el('li', { 'data-to': t.to, text: parts.join('; ') + '.' });
      if (t.note) li.appendChild(el('p', { className: 'note', dir: 'auto', text: 'Note: ' + t.note }));
      list.appendChild(li);
    });
  }

  /* ---- decisions ---- */

  function renderDecision(c) {
    var next = NEXT[c.state] || [];
    show($('decision-form'), next.length > 0);
    show($('decision-final'), next.length === 0);
    var sel = $('decision-to');
    var keep = sel.value;
    sel.textContent = '';
    next.forEach(function (s) { sel.appendChild(el('option', { value: s, text: stateLabel(s) })); });
    if (next.indexOf(keep) >= 0) sel.value = keep;
    var ps = $('decision-partner');
    var keepP = ps.value;
    ps.textContent = '';
    ps.appendChild(el('option', { value: '', text: 'Choose…' }));
    var suggested = (c.suggested_partners || []).map(function (p) { return String(p.id); });
    var ordered = partners.slice().sort(function (a, b) {
      return (suggested.indexOf(String(b.id)) >= 0) - (suggested.indexOf(String(a.id)) >= 0);
    });
    ordered.forEach(function (p) {
      var s = suggested.indexOf(String(p.id)) >= 0;
      ps.appendChild(el('option', { value: String(p.id), text: (s ? 'Suggested: ' : '') + partnerLabel(p) }));
    });
    if (keepP) ps.value = keepP;
    $('partner-hint').textContent = partners.length ? '' : 'The routing table is empty: an admin or curator adds partners (POST /v1/partners).';
    onDecisionTarget();
  }

  function onDecisionTarget() {
    var to = $('decision-to').value;
    show($('assessment-field'), to === 'assessed');
    show($('partner-field'), to === 'referred');
    var needNote = to === 'closed' && current && !CLOSE_WITHOUT_NOTE[current.state];
    $('note-required').textContent = needNote ? '(required when closing at this stage)' : '(optional)';
    if (needNote) $('decision-note').setAttribute('aria-required', 'true');
    else $('decision-note').removeAttribute('aria-required');
    /* Closing after "not illegal" / "false positive" deletes the files
     * (evidence.js): said next to the button, and read with it. */
    var purge = CB.closingNotice(current, to).text;
    $('decision-purge').textContent = purge;
    show($('decision-purge'), !!purge);
    if (purge) $('decision-submit').setAttribute('aria-describedby', 'decision-purge');
    else $('decision-submit').removeAttribute('aria-describedby');
  }

  function onDecide(ev) {
    ev.preventDefault();
    if (!current) return;
    setError('decision-error', '');
    var to = $('decision-to').value;
    var body = { to: to };
    var note = $('decision-note').value.trim();
    if (to === 'assessed') {
      body.assessment = $('decision-assessment').value;
      if (!body.assessment) return fail('Choose an assessment.', 'decision-assessment');
    }
    if (to === 'referred') {
      var pid = $('decision-partner').value;
      if (!pid) return fail('Choose the partner to refer the case to.', 'decision-partner');
      body.partner = Number(pid);
    }
    if (to === 'closed' && !CLOSE_WITHOUT_NOTE[current.state] && !note) {
      return fail('Closing a case at this stage needs a note saying why.', 'decision-note');
    }
    if (note) body.note = note;
    var purge = CB.closingNotice(current, to);
    if (purge.deleted && !window.confirm('Close case ' + current.id + ' and delete ' + purge.deleted + ' evidence ' +
        (purge.deleted === 1 ? 'file' : 'files') + ' now?\n\nTheir hashes and metadata are kept; files on legal hold are ' +
        'kept until released. This cannot be undone.')) return;
    var button = $('decision-submit');
    button.disabled = true;
    $('decision-status').textContent = 'Recording…';
    var id = current.id;
    api('POST', '/v1/cases/' + encodeURIComponent(id) + '/transition', body).then(function (out) {
      $('decision-note').value = '';
      $('decision-assessment').value = '';
      var gone = (out && out.evidence_purged) || [];
      $('decision-status').textContent = 'Case ' + id + ' moved to ' + stateLabel(to) + '.' + (out && out.evidence_purged
        ? ' ' + gone.length + ' evidence ' + (gone.length === 1 ? 'file' : 'files') + ' deleted (hashes kept).' : '') +
        (out && out.evidence_purge_error ? ' The files could not be deleted now (' + out.evidence_purge_error +
        '); the hourly purge tries again.' : '');
      /* The case again: the evidence shows what was purged. */
      return openCase(id, true).then(loadQueue).then(function () {
        $(current && !(NEXT[current.state] || []).length ? 'decision-final' : 'decision-to').focus();
      });
    }).catch(function (e) {
      $('decision-status').textContent = '';
      var target = { assessment: 'decision-assessment', partner: 'decision-partner', note: 'decision-note', to: 'decision-to' }[e.field];
      fail('The server refused this decision: ' + describe(e), target);
    }).then(function () { button.disabled = false; });

    function fail(message, focusId) {
      setError('decision-error', message);
      if (focusId && $(focusId)) $(focusId).focus();
    }
  }

  /* ---- start ---- */

  function start() {
    $('signin-form').addEventListener('submit', signIn);
    $('signout').addEventListener('click', function () { signOut(''); });
    $('queue-form').addEventListener('submit', function (ev) { ev.preventDefault(); loadQueue(); });
    $('queue-state').addEventListener('change', loadQueue);
    $('decision-to').addEventListener('change', onDecisionTarget);
    $('decision-form').addEventListener('submit', onDecide);
    CB.evidence.init({ api: api, describe: describe, refreshExposure: refreshExposure, onChange: onDecisionTarget,
                       onGone: function () { if (current) openCase(current.id, true); } });
    CB.cybertip.init({ api: api, describe: describe });
    window.addEventListener('hashchange', route);
    window.addEventListener('pagehide', function () { CB.evidence.hideAll(true); });
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') CB.evidence.hideAll(true);
    });
    var saved = sessionStorage.getItem(TOKEN_KEY);
    if (saved) {
      token = saved;
      api('GET', '/v1/reviewers/me/exposure').then(enter).catch(function (e) {
        if (e.status !== 401) signOut(describe(e));
      });
    } else {
      $('token').focus();
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
