// SPDX-License-Identifier: GPL-2.0
/* Word wrapping (see text_wrap.h). */
#include "text_wrap.h"

#include <string.h>

void text_wrap(FILE *out, size_t first_len, size_t indent, size_t width,
	       const char *text)
{
	size_t col = first_len, len, room;
	int words = 0;		/* words already on the current line */
	const char *p = text;

	for (;;) {
		while (*p == ' ' || *p == '\n' || *p == '\t')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " \n\t");
		if (words && col + 1 + len > width) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
			words = 0;
		}
		if (words) {
			fputc(' ', out);
			col++;
		}
		room = width > col ? width - col : 0;
		if (len > room && !words && room > 0) {
			/* a word longer than the line: cut it */
			fprintf(out, "%.*s\n%*s", (int)room, p, (int)indent, "");
			p += room;
			col = indent;
			continue;
		}
		fprintf(out, "%.*s", (int)len, p);
		col += len;
		p += len;
		words++;
	}
	fputc('\n', out);
}
