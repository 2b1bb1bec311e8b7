// Force generation (PCRS): the pledge registry with its level history, the
// requirement board with ranked candidates and their score broken down,
// the global assignment (optimal against greedy), and the pipeline, gap,
// parity and rotation dashboards. Routes: #/pcrs (pledges),
// #/pcrs/pledge/ID, #/pcrs/requirements, #/pcrs/requirement/ID,
// #/pcrs/solve, #/pcrs/dashboards. Charts are inline SVG (no inline styles:
// the CSP forbids them). See docs/pcrs.md for the API.
import { registerPage } from './pages.js';
import { addStrings } from './i18n.js';

const LEVELS = ['registered', 'level_1', 'level_2', 'level_3', 'rapid_deployment'];
const COMPONENTS = ['time', 'capability', 'language', 'gender', 'caveats', 'diversity'];
const WEIGHTS = { time: 0.30, capability: 0.25, language: 0.15, gender: 0.15, caveats: 0.10, diversity: 0.05 };
const REQ_STATUS = ['draft', 'open', 'filled', 'cancelled'];
const CATEGORIES = ['military_contingents', 'military_observers_staff_officers', 'formed_police_units',
  'individual_police_officers'];

// French names of the unit types (the API gives the English ones).
const TYPE_FR = {
  infantry_battalion: "Bataillon d'infanterie", mechanized_infantry_battalion: "Bataillon d'infanterie mécanisée",
  quick_reaction_force_company: "Compagnie de force de réaction rapide", special_forces_company: 'Compagnie de forces spéciales',
  reconnaissance_company: 'Compagnie de reconnaissance', formed_police_unit: 'Unité de police constituée',
  individual_police_officers: 'Policiers hors unités constituées', engineering_company: 'Compagnie du génie',
  construction_engineering_company: 'Compagnie du génie de construction', level_1_hospital: 'Hôpital de niveau I',
  level_2_hospital: 'Hôpital de niveau II', level_3_hospital: 'Hôpital de niveau III',
  aeromedical_evacuation_team: "Équipe d'évacuation sanitaire aérienne", utility_helicopter_unit: "Unité d'hélicoptères de transport",
  attack_helicopter_unit: "Unité d'hélicoptères d'attaque", fixed_wing_transport_unit: "Unité d'avions de transport",
  uas_unit: 'Unité de drones', eod_cied_company: 'Compagnie de neutralisation des explosifs et de lutte contre les EEI',
  signals_company: 'Compagnie de transmissions', transport_company: 'Compagnie de transport',
  logistics_battalion: 'Bataillon logistique', military_police_company: 'Compagnie de police militaire',
  riverine_unit: 'Unité fluviale', maritime_task_force: 'Force opérationnelle maritime',
  intelligence_surveillance_reconnaissance_unit: 'Unité de renseignement, surveillance et reconnaissance',
  military_observers: 'Observateurs militaires', staff_officers: "Officiers d'état-major",
};

