/* Unit tests of the pure parts of the accountability registers: dates and
 * times (fatalities.h), the CASEVAC order rules and 10-1-2 measures
 * (casevac.h), the progression of national proceedings (accountability.h)
 * and the import's row parser, each against hand-worked cases. */
#include "test_util.h"

#include <jansson.h>

#include "modules/accountability/accountability.h"
#include "modules/casevac/casevac.h"
#include "modules/fatalities/fatalities.h"
#include "modules/reports/reports.h"

static void test_dates_and_times(void **state)
{
    (void)state;
    assert_true(fatalities_is_date("2024-02-29"));
    assert_false(fatalities_is_date("2023-02-29"));
    assert_false(fatalities_is_date("1944-12-31"));
    assert_false(fatalities_is_date("2024-1-01"));
    int64_t a, b;
    assert_true(fatalities_parse_time("1970-01-01T00:00Z", &a));
    assert_int_equal(a, 0);
    assert_true(fatalities_parse_time("2024-03-01T00:00:00Z", &a));
    assert_true(fatalities_parse_time("2024-02-28T23:59:59+00:00", &b));
    assert_int_equal(a - b, 86400 + 1); /* 2024 is a leap year */
    assert_false(fatalities_parse_time("2024-03-01T24:00Z", &a));
    assert_false(fatalities_parse_time("2024-03-01 10:00Z", &a));
    assert_false(fatalities_parse_time("2024-03-01T10:00+01:00", &a));
    json_t *f = json_pack("{s:s}", "d", "2030-01-01");
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(fatalities_check_date(f, "d", true, "2026-11-23", &e), PKO_EINVAL);
    assert_string_equal(e.field, "d");
    assert_non_null(strstr(e.msg, "future"));
    json_decref(f);
}

static pko_rc cv(const char *json, json_t **out, pko_err *e)
{
    json_t *f = json_loads(json, 0, NULL);
    assert_non_null(f);
    pko_err_clear(e);
    int64_t now;
    assert_true(fatalities_parse_time("2024-05-01T00:00Z", &now));
    pko_rc rc = casevac_validate(f, now, e);
    if (out)
        *out = f;
    else
        json_decref(f);
    return rc;
}

