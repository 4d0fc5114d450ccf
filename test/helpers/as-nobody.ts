/**
 * Running the built CLI as an unprivileged user, for tests of permission errors: root may read and write
 * anything, so as root those tests run the CLI as nobody (setpriv is util-linux's). nobody must be able to
 * read the checkout for that; from a checkout in a 0700 directory it cannot, and the tests say so and skip.
 */
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {cliBin, repoRoot} from './emulator.js';

export const AS_ROOT = process.getuid?.() === 0;
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** The command and arguments that run the CLI with `args`, as nobody when this process is root. */
export function restrictedCommand(args: string[]): [string, string[]] {
  return AS_ROOT ? ['setpriv', [...NOBODY, process.execPath, cliBin, ...args]] : [process.execPath, [cliBin, ...args]];
}

let checked: {problem?: string} | undefined;

/** Why the CLI cannot be run as nobody here (so the caller skips), or undefined when it can or need not be. */
export function nobodyProblem(): string | undefined {
  if (!AS_ROOT) return undefined;
  if (checked) return checked.problem;
  // A command that loads oclif, a command class and node_modules, in a config dir nobody may use.
  const config = mkdtempSync(path.join(tmpdir(), 'gcauth-nobody-'));
  chmodSync(config, 0o1777);
  try {
    const probe = spawnSync('setpriv', [...NOBODY, process.execPath, cliBin, 'config', 'get', 'account'], {
      env: {PATH: process.env.PATH ?? '', GCAUTH_CONFIG: config, HOME: config},
      encoding: 'utf8',
      timeout: 30_000,
    });
    let problem: string | undefined;
    if (probe.error) problem = `setpriv could not run (${probe.error.message})`;
    else if (/EACCES|permission denied|Cannot find module|ERR_MODULE_NOT_FOUND/i.test(probe.stderr)) {
      const line = probe.stderr.split('\n').find((l) => /EACCES|permission denied|Cannot find/i.test(l))?.trim();
      problem = `running as root, and nobody cannot read the checkout at ${repoRoot} (is a parent directory 0700?): ${line}`;
    }
    checked = {problem};
    return problem;
  } finally {
    rmSync(config, {recursive: true, force: true});
  }
}

/**
 * Runs a sh script as nobody, the other user of tests that forge files in a place others may write (root only:
 * another user cannot be had otherwise). Throws when it fails.
 */
export function asNobody(script: string, env: Record<string, string> = {}): string {
  const run = spawnSync('setpriv', [...NOBODY, 'sh', '-c', script], {env: {PATH: process.env.PATH ?? '', ...env}, encoding: 'utf8', timeout: 30_000});
  if (run.error || run.status !== 0) throw new Error(`as nobody: ${script}: ${run.error?.message ?? run.stderr}`);
  return run.stdout;
}
