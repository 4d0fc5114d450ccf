import {createPrivateKey, createPublicKey, type KeyObject} from 'node:crypto';
import {SignJWT} from 'jose';
import type {SigningKeyRecord} from './records.js';

/** The `iss` of Google's id tokens, whichever service mints them. */
export const ID_TOKEN_ISSUER = 'https://accounts.google.com';
const ID_TOKEN_LIFETIME_S = 3600;

/**
 * Mints id tokens as Google does (RS256, `iss` accounts.google.com, one hour) with the emulator's own key, the
 * one served at `/oauth2/v3/certs`: the token endpoint, the metadata server and IAM Credentials all sign here.
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
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({alg: 'RS256', kid: this.kid, typ: 'JWT'})
      .setIssuer(ID_TOKEN_ISSUER)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ID_TOKEN_LIFETIME_S)
      .sign(this.privateKey);
  }
}