addStrings({
  en: {
    'pcrs.title': 'Force generation (PCRS)',
    'pcrs.tab.pledges': 'Pledge registry', 'pcrs.tab.requirements': 'Requirement board',
    'pcrs.tab.solve': 'Assignment', 'pcrs.tab.dashboards': 'Pipeline and gaps',
    'pcrs.filter.level': 'Readiness level', 'pcrs.filter.type': 'Unit type', 'pcrs.filter.country': 'Member State',
    'pcrs.filter.status': 'Status', 'pcrs.filter.all': 'All', 'pcrs.filter.apply': 'Filter',
    'pcrs.more': 'More', 'pcrs.none': 'Nothing to show.', 'pcrs.loading': 'Loading…', 'pcrs.back': 'Back',
    'pcrs.col.country': 'Member State', 'pcrs.col.type': 'Unit type', 'pcrs.col.strength': 'Strength',
    'pcrs.col.level': 'Level', 'pcrs.col.status': 'Status', 'pcrs.col.from': 'Available from',
    'pcrs.col.until': 'Available until', 'pcrs.col.women': 'Women', 'pcrs.col.mission': 'Mission',
    'pcrs.col.title': 'Title', 'pcrs.col.required_by': 'Required by', 'pcrs.col.score': 'Score',
    'pcrs.col.earliest': 'Earliest deployment', 'pcrs.col.reasons': 'Why not 1', 'pcrs.col.rank': 'Rank',
    'pcrs.col.candidates': 'Candidates', 'pcrs.col.gap': 'Gap', 'pcrs.col.date': 'Date', 'pcrs.col.by': 'By',
    'pcrs.col.category': 'Category', 'pcrs.col.share': 'Share of women', 'pcrs.col.target': 'Target',
    'pcrs.col.short': 'Women short', 'pcrs.col.due': 'Next rotation due', 'pcrs.col.contingent': 'Contingent',
    'pcrs.col.start': 'Start', 'pcrs.col.end': 'End', 'pcrs.col.total': 'Total', 'pcrs.col.requirement': 'Requirement',
    'pcrs.col.pledge': 'Pledge', 'pcrs.col.languages': 'Languages', 'pcrs.col.caveats': 'Caveats',
    'pcrs.col.capabilities': 'Capabilities', 'pcrs.col.equipment': 'Major equipment',
    'pcrs.col.self': 'Self-sustainment', 'pcrs.col.language': 'Language', 'pcrs.col.women_target': 'Women target',
    'pcrs.col.required_caps': 'Required capabilities', 'pcrs.col.kind': 'Kind', 'pcrs.col.findings': 'Findings',
    'pcrs.yes': 'yes', 'pcrs.no': 'no',
    'pcrs.pledge.title': 'Pledge: {type} from {country}', 'pcrs.pledge.history': 'Readiness level history',
    'pcrs.pledge.visits': 'Assessment and advisory visits', 'pcrs.pledge.count': '{n} pledges shown',
    'pcrs.req.title': 'Requirement: {title}', 'pcrs.req.candidates': 'Ranked candidates',
    'pcrs.req.breakdown': 'Score breakdown (weight × component)', 'pcrs.req.draft':
      'This requirement is a draft: it is not matched until it is opened.',
    'pcrs.req.open': 'Open the requirement', 'pcrs.req.opened': 'The requirement is open.',
    'pcrs.req.rotations': 'Deployment and rotations', 'pcrs.req.not_deployed': 'Not deployed.',
    'pcrs.req.rotation_assumed': '(12 months assumed)', 'pcrs.req.overdue': 'overdue',
    'pcrs.req.planned': 'planned',
    'pcrs.solve.intro': 'The global assignment of every open requirement you see to the available pledges: the Hungarian algorithm per unit type, no pledge twice, compared with taking the best remaining pair first (greedy).',
    'pcrs.solve.run': 'Solve', 'pcrs.solve.apply': 'Fill the requirements with this assignment',
    'pcrs.solve.applied': 'Applied: {n} requirements filled, their pledges deployed.',
    'pcrs.solve.confirm': 'Fill {n} requirements and deploy their pledges?',
    'pcrs.solve.summary': '{assigned} of {requirements} requirements assigned from {pledges} available pledges.',
    'pcrs.solve.optimal': 'Optimal (Hungarian)', 'pcrs.solve.greedy': 'Greedy (best pair first)',
    'pcrs.solve.unassigned': 'Without a pledge', 'pcrs.solve.gain': 'The optimum is {pct} above greedy.',
    'pcrs.dash.pipeline': 'Readiness pipeline: available pledges per unit type and level',
    'pcrs.dash.gaps': 'Gaps: open requirements without a candidate or only late ones',
    'pcrs.dash.gaps_by_type': 'Gaps by unit type', 'pcrs.dash.parity': 'Gender parity of pledged units ({year})',
    'pcrs.dash.parity_missions': 'Gender parity of deployed units per mission',
    'pcrs.dash.rotations': 'Rotations due within 90 days', 'pcrs.dash.totals': 'Total: {n} pledges, {strength} personnel, {women} women',
    'pcrs.dash.target_note': 'Target for {year} ({source})', 'pcrs.dash.no_gaps': 'No gaps.',
    'pcrs.gap.no_candidate': 'no candidate', 'pcrs.gap.late': 'only late candidates',
    'pcrs.level.registered': 'Registered', 'pcrs.level.level_1': 'Level 1', 'pcrs.level.level_2': 'Level 2',
    'pcrs.level.level_3': 'Level 3', 'pcrs.level.rapid_deployment': 'Rapid Deployment Level',
    'pcrs.status.available': 'available', 'pcrs.status.deployed': 'deployed', 'pcrs.status.withdrawn': 'withdrawn',
    'pcrs.status.draft': 'draft', 'pcrs.status.open': 'open', 'pcrs.status.filled': 'filled',
    'pcrs.status.cancelled': 'cancelled',
    'pcrs.comp.time': 'Time to deploy', 'pcrs.comp.capability': 'Capabilities', 'pcrs.comp.language': 'Language',
    'pcrs.comp.gender': 'Women', 'pcrs.comp.caveats': 'Caveats', 'pcrs.comp.diversity': 'Diversity',
    'pcrs.cat.military_contingents': 'Military contingents',
    'pcrs.cat.military_observers_staff_officers': 'Military observers and staff officers',
    'pcrs.cat.formed_police_units': 'Formed police units', 'pcrs.cat.individual_police_officers': 'Individual police officers',
    'pcrs.eligible.no': 'not eligible', 'pcrs.chart.label': 'Chart: {what}',
    'pcrs.dash.mission_line': '{mission}: {units} deployed units, {share} women',
    'pcrs.withdraw': 'Withdraw the pledge', 'pcrs.withdraw.confirm': 'Withdraw this pledge? It leaves the candidates and the pipeline.',
    'pcrs.cancel': 'Cancel the requirement', 'pcrs.cancel.confirm': 'Cancel this requirement?',
    'pcrs.form.pledge': 'Record a pledge', 'pcrs.form.visit': 'Record an assessment visit',
    'pcrs.form.requirement': 'State a requirement', 'pcrs.form.rotation': 'Record a rotation',
    'pcrs.form.target': "Record a year's parity target", 'pcrs.form.save': 'Save', 'pcrs.form.saved': 'Saved.',
    'pcrs.form.list_hint': 'One per line', 'pcrs.form.comma_hint': 'Separated by commas',
    'pcrs.f.country': 'Member State', 'pcrs.f.unit_type': 'Unit type', 'pcrs.f.strength': 'Strength',
    'pcrs.f.level': 'Readiness level', 'pcrs.f.available_from': 'Available from', 'pcrs.f.available_until': 'Available until',
    'pcrs.f.women_share': 'Share of women (%)', 'pcrs.f.languages': 'Languages', 'pcrs.f.capabilities': 'Capabilities',
    'pcrs.f.caveats': 'National caveats', 'pcrs.f.major_equipment': 'Major equipment', 'pcrs.f.self_sustainment': 'Self-sustainment',
    'pcrs.f.kind': 'Kind of visit', 'pcrs.f.visit_date': 'Date of the visit', 'pcrs.f.findings': 'Findings',
    'pcrs.f.evidence': 'Evidence (report references)', 'pcrs.f.level_after': 'Level after the visit',
    'pcrs.f.mission_id': 'Mission', 'pcrs.f.title': 'Title', 'pcrs.f.required_by': 'Required by',
    'pcrs.f.required_capabilities': 'Required capabilities', 'pcrs.f.language': 'Language',
    'pcrs.f.women_target': 'Target share of women (%)', 'pcrs.f.status': 'Status',
    'pcrs.f.start_date': 'First day of the incoming contingent', 'pcrs.f.notes': 'Notes',
    'pcrs.f.category': 'Category', 'pcrs.f.year': 'Year', 'pcrs.f.target': 'Target (%)', 'pcrs.f.source': 'Source (document and page)',
    'pcrs.kind.assessment_advisory_visit': 'Assessment and advisory visit', 'pcrs.kind.pre_deployment_visit': 'Pre-deployment visit',
    'pcrs.kind.desk_review': 'Desk review',
    'pcrs.dash.scale': 'Bars from 0 to 50 %; the red mark is the target.',
  },
  fr: {
    'pcrs.title': 'Génération de forces (PCRS)',
    'pcrs.tab.pledges': 'Registre des engagements', 'pcrs.tab.requirements': 'Tableau des besoins',
    'pcrs.tab.solve': 'Affectation', 'pcrs.tab.dashboards': 'Filière et lacunes',
    'pcrs.filter.level': 'Niveau de préparation', 'pcrs.filter.type': "Type d'unité", 'pcrs.filter.country': 'État Membre',
    'pcrs.filter.status': 'Statut', 'pcrs.filter.all': 'Tous', 'pcrs.filter.apply': 'Filtrer',
    'pcrs.more': 'Suite', 'pcrs.none': 'Rien à afficher.', 'pcrs.loading': 'Chargement…', 'pcrs.back': 'Retour',
    'pcrs.col.country': 'État Membre', 'pcrs.col.type': "Type d'unité", 'pcrs.col.strength': 'Effectif',
    'pcrs.col.level': 'Niveau', 'pcrs.col.status': 'Statut', 'pcrs.col.from': 'Disponible à partir du',
    'pcrs.col.until': "Disponible jusqu'au", 'pcrs.col.women': 'Femmes', 'pcrs.col.mission': 'Mission',
    'pcrs.col.title': 'Intitulé', 'pcrs.col.required_by': 'Requis pour le', 'pcrs.col.score': 'Score',
    'pcrs.col.earliest': 'Déploiement au plus tôt', 'pcrs.col.reasons': 'Pourquoi pas 1', 'pcrs.col.rank': 'Rang',
    'pcrs.col.candidates': 'Candidats', 'pcrs.col.gap': 'Lacune', 'pcrs.col.date': 'Date', 'pcrs.col.by': 'Par',
    'pcrs.col.category': 'Catégorie', 'pcrs.col.share': 'Part des femmes', 'pcrs.col.target': 'Cible',
    'pcrs.col.short': 'Femmes manquantes', 'pcrs.col.due': 'Prochaine relève', 'pcrs.col.contingent': 'Contingent',
    'pcrs.col.start': 'Début', 'pcrs.col.end': 'Fin', 'pcrs.col.total': 'Total', 'pcrs.col.requirement': 'Besoin',
    'pcrs.col.pledge': 'Engagement', 'pcrs.col.languages': 'Langues', 'pcrs.col.caveats': 'Restrictions',
    'pcrs.col.capabilities': 'Capacités', 'pcrs.col.equipment': 'Matériel majeur',
    'pcrs.col.self': 'Soutien autonome', 'pcrs.col.language': 'Langue', 'pcrs.col.women_target': 'Cible de femmes',
    'pcrs.col.required_caps': 'Capacités requises', 'pcrs.col.kind': 'Type', 'pcrs.col.findings': 'Constatations',
    'pcrs.yes': 'oui', 'pcrs.no': 'non',
    'pcrs.pledge.title': 'Engagement : {type}, {country}', 'pcrs.pledge.history': 'Historique des niveaux de préparation',
    'pcrs.pledge.visits': "Visites d'évaluation et de conseil", 'pcrs.pledge.count': '{n} engagements affichés',
    'pcrs.req.title': 'Besoin : {title}', 'pcrs.req.candidates': 'Candidats classés',
    'pcrs.req.breakdown': 'Détail du score (poids × composante)', 'pcrs.req.draft':
      "Ce besoin est un brouillon : il n'est pas apparié tant qu'il n'est pas ouvert.",
    'pcrs.req.open': 'Ouvrir le besoin', 'pcrs.req.opened': 'Le besoin est ouvert.',
    'pcrs.req.rotations': 'Déploiement et relèves', 'pcrs.req.not_deployed': 'Non déployé.',
    'pcrs.req.rotation_assumed': '(12 mois par défaut)', 'pcrs.req.overdue': 'en retard',
    'pcrs.req.planned': 'prévue',
    'pcrs.solve.intro': "L'affectation globale de chaque besoin ouvert que vous voyez aux engagements disponibles : algorithme hongrois par type d'unité, aucun engagement deux fois, comparé au choix de la meilleure paire restante (glouton).",
    'pcrs.solve.run': 'Calculer', 'pcrs.solve.apply': 'Pourvoir les besoins selon cette affectation',
    'pcrs.solve.applied': 'Appliqué : {n} besoins pourvus, leurs engagements déployés.',
    'pcrs.solve.confirm': 'Pourvoir {n} besoins et déployer leurs engagements ?',
    'pcrs.solve.summary': '{assigned} besoins sur {requirements} affectés parmi {pledges} engagements disponibles.',
    'pcrs.solve.optimal': 'Optimal (hongrois)', 'pcrs.solve.greedy': 'Glouton (meilleure paire d’abord)',
    'pcrs.solve.unassigned': 'Sans engagement', 'pcrs.solve.gain': "L'optimum dépasse le glouton de {pct}.",
    'pcrs.dash.pipeline': "Filière de préparation : engagements disponibles par type d'unité et niveau",
    'pcrs.dash.gaps': 'Lacunes : besoins ouverts sans candidat ou seulement avec des candidats tardifs',
    'pcrs.dash.gaps_by_type': "Lacunes par type d'unité", 'pcrs.dash.parity': 'Parité des unités engagées ({year})',
    'pcrs.dash.parity_missions': 'Parité des unités déployées par mission',
    'pcrs.dash.rotations': 'Relèves dues dans les 90 jours', 'pcrs.dash.totals': 'Total : {n} engagements, {strength} personnels, {women} femmes',
    'pcrs.dash.target_note': 'Cible pour {year} ({source})', 'pcrs.dash.no_gaps': 'Aucune lacune.',
    'pcrs.gap.no_candidate': 'aucun candidat', 'pcrs.gap.late': 'candidats seulement tardifs',
    'pcrs.level.registered': 'Enregistré', 'pcrs.level.level_1': 'Niveau 1', 'pcrs.level.level_2': 'Niveau 2',
    'pcrs.level.level_3': 'Niveau 3', 'pcrs.level.rapid_deployment': 'Niveau de déploiement rapide',
    'pcrs.status.available': 'disponible', 'pcrs.status.deployed': 'déployé', 'pcrs.status.withdrawn': 'retiré',
    'pcrs.status.draft': 'brouillon', 'pcrs.status.open': 'ouvert', 'pcrs.status.filled': 'pourvu',
    'pcrs.status.cancelled': 'annulé',
    'pcrs.comp.time': 'Délai de déploiement', 'pcrs.comp.capability': 'Capacités', 'pcrs.comp.language': 'Langue',
    'pcrs.comp.gender': 'Femmes', 'pcrs.comp.caveats': 'Restrictions', 'pcrs.comp.diversity': 'Diversité',
    'pcrs.cat.military_contingents': 'Contingents militaires',
    'pcrs.cat.military_observers_staff_officers': "Observateurs militaires et officiers d'état-major",
    'pcrs.cat.formed_police_units': 'Unités de police constituées', 'pcrs.cat.individual_police_officers': 'Policiers hors unités constituées',
    'pcrs.eligible.no': 'non admissible', 'pcrs.chart.label': 'Graphique : {what}',
    'pcrs.dash.mission_line': '{mission} : {units} unités déployées, {share} de femmes',
    'pcrs.withdraw': "Retirer l'engagement", 'pcrs.withdraw.confirm': 'Retirer cet engagement ? Il quitte les candidats et la filière.',
    'pcrs.cancel': 'Annuler le besoin', 'pcrs.cancel.confirm': 'Annuler ce besoin ?',
    'pcrs.form.pledge': 'Enregistrer un engagement', 'pcrs.form.visit': "Enregistrer une visite d'évaluation",
    'pcrs.form.requirement': 'Énoncer un besoin', 'pcrs.form.rotation': 'Enregistrer une relève',
    'pcrs.form.target': "Enregistrer la cible de parité d'une année", 'pcrs.form.save': 'Enregistrer', 'pcrs.form.saved': 'Enregistré.',
    'pcrs.form.list_hint': 'Un par ligne', 'pcrs.form.comma_hint': 'Séparés par des virgules',
    'pcrs.f.country': 'État Membre', 'pcrs.f.unit_type': "Type d'unité", 'pcrs.f.strength': 'Effectif',
    'pcrs.f.level': 'Niveau de préparation', 'pcrs.f.available_from': 'Disponible à partir du', 'pcrs.f.available_until': "Disponible jusqu'au",
    'pcrs.f.women_share': 'Part des femmes (%)', 'pcrs.f.languages': 'Langues', 'pcrs.f.capabilities': 'Capacités',
    'pcrs.f.caveats': 'Restrictions nationales', 'pcrs.f.major_equipment': 'Matériel majeur', 'pcrs.f.self_sustainment': 'Soutien autonome',
    'pcrs.f.kind': 'Type de visite', 'pcrs.f.visit_date': 'Date de la visite', 'pcrs.f.findings': 'Constatations',
    'pcrs.f.evidence': 'Preuves (références de rapports)', 'pcrs.f.level_after': 'Niveau après la visite',
    'pcrs.f.mission_id': 'Mission', 'pcrs.f.title': 'Intitulé', 'pcrs.f.required_by': 'Requis pour le',
    'pcrs.f.required_capabilities': 'Capacités requises', 'pcrs.f.language': 'Langue',
    'pcrs.f.women_target': 'Part de femmes visée (%)', 'pcrs.f.status': 'Statut',
    'pcrs.f.start_date': 'Premier jour du contingent entrant', 'pcrs.f.notes': 'Notes',
    'pcrs.f.category': 'Catégorie', 'pcrs.f.year': 'Année', 'pcrs.f.target': 'Cible (%)', 'pcrs.f.source': 'Source (document et page)',
    'pcrs.kind.assessment_advisory_visit': "Visite d'évaluation et de conseil", 'pcrs.kind.pre_deployment_visit': 'Visite préalable au déploiement',
    'pcrs.kind.desk_review': 'Examen sur dossier',
    'pcrs.dash.scale': 'Barres de 0 à 50 % ; le trait rouge marque la cible.',
  },
});

