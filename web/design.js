// Mission design (docs/design.md): the catalogue of the Future of Peacekeeping
// study (30 models, 6 modalities, 21 mandate components, threats, success
// factors), the composer wizard (crisis profile -> proposed models with the
// study's reasons -> a mission design), mission designs with what they derive
// (units, cost, feasibility, PCRS drafts, CPAS plan skeleton, life cycle), and
// the mandate report (C34 criteria, every finding citing its rule).
//
// Routes: #/design (catalogue), #/design/model/N, #/design/compose,
// #/design/designs, #/design/designs/ID, #/design/mandate.
import { registerPage } from './pages.js';
import { addStrings } from './i18n.js';

addStrings({
  en: {
    'design.tab.catalogue': 'Catalogue', 'design.tab.compose': 'Compose', 'design.tab.designs': 'Designs',
    'design.tab.mandate': 'Mandate check',
    'design.models': '{n} models', 'design.modalities': 'Modalities', 'design.components': 'Mandate components (Security Council Affairs Division)',
    'design.threats': 'Threats', 'design.factors': 'Success factors', 'design.filter.cap': 'Needs capability',
    'design.any': 'any', 'design.purpose': 'Strategic purpose', 'design.tasks': 'Tasks', 'design.caps': 'Related capabilities',
    'design.caps.raw': 'As written in the study', 'design.links': 'Links', 'design.source': 'Source',
    'design.back': 'Back to the catalogue', 'design.col.model': 'Model', 'design.col.name': 'Name',
    'design.orgs': 'Organisations', 'design.c2': 'Command and control', 'design.hom': 'Head of mission',
    'design.fin': 'Financing', 'design.rules': 'Rules',
    'design.profile': 'Crisis profile', 'design.threats.present': 'Threats present', 'design.situations': 'Situations',
    'design.host_consent': 'Host consent', 'design.parties_consent': 'Consent of the main parties',
    'design.host_capacity': 'Host capacity', 'design.regional': 'Regional actors', 'design.urgency': 'Urgency',
    'design.v.full': 'full', 'design.v.partial': 'partial', 'design.v.none': 'none', 'design.v.low': 'low',
    'design.v.medium': 'medium', 'design.v.high': 'high', 'design.v.supportive': 'supportive',
    'design.v.deployed': 'deployed', 'design.v.leading': 'leading',
    'design.propose': 'Propose models', 'design.proposals': 'Proposed models', 'design.score': 'score {n}',
    'design.modality': 'Modality', 'design.phases': 'Phases', 'design.warnings': 'Warnings',
    'design.mission': 'Mission', 'design.title': 'Title', 'design.mandate_date': 'Mandate date',
    'design.create': 'Create the design', 'design.none': 'No design yet.', 'design.state': 'State',
    'design.state.assessment': 'assessment', 'design.state.planning': 'planning', 'design.state.start_up': 'start-up',
    'design.state.operating': 'operating', 'design.state.drawdown': 'drawdown', 'design.state.closed': 'closed',
    'design.units': 'Unit requirements (assumptions editable)', 'design.unit': 'Unit type', 'design.count': 'Count',
    'design.strength': 'Strength', 'design.for': 'For capabilities', 'design.phase': 'Phase', 'design.months': 'Months',
    'design.uniformed': 'Uniformed', 'design.civilian': 'Civilian', 'design.cost': 'Cost (USD)',
    'design.total': 'Total {usd} USD over {m} months (rates are planning assumptions)',
    'design.benchmark': 'Deployment benchmark: {kind}, {d} days after the mandate ({src})',
    'design.push': 'Push requirements to PCRS (drafts)', 'design.pushed': '{n} draft requirements in PCRS',
    'design.feas': 'Feasibility', 'design.feas.show': 'Check feasibility against pledges',
    'design.feas.unit': 'Unit type', 'design.feas.need': 'Needed', 'design.feas.levels': 'Pledged (by readiness level)',
    'design.feas.earliest': 'Earliest deployment', 'design.feas.meets': 'Meets the {d}-day benchmark',
    'design.feas.misses': 'Does not meet the {d}-day benchmark', 'design.feas.short': 'short by {n}',
    'design.plan': 'Create the CPAS plan skeleton', 'design.plan.done': 'CPAS plan (one outcome per model): ',
    'design.plan.open': 'open the plan',
    'design.next': 'Move to {s}', 'design.decision': 'Decision (resolution, hand-over record)',
    'design.mcheck': 'Mandate report', 'design.mandate.json': 'Mandate (JSON)', 'design.check': 'Check the mandate',
    'design.example.flawed': 'Load a flawed example', 'design.example.sound': 'Load a sound example',
    'design.findings': '{e} errors, {w} warnings', 'design.rule': 'Rule', 'design.criterion': 'Criterion',
    'design.severity': 'Severity', 'design.finding': 'Finding', 'design.sources': 'Sources',
    'design.clean': 'No finding: the mandate meets every rule.', 'design.bad_json': 'The mandate is not valid JSON: {msg}',
    'design.crit.pass': 'pass', 'design.crit.fail': 'fail', 'design.crit.concern': 'concern',
    'design.open': 'Open', 'design.models.chosen': 'Models',
    'design.sf.supportive': 'supportive', 'design.sf.at_risk': 'at risk',
  },
  fr: {
    'design.tab.catalogue': 'Catalogue', 'design.tab.compose': 'Composer', 'design.tab.designs': 'Conceptions',
    'design.tab.mandate': 'Examen du mandat',
    'design.models': '{n} modèles', 'design.modalities': 'Modalités', 'design.components': 'Composantes des mandats (Division des affaires du Conseil de sécurité)',
    'design.threats': 'Menaces', 'design.factors': 'Facteurs de succès', 'design.filter.cap': 'Capacité requise',
    'design.any': 'toutes', 'design.purpose': 'Objectif stratégique', 'design.tasks': 'Tâches', 'design.caps': 'Capacités associées',
    'design.caps.raw': 'Telles qu’écrites dans l’étude', 'design.links': 'Liens', 'design.source': 'Source',
    'design.back': 'Retour au catalogue', 'design.col.model': 'Modèle', 'design.col.name': 'Nom',
    'design.orgs': 'Organisations', 'design.c2': 'Commandement et contrôle', 'design.hom': 'Chef de mission',
    'design.fin': 'Financement', 'design.rules': 'Règles',
    'design.profile': 'Profil de crise', 'design.threats.present': 'Menaces présentes', 'design.situations': 'Situations',
    'design.host_consent': 'Consentement de l’État hôte', 'design.parties_consent': 'Consentement des principales parties',
    'design.host_capacity': 'Capacités de l’État hôte', 'design.regional': 'Acteurs régionaux', 'design.urgency': 'Urgence',
    'design.v.full': 'plein', 'design.v.partial': 'partiel', 'design.v.none': 'aucun', 'design.v.low': 'faible',
    'design.v.medium': 'moyenne', 'design.v.high': 'élevée', 'design.v.supportive': 'favorables',
    'design.v.deployed': 'déployés', 'design.v.leading': 'en tête',
    'design.propose': 'Proposer des modèles', 'design.proposals': 'Modèles proposés', 'design.score': 'score {n}',
    'design.modality': 'Modalité', 'design.phases': 'Phases', 'design.warnings': 'Avertissements',
    'design.mission': 'Mission', 'design.title': 'Titre', 'design.mandate_date': 'Date du mandat',
    'design.create': 'Créer la conception', 'design.none': 'Aucune conception.', 'design.state': 'État',
    'design.state.assessment': 'évaluation', 'design.state.planning': 'planification', 'design.state.start_up': 'démarrage',
    'design.state.operating': 'exécution', 'design.state.drawdown': 'retrait', 'design.state.closed': 'clôturée',
    'design.units': 'Besoins en unités (hypothèses modifiables)', 'design.unit': 'Type d’unité', 'design.count': 'Nombre',
    'design.strength': 'Effectif', 'design.for': 'Pour les capacités', 'design.phase': 'Phase', 'design.months': 'Mois',
    'design.uniformed': 'En uniforme', 'design.civilian': 'Civils', 'design.cost': 'Coût (USD)',
    'design.total': 'Total {usd} USD sur {m} mois (les taux sont des hypothèses de planification)',
    'design.benchmark': 'Délai de déploiement de référence : {kind}, {d} jours après le mandat ({src})',
    'design.push': 'Transmettre les besoins au PCRS (brouillons)', 'design.pushed': '{n} besoins en brouillon dans le PCRS',
    'design.feas': 'Faisabilité', 'design.feas.show': 'Vérifier la faisabilité au regard des engagements',
    'design.feas.unit': 'Type d’unité', 'design.feas.need': 'Requis', 'design.feas.levels': 'Engagés (par niveau de préparation)',
    'design.feas.earliest': 'Déploiement au plus tôt', 'design.feas.meets': 'Respecte le délai de {d} jours',
    'design.feas.misses': 'Ne respecte pas le délai de {d} jours', 'design.feas.short': 'il en manque {n}',
    'design.plan': 'Créer l’ébauche de plan CPAS', 'design.plan.done': 'Plan CPAS (un résultat par modèle) : ',
    'design.plan.open': 'ouvrir le plan',
    'design.next': 'Passer à : {s}', 'design.decision': 'Décision (résolution, procès-verbal de passation)',
    'design.mcheck': 'Rapport sur le mandat', 'design.mandate.json': 'Mandat (JSON)', 'design.check': 'Examiner le mandat',
    'design.example.flawed': 'Charger un exemple défectueux', 'design.example.sound': 'Charger un exemple solide',
    'design.findings': '{e} erreurs, {w} avertissements', 'design.rule': 'Règle', 'design.criterion': 'Critère',
    'design.severity': 'Gravité', 'design.finding': 'Constat', 'design.sources': 'Sources',
    'design.clean': 'Aucun constat : le mandat satisfait à toutes les règles.', 'design.bad_json': 'Le mandat n’est pas un JSON valide : {msg}',
    'design.crit.pass': 'conforme', 'design.crit.fail': 'non conforme', 'design.crit.concern': 'à revoir',
    'design.open': 'Ouvrir', 'design.models.chosen': 'Modèles',
    'design.sf.supportive': 'favorable', 'design.sf.at_risk': 'à risque',
  },
});

