// Page "conduct": the misconduct register (conduct officers and system
// administrators only; every other role sees the public statistics and
// figure IV), status-of-forces violations, and unit evaluations with their
// improvement plans. Sub-paths: #/conduct/misconduct (default),
// #/conduct/sofa, #/conduct/performance.
import { registerPage } from './pages.js';
import { addStrings } from './i18n.js';

addStrings({
  en: {
    'cd.title': 'Conduct and accountability',
    'cd.tab.misconduct': 'Misconduct',
    'cd.tab.sofa': 'Status-of-forces violations',
    'cd.tab.performance': 'Unit performance',
    'cd.restricted': 'The misconduct register is restricted to conduct officers and system administrators. You see the public statistics only.',
    'cd.audited': 'Restricted register: every record you open or list is recorded in the audit trail under your name.',
    'cd.fig4.title': 'Figure IV — Number of allegations reported by year',
    'cd.fig4.same': 'Incident in the year reported',
    'cd.fig4.earlier': 'Incident in earlier years',
    'cd.fig4.unknown': 'Incident date unknown',
    'cd.fig4.empty': 'No allegation reported in this period.',
    'cd.definition': 'Definition',
    'cd.source': 'Source',
    'cd.from': 'From',
    'cd.to': 'To',
    'cd.apply': 'Apply',
    'cd.stats.title': 'Allegations by year and category',
    'cd.year': 'Year',
    'cd.category': 'Category',
    'cd.allegations': 'Allegations',
    'cd.victims': 'Victims',
    'cd.register': 'Register of allegations',
    'cd.mission': 'Mission',
    'cd.reported': 'Reported',
    'cd.incident': 'Incident',
    'cd.personnel': 'Personnel',
    'cd.nationality': 'Nationality',
    'cd.result': 'Result',
    'cd.search': 'Search',
    'cd.none': 'Nothing to show.',
    'cd.more': 'Next page',
    'cd.record': 'Record an allegation',
    'cd.save': 'Save',
    'cd.saved': 'Saved.',
    'cd.close': 'Close',
    'cd.field.victims_adult': 'Adult victims',
    'cd.field.victims_child': 'Child victims',
    'cd.field.investigation': 'Investigation',
    'cd.field.paternity': 'Paternity claim',
    'cd.field.referral': 'Referral for criminal accountability',
    'cd.field.assistance': 'Victims\u2019 assistance',
    'cd.field.final': 'Final action',
    'cd.field.interim': 'Interim action',
    'cd.field.notes': 'Notes',
    'cd.field.type': 'Type',
    'cd.field.authority': 'Authority responsible',
    'cd.field.place': 'Place',
    'cd.field.started': 'Started',
    'cd.field.status': 'Status',
    'cd.field.impact': 'Impact',
    'cd.field.description': 'Description',
    'cd.field.detained': 'Personnel detained',
    'cd.field.resolution': 'Resolution',
    'cd.field.resolved_on': 'Resolved on',
    'cd.sofa.summary': 'Summary by year and type',
    'cd.sofa.list': 'Violations',
    'cd.sofa.record': 'Record a violation',
    'cd.sofa.resolve': 'Mark resolved',
    'cd.sofa.violations': 'Violations',
    'cd.sofa.unresolved': 'Unresolved',
    'cd.sofa.days': 'Mean days to resolution',
    'cd.perf.units': 'Units',
    'cd.perf.unit': 'Unit',
    'cd.perf.country': 'Contributor',
    'cd.perf.latest': 'Latest rating',
    'cd.perf.open': 'Open measures',
    'cd.perf.overdue': 'Overdue',
    'cd.perf.due': 'Quarterly evaluation due',
    'cd.perf.evaluations': 'Evaluations',
    'cd.perf.kind': 'Kind',
    'cd.perf.period': 'Period',
    'cd.perf.date': 'Date',
    'cd.perf.overall': 'Overall',
    'cd.perf.ratings': 'Ratings',
    'cd.perf.shortfalls': 'Shortfalls',
    'cd.perf.plan': 'Performance improvement plan',
    'cd.perf.noplan': 'No improvement plan.',
    'cd.perf.measure': 'Remedial measure',
    'cd.perf.due_on': 'Due',
    'cd.perf.complete': 'Mark completed',
    'cd.perf.evidence': 'Evidence of completion',
    'cd.perf.closeplan': 'Close the plan',
    'cd.yes': 'yes',
    'cd.no': 'no',
  },
  fr: {
    'cd.title': 'Conduite et responsabilité',
    'cd.tab.misconduct': 'Fautes professionnelles',
    'cd.tab.sofa': 'Violations de l\u2019accord sur le statut des forces',
    'cd.tab.performance': 'Performance des unités',
    'cd.restricted': 'Le registre des fautes est réservé aux fonctionnaires chargés de la déontologie et de la discipline et aux administrateurs du système. Vous ne voyez que les statistiques publiques.',
    'cd.audited': 'Registre restreint : chaque fiche que vous ouvrez ou listez est inscrite à votre nom dans le journal d\u2019audit.',
    'cd.fig4.title': 'Figure IV — Nombre d\u2019allégations signalées par année',
    'cd.fig4.same': 'Faits survenus l\u2019année du signalement',
    'cd.fig4.earlier': 'Faits survenus les années précédentes',
    'cd.fig4.unknown': 'Date des faits inconnue',
    'cd.fig4.empty': 'Aucune allégation signalée sur cette période.',
    'cd.definition': 'Définition',
    'cd.source': 'Source',
    'cd.from': 'Du',
    'cd.to': 'Au',
    'cd.apply': 'Appliquer',
    'cd.stats.title': 'Allégations par année et par catégorie',
    'cd.year': 'Année',
    'cd.category': 'Catégorie',
    'cd.allegations': 'Allégations',
    'cd.victims': 'Victimes',
    'cd.register': 'Registre des allégations',
    'cd.mission': 'Mission',
    'cd.reported': 'Signalée',
    'cd.incident': 'Faits',
    'cd.personnel': 'Personnel',
    'cd.nationality': 'Nationalité',
    'cd.result': 'Résultat',
    'cd.search': 'Rechercher',
    'cd.none': 'Rien à afficher.',
    'cd.more': 'Page suivante',
    'cd.record': 'Enregistrer une allégation',
    'cd.save': 'Enregistrer',
    'cd.saved': 'Enregistré.',
    'cd.close': 'Fermer',
    'cd.field.victims_adult': 'Victimes adultes',
    'cd.field.victims_child': 'Victimes mineures',
    'cd.field.investigation': 'Enquête',
    'cd.field.paternity': 'Demande de reconnaissance de paternité',
    'cd.field.referral': 'Renvoi aux fins de poursuites pénales',
    'cd.field.assistance': 'Assistance aux victimes',
    'cd.field.final': 'Mesure définitive',
    'cd.field.interim': 'Mesure provisoire',
    'cd.field.notes': 'Notes',
    'cd.field.type': 'Type',
    'cd.field.authority': 'Autorité responsable',
    'cd.field.place': 'Lieu',
    'cd.field.started': 'Début',
    'cd.field.status': 'État',
    'cd.field.impact': 'Incidence',
    'cd.field.description': 'Description',
    'cd.field.detained': 'Personnel détenu',
    'cd.field.resolution': 'Règlement',
    'cd.field.resolved_on': 'Réglée le',
    'cd.sofa.summary': 'Synthèse par année et par type',
    'cd.sofa.list': 'Violations',
    'cd.sofa.record': 'Enregistrer une violation',
    'cd.sofa.resolve': 'Marquer comme réglée',
    'cd.sofa.violations': 'Violations',
    'cd.sofa.unresolved': 'Non réglées',
    'cd.sofa.days': 'Délai moyen de règlement (jours)',
    'cd.perf.units': 'Unités',
    'cd.perf.unit': 'Unité',
    'cd.perf.country': 'Pays fournisseur',
    'cd.perf.latest': 'Dernière note',
    'cd.perf.open': 'Mesures en cours',
    'cd.perf.overdue': 'En retard',
    'cd.perf.due': 'Évaluation trimestrielle due',
    'cd.perf.evaluations': 'Évaluations',
    'cd.perf.kind': 'Nature',
    'cd.perf.period': 'Période',
    'cd.perf.date': 'Date',
    'cd.perf.overall': 'Note globale',
    'cd.perf.ratings': 'Notes',
    'cd.perf.shortfalls': 'Lacunes',
    'cd.perf.plan': 'Plan d\u2019amélioration de la performance',
    'cd.perf.noplan': 'Pas de plan d\u2019amélioration.',
    'cd.perf.measure': 'Mesure corrective',
    'cd.perf.due_on': 'Échéance',
    'cd.perf.complete': 'Marquer comme achevée',
    'cd.perf.evidence': 'Preuve d\u2019achèvement',
    'cd.perf.closeplan': 'Clore le plan',
    'cd.fig4.def': 'Allégations inscrites au registre, comptées selon l\u2019année de leur signalement à l\u2019ONU. Faits survenus l\u2019année du signalement : les faits ont eu lieu (ou, pour des faits étalés sur une période, duraient encore) l\u2019année du signalement ; années précédentes : les faits ont pris fin une année antérieure ; inconnue : la date des faits n\u2019est pas connue. Toutes les catégories de fautes du registre comptent (la table de l\u2019ONU importée ne porte que sur l\u2019exploitation et les atteintes sexuelles). Un signalement daté au mois compte au premier jour de ce mois pour le filtre de période.',
    'cd.yes': 'oui',
    'cd.no': 'non',
  },
});

