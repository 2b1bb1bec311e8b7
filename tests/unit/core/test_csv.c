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

/* A record of 'n' fields "f0,f1,..." followed by 'tail' and a newline. */
static char *fields_record(size_t n, const char *tail)
{
    size_t cap = n * 8 + strlen(tail) + 2;
    char *s = malloc(cap), *p = s;
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%sf%zu", i ? "," : "", i);
    p += sprintf(p, "%s\n", tail);
    return s;
}

/* Regression: 512 fields followed by a quote read starts[512], one past the
 * array (ASan: stack-buffer/heap overflow). The limit is exact: 512 fields
 * pass, a 513th is refused. */
static void test_field_count_limit_is_exact(void **state)
{
    (void)state;
    pko_err e;
    bool eof;
    char *in = fields_record(PKO_CSV_MAX_FIELDS, "");
    pko_csv *c = open_str(in, PKO_CSV_UTF8);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_int_equal(pko_csv_nfields(c), PKO_CSV_MAX_FIELDS);
    assert_string_equal(pko_csv_field(c, PKO_CSV_MAX_FIELDS - 1), "f511");
    pko_csv_close(c);
    free(in);

    in = fields_record(PKO_CSV_MAX_FIELDS, ",\"quoted\"");
    c = open_str(in, PKO_CSV_UTF8);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_ETOOBIG);
    assert_non_null(strstr(e.msg, "more than 512 fields"));
    pko_csv_close(c);
    free(in);

    in = fields_record(PKO_CSV_MAX_FIELDS + 1, "");
    c = open_str(in, PKO_CSV_UTF8);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_ETOOBIG);
    pko_csv_close(c);
    free(in);
}

/* Regression: after a record over the size limit the reader resynchronised
 * at the next physical line, which could be inside a quoted field, so the
 * rest of the quoted text was read as records. Now it stops for good. */
static void test_too_big_is_sticky(void **state)
{
    (void)state;
    size_t big = PKO_CSV_MAX_RECORD + 100;
    char *in = malloc(big + 64);
    char *p = in;
    p += sprintf(p, "a,b\n\"");
    memset(p, 'x', big);
    p += big;
    p += sprintf(p, "\ninjected,row\n\"\nlast,row\n");
    pko_csv *c = pko_csv_open_mem(in, (size_t)(p - in), PKO_CSV_UTF8);
    pko_err e;
    bool eof;
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    for (int i = 0; i < 3; i++) {
        pko_err_clear(&e);
        eof = false;
        assert_int_equal(pko_csv_next(c, &eof, &e), PKO_ETOOBIG);
        assert_false(eof);
        assert_non_null(strstr(e.msg, "line 2: record longer than"));
        assert_int_equal(pko_csv_nfields(c), 0);
    }
    pko_csv_close(c);
    free(in);
}

/* Regression: the UTF-8 byte-order-mark check also ran in Windows-1252
 * mode, where 0xEF is "ï", and dropped a leading 0xEF even without the rest
 * of the mark. */
static void test_bom_only_in_utf8(void **state)
{
    (void)state;
    pko_err e;
    bool eof;
    pko_csv *c = open_str("\xEFle,x\n", PKO_CSV_CP1252);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_string_equal(pko_csv_field(c, 0), "\xC3\xAFle"); /* ïle */
    pko_csv_close(c);

    c = open_str("\xEF\xBB\xBFid\n", PKO_CSV_CP1252);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_string_equal(pko_csv_field(c, 0), "\xC3\xAF\xC2\xBB\xC2\xBFid");
    pko_csv_close(c);

    /* U+FF01 starts with 0xEF too: not a mark, kept whole. */
    c = open_str("\xEF\xBC\x81,x\n", PKO_CSV_UTF8);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_string_equal(pko_csv_field(c, 0), "\xEF\xBC\x81");
    pko_csv_close(c);
}

/* Regression: a NUL byte went into the field, silently cutting it short
 * (fields are NUL-terminated). */
static void test_nul_byte_is_an_error(void **state)
{
    (void)state;
    static const char in[] = "a,b\nab\0c,d\n\"x\0\",y\nok,row\n";
    pko_csv *c = pko_csv_open_mem(in, sizeof(in) - 1, PKO_CSV_UTF8);
    pko_err e;
    bool eof;
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "line 2, column 3"));
    assert_non_null(strstr(e.msg, "NUL"));
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_EINVAL);
    assert_non_null(strstr(e.msg, "line 3, column 3"));
    pko_err_clear(&e);
    assert_int_equal(pko_csv_next(c, &eof, &e), PKO_OK);
    assert_string_equal(pko_csv_field(c, 0), "ok");
    pko_csv_close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quoting_and_line_ends),
        cmocka_unit_test(test_errors_name_line_and_column_and_resync),
        cmocka_unit_test(test_utf8_validation_and_cp1252),
        cmocka_unit_test(test_file_input_spanning_chunks),
        cmocka_unit_test(test_field_count_limit_is_exact),
        cmocka_unit_test(test_too_big_is_sticky),
        cmocka_unit_test(test_bom_only_in_utf8),
        cmocka_unit_test(test_nul_byte_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
