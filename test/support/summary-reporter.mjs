// A @web/test-runner reporter that ends the run with the plain line
// `N passed, N failed`, counting every test and every test file that failed to
// load or errored outside a test as one failure. When SUMMARY_FILE is set it also
// writes the counts there as JSON, for scripts/test.mjs to add up.
import { writeFileSync } from 'node:fs';

function countSuite(suite, counts) {
  if (!suite) return;
  for (const test of suite.tests ?? []) {
    if (test.skipped) counts.skipped += 1;
    else if (test.passed) counts.passed += 1;
    else counts.failed += 1;
  }
  for (const child of suite.suites ?? []) countSuite(child, counts);
}

/** @returns {import('@web/test-runner').Reporter} */
export function summaryReporter() {
  let sessions;
  return {
    start(args) {
      sessions = args.sessions;
    },
    stop() {
      const counts = { passed: 0, failed: 0, skipped: 0 };
      for (const session of sessions.all()) {
        const before = counts.passed + counts.failed + counts.skipped;
        countSuite(session.testResults, counts);
        const found = counts.passed + counts.failed + counts.skipped - before;
        // A file that failed to load, or threw outside a test, counts once as failed.
        if (session.errors?.length || (found === 0 && !session.passed)) counts.failed += 1;
      }
      if (process.env.SUMMARY_FILE) writeFileSync(process.env.SUMMARY_FILE, JSON.stringify(counts));
      const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
      console.log(`\n${counts.passed} passed, ${counts.failed} failed${skipped}`);
    },
  };
}
