/* Unit tests for src/modules/misconduct: partial dates, the validation
 * rules (mission required, nothing in the future, no report before the
 * incident, paternity and investigation consistency, classification never
 * below confidential), and the parser of the UN table of allegations on
 * each shape of cell the table uses. */
#include "test_util.h"

#include "modules/misconduct/misconduct.h"

#define TODAY "2026-01-15"

static void test_partial_dates(void **state)
{
    (void)state;
    assert_true(misconduct_is_partial_date("2024"));
    assert_true(misconduct_is_partial_date("2024-07"));
    assert_true(misconduct_is_partial_date("2024-02-29"));
    assert_false(misconduct_is_partial_date("2023-02-29"));
    assert_false(misconduct_is_partial_date("1944"));
    assert_false(misconduct_is_partial_date("2024-13"));
    assert_false(misconduct_is_partial_date("2024-7"));
    assert_false(misconduct_is_partial_date("24-07-01"));
    assert_false(misconduct_is_partial_date(""));
    assert_false(misconduct_is_partial_date(NULL));
}

static json_t *base(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "mission", "MINUSCA", "category",
                     "sexual_exploitation_and_abuse", "personnel_type", "police_fpu",
                     "reported_on", "2024-03", "incident_from", "2023-11");
}

static void expect_field(json_t *f, const char *field)
{
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(misconduct_validate(f, 1, NULL, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, field);
    assert_true(e.msg[0] != 0);
    json_decref(f);
}

static void test_validation(void **state)
{
    (void)state;
    pko_err e;
    pko_err_clear(&e);
    json_t *ok = base();
    assert_int_equal(misconduct_validate(ok, 1, NULL, TODAY, &e), PKO_OK);
    json_decref(ok);

    json_t *f = base();
    json_object_del(f, "mission");
    expect_field(f, "mission");
    f = base();
    json_object_set_new(f, "mission", json_string("minusca"));
    expect_field(f, "mission");
    f = base();
    json_object_set_new(f, "reported_on", json_string("2026-02"));
    expect_field(f, "reported_on");
    f = base();
    json_object_set_new(f, "reported_on", json_string("2026-01-15")); /* today is fine */
    json_object_set_new(f, "incident_from", json_string("2026-01-16"));
    expect_field(f, "incident_from");
    f = base();
    json_object_set_new(f, "incident_from", json_string("2024-04"));
    expect_field(f, "reported_on"); /* reported before it occurred */
    f = base();
    json_object_set_new(f, "incident_from", json_string("2024")); /* same year: allowed */
    pko_err_clear(&e);
    assert_int_equal(misconduct_validate(f, 1, NULL, TODAY, &e), PKO_OK);
    json_decref(f);
    f = base();
    json_object_set_new(f, "incident_to", json_string("2023-10"));
    expect_field(f, "incident_to");
    f = base();
    json_object_set_new(f, "paternity_established", json_string("yes"));
    expect_field(f, "paternity_established");
    f = base();
    json_object_set_new(f, "investigation_days", json_integer(40));
    json_object_set_new(f, "investigation_status", json_string("pending"));
    expect_field(f, "investigation_days");
    f = base();
    json_object_set_new(f, "victims_adult", json_integer(-2));
    expect_field(f, "victims_adult");
    f = base();
    json_object_set_new(f, "classification", json_string("unclassified"));
    expect_field(f, "classification");
    f = base();
    json_object_set_new(f, "personnel", json_pack("[{s:s, s:i}]", "type", "pilot", "count", 1));
    expect_field(f, "personnel");

    /* Update: the cross-field rules see the stored record. */
    json_t *cur = base();
    json_t *upd = json_pack("{s:s}", "reported_on", "2023-10");
    pko_err_clear(&e);
    assert_int_equal(misconduct_validate(upd, 0, cur, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, "reported_on");
    json_decref(upd);
    upd = json_pack("{s:s}", "mission", "MONUSCO");
    pko_err_clear(&e);
    assert_int_equal(misconduct_validate(upd, 0, cur, TODAY, &e), PKO_EINVAL);
    assert_string_equal(e.field, "mission");
    json_decref(upd);
    json_decref(cur);
}

static json_t *parse(const char *const cols[15], pko_rc want, const char *field)
{
    json_t *f = NULL;
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(misconduct_parse_row(cols, TODAY, &f, &e), want);
    if (field)
        assert_string_equal(e.field, field);
    return f;
}

static void test_parse_row(void **state)
{
    (void)state;
    const char *row[15] = {"6/2024",
                           "MINUSCA",
                           "Unspecified / 2014 - April / 2016",
                           "Military (MC),6\n\nMilitary (MC)",
                           "Cameroon",
                           "Child (2)\n\nAdult (4)\n\nUnknown (1)",
                           "SA (Rape)\n\nSE (Transactional sex)",
                           "Yes",
                           "Pending",
                           "No (declined)",
                           "TCC/OIOS (238)",
                           "Pending (3)\n\nSubstantiated (Rape (attempted)\n) (2)",
                           "UN Pending (6)",
                           "UN Pending (6)\n\nNG Pending (6)",
                           "Pending"};
    json_t *f = parse(row, PKO_OK, NULL);
    assert_string_equal(json_string_value(json_object_get(f, "reported_on")), "2024-06");
    assert_string_equal(json_string_value(json_object_get(f, "incident_from")), "2014");
    assert_string_equal(json_string_value(json_object_get(f, "incident_to")), "2016-04");
    assert_string_equal(json_string_value(json_object_get(f, "personnel_type")),
                        "military_contingent");
    assert_int_equal(json_array_size(json_object_get(f, "personnel")), 2);
    assert_int_equal(json_integer_value(json_object_get(f, "personnel_count")), 6);
    assert_int_equal(json_integer_value(json_object_get(f, "victims_child")), 2);
    assert_int_equal(json_integer_value(json_object_get(f, "victims_adult")), 4);
    assert_int_equal(json_integer_value(json_object_get(f, "victims_unknown_age")), 1);
    assert_int_equal(json_array_size(json_object_get(f, "allegation_types")), 2);
    assert_true(json_is_true(json_object_get(f, "paternity_claim")));
    assert_string_equal(json_string_value(json_object_get(f, "nio_appointed")), "declined");
    assert_string_equal(json_string_value(json_object_get(f, "investigating_entity")), "TCC/OIOS");
    assert_int_equal(json_integer_value(json_object_get(f, "investigation_days")), 238);
    assert_string_equal(json_string_value(json_object_get(f, "investigation_status")),
                        "completed");
    assert_string_equal(json_string_value(json_object_get(f, "result")), "substantiated");
    assert_string_equal(json_string_value(json_object_get(f, "result_detail")),
                        "Pending (3); Substantiated (Rape (attempted)) (2)");
    assert_string_equal(json_string_value(json_object_get(f, "final_action")),
                        "UN Pending (6); NG Pending (6)");
    assert_string_equal(json_string_value(json_object_get(f, "referral_criminal")), "pending");
    pko_err e;
    pko_err_clear(&e);
    assert_int_equal(misconduct_validate(f, 1, NULL, TODAY, &e), PKO_OK);
    json_decref(f);

    /* Unknown incident date, victims without a count, N/A nationality. */
    const char *row2[15] = {"11/2015", "UNMIL", "Unknown", "Civilian (Vendor Employee      ),1",
                            "N/A", "Adult", "SE (Other)", "No", "N/A", "N/A",
                            "UN Review (N/A)", "N/A (1)", "None (1)", "N/A (1)", "N/A"};
    f = parse(row2, PKO_OK, NULL);
    assert_null(json_object_get(f, "incident_from"));
    assert_null(json_object_get(f, "nationality"));
    assert_null(json_object_get(f, "victims_adult"));
    assert_string_equal(json_string_value(json_object_get(f, "victims_note")),
                        "Adult victims, number not stated");
    assert_string_equal(json_string_value(json_object_get(f, "personnel_type")), "civilian_vendor");
    assert_string_equal(json_string_value(json_object_get(f, "investigation_status")),
                        "not_applicable");
    assert_true(json_is_null(json_object_get(f, "final_action")) ||
                json_is_string(json_object_get(f, "final_action")));
    json_decref(f);

    /* Each malformed cell is named. */
    const char *bad[15];
    memcpy(bad, row2, sizeof(bad));
    bad[0] = "2015-11";
    assert_null(parse(bad, PKO_EINVAL, "Date"));
    memcpy(bad, row2, sizeof(bad));
    bad[1] = "  ";
    assert_null(parse(bad, PKO_EINVAL, "Mission"));
    memcpy(bad, row2, sizeof(bad));
    bad[2] = "Spring / 2015";
    assert_null(parse(bad, PKO_EINVAL, "Date of incident"));
    memcpy(bad, row2, sizeof(bad));
    bad[3] = "Astronaut (ISS),1";
    assert_null(parse(bad, PKO_EINVAL, "Personnel Type"));
    memcpy(bad, row2, sizeof(bad));
    bad[5] = "Goat (3)";
    assert_null(parse(bad, PKO_EINVAL, "Victim"));
    memcpy(bad, row2, sizeof(bad));
    bad[10] = "TCC (soon)";
    assert_null(parse(bad, PKO_EINVAL, "Investigation (days)"));
    memcpy(bad, row2, sizeof(bad));
    bad[11] = "Maybe (1)";
    assert_null(parse(bad, PKO_EINVAL, "Result"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partial_dates),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_parse_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