// Examples for the mandate report (the API test's fixtures carry the same shapes).
const FLAWED = {
  chapter: 'VI', host_consent: 'partial',
  tasks: [
    { component: 20, text: 'Protect civilians under threat of physical violence throughout the country' },
    { component: 3, text: 'Secure the coastline and interdict arms smuggling at sea' },
    { component: 12, text: 'Provide electoral assistance within existing resources' },
    { component: 21, text: 'Use all necessary means to carry out its mandate' },
    { component: 9, text: 'Monitor, investigate and report on human rights violations' },
    { component: 2, text: 'Monitor the ceasefire along the line of separation' },
    { component: 7, text: 'Support the disarmament and cantonment of armed groups' },
    { component: 8, text: 'Facilitate the delivery of humanitarian assistance' },
    { component: 13, text: 'Support the extension of state authority' },
    { component: 15, text: 'Assist the sanctions panel of experts' },
    { text: 'Support peace and stability as appropriate' },
  ],
  resources: { capabilities: ['human_rights'], units: [{ unit_type: 'formed_police_unit', count: 2 }] },
  exit_benchmarks: [],
};
const SOUND = {
  chapter: 'VII', host_consent: 'full', parties_consent: 'full',
  tasks: [
    { component: 20, text: 'Protect civilians under threat of physical violence', priority: 1, phase: 'start_up' },
    { component: 11, text: 'Support the political process and local mediation', priority: 1, phase: 'start_up' },
    { component: 9, text: 'Monitor and report on human rights', priority: 2, phase: 'main' },
    { component: 19, text: 'Assess the mission\'s impact every six months', priority: 3, phase: 'main' },
  ],
  resources: { capabilities: ['aviation', 'political_civil_affairs', 'human_rights', 'data_analytics'],
    units: [{ unit_type: 'infantry_battalion', count: 3 }] },
  exit_benchmarks: ['State security forces deployed in all prefectures'],
};

