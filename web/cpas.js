// Planning and performance assessment (CPAS): a mission's plans, the results
// framework tree editor (priorities, outcomes, outputs, indicators), the
// data-entry grid per period, the dashboard with an indicator chart (inline
// SVG: values over time, baseline and targets), impact assessments with
// recommendations and leadership decisions, the context analysis, the
// factsheet (HTML and PDF) and exports. Routes: #/cpas (plans of a
// mission), #/cpas/plan/ID/<framework|data|dashboard|assessments|context>.
// No inline styles (CSP): every look is a class in web/cpas.css. See
// docs/cpas.md for the API.
import { registerPage } from './pages.js';
import { addStrings } from './i18n.js';

const A4P = ['political_strategy', 'integration', 'capabilities_mindsets', 'accountability_to_peacekeepers',
  'accountability_of_peacekeepers', 'strategic_communications', 'host_country_cooperation',
  'women_peace_security', 'data_technology'];
const STATUSES = ['on_track', 'at_risk', 'off_track', 'no_data', 'no_target'];
const RATINGS = ['significant_progress', 'some_progress', 'no_progress', 'regression'];
const TYPES = ['government', 'security_forces', 'armed_group', 'political_party', 'civil_society', 'community',
  'religious_leaders', 'women_groups', 'youth_groups', 'private_sector', 'regional_organization',
  'international_partner', 'media', 'other'];
const INFLUENCE = ['low', 'medium', 'high'];
const ATTITUDES = ['hostile', 'opposed', 'neutral', 'supportive', 'champion'];
const TABS = ['framework', 'data', 'dashboard', 'assessments', 'context'];

