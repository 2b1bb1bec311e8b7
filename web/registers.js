// The accountability registers (docs/registers.md): fatalities and
// casualties, casualty evacuations (10-1-2), crimes against peacekeepers,
// and the Secretary-General's report figures from live data. One page,
// "#/registers/<tab>", a tab per register with its workflow.
import { registerPage } from './pages.js';
import { addStrings } from './i18n.js';

addStrings({
  en: {
    'reg.tabs': 'Registers',
    'reg.tab.fatalities': 'Fatalities and casualties',
    'reg.tab.casevac': 'Casualty evacuation',
    'reg.tab.accountability': 'Crimes against peacekeepers',
    'reg.tab.figures': 'Report figures',
    'reg.mission': 'Mission',
    'reg.all_missions': 'All my missions',
    'reg.none': 'Nothing recorded yet.',
    'reg.saved': 'Saved.',
    'reg.error': 'Not saved: {msg}',
    'reg.save': 'Save',
    'reg.date': 'Date',
    'reg.year': 'Year',
    'reg.total': 'Total',
    'reg.more': 'More',
    'fat.summary': 'Fatalities per year (the last 15 years with records)',
    'fat.uniformed': 'Uniformed',
    'fat.new': 'Record a fatality or injury',
    'fat.list': 'Latest records',
    'fat.casualty_type': 'Casualty',
    'fat.person_category': 'Category',
    'fat.incident_type': 'Type of incident',
    'fat.weapon': 'Weapon (malicious acts)',
    'fat.nationality': 'Nationality (ISO code)',
    'fat.incident_id': 'Incident id (optional)',
    'fat.source': 'Source',
    'fat.v.fatality': 'Fatality', 'fat.v.injury': 'Injury',
    'fat.v.military': 'Military', 'fat.v.police': 'Police', 'fat.v.military_observer': 'Military observer',
    'fat.v.international_civilian': 'International civilian', 'fat.v.national_staff': 'National staff', 'fat.v.other': 'Other',
    'fat.v.malicious_act': 'Malicious act', 'fat.v.accident': 'Accident', 'fat.v.illness': 'Illness',
    'fat.v.self_inflicted': 'Self-inflicted', 'fat.v.to_be_determined': 'To be determined', 'fat.v.unknown': 'Unknown',
    'fat.v.ied_explosive_ordnance': 'IED or explosive ordnance', 'fat.v.indirect_fire': 'Indirect fire',
    'fat.v.armed_drone': 'Armed drone', 'fat.v.small_arms': 'Small arms', 'fat.v.rocket_propelled_grenade': 'Rocket-propelled grenade',
    'fat.v.landmine': 'Landmine', 'fat.v.edged_weapon': 'Edged weapon', 'fat.v.vehicle_ramming': 'Vehicle ramming',
    'fat.v.arson': 'Arson', 'fat.v.none': '—',
    'cv.stats': 'Per-mission statistics against the 10-1-2 standard',
    'cv.standard': 'First aid within 10 minutes of injury, damage-control resuscitation within 1 hour, surgery within 2 hours.',
    'cv.requests': 'Requests', 'cv.arrived': 'Arrived', 'cv.cancelled': 'Cancelled',
    'cv.median': 'Median request → arrival (min)', 'cv.p90': '90th percentile (min)',
    'cv.approval': 'Median request → approval (min)',
    'cv.ten': 'First aid ≤ 10 min', 'cv.one': 'Resuscitation ≤ 1 h', 'cv.two': 'Surgery ≤ 2 h',
    'cv.of': '{met} of {measured}',
    'cv.new': 'Request an evacuation',
    'cv.list': 'Evacuations',
    'cv.requested_at': 'Requested at (UTC)', 'cv.injury_at': 'Injury at (UTC, optional)',
    'cv.patients': 'Patients', 'cv.priority': 'Priority', 'cv.status': 'Status',
    'cv.pickup': 'Pick-up place', 'cv.facility': 'Medical facility',
    'cv.v.urgent': 'Urgent', 'cv.v.priority': 'Priority', 'cv.v.routine': 'Routine',
    'cv.v.requested': 'Requested', 'cv.v.approved': 'Approved', 'cv.v.airborne': 'Airborne',
    'cv.v.arrived': 'Arrived', 'cv.v.cancelled': 'Cancelled',
    'cv.approve': 'Approved now', 'cv.lift_off': 'Lift-off now', 'cv.arrive': 'Arrived now', 'cv.cancel': 'Cancel',
    'cv.duration': 'Request → arrival',
    'acc.intro': 'One case per fatality from a malicious act, followed through the national proceedings. Individuals are counted, never named.',
    'acc.list': 'Cases',
    'acc.open': 'Open a case',
    'acc.fatality': 'Fatality id (malicious act)',
    'acc.authority': 'National authority',
    'acc.stage': 'Stage', 'acc.fatality_date': 'Date of the fatality',
    'acc.events': 'Proceedings',
    'acc.add': 'Record a step',
    'acc.individuals': 'Individuals',
    'acc.s.registered': 'Registered', 'acc.s.investigation_opened': 'Investigation opened',
    'acc.s.suspects_identified': 'Suspects identified', 'acc.s.arrested': 'Arrested or detained',
    'acc.s.prosecuted': 'Prosecuted', 'acc.s.convicted': 'Convicted',
    'acc.noaccess': 'Cases are visible to analysts, mission administrators and conduct officers of the mission. The aggregate figure III is on the “Report figures” tab.',
    'fig.from': 'From', 'fig.to': 'To', 'fig.show': 'Show',
    'fig.missions': 'Missions (figures II and III; empty: all yours)',
    'fig.world': 'All missions: this figure is not kept per mission.',
    'fig.download': 'Download:',
    'fig.empty': 'No data for this period.',
    'fig.definition': 'Definition', 'fig.source': 'Source', 'fig.note': 'Note',
    'fig.scope': 'Computed from the records you may see ({missions}).',
    'fig.I.title': 'Figure I. Percentage of uniformed women deployed',
    'fig.II.title': 'Figure II. Uniformed fatalities from malicious acts and the share caused by explosive ordnance or IEDs',
    'fig.III.title': 'Figure III. Investigation and prosecution of crimes against peacekeepers (cumulative)',
    'fig.IV.title': 'Figure IV. Allegations of misconduct reported by year',
    'fig.chart': 'Chart of figure {id}',
    'fig.files': 'The downloaded files are in English.',
    'fig.s.fatalities': 'Uniformed fatalities from malicious acts',
    'fig.s.eo_ied': 'Caused by explosive ordnance or IEDs', 'fig.s.weapon_recorded': 'Weapon recorded',
    'fig.s.eo_ied_share': 'Share caused by explosive ordnance or IEDs (weapon recorded)',
    'fig.s.cases': 'Cases followed', 'fig.s.investigations': 'National investigations opened',
    'fig.s.suspects_identified': 'Alleged perpetrators identified', 'fig.s.arrested': 'Arrested or detained',
    'fig.s.prosecuted': 'Prosecuted', 'fig.s.convicted': 'Convicted',
    'fig.s.same_year': 'Incident in the year reported', 'fig.s.earlier_years': 'Incident in an earlier year',
    'fig.s.unknown': 'Incident date unknown',
    'fig.s.military_contingents': 'Military contingents', 'fig.s.military_observers_staff_officers': 'Military observers and staff officers',
    'fig.s.formed_police_units': 'Formed police units', 'fig.s.individual_police_officers': 'Individual police officers',
    'fig.s.justice_corrections': 'Justice and corrections personnel',
  },
  fr: {
    'reg.tabs': 'Registres',
    'reg.tab.fatalities': 'Décès et blessés',
    'reg.tab.casevac': 'Évacuation sanitaire',
    'reg.tab.accountability': 'Crimes contre les Casques bleus',
    'reg.tab.figures': 'Figures du rapport',
    'reg.mission': 'Mission',
    'reg.all_missions': 'Toutes mes missions',
    'reg.none': 'Rien n’est encore enregistré.',
    'reg.saved': 'Enregistré.',
    'reg.error': 'Non enregistré : {msg}',
    'reg.save': 'Enregistrer',
    'reg.date': 'Date',
    'reg.year': 'Année',
    'reg.total': 'Total',
    'reg.more': 'Plus',
    'fat.summary': 'Décès par année (les 15 dernières années avec des données)',
    'fat.uniformed': 'Personnel en tenue',
    'fat.new': 'Enregistrer un décès ou un blessé',
    'fat.list': 'Derniers enregistrements',
    'fat.casualty_type': 'Victime',
    'fat.person_category': 'Catégorie',
    'fat.incident_type': 'Type d’incident',
    'fat.weapon': 'Arme (actes malveillants)',
    'fat.nationality': 'Nationalité (code ISO)',
    'fat.incident_id': 'Identifiant de l’incident (facultatif)',
    'fat.source': 'Source',
    'fat.v.fatality': 'Décès', 'fat.v.injury': 'Blessure',
    'fat.v.military': 'Militaire', 'fat.v.police': 'Police', 'fat.v.military_observer': 'Observateur militaire',
    'fat.v.international_civilian': 'Civil international', 'fat.v.national_staff': 'Personnel recruté sur le plan national', 'fat.v.other': 'Autre',
    'fat.v.malicious_act': 'Acte malveillant', 'fat.v.accident': 'Accident', 'fat.v.illness': 'Maladie',
    'fat.v.self_inflicted': 'Auto-infligé', 'fat.v.to_be_determined': 'À déterminer', 'fat.v.unknown': 'Inconnu',
    'fat.v.ied_explosive_ordnance': 'EEI ou engin explosif', 'fat.v.indirect_fire': 'Tir indirect',
    'fat.v.armed_drone': 'Drone armé', 'fat.v.small_arms': 'Armes légères', 'fat.v.rocket_propelled_grenade': 'Lance-roquettes',
    'fat.v.landmine': 'Mine terrestre', 'fat.v.edged_weapon': 'Arme blanche', 'fat.v.vehicle_ramming': 'Attaque au véhicule',
    'fat.v.arson': 'Incendie criminel', 'fat.v.none': '—',
    'cv.stats': 'Statistiques par mission au regard de la norme 10-1-2',
    'cv.standard': 'Premiers secours dans les 10 minutes suivant la blessure, réanimation de contrôle des dommages dans l’heure, chirurgie dans les 2 heures.',
    'cv.requests': 'Demandes', 'cv.arrived': 'Arrivées', 'cv.cancelled': 'Annulées',
    'cv.median': 'Médiane demande → arrivée (min)', 'cv.p90': '90e centile (min)',
    'cv.approval': 'Médiane demande → approbation (min)',
    'cv.ten': 'Premiers secours ≤ 10 min', 'cv.one': 'Réanimation ≤ 1 h', 'cv.two': 'Chirurgie ≤ 2 h',
    'cv.of': '{met} sur {measured}',
    'cv.new': 'Demander une évacuation',
    'cv.list': 'Évacuations',
    'cv.requested_at': 'Demandée à (UTC)', 'cv.injury_at': 'Blessure à (UTC, facultatif)',
    'cv.patients': 'Patients', 'cv.priority': 'Priorité', 'cv.status': 'Statut',
    'cv.pickup': 'Lieu de prise en charge', 'cv.facility': 'Structure médicale',
    'cv.v.urgent': 'Urgente', 'cv.v.priority': 'Prioritaire', 'cv.v.routine': 'Courante',
    'cv.v.requested': 'Demandée', 'cv.v.approved': 'Approuvée', 'cv.v.airborne': 'En vol',
    'cv.v.arrived': 'Arrivée', 'cv.v.cancelled': 'Annulée',
    'cv.approve': 'Approuvée maintenant', 'cv.lift_off': 'Décollage maintenant', 'cv.arrive': 'Arrivée maintenant', 'cv.cancel': 'Annuler',
    'cv.duration': 'Demande → arrivée',
    'acc.intro': 'Un dossier par décès dû à un acte malveillant, suivi tout au long de la procédure nationale. Les personnes sont comptées, jamais nommées.',
    'acc.list': 'Dossiers',
    'acc.open': 'Ouvrir un dossier',
    'acc.fatality': 'Identifiant du décès (acte malveillant)',
    'acc.authority': 'Autorité nationale',
    'acc.stage': 'Étape', 'acc.fatality_date': 'Date du décès',
    'acc.events': 'Procédure',
    'acc.add': 'Enregistrer une étape',
    'acc.individuals': 'Personnes',
    'acc.s.registered': 'Enregistré', 'acc.s.investigation_opened': 'Enquête ouverte',
    'acc.s.suspects_identified': 'Suspects identifiés', 'acc.s.arrested': 'Arrêtés ou détenus',
    'acc.s.prosecuted': 'Poursuivis', 'acc.s.convicted': 'Condamnés',
    'acc.noaccess': 'Les dossiers sont visibles des analystes, des administrateurs de mission et des agents de déontologie de la mission. La figure III agrégée se trouve sous « Figures du rapport ».',
    'fig.from': 'Du', 'fig.to': 'Au', 'fig.show': 'Afficher',
    'fig.missions': 'Missions (figures II et III ; vide : toutes les vôtres)',
    'fig.world': 'Toutes les missions : cette figure n’est pas tenue par mission.',
    'fig.download': 'Télécharger :',
    'fig.empty': 'Aucune donnée pour cette période.',
    'fig.definition': 'Définition', 'fig.source': 'Source', 'fig.note': 'Note',
    'fig.scope': 'Calculé à partir des enregistrements que vous pouvez voir ({missions}).',
    'fig.I.title': 'Figure I. Pourcentage de femmes en tenue déployées',
    'fig.II.title': 'Figure II. Décès de personnel en tenue dus à des actes malveillants et part due aux engins explosifs ou aux EEI',
    'fig.III.title': 'Figure III. Enquêtes et poursuites relatives aux crimes contre les Casques bleus (cumul)',
    'fig.IV.title': 'Figure IV. Allégations de faute signalées par année',
    'fig.chart': 'Graphique de la figure {id}',
    'fig.files': 'Les fichiers téléchargés sont en anglais.',
    'fig.s.fatalities': 'Décès de personnel en tenue dus à des actes malveillants',
    'fig.s.eo_ied': 'Dus aux engins explosifs ou aux EEI', 'fig.s.weapon_recorded': 'Arme enregistrée',
    'fig.s.eo_ied_share': 'Part due aux engins explosifs ou aux EEI (arme enregistrée)',
    'fig.s.cases': 'Dossiers suivis', 'fig.s.investigations': 'Enquêtes nationales ouvertes',
    'fig.s.suspects_identified': 'Auteurs présumés identifiés', 'fig.s.arrested': 'Arrêtés ou détenus',
    'fig.s.prosecuted': 'Poursuivis', 'fig.s.convicted': 'Condamnés',
    'fig.s.same_year': 'Incident survenu l’année du signalement', 'fig.s.earlier_years': 'Incident survenu une année antérieure',
    'fig.s.unknown': 'Date de l’incident inconnue',
    'fig.s.military_contingents': 'Contingents militaires', 'fig.s.military_observers_staff_officers': 'Observateurs militaires et officiers d’état-major',
    'fig.s.formed_police_units': 'Unités de police constituées', 'fig.s.individual_police_officers': 'Policiers hors unités constituées',
    'fig.s.justice_corrections': 'Personnel de la justice et de l’administration pénitentiaire',
    'fig.I.def': 'Part des femmes dans le personnel en tenue déployé par l’ONU, par catégorie (contingents militaires ; observateurs militaires et officiers d’état-major ; unités de police constituées ; policiers hors unités constituées ; personnel de la justice et de l’administration pénitentiaire fourni par les gouvernements) et par année, d’après les relevés enregistrés dans PKO.',
    'fig.I.src': 'Relevés par sexe du personnel en tenue enregistrés dans PKO à partir des rapports d’étape de la Stratégie sur la parité des genres applicable au personnel en tenue (A4P+) ; chaque ligne indique sa source.',
    'fig.II.def': 'Personnel en tenue = militaires (contingents et officiers d’état-major), police et observateurs militaires. Décès (pas les blessures) dont le type d’incident est « acte malveillant », par année de l’incident. La part compte l’arme « EEI ou engin explosif » parmi les décès dont l’arme est enregistrée.',
    'fig.II.src': 'Registre des décès de PKO (notifications NOTICAS saisies dans PKO et jeu de données de l’ONU « Fatalities in PKOs and SPMs since 1948 », psdata.un.org, importé).',
    'fig.III.def': 'Cumul depuis le début de la période jusqu’à la fin de chaque année : dossiers ouverts pour des décès dus à des actes malveillants (selon la date du décès), enquêtes nationales ouvertes, et personnes identifiées comme auteurs présumés, arrêtées ou détenues, poursuivies et condamnées (selon la date de chaque étape).',
    'fig.III.src': 'Registre de PKO sur la responsabilité des crimes contre les Casques bleus (résolution 2589 (2021) du Conseil de sécurité).',
    'fig.IV.def': 'Allégations par année de signalement, selon que l’incident a eu lieu l’année du signalement ou une année antérieure (ou à une date inconnue). Statistiques publiques uniquement (des nombres).',
    'fig.IV.src': 'Registre des fautes de PKO, statistiques publiques ; allégations importées du tableau des Nations Unies « Conduct in UN Field Missions » (conduct.unmissions.org).',
    'fig.note.II': '{total} décès ; arme enregistrée pour {rec}, dont {eo} par engins explosifs ou EEI.',
    'fig.note.IV': '{total} allégations signalées sur la période.',
  },
});