// Element.append() would print "null" for the optional parts: skip them.
const add = (parent, ...kids) => { parent.append(...kids.filter((k) => k !== null && k !== undefined && k !== false)); };

const cache = {};
async function cat(ctx, name) {
  if (!cache[name]) cache[name] = await ctx.api('GET', '/design/' + name);
  return cache[name];
}

function tabs(ctx, active) {
  const b = (id, key, path) => ctx.el('button', { type: 'button', role: 'tab', id: 'design-tab-' + id,
    'aria-selected': active === id ? 'true' : 'false', text: ctx.t(key), onclick: () => ctx.go('design', ...path) });
  return ctx.el('div', { class: 'tabs design-tabs', role: 'tablist' },
    b('catalogue', 'design.tab.catalogue', []), b('compose', 'design.tab.compose', ['compose']),
    b('designs', 'design.tab.designs', ['designs']), b('mandate', 'design.tab.mandate', ['mandate']));
}

// A catalogue field in the page's language: "label_fr" when French and given.
// The study's own text (model names, purposes, tasks) stays in English.
const loc = (ctx, obj, key) => (ctx.lang === 'fr' && obj[key + '_fr']) || obj[key];

const cite = (s) => s ? `${s.file}:${s.line}${s.end_line ? '-' + s.end_line : ''}` : '';