addStrings({
  en: {
    'cpas.title': 'Planning and performance (CPAS)', 'cpas.mission': 'Mission', 'cpas.plans': 'Plans',
    'cpas.none': 'Nothing yet.', 'cpas.new_plan': 'New plan', 'cpas.create': 'Create', 'cpas.save': 'Save',
    'cpas.add': 'Add', 'cpas.back': 'All plans', 'cpas.saved': 'Saved.',
    'cpas.f.title': 'Title', 'cpas.f.start': 'First month (YYYY-MM)', 'cpas.f.end': 'Last month (YYYY-MM)',
    'cpas.f.context': 'Context analysis', 'cpas.f.level': 'Level', 'cpas.f.parent': 'Under',
    'cpas.f.mandated_task': 'Mandated task', 'cpas.f.a4p': 'A4P+ priorities', 'cpas.f.node': 'Framework node',
    'cpas.f.name': 'Name', 'cpas.f.code': 'Code (for formulas)', 'cpas.f.kind': 'Kind', 'cpas.f.direction': 'Good direction',
    'cpas.f.frequency': 'Frequency', 'cpas.f.unit': 'Unit', 'cpas.f.baseline': 'Baseline value',
    'cpas.f.baseline_period': 'Baseline period', 'cpas.f.targets': 'Targets (period=value; …)',
    'cpas.f.period': 'Period', 'cpas.f.value': 'Value', 'cpas.f.note': 'Evidence note', 'cpas.f.scope': 'Scope',
    'cpas.f.questions': 'Questions (one per line)', 'cpas.f.findings': 'Findings', 'cpas.f.rating': 'Rating',
    'cpas.f.text': 'Recommendation', 'cpas.f.owner': 'Owner', 'cpas.f.due': 'Due date (YYYY-MM-DD)',
    'cpas.f.type': 'Type', 'cpas.f.influence': 'Influence', 'cpas.f.attitude': 'Attitude', 'cpas.f.trend': 'Trend',
    'cpas.f.description': 'Description', 'cpas.f.interests': 'Interests',
    'cpas.level.priority': 'Mandate priority', 'cpas.level.outcome': 'Intended outcome', 'cpas.level.output': 'Output',
    'cpas.kind.quantitative': 'Quantitative', 'cpas.kind.qualitative': 'Qualitative',
    'cpas.dir.increase': 'Increase is good', 'cpas.dir.decrease': 'Decrease is good',
    'cpas.freq.monthly': 'Monthly', 'cpas.freq.quarterly': 'Quarterly', 'cpas.freq.annual': 'Annual',
    'cpas.pstatus.draft': 'Draft', 'cpas.pstatus.approved': 'Approved', 'cpas.pstatus.superseded': 'Superseded',
    'cpas.plan.meta': 'Version {v}, {start} to {end}', 'cpas.plan.approve': 'Approve the plan',
    'cpas.plan.revise': 'Start a revision', 'cpas.plan.factsheet': 'Factsheet (HTML)',
    'cpas.plan.factsheet_pdf': 'Factsheet (PDF)', 'cpas.plan.export_json': 'Export (JSON)',
    'cpas.plan.export_csv': 'Framework (CSV)', 'cpas.plan.export_data': 'Data (CSV)',
    'cpas.plan.approve_confirm': 'Approve this plan? The mission\'s approved plan will be superseded.',
    'cpas.plan.frozen': 'This plan is {status}: revise it to change it.',
    'cpas.tab.framework': 'Results framework', 'cpas.tab.data': 'Data entry', 'cpas.tab.dashboard': 'Dashboard',
    'cpas.tab.assessments': 'Impact assessments', 'cpas.tab.context': 'Context analysis',
    'cpas.fw.add_node': 'Add to the framework', 'cpas.fw.add_indicator': 'Add an indicator',
    'cpas.fw.computed': 'computed', 'cpas.fw.empty': 'The framework is empty: start with a mandate priority.',
    'cpas.data.intro': 'Enter or correct the totals of one period; corrections return a point to draft and keep its history.',
    'cpas.data.current': 'Current', 'cpas.data.new': 'New value', 'cpas.data.approve': 'Approve',
    'cpas.data.none': 'No entered indicator with this frequency.', 'cpas.data.saved': '{n} value(s) saved.',
    'cpas.dstatus.draft': 'draft', 'cpas.dstatus.approved': 'approved',
    'cpas.dash.as_of': 'As of {m}; approved data only.', 'cpas.dash.outcomes': 'Outcomes',
    'cpas.dash.indicators': 'Indicators', 'cpas.dash.latest': 'Latest', 'cpas.dash.target': 'Target',
    'cpas.dash.status': 'Status', 'cpas.dash.reason': 'Why', 'cpas.dash.overdue': 'Overdue',
    'cpas.dash.chart': 'Chart: {name}', 'cpas.dash.pick': 'Choose an indicator to see its chart.',
    'cpas.dash.computed': 'Computed indicator: its values come live from other data (latest {v}).',
    'cpas.dash.no_points': 'No approved data point yet.', 'cpas.dash.baseline': 'baseline',
    'cpas.dash.targets': 'targets', 'cpas.dash.values': 'approved values',
    'cpas.status.on_track': 'On track', 'cpas.status.at_risk': 'At risk', 'cpas.status.off_track': 'Off track',
    'cpas.status.no_data': 'No data', 'cpas.status.no_target': 'No target',
    'cpas.asm.new': 'New impact assessment', 'cpas.asm.recs': 'Recommendations',
    'cpas.asm.add_rec': 'Add a recommendation', 'cpas.asm.accept': 'Accept', 'cpas.asm.reject': 'Reject',
    'cpas.asm.awaiting': 'Awaiting the decision of a mission administrator',
    'cpas.asm.revisions': 'Plan revisions that followed: {n}', 'cpas.asm.overdue': 'overdue',
    'cpas.asm.implementation': 'Implementation', 'cpas.impl.not_started': 'not started',
    'cpas.impl.in_progress': 'in progress', 'cpas.impl.implemented': 'implemented',
    'cpas.rstatus.proposed': 'proposed', 'cpas.rstatus.accepted': 'accepted', 'cpas.rstatus.rejected': 'rejected',
    'cpas.rating.significant_progress': 'Significant progress', 'cpas.rating.some_progress': 'Some progress',
    'cpas.rating.no_progress': 'No progress', 'cpas.rating.regression': 'Regression',
    'cpas.ctx.drivers': 'Conflict drivers', 'cpas.ctx.stakeholders': 'Stakeholders', 'cpas.ctx.map': 'Stakeholder map (influence × attitude)',
    'cpas.ctx.add_driver': 'Add a driver', 'cpas.ctx.add_stakeholder': 'Add a stakeholder',
    'cpas.trend.worsening': 'worsening', 'cpas.trend.stable': 'stable', 'cpas.trend.improving': 'improving',
    'cpas.infl.low': 'low', 'cpas.infl.medium': 'medium', 'cpas.infl.high': 'high',
    'cpas.att.hostile': 'hostile', 'cpas.att.opposed': 'opposed', 'cpas.att.neutral': 'neutral',
    'cpas.att.supportive': 'supportive', 'cpas.att.champion': 'champion',
    'cpas.error': 'Refused: {msg}', 'cpas.error_field': 'Refused ({field}): {msg}',
  },
  fr: {
    'cpas.title': 'Planification et performance (CPAS)', 'cpas.mission': 'Mission', 'cpas.plans': 'Plans',
    'cpas.none': 'Rien pour l\u2019instant.', 'cpas.new_plan': 'Nouveau plan', 'cpas.create': 'Créer',
    'cpas.save': 'Enregistrer', 'cpas.add': 'Ajouter', 'cpas.back': 'Tous les plans', 'cpas.saved': 'Enregistré.',
    'cpas.f.title': 'Titre', 'cpas.f.start': 'Premier mois (AAAA-MM)', 'cpas.f.end': 'Dernier mois (AAAA-MM)',
    'cpas.f.context': 'Analyse du contexte', 'cpas.f.level': 'Niveau', 'cpas.f.parent': 'Sous',
    'cpas.f.mandated_task': 'Tâche prescrite', 'cpas.f.a4p': 'Priorités A4P+', 'cpas.f.node': 'Élément du cadre',
    'cpas.f.name': 'Nom', 'cpas.f.code': 'Code (pour les formules)', 'cpas.f.kind': 'Nature',
    'cpas.f.direction': 'Sens favorable', 'cpas.f.frequency': 'Fréquence', 'cpas.f.unit': 'Unité',
    'cpas.f.baseline': 'Valeur de référence', 'cpas.f.baseline_period': 'Période de référence',
    'cpas.f.targets': 'Cibles (période=valeur ; …)', 'cpas.f.period': 'Période', 'cpas.f.value': 'Valeur',
    'cpas.f.note': 'Justificatif', 'cpas.f.scope': 'Champ', 'cpas.f.questions': 'Questions (une par ligne)',
    'cpas.f.findings': 'Constatations', 'cpas.f.rating': 'Appréciation', 'cpas.f.text': 'Recommandation',
    'cpas.f.owner': 'Responsable', 'cpas.f.due': 'Échéance (AAAA-MM-JJ)', 'cpas.f.type': 'Type',
    'cpas.f.influence': 'Influence', 'cpas.f.attitude': 'Attitude', 'cpas.f.trend': 'Tendance',
    'cpas.f.description': 'Description', 'cpas.f.interests': 'Intérêts',
    'cpas.level.priority': 'Priorité du mandat', 'cpas.level.outcome': 'Résultat escompté', 'cpas.level.output': 'Produit',
    'cpas.kind.quantitative': 'Quantitatif', 'cpas.kind.qualitative': 'Qualitatif',
    'cpas.dir.increase': 'Une hausse est favorable', 'cpas.dir.decrease': 'Une baisse est favorable',
    'cpas.freq.monthly': 'Mensuelle', 'cpas.freq.quarterly': 'Trimestrielle', 'cpas.freq.annual': 'Annuelle',
    'cpas.pstatus.draft': 'Projet', 'cpas.pstatus.approved': 'Approuvé', 'cpas.pstatus.superseded': 'Remplacé',
    'cpas.plan.meta': 'Version {v}, de {start} à {end}', 'cpas.plan.approve': 'Approuver le plan',
    'cpas.plan.revise': 'Commencer une révision', 'cpas.plan.factsheet': 'Fiche d\u2019information (HTML)',
    'cpas.plan.factsheet_pdf': 'Fiche d\u2019information (PDF)', 'cpas.plan.export_json': 'Exporter (JSON)',
    'cpas.plan.export_csv': 'Cadre (CSV)', 'cpas.plan.export_data': 'Données (CSV)',
    'cpas.plan.approve_confirm': 'Approuver ce plan ? Le plan approuvé de la mission sera remplacé.',
    'cpas.plan.frozen': 'Ce plan est {status} : révisez-le pour le modifier.',
    'cpas.tab.framework': 'Cadre de résultats', 'cpas.tab.data': 'Saisie des données', 'cpas.tab.dashboard': 'Tableau de bord',
    'cpas.tab.assessments': 'Évaluations d\u2019impact', 'cpas.tab.context': 'Analyse du contexte',
    'cpas.fw.add_node': 'Ajouter au cadre', 'cpas.fw.add_indicator': 'Ajouter un indicateur',
    'cpas.fw.computed': 'calculé', 'cpas.fw.empty': 'Le cadre est vide : commencez par une priorité du mandat.',
    'cpas.data.intro': 'Saisissez ou corrigez les totaux d\u2019une période ; une correction remet le point à l\u2019état de projet et garde son historique.',
    'cpas.data.current': 'Actuel', 'cpas.data.new': 'Nouvelle valeur', 'cpas.data.approve': 'Approuver',
    'cpas.data.none': 'Aucun indicateur saisi à cette fréquence.', 'cpas.data.saved': '{n} valeur(s) enregistrée(s).',
    'cpas.dstatus.draft': 'projet', 'cpas.dstatus.approved': 'approuvé',
    'cpas.dash.as_of': 'Au {m} ; données approuvées uniquement.', 'cpas.dash.outcomes': 'Résultats escomptés',
    'cpas.dash.indicators': 'Indicateurs', 'cpas.dash.latest': 'Dernière valeur', 'cpas.dash.target': 'Cible',
    'cpas.dash.status': 'État', 'cpas.dash.reason': 'Pourquoi', 'cpas.dash.overdue': 'En retard',
    'cpas.dash.chart': 'Graphique : {name}', 'cpas.dash.pick': 'Choisissez un indicateur pour voir son graphique.',
    'cpas.dash.computed': 'Indicateur calculé : ses valeurs viennent en direct d\u2019autres données (dernière {v}).',
    'cpas.dash.no_points': 'Aucune donnée approuvée pour l\u2019instant.', 'cpas.dash.baseline': 'référence',
    'cpas.dash.targets': 'cibles', 'cpas.dash.values': 'valeurs approuvées',
    'cpas.status.on_track': 'En bonne voie', 'cpas.status.at_risk': 'À risque', 'cpas.status.off_track': 'Hors trajectoire',
    'cpas.status.no_data': 'Pas de données', 'cpas.status.no_target': 'Pas de cible',
    'cpas.asm.new': 'Nouvelle évaluation d\u2019impact', 'cpas.asm.recs': 'Recommandations',
    'cpas.asm.add_rec': 'Ajouter une recommandation', 'cpas.asm.accept': 'Accepter', 'cpas.asm.reject': 'Rejeter',
    'cpas.asm.awaiting': 'En attente de la décision d\u2019un administrateur de la mission',
    'cpas.asm.revisions': 'Révisions du plan qui ont suivi : {n}', 'cpas.asm.overdue': 'en retard',
    'cpas.asm.implementation': 'Mise en œuvre', 'cpas.impl.not_started': 'non commencée',
    'cpas.impl.in_progress': 'en cours', 'cpas.impl.implemented': 'mise en œuvre',
    'cpas.rstatus.proposed': 'proposée', 'cpas.rstatus.accepted': 'acceptée', 'cpas.rstatus.rejected': 'rejetée',
    'cpas.rating.significant_progress': 'Progrès importants', 'cpas.rating.some_progress': 'Certains progrès',
    'cpas.rating.no_progress': 'Pas de progrès', 'cpas.rating.regression': 'Régression',
    'cpas.ctx.drivers': 'Facteurs de conflit', 'cpas.ctx.stakeholders': 'Parties prenantes',
    'cpas.ctx.map': 'Carte des parties prenantes (influence × attitude)',
    'cpas.ctx.add_driver': 'Ajouter un facteur', 'cpas.ctx.add_stakeholder': 'Ajouter une partie prenante',
    'cpas.trend.worsening': 'en aggravation', 'cpas.trend.stable': 'stable', 'cpas.trend.improving': 'en amélioration',
    'cpas.infl.low': 'faible', 'cpas.infl.medium': 'moyenne', 'cpas.infl.high': 'forte',
    'cpas.att.hostile': 'hostile', 'cpas.att.opposed': 'opposée', 'cpas.att.neutral': 'neutre',
    'cpas.att.supportive': 'favorable', 'cpas.att.champion': 'moteur',
    'cpas.error': 'Refusé : {msg}', 'cpas.error_field': 'Refusé ({field}) : {msg}',
  },
});

