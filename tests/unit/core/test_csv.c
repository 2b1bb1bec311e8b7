/* Unit tests for src/core/csv.c. */
#include "test_util.h"

#include "core/csv.h"

static pko_csv *open_str(const char *s, pko_csv_encoding enc)
{
    return pko_csv_open_mem(s, strlen(s), enc);
}

static void test_quoting_and_line_ends(void **state)
{
    (void)state;
    const char *in = "\xEF\xBB\xBFid,text,n\r\n1,\"a, \"\"quoted\"\"\nsecond line\",3\n\n2,,\r\n";
    pko_csv *c = open_str(in, PKO_CSV_UTF8);
    pko_err e;
    pko_err_clear(&e);
    bool eof;
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_false(eof);
    assert_int_equal(pko_csv_nfields(c), 3);
    assert_string_equal(pko_csv_field(c, 0), "id"); /* BOM skipped */
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_int_equal(pko_csv_line(c), 2);
    assert_string_equal(pko_csv_field(c, 1), "a, \"quoted\"\nsecond line");
    assert_string_equal(pko_csv_field(c, 2), "3");
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_int_equal(pko_csv_line(c), 5); /* the blank line is skipped */
    assert_int_equal(pko_csv_nfields(c), 3);
    assert_string_equal(pko_csv_field(c, 2), "");
    assert_string_equal(pko_csv_field(c, 9), "");
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_true(eof);
    pko_csv_close(c);
}

static void test_errors_name_line_and_column_and_resync(void **state)
{
    (void)state;
    const char *in = "a,b\nx\"y,z\n1,\"2\"3\nok,row\n\"never closed\n";
    pko_csv *c = open_str(in, PKO_CSV_UTF8);
    pko_err e;
    bool eof;
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "line 2, column 2"));
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "line 3, column 6"));
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_string_equal(pko_csv_field(c, 0), "ok");
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "line 5"));
    assert_non_null(strstr(e.msg, "never closed"));
    pko_csv_close(c);
}

static void test_utf8_validation_and_cp1252(void **state)
{
    (void)state;
    pko_err e;
    bool eof;
    pko_csv *c = open_str("name\nLa Prosp\xe9rit\xe9\n", PKO_CSV_UTF8);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "line 2, column 9"));
    assert_non_null(strstr(e.msg, "cp1252"));
    pko_csv_close(c);

    c = open_str("name\nLa Prosp\xe9rit\xe9 \x80\x93\n", PKO_CSV_CP1252);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_string_equal(pko_csv_field(c, 0), "La Prosp\xc3\xa9rit\xc3\xa9 \xe2\x82\xac\xe2\x80\x9c" /* U+20AC, U+201C */);
    pko_csv_close(c);

    c = open_str("\xc3\xa9t\xc3\xa9,\xf0\x9f\x98\x80\n\xed\xa0\x80\n", PKO_CSV_UTF8);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_string_equal(pko_csv_field(c, 1), "\xf0\x9f\x98\x80");
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_EINVAL); /* surrogate */
    pko_csv_close(c);
}

static void test_file_input_spanning_chunks(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    for (int i = 0; i < 20000; i++)
        fprintf(f, "%d,\"row %d, with comma\",%d\n", i, i, i * 2);
    rewind(f);
    pko_csv *c = pko_csv_open(f, PKO_CSV_UTF8);
    pko_err e;
    pko_err_clear(&e);
    bool eof = false;
    int n = 0;
    while (pko_csv_next(c, &eof, &e) == PKO_OK && !eof) {
        char want[64];
        snprintf(want, sizeof(want), "row %d, with comma", n);
        assert_string_equal(pko_csv_field(c, 1), want);
        n++;
    }
    assert_true(eof);
    assert_int_equal(n, 20000);
    assert_true(pko_csv_offset(c) > 500000);
    pko_csv_close(c);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting_and_line_ends),
        cmocka_unit_test(test_errors_name_line_and_column_and_resync),
        cmocka_unit_test(test_utf8_validation_and_cp1252),
        cmocka_unit_test(test_file_input_spanning_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