const TABS = ['fatalities', 'casevac', 'accountability', 'figures'];
const CATEGORIES = ['military', 'police', 'military_observer', 'international_civilian', 'national_staff', 'other'];
const INCIDENT_TYPES = ['malicious_act', 'accident', 'illness', 'self_inflicted', 'to_be_determined', 'unknown'];
const WEAPONS = ['ied_explosive_ordnance', 'indirect_fire', 'armed_drone', 'small_arms', 'rocket_propelled_grenade',
  'landmine', 'edged_weapon', 'vehicle_ramming', 'arson', 'other', 'unknown'];
const STAGES = ['investigation_opened', 'suspects_identified', 'arrested', 'prosecuted', 'convicted'];

function roles(ctx) { return (ctx.user && ctx.user.roles) || []; }
function can(ctx, re) { return roles(ctx).some((r) => r === 'system_admin' || re.test(r)); }
const today = () => new Date().toISOString().slice(0, 10);
const nowUtc = () => new Date().toISOString().slice(0, 16) + 'Z';

function field(ctx, label, input) {
  return ctx.el('label', { class: 'reg-field' }, ctx.el('span', { text: label }), input);
}
function select(ctx, name, values, labelOf, extra = {}) {
  return ctx.el('select', { name, ...extra }, ...values.map((v) => ctx.el('option', { value: v, text: labelOf(v) })));
}
function status(ctx, box, ok, msg) {
  box.textContent = msg;
  box.className = ok ? 'reg-ok' : 'error';
  box.setAttribute('role', ok ? 'status' : 'alert');
}
function formData(form) {
  const o = {};
  for (const [k, v] of new FormData(form).entries()) if (v !== '') o[k] = v;
  return o;
}