const P = '/cpas';
const state = { mission: '' };

// ---- Small helpers -----------------------------------------------------------

function field(ctx, id, labelKey, input) {
  return ctx.el('label', { for: id, class: 'cpas-field' }, ctx.el('span', { text: ctx.t(labelKey) }), input);
}
function input(ctx, id, attrs = {}) { return ctx.el('input', { id, ...attrs }); }
function select(ctx, id, options, value) {
  const s = ctx.el('select', { id });
  for (const [v, text] of options) {
    const o = ctx.el('option', { value: v, text });
    if (v === (value || '')) o.selected = true;
    s.append(o);
  }
  return s;
}
function badge(ctx, kind, value, text) {
  return ctx.el('span', { class: `badge cpas-${kind} cpas-${kind}-${value}`, text: text || value });
}
function errorText(ctx, e) {
  return e.field ? ctx.t('cpas.error_field', { field: e.field, msg: e.message }) : ctx.t('cpas.error', { msg: e.message });
}
// A form whose submit runs 'fn' and shows the API's refusal in it.
function form(ctx, id, title, fields, submitKey, fn) {
  const { el } = ctx;
  const msg = el('p', { class: 'cpas-msg', role: 'status', id: id + '-msg' });
  const f = el('form', { class: 'cpas-form', id, novalidate: true },
    el('h4', { text: title }), el('div', { class: 'cpas-fields' }, ...fields),
    el('button', { type: 'submit', id: id + '-submit', text: ctx.t(submitKey) }), msg);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.className = 'cpas-msg';
    msg.textContent = '';
    try {
      await fn();
    } catch (e) {
      msg.className = 'cpas-msg error-text';
      msg.textContent = errorText(ctx, e);
    }
  });
  return f;
}
const val = (id) => { const e = document.getElementById(id); return e ? e.value.trim() : ''; };
const numOrNull = (s) => (s === '' ? undefined : Number(s));
function fmt(ctx, v) { return v === null || v === undefined ? '—' : ctx.fmtNumber(Math.round(v * 100) / 100); }

function months(start, end) {
  const [y0, m0] = start.split('-').map(Number), [y1, m1] = end.split('-').map(Number);
  const out = [];
  for (let m = y0 * 12 + m0 - 1; m <= y1 * 12 + m1 - 1; m++) out.push(m);
  return out;
}
function periodsOf(plan, freq) {
  const seen = new Set(), out = [];
  for (const m of months(plan.period_start, plan.period_end)) {
    const y = Math.floor(m / 12), mo = m % 12;
    const p = freq === 'monthly' ? `${y}-${String(mo + 1).padStart(2, '0')}`
      : freq === 'quarterly' ? `${y}-Q${Math.floor(mo / 3) + 1}` : String(y);
    if (!seen.has(p)) { seen.add(p); out.push(p); }
  }
  return out;
}
function parseTargets(s) {
  const o = {};
  for (const part of s.split(';').map((x) => x.trim()).filter(Boolean)) {
    const [k, v] = part.split('=').map((x) => x.trim());
    o[k] = v === undefined || v === '' || Number.isNaN(Number(v)) ? v : Number(v);
  }
  return o;
}

// ---- Plans of a mission --------------------------------------------------------