static void test_casevac_rules(void **state)
{
    (void)state;
    pko_err e;
    json_t *f;
    assert_int_equal(
        cv("{\"patients\":1,\"priority\":\"urgent\",\"requested_at\":\"2024-04-02T10:00Z\","
           "\"approved_at\":\"2024-04-02T10:05Z\",\"lift_off_at\":\"2024-04-02T10:20Z\"}",
           &f, &e),
        PKO_OK);
    assert_string_equal(json_string_value(json_object_get(f, "status")), "airborne");
    assert_string_equal(json_string_value(json_object_get(f, "requested_at")),
                        "2024-04-02T10:00:00Z");
    json_decref(f);
    static const struct {
        const char *json, *field;
    } bad[] = {
        {"{\"patients\":1,\"priority\":\"urgent\",\"requested_at\":\"2024-04-02T10:00Z\","
         "\"approved_at\":\"2024-04-02T10:01Z\",\"lift_off_at\":\"2024-04-02T10:02Z\","
         "\"arrived_at\":\"2024-04-02T09:59Z\"}",
         "arrived_at"},
        {"{\"patients\":1,\"priority\":\"urgent\",\"requested_at\":\"2024-06-02T10:00Z\"}",
         "requested_at"},
        {"{\"patients\":1,\"priority\":\"urgent\",\"requested_at\":\"2024-04-02T10:00Z\","
         "\"arrived_at\":\"2024-04-02T11:00Z\"}",
         "arrived_at"},
        {"{\"patients\":1,\"priority\":\"urgent\",\"requested_at\":\"2024-04-02T10:00Z\","
         "\"injury_at\":\"2024-04-02T09:00Z\",\"surgery_at\":\"2024-04-02T10:00Z\","
         "\"dcr_at\":\"2024-04-02T10:30Z\"}",
         "surgery_at"},
        {"{\"patients\":1,\"priority\":\"urgent\",\"requested_at\":\"2024-04-02T10:00Z\","
         "\"dcr_at\":\"2024-04-02T09:30Z\"}",
         "dcr_at"},
        {"{\"patients\":1,\"priority\":\"soon\",\"requested_at\":\"2024-04-02T10:00Z\"}",
         "priority"},
        {"{\"patients\":1,\"priority\":\"urgent\",\"requested_at\":\"2024-04-02T10:00Z\","
         "\"approved_at\":\"2024-04-02T10:05Z\",\"lift_off_at\":\"2024-04-02T10:20Z\","
         "\"arrived_at\":\"2024-04-02T10:40Z\",\"status\":\"cancelled\"}",
         "status"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(cv(bad[i].json, NULL, &e), PKO_EINVAL);
        assert_string_equal(e.field, bad[i].field);
    }
}

static void test_casevac_measures(void **state)
{
    (void)state;
    /* Injury 08:00, first aid 08:07, request 08:10, approval 08:20,
     * lift-off 08:35, arrival 09:05, DCR 09:10, surgery 09:50. */
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "injury_at",
                          "2024-04-02T08:00Z", "first_aid_at", "2024-04-02T08:07Z", "requested_at",
                          "2024-04-02T08:10Z", "approved_at", "2024-04-02T08:20Z", "lift_off_at",
                          "2024-04-02T08:35Z", "arrived_at", "2024-04-02T09:05Z", "dcr_at",
                          "2024-04-02T09:10Z", "surgery_at", "2024-04-02T09:50Z");
    json_t *m = casevac_measures(r);
    assert_true(json_real_value(json_object_get(m, "first_aid")) == 7.0);
    assert_true(json_is_true(json_object_get(m, "meets_10")));
    assert_true(json_real_value(json_object_get(m, "dcr")) == 70.0);
    assert_true(json_is_false(json_object_get(m, "meets_1h")));
    assert_true(json_real_value(json_object_get(m, "surgery")) == 110.0);
    assert_true(json_is_true(json_object_get(m, "meets_2h")));
    assert_true(json_real_value(json_object_get(m, "request_to_arrival")) == 55.0);
    assert_true(json_real_value(json_object_get(m, "approval_to_lift_off")) == 15.0);
    json_decref(m);
    /* Without an injury time the clock runs from the request. */
    json_object_del(r, "injury_at");
    m = casevac_measures(r);
    assert_string_equal(json_string_value(json_object_get(m, "clock_from")), "request");
    assert_true(json_is_null(json_object_get(m, "first_aid")));
    assert_true(json_is_null(json_object_get(m, "meets_10")));
    assert_true(json_real_value(json_object_get(m, "surgery")) == 100.0);
    json_decref(m);
    json_decref(r);
}

static pko_rc prog(const char *events, pko_err *e)
{
    json_t *ev = json_loads(events, 0, NULL);
    assert_non_null(ev);
    pko_err_clear(e);
    pko_rc rc = accountability_check_progression(ev, "2020-01-01", e);
    json_decref(ev);
    return rc;
}

#define EV(stage, date, n)                                                                         \
    "{\"stage\":\"" stage "\",\"event_date\":\"" date "\",\"individuals\":" #n "}"

static void test_progression(void **state)
{
    (void)state;
    pko_err e;
    /* In any order: the check sorts by date. */
    assert_int_equal(
        prog("[" EV("convicted", "2022-01-01", 1) "," EV("prosecuted", "2021-01-01", 2) "," EV(
                 "suspects_identified", "2020-03-01", 3) "," EV("investigation_opened",
                                                                "2020-02-01", 0) "]",
             &e),
        PKO_OK);
    /* Same day: identified and prosecuted together is fine. */
    assert_int_equal(
        prog("[" EV("investigation_opened", "2020-02-01", 0) "," EV(
                 "prosecuted", "2020-03-01", 2) "," EV("suspects_identified", "2020-03-01", 2) "]",
             &e),
        PKO_OK);
    assert_int_equal(
        prog("[" EV("investigation_opened", "2020-02-01", 0) "," EV(
                 "suspects_identified", "2020-03-01", 2) "," EV("convicted", "2020-04-01", 1) "]",
             &e),
        PKO_EINVAL);
    assert_non_null(strstr(e.msg, "a conviction needs a prosecution"));
    /* A conviction dated before the prosecution it would rest on. */
    assert_int_equal(
        prog("[" EV("investigation_opened", "2020-02-01", 0) "," EV(
                 "suspects_identified", "2020-03-01",
                 2) "," EV("prosecuted", "2021-03-01", 2) "," EV("convicted", "2021-01-01", 1) "]",
             &e),
        PKO_EINVAL);
    assert_int_equal(prog("[" EV("suspects_identified", "2020-03-01", 2) "]", &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "investigation"));
    assert_int_equal(prog("[" EV("investigation_opened", "2019-12-31", 0) "]", &e), PKO_EINVAL);
    assert_string_equal(e.field, "event_date");
    assert_int_equal(prog("[" EV("investigation_opened", "2020-02-01",
                                 0) "," EV("investigation_opened", "2020-03-01", 0) "]",
                          &e),
                     PKO_EINVAL);
    assert_int_equal(
        prog("[" EV("investigation_opened", "2020-02-01", 0) "," EV(
                 "suspects_identified", "2020-03-01", 1) "," EV("arrested", "2020-04-01", 2) "]",
             &e),
        PKO_EINVAL);
    assert_non_null(strstr(e.msg, "arrested"));
}

