/* SPDX-License-Identifier: MIT
 *
 * The incident taxonomy (docs/taxonomy.md): ACLED event and sub-event
 * types, UCDP types of violence, and the peacekeeping-specific types. Codes
 * are dotted; a code names its parent by prefix ("battles.armed_clash" is a
 * "battles"), and filtering by a parent matches its children.
 */
#include <string.h>

#include "modules/incidents/incidents.h"

static const incidents_category cats[] = {
    /* ACLED event types (ACLED Codebook 2023, section 3) */
    {"battles", "Battles", "acled"},
    {"battles.armed_clash", "Armed clash", "acled"},
    {"battles.government_regains_territory", "Government regains territory", "acled"},
    {"battles.non_state_actor_overtakes_territory", "Non-state actor overtakes territory", "acled"},
    {"explosions", "Explosions/Remote violence", "acled"},
    {"explosions.chemical_weapon", "Chemical weapon", "acled"},
    {"explosions.air_drone_strike", "Air/drone strike", "acled"},
    {"explosions.suicide_bomb", "Suicide bomb", "acled"},
    {"explosions.shelling_artillery_missile", "Shelling/artillery/missile attack", "acled"},
    {"explosions.remote_explosive_landmine_ied", "Remote explosive/landmine/IED", "acled"},
    {"explosions.grenade", "Grenade", "acled"},
    {"violence_against_civilians", "Violence against civilians", "acled"},
    {"violence_against_civilians.sexual_violence", "Sexual violence", "acled"},
    {"violence_against_civilians.attack", "Attack", "acled"},
    {"violence_against_civilians.abduction_forced_disappearance", "Abduction/forced disappearance",
     "acled"},
    {"protests", "Protests", "acled"},
    {"protests.peaceful_protest", "Peaceful protest", "acled"},
    {"protests.protest_with_intervention", "Protest with intervention", "acled"},
    {"protests.excessive_force_against_protesters", "Excessive force against protesters", "acled"},
    {"riots", "Riots", "acled"},
    {"riots.violent_demonstration", "Violent demonstration", "acled"},
    {"riots.mob_violence", "Mob violence", "acled"},
    {"strategic_developments", "Strategic developments", "acled"},
    {"strategic_developments.agreement", "Agreement", "acled"},
    {"strategic_developments.arrests", "Arrests", "acled"},
    {"strategic_developments.change_to_group_activity", "Change to group/activity", "acled"},
    {"strategic_developments.disrupted_weapons_use", "Disrupted weapons use", "acled"},
    {"strategic_developments.headquarters_or_base_established", "Headquarters or base established",
     "acled"},
    {"strategic_developments.looting_property_destruction", "Looting/property destruction",
     "acled"},
    {"strategic_developments.non_violent_transfer_of_territory",
     "Non-violent transfer of territory", "acled"},
    {"strategic_developments.other", "Other", "acled"},
    /* UCDP GED type_of_violence */
    {"ucdp", "UCDP organised violence", "ucdp"},
    {"ucdp.state_based", "State-based conflict (type 1)", "ucdp"},
    {"ucdp.non_state", "Non-state conflict (type 2)", "ucdp"},
    {"ucdp.one_sided", "One-sided violence (type 3)", "ucdp"},
    /* Peacekeeping-specific */
    {"pk", "Peacekeeping incident", "pko"},
    {"pk.attack_on_un", "Attack on UN personnel or premises", "pko"},
    {"pk.ied_explosive_ordnance", "IED or explosive ordnance", "pko"},
    {"pk.indirect_fire", "Indirect fire", "pko"},
    {"pk.armed_drone", "Armed drone", "pko"},
    {"pk.restriction_of_movement", "Restriction of movement or status-of-forces violation",
     "pko"},
    {"pk.abduction", "Abduction", "pko"},
    {"pk.crsv", "Conflict-related sexual violence", "pko"},
    {"pk.protest_unrest", "Protest or civil unrest", "pko"},
    {"pk.protest_unrest.against_mission", "Protest or civil unrest against the mission", "pko"},
    {"pk.displacement", "Displacement", "pko"},
    {"pk.hate_speech_disinformation", "Hate speech or disinformation incident", "pko"},
    {"pk.humanitarian_access", "Humanitarian access incident", "pko"},
    {"pk.natural_hazard", "Natural hazard", "pko"},
    {"pk.armed_group_movement", "Armed group movement", "pko"},
};

size_t incidents_n_categories(void)
{
    return sizeof(cats) / sizeof(cats[0]);
}

const incidents_category *incidents_category_at(size_t i)
{
    return i < incidents_n_categories() ? &cats[i] : NULL;
}

int incidents_category_index(const char *code)
{
    if (!code)
        return -1;
    for (size_t i = 0; i < incidents_n_categories(); i++)
        if (strcmp(cats[i].code, code) == 0)
            return (int)i;
    return -1;
}

bool incidents_category_within(size_t child, size_t parent)
{
    const char *c = cats[child].code, *p = cats[parent].code;
    size_t n = strlen(p);
    return strncmp(c, p, n) == 0 && (c[n] == '\0' || c[n] == '.');
}
