#!/usr/bin/env node
// The force generation pages (web/pcrs.js) against the real server: the
// pledge registry (filters, level history), the requirement board (ranked
// candidates with their score broken down, a draft opened), the assignment
// (optimal against greedy, applied), the pipeline, gap, parity and rotation
// dashboards; in English and in French. Screenshots in OUT_DIR.
'use strict';
const h = require('./harness');

const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);

h.main(async (env) => {
  const { check } = env;
  await env.user('admin', 'system_admin');
  await env.user('fgo', 'force_generation_officer');
  const admin = await env.api('admin');
  const mission = await admin('POST', '/api/v1/missions', { name: 'Accord Mission', acronym: 'ACR',
    host_country: 'CAF', status: 'active' });
  const api = await env.api('fgo');
  const P = '/api/v1/pcrs';
  const pledge = (o) => api('POST', P + '/pledges', { strength: 100, women_share: 0.1, languages: ['French'], ...o });
  const pl = {};
  pl.rwa = await pledge({ country: 'RWA', unit_type: 'level_2_hospital', strength: 63, level: 'level_2', women_share: 0.3,
    languages: ['English', 'French'], capabilities: ['dental'] });
  pl.npl = await pledge({ country: 'NPL', unit_type: 'level_2_hospital', strength: 63, level: 'registered',
    languages: ['English'], caveats: ['no night movements'] });
  pl.bgd = await pledge({ country: 'BGD', unit_type: 'infantry_battalion', strength: 850, level: 'rapid_deployment' });
  pl.sen = await pledge({ country: 'SEN', unit_type: 'formed_police_unit', strength: 140, level: 'level_3', women_share: 0.25 });
  pl.ken = await pledge({ country: 'KEN', unit_type: 'engineering_company', strength: 200, level: 'level_1' });
  // A visit raises the Rwandan hospital: two entries in its level history.
  await api('POST', P + '/visits', { pledge_id: pl.rwa.id, visit_date: day(-3), findings: 'Equipment and training verified.',
    evidence: ['AAV report 2026/14'], level_after: 'level_3' });
  const req = (o) => api('POST', P + '/requirements', { mission_id: mission.id, required_by: day(150), ...o });
  const hosp = await req({ unit_type: 'level_2_hospital', title: 'Hospital for sector East',
    required_capabilities: ['surgery', 'dental'], language: 'French', women_target: 0.2 });
  await req({ unit_type: 'infantry_battalion', title: 'Battalion for the north', language: 'French' });
  await req({ unit_type: 'riverine_unit', title: 'River patrols on the Ubangi' });
  const draft = await req({ unit_type: 'formed_police_unit', title: 'FPU for the capital', status: 'draft' });
  const deployed = await req({ unit_type: 'engineering_company', title: 'Engineers, main supply route',
    status: 'filled', pledge_id: pl.ken.id, deployed_on: day(-300), rotation_months: 12 });

  const page = await env.page('fgo');
  page.on('dialog', (d) => d.accept());
  const ready = () => page.waitForSelector('#pcrs-body[data-ready="1"]');

  await env.test('pledge registry lists the pledges and filters by level', async () => {
    await env.open(page, 'pcrs');
    await ready();
    const n = await page.$$eval('#pcrs-pledge-table tbody tr', (r) => r.length);
    check(n === 5, 'five pledges: ' + n);
    await page.selectOption('#pcrs-f-level', 'rapid_deployment');
    await page.click('#pcrs-f-apply');
    await page.waitForFunction(() => document.querySelectorAll('#pcrs-pledge-table tbody tr').length === 1);
    const txt = await page.textContent('#pcrs-pledge-table tbody');
    check(txt.includes('Bangladesh') && txt.includes('Rapid Deployment Level'), txt);
    await page.selectOption('#pcrs-f-level', '');
    await page.selectOption('#pcrs-f-type', 'level_2_hospital');
    await page.click('#pcrs-f-apply');
    await page.waitForFunction(() => document.querySelectorAll('#pcrs-pledge-table tbody tr').length === 2);
    await env.shot(page, 'pcrs-registry-en');
  });

  await env.test('a pledge shows its level history and visits', async () => {
    await page.click('#pcrs-pledge-table tbody tr:has-text("Rwanda")');
    await page.waitForSelector('#pcrs-level-history');
    const levels = await page.$$eval('#pcrs-level-history tbody tr', (r) => r.map((x) => x.textContent));
    check(levels.length === 2 && levels[0].includes('Level 2') && levels[1].includes('Level 3'), JSON.stringify(levels));
    check((await page.textContent('#pcrs-visits')).includes('Equipment and training verified.'), 'visit findings');
  });

  await env.test('requirement board: ranked candidates with their score broken down', async () => {
    await env.open(page, 'pcrs', 'requirements');
    await ready();
    const rows = await page.$$eval('#pcrs-req-table tbody tr', (r) => r.map((x) => x.textContent));
    check(rows.length === 3, 'three open requirements: ' + JSON.stringify(rows));
    check(rows.some((r) => r.includes('River patrols') && r.includes('no candidate')), 'riverine gap shown');
    await page.click('#pcrs-req-table tbody tr:has-text("Hospital for sector East")');
    await page.waitForSelector('#pcrs-cand-table');
    const cands = await page.$$eval('#pcrs-cand-table tbody tr', (r) => r.map((x) => x.textContent));
    check(cands.length === 2 && cands[0].includes('Rwanda') && cands[1].includes('Nepal'), JSON.stringify(cands));
    check(cands[1].includes('does not list language French') && cands[1].includes('national caveat'), cands[1]);
    const comps = await page.$$eval('#pcrs-cand-table tbody tr:first-child .pcrs-comp', (c) => c.length);
    check(comps === 6, 'six score components: ' + comps);
    await env.shot(page, 'pcrs-candidates-en');
  });

  await env.test('a draft is not matched until it is opened', async () => {
    await env.open(page, 'pcrs', 'requirement', draft.id);
    await ready();
    await page.waitForSelector('#pcrs-draft-note');
    check(!(await page.$('#pcrs-cand-table')), 'no candidates for a draft');
    await page.click('#pcrs-open');
    await page.waitForSelector('#pcrs-cand-table');
    check((await page.textContent('#pcrs-cand-table')).includes('Senegal'), 'the Senegalese FPU is a candidate');
  });

  await env.test('the deployed unit shows its rotations', async () => {
    await env.open(page, 'pcrs', 'requirement', deployed.id);
    await ready();
    await page.waitForSelector('#pcrs-rotations');
    const due = await page.textContent('#pcrs-next-rotation');
    check(/Next rotation due/.test(due), due);
    check((await page.$$eval('#pcrs-rotations tbody tr', (r) => r.length)) === 1, 'contingent 1');
  });

  await env.test('dashboards: pipeline, gaps, parity, rotations due', async () => {
    await env.open(page, 'pcrs', 'dashboards');
    await ready();
    const bars = await page.$$eval('#pcrs-pipeline-chart rect', (r) => r.length);
    check(bars >= 5 + 4, 'legend and bars: ' + bars);
    check((await page.textContent('#pcrs-gaps-table')).includes('River patrols') ||
      (await page.textContent('#pcrs-gaps-table')).includes('Riverine'), 'riverine gap');
    check((await page.$$eval('#pcrs-parity tbody tr', (r) => r.length)) === 4, 'four parity categories');
    check((await page.textContent('#pcrs-due-table')).includes('Kenya'), 'the Kenyan engineers are due');
    await env.shot(page, 'pcrs-dashboards-en');
  });

  await env.test('solve: optimal against greedy, then applied', async () => {
    await env.open(page, 'pcrs', 'solve');
    await ready();
    await page.click('#pcrs-solve');
    await page.waitForSelector('#pcrs-assign-table');
    const summary = await page.textContent('#pcrs-solve-summary');
    check(summary.includes('3 of 4 requirements'), summary);
    check((await page.textContent('#pcrs-unassigned')).length > 0, 'the riverine requirement is unassigned');
    await env.shot(page, 'pcrs-solve-en');
    await page.click('#pcrs-apply');
    await page.waitForSelector('#pcrs-solve-out .ok');
    const st = await api('GET', P + '/requirements/' + hosp.id);
    check(st.status === 'filled' && st.pledge_id === pl.rwa.id, JSON.stringify(st));
  });

  await env.test('forms: a pledge, a visit, a requirement, a rotation, a parity target', async () => {
    await env.open(page, 'pcrs');
    await ready();
    await page.click('#pcrs-pledge-form-box > summary');
    await page.selectOption('#pcrs-pledge-form-country', 'CHL');
    await page.selectOption('#pcrs-pledge-form-unit_type', 'uas_unit');
    await page.selectOption('#pcrs-pledge-form-level', 'level_2');
    await page.fill('#pcrs-pledge-form-strength', '0');
    await page.fill('#pcrs-pledge-form-women_share', '20');
    await page.fill('#pcrs-pledge-form-languages', 'Spanish, English');
    await page.click('#pcrs-pledge-form-save');
    await page.waitForSelector('#pcrs-pledge-form-strength.invalid');
    check((await page.textContent('#pcrs-pledge-form-strength-error')).includes('strength'), 'the field is named');
    await page.fill('#pcrs-pledge-form-strength', '70');
    await page.click('#pcrs-pledge-form-save');
    await page.waitForSelector('#pcrs-pledge-title');
    check((await page.textContent('#pcrs-pledge-title')).includes('Chile'), 'the new pledge is shown');
    const chl = (await api('GET', P + '/pledges?country=CHL')).items[0];
    check(chl && chl.women_share === 0.2 && chl.languages.join() === 'Spanish,English', JSON.stringify(chl));
    // a visit raises it
    await page.click('#pcrs-visit-form-box > summary');
    await page.selectOption('#pcrs-visit-form-level_after', 'level_3');
    await page.fill('#pcrs-visit-form-findings', 'Drills observed; equipment complete.');
    await page.fill('#pcrs-visit-form-evidence', 'AAV 2026/31');
    await page.click('#pcrs-visit-form-save');
    await page.waitForFunction(() => document.querySelectorAll('#pcrs-level-history tbody tr').length === 2);
    // a draft requirement, first with a date in the past
    await env.open(page, 'pcrs', 'requirements');
    await ready();
    await page.click('#pcrs-req-form-box > summary');
    await page.selectOption('#pcrs-req-form-unit_type', 'uas_unit');
    await page.fill('#pcrs-req-form-title', 'Drones for the border');
    await page.fill('#pcrs-req-form-required_by', '2020-01-01');
    await page.selectOption('#pcrs-req-form-status', 'draft');
    await page.click('#pcrs-req-form-save');
    await page.waitForSelector('#pcrs-req-form-required_by.invalid');
    await page.fill('#pcrs-req-form-required_by', day(200));
    await page.click('#pcrs-req-form-save');
    await page.waitForSelector('#pcrs-draft-note');
    check((await page.textContent('#pcrs-req-title')).includes('Drones for the border'), 'the new draft');
    // a rotation of the deployed engineers
    await env.open(page, 'pcrs', 'requirement', deployed.id);
    await ready();
    await page.click('#pcrs-rotation-form-box > summary');
    check((await page.inputValue('#pcrs-rotation-form-start_date')).length === 10, 'prefilled with the date due');
    await page.fill('#pcrs-rotation-form-strength', '190');
    await page.click('#pcrs-rotation-form-save');
    await page.waitForFunction(() => document.querySelectorAll('#pcrs-rotations tbody tr').length === 2);
    await env.shot(page, 'pcrs-rotation-en');
    // the draft is cancelled, the Chilean pledge withdrawn
    const drones = (await api('GET', P + '/requirements?status=draft')).items.find((x) => x.title === 'Drones for the border');
    await env.open(page, 'pcrs', 'requirement', drones.id);
    await ready();
    await page.click('#pcrs-cancel');
    await page.waitForFunction(() => !document.getElementById('pcrs-cancel') && document.querySelector('#pcrs-body[data-ready="1"]'));
    check((await api('GET', P + '/requirements/' + drones.id)).status === 'cancelled', 'cancelled');
    await env.open(page, 'pcrs', 'pledge', chl.id);
    await ready();
    await page.click('#pcrs-withdraw');
    await page.waitForFunction(() => !document.getElementById('pcrs-withdraw') && document.querySelector('#pcrs-body[data-ready="1"]'));
    check((await api('GET', P + '/pledges/' + chl.id)).status === 'withdrawn', 'withdrawn');
    // a year's parity target with its source
    await env.open(page, 'pcrs', 'dashboards');
    await ready();
    await page.click('#pcrs-target-form-box > summary');
    await page.fill('#pcrs-target-form-target', '8');
    await page.fill('#pcrs-target-form-source', 'e2e test: a recorded target');
    await page.click('#pcrs-target-form-save');
    await page.waitForFunction(() => ((document.querySelector('#pcrs-parity tbody tr') || {}).textContent || '').includes('8 %'));
  });

  await env.test('French: labels, levels and reasons in French', async () => {
    const fr = await env.page('fgo', { lang: 'fr' });
    await env.open(fr, 'pcrs', 'dashboards');
    await fr.waitForSelector('#pcrs-body[data-ready="1"]');
    const text = await fr.textContent('#page-view');
    check(text.includes('Filière de préparation') && text.includes('Niveau de déploiement rapide'), 'French dashboards');
    check(!/pcrs\.[a-z_]+\./.test(text), 'no untranslated key');
    await env.shot(fr, 'pcrs-dashboards-fr');
    await env.open(fr, 'pcrs');
    await fr.waitForSelector('#pcrs-body[data-ready="1"]');
    const reg = await fr.textContent('#page-view');
    check(reg.includes('Registre des engagements') && reg.includes('Hôpital de niveau II'), 'French registry');
    check(!/pcrs\.[a-z_]+\./.test(reg), 'no untranslated key in the registry');
    await env.shot(fr, 'pcrs-registry-fr');
    await fr.context().close();
  });
});
