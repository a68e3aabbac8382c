/* SPDX-License-Identifier: MIT */
/* The runner shared by every check binary.  It walks the registry that the
 * files' TEST_SUITE() blocks fill (the ELF section seize_test_suites), so a
 * binary is built from as many files as it has topics; blocks of the same
 * name add to one check suite.  check cannot skip one case, so a binary
 * whose suites need ptrace skips as a whole, here, before running anything,
 * with one printed reason; on CI (CI=true or SEIZE_REQUIRE_PTRACE=1) the
 * same refusal is a failure, since ptrace works there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-common.h"

#define EXIT_SKIP 77
#define EXIT_HARD_ERROR 99
#define MAX_SUITES 32

/* The linker defines these around the section; weak, so that a binary with
 * no TEST_SUITE() links, and says so below. */
extern const struct test_suite_entry *const __start_seize_test_suites[] __attribute__((weak));
extern const struct test_suite_entry *const __stop_seize_test_suites[] __attribute__((weak));

static bool ptrace_required(void)
{
	const char *ci = getenv("CI");
	const char *req = getenv("SEIZE_REQUIRE_PTRACE");

	return (ci && strcmp(ci, "true") == 0) || (req && strcmp(req, "1") == 0);
}

static bool needs_ptrace(void)
{
	const struct test_suite_entry *const *e;

	for (e = __start_seize_test_suites; e && e < __stop_seize_test_suites; e++)
		if ((*e)->needs_ptrace)
			return true;
	return false;
}

/* The runner over every registered block, in link order. */
static SRunner *make_runner(void)
{
	const struct test_suite_entry *const *e;
	const char *names[MAX_SUITES];
	Suite *suites[MAX_SUITES];
	SRunner *runner = NULL;
	int n = 0, i;

	for (e = __start_seize_test_suites; e && e < __stop_seize_test_suites; e++) {
		for (i = 0; i < n && strcmp(names[i], (*e)->name) != 0; i++)
			;
		if (i == n) {
			if (n == MAX_SUITES) {
				fprintf(stderr, "more than %d suites\n", MAX_SUITES);
				exit(EXIT_HARD_ERROR);
			}
			names[n] = (*e)->name;
			suites[n] = suite_create((*e)->name);
			if (runner)
				srunner_add_suite(runner, suites[n]);
			else
				runner = srunner_create(suites[n]);
			n++;
		}
		(*e)->add_cases(suites[i]);
	}
	return runner;
}

int main(void)
{
	SRunner *runner;
	int failed;

	if (needs_ptrace()) {
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

	runner = make_runner();
	if (!runner) {
		fprintf(stderr, "no test suite registered\n");
		return EXIT_HARD_ERROR;
	}
	srunner_run_all(runner, CK_ENV);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
