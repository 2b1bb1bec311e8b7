/* SPDX-License-Identifier: MIT
 * Streaming CSV reader: see csv.h. RFC 4180, with the relaxations real
 * exports need (LF line ends, a BOM, empty trailing lines). */
#include "core/csv.h"

#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

#define CHUNK 65536

struct pko_csv {
    FILE *f;
    const char *mem; /* memory input, or NULL */
    size_t mem_len, mem_off;
    pko_csv_encoding enc;
    unsigned char in[CHUNK];
    size_t in_len, in_pos;
    bool in_eof;
    size_t consumed;
    long line, col;     /* position of the next byte */
    long rec_line;
    char *rec;          /* decoded bytes of the record, fields NUL-separated */
    size_t rec_len, rec_cap;
    size_t starts[PKO_CSV_MAX_FIELDS + 1]; /* start of each field, and of the next */
    size_t nfields;
    bool started;
    /* After PKO_ETOOBIG the input position is somewhere inside a record
     * (possibly inside a quoted field), so the reader stops for good and
     * repeats this error. */
    bool stuck;
    char stuck_msg[PKO_ERR_MSG_MAX];
};

/* Windows-1252 bytes 0x80-0x9F as Unicode code points (0 = undefined). */
static const uint16_t cp1252_hi[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

static pko_csv *csv_new(pko_csv_encoding enc)
{
    pko_csv *c = pko_calloc(1, sizeof(*c));
    c->enc = enc;
    c->line = 1;
    c->col = 1;
    c->rec_cap = 4096;
    c->rec = pko_malloc(c->rec_cap);
    return c;
}

pko_csv *pko_csv_open(FILE *f, pko_csv_encoding enc)
{
    pko_csv *c = csv_new(enc);
    c->f = f;
    return c;
}

pko_csv *pko_csv_open_mem(const char *data, size_t len, pko_csv_encoding enc)
{
    pko_csv *c = csv_new(enc);
    c->mem = data;
    c->mem_len = len;
    return c;
}

void pko_csv_close(pko_csv *c)
{
    if (!c)
        return;
    pko_free(c->rec);
    pko_free(c);
}

/* Next input byte or -1 at the end. */
static int getb(pko_csv *c)
{
    if (c->in_pos == c->in_len) {
        if (c->in_eof)
            return -1;
        if (c->mem) {
            size_t n = c->mem_len - c->mem_off;
            if (n > CHUNK)
                n = CHUNK;
            memcpy(c->in, c->mem + c->mem_off, n);
            c->mem_off += n;
            c->in_len = n;
        } else {
            c->in_len = fread(c->in, 1, CHUNK, c->f);
        }
        c->in_pos = 0;
        if (c->in_len == 0) {
            c->in_eof = true;
            return -1;
        }
    }
    c->consumed++;
    return c->in[c->in_pos++];
}

static int peekb(pko_csv *c)
{
    int b = getb(c);
    if (b >= 0) {
        c->in_pos--;
        c->consumed--;
    }
    return b;
}

/* Fail with PKO_ETOOBIG and make the reader stop: every later call
 * returns the same error. */
static pko_rc too_big(pko_csv *c, pko_err *err, const char *fmt, ...) PKO_PRINTF(3, 4);

static pko_rc too_big(pko_csv *c, pko_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->stuck_msg, sizeof(c->stuck_msg), fmt, ap);
    va_end(ap);
    c->stuck = true;
    return pko_err_set(err, PKO_ETOOBIG, "%s", c->stuck_msg);
}

static pko_rc put(pko_csv *c, const char *p, size_t n, pko_err *err)
{
    if (c->rec_len + n + 1 > PKO_CSV_MAX_RECORD)
        return too_big(c, err, "line %ld: record longer than %d bytes", c->rec_line,
                       PKO_CSV_MAX_RECORD);
    if (c->rec_len + n + 1 > c->rec_cap) {
        while (c->rec_len + n + 1 > c->rec_cap)
            c->rec_cap *= 2;
        c->rec = pko_realloc(c->rec, c->rec_cap);
    }
    memcpy(c->rec + c->rec_len, p, n);
    c->rec_len += n;
    return PKO_OK;
}

/* Append input byte 'b' (first byte of a character) to the field,
 * transcoding or validating. Consumes continuation bytes. */
static pko_rc put_char(pko_csv *c, int b, pko_err *err)
{
    char out[4];
    if (b < 0x80) {
        out[0] = (char)b;
        return put(c, out, 1, err);
    }
    if (c->enc == PKO_CSV_CP1252) {
        uint32_t cp = b >= 0xA0 ? (uint32_t)b : cp1252_hi[b - 0x80];
        if (!cp)
            return pko_err_set(err, PKO_EINVAL,
                               "line %ld, column %ld: byte 0x%02X is not a Windows-1252 character",
                               c->line, c->col, b);
        if (cp < 0x800) {
            out[0] = (char)(0xC0 | (cp >> 6));
            out[1] = (char)(0x80 | (cp & 0x3F));
            return put(c, out, 2, err);
        }
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return put(c, out, 3, err);
    }
    /* UTF-8: check the sequence (RFC 3629). */
    size_t k;
    uint32_t cp;
    if ((b & 0xE0) == 0xC0) {
        k = 1;
        cp = (uint32_t)b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
        k = 2;
        cp = (uint32_t)b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
        k = 3;
        cp = (uint32_t)b & 0x07;
    } else {
        goto bad;
    }
    out[0] = (char)b;
    for (size_t j = 1; j <= k; j++) {
        int nb = peekb(c);
        if (nb < 0 || (nb & 0xC0) != 0x80)
            goto bad;
        getb(c);
        out[j] = (char)nb;
        cp = (cp << 6) | ((uint32_t)nb & 0x3F);
    }
    if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        goto bad;
    c->col += (long)k;
    return put(c, out, k + 1, err);
bad:
    return pko_err_set(err, PKO_EINVAL,
                       "line %ld, column %ld: invalid UTF-8 (if the file is Windows-1252, import "
                       "it with --encoding cp1252)",
                       c->line, c->col);
}

