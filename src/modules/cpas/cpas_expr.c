/* SPDX-License-Identifier: MIT
 *
 * CPAS formula expressions in the style of DHIS2 indicator expressions:
 * numbers, references to other indicators of the plan by code as I{code},
 * + - * / and parentheses, unary minus. Parsed once (shunting-yard) into
 * reverse Polish notation in a fixed-size struct; evaluated per period
 * without allocation. Pure: no store, no HTTP (fuzzed by
 * fuzz/fuzz_cpas_expr.c).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "modules/cpas/cpas.h"

bool cpas_code_ok(const char *s)
{
    size_t n = 0;
    if (!s || !*s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_'))
            return false;
    }
    return n <= CPAS_CODE_MAX;
}

static int prec(char op)
{
    return op == '~' ? 3 : (op == '*' || op == '/') ? 2 : 1;
}

static pko_rc emit(cpas_expr *e, char op, double num, int ref, pko_err *err)
{
    if (e->n >= CPAS_EXPR_MAX)
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "the expression is too long (at most %d numbers, references and "
                             "operators)", CPAS_EXPR_MAX);
    e->tok[e->n].op = op;
    e->tok[e->n].num = num;
    e->tok[e->n].ref = ref;
    e->n++;
    return PKO_OK;
}

pko_rc cpas_expr_parse(const char *s, cpas_expr *e, pko_err *err)
{
    memset(e, 0, sizeof(*e));
    if (!s)
        return pko_err_field(err, PKO_EINVAL, "computed", "the expression must be text");
    char ops[CPAS_EXPR_MAX];
    int nops = 0;
    bool want_operand = true; /* after an operator or '(' or at the start */
    int depth = 0;
    size_t i = 0, len = strlen(s);
    if (len > 2000)
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "the expression is longer than 2000 characters");
    pko_rc rc;
    while (i < len) {
        char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            i++;
            continue;
        }
        if (want_operand) {
            if (c == '(') {
                if (nops >= CPAS_EXPR_MAX)
                    return pko_err_field(err, PKO_EINVAL, "computed", "the expression nests too deep");
                ops[nops++] = '(';
                depth++;
                i++;
                continue;
            }
            if (c == '-') {
                if (nops >= CPAS_EXPR_MAX)
                    return pko_err_field(err, PKO_EINVAL, "computed", "the expression is too long");
                ops[nops++] = '~';
                i++;
                continue;
            }
            if ((c >= '0' && c <= '9') || c == '.') {
                size_t j = i;
                while (j < len && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
                    j++;
                if (j < len && (s[j] == 'e' || s[j] == 'E')) {
                    size_t k = j + 1;
                    if (k < len && (s[k] == '+' || s[k] == '-'))
                        k++;
                    if (k < len && s[k] >= '0' && s[k] <= '9') {
                        while (k < len && s[k] >= '0' && s[k] <= '9')
                            k++;
                        j = k;
                    }
                }
                char buf[64];
                if (j - i >= sizeof(buf))
                    return pko_err_field(err, PKO_EINVAL, "computed",
                                         "a number in the expression is too long (at %zu)", i);
                memcpy(buf, s + i, j - i);
                buf[j - i] = 0;
                char *end;
                double v = strtod(buf, &end);
                if (*end || !isfinite(v))
                    return pko_err_field(err, PKO_EINVAL, "computed",
                                         "the expression has a malformed number %s (at %zu)", buf,
                                         i);
                if ((rc = emit(e, 'n', v, -1, err)))
                    return rc;
                i = j;
                want_operand = false;
                continue;
            }
            if (c == 'I' && i + 1 < len && s[i + 1] == '{') {
                size_t j = i + 2;
                while (j < len && s[j] != '}')
                    j++;
                if (j >= len)
                    return pko_err_field(err, PKO_EINVAL, "computed",
                                         "the reference at %zu has no closing }", i);
                char code[CPAS_CODE_MAX + 1];
                size_t n = j - (i + 2);
                if (n == 0 || n > CPAS_CODE_MAX)
                    return pko_err_field(err, PKO_EINVAL, "computed",
                                         "the reference at %zu must be I{code} with a code of 1 to "
                                         "%d letters, digits or _", i, CPAS_CODE_MAX);
                memcpy(code, s + i + 2, n);
                code[n] = 0;
                if (!cpas_code_ok(code))
                    return pko_err_field(err, PKO_EINVAL, "computed",
                                         "the reference at %zu must be I{code} with a code of 1 to "
                                         "%d letters, digits or _", i, CPAS_CODE_MAX);
                int r = -1;
                for (int k = 0; k < e->n_refs; k++)
                    if (!strcmp(e->refs[k], code))
                        r = k;
                if (r < 0) {
                    if (e->n_refs >= CPAS_EXPR_REFS)
                        return pko_err_field(err, PKO_EINVAL, "computed",
                                             "the expression refers to more than %d indicators",
                                             CPAS_EXPR_REFS);
                    r = e->n_refs++;
                    memcpy(e->refs[r], code, n + 1);
                }
                if ((rc = emit(e, 'r', 0, r, err)))
                    return rc;
                i = j + 1;
                want_operand = false;
                continue;
            }
            /* A bare word: an unknown field or function; name it. */
            if (isalpha((unsigned char)c) || c == '#' || c == '_') {
                size_t j = i;
                while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '#' ||
                                   s[j] == '.'))
                    j++;
                return pko_err_field(err, PKO_EINVAL, "computed",
                                     "the expression refers to an unknown field %.*s (at %zu); "
                                     "refer to indicators as I{code}",
                                     (int)(j - i > 40 ? 40 : j - i), s + i, i);
            }
            return pko_err_field(err, PKO_EINVAL, "computed",
                                 "the expression expects a number, I{code} or ( at %zu", i);
        }
        /* An operator or ')' is expected. */
        if (c == ')') {
            if (depth == 0)
                return pko_err_field(err, PKO_EINVAL, "computed",
                                     "the expression has an unmatched ) at %zu", i);
            while (nops > 0 && ops[nops - 1] != '(')
                if ((rc = emit(e, ops[--nops], 0, -1, err)))
                    return rc;
            nops--; /* the '(' */
            depth--;
            i++;
            continue;
        }
        if (c == '+' || c == '-' || c == '*' || c == '/') {
            while (nops > 0 && ops[nops - 1] != '(' && prec(ops[nops - 1]) >= prec(c))
                if ((rc = emit(e, ops[--nops], 0, -1, err)))
                    return rc;
            if (nops >= CPAS_EXPR_MAX)
                return pko_err_field(err, PKO_EINVAL, "computed", "the expression is too long");
            ops[nops++] = c;
            want_operand = true;
            i++;
            continue;
        }
        return pko_err_field(err, PKO_EINVAL, "computed",
                             "the expression expects an operator (+ - * /) or ) at %zu", i);
    }
    if (want_operand)
        return pko_err_field(err, PKO_EINVAL, "computed",
                             e->n || nops ? "the expression ends without an operand"
                                          : "the expression is empty");
    if (depth)
        return pko_err_field(err, PKO_EINVAL, "computed", "the expression has an unclosed (");
    while (nops > 0)
        if ((rc = emit(e, ops[--nops], 0, -1, err)))
            return rc;
    return PKO_OK;
}

bool cpas_expr_eval(const cpas_expr *e, const double *vals, const bool *has, double *out)
{
    double st[CPAS_EXPR_MAX];
    int sp = 0;
    for (int i = 0; i < e->n; i++) {
        char op = e->tok[i].op;
        if (op == 'n') {
            st[sp++] = e->tok[i].num;
        } else if (op == 'r') {
            int r = e->tok[i].ref;
            if (!has[r])
                return false;
            st[sp++] = vals[r];
        } else if (op == '~') {
            if (sp < 1)
                return false;
            st[sp - 1] = -st[sp - 1];
        } else {
            if (sp < 2)
                return false;
            double b = st[--sp], a = st[sp - 1];
            double v = op == '+' ? a + b : op == '-' ? a - b : op == '*' ? a * b : b == 0 ? NAN : a / b;
            if (!isfinite(v))
                return false;
            st[sp - 1] = v;
        }
    }
    if (sp != 1)
        return false;
    *out = st[0];
    return true;
}
