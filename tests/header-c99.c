/* The public headers must stand alone in strict C99 with nothing defined but
 * the POSIX feature macro they ask for (siginfo_t is POSIX, not ISO C; without
 * it seize.h stops with one #error naming _POSIX_C_SOURCE, which
 * tests/check-consumers.sh checks).  Built with -std=c99 -pedantic-errors. */
#define _POSIX_C_SOURCE 200809L
#include <seize/seize.h>
#include <seize/tracer.h>

int header_c99_uses(void);
int header_c99_uses(void)
{
	struct seize_event ev = { SEIZE_EVENT_NONE, 0, 0, false, 0, false, 0, false, { 0 }, 0, { 0 } };

	return seize_decode(1, 0, NULL, &ev);
}

int header_c99_tracer(void);
int header_c99_tracer(void)
{
	struct seize_tracer_config cfg = { 0, SEIZE_TRACER_ALL, NULL, NULL, { 0 } };

	return cfg.events == SEIZE_TRACER_ALL && seize_tracer_event_name(SEIZE_TRACER_ATTACHED) != NULL;
}
