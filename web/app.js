// PKO web interface: session, map, filters, dashboard, histogram, incident
// detail, reporting form and verification queue. Plain ES module; Leaflet
// and topojson-client are loaded before it as classic scripts (window.L,
// window.topojson).
import { api, qs, setCsrf, setOnExpired, ApiError } from './api.js';
import { t, getLang, setLang, applyI18n, categoryLabel, fmtNumber, fmtDate } from './i18n.js';
import { $, el } from './dom.js';
import { startPages, stopPages, rerenderPages } from './pages.js';
import './modules.js';


const S = {
  user: null,
  categories: [],       // [{code,label,parent}]
  missions: [],
  map: null,
  layer: null,          // clusters / events
  sitesLayer: null,     // mission bases
  sites: [],            // [{site, acronym}]
  boundaries: {},       // name -> {layer, loading}
  span: null,           // {min, max} days since 1970 of the data, for the slider
  pick: null,           // marker of the location picked for the form
  mapAbort: null,
  lastMap: null,
  lastDash: null,
  lastHist: null,
  current: null,        // incident shown in the detail panel
  editing: null,        // {id, version} when the form edits
  activeTab: 'filters',
};

const STATUSES = ['draft', 'submitted', 'returned', 'rejected', 'verified', 'published'];
const SOURCE_TYPES = ['un_patrol', 'un_personnel', 'local_authority', 'community_alert_network', 'ngo',
  'media', 'social_media', 'dataset', 'host_security', 'other'];
const GROUPS = ['civilians', 'un_uniformed', 'un_civilian', 'security_forces', 'armed_groups'];
const FORM_FIELDS = ['mission_id', 'title', 'category', 'occurred_start', 'lat', 'lon', 'place', 'country',
  'killed_civilians', 'injured_civilians', 'source_type', 'source_reliability', 'source_credibility', 'narrative'];

function isAnalyst() {
  const r = (S.user && S.user.roles) || [];
  return r.some((x) => /^(analyst|mission_admin|system_admin)(:|$)/.test(x));
}

/* ==== Session ============================================================= */

function showLogin(msg) {
  S.user = null;
  setCsrf(null);
  stopPages();
  $('app-view').hidden = true;
  $('login-view').hidden = false;
  $('logout').hidden = true;
  $('whoami').textContent = '';
  $('login-error').textContent = msg || '';
  $('login-user').focus();
}

async function startApp(session) {
  S.user = session.user;
  setCsrf(session.csrf_token);
  $('login-view').hidden = true;
  $('app-view').hidden = false;
  $('logout').hidden = false;
  renderWho();
  $('tab-queue').hidden = !isAnalyst();
  initMap();
  await Promise.all([loadCategories(), loadMissions(), loadSpan()]);
  refreshAll();
  loadSites();
  loadBoundaryList();
  if (isAnalyst()) loadQueue();
  await startPages(S.user, () => { if (S.map) S.map.invalidateSize(); });
}

function renderWho() {
  if (!S.user) return;
  $('whoami').textContent = t('who', { user: S.user.username, roles: (S.user.roles || []).join(', ') });
}

async function login(ev) {
  ev.preventDefault();
  const username = $('login-user').value.trim();
  const password = $('login-pass').value;
  $('login-error').textContent = '';
  if (!username || !password) {
    $('login-error').textContent = t('login.failed', { msg: t('create.required') });
    return;
  }
  try {
    const s = await api('POST', '/session', { username, password }, { noExpire: true });
    $('login-pass').value = '';
    await startApp(s);
  } catch (e) {
    $('login-error').textContent = e.status === 0 ? t('login.offline') : t('login.failed', { msg: e.message });
  }
}

async function logout() {
  try { await api('DELETE', '/session'); } catch (e) { /* gone already */ }
  showLogin('');
}

/* ==== Filters ============================================================= */

function filters() {
  const f = {
    from: $('f-from').value, to: $('f-to').value, category: $('f-category').value,
    status: $('f-status').value, min_killed: $('f-min-killed').value, q: $('f-q').value.trim(),
  };
  return f;
}

let filterTimer = null;
function onFilterChange() {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(refreshAll, 250);
}

function refreshAll() {
  refreshMap();
  refreshDashboard();
  refreshHistogram();
}

async function loadCategories() {
  try {
    const js = await api('GET', '/incidents/categories');
    S.categories = js.items;
  } catch (e) { S.categories = []; }
  renderCategorySelects();
}

function renderCategorySelects() {
  for (const [id, firstKey] of [['f-category', 'filters.category.all'], ['c-category', 'create.choose']]) {
    const sel = $(id);
    const keep = sel.value;
    sel.replaceChildren(el('option', { value: '', text: t(firstKey) }));
    for (const c of S.categories) {
      const depth = c.code.split('.').length - 1;
      sel.append(el('option', { value: c.code, text: '\u00a0\u00a0'.repeat(depth) + categoryLabel(c.code, c.label) }));
    }
    sel.value = keep;
  }
}

