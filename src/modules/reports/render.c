/* SPDX-License-Identifier: MIT
 *
 * Rendering of the report figures: CSV (long format) and charts drawn with
 * cairo on its SVG, PNG and PDF surfaces. Each figure is one panel: title,
 * chart (bars for counts on the left axis, lines for counts or percentages
 * on the right axis), legend, then its definition, note and source. SVG and
 * PNG stack the panels in one image; PDF gives each its own page.
 */
#define _GNU_SOURCE
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "modules/reports/reports.h"

/* ==== CSV ================================================================== */

static pko_rc csv_cell(pko_buf *b, const char *s)
{
    bool quote = strpbrk(s, ",\"\n\r") != NULL;
    pko_rc rc = quote ? pko_buf_puts(b, "\"") : PKO_OK;
    for (const char *p = s; !rc && *p; p++)
        rc = *p == '"' ? pko_buf_puts(b, "\"\"") : pko_buf_append(b, p, 1);
    if (!rc && quote)
        rc = pko_buf_puts(b, "\"");
    return rc;
}

/* figure,year,series,value -- then the definitions as rows of series
 * "definition", "source" and "note" with year empty. */
static pko_rc render_csv(json_t *figs, pko_buf *b)
{
    pko_rc rc = pko_buf_puts(b, "figure,year,series,value\r\n");
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(figs, "figures"), i, f)
    {
        const char *id = json_string_value(json_object_get(f, "id"));
        size_t j;
        json_t *r;
        json_array_foreach(json_object_get(f, "rows"), j, r)
        {
            size_t k;
            json_t *s;
            json_array_foreach(json_object_get(f, "series"), k, s)
            {
                const char *key = json_string_value(json_object_get(s, "key"));
                json_t *v = json_object_get(r, key);
                if (rc)
                    return rc;
                if (json_is_integer(v))
                    rc = pko_buf_printf(b, "%s,%lld,%s,%lld\r\n", id,
                                        (long long)json_integer_value(json_object_get(r, "year")),
                                        key, (long long)json_integer_value(v));
                else if (json_is_real(v))
                    rc = pko_buf_printf(b, "%s,%lld,%s,%.6f\r\n", id,
                                        (long long)json_integer_value(json_object_get(r, "year")),
                                        key, json_real_value(v));
            }
        }
        static const char *const meta[] = {"definition", "source", "note"};
        for (size_t m = 0; m < 3 && !rc; m++) {
            const char *v = json_string_value(json_object_get(f, meta[m]));
            if (!v)
                continue;
            rc = pko_buf_printf(b, "%s,,%s,", id, meta[m]);
            if (!rc)
                rc = csv_cell(b, v);
            if (!rc)
                rc = pko_buf_puts(b, "\r\n");
        }
    }
    return rc;
}

/* ==== Charts ================================================================ */

#define PANEL_W 960.0
#define PANEL_H 560.0

static const double palette[][3] = {{0.0, 0.62, 0.86},  {0.85, 0.33, 0.10}, {0.47, 0.67, 0.19},
                                    {0.49, 0.18, 0.56}, {0.93, 0.69, 0.13}, {0.30, 0.30, 0.30}};

static void set_color(cairo_t *cr, size_t i)
{
    const double *c = palette[i % 6];
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
}

/* Draw 'text' wrapped to 'width' from (x, y); returns the y after it. */
static double wrap(cairo_t *cr, const char *text, double x, double y, double width, double line)
{
    char buf[1600];
    snprintf(buf, sizeof(buf), "%s", text);
    char cur[1600] = "";
    char *save = NULL;
    for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        char tryb[1700];
        snprintf(tryb, sizeof(tryb), "%s%s%s", cur, cur[0] ? " " : "", w);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, tryb, &ext);
        if (ext.x_advance > width && cur[0]) {
            cairo_move_to(cr, x, y);
            cairo_show_text(cr, cur);
            y += line;
            snprintf(cur, sizeof(cur), "%s", w);
        } else {
            memcpy(cur, tryb, sizeof(cur) - 1);
            cur[sizeof(cur) - 1] = 0;
        }
    }
    if (cur[0]) {
        cairo_move_to(cr, x, y);
        cairo_show_text(cr, cur);
        y += line;
    }
    return y;
}

