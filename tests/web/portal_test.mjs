// Browser tests of the reporting portal (/report) and the review console
// (/console) in real headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core). Everything submitted is synthetic: texts say so, images
// are stripes, rings and mosaics generated in lib.mjs. The console's
// evidence retention and legal-hold steps are in evidence_steps.mjs.
//
//   node portal_test.mjs BASE_URL REVIEWER_TOKEN ADMIN_TOKEN
//   (or CHAINBREAK_URL / CHAINBREAK_TOKEN / CHAINBREAK_ADMIN_TOKEN)
//
// The server must have a partner named "Synthetic Hotline GB" (or
// PARTNER_NAME) in its routing table, a reporter (serve --reporter-name,
// --reporter-email) and a CyberTipline service: the local fake
// chainbreak-fake-cybertip, named by FAKE_CYBERTIP_URL, FAKE_CYBERTIP_USER
// and FAKE_CYBERTIP_PASSWORD (the test reads what the fake received). The
// admin token sets up a bank, a rule and a pipeline case. Screenshots of
// every step go to ARTIFACTS_DIR (default tests/web/artifacts). Exit status 0
// when every check passed; otherwise 1 with "FAIL: <step>: <why>" on stderr.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import {
  Failure, check, stripesPng, ringsPng, createPipelineCase, overdueRuleMismatches,
  lowContrastBadges, pretendDeadlinePassed
} from './lib.mjs';
import { evidenceSteps } from './evidence_steps.mjs';
import { cybertipSteps } from './cybertip_steps.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const base = (process.argv[2] || process.env.CHAINBREAK_URL || '').replace(/\/+$/, '');
const token = process.argv[3] || process.env.CHAINBREAK_TOKEN || '';
const adminToken = process.argv[4] || process.env.CHAINBREAK_ADMIN_TOKEN || '';
const fake = { url: (process.env.FAKE_CYBERTIP_URL || '').replace(/\/+$/, ''),
               user: process.env.FAKE_CYBERTIP_USER || '', password: process.env.FAKE_CYBERTIP_PASSWORD || '' };