async function loadMissions() {
  try {
    const js = await api('GET', '/missions?limit=200');
    S.missions = js.items || [];
  } catch (e) { S.missions = []; }
  const sel = $('c-mission_id');
  const keep = sel.value;
  sel.replaceChildren(el('option', { value: '', text: t('create.choose') }));
  for (const m of S.missions) sel.append(el('option', { value: m.id, text: m.acronym + ' — ' + m.name }));
  if (keep) sel.value = keep;
  else if (S.missions.length === 1) sel.value = S.missions[0].id;
}

function renderStaticSelects() {
  const st = $('c-source_type'); const k1 = st.value;
  st.replaceChildren(el('option', { value: '', text: t('create.choose') }),
    ...SOURCE_TYPES.map((s) => el('option', { value: s, text: t('src.' + s) })));
  st.value = k1;
  const r = $('c-source_reliability'); const k2 = r.value;
  r.replaceChildren(el('option', { value: '', text: t('create.choose') }),
    ...'ABCDEF'.split('').map((s) => el('option', { value: s, text: t('rel.' + s) })));
  r.value = k2;
  const c = $('c-source_credibility'); const k3 = c.value;
  c.replaceChildren(el('option', { value: '', text: t('create.choose') }),
    ...'123456'.split('').map((s) => el('option', { value: s, text: t('cred.' + s) })));
  c.value = k3;
}

/* ==== Time range slider ================================================== */

const DAY = 86400000;
const dayOf = (iso) => Math.floor(Date.parse(iso) / DAY);
const isoOf = (d) => new Date(d * DAY).toISOString().slice(0, 10);

// The span of all incidents the caller may see, from a yearly histogram
// without filters: the slider's ends.
async function loadSpan() {
  try {
    const js = await api('GET', '/incidents/histogram' + qs({ bucket: 'year' }));
    const bins = js.bins || [];
    if (!bins.length) return;
    const last = new Date(bins[bins.length - 1].start);
    const end = Date.UTC(last.getUTCFullYear() + 1, 0, 1) / DAY - 1;
    S.span = { min: dayOf(bins[0].start), max: Math.max(end, dayOf(bins[0].start) + 1) };
  } catch (e) { S.span = null; }
  const fs = $('f-range');
  fs.hidden = !S.span;
  if (!S.span) return;
  for (const id of ['f-range-from', 'f-range-to']) {
    $(id).min = S.span.min;
    $(id).max = S.span.max;
  }
  syncSlider();
}

// Dates -> slider handles (an empty date puts its handle at the end).
function syncSlider() {
  if (!S.span) return;
  const clamp = (v) => Math.max(S.span.min, Math.min(S.span.max, v));
  const f = $('f-from').value, to = $('f-to').value;
  $('f-range-from').value = f && !isNaN(Date.parse(f)) ? clamp(dayOf(f)) : S.span.min;
  $('f-range-to').value = to && !isNaN(Date.parse(to)) ? clamp(dayOf(to)) : S.span.max;
  renderSliderOut();
}

function renderSliderOut() {
  if (!S.span) return;
  const a = Number($('f-range-from').value), b = Number($('f-range-to').value);
  $('f-range-out').textContent = a <= S.span.min && b >= S.span.max ? t('filters.range.all')
    : fmtDate(isoOf(a)) + ' – ' + fmtDate(isoOf(b));
  for (const [id, v] of [['f-range-from', a], ['f-range-to', b]]) $(id).setAttribute('aria-valuetext', fmtDate(isoOf(v)));
}

// Slider handles -> dates; the handles never cross. The form's input event
// then redraws the map, counts and histogram.
function onSlider(e) {
  const from = $('f-range-from'), to = $('f-range-to');
  let a = Number(from.value), b = Number(to.value);
  if (a > b) {
    if (e.target === from) { b = a; to.value = b; } else { a = b; from.value = a; }
  }
  $('f-from').value = a <= S.span.min ? '' : isoOf(a);
  $('f-to').value = b >= S.span.max ? '' : isoOf(b);
  renderSliderOut();
}

/* ==== Map ================================================================= */

function initMap() {
  if (S.map) { setTimeout(() => S.map.invalidateSize(), 0); return; }
  const L = window.L;
  S.map = L.map('map', { worldCopyJump: false, minZoom: 2, maxZoom: 16, zoomControl: true,
    attributionControl: true, keyboard: true }).setView([5, 20], 3);
  S.map.attributionControl.setPrefix(false);
  S.map.attributionControl.addAttribution(t('map.attribution'));
  S.layer = L.layerGroup().addTo(S.map);
  S.sitesLayer = L.layerGroup();
  if ($('layer-sites').checked) S.sitesLayer.addTo(S.map);
  fetch('/assets/countries-110m.json').then((r) => r.json()).then((world) => {
    const geo = window.topojson.feature(world, world.objects.countries);
    // Antarctica runs along the map's edge; rings that cross the antimeridian
    // (Fiji, Chukotka) are unwrapped so they do not streak across the map.
    geo.features = geo.features.filter((f) => f.id !== '010');
    for (const f of geo.features) {
      const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const poly of polys) for (const ring of poly) {
        if (ring.some((p) => p[0] > 170) && ring.some((p) => p[0] < -170))
          for (const p of ring) if (p[0] < 0) p[0] += 360;
      }
    }
    S.basemap = L.geoJSON(geo, { interactive: false,
      style: { color: '#8795a3', weight: 0.7, fillColor: '#eef0ea', fillOpacity: 1 } }).addTo(S.map).bringToBack();
  });
  S.map.on('moveend', refreshMap);
  S.map.on('click', onMapClick);
}