function table(ctx, cls, heads, rows) {
  return ctx.el('table', { class: 'design-table ' + (cls || '') },
    ctx.el('thead', {}, ctx.el('tr', {}, ...heads.map((h) => ctx.el('th', { text: h })))),
    ctx.el('tbody', {}, ...rows.map((r) => ctx.el('tr', {}, ...r.map((c) =>
      c instanceof Node ? ctx.el('td', {}, c) : ctx.el('td', { text: c === null || c === undefined ? '' : String(c) }))))));
}

// ---- Catalogue -----------------------------------------------------------

async function renderCatalogue(root, ctx) {
  const [models, caps, mods, comps, threats, factors] = await Promise.all([
    cat(ctx, 'models'), cat(ctx, 'capabilities'), cat(ctx, 'modalities'), cat(ctx, 'mandate-components'),
    cat(ctx, 'threats'), cat(ctx, 'success-factors')]);
  const capLabel = Object.fromEntries(caps.items.map((c) => [c.code, loc(ctx, c, 'label')]));
  const sel = ctx.el('select', { id: 'design-cap-filter' }, ctx.el('option', { value: '', text: ctx.t('design.any') }),
    ...caps.items.filter((c) => c.models.length).map((c) => ctx.el('option', { value: c.code, text: loc(ctx, c, 'label') })));
  const list = ctx.el('div', { class: 'design-models', id: 'design-models' });
  const count = ctx.el('h2', { id: 'design-model-count' });
  const fill = () => {
    const f = sel.value;
    const shown = models.items.filter((m) => !f || m.capability_codes.includes(f));
    count.textContent = ctx.t('design.models', { n: shown.length });
    list.replaceChildren(...shown.map((m) => ctx.el('article', { class: 'design-model card', 'data-model': m.id },
      ctx.el('h3', {}, ctx.el('a', { href: '#/design/model/' + m.id, text: `${m.id}. ${m.name}` })),
      ctx.el('p', { text: m.purpose }),
      ctx.el('p', { class: 'design-chips' }, ...m.capability_codes.map((c) => ctx.el('span', { class: 'chip', text: capLabel[c] || c }))),
      ctx.el('p', { class: 'muted', text: cite(m.source) }))));
  };
  sel.addEventListener('change', fill);
  fill();
  root.append(ctx.el('label', { class: 'design-filter' }, ctx.t('design.filter.cap') + ' ', sel), count, list,
    ctx.el('h2', { text: ctx.t('design.modalities') }),
    table(ctx, 'design-modalities', [ctx.t('design.col.name'), ctx.t('design.orgs'), ctx.t('design.c2'), ctx.t('design.hom'),
      ctx.t('design.fin'), ctx.t('design.rules'), ctx.t('design.source')],
    mods.items.map((m) => [loc(ctx, m, 'name'), loc(ctx, m, 'organisations'), loc(ctx, m, 'command_and_control'),
      loc(ctx, m, 'head_of_mission'), loc(ctx, m, 'financing'), loc(ctx, m, 'rules'), cite(m.source)])),
    ctx.el('h2', { text: ctx.t('design.components') }),
    ctx.el('ol', { class: 'design-components' }, ...comps.items.map((c) => ctx.el('li', { text: c.name }))),
    ctx.el('h2', { text: ctx.t('design.threats') }),
    ctx.el('ul', {}, ...threats.items.map((x) => ctx.el('li', {}, ctx.el('b', { text: x.name }), ' — ' + x.summary + ' (' + cite(x.source) + ')'))),
    ctx.el('h2', { text: ctx.t('design.factors') }),
    ctx.el('ol', {}, ...factors.items.map((x) => ctx.el('li', { text: x.name + ' (' + cite(x.source) + ')' }))));
}

