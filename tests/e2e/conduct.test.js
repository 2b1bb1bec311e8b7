#!/usr/bin/env node
// The conduct page (web/conduct.js) in headless Chromium against the real
// binary: the restricted misconduct register for a conduct officer (list,
// open a record, the audit notice, every opening audited), public
// statistics and figure IV only for a planner (no record, no marker in the
// page), status-of-forces violations (record through the form, resolve),
// unit evaluations with an improvement plan (complete a measure, close the
// plan), in English and French.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const h = require('./harness');

const MARKER = 'Zq7E2eMarker';
const TABLE = path.join(h.ROOT, '..', 'shared', 'data', 'conduct', 'un_sea_allegations_july2024.csv');

h.main(async (env) => {
  await env.user('admin', 'system_admin');
  await env.user('cdo', 'conduct_officer:MINUSCA');
  await env.user('planner', 'planner:MINUSCA', 'confidential');
  const admin = await env.api('admin');
  // More missions than one list page (50) before MINUSCA, as in the demo's UN
  // list: the violations' Mission column and form must still know MINUSCA.
  for (let i = 0; i < 55; i++) {
    await admin('POST', '/api/v1/missions', { name: 'Closed mission ' + i, acronym: 'OLD-' + i, status: 'closed' });
  }
  const m = await admin('POST', '/api/v1/missions', { name: 'MINUSCA', acronym: 'MINUSCA', status: 'active' });
  const have = fs.existsSync(TABLE);
  if (have) {
    // Exit 1: the table's one row reported before its incident is rejected.
    const r = spawnSync(env.pko, ['import', 'misconduct', TABLE, '--errors', path.join(env.tmp, 'errors.txt'),
      '--db', env.db], { encoding: 'utf8' });
    env.check(r.status === 0 || r.status === 1, 'import: ' + r.stderr);
  }

  const cdoApi = await env.api('cdo');
  const rec = await cdoApi('POST', '/api/v1/misconduct', {
    mission: 'MINUSCA', category: 'sexual_exploitation_and_abuse', personnel_type: 'military_contingent',
    nationality: MARKER, reported_on: '2024-05-02', incident_from: '2024-03', victims_adult: 1,
    allegation_types: ['SE (Transactional sex)'], result: 'pending', paternity_claim: false,
    victim_assistance_given: true, victim_assistance: 'medical and psychosocial support' });

  // Status-of-forces violation and a unit evaluation with a plan.
  await admin('POST', '/api/v1/sofa-violations', { mission_id: m.id, type: 'flight_restriction',
    authority: 'civil_aviation', place: 'Bangui M\'Poko airport', started_on: '2023-01-10',
    description: 'Night flights banned', impact: 'severe', flights_affected: 40 });
  const ev = await admin('POST', '/api/v1/unit-evaluations', { mission_id: m.id, unit_name: 'FPU Senegal 2',
    unit_type: 'formed_police_unit', contributing_country: 'SEN', kind: 'in_mission', period: '2024-Q1',
    evaluated_on: '2024-04-03', evaluator: 'Police division',
    ratings: [{ standard: 'public_order_management', rating: 4 }, { standard: 'training', rating: 2 },
      { standard: 'health_and_welfare', rating: 3 }],
    shortfalls: [{ standard: 'training', severity: 'major', description: 'Crowd-control drills not done' }] });
  await admin('POST', `/api/v1/unit-evaluations/${ev.id}/plan`, { measures: [
    { shortfall_standard: 'training', area: 'training', action: 'Weekly crowd-control drills',
      responsible: 'contributing_country', level: 'mission', due_on: '2024-06-30' }] });

  const page = await env.page('cdo');
  await env.test('conduct officer: the register lists records and opens one (audited)', async () => {
    await env.open(page, 'conduct', 'misconduct');
    await page.waitForSelector('#cd-register-table tbody tr');
    const n = await page.$$eval('#cd-register-table tbody tr', (r) => r.length);
    env.check(n === 50 || (!have && n === 1), 'rows on the first page: ' + n);
    env.check(await page.isVisible('#cd-fig4 svg'), 'figure IV drawn');
    env.check((await page.textContent('#cd-access')).includes('audit trail'), 'audit notice');
    await page.fill('#cd-q-year', '2016');
    await page.press('#cd-q-year', 'Enter');
    await page.waitForFunction(() => [...document.querySelectorAll('#cd-register-table tbody tr td:nth-child(2)')]
      .every((td) => td.textContent.startsWith('2016')));
    await page.fill('#cd-q-year', '');
    await page.fill('#cd-q', MARKER);
    await page.press('#cd-q', 'Enter');
    await page.waitForFunction(() => document.querySelectorAll('#cd-register-table tbody tr').length === 1);
    await page.click('#cd-register-table tbody tr');
    await page.waitForSelector('#cd-record');
    const text = await page.textContent('#cd-record');
    env.check(text.includes(MARKER) && text.includes('medical and psychosocial support'), 'record shown');
    const audit = await admin('GET', '/api/v1/audit?limit=500');
    const reads = audit.items.filter((a) => a.entity_id === rec.id && a.action === 'read');
    env.check(reads.length >= 2, 'list and open of the record audited: ' + reads.length);
    await env.shot(page, 'conduct-misconduct-officer');
  });
  await page.context().close();

  const pl = await env.page('planner');
  await env.test('planner: public statistics and figure IV only', async () => {
    await env.open(pl, 'conduct');
    await pl.waitForSelector('#cd-fig4 svg rect, #cd-fig4-empty');
    env.check(!(await pl.$('#cd-register')), 'no register');
    env.check(!(await pl.$('#cd-new')), 'no form');
    env.check((await pl.textContent('#cd-access')).includes('restricted'), 'restricted notice');
    const html = await pl.content();
    env.check(!html.includes(MARKER) && !html.includes(rec.id), 'no record in the page');
    const bars = await pl.$$eval('#cd-fig4 svg rect', (r) => r.length);
    env.check(bars > 10, 'stacked bars: ' + bars);
    const rows = await pl.$$eval('#cd-stats tbody tr', (r) => r.length);
    env.check(rows >= 1, 'statistics rows');
    await env.shot(pl, 'conduct-public-statistics');
  });
  await env.test('planner: unit performance, complete the measure and close the plan', async () => {
    pl.on('dialog', (d) => d.accept('Drill log signed by the FPU commander'));
    await env.open(pl, 'conduct', 'performance');
    await pl.waitForSelector('#cd-units tbody tr');
    const unit = await pl.textContent('#cd-units tbody tr');
    env.check(unit.includes('FPU Senegal 2') && unit.includes('SEN'), unit);
    await pl.click('#cd-evals tbody tr');
    await pl.waitForSelector('#cd-measures');
    env.check((await pl.textContent('#cd-ratings')).includes('needs improvement'), 'rating labels');
    await env.shot(pl, 'conduct-performance');
    await pl.click('.cd-complete');
    await pl.waitForFunction(() => !document.querySelector('.cd-complete') && document.querySelector('#cd-close-plan'));
    await pl.click('#cd-close-plan');
    await pl.waitForFunction(() => !document.querySelector('#cd-close-plan'));
    const plan = await admin('GET', `/api/v1/unit-evaluations/${ev.id}/plan`);
    env.check(plan.status === 'closed' && plan.measures[0].status === 'completed', JSON.stringify(plan).slice(0, 200));
  });
  await pl.context().close();

  const ad = await env.page('admin');
  await env.test('status-of-forces violations: record through the form and resolve', async () => {
    ad.on('dialog', (d) => d.accept('Night flights resumed after notification agreed'));
    await env.open(ad, 'conduct', 'sofa');
    await ad.waitForSelector('#cd-sofa-list tbody tr');
    const missionCells = await ad.$$eval('#cd-sofa-list tbody tr td:first-child', (c) => c.map((x) => x.textContent));
    env.check(missionCells.length === 1 && missionCells[0] === 'MINUSCA', 'Mission column: ' + JSON.stringify(missionCells));
    await ad.click('#cd-sofa-new summary');
    await ad.selectOption('#cd-s-mission', { label: 'MINUSCA' });
    await ad.selectOption('#cd-s-type', 'detention_of_personnel');
    await ad.selectOption('#cd-s-authority', 'host_police');
    await ad.fill('#cd-s-place', 'Bambari');
    await ad.fill('#cd-s-started', '2024-02-11');
    await ad.selectOption('#cd-s-impact', 'moderate');
    await ad.fill('#cd-s-description', 'Two staff officers held for a day');
    await ad.click('#cd-s-save');
    await ad.waitForSelector('#cd-sofa-new .cd-error:not(:empty)');
    env.check((await ad.textContent('#cd-sofa-new .cd-error')).includes('personnel_detained'), 'detention needs a count');
    await ad.fill('#cd-s-detained', '2');
    await ad.click('#cd-s-save');
    await ad.waitForFunction(() => document.querySelectorAll('#cd-sofa-list tbody tr').length === 2);
    const after = await ad.$$eval('#cd-sofa-list tbody tr td:first-child', (c) => c.map((x) => x.textContent));
    env.check(after.every((x) => x === 'MINUSCA'), 'Mission column after recording: ' + JSON.stringify(after));
    await ad.click('.cd-resolve');
    await ad.waitForFunction(() => document.querySelectorAll('.cd-resolve').length === 1);
    const sum = await ad.textContent('#cd-sofa-summary');
    env.check(sum.includes('Detention of personnel') && sum.includes('Flight restriction'), sum);
    await env.shot(ad, 'conduct-sofa');
  });
  await ad.context().close();

  const fr = await env.page('cdo', { lang: 'fr' });
  await env.test('fr: the page in French', async () => {
    await env.open(fr, 'conduct', 'misconduct');
    await fr.waitForSelector('#cd-register-table');
    env.check((await fr.textContent('#cd-tab-misconduct')) === 'Fautes professionnelles', 'tab');
    env.check((await fr.textContent('#cd-fig4 figcaption')).startsWith('Figure IV — Nombre'), 'figure title');
    env.check((await fr.textContent('#cd-register-table thead')).includes('Nationalité'), 'headers');
    await env.shot(fr, 'conduct-misconduct-fr');
    await env.open(fr, 'conduct', 'performance');
    await fr.waitForSelector('#cd-units');
    env.check((await fr.textContent('#cd-tab-performance')) === 'Performance des unités', 'tab perf');
  });
  await fr.context().close();
});