/* ==== Mission bases and boundaries ======================================= */

// The sites of the missions the caller sees (active ones when there are
// many), drawn as a layer of their own.
async function loadSites() {
  let ms = S.missions;
  if (ms.length > 20) ms = ms.filter((m) => m.status === 'active');
  const all = [];
  await Promise.all(ms.slice(0, 40).map(async (m) => {
    try {
      const js = await api('GET', '/missions/' + encodeURIComponent(m.id) + '/sites?limit=200');
      for (const site of js.items || []) all.push({ site, acronym: m.acronym });
    } catch (e) { /* a mission without sites, or gone */ }
  }));
  S.sites = all;
  drawSites();
}

function drawSites() {
  const L = window.L;
  if (!S.sitesLayer) return;
  S.sitesLayer.clearLayers();
  for (const { site, acronym } of S.sites) {
    const kind = t('site.kind.' + site.kind);
    const label = t('site.label', { name: site.name, kind, mission: acronym });
    const icon = L.divIcon({ className: 'site-marker kind-' + site.kind, iconSize: site.kind.endsWith('_hq') ? [18, 18] : [13, 13] });
    const m = L.marker([site.lat, site.lon], { icon, keyboard: true, title: label, alt: label, zIndexOffset: 500 });
    const box = el('div', { class: 'site-popup' },
      el('strong', { text: site.name }), el('br'),
      el('span', { text: kind + ' — ' + acronym }),
      site.troops !== null && site.troops !== undefined ? el('div', { text: t('site.troops', { n: fmtNumber(site.troops) }) }) : null,
      site.contributors ? el('div', { class: 'muted', text: t('site.contributors', { list: site.contributors }) }) : null,
      site.as_of ? el('div', { class: 'muted', text: t('site.as_of', { d: site.as_of }) }) : null);
    m.bindPopup(box);
    m.addTo(S.sitesLayer);
  }
  $('map').dataset.sites = S.sites.length;
  $('sites-count').textContent = S.sites.length ? t('layers.sites.count', { n: fmtNumber(S.sites.length) }) : '';
}

function onSitesToggle() {
  if (!S.map) return;
  if ($('layer-sites').checked) S.sitesLayer.addTo(S.map);
  else S.sitesLayer.remove();
}

async function loadBoundaryList() {
  let items = [];
  try { items = (await api('GET', '/boundaries')).items || []; } catch (e) { items = []; }
  const box = $('boundary-list');
  box.replaceChildren(...items.map((b) => el('label', {},
    el('input', { type: 'checkbox', 'data-boundary': b.name, onchange: onBoundaryToggle }),
    ' ', el('span', { class: 'boundary-key', 'aria-hidden': 'true' }), ' ',
    el('span', { 'data-name': b.name, text: t('layers.boundary', { name: boundaryName(b.name) }) }))));
}

// "gadm_car_adm2" -> "CAR adm2"; "gadm40_COD_adm1" -> "COD adm1".
function boundaryName(n) {
  const parts = n.split('_').filter((p) => !/^gadm\d*$/i.test(p));
  return parts.map((p) => (/^adm\d$/i.test(p) ? p.toLowerCase() : p.toUpperCase())).join(' ');
}

async function onBoundaryToggle(e) {
  const L = window.L;
  const name = e.target.dataset.boundary;
  const b = S.boundaries[name] || (S.boundaries[name] = {});
  if (!e.target.checked) { if (b.layer) b.layer.remove(); return; }
  if (!b.layer) {
    if (b.loading) return;
    b.loading = true;
    try {
      const r = await fetch('/api/v1/boundaries/' + encodeURIComponent(name), { credentials: 'same-origin' });
      if (!r.ok) throw new ApiError(r.status, null);
      b.layer = L.geoJSON(await r.json(), { interactive: false,
        style: { color: '#6b4fa0', weight: 0.8, opacity: 0.8, fill: false } });
    } catch (err) { showDashError(err); e.target.checked = false; return; }
    finally { b.loading = false; }
  }
  if (e.target.checked) { b.layer.addTo(S.map); if (S.basemap) S.basemap.bringToBack(); }
}

function bboxParam() {
  const b = S.map.getBounds();
  const c = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
  return [c(b.getWest(), -180, 180), c(b.getSouth(), -90, 90), c(b.getEast(), -180, 180), c(b.getNorth(), -90, 90)]
    .map((v) => v.toFixed(4)).join(',');
}

