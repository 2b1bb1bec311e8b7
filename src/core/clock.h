/* SPDX-License-Identifier: MIT
 *
 * Wall time, monotonic time, and the hybrid logical clock (HLC) that stamps
 * every change record.
 *
 * An HLC timestamp is a 64-bit integer: the upper 48 bits are milliseconds
 * since the Unix epoch, the lower 16 a counter that orders events within one
 * millisecond (Kulkarni et al., "Logical Physical Clocks", 2014). It never
 * goes backwards on one node, even if the wall clock does, and after
 * pko_hlc_observe() it is above every timestamp received from another node,
 * so the change logs of a site and headquarters merge in causal order.
 */
#ifndef PKO_CORE_CLOCK_H
#define PKO_CORE_CLOCK_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t pko_now_ms(void);
/* Today's date in UTC as YYYY-MM-DD into 'out' (11 bytes). Returns 'out'. */
char *pko_today(char out[11]);
/* Milliseconds from an arbitrary origin that never goes backwards. */
int64_t pko_mono_ms(void);
/* Microseconds on the same clock, for measuring durations. */
int64_t pko_mono_us(void);
/* Format 'ms' as RFC 3339 UTC with milliseconds ("2026-11-23T03:40:00.123Z")
 * into 'out' (at least 25 bytes). Returns 'out'. */
char *pko_time_rfc3339(int64_t ms, char *out, size_t n);

typedef struct pko_hlc {
    pthread_mutex_t mu;
    uint64_t last; /* last timestamp issued or observed */
    int64_t (*now)(void); /* wall clock; replaceable in tests */
} pko_hlc;

#define PKO_HLC_MS(t) ((int64_t)((t) >> 16))
#define PKO_HLC_COUNTER(t) ((unsigned)((t)&0xffffu))

/* Start a clock that issues timestamps above 'floor' (the highest timestamp
 * already in the change log; 0 for a new database). */
void pko_hlc_init(pko_hlc *c, uint64_t floor);
void pko_hlc_destroy(pko_hlc *c);
/* Issue a timestamp for a local event. Thread-safe. */
uint64_t pko_hlc_now(pko_hlc *c);
/* Merge a timestamp received from another node; later local timestamps are
 * above it. Returns the new clock value. Thread-safe. */
uint64_t pko_hlc_observe(pko_hlc *c, uint64_t remote);
/* Write 't' as "2026-11-23T03:40:00.123Z/0007" into 'out' (>= 32 bytes). */
char *pko_hlc_format(uint64_t t, char *out, size_t n);

#endif
