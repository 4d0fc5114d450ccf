import {ARTIFACT_REGISTRY_HOSTS, GCR_DEFAULT_HOSTS, isGoogleRegistryHost} from '../../src/lib/docker/registries.js';
import {registryHost, splitHostList} from '../../src/lib/docker/server-url.js';
import {servesHost} from '../../src/lib/docker/helper.js';
import {registryHostProblem, registryListProblem} from '../../src/lib/validators.js';

describe('registryHost: what clients send, reduced to host[:port]', () => {
  test.each([
    ['gcr.io', 'gcr.io'],
    ['gcr.io\n', 'gcr.io'],
    ['  gcr.io\r\n', 'gcr.io'],
    ['https://gcr.io', 'gcr.io'],
    ['https://gcr.io/', 'gcr.io'],
    ['https://gcr.io/v1/', 'gcr.io'],
    ['http://us.gcr.io/project/image:tag', 'us.gcr.io'],
    ['us-docker.pkg.dev/project/repo/image', 'us-docker.pkg.dev'],
    ['HTTPS://US-Docker.PKG.dev/P', 'us-docker.pkg.dev'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['https://127.0.0.1:5000/v2/', '127.0.0.1:5000'],
    ['localhost:5000/proj/img', 'localhost:5000'],
    ['[::1]:5000', '[::1]:5000'],
    ['https://[::1]:5000/v2/token?x=1', '[::1]:5000'],
    ['gcr.io?scope=x', 'gcr.io'],
    ['gcr.io#frag', 'gcr.io'],
    ['gcr.\nio', 'gcr.io'],
    ['', ''],
  ])('%j → %j', (input, host) => {
    expect(registryHost(input)).toBe(host);
  });
});

describe('isGoogleRegistryHost: gcr.io, *.gcr.io, *.pkg.dev on any port, nothing else', () => {
  test.each(['gcr.io', 'us.gcr.io', 'staging-k8s.gcr.io', 'mirror.gcr.io', 'gcr.io:443', 'gcr.io.', 'us-docker.pkg.dev', 'europe-west1-docker.pkg.dev', 'docker.us-west1.rep.pkg.dev', 'us-maven.pkg.dev'])(
    '%s is Google',
    (host) => expect(isGoogleRegistryHost(host)).toBe(true),
  );

  test.each([
    'evilgcr.io',
    'gcr.io.evil.com',
    'gcr.io@evil.com',
    'evil.com',
    'pkg.dev',
    'pkg.dev.evil.com',
    'evilpkg.dev',
    'docker.io',
    '127.0.0.1:5000',
    '[::1]:5000',
    'a_b.gcr.io',
    'x y.gcr.io',
    '-bad.gcr.io',
    '',
  ])('%j is not', (host) => expect(isGoogleRegistryHost(host)).toBe(false));

  test('every listed host matches the patterns, and the lists hold no duplicates', () => {
    for (const host of [...GCR_DEFAULT_HOSTS, ...ARTIFACT_REGISTRY_HOSTS]) expect(isGoogleRegistryHost(host)).toBe(true);
    expect(new Set(ARTIFACT_REGISTRY_HOSTS).size).toBe(ARTIFACT_REGISTRY_HOSTS.length);
  });

  test("the Artifact Registry data holds both forms of a region, the multi-regions, and gcloud's extra regions", () => {
    expect(ARTIFACT_REGISTRY_HOSTS).toEqual(expect.arrayContaining(['us-docker.pkg.dev', 'europe-docker.pkg.dev', 'asia-docker.pkg.dev']));
    expect(ARTIFACT_REGISTRY_HOSTS).toEqual(expect.arrayContaining(['us-central1-docker.pkg.dev', 'docker.us-central1.rep.pkg.dev', 'docker.us-west8.rep.pkg.dev']));
    expect(ARTIFACT_REGISTRY_HOSTS).toEqual(expect.arrayContaining(['us-east7-docker.pkg.dev', 'docker.us-east7.rep.pkg.dev', 'europe-north2-docker.pkg.dev']));
    expect(ARTIFACT_REGISTRY_HOSTS).not.toContain('docker.us.rep.pkg.dev');
    expect(ARTIFACT_REGISTRY_HOSTS.filter((h) => h.endsWith('-docker.pkg.dev'))).toHaveLength(49);
    expect(ARTIFACT_REGISTRY_HOSTS.filter((h) => h.endsWith('.rep.pkg.dev'))).toHaveLength(43);
  });
});

describe('servesHost: Google hosts, or exactly a host of docker/registries', () => {
  test('a listed host matches with its port; another port or host does not', () => {
    expect(servesHost('127.0.0.1:5000', ['127.0.0.1:5000'])).toBe(true);
    expect(servesHost('127.0.0.1:5001', ['127.0.0.1:5000'])).toBe(false);
    expect(servesHost('127.0.0.1', ['127.0.0.1:5000'])).toBe(false);
    expect(servesHost('localhost:5000', ['127.0.0.1:5000'])).toBe(false);
    expect(servesHost('gcr.io', [])).toBe(true);
    expect(servesHost('quay.io', [])).toBe(false);
  });
});

describe('host validation', () => {
  test.each([
    ['gcr.io', undefined],
    ['127.0.0.1:5000', undefined],
    ['[::1]:5000', undefined],
    ['[fe80::1]', undefined],
    ['localhost', undefined],
    ['mirror.example.com.', undefined],
    ['gcr.io:0', 'the port must be between 1 and 65535'],
    ['gcr.io:65536', 'the port must be between 1 and 65535'],
    ['gcr.io:', 'expected HOST or HOST:PORT'],
    ['::1', 'expected HOST or HOST:PORT'],
    ['a b', 'expected HOST or HOST:PORT'],
    ['under_score.example.com', 'expected HOST or HOST:PORT'],
    ['user@gcr.io', 'expected HOST or HOST:PORT'],
    ['', 'expected HOST or HOST:PORT'],
    ['registry:5000', undefined],
    ['10.0.0.7', undefined],
    ['foo', '[foo] has no dot and no port, so Docker never treats it as a registry (foo/IMAGE is an image on Docker Hub); use HOST.DOMAIN, HOST:PORT, an IP address or localhost'],
    ['foo.', '[foo.] has no dot and no port, so Docker never treats it as a registry (foo./IMAGE is an image on Docker Hub); use HOST.DOMAIN, HOST:PORT, an IP address or localhost'],
  ])('%j: %s', (host, problem) => {
    expect(registryHostProblem(host)).toBe(problem);
  });

  test('docker/registries: comma-separated, trimmed, empty items ignored, no scheme or path', () => {
    expect(registryListProblem('127.0.0.1:5000, mirror.example.com ,,')).toBeUndefined();
    expect(registryListProblem('127.0.0.1:5000/v2')).toBe('[127.0.0.1:5000/v2]: expected HOST or HOST:PORT with no scheme or path, e.g. 127.0.0.1:5000');
    expect(registryListProblem('ok.example.com,bad host')).toBe('[bad host]: expected HOST or HOST:PORT, e.g. 127.0.0.1:5000');
    expect(splitHostList(' A.example.com:5000,b.example.com,,a.example.com:5000 ')).toEqual(['a.example.com:5000', 'b.example.com']);
  });
});
