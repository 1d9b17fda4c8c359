/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How a run ends early. SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked in
 * every thread and taken by a thread of their own with sigwait(), so the
 * hook runs as ordinary code, not in a signal handler; the process then
 * ends with _exit(128 + signal). Ending the process is a fatal signal for
 * the measuring thread, so an ioctl in progress stops with -EINTR at its
 * next chunk instead of running to its end first (a handled SIGINT would
 * not stop it). Crashes (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) get a
 * handler that calls @on_crash (async-signal-safe code only) and then dies
 * of the same signal.
 */
#ifndef HMMBENCH_INTERRUPT_H
#define HMMBENCH_INTERRUPT_H

typedef void (*hb_interrupt_fn)(int sig, void *user);

/*
 * Call before any other thread exists (threads inherit the blocked mask).
 * 0, or -errno when the thread cannot be started.
 */
int hb_interrupt_start(hb_interrupt_fn on_interrupt, void *user,
		       void (*on_crash)(void));

#endif /* HMMBENCH_INTERRUPT_H */