async function refreshMap() {
  if (!S.map) return;
  if (S.mapAbort) S.mapAbort.abort();
  const ctl = new AbortController();
  S.mapAbort = ctl;
  const zoom = Math.round(S.map.getZoom());
  let js;
  try {
    js = await api('GET', '/incidents/map' + qs({ ...filters(), bbox: bboxParam(), zoom }), undefined, { signal: ctl.signal });
  } catch (e) {
    if (e.name !== 'AbortError') showDashError(e);
    return;
  }
  S.lastMap = js;
  drawMap(js);
}

function drawMap(js) {
  const L = window.L;
  S.layer.clearLayers();
  const mapEl = $('map');
  mapEl.dataset.mode = js.mode;
  mapEl.dataset.total = js.total;
  if (js.mode === 'clusters') {
    for (const c of js.clusters) {
      const size = Math.round(22 + Math.min(40, 7 * Math.log2(c.count)));
      const icon = L.divIcon({ className: 'cluster' + (c.killed >= c.count * 10 ? ' heavy' : ''),
        html: '<span>' + fmtNumber(c.count) + '</span>', iconSize: [size, size] });
      const m = L.marker([c.lat, c.lon], { icon, keyboard: true, title: t('map.cluster', { n: c.count }),
        alt: t('map.cluster', { n: c.count }) });
      m.on('click', () => S.map.setView([c.lat, c.lon], Math.min(S.map.getZoom() + 2, 16)));
      m.addTo(S.layer);
    }
  } else {
    for (const ev of js.events) {
      const cls = 'event-dot st-' + ev.status + (ev.killed_total > 0 ? ' killed' : '');
      const icon = L.divIcon({ className: cls, iconSize: [14, 14] });
      const label = ev.title + ' — ' + fmtDate(ev.occurred_start);
      const m = L.marker([ev.lat, ev.lon], { icon, keyboard: true, title: label, alt: label });
      m.on('click', () => openIncident(ev.id));
      m.addTo(S.layer);
    }
  }
}

function onMapClick(e) {
  if (S.activeTab !== 'create') return;
  const L = window.L;
  const lat = e.latlng.lat, lon = L.Util.wrapNum(e.latlng.lng, [-180, 180], true);
  $('c-lat').value = lat.toFixed(5);
  $('c-lon').value = lon.toFixed(5);
  clearFieldError('lat'); clearFieldError('lon');
  if (S.pick) S.pick.setLatLng(e.latlng);
  else S.pick = L.marker(e.latlng, { icon: L.divIcon({ className: 'pick-marker', iconSize: [16, 16] }), interactive: false }).addTo(S.map);
}

/* ==== Dashboard and histogram ============================================ */

function showDashError(e) {
  $('total-count').textContent = t('error.generic', { msg: e.message });
}

async function refreshDashboard() {
  const f = filters();
  $('total-count').textContent = t('dash.loading');
  // Groups to count: the top-level categories, or the chosen one and its children.
  let groups = S.categories.filter((c) => !c.parent);
  if (f.category) {
    groups = S.categories.filter((c) => c.code === f.category || c.parent === f.category);
  }
  try {
    // One pass over the index: counts and killed per category (a parent
    // includes its children) for the current filter.
    const st = await api('GET', '/incidents/stats' + qs(f));
    const byCode = new Map(st.categories.map((c) => [c.code, c.count]));
    S.lastDash = { total: st.total, killed: st.killed,
                   parts: groups.map((g) => ({ g, n: byCode.get(g.code) || 0 })) };
    renderDashboard();
  } catch (e) { showDashError(e); }
}

function renderDashboard() {
  const d = S.lastDash;
  if (!d) return;
  $('total-count').textContent = d.total === 1 ? t('dash.total.one') : t('dash.total', { n: fmtNumber(d.total) });
  $('total-count').dataset.n = d.total;
  $('total-killed').textContent = t('dash.killed', { n: fmtNumber(d.killed) });
  const ul = $('by-category');
  ul.replaceChildren(...d.parts.filter((p) => p.n > 0).sort((a, b) => b.n - a.n).map((p) =>
    el('li', { 'data-code': p.g.code }, categoryLabel(p.g.code, p.g.label), el('b', { text: fmtNumber(p.n) }))));
}

async function refreshHistogram() {
  const f = filters();
  let bucket = 'month';
  if (f.from && f.to) {
    const days = (Date.parse(f.to) - Date.parse(f.from)) / 86400000;
    bucket = days <= 62 ? 'day' : days <= 730 ? 'week' : days <= 8000 ? 'month' : 'year';
  }
  try {
    let js = await api('GET', '/incidents/histogram' + qs({ ...f, bucket }));
    if (js.bins.length > 240 && bucket !== 'year') {
      bucket = 'year';
      js = await api('GET', '/incidents/histogram' + qs({ ...f, bucket }));
    }
    S.lastHist = js;
    renderHistogram();
  } catch (e) { $('hist-title').textContent = t('error.generic', { msg: e.message }); }
}

