/**
 * `gcauth auth configure-docker` on a very large Docker config.json, run as a subprocess: it must finish in seconds
 * within a bounded heap, show a summary of the changed keys instead of a line diff, and keep every entry.
 */
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {cliBin, repoRoot, tmpDir} from '../helpers/emulator.js';
import {sayWhySkipped} from '../helpers/skip.js';

const TIME = '/usr/bin/time';
/** Entries in the minified file, half of them logins under auths and half hosts of another helper under credHelpers. */
const ENTRIES = 100_000;
const GOOGLE_HOSTS = ['gcr.io', 'us.gcr.io', 'eu.gcr.io', 'asia.gcr.io', 'staging-k8s.gcr.io', 'marketplace.gcr.io'];
/** Generous bounds: the machine is shared and noisy (measured here: about 3 s and 150 MB). */
const MAX_MS = 30_000;
const MAX_RSS_KIB = 200 * 1024;

interface Measured {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
  maxRssKiB: number;
}

/** A HOME with DOCKER_CONFIG holding `text` as config.json, a gcauth config dir and an empty PATH (no docker to probe). */
function sandbox(text: string): {env: Record<string, string>; configFile: string} {
  const home = tmpDir('gcauth-large-docker-');
  const dockerDir = path.join(home, 'docker');
  const bin = path.join(home, 'bin');
  mkdirSync(dockerDir);
  mkdirSync(bin);
  const configFile = path.join(dockerDir, 'config.json');
  writeFileSync(configFile, text);
  return {env: {HOME: home, PATH: bin, NO_COLOR: '1', GCAUTH_CONFIG: path.join(home, 'gcauth'), DOCKER_CONFIG: dockerDir, METADATA_SERVER_DETECTION: 'none'}, configFile};
}

/** Runs the built CLI under GNU time: its result, wall time and peak RSS (the kernel's maxrss of the process, KiB). */
async function runMeasured(args: string[], env: Record<string, string>): Promise<Measured> {
  const rssFile = path.join(tmpDir('gcauth-rss-'), 'rss');
  const started = Date.now();
  const result = await execa(TIME, ['-f', '%M', '-o', rssFile, process.execPath, cliBin, ...args], {cwd: repoRoot, env, extendEnv: false, stdin: 'ignore', reject: false});
  const ms = Date.now() - started;
  // GNU time writes "Command exited with non-zero status N" first when it did.
  return {exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr), ms, maxRssKiB: Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1))};
}

/** configure-docker succeeded within the bounds, showing the summary of the six default hosts added, not a line diff. */
function expectSummarisedWithinBounds(run: Measured, configFile: string, what: string): void {
  expect({exitCode: run.exitCode, stdout: run.stdout}).toEqual({exitCode: 0, stdout: ''});
  expect(run.stderr).toContain(
    `Changes to ${configFile}, too many lines to show as a diff:\n` +
      `  "credHelpers" entries added: ${GOOGLE_HOSTS.join(', ')} -> gcauth\n` +
      '  every other key and value is kept, and the file is written one entry per line\n',
  );
  expect(run.stderr).not.toMatch(/^@@ /m);
  expect(run.stderr.length).toBeLessThan(4_000);
  process.stderr.write(`configure-docker on ${what}: ${run.ms} ms, peak RSS ${Math.round(run.maxRssKiB / 1024)} MB\n`);
  expect(run.ms).toBeLessThan(MAX_MS);
  expect(run.maxRssKiB).toBeLessThan(MAX_RSS_KIB);
}

const haveTime = existsSync(TIME);
if (!haveTime) sayWhySkipped(`configure-docker-large: skipped, ${TIME} (Debian package time) is not installed to measure peak RSS`);
const measuredTest = haveTime ? test : test.skip;

// Before jsdiff and the bound, this crashed with "Maximum call stack size exceeded".
measuredTest(
  `a minified config.json of ${ENTRIES} auths and credHelpers entries is configured in seconds, within bounded memory, every entry kept`,
  async () => {
    const auths: Record<string, {auth: string}> = {};
    const credHelpers: Record<string, string> = {};
    for (let i = 0; i < ENTRIES / 2; i++) {
      auths[`login-${i}.example.com`] = {auth: 'dXNlcjpwYXNzd29yZA=='};
      credHelpers[`registry-${i}.example.com`] = 'ecr-login';
    }
    const {env, configFile} = sandbox(JSON.stringify({auths, credHelpers}));

    expectSummarisedWithinBounds(await runMeasured(['auth', 'configure-docker', '--quiet'], env), configFile, `${ENTRIES} minified entries`);

    const written = JSON.parse(readFileSync(configFile, 'utf8')) as {auths: typeof auths; credHelpers: typeof credHelpers};
    expect(Object.keys(written.auths)).toHaveLength(ENTRIES / 2);
    expect(Object.keys(written.credHelpers)).toHaveLength(ENTRIES / 2 + GOOGLE_HOSTS.length);
    expect(written).toEqual({auths, credHelpers: {...credHelpers, ...Object.fromEntries(GOOGLE_HOSTS.map((h) => [h, 'gcauth']))}});
  },
  120_000,
);

// Before, every line of the changed middle went into a quadratic LCS table: 4 GB, then Node aborted out of memory.
measuredTest(
  'an 18k-line config.json laid out otherwise (one login a line), so that every line changes, is configured within the same bounds',
  async () => {
    const logins = Array.from({length: 18_000}, (_, i) => `    "login-${i}.example.com": { "auth": "dXNlcjpwYXNz" }`);
    const {env, configFile} = sandbox(['{', '  "auths": {', logins.join(',\n'), '  }', '}', ''].join('\n'));

    expectSummarisedWithinBounds(await runMeasured(['auth', 'configure-docker', '--quiet'], env), configFile, 'an 18k-line file');

    const written = JSON.parse(readFileSync(configFile, 'utf8')) as {auths: Record<string, unknown>; credHelpers: Record<string, string>};
    expect(Object.keys(written.auths)).toHaveLength(18_000);
    expect(written.credHelpers).toEqual(Object.fromEntries(GOOGLE_HOSTS.map((h) => [h, 'gcauth'])));
  },
  120_000,
);

test('the diff library is loaded only when a diff is shown: the bundled entry points import it lazily, never at start-up', () => {
  for (const bundle of ['dist/hot/gcauth.js', 'dist/hot/docker-credential-gcauth.cjs']) {
    const code = readFileSync(path.join(repoRoot, bundle), 'utf8');
    expect(code).not.toMatch(/require\(["']diff["']\)|from ["']diff["']|^import ["']diff["']/m);
  }
  expect(readFileSync(path.join(repoRoot, 'dist/hot/docker-credential-gcauth.cjs'), 'utf8')).toContain('await import("diff")');
});