async function plansView(body, ctx) {
  const { el, t, api, qs } = ctx;
  const missions = (await api('GET', '/missions' + qs({ limit: 200 }))).items || [];
  if (!state.mission && missions.length) state.mission = missions[0].id;
  const ms = select(ctx, 'cpas-mission', missions.map((m) => [m.id, `${m.acronym} — ${m.name}`]), state.mission);
  ms.addEventListener('change', () => { state.mission = ms.value; ctx.rerender(); });
  body.append(el('div', { class: 'cpas-toolbar' }, field(ctx, 'cpas-mission', 'cpas.mission', ms)));
  if (!state.mission) { body.append(el('p', { class: 'muted', text: t('cpas.none') })); return; }
  const plans = (await api('GET', P + '/plans' + qs({ mission_id: state.mission }))).items || [];
  body.append(el('h3', { text: t('cpas.plans') }));
  body.append(plans.length ? el('table', { class: 'cpas-table', id: 'cpas-plan-table' },
    el('thead', {}, el('tr', {}, ...['cpas.f.title', 'cpas.dash.status', 'cpas.f.start', 'cpas.f.end']
      .map((k) => el('th', { text: t(k) })))),
    el('tbody', {}, ...plans.map((p) => el('tr', { class: 'clickable', tabindex: '0',
      onclick: () => ctx.go('cpas', 'plan', p.id, 'framework'),
      onkeydown: (e) => { if (e.key === 'Enter') ctx.go('cpas', 'plan', p.id, 'framework'); } },
    el('td', {}, el('a', { href: `#/cpas/plan/${p.id}/framework`, text: `${p.title} (v${p.version_no})` })),
    el('td', {}, badge(ctx, 'pstatus', p.status, t('cpas.pstatus.' + p.status))),
    el('td', { text: p.period_start }), el('td', { text: p.period_end })))))
    : el('p', { class: 'muted', text: t('cpas.none') }));
  body.append(form(ctx, 'cpas-new-plan', t('cpas.new_plan'), [
    field(ctx, 'cpas-np-title', 'cpas.f.title', input(ctx, 'cpas-np-title')),
    field(ctx, 'cpas-np-start', 'cpas.f.start', input(ctx, 'cpas-np-start', { placeholder: '2026-01' })),
    field(ctx, 'cpas-np-end', 'cpas.f.end', input(ctx, 'cpas-np-end', { placeholder: '2026-12' })),
    field(ctx, 'cpas-np-context', 'cpas.f.context', el('textarea', { id: 'cpas-np-context', rows: '3' })),
  ], 'cpas.create', async () => {
    const p = await api('POST', P + '/plans', { mission_id: state.mission, title: val('cpas-np-title'),
      period_start: val('cpas-np-start'), period_end: val('cpas-np-end'), context: val('cpas-np-context') || undefined });
    ctx.go('cpas', 'plan', p.id, 'framework');
  }));
}

// ---- One plan ---------------------------------------------------------------------

// Whether the signed-in user holds cpas.approve for the plan's mission (the
// server's rule, docs/cpas.md): a system administrator, a mission
// administrator of every mission, or one of this mission. Only they see the
// plan's Approve and a recommendation's Accept/Reject; the server decides
// anyway, this only spares others buttons that would be refused.
async function canDecide(ctx, plan) {
  const roles = (ctx.user && ctx.user.roles) || [];
  if (roles.some((r) => r === 'system_admin' || r === 'mission_admin')) return true;
  const mine = roles.filter((r) => r.startsWith('mission_admin:')).map((r) => r.slice('mission_admin:'.length));
  if (!mine.length) return false;
  if (mine.includes('*')) return true;
  try {
    const m = await ctx.api('GET', '/missions/' + encodeURIComponent(plan.mission_id));
    return mine.includes(m.acronym);
  } catch (e) { return false; }
}

function planHeader(ctx, plan, tab, decide) {
  const { el, t, api } = ctx;
  const base = `/api/v1${P}/plans/${plan.id}`;
  const actions = el('div', { class: 'cpas-actions' },
    el('a', { href: base + '/factsheet?format=html', target: '_blank', rel: 'noopener', id: 'cpas-factsheet',
      text: t('cpas.plan.factsheet') }),
    el('a', { href: base + '/factsheet?format=pdf', target: '_blank', rel: 'noopener', id: 'cpas-factsheet-pdf',
      text: t('cpas.plan.factsheet_pdf') }),
    el('a', { href: base + '/export?format=json', download: 'cpas-plan.json', text: t('cpas.plan.export_json') }),
    el('a', { href: base + '/export?format=csv&what=framework', download: 'cpas-framework.csv', text: t('cpas.plan.export_csv') }),
    el('a', { href: base + '/export?format=csv&what=data', download: 'cpas-data.csv', text: t('cpas.plan.export_data') }));
  const msg = el('p', { class: 'cpas-msg', role: 'status', id: 'cpas-plan-msg' });
  if (plan.status === 'draft' && decide) {
    actions.append(el('button', { type: 'button', id: 'cpas-approve', text: t('cpas.plan.approve'), onclick: async () => {
      if (!window.confirm(t('cpas.plan.approve_confirm'))) return;
      try { await api('POST', `${P}/plans/${plan.id}/approve`, {}); ctx.rerender(); } catch (e) { msg.className = 'cpas-msg error-text'; msg.textContent = errorText(ctx, e); }
    } }));
  } else if (plan.status !== 'draft') {
    actions.append(el('button', { type: 'button', class: 'secondary', id: 'cpas-revise', text: t('cpas.plan.revise'),
      onclick: async () => {
        try {
          const r = await api('POST', P + '/plans', { mission_id: plan.mission_id, title: plan.title,
            period_start: plan.period_start, period_end: plan.period_end, context: plan.context || undefined, previous_id: plan.id });
          ctx.go('cpas', 'plan', r.id, 'framework');
        } catch (e) { msg.className = 'cpas-msg error-text'; msg.textContent = errorText(ctx, e); }
      } }));
  }
  return el('div', { class: 'cpas-plan-head' },
    el('p', {}, el('a', { href: '#/cpas', text: '← ' + t('cpas.back') })),
    el('h3', { id: 'cpas-plan-title' }, plan.title + ' ', badge(ctx, 'pstatus', plan.status, t('cpas.pstatus.' + plan.status))),
    el('p', { class: 'muted', text: t('cpas.plan.meta', { v: plan.version_no, start: plan.period_start, end: plan.period_end }) }),
    actions, msg,
    el('div', { class: 'tabs cpas-tabs', role: 'tablist' }, ...TABS.map((k) => el('button', {
      type: 'button', role: 'tab', id: 'cpas-tab-' + k, 'aria-selected': k === tab ? 'true' : 'false',
      text: t('cpas.tab.' + k), onclick: () => ctx.go('cpas', 'plan', plan.id, k) }))));
}

