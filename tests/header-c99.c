/* The public header must stand alone in strict C99 (siginfo_t needs POSIX). */
#define _POSIX_C_SOURCE 200809L
#include <seize/seize.h>

int header_c99_uses(void);
int header_c99_uses(void)
{
	struct seize_event ev = { SEIZE_EVENT_NONE, 0, 0, false, 0, false, 0, false, { 0 }, 0, { 0 } };

	return seize_decode(1, 0, NULL, &ev);
}
