// Browser test steps of the console's evidence retention and legal holds
// (docs/CASES.md, "What the console shows"), run by portal_test.mjs on its
// console page once the earlier steps are done. Every picture is a
// generated mosaic (lib.mjs); nothing is real material.
//
//   1. the retention rules on made-up items;
//   2. on the Spanish portal report's case (a file uploaded through the
//      portal): place a legal hold, release it, place it again with the
//      keyboard; the text and the server (GET /v1/cases/{id}) agree each
//      time;
//   3. a case opened by POST /v1/reports with a file, closed as not illegal
//      through the decision form (which says the files will be deleted):
//      the item shows "Purged (hashes kept)" and the viewer says so in text;
//   4. an item purged while on screen (the case closed as a false positive
//      through the API): the hold button shows the server's 410 and the
//      case is read again; a viewer that still believes in the file handles
//      the 410 of its bytes.
import crypto from 'node:crypto';
import {
  Failure, check, mosaicPng, reportWithFile, evidenceOf, transition, call, retentionRuleMismatches
} from './lib.mjs';

// t: {pc, base, token, run, seed, esUrl, step, shot, decide, slowStep}
export async function evidenceSteps(t) {
  const { pc, base, token, run, seed, step, shot, decide, slowStep } = t;
  const item = (eid) => pc.locator(`#evidence-list li.evidence[data-evidence-id="${eid}"]`);
  const retention = (eid) => item(eid).locator('p.retention');
  const retentionText = async (eid) => (await retention(eid).innerText()).trim();
  const waitRetention = async (eid, kind, what) => {
    await pc.locator(`#evidence-list li.evidence[data-evidence-id="${eid}"][data-retention="${kind}"]`).waitFor({ timeout: slowStep }).catch(async () => {
      const err = await item(eid).locator('.hold-error').innerText().catch(() => '');
      throw new Failure(`${what}: evidence ${eid} is not "${kind}" but reads ${JSON.stringify(await retentionText(eid).catch(() => '?'))}` +
                        (err ? `; error shown: ${err}` : ''));
    });
  };
  const openFromQueue = async (caseId) => {
    await pc.getByRole('button', { name: 'Refresh' }).click();
    const link = pc.locator(`.queue-link[data-case-id="${caseId}"]`);
    await link.waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`case ${caseId} is not in the queue: ${await pc.locator('#queue-list').innerText()}`);
    });
    await link.click();
    await pc.locator(`.queue-link[data-case-id="${caseId}"][aria-current="true"]`).waitFor({ timeout: slowStep });
    await pc.locator('#case-title', { hasText: `Case ${caseId}` }).waitFor({ timeout: slowStep });
  };
  const imageLoaded = async (eid) => {
    const img = item(eid).locator('img.evidence-media');
    await img.waitFor({ timeout: slowStep });
    await pc.waitForFunction((e) => e.complete && e.naturalWidth > 0, await img.elementHandle(), { timeout: slowStep })
      .catch(() => { throw new Failure(`the image of evidence ${eid} did not load`); });
  };
  const firstEvidenceId = async () => {
    const li = pc.locator('#evidence-list li.evidence').first();
    await li.waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`no evidence item in the case view: ${await pc.locator('#evidence-list').innerText()}`);
    });
    return li.getAttribute('data-evidence-id');
  };
  // The purged item: words in place of the image, no reveal, no hold.
  const checkPurgedView = async (eid, where) => {
    check(await retentionText(eid) === 'Purged (hashes kept)', `${where}: state reads ${JSON.stringify(await retentionText(eid))}`);
    const frame = (await item(eid).locator('.evidence-frame').innerText()).trim();
    check(/^Purged: this file was deleted/.test(frame), `${where}: the viewer reads ${JSON.stringify(frame)}`);
    check(await item(eid).locator('img, video').count() === 0, `${where}: an image or video is still in the viewer`);
    check(await item(eid).locator('button.hold').isHidden(), `${where}: a legal hold can still be placed on a purged item`);
    check(await item(eid).locator('button.reveal').isHidden(), `${where}: a purged item still offers Reveal`);
  };

  await step('console: the retention and closing rules, on made-up items', async () => {
    const bad = await retentionRuleMismatches(pc);
    check(bad.length === 0, bad.join('; '));
  }, { fatal: false });

  await step('console: legal hold on a portal upload: place, release, place again with the keyboard', async () => {
    const link = pc.locator('.queue-link', { hasText: t.esUrl }).first();
    await link.waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`no case with ${t.esUrl} in the queue: ${await pc.locator('#queue-list').innerText()}`);
    });
    const caseId = await link.getAttribute('data-case-id');
    await openFromQueue(caseId);
    const eid = await firstEvidenceId();
    await imageLoaded(eid);
    const server0 = await evidenceOf(base, token, caseId, eid);
    check(server0.legal_hold === false && server0.purged === false && server0.retain_until,
          `the server's item before: ${JSON.stringify(server0)}`);
    await waitRetention(eid, 'kept', 'before any hold');
    const kept = await retentionText(eid);
    const until = new Date(server0.retain_until).toISOString().replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
    check(kept === `Kept until ${until}`, `state reads ${JSON.stringify(kept)}, expected "Kept until ${until}"`);
    check(await retention(eid).getAttribute('aria-live') === 'polite', 'the retention state is not a polite live region');
    const place = pc.getByRole('button', { name: 'Place legal hold on evidence 1' });
    check((await place.innerText()).trim() === 'Place legal hold', `the hold button reads ${JSON.stringify(await place.innerText())}`);
    await shot(pc, 'console-evidence-kept');

    await place.click();
    await waitRetention(eid, 'held', 'after "Place legal hold"');
    check(/^Legal hold \(kept until it is released/.test(await retentionText(eid)), `state reads ${JSON.stringify(await retentionText(eid))}`);
    check((await evidenceOf(base, token, caseId, eid)).legal_hold === true, 'the server does not hold the item after "Place legal hold"');
    const release = pc.getByRole('button', { name: 'Release legal hold on evidence 1' });
    check((await release.innerText()).trim() === 'Release legal hold', 'the button does not offer to release the hold');
    await shot(pc, 'console-evidence-held');

    await release.click();
    await waitRetention(eid, 'kept', 'after "Release legal hold"');
    check(await retentionText(eid) === kept, `state reads ${JSON.stringify(await retentionText(eid))} after the release`);
    check((await evidenceOf(base, token, caseId, eid)).legal_hold === false, 'the server still holds the item after the release');

    // Again, with the keyboard only: Tab from Reveal to the hold button.
    await pc.getByRole('button', { name: 'Reveal evidence 1' }).focus();
    let reached = false;
    const path = [];
    for (let i = 0; i < 6 && !reached; i++) {
      await pc.keyboard.press('Tab');
      const a = await pc.evaluate(() => document.activeElement && (document.activeElement.getAttribute('aria-label') || document.activeElement.tagName));
      path.push(a);
      reached = a === 'Place legal hold on evidence 1';
    }
    check(reached, `the hold button cannot be reached with Tab from Reveal (focus went ${path.join(' > ')})`);
    const ring = await pc.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
    });
    check(ring, 'no visible focus indicator on the hold button');
    await pc.keyboard.press('Enter');
    await waitRetention(eid, 'held', 'after Enter on "Place legal hold"');
    const focused = await pc.evaluate(() => document.activeElement && document.activeElement.getAttribute('aria-label'));
    check(focused === 'Release legal hold on evidence 1', `focus moved to ${JSON.stringify(focused)} after the hold was placed`);
    check((await evidenceOf(base, token, caseId, eid)).legal_hold === true, 'the server does not hold the item after the second hold');
    check(await item(eid).locator('img.evidence-media').count() === 1, 'the held item lost its image');
    await shot(pc, 'console-evidence-held-again');
  }, { fatal: false });

  const purgePng = mosaicPng(seed + 3);
  await step('console: closing a case as not illegal deletes its file; the item shows "Purged (hashes kept)"', async () => {
    const url = `https://example.org/synthetic-${run}/purge-report`;
    const { caseId } = await reportWithFile(base, token, { url, name: 'mosaic-purge.png', picture: purgePng });
    await openFromQueue(caseId);
    const eid = await firstEvidenceId();
    await imageLoaded(eid);
    await waitRetention(eid, 'kept', 'a new report');
    await decide('triage');
    await decide('assessed', { assessment: 'not_illegal' });
    await pc.getByLabel('Move to').selectOption('closed');
    const notice = pc.locator('#decision-purge');
    check(await notice.isVisible(), 'the decision form does not say that closing deletes the files');
    const said = await notice.innerText();
    check(/closing it deletes its files unless they are on legal hold/.test(said) && /1 evidence file is deleted now/.test(said),
          `the decision form says ${JSON.stringify(said)}`);
    check(await pc.locator('#decision-submit').getAttribute('aria-describedby') === 'decision-purge',
          'the notice is not tied to the "Record decision" button');
    await shot(pc, 'console-close-not-illegal-notice');

    let asked = '';
    pc.once('dialog', (d) => { asked = d.message(); d.accept(); });
    const answered = pc.waitForResponse((r) => r.url().endsWith(`/v1/cases/${caseId}/transition`) && r.request().method() === 'POST',
                                        { timeout: slowStep });
    await decide('closed');
    const out = await (await answered).json();
    check(Array.isArray(out.evidence_purged) && out.evidence_purged.map(String).includes(eid),
          `the transition purged ${JSON.stringify(out.evidence_purged)}, not evidence ${eid}`);
    check(/delete 1 evidence file/.test(asked) && /cannot be undone/.test(asked), `the confirmation asked ${JSON.stringify(asked)}`);
    await waitRetention(eid, 'purged', 'after closing as not illegal');
    await checkPurgedView(eid, 'after closing');
    const sha = crypto.createHash('sha256').update(purgePng).digest('hex');
    check((await item(eid).locator('.hash').innerText()).includes(sha), 'the purged item no longer shows its SHA-256');
    const status = await pc.locator('#decision-status').innerText();
    check(/moved to Closed\. 1 evidence file deleted \(hashes kept\)/.test(status), `the decision status reads ${JSON.stringify(status)}`);
    const server = await evidenceOf(base, token, caseId, eid);
    check(server.purged === true && server.legal_hold === false, `the server's item after closing: ${JSON.stringify(server)}`);
    const bytes = await call(base, token, 'GET', `/v1/cases/${caseId}/evidence/${eid}`);
    check(bytes.status === 410, `GET of the purged bytes answered ${bytes.status}, expected 410`);
    await shot(pc, 'console-evidence-purged');

    // Opened afresh: the purged item's bytes are not even asked for.
    const asks = [];
    const onRequest = (r) => { if (r.url().includes(`/evidence/${eid}`)) asks.push(r.url()); };
    pc.on('request', onRequest);
    try {
      await pc.reload();
      await waitRetention(eid, 'purged', 'after a reload');
      await checkPurgedView(eid, 'after a reload');
    } finally {
      pc.off('request', onRequest);
    }
    check(asks.length === 0, `the console asked for a purged item's bytes: ${asks.join(', ')}`);
  }, { fatal: false });

  await step('console: an item purged while on screen: the hold and the viewer show the server\'s 410', async () => {
    const url = `https://example.org/synthetic-${run}/stale-report`;
    const { caseId } = await reportWithFile(base, token, { url, name: 'mosaic-stale.png', picture: mosaicPng(seed + 4) });
    await openFromQueue(caseId);
    const eid = await firstEvidenceId();
    await imageLoaded(eid);
    // Someone else closes it as a false positive meanwhile.
    await transition(base, token, caseId, { to: 'triage' });
    await transition(base, token, caseId, { to: 'assessed', assessment: 'false_positive' });
    const out = await transition(base, token, caseId, { to: 'closed' });
    check((out.evidence_purged || []).map(String).includes(eid), `closing through the API purged ${JSON.stringify(out.evidence_purged)}`);

    await pc.getByRole('button', { name: 'Place legal hold on evidence 1' }).click();
    const err = item(eid).locator('.hold-error');
    await err.waitFor({ state: 'visible', timeout: slowStep }).catch(async () => {
      throw new Failure(`no error shown for a hold on a purged item: ${await item(eid).innerText()}`);
    });
    const text = await err.innerText();
    check(/^The legal hold was not placed: /.test(text) && /HTTP 410, gone/.test(text), `the error reads ${JSON.stringify(text)}`);
    check(await err.getAttribute('role') === 'alert', 'the hold error is not an alert');
    check(await pc.evaluate(() => document.activeElement && document.activeElement.classList.contains('hold-error')),
          'the focus did not move to the error when the button went away');
    await waitRetention(eid, 'purged', 'after the 410');
    await checkPurgedView(eid, 'after the 410 of the hold');
    // The 410 says the view is out of date: the case is read again.
    await pc.locator('#case-state[data-state="closed"]').waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`the case view was not refreshed after the 410: ${await pc.locator('#case-facts').innerText()}`);
    });
    check(await err.isVisible(), 'the refresh hid the error message');
    check((await evidenceOf(base, token, caseId, eid)).legal_hold === false, 'the server holds a purged item');
    await shot(pc, 'console-evidence-hold-gone');

    // A view from before the purge (the case's answer says the file is
    // there): the viewer asks for the bytes, gets 410, and says so.
    const match = (u) => u.pathname === `/v1/cases/${caseId}`;
    const handler = async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      for (const e of body.evidence || []) e.purged = false;
      await route.fulfill({ response: res, json: body });
    };
    await pc.route(match, handler);
    try {
      const gone = pc.waitForResponse((r) => r.url().endsWith(`/v1/cases/${caseId}/evidence/${eid}`), { timeout: slowStep });
      await pc.reload();
      const r = await gone;
      check(r.status() === 410, `the bytes of the purged item answered ${r.status()}, expected 410`);
      await waitRetention(eid, 'purged', 'after the 410 of the bytes');
      await checkPurgedView(eid, 'after the 410 of the bytes');
      const state = (await item(eid).locator('.reveal-state').innerText()).trim();
      check(!/Could not load/.test(state), `the viewer reports a load failure: ${JSON.stringify(state)}`);
      await shot(pc, 'console-evidence-bytes-gone');
    } finally {
      await pc.unroute(match, handler);
    }
  }, { fatal: false });
}