// Labels of the closed vocabularies (codes shown as such when missing).
const VOCAB = {
  en: {
    sexual_exploitation_and_abuse: 'Sexual exploitation and abuse', sexual_harassment: 'Sexual harassment',
    prohibited_conduct: 'Prohibited conduct', fraud: 'Fraud', theft_or_misappropriation: 'Theft or misappropriation',
    abuse_of_authority: 'Abuse of authority', assault: 'Assault', misuse_of_assets: 'Misuse of assets', other: 'Other',
    movement_restriction: 'Restriction of movement', flight_restriction: 'Flight restriction',
    drone_restriction: 'Drone restriction', detention_of_personnel: 'Detention of personnel',
    import_obstruction: 'Import obstruction', open: 'Open', raised_with_host_state: 'Raised with the host State',
    resolved: 'Resolved', closed_unresolved: 'Closed unresolved', none: 'None', minor: 'Minor',
    moderate: 'Moderate', severe: 'Severe', in_mission: 'In mission', pre_rotation_visit: 'Pre-rotation visit',
    special: 'Special', planned: 'Planned', in_progress: 'In progress', completed: 'Completed', cancelled: 'Cancelled',
    military: 'Military', police: 'Police',
    military_contingent: 'Military contingent', military_observer: 'Military observer', military_staff_officer: 'Staff officer',
    police_unpol: 'UN police', police_fpu: 'Formed police unit', police_government_provided: 'Government-provided personnel',
    civilian_international: 'International civilian', civilian_national: 'National staff', civilian_unv: 'UN Volunteer',
    civilian_contractor: 'Contractor', civilian_vendor: 'Vendor employee', civilian_daily_worker: 'Daily worker',
    pending: 'Pending', substantiated: 'Substantiated', unsubstantiated: 'Unsubstantiated', incomplete: 'Incomplete',
    not_applicable: 'N/A', yes: 'Yes', no: 'No', no_response: 'No response', declined: 'Declined',
    host_armed_forces: 'Host armed forces', host_police: 'Host police', host_security_services: 'Host security services',
    host_government: 'Host government', customs: 'Customs', civil_aviation: 'Civil aviation', local_authority: 'Local authority',
    command_and_control: 'Command and control', operations: 'Operations', protection_of_civilians: 'Protection of civilians',
    training: 'Training', discipline_and_conduct: 'Discipline and conduct', sustainment: 'Sustainment',
    medical_support: 'Medical support', health_and_welfare: 'Health and welfare', equipment: 'Equipment',
    public_order_management: 'Public order management', gender_integration: 'Gender integration',
    safety_and_security: 'Safety and security', gender: 'Gender', mission: 'Mission', contributing_country: 'Contributing country',
    secretariat: 'Secretariat', headquarters: 'Headquarters', unsatisfactory: 'unsatisfactory',
    needs_improvement: 'needs improvement', satisfactory: 'satisfactory', very_good: 'very good', excellent: 'excellent',
    closed: 'Closed',
  },
  fr: {
    sexual_exploitation_and_abuse: 'Exploitation et atteintes sexuelles', sexual_harassment: 'Harcèlement sexuel',
    prohibited_conduct: 'Conduite prohibée', fraud: 'Fraude', theft_or_misappropriation: 'Vol ou détournement',
    abuse_of_authority: 'Abus d\u2019autorité', assault: 'Voies de fait', misuse_of_assets: 'Usage abusif des biens',
    other: 'Autre', movement_restriction: 'Restriction de circulation', flight_restriction: 'Restriction de vol',
    drone_restriction: 'Restriction des drones', detention_of_personnel: 'Détention de personnel',
    import_obstruction: 'Entrave aux importations', open: 'Ouverte', raised_with_host_state: 'Soulevée auprès de l\u2019État hôte',
    resolved: 'Réglée', closed_unresolved: 'Close sans règlement', none: 'Aucune', minor: 'Mineure',
    moderate: 'Modérée', severe: 'Grave', in_mission: 'En mission', pre_rotation_visit: 'Visite préalable à la relève',
    special: 'Spéciale', planned: 'Prévue', in_progress: 'En cours', completed: 'Achevée', cancelled: 'Annulée',
    military: 'Militaire', police: 'Police',
    military_contingent: 'Contingent militaire', military_observer: 'Observateur militaire', military_staff_officer: 'Officier d\u2019état-major',
    police_unpol: 'Police des Nations Unies', police_fpu: 'Unité de police constituée', police_government_provided: 'Personnel fourni par un gouvernement',
    civilian_international: 'Civil international', civilian_national: 'Personnel recruté dans le pays', civilian_unv: 'Volontaire des Nations Unies',
    civilian_contractor: 'Sous-traitant', civilian_vendor: 'Employé d\u2019un fournisseur', civilian_daily_worker: 'Journalier',
    pending: 'En attente', substantiated: 'Établie', unsubstantiated: 'Non établie', incomplete: 'Incomplète',
    not_applicable: 'S.O.', yes: 'Oui', no: 'Non', no_response: 'Sans réponse', declined: 'Refusé',
    host_armed_forces: 'Forces armées du pays hôte', host_police: 'Police du pays hôte', host_security_services: 'Services de sécurité du pays hôte',
    host_government: 'Gouvernement hôte', customs: 'Douanes', civil_aviation: 'Aviation civile', local_authority: 'Autorité locale',
    command_and_control: 'Commandement et contrôle', operations: 'Opérations', protection_of_civilians: 'Protection des civils',
    training: 'Formation', discipline_and_conduct: 'Discipline et conduite', sustainment: 'Soutien',
    medical_support: 'Soutien médical', health_and_welfare: 'Santé et bien-être', equipment: 'Équipement',
    public_order_management: 'Maintien de l\u2019ordre', gender_integration: 'Intégration des questions de genre',
    safety_and_security: 'Sûreté et sécurité', gender: 'Genre', mission: 'Mission', contributing_country: 'Pays contributeur',
    secretariat: 'Secrétariat', headquarters: 'Siège', unsatisfactory: 'insuffisant',
    needs_improvement: 'à améliorer', satisfactory: 'satisfaisant', very_good: 'très bien', excellent: 'excellent',
    closed: 'Clos',
  },
};

