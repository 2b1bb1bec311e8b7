#!/usr/bin/env node
// The top navigation: the map and every module page registered in
// web/modules.js open without a script error, in English and in French.
'use strict';
const h = require('./harness');

h.main(async (env) => {
  await env.user('admin', 'system_admin');
  for (const lang of ['en', 'fr']) {
    const page = await env.page('admin', { lang });
    const links = await page.$$eval('#nav a', (as) => as.map((a) => ({ id: a.id.replace(/^nav-/, ''), text: a.textContent })));
    await env.test(`${lang}: the navigation lists the map and the module pages`, async () => {
      env.check(links.length >= 1 && links[0].id === 'map', 'first link is the map: ' + JSON.stringify(links));
      env.check(links.every((l) => l.text && !l.text.startsWith('nav.')), 'every link has a translated label: ' + JSON.stringify(links));
      env.check(await page.getAttribute('#nav-map', 'aria-current') === 'page', 'map is the current page');
    });
    for (const l of links.filter((x) => x.id !== 'map')) {
      await env.test(`${lang}: ${l.id} page opens from the navigation`, async () => {
        await page.click('#nav-' + l.id);
        await page.waitForFunction((i) => document.body.dataset.page === i, l.id);
        env.check(await page.isHidden('#app-view'), 'map hidden');
        env.check(await page.getAttribute('#nav-' + l.id, 'aria-current') === 'page', 'link marked current');
        env.check(!(await page.$('#page-view .error[role=alert]')), 'no page error');
        await env.shot(page, `nav-${l.id}-${lang}`);
      });
    }
    await env.test(`${lang}: back to the map`, async () => {
      await page.click('#nav-map');
      await page.waitForSelector('#map', { state: 'visible' });
      env.check(await page.isHidden('#page-view'), 'page view hidden');
    });
    await page.context().close();
  }
});