// The API's reasons are English sentences with a fixed shape; say them in French.
const REASONS_FR = [
  [/^deploys (\d+) days after required_by$/, (m) => `déploiement ${m[1]} jours après la date requise`],
  [/^availability ends before required_by$/, () => 'disponibilité terminée avant la date requise'],
  [/^lacks capability (.+)$/, (m) => `capacité manquante : ${m[1]}`],
  [/^does not list language (.+)$/, (m) => `langue non indiquée : ${m[1]}`],
  [/^share of women ([\d.]+) below target ([\d.]+)$/, (m) => `part des femmes ${m[1]} sous la cible ${m[2]}`],
  [/^(\d+) national caveat\(s\)$/, (m) => `${m[1]} restriction(s) nationale(s)`],
  [/^(\w+) already deploys (\d+) unit\(s\) to this mission$/, (m) => `${m[1]} déploie déjà ${m[2]} unité(s) dans cette mission`],
  [/^pledge is (\w+)$/, (m) => `engagement ${m[1]}`],
];

function reasonText(ctx, r) {
  if (ctx.lang !== 'fr') return r;
  for (const [re, f] of REASONS_FR) { const m = r.match(re); if (m) return f(m); }
  return r;
}

const pct = (ctx, x) => (x === null || x === undefined ? '' : ctx.fmtNumber(Math.round(x * 1000) / 10) + ' %');