async function missionSelect(ctx, name, withAll) {
  const js = await ctx.api('GET', '/missions?limit=500');
  const items = js.items.slice().sort((a, b) => a.acronym.localeCompare(b.acronym));
  const opts = [];
  if (withAll) opts.push(ctx.el('option', { value: '', text: ctx.t('reg.all_missions') }));
  for (const m of items) opts.push(ctx.el('option', { value: withAll ? m.acronym : m.id, text: m.acronym }));
  return { el: ctx.el('select', { name, id: 'reg-' + name }, ...opts), missions: items };
}

function table(ctx, head, rows, cls) {
  return ctx.el('table', { class: 'reg-table ' + (cls || '') },
    ctx.el('thead', {}, ctx.el('tr', {}, ...head.map((h) => ctx.el('th', { text: h })))),
    ctx.el('tbody', {}, ...rows.map((r) => ctx.el('tr', {}, ...r.map((c) => ctx.el('td', {}, c === null || c === undefined ? '' : c))))));
}

/* ==== Fatalities ============================================================ */

async function renderFatalities(root, ctx) {
  const { el, t } = ctx;
  const ms = await missionSelect(ctx, 'mission', true);
  const sumBox = el('div', { id: 'fat-summary' });
  const listBox = el('div', { id: 'fat-list' });
  const load = async () => {
    const q = ctx.qs({ mission: ms.el.value });
    const s = await ctx.api('GET', '/fatalities/summary' + q);
    const years = s.years.slice(-15).reverse();
    sumBox.replaceChildren(years.length ? table(ctx, [t('reg.year'), t('reg.total'), t('fat.uniformed'),
      ...INCIDENT_TYPES.map((k) => t('fat.v.' + k))],
    years.map((y) => [y.year, ctx.fmtNumber(y.total), ctx.fmtNumber(y.uniformed),
      ...INCIDENT_TYPES.map((k) => ctx.fmtNumber(y.by_incident_type[k] || 0))]), 'reg-summary')
      : el('p', { text: t('reg.none') }));
    const l = await ctx.api('GET', '/fatalities' + ctx.qs({ mission: ms.el.value, order: 'desc', limit: 20 }));
    const items = l.items;
    const acr = Object.fromEntries(ms.missions.map((m) => [m.id, m.acronym]));
    listBox.replaceChildren(items.length ? table(ctx, [t('reg.date'), t('reg.mission'), t('fat.casualty_type'),
      t('fat.person_category'), t('fat.incident_type'), t('fat.weapon'), t('fat.nationality'), t('fat.source')],
    items.map((f) => [f.incident_date, acr[f.mission_id] || '', t('fat.v.' + f.casualty_type), t('fat.v.' + f.person_category),
      t('fat.v.' + f.incident_type), f.weapon ? t('fat.v.' + f.weapon) : '', f.nationality_name || f.nationality || '',
      f.source_system ? 'UN psdata' : 'PKO'])) : el('p', { text: t('reg.none') }));
  };
  ms.el.addEventListener('change', load);
  root.append(field(ctx, t('reg.mission'), ms.el), el('h3', { text: t('fat.summary') }), sumBox);
  if (can(ctx, /^(analyst|mission_admin)(:|$)/)) {
    const msg = el('p', { id: 'fat-msg' });
    const wm = await missionSelect(ctx, 'mission_id', false);
    const form = el('form', { id: 'fat-form', class: 'reg-form' },
      field(ctx, t('reg.mission'), wm.el),
      field(ctx, t('reg.date'), el('input', { type: 'date', name: 'incident_date', max: today(), required: true })),
      field(ctx, t('fat.casualty_type'), select(ctx, 'casualty_type', ['fatality', 'injury'], (v) => t('fat.v.' + v))),
      field(ctx, t('fat.person_category'), select(ctx, 'person_category', CATEGORIES, (v) => t('fat.v.' + v))),
      field(ctx, t('fat.incident_type'), select(ctx, 'incident_type', INCIDENT_TYPES, (v) => t('fat.v.' + v))),
      field(ctx, t('fat.weapon'), select(ctx, 'weapon', ['', ...WEAPONS], (v) => t('fat.v.' + (v || 'none')))),
      field(ctx, t('fat.nationality'), el('input', { name: 'nationality', maxlength: 3, pattern: '[A-Z]{3}', size: 4 })),
      field(ctx, t('fat.incident_id'), el('input', { name: 'incident_id', size: 36 })),
      el('button', { type: 'submit', text: t('reg.save') }), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        await ctx.api('POST', '/fatalities', formData(form));
        status(ctx, msg, true, t('reg.saved'));
        await load();
      } catch (err) { status(ctx, msg, false, t('reg.error', { msg: err.message })); }
    });
    root.append(el('details', { class: 'reg-new' }, el('summary', { text: t('fat.new') }), form));
  }
  root.append(el('h3', { text: t('fat.list') }), listBox);
  await load();
}

