/* SPDX-License-Identifier: MIT
 *
 * PCRS reference data: the 193 Member States of the United Nations and the
 * unit types pledged to the Peacekeeping Capability Readiness System.
 *
 * Member States: the list at https://www.un.org/en/about-us/member-states
 * (193 states, as of 2011 with South Sudan the latest admitted), each with
 * its ISO 3166-1 alpha-3 code (https://www.iso.org/iso-3166-country-codes.html).
 * Names are the short English names used by the UN list.
 *
 * Unit types: the categories of the PCRS pledge forms and the UN Military
 * Unit Manuals (infantry battalion, engineering, aviation, medical ...);
 * standard strengths are the typical figures of those manuals and of the
 * Statements of Unit Requirement, used when a pledge gives no strength.
 */
#include <string.h>

#include "modules/pcrs/pcrs.h"

const pcrs_member_state pcrs_member_states[] = {
    {"AFG", "Afghanistan"}, {"ALB", "Albania"}, {"DZA", "Algeria"}, {"AND", "Andorra"},
    {"AGO", "Angola"}, {"ATG", "Antigua and Barbuda"}, {"ARG", "Argentina"},
    {"ARM", "Armenia"}, {"AUS", "Australia"}, {"AUT", "Austria"}, {"AZE", "Azerbaijan"},
    {"BHS", "Bahamas"}, {"BHR", "Bahrain"}, {"BGD", "Bangladesh"}, {"BRB", "Barbados"},
    {"BLR", "Belarus"}, {"BEL", "Belgium"}, {"BLZ", "Belize"}, {"BEN", "Benin"},
    {"BTN", "Bhutan"}, {"BOL", "Bolivia (Plurinational State of)"},
    {"BIH", "Bosnia and Herzegovina"}, {"BWA", "Botswana"}, {"BRA", "Brazil"},
    {"BRN", "Brunei Darussalam"}, {"BGR", "Bulgaria"}, {"BFA", "Burkina Faso"},
    {"BDI", "Burundi"}, {"CPV", "Cabo Verde"}, {"KHM", "Cambodia"}, {"CMR", "Cameroon"},
    {"CAN", "Canada"}, {"CAF", "Central African Republic"}, {"TCD", "Chad"},
    {"CHL", "Chile"}, {"CHN", "China"}, {"COL", "Colombia"}, {"COM", "Comoros"},
    {"COG", "Congo"}, {"CRI", "Costa Rica"}, {"CIV", "Côte d'Ivoire"}, {"HRV", "Croatia"},
    {"CUB", "Cuba"}, {"CYP", "Cyprus"}, {"CZE", "Czechia"},
    {"PRK", "Democratic People's Republic of Korea"},
    {"COD", "Democratic Republic of the Congo"}, {"DNK", "Denmark"}, {"DJI", "Djibouti"},
    {"DMA", "Dominica"}, {"DOM", "Dominican Republic"}, {"ECU", "Ecuador"},
    {"EGY", "Egypt"}, {"SLV", "El Salvador"}, {"GNQ", "Equatorial Guinea"},
    {"ERI", "Eritrea"}, {"EST", "Estonia"}, {"SWZ", "Eswatini"}, {"ETH", "Ethiopia"},
    {"FJI", "Fiji"}, {"FIN", "Finland"}, {"FRA", "France"}, {"GAB", "Gabon"},
    {"GMB", "Gambia"}, {"GEO", "Georgia"}, {"DEU", "Germany"}, {"GHA", "Ghana"},
    {"GRC", "Greece"}, {"GRD", "Grenada"}, {"GTM", "Guatemala"}, {"GIN", "Guinea"},
    {"GNB", "Guinea-Bissau"}, {"GUY", "Guyana"}, {"HTI", "Haiti"}, {"HND", "Honduras"},
    {"HUN", "Hungary"}, {"ISL", "Iceland"}, {"IND", "India"}, {"IDN", "Indonesia"},
    {"IRN", "Iran (Islamic Republic of)"}, {"IRQ", "Iraq"}, {"IRL", "Ireland"},
    {"ISR", "Israel"}, {"ITA", "Italy"}, {"JAM", "Jamaica"}, {"JPN", "Japan"},
    {"JOR", "Jordan"}, {"KAZ", "Kazakhstan"}, {"KEN", "Kenya"}, {"KIR", "Kiribati"},
    {"KWT", "Kuwait"}, {"KGZ", "Kyrgyzstan"}, {"LAO", "Lao People's Democratic Republic"},
    {"LVA", "Latvia"}, {"LBN", "Lebanon"}, {"LSO", "Lesotho"}, {"LBR", "Liberia"},
    {"LBY", "Libya"}, {"LIE", "Liechtenstein"}, {"LTU", "Lithuania"},
    {"LUX", "Luxembourg"}, {"MDG", "Madagascar"}, {"MWI", "Malawi"}, {"MYS", "Malaysia"},
    {"MDV", "Maldives"}, {"MLI", "Mali"}, {"MLT", "Malta"}, {"MHL", "Marshall Islands"},
    {"MRT", "Mauritania"}, {"MUS", "Mauritius"}, {"MEX", "Mexico"},
    {"FSM", "Micronesia (Federated States of)"}, {"MCO", "Monaco"}, {"MNG", "Mongolia"},
    {"MNE", "Montenegro"}, {"MAR", "Morocco"}, {"MOZ", "Mozambique"}, {"MMR", "Myanmar"},
    {"NAM", "Namibia"}, {"NRU", "Nauru"}, {"NPL", "Nepal"}, {"NLD", "Netherlands"},
    {"NZL", "New Zealand"}, {"NIC", "Nicaragua"}, {"NER", "Niger"}, {"NGA", "Nigeria"},
    {"MKD", "North Macedonia"}, {"NOR", "Norway"}, {"OMN", "Oman"}, {"PAK", "Pakistan"},
    {"PLW", "Palau"}, {"PAN", "Panama"}, {"PNG", "Papua New Guinea"}, {"PRY", "Paraguay"},
    {"PER", "Peru"}, {"PHL", "Philippines"}, {"POL", "Poland"}, {"PRT", "Portugal"},
    {"QAT", "Qatar"}, {"KOR", "Republic of Korea"}, {"MDA", "Republic of Moldova"},
    {"ROU", "Romania"}, {"RUS", "Russian Federation"}, {"RWA", "Rwanda"},
    {"KNA", "Saint Kitts and Nevis"}, {"LCA", "Saint Lucia"},
    {"VCT", "Saint Vincent and the Grenadines"}, {"WSM", "Samoa"}, {"SMR", "San Marino"},
    {"STP", "Sao Tome and Principe"}, {"SAU", "Saudi Arabia"}, {"SEN", "Senegal"},
    {"SRB", "Serbia"}, {"SYC", "Seychelles"}, {"SLE", "Sierra Leone"},
    {"SGP", "Singapore"}, {"SVK", "Slovakia"}, {"SVN", "Slovenia"},
    {"SLB", "Solomon Islands"}, {"SOM", "Somalia"}, {"ZAF", "South Africa"},
    {"SSD", "South Sudan"}, {"ESP", "Spain"}, {"LKA", "Sri Lanka"}, {"SDN", "Sudan"},
    {"SUR", "Suriname"}, {"SWE", "Sweden"}, {"CHE", "Switzerland"},
    {"SYR", "Syrian Arab Republic"}, {"TJK", "Tajikistan"}, {"THA", "Thailand"},
    {"TLS", "Timor-Leste"}, {"TGO", "Togo"}, {"TON", "Tonga"},
    {"TTO", "Trinidad and Tobago"}, {"TUN", "Tunisia"}, {"TUR", "Türkiye"},
    {"TKM", "Turkmenistan"}, {"TUV", "Tuvalu"}, {"UGA", "Uganda"}, {"UKR", "Ukraine"},
    {"ARE", "United Arab Emirates"},
    {"GBR", "United Kingdom of Great Britain and Northern Ireland"},
    {"TZA", "United Republic of Tanzania"}, {"USA", "United States of America"},
    {"URY", "Uruguay"}, {"UZB", "Uzbekistan"}, {"VUT", "Vanuatu"},
    {"VEN", "Venezuela (Bolivarian Republic of)"}, {"VNM", "Viet Nam"}, {"YEM", "Yemen"},
    {"ZMB", "Zambia"}, {"ZWE", "Zimbabwe"},
};
const size_t pcrs_n_member_states = sizeof(pcrs_member_states) / sizeof(pcrs_member_states[0]);

