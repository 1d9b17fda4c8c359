/* SPDX-License-Identifier: GPL-2.0 */
/* Formatting into fixed buffers, as both programs do it. */
#ifndef HMMBENCH_TEXT_H
#define HMMBENCH_TEXT_H

#include <stddef.h>

/* An error message into @err (which may be NULL or of length 0). */
void hb_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* snprintf that reports truncation: 0, or -1 when @buf was too short. */
int hb_fmt(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* HMMBENCH_TEXT_H */