const TABS = ['misconduct', 'sofa', 'performance'];

registerPage({
  id: 'conduct',
  titleKey: 'nav.conduct',
  render: async (root, ctx) => {
    const { el, t } = ctx;
    const v = (code) => (code ? (VOCAB[ctx.lang] || VOCAB.en)[code] || code.replace(/_/g, ' ') : '');
    const tab = TABS.includes(ctx.path[0]) ? ctx.path[0] : 'misconduct';
    root.append(el('h2', { text: t('cd.title') }));
    const bar = el('div', { class: 'tabs', role: 'tablist' });
    for (const id of TABS)
      bar.append(el('button', { type: 'button', role: 'tab', id: 'cd-tab-' + id, 'aria-selected': String(id === tab),
        text: t('cd.tab.' + id), onclick: () => ctx.go('conduct', id) }));
    const panel = el('div', { role: 'tabpanel', id: 'cd-panel', 'aria-labelledby': 'cd-tab-' + tab });
    root.append(bar, panel);
    const H = { el, t, v, ctx };
    if (tab === 'misconduct') await misconduct(panel, H);
    else if (tab === 'sofa') await sofa(panel, H);
    else await performance(panel, H);
  },
});

// ---- helpers ----------------------------------------------------------------

function table(el, heads, rows, attrs = {}) {
  const tb = el('tbody');
  for (const r of rows) tb.append(r);
  return el('table', { class: 'cd-table', ...attrs },
    el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { scope: 'col', text: h })))), tb);
}

