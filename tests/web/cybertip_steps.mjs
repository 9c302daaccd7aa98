// Browser test step of the console's "Report to NCMEC (CyberTipline)"
// section (docs/CASES.md), run by portal_test.mjs on the English report's
// case once it is assessed illegal: download the report XML (the reported
// URL and the uploaded file's MD5, not the reporter's description), show a
// server error as it comes, then submit to the local fake CyberTipline and
// check what it received. The file is a generated stripes PNG (lib.mjs).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Failure, check, fakeReport } from './lib.mjs';

// t: {pc, caseId, enPng, urls, fake, artifacts, step, shot, slowStep}
export async function cybertipSteps(t) {
  const { pc, caseId, enPng, urls, fake, artifacts, step, shot, slowStep } = t;
  await step('console: NCMEC report: download the XML, submit it to the (fake) CyberTipline', async () => {
    check(await pc.locator('#cybertip-actions').isVisible(), `no NCMEC buttons after assessment: ${await pc.locator('#cybertip').innerText()}`);
    const [download] = await Promise.all([
      pc.waitForEvent('download', { timeout: slowStep }),
      pc.getByRole('button', { name: 'Download report XML' }).click()
    ]);
    check(download.suggestedFilename() === `case-${caseId}-cybertip.xml`, `download named ${download.suggestedFilename()}`);
    const file = await download.path();
    check(file, `the download failed: ${await download.failure()}`);
    const xml = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(path.join(artifacts, 'case-cybertip.xml'), xml);
    const md5 = crypto.createHash('md5').update(enPng).digest('hex');
    check(xml.includes(`<cybertipCase caseId="${caseId}">`), `not the case's report: ${xml.slice(0, 200)}`);
    check(xml.includes(`<url>${urls.en}</url>`), `the report lacks the reported URL ${urls.en}`);
    check(new RegExp(`<originalFileHash[^>]*hashType="MD5"[^>]*>${md5}<`).test(xml), `the report lacks the uploaded file's MD5 ${md5}`);
    check(!xml.includes('Synthetic test report 1'), "the reporter's description went into the report");
    await pc.locator('#cybertip-status', { hasText: `Saved case-${caseId}-cybertip.xml` }).waitFor({ timeout: slowStep });
    await shot(pc, 'console-cybertip-downloaded');

    // The server's error message is shown as is (a 502 made up here, in the
    // server's error format; NCMEC's fake does not fail on demand).
    const failing = (r) => r.fulfill({ status: 502, json: { error: { code: 'cybertip_failed', message: 'CyberTipline: synthetic failure at submit (responseCode 5000); the report was retracted' } } });
    await pc.route(`**/v1/cases/${caseId}/cybertip/submit`, failing);
    pc.once('dialog', (d) => d.accept());
    await pc.getByRole('button', { name: 'Submit to NCMEC' }).click();
    await pc.locator('#cybertip-error', { hasText: 'synthetic failure at submit (responseCode 5000)' }).waitFor({ timeout: slowStep })
      .catch(async () => { throw new Failure(`the server's error is not shown: ${await pc.locator('#cybertip').innerText()}`); });
    check((await pc.locator('#cybertip-error').innerText()).includes('HTTP 502'), 'the error does not give the HTTP status');
    check(await pc.locator('#cybertip-result').isHidden(), 'a failed submission shows a report id');
    await shot(pc, 'console-cybertip-error');
    await pc.unroute(`**/v1/cases/${caseId}/cybertip/submit`, failing);

    let asked = '';
    pc.once('dialog', (d) => { asked = d.message(); d.accept(); });
    await pc.getByRole('button', { name: 'Submit to NCMEC' }).click();
    await pc.locator('#cybertip-result').waitFor({ state: 'visible', timeout: 60000 }).catch(async () => {
      throw new Failure(`no report id after submitting: ${await pc.locator('#cybertip').innerText()}`);
    });
    check(/cannot be undone/.test(asked) && asked.includes(`case ${caseId}`), `confirmation asked ${JSON.stringify(asked)}`);
    const reportId = (await pc.locator('#cybertip-report-id').innerText()).trim();
    check(/^\d+$/.test(reportId), `report id shown as ${JSON.stringify(reportId)}`);
    check(await pc.locator('#cybertip-error').isHidden(), 'the earlier error is still shown');
    check(await pc.locator('#cybertip-submit').isDisabled(), 'Submit is still enabled after the report was filed');
    const held = await fakeReport(fake, reportId);
    check(held.state === 'finished', `the fake holds report ${reportId} as ${held.state}`);
    check(held.files.length === 1 && held.files[0].md5 === md5 && held.files[0].size === enPng.length,
          `the fake received ${JSON.stringify(held.files.map((f) => [f.md5, f.size]))}, uploaded ${md5} (${enPng.length} bytes)`);
    check(held.reportXml.includes(urls.en), 'the submitted report lacks the URL');
    check(await pc.locator('#case-state').getAttribute('data-state') === 'assessed', 'submitting changed the case state');
    await shot(pc, 'console-cybertip-submitted');
  }, { fatal: false });
}