async function renderModel(root, ctx, id) {
  const m = await ctx.api('GET', '/design/models/' + encodeURIComponent(id));
  add(root, ctx.el('p', {}, ctx.el('a', { href: '#/design', text: ctx.t('design.back') })),
    ctx.el('h2', { id: 'design-model-title', text: `${m.id}. ${m.name}` }),
    ctx.el('h3', { text: ctx.t('design.purpose') }), ctx.el('p', { text: m.purpose }),
    ctx.el('h3', { text: ctx.t('design.tasks') }), ctx.el('ul', {}, ...m.tasks.map((x) => ctx.el('li', { text: x }))),
    ctx.el('h3', { text: ctx.t('design.caps') }),
    table(ctx, 'design-caps', [ctx.t('design.caps.raw'), 'code'], m.capabilities.map((c) => [c.raw, c.codes.join(', ')])),
    m.links.length ? ctx.el('h3', { text: ctx.t('design.links') }) : null,
    m.links.length ? ctx.el('ul', {}, ...m.links.map((l) => ctx.el('li', {},
      ctx.el('a', { href: '#/design/model/' + l.model, text: `${l.relation} → ${l.model}` })))) : null,
    ctx.el('p', { class: 'muted', text: `${ctx.t('design.source')}: ${m.source.file}, lines ${m.source.line}, ${m.source.purpose_line}, ${m.source.capabilities_line}` }));
}

// ---- Composer wizard -----------------------------------------------------

const choices = (ctx, id, values, dflt) => ctx.el('select', { id },
  ...values.map((v) => ctx.el('option', { value: v, text: ctx.t('design.v.' + v), selected: v === dflt })));

async function renderCompose(root, ctx) {
  const [signals, missions] = await Promise.all([cat(ctx, 'signals'), ctx.api('GET', '/missions?limit=200')]);
  const boxes = (kind) => ctx.el('div', { class: 'design-signals' }, ...signals.items.filter((s) => s.kind === kind).map((s) =>
    ctx.el('label', {}, ctx.el('input', { type: 'checkbox', value: s.code, 'data-kind': kind, id: 'dsig-' + s.code }), ' ' + s.label)));
  const f = {
    host: choices(ctx, 'dp-host', ['full', 'partial', 'none'], 'full'),
    parties: choices(ctx, 'dp-parties', ['full', 'partial', 'none'], 'full'),
    capacity: choices(ctx, 'dp-capacity', ['low', 'medium', 'high'], 'medium'),
    regional: choices(ctx, 'dp-regional', ['none', 'supportive', 'deployed', 'leading'], 'none'),
    urgency: choices(ctx, 'dp-urgency', ['low', 'medium', 'high'], 'medium'),
  };
  const out = ctx.el('div', { id: 'design-proposals' });
  const form = ctx.el('form', { class: 'design-profile', id: 'design-profile' },
    ctx.el('h2', { text: ctx.t('design.profile') }),
    ctx.el('fieldset', {}, ctx.el('legend', { text: ctx.t('design.threats.present') }), boxes('threat')),
    ctx.el('fieldset', {}, ctx.el('legend', { text: ctx.t('design.situations') }), boxes('situation')),
    ctx.el('div', { class: 'design-grid' },
      ctx.el('label', {}, ctx.t('design.host_consent'), f.host), ctx.el('label', {}, ctx.t('design.parties_consent'), f.parties),
      ctx.el('label', {}, ctx.t('design.host_capacity'), f.capacity), ctx.el('label', {}, ctx.t('design.regional'), f.regional),
      ctx.el('label', {}, ctx.t('design.urgency'), f.urgency)),
    ctx.el('div', { class: 'buttons' }, ctx.el('button', { type: 'submit', id: 'design-propose', text: ctx.t('design.propose') })));
  const profile = () => ({
    threats: [...form.querySelectorAll('input[data-kind=threat]:checked')].map((i) => i.value),
    situations: [...form.querySelectorAll('input[data-kind=situation]:checked')].map((i) => i.value),
    host_consent: f.host.value, parties_consent: f.parties.value, host_capacity: f.capacity.value,
    regional_actors: f.regional.value, urgency: f.urgency.value,
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    try {
      const p = profile();
      const r = await ctx.api('POST', '/design/compose', p);
      showProposals(ctx, out, r, p, missions.items || []);
    } catch (e) {
      out.append(ctx.el('p', { class: 'error', role: 'alert', text: e.message }));
    }
  });
  root.append(form, out);
}