function renderHistogram() {
  const js = S.lastHist;
  if (!js) return;
  const svg = $('hist-svg');
  const NS = 'http://www.w3.org/2000/svg';
  svg.replaceChildren();
  const bins = js.bins;
  $('hist-title').textContent = bins.length ? t('hist.title', { bucket: t('bucket.' + js.bucket) }) : t('hist.empty');
  $('hist-first').textContent = bins.length ? fmtDate(bins[0].start) : '';
  $('hist-last').textContent = bins.length > 1 ? fmtDate(bins[bins.length - 1].start) : '';
  const max = Math.max(1, ...bins.map((b) => b.count));
  const w = 1000 / Math.max(1, bins.length);
  bins.forEach((b, i) => {
    const h = Math.max(b.count ? 2 : 0, (b.count / max) * 98);
    const r = document.createElementNS(NS, 'rect');
    r.setAttribute('x', (i * w).toFixed(2));
    r.setAttribute('y', (100 - h).toFixed(2));
    r.setAttribute('width', Math.max(0.5, w - (w > 3 ? 1 : 0)).toFixed(2));
    r.setAttribute('height', h.toFixed(2));
    const title = document.createElementNS(NS, 'title');
    title.textContent = t('hist.bar', { start: fmtDate(b.start), n: fmtNumber(b.count), k: fmtNumber(b.killed) });
    r.append(title);
    svg.append(r);
  });
}

/* ==== Tabs ================================================================ */

const TABS = ['filters', 'detail', 'create', 'queue'];
function selectTab(name, focus) {
  S.activeTab = name;
  for (const n of TABS) {
    const on = n === name;
    $('tab-' + n).setAttribute('aria-selected', on ? 'true' : 'false');
    $('tab-' + n).tabIndex = on ? 0 : -1;
    $('panel-' + n).hidden = !on;
  }
  $('map').classList.toggle('picking', name === 'create');
  if (name !== 'create' && S.pick) { S.pick.remove(); S.pick = null; }
  if (focus) $('tab-' + name).focus();
}

function onTabKey(e) {
  const visible = TABS.filter((n) => !$('tab-' + n).hidden);
  const i = visible.indexOf(S.activeTab);
  let next = null;
  if (e.key === 'ArrowRight') next = visible[(i + 1) % visible.length];
  else if (e.key === 'ArrowLeft') next = visible[(i - 1 + visible.length) % visible.length];
  else if (e.key === 'Home') next = visible[0];
  else if (e.key === 'End') next = visible[visible.length - 1];
  if (next) { e.preventDefault(); selectTab(next, true); }
}

/* ==== Incident detail ===================================================== */

async function openIncident(id) {
  selectTab('detail');
  const box = $('detail');
  box.replaceChildren(el('p', { class: 'muted', text: t('dash.loading') }));
  try {
    const [inc, hist] = await Promise.all([api('GET', '/incidents/' + id), api('GET', '/incidents/' + id + '/history')]);
    S.current = { inc, hist: hist.items || [] };
    renderDetail();
  } catch (e) {
    box.replaceChildren(el('p', { class: 'error', text: t('error.generic', { msg: e.message }) }));
  }
}

function kv(dl, key, value) {
  if (value === undefined || value === null || value === '') return;
  dl.append(el('dt', { text: t(key) }), el('dd', {}, value));
}