function field(el, label, input) {
  return el('label', { class: 'cd-field' }, el('span', { text: label }), input);
}

function errorBox(el) { return el('p', { class: 'cd-error', role: 'alert' }); }

function showError(box, e, t) {
  box.textContent = (e.field ? e.field + ': ' : '') + (e.message || String(e));
}

// ---- misconduct ---------------------------------------------------------------

async function misconduct(panel, H) {
  const { el, t, v, ctx } = H;
  const stats = await ctx.api('GET', '/misconduct/statistics');
  const access = stats.register_access;
  panel.append(el('p', { class: access ? 'cd-note cd-audited' : 'cd-note', id: 'cd-access',
    text: t(access ? 'cd.audited' : 'cd.restricted') }));

  // Figure IV with its period.
  const from = el('input', { type: 'date', id: 'cd-from', value: '2015-01-01' });
  const to = el('input', { type: 'date', id: 'cd-to', value: new Date().toISOString().slice(0, 10) });
  const figBox = el('div', { id: 'cd-fig4' });
  const draw = async () => {
    const fig = await ctx.api('GET', '/misconduct/figure-iv' + ctx.qs({ from: from.value, to: to.value }));
    figBox.replaceChildren(figure4(H, fig));
  };
  panel.append(el('section', { class: 'cd-card' },
    el('div', { class: 'cd-row' }, field(el, t('cd.from'), from), field(el, t('cd.to'), to),
      el('button', { type: 'button', id: 'cd-fig-apply', text: t('cd.apply'), onclick: draw })),
    figBox));
  await draw();

  // Public statistics: counts by year and category.
  const rows = stats.by_year.slice().reverse().map((r) => el('tr', {},
    el('td', { text: String(r.year) }), el('td', { text: v(r.category) }),
    el('td', { class: 'num', text: ctx.fmtNumber(r.allegations) }), el('td', { class: 'num', text: ctx.fmtNumber(r.victims) })));
  panel.append(el('section', { class: 'cd-card' }, el('h3', { text: t('cd.stats.title') }),
    rows.length ? table(el, [t('cd.year'), t('cd.category'), t('cd.allegations'), t('cd.victims')], rows, { id: 'cd-stats' })
      : el('p', { class: 'muted', text: t('cd.none') }),
    el('p', { class: 'muted cd-small', text: t('cd.source') + ': ' + stats.source })));

  if (access) await register(panel, H);
}