/* End the current field. 'more' is true when a separator follows, i.e.
 * another field starts: a record holds at most PKO_CSV_MAX_FIELDS. */
static pko_rc end_field(pko_csv *c, bool more, pko_err *err)
{
    pko_rc rc = put(c, "", 1, err); /* terminator */
    if (rc)
        return rc;
    c->nfields++; /* at most PKO_CSV_MAX_FIELDS: see below */
    c->starts[c->nfields] = c->rec_len;
    if (more && c->nfields == PKO_CSV_MAX_FIELDS)
        return too_big(c, err, "line %ld: more than %d fields", c->rec_line,
                       PKO_CSV_MAX_FIELDS);
    return PKO_OK;
}

/* Skip the rest of the current line after an error. */
static void resync(pko_csv *c)
{
    int b;
    while ((b = getb(c)) >= 0 && b != '\n')
        ;
    c->line++;
    c->col = 1;
}

pko_rc pko_csv_next(pko_csv *c, bool *eof, pko_err *err)
{
    *eof = false;
    if (c->stuck) {
        c->nfields = 0;
        return pko_err_set(err, PKO_ETOOBIG, "%s", c->stuck_msg);
    }
    if (!c->started) {
        c->started = true;
        /* A UTF-8 byte-order mark, all three bytes of it; in Windows-1252
         * the same bytes are the text "ï»¿" and stay. */
        if (c->enc == PKO_CSV_UTF8 && peekb(c) == 0xEF && c->in_len - c->in_pos >= 3 &&
            memcmp(c->in + c->in_pos, "\xEF\xBB\xBF", 3) == 0) {
            c->in_pos += 3;
            c->consumed += 3;
        }
    }
    for (;;) {
        c->rec_len = 0;
        c->nfields = 0;
        c->starts[0] = 0;
        c->rec_line = c->line;
        int b = peekb(c);
        if (b < 0) {
            *eof = true;
            return PKO_OK;
        }
        if (b == '\r' || b == '\n') { /* blank line */
            getb(c);
            if (b == '\r' && peekb(c) == '\n')
                getb(c);
            c->line++;
            c->col = 1;
            continue;
        }
        break;
    }
    bool quoted = false, after_quote = false;
    pko_rc rc = PKO_OK;
    for (;;) {
        int b = getb(c);
        if (b < 0) {
            if (quoted) {
                rc = pko_err_set(err, PKO_EINVAL,
                                 "line %ld: a quoted field opened on this line is never closed",
                                 c->rec_line);
                return rc;
            }
            rc = end_field(c, false, err);
            if (rc)
                c->nfields = 0;
            return rc;
        }
        if (b == 0) {
            rc = pko_err_set(err, PKO_EINVAL, "line %ld, column %ld: a NUL byte inside a field",
                             c->line, c->col);
        } else if (quoted) {
            if (b == '"') {
                if (peekb(c) == '"') {
                    getb(c);
                    c->col += 2;
                    rc = put(c, "\"", 1, err);
                } else {
                    quoted = false;
                    after_quote = true;
                    c->col++;
                }
            } else if (b == '\n') {
                rc = put(c, "\n", 1, err);
                c->line++;
                c->col = 1;
            } else {
                rc = put_char(c, b, err);
                c->col++;
            }
        } else if (b == ',') {
            rc = end_field(c, true, err);
            after_quote = false;
            c->col++;
        } else if (b == '\r' || b == '\n') {
            if (b == '\r' && peekb(c) == '\n')
                getb(c);
            c->line++;
            c->col = 1;
            rc = end_field(c, false, err);
            if (rc)
                c->nfields = 0;
            return rc;
        } else if (after_quote) {
            rc = pko_err_set(err, PKO_EINVAL,
                             "line %ld, column %ld: unexpected character after a closing quote",
                             c->line, c->col);
        } else if (b == '"') {
            if (c->rec_len != c->starts[c->nfields]) {
                rc = pko_err_set(err, PKO_EINVAL,
                                 "line %ld, column %ld: a quote inside an unquoted field",
                                 c->line, c->col);
            } else {
                quoted = true;
                c->col++;
            }
        } else {
            rc = put_char(c, b, err);
            c->col++;
        }
        if (rc) {
            if (rc == PKO_EINVAL)
                resync(c); /* continue at the next physical line */
            c->nfields = 0;
            return rc;
        }
    }
}

size_t pko_csv_nfields(const pko_csv *c)
{
    return c->nfields;
}

const char *pko_csv_field(const pko_csv *c, size_t i)
{
    if (i >= c->nfields)
        return "";
    return c->rec + c->starts[i];
}

long pko_csv_line(const pko_csv *c)
{
    return c->rec_line;
}

size_t pko_csv_offset(const pko_csv *c)
{
    return c->consumed;
}