function showProposals(ctx, out, r, profile, missions) {
  const items = r.proposals.map((p) => ctx.el('li', { class: 'design-proposal', 'data-model': p.model },
    ctx.el('label', {}, ctx.el('input', { type: 'checkbox', value: p.model, checked: true, class: 'pick' }),
      ctx.el('b', { text: ` ${p.model}. ${p.name} ` }), ctx.el('span', { class: 'muted', text: ctx.t('design.score', { n: p.score }) })),
    ctx.el('ul', { class: 'design-reasons' }, ...p.reasons.map((x) => ctx.el('li', {}, x.text + ' ', ctx.el('cite', { text: x.cite }))))));
  const modSel = ctx.el('select', { id: 'dc-modality' }, ...['standalone', 'sequenced', 'parallel', 'joint', 'hybrid', 'un_authorized']
    .map((m) => ctx.el('option', { value: m, text: m, selected: m === r.modality.id })));
  const misSel = ctx.el('select', { id: 'dc-mission' }, ...missions.map((m) => ctx.el('option', { value: m.id, text: m.acronym })));
  const title = ctx.el('input', { id: 'dc-title', value: 'Design ' + new Date().toISOString().slice(0, 10) });
  const date = ctx.el('input', { id: 'dc-date', type: 'date' });
  const msg = ctx.el('p', { role: 'status' });
  const create = ctx.el('button', { type: 'button', id: 'design-create', text: ctx.t('design.create'), onclick: async () => {
    const models = [...out.querySelectorAll('input.pick:checked')].map((i) => Number(i.value));
    const phases = r.phases.map((ph) => ({ ...ph, models: ph.models.filter((m) => models.includes(m)) }));
    const body = { mission_id: misSel.value, title: title.value, profile, models, modality: modSel.value, phases };
    if (date.value) body.mandate_date = date.value;
    try {
      const d = await ctx.api('POST', '/design/missions', body);
      ctx.go('design', 'designs', d.id);
    } catch (e) {
      msg.className = 'error';
      msg.textContent = e.message + (e.field ? ' (' + e.field + ')' : '');
    }
  } });
  add(out, ctx.el('h2', { text: ctx.t('design.proposals') }), ctx.el('ol', { class: 'design-proposals' }, ...items),
    ctx.el('h3', { text: ctx.t('design.modality') }),
    ctx.el('ul', {}, ...r.modality.reasons.map((x) => ctx.el('li', {}, x.text + ' ', ctx.el('cite', { text: x.cite })))),
    ctx.el('h3', { text: ctx.t('design.factors') }),
    ctx.el('ul', { class: 'design-factors' }, ...r.success_factors.filter((x) => x.status !== 'not_assessed').map((x) =>
      ctx.el('li', { class: 'sf-' + x.status }, ctx.el('b', { text: `${x.name}: ${ctx.t('design.sf.' + x.status)}` }),
        ` — ${x.reason} `, ctx.el('cite', { text: x.cite })))),
    r.warnings.length ? ctx.el('h3', { text: ctx.t('design.warnings') }) : null,
    r.warnings.length ? ctx.el('ul', { class: 'design-warnings' }, ...r.warnings.map((x) => ctx.el('li', {}, x.text + ' ', ctx.el('cite', { text: x.cite })))) : null,
    ctx.el('div', { class: 'design-grid' }, ctx.el('label', {}, ctx.t('design.mission'), misSel), ctx.el('label', {}, ctx.t('design.title'), title),
      ctx.el('label', {}, ctx.t('design.modality'), modSel), ctx.el('label', {}, ctx.t('design.mandate_date'), date)),
    ctx.el('div', { class: 'buttons' }, create), msg);
}

// ---- Designs ---------------------------------------------------------------

async function renderDesigns(root, ctx) {
  const r = await ctx.api('GET', '/design/missions?limit=200');
  if (!r.items.length) { root.append(ctx.el('p', { text: ctx.t('design.none') })); return; }
  root.append(table(ctx, 'design-list', [ctx.t('design.title'), ctx.t('design.state'), ctx.t('design.models.chosen'), ctx.t('design.modality'), ''],
    r.items.map((d) => [d.title, ctx.t('design.state.' + d.state), (d.models || []).join(', '), d.modality || '',
      ctx.el('a', { href: '#/design/designs/' + d.id, text: ctx.t('design.open') })])));
}

