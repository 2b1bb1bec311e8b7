#!/usr/bin/env node
// The registers page (web/registers.js) in headless Chromium against the
// real binary: fatalities (summary of the imported UN dataset when
// ../shared/data has it, recording a fatality), CASEVAC (statistics,
// advancing an evacuation), crimes against peacekeepers (recording the
// steps, a conviction without a prosecution refused on screen, no access
// for a viewer) and the report figures (charts load), in English and French.
'use strict';
const fs = require('fs');
const path = require('path');
const h = require('./harness');

const DATA = path.join(h.ROOT, '..', 'shared', 'data', 'fatalities', 'un_peacekeeping_fatalities_DPPADPOSS.csv');

h.main(async (env) => {
  await env.user('admin', 'system_admin');
  await env.user('analyst', 'analyst:MINUSCA');
  await env.user('viewer', 'viewer:MINUSCA');
  const admin = await env.api('admin');
  const m = await admin('POST', '/api/v1/missions', { name: 'MINUSCA', acronym: 'MINUSCA', status: 'active' });
  const haveData = fs.existsSync(DATA);
  if (haveData) env.run(['import', 'fatalities', DATA, '--errors', path.join(env.tmp, 'errors.txt')]);
  else console.log('note: ' + DATA + ' is absent: the page shows only what the test records');

  const analyst = await env.api('analyst');
  const f = await analyst('POST', '/api/v1/fatalities', { mission_id: m.id, incident_date: '2023-06-14',
    person_category: 'military', incident_type: 'malicious_act', weapon: 'ied_explosive_ordnance', nationality: 'EGY' });
  const c = await analyst('POST', '/api/v1/accountability', { fatality_id: f.id, national_authority: 'Tribunal de Bangui' });
  const f2 = await analyst('POST', '/api/v1/fatalities', { mission_id: m.id, incident_date: '2024-03-09',
    person_category: 'police', incident_type: 'malicious_act', weapon: 'small_arms', nationality: 'SEN', nationality_name: 'Senegal' });
  await analyst('POST', `/api/v1/accountability/${c.id}/events`, { stage: 'investigation_opened', event_date: '2023-07-01' });
  await analyst('POST', `/api/v1/accountability/${c.id}/events`, { stage: 'suspects_identified', event_date: '2023-09-10', individuals: 4 });
  await analyst('POST', `/api/v1/accountability/${c.id}/events`, { stage: 'arrested', event_date: '2023-10-02', individuals: 2 });
  const day = new Date(Date.now() - 86400000).toISOString().slice(0, 10);
  await analyst('POST', '/api/v1/casevac', { mission_id: m.id, injury_at: day + 'T07:50Z', first_aid_at: day + 'T07:58Z',
    requested_at: day + 'T08:00Z', approved_at: day + 'T08:12Z', lift_off_at: day + 'T08:30Z', arrived_at: day + 'T09:05Z',
    surgery_at: day + 'T09:40Z', priority: 'urgent', patients: 2 });
  const pending = await analyst('POST', '/api/v1/casevac', { mission_id: m.id, requested_at: day + 'T15:00Z', priority: 'priority' });

  for (const lang of ['en', 'fr']) {
    const page = await env.page('analyst', { lang, width: 1400, height: 900 });
    await env.test(`${lang}: fatalities register with its summary and a new record`, async () => {
      await env.open(page, 'registers', 'fatalities');
      await page.waitForSelector('#reg-fatalities[data-ready="1"]');
      const rows = await page.$$eval('#fat-summary tbody tr', (trs) => trs.length);
      env.check(rows >= 1, 'summary rows: ' + rows);
      if (lang === 'en') {
        await page.click('details.reg-new summary');
        await page.fill('#fat-form input[name=incident_date]', '2024-02-03');
        await page.selectOption('#fat-form select[name=person_category]', 'police');
        await page.selectOption('#fat-form select[name=incident_type]', 'accident');
        await page.click('#fat-form button[type=submit]');
        await page.waitForSelector('#fat-msg.reg-ok');
        // The same form refuses a weapon for an accident, naming it.
        await page.selectOption('#fat-form select[name=weapon]', 'small_arms');
        await page.click('#fat-form button[type=submit]');
        await page.waitForSelector('#fat-msg.error');
        const msg = await page.textContent('#fat-msg');
        env.check(/weapon/.test(msg), 'weapon error: ' + msg);
      }
      const text = await page.textContent('#fat-list');
      env.check(text.includes(lang === 'en' ? 'IED or explosive ordnance' : 'EEI ou engin explosif'), 'weapon label in the list');
      await env.shot(page, `registers-fatalities-${lang}`);
    });
    await env.test(`${lang}: CASEVAC statistics and advancing an evacuation`, async () => {
      await env.open(page, 'registers', 'casevac');
      await page.waitForSelector('#reg-casevac[data-ready="1"]');
      const stats = await page.textContent('#cv-stats');
      env.check(stats.includes('MINUSCA') && stats.includes(lang === 'en' ? '1 of 1' : '1 sur 1'), 'stats: ' + stats.slice(0, 200));
      if (lang === 'en') {
        await page.click('#cv-list button.reg-step:text("Approved now")');
        await page.waitForFunction(() => document.querySelectorAll('#cv-list .reg-status-approved').length === 1);
        const got = await analyst('GET', '/api/v1/casevac/' + pending.id);
        env.check(got.status === 'approved' && got.approved_at, 'approved through the page');
      }
      await env.shot(page, `registers-casevac-${lang}`);
    });
    await env.test(`${lang}: a case of a crime against peacekeepers`, async () => {
      await env.open(page, 'registers', 'accountability', c.id);
      await page.waitForSelector('#acc-detail h3');
      const totals = await page.textContent('#acc-detail .reg-totals');
      env.check(totals.includes('4') && totals.includes('2'), 'totals: ' + totals);
      if (lang === 'en') {
        await page.selectOption('#acc-event-form select[name=stage]', 'convicted');
        await page.fill('#acc-event-form input[name=event_date]', '2024-01-10');
        await page.fill('#acc-event-form input[name=individuals]', '1');
        await page.click('#acc-event-form button[type=submit]');
        await page.waitForSelector('#acc-msg.error');
        const msg = await page.textContent('#acc-msg');
        env.check(/a conviction needs a prosecution/.test(msg), 'refused: ' + msg);
        await page.selectOption('#acc-event-form select[name=stage]', 'prosecuted');
        await page.fill('#acc-event-form input[name=individuals]', '2');
        await page.click('#acc-event-form button[type=submit]');
        await page.waitForSelector('#acc-msg.reg-ok');
        env.check((await page.textContent('#acc-detail h3')).includes('Prosecuted'), 'stage moved to prosecuted');
        // A second malicious-act fatality is offered for a new case; the
        // one with a case is not.
        const offered = await page.$$eval('#acc-fatality option', (o) => o.map((x) => x.value));
        env.check(offered.includes(f2.id) && !offered.includes(f.id), 'offered: ' + offered.length);
        await page.click('details.reg-new summary');
        await page.selectOption('#acc-fatality', f2.id);
        await page.click('#acc-open-form button[type=submit]');
        await page.waitForFunction(() => /registers\/accountability\/./.test(location.hash));
        await page.waitForSelector('#acc-detail h3');
        env.check((await page.textContent('#acc-detail h3')).includes('Registered'), 'new case registered');
      }
      await env.shot(page, `registers-accountability-${lang}`);
    });
    await env.test(`${lang}: the report figures load as charts with definitions`, async () => {
      await env.open(page, 'registers', 'figures', '2018-01-01', new Date().toISOString().slice(0, 10));
      await page.waitForSelector('#reg-figures[data-ready="1"]');
      const ids = await page.$$eval('section.reg-figure', (s) => s.map((x) => x.id));
      env.check(ids.join() === 'fig-I,fig-II,fig-III,fig-IV', 'figures: ' + ids);
      const charts = await page.$$eval('section.reg-figure svg.reg-svg', (s) => s.map((x) => x.closest('section').id));
      env.check(charts.includes('fig-II') && charts.includes('fig-III'), 'charts of II and III: ' + charts);
      const bars = await page.$$eval('#fig-II svg rect', (r) => r.length);
      env.check(bars >= 1, 'figure II has bars');
      const legend = await page.textContent('#fig-III .reg-legend');
      env.check(legend.includes(lang === 'en' ? 'Convicted' : 'Condamnés'), 'legend in the page language: ' + legend);
      // The downloads are real files.
      const pdf = await page.evaluate(async () => {
        const a = [...document.querySelectorAll('a.reg-dl')].find((x) => x.textContent === 'PDF');
        const r = await fetch(a.href);
        return [r.status, r.headers.get('content-type'), (await r.text()).slice(0, 5)];
      });
      env.check(pdf[0] === 200 && pdf[1] === 'application/pdf' && pdf[2] === '%PDF-', 'PDF download: ' + pdf);
      const t = await page.textContent('#fig-II');
      env.check(t.includes('NOTICAS') && t.includes(lang === 'en' ? 'Definition' : 'Définition'), 'definition and source');
      await env.shot(page, `registers-figures-${lang}`);
      if (lang === 'en') {
        // Narrowed to MINUSCA: figures I and IV say they are world-wide.
        await page.fill('#fig-missions', 'minusca');
        await page.click('#fig-form button[type=submit]');
        await page.waitForFunction(() => /figures\/.*\/MINUSCA$/.test(location.hash) && document.querySelector('#reg-figures[data-ready="1"]'));
        env.check((await page.textContent('#fig-IV')).includes('not kept per mission'), 'figure IV world-wide');
        env.check(!(await page.textContent('#fig-II')).includes('not kept per mission'), 'figure II per mission');
      }
    });
    await page.context().close();
  }
  const vpage = await env.page('viewer');
  await env.test('a viewer sees the figures but no case', async () => {
    await env.open(vpage, 'registers', 'accountability');
    await vpage.waitForSelector('#acc-noaccess');
    env.check(!(await vpage.$('.reg-cases')), 'no case list');
  });
  await vpage.context().close();
});
