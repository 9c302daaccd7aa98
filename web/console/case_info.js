/* chainbreak review console: shared helpers, loaded before cybertip.js and
 * console.js (all three are our own files, no third-party code). DOM
 * building, formatting, and the pure rules deciding what a case shows: its
 * source, its classification, an overdue notice, whether it can be reported
 * to NCMEC. The rules take "now" as an argument so that the browser test
 * (tests/web/portal_test.mjs) can check them with made-up cases. English
 * only, like the rest of the console. Contract: docs/CASES.md. */
(function (root) {
  'use strict';

  var CB = root.CBConsole = root.CBConsole || {};

  CB.el = function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'className') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  };

  CB.fmtTime = function fmtTime(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d.getTime())) return iso;
    return d.toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
  };

  CB.fmtDuration = function fmtDuration(seconds) {
    if (seconds === null || seconds === undefined || isNaN(seconds)) return '';
    var s = Math.round(seconds);
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + (s % 60) + ' s';
    var h = Math.floor(m / 60);
    if (h < 48) return h + ' h ' + (m % 60) + ' min';
    return Math.floor(h / 24) + ' d ' + (h % 24) + ' h';
  };

  /* Case severity (the gravest matched classification) to its label:
   * 4 A1, 3 A2, 2 B1, 1 B2; '' for 0 (no match) or anything else. */
  var CLASSIFICATIONS = { 4: 'A1', 3: 'A2', 2: 'B1', 1: 'B2' };
  CB.classification = function classification(severity) {
    return CLASSIFICATIONS[Number(severity)] || '';
  };

  /* True when the case was opened by the matching pipeline (a rule with the
   * "case" action), not by a public report. */
  CB.isAutomated = function isAutomated(c) {
    return !!c && c.source === 'pipeline';
  };

  CB.sourceText = function sourceText(c) {
    if (CB.isAutomated(c)) {
      return 'Automated detection' + (Number(c.decision_id) > 0 ? ' (decision ' + c.decision_id + ')' : '');
    }
    return c && c.source === 'report' ? 'Public report' : String((c && c.source) || 'unknown');
  };

  /* A notice is overdue when the case waits for it (referred, or notice
   * sent and not yet removed) and its deadline has passed. No deadline, or
   * one that does not parse, is never overdue. nowMs: milliseconds since
   * the epoch (Date.now()). */
  var WAITING_FOR_NOTICE = { referred: true, notice_sent: true };
  CB.isNoticeOverdue = function isNoticeOverdue(c, nowMs) {
    if (!c || !WAITING_FOR_NOTICE[c.state] || !c.notice_deadline) return false;
    var due = Date.parse(c.notice_deadline);
    if (isNaN(due)) return false;
    return due < Number(nowMs);
  };

  /* The badges of a case, for the queue rows and the case view: text (never
   * colour alone), each with a class for its style. */
  CB.caseBadges = function caseBadges(c, nowMs) {
    var out = [];
    if (c.live_harm) out.push(CB.el('span', { className: 'flag live', text: 'Live harm' }));
    if (CB.isAutomated(c)) out.push(CB.el('span', { className: 'flag auto', text: CB.sourceText(c) }));
    var cls = CB.classification(c.severity);
    if (cls) out.push(CB.el('span', { className: 'flag sev', 'data-classification': cls, text: 'Classification ' + cls }));
    if (CB.isNoticeOverdue(c, nowMs)) out.push(CB.el('span', { className: 'flag overdue', text: 'Notice overdue' }));
    return out;
  };

  /* Whether the case can become an NCMEC CyberTipline report (mirrors the
   * server's rule in docs/CASES.md; the server has the last word):
   * {ok: true} or {ok: false, why: TEXT}. */
  var ILLEGAL = { illegal_baseline: true, illegal_national: true };
  var AFTER_ASSESSMENT = { assessed: true, referred: true, notice_sent: true, removed: true, closed: true };
  CB.cybertipAvailability = function cybertipAvailability(c) {
    if (!c) return { ok: false, why: 'No case is open.' };
    if (!AFTER_ASSESSMENT[c.state] || !c.assessment) {
      if (c.state === 'closed') {
        return { ok: false, why: 'Not available: this case was closed without being assessed illegal, and only ' +
                 'cases assessed illegal are reported to NCMEC.' };
      }
      return { ok: false, why: 'Not available yet: only a case assessed illegal (under the international baseline or ' +
               'nationally) can be reported to NCMEC. Record the assessment first.' };
    }
    if (!ILLEGAL[c.assessment]) {
      return { ok: false, why: 'Not available: this case was assessed as not illegal or a false positive, and only ' +
               'cases assessed illegal are reported to NCMEC.' };
    }
    if (c.category === 'other') {
      return { ok: false, why: 'Not available: cases in the category "Other" have no CyberTipline incident type.' };
    }
    return { ok: true, why: '' };
  };
})(window);