// Reference data, loaded once per page view.
async function refs(ctx) {
  const [types, states, missions] = await Promise.all([
    ctx.api('GET', '/pcrs/unit-types'),
    ctx.api('GET', '/pcrs/member-states'),
    ctx.api('GET', '/missions?limit=200').catch(() => ({ items: [] })),
  ]);
  const typeName = {};
  for (const u of types.items) typeName[u.code] = u.name;
  const stateName = {};
  for (const s of states.items) stateName[s.code] = s.name;
  const missionName = {};
  for (const m of missions.items || []) missionName[m.id] = m.acronym;
  return {
    types: types.items, states: states.items, missions: missions.items || [],
    type: (c) => (ctx.lang === 'fr' && TYPE_FR[c]) || typeName[c] || c,
    state: (c) => (stateName[c] ? `${stateName[c]} (${c})` : c || ''),
    mission: (id) => missionName[id] || (id ? id.slice(0, 8) : ''),
  };
}

function canWrite(ctx) {
  const r = (ctx.user && ctx.user.roles) || [];
  return r.some((x) => /^(force_generation_officer|planner)(:|$)/.test(x));
}


function canWritePledges(ctx) {
  const r = (ctx.user && ctx.user.roles) || [];
  return r.includes('force_generation_officer');
}

// A form from field specs: {name, type: text|number|date|select|textarea|list|commas|percent|bool,
// options: [[value, label]], value}. 'submit(body)' sends it; an ApiError naming a field
// marks that field. Values: 'list' is one item per line, 'commas' comma-separated,
// 'percent' is entered in % and sent as a fraction; empty fields are left out.
function form(ctx, id, titleKey, specs, submit) {
  const { el, t } = ctx;
  const inputs = {};
  const errs = {};
  const rows = specs.map((f) => {
    let input;
    const fid = `${id}-${f.name}`;
    if (f.type === 'select') input = select(ctx, fid, f.options, f.value);
    else if (f.type === 'textarea' || f.type === 'list') input = el('textarea', { id: fid, rows: f.type === 'list' ? 2 : 3 });
    else if (f.type === 'bool') input = el('input', { id: fid, type: 'checkbox' });
    else input = el('input', { id: fid, type: f.type === 'percent' || f.type === 'number' ? 'number' : f.type === 'date' ? 'date' : 'text',
      step: f.type === 'percent' ? '0.1' : undefined, min: f.type === 'percent' ? '0' : undefined, max: f.type === 'percent' ? '100' : undefined });
    if (f.value !== undefined && f.type !== 'select') {
      if (f.type === 'bool') input.checked = !!f.value; else input.value = f.value;
    }
    inputs[f.name] = input;
    errs[f.name] = el('p', { class: 'field-error', id: fid + '-error' });
    const hint = f.type === 'list' ? t('pcrs.form.list_hint') : f.type === 'commas' ? t('pcrs.form.comma_hint') : null;
    return el('div', { class: 'pcrs-field' }, el('label', { for: fid, text: t('pcrs.f.' + f.name) }),
      hint ? el('p', { class: 'hint', text: hint }) : null, input, errs[f.name]);
  });
  const msg = el('p', { class: 'ok', role: 'status' });
  const err = el('p', { class: 'error pcrs-form-error', role: 'alert' });
  const body = () => {
    const b = {};
    for (const f of specs) {
      const i = inputs[f.name];
      const v = f.type === 'bool' ? i.checked : i.value.trim();
      if (f.type === 'bool') { b[f.name] = v; continue; }
      if (v === '') continue;
      if (f.type === 'number') b[f.name] = Number(v);
      else if (f.type === 'percent') b[f.name] = Math.round(Number(v) * 10) / 1000;
      else if (f.type === 'list') b[f.name] = v.split('\n').map((x) => x.trim()).filter(Boolean);
      else if (f.type === 'commas') b[f.name] = v.split(',').map((x) => x.trim()).filter(Boolean);
      else b[f.name] = v;
    }
    return b;
  };
  const button = el('button', { type: 'submit', id: id + '-save', text: t('pcrs.form.save') });
  const f = el('form', { class: 'pcrs-form', id, novalidate: true },
    el('div', { class: 'pcrs-form-grid' }, ...rows), button, msg, err);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg.textContent = ''; err.textContent = '';
    for (const [k, i] of Object.entries(inputs)) { i.classList.remove('invalid'); i.removeAttribute('aria-invalid'); errs[k].textContent = ''; }
    button.disabled = true;
    try {
      await submit(body());
      msg.textContent = t('pcrs.form.saved');
    } catch (e) {
      if (e.field && inputs[e.field]) {
        inputs[e.field].classList.add('invalid');
        inputs[e.field].setAttribute('aria-invalid', 'true');
        errs[e.field].textContent = e.message;
        inputs[e.field].focus();
      } else {
        err.textContent = e.message;
      }
    } finally {
      button.disabled = false;
    }
  });
  return el('details', { class: 'pcrs-details', id: id + '-box' }, el('summary', { text: t(titleKey) }), f);
}

// ---- Small building blocks ------------------------------------------------

function table(ctx, cols, rows, opts = {}) {
  const { el } = ctx;
  const head = el('tr', {}, ...cols.map((c) => el('th', { scope: 'col', text: c.label, class: c.num ? 'num' : null })));
  const body = rows.map((r) => {
    const tr = el('tr', { class: opts.rowClass ? opts.rowClass(r) : null },
      ...cols.map((c) => {
        const v = c.cell(r);
        const td = el('td', { class: c.num ? 'num' : null });
        if (v instanceof Node) td.append(v); else td.textContent = v === null || v === undefined ? '' : String(v);
        return td;
      }));
    if (opts.onClick) {
      tr.classList.add('clickable');
      tr.tabIndex = 0;
      tr.addEventListener('click', () => opts.onClick(r));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') opts.onClick(r); });
    }
    return tr;
  });
  return el('table', { class: 'pcrs-table' + (opts.cls ? ' ' + opts.cls : ''), id: opts.id },
    el('thead', {}, head), el('tbody', {}, ...body));
}

const badge = (ctx, kind, v) => ctx.el('span', { class: `badge pcrs-${kind}-${v}`, text: ctx.t(`pcrs.${kind}.${v}`) });

// A horizontal bar for a value in [0, 1] (optionally with a target mark).
function bar(ctx, value, { target, width = 120, label } = {}) {
  const { svg } = ctx;
  const w = Math.max(0, Math.min(1, value || 0)) * width;
  const s = svg('svg', { width: width + 2, height: 12, class: 'pcrs-bar', role: 'img',
    'aria-label': label || pct(ctx, value) },
  svg('rect', { x: 1, y: 1, width, height: 10, class: 'pcrs-bar-bg' }),
  svg('rect', { x: 1, y: 1, width: w, height: 10, class: 'pcrs-bar-fg' }));
  if (target !== undefined) {
    const x = 1 + Math.min(1, target) * width;
    s.append(svg('line', { x1: x, x2: x, y1: 0, y2: 12, class: 'pcrs-bar-target' }));
  }
  return s;
}

function field(ctx, label, control) {
  return ctx.el('label', {}, ctx.el('span', { text: label }), control);
}

function select(ctx, id, options, value) {
  const s = ctx.el('select', { id });
  for (const [v, text] of options) {
    const o = ctx.el('option', { value: v, text });
    if (v === (value || '')) o.selected = true;
    s.append(o);
  }
  return s;
}

function tabs(ctx, active) {
  const { el, t, go } = ctx;
  const items = [['pledges', ''], ['requirements', 'requirements'], ['solve', 'solve'], ['dashboards', 'dashboards']];
  return el('div', { class: 'tabs pcrs-tabs', role: 'tablist' }, ...items.map(([k, p]) => el('button', {
    type: 'button', role: 'tab', id: 'pcrs-tab-' + k, 'aria-selected': k === active ? 'true' : 'false',
    text: t('pcrs.tab.' + k), onclick: () => (p ? go('pcrs', p) : go('pcrs')),
  })));
}

// ---- Pledge registry ------------------------------------------------------

const filters = { level: '', unit_type: '', country: '' };