/* Capability tags: a requirement's required_capabilities are matched
 * against these (plus a pledge's own 'capabilities'). */
const pcrs_unit_type pcrs_unit_types[] = {
    {"infantry_battalion", "Infantry battalion", "military", 850,
     {"protection_of_civilians", "patrolling", "force_protection", "convoy_escort",
      "cordon_and_search", "night_operations", NULL}},
    {"mechanized_infantry_battalion", "Mechanized infantry battalion", "military", 850,
     {"protection_of_civilians", "patrolling", "force_protection", "convoy_escort",
      "armoured_mobility", "night_operations", NULL}},
    {"quick_reaction_force_company", "Quick reaction force company", "military", 175,
     {"rapid_reaction", "protection_of_civilians", "force_protection", "night_operations",
      "air_mobile", NULL}},
    {"special_forces_company", "Special forces company", "military", 120,
     {"special_reconnaissance", "rapid_reaction", "night_operations", "air_mobile", NULL}},
    {"reconnaissance_company", "Reconnaissance company", "military", 150,
     {"reconnaissance", "surveillance", "patrolling", NULL}},
    {"formed_police_unit", "Formed police unit", "police", 160,
     {"public_order", "protection_of_civilians", "vip_protection", "crowd_control", NULL}},
    {"individual_police_officers", "Individual police officers", "police", 1,
     {"police_advising", "mentoring", NULL}},
    {"engineering_company", "Engineering company", "military", 270,
     {"horizontal_construction", "vertical_construction", "water_supply", "road_repair", NULL}},
    {"construction_engineering_company", "Construction engineering company", "military", 250,
     {"vertical_construction", "airfield_maintenance", NULL}},
    {"level_1_hospital", "Level I hospital", "military", 20,
     {"primary_care", "casevac", NULL}},
    {"level_2_hospital", "Level II hospital", "military", 63,
     {"surgery", "trauma_care", "primary_care", "dental", NULL}},
    {"level_3_hospital", "Level III hospital", "military", 110,
     {"surgery", "intensive_care", "specialist_care", "trauma_care", "diagnostics", NULL}},
    {"aeromedical_evacuation_team", "Aeromedical evacuation team", "military", 12,
     {"casevac", "medevac", NULL}},
    {"utility_helicopter_unit", "Utility helicopter unit", "military", 125,
     {"air_transport", "casevac", "medevac", "night_flying", NULL}},
    {"attack_helicopter_unit", "Attack helicopter unit", "military", 140,
     {"aerial_fire_support", "aerial_reconnaissance", "night_flying", NULL}},
    {"fixed_wing_transport_unit", "Fixed-wing transport unit", "military", 80,
     {"air_transport", "strategic_lift", NULL}},
    {"uas_unit", "Unmanned aerial systems unit", "military", 70,
     {"aerial_reconnaissance", "surveillance", "night_operations", NULL}},
    {"eod_cied_company", "EOD / C-IED company", "military", 100,
     {"explosive_ordnance_disposal", "c_ied", "route_clearance", NULL}},
    {"signals_company", "Signals company", "military", 120,
     {"communications", "information_technology", NULL}},
    {"transport_company", "Transport company", "military", 150,
     {"ground_transport", "logistics", NULL}},
    {"logistics_battalion", "Logistics battalion", "military", 450,
     {"logistics", "ground_transport", "supply", NULL}},
    {"military_police_company", "Military police company", "military", 120,
     {"military_police", "force_protection", NULL}},
    {"riverine_unit", "Riverine unit", "military", 100,
     {"riverine_patrol", "maritime_transport", NULL}},
    {"maritime_task_force", "Maritime task force", "military", 250,
     {"maritime_interdiction", "maritime_patrol", NULL}},
    {"intelligence_surveillance_reconnaissance_unit", "ISR unit", "military", 150,
     {"surveillance", "reconnaissance", "intelligence_analysis", NULL}},
    {"military_observers", "Military observers", "military", 1,
     {"observation", "liaison", "monitoring", NULL}},
    {"staff_officers", "Staff officers", "military", 1,
     {"staff_work", "planning", NULL}},
};
const size_t pcrs_n_unit_types = sizeof(pcrs_unit_types) / sizeof(pcrs_unit_types[0]);

const pcrs_member_state *pcrs_member_state_find(const char *iso3)
{
    for (size_t i = 0; iso3 && i < pcrs_n_member_states; i++)
        if (strcmp(pcrs_member_states[i].iso3, iso3) == 0)
            return &pcrs_member_states[i];
    return NULL;
}

const pcrs_unit_type *pcrs_unit_type_find(const char *code)
{
    for (size_t i = 0; code && i < pcrs_n_unit_types; i++)
        if (strcmp(pcrs_unit_types[i].code, code) == 0)
            return &pcrs_unit_types[i];
    return NULL;
}

bool pcrs_unit_type_has(const pcrs_unit_type *t, const char *cap)
{
    for (size_t i = 0; t && cap && i < PCRS_MAX_TAGS && t->tags[i]; i++)
        if (strcmp(t->tags[i], cap) == 0)
            return true;
    return false;
}