const partnerName = process.env.PARTNER_NAME || 'Synthetic Hotline GB';
const artifacts = path.resolve(process.env.ARTIFACTS_DIR || path.join(here, 'artifacts'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const slowStep = Number(process.env.STEP_TIMEOUT_MS || 15000);

if (!/^https?:\/\/[^/]+$/.test(base) || !token || !adminToken) {
  console.error('usage: node portal_test.mjs BASE_URL REVIEWER_TOKEN ADMIN_TOKEN (or CHAINBREAK_URL, CHAINBREAK_TOKEN, CHAINBREAK_ADMIN_TOKEN)');
  process.exit(2);
}
if (!/^https?:\/\/[^/]+$/.test(fake.url) || !fake.user || !fake.password) {
  console.error('FAKE_CYBERTIP_URL, FAKE_CYBERTIP_USER and FAKE_CYBERTIP_PASSWORD must name the fake CyberTipline serve submits to');
  process.exit(2);
}
const origin = new URL(base).origin;
const run = crypto.randomBytes(4).toString('hex');  // lowercase: URLs are compared as normalised
fs.mkdirSync(artifacts, { recursive: true });
for (const f of fs.readdirSync(artifacts)) {  // the previous run's screenshots
  if (/^(\d\d-.*|FAILED-.*)\.png$|^receipts\.json$|^case-cybertip\.xml$/.test(f)) fs.rmSync(path.join(artifacts, f));
}

// ---------------------------------------------------------------- helpers

let shotNo = 0;
async function shot(page, name) {
  shotNo += 1;
  const file = path.join(artifacts, String(shotNo).padStart(2, '0') + '-' + name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const pages = new Set();
let current = '';
const failures = [];
// A failed step stops the run, unless it is marked {fatal: false}: later
// steps do not depend on it, so they still run and every failure is listed.
async function step(name, fn, { fatal = true } = {}) {
  current = name;
  const t0 = Date.now();
  try {
    await fn();
  } catch (e) {
    if (fatal) throw e;
    const why = e instanceof Failure ? e.message : (e && e.stack) || String(e);
    failures.push(`${name}: ${why}`);
    console.log(`not ok - ${name}: ${why}`);
    if (!/^skipped:/.test(why)) await failureShots(name);
    return;
  }
  console.log(`ok - ${name} (${Date.now() - t0} ms)`);
}
async function failureShots(name) {
  for (const p of pages) {
    try {
      await p.screenshot({ path: path.join(artifacts, `FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}-${shotNo++}.png`), fullPage: true });
    } catch { /* page gone */ }
  }
}

const seed = parseInt(run.slice(0, 4), 16);
const enPng = stripesPng('horizontal', seed);  // the English report's file: its MD5 goes to NCMEC

// Every request any page makes must go to the server under test.
const foreign = [];
const brokenAssets = [];
const cookies = [];
const pageErrors = [];
function watch(context) {
  context.on('request', (req) => {
    const u = req.url();
    if (u.startsWith('blob:') || u.startsWith('data:') || u.startsWith('about:')) return;
    let o = '';
    try { o = new URL(u).origin; } catch { o = u; }
    if (o !== origin) foreign.push(u);
  });
  context.on('response', (res) => {
    const u = res.url();
    if (/\/(report|console)\/assets\//.test(u) && res.status() >= 400) brokenAssets.push(`${res.status()} ${u}`);
    if (res.headers()['set-cookie']) cookies.push(u);
  });
  context.on('page', (p) => {
    pages.add(p);
    p.on('pageerror', (e) => pageErrors.push(`${p.url()}: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) {
        pageErrors.push(`${p.url()}: ${m.text()}`);
      }
    });
    p.on('close', () => pages.delete(p));
  });
}

async function ready(page) {
  await page.waitForSelector('html[data-ready="true"]', { timeout: slowStep });
}

// Every visible form control has a <label>.
async function checkLabels(page, where) {
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((e) => e.type !== 'hidden' && e.offsetParent !== null && (!e.labels || e.labels.length === 0))
      .map((e) => e.id || e.name));
  check(unlabelled.length === 0, `${where}: controls without a label: ${unlabelled.join(', ')}`);
}

async function noHorizontalScroll(page, where) {
  const w = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(w[0] <= w[1] + 1, `${where}: the page is ${w[0]} px wide in a ${w[1]} px viewport (horizontal scrolling)`);
}

async function receiptOf(page, where) {
  await page.waitForSelector('#receipt-section:not([hidden])', { timeout: slowStep }).catch(async () => {
    const err = await page.locator('#form-errors').innerText().catch(() => '');
    throw new Failure(`${where}: no receipt shown after submitting${err ? '; the page says: ' + err : ''}`);
  });
  const code = (await page.locator('#receipt-code').innerText()).trim();
  check(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code), `${where}: receipt code ${JSON.stringify(code)} is not XXXX-XXXX-XXXX-XXXX`);
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.closest('#receipt-section') !== null);
  check(focused, `${where}: focus did not move to the receipt`);
  return code;
}

async function checkStatus(page, receipt, expected, expectedText, where) {
  await page.locator('#check-receipt').fill(receipt);
  await page.locator('#check-button').click();
  const v = page.locator('#status-value');
  await v.waitFor({ timeout: slowStep }).catch(async () => {
    throw new Failure(`${where}: no status shown; the page says: ${await page.locator('#check-result').innerText()}`);
  });
  const status = await v.getAttribute('data-status');
  const text = (await v.innerText()).trim();
  check(status === expected, `${where}: status of ${receipt} is ${status}, expected ${expected}`);
  check(text === expectedText, `${where}: status shown as ${JSON.stringify(text)}, expected ${JSON.stringify(expectedText)}`);
}

// ---------------------------------------------------------------- the run

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
let browser;
const receipts = {};
const urls = {
  en: `https://example.org/synthetic-${run}/en-report`,
  es: `https://example.org/synthetic-${run}/es-report`,
  ar: `https://example.org/synthetic-${run}/ar-report`
};

async function main() {
  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: (isRoot ? ['--no-sandbox'] : []).concat(['--disable-dev-shm-usage'])
  });

  // ---- English, desktop, mouse; error announcement first.
  const en = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  watch(en);
  await en.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const pe = await en.newPage();

  await step('portal (en): loads in English with no third-party assets', async () => {
    const res = await pe.goto(base + '/report');
    check(res && res.status() === 200, `GET /report answered ${res && res.status()}`);
    await ready(pe);
    check(await pe.getAttribute('html', 'lang') === 'en', 'html lang is not en');
    check(await pe.getAttribute('html', 'dir') === 'ltr', 'html dir is not ltr');
    await pe.getByLabel('Web address (URL) where you saw it').waitFor();
    await checkLabels(pe, 'portal en');
    const langs = await pe.locator('.lang-switcher a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    for (const l of ['en', 'es', 'fr', 'pt', 'fil', 'ar']) check(langs.includes('?lang=' + l), `switcher has no link to ?lang=${l}`);
    const countries = await pe.locator('#country option').count();
    check(countries > 200, `country list has ${countries} entries`);
    check(await pe.locator('#country option[value=""]').innerText() === "I don't know", 'no "unknown" country');
    await shot(pe, 'portal-en');
  });

  await step('portal (en): an empty report is refused and the error announced', async () => {
    await pe.getByRole('button', { name: 'Send report' }).click();
    const summary = pe.locator('#form-errors');
    await summary.waitFor({ state: 'visible' });
    check(await summary.getAttribute('role') === 'alert', 'error summary is not role=alert');
    check((await summary.innerText()).includes('There is a problem'), 'error summary has no title');
    check(await pe.locator('#url').getAttribute('aria-invalid') === 'true', 'URL field not marked aria-invalid');
    check(await pe.evaluate(() => document.activeElement.id) === 'form-errors', 'focus not moved to the error summary');
    await shot(pe, 'portal-en-error');
  });

  await step('portal (en): a field the server refuses is named next to the field', async () => {
    await pe.getByLabel('Description').fill(`Synthetic test report 0 (refused), run ${run}.`);
    await pe.getByLabel('What is it about?').selectOption('other');
    await pe.evaluate(() => {  // a country code the list does not offer
      const s = document.getElementById('country');
      const o = document.createElement('option');
      o.value = 'XYZ'; o.textContent = 'Nowhere (synthetic)';
      s.appendChild(o);
      s.value = 'XYZ';
    });
    await pe.getByRole('button', { name: 'Send report' }).click();
    const e = pe.locator('#country-error');
    await e.waitFor({ state: 'visible', timeout: slowStep }).catch(async () => {
      throw new Failure(`no error next to the country field; the page says: ${await pe.locator('#form-errors').innerText().catch(() => '')}`);
    });
    check((await e.innerText()).includes('Choose a country from the list'), `country error reads ${JSON.stringify(await e.innerText())}`);
    check(await pe.locator('#receipt-section').isHidden(), 'a receipt was shown for a refused report');
    await shot(pe, 'portal-en-server-error');
    await pe.evaluate(() => document.querySelector('#country option[value="XYZ"]').remove());
    await pe.getByLabel('Description').fill('');
  });

  await step('portal (en): report with URL, description, live harm, contact and a PNG', async () => {
    await pe.getByLabel('Web address (URL) where you saw it').fill(urls.en);
    await pe.getByLabel('Description').fill(`Synthetic test report 1 (English), run ${run}.`);
    await pe.getByLabel('What is it about?').selectOption('csam');
    await pe.getByLabel('Country where you saw it or where it is hosted').selectOption('GB');
    await pe.getByLabel('A child may be in danger right now').check();
    await pe.getByLabel('How can we contact you? (optional)').fill('synthetic-reporter@example.org');
    await pe.getByLabel('File (optional)').setInputFiles({ name: 'stripes-en.png', mimeType: 'image/png', buffer: enPng });
    await shot(pe, 'portal-en-filled');
    await pe.getByRole('button', { name: 'Send report' }).click();
    receipts.en = await receiptOf(pe, 'en');
    check((await pe.locator('#receipt-section').innerText()).includes('Keep this code somewhere safe'), 'no advice to keep the code');
    await pe.getByRole('button', { name: 'Copy code' }).click();
    await pe.locator('#copy-status').filter({ hasText: /copied/ }).waitFor({ timeout: 5000 })
      .catch(() => { throw new Failure('copy button did not report the code copied'); });
    const clip = await pe.evaluate(() => navigator.clipboard.readText().catch(() => null));
    if (clip !== null) check(clip === receipts.en, `clipboard holds ${JSON.stringify(clip)}, not the receipt`);
    await shot(pe, 'portal-en-receipt');
  });

  await step('portal: French, Portuguese and Filipino pages are complete translations', async () => {
    const enDict = await (await fetch(base + '/report/assets/i18n/en.json')).json();
    for (const l of ['fr', 'pt', 'fil']) {
      const r = await fetch(`${base}/report/assets/i18n/${l}.json`);
      check(r.ok, `GET /report/assets/i18n/${l}.json answered ${r.status}`);
      const d = await r.json();
      const missing = Object.keys(enDict).filter((k) => !(k in d) || !String(d[k]).trim());
      check(missing.length === 0, `${l}.json lacks ${missing.join(', ')}`);
      await pe.goto(`${base}/report?lang=${l}`);
      await ready(pe);
      check(await pe.getAttribute('html', 'lang') === l, `?lang=${l} gave html lang ${await pe.getAttribute('html', 'lang')}`);
      check((await pe.locator('h1').innerText()).trim() === d['page.heading'], `${l} heading not translated`);
      check((await pe.locator('label[for="category"]').innerText()).trim() === d['form.category.label'], `${l} labels not translated`);
      check((await pe.locator('#category option[value="trafficking"]').innerText()).trim() === d['category.trafficking'], `${l} categories not translated`);
      await checkLabels(pe, 'portal ' + l);
      await shot(pe, 'portal-' + l);
    }
    const stored = await pe.evaluate(() => [document.cookie, localStorage.length, sessionStorage.length]);
    check(stored[0] === '' && stored[1] === 0 && stored[2] === 0, `the portal stored something in the browser: ${JSON.stringify(stored)}`);
  });

  // ---- Spanish from the browser's language, keyboard only.
  const es = await browser.newContext({ locale: 'es-ES', viewport: { width: 1280, height: 900 } });
  watch(es);
  const ps = await es.newPage();

  await step('portal (es): language from the browser, keyboard-only submission', async () => {
    await ps.goto(base + '/report');
    await ready(ps);
    check(await ps.getAttribute('html', 'lang') === 'es', `html lang is ${await ps.getAttribute('html', 'lang')}, expected es from Accept-Language es-ES`);
    await ps.getByLabel('Descripción').waitFor();
    await ps.getByLabel('Dirección web (URL) donde lo vio').waitFor();
    await checkLabels(ps, 'portal es');
    check(await ps.locator('#category option[value="grooming"]').innerText() ===
          'Grooming: un adulto que intenta explotar sexualmente a un menor', 'Spanish category names missing');

    const order = [];
    const tabTo = async (id) => {
      for (let i = 0; i < 40; i++) {
        await ps.keyboard.press('Tab');
        const a = await ps.evaluate(() => document.activeElement && (document.activeElement.id || document.activeElement.tagName));
        order.push(a);
        if (a === id) {
          const outline = await ps.evaluate(() => {
            const s = getComputedStyle(document.activeElement);
            return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none';
          });
          check(outline, `no visible focus indicator on #${id}`);
          return;
        }
      }
      throw new Failure(`#${id} cannot be reached with Tab (focus went ${order.join(' > ')})`);
    };
    await tabTo('url');
    await ps.keyboard.type(urls.es);
    await tabTo('description');
    await ps.keyboard.type(`Synthetic test report 2 (Spanish, keyboard only), run ${run}.`);
    await tabTo('category');
    for (let i = 0; i < 6 && await ps.inputValue('#category') !== 'grooming'; i++) await ps.keyboard.press('ArrowDown');
    check(await ps.inputValue('#category') === 'grooming', 'could not choose the category with the keyboard');
    await tabTo('country');
    await ps.keyboard.type('Espa');  // type-ahead; ASCII only (ñ would be an IME insertion)
    check(await ps.inputValue('#country') === 'ES', `typing "Espa" chose ${await ps.inputValue('#country')}`);
    check(await ps.inputValue('#description') === `Synthetic test report 2 (Spanish, keyboard only), run ${run}.`,
          'the description was changed by later keystrokes');
    await tabTo('live_harm');
    await ps.keyboard.press('Space');
    check(await ps.isChecked('#live_harm'), 'Space did not tick the live-harm box');
    await ps.keyboard.press('Space');
    check(!await ps.isChecked('#live_harm'), 'Space did not untick the live-harm box');
    await tabTo('file');
    const [chooser] = await Promise.all([ps.waitForEvent('filechooser', { timeout: 5000 }), ps.keyboard.press('Space')]);
    await chooser.setFiles({ name: 'stripes-es.png', mimeType: 'image/png', buffer: stripesPng('vertical', seed + 1) });
    await tabTo('contact');
    await tabTo('submit');
    await shot(ps, 'portal-es-keyboard-filled');
    await ps.keyboard.press('Enter');
    receipts.es = await receiptOf(ps, 'es');
    check((await ps.locator('#receipt-title').innerText()).includes('Hemos recibido su denuncia'), 'receipt title not in Spanish');
    await shot(ps, 'portal-es-receipt');
  });

  // ---- Arabic on a 360 px phone, through the language switcher.
  const ar = await browser.newContext({ locale: 'en-US', viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
  watch(ar);
  const pa = await ar.newPage();

  await step('portal (ar): switcher to Arabic, right to left, 360 px wide', async () => {
    await pa.goto(base + '/report');
    await ready(pa);
    await noHorizontalScroll(pa, 'portal en 360 px');
    await shot(pa, 'portal-en-360');
    const link = pa.locator('.lang-switcher a[data-lang="ar"]');
    await link.focus();
    await Promise.all([pa.waitForURL(/[?&]lang=ar/), pa.keyboard.press('Enter')]);
    await ready(pa);
    check(await pa.getAttribute('html', 'lang') === 'ar', 'html lang is not ar');
    check(await pa.getAttribute('html', 'dir') === 'rtl', 'html dir is not rtl');
    check(await pa.evaluate(() => getComputedStyle(document.body).direction) === 'rtl', 'body direction is not rtl');
    await pa.getByLabel('الوصف', { exact: true }).waitFor();
    await pa.getByLabel('عنوان الويب (URL) الذي رأيت فيه المحتوى').waitFor();
    check(await pa.locator('#submit').innerText() === 'إرسال البلاغ', 'submit button not in Arabic');
    check(await pa.locator('.lang-switcher a[data-lang="ar"]').getAttribute('aria-current') === 'true', 'switcher does not mark Arabic as current');
    await checkLabels(pa, 'portal ar');
    // Mirrored: the checkbox sits right of its label, fields end at the right.
    const box = await pa.locator('#live_harm').boundingBox();
    const label = await pa.locator('label[for="live_harm"]').boundingBox();
    check(box.x > label.x, `live-harm checkbox (x=${box.x}) is not right of its label (x=${label.x}) in RTL`);
    const h1 = await pa.locator('h1').evaluate((e) => { const r = document.createRange(); r.selectNodeContents(e); const b = r.getBoundingClientRect(); return [b.right, e.getBoundingClientRect().right]; });
    check(Math.abs(h1[0] - h1[1]) < 4, 'Arabic heading is not aligned to the right');
    await noHorizontalScroll(pa, 'portal ar 360 px');
    await shot(pa, 'portal-ar-360');
  });

  await step('portal (ar): report with a PNG, then follow it with the receipt code', async () => {
    await pa.getByLabel('عنوان الويب (URL) الذي رأيت فيه المحتوى').fill(urls.ar);
    await pa.getByLabel('الوصف', { exact: true }).fill(`Synthetic test report 3 (Arabic), run ${run}.`);
    await pa.getByLabel('بمَ يتعلق البلاغ؟').selectOption('sextortion');
    await pa.getByLabel('ملف (اختياري)').setInputFiles({ name: 'stripes-ar.png', mimeType: 'image/png', buffer: stripesPng('diagonal', seed + 2) });
    await pa.getByRole('button', { name: 'إرسال البلاغ' }).click();
    receipts.ar = await receiptOf(pa, 'ar');
    check((await pa.locator('#receipt-title').innerText()).includes('تلقّينا بلاغك'), 'receipt title not in Arabic');
    await noHorizontalScroll(pa, 'Arabic receipt 360 px');
    await shot(pa, 'portal-ar-receipt');
    await checkStatus(pa, receipts.ar, 'received', 'تم الاستلام', 'ar status');
    await shot(pa, 'portal-ar-status');
    await pa.locator('#check-receipt').fill('ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    await pa.getByRole('button', { name: 'عرض الحالة' }).click();
    await pa.locator('#check-result .result-error').filter({ hasText: 'لم يُعثر على أي بلاغ بهذا الرمز' }).waitFor({ timeout: slowStep })
      .catch(() => { throw new Failure('an unknown receipt code did not give the Arabic "not found" message'); });
    await shot(pa, 'portal-ar-unknown-receipt');
  });

  await step('portal (en): withdraw the contact details with the receipt', async () => {
    await pe.goto(base + '/report?lang=en');
    await ready(pe);
    await pe.getByLabel('Receipt code').fill(receipts.en.toLowerCase());
    pe.once('dialog', (d) => d.accept());
    await pe.getByRole('button', { name: 'Withdraw my contact details' }).click();
    await pe.locator('#check-result .result-ok').filter({ hasText: 'Your contact details have been deleted' }).waitFor({ timeout: slowStep })
      .catch(async () => { throw new Failure(`withdrawal failed: ${await pe.locator('#check-result').innerText()}`); });
    await shot(pe, 'portal-en-withdrawn');
  });

  // ---- A case from the matching pipeline, through the HTTP API only.
  let pipeline;
  await step('setup: a rule with the case action opens a pipeline case (POST /v1/match)', async () => {
    pipeline = await createPipelineCase(base, adminToken, ringsPng(seed), `synthetic-pipeline-${run}`);
  });

  // ---- The review console.
  const cc = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 1000 } });
  watch(cc);
  const pc = await cc.newPage();
  const exposure = async () => {
    const f = pc.locator('#exposure-figure[data-reveals]');
    await f.waitFor({ timeout: slowStep });
    return { reveals: Number(await f.getAttribute('data-reveals')), seconds: Number(await f.getAttribute('data-seconds')), text: await f.innerText() };
  };
  const waitExposure = async (reveals) => {
    const deadline = Date.now() + slowStep;
    let e;
    while (Date.now() < deadline) {
      e = await exposure();
      if (e.reveals >= reveals) return e;
      await pc.waitForTimeout(200);
    }
    throw new Failure(`exposure figure shows ${e && e.reveals} reveals, expected ${reveals}`);
  };
  let before;
  let caseId;
  let evidenceShown = false;

  await step('console: sign in with the token (sessionStorage only)', async () => {
    await pc.goto(base + '/console');
    await pc.getByLabel('API token').fill(token);
    await pc.getByRole('button', { name: 'Sign in' }).click();
    await pc.locator('#workspace').waitFor({ state: 'visible', timeout: slowStep }).catch(async () => {
      throw new Failure(`sign-in failed: ${await pc.locator('#signin-error').innerText()}`);
    });
    const stored = await pc.evaluate(() => [sessionStorage.getItem('chainbreak.console.token'), localStorage.length, document.cookie]);
    check(stored[0] === token, 'token not kept in sessionStorage');
    check(stored[1] === 0 && stored[2] === '', 'console stored something in localStorage or a cookie');
    before = await exposure();
    check(/^\d+ reveals?, [\d.]+ s$/.test(before.text), `exposure figure reads ${JSON.stringify(before.text)}`);
    await shot(pc, 'console-queue');
  });

  await step('console: the overdue rule and the badges, on made-up cases', async () => {
    const bad = await overdueRuleMismatches(pc);
    check(bad.length === 0, bad.join('; '));
  }, { fatal: false });

  await step('console: the pipeline case is in the queue as an automated detection, classification A1', async () => {
    const link = pc.locator(`.queue-link[data-case-id="${pipeline.caseId}"]`);
    await link.waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`pipeline case ${pipeline.caseId} is not in the queue; queue shows: ${await pc.locator('#queue').innerText()}`);
    });
    const badges = await link.locator('.flag').allInnerTexts();
    check(badges.includes(`Automated detection (decision ${pipeline.decisionId})`) && badges.includes('Classification A1'),
          `pipeline case badges in the queue: ${JSON.stringify(badges)}`);
    const en = pc.locator('.queue-link', { hasText: urls.en }).first();
    const enBadges = await en.locator('.flag').allInnerTexts();
    check(JSON.stringify(enBadges) === JSON.stringify(['Live harm']), `the English report's badges: ${JSON.stringify(enBadges)}`);
    // Priority: live harm, then A1, then the cases without a match.
    const order = await pc.locator('.queue-link').evaluateAll((as) => as.map((a) => a.getAttribute('data-case-id')));
    const es = await pc.locator('.queue-link', { hasText: urls.es }).first().getAttribute('data-case-id');
    check(order.indexOf(pipeline.caseId) >= 0 && order.indexOf(pipeline.caseId) < order.indexOf(es),
          `the A1 pipeline case is not above the Spanish report in the queue: ${order.join(', ')}`);
    const low = await lowContrastBadges(pc);
    check(low.length === 0, `badges below 4.5:1: ${low.join('; ')}`);
    await link.click();
    await pc.locator('#case-source[data-source="pipeline"]').waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`the pipeline case did not open as one: ${await pc.locator('#case').innerText()}`);
    });
    check(await pc.locator('#case-source').innerText() === `Automated detection (decision ${pipeline.decisionId})`,
          `source shown as ${JSON.stringify(await pc.locator('#case-source').innerText())}`);
    const flags = await pc.locator('#case-flags .flag').allInnerTexts();
    check(flags.includes(`Automated detection (decision ${pipeline.decisionId})`) && flags.includes('Classification A1'),
          `case view badges: ${JSON.stringify(flags)}`);
    check((await pc.locator('#case-facts').innerText()).includes('Classification A1 (gravest match)'), 'priority does not name A1');
    check(await pc.locator('#cybertip-actions').isHidden(), 'NCMEC buttons offered for a case not assessed');
    check((await pc.locator('#cybertip-why').innerText()).includes('only a case assessed illegal'), 'no reason given why NCMEC is unavailable');
    await shot(pc, 'console-pipeline-case');
  });

  await step('console: the English report is in the queue; open it', async () => {
    const link = pc.locator('.queue-link', { hasText: urls.en });
    await link.first().waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`no case with ${urls.en} in the queue; queue shows: ${await pc.locator('#queue').innerText()}`);
    });
    caseId = await link.first().getAttribute('data-case-id');
    await link.first().click();
    // Marked current once rendered (another case was open before).
    await pc.locator(`.queue-link[data-case-id="${caseId}"][aria-current="true"]`).waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`case did not open: ${await pc.locator('#case').innerText()}`);
    });
    check(await pc.locator('#case-state').getAttribute('data-state') === 'new', 'case is not new');
    const reports = await pc.locator('#reports-list').innerText();
    check(reports.includes(`Synthetic test report 1 (English), run ${run}.`), 'the report description is not in the case view');
    check(reports.includes('withdrawn by the reporter'), 'the case does not show the contact as withdrawn');
    check(await pc.locator('#case-source').innerText() === 'Public report', 'the source is not "Public report"');
    check(await pc.locator('#cybertip-actions').isHidden() && await pc.locator('#cybertip-why').isVisible(),
          'a new case offers the NCMEC report, or does not say why not');
  });

  await step('console: evidence is greyscale and blurred by default', async () => {
    const img = pc.locator('.evidence img.evidence-media').first();
    await img.waitFor({ timeout: slowStep }).catch(async () => {
      throw new Failure(`no evidence image in the case view; evidence section says: ${await pc.locator('#evidence-list').innerText()}`);
    });
    await pc.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: slowStep })
      .catch(() => { throw new Failure('the evidence image did not load'); });
    const dims = await img.evaluate((e) => [e.naturalWidth, e.naturalHeight]);
    check(dims[0] === 160 && dims[1] === 120, `evidence image is ${dims.join('x')}, not the 160x120 PNG uploaded`);
    const filter = await img.evaluate((e) => getComputedStyle(e).filter);
    check(/grayscale\(1\)/.test(filter) && /blur\(24px\)/.test(filter), `evidence filter is ${JSON.stringify(filter)}, expected grayscale(1) blur(24px)`);
    await shot(pc, 'console-case-blurred');
    evidenceShown = true;
  }, { fatal: false });

  await step('console: reveal ~1 s, hide, the reveal is logged and counted', async () => {
    check(evidenceShown, 'skipped: no evidence image to reveal');
    const img = pc.locator('.evidence img.evidence-media').first();
    await pc.getByRole('button', { name: 'Reveal evidence 1' }).click();
    check(await img.evaluate((e) => getComputedStyle(e).filter) === 'none', 'image still filtered after Reveal');
    await shot(pc, 'console-case-revealed');
    await pc.waitForTimeout(1100);
    const logged = pc.waitForResponse((r) => r.url().endsWith(`/v1/cases/${caseId}/reveal`) && r.request().method() === 'POST', { timeout: slowStep });
    await pc.getByRole('button', { name: 'Hide evidence 1' }).click();
    const filter = await img.evaluate((e) => getComputedStyle(e).filter);
    check(/grayscale\(1\)/.test(filter) && /blur\(24px\)/.test(filter), `image not re-blurred after Hide (${filter})`);
    const r = await logged;
    check(r.ok(), `POST /v1/cases/${caseId}/reveal answered ${r.status()}: ${await r.text()}`);
    const sent = JSON.parse(r.request().postData());
    check(Number.isInteger(sent.evidence_id) && sent.duration_ms >= 1000 && sent.duration_ms < 5000, `reveal sent ${JSON.stringify(sent)}`);
    const after = await waitExposure(before.reveals + 1);
    check(after.reveals === before.reveals + 1, `exposure went from ${before.reveals} to ${after.reveals} reveals`);
    check(after.seconds - before.seconds >= 0.9, `exposure seconds went from ${before.seconds} to ${after.seconds} for a ~1.1 s reveal`);
    before = after;
    await shot(pc, 'console-case-hidden-logged');
  }, { fatal: false });

  await step('console: a reveal is re-blurred by itself after 10 s and logged', async () => {
    check(evidenceShown, 'skipped: no evidence image to reveal');
    const img = pc.locator('.evidence img.evidence-media').first();
    await pc.getByRole('button', { name: 'Reveal evidence 1' }).click();
    check(await img.evaluate((e) => getComputedStyle(e).filter) === 'none', 'image still filtered after Reveal');
    await pc.waitForFunction((el) => /blur/.test(getComputedStyle(el).filter), await img.elementHandle(), { timeout: 12000 })
      .catch(() => { throw new Failure('the image was not re-blurred within 12 s'); });
    const after = await waitExposure(before.reveals + 1);
    check(after.seconds - before.seconds >= 9.5, `auto-hidden reveal counted ${after.seconds - before.seconds} s`);
    before = after;
  }, { fatal: false });

  const decide = async (to, opts = {}) => {
    await pc.getByLabel('Move to').selectOption(to);
    if (opts.assessment) await pc.getByLabel('Assessment').selectOption(opts.assessment);
    if (opts.partner) {
      const value = await pc.locator('#decision-partner option', { hasText: opts.partner }).first().getAttribute('value')
        .catch(() => null);
      check(value, `partner ${opts.partner} is not offered (GET /v1/partners)`);
      await pc.getByLabel('Partner').selectOption(value);
    }
    if (opts.note) await pc.getByLabel(/^Note/).fill(opts.note);
    await pc.getByRole('button', { name: 'Record decision' }).click();
    await pc.locator(`#case-state[data-state="${to}"]`).waitFor({ timeout: slowStep }).catch(async () => {
      const err = await pc.locator('#decision-error').innerText().catch(() => '');
      throw new Failure(`case did not move to ${to}${err ? ': ' + err : ''}`);
    });
    await shot(pc, 'console-' + to);
  };

  await step('console: a move the contract forbids is refused by the server and shown', async () => {
    await pc.evaluate(() => {
      const s = document.getElementById('decision-to');
      const o = document.createElement('option');
      o.value = 'removed'; o.textContent = 'Content removed (forced)';
      s.appendChild(o);
      s.value = 'removed';
    });
    await pc.getByRole('button', { name: 'Record decision' }).click();
    const err = pc.locator('#decision-error');
    await err.waitFor({ state: 'visible', timeout: slowStep });
    const text = await err.innerText();
    check(/refused/.test(text) && /HTTP 4\d\d/.test(text), `unexpected error text ${JSON.stringify(text)}`);
    check(await pc.locator('#case-state').getAttribute('data-state') === 'new', 'forbidden move changed the state');
    await shot(pc, 'console-forbidden-move');
  });

  const facts = () => pc.locator('#case-facts').innerText();

  await step('console: triage, assess (illegal_baseline)', async () => {
    check(await pc.locator('#cybertip-actions').isHidden(), 'NCMEC buttons offered before the assessment');
    await decide('triage');
    await decide('assessed', { assessment: 'illegal_baseline' });
    check((await facts()).includes('Illegal under the international baseline'), 'assessment not shown');
    check(/Time to assessment\s+\d+ (s|min \d+ s)/.test(await facts()), `no time to assessment: ${await facts()}`);
  });

  await cybertipSteps({ pc, caseId, enPng, urls, fake, artifacts, step, shot, slowStep });

  await step('console: refer to the partner; the notice is not overdue', async () => {
    await decide('referred', { partner: partnerName });
    check((await facts()).includes(partnerName), 'partner not shown on the case');
    check((await facts()).includes('Notice deadline'), 'no notice deadline after referral');
    check(await pc.locator('#case-deadline').getAttribute('data-overdue') === 'false', 'a 48-hour deadline shows as overdue');
    const row = pc.locator(`.queue-link[data-case-id="${caseId}"]`);
    check(await row.locator('.flag.overdue').count() === 0, 'the queue marks a notice due in 48 h as overdue');
  });

  await step('console: a notice past its deadline is marked overdue in the queue and the case view', async () => {
    const stop = await pretendDeadlinePassed(pc, caseId);
    try {
      await pc.reload();
      const row = pc.locator(`.queue-link[data-case-id="${caseId}"]`);
      await row.locator('.flag.overdue', { hasText: 'Notice overdue' }).waitFor({ timeout: slowStep }).catch(async () => {
        throw new Failure(`no "Notice overdue" in the queue row: ${await row.innerText().catch(() => '(no row)')}`);
      });
      await pc.locator('#case-deadline[data-overdue="true"]').waitFor({ timeout: slowStep }).catch(async () => {
        throw new Failure(`the case view does not mark the deadline overdue: ${await facts()}`);
      });
      check((await pc.locator('#case-flags').innerText()).includes('Notice overdue'), 'no overdue badge at the top of the case');
      const low = await lowContrastBadges(pc);
      check(low.length === 0, `badges below 4.5:1: ${low.join('; ')}`);
      await shot(pc, 'console-notice-overdue');
    } finally {
      await stop();
    }
    await pc.reload();
    await pc.locator('#case-deadline[data-overdue="false"]').waitFor({ timeout: slowStep });
  }, { fatal: false });

  await step('console: notice sent, removed, closed', async () => {
    await decide('notice_sent');
    check(/Time to notice\s+\d/.test(await facts()), 'no time to notice');
    await decide('removed');
    check(/Time to removal\s+\d/.test(await facts()), 'no time to removal');
    check(await pc.locator('#case-deadline').getAttribute('data-overdue') === 'false', 'a removed case shows its notice overdue');
    await decide('closed', { note: 'Synthetic test: content removed by the host.' });
    check(await pc.locator('#decision-final').isVisible(), 'closed case still offers decisions');
    const history = await pc.locator('#history-list li[data-to]').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-to')));
    check(JSON.stringify(history) === JSON.stringify(['triage', 'assessed', 'referred', 'notice_sent', 'removed', 'closed']),
          `history is ${JSON.stringify(history)}`);
    check(await pc.locator('#cybertip-actions').isVisible(), 'a closed case assessed illegal no longer offers the NCMEC report');
  });

  // ---- Evidence retention and legal holds (evidence_steps.mjs).
  await evidenceSteps({ pc, base, token, run, seed, esUrl: urls.es, step, shot, decide, slowStep });

  await step('portal: the reporter sees the outcome with the receipt code', async () => {
    await pe.goto(base + '/report?lang=en');
    await ready(pe);
    await checkStatus(pe, receipts.en, 'closed', 'Closed', 'en status after closing');
    await shot(pe, 'portal-en-status-closed');
    await ps.goto(base + '/report');
    await ready(ps);
    await checkStatus(ps, receipts.es, 'received', 'Recibida', 'es status');
    await shot(ps, 'portal-es-status');
  });

  await step('no request left the server, no script error, no missing asset', async () => {
    check(foreign.length === 0, `requests to other hosts: ${[...new Set(foreign)].join(', ')}`);
    check(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`);
    check(brokenAssets.length === 0, `missing assets: ${brokenAssets.join(', ')}`);
    check(cookies.length === 0, `the server set cookies on: ${[...new Set(cookies)].join(', ')}`);
  });

  fs.writeFileSync(path.join(artifacts, 'receipts.json'), JSON.stringify({ run, case: caseId, receipts }, null, 2) + '\n');
}

try {
  await main();
  if (failures.length) {
    console.error(failures.map((f) => 'FAIL: ' + f).join('\n'));
    await browser.close().catch(() => {});
    process.exit(1);
  }
  console.log(`PASS: portal and console browser tests (screenshots in ${artifacts})`);
  await browser.close();
  process.exit(0);
} catch (e) {
  const why = e instanceof Failure ? e.message : (e && e.stack) || String(e);
  await failureShots(current);
  for (const f of failures) console.error('FAIL: ' + f);
  console.error(`FAIL: ${current}: ${why}`);
  if (pageErrors.length) console.error('page errors: ' + pageErrors.join(' | '));
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}