function figure4(H, fig) {
  const { el, t, ctx } = H;
  const box = el('figure', { class: 'cd-figure' }, el('figcaption', { text: t('cd.fig4.title') }));
  if (fig.empty) {
    box.append(el('p', { class: 'muted', id: 'cd-fig4-empty', text: t('cd.fig4.empty') }));
  } else {
    const W = 760, Hh = 260, L = 44, B = 28, T = 10;
    const max = Math.max(...fig.rows.map((r) => r.total), 1);
    const bw = Math.min(48, (W - L - 10) / fig.rows.length - 6);
    const g = ctx.svg('svg', { viewBox: `0 0 ${W} ${Hh + 40}`, class: 'cd-chart', role: 'img', 'aria-label': t('cd.fig4.title') });
    const y = (n) => T + (Hh - B - T) * (1 - n / max);
    for (let k = 0; k <= 4; k++) {
      const val = Math.round((max * k) / 4);
      g.append(ctx.svg('line', { x1: L, x2: W - 4, y1: y(val), y2: y(val), class: 'cd-grid' }),
        ctx.svg('text', { x: L - 6, y: y(val) + 4, 'text-anchor': 'end', class: 'cd-axis', text: String(val) }));
    }
    const parts = [['same_year', 'cd-same'], ['earlier_years', 'cd-earlier'], ['unknown', 'cd-unknown']];
    fig.rows.forEach((r, i) => {
      const x = L + 6 + i * (bw + 6);
      let acc = 0;
      for (const [k, cls] of parts) {
        if (!r[k]) continue;
        const rect = ctx.svg('rect', { x, width: bw, y: y(acc + r[k]), height: y(acc) - y(acc + r[k]), class: cls });
        rect.append(ctx.svg('title', { text: `${r.year}: ${r[k]}` }));
        g.append(rect);
        acc += r[k];
      }
      g.append(ctx.svg('text', { x: x + bw / 2, y: Hh - B + 16, 'text-anchor': 'middle', class: 'cd-axis', text: String(r.year) }),
        ctx.svg('text', { x: x + bw / 2, y: y(r.total) - 3, 'text-anchor': 'middle', class: 'cd-total', text: String(r.total) }));
    });
    let lx = L;
    for (const [k, cls] of parts) {
      const label = t({ same_year: 'cd.fig4.same', earlier_years: 'cd.fig4.earlier', unknown: 'cd.fig4.unknown' }[k]);
      g.append(ctx.svg('rect', { x: lx, y: Hh + 8, width: 12, height: 12, class: cls }),
        ctx.svg('text', { x: lx + 16, y: Hh + 18, class: 'cd-axis', text: label }));
      lx += 26 + label.length * 6.4;
    }
    box.append(g);
  }
  // The API's definition is in English; the French page shows its translation.
  const def = ctx.lang === 'fr' ? t('cd.fig4.def') : fig.definition;
  box.append(el('p', { class: 'cd-small' }, el('b', { text: t('cd.definition') + ' : '.slice(ctx.lang === 'fr' ? 0 : 1) }), def),
    el('p', { class: 'cd-small muted' }, el('b', { text: t('cd.source') + ': ' }), fig.source));
  return box;
}

async function register(panel, H) {
  const { el, t, v, ctx } = H;
  const q = el('input', { type: 'search', id: 'cd-q', placeholder: t('cd.search') });
  const fMission = el('input', { id: 'cd-q-mission', placeholder: 'MINUSCA', size: 10 });
  const fYear = el('input', { id: 'cd-q-year', type: 'number', min: 1990, max: 2100, placeholder: 'YYYY' });
  const list = el('div', { id: 'cd-register' });
  const detail = el('div', { id: 'cd-detail' });
  let cursor = null;
  const load = async (append) => {
    const js = await ctx.api('GET', '/misconduct' + ctx.qs({ q: q.value, mission: fMission.value.trim().toUpperCase(),
      year: fYear.value, limit: 50, cursor: append ? cursor : '' }));
    cursor = js.next_cursor;
    const rows = js.items.map((a) => el('tr', { class: 'cd-click', tabindex: '0', 'data-id': a.id,
      onclick: () => open(a.id), onkeydown: (e) => { if (e.key === 'Enter') open(a.id); } },
      el('td', { text: a.mission }), el('td', { text: a.reported_on }),
      el('td', { text: a.incident_from ? a.incident_from + (a.incident_to ? ' – ' + a.incident_to : '') : '?' }),
      el('td', { text: v(a.category) }), el('td', { text: v(a.personnel_type) }),
      el('td', { text: a.nationality || '' }), el('td', { text: v(a.result) })));
    const tb = table(el, [t('cd.mission'), t('cd.reported'), t('cd.incident'), t('cd.category'), t('cd.personnel'),
      t('cd.nationality'), t('cd.result')], rows, { id: 'cd-register-table' });
    if (append && list.querySelector('tbody')) list.querySelector('tbody').append(...rows);
    else list.replaceChildren(rows.length ? tb : el('p', { class: 'muted', text: t('cd.none') }));
    more.hidden = !cursor;
  };
  const more = el('button', { type: 'button', class: 'secondary', text: t('cd.more'), onclick: () => load(true) });
  const open = async (id) => {
    const a = await ctx.api('GET', '/misconduct/' + encodeURIComponent(id));
    const yn = (b) => (b === true ? t('cd.yes') : b === false ? t('cd.no') : '');
    const dl = el('dl', { class: 'cd-dl' });
    const add = (k, val) => { if (val !== null && val !== undefined && val !== '') dl.append(el('dt', { text: k }), el('dd', { text: String(val) })); };
    add(t('cd.mission'), a.mission); add(t('cd.category'), v(a.category));
    add(t('cd.allegations'), (a.allegation_types || []).join('; '));
    add(t('cd.reported'), a.reported_on);
    add(t('cd.incident'), a.incident_from ? a.incident_from + (a.incident_to ? ' – ' + a.incident_to : '') : '?');
    add(t('cd.personnel'), (a.personnel || []).map((p) => v(p.type) + (p.count !== null ? ' × ' + p.count : '')).join('; ') || v(a.personnel_type));
    add(t('cd.nationality'), a.nationality);
    add(t('cd.field.victims_adult'), a.victims_adult); add(t('cd.field.victims_child'), a.victims_child);
    add(t('cd.field.investigation'), [a.investigating_entity, v(a.investigation_status), a.investigation_days != null ? a.investigation_days + ' d' : ''].filter(Boolean).join(' · '));
    add(t('cd.result'), a.result_detail || v(a.result));
    add(t('cd.field.interim'), a.interim_action); add(t('cd.field.final'), a.final_action);
    add(t('cd.field.referral'), v(a.referral_criminal));
    add(t('cd.field.paternity'), [yn(a.paternity_claim), v(a.paternity_established)].filter(Boolean).join(' · '));
    add(t('cd.field.assistance'), [yn(a.victim_assistance_given), a.victim_assistance].filter(Boolean).join(' · '));
    add(t('cd.field.notes'), a.notes);
    add(t('cd.source'), a.source);
    detail.replaceChildren(el('section', { class: 'cd-card', id: 'cd-record' },
      el('div', { class: 'cd-row' }, el('h3', { text: a.mission + ' · ' + a.reported_on }),
        el('button', { type: 'button', class: 'secondary', text: t('cd.close'), onclick: () => detail.replaceChildren() })),
      el('p', { class: 'cd-note cd-audited', text: t('cd.audited') }), dl));
    detail.scrollIntoView({ block: 'nearest' });
  };
  const err = errorBox(el);
  const reload = () => load(false).then(() => { err.textContent = ''; }, (e) => showError(err, e, t));
  for (const inp of [q, fMission, fYear]) inp.addEventListener('change', reload);
  panel.append(el('section', { class: 'cd-card' }, el('h3', { text: t('cd.register') }),
    el('div', { class: 'cd-row cd-filters' }, field(el, t('cd.search'), q), field(el, t('cd.mission'), fMission),
      field(el, t('cd.reported') + ' (' + t('cd.year').toLowerCase() + ')', fYear)), err, list, more),
    detail, recordForm(H, () => load(false)));
  await load(false);
}

