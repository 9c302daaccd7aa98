/* chainbreak review console: "Report to NCMEC (CyberTipline)" in the case
 * view (docs/CASES.md, "Reports to authorities"). Loaded after case_info.js
 * and before console.js, which calls CBConsole.cybertip.init({api, describe})
 * once and render(case) whenever it shows a case.
 *
 *   Download report XML  GET /v1/cases/{id}/cybertip with the console's
 *                        Authorization header, saved through a blob: URL and
 *                        a link with a download attribute (a download is not
 *                        a navigation the page's CSP governs).
 *   Submit to NCMEC      POST /v1/cases/{id}/cybertip/submit after a
 *                        confirmation; shows NCMEC's report id, or the
 *                        server's error message.
 *
 * Neither changes the case's state. A case is reported once: the case's
 * cybertip_report (the server's record, whoever submitted it) turns the
 * button off and shows the report id; "pending" means a submission is
 * running or was interrupted. */
(function (root) {
  'use strict';

  var CB = root.CBConsole = root.CBConsole || {};
  var el = CB.el;
  var deps = null;       /* {api, describe} from console.js */
  var shown = null;      /* the case on screen */
  var busy = false;
  var submitted = {};    /* case id -> the submission's answer, this tab only */

  function $(id) { return document.getElementById(id); }

  function setText(id, text) {
    var n = $(id);
    n.textContent = text || '';
    n.hidden = !text;
  }

  /* The status line is a live region: always in the page, only its text
   * changes (a region that appears with its text is often not announced). */
  function say(text) { $('cybertip-status').textContent = text || ''; }

  function caseUrl(id) { return '/v1/cases/' + encodeURIComponent(id) + '/cybertip'; }

  function init(d) {
    deps = d;
    $('cybertip-download').addEventListener('click', download);
    $('cybertip-submit').addEventListener('click', submit);
  }

  function render(c) {
    var changed = !shown || !c || String(shown.id) !== String(c.id);
    shown = c;
    if (changed) {
      say('');
      setText('cybertip-error', '');
    }
    var can = CB.cybertipAvailability(c);
    setText('cybertip-why', can.ok ? '' : can.why);
    $('cybertip-actions').hidden = !can.ok;
    showResult();
  }

  function showResult() {
    var done = shown && submitted[String(shown.id)];
    /* Filed before (another reviewer, an earlier visit): the case says so. */
    var filed = shown && shown.cybertip_report;
    if (!done && filed && filed !== 'pending') done = { report_id: filed, earlier: true };
    $('cybertip-result').hidden = !done;
    if (done) {
      $('cybertip-report-id').textContent = String(done.report_id);
      var n = (done.files || []).length;
      $('cybertip-result-files').textContent = done.earlier ? 'Submitted earlier; see the audit log for its files.' :
        n + (n === 1 ? ' file' : ' files') + ' uploaded.' + (done.warning ? ' Warning: ' + done.warning + '.' : '');
    }
    if (!done && filed === 'pending') say('A submission of this case is running or was interrupted.');
    $('cybertip-download').disabled = busy;
    $('cybertip-submit').disabled = busy || !!done || filed === 'pending';
  }

  function setBusy(on) {
    busy = on;
    showResult();
  }

  function download() {
    if (!shown || busy) return;
    var id = shown.id;
    var name = 'case-' + id + '-cybertip.xml';
    setText('cybertip-error', '');
    say('Preparing the report…');
    setBusy(true);
    deps.api('GET', caseUrl(id), undefined, { blob: true }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = el('a', { href: url, download: name, hidden: 'hidden' });
      document.body.appendChild(a);
      a.click();
      document.body.removeChild(a);
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      return blob.text().then(function (xml) {
        var files = (xml.match(/<fileDetails[\s>]/g) || []).length;
        if (shown && String(shown.id) === String(id)) {
          say('Saved ' + name + ': the report and the details of ' + files +
                  (files === 1 ? ' file' : ' files') + '. This export is recorded in the audit log.');
        }
      });
    }).catch(function (e) {
      say('');
      if (shown && String(shown.id) === String(id)) setText('cybertip-error', 'Could not build the report: ' + deps.describe(e));
    }).then(function () { setBusy(false); });
  }

  function submit() {
    if (!shown || busy || submitted[String(shown.id)]) return;
    var id = shown.id;
    var n = (shown.evidence || []).length;
    var ok = root.confirm('Submit case ' + id + ' to the NCMEC CyberTipline?\n\nThis files a report with NCMEC and uploads ' +
                          n + ' evidence ' + (n === 1 ? 'file' : 'files') + '. It cannot be undone.');
    if (!ok) return;
    setText('cybertip-error', '');
    say('Submitting to NCMEC… this can take a minute.');
    setBusy(true);
    deps.api('POST', caseUrl(id) + '/submit').then(function (answer) {
      submitted[String(id)] = answer || {};
      if (shown && String(shown.id) === String(id)) {
        say('Submitted. Record the referral as a decision if it applies.');
        $('cybertip-result').focus();
      }
    }).catch(function (e) {
      say('');
      if (shown && String(shown.id) === String(id)) setText('cybertip-error', 'The submission failed: ' + deps.describe(e));
    }).then(function () { setBusy(false); });
  }

  CB.cybertip = { init: init, render: render };
})(window);
