// Helpers of the browser tests (portal_test.mjs): failures, synthetic PNG
// images, the HTTP set-up of a pipeline case, the local fake CyberTipline's
// test-only route, public reports with a file, and checks that run inside a
// page. Nothing here is real material: the images are stripes, rings and
// mosaics generated below.
import zlib from 'node:zlib';

export class Failure extends Error {}
export function check(cond, what) { if (!cond) throw new Failure(what); }

// ---------------------------------------------------------------- images

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const PALETTE = [[230, 57, 70], [241, 250, 238], [69, 123, 157], [29, 53, 87], [244, 162, 97], [42, 157, 143]];

// An 8-bit RGB PNG whose pixel (x, y) is colour(x, y) -> [r, g, b].
function png(width, height, colour) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0;  // filter: none
    for (let x = 0; x < width; x++) raw.set(colour(x, y), row + 1 + x * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;  // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))
  ]);
}

// Coloured stripes (horizontal, vertical or diagonal), with a per-run phase
// so each run's files differ.
export function stripesPng(kind, seed, width = 160, height = 120) {
  const band = 8 + (seed % 9);
  return png(width, height, (x, y) => {
    const v = kind === 'horizontal' ? y : kind === 'vertical' ? x : x + y;
    return PALETTE[(Math.floor((v + seed) / band) + seed) % PALETTE.length];
  });
}

// Concentric rings around an off-centre point: a picture far (in PDQ bits)
// from the stripes, so that it opens a case of its own.
export function ringsPng(seed, width = 160, height = 120) {
  const cx = 50 + (seed % 20), cy = 40 + (seed % 15), band = 7 + (seed % 5);
  return png(width, height, (x, y) => PALETTE[(Math.floor(Math.hypot(x - cx, y - cy) / band) + seed) % PALETTE.length]);
}

// A mosaic of 20 x 15 blocks coloured by a seeded generator: a picture far
// (in PDQ bits) from the stripes, the rings and other mosaics, so that a
// report of it opens a case of its own.
export function mosaicPng(seed, width = 160, height = 120) {
  let x = (seed * 2654435761) >>> 0 || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  const cols = 20, rows = 15;
  const blocks = Array.from({ length: cols * rows }, () => PALETTE[next() % PALETTE.length]);
  return png(width, height, (px, py) =>
    blocks[Math.floor(py * rows / height) * cols + Math.floor(px * cols / width)]);
}

// ---------------------------------------------------------------- HTTP

// A JSON (or raw, with contentType) request to the server; answers
// {status, body} with the body parsed when it is JSON.
export async function call(base, token, method, path, body, contentType) {
  const headers = { Authorization: 'Bearer ' + token };
  let data;
  if (body !== undefined) {
    headers['Content-Type'] = contentType || 'application/json';
    data = contentType ? body : JSON.stringify(body);
  }
  const r = await fetch(base + path, { method, headers, body: data });
  const text = await r.text();
  let parsed = text;
  try { parsed = JSON.parse(text); } catch { /* not JSON */ }
  return { status: r.status, body: parsed };
}