function recordForm(H, done) {
  const { el, t, v, ctx } = H;
  const f = {
    mission: el('input', { id: 'cd-f-mission', required: true, placeholder: 'MINUSCA', pattern: '[A-Z0-9_-]{2,32}' }),
    category: el('select', { id: 'cd-f-category' }, ...['sexual_exploitation_and_abuse', 'sexual_harassment', 'prohibited_conduct', 'fraud',
      'theft_or_misappropriation', 'abuse_of_authority', 'assault', 'misuse_of_assets', 'other'].map((c) => el('option', { value: c, text: v(c) }))),
    personnel_type: el('select', { id: 'cd-f-personnel' }, ...['military_contingent', 'military_observer', 'military_staff_officer', 'police_unpol',
      'police_fpu', 'civilian_international', 'civilian_national', 'civilian_unv', 'civilian_contractor', 'other'].map((c) => el('option', { value: c, text: v(c) }))),
    nationality: el('input', { id: 'cd-f-nationality' }),
    incident_from: el('input', { id: 'cd-f-from', placeholder: 'YYYY-MM' }),
    reported_on: el('input', { id: 'cd-f-reported', type: 'date' }),
    victims_adult: el('input', { id: 'cd-f-adult', type: 'number', min: 0 }),
    victims_child: el('input', { id: 'cd-f-child', type: 'number', min: 0 }),
    victim_assistance: el('input', { id: 'cd-f-assistance' }),
  };
  const err = errorBox(el);
  const ok = el('p', { class: 'cd-ok', role: 'status' });
  const save = async () => {
    err.textContent = ''; ok.textContent = '';
    const body = {};
    for (const [k, inp] of Object.entries(f)) {
      if (inp.value === '') continue;
      body[k] = inp.type === 'number' ? Number(inp.value) : inp.value;
    }
    try {
      await ctx.api('POST', '/misconduct', body);
      ok.textContent = t('cd.saved');
      done();
    } catch (e) { showError(err, e, t); }
  };
  return el('details', { class: 'cd-card', id: 'cd-new' }, el('summary', { text: t('cd.record') }),
    el('div', { class: 'cd-grid' }, field(el, t('cd.mission'), f.mission), field(el, t('cd.category'), f.category),
      field(el, t('cd.personnel'), f.personnel_type), field(el, t('cd.nationality'), f.nationality),
      field(el, t('cd.incident'), f.incident_from), field(el, t('cd.reported'), f.reported_on),
      field(el, t('cd.field.victims_adult'), f.victims_adult), field(el, t('cd.field.victims_child'), f.victims_child),
      field(el, t('cd.field.assistance'), f.victim_assistance)),
    el('div', { class: 'buttons' }, el('button', { type: 'button', id: 'cd-f-save', text: t('cd.save'), onclick: save })), err, ok);
}

// ---- status-of-forces violations --------------------------------------------

// Every mission the caller sees, following the list's cursor: the UN list
// alone holds more missions than one page (50 by default), so one page would
// leave most acronyms (and the form's choices) out. A caller who cannot list
// missions gets none.
async function allMissions(ctx) {
  const items = [];
  let cursor = '';
  try {
    for (let i = 0; i < 100; i++) {
      const r = await ctx.api('GET', '/missions' + ctx.qs({ limit: 500, cursor }));
      items.push(...(r.items || []));
      if (!r.next_cursor) break;
      cursor = r.next_cursor;
    }
  } catch (e) { /* no missions.read: names stay empty */ }
  return { items };
}