async function renderDesign(root, ctx, id) {
  const [d, lc] = await Promise.all([ctx.api('GET', '/design/missions/' + encodeURIComponent(id)), cat(ctx, 'lifecycle')]);
  // The CPAS plan drafted from this design, by its title (a link to its page
  // in the CPAS module, route #/cpas/plan/<id>/framework).
  const plan = d.plan_id ? await ctx.api('GET', '/cpas/plans/' + encodeURIComponent(d.plan_id)).catch(() => null) : null;
  const der = d.derived;
  const msg = ctx.el('div', { id: 'design-msg', role: 'status' });
  const act = (label, idAttr, fn) => ctx.el('button', { type: 'button', id: idAttr, text: label, onclick: async () => {
    msg.replaceChildren();
    try { await fn(); } catch (e) { msg.append(ctx.el('p', { class: 'error', role: 'alert', text: e.message + (e.field ? ' (' + e.field + ')' : '') })); }
  } });
  const next = lc.transitions.find((x) => x.from === d.state);
  const decision = ctx.el('input', { id: 'design-decision', placeholder: ctx.t('design.decision') });
  const feas = ctx.el('div', { id: 'design-feasibility' });
  const buttons = ctx.el('div', { class: 'buttons' },
    d.pushed_requirements && d.pushed_requirements.length ? ctx.el('span', { id: 'design-pushed', text: ctx.t('design.pushed', { n: d.pushed_requirements.length }) })
      : act(ctx.t('design.push'), 'design-push', async () => { await ctx.api('POST', `/design/missions/${d.id}/requirements`, {}); ctx.rerender(); }),
    act(ctx.t('design.feas.show'), 'design-feas', async () => showFeasibility(ctx, feas, await ctx.api('GET', `/design/missions/${d.id}/feasibility`))),
    d.plan_id ? ctx.el('span', { id: 'design-plan-done' }, ctx.t('design.plan.done'),
      ctx.el('a', { id: 'design-plan-link', href: '#/cpas/plan/' + encodeURIComponent(d.plan_id) + '/framework',
        text: plan && plan.title ? plan.title : ctx.t('design.plan.open') }))
      : act(ctx.t('design.plan'), 'design-plan', async () => { await ctx.api('POST', `/design/missions/${d.id}/plan`, {}); ctx.rerender(); }),
    next ? decision : null,
    next ? act(ctx.t('design.next', { s: ctx.t('design.state.' + next.to) }), 'design-next', async () => {
      const body = { to: next.to };
      if (decision.value) body.decision = decision.value;
      await ctx.api('POST', `/design/missions/${d.id}/transition`, body);
      ctx.rerender();
    }) : null);
  add(root, ctx.el('h2', { id: 'design-title', text: d.title }),
    ctx.el('p', {}, ctx.el('b', { text: ctx.t('design.state') + ': ' }), ctx.el('span', { id: 'design-state', text: ctx.t('design.state.' + d.state) }),
      ' · ' + ctx.t('design.modality') + ': ' + (d.modality || '—') + ' · ' + ctx.t('design.models.chosen') + ': ' + (d.models || []).join(', ')),
    next ? ctx.el('p', { class: 'muted', id: 'design-benchmark', text: loc(ctx, next, 'benchmark') + ' (' + cite(next.source) + ')' }) : null,
    buttons, msg,
    ctx.el('h3', { text: ctx.t('design.units') }),
    table(ctx, 'design-units', [ctx.t('design.unit'), ctx.t('design.count'), ctx.t('design.strength'), ctx.t('design.for'), ctx.t('design.phases')],
      der.units.map((u) => [u.name, u.count, u.strength, u.capabilities.join(', '), u.phases.join(', ')])),
    ctx.el('h3', { text: ctx.t('design.phases') }),
    table(ctx, 'design-phases', [ctx.t('design.phase'), ctx.t('design.models.chosen'), ctx.t('design.months'), ctx.t('design.uniformed'), ctx.t('design.civilian'), ctx.t('design.cost')],
      der.phases.map((p) => [p.phase, p.models.join(', '), p.months, ctx.fmtNumber(p.uniformed), ctx.fmtNumber(p.civilian), ctx.fmtNumber(p.cost_usd)])),
    ctx.el('p', { id: 'design-total', text: ctx.t('design.total', { usd: ctx.fmtNumber(der.cost.total_usd), m: der.cost.months }) }),
    ctx.el('p', { text: ctx.t('design.benchmark', { kind: der.benchmark.kind, d: der.benchmark.days, src: der.benchmark.source }) }),
    feas,
    d.mandate_check ? ctx.el('h3', { text: ctx.t('design.mcheck') }) : null,
    d.mandate_check ? report(ctx, d.mandate_check) : null);
}