function renderDetail() {
  if (!S.current) return;
  const { inc, hist } = S.current;
  const box = $('detail');
  const mission = S.missions.find((m) => m.id === inc.mission_id);
  const dl = el('dl', { class: 'kv' });
  kv(dl, 'detail.status', el('span', { class: 'badge st-' + inc.status, id: 'detail-status', text: t('status.' + inc.status) }));
  kv(dl, 'detail.reason', inc.status_reason);
  kv(dl, 'detail.category', categoryLabel(inc.category, inc.category_label));
  kv(dl, 'detail.when', fmtDate(inc.occurred_start) + (inc.occurred_end && inc.occurred_end !== inc.occurred_start ? ' – ' + fmtDate(inc.occurred_end) : ''));
  kv(dl, 'detail.where', [inc.place, inc.admin2, inc.admin1, inc.country].filter(Boolean).join(', '));
  if (inc.lat !== null && inc.lat !== undefined) kv(dl, 'detail.coords', Number(inc.lat).toFixed(4) + ', ' + Number(inc.lon).toFixed(4));
  kv(dl, 'detail.mission', mission ? mission.acronym : inc.mission_id);
  kv(dl, 'detail.classification', t('class.' + inc.classification) === 'class.' + inc.classification ? inc.classification : t('class.' + inc.classification));

  const actors = el('dl', { class: 'kv' });
  const actor = (a) => (a ? a.name + (a.actor_type ? ' (' + a.actor_type.replace(/_/g, ' ') + ')' : '') : t('detail.none'));
  kv(actors, 'detail.perpetrator', actor(inc.perpetrator));
  kv(actors, 'detail.target', actor(inc.target));

  const cas = el('table', { class: 'cas' });
  cas.append(el('tr', {}, el('th', { text: '' }), el('th', { text: t('detail.killed') }), el('th', { text: t('detail.injured') }), el('th', { text: t('detail.abducted') })));
  let anyCas = false;
  const row = (label, pre) => {
    const v = ['killed', 'injured', 'abducted'].map((k) => inc[k + '_' + pre]);
    if (v.every((x) => !x)) return;
    anyCas = true;
    cas.append(el('tr', {}, el('th', { text: label }), ...v.map((x) => el('td', { text: x ? fmtNumber(x) : '–' }))));
  };
  for (const g of GROUPS) row(t('grp.' + g), g);
  const womenRow = ['killed', 'injured', 'abducted'].map((k) => inc['women_' + k]);
  const childRow = ['killed', 'injured', 'abducted'].map((k) => inc['children_' + k]);
  for (const [label, vals] of [[t('grp.women'), womenRow], [t('grp.children'), childRow]]) {
    if (vals.every((x) => !x)) continue;
    anyCas = true;
    cas.append(el('tr', {}, el('th', { text: label }), ...vals.map((x) => el('td', { text: x ? fmtNumber(x) : '–' }))));
  }
  const totals = el('dl', { class: 'kv' });
  if (inc.killed_total !== undefined && inc.killed_total !== null) {
    const range = inc.killed_low !== null && inc.killed_low !== undefined ? ' (' + inc.killed_low + '–' + (inc.killed_high ?? '?') + ')' : '';
    kv(totals, 'detail.killed_total', fmtNumber(inc.killed_total) + range);
  }

  const src = el('dl', { class: 'kv' });
  kv(src, 'detail.source_type', inc.source_type ? t('src.' + inc.source_type) : null);
  kv(src, 'detail.reliability', inc.source_reliability ? t('rel.' + inc.source_reliability) : null);
  kv(src, 'detail.credibility', inc.source_credibility ? t('cred.' + inc.source_credibility) : null);

  const hl = el('ol', { class: 'history', id: 'detail-history' });
  for (const h of hist) {
    const when = h.time || h.at || h.created_at || h.hlc_time || '';
    const fields = h.fields ? Object.keys(h.fields).filter((k) => k !== 'version') : [];
    const statusTxt = h.fields && h.fields.status ? ' → ' + t('status.' + h.fields.status) : '';
    hl.append(el('li', {}, (when ? fmtDate(when) + ' — ' : '') + (h.author_name || h.author || '?') + ': ' +
      t('op.' + h.op) + statusTxt + (fields.length ? ' (' + t('detail.history.fields', { fields: fields.join(', ') }) + ')' : '')));
  }
  if (!hist.length) hl.append(el('li', { text: t('detail.history.empty') }));

  const wf = workflowBox(inc);
  box.replaceChildren(...[
    el('h2', { id: 'detail-title', text: inc.title }),
    dl,
    inc.narrative ? el('h3', { text: t('detail.narrative') }) : null,
    inc.narrative ? el('p', { class: 'narrative', text: inc.narrative }) : null,
    el('h3', { text: t('detail.actors') }), actors,
    el('h3', { text: t('detail.casualties') }), totals, anyCas ? cas : el('p', { class: 'muted', text: t('detail.none') }),
    el('h3', { text: t('detail.source') }), src,
    wf,
    el('h3', { text: t('detail.history') }), hl,
  ].filter(Boolean));
}

function workflowBox(inc) {
  const box = el('div', { class: 'workflow' });
  const msg = el('p', { class: 'error', role: 'alert', id: 'wf-msg' });
  const reasonId = 'wf-reason';
  const reason = el('textarea', { id: reasonId, rows: 2 });
  const act = (status) => async () => {
    msg.textContent = '';
    if ((status === 'returned' || status === 'rejected') && !reason.value.trim()) {
      msg.textContent = t('queue.reason_needed');
      reason.classList.add('invalid');
      reason.focus();
      return;
    }
    try {
      await api('POST', '/incidents/' + inc.id + '/transition', { status, reason: reason.value.trim() || undefined });
      await openIncident(inc.id);
      refreshAll();
      if (isAnalyst()) loadQueue();
    } catch (e) { msg.textContent = t('error.generic', { msg: e.message }); }
  };
  const btns = el('div', { class: 'buttons' });
  btns.append(el('button', { type: 'button', class: 'secondary', id: 'wf-edit', text: t('detail.edit'), onclick: () => startEdit(inc) }));
  if (inc.status === 'draft' || inc.status === 'returned')
    btns.append(el('button', { type: 'button', id: 'wf-submit', text: t('detail.submit'), onclick: act('submitted') }));
  let needsReason = false;
  if (isAnalyst() && inc.status === 'submitted') {
    needsReason = true;
    btns.append(el('button', { type: 'button', class: 'good', id: 'wf-verify', text: t('queue.verify'), onclick: act('verified') }),
      el('button', { type: 'button', class: 'secondary', id: 'wf-return', text: t('queue.return'), onclick: act('returned') }),
      el('button', { type: 'button', class: 'danger', id: 'wf-reject', text: t('queue.reject'), onclick: act('rejected') }));
  }
  if (isAnalyst() && inc.status === 'verified') {
    needsReason = true;
    btns.append(el('button', { type: 'button', class: 'good', id: 'wf-publish', text: t('detail.publish'), onclick: act('published') }),
      el('button', { type: 'button', class: 'secondary', id: 'wf-return', text: t('queue.return'), onclick: act('returned') }));
  }
  if (needsReason) box.append(el('label', { for: reasonId, text: t('queue.reason') }), reason);
  box.append(btns, msg);
  return box;
}