async function sofa(panel, H) {
  const { el, t, v, ctx } = H;
  const [sum, list, voc, missions] = await Promise.all([ctx.api('GET', '/sofa-violations/summary'),
    ctx.api('GET', '/sofa-violations?limit=100'), ctx.api('GET', '/sofa-violations/vocabulary'),
    allMissions(ctx)]);
  // The API answers each violation's mission_id: show that mission's acronym.
  const mname = Object.fromEntries(missions.items.map((m) => [m.id, m.acronym]));
  const srows = sum.items.map((r) => el('tr', {}, el('td', { text: String(r.year) }), el('td', { text: v(r.type) }),
    el('td', { class: 'num', text: String(r.violations) }), el('td', { class: 'num', text: String(r.unresolved) }),
    el('td', { class: 'num', text: r.mean_days_to_resolution === null ? '–' : String(r.mean_days_to_resolution) })));
  panel.append(el('section', { class: 'cd-card' }, el('h3', { text: t('cd.sofa.summary') }),
    srows.length ? table(el, [t('cd.year'), t('cd.field.type'), t('cd.sofa.violations'), t('cd.sofa.unresolved'), t('cd.sofa.days')], srows, { id: 'cd-sofa-summary' })
      : el('p', { class: 'muted', text: t('cd.none') })));
  const err = errorBox(el);
  const resolve = async (s) => {
    const text = window.prompt(t('cd.field.resolution'));
    if (!text) return;
    try {
      await ctx.api('PATCH', '/sofa-violations/' + s.id, { status: 'resolved', resolution: text,
        resolved_on: new Date().toISOString().slice(0, 10), version: s.version });
      ctx.rerender();
    } catch (e) { showError(err, e, t); }
  };
  const rows = list.items.map((s) => el('tr', { 'data-id': s.id },
    el('td', { text: mname[s.mission_id] || '' }), el('td', { text: v(s.type) }), el('td', { text: v(s.authority) }),
    el('td', { text: s.place }), el('td', { text: s.started_on }), el('td', { text: v(s.impact) }),
    el('td', { text: v(s.status) + (s.personnel_detained ? ' · ' + s.personnel_detained + ' ' + t('cd.field.detained').toLowerCase() : '') }),
    el('td', {}, s.status === 'resolved' || s.status === 'closed_unresolved' ? el('span', { class: 'muted', text: s.resolution || '' })
      : el('button', { type: 'button', class: 'secondary cd-resolve', text: t('cd.sofa.resolve'), onclick: () => resolve(s) }))));
  panel.append(el('section', { class: 'cd-card' }, el('h3', { text: t('cd.sofa.list') }),
    rows.length ? table(el, [t('cd.mission'), t('cd.field.type'), t('cd.field.authority'), t('cd.field.place'), t('cd.field.started'),
      t('cd.field.impact'), t('cd.field.status'), ''], rows, { id: 'cd-sofa-list' }) : el('p', { class: 'muted', text: t('cd.none') }), err));

  // New violation.
  const sel = (id, items) => el('select', { id }, ...items.map((c) => el('option', { value: c, text: v(c) })));
  const f = {
    mission_id: el('select', { id: 'cd-s-mission' }, ...(missions.items || []).map((m) => el('option', { value: m.id, text: m.acronym }))),
    type: sel('cd-s-type', voc.types), authority: sel('cd-s-authority', voc.authorities),
    place: el('input', { id: 'cd-s-place' }), started_on: el('input', { id: 'cd-s-started', type: 'date' }),
    impact: sel('cd-s-impact', voc.impacts), description: el('textarea', { id: 'cd-s-description', rows: 2 }),
    personnel_detained: el('input', { id: 'cd-s-detained', type: 'number', min: 0 }),
  };
  const ferr = errorBox(el);
  const save = async () => {
    ferr.textContent = '';
    const body = {};
    for (const [k, inp] of Object.entries(f)) if (inp.value !== '') body[k] = inp.type === 'number' ? Number(inp.value) : inp.value;
    try { await ctx.api('POST', '/sofa-violations', body); ctx.rerender(); } catch (e) { showError(ferr, e, t); }
  };
  panel.append(el('details', { class: 'cd-card', id: 'cd-sofa-new' }, el('summary', { text: t('cd.sofa.record') }),
    el('div', { class: 'cd-grid' }, field(el, t('cd.mission'), f.mission_id), field(el, t('cd.field.type'), f.type),
      field(el, t('cd.field.authority'), f.authority), field(el, t('cd.field.place'), f.place),
      field(el, t('cd.field.started'), f.started_on), field(el, t('cd.field.impact'), f.impact),
      field(el, t('cd.field.detained'), f.personnel_detained), field(el, t('cd.field.description'), f.description)),
    el('div', { class: 'buttons' }, el('button', { type: 'button', id: 'cd-s-save', text: t('cd.save'), onclick: save })), ferr));
}

// ---- unit performance ---------------------------------------------------------