function showFeasibility(ctx, box, f) {
  box.replaceChildren(ctx.el('h3', { text: ctx.t('design.feas') }),
    ctx.el('p', { id: 'design-feas-verdict', class: f.meets_benchmark ? 'good' : 'bad',
      text: (f.meets_benchmark ? ctx.t('design.feas.meets', { d: f.benchmark_days }) : ctx.t('design.feas.misses', { d: f.benchmark_days }))
        + (f.earliest_date ? ' — ' + f.earliest_date : '') }),
    table(ctx, 'design-feas', [ctx.t('design.feas.unit'), ctx.t('design.feas.need'), ctx.t('design.feas.levels'), ctx.t('design.feas.earliest')],
      f.units.map((u) => [u.unit_type, u.needed,
        Object.entries(u.pledged_by_level).filter(([, n]) => n).map(([l, n]) => `${l}: ${n}`).join(', ') || '0',
        u.earliest_date || ctx.t('design.feas.short', { n: u.short_by })])));
}

// ---- Mandate report --------------------------------------------------------

function report(ctx, r) {
  const crit = ctx.el('p', { class: 'design-criteria' }, ...Object.entries(r.criteria).map(([k, v]) =>
    ctx.el('span', { class: 'chip crit-' + v, text: `${k}: ${ctx.t('design.crit.' + v)}` })));
  if (!r.findings.length) return ctx.el('div', { id: 'design-report' }, crit, ctx.el('p', { text: ctx.t('design.clean') }));
  return ctx.el('div', { id: 'design-report' }, crit,
    ctx.el('p', { id: 'design-report-summary', text: ctx.t('design.findings', { e: r.summary.errors, w: r.summary.warnings }) }),
    table(ctx, 'design-findings', [ctx.t('design.rule'), ctx.t('design.criterion'), ctx.t('design.severity'), ctx.t('design.finding'), ctx.t('design.sources')],
      r.findings.map((f) => [f.rule, f.criterion, f.severity, f.message, f.sources.map((s) => s.cite).join('; ')])));
}

async function renderMandate(root, ctx) {
  const area = ctx.el('textarea', { id: 'design-mandate', rows: 16, class: 'design-json' });
  area.value = JSON.stringify(FLAWED, null, 2);
  const out = ctx.el('div', {});
  const check = async () => {
    out.replaceChildren();
    let body;
    try { body = JSON.parse(area.value); } catch (e) {
      out.append(ctx.el('p', { class: 'error', role: 'alert', text: ctx.t('design.bad_json', { msg: e.message }) }));
      return;
    }
    try { out.append(report(ctx, await ctx.api('POST', '/design/mandate-check', body))); } catch (e) {
      out.append(ctx.el('p', { class: 'error', role: 'alert', text: e.message + (e.field ? ' (' + e.field + ')' : '') }));
    }
  };
  root.append(ctx.el('h2', { text: ctx.t('design.mcheck') }),
    ctx.el('label', { for: 'design-mandate', text: ctx.t('design.mandate.json') }), area,
    ctx.el('div', { class: 'buttons' },
      ctx.el('button', { type: 'button', id: 'design-check', text: ctx.t('design.check'), onclick: check }),
      ctx.el('button', { type: 'button', class: 'secondary', id: 'design-flawed', text: ctx.t('design.example.flawed'),
        onclick: () => { area.value = JSON.stringify(FLAWED, null, 2); } }),
      ctx.el('button', { type: 'button', class: 'secondary', id: 'design-sound', text: ctx.t('design.example.sound'),
        onclick: () => { area.value = JSON.stringify(SOUND, null, 2); } })),
    out);
}

registerPage({
  id: 'design',
  titleKey: 'nav.design',
  render: async (root, ctx) => {
    const [sub, arg] = ctx.path;
    const active = sub === 'compose' ? 'compose' : sub === 'designs' ? 'designs' : sub === 'mandate' ? 'mandate' : 'catalogue';
    root.append(tabs(ctx, active));
    const body = ctx.el('div', { role: 'tabpanel', class: 'design-panel' });
    root.append(body);
    if (sub === 'model') await renderModel(body, ctx, arg);
    else if (sub === 'compose') await renderCompose(body, ctx);
    else if (sub === 'designs' && arg) await renderDesign(body, ctx, arg);
    else if (sub === 'designs') await renderDesigns(body, ctx);
    else if (sub === 'mandate') await renderMandate(body, ctx);
    else await renderCatalogue(body, ctx);
  },
});
