/** Which proxy a URL goes through, from gcloud's proxy properties or the environment, and how a refusal is worded. */
import {UsageError} from '../../src/lib/errors.js';
import {networkProblem} from '../../src/lib/net/problems.js';
import {networkSettings, noProxyMatches} from '../../src/lib/net/settings.js';

const props = (values: Record<string, string>) => ({get: (key: string) => values[key]});
const HTTP = new URL('http://127.0.0.1:8080/token');
const HTTPS = new URL('https://oauth2.googleapis.com/token');
const PROXY = {'proxy/type': 'http', 'proxy/address': 'proxy.corp', 'proxy/port': '3128'};

describe('proxy properties', () => {
  test('http tunnels every URL; http_no_tunnel forwards http:// and tunnels https://', () => {
    const tunnel = networkSettings(props(PROXY), {});
    expect(tunnel.route(HTTP)).toMatchObject({kind: 'tunnel', url: 'http://proxy.corp:3128', shown: 'http://proxy.corp:3128', setBy: 'proxy/type, proxy/address and proxy/port'});
    expect(tunnel.route(HTTPS)?.kind).toBe('tunnel');
    const noTunnel = networkSettings(props({...PROXY, 'proxy/type': 'http_no_tunnel'}), {});
    expect(noTunnel.route(HTTP)?.kind).toBe('forward');
    expect(noTunnel.route(HTTPS)?.kind).toBe('tunnel');
  });

  test('credentials go into the agent URL (encoded) and never into what messages show', () => {
    const route = networkSettings(props({...PROXY, 'proxy/username': 'al ice', 'proxy/password': 'p@ss:w/rd'}), {}).route(HTTPS)!;
    expect(route.url).toBe('http://al%20ice:p%40ss%3Aw%2Frd@proxy.corp:3128');
    expect(route.shown).toBe('http://al%20ice@proxy.corp:3128');
    expect(route.credentialsSetBy).toBe('proxy/username and proxy/password');
  });

  test('socks4/socks5 let the proxy resolve names unless proxy/rdns is false', () => {
    expect(networkSettings(props({...PROXY, 'proxy/type': 'socks5'}), {}).route(HTTPS)).toMatchObject({kind: 'socks', url: 'socks5h://proxy.corp:3128'});
    expect(networkSettings(props({...PROXY, 'proxy/type': 'socks5', 'proxy/rdns': 'false'}), {}).route(HTTPS)?.url).toBe('socks5://proxy.corp:3128');
    expect(networkSettings(props({...PROXY, 'proxy/type': 'socks4'}), {}).route(HTTPS)?.url).toBe('socks4a://proxy.corp:3128');
  });

  test("all or none of type, address and port, in gcloud's words", () => {
    expect(() => networkSettings(props({'proxy/address': 'proxy.corp'}), {})).toThrow(UsageError);
    expect(() => networkSettings(props({'proxy/address': 'proxy.corp'}), {})).toThrow(
      'Please set all or none of the following properties: proxy/type, proxy/address and proxy/port.',
    );
  });

  test('the properties win over the environment', () => {
    expect(networkSettings(props(PROXY), {HTTPS_PROXY: 'http://other:1'}).route(HTTPS)?.url).toBe('http://proxy.corp:3128');
  });
});

