#!/usr/bin/env node
// The planning pages (web/cpas.js) against the real server: a mission's
// plans, the framework tree editor (a node and an indicator added through
// the forms, a refusal shown with its field), the data-entry grid of a
// period (values entered, then approved), the dashboard with an
// indicator's chart (inline SVG), the impact assessment with leadership's
// decision on a recommendation, the context analysis with the stakeholder
// map, the factsheet links (HTML and PDF answer), and the page in French.
// Screenshots in OUT_DIR.
'use strict';
const h = require('./harness');

h.main(async (env) => {
  const { check } = env;
  await env.user('admin', 'system_admin');
  await env.user('planner', 'planner:ACR');
  await env.user('madmin', 'mission_admin:ACR');
  const admin = await env.api('admin');
  const mission = await admin('POST', '/api/v1/missions', { name: 'Accord Mission', acronym: 'ACR',
    host_country: 'CAF', status: 'active' });
  const api = await env.api('planner');
  const C = '/api/v1/cpas';
  const plan = await api('POST', C + '/plans', { mission_id: mission.id, title: 'ACR mission plan 2026',
    period_start: '2026-01', period_end: '2026-12', context: 'Armed groups contest the north-west; elections are due.' });
  const fw = (b) => api('POST', `${C}/plans/${plan.id}/framework`, b);
  const prio = await fw({ level: 'priority', title: 'Protection of civilians', mandated_task: 'S/RES/2759 (2024) para 35(a)',
    a4p: ['political_strategy', 'women_peace_security'] });
  const oc = await fw({ level: 'outcome', parent_id: prio.id, title: 'Communities in the north-west are safer' });
  const out = await fw({ level: 'output', parent_id: oc.id, title: 'Patrols in hotspots' });
  const killed = await api('POST', C + '/indicators', { node_id: oc.id, name: 'Civilians killed by armed groups',
    kind: 'quantitative', unit: 'people', direction: 'decrease', baseline_value: 120, baseline_period: '2025',
    targets: { '2026-Q2': 90, '2026-Q4': 60 }, frequency: 'quarterly' });
  const patrols = await api('POST', C + '/indicators', { node_id: out.id, name: 'Patrols per quarter', kind: 'quantitative',
    direction: 'increase', baseline_value: 30, baseline_period: '2025', targets: { '2026-Q3': 90 }, frequency: 'quarterly' });
  for (const [ind, p, v] of [[killed, '2026-Q1', 110], [killed, '2026-Q2', 95], [patrols, '2026-Q1', 45], [patrols, '2026-Q2', 70]]) {
    const d = await api('POST', `${C}/indicators/${ind.id}/datapoints`, { period: p, value: v });
    await api('POST', `${C}/datapoints/${d.id}/approve`, {});
  }
  const asm = await api('POST', C + '/assessments', { plan_id: plan.id, title: 'Mid-year impact assessment', period: '2026-Q2',
    scope: 'Protection of civilians in the north-west', questions: ['Did patrols reduce killings?'],
    findings: 'Killings fell where patrols doubled.', rating: 'some_progress' });
  const rec = await api('POST', `${C}/assessments/${asm.id}/recommendations`, { text: 'Double night patrols around the mining sites',
    owner: 'Force Commander', due_date: '2026-09-30' });
  await api('POST', `${C}/plans/${plan.id}/drivers`, { title: 'Transhumance disputes', trend: 'worsening' });
  await api('POST', `${C}/plans/${plan.id}/stakeholders`, { name: '3R armed group', type: 'armed_group', influence: 'high', attitude: 'hostile' });
  await api('POST', `${C}/plans/${plan.id}/stakeholders`, { name: 'Women\'s associations', type: 'women_groups', influence: 'medium', attitude: 'champion' });

  // The outcome bars (titles of different lengths, statuses with badges of
  // different widths) start and end at the same x, inside the viewport.
  const barsAligned = async (pg, label) => {
    const r = await pg.$$eval('#cpas-outcomes .cpas-bar', (b) => b.map((x) => {
      const q = x.getBoundingClientRect();
      return [Math.round(q.left), Math.round(q.right), Math.round(q.width), document.documentElement.clientWidth];
    }));
    check(r.length >= 2, label + ': bars ' + r.length);
    check(r.every((x) => x[0] === r[0][0] && x[1] === r[0][1]), label + ': bars not aligned ' + JSON.stringify(r));
    check(r.every((x) => x[2] >= 100 && x[1] <= x[3]), label + ': bars too small or off screen ' + JSON.stringify(r));
  };
  const page = await env.page('planner');
  page.on('dialog', (d) => d.accept());
  const ready = () => page.waitForSelector('#cpas-body[data-ready="1"]');

  await env.test('plans of the mission; the framework tree', async () => {
    await env.open(page, 'cpas');
    await ready();
    const rows = await page.$$eval('#cpas-plan-table tbody tr', (r) => r.map((x) => x.textContent));
    check(rows.length === 1 && rows[0].includes('ACR mission plan 2026'), JSON.stringify(rows));
    await page.click('#cpas-plan-table tbody tr');
    await page.waitForSelector('#cpas-tree');
    const tree = await page.textContent('#cpas-tree');
    check(tree.includes('Protection of civilians') && tree.includes('Patrols in hotspots') &&
      tree.includes('Civilians killed by armed groups'), tree);
  });

  await env.test('the framework editor adds an outcome and an indicator, and shows a refusal', async () => {
    await page.selectOption('#cpas-nn-level', 'outcome');
    await page.fill('#cpas-nn-title', 'Safe return of displaced people');
    await page.click('#cpas-new-node-submit');
    const inTree = (w) => page.waitForFunction((x) => (document.getElementById('cpas-tree') || { textContent: '' })
      .textContent.includes(x), w);
    await inTree('Safe return of displaced people');
    await page.click('#cpas-new-node-submit'); // empty title now
    await page.waitForFunction(() => (document.getElementById('cpas-new-node-msg') || { textContent: '' })
      .textContent.includes('title'));
    await page.selectOption('#cpas-ni-node', { label: 'Intended outcome: Safe return of displaced people' });
    await page.fill('#cpas-ni-name', 'Returnees per quarter');
    await page.fill('#cpas-ni-bv', '1000');
    await page.fill('#cpas-ni-bp', '2025');
    await page.fill('#cpas-ni-targets', '2026-Q4=5000');
    await page.click('#cpas-new-ind-submit');
    await inTree('Returnees per quarter');
    await env.shot(page, 'cpas-framework-en');
  });

  await env.test('data-entry grid: a period\'s values entered and approved', async () => {
    await page.click('#cpas-tab-data');
    await page.waitForSelector('#cpas-grid');
    await page.selectOption('#cpas-d-period', '2026-Q3');
    await page.waitForFunction(() => document.getElementById('cpas-d-period') && document.getElementById('cpas-d-period').value === '2026-Q3' && document.getElementById('cpas-grid'));
    await page.fill(`#cpas-v-${killed.id}`, '80');
    await page.fill(`#cpas-n-${killed.id}`, 'JMAC verified count');
    await page.fill(`#cpas-v-${patrols.id}`, '88');
    await page.click('#cpas-grid-save');
    await page.waitForFunction(() => document.getElementById('cpas-grid-msg') &&
      document.getElementById('cpas-grid-msg').textContent.includes('2'));
    const txt = await page.textContent('#cpas-grid');
    check(txt.includes('draft'), txt);
    await env.shot(page, 'cpas-data-en');
    for (let i = 0; i < 2; i++) {
      await page.click('.cpas-approve-dp');
      await page.waitForFunction((n) => document.querySelectorAll('.cpas-approve-dp').length === n, 1 - i);
    }
    const txt2 = await page.textContent('#cpas-grid');
    check(!txt2.includes('draft') && txt2.includes('approved'), txt2);
  });

  await env.test('dashboard: status, outcome bars, and an indicator chart', async () => {
    await page.click('#cpas-tab-dashboard');
    await page.waitForSelector('#cpas-dash-table');
    const sum = await page.textContent('#cpas-summary');
    check(/1\s*On track/.test(sum) || sum.includes('On track'), sum);
    const rows = await page.$$eval('#cpas-dash-table tbody tr', (r) => r.map((x) => x.textContent));
    check(rows.some((r) => r.includes('Civilians killed by armed groups') && r.includes('80')), JSON.stringify(rows));
    await page.click(`#cpas-dash-table tr[data-ind="${killed.id}"]`);
    await page.waitForSelector('#cpas-chart');
    const dots = await page.$$eval('#cpas-chart circle', (c) => c.length);
    const targets = await page.$$eval('#cpas-chart path.cpas-target', (c) => c.length);
    check(dots === 3 && targets === 2, `dots ${dots}, targets ${targets}`);
    const bars = await page.$$eval('#cpas-outcomes .cpas-outcome', (o) => o.length);
    check(bars === 2, 'two outcomes: ' + bars);
    await barsAligned(page, '1366');
    await env.shot(page, 'cpas-dashboard-en');
    // At phone width too: the bars line up and stay on the screen.
    const phone = await env.page('planner', { width: 390, height: 844 });
    await env.open(phone, 'cpas', 'plan', plan.id, 'dashboard');
    await phone.waitForSelector('#cpas-outcomes .cpas-bar');
    await barsAligned(phone, '390');
    // Nothing pushes the page past the screen: wide tables scroll in their box.
    const over = await phone.evaluate(() => document.getElementById('page-view').scrollWidth -
      document.getElementById('page-view').clientWidth);
    check(over <= 0, 'the page overflows the phone screen by ' + over + ' px');
    await env.shot(phone, 'cpas-dashboard-phone');
    await phone.context().close();
    await page.$eval('#cpas-chart-box', (e) => e.scrollIntoView());
    await env.shot(page, 'cpas-chart-en');
  });

  await env.test('factsheet links answer HTML and a PDF', async () => {
    const html = await page.getAttribute('#cpas-factsheet', 'href');
    const pdf = await page.getAttribute('#cpas-factsheet-pdf', 'href');
    const r = await page.evaluate(async ([a, b]) => {
      const x = await fetch(a), y = await fetch(b);
      const bytes = new Uint8Array(await y.arrayBuffer());
      return [x.status, (await x.text()).includes('Civilians killed by armed groups'), y.status,
        y.headers.get('content-type'), String.fromCharCode(...bytes.slice(0, 5))];
    }, [html, pdf]);
    check(r[0] === 200 && r[1] && r[2] === 200 && r[3] === 'application/pdf' && r[4] === '%PDF-', JSON.stringify(r));
  });

  await env.test('context analysis: drivers, stakeholders and their map', async () => {
    await page.click('#cpas-tab-context');
    await page.waitForSelector('#cpas-map');
    const map = await page.$$eval('#cpas-map tbody tr', (r) => r.map((x) => x.textContent));
    check(map[0].includes('1') && map[1].includes('1'), JSON.stringify(map)); // high/hostile, medium/champion
    await page.fill('#cpas-dr-title', 'Illegal mining revenues');
    await page.click('#cpas-new-driver-submit');
    await page.waitForFunction(() => (document.getElementById('cpas-drivers') || { textContent: '' }).textContent
      .includes('Illegal mining revenues'));
    await env.shot(page, 'cpas-context-en');
  });

  await env.test('assessment: a planner cannot decide; leadership accepts the recommendation', async () => {
    await page.click('#cpas-tab-assessments');
    await page.waitForSelector('#cpas-assessments');
    // A planner sees the recommendation's state, not the decision buttons
    // (only a mission administrator of the mission decides; the API refuses
    // the planner's decision).
    check(await page.$$eval('.cpas-accept, .cpas-reject', (b) => b.length) === 0, 'planner sees Accept/Reject');
    check(await page.isVisible('.cpas-recs .badge.cpas-rstatus-proposed'), 'planner sees the state');
    check((await page.textContent('.cpas-recs')).includes('Awaiting the decision of a mission administrator'), 'awaiting');
    check(await page.$('#cpas-approve') === null, 'planner sees Approve the plan');
    await env.shot(page, 'cpas-assessment-planner');
    await api('POST', `${C}/recommendations/${rec.id}/decision`, { decision: 'accepted' }, 403);
    const boss = await env.page('madmin');
    boss.on('dialog', (d) => d.accept());
    await env.open(boss, 'cpas', 'plan', plan.id, 'assessments');
    await boss.waitForSelector('#cpas-body[data-ready="1"]');
    await boss.click('.cpas-accept');
    await boss.waitForFunction(() => document.querySelector('.badge.cpas-rstatus-accepted'));
    await boss.waitForSelector('select.cpas-impl');
    await boss.selectOption('select.cpas-impl', 'implemented');
    await boss.waitForFunction(() => { const s = document.querySelector('select.cpas-impl'); return s && s.value === 'implemented'; });
    await env.shot(boss, 'cpas-assessment-en');
    await boss.click('#cpas-tab-framework');
    await boss.waitForSelector('#cpas-approve');
    await boss.click('#cpas-approve');
    await boss.waitForSelector('#cpas-revise');
    check((await boss.textContent('#cpas-plan-title')).includes('Approved'), 'approved');
  });

  await env.test('the pages in French', async () => {
    const fr = await env.page('planner', { lang: 'fr' });
    await env.open(fr, 'cpas', 'plan', plan.id, 'dashboard');
    await fr.waitForSelector('#cpas-dash-table');
    const tabs = await fr.textContent('.cpas-tabs');
    check(tabs.includes('Cadre de résultats') && tabs.includes('Tableau de bord'), tabs);
    const st = await fr.textContent('#cpas-summary');
    check(st.includes('En bonne voie') && st.includes('À risque'), st);
    await fr.click(`#cpas-dash-table tr[data-ind="${patrols.id}"]`);
    await fr.waitForSelector('#cpas-chart');
    await env.shot(fr, 'cpas-dashboard-fr');
  });
});
