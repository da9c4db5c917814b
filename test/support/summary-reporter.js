/**
 * Prints the plain closing line CI reads, "N passed, N failed, N skipped", as the very last line
 * (Jest's own summary is written after every custom reporter, hence the exit hook).
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests} skipped`;
    process.once('exit', () => process.stderr.write(`\n${line}\n`));
  }
}
module.exports = SummaryReporter;