// Framework tree editor.
async function frameworkView(body, ctx, plan) {
  const { el, t, api } = ctx;
  const fw = await api('GET', `${P}/plans/${plan.id}/framework`);
  const nodes = [];
  const walk = (n, depth) => { nodes.push({ ...n, depth }); (n.children || []).forEach((c) => walk(c, depth + 1)); };
  fw.priorities.forEach((n) => walk(n, 0));
  const item = (n) => el('li', { class: 'cpas-node cpas-node-' + n.level, 'data-id': n.id },
    el('div', { class: 'cpas-node-head' }, badge(ctx, 'level', n.level, t('cpas.level.' + n.level)), ' ',
      el('b', { text: n.title })),
    n.mandated_task ? el('div', { class: 'muted small', text: n.mandated_task }) : null,
    (n.a4p || []).length ? el('div', {}, ...n.a4p.map((a) => el('span', { class: 'cpas-chip', text: a }))) : null,
    (n.indicators || []).length ? el('ul', { class: 'cpas-inds' }, ...n.indicators.map((x) => el('li', {},
      el('a', { href: `#/cpas/plan/${plan.id}/dashboard/${x.id}`, text: '▸ ' + x.name })))) : null,
    (n.children || []).length ? el('ul', { class: 'cpas-tree' }, ...n.children.map(item)) : null);
  body.append(fw.priorities.length ? el('ul', { class: 'cpas-tree', id: 'cpas-tree' }, ...fw.priorities.map(item))
    : el('p', { class: 'muted', id: 'cpas-tree', text: t('cpas.fw.empty') }));
  if (plan.status !== 'draft') {
    body.append(el('p', { class: 'muted', text: t('cpas.plan.frozen', { status: t('cpas.pstatus.' + plan.status) }) }));
    return;
  }
  const lvl = select(ctx, 'cpas-nn-level', ['priority', 'outcome', 'output'].map((l) => [l, t('cpas.level.' + l)]), 'priority');
  const parent = el('select', { id: 'cpas-nn-parent' });
  const fillParents = () => {
    const want = { outcome: 'priority', output: 'outcome' }[lvl.value];
    parent.replaceChildren(...(want ? nodes.filter((n) => n.level === want).map((n) => el('option', { value: n.id, text: n.title }))
      : [el('option', { value: '', text: '—' })]));
  };
  lvl.addEventListener('change', fillParents);
  fillParents();
  const a4p = el('select', { id: 'cpas-nn-a4p', multiple: true, size: '3' }, ...A4P.map((a) => el('option', { value: a, text: a })));
  body.append(el('div', { class: 'cpas-forms' }, form(ctx, 'cpas-new-node', t('cpas.fw.add_node'), [
    field(ctx, 'cpas-nn-level', 'cpas.f.level', lvl), field(ctx, 'cpas-nn-parent', 'cpas.f.parent', parent),
    field(ctx, 'cpas-nn-title', 'cpas.f.title', input(ctx, 'cpas-nn-title')),
    field(ctx, 'cpas-nn-task', 'cpas.f.mandated_task', input(ctx, 'cpas-nn-task')),
    field(ctx, 'cpas-nn-a4p', 'cpas.f.a4p', a4p),
  ], 'cpas.add', async () => {
    const b = { level: lvl.value, title: val('cpas-nn-title'), mandated_task: val('cpas-nn-task') || undefined,
      a4p: [...a4p.selectedOptions].map((o) => o.value) };
    if (lvl.value !== 'priority') b.parent_id = parent.value;
    await api('POST', `${P}/plans/${plan.id}/framework`, b);
    ctx.rerender();
  }), form(ctx, 'cpas-new-ind', t('cpas.fw.add_indicator'), [
    field(ctx, 'cpas-ni-node', 'cpas.f.node', select(ctx, 'cpas-ni-node', nodes.filter((n) => n.level !== 'priority')
      .map((n) => [n.id, `${t('cpas.level.' + n.level)}: ${n.title}`]), '')),
    field(ctx, 'cpas-ni-name', 'cpas.f.name', input(ctx, 'cpas-ni-name')),
    field(ctx, 'cpas-ni-code', 'cpas.f.code', input(ctx, 'cpas-ni-code')),
    field(ctx, 'cpas-ni-kind', 'cpas.f.kind', select(ctx, 'cpas-ni-kind', ['quantitative', 'qualitative'].map((k) => [k, t('cpas.kind.' + k)]), 'quantitative')),
    field(ctx, 'cpas-ni-dir', 'cpas.f.direction', select(ctx, 'cpas-ni-dir', ['increase', 'decrease'].map((k) => [k, t('cpas.dir.' + k)]), 'increase')),
    field(ctx, 'cpas-ni-freq', 'cpas.f.frequency', select(ctx, 'cpas-ni-freq', ['monthly', 'quarterly', 'annual'].map((k) => [k, t('cpas.freq.' + k)]), 'quarterly')),
    field(ctx, 'cpas-ni-unit', 'cpas.f.unit', input(ctx, 'cpas-ni-unit')),
    field(ctx, 'cpas-ni-bv', 'cpas.f.baseline', input(ctx, 'cpas-ni-bv', { inputmode: 'decimal' })),
    field(ctx, 'cpas-ni-bp', 'cpas.f.baseline_period', input(ctx, 'cpas-ni-bp', { placeholder: '2025' })),
    field(ctx, 'cpas-ni-targets', 'cpas.f.targets', input(ctx, 'cpas-ni-targets', { placeholder: '2026-Q2=90; 2026-Q4=60' })),
  ], 'cpas.add', async () => {
    await api('POST', P + '/indicators', { node_id: val('cpas-ni-node'), name: val('cpas-ni-name'),
      code: val('cpas-ni-code') || undefined, kind: val('cpas-ni-kind'), direction: val('cpas-ni-dir'),
      frequency: val('cpas-ni-freq'), unit: val('cpas-ni-unit') || undefined,
      baseline_value: numOrNull(val('cpas-ni-bv')), baseline_period: val('cpas-ni-bp') || undefined,
      targets: val('cpas-ni-targets') ? parseTargets(val('cpas-ni-targets')) : undefined });
    ctx.rerender();
  })));
}

// Data-entry grid per period.
const dataSel = { freq: 'quarterly', period: '' };
async function dataView(body, ctx, plan) {
  const { el, t, api } = ctx;
  const inds = ((await api('GET', P + '/indicators' + ctx.qs({ plan_id: plan.id }))).items || [])
    .filter((x) => !x.computed);
  const freqs = ['monthly', 'quarterly', 'annual'].filter((f) => inds.some((x) => x.frequency === f));
  if (freqs.length && !freqs.includes(dataSel.freq)) dataSel.freq = freqs[0];
  const periods = periodsOf(plan, dataSel.freq);
  if (!periods.includes(dataSel.period)) dataSel.period = periods[0];
  const fs = select(ctx, 'cpas-d-freq', (freqs.length ? freqs : ['quarterly']).map((f) => [f, t('cpas.freq.' + f)]), dataSel.freq);
  const ps = select(ctx, 'cpas-d-period', periods.map((p) => [p, p]), dataSel.period);
  fs.addEventListener('change', () => { dataSel.freq = fs.value; dataSel.period = ''; ctx.rerender(); });
  ps.addEventListener('change', () => { dataSel.period = ps.value; ctx.rerender(); });
  body.append(el('p', { class: 'muted', text: t('cpas.data.intro') }),
    el('div', { class: 'cpas-toolbar' }, field(ctx, 'cpas-d-freq', 'cpas.f.frequency', fs), field(ctx, 'cpas-d-period', 'cpas.f.period', ps)));
  const mine = inds.filter((x) => x.frequency === dataSel.freq);
  if (!mine.length) { body.append(el('p', { class: 'muted', text: t('cpas.data.none') })); return; }
  const points = await Promise.all(mine.map((x) => api('GET', `${P}/indicators/${x.id}/datapoints`)));
  const msg = el('p', { class: 'cpas-msg', role: 'status', id: 'cpas-grid-msg' });
  const rows = mine.map((x, i) => {
    const cur = (points[i].items || []).find((d) => d.period === dataSel.period &&
      (!d.disaggregation || !Object.keys(d.disaggregation).length));
    const q = x.kind === 'qualitative';
    const inp = el(q ? 'textarea' : 'input', { id: 'cpas-v-' + x.id, class: 'cpas-cell', 'aria-label': x.name,
      inputmode: q ? undefined : 'decimal', rows: q ? '2' : undefined });
    const note = el('input', { id: 'cpas-n-' + x.id, class: 'cpas-cell', 'aria-label': t('cpas.f.note') });
    return { x, cur, inp, note, q,
      tr: el('tr', { 'data-ind': x.id },
        el('td', {}, el('b', { text: x.name }), x.unit ? el('span', { class: 'muted', text: ' (' + x.unit + ')' }) : null),
        el('td', { class: 'num' }, cur ? (q ? cur.text_value : fmt(ctx, cur.value)) : '—', ' ',
          cur ? badge(ctx, 'dstatus', cur.status, t('cpas.dstatus.' + cur.status)) : null),
        el('td', {}, inp), el('td', {}, note),
        el('td', {}, cur && cur.status === 'draft' ? el('button', { type: 'button', class: 'secondary cpas-approve-dp',
          text: t('cpas.data.approve'), onclick: async () => {
            try { await api('POST', `${P}/datapoints/${cur.id}/approve`, {}); ctx.rerender(); } catch (e) { msg.className = 'cpas-msg error-text'; msg.textContent = errorText(ctx, e); }
          } }) : null)) };
  });
  body.append(el('table', { class: 'cpas-table', id: 'cpas-grid' },
    el('thead', {}, el('tr', {}, ...['cpas.f.name', 'cpas.data.current', 'cpas.data.new', 'cpas.f.note', '']
      .map((k) => el('th', { text: k ? t(k) : '' })))), el('tbody', {}, ...rows.map((r) => r.tr))),
  el('button', { type: 'button', id: 'cpas-grid-save', text: t('cpas.save'), onclick: async () => {
    let n = 0;
    msg.className = 'cpas-msg';
    try {
      for (const r of rows) {
        const v = r.inp.value.trim();
        if (!v) continue;
        const b = r.q ? { text_value: v } : { value: Number(v) };
        if (r.note.value.trim()) b.note = r.note.value.trim();
        if (r.cur) await api('PATCH', `${P}/datapoints/${r.cur.id}`, { ...b, version: r.cur.version });
        else await api('POST', `${P}/indicators/${r.x.id}/datapoints`, { period: dataSel.period, ...b });
        n++;
      }
      await ctx.rerender();
      const m = document.getElementById('cpas-grid-msg');
      if (m) m.textContent = t('cpas.data.saved', { n });
    } catch (e) { msg.className = 'cpas-msg error-text'; msg.textContent = errorText(ctx, e); }
  } }), msg);
}