async function pledgesView(root, ctx, R) {
  const { el, t, api, qs } = ctx;
  const all = t('pcrs.filter.all');
  const fLevel = select(ctx, 'pcrs-f-level', [['', all], ...LEVELS.map((l) => [l, t('pcrs.level.' + l)])], filters.level);
  const fType = select(ctx, 'pcrs-f-type', [['', all], ...R.types.map((u) => [u.code, R.type(u.code)])], filters.unit_type);
  const fCountry = select(ctx, 'pcrs-f-country', [['', all], ...R.states.map((s) => [s.code, `${s.name} (${s.code})`])], filters.country);
  const list = el('div', { id: 'pcrs-pledges' });
  const count = el('p', { class: 'muted', id: 'pcrs-pledge-count' });
  const more = el('button', { type: 'button', class: 'secondary', id: 'pcrs-more', text: t('pcrs.more'), hidden: true });
  let rows = [], cursor = null;
  const draw = () => {
    list.replaceChildren(rows.length ? table(ctx, [
      { label: t('pcrs.col.country'), cell: (p) => R.state(p.country) },
      { label: t('pcrs.col.type'), cell: (p) => R.type(p.unit_type) },
      { label: t('pcrs.col.strength'), num: true, cell: (p) => ctx.fmtNumber(p.strength) },
      { label: t('pcrs.col.level'), cell: (p) => badge(ctx, 'level', p.level) },
      { label: t('pcrs.col.status'), cell: (p) => badge(ctx, 'status', p.status) },
      { label: t('pcrs.col.from'), cell: (p) => ctx.fmtDate(p.available_from) },
      { label: t('pcrs.col.women'), num: true, cell: (p) => pct(ctx, p.women_share) },
    ], rows, { id: 'pcrs-pledge-table', onClick: (p) => ctx.go('pcrs', 'pledge', p.id) })
      : el('p', { class: 'muted', text: t('pcrs.none') }));
    count.textContent = t('pcrs.pledge.count', { n: rows.length });
  };
  const load = async (append) => {
    const js = await api('GET', '/pcrs/pledges' + qs({ ...filters, limit: 100, cursor: append ? cursor : '' }));
    rows = append ? rows.concat(js.items) : js.items;
    cursor = js.next_cursor;
    more.hidden = !cursor;
    draw();
  };
  more.addEventListener('click', () => load(true));
  const apply = el('button', { type: 'button', id: 'pcrs-f-apply', text: t('pcrs.filter.apply'), onclick: () => {
    filters.level = fLevel.value; filters.unit_type = fType.value; filters.country = fCountry.value;
    load(false);
  } });
  if (canWritePledges(ctx)) {
    root.append(form(ctx, 'pcrs-pledge-form', 'pcrs.form.pledge', [
      { name: 'country', type: 'select', options: R.states.map((x) => [x.code, `${x.name} (${x.code})`]) },
      { name: 'unit_type', type: 'select', options: R.types.map((u) => [u.code, R.type(u.code)]) },
      { name: 'strength', type: 'number' },
      { name: 'level', type: 'select', options: LEVELS.map((l) => [l, t('pcrs.level.' + l)]) },
      { name: 'available_from', type: 'date' }, { name: 'available_until', type: 'date' },
      { name: 'women_share', type: 'percent' }, { name: 'languages', type: 'commas' },
      { name: 'capabilities', type: 'commas' }, { name: 'caveats', type: 'list' },
      { name: 'major_equipment', type: 'list' }, { name: 'self_sustainment', type: 'bool', value: true },
    ], async (b) => {
      const p = await api('POST', '/pcrs/pledges', b);
      ctx.go('pcrs', 'pledge', p.id);
    }));
  }
  root.append(el('div', { class: 'pcrs-filters' },
    field(ctx, t('pcrs.filter.level'), fLevel), field(ctx, t('pcrs.filter.type'), fType),
    field(ctx, t('pcrs.filter.country'), fCountry), apply), count, list, more);
  await load(false);
}

async function pledgeView(root, ctx, R, id) {
  const { el, t, api } = ctx;
  const [p, h, v] = await Promise.all([api('GET', '/pcrs/pledges/' + encodeURIComponent(id)),
    api('GET', `/pcrs/pledges/${encodeURIComponent(id)}/history`),
    api('GET', '/pcrs/visits?pledge_id=' + encodeURIComponent(id))]);
  const list = (a) => (a && a.length ? a.join(', ') : '—');
  root.append(el('h2', { id: 'pcrs-pledge-title', text: t('pcrs.pledge.title', { type: R.type(p.unit_type), country: R.state(p.country) }) }),
    el('dl', { class: 'pcrs-facts' },
      ...[['pcrs.col.strength', ctx.fmtNumber(p.strength)], ['pcrs.col.level', t('pcrs.level.' + p.level)],
        ['pcrs.col.status', t('pcrs.status.' + p.status)], ['pcrs.col.from', ctx.fmtDate(p.available_from) || '—'],
        ['pcrs.col.until', ctx.fmtDate(p.available_until) || '—'], ['pcrs.col.women', pct(ctx, p.women_share) || '—'],
        ['pcrs.col.languages', list(p.languages)], ['pcrs.col.capabilities', list(p.capabilities)],
        ['pcrs.col.caveats', list(p.caveats)], ['pcrs.col.equipment', list(p.major_equipment)],
        ['pcrs.col.self', p.self_sustainment ? t('pcrs.yes') : t('pcrs.no')]]
        .flatMap(([k, val]) => [el('dt', { text: t(k) }), el('dd', { text: val })])),
    el('h3', { text: t('pcrs.pledge.history') }),
    h.levels.length ? table(ctx, [
      { label: t('pcrs.col.date'), cell: (x) => ctx.fmtDate(x.at) },
      { label: t('pcrs.col.level'), cell: (x) => badge(ctx, 'level', x.level) },
    ], h.levels, { id: 'pcrs-level-history' }) : el('p', { class: 'muted', text: t('pcrs.none') }),
    el('h3', { text: t('pcrs.pledge.visits') }),
    v.items.length ? table(ctx, [
      { label: t('pcrs.col.date'), cell: (x) => ctx.fmtDate(x.visit_date) },
      { label: t('pcrs.col.kind'), cell: (x) => x.kind.replace(/_/g, ' ') },
      { label: t('pcrs.col.level'), cell: (x) => `${t('pcrs.level.' + x.level_before)} → ${t('pcrs.level.' + x.level_after)}` },
      { label: t('pcrs.col.findings'), cell: (x) => x.findings },
    ], v.items, { id: 'pcrs-visits' }) : el('p', { class: 'muted', text: t('pcrs.none') }));
  if (canWritePledges(ctx) && p.status === 'available') {
    const err = el('p', { class: 'error pcrs-form-error', role: 'alert' });
    root.append(el('button', { type: 'button', class: 'danger', id: 'pcrs-withdraw', text: t('pcrs.withdraw'), onclick: async () => {
      if (!window.confirm(t('pcrs.withdraw.confirm'))) return;
      try {
        await api('PATCH', '/pcrs/pledges/' + encodeURIComponent(p.id), { status: 'withdrawn', version: p.version });
        ctx.rerender();
      } catch (e) { err.textContent = e.message; }
    } }), err);
  }
  if (canWritePledges(ctx)) {
    root.append(form(ctx, 'pcrs-visit-form', 'pcrs.form.visit', [
      { name: 'kind', type: 'select', options: ['assessment_advisory_visit', 'pre_deployment_visit', 'desk_review'].map((k) => [k, t('pcrs.kind.' + k)]) },
      { name: 'visit_date', type: 'date', value: new Date().toISOString().slice(0, 10) },
      { name: 'level_after', type: 'select', options: LEVELS.map((l) => [l, t('pcrs.level.' + l)]), value: p.level },
      { name: 'findings', type: 'textarea' }, { name: 'evidence', type: 'list' },
    ], async (b) => {
      await api('POST', '/pcrs/visits', { ...b, pledge_id: p.id });
      ctx.rerender();
    }));
  }
}

// ---- Requirement board ----------------------------------------------------

let reqStatus = 'open';

