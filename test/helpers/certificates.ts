/** Key pairs whose public half is wrapped in a self-signed certificate, as `openssl req -x509` makes for keys upload. */
import {createHash, generateKeyPairSync, X509Certificate} from 'node:crypto';
import {writeFileSync} from 'node:fs';
import path from 'node:path';

import {keyTime} from '../../src/emulator/state.js';
import {selfSignedCertificate, toPem} from '../../src/emulator/x509.js';
import {tmpDir} from './emulator.js';

const DAY_MS = 24 * 3600 * 1000;

export interface CertifiedKeyPair {
  /** The certificate, PEM. */
  certificatePem: string;
  /** The private half, PKCS#8 PEM. */
  privateKeyPem: string;
  /** The certificate's SHA-1 fingerprint in lower-case hex: the key id the emulator gives an upload. */
  fingerprint: string;
  /** The certificate's window, as Google's key timestamps. */
  validAfterTime: string;
  validBeforeTime: string;
}

/** A fresh pair (RSA-2048 unless `type` says otherwise) with a certificate valid `days` days from now (negative: expired). */
export function certifiedKeyPair(options: {days?: number; type?: 'rsa' | 'ec'} = {}): CertifiedKeyPair {
  const {privateKey} = options.type === 'ec' ? generateKeyPairSync('ec', {namedCurve: 'P-256'}) : generateKeyPairSync('rsa', {modulusLength: 2048});
  const now = Date.now();
  const days = options.days ?? 365;
  const notBefore = Math.min(now, now + days * DAY_MS) - DAY_MS;
  const der = selfSignedCertificate(privateKey, {commonName: 'unused', notBefore: Math.floor(notBefore / 1000) * 1000, notAfter: Math.floor((now + days * DAY_MS) / 1000) * 1000});
  const certificatePem = toPem(der);
  const privateKeyPem = privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
  const parsed = new X509Certificate(der);
  return {
    certificatePem,
    privateKeyPem,
    fingerprint: createHash('sha1').update(der).digest('hex'),
    validAfterTime: keyTime(Date.parse(parsed.validFrom)),
    validBeforeTime: keyTime(Date.parse(parsed.validTo)),
  };
}

/** Writes a pair's halves as `openssl req -x509` would: public_key.pem and private_key.pem (0600) in a fresh directory. */
export function onDisk(pair: CertifiedKeyPair): {certificateFile: string; privateKeyFile: string} {
  const dir = tmpDir('gcauth-cert-');
  const certificateFile = path.join(dir, 'public_key.pem');
  const privateKeyFile = path.join(dir, 'private_key.pem');
  writeFileSync(certificateFile, pair.certificatePem);
  writeFileSync(privateKeyFile, pair.privateKeyPem, {mode: 0o600});
  return {certificateFile, privateKeyFile};
}
