// Shared set-up for the module pages' end-to-end tests (tests/e2e/*.test.js):
// a fresh database, users, the real `pko serve` on a free loopback port,
// headless Debian chromium through playwright-core, a tiny test runner.
//
//   const h = require('./harness');
//   h.main(async (env) => {
//     const admin = await env.user('admin', 'system_admin');       // CLI-created
//     const api = await env.api('admin');                          // fetch as admin
//     const m = await api('POST', '/api/v1/missions', {...});
//     const page = await env.page('admin');                        // signed in, map shown
//     await env.test('...', async () => { ... env.check(cond, msg); });
//     await env.shot(page, 'name');                                 // OUT_DIR/name.png
//   });
//
// Usage of a test file: node tests/e2e/X.test.js PATH/TO/pko [OUT_DIR]
// The last line is "N passed, M failed"; exit status 1 when anything failed.
'use strict';
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function main(body, opts = {}) {
  const args = process.argv.slice(2);
  const PKO = path.resolve(args[0] || path.join(ROOT, 'build', 'pko'));
  const OUT = path.resolve(args[1] || 'e2e-screenshots');
  fs.mkdirSync(OUT, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pko-e2e-'));
  const DB = path.join(tmp, 'pko.db');
  let passed = 0, failed = 0, server = null, browser = null, serverLog = '';
  const passwords = {};
  const problems = [];   // console errors and CSP violations of every page
  const external = [];   // requests that left the server

  const run = (argv, input) => {
    const r = spawnSync(PKO, [...argv, '--db', DB], { input, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pko ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r;
  };
  const check = (cond, msg) => { if (!cond) throw new Error(msg); };

  const env = {
    root: ROOT, pko: PKO, out: OUT, tmp, db: DB, base: null, run, check, sleep, problems, external,

    // Create a user with the CLI. role may be "planner:ACR" (scoped) or "system_admin".
    async user(name, role, clearance = 'strictly_confidential') {
      const pw = name + ' e2e passphrase';
      passwords[name] = pw;
      run(['user', 'add', name, '--role', role, '--clearance', clearance, '--password-stdin'], pw + '\n');
      return name;
    },

    // A JSON API client signed in as 'name': api(method, path, body) -> parsed body;
    // throws on a status other than 'expect' (default: any 2xx).
    async api(name) {
      const r = await fetch(env.base + '/api/v1/session', { method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: name, password: passwords[name] }) });
      if (!r.ok) throw new Error('login ' + name + ': ' + r.status);
      const js = await r.json();
      const cookie = r.headers.get('set-cookie').split(';')[0];
      return async (method, p, body, expect) => {
        const res = await fetch(env.base + p, { method,
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': js.csrf_token, Cookie: cookie },
          body: body === undefined ? undefined : JSON.stringify(body) });
        const text = await res.text();
        let out = text;
        try { out = JSON.parse(text); } catch (e) { /* not JSON */ }
        const ok = expect === undefined ? res.status >= 200 && res.status < 300 : res.status === expect;
        if (!ok) throw new Error(`${method} ${p} -> ${res.status}: ${text.slice(0, 300)}`);
        return out;
      };
    },

    // A new browser tab signed in as 'name' through the login form.
    async page(name, { width = 1366, height = 768, lang = 'en' } = {}) {
      // One browser; a context per page, so each page has its own session
      // and language.
      if (!browser) {
        browser = await chromium().launch({
          executablePath: '/usr/bin/chromium', headless: true,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
        });
      }
      const context = await browser.newContext({ viewport: { width, height }, locale: lang === 'fr' ? 'fr-FR' : 'en-GB' });
      const page = await context.newPage();
      page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
      page.on('pageerror', (e) => problems.push('pageerror: ' + e.message));
      page.on('request', (r) => { if (!r.url().startsWith(env.base) && !r.url().startsWith('data:')) external.push(r.url()); });
      await page.goto(env.base + '/');
      await page.evaluate((l) => localStorage.setItem('pko.lang', l), lang);
      await page.reload();
      await page.waitForSelector('#login-form', { state: 'visible' });
      await page.fill('#login-user', name);
      await page.fill('#login-pass', passwords[name]);
      await page.click('#login-submit');
      await page.waitForSelector('#nav', { state: 'visible' });
      return page;
    },

    // Open a module page ("#/<id>/<path...>") and wait until it has rendered.
    async open(page, id, ...sub) {
      await page.evaluate((h) => { location.hash = h; }, '#/' + [id, ...sub].map(encodeURIComponent).join('/'));
      await page.waitForFunction((i) => document.body.dataset.page === i && !document.getElementById('page-view').hidden, id);
    },

    async shot(page, name, full = true) {
      await page.screenshot({ path: path.join(OUT, name + '.png'), fullPage: full });
    },

    async test(name, fn) {
      const t0 = Date.now();
      try {
        await fn();
        passed++;
        console.log(`PASS ${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${name}: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
      }
    },
  };

  (async () => {
    run(['init']);
    const port = await freePort();
    env.base = `http://127.0.0.1:${port}`;
    server = spawn(PKO, ['serve', '--db', DB, '--listen', `127.0.0.1:${port}`],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...(opts.env || {}) } });
    server.stderr.on('data', (d) => { serverLog = (serverLog + d).slice(-20000); });
    for (let i = 0; ; i++) {
      try { const r = await fetch(env.base + '/healthz'); if (r.ok) break; } catch (e) { /* not yet */ }
      if (i > 100) throw new Error('server did not become healthy:\n' + serverLog);
      await sleep(100);
    }
    await body(env);
    await env.test('no script errors, no CSP violations, nothing fetched from elsewhere', async () => {
      const bad = problems.filter((p) => !/401 \(Unauthorized\)|Failed to load resource.*40[013459]/.test(p));
      check(bad.length === 0, bad.join(' | '));
      check(external.length === 0, 'external requests: ' + external.join(', '));
    });
  })()
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
}

let cached = null;
function chromium() {
  if (!cached) ({ chromium: cached } = require(path.join(ROOT, 'node_modules', 'playwright-core')));
  return cached;
}

module.exports = { main, ROOT, sleep };
