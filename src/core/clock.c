/* SPDX-License-Identifier: MIT
 * Time and hybrid logical clock: see clock.h. */
#define _GNU_SOURCE
#include "core/clock.h"

#include <stdio.h>
#include <time.h>

int64_t pko_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *pko_today(char out[11])
{
    time_t now = (time_t)(pko_now_ms() / 1000);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
    return out;
}

int64_t pko_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t pko_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

char *pko_time_rfc3339(int64_t ms, char *out, size_t n)
{
    int64_t whole = ms / 1000, frac = ms % 1000;
    if (frac < 0) { /* before 1970: floor, not truncate */
        frac += 1000;
        whole -= 1;
    }
    time_t secs = (time_t)whole;
    struct tm tm;
    char date[24];
    if (!gmtime_r(&secs, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999 ||
        strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) != 19)
        snprintf(date, sizeof(date), "0000-00-00T00:00:00");
    snprintf(out, n, "%.19s.%03dZ", date, (int)frac);
    return out;
}

void pko_hlc_init(pko_hlc *c, uint64_t floor)
{
    pthread_mutex_init(&c->mu, NULL);
    c->last = floor;
    c->now = pko_now_ms;
}

void pko_hlc_destroy(pko_hlc *c)
{
    pthread_mutex_destroy(&c->mu);
}

/* Advance 'c->last' past both itself and 'other', using the wall clock as
 * the physical part when it is ahead. Caller holds the mutex. */
static uint64_t hlc_advance(pko_hlc *c, uint64_t other)
{
    uint64_t wall = (uint64_t)c->now() << 16;
    uint64_t top = c->last > other ? c->last : other;
    if (wall > top)
        c->last = wall;
    else
        c->last = top + 1; /* counter carries into ms if it ever overflows */
    return c->last;
}

uint64_t pko_hlc_now(pko_hlc *c)
{
    pthread_mutex_lock(&c->mu);
    uint64_t t = hlc_advance(c, 0);
    pthread_mutex_unlock(&c->mu);
    return t;
}

uint64_t pko_hlc_observe(pko_hlc *c, uint64_t remote)
{
    pthread_mutex_lock(&c->mu);
    uint64_t t = hlc_advance(c, remote);
    pthread_mutex_unlock(&c->mu);
    return t;
}

char *pko_hlc_format(uint64_t t, char *out, size_t n)
{
    char ts[32];
    pko_time_rfc3339(PKO_HLC_MS(t), ts, sizeof(ts));
    snprintf(out, n, "%s/%04x", ts, PKO_HLC_COUNTER(t));
    return out;
}
