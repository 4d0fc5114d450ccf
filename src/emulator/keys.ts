import {generateKeyPair, randomBytes, randomInt} from 'node:crypto';
import {promisify} from 'node:util';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A freshly minted RSA key pair, both halves as PEM (PKCS#8 private, SPKI public). */
export interface RsaKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

function freshRsaKeyPair(): Promise<RsaKeyPair> {
  return generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: {type: 'spki', format: 'pem'},
    privateKeyEncoding: {type: 'pkcs8', format: 'pem'},
  }).then(({privateKey, publicKey}) => ({privateKeyPem: privateKey, publicKeyPem: publicKey}));
}

// One pair made ahead. Keygen takes ~100 ms idle and close to a second on a loaded 2-core machine, and the first
// request that needs an account made (a VM's metadata server creating its account on the client's first probe,
// which waits 500 ms) should not pay for it.
let spare: Promise<RsaKeyPair> | undefined;

/** Starts making the next key pair in the background, unless one is made or being made. */
export function prepareRsaKeyPair(): void {
  if (spare) return;
  spare = freshRsaKeyPair();
  spare.catch(() => undefined);
}

/** An RSA-2048 key pair, made off the event loop: the one made ahead if there is one (another is then begun). */
export async function generateRsaKeyPair(): Promise<RsaKeyPair> {
  const ready = spare;
  spare = undefined;
  if (!ready) return freshRsaKeyPair();
  prepareRsaKeyPair();
  return ready;
}

/** A key id shaped like Google's: 40 lower-case hex characters. */
export function newKeyId(): string {
  return randomBytes(20).toString('hex');
}

/** A numeric id of `digits` digits with no leading zero, like Google's uniqueId (21) and project numbers (12). */
export function newNumericId(digits: number): string {
  let id = String(randomInt(1, 10));
  while (id.length < digits) id += String(randomInt(0, 10));
  return id;
}

/** An opaque access token in Google's `ya29.` shape; 48 random bytes make guessing pointless. */
export function newAccessToken(): string {
  return `ya29.${randomBytes(48).toString('base64url')}`;
}

/** An opaque refresh token in Google's `1//` shape. */
export function newRefreshToken(): string {
  return `1//0${randomBytes(48).toString('base64url')}`;
}

/** The fields of a Google service-account JSON key file, in Google's order. */
export interface GoogleKeyFile {
  type: 'service_account';
  project_id: string;
  private_key_id: string;
  private_key: string;
  client_email: string;
  client_id: string;
  auth_uri: string;
  token_uri: string;
  auth_provider_x509_cert_url: string;
  client_x509_cert_url: string;
  universe_domain: string;
}

/** Builds a Google-format JSON key file for a service-account key whose tokens come from `tokenUri`. */
export function buildKeyFile(opts: {
  projectId: string;
  keyId: string;
  privateKeyPem: string;
  email: string;
  clientId: string;
  tokenUri: string;
}): GoogleKeyFile {
  return {
    type: 'service_account',
    project_id: opts.projectId,
    private_key_id: opts.keyId,
    private_key: opts.privateKeyPem,
    client_email: opts.email,
    client_id: opts.clientId,
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: opts.tokenUri,
    auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(opts.email)}`,
    universe_domain: 'googleapis.com',
  };
}

/** Serialises a key file the way Google's console and IAM API do: two-space indent, trailing newline. */
export function serializeKeyFile(key: GoogleKeyFile): string {
  return `${JSON.stringify(key, null, 2)}\n`;
}
