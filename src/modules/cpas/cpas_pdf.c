/* SPDX-License-Identifier: MIT
 *
 * The one-page mission factsheet as PDF, drawn with cairo (its PDF
 * surface) from the dashboard's figures: the mission and plan, counts by
 * status, and a chart per outcome (the outcome's roll-up bar and one bar
 * per contributing indicator, progress 0..100% with the at-risk and
 * on-track thresholds marked). Everything is fitted on one A4 page:
 * rows shrink when there are many, and outcomes that still do not fit are
 * counted at the foot of the page.
 */
#include <cairo-pdf.h>
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/cpas/cpas.h"

#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 40.0

static void rgb(cairo_t *cr, const char *st)
{
    if (!strcmp(st, "on_track"))
        cairo_set_source_rgb(cr, 0.18, 0.49, 0.20);
    else if (!strcmp(st, "at_risk"))
        cairo_set_source_rgb(cr, 0.98, 0.66, 0.15);
    else if (!strcmp(st, "off_track"))
        cairo_set_source_rgb(cr, 0.78, 0.16, 0.16);
    else
        cairo_set_source_rgb(cr, 0.62, 0.62, 0.62);
}

static const char *label(const char *st)
{
    return !strcmp(st, "on_track")    ? "On track"
           : !strcmp(st, "at_risk")   ? "At risk"
           : !strcmp(st, "off_track") ? "Off track"
           : !strcmp(st, "no_target") ? "No target"
                                      : "No data";
}

static void font(cairo_t *cr, double size, bool bold)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

/* Show 's' at (x, y) cut (on a UTF-8 boundary, with an ellipsis) to 'w'. */
static void text_fit(cairo_t *cr, double x, double y, const char *s, double w)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", s ? s : "");
    cairo_text_extents_t ext;
    cairo_text_extents(cr, buf, &ext);
    size_t n = strlen(buf);
    while (ext.x_advance > w && n > 0) {
        do
            n--;
        while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80);
        memcpy(buf + n, "\xe2\x80\xa6", 4); /* ellipsis + NUL */
        cairo_text_extents(cr, buf, &ext);
    }
    cairo_move_to(cr, x, y);
    cairo_show_text(cr, buf);
}

static json_t *find_indicator(json_t *dash, json_t *id)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(dash, "indicators"), i, e)
    {
        if (json_equal(json_object_get(e, "id"), id))
            return e;
    }
    return NULL;
}

/* One bar: background, the progress (clipped to 0..1) in the status
 * colour, the thresholds 60% and 90%, and the percentage after it. */