async function performance(panel, H) {
  const { el, t, v, ctx } = H;
  const [sum, evs] = await Promise.all([ctx.api('GET', '/unit-evaluations/summary'), ctx.api('GET', '/unit-evaluations?limit=100')]);
  const urows = sum.items.map((u) => el('tr', {}, el('td', { text: u.unit_name }), el('td', { text: v(u.component) }),
    el('td', { text: u.contributing_country }), el('td', { class: 'num', text: u.latest && u.latest.overall_rating != null ? String(u.latest.overall_rating) : '' }),
    el('td', { class: 'num', text: String(u.open_measures) }),
    el('td', { class: u.overdue_measures ? 'num cd-bad' : 'num', text: String(u.overdue_measures) }),
    el('td', { class: u.quarterly_evaluation_due ? 'cd-bad' : '', text: u.component === 'police' ? (u.quarterly_evaluation_due ? t('cd.yes') : t('cd.no')) : '' })));
  panel.append(el('section', { class: 'cd-card' }, el('h3', { text: t('cd.perf.units') }),
    urows.length ? table(el, [t('cd.perf.unit'), '', t('cd.perf.country'), t('cd.perf.latest'), t('cd.perf.open'), t('cd.perf.overdue'), t('cd.perf.due')], urows, { id: 'cd-units' })
      : el('p', { class: 'muted', text: t('cd.none') })));
  const detail = el('div', { id: 'cd-eval' });
  const erows = evs.items.map((e) => el('tr', { class: 'cd-click', tabindex: '0', 'data-id': e.id, onclick: () => openEval(e.id),
    onkeydown: (k) => { if (k.key === 'Enter') openEval(e.id); } },
    el('td', { text: e.unit_name }), el('td', { text: v(e.kind) }), el('td', { text: e.period || '' }),
    el('td', { text: e.evaluated_on }), el('td', { class: 'num', text: e.overall_rating + ' / ' + e.scale_max })));
  panel.append(el('section', { class: 'cd-card' }, el('h3', { text: t('cd.perf.evaluations') }),
    erows.length ? table(el, [t('cd.perf.unit'), t('cd.perf.kind'), t('cd.perf.period'), t('cd.perf.date'), t('cd.perf.overall')], erows, { id: 'cd-evals' })
      : el('p', { class: 'muted', text: t('cd.none') })), detail);

  async function openEval(id) {
    const e = await ctx.api('GET', '/unit-evaluations/' + id);
    let plan = null;
    try { plan = await ctx.api('GET', '/unit-evaluations/' + id + '/plan'); } catch (x) { if (x.status !== 404) throw x; }
    const err = errorBox(el);
    const bars = e.ratings.map((r) => el('tr', {}, el('td', { text: v(r.standard) }),
      el('td', {}, el('span', { class: 'cd-meter cd-r' + Math.min(r.rating, 5) + (r.rating <= 2 ? ' cd-low' : ''), text: r.rating + ' / ' + e.scale_max + ' · ' + v(r.label) })),
      el('td', { class: 'muted', text: r.comment || '' })));
    const sec = el('section', { class: 'cd-card', id: 'cd-eval-card' },
      el('h3', { text: `${e.unit_name} · ${v(e.kind)} · ${e.period || e.evaluated_on}` }),
      el('h4', { text: t('cd.perf.ratings') }), table(el, ['', '', ''], bars, { id: 'cd-ratings' }));
    if ((e.shortfalls || []).length)
      sec.append(el('h4', { text: t('cd.perf.shortfalls') }), el('ul', {}, ...e.shortfalls.map((s) =>
        el('li', { text: `${v(s.standard)} (${s.severity}): ${s.description}` }))));
    sec.append(el('h4', { text: t('cd.perf.plan') }));
    if (!plan) sec.append(el('p', { class: 'muted', text: t('cd.perf.noplan') }));
    else {
      const complete = async (m) => {
        const evidence = window.prompt(t('cd.perf.evidence'));
        if (!evidence) return;
        try {
          await ctx.api('PATCH', '/unit-evaluations/measures/' + m.id, { status: 'completed', evidence,
            completed_on: new Date().toISOString().slice(0, 10), version: m.version });
          openEval(id);
        } catch (x) { showError(err, x, t); }
      };
      const mrows = plan.measures.map((m) => el('tr', { 'data-id': m.id },
        el('td', { text: m.action }), el('td', { text: v(m.area) }), el('td', { text: v(m.responsible) + ' / ' + v(m.level) }),
        el('td', { class: m.overdue ? 'cd-bad' : '', text: m.due_on }), el('td', { text: v(m.status) }),
        el('td', {}, plan.status === 'open' && (m.status === 'planned' || m.status === 'in_progress')
          ? el('button', { type: 'button', class: 'secondary cd-complete', text: t('cd.perf.complete'), onclick: () => complete(m) })
          : el('span', { class: 'muted', text: m.evidence || '' }))));
      sec.append(el('p', { text: `${v(plan.status)} · ${plan.opened_on}${plan.closed_on ? ' – ' + plan.closed_on : ''} · ${t('cd.perf.open')}: ${plan.open_measures} · ${t('cd.perf.overdue')}: ${plan.overdue_measures}` }),
        table(el, [t('cd.perf.measure'), '', '', t('cd.perf.due_on'), t('cd.field.status'), ''], mrows, { id: 'cd-measures' }));
      if (plan.status === 'open')
        sec.append(el('div', { class: 'buttons' }, el('button', { type: 'button', id: 'cd-close-plan', text: t('cd.perf.closeplan'),
          onclick: async () => { try { await ctx.api('POST', '/unit-evaluations/plans/' + plan.id + '/close', {}); openEval(id); } catch (x) { showError(err, x, t); } } })));
    }
    sec.append(err);
    detail.replaceChildren(sec);
  }
}