async function requirementsView(root, ctx, R) {
  const { el, t, api, qs } = ctx;
  const fStatus = select(ctx, 'pcrs-f-status', [['', t('pcrs.filter.all')], ...REQ_STATUS.map((s) => [s, t('pcrs.status.' + s)])], reqStatus);
  const list = el('div', { id: 'pcrs-requirements' });
  const load = async () => {
    const [js, gaps] = await Promise.all([api('GET', '/pcrs/requirements' + qs({ status: reqStatus, limit: 500 })),
      api('GET', '/pcrs/gaps')]);
    const byId = {};
    for (const g of gaps.requirements) byId[g.requirement_id] = g;
    list.replaceChildren(js.items.length ? table(ctx, [
      { label: t('pcrs.col.mission'), cell: (r) => R.mission(r.mission_id) },
      { label: t('pcrs.col.type'), cell: (r) => R.type(r.unit_type) },
      { label: t('pcrs.col.title'), cell: (r) => r.title || '' },
      { label: t('pcrs.col.required_by'), cell: (r) => ctx.fmtDate(r.required_by) },
      { label: t('pcrs.col.status'), cell: (r) => badge(ctx, 'status', r.status) },
      { label: t('pcrs.col.candidates'), num: true, cell: (r) => (byId[r.id] ? ctx.fmtNumber(byId[r.id].candidates) : '') },
      { label: t('pcrs.col.earliest'), cell: (r) => (byId[r.id] ? ctx.fmtDate(byId[r.id].earliest_deployment) : '') },
      { label: t('pcrs.col.gap'), cell: (r) => (byId[r.id] && byId[r.id].gap ? t('pcrs.gap.' + byId[r.id].gap) : '') },
    ], js.items, { id: 'pcrs-req-table', onClick: (r) => ctx.go('pcrs', 'requirement', r.id),
      rowClass: (r) => (byId[r.id] && byId[r.id].gap ? 'pcrs-gap-row' : null) })
      : el('p', { class: 'muted', text: t('pcrs.none') }));
  };
  fStatus.addEventListener('change', () => { reqStatus = fStatus.value; load(); });
  if (canWrite(ctx) && R.missions.length) {
    root.append(form(ctx, 'pcrs-req-form', 'pcrs.form.requirement', [
      { name: 'mission_id', type: 'select', options: R.missions.map((m) => [m.id, m.acronym]) },
      { name: 'unit_type', type: 'select', options: R.types.map((u) => [u.code, R.type(u.code)]) },
      { name: 'title', type: 'text' }, { name: 'required_by', type: 'date' }, { name: 'strength', type: 'number' },
      { name: 'required_capabilities', type: 'commas' }, { name: 'language', type: 'text' },
      { name: 'women_target', type: 'percent' },
      { name: 'status', type: 'select', options: [['open', t('pcrs.status.open')], ['draft', t('pcrs.status.draft')]] },
    ], async (b) => {
      const r = await api('POST', '/pcrs/requirements', b);
      ctx.go('pcrs', 'requirement', r.id);
    }));
  }
  root.append(el('div', { class: 'pcrs-filters' }, field(ctx, t('pcrs.filter.status'), fStatus)), list);
  await load();
}

function breakdown(ctx, score) {
  const { el, t } = ctx;
  return el('div', { class: 'pcrs-breakdown' }, ...COMPONENTS.map((c) => el('div', { class: 'pcrs-comp' },
    el('span', { class: 'pcrs-comp-name', text: `${t('pcrs.comp.' + c)} ×${WEIGHTS[c]}` }),
    bar(ctx, score.components[c], { width: 70, label: `${t('pcrs.comp.' + c)}: ${pct(ctx, score.components[c])}` }))));
}

async function requirementView(root, ctx, R, id) {
  const { el, t, api } = ctx;
  const r = await api('GET', '/pcrs/requirements/' + encodeURIComponent(id));
  const msg = el('p', { class: 'ok', id: 'pcrs-req-msg', role: 'status' });
  const err = el('p', { class: 'error', id: 'pcrs-req-error', role: 'alert' });
  root.append(el('h2', { id: 'pcrs-req-title', text: t('pcrs.req.title', { title: r.title || R.type(r.unit_type) }) }),
    el('dl', { class: 'pcrs-facts' },
      ...[['pcrs.col.mission', R.mission(r.mission_id)], ['pcrs.col.type', R.type(r.unit_type)],
        ['pcrs.col.status', t('pcrs.status.' + r.status)], ['pcrs.col.required_by', ctx.fmtDate(r.required_by)],
        ['pcrs.col.strength', r.strength ? ctx.fmtNumber(r.strength) : '—'],
        ['pcrs.col.required_caps', (r.required_capabilities || []).join(', ') || '—'],
        ['pcrs.col.language', r.language || '—'], ['pcrs.col.women_target', pct(ctx, r.women_target) || '—']]
        .flatMap(([k, val]) => [el('dt', { text: t(k) }), el('dd', { text: val })])), msg, err);
  if ((r.status === 'draft' || r.status === 'open') && canWrite(ctx)) {
    root.append(el('button', { type: 'button', class: 'danger', id: 'pcrs-cancel', text: t('pcrs.cancel'), onclick: async () => {
      if (!window.confirm(t('pcrs.cancel.confirm'))) return;
      err.textContent = '';
      try {
        await api('PATCH', '/pcrs/requirements/' + encodeURIComponent(id), { status: 'cancelled', version: r.version });
        ctx.rerender();
      } catch (e) { err.textContent = e.message; }
    } }));
  }
  if (r.status === 'draft') {
    root.append(el('p', { class: 'muted', id: 'pcrs-draft-note', text: t('pcrs.req.draft') }));
    if (canWrite(ctx)) {
      root.append(el('button', { type: 'button', id: 'pcrs-open', text: t('pcrs.req.open'), onclick: async () => {
        err.textContent = '';
        try {
          await api('POST', `/pcrs/requirements/${encodeURIComponent(id)}/open`, {});
          ctx.rerender();
        } catch (e) { err.textContent = e.message; }
      } }));
    }
    return;
  }
  if (r.status === 'open') {
    const js = await api('GET', `/pcrs/requirements/${encodeURIComponent(id)}/candidates`);
    root.append(el('h3', { text: t('pcrs.req.candidates') }), js.items.length ? table(ctx, [
      { label: t('pcrs.col.rank'), num: true, cell: (c) => String(js.items.indexOf(c) + 1) },
      { label: t('pcrs.col.country'), cell: (c) => R.state(c.country) },
      { label: t('pcrs.col.level'), cell: (c) => badge(ctx, 'level', c.level) },
      { label: t('pcrs.col.score'), cell: (c) => el('span', { class: 'pcrs-score' },
        bar(ctx, c.score.total, { width: 90 }), el('b', { text: ' ' + ctx.fmtNumber(Math.round(c.score.total * 1000) / 1000) }),
        c.score.eligible ? null : el('span', { class: 'badge pcrs-inelig', text: t('pcrs.eligible.no') })) },
      { label: t('pcrs.req.breakdown'), cell: (c) => breakdown(ctx, c.score) },
      { label: t('pcrs.col.earliest'), cell: (c) => ctx.fmtDate(c.score.earliest_deployment) },
      { label: t('pcrs.col.reasons'), cell: (c) => el('ul', { class: 'pcrs-reasons' },
        ...c.score.reasons.map((x) => el('li', { text: reasonText(ctx, x) }))) },
    ], js.items.slice(0, 50), { id: 'pcrs-cand-table', onClick: (c) => ctx.go('pcrs', 'pledge', c.pledge_id) })
      : el('p', { class: 'muted', text: t('pcrs.none') }));
    return;
  }
  if (r.status === 'cancelled') return;
  // Filled: the deployment and its rotations.
  const v = await api('GET', `/pcrs/requirements/${encodeURIComponent(id)}/rotations`);
  root.append(el('h3', { text: t('pcrs.req.rotations') }));
  if (!v.deployed) { root.append(el('p', { class: 'muted', text: t('pcrs.req.not_deployed') })); return; }
  root.append(el('p', { id: 'pcrs-next-rotation' },
    el('b', { text: t('pcrs.col.due') + ': ' }), ctx.fmtDate(v.next_rotation_due) || '—',
    v.rotation_months_assumed ? ' ' + t('pcrs.req.rotation_assumed') : '',
    v.overdue ? el('span', { class: 'badge pcrs-overdue', text: t('pcrs.req.overdue') }) : null,
    v.rotation_planned ? el('span', { class: 'badge', text: t('pcrs.req.planned') }) : null),
  table(ctx, [
    { label: t('pcrs.col.contingent'), num: true, cell: (c) => String(c.number) },
    { label: t('pcrs.col.start'), cell: (c) => ctx.fmtDate(c.start_date) },
    { label: t('pcrs.col.end'), cell: (c) => ctx.fmtDate(c.end_date) },
    { label: t('pcrs.col.strength'), num: true, cell: (c) => (c.strength ? ctx.fmtNumber(c.strength) : '') },
    { label: t('pcrs.col.women'), num: true, cell: (c) => pct(ctx, c.women_share) },
  ], v.contingents, { id: 'pcrs-rotations', rowClass: (c) => (c.number === v.current ? 'pcrs-current' : null) }));
  if (canWrite(ctx)) {
    root.append(form(ctx, 'pcrs-rotation-form', 'pcrs.form.rotation', [
      { name: 'start_date', type: 'date', value: v.next_rotation_due || '' }, { name: 'strength', type: 'number' },
      { name: 'women_share', type: 'percent' }, { name: 'notes', type: 'textarea' },
    ], async (b) => {
      await api('POST', `/pcrs/requirements/${encodeURIComponent(id)}/rotations`, b);
      ctx.rerender();
    }));
  }
}