static void bar(cairo_t *cr, double x, double y, double w, double h, json_t *progress,
                const char *st)
{
    cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
    double p = json_is_number(progress) ? json_number_value(progress) : 0;
    double pc = p < 0 ? 0 : p > 1 ? 1 : p;
    if (json_is_number(progress)) {
        rgb(cr, st);
        cairo_rectangle(cr, x, y, w * pc, h);
        cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    cairo_set_line_width(cr, 0.6);
    const double marks[] = {0.6, 0.9};
    for (int i = 0; i < 2; i++) {
        cairo_move_to(cr, x + w * marks[i], y - 1);
        cairo_line_to(cr, x + w * marks[i], y + h + 1);
    }
    cairo_stroke(cr);
    char t[64];
    if (json_is_number(progress))
        snprintf(t, sizeof(t), "%.0f%%  %s", p * 100, label(st));
    else
        snprintf(t, sizeof(t), "%s", label(st));
    font(cr, h * 0.8 < 5 ? 5 : h * 0.8 > 8 ? 8 : h * 0.8, false);
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_move_to(cr, x + w + 4, y + h * 0.85);
    cairo_show_text(cr, t);
}

void cpas_factsheet_draw(cairo_t *cr, const char *acronym, json_t *plan, json_t *dash)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double x0 = MARGIN, w = PAGE_W - 2 * MARGIN, y = MARGIN + 14;
    /* Heading. */
    cairo_set_source_rgb(cr, 0.0, 0.27, 0.55);
    cairo_rectangle(cr, 0, 0, PAGE_W, 6);
    cairo_fill(cr);
    char title[600];
    snprintf(title, sizeof(title), "%s: %s", acronym ? acronym : "",
             json_string_value(json_object_get(plan, "title")));
    font(cr, 16, true);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
    text_fit(cr, x0, y, title, w);
    y += 16;
    char sub[300];
    snprintf(sub, sizeof(sub),
             "Mission factsheet. Plan version %lld (%s), %s to %s. Data as of %s; approved data "
             "only.",
             (long long)json_integer_value(json_object_get(plan, "version_no")),
             json_string_value(json_object_get(plan, "status")),
             json_string_value(json_object_get(plan, "period_start")),
             json_string_value(json_object_get(plan, "period_end")),
             json_string_value(json_object_get(dash, "as_of")));
    font(cr, 8.5, false);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    text_fit(cr, x0, y, sub, w);
    y += 20;
    /* Counts by status. */
    static const char *const sts[] = {"on_track", "at_risk", "off_track", "no_data", "no_target"};
    json_t *sum = json_object_get(dash, "summary");
    double cw = w / 5;
    for (int i = 0; i < 5; i++) {
        rgb(cr, sts[i]);
        cairo_rectangle(cr, x0 + i * cw, y - 11, cw - 6, 26);
        cairo_fill(cr);
        char t[64];
        snprintf(t, sizeof(t), "%lld", (long long)json_integer_value(json_object_get(sum, sts[i])));
        cairo_set_source_rgb(cr, 1, 1, 1);
        font(cr, 13, true);
        cairo_move_to(cr, x0 + i * cw + 6, y + 7);
        cairo_show_text(cr, t);
        font(cr, 8, false);
        cairo_move_to(cr, x0 + i * cw + 34, y + 6);
        cairo_show_text(cr, label(sts[i]));
    }
    y += 34;
    font(cr, 11, true);
    cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
    cairo_move_to(cr, x0, y);
    cairo_show_text(cr, "Outcomes: progress of the indicators towards their targets");
    y += 6;
    font(cr, 7, false);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    text_fit(cr, x0, y + 8,
             "Progress = (latest - baseline) / (target - baseline), shown 0-100%; marks at 60% "
             "(at risk) and 90% (on track).", w);
    text_fit(cr, x0, y + 17,
             "The outcome bar is the weighted mean of its indicators' progress, each counted "
             "between 0% and 100%.", w);
    y += 29;
    /* Fit: each outcome takes a title line, its roll-up bar and a row per
     * indicator. */
    json_t *outs = json_object_get(dash, "outcomes");
    double bottom = PAGE_H - MARGIN - 14;
    double need = 0;
    size_t i;
    json_t *o;
    json_array_foreach(outs, i, o)
    need += 14 + 13 + 11.0 * (double)json_array_size(json_object_get(o, "indicators")) + 10;
    double scale = need > bottom - y ? (bottom - y) / need : 1;
    if (scale < 0.45)
        scale = 0.45;
    double name_w = w * 0.38, bar_x = x0 + name_w + 6, bar_w = w - name_w - 6 - 70;
    size_t shown = 0;
    json_array_foreach(outs, i, o)
    {
        json_t *inds = json_object_get(o, "indicators");
        double rowh = 11 * scale, h = (14 + 13 + 10) * scale + rowh * (double)json_array_size(inds);
        if (y + h > bottom)
            break;
        font(cr, 9.5 * (scale < 0.8 ? 0.85 : 1), true);
        cairo_set_source_rgb(cr, 0.05, 0.05, 0.05);
        text_fit(cr, x0, y + 10 * scale, json_string_value(json_object_get(o, "title")), w);
        y += 14 * scale;
        const char *ost = json_string_value(json_object_get(o, "status"));
        font(cr, 8 * (scale < 0.8 ? 0.85 : 1), true);
        text_fit(cr, x0 + 8, y + 8.5 * scale, "Outcome", name_w - 8);
        bar(cr, bar_x, y + 1, bar_w, 10 * scale, json_object_get(o, "progress"), ost);
        y += 13 * scale;
        size_t j;
        json_t *c;
        json_array_foreach(inds, j, c)
        {
            json_t *e = find_indicator(dash, json_object_get(c, "id"));
            const char *st = e ? json_string_value(json_object_get(e, "status")) : "no_data";
            font(cr, rowh * 0.72 < 5 ? 5 : rowh * 0.72, false);
            cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
            text_fit(cr, x0 + 8, y + rowh * 0.78,
                     e ? json_string_value(json_object_get(e, "name")) : "?", name_w - 8);
            bar(cr, bar_x, y + rowh * 0.15, bar_w, rowh * 0.7, json_object_get(c, "progress"),
                st);
            y += rowh;
        }
        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
        cairo_set_line_width(cr, 0.5);
        cairo_move_to(cr, x0, y + 4 * scale);
        cairo_line_to(cr, x0 + w, y + 4 * scale);
        cairo_stroke(cr);
        y += 10 * scale;
        shown++;
    }
    font(cr, 7, false);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    char foot[200];
    size_t n_out = json_array_size(outs);
    if (!n_out)
        snprintf(foot, sizeof(foot), "The plan has no intended outcomes yet.");
    else if (shown < n_out)
        snprintf(foot, sizeof(foot),
                 "%zu more outcome(s) do not fit on this page: see the HTML factsheet or the "
                 "dashboard.", n_out - shown);
    else
        snprintf(foot, sizeof(foot), "Produced by PKO from the CPAS dashboard of plan %s.",
                 json_string_value(json_object_get(plan, "id")));
    text_fit(cr, x0, PAGE_H - MARGIN + 4, foot, w);
}

typedef struct membuf {
    unsigned char *p;
    size_t n, cap;
    bool failed;
} membuf;

static cairo_status_t mem_write(void *closure, const unsigned char *data, unsigned int len)
{
    membuf *b = closure;
    if (b->n + len > b->cap) {
        size_t cap = (b->n + len) * 2;
        unsigned char *g = realloc(b->p, cap);
        if (!g) {
            b->failed = true;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        b->p = g;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    return CAIRO_STATUS_SUCCESS;
}

pko_rc cpas_factsheet_pdf(const char *acronym, json_t *plan, json_t *dash, char **out,
                          size_t *len, pko_err *err)
{
    membuf b = {NULL, 0, 0, false};
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(mem_write, &b, PAGE_W, PAGE_H);
    char t[300];
    snprintf(t, sizeof(t), "%s factsheet", acronym ? acronym : "");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, t);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "PKO (CPAS module)");
    cairo_t *cr = cairo_create(s);
    cpas_factsheet_draw(cr, acronym, plan, dash);
    cairo_show_page(cr);
    cairo_status_t st = cairo_status(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS || b.failed) {
        free(b.p);
        return pko_err_set(err, PKO_EINTERNAL, "the PDF could not be produced: %s",
                           cairo_status_to_string(st));
    }
    *out = (char *)b.p;
    *len = b.n;
    return PKO_OK;
}
