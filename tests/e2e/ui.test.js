#!/usr/bin/env node
// End-to-end tests of the web interface in headless Chromium (Debian's
// /usr/bin/chromium driven by playwright-core), against the real pko binary.
//
// Usage: node tests/e2e/ui.test.js PATH/TO/pko [OUT_DIR] [--readme-shot FILE]
// Screenshots go to OUT_DIR (default: ./e2e-screenshots). The last line is
// "N passed, M failed"; the exit status is 1 when anything failed.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
let readmeShot = null;
const ri = args.indexOf('--readme-shot');
if (ri >= 0) { readmeShot = args[ri + 1]; args.splice(ri, 2); }
const PKO = path.resolve(args[0] || path.join(ROOT, 'build', 'pko'));
const OUT = path.resolve(args[1] || 'e2e-screenshots');
fs.mkdirSync(OUT, { recursive: true });

let chromium;
try {
  ({ chromium } = require(path.join(ROOT, 'node_modules', 'playwright-core')));
} catch (e) {
  console.log('playwright-core is missing: run scripts/deps.sh (npm ci)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// More events than the server draws one by one (300), so that it clusters.
const EVENTS = 1000;
const ADMIN_PW = 'e2e admin passphrase';
const ANALYST_PW = 'e2e analyst passphrase';
let passed = 0, failed = 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pko-e2e-'));
const DB = path.join(tmp, 'pko.db');
let server = null, browser = null, serverLog = '';

function run(argv, input) {
  const r = spawnSync(PKO, argv, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pko ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitHealthy(base) {
  for (let i = 0; i < 100; i++) {
    try { const r = await fetch(base + '/healthz'); if (r.ok) return; } catch (e) { /* not yet */ }
    await sleep(100);
  }
  throw new Error('server did not become healthy:\n' + serverLog);
}

async function apiLogin(base, username, password) {
  const r = await fetch(base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }) });
  if (!r.ok) throw new Error('login ' + r.status);
  const js = await r.json();
  const cookie = r.headers.get('set-cookie').split(';')[0];
  return { cookie, csrf: js.csrf_token };
}

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    passed++;
    console.log(`PASS ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  }
}

function check(cond, msg) { if (!cond) throw new Error(msg); }

async function main() {
  // ---- a database with a mission, an analyst and 300 synthetic events ----
  run(['init', '--db', DB]);
  run(['user', 'add', 'admin', '--role', 'system_admin', '--clearance', 'strictly_confidential',
    '--password-stdin', '--db', DB], ADMIN_PW + '\n');
  run(['user', 'add', 'amina', '--role', 'analyst', '--clearance', 'confidential',
    '--password-stdin', '--db', DB], ANALYST_PW + '\n');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // Administrative boundaries: one small GeoJSON file for the overlay.
  const bdir = path.join(tmp, 'boundaries');
  fs.mkdirSync(bdir);
  fs.writeFileSync(path.join(bdir, 'gadm_acr_adm1.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [
    { type: 'Feature', properties: { NAME_1: 'Test province' }, geometry: { type: 'Polygon',
      coordinates: [[[16, 3], [22, 3], [22, 8], [16, 8], [16, 3]]] } }] }));
  server = spawn(PKO, ['serve', '--db', DB, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PKO_BOUNDARIES_DIR: bdir } });
  server.stderr.on('data', (d) => { serverLog = (serverLog + d).slice(-20000); });
  await waitHealthy(base);
  const adm = await apiLogin(base, 'admin', ADMIN_PW);
  const mr = await fetch(base + '/api/v1/missions', { method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': adm.csrf, Cookie: adm.cookie },
    body: JSON.stringify({ name: 'Accord Mission', acronym: 'ACR', host_country: 'CAF', status: 'active' }) });
  check(mr.status === 201, 'create mission: ' + mr.status);
  const mission = await mr.json();
  for (const site of [
    { name: 'Accord HQ', kind: 'mission_hq', lat: 4.39, lon: 18.56, troops: 1200, contributors: 'Rwanda (650), Nepal (550)' },
    { name: 'Bria team site', kind: 'team_site', lat: 6.54, lon: 21.99, troops: 150 }]) {
    const sr = await fetch(base + '/api/v1/missions/' + mission.id + '/sites', { method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': adm.csrf, Cookie: adm.cookie },
      body: JSON.stringify(site) });
    check(sr.status === 201, 'create site: ' + sr.status);
  }
  const csv = path.join(tmp, 'ucdp.csv');
  const g = spawnSync('python3', [path.join(ROOT, 'scripts', 'gen_ucdp.py'), String(EVENTS), csv], { encoding: 'utf8' });
  check(g.status === 0, 'gen_ucdp: ' + g.stderr);
  run(['import', 'ucdp', csv, '--db', DB, '--mission', 'ACR', '--errors', path.join(tmp, 'errors.txt')]);

  // ---- the browser ----
  // A fresh profile (--user-data-dir): playwright takes it as the persistent
  // context's directory.
  const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'chromium-')), {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    locale: 'en-GB',
  });
  browser = ctx;
  const page = await ctx.newPage();
  const problems = [];
  const external = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
  page.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) external.push(r.url()); });
  page.setDefaultTimeout(10000);
  const total = async () => Number(await page.getAttribute('#total-count', 'data-n'));
  const waitTotal = (pred) => page.waitForFunction(
    new Function('n', 'const e = document.getElementById("total-count"); return e && e.dataset.n !== undefined && (' + pred + ');'));

  await test('page loads with its CSP and shows the sign-in form', async () => {
    const r = await page.goto(base + '/');
    check(r.status() === 200, 'status ' + r.status());
    const csp = r.headers()['content-security-policy'] || '';
    check(csp.includes("script-src 'self'") && csp.includes("style-src 'self'") && !csp.includes('unsafe-inline'), 'CSP ' + csp);
    await page.waitForSelector('#login-form', { state: 'visible' });
    check(await page.isVisible('label[for="login-user"]'), 'username label');
  });

  await test('a wrong password shows an error', async () => {
    await page.fill('#login-user', 'amina');
    await page.fill('#login-pass', 'not the password');
    await page.click('#login-submit');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
    check(await page.isVisible('#login-form'), 'still on the login form');
  });

  await test('log in as an analyst', async () => {
    await page.fill('#login-user', 'amina');
    await page.fill('#login-pass', ANALYST_PW);
    await page.click('#login-submit');
    await page.waitForSelector('#app-view', { state: 'visible' });
    check((await page.textContent('#whoami')).includes('amina'), 'whoami');
    check(await page.isVisible('#tab-queue'), 'analysts see the verification queue');
  });

  await test('the map shows clusters and the counts', async () => {
    await page.waitForSelector('.leaflet-marker-icon.cluster');
    await page.waitForSelector('.leaflet-overlay-pane path');   // the world-atlas basemap
    await waitTotal('Number(e.dataset.n) === ' + EVENTS);
    const n = await page.$$eval('.leaflet-marker-icon.cluster', (els) => els.reduce((a, e) => a + Number(e.textContent.replace(/\D/g, '')), 0));
    check(n === EVENTS, 'cluster counts add up to ' + n);
    await page.waitForSelector('#by-category li');
    await page.waitForSelector('#hist-svg rect');
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(OUT, 'map-1366x768.png') });
    if (readmeShot) fs.copyFileSync(path.join(OUT, 'map-1366x768.png'), readmeShot);
  });

  await test('the mission bases layer shows the sites and toggles', async () => {
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-marker-icon.site-marker').length === 2);
    await page.click('.leaflet-marker-icon.site-marker.kind-mission_hq');
    await page.waitForSelector('.leaflet-popup-content .site-popup');
    const txt = await page.textContent('.leaflet-popup-content');
    check(txt.includes('Accord HQ') && txt.includes('Mission headquarters') && /1[,\s\u202f]?200/.test(txt), 'popup: ' + txt);
    await page.screenshot({ path: path.join(OUT, 'site-popup.png') });
    await page.keyboard.press('Escape');
    await page.uncheck('#layer-sites');
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-marker-icon.site-marker').length === 0);
    await page.check('#layer-sites');
    await page.waitForFunction(() => document.querySelectorAll('.leaflet-marker-icon.site-marker').length === 2);
  });

  await test('an administrative boundaries overlay can be shown', async () => {
    const box = page.locator('#boundary-list input[data-boundary="gadm_acr_adm1"]');
    await box.waitFor();
    check((await page.textContent('#boundary-list')).includes('ACR adm1'), 'label');
    const paths = await page.$$eval('.leaflet-overlay-pane path', (els) => els.length);
    await box.check();
    await page.waitForFunction((n) => document.querySelectorAll('.leaflet-overlay-pane path').length > n, paths);
    await box.uncheck();
    await page.waitForFunction((n) => document.querySelectorAll('.leaflet-overlay-pane path').length === n, paths);
  });

  await test('the time range slider sets the dates and redraws', async () => {
    await page.waitForSelector('#f-range', { state: 'visible' });
    const before = await total();
    const [lo, hi] = await page.$eval('#f-range-from', (e) => [Number(e.min), Number(e.max)]);
    check(hi > lo, 'slider span ' + lo + '..' + hi);
    const mid = Math.round((lo + hi) / 2);
    await page.$eval('#f-range-from', (e, v) => { e.value = v; e.dispatchEvent(new Event('input', { bubbles: true })); }, mid);
    const from = await page.inputValue('#f-from');
    check(from === new Date(mid * 86400000).toISOString().slice(0, 10), 'from date ' + from);
    await waitTotal('Number(e.dataset.n) < ' + before);
    await page.waitForFunction((a) => document.getElementById('map').dataset.total === document.getElementById('total-count').dataset.n, null);
    // and back: typing a date moves the handle
    await page.fill('#f-from', '');
    await page.waitForFunction((v) => document.getElementById('f-range-from').value === String(v), lo);
    await waitTotal('Number(e.dataset.n) === ' + before);
  });

  await test('a filter changes the map and the counts', async () => {
    const before = await total();
    await page.fill('#f-min-killed', '8');
    await waitTotal('Number(e.dataset.n) < ' + before);
    const after = await total();
    check(after > 0 && after < before, `total ${before} -> ${after}`);
    await page.waitForFunction((a) => document.getElementById('map').dataset.total === String(a), after);
    const cats = await page.$$eval('#by-category li b', (els) => els.reduce((a, e) => a + Number(e.textContent.replace(/\D/g, '')), 0));
    check(cats === after, `categories add up to ${cats}, total ${after}`);
    await page.screenshot({ path: path.join(OUT, 'filtered.png') });
    await page.click('#f-reset');
    await waitTotal('Number(e.dataset.n) === ' + before);
  });

  const TITLE = 'Checkpoint attack near Kaga Bandoro e2e';
  await test('create an incident by clicking the map; field errors shown beside the fields', async () => {
    await page.click('#tab-create');
    await page.waitForSelector('#create-form', { state: 'visible' });
    // Nothing filled: the required fields are named.
    await page.click('#create-submit');
    check((await page.textContent('#err-title')).length > 0, 'title error shown');
    // Click the map to set the location.
    const box = await page.locator('#map').boundingBox();
    // Somewhere without a cluster marker on it (north of the clusters).
    await page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.12);
    const lat = await page.inputValue('#c-lat'), lon = await page.inputValue('#c-lon');
    check(lat !== '' && lon !== '', 'lat/lon set by the click');
    await page.selectOption('#c-mission_id', { label: 'ACR — Accord Mission' });
    await page.fill('#c-title', TITLE);
    await page.selectOption('#c-category', 'pk.attack_on_un');
    await page.fill('#c-occurred_start', '2024-05-01');
    await page.fill('#c-killed_civilians', '2');
    await page.selectOption('#c-source_type', 'un_patrol');
    await page.selectOption('#c-source_reliability', 'B');
    await page.selectOption('#c-source_credibility', '2');
    // A latitude the server refuses: its message appears beside the field.
    await page.fill('#c-lat', '95');
    await page.click('#create-submit');
    await page.waitForFunction(() => document.getElementById('err-lat').textContent.length > 0);
    check(await page.getAttribute('#c-lat', 'aria-invalid') === 'true', 'lat marked invalid');
    await page.screenshot({ path: path.join(OUT, 'create-error.png') });
    await page.fill('#c-lat', lat);
    await page.click('#create-submit');
    await page.waitForSelector('#detail-title');
    check((await page.textContent('#detail-title')) === TITLE, 'detail shows the new incident');
    check((await page.textContent('#detail-status')) === 'draft', 'a new report is a draft');
  });

  await test('find the new incident on the map with a text search', async () => {
    await page.click('#tab-filters');
    await page.fill('#f-q', 'Bandoro');
    await waitTotal('Number(e.dataset.n) === 1');
    await page.waitForSelector(`.event-dot[title^="${TITLE}"]`);
    await page.click(`.event-dot[title^="${TITLE}"]`);
    await page.waitForSelector('#detail-title');
    check((await page.textContent('#detail-title')) === TITLE, 'opened from the map');
  });

  await test('submit, then verify it from the verification queue', async () => {
    await page.click('#wf-submit');
    await page.waitForFunction(() => document.getElementById('detail-status') && document.getElementById('detail-status').textContent === 'submitted');
    await page.click('#tab-queue');
    const item = page.locator('#queue-list li', { hasText: TITLE });
    await item.waitFor();
    // Rejecting without a reason is refused in the form.
    await item.locator('.q-reject').click();
    check((await item.locator('.error').textContent()).length > 0, 'reason required');
    await page.screenshot({ path: path.join(OUT, 'queue.png') });
    await item.locator('.q-verify').click();
    await page.waitForFunction(() => /verified/.test(document.getElementById('queue-msg').textContent));
    const r = await page.evaluate(async () => (await fetch('/api/v1/incidents?q=Bandoro')).json());
    check(r.items.length === 1 && r.items[0].status === 'verified', 'status ' + JSON.stringify(r.items.map((i) => i.status)));
    await page.locator('#queue-list li', { hasText: TITLE }).waitFor({ state: 'detached' });
  });

  await test('the detail panel shows actors, casualties, source grades and history', async () => {
    const id = await page.evaluate(async () => (await (await fetch('/api/v1/incidents?q=Bandoro')).json()).items[0].id);
    await page.evaluate(() => document.getElementById('tab-filters').click());
    await page.click(`.event-dot[title^="${TITLE}"]`).catch(() => {});
    await page.waitForFunction(() => document.getElementById('detail-status') && document.getElementById('detail-status').textContent === 'verified');
    const text = await page.textContent('#detail');
    for (const w of ['Civilians', 'B — usually reliable', '2 — probably true', 'UN patrol', 'Edit history'])
      check(text.includes(w), 'detail lacks ' + w);
    const hist = await page.$$eval('#detail-history li', (els) => els.length);
    check(hist >= 3, 'history entries: ' + hist + ' for ' + id);
    await page.screenshot({ path: path.join(OUT, 'detail.png') });
    await page.click('#tab-filters');
    await page.fill('#f-q', '');
  });

  await test('switch to French; the choice is remembered', async () => {
    await page.click('#tab-filters');
    await page.selectOption('#lang', 'fr');
    check((await page.textContent('#tab-filters')) === 'Filtres', 'tab in French');
    check((await page.textContent('label[for="f-min-killed"]')) === 'Nombre minimal de tués', 'label in French');
    await page.reload();
    await page.waitForSelector('#app-view', { state: 'visible' });
    check((await page.textContent('#logout')) === 'Se déconnecter', 'French after reload');
    await waitTotal('Number(e.dataset.n) === ' + (EVENTS + 1));
    check(/incidents/.test(await page.textContent('#total-count')), 'count text');
    check(await page.evaluate(() => document.documentElement.lang) === 'fr', 'html lang');
    await page.waitForSelector('#hist-svg rect');
    await page.screenshot({ path: path.join(OUT, 'map-fr.png') });
    await page.selectOption('#lang', 'en');
  });

  await test('usable at phone width', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(300);
    const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(over <= 0, 'horizontal overflow of ' + over + ' px');
    check(await page.isVisible('#map') && await page.isVisible('#tab-filters'), 'map and panels visible');
    await page.screenshot({ path: path.join(OUT, 'phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  await test('keyboard: tabs move with the arrow keys, focus is visible', async () => {
    await page.focus('#tab-filters');
    await page.keyboard.press('ArrowRight');
    check(await page.evaluate(() => document.activeElement.id) === 'tab-detail', 'focus on the next tab');
    check(await page.isVisible('#panel-detail'), 'panel shown');
    await page.keyboard.press('Home');
  });

  await test('log out', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible' });
    const r = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    check(r === 401, 'session gone: ' + r);
  });

  await test('no script errors, no CSP violations, nothing fetched from elsewhere', async () => {
    const bad = problems.filter((p) => !/401 \(Unauthorized\)|Failed to load resource.*40[01]/.test(p));
    check(bad.length === 0, bad.join(' | '));
    check(external.length === 0, 'external requests: ' + external.join(', '));
  });
}

main()
  .catch((e) => { failed++; console.log('FAIL setup: ' + (e && e.stack ? e.stack : e)); })
  .finally(async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) server.kill('SIGTERM');
    if (failed && serverLog) console.log('--- server log (tail) ---\n' + serverLog.split('\n').slice(-15).join('\n'));
    fs.rmSync(tmp, { recursive: true, force: true });
    console.log(`screenshots: ${OUT}`);
    console.log(`${passed} passed, ${failed} failed`);
    process.exitCode = failed ? 1 : 0;
  });
