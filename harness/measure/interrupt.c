// SPDX-License-Identifier: GPL-2.0
/* Interrupts taken by a sigwait() thread; crashes by a last-gasp handler. */
#include "interrupt.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static hb_interrupt_fn interrupt_fn;
static void *interrupt_user;
static void (*crash_fn)(void);
static sigset_t interrupts;

static void *interrupt_thread(void *arg)
{
	int sig = 0;

	(void)arg;
	while (sigwait(&interrupts, &sig))
		;
	if (interrupt_fn)
		interrupt_fn(sig, interrupt_user);
	_exit(128 + sig);
	return NULL;
}

static void on_crash_signal(int sig)
{
	if (crash_fn)
		crash_fn();
	signal(sig, SIG_DFL);
	raise(sig);
}

int hb_interrupt_start(hb_interrupt_fn on_interrupt, void *user,
		       void (*on_crash)(void))
{
	static const int crashes[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
				       SIGABRT };
	struct sigaction sa;
	pthread_attr_t attr;
	pthread_t thread;
	size_t i;
	int ret;

	interrupt_fn = on_interrupt;
	interrupt_user = user;
	crash_fn = on_crash;
	sigemptyset(&interrupts);
	sigaddset(&interrupts, SIGINT);
	sigaddset(&interrupts, SIGTERM);
	sigaddset(&interrupts, SIGHUP);
	sigaddset(&interrupts, SIGQUIT);
	ret = pthread_sigmask(SIG_BLOCK, &interrupts, NULL);
	if (ret)
		return -ret;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_crash_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(crashes) / sizeof(crashes[0]); i++)
		sigaction(crashes[i], &sa, NULL);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ret = pthread_create(&thread, &attr, interrupt_thread, NULL);
	pthread_attr_destroy(&attr);
	return -ret;
}
