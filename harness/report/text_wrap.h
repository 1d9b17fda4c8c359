/* SPDX-License-Identifier: GPL-2.0 */
/* Word-wrapped text for 80-column mail, as compare and report print it. */
#ifndef HMMBENCH_TEXT_WRAP_H
#define HMMBENCH_TEXT_WRAP_H

#include <stddef.h>
#include <stdio.h>

/*
 * Print @text word-wrapped to @width columns; the first line starts after
 * @first (already printed by the caller, @first_len columns wide), the
 * others are indented by @indent spaces. Words longer than a line are cut.
 */
void text_wrap(FILE *out, size_t first_len, size_t indent, size_t width,
	       const char *text);

#endif /* HMMBENCH_TEXT_WRAP_H */
