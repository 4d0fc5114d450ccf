import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {servesHost} from '../../../src/lib/docker/helper.js';
import {
  answerDeadline,
  answerHosts,
  answerSummary,
  ANSWER_MAGIC,
  answerText,
  FAST_ENV_NAMES,
  FAST_ENV_PREFIXES,
  fileIdentity,
  fingerprintDigest,
  fingerprinted,
  fingerprintMatches,
  parseFingerprint,
} from '../../../src/lib/docker/fast-answer.js';
import {ARTIFACT_REGISTRY_HOSTS, GCR_DEFAULT_HOSTS, isGoogleRegistryHost} from '../../../src/lib/docker/registries.js';

const sh = readFileSync(new URL('../../../bin/docker-credential-gcauth', import.meta.url), 'utf8');

describe('the sh fast path and fast-answer.ts agree', () => {
  test('on the variables the fingerprint covers', () => {
    const line = sh.split('\n').find((l) => l.trim().startsWith('GCAUTH_*|'));
    expect(line).toBeDefined();
    const patterns = line!.trim().replace(/\) ;;$/, '').split('|');
    expect(patterns.sort()).toEqual([...FAST_ENV_PREFIXES.map((p) => `${p}*`), ...FAST_ENV_NAMES].sort());
  });

  test('on the answer file name and its first line', () => {
    expect(sh).toContain('answer=$config/docker-helper-answer');
    expect(sh).toContain(`'${ANSWER_MAGIC}'`);
  });

  test("on the environment's digest: the sh's sha256sum of the salt and the fingerprint", () => {
    const fingerprint = 'GOOGLE_CREDENTIALS=12:{"k": "\\$x"};HOME=6:/h/ é;NODE_AUTH_TOKEN=3:a b;';
    const [salt, digest] = fingerprintDigest(fingerprint).split(' ');
    expect(salt).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprintDigest(fingerprint).split(' ')[0]).not.toBe(salt);
    // The sh's own lines, run as it runs them.
    const lines = sh.slice(sh.indexOf('# env_digest: begin'), sh.indexOf('# env_digest: end'));
    for (const shell of ['dash', 'bash']) {
      const out = execFileSync(shell, ['-c', `tools=/usr/bin:/bin; salt=$1; fp=$2\nnode_get() { exit 3; }\n${lines}printf '%s' "\${digest%% *}"`, 'sh', salt!, fingerprint], {encoding: 'utf8'});
      expect({shell, out}).toEqual({shell, out: digest});
    }
  });

  test('a file identity is what GNU stat prints for it', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gcauth-identity-')), 'f');
    writeFileSync(file, 'x', {mode: 0o600});
    expect(fileIdentity(file)).toBe(execFileSync('stat', ['-L', '-c', '%a:%u:%d:%i:%s:%.9Z', '--', file], {encoding: 'utf8'}).trim());
    expect(fileIdentity(`${file}.absent`)).toBeUndefined();
  });
});

describe('fingerprint', () => {
  test('covers the variables that can change an answer, not the channel or the off switch', () => {
    for (const name of ['GCAUTH_CORE_ACCOUNT', 'CLOUDSDK_CONFIG', 'GOOGLE_APPLICATION_CREDENTIALS', 'GCE_METADATA_HOST', 'NODE_OPTIONS', 'HOME', 'METADATA_SERVER_DETECTION']) {
      expect(fingerprinted(name)).toBe(true);
    }
    for (const name of ['PATH', 'TERM', 'GCAUTH_HELPER_FAST_ENV', 'GCAUTH_HELPER_NO_FAST', 'DOCKER_CONFIG']) expect(fingerprinted(name)).toBe(false);
  });

  test('parses NAME=BYTES:VALUE; entries, counting bytes', () => {
    expect(parseFingerprint('HOME=5:/home;GCAUTH_X=4:a;b=;')).toEqual(new Map([['HOME', '/home'], ['GCAUTH_X', 'a;b=']]));
    expect(parseFingerprint('HOME=3:é/;')).toEqual(new Map([['HOME', 'é/']]));
    expect(parseFingerprint('')).toEqual(new Map());
    for (const bad of ['HOME=5:/hom;', 'HOME=x:/home;', 'HOME=5:/home', '1X=1:a;', 'A=1:a;A=1:a;']) expect(parseFingerprint(bad)).toBeUndefined();
  });

  test('matches only an environment with exactly those variables and values', () => {
    const env = {HOME: '/h', GCAUTH_CONFIG: '/h/c', PATH: '/bin', GCAUTH_HELPER_FAST_ENV: 'ignored'};
    expect(fingerprintMatches('GCAUTH_CONFIG=4:/h/c;HOME=2:/h;', env)).toBe(true);
    expect(fingerprintMatches('HOME=2:/h;', env)).toBe(false);
    expect(fingerprintMatches('GCAUTH_CONFIG=4:/h/d;HOME=2:/h;', env)).toBe(false);
    expect(fingerprintMatches('GCAUTH_CONFIG=4:/h/c;HOME=2:/h;GCAUTH_CORE_ACCOUNT=1:a;', env)).toBe(false);
  });
});

