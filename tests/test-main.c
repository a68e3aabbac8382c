/* SPDX-License-Identifier: MIT */
/* The runner shared by every check binary.  check cannot skip one case, so a
 * kernel suite skips as a whole, here, before running anything, with one
 * printed reason; on CI (CI=true or SEIZE_REQUIRE_PTRACE=1) the same
 * refusal is a failure, since ptrace works there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-common.h"

#define EXIT_SKIP 77
#define EXIT_HARD_ERROR 99

static bool ptrace_required(void)
{
	const char *ci = getenv("CI");
	const char *req = getenv("SEIZE_REQUIRE_PTRACE");

	return (ci && strcmp(ci, "true") == 0) || (req && strcmp(req, "1") == 0);
}

int main(void)
{
	SRunner *runner;
	int failed;

	if (test_needs_ptrace) {
		struct seize_probe probe;
		int ret = seize_probe(&probe);

		if (ret < 0) {
			fprintf(stderr, "seize_probe failed: %s\n", strerror(-ret));
			return EXIT_HARD_ERROR;
		}
		if (probe.refusal != SEIZE_REFUSAL_NONE) {
			fprintf(stderr, "ptrace is refused here: %s\n", probe.reason);
			if (ptrace_required()) {
				fprintf(stderr, "and CI requires it: failing instead of skipping\n");
				return EXIT_HARD_ERROR;
			}
			return EXIT_SKIP;
		}
	}

	runner = srunner_create(test_suite());
	srunner_run_all(runner, CK_ENV);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