/* ==== Create / edit ======================================================= */

function clearFieldError(f) {
  const e = $('err-' + f);
  if (e) e.textContent = '';
  const i = $('c-' + f);
  if (i) { i.classList.remove('invalid'); i.removeAttribute('aria-invalid'); }
}

function setFieldError(f, msg) {
  const e = $('err-' + f), i = $('c-' + f);
  if (!e || !i) return false;
  e.textContent = msg;
  i.classList.add('invalid');
  i.setAttribute('aria-invalid', 'true');
  return true;
}

function resetForm() {
  $('create-form').reset();
  for (const f of FORM_FIELDS) clearFieldError(f);
  $('create-error').textContent = '';
  S.editing = null;
  $('create-heading').dataset.i18n = 'create.title';
  $('create-submit').dataset.i18n = 'create.save';
  applyI18n($('create-form'));
  if (S.missions.length === 1) $('c-mission_id').value = S.missions[0].id;
  if (S.pick) { S.pick.remove(); S.pick = null; }
}

function startEdit(inc) {
  resetForm();
  S.editing = { id: inc.id, version: inc.version };
  for (const f of FORM_FIELDS) {
    const i = $('c-' + f);
    let v = inc[f];
    if (f === 'occurred_start' && v) v = String(v).slice(0, 10);
    if (i && v !== undefined && v !== null) i.value = String(v);
  }
  $('create-heading').dataset.i18n = 'edit.title';
  $('create-submit').dataset.i18n = 'create.update';
  applyI18n($('create-form'));
  $('create-ok').textContent = '';
  selectTab('create');
  $('c-title').focus();
}

function formBody() {
  const b = {};
  let ok = true;
  for (const f of FORM_FIELDS) {
    const raw = $('c-' + f).value.trim();
    if (raw === '') continue;
    if (['lat', 'lon'].includes(f)) {
      const n = Number(raw.replace(',', '.'));
      if (!Number.isFinite(n)) { setFieldError(f, t('create.number')); ok = false; continue; }
      b[f] = n;
    } else if (['killed_civilians', 'injured_civilians', 'source_credibility'].includes(f)) {
      const n = Number(raw);
      if (!Number.isInteger(n)) { setFieldError(f, t('create.number')); ok = false; continue; }
      b[f] = n;
    } else b[f] = raw;
  }
  if (!S.editing) {
    for (const f of ['mission_id', 'title', 'category', 'occurred_start']) {
      if (!(f in b)) { setFieldError(f, t('create.required')); ok = false; }
    }
  }
  return ok ? b : null;
}

async function submitForm(ev) {
  ev.preventDefault();
  for (const f of FORM_FIELDS) clearFieldError(f);
  $('create-error').textContent = '';
  $('create-ok').textContent = '';
  const b = formBody();
  if (!b) { focusFirstError(); return; }
  try {
    let inc;
    if (S.editing) {
      b.version = S.editing.version;
      delete b.mission_id;
      inc = await api('PATCH', '/incidents/' + S.editing.id, b);
    } else {
      inc = await api('POST', '/incidents', b);
    }
    const wasEdit = !!S.editing;
    resetForm();
    $('create-ok').textContent = wasEdit ? t('create.updated') : t('create.saved', { title: inc.title || b.title });
    refreshAll();
    if (inc && inc.id) {
      if (inc.lat !== undefined && inc.lat !== null) S.map.setView([inc.lat, inc.lon], Math.max(S.map.getZoom(), 8));
      await openIncident(inc.id);
    }
  } catch (e) {
    if (e instanceof ApiError && e.field && setFieldError(e.field, e.message)) { focusFirstError(); return; }
    $('create-error').textContent = t('error.generic', { msg: e.message });
  }
}

function focusFirstError() {
  for (const f of FORM_FIELDS) if ($('err-' + f).textContent) { $('c-' + f).focus(); return; }
}

/* ==== Verification queue ================================================== */

async function loadQueue() {
  const ul = $('queue-list');
  try {
    const js = await api('GET', '/incidents' + qs({ status: 'submitted', limit: 50, count: 1 }));
    renderQueue(js.items || [], js.total || 0);
  } catch (e) {
    ul.replaceChildren();
    $('queue-msg').textContent = t('error.generic', { msg: e.message });
  }
}