/* ==== CASEVAC ================================================================ */

async function renderCasevac(root, ctx) {
  const { el, t } = ctx;
  const statsBox = el('div', { id: 'cv-stats' });
  const listBox = el('div', { id: 'cv-list' });
  const ms = await missionSelect(ctx, 'mission_id', false);
  const acr = Object.fromEntries(ms.missions.map((m) => [m.id, m.acronym]));
  const writer = can(ctx, /^(reporter|analyst|mission_admin)(:|$)/);
  const num = (v) => (v === null || v === undefined ? '—' : ctx.fmtNumber(Math.round(v * 10) / 10));
  const share = (c) => (c.measured ? t('cv.of', { met: c.met, measured: c.measured }) + ` (${Math.round(100 * c.share)} %)` : '—');
  const load = async () => {
    const s = await ctx.api('GET', '/casevac/stats');
    statsBox.replaceChildren(table(ctx, [t('reg.mission'), t('cv.requests'), t('cv.arrived'), t('cv.cancelled'), t('cv.median'),
      t('cv.p90'), t('cv.approval'), t('cv.ten'), t('cv.one'), t('cv.two')],
    s.items.map((m) => [m.mission === 'ALL' ? t('reg.total') : m.mission, m.requests, m.arrived, m.cancelled,
      num(m.request_to_arrival.median), num(m.request_to_arrival.p90), num(m.request_to_approval.median),
      share(m.ten), share(m.one_hour), share(m.two_hours)]), 'reg-stats'));
    const l = await ctx.api('GET', '/casevac?limit=500');
    const items = l.items.sort((a, b) => b.requested_at.localeCompare(a.requested_at)).slice(0, 30);
    const step = (c, label, body) => el('button', { type: 'button', class: 'reg-step', text: label,
      onclick: async () => {
        try { await ctx.api('PATCH', '/casevac/' + c.id, body); await load(); } catch (err) { alert(err.message); }
      } });
    listBox.replaceChildren(items.length ? table(ctx, [t('cv.requested_at'), t('reg.mission'), t('cv.priority'), t('cv.patients'),
      t('cv.status'), t('cv.duration'), ''],
    items.map((c) => {
      const next = [];
      if (writer && c.status === 'requested') next.push(step(c, t('cv.approve'), { approved_at: nowUtc() }));
      if (writer && c.status === 'approved') next.push(step(c, t('cv.lift_off'), { lift_off_at: nowUtc() }));
      if (writer && c.status === 'airborne') next.push(step(c, t('cv.arrive'), { arrived_at: nowUtc() }));
      if (writer && ['requested', 'approved', 'airborne'].includes(c.status)) next.push(step(c, t('cv.cancel'), { status: 'cancelled' }));
      const r2a = c.arrived_at ? (Date.parse(c.arrived_at) - Date.parse(c.requested_at)) / 60000 : null;
      return [c.requested_at.replace('T', ' ').replace(':00Z', ' UTC'), acr[c.mission_id] || '', t('cv.v.' + c.priority), c.patients,
        el('span', { class: 'reg-status reg-status-' + c.status, text: t('cv.v.' + c.status) }),
        r2a === null ? '' : num(r2a) + ' min',
        el('span', {}, ...next)];
    }), 'reg-cv') : el('p', { text: t('reg.none') }));
  };
  root.append(el('h3', { text: t('cv.stats') }), el('p', { class: 'reg-hint', text: t('cv.standard') }), statsBox);
  if (writer) {
    const msg = el('p', { id: 'cv-msg' });
    const form = el('form', { id: 'cv-form', class: 'reg-form' },
      field(ctx, t('reg.mission'), ms.el),
      field(ctx, t('cv.requested_at'), el('input', { name: 'requested_at', value: nowUtc(), size: 18, required: true })),
      field(ctx, t('cv.injury_at'), el('input', { name: 'injury_at', size: 18, placeholder: 'YYYY-MM-DDTHH:MMZ' })),
      field(ctx, t('cv.patients'), el('input', { name: 'patients', type: 'number', min: 1, max: 500, value: 1 })),
      field(ctx, t('cv.priority'), select(ctx, 'priority', ['urgent', 'priority', 'routine'], (v) => t('cv.v.' + v))),
      field(ctx, t('cv.pickup'), el('input', { name: 'pickup_place' })),
      field(ctx, t('cv.facility'), el('input', { name: 'facility' })),
      el('button', { type: 'submit', text: t('reg.save') }), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const b = formData(form);
      if (b.patients) b.patients = Number(b.patients);
      try {
        await ctx.api('POST', '/casevac', b);
        status(ctx, msg, true, t('reg.saved'));
        await load();
      } catch (err) { status(ctx, msg, false, t('reg.error', { msg: err.message })); }
    });
    root.append(el('details', { class: 'reg-new' }, el('summary', { text: t('cv.new') }), form));
  }
  root.append(el('h3', { text: t('cv.list') }), listBox);
  await load();
}

