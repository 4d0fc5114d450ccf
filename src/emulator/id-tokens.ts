import {createPrivateKey, createPublicKey, randomUUID, type KeyObject} from 'node:crypto';
import {exportJWK, SignJWT, type JWK} from 'jose';
import type {SigningKeyRecord} from './records.js';

/** The `iss` of Google's id tokens, whichever service mints them. */
export const ID_TOKEN_ISSUER = 'https://accounts.google.com';
const ID_TOKEN_LIFETIME_S = 3600;

/** What sets a signed token apart from Google's id tokens: whose it is, for whom, for how long. */
export interface JwtOptions {
  issuer: string;
  audience: string;
  subject: string;
  lifetimeSeconds: number;
  /** `nbf` this many seconds before `iat` (absent: no `nbf`). */
  notBeforeSkewSeconds?: number;
  /** Adds a random `jti`. */
  jti?: boolean;
}

/**
 * Signs RS256 JWTs with one of the emulator's persisted keys. The key served at `/oauth2/v3/certs` mints id tokens as
 * Google does (`iss` accounts.google.com, one hour) for the token endpoint, the metadata server and IAM Credentials;
 * the CI issuer's key mints its job tokens through `signJwt`.
 */
export class IdTokenSigner {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;

  constructor(
    key: Readonly<SigningKeyRecord>,
    private readonly now: () => number,
  ) {
    this.kid = key.kid;
    this.privateKey = createPrivateKey(key.privateKeyPem);
    this.publicKey = createPublicKey(key.publicKeyPem);
  }

  /** A signed id token carrying `claims`, for `audience`, about `subject` (a uniqueId). */
  sign(claims: Record<string, unknown>, audience: string, subject: string): Promise<string> {
    return this.signJwt(claims, {issuer: ID_TOKEN_ISSUER, audience, subject, lifetimeSeconds: ID_TOKEN_LIFETIME_S});
  }

  /** A signed JWT carrying `claims` plus the registered claims `options` name, `iat` now. */
  signJwt(claims: Record<string, unknown>, options: JwtOptions): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    const jwt = new SignJWT(claims)
      .setProtectedHeader({alg: 'RS256', kid: this.kid, typ: 'JWT'})
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setSubject(options.subject)
      .setIssuedAt(iat)
      .setExpirationTime(iat + options.lifetimeSeconds);
    if (options.notBeforeSkewSeconds !== undefined) jwt.setNotBefore(iat - options.notBeforeSkewSeconds);
    if (options.jti) jwt.setJti(randomUUID());
    return jwt.sign(this.privateKey);
  }

  /** The public key as a JWK Set, the form `/oauth2/v3/certs` and an OIDC issuer's `jwks_uri` serve. */
  async jwks(): Promise<{keys: JWK[]}> {
    return {keys: [{...(await exportJWK(this.publicKey)), alg: 'RS256', use: 'sig', kid: this.kid}]};
  }
}
