/* chainbreak review console: the case's evidence (docs/CASES.md, "What the
 * console shows"). Loaded after case_info.js and before console.js, which
 * calls CBConsole.evidence.init({api, describe, refreshExposure, onChange,
 * onGone}) once (onChange: a hold changed; onGone: the server said an item
 * was purged meanwhile, so the case view is out of date), render(case, same) whenever it shows a case (same: the case on
 * screen again, after a decision or a refresh), hideAll(keepalive) when the
 * page goes away and clear() when the case is closed.
 *
 *   Viewer     the bytes are fetched with the token (GET .../evidence/{eid})
 *              into blob: URLs and shown greyscale and blurred; a reveal is
 *              an explicit click, ends with "Hide" or after 10 s, and is
 *              reported with its duration (POST /v1/cases/{id}/reveal). A
 *              purged item is not fetched; one purged meanwhile (410) says
 *              so in text instead of a broken image.
 *   Retention  each item's state in words: "Kept until <time>", "Legal
 *              hold" or "Purged (hashes kept)" (a live region), and a
 *              "Place legal hold" / "Release legal hold" button
 *              (POST .../evidence/{eid}/legal-hold); the server's error
 *              message when it refuses.
 *
 * The retention rules (retentionState, closingNotice) are pure and take
 * "now" as an argument, so the browser test can check them. */
