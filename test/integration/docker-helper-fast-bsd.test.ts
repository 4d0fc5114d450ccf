/**
 * The sh fast path with macOS's stat: a stub `stat` first on PATH answers as BSD's does (rejects -c, takes -f with
 * BSD's format letters, knows no `-` for stdin, falls back to lstat for a dangling link), computed from GNU stat by
 * absolute path. The fast path must answer without Node, byte for byte as Node does, and still go to Node for
 * every change of state.
 */
import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {fingerprintDigest} from '../../src/lib/docker/fast-answer.js';
import {helperBin} from '../helpers/cli.js';
import {startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {dockerSandbox} from '../helpers/sandbox.js';

let emu: EmulatorProcess;
let traps: string;
let bsd: string;
const nodeLog = () => path.join(traps, 'node.log');
const statLog = () => path.join(traps, 'stat.log');

// BSD stat(1) as FreeBSD's and Apple's stat.c behave for what the fast path asks: options "f:FlLnqrst:x" (so -c is
// an illegal option, exit 1), -L is stat(2) with lstat(2) after ENOENT, no argument means stdin but `-` is a file
// name, and only the fast path's own format is known (%Lp: permission bits, %z: size, %.9Fc: ctime seconds.nanoseconds).
const BSD_STAT = `#!/bin/sh
echo "$*" >>"${'$'}{STAT_LOG:?}"
follow=
fmt=
while getopts 'f:FlLnqrst:x' opt; do
  case $opt in
    L) follow=1 ;;
    f) fmt=$OPTARG ;;
    *) echo 'usage: stat [-FLnq] [-f format | -l | -r | -s | -x] [-t timefmt] [file ...]' >&2; exit 1 ;;
  esac
done
shift $((OPTIND - 1))
[ "$fmt" = '%Lp:%u:%d:%i:%z:%.9Fc' ] || { echo "stat: stub knows one format, not $fmt" >&2; exit 1; }
errs=0
for f in "$@"; do
  line=
  [ -n "$follow" ] && line=$(/usr/bin/stat -L -c '%a:%u:%d:%i:%s:%.9Z' -- "$f" 2>/dev/null)
  [ -n "$line" ] || line=$(/usr/bin/stat -c '%a:%u:%d:%i:%s:%.9Z' -- "$f" 2>/dev/null)
  if [ -z "$line" ]; then echo "stat: $f: stat: No such file or directory" >&2; errs=1; continue; fi
  mode=${'$'}{line%%:*}
  printf '%o:%s\\n' $((0$mode & 0777)) "${'$'}{line#*:}"
done
exit $errs
`;

beforeAll(async () => {
  emu = await startEmulatorProcess();
  traps = tmpDir('gcauth-bsd-traps-');
  writeFileSync(path.join(traps, 'node'), `#!/bin/sh\necho started >>"${nodeLog()}"\nexec "${process.execPath}" "$@"\n`, {mode: 0o755});
  bsd = tmpDir('gcauth-bsd-stat-');
  writeFileSync(path.join(bsd, 'stat'), BSD_STAT, {mode: 0o755});
});
afterAll(() => emu.stop());

interface Run {
  stdout: string;
  exitCode: number;
  node: boolean;
  /** The stat command lines the sh ran. */
  stats: string[];
}

async function helper(input: string, env: Record<string, string>, extra: Record<string, string> = {}): Promise<Run> {
  rmSync(nodeLog(), {force: true});
  rmSync(statLog(), {force: true});
  const result = await execa(helperBin, ['get'], {
    env: {PATH: `${bsd}:${traps}:${process.env.PATH}`, STAT_LOG: statLog(), ...env, ...extra},
    extendEnv: false,
    input,
    reject: false,
    stripFinalNewline: false,
  });
  const stats = existsSync(statLog()) ? readFileSync(statLog(), 'utf8').trim().split('\n') : [];
  return {stdout: String(result.stdout), exitCode: result.exitCode ?? -1, node: existsSync(nodeLog()), stats};
}

const answerFile = (env: Record<string, string>) => path.join(env.GCAUTH_CONFIG!, 'docker-helper-answer');

describe("the fast path with BSD's stat (macOS)", () => {
  test('answers a cached get without Node, as Node answers it, through stat -f after -c is refused', async () => {
    const env = (await dockerSandbox(emu, true)).env;
    const first = await helper('gcr.io', env);
    expect(first.node).toBe(true);
    expect(existsSync(answerFile(env))).toBe(true);
    const fast = await helper('gcr.io', env);
    const forced = await helper('gcr.io', env, {GCAUTH_HELPER_NO_FAST: '1'});
    expect({stdout: fast.stdout, exitCode: fast.exitCode}).toEqual({stdout: forced.stdout, exitCode: forced.exitCode});
    expect(fast.stdout).toContain('"Secret":"ya29.');
    expect(fast.node).toBe(false);
    // Linux has /proc/self, so GNU's form is tried first; the stub refuses it, and the BSD form answers.
    expect(fast.stats).toHaveLength(2);
    expect(fast.stats[0]).toMatch(/^-L -c /);
    expect(fast.stats[1]).toMatch(/^-L -f %Lp:%u:%d:%i:%z:%\.9Fc -- .* \/dev\/fd\/0 /);
  }, 60_000);

  test('a file it was rendered from that changes (its ctime), or an answer made group-readable, sends the get to Node', async () => {
    const env = (await dockerSandbox(emu, true)).env;
    await helper('gcr.io', env);
    expect((await helper('gcr.io', env)).node).toBe(false);
    // credentials.json is one of the files the answer pins: touching it changes its ctime.
    const credentials = path.join(env.GCAUTH_CONFIG!, 'credentials.json');
    utimesSync(credentials, new Date(), new Date());
    expect((await helper('gcr.io', env)).node).toBe(true);
    expect((await helper('gcr.io', env)).node).toBe(false);
    chmodSync(answerFile(env), 0o640);
    expect((await helper('gcr.io', env)).node).toBe(true);
  }, 60_000);

  test('a stat that answers as neither GNU nor BSD does: every get goes to Node, with the same answer', async () => {
    const env = (await dockerSandbox(emu, true)).env;
    const broken = tmpDir('gcauth-odd-stat-');
    writeFileSync(path.join(broken, 'stat'), '#!/bin/sh\necho "stat: unknown option" >&2\nexit 1\n', {mode: 0o755});
    await helper('gcr.io', env);
    const odd = await helper('gcr.io', env, {PATH: `${broken}:${traps}:${process.env.PATH}`});
    expect(odd.node).toBe(true);
    expect(odd.stdout).toBe((await helper('gcr.io', env, {GCAUTH_HELPER_NO_FAST: '1'})).stdout);
  }, 60_000);
});

test("the environment's digest where there is no sha256sum: shasum -a 256 (macOS's) prints the same line", () => {
  const sh = readFileSync(helperBin, 'utf8');
  const lines = sh.slice(sh.indexOf('# env_digest: begin'), sh.indexOf('# env_digest: end'));
  const onlyShasum = tmpDir('gcauth-shasum-only-');
  symlinkSync('/usr/bin/shasum', path.join(onlyShasum, 'shasum'));
  const fingerprint = 'HOME=6:/h/ é;NODE_AUTH_TOKEN=3:a b;';
  const [salt, digest] = fingerprintDigest(fingerprint).split(' ');
  for (const shell of ['dash', 'bash']) {
    const out = execFileSync(shell, ['-c', `tools=${onlyShasum}; salt=$1; fp=$2\nnode_get() { exit 3; }\n${lines}printf '%s' "\${digest%% *}"`, 'sh', salt!, fingerprint], {encoding: 'utf8'});
    expect({shell, out}).toEqual({shell, out: digest});
  }
});
