// Module pages and the top navigation. The map (the common operational
// picture, app.js) is the page "#/map"; every domain module adds its own
// page from its own file (web/<module>.js, imported by web/modules.js):
//
//   registerPage({ id: 'pcrs', titleKey: 'nav.pcrs',
//                  visible: (user) => true,            // optional
//                  render: async (root, ctx) => {...} });
//
// render() fills 'root' (emptied before each call) and is called again when
// the page is opened, when the route's sub-path changes ("#/pcrs/req/42":
// ctx.path is ['req', '42']) and when the language changes. ctx carries
// the API client, the strings, the DOM helpers and the signed-in user.
import { api, qs, ApiError } from './api.js';
import { t, getLang, fmtNumber, fmtDate } from './i18n.js';
import { $, el, svg } from './dom.js';

const pages = [];
let user = null;
let onMap = null; // called when the map becomes visible again (Leaflet resize)
let current = null;

export function registerPage(p) {
  if (!p || !p.id || !p.titleKey || typeof p.render !== 'function')
    throw new Error('registerPage: id, titleKey and render are required');
  if (p.id === 'map' || pages.some((x) => x.id === p.id)) throw new Error('registerPage: duplicate id ' + p.id);
  pages.push(p);
}

export function pageIds() { return pages.map((p) => p.id); }

function route() {
  const h = (location.hash || '').replace(/^#\/?/, '');
  const parts = h.split('/').filter(Boolean).map(decodeURIComponent);
  return { id: parts[0] || 'map', path: parts.slice(1) };
}

export function go(id, ...path) {
  location.hash = '#/' + [id, ...path].map(encodeURIComponent).join('/');
}

function visiblePages() {
  return pages.filter((p) => !p.visible || p.visible(user));
}

// The header and the document title name the page shown.
function renderTitle(page) {
  const title = page ? 'PKO — ' + t(page.titleKey) : t('app.title');
  $('app-title').textContent = title;
  document.title = title;
}

function renderNav() {
  const nav = $('nav');
  nav.replaceChildren();
  const r = route();
  const link = (id, key) => {
    const a = el('a', { href: '#/' + id, text: t(key), id: 'nav-' + id });
    if (r.id === id) a.setAttribute('aria-current', 'page');
    return a;
  };
  nav.append(link('map', 'nav.map'));
  for (const p of visiblePages()) nav.append(link(p.id, p.titleKey));
  nav.hidden = false;
}

async function show() {
  if (!user) return;
  const r = route();
  document.body.dataset.page = '';
  renderNav();
  const page = visiblePages().find((p) => p.id === r.id);
  const view = $('page-view');
  if (!page) {
    current = null;
    view.hidden = true;
    view.replaceChildren();
    $('app-view').hidden = false;
    renderTitle(null);
    if (onMap) onMap();
    document.body.dataset.page = 'map';
    return;
  }
  current = { page, path: r.path };
  renderTitle(page);
  $('app-view').hidden = true;
  view.hidden = false;
  const root = el('div', { class: 'page page-' + page.id });
  view.replaceChildren(root);
  const ctx = { api, qs, ApiError, t, lang: getLang(), el, svg, $, fmtNumber, fmtDate, user, path: r.path, go,
    rerender: () => show() };
  try {
    await page.render(root, ctx);
  } catch (e) {
    root.append(el('p', { class: 'error', role: 'alert', text: t('page.error', { msg: e.message || String(e) }) }));
  }
  document.body.dataset.page = page.id;
}

// Called by app.js once signed in.
export function startPages(signedIn, mapShown) {
  user = signedIn;
  onMap = mapShown;
  if (!startPages.bound) {
    window.addEventListener('hashchange', show);
    startPages.bound = true;
  }
  return show();
}

// Called by app.js on sign-out.
export function stopPages() {
  user = null;
  current = null;
  $('nav').hidden = true;
  renderTitle(null);
  $('page-view').hidden = true;
  $('page-view').replaceChildren();
}

// Called by app.js when the language changes.
export function rerenderPages() {
  if (!user) return;
  if (current) show(); else renderNav();
}