/* ==== Crimes against peacekeepers ============================================ */

async function renderAccountability(root, ctx) {
  const { el, t } = ctx;
  root.append(el('p', { class: 'reg-hint', text: t('acc.intro') }));
  let list;
  try {
    list = await ctx.api('GET', '/accountability?limit=500');
  } catch (e) {
    if (e.status === 403) { root.append(el('p', { id: 'acc-noaccess', text: t('acc.noaccess') })); return; }
    throw e;
  }
  const writer = can(ctx, /^(analyst|mission_admin)(:|$)/);
  const detail = el('div', { id: 'acc-detail' });
  const show = async (id) => {
    const c = await ctx.api('GET', '/accountability/' + id);
    const parts = [el('h3', { text: `${t('acc.fatality_date')} ${c.fatality_date} — ${t('acc.s.' + c.stage)}` }),
      table(ctx, STAGES.map((s) => t('acc.s.' + s)), [STAGES.map((s) => ctx.fmtNumber(c.totals[s] || 0))], 'reg-totals'),
      el('h4', { text: t('acc.events') }),
      c.events.length ? table(ctx, [t('reg.date'), t('acc.stage'), t('acc.individuals')],
        c.events.map((e) => [e.event_date, t('acc.s.' + e.stage), e.stage === 'investigation_opened' ? '' : e.individuals]), 'reg-events')
        : el('p', { text: t('reg.none') })];
    if (writer) {
      const msg = el('p', { id: 'acc-msg' });
      const form = el('form', { id: 'acc-event-form', class: 'reg-form' },
        field(ctx, t('acc.stage'), select(ctx, 'stage', STAGES, (v) => t('acc.s.' + v))),
        field(ctx, t('reg.date'), el('input', { type: 'date', name: 'event_date', max: today(), required: true })),
        field(ctx, t('acc.individuals'), el('input', { type: 'number', name: 'individuals', min: 0, max: 1000 })),
        el('button', { type: 'submit', text: t('acc.add') }), msg);
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const b = formData(form);
        if (b.stage === 'investigation_opened') delete b.individuals; else if (b.individuals) b.individuals = Number(b.individuals);
        try {
          await ctx.api('POST', `/accountability/${id}/events`, b);
          await show(id);
          status(ctx, $msg(), true, t('reg.saved'));
        } catch (err) { status(ctx, msg, false, t('reg.error', { msg: err.message })); }
      });
      parts.push(form);
    }
    detail.replaceChildren(...parts);
  };
  const $msg = () => document.getElementById('acc-msg');
  const rows = list.items.map((c) => [
    el('a', { href: '#/registers/accountability/' + c.id, text: c.fatality_date }),
    c.national_authority || '', el('span', { class: 'reg-stage', text: t('acc.s.' + c.stage) })]);
  root.append(el('h3', { text: t('acc.list') }), rows.length ? table(ctx, [t('acc.fatality_date'), t('acc.authority'), t('acc.stage')], rows, 'reg-cases')
    : el('p', { text: t('reg.none') }));
  if (writer) {
    const msg = el('p', { id: 'acc-open-msg' });
    // The malicious-act fatalities of the caller's missions that have no
    // case yet, latest recorded first; an id can still be typed.
    const taken = new Set(list.items.map((c) => c.fatality_id));
    const fl = await ctx.api('GET', '/fatalities' + ctx.qs({ incident_type: 'malicious_act', order: 'desc', limit: 200 }));
    const ms = await ctx.api('GET', '/missions?limit=500');
    const acr = Object.fromEntries(ms.items.map((m) => [m.id, m.acronym]));
    const open = fl.items.filter((f) => f.casualty_type === 'fatality' && !taken.has(f.id));
    const pick = open.length
      ? ctx.el('select', { name: 'fatality_id', id: 'acc-fatality' }, ...open.map((f) => ctx.el('option', { value: f.id,
        text: `${f.incident_date} — ${acr[f.mission_id] || ''} — ${t('fat.v.' + f.person_category)}${f.nationality_name ? ' — ' + f.nationality_name : ''}` })))
      : el('input', { name: 'fatality_id', id: 'acc-fatality', size: 36, required: true });
    const form = el('form', { id: 'acc-open-form', class: 'reg-form' },
      field(ctx, t('acc.fatality'), pick),
      field(ctx, t('acc.authority'), el('input', { name: 'national_authority' })),
      el('button', { type: 'submit', text: t('acc.open') }), msg);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      try {
        const c = await ctx.api('POST', '/accountability', formData(form));
        ctx.go('registers', 'accountability', c.id);
      } catch (err) { status(ctx, msg, false, t('reg.error', { msg: err.message })); }
    });
    root.append(el('details', { class: 'reg-new' }, el('summary', { text: t('acc.open') }), form));
  }
  root.append(detail);
  if (ctx.path[1]) await show(ctx.path[1]);
}

