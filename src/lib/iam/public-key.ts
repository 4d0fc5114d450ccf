/**
 * What `iam service-accounts keys upload` may send: the public half of a key pair the user keeps, as IAM takes it (an
 * RSA public key wrapped in a PEM X.509 certificate). Checked before anything is sent, so a private key, which a
 * combined PEM file or a swapped argument would carry, never leaves the machine.
 */
import {X509Certificate} from 'node:crypto';

import {UsageError} from '../errors.js';

const CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** How to make a certificate of the right kind, said wherever one is missing. */
export const MAKE_CERTIFICATE =
  'openssl req -x509 -nodes -newkey rsa:2048 -days 365 -keyout private_key.pem -out public_key.pem -subj "/CN=unused"';

/**
 * The certificate to upload from a file's text as the one reader decoded it (`source` names it in errors): the text
 * without outer blank space, as gcloud sends it.
 * @throws UsageError when it holds a private key, no certificate, a certificate that does not parse, a key that is not
 *   RSA, or one that has expired by `now`.
 */
export function publicKeyCertificate(text: string, source: string, now: number): string {
  const pem = text.trim();
  const block = CERTIFICATE.exec(pem)?.[0];
  if (PRIVATE_KEY.test(pem)) {
    const file = source === 'standard input' ? 'FILE' : source;
    const fix = block ? `take the certificate out of it: openssl x509 -in ${file} -out public_key.pem` : `give the certificate made with it instead (the -out file of: ${MAKE_CERTIFICATE})`;
    throw new UsageError(`[${source}] holds a private key, which gcauth never uploads: ${fix}.`);
  }
  if (!block) {
    throw new UsageError(`[${source}] holds no PEM certificate (-----BEGIN CERTIFICATE-----): IAM takes an RSA public key wrapped in an X.509 certificate, made e.g. with: ${MAKE_CERTIFICATE}`);
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(block);
  } catch (error) {
    throw new UsageError(`[${source}] holds a certificate that cannot be read: ${(error as Error).message}.`, {cause: error});
  }
  const type = certificate.publicKey.asymmetricKeyType;
  if (type !== 'rsa') throw new UsageError(`[${source}] wraps ${type ? `an ${type.toUpperCase()}` : 'a non-RSA'} key: IAM takes RSA keys only, made e.g. with: ${MAKE_CERTIFICATE}`);
  if (Date.parse(certificate.validTo) <= now) {
    throw new UsageError(`The certificate in [${source}] expired on ${new Date(certificate.validTo).toISOString()}: make a new one, e.g. with: ${MAKE_CERTIFICATE}`);
  }
  return pem;
}