describe('answer', () => {
  test('the deadline leaves more than five minutes at every instant of its last second', () => {
    const expiry = Date.UTC(2026, 0, 1, 12, 0, 0, 500);
    const deadline = answerDeadline(expiry);
    expect(expiry - (deadline * 1000 + 999)).toBeGreaterThan(5 * 60 * 1000);
    expect(expiry - (deadline + 2) * 1000).toBeLessThanOrEqual(5 * 60 * 1000);
  });

  test('lists only hosts the helper serves, in canonical form: the extras and the host asked', () => {
    const extraHosts = ['127.0.0.1:5000', '[::1]:5000'];
    const hosts = answerHosts({host: 'gcr.io:443', extraHosts}, (h) => servesHost(h, extraHosts));
    expect(hosts).toEqual([...extraHosts, 'gcr.io:443']);
    for (const asked of ['gcr.io.evil.com', 'User@gcr.io', 'evil.com', 'GCR.io']) expect(answerHosts({host: asked, extraHosts: []}, (h) => servesHost(h, []))).toEqual([]);
  });
});

describe("the sh's google_host is registries.ts's rule on port-less names", () => {
  const start = sh.indexOf('# google_host: begin');
  const fn = sh.slice(start, sh.indexOf('# google_host: end'));
  const label = (n: number, c = 'a') => c.repeat(n);
  const hosts = [
    ...GCR_DEFAULT_HOSTS,
    ...ARTIFACT_REGISTRY_HOSTS,
    'mirror.gcr.io', 'a.b.c.gcr.io', 'pkg.dev', '.pkg.dev', 'x.pkg.dev', 'gcr.io.', 'gcr.io..', '.gcr.io', 'evilgcr.io', 'gcr.io.evil.com',
    'gcr.io-evil.com', '-a.gcr.io', 'a-.gcr.io', 'a.-b.gcr.io', 'a..gcr.io', 'a_b.gcr.io', 'A.gcr.io', 'gcr.io:443', '[::1]', 'a b.gcr.io',
    `${label(63)}.gcr.io`, `${label(64)}.gcr.io`, `${label(63)}.${label(63)}.${label(63)}.${label(51)}.gcr.io`,
    `${label(63)}.${label(63)}.${label(63)}.${label(52)}.gcr.io`, `${label(62)}-docker.pkg.dev`, 'x-docker.pkg.dev', 'docker.us-east1.rep.pkg.dev',
    '0.gcr.io', '0-0.pkg.dev', 'é.gcr.io', '*.gcr.io', '?.gcr.io', '[a].gcr.io', 'gcr.io\\', '',
  ];

  test.each([['dash'], ['bash']])('under %s', (shell) => {
    const script = `${fn}\nfor h in "$@"; do if google_host "$h"; then echo "1 $h"; else echo "0 $h"; fi; done\n`;
    const out = execFileSync(shell, ['-c', `set -f\n${script}`, 'sh', ...hosts], {encoding: 'utf8', env: {LC_ALL: 'C.UTF-8', PATH: process.env.PATH}});
    const got = out.trimEnd().split('\n').map((line) => line.startsWith('1 '));
    expect(got.length).toBe(hosts.length);
    // Where the sh says yes, Node must; the sh may say no (Node then decides), but not for a name Node serves with no port.
    hosts.forEach((host, i) => expect({host, sh: got[i]}).toEqual({host, sh: isGoogleRegistryHost(host) && /^[a-z0-9.-]+$/.test(host) && !host.endsWith('.')}));
  });
});

describe('answerSummary reads what answerText writes', () => {
  const text = answerText('/c', 'HOME=2:/h;', 1_800_000_000, ['127.0.0.1:5000', 'gcr.io'], '","Secret":"x"}', [['/c/credentials.json', '600:0:1:2:3:4.5'], ['/c/gce', undefined]]);

  test('the deadline and the listed hosts', () => {
    expect(answerSummary(text)).toEqual({deadline: 1_800_000_000, hosts: ['127.0.0.1:5000', 'gcr.io']});
    expect(answerSummary(answerText('/c', '', 5, [], '', []))).toEqual({deadline: 5, hosts: []});
  });

  test('nothing from an answer cut short, of another format, or with no deadline', () => {
    expect(answerSummary(text.slice(0, text.indexOf('end')))).toBeUndefined();
    expect(answerSummary(text.replace(ANSWER_MAGIC, 'gcauth-docker-answer 1'))).toBeUndefined();
    expect(answerSummary(text.replace('1800000000', ''))).toBeUndefined();
  });
});