// ---- Assignment -----------------------------------------------------------

async function solveView(root, ctx, R) {
  const { el, t, api } = ctx;
  const out = el('div', { id: 'pcrs-solve-out' });
  const err = el('p', { class: 'error', role: 'alert', id: 'pcrs-solve-error' });
  const all = await api('GET', '/pcrs/requirements?limit=500');
  const reqs = {};
  for (const r of all.items) reqs[r.id] = `${R.type(r.unit_type)}${r.title ? ' — ' + r.title : ''}`;
  const pledges = {};
  // The pledges of the shown assignments (their country and level).
  const pledgeInfo = async (js) => {
    const ids = js.assignments.slice(0, 300).map((a) => a.pledge_id).filter((id) => !pledges[id]);
    for (let i = 0; i < ids.length; i += 20) {
      const got = await Promise.all(ids.slice(i, i + 20).map((id) => api('GET', '/pcrs/pledges/' + encodeURIComponent(id)).catch(() => null)));
      for (const p of got) if (p) pledges[p.id] = p;
    }
  };
  const pledgeCell = (id) => {
    const p = pledges[id];
    return el('a', { href: '#/pcrs/pledge/' + id, text: p ? `${R.state(p.country)} · ${t('pcrs.level.' + p.level)}` : t('pcrs.col.pledge') });
  };
  const show = (js) => {
    const gain = js.greedy_total_score > 0 ? (js.total_score / js.greedy_total_score - 1) : 0;
    const max = Math.max(js.total_score, js.greedy_total_score, 1e-9);
    out.replaceChildren(
      el('p', { id: 'pcrs-solve-summary', text: t('pcrs.solve.summary', { assigned: js.assignments.length,
        requirements: js.requirements, pledges: js.pledges }) }),
      el('div', { class: 'pcrs-compare', id: 'pcrs-compare' },
        el('span', { text: t('pcrs.solve.optimal') }), bar(ctx, js.total_score / max, { width: 260 }),
        el('b', { text: ctx.fmtNumber(Math.round(js.total_score * 1000) / 1000) }),
        el('span', { text: t('pcrs.solve.greedy') }), bar(ctx, js.greedy_total_score / max, { width: 260 }),
        el('b', { text: ctx.fmtNumber(Math.round(js.greedy_total_score * 1000) / 1000) })),
      el('p', { class: 'muted', text: t('pcrs.solve.gain', { pct: pct(ctx, gain) }) }),
      js.assignments.length ? table(ctx, [
        { label: t('pcrs.col.mission'), cell: (a) => R.mission(a.mission_id) },
        { label: t('pcrs.col.requirement'), cell: (a) => el('a', { href: '#/pcrs/requirement/' + a.requirement_id, text: reqs[a.requirement_id] || t('pcrs.col.requirement') }) },
        { label: t('pcrs.col.pledge'), cell: (a) => pledgeCell(a.pledge_id) },
        { label: t('pcrs.col.score'), cell: (a) => el('span', { class: 'pcrs-score' }, bar(ctx, a.score.total, { width: 90 }),
          el('b', { text: ' ' + ctx.fmtNumber(Math.round(a.score.total * 1000) / 1000) })) },
        { label: t('pcrs.col.earliest'), cell: (a) => ctx.fmtDate(a.score.earliest_deployment) },
      ], js.assignments.slice(0, 300), { id: 'pcrs-assign-table' }) : null,
      js.unassigned.length ? el('p', { id: 'pcrs-unassigned' }, el('b', { text: t('pcrs.solve.unassigned') + ': ' }),
        ...js.unassigned.map((id) => el('a', { href: '#/pcrs/requirement/' + id, class: 'pcrs-chip', text: reqs[id] || t('pcrs.col.requirement') }))) : null);
    if (canWrite(ctx) && js.assignments.length && !js.applied) {
      out.append(el('button', { type: 'button', class: 'good', id: 'pcrs-apply', text: t('pcrs.solve.apply'), onclick: async () => {
        if (!window.confirm(t('pcrs.solve.confirm', { n: js.assignments.length }))) return;
        err.textContent = '';
        try {
          const done = await api('POST', '/pcrs/assignments/solve', { apply: true });
          await pledgeInfo(done);
          show(done);
          out.prepend(el('p', { class: 'ok', role: 'status', text: t('pcrs.solve.applied', { n: done.assignments.length }) }));
        } catch (e) { err.textContent = e.message; }
      } }));
    }
  };
  root.append(el('p', { class: 'muted', text: t('pcrs.solve.intro') }),
    el('button', { type: 'button', id: 'pcrs-solve', text: t('pcrs.solve.run'), onclick: async () => {
      err.textContent = '';
      try {
        const js = await api('POST', '/pcrs/assignments/solve', {});
        await pledgeInfo(js);
        show(js);
      } catch (e) { err.textContent = e.message; }
    } }), err, out);
}

// ---- Dashboards -------------------------------------------------------------

function pipelineChart(ctx, R, js) {
  const { svg, t } = ctx;
  const items = js.items.slice().sort((a, b) => LEVELS.reduce((s, l) => s + b.levels[l], 0) - LEVELS.reduce((s, l) => s + a.levels[l], 0));
  const max = Math.max(1, ...items.map((x) => LEVELS.reduce((s, l) => s + x.levels[l], 0)));
  const rowH = 20, left = 300, width = 460, top = 28;
  // Legend: each label as wide as its text (about 6.5 px a character at 11 px).
  let lx = left;
  const legend = LEVELS.map((l) => {
    const label = t('pcrs.level.' + l), x = lx;
    lx += 14 + label.length * 6.5 + 14;
    return [svg('rect', { x, y: 4, width: 10, height: 10, class: 'pcrs-lv-' + l }),
      svg('text', { x: x + 14, y: 13, class: 'pcrs-legend', text: label })];
  });
  const s = svg('svg', { width: Math.max(left + width + 60, lx), height: top + items.length * rowH + 10, id: 'pcrs-pipeline-chart',
    class: 'pcrs-chart', role: 'img', 'aria-label': t('pcrs.chart.label', { what: t('pcrs.dash.pipeline') }) });
  for (const [r, txt] of legend) s.append(r, txt);
  items.forEach((it, k) => {
    const y = top + k * rowH;
    s.append(svg('text', { x: left - 6, y: y + 13, class: 'pcrs-axis', 'text-anchor': 'end', text: R.type(it.unit_type) }));
    let x = left;
    for (const l of LEVELS) {
      const w = (it.levels[l] / max) * width;
      if (w > 0) s.append(svg('rect', { x, y: y + 3, width: w, height: 14, class: 'pcrs-lv-' + l },
        svg('title', { text: `${R.type(it.unit_type)} — ${t('pcrs.level.' + l)}: ${it.levels[l]}` })));
      x += w;
    }
    s.append(svg('text', { x: x + 4, y: y + 14, class: 'pcrs-axis', text: String(LEVELS.reduce((a, l) => a + it.levels[l], 0)) }));
  });
  return s;
}