describe('proxy environment', () => {
  test('https_proxy for https:// URLs and http_proxy for http:// ones, lower case first; none: direct', () => {
    const env = {https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:2', HTTP_PROXY: 'plain:3'};
    expect(networkSettings(props({}), env).route(HTTPS)).toMatchObject({kind: 'tunnel', url: 'http://low:1', setBy: 'https_proxy'});
    expect(networkSettings(props({}), env).route(HTTP)).toMatchObject({kind: 'forward', url: 'http://plain:3', setBy: 'HTTP_PROXY'});
    expect(networkSettings(props({}), {}).route(HTTPS)).toBeUndefined();
  });

  test("all_proxy (then ALL_PROXY) for any scheme, only after the scheme's own variable; no_proxy still exempts", () => {
    const env = {all_proxy: 'socks5://all:1', ALL_PROXY: 'http://up:2'};
    expect(networkSettings(props({}), env).route(HTTPS)).toMatchObject({kind: 'socks', url: 'socks5://all:1', setBy: 'all_proxy'});
    expect(networkSettings(props({}), {ALL_PROXY: 'http://up:2'}).route(HTTP)).toMatchObject({kind: 'forward', url: 'http://up:2', setBy: 'ALL_PROXY'});
    expect(networkSettings(props({}), {...env, HTTPS_PROXY: 'http://s:3'}).route(HTTPS)).toMatchObject({url: 'http://s:3', setBy: 'HTTPS_PROXY'});
    expect(networkSettings(props({}), {...env, https_proxy: 'http://s:3'}).route(HTTP)).toMatchObject({setBy: 'all_proxy'});
    expect(networkSettings(props({}), {...env, no_proxy: 'googleapis.com'}).route(HTTPS)).toBeUndefined();
    expect(networkSettings(props(PROXY), env).route(HTTPS)?.url).toBe('http://proxy.corp:3128');
  });

  test('socks schemes, default ports, credentials hidden', () => {
    expect(networkSettings(props({}), {HTTPS_PROXY: 'socks5h://u:secret@s'}).route(HTTPS)).toMatchObject({kind: 'socks', url: 'socks5h://u:secret@s:1080', shown: 'socks5h://u@s:1080'});
    expect(() => networkSettings(props({}), {HTTPS_PROXY: 'ftp://x:1'}).route(HTTPS)).toThrow('Invalid proxy in HTTPS_PROXY: the scheme ftp:// is not one of');
  });

  test('no_proxy exempts the hosts it names, with the properties as with the environment', () => {
    expect(networkSettings(props(PROXY), {NO_PROXY: '127.0.0.1'}).route(HTTP)).toBeUndefined();
    expect(networkSettings(props({}), {HTTP_PROXY: 'p:1', no_proxy: '.0.0.1,localhost'}).route(HTTP)).toBeDefined();
    expect(networkSettings(props({}), {HTTPS_PROXY: 'p:1', no_proxy: 'googleapis.com'}).route(HTTPS)).toBeUndefined();
  });

  test.each([
    ['*', 'https://a.example/', true],
    ['example.com', 'https://example.com/', true],
    ['example.com', 'https://api.example.com/', true],
    ['.example.com', 'https://api.example.com/', true],
    ['*.example.com', 'https://example.com/', true],
    ['example.com', 'https://notexample.com/', false],
    ['example.com:8443', 'https://example.com:8443/', true],
    ['example.com:8443', 'https://example.com/', false],
    ['10.0.0.0/8', 'http://10.1.2.3/', true],
    ['10.0.0.0/8', 'http://11.1.2.3/', false],
    ['[::1]', 'http://[::1]:8080/', true],
    ['a.test, b.test', 'http://b.test/', true],
  ])('no_proxy %j and %s: %s', (noProxy, url, exempt) => {
    expect(noProxyMatches(noProxy, new URL(url))).toBe(exempt);
  });
});

describe('TLS properties', () => {
  test('custom CA file and disabled validation are read as given', () => {
    expect(networkSettings(props({'core/custom_ca_certs_file': '/etc/corp-ca.pem'}), {})).toMatchObject({caFile: '/etc/corp-ca.pem', insecure: false});
    expect(networkSettings(props({'auth/disable_ssl_validation': 'true'}), {}).insecure).toBe(true);
  });
});

describe('refusals in words', () => {
  const route = networkSettings(props({...PROXY, 'proxy/username': 'alice', 'proxy/password': 'secret'}), {}).route(HTTPS)!;
  const refused = Object.assign(new Error('request failed'), {cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3128'), {code: 'ECONNREFUSED'})});

  test('an unreachable proxy is named, without its password, with the properties that set it', () => {
    const problem = networkProblem(refused, HTTPS, route, {})!;
    expect(problem.message).toBe('the proxy http://alice@proxy.corp:3128 (proxy/type, proxy/address and proxy/port) refused the connection');
    expect(problem.message).not.toContain('secret');
  });

  test("a 407, and tinyproxy's 401 with a Basic challenge, are the credentials' fault; Google's JSON 401 is not the proxy's", () => {
    const answer = (status: number, headers: Record<string, string>) => ({response: {status, headers: new Headers(headers)}});
    expect(networkProblem(answer(407, {}), HTTPS, route, {})?.message).toMatch(/refused its credentials \(HTTP 407\): check proxy\/username and proxy\/password$/);
    expect(networkProblem(answer(401, {'www-authenticate': 'Basic realm="Tinyproxy"', 'content-type': 'text/html'}), HTTPS, route, {})).toBeDefined();
    expect(networkProblem(answer(401, {'www-authenticate': 'Bearer realm="x"', 'content-type': 'application/json'}), HTTPS, route, {})).toBeUndefined();
  });

  test('an untrusted certificate names core/custom_ca_certs_file, with or without a proxy', () => {
    const untrusted = Object.assign(new Error('x'), {cause: Object.assign(new Error('self-signed certificate in certificate chain'), {code: 'SELF_SIGNED_CERT_IN_CHAIN'})});
    expect(networkProblem(untrusted, HTTPS, undefined, {})?.message).toBe(
      'the certificate of oauth2.googleapis.com is not trusted (self-signed certificate in certificate chain): trust the CA that signed it with core/custom_ca_certs_file',
    );
    expect(networkProblem(untrusted, HTTPS, route, {caFile: '/ca.pem'})?.message).toMatch(/neither the system's CAs nor core\/custom_ca_certs_file \[\/ca\.pem\] trust it$/);
  });

  test('a direct request that fails is left to the caller', () => {
    expect(networkProblem(refused, HTTPS, undefined, {})).toBeUndefined();
  });
});
