/** The id token of a login is checked against the issuer's JWKS: signature, issuer, audience, expiry, email. */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';

import {exportJWK, generateKeyPair, SignJWT} from 'jose';

import {GOOGLE_JWKS_URL, jwksUrlFor, verifyIdTokenEmail} from '../../../src/lib/auth/login/id-token-check.js';
import {AuthError} from '../../../src/lib/errors.js';
import {createLogger} from '../../../src/lib/log.js';
import {createNetwork} from '../../../src/lib/net/network.js';

let server: Server;
let jwksUrl: string;
let good: CryptoKey;
let stranger: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  good = pair.privateKey;
  stranger = (await generateKeyPair('RS256')).privateKey;
  const jwk = {...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig'};
  // The keys a JWKS endpoint publishes; nothing else is served.
  server = createServer((_req, res) => res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({keys: [jwk]})));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth2/v3/certs`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const sign = (claims: Record<string, unknown>, key = good, expiresIn = '1h') =>
  new SignJWT({email: 'dev@example.com', email_verified: true, ...claims})
    .setProtectedHeader({alg: 'RS256', kid: 'k1'})
    .setIssuer((claims.iss as string) ?? 'https://accounts.google.com')
    .setAudience((claims.aud as string) ?? 'my-client')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);

const direct = {log: createLogger(() => undefined, 'none'), network: createNetwork({get: () => undefined}, {}, () => undefined)};
const verify = (token: string) => verifyIdTokenEmail(token, {clientId: 'my-client', jwksUrl, ...direct});

test('a token signed with a published key, for this client, from Google: its email', async () => {
  expect(await verify(await sign({}))).toBe('dev@example.com');
  expect(await verify(await sign({iss: 'accounts.google.com'}))).toBe('dev@example.com');
});

test.each([
  ['signed with another key', () => sign({}, stranger)],
  ['issued to another client', () => sign({aud: 'someone-else'})],
  ['from another issuer', () => sign({iss: 'https://evil.example'})],
  ['expired', () => sign({}, good, '-2h')],
])('refused when %s', async (_name, make) => {
  await expect(verify(await make())).rejects.toThrow(AuthError);
  await expect(verify(await make())).rejects.toThrow(/did not verify against http:\/\/127\.0\.0\.1:\d+\/oauth2\/v3\/certs.*Nothing was stored\./);
});

test('refused without an email, or with an unverified one', async () => {
  await expect(verify(await sign({email: undefined}))).rejects.toThrow(/has no email/);
  await expect(verify(await sign({email_verified: false}))).rejects.toThrow('The email [dev@example.com] of this login is not verified. Nothing was stored.');
});

test("the JWKS follows the token endpoint: Google's for Google's, the override's origin otherwise", () => {
  expect(jwksUrlFor('https://oauth2.googleapis.com/token')).toBe(GOOGLE_JWKS_URL);
  expect(jwksUrlFor('http://127.0.0.1:8799/token')).toBe('http://127.0.0.1:8799/oauth2/v3/certs');
});