async function expect(what, status, p) {
  const r = await p;
  check(r.status === status, `${what} answered ${r.status}, expected ${status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

// A case opened by the matching pipeline, through the HTTP API only: the
// picture's PDQ (POST /v1/hash) goes into a bank "known" as A1, a rule with
// the "case" action on that bank, then the picture through POST /v1/match.
// Answers {caseId, decisionId}. admin: a token with the admin role.
export async function createPipelineCase(base, admin, picture, contentId) {
  const hashed = await expect('POST /v1/hash', 200, call(base, admin, 'POST', '/v1/hash', picture, 'image/png'));
  const pdq = (hashed.signals || []).find((s) => s.signal_type === 'pdq');
  check(pdq && /^[0-9a-f]{64}$/.test(pdq.signal), `POST /v1/hash gave no PDQ: ${JSON.stringify(hashed)}`);
  await expect('POST /v1/banks', 201, call(base, admin, 'POST', '/v1/banks', { name: 'known' }));
  await expect('POST /v1/banks/known/entries', 201, call(base, admin, 'POST', '/v1/banks/known/entries',
    { entries: [{ signal_type: 'pdq', signal: pdq.signal, classification: 'A1' }] }));
  await expect('POST /v1/rules', 201, call(base, admin, 'POST', '/v1/rules', { name: 'case-a1', bank: 'known', action: 'case' }));
  const m = await expect('POST /v1/match', 200,
    call(base, admin, 'POST', '/v1/match?content_id=' + encodeURIComponent(contentId), picture, 'image/png'));
  check(Number.isInteger(m.case_id) && m.case_id > 0, `POST /v1/match opened no case: ${JSON.stringify(m)}`);
  check(Number.isInteger(m.decision_id) && m.decision_id > 0, `POST /v1/match recorded no decision: ${JSON.stringify(m)}`);
  const c = await expect(`GET /v1/cases/${m.case_id}`, 200, call(base, admin, 'GET', `/v1/cases/${m.case_id}`));
  check(c.source === 'pipeline' && c.decision_id === m.decision_id && c.severity === 4 && c.report_count === 1,
        `the match joined another case or lost its source: ${JSON.stringify({ source: c.source, decision_id: c.decision_id, severity: c.severity, report_count: c.report_count })}`);
  return { caseId: String(m.case_id), decisionId: m.decision_id };
}

// A public report with a PNG file, as the portal sends it (multipart,
// POST /v1/reports, no token); answers the case it opened or joined, found
// in the queue by its URL ({caseId, receipt}). token: a reviewer's.
export async function reportWithFile(base, token, { url, category = 'other', country = 'GB', name, picture }) {
  const form = new FormData();
  form.append('url', url);
  form.append('description', 'Synthetic test report (generated mosaic), for the evidence retention steps.');
  form.append('category', category);
  form.append('country', country);
  form.append('language', 'en');
  form.append('file', new Blob([picture], { type: 'image/png' }), name);
  const r = await fetch(base + '/v1/reports', { method: 'POST', body: form });
  const body = await r.json().catch(() => null);
  check(r.status === 201 && body && body.receipt, `POST /v1/reports answered ${r.status}: ${JSON.stringify(body)}`);
  const q = await expect('GET /v1/cases', 200, call(base, token, 'GET', '/v1/cases?limit=500'));
  const c = (q.cases || q).find((x) => x.url === url);
  check(c, `no case in the queue has the URL ${url}`);
  return { caseId: String(c.id), receipt: body.receipt };
}

// A case's evidence item as the server has it (GET /v1/cases/{id}).
export async function evidenceOf(base, token, caseId, eid) {
  const c = await expect(`GET /v1/cases/${caseId}`, 200, call(base, token, 'GET', `/v1/cases/${caseId}`));
  const ev = (c.evidence || []).find((e) => String(e.id) === String(eid));
  check(ev, `case ${caseId} has no evidence ${eid}: ${JSON.stringify(c.evidence)}`);
  return ev;
}

// A transition through the HTTP API; answers the server's answer.
export async function transition(base, token, caseId, body) {
  return expect(`POST /v1/cases/${caseId}/transition ${JSON.stringify(body)}`, 200,
    call(base, token, 'POST', `/v1/cases/${caseId}/transition`, body));
}

// What the local fake CyberTipline holds for a report (its test-only route
// GET /_fake/report/{id}; HTTP Basic).
export async function fakeReport(fake, reportId) {
  const auth = 'Basic ' + Buffer.from(`${fake.user}:${fake.password}`).toString('base64');
  const r = await fetch(`${fake.url}/_fake/report/${encodeURIComponent(reportId)}`, { headers: { Authorization: auth } });
  check(r.ok, `the fake CyberTipline knows no report ${reportId} (HTTP ${r.status})`);
  return r.json();
}

// ---------------------------------------------------------------- in-page checks

// The console's overdue rule (CBConsole.isNoticeOverdue) and the badges
// built from it, on made-up cases at a fixed "now". Answers the cases whose
// result differs from the expected one (empty when all agree).
export async function overdueRuleMismatches(page) {
  return page.evaluate(() => {
    const CB = window.CBConsole;
    const now = Date.parse('2030-06-01T12:00:00Z');
    const past = '2030-06-01T11:59:59Z', future = '2030-06-01T12:00:01Z';
    const rows = [
      [{ state: 'referred', notice_deadline: past }, true],
      [{ state: 'notice_sent', notice_deadline: '2030-05-30T08:00:00Z' }, true],
      [{ state: 'referred', notice_deadline: future }, false],
      [{ state: 'referred', notice_deadline: '2030-06-01T12:00:00Z' }, false],  // at the deadline: not yet late
      [{ state: 'notice_sent', notice_deadline: '' }, false],
      [{ state: 'referred' }, false],
      [{ state: 'referred', notice_deadline: 'not a time' }, false],
      [{ state: 'removed', notice_deadline: past }, false],
      [{ state: 'closed', notice_deadline: past }, false],
      [{ state: 'assessed', notice_deadline: past }, false]
    ];
    const bad = [];
    for (const [c, want] of rows) {
      const got = CB.isNoticeOverdue(c, now);
      if (got !== want) bad.push(`isNoticeOverdue(${JSON.stringify(c)}) = ${got}, expected ${want}`);
      const badge = CB.caseBadges(c, now).some((b) => b.textContent === 'Notice overdue' && b.classList.contains('overdue'));
      if (badge !== want) bad.push(`caseBadges(${JSON.stringify(c)}) ${badge ? 'has' : 'lacks'} "Notice overdue"`);
    }
    const labels = [0, 1, 2, 3, 4, 5].map((s) => CB.classification(s)).join(',');
    if (labels !== ',B2,B1,A2,A1,') bad.push(`classification(0..5) = ${labels}, expected ,B2,B1,A2,A1,`);
    const auto = CB.caseBadges({ source: 'pipeline', decision_id: 7, severity: 2 }, now).map((b) => b.textContent).join('|');
    if (auto !== 'Automated detection (decision 7)|Classification B1') bad.push(`badges of a pipeline B1 case: ${auto}`);
    const pub = CB.caseBadges({ source: 'report', severity: 0, live_harm: true }, now).map((b) => b.textContent).join('|');
    if (pub !== 'Live harm') bad.push(`badges of a public live-harm case without a match: ${pub}`);
    return bad;
  });
}

// The console's retention rules (CBConsole.retentionState, closingNotice)
// on made-up evidence at a fixed "now". Answers the mismatches.
export async function retentionRuleMismatches(page) {
  return page.evaluate(() => {
    const CB = window.CBConsole;
    const now = Date.parse('2030-06-01T12:00:00Z');
    const later = '2030-08-30T12:00:00Z', earlier = '2030-06-01T11:00:00Z';
    const rows = [
      [{ retain_until: later }, 'kept', 'Kept until 2030-08-30 12:00:00 UTC'],
      [{ retain_until: later, legal_hold: true }, 'held', /^Legal hold \(kept until it is released/],
      [{ retain_until: earlier, legal_hold: true }, 'held', /^Legal hold \(retention ended 2030-06-01 11:00:00 UTC/],
      [{ retain_until: earlier }, 'ended', /^Retention ended 2030-06-01 11:00:00 UTC/],
      [{ retain_until: '2030-06-01T12:00:00Z' }, 'ended', /^Retention ended/],  // at the end: over
      [{ retain_until: later, legal_hold: true, purged: true }, 'purged', 'Purged (hashes kept)'],
      [{ retain_until: earlier, purged: true }, 'purged', 'Purged (hashes kept)'],
      [{}, 'unknown', 'Retention unknown']
    ];
    const bad = [];
    for (const [ev, kind, text] of rows) {
      const s = CB.retentionState(ev, now);
      const ok = s.kind === kind && (typeof text === 'string' ? s.text === text : text.test(s.text));
      if (!ok) bad.push(`retentionState(${JSON.stringify(ev)}) = ${JSON.stringify(s)}, expected ${kind} ${text}`);
    }
    const files = [{ retain_until: later }, { retain_until: later, legal_hold: true }, { purged: true }];
    const notices = [
      [{ assessment: 'not_illegal', evidence: files }, 'closed', 1, 1],
      [{ assessment: 'false_positive', evidence: files.slice(0, 1) }, 'closed', 1, 0],
      [{ assessment: 'false_positive', evidence: files.slice(1) }, 'closed', 0, 1],
      [{ assessment: 'not_illegal', evidence: files.slice(2) }, 'closed', 0, 0],  // only purged files: nothing to say
      [{ assessment: 'illegal_baseline', evidence: files }, 'closed', 0, 0],
      [{ assessment: 'not_illegal', evidence: files }, 'referred', 0, 0],
      [{ evidence: files }, 'closed', 0, 0]
    ];
    for (const [c, to, deleted, held] of notices) {
      const n = CB.closingNotice(c, to);
      const said = deleted + held > 0;
      if (n.deleted !== deleted || n.held !== held || !!n.text !== said ||
          (said && !/deletes its files unless they are on legal hold/.test(n.text))) {
        bad.push(`closingNotice(${JSON.stringify(c)}, ${to}) = ${JSON.stringify(n)}, expected ${deleted} deleted, ${held} held`);
      }
    }
    return bad;
  });
}

// Badges (.flag) whose text contrast is below 4.5:1 (WCAG AA), as text.
export async function lowContrastBadges(page) {
  return page.evaluate(() => {
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const out = [];
    for (const e of document.querySelectorAll('.flag')) {
      if (e.offsetParent === null) continue;
      const s = getComputedStyle(e);
      const fg = rgb(s.color), bg = rgb(s.backgroundColor);
      if (bg.length === 4 && bg[3] === 0) { out.push(`${e.textContent}: transparent background`); continue; }
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      if (ratio < 4.5) out.push(`${e.textContent}: ${ratio.toFixed(2)}:1 (${s.color} on ${s.backgroundColor})`);
    }
    return out;
  });
}

// Makes the server's answers about a case (the queue and the case itself)
// say its notice deadline passed an hour ago, as if time had moved on; the
// rest of each answer is the server's. Answers a function that stops it.
export async function pretendDeadlinePassed(page, caseId) {
  const past = new Date(Date.now() - 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const match = (u) => u.pathname === '/v1/cases' || u.pathname === `/v1/cases/${caseId}`;
  const handler = async (route) => {
    const res = await route.fetch();
    const body = await res.json();
    const patch = (c) => { if (String(c.id) === String(caseId)) c.notice_deadline = past; };
    if (Array.isArray(body.cases)) body.cases.forEach(patch); else patch(body);
    await route.fulfill({ response: res, json: body });
  };
  await page.route(match, handler);
  return () => page.unroute(match, handler);
}