(function (root) {
  'use strict';

  var CB = root.CBConsole = root.CBConsole || {};
  var el = CB.el;
  var REVEAL_LIMIT_MS = 10000;
  var deps = null;   /* {api, describe, refreshExposure, onChange, onGone} from console.js */
  var items = [];    /* the items on screen: {ev, eid, caseId, li, frame, media, url, revealedAt, ...} */

  function evidenceId(ev) { return ev.id !== undefined ? ev.id : ev.evidence_id; }

  /* ---- the rules ---- */

  /* Where an item stands: {kind, text} with kind "purged", "held", "kept",
   * "ended" (retention over, not purged yet: the next purge takes it) or
   * "unknown" (the server could not say). nowMs: Date.now(). */
  CB.retentionState = function retentionState(ev, nowMs) {
    if (ev.purged) return { kind: 'purged', text: 'Purged (hashes kept)' };
    var until = Date.parse(ev.retain_until || '');
    var when = isNaN(until) ? '' : CB.fmtTime(ev.retain_until);
    var ended = !isNaN(until) && until <= Number(nowMs);
    if (ev.legal_hold) {
      return { kind: 'held', text: 'Legal hold' + (!when ? ': kept until it is released' : ended
        ? ' (retention ended ' + when + ': deleted once the hold is released)'
        : ' (kept until it is released, even past ' + when + ')') };
    }
    if (!when) return { kind: 'unknown', text: 'Retention unknown' };
    if (ended) return { kind: 'ended', text: 'Retention ended ' + when + ' (deleted at the next purge)' };
    return { kind: 'kept', text: 'Kept until ' + when };
  };

  /* What closing the case to `to` does to its files: '' when nothing, or
   * a sentence for the decision form. Closing a case assessed not illegal
   * or a false positive deletes its files at once, except those on legal
   * hold. Also answers the counts: {text, deleted, held}. */
  var PURGING = { not_illegal: 'not illegal', false_positive: 'a false positive' };
  CB.closingNotice = function closingNotice(c, to) {
    var none = { text: '', deleted: 0, held: 0 };
    if (!c || to !== 'closed' || !PURGING[c.assessment]) return none;
    var live = (c.evidence || []).filter(function (ev) { return !ev.purged; });
    if (!live.length) return none;
    var held = live.filter(function (ev) { return ev.legal_hold; }).length;
    var deleted = live.length - held;
    var files = function (n) { return n + ' evidence ' + (n === 1 ? 'file' : 'files'); };
    var text = 'This case was assessed as ' + PURGING[c.assessment] + ': closing it deletes its files unless they ' +
      'are on legal hold. ' + (deleted ? files(deleted) + (deleted === 1 ? ' is' : ' are') +
      ' deleted now (hashes and metadata are kept). ' : '') +
      (held ? files(held) + ' on legal hold ' + (held === 1 ? 'is' : 'are') + ' kept until released.' : 'No file is on legal hold.');
    return { text: text, deleted: deleted, held: held };
  };

  /* ---- rendering ---- */

  function init(d) { deps = d; }

  function render(c, same) {
    var evs = c.evidence || [];
    var unchanged = same && items.length === evs.length && items.every(function (it, i) {
      return String(it.eid) === String(evidenceId(evs[i]));
    });
    if (unchanged) {
      evs.forEach(function (ev, i) { update(items[i], ev); });
      return;
    }
    clear();
    var list = document.getElementById('evidence-list');
    list.textContent = '';
    if (!evs.length) list.appendChild(el('li', { className: 'muted', text: 'No evidence files.' }));
    evs.forEach(function (ev, i) { list.appendChild(build(c.id, ev, i + 1)); });
  }

  function build(caseId, ev, n) {
    var eid = evidenceId(ev);
    /* The countdown is visual only (a live region ticking every second
     * would drown a screen reader). */
    var item = {
      ev: ev, eid: eid, caseId: caseId, gone: false, busy: false, media: null, url: '', revealedAt: 0, timer: null,
      countdown: null,
      frame: el('div', { className: 'evidence-frame' }),
      state: el('p', { className: 'reveal-state muted', 'aria-live': 'polite' }),
      countdownEl: el('span', { className: 'countdown', 'aria-hidden': 'true' }),
      reveal: el('button', { type: 'button', className: 'reveal', disabled: 'disabled', text: 'Reveal',
                             'aria-label': 'Reveal evidence ' + n }),
      hide: el('button', { type: 'button', className: 'hide', disabled: 'disabled', text: 'Hide',
                           'aria-label': 'Hide evidence ' + n }),
      /* Always in the page, only its text changes, so that a change is
       * announced. */
      retention: el('p', { className: 'retention', 'aria-live': 'polite' }),
      hold: el('button', { type: 'button', className: 'hold' }),
      holdError: el('p', { className: 'error hold-error', role: 'alert', tabindex: '-1', hidden: 'hidden' }),
      n: n
    };
    items.push(item);
    item.reveal.addEventListener('click', function () { revealItem(item); });
    item.hide.addEventListener('click', function () { hideItem(item, 'hidden by you'); });
    item.hold.addEventListener('click', function () { toggleHold(item); });
    var meta = el('p', { className: 'hash' }, [
      (ev.media_type || 'file') + ' · sha256 ',
      el('code', { text: ev.sha256 || '' }),
      ev.md5 ? ' · md5 ' : '',
      ev.md5 ? el('code', { text: ev.md5 }) : null
    ]);
    item.li = el('li', { className: 'evidence', 'data-evidence-id': String(eid) }, [
      item.frame,
      el('div', { className: 'evidence-controls' }, [item.reveal, item.hide, item.countdownEl, item.state]),
      meta,
      el('div', { className: 'evidence-retention' }, [item.retention, item.hold, item.holdError])
    ]);
    showRetention(item);
    if (ev.purged) markPurged(item);
    else load(item);
    return item.li;
  }

  /* The case again (after a decision, a refresh): new retention facts. */
  function update(item, ev) {
    if (item.gone) ev.purged = true;  /* the server said so already (410) */
    item.ev = ev;
    showRetention(item);
    if (ev.purged && !item.gone) markPurged(item);
  }

  function showRetention(item) {
    var s = CB.retentionState(item.ev, Date.now());
    if (item.retention.textContent !== s.text) {
      /* The state in bold, its details (in brackets) in plain text. */
      var cut = s.text.indexOf(' (');
      if (s.kind === 'purged' || cut < 0) cut = s.text.length;
      item.retention.textContent = '';
      item.retention.appendChild(el('span', { className: 'retention-label ' + s.kind, text: s.text.slice(0, cut) }));
      if (cut < s.text.length) item.retention.appendChild(document.createTextNode(s.text.slice(cut)));
    }
    item.li.setAttribute('data-retention', s.kind);
    var held = !!item.ev.legal_hold;
    item.hold.textContent = held ? 'Release legal hold' : 'Place legal hold';
    item.hold.setAttribute('aria-label', (held ? 'Release legal hold on evidence ' : 'Place legal hold on evidence ') + item.n);
    item.hold.hidden = !!item.ev.purged;
  }

  /* The bytes are gone: no viewer, no reveal, no hold; the hashes stay. */
  function markPurged(item) {
    item.gone = true;
    if (item.revealedAt) hideItem(item, 'the file was purged', true);
    if (item.url) URL.revokeObjectURL(item.url);
    item.url = '';
    item.media = null;
    item.frame.textContent = '';
    item.frame.classList.add('gone');
    item.frame.appendChild(el('p', { className: 'evidence-gone',
      text: 'Purged: this file was deleted and cannot be shown. Its hashes below are kept.' }));
    item.reveal.hidden = true;
    item.hide.hidden = true;
    item.countdownEl.textContent = '';
    item.state.textContent = '';
    showRetention(item);
  }

  function load(item) {
    item.state.textContent = 'Loading…';
    deps.api('GET', '/v1/cases/' + encodeURIComponent(item.caseId) + '/evidence/' + encodeURIComponent(item.eid), undefined,
             { blob: true }).then(function (blob) {
      if (item.gone) return;
      var type = blob.type || item.ev.media_type || '';
      var node;
      if (/^image\//.test(type)) {
        item.url = URL.createObjectURL(blob);
        node = el('img', { className: 'evidence-media veiled', alt: 'Evidence image (blurred until revealed)', src: item.url });
      } else if (/^video\//.test(type)) {
        item.url = URL.createObjectURL(blob);
        node = el('video', { className: 'evidence-media veiled', muted: 'muted', preload: 'metadata', src: item.url });
        node.controls = false;
      } else {
        item.frame.appendChild(el('p', { className: 'muted', text: 'No preview for ' + (type || 'this file type') + '.' }));
        item.state.textContent = '';
        return;
      }
      node.setAttribute('draggable', 'false');
      item.media = node;
      item.frame.appendChild(node);
      item.reveal.removeAttribute('disabled');
      item.state.textContent = 'Blurred.';
    }).catch(function (e) {
      if (e.status === 410) {  /* purged since the case was loaded */
        item.ev.purged = true;
        markPurged(item);
        deps.onGone();
        return;
      }
      item.state.textContent = 'Could not load: ' + deps.describe(e);
      item.state.className = 'reveal-state error';
    });
  }

  /* ---- reveals ---- */

  function revealItem(item) {
    if (!item.media || item.revealedAt) return;
    item.revealedAt = performance.now();
    item.media.classList.remove('veiled');
    item.media.classList.add('revealed');
    if (item.media.tagName === 'VIDEO') { item.media.controls = true; }
    item.reveal.setAttribute('disabled', 'disabled');
    item.hide.removeAttribute('disabled');
    item.hide.focus();
    var left = REVEAL_LIMIT_MS / 1000;
    item.state.textContent = 'Visible. Hides automatically after ' + left + ' s.';
    item.countdownEl.textContent = left + ' s';
    item.countdown = setInterval(function () {
      left -= 1;
      item.countdownEl.textContent = left > 0 ? left + ' s' : '';
    }, 1000);
    item.timer = setTimeout(function () { hideItem(item, 'hidden after 10 s'); }, REVEAL_LIMIT_MS);
  }

  /* Hides an item and reports the reveal's duration. keepalive: the page
   * is going away (the report must outlive it; focus stays put). */
  function hideItem(item, why, keepalive) {
    if (!item.revealedAt) return Promise.resolve();
    var duration = Math.max(0, Math.round(performance.now() - item.revealedAt));
    item.revealedAt = 0;
    clearTimeout(item.timer);
    clearInterval(item.countdown);
    item.countdownEl.textContent = '';
    item.media.classList.remove('revealed');
    item.media.classList.add('veiled');
    if (item.media.tagName === 'VIDEO') { item.media.pause(); item.media.controls = false; }
    item.hide.setAttribute('disabled', 'disabled');
    item.reveal.removeAttribute('disabled');
    if (!keepalive) item.reveal.focus();
    item.state.textContent = 'Blurred (' + why + '). Logging the reveal…';
    return deps.api('POST', '/v1/cases/' + encodeURIComponent(item.caseId) + '/reveal',
                    { evidence_id: Number(item.eid), duration_ms: duration }, { keepalive: !!keepalive })
      .then(function () {
        if (!item.gone) {
          item.state.textContent = 'Blurred (' + why + '). Reveal of ' + (Math.round(duration / 100) / 10) + ' s logged.';
          item.state.setAttribute('data-logged', 'true');
        }
        return deps.refreshExposure();
      })
      .catch(function (e) {
        item.state.textContent = 'Blurred, but the reveal could not be logged: ' + deps.describe(e);
        item.state.className = 'reveal-state error';
      });
  }

  function hideAll(keepalive) {
    items.forEach(function (it) { if (it.revealedAt) hideItem(it, 'closed', keepalive); });
  }

  function clear() {
    hideAll(false);
    items.forEach(function (it) { if (it.url) URL.revokeObjectURL(it.url); });
    items = [];
  }

  /* ---- legal holds ---- */

  /* aria-disabled rather than disabled while the request runs: a disabled
   * button loses the keyboard focus. */
  function toggleHold(item) {
    if (item.busy || item.gone) return;
    var want = !item.ev.legal_hold;
    item.busy = true;
    item.hold.setAttribute('aria-disabled', 'true');
    item.holdError.hidden = true;
    item.holdError.textContent = '';
    var path = '/v1/cases/' + encodeURIComponent(item.caseId) + '/evidence/' + encodeURIComponent(item.eid) + '/legal-hold';
    deps.api('POST', path, { hold: want }).then(function (answer) {
      item.ev.legal_hold = answer && typeof answer.legal_hold === 'boolean' ? answer.legal_hold : want;
      showRetention(item);
    }).catch(function (e) {
      item.holdError.textContent = (want ? 'The legal hold was not placed: ' : 'The legal hold was not released: ') +
        deps.describe(e);
      item.holdError.hidden = false;
      if (e.status === 410) {  /* purged meanwhile: the button goes, the focus to the message */
        item.ev.purged = true;
        markPurged(item);
        item.holdError.focus();
        deps.onGone();
      }
    }).then(function () {
      item.busy = false;
      item.hold.removeAttribute('aria-disabled');
      if (deps.onChange) deps.onChange();
    });
  }

  CB.evidence = { init: init, render: render, hideAll: hideAll, clear: clear };
})(window);