static void test_import_row(void **state)
{
    (void)state;
    const char *v[FATALITIES_CSV_COLUMNS] = {"2016-03-13",
                                             "UNOCI-2016-03-09647",
                                             " UNSecretariat",
                                             "Fatality",
                                             "",
                                             "",
                                             "Local ",
                                             "Malicious Act",
                                             ""};
    json_t *f = json_object();
    const char *field = NULL;
    pko_err e;
    pko_err_clear(&e);
    pko_err_clear(&e);
    assert_int_equal(fatalities_parse_row(v, "2026-01-01", f, &field, &e), PKO_OK);
    assert_string_equal(json_string_value(json_object_get(f, "mission_acronym")), "UNSECRETARIAT");
    assert_string_equal(json_string_value(json_object_get(f, "person_category")), "national_staff");
    assert_string_equal(json_string_value(json_object_get(f, "incident_type")), "malicious_act");
    assert_true(json_is_null(json_object_get(f, "gender")));
    json_decref(f);
    v[0] = "2027-01-01";
    f = json_object();
    pko_err_clear(&e);
    assert_int_equal(fatalities_parse_row(v, "2026-01-01", f, &field, &e), PKO_EINVAL);
    assert_string_equal(field, "incident_date");
    json_decref(f);
    v[0] = "2016-03-13";
    v[6] = "Soldier";
    f = json_object();
    pko_err_clear(&e);
    assert_int_equal(fatalities_parse_row(v, "2026-01-01", f, &field, &e), PKO_EINVAL);
    assert_string_equal(field, "casualty_personnel_type");
    json_decref(f);
    const char *hdr[] = {"id",
                         "incident_date",
                         "casualty_id",
                         "mission_acronym",
                         "type_of_casualty",
                         "casualty_personnel_type"};
    int idx[FATALITIES_CSV_COLUMNS];
    pko_err_clear(&e);
    assert_int_equal(fatalities_csv_header(hdr, 6, idx, &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "type_of_incident"));
}

static void test_report_period(void **state)
{
    (void)state;
    pko_err e;
    pko_err_clear(&e);
    pko_err_clear(&e);
    assert_int_equal(reports_check_period("2017-01-01", "2023-12-31", "2026-11-23", &e), PKO_OK);
    pko_err_clear(&e);
    assert_int_equal(reports_check_period("2017-01-01", "2027-01-01", "2026-11-23", &e),
                     PKO_EINVAL);
    assert_string_equal(e.field, "to");
    pko_err_clear(&e);
    assert_int_equal(reports_check_period("2018-01-01", "2017-01-01", "2026-11-23", &e),
                     PKO_EINVAL);
    assert_string_equal(e.field, "from");
    assert_int_equal(reports_parse_figures("II,IV"), (1u << 2) | (1u << 4));
    assert_int_equal(reports_parse_figures("all"), REPORTS_ALL_FIGURES);
    assert_int_equal(reports_parse_figures("V"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_and_times),  cmocka_unit_test(test_casevac_rules),
        cmocka_unit_test(test_casevac_measures), cmocka_unit_test(test_progression),
        cmocka_unit_test(test_import_row),       cmocka_unit_test(test_report_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