/* A "nice" axis maximum at or above 'v'. */
static double nice_max(double v)
{
    if (v <= 0)
        return 1;
    double p = pow(10, floor(log10(v)));
    double steps[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < 5; i++)
        if (steps[i] * p >= v)
            return steps[i] * p;
    return 10 * p;
}

static void draw_panel(cairo_t *cr, json_t *f, double top)
{
    cairo_save(cr);
    cairo_translate(cr, 0, top);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, 0, 0, PANEL_W, PANEL_H);
    cairo_fill(cr);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, 16);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    char title[600];
    snprintf(title, sizeof(title), "Figure %s. %s", json_string_value(json_object_get(f, "id")),
             json_string_value(json_object_get(f, "title")));
    double y = wrap(cr, title, 30, 32, PANEL_W - 60, 20);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);

    json_t *rows = json_object_get(f, "rows"), *ser = json_object_get(f, "series");
    size_t nr = json_array_size(rows), ns = json_array_size(ser);
    double cx = 80, cy = y + 10, cw = PANEL_W - 170, ch = 250;
    /* Axis ranges: counts on the left, percentages on the right. */
    double cmax = 0;
    bool has_pct = false, has_count = false;
    for (size_t k = 0; k < ns; k++) {
        json_t *s = json_array_get(ser, k);
        bool pct = strcmp(json_string_value(json_object_get(s, "axis")), "percent") == 0;
        has_pct = has_pct || pct;
        has_count = has_count || !pct;
        for (size_t i = 0; i < nr && !pct; i++) {
            json_t *v = json_object_get(json_array_get(rows, i),
                                        json_string_value(json_object_get(s, "key")));
            if (json_is_number(v) && json_number_value(v) > cmax)
                cmax = json_number_value(v);
        }
    }
    for (size_t i = 0; i < nr; i++) {
        double stack = 0;
        for (size_t k = 0; k < ns; k++) {
            json_t *s = json_array_get(ser, k);
            json_t *v = json_object_get(json_array_get(rows, i),
                                        json_string_value(json_object_get(s, "key")));
            if (strcmp(json_string_value(json_object_get(s, "kind")), "stack") == 0 &&
                json_is_number(v))
                stack += json_number_value(v);
        }
        if (stack > cmax)
            cmax = stack;
    }
    cmax = nice_max(cmax);
    cairo_set_line_width(cr, 1);
    cairo_set_font_size(cr, 11);
    for (int g = 0; g <= 5; g++) {
        double gy = cy + ch - ch * g / 5.0;
        cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
        cairo_move_to(cr, cx, gy);
        cairo_line_to(cr, cx + cw, gy);
        cairo_stroke(cr);
        cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
        char lab[32];
        if (has_count)
            snprintf(lab, sizeof(lab), "%g", cmax * g / 5.0);
        else
            snprintf(lab, sizeof(lab), "%d%%", g * 20);
        cairo_text_extents_t ext;
        cairo_text_extents(cr, lab, &ext);
        cairo_move_to(cr, cx - 8 - ext.x_advance, gy + 4);
        cairo_show_text(cr, lab);
        if (has_pct && has_count) {
            snprintf(lab, sizeof(lab), "%d%%", g * 20);
            cairo_move_to(cr, cx + cw + 8, gy + 4);
            cairo_show_text(cr, lab);
        }
    }
    bool empty = json_is_true(json_object_get(f, "empty")) || nr == 0;
    if (empty) {
        cairo_set_font_size(cr, 18);
        cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
        const char *msg = "No data for this period";
        cairo_text_extents_t ext;
        cairo_text_extents(cr, msg, &ext);
        cairo_move_to(cr, cx + (cw - ext.x_advance) / 2, cy + ch / 2);
        cairo_show_text(cr, msg);
        cairo_set_font_size(cr, 11);
    }
    double slot = nr ? cw / (double)nr : cw;
    /* Bars: stacked when several series share the 'stack' kind. */
    size_t nbar = 0;
    for (size_t k = 0; k < ns; k++)
        nbar +=
            strcmp(json_string_value(json_object_get(json_array_get(ser, k), "kind")), "bar") == 0;
    for (size_t i = 0; i < nr && !empty; i++) {
        json_t *r = json_array_get(rows, i);
        double base = 0;
        size_t bi = 0;
        for (size_t k = 0; k < ns; k++) {
            json_t *s = json_array_get(ser, k);
            const char *kind = json_string_value(json_object_get(s, "kind"));
            json_t *v = json_object_get(r, json_string_value(json_object_get(s, "key")));
            if (!json_is_number(v))
                continue;
            double val = json_number_value(v);
            if (strcmp(kind, "stack") == 0) {
                double h = ch * val / cmax, by = cy + ch - ch * base / cmax - h;
                set_color(cr, k);
                cairo_rectangle(cr, cx + slot * i + slot * 0.15, by, slot * 0.7, h);
                cairo_fill(cr);
                base += val;
            } else if (strcmp(kind, "bar") == 0) {
                double bw = slot * 0.7 / (double)(nbar ? nbar : 1);
                double h = ch * val / cmax;
                set_color(cr, k);
                cairo_rectangle(cr, cx + slot * i + slot * 0.15 + bw * (double)bi, cy + ch - h, bw,
                                h);
                cairo_fill(cr);
                bi++;
            }
        }
    }
    /* Lines, with a dot per known value (a missing value breaks the line). */
    for (size_t k = 0; k < ns && !empty; k++) {
        json_t *s = json_array_get(ser, k);
        if (strcmp(json_string_value(json_object_get(s, "kind")), "line") != 0)
            continue;
        bool pct = strcmp(json_string_value(json_object_get(s, "axis")), "percent") == 0;
        const char *key = json_string_value(json_object_get(s, "key"));
        set_color(cr, k);
        cairo_set_line_width(cr, 2);
        bool pen = false;
        for (size_t i = 0; i < nr; i++) {
            json_t *v = json_object_get(json_array_get(rows, i), key);
            if (!json_is_number(v)) {
                if (pen)
                    cairo_stroke(cr);
                pen = false;
                continue;
            }
            double val = json_number_value(v);
            double px = cx + slot * (i + 0.5), py = cy + ch - ch * (pct ? val : val / cmax);
            if (pen)
                cairo_line_to(cr, px, py);
            else
                cairo_move_to(cr, px, py);
            pen = true;
        }
        if (pen)
            cairo_stroke(cr);
        for (size_t i = 0; i < nr; i++) {
            json_t *v = json_object_get(json_array_get(rows, i), key);
            if (!json_is_number(v))
                continue;
            double val = json_number_value(v);
            cairo_arc(cr, cx + slot * (i + 0.5), cy + ch - ch * (pct ? val : val / cmax), 3, 0,
                      2 * M_PI);
            cairo_fill(cr);
        }
    }
    /* Years on the x axis (every n-th when crowded). */
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_set_line_width(cr, 1);
    cairo_move_to(cr, cx, cy + ch);
    cairo_line_to(cr, cx + cw, cy + ch);
    cairo_stroke(cr);
    size_t every = nr > 24 ? (nr + 23) / 24 : 1;
    for (size_t i = 0; i < nr; i += every) {
        char lab[16];
        snprintf(lab, sizeof(lab), "%lld",
                 (long long)json_integer_value(json_object_get(json_array_get(rows, i), "year")));
        cairo_text_extents_t ext;
        cairo_text_extents(cr, lab, &ext);
        cairo_move_to(cr, cx + slot * (i + 0.5) - ext.x_advance / 2, cy + ch + 16);
        cairo_show_text(cr, lab);
    }
    /* Legend. */
    double ly = cy + ch + 38, lx = cx;
    for (size_t k = 0; k < ns; k++) {
        json_t *s = json_array_get(ser, k);
        if (strcmp(json_string_value(json_object_get(s, "kind")), "data") == 0)
            continue; /* in the CSV and tables, not drawn */
        const char *label = json_string_value(json_object_get(s, "label"));
        cairo_text_extents_t ext;
        cairo_text_extents(cr, label, &ext);
        if (lx + 22 + ext.x_advance > PANEL_W - 30) {
            lx = cx;
            ly += 18;
        }
        set_color(cr, k);
        cairo_rectangle(cr, lx, ly - 9, 12, 10);
        cairo_fill(cr);
        cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
        cairo_move_to(cr, lx + 16, ly);
        cairo_show_text(cr, label);
        lx += 16 + ext.x_advance + 24;
    }
    /* Definition, note, source. */
    y = ly + 24;
    cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
    static const char *const meta[] = {"definition", "note", "source"};
    static const char *const lead[] = {"Definition: ", "Note: ", "Source: "};
    for (size_t m = 0; m < 3; m++) {
        const char *v = json_string_value(json_object_get(f, meta[m]));
        if (!v)
            continue;
        char line[1600];
        snprintf(line, sizeof(line), "%s%s", lead[m], v);
        y = wrap(cr, line, 30, y, PANEL_W - 60, 15);
    }
    cairo_restore(cr);
}

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
    return pko_buf_append(closure, data, len) ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

