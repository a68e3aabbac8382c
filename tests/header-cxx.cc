// The public header must compile as C++ with C linkage.
#include <seize/seize.h>
#include <seize/tracer.h>

int header_cxx_uses();
int header_cxx_uses()
{
	struct seize_event ev = {};

	return seize_decode(1, 0, nullptr, &ev) + (seize_event_type_name(SEIZE_EVENT_STOP) != nullptr);
}
