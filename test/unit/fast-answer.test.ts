import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {servesHost} from '../../src/lib/docker/helper.js';
import {
  answerDeadline,
  answerHosts,
  FAST_ENV_NAMES,
  FAST_ENV_PREFIXES,
  fileIdentity,
  fingerprinted,
  fingerprintMatches,
  parseFingerprint,
} from '../../src/lib/docker/fast-answer.js';
import {ARTIFACT_REGISTRY_HOSTS, GCR_DEFAULT_HOSTS} from '../../src/lib/docker/registries.js';

const sh = readFileSync(new URL('../../bin/docker-credential-gcauth', import.meta.url), 'utf8');

describe('the sh fast path and fast-answer.ts agree', () => {
  test('on the variables the fingerprint covers', () => {
    const line = sh.split('\n').find((l) => l.trim().startsWith('GCAUTH_*|'));
    expect(line).toBeDefined();
    const patterns = line!.trim().replace(/\) ;;$/, '').split('|');
    expect(patterns.sort()).toEqual([...FAST_ENV_PREFIXES.map((p) => `${p}*`), ...FAST_ENV_NAMES].sort());
  });

  test('on the answer file name and its first line', () => {
    expect(sh).toContain('answer=$config/docker-helper-answer');
    expect(sh).toContain("'gcauth-docker-answer 1'");
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

  test('lists only hosts the helper serves, in canonical form: every default and Artifact Registry host, the extras, the host asked', () => {
    const extraHosts = ['127.0.0.1:5000', '[::1]:5000'];
    const serves = (h: string) => servesHost(h, extraHosts);
    const hosts = answerHosts({host: 'mirror.gcr.io', extraHosts}, serves);
    expect(hosts).toEqual(expect.arrayContaining([...GCR_DEFAULT_HOSTS, ...ARTIFACT_REGISTRY_HOSTS, ...extraHosts, 'mirror.gcr.io']));
    expect(GCR_DEFAULT_HOSTS.length + ARTIFACT_REGISTRY_HOSTS.length).toBe(98);
    for (const host of hosts) expect(servesHost(host, extraHosts)).toBe(true);
    for (const asked of ['gcr.io.evil.com', 'User@gcr.io', 'evil.com', 'GCR.io']) expect(answerHosts({host: asked, extraHosts: []}, (h) => servesHost(h, []))).not.toContain(asked);
  });
});
