/* SPDX-License-Identifier: MIT
 *
 * A streaming CSV reader (RFC 4180) for imports of any size: it holds one
 * record at a time. Quoted fields may span lines and contain doubled
 * quotes; CRLF and LF both end records; a UTF-8 byte-order mark is skipped.
 * Input in Windows-1252 is transcoded to UTF-8 on the fly; UTF-8 input is
 * validated; a NUL byte is an error. Every error names the line and column
 * (1-based) where it was found, and after a malformed record the reader
 * resynchronises at the next line so an import can report the row and go
 * on. A record over the limits stops the reader for good.
 */
#ifndef PKO_CORE_CSV_H
#define PKO_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

typedef enum pko_csv_encoding { PKO_CSV_UTF8, PKO_CSV_CP1252 } pko_csv_encoding;

#define PKO_CSV_MAX_FIELDS 512
#define PKO_CSV_MAX_RECORD (1024 * 1024) /* bytes in one record */

typedef struct pko_csv pko_csv;

/* Read from 'f' (borrowed; not closed). */
pko_csv *pko_csv_open(FILE *f, pko_csv_encoding enc);
/* Read from memory ('data' borrowed until pko_csv_close). */
pko_csv *pko_csv_open_mem(const char *data, size_t len, pko_csv_encoding enc);
void pko_csv_close(pko_csv *c);

/* Read the next record. Returns PKO_OK with '*eof' set at the end of input;
 * PKO_EINVAL for a malformed record (err->msg names line and column; the
 * record is skipped and the next call continues after it); PKO_ETOOBIG when
 * a record exceeds the limits (more than PKO_CSV_MAX_FIELDS fields or
 * PKO_CSV_MAX_RECORD bytes): the reader cannot tell where that record ends,
 * so this and every later call return PKO_ETOOBIG and callers stop. Fields
 * stay valid until the next call. */
PKO_MUST_USE pko_rc pko_csv_next(pko_csv *c, bool *eof, pko_err *err);

/* Number of fields in the current record. */
size_t pko_csv_nfields(const pko_csv *c);
/* Field 'i' (NUL-terminated UTF-8), or "" past the end. */
const char *pko_csv_field(const pko_csv *c, size_t i);
/* Line on which the current record started (1-based). */
long pko_csv_line(const pko_csv *c);
/* Bytes of input consumed so far (for progress). */
size_t pko_csv_offset(const pko_csv *c);

#endif