/* ==== Figures ================================================================= */

const COLORS = ['#009edb', '#d9541a', '#78ab30', '#7d2e8f', '#edb021', '#4d4d4d'];

// The chart of one figure as inline SVG, with the labels of the page's
// language: bars (counts, left axis), stacks, lines (counts, or percentages
// on the right axis when the figure also has counts).
function chart(ctx, f) {
  const { svg, t } = ctx;
  const W = 900, H = 300, L = 56, R = 56, T = 14, B = 30, cw = W - L - R, ch = H - T - B;
  const rows = f.rows, n = rows.length, slot = cw / Math.max(n, 1);
  const counts = f.series.filter((s) => s.axis !== 'percent');
  let max = 0;
  for (const r of rows) {
    let stack = 0;
    for (const s of counts) {
      const v = r[s.key];
      if (typeof v !== 'number') continue;
      if (s.kind === 'stack') stack += v; else max = Math.max(max, v);
    }
    max = Math.max(max, stack);
  }
  const nice = (v) => { if (v <= 0) return 1; const p = 10 ** Math.floor(Math.log10(v)); return [1, 2, 2.5, 5, 10].map((k) => k * p).find((x) => x >= v); };
  max = nice(max);
  const hasCount = counts.length > 0;
  const y = (v, pct) => T + ch - ch * (pct ? v : v / max);
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'reg-svg', role: 'img', 'aria-label': t('fig.chart', { id: f.id }) });
  for (let i = 0; i <= 5; i++) {
    const gy = T + ch - (ch * i) / 5;
    g.append(svg('line', { x1: L, x2: L + cw, y1: gy, y2: gy, stroke: '#e3e3e3' }));
    g.append(svg('text', { x: L - 6, y: gy + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#444',
      text: hasCount ? ctx.fmtNumber((max * i) / 5) : `${i * 20} %` }));
    if (hasCount && f.series.some((s) => s.axis === 'percent'))
      g.append(svg('text', { x: L + cw + 6, y: gy + 4, 'font-size': 11, fill: '#444', text: `${i * 20} %` }));
  }
  const bars = f.series.filter((s) => s.kind === 'bar');
  rows.forEach((r, i) => {
    let base = 0;
    f.series.forEach((s, k) => {
      const v = r[s.key];
      if (typeof v !== 'number') return;
      if (s.kind === 'stack') {
        const h = (ch * v) / max;
        g.append(svg('rect', { x: L + slot * i + slot * 0.15, y: y(base, false) - h, width: slot * 0.7, height: h, fill: COLORS[k % 6] },
          svg('title', { text: `${r.year}: ${t('fig.s.' + s.key)} ${ctx.fmtNumber(v)}` })));
        base += v;
      } else if (s.kind === 'bar') {
        const bw = (slot * 0.7) / bars.length, bi = bars.indexOf(s);
        g.append(svg('rect', { x: L + slot * i + slot * 0.15 + bw * bi, y: y(v, false), width: bw, height: (ch * v) / max, fill: COLORS[k % 6] },
          svg('title', { text: `${r.year}: ${ctx.fmtNumber(v)}` })));
      }
    });
  });
  f.series.forEach((s, k) => {
    if (s.kind !== 'line') return;
    const pct = s.axis === 'percent';
    let d = '';
    let pen = false;
    rows.forEach((r, i) => {
      const v = r[s.key];
      if (typeof v !== 'number') { pen = false; return; }
      const px = L + slot * (i + 0.5), py = y(v, pct);
      d += (pen ? 'L' : 'M') + px.toFixed(1) + ' ' + py.toFixed(1);
      pen = true;
      g.append(svg('circle', { cx: px, cy: py, r: 3, fill: COLORS[k % 6] },
        svg('title', { text: `${r.year}: ${pct ? Math.round(v * 1000) / 10 + ' %' : ctx.fmtNumber(v)}` })));
    });
    if (d) g.append(svg('path', { d, fill: 'none', stroke: COLORS[k % 6], 'stroke-width': 2 }));
  });
  g.append(svg('line', { x1: L, x2: L + cw, y1: T + ch, y2: T + ch, stroke: '#555' }));
  const every = n > 24 ? Math.ceil(n / 24) : 1;
  rows.forEach((r, i) => {
    if (i % every === 0) g.append(svg('text', { x: L + slot * (i + 0.5), y: H - 10, 'text-anchor': 'middle', 'font-size': 11, fill: '#444', text: String(r.year) }));
  });
  const legend = ctx.el('ul', { class: 'reg-legend' }, ...f.series.map((s, k) => s.kind === 'data' ? null : ctx.el('li', {},
    ctx.el('span', { class: 'reg-swatch reg-c' + (k % 6) }), t('fig.s.' + s.key))));
  return ctx.el('div', { class: 'reg-chart-box' }, g, legend);
}

