/* SPDX-License-Identifier: GPL-2.0 */
/* What several host unit tests need (linked into every one). */
#ifndef HMMBENCH_TEST_UNIT_UTIL_H
#define HMMBENCH_TEST_UNIT_UTIL_H

/* Write @text into @dir/@name, failing the test if it cannot. */
void write_text(const char *dir, const char *name, const char *text);

#endif