// The indicator chart: approved totals over time, the baseline, the targets.
function chart(ctx, ind, points) {
  const { svg, t } = ctx;
  const W = 640, H = 240, L = 48, R = 16, T = 16, B = 34;
  const order = (p) => { const m = /^(\d{4})(?:-Q(\d)|-(\d{2}))?$/.exec(p) || []; return Number(m[1]) * 12 +
    (m[2] ? (Number(m[2]) - 1) * 3 + 2 : m[3] ? Number(m[3]) - 1 : 11); };
  const pts = points.filter((d) => d.status === 'approved' && typeof d.value === 'number' &&
    (!d.disaggregation || !Object.keys(d.disaggregation).length)).sort((a, b) => order(a.period) - order(b.period));
  const tg = Object.entries(ind.targets || {}).map(([p, v]) => ({ period: p, value: v }));
  const xs = [...pts, ...tg].map((d) => order(d.period));
  const ys = [...pts, ...tg].map((d) => d.value).concat(typeof ind.baseline_value === 'number' ? [ind.baseline_value] : []);
  if (!xs.length) return null;
  const x0 = Math.min(...xs) - 1, x1 = Math.max(...xs) + 1;
  let y0 = Math.min(0, ...ys), y1 = Math.max(...ys);
  if (y1 === y0) y1 = y0 + 1;
  const X = (m) => L + (W - L - R) * (m - x0) / (x1 - x0), Y = (v) => H - B - (H - T - B) * (v - y0) / (y1 - y0);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'cpas-chart', id: 'cpas-chart', role: 'img',
    'aria-label': t('cpas.dash.chart', { name: ind.name }) });
  for (let i = 0; i <= 4; i++) {
    const v = y0 + (y1 - y0) * i / 4;
    g.append(svg('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: 'cpas-grid' }),
      svg('text', { x: L - 6, y: Y(v) + 4, class: 'cpas-axis cpas-axis-y', text: ctx.fmtNumber(Math.round(v * 10) / 10) }));
  }
  if (typeof ind.baseline_value === 'number')
    g.append(svg('line', { x1: L, x2: W - R, y1: Y(ind.baseline_value), y2: Y(ind.baseline_value), class: 'cpas-baseline' }),
      svg('text', { x: W - R, y: Y(ind.baseline_value) - 4, class: 'cpas-axis cpas-axis-end', text: t('cpas.dash.baseline') }));
  if (pts.length) {
    g.append(svg('polyline', { class: 'cpas-line', points: pts.map((d) => `${X(order(d.period))},${Y(d.value)}`).join(' ') }));
    for (const d of pts) g.append(svg('circle', { cx: X(order(d.period)), cy: Y(d.value), r: 3.5, class: 'cpas-dot' },
      svg('title', { text: `${d.period}: ${d.value}` })));
  }
  for (const d of tg) g.append(svg('path', { class: 'cpas-target', d: `M${X(order(d.period)) - 5},${Y(d.value)} l5,-5 l5,5 l-5,5 z` },
    svg('title', { text: `${t('cpas.dash.target')} ${d.period}: ${d.value}` })));
  const labels = [...new Set([...pts, ...tg].map((d) => d.period))].sort((a, b) => order(a) - order(b));
  const step = Math.max(1, Math.ceil(labels.length / 8));
  labels.forEach((p, i) => { if (i % step === 0) g.append(svg('text', { x: X(order(p)), y: H - B + 16, class: 'cpas-axis', text: p })); });
  g.append(svg('text', { x: L, y: H - 4, class: 'cpas-legend', text: `● ${t('cpas.dash.values')}   ◆ ${t('cpas.dash.targets')}   — ${t('cpas.dash.baseline')}` }));
  return g;
}

