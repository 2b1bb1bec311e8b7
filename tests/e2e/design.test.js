#!/usr/bin/env node
// The mission design page in headless Chromium: the catalogue (30 models,
// 6 modalities, filter by capability, a model's detail with its raw and
// normalised capabilities), the composer wizard from a crisis profile to a
// stored design, the design's derived units, its draft requirements in PCRS,
// feasibility and CPAS plan skeleton, a life cycle step, and the mandate
// report on the flawed example; in English and French.
'use strict';
const h = require('./harness');

h.main(async (env) => {
  await env.user('admin', 'system_admin');
  await env.user('planner', 'planner:MINUSCA');
  const admin = await env.api('admin');
  await admin('POST', '/api/v1/missions', { name: 'MINUSCA mission', acronym: 'MINUSCA', status: 'active' });
  const page = await env.page('planner');

  await env.test('catalogue: 30 models, 6 modalities, filter by capability', async () => {
    await env.open(page, 'design');
    await page.waitForSelector('#design-models .design-model');
    env.check(await page.locator('#design-models .design-model').count() === 30, '30 model cards');
    env.check(await page.locator('table.design-modalities tbody tr').count() === 6, '6 modalities');
    env.check(await page.locator('ol.design-components li').count() === 21, '21 components');
    await page.selectOption('#design-cap-filter', 'naval');
    const ids = await page.$$eval('#design-models .design-model', (as) => as.map((a) => a.dataset.model));
    env.check(JSON.stringify(ids) === JSON.stringify(['21', '30']), 'naval: models 21 and 30, got ' + ids);
    await page.selectOption('#design-cap-filter', '');
    await env.shot(page, 'design-catalogue', false);
  });

  await env.test('a model: purpose, tasks, raw and normalised capabilities, source lines', async () => {
    await page.click('[data-model="22"] h3 a');
    await page.waitForSelector('#design-model-title');
    env.check((await page.textContent('#design-model-title')).includes('Humanitarian Accompaniment'), 'title');
    const raws = await page.$$eval('table.design-caps tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
    env.check(raws.filter((r) => r === 'aviation').length === 2, 'aviation twice as in the study: ' + raws);
    env.check((await page.textContent('.page-design')).includes('000_7f7c5e6c24e24b33.txt'), 'source file shown');
  });

  let designUrl = null;
  await env.test('composer: profile -> proposals with reasons -> a stored design', async () => {
    await env.open(page, 'design', 'compose');
    await page.waitForSelector('#design-profile');
    for (const s of ['armed_conflict', 'violence_against_civilians', 'mass_atrocities', 'armed_groups_disarming'])
      await page.check('#dsig-' + s);
    await page.selectOption('#dp-urgency', 'high');
    await page.click('#design-propose');
    await page.waitForSelector('.design-proposal');
    const models = await page.$$eval('.design-proposal', (ls) => ls.map((l) => l.dataset.model));
    env.check(models[0] === '2' && models.includes('3') && models.includes('12'), 'proposals: ' + models);
    env.check((await page.textContent('.design-proposal[data-model="2"]')).includes('Rapid Deployment Level'), 'reason citing the RDL');
    env.check(await page.locator('.design-proposal cite').count() > 3, 'reasons cite the study');
    await page.fill('#dc-title', 'CAR protection design');
    await page.fill('#dc-date', '2031-03-01');
    await env.shot(page, 'design-compose');
    await page.click('#design-create');
    await page.waitForSelector('#design-title');
    designUrl = await page.evaluate(() => location.hash);
    env.check((await page.textContent('#design-title')) === 'CAR protection design', 'design page');
    env.check(await page.locator('table.design-units tbody tr').count() > 3, 'derived units');
  });

  await env.test('design: drafts in PCRS, feasibility, plan skeleton, life cycle', async () => {
    await page.click('#design-push');
    await page.waitForSelector('#design-pushed');
    const reqs = await admin('GET', '/api/v1/pcrs/requirements?limit=200');
    env.check(reqs.items.length > 3 && reqs.items.every((r) => r.status === 'draft'), 'drafts in PCRS');
    await page.click('#design-feas');
    await page.waitForSelector('#design-feas-verdict');
    env.check((await page.textContent('#design-feas-verdict')).includes('90'), 'verdict against 90 days');
    await page.click('#design-plan');
    await page.waitForSelector('#design-plan-done');
    // The plan is a link to its page in the CPAS module, named by its title.
    const dsg = await admin('GET', '/api/v1/design/missions/' + designUrl.split('/').pop());
    const cp = await admin('GET', '/api/v1/cpas/plans/' + dsg.plan_id);
    env.check(await page.getAttribute('#design-plan-link', 'href') === `#/cpas/plan/${dsg.plan_id}/framework`, 'plan link');
    env.check((await page.textContent('#design-plan-link')) === cp.title && !(await page.textContent('#design-plan-done')).includes(dsg.plan_id),
      'plan link text: ' + (await page.textContent('#design-plan-done')));
    await page.click('#design-next');
    await page.waitForFunction(() => document.getElementById('design-state') &&
      document.getElementById('design-state').textContent === 'planning');
    await page.click('#design-feas');
    await page.waitForSelector('#design-feas-verdict');
    await env.shot(page, 'design-mission');
    await page.click('#design-plan-link');
    await page.waitForSelector('#cpas-body[data-ready="1"] #cpas-plan-title');
    env.check((await page.textContent('#cpas-plan-title')).includes(cp.title), 'the CPAS plan page');
  });

  await env.test('mandate report: the flawed example breaks the rules, each finding cited', async () => {
    await env.open(page, 'design', 'mandate');
    await page.click('#design-check');
    await page.waitForSelector('table.design-findings');
    const rules = await page.$$eval('table.design-findings tbody tr td:first-child', (tds) => tds.map((t) => t.textContent));
    for (const r of ['MC01', 'MC02', 'MC06', 'MC07', 'MC08', 'MC09', 'MC11'])
      env.check(rules.includes(r), r + ' in ' + rules);
    env.check((await page.textContent('table.design-findings')).includes('000_7f7c5e6c24e24b33.txt:362'), 'C34 cited');
    await env.shot(page, 'design-mandate');
    await page.click('#design-sound');
    await page.click('#design-check');
    await page.waitForSelector('#design-report .crit-pass');
    env.check(!(await page.$('table.design-findings')), 'sound example: no finding table');
  });

  await page.context().close();
  const fr = await env.page('planner', { lang: 'fr' });
  await env.test('fr: the page and the report in French', async () => {
    await env.open(fr, 'design', 'mandate');
    await fr.click('#design-check');
    await fr.waitForSelector('#design-report-summary');
    env.check((await fr.textContent('#design-report-summary')).includes('erreurs'), 'French summary');
    env.check((await fr.textContent('#design-tab-compose')) === 'Composer', 'French tab');
    await env.open(fr, 'design', ...designUrl.replace('#/design/', '').split('/'));
    await fr.waitForSelector('#design-state');
    env.check((await fr.textContent('#design-state')) === 'planification', 'French state');
    env.check((await fr.textContent('#design-benchmark')).startsWith('Un mandat du Conseil'), 'French benchmark');
    await env.open(fr, 'design');
    await fr.waitForSelector('table.design-modalities');
    env.check((await fr.textContent('table.design-modalities')).includes('Opérations hybrides'), 'French modalities');
    env.check((await fr.textContent('#design-models')).includes('Mobilité protégée'), 'French capability labels');
    await env.shot(fr, 'design-mission-fr');
  });
});