pko_rc reports_render(json_t *figs, const char *format, pko_buf *out, const char **ctype,
                      pko_err *err)
{
    if (strcmp(format, "csv") == 0) {
        *ctype = "text/csv; charset=utf-8";
        pko_rc rc = render_csv(figs, out);
        return rc ? pko_err_set(err, rc, "the CSV is too large") : PKO_OK;
    }
    json_t *list = json_object_get(figs, "figures");
    size_t n = json_array_size(list);
    if (n == 0)
        return pko_err_set(err, PKO_EINVAL, "no figure to render");
    cairo_surface_t *sf;
    bool pdf = strcmp(format, "pdf") == 0, png = strcmp(format, "png") == 0;
    if (pdf) {
        *ctype = "application/pdf";
        sf = cairo_pdf_surface_create_for_stream(to_buf, out, PANEL_W, PANEL_H);
    } else if (png) {
        *ctype = "image/png";
        sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)PANEL_W, (int)(PANEL_H * n));
    } else if (strcmp(format, "svg") == 0) {
        *ctype = "image/svg+xml";
        sf = cairo_svg_surface_create_for_stream(to_buf, out, PANEL_W, PANEL_H * (double)n);
    } else {
        return pko_err_field(err, PKO_EINVAL, "format", "format must be csv, svg, png or pdf");
    }
    if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(sf);
        return pko_err_set(err, PKO_ENOMEM, "cannot create the %s surface", format);
    }
    cairo_t *cr = cairo_create(sf);
    for (size_t i = 0; i < n; i++) {
        draw_panel(cr, json_array_get(list, i), pdf ? 0 : PANEL_H * (double)i);
        if (pdf)
            cairo_show_page(cr);
    }
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    if (png && st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(sf, to_buf, out);
    cairo_surface_finish(sf);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(sf);
    cairo_surface_destroy(sf);
    if (st != CAIRO_STATUS_SUCCESS)
        return pko_err_set(err, PKO_EINTERNAL, "rendering failed: %s", cairo_status_to_string(st));
    return PKO_OK;
}

void reports_shutdown(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