async function dashboardView(body, ctx, plan, pick) {
  const { el, t, api, svg } = ctx;
  const d = await api('GET', `${P}/plans/${plan.id}/dashboard`);
  body.append(el('p', { class: 'muted', text: t('cpas.dash.as_of', { m: d.as_of }) }),
    el('div', { class: 'cpas-summary', id: 'cpas-summary' }, ...STATUSES.map((s) => el('span', { class: 'cpas-sum cpas-st-' + s },
      el('b', { text: String(d.summary[s] || 0) }), ' ' + t('cpas.status.' + s)))));
  body.append(el('h4', { text: t('cpas.dash.outcomes') }), el('div', { id: 'cpas-outcomes' }, ...d.outcomes.map((o) => {
    const p = typeof o.progress === 'number' ? Math.max(0, Math.min(1, o.progress)) : 0;
    return el('div', { class: 'cpas-outcome' }, el('div', { class: 'cpas-outcome-title', text: o.title }),
      svg('svg', { viewBox: '0 0 300 14', preserveAspectRatio: 'none', class: 'cpas-bar', role: 'img', 'aria-label': t('cpas.status.' + o.status) },
        svg('rect', { width: 300, height: 14, class: 'cpas-bar-bg' }),
        svg('rect', { width: 300 * p, height: 14, class: 'cpas-bar-fg cpas-fill-' + o.status }),
        svg('line', { x1: 180, x2: 180, y1: 0, y2: 14, class: 'cpas-bar-mark' }),
        svg('line', { x1: 270, x2: 270, y1: 0, y2: 14, class: 'cpas-bar-mark' })),
      el('span', { class: 'cpas-outcome-pct', text: typeof o.progress === 'number' ? Math.round(o.progress * 100) + ' %' : '—' }),
      badge(ctx, 'st', o.status, t('cpas.status.' + o.status)), el('div', { class: 'muted small', text: o.reason }));
  })));
  const chartBox = el('div', { id: 'cpas-chart-box', class: 'cpas-chart-box' }, el('p', { class: 'muted', text: t('cpas.dash.pick') }));
  const show = async (e) => {
    const ind = await api('GET', `${P}/indicators/${e.id}`);
    chartBox.replaceChildren(el('h4', { id: 'cpas-chart-title', text: t('cpas.dash.chart', { name: e.name }) }));
    if (ind.computed) {
      chartBox.append(el('p', { class: 'muted', text: t('cpas.dash.computed', { v: fmt(ctx, e.values.latest) }) }));
      return;
    }
    const pts = (await api('GET', `${P}/indicators/${e.id}/datapoints`)).items || [];
    const c = chart(ctx, ind, pts);
    chartBox.append(c || el('p', { class: 'muted', text: t('cpas.dash.no_points') }), el('p', { class: 'muted small', text: e.reason }));
  };
  body.append(el('h4', { text: t('cpas.dash.indicators') }), el('table', { class: 'cpas-table', id: 'cpas-dash-table' },
    el('thead', {}, el('tr', {}, ...['cpas.f.name', 'cpas.dash.latest', 'cpas.dash.target', 'cpas.dash.status', 'cpas.dash.overdue']
      .map((k) => el('th', { text: t(k) })))),
    el('tbody', {}, ...d.indicators.map((e) => el('tr', { class: 'clickable', tabindex: '0', 'data-ind': e.id,
      onclick: () => show(e), onkeydown: (ev) => { if (ev.key === 'Enter') show(e); } },
    el('td', {}, el('b', { text: e.name }), el('div', { class: 'muted small', text: e.reason })),
    el('td', { class: 'num', text: fmt(ctx, e.values.latest) + (e.values.latest_period ? ` (${e.values.latest_period})` : '') }),
    el('td', { class: 'num', text: fmt(ctx, e.values.target) + (e.values.target_period ? ` (${e.values.target_period})` : '') }),
    el('td', {}, badge(ctx, 'st', e.status, t('cpas.status.' + e.status))),
    el('td', { text: (e.completeness.overdue || []).join(', ') }))))), chartBox);
  const chosen = d.indicators.find((e) => e.id === pick);
  if (chosen) await show(chosen);
}

// The implementation of an accepted recommendation, set from a select.
function implSelect(ctx, r, msg) {
  const { t, api } = ctx;
  const s = select(ctx, 'cpas-impl-' + r.id, ['not_started', 'in_progress', 'implemented']
    .map((k) => [k, t('cpas.impl.' + k)]), r.implementation || 'not_started');
  s.setAttribute('aria-label', t('cpas.asm.implementation'));
  s.classList.add('cpas-impl');
  s.addEventListener('change', async () => {
    try { await api('POST', `${P}/recommendations/${r.id}/implementation`, { implementation: s.value }); ctx.rerender(); } catch (e) { msg.className = 'cpas-msg error-text'; msg.textContent = errorText(ctx, e); }
  });
  return s;
}

// Impact assessments, recommendations and decisions.
async function assessmentsView(body, ctx, plan, decide) {
  const { el, t, api } = ctx;
  const list = (await api('GET', P + '/assessments' + ctx.qs({ plan_id: plan.id }))).items || [];
  const full = await Promise.all(list.map((a) => api('GET', `${P}/assessments/${a.id}`)));
  const box = el('div', { id: 'cpas-assessments' });
  for (const a of full) {
    const msg = el('p', { class: 'cpas-msg', role: 'status' });
    box.append(el('section', { class: 'cpas-asm', 'data-id': a.id },
      el('h4', {}, a.title + ' ', a.rating ? badge(ctx, 'rating', a.rating, t('cpas.rating.' + a.rating)) : null),
      el('p', { class: 'muted', text: `${t('cpas.f.period')}: ${a.period}` + (a.scope ? ` — ${a.scope}` : '') }),
      (a.questions || []).length ? el('ul', {}, ...a.questions.map((q) => el('li', { text: q }))) : null,
      a.findings ? el('p', { text: a.findings }) : null,
      el('h5', { text: t('cpas.asm.recs') }),
      el('table', { class: 'cpas-table cpas-recs' }, el('tbody', {}, ...(a.recommendations || []).map((r) => el('tr', { 'data-id': r.id },
        el('td', { text: r.text }), el('td', { text: r.owner }), el('td', { text: ctx.fmtDate(r.due_date) }),
        el('td', {}, badge(ctx, 'rstatus', r.status, t('cpas.rstatus.' + r.status))),
        el('td', {}, r.status === 'proposed' && !decide ? el('span', { class: 'muted small cpas-awaiting', text: t('cpas.asm.awaiting') })
          : r.status === 'proposed' ? el('span', { class: 'cpas-decide' }, ...['accepted', 'rejected'].map((dec) =>
          el('button', { type: 'button', class: dec === 'accepted' ? 'cpas-accept' : 'secondary cpas-reject',
            text: t(dec === 'accepted' ? 'cpas.asm.accept' : 'cpas.asm.reject'), onclick: async () => {
              try { await api('POST', `${P}/recommendations/${r.id}/decision`, { decision: dec }); ctx.rerender(); } catch (e) { msg.className = 'cpas-msg error-text'; msg.textContent = errorText(ctx, e); }
            } }))) : r.status === 'accepted' ? implSelect(ctx, r, msg) : (r.decision_note || ''),
        r.overdue ? badge(ctx, 'overdue', 'yes', t('cpas.asm.overdue')) : null)))) ),
      msg,
      el('p', { class: 'muted small', text: t('cpas.asm.revisions', { n: (a.revisions || []).length }) }),
      form(ctx, 'cpas-rec-' + a.id, t('cpas.asm.add_rec'), [
        field(ctx, `cpas-rt-${a.id}`, 'cpas.f.text', input(ctx, `cpas-rt-${a.id}`)),
        field(ctx, `cpas-ro-${a.id}`, 'cpas.f.owner', input(ctx, `cpas-ro-${a.id}`)),
        field(ctx, `cpas-rd-${a.id}`, 'cpas.f.due', input(ctx, `cpas-rd-${a.id}`, { placeholder: '2026-06-30' })),
      ], 'cpas.add', async () => {
        await api('POST', `${P}/assessments/${a.id}/recommendations`, { text: val(`cpas-rt-${a.id}`),
          owner: val(`cpas-ro-${a.id}`), due_date: val(`cpas-rd-${a.id}`) });
        ctx.rerender();
      })));
  }
  if (!full.length) box.append(el('p', { class: 'muted', text: t('cpas.none') }));
  body.append(box, form(ctx, 'cpas-new-asm', t('cpas.asm.new'), [
    field(ctx, 'cpas-na-title', 'cpas.f.title', input(ctx, 'cpas-na-title')),
    field(ctx, 'cpas-na-period', 'cpas.f.period', input(ctx, 'cpas-na-period', { placeholder: '2026' })),
    field(ctx, 'cpas-na-scope', 'cpas.f.scope', input(ctx, 'cpas-na-scope')),
    field(ctx, 'cpas-na-rating', 'cpas.f.rating', select(ctx, 'cpas-na-rating', [['', '—'], ...RATINGS.map((r) => [r, t('cpas.rating.' + r)])], '')),
    field(ctx, 'cpas-na-questions', 'cpas.f.questions', ctx.el('textarea', { id: 'cpas-na-questions', rows: '3' })),
    field(ctx, 'cpas-na-findings', 'cpas.f.findings', ctx.el('textarea', { id: 'cpas-na-findings', rows: '3' })),
  ], 'cpas.create', async () => {
    await api('POST', P + '/assessments', { plan_id: plan.id, title: val('cpas-na-title'), period: val('cpas-na-period'),
      scope: val('cpas-na-scope') || undefined, rating: val('cpas-na-rating') || undefined,
      questions: val('cpas-na-questions').split('\n').map((q) => q.trim()).filter(Boolean),
      findings: val('cpas-na-findings') || undefined });
    ctx.rerender();
  }));
}

