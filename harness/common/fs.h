/* SPDX-License-Identifier: GPL-2.0 */
/* Files and folders, as both programs need them. */
#ifndef HMMBENCH_FS_H
#define HMMBENCH_FS_H

#include <stddef.h>

/* mkdir -p @path (mode 0755). 0, or -errno with errno set too. */
int hb_mkdir_p(const char *path);

/*
 * Find one of the suite's data folders (@name: "bench" or "plots"), which
 * must hold @probe (a file inside it). Looked for, in order: the folder
 * named by the environment variable @env, if set (used as it is, even
 * without @probe: the user said so); beside the tree the running binary
 * was built in (build/X or build/san/X, so ../NAME or ../../NAME); then
 * NAME under the working directory. Writes the folder into @buf.
 */
void hb_data_dir(const char *env, const char *name, const char *probe,
		 char *buf, size_t len);

#endif /* HMMBENCH_FS_H */
