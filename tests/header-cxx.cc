// The public headers must compile as C++ with C linkage (g++ defines
// _GNU_SOURCE, so siginfo_t is there with no feature macro of ours).
#include <seize/seize.h>
#include <seize/tracer.h>

int header_cxx_uses();
int header_cxx_uses()
{
	struct seize_event ev = {};

	return seize_decode(1, 0, nullptr, &ev) + (seize_event_type_name(SEIZE_EVENT_STOP) != nullptr);
}

int header_cxx_tracer();
int header_cxx_tracer()
{
	struct seize_tracer_config cfg = {};

	cfg.events = SEIZE_TRACER_ALL;
	return cfg.events == SEIZE_TRACER_ALL && seize_tracer_event_name(SEIZE_TRACER_ATTACHED) != nullptr;
}