// Context analysis: text, drivers, stakeholders and their map.
async function contextView(body, ctx, plan) {
  const { el, t, api } = ctx;
  const c = await api('GET', `${P}/plans/${plan.id}/context`);
  if (c.context) body.append(el('p', { class: 'cpas-context', text: c.context }));
  body.append(el('h4', { text: t('cpas.ctx.drivers') }), c.drivers.length ? el('ul', { id: 'cpas-drivers' }, ...c.drivers.map((d) =>
    el('li', {}, el('b', { text: d.title }), d.trend ? ' — ' + t('cpas.trend.' + d.trend) : '',
      d.description ? el('div', { class: 'muted small', text: d.description }) : null)))
    : el('p', { class: 'muted', text: t('cpas.none') }));
  body.append(el('h4', { text: t('cpas.ctx.stakeholders') }), c.stakeholders.length ? el('table', { class: 'cpas-table', id: 'cpas-stakeholders' },
    el('tbody', {}, ...c.stakeholders.map((s) => el('tr', {}, el('td', {}, el('b', { text: s.name })), el('td', { text: s.type }),
      el('td', { text: t('cpas.infl.' + s.influence) }), el('td', {}, badge(ctx, 'att', s.attitude, t('cpas.att.' + s.attitude))),
      el('td', { class: 'muted small', text: s.interests || '' })))))
    : el('p', { class: 'muted', text: t('cpas.none') }));
  body.append(el('h4', { text: t('cpas.ctx.map') }), el('table', { class: 'cpas-table cpas-map', id: 'cpas-map' },
    el('thead', {}, el('tr', {}, el('th'), ...ATTITUDES.map((a) => el('th', { text: t('cpas.att.' + a) })))),
    el('tbody', {}, ...INFLUENCE.slice().reverse().map((i) => el('tr', {}, el('th', { text: t('cpas.infl.' + i) }),
      ...ATTITUDES.map((a) => el('td', { class: 'num' + (c.map[i][a] ? ' cpas-map-hit cpas-att-' + a : ''), text: String(c.map[i][a] || '') })))))));
  if (plan.status !== 'draft') return;
  body.append(el('div', { class: 'cpas-forms' }, form(ctx, 'cpas-new-driver', t('cpas.ctx.add_driver'), [
    field(ctx, 'cpas-dr-title', 'cpas.f.title', input(ctx, 'cpas-dr-title')),
    field(ctx, 'cpas-dr-trend', 'cpas.f.trend', select(ctx, 'cpas-dr-trend', [['', '—'], ...['worsening', 'stable', 'improving'].map((x) => [x, t('cpas.trend.' + x)])], '')),
    field(ctx, 'cpas-dr-desc', 'cpas.f.description', ctx.el('textarea', { id: 'cpas-dr-desc', rows: '2' })),
  ], 'cpas.add', async () => {
    await api('POST', `${P}/plans/${plan.id}/drivers`, { title: val('cpas-dr-title'), trend: val('cpas-dr-trend') || undefined,
      description: val('cpas-dr-desc') || undefined });
    ctx.rerender();
  }), form(ctx, 'cpas-new-stk', t('cpas.ctx.add_stakeholder'), [
    field(ctx, 'cpas-sk-name', 'cpas.f.name', input(ctx, 'cpas-sk-name')),
    field(ctx, 'cpas-sk-type', 'cpas.f.type', select(ctx, 'cpas-sk-type', TYPES.map((x) => [x, x]), 'armed_group')),
    field(ctx, 'cpas-sk-infl', 'cpas.f.influence', select(ctx, 'cpas-sk-infl', INFLUENCE.map((x) => [x, t('cpas.infl.' + x)]), 'medium')),
    field(ctx, 'cpas-sk-att', 'cpas.f.attitude', select(ctx, 'cpas-sk-att', ATTITUDES.map((x) => [x, t('cpas.att.' + x)]), 'neutral')),
    field(ctx, 'cpas-sk-int', 'cpas.f.interests', input(ctx, 'cpas-sk-int')),
  ], 'cpas.add', async () => {
    await api('POST', `${P}/plans/${plan.id}/stakeholders`, { name: val('cpas-sk-name'), type: val('cpas-sk-type'),
      influence: val('cpas-sk-infl'), attitude: val('cpas-sk-att'), interests: val('cpas-sk-int') || undefined });
    ctx.rerender();
  })));
}

// ---- The page -------------------------------------------------------------------

registerPage({
  id: 'cpas',
  titleKey: 'nav.cpas',
  render: async (root, ctx) => {
    const [view, id, tab, sub] = ctx.path;
    root.append(ctx.el('h2', { class: 'cpas-title', text: ctx.t('cpas.title') }));
    const body = ctx.el('div', { class: 'cpas-body', id: 'cpas-body' });
    root.append(body);
    if (view === 'plan' && id) {
      const plan = await ctx.api('GET', `${P}/plans/${id}`);
      const active = TABS.includes(tab) ? tab : 'framework';
      const decide = await canDecide(ctx, plan);
      body.append(planHeader(ctx, plan, active, decide));
      const panel = ctx.el('div', { role: 'tabpanel', id: 'cpas-panel', 'aria-labelledby': 'cpas-tab-' + active });
      body.append(panel);
      if (active === 'framework') await frameworkView(panel, ctx, plan);
      else if (active === 'data') await dataView(panel, ctx, plan);
      else if (active === 'dashboard') await dashboardView(panel, ctx, plan, sub);
      else if (active === 'assessments') await assessmentsView(panel, ctx, plan, decide);
      else await contextView(panel, ctx, plan);
    } else {
      await plansView(body, ctx);
    }
    body.dataset.ready = '1';
  },
});
