/**
 * Says why a suite is skipped on the test run's stderr. jest buffers `console.log` and drops the
 * buffer of a file whose tests were all skipped once it runs more than one file, so the reason
 * would be lost; a direct write to stderr is always shown.
 */
export function sayWhySkipped(reason: string): void {
  process.stderr.write(`${reason}\n`);
}