let lastQueue = null;
function renderQueue(items, total) {
  lastQueue = { items, total };
  const ul = $('queue-list');
  if (!items.length) { ul.replaceChildren(el('li', { class: 'muted', text: t('queue.empty') })); return; }
  ul.replaceChildren(...items.map((inc, i) => {
    const rid = 'q-reason-' + i;
    const reason = el('input', { id: rid });
    const msg = el('p', { class: 'error', role: 'alert' });
    const act = (status) => async () => {
      msg.textContent = '';
      if (status !== 'verified' && !reason.value.trim()) {
        msg.textContent = t('queue.reason_needed'); reason.classList.add('invalid'); reason.focus(); return;
      }
      try {
        await api('POST', '/incidents/' + inc.id + '/transition', { status, reason: reason.value.trim() || undefined });
        $('queue-msg').textContent = t('queue.done', { title: inc.title, status: t('status.' + status) });
        loadQueue();
        refreshAll();
      } catch (e) { msg.textContent = t('error.generic', { msg: e.message }); }
    };
    return el('li', { 'data-id': inc.id },
      el('div', { class: 'qtitle', text: inc.title }),
      el('div', { class: 'qmeta', text: fmtDate(inc.occurred_start) + ' · ' + categoryLabel(inc.category, inc.category_label) + (inc.place ? ' · ' + inc.place : '') }),
      el('label', { for: rid, text: t('queue.reason') }), reason,
      el('div', { class: 'buttons' },
        el('button', { type: 'button', class: 'secondary', text: t('queue.open'), onclick: () => openIncident(inc.id) }),
        el('button', { type: 'button', class: 'good q-verify', text: t('queue.verify'), onclick: act('verified') }),
        el('button', { type: 'button', class: 'secondary q-return', text: t('queue.return'), onclick: act('returned') }),
        el('button', { type: 'button', class: 'danger q-reject', text: t('queue.reject'), onclick: act('rejected') })),
      msg);
  }));
  $('tab-queue').textContent = t('tab.queue') + (total ? ' (' + total + ')' : '');
}

/* ==== Language ============================================================ */

function rerender() {
  applyI18n(document);
  $('lang').value = getLang();
  renderWho();
  renderCategorySelects();
  renderStaticSelects();
  renderDashboard();
  renderHistogram();
  if (S.current) renderDetail();
  renderSliderOut();
  for (const sp of document.querySelectorAll('#boundary-list [data-name]'))
    sp.textContent = t('layers.boundary', { name: boundaryName(sp.dataset.name) });
  drawSites();
  if (lastQueue) renderQueue(lastQueue.items, lastQueue.total);
  if (S.map) {
    S.map.attributionControl.removeAttribution('Basemap: Natural Earth');
    S.map.attributionControl.removeAttribution('Fond de carte : Natural Earth');
    S.map.attributionControl.addAttribution(t('map.attribution'));
    if (S.lastMap) drawMap(S.lastMap);
  }
  rerenderPages();
}

/* ==== Start =============================================================== */

async function main() {
  applyI18n(document);
  $('lang').value = getLang();
  renderStaticSelects();
  $('lang').addEventListener('change', (e) => { setLang(e.target.value); rerender(); });
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('filter-form').addEventListener('input', onFilterChange);
  $('filter-form').addEventListener('change', onFilterChange);
  $('filter-form').addEventListener('reset', () => setTimeout(() => { syncSlider(); refreshAll(); }, 0));
  $('f-range-from').addEventListener('input', onSlider);
  $('f-range-to').addEventListener('input', onSlider);
  $('f-from').addEventListener('change', syncSlider);
  $('f-to').addEventListener('change', syncSlider);
  $('f-from').addEventListener('input', syncSlider);
  $('f-to').addEventListener('input', syncSlider);
  $('layer-sites').addEventListener('change', onSitesToggle);
  $('filter-form').addEventListener('submit', (e) => { e.preventDefault(); refreshAll(); });
  $('create-form').addEventListener('submit', submitForm);
  $('create-cancel').addEventListener('click', () => { resetForm(); $('create-ok').textContent = ''; });
  for (const f of FORM_FIELDS) $('c-' + f).addEventListener('input', () => clearFieldError(f));
  $('queue-refresh').addEventListener('click', loadQueue);
  for (const n of TABS) {
    $('tab-' + n).addEventListener('click', () => { selectTab(n); if (n === 'queue') loadQueue(); });
    $('tab-' + n).addEventListener('keydown', onTabKey);
  }
  selectTab('filters');
  setOnExpired(() => showLogin(t('login.expired')));
  try {
    const s = await api('GET', '/session', undefined, { noExpire: true });
    await startApp(s);
  } catch (e) {
    showLogin(e.status === 0 ? t('login.offline') : '');
  }
  document.body.dataset.ready = '1';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