function frNote(ctx, f) {
  if (f.empty) return null;
  if (f.id === 'II') {
    const sum = (k) => f.rows.reduce((a, r) => a + (r[k] || 0), 0);
    return ctx.t('fig.note.II', { total: sum('fatalities'), rec: sum('weapon_recorded'), eo: sum('eo_ied') });
  }
  if (f.id === 'IV') return ctx.t('fig.note.IV', { total: f.total || 0 });
  return null;
}

async function renderFigures(root, ctx) {
  const { el, t } = ctx;
  const y = new Date().getUTCFullYear();
  const from = el('input', { type: 'date', id: 'fig-from', value: ctx.path[1] || `${y - 10}-01-01`, max: today() });
  const to = el('input', { type: 'date', id: 'fig-to', value: ctx.path[2] || today(), max: today() });
  const missions = el('input', { id: 'fig-missions', value: ctx.path[3] || '', size: 28, placeholder: 'MINUSCA,MONUSCO,MINUSMA' });
  const box = el('div', { id: 'fig-box' });
  const form = el('form', { class: 'reg-form', id: 'fig-form' }, field(ctx, t('fig.from'), from), field(ctx, t('fig.to'), to),
    field(ctx, t('fig.missions'), missions), el('button', { type: 'submit', text: t('fig.show') }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.go('registers', 'figures', from.value, to.value, ...(missions.value.trim() ? [missions.value.trim().toUpperCase()] : []));
  });
  root.append(form, box);
  const q = { from: from.value, to: to.value, missions: missions.value.trim() };
  const res = await ctx.api('GET', '/reports/sg-figures' + ctx.qs(q));
  const fr = ctx.lang === 'fr';
  const links = el('p', { class: 'reg-downloads' }, t('fig.download'), ' ',
    ...['svg', 'png', 'pdf', 'csv'].map((f) => el('a', { href: '/api/v1/reports/sg-figures' + ctx.qs({ ...q, format: f }),
      download: `sg-figures-${q.from}-${q.to}.${f}`, text: f.toUpperCase(), class: 'reg-dl' })), fr ? ' ' + t('fig.files') : '');
  box.append(links, el('p', { class: 'reg-hint', text: t('fig.scope', { missions: Array.isArray(res.missions) ? res.missions.join(', ') : res.missions }) }));
  for (const f of res.figures) {
    const sec = el('section', { class: 'reg-figure', id: 'fig-' + f.id });
    sec.append(el('h3', { text: t('fig.' + f.id + '.title') }));
    if (f.all_missions) sec.append(el('p', { class: 'reg-hint', text: t('fig.world') }));
    if (f.empty) sec.append(el('p', { class: 'reg-empty', text: t('fig.empty') }));
    else {
      sec.append(chart(ctx, f));
      const rows = f.rows.filter((r) => f.series.some((s) => r[s.key] !== undefined && r[s.key] !== null));
      const fmt = (s, v) => (v === undefined || v === null ? '' : s.axis === 'percent' ? `${Math.round(v * 1000) / 10} %` : ctx.fmtNumber(v));
      sec.append(el('details', {}, el('summary', { text: t('reg.more') }),
        table(ctx, [t('reg.year'), ...f.series.map((s) => t('fig.s.' + s.key))], rows.map((r) => [r.year, ...f.series.map((s) => fmt(s, r[s.key]))]), 'reg-fig-data')));
    }
    const note = fr ? frNote(ctx, f) : f.note;
    sec.append(el('p', { class: 'reg-meta' }, el('strong', { text: t('fig.definition') + ' : '.slice(fr ? 0 : 1) }), fr ? t('fig.' + f.id + '.def') : f.definition));
    if (note) sec.append(el('p', { class: 'reg-meta' }, el('strong', { text: t('fig.note') + ' : '.slice(fr ? 0 : 1) }), note));
    sec.append(el('p', { class: 'reg-meta' }, el('strong', { text: t('fig.source') + ' : '.slice(fr ? 0 : 1) }), fr ? t('fig.' + f.id + '.src') : f.source));
    box.append(sec);
  }
}

registerPage({
  id: 'registers',
  titleKey: 'nav.registers',
  render: async (root, ctx) => {
    const tab = TABS.includes(ctx.path[0]) ? ctx.path[0] : 'fatalities';
    const nav = ctx.el('nav', { class: 'reg-tabs', 'aria-label': ctx.t('reg.tabs') },
      ...TABS.map((id) => ctx.el('a', { href: '#/registers/' + id, id: 'reg-tab-' + id, text: ctx.t('reg.tab.' + id),
        'aria-current': id === tab ? 'page' : undefined })));
    const body = ctx.el('div', { class: 'reg-body', id: 'reg-' + tab });
    root.append(ctx.el('h2', { text: ctx.t('reg.tab.' + tab) }), nav, body);
    if (tab === 'fatalities') await renderFatalities(body, ctx);
    else if (tab === 'casevac') await renderCasevac(body, ctx);
    else if (tab === 'accountability') await renderAccountability(body, ctx);
    else await renderFigures(body, ctx);
    body.dataset.ready = '1';
  },
});