function hbars(ctx, id, label, rows) {
  const { svg } = ctx;
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const rowH = 20, left = 300, width = 300;
  const s = svg('svg', { width: left + width + 50, height: rows.length * rowH + 8, id, class: 'pcrs-chart', role: 'img',
    'aria-label': ctx.t('pcrs.chart.label', { what: label }) });
  rows.forEach(([name, n], k) => {
    const y = k * rowH + 4;
    s.append(svg('text', { x: left - 6, y: y + 13, class: 'pcrs-axis', 'text-anchor': 'end', text: name }),
      svg('rect', { x: left, y: y + 3, width: (n / max) * width, height: 14, class: 'pcrs-gap-bar' }),
      svg('text', { x: left + (n / max) * width + 4, y: y + 14, class: 'pcrs-axis', text: String(n) }));
  });
  return s;
}

function parityTable(ctx, items, idPrefix) {
  const { t } = ctx;
  return table(ctx, [
    { label: t('pcrs.col.category'), cell: (c) => t('pcrs.cat.' + c.category) },
    { label: t('pcrs.col.strength'), num: true, cell: (c) => ctx.fmtNumber(Math.round(c.strength)) },
    { label: t('pcrs.col.women'), num: true, cell: (c) => ctx.fmtNumber(Math.round(c.women)) },
    { label: t('pcrs.col.share'), cell: (c) => ctx.el('span', { class: 'pcrs-score' }, bar(ctx, c.share / 0.5, { target: c.target / 0.5, width: 150,
      label: `${pct(ctx, c.share)} / ${pct(ctx, c.target)}` }), ' ' + pct(ctx, c.share)) },
    { label: t('pcrs.col.target'), cell: (c) => ctx.el('span', { title: t('pcrs.dash.target_note', { year: c.target_year, source: c.target_source }),
      text: `${pct(ctx, c.target)} (${c.target_year})` }) },
    { label: t('pcrs.col.short'), num: true, cell: (c) => ctx.fmtNumber(Math.ceil(c.women_short)) },
  ], items, { id: idPrefix, rowClass: (c) => (c.strength > 0 && !c.meets_target ? 'pcrs-below' : null) });
}

async function dashboardsView(root, ctx, R) {
  const { el, t, api } = ctx;
  const [pipe, gaps, parity, pm, due] = await Promise.all([api('GET', '/pcrs/pipeline'), api('GET', '/pcrs/gaps'),
    api('GET', '/pcrs/parity'), api('GET', '/pcrs/parity/missions'), api('GET', '/pcrs/rotations/due?within_days=90')]);
  const totals = LEVELS.reduce((s, l) => s + pipe.totals[l], 0);
  root.append(el('h3', { text: t('pcrs.dash.pipeline') }),
    el('p', { class: 'muted', id: 'pcrs-pipeline-totals', text: t('pcrs.dash.totals', { n: ctx.fmtNumber(totals),
      strength: ctx.fmtNumber(pipe.strength), women: pct(ctx, pipe.women_share) }) }),
    pipe.items.length ? pipelineChart(ctx, R, pipe) : el('p', { class: 'muted', text: t('pcrs.none') }));
  root.append(el('h3', { text: t('pcrs.dash.gaps') }));
  if (!gaps.gaps.length) root.append(el('p', { class: 'muted', id: 'pcrs-no-gaps', text: t('pcrs.dash.no_gaps') }));
  else {
    const byType = Object.entries(gaps.by_unit_type).sort((a, b) => b[1] - a[1]).map(([k, n]) => [R.type(k), n]);
    root.append(el('h4', { text: t('pcrs.dash.gaps_by_type') }), hbars(ctx, 'pcrs-gaps-chart', t('pcrs.dash.gaps_by_type'), byType),
      table(ctx, [
        { label: t('pcrs.col.mission'), cell: (g) => R.mission(g.mission_id) },
        { label: t('pcrs.col.type'), cell: (g) => el('a', { href: '#/pcrs/requirement/' + g.requirement_id, text: R.type(g.unit_type) }) },
        { label: t('pcrs.col.required_by'), cell: (g) => ctx.fmtDate(g.required_by) },
        { label: t('pcrs.col.earliest'), cell: (g) => ctx.fmtDate(g.earliest_deployment) || '—' },
        { label: t('pcrs.col.gap'), cell: (g) => t('pcrs.gap.' + g.gap) },
      ], gaps.gaps, { id: 'pcrs-gaps-table' }));
  }
  root.append(el('h3', { text: t('pcrs.dash.parity', { year: parity.year }) }),
    el('p', { class: 'hint', text: t('pcrs.dash.scale') }), parityTable(ctx, parity.items, 'pcrs-parity'));
  if (canWritePledges(ctx)) {
    root.append(form(ctx, 'pcrs-target-form', 'pcrs.form.target', [
      { name: 'category', type: 'select', options: CATEGORIES.map((c) => [c, t('pcrs.cat.' + c)]) },
      { name: 'year', type: 'number', value: String(parity.year) }, { name: 'target', type: 'percent' },
      { name: 'source', type: 'text' },
    ], async (b) => {
      await api('POST', '/pcrs/parity/targets', b);
      ctx.rerender();
    }));
  }
  if (pm.missions.length) {
    root.append(el('h3', { text: t('pcrs.dash.parity_missions') }));
    for (const m of pm.missions) {
      root.append(el('h4', { text: t('pcrs.dash.mission_line', { mission: m.acronym, units: ctx.fmtNumber(m.units),
        share: pct(ctx, m.share) }) }),
        parityTable(ctx, m.categories.map((c) => ({ ...c, pledges: c.units })), 'pcrs-parity-' + m.acronym));
    }
  }
  root.append(el('h3', { text: t('pcrs.dash.rotations') }), due.items.length ? table(ctx, [
    { label: t('pcrs.col.mission'), cell: (x) => R.mission(x.mission_id) },
    { label: t('pcrs.col.type'), cell: (x) => el('a', { href: '#/pcrs/requirement/' + x.requirement_id, text: R.type(x.unit_type) }) },
    { label: t('pcrs.col.country'), cell: (x) => R.state(x.country) },
    { label: t('pcrs.col.contingent'), num: true, cell: (x) => String(x.current || '') },
    { label: t('pcrs.col.due'), cell: (x) => el('span', {}, ctx.fmtDate(x.next_rotation_due),
      x.overdue ? el('span', { class: 'badge pcrs-overdue', text: t('pcrs.req.overdue') }) : null) },
  ], due.items, { id: 'pcrs-due-table' }) : el('p', { class: 'muted', text: t('pcrs.none') }));
}

// ---- The page -------------------------------------------------------------

registerPage({
  id: 'pcrs',
  titleKey: 'nav.pcrs',
  render: async (root, ctx) => {
    const [view, id] = ctx.path;
    const active = { pledge: 'pledges', requirement: 'requirements', requirements: 'requirements', solve: 'solve',
      dashboards: 'dashboards' }[view] || 'pledges';
    root.append(ctx.el('h2', { class: 'pcrs-title', text: ctx.t('pcrs.title') }), tabs(ctx, active));
    const body = ctx.el('div', { class: 'pcrs-body', id: 'pcrs-body' });
    root.append(body);
    const R = await refs(ctx);
    if (view === 'pledge' && id) await pledgeView(body, ctx, R, id);
    else if (view === 'requirements') await requirementsView(body, ctx, R);
    else if (view === 'requirement' && id) await requirementView(body, ctx, R, id);
    else if (view === 'solve') await solveView(body, ctx, R);
    else if (view === 'dashboards') await dashboardsView(body, ctx, R);
    else await pledgesView(body, ctx, R);
    body.dataset.ready = '1';
  },
});
