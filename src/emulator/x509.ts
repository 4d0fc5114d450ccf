/**
 * A self-signed X.509 certificate for an RSA key, written as DER by hand: node:crypto parses certificates but
 * cannot make one, and the registry token signer needs only this one fixed shape, so a minimal DER writer beats
 * a dependency or a child `openssl`. The result is a v3 CA certificate (basicConstraints CA, keyUsage
 * digitalSignature + keyCertSign) that Go's crypto/x509, and so distribution's `auth.token.rootcertbundle`, accepts.
 */
import {createHash, createPublicKey, randomBytes, sign, type KeyObject} from 'node:crypto';

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...content: Buffer[]) => tlv(0x30, ...content);
const set = (...content: Buffer[]) => tlv(0x31, ...content);
const explicit = (tagNumber: number, content: Buffer) => tlv(0xa0 | tagNumber, content);
const octetString = (bytes: Buffer) => tlv(0x04, bytes);
const bitString = (bytes: Buffer, unusedBits = 0) => tlv(0x03, Buffer.from([unusedBits]), bytes);
const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const NULL = Buffer.from([0x05, 0x00]);

/** A non-negative INTEGER from big-endian bytes: minimal, with a 0x00 pad when the top bit is set. */
function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const out = [40 * first + second];
  for (const arc of rest) {
    const groups: number[] = [];
    for (let v = arc; ; v = Math.floor(v / 128)) {
      groups.unshift(v % 128);
      if (v < 128) break;
    }
    out.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050; seconds, always `Z`. */
function time(ms: number): Buffer {
  const iso = new Date(ms).toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

const OID = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
};

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(objectId(oid), boolean(true), octetString(value)) : sequence(objectId(oid), octetString(value));
}

/** What a self-signed certificate says about itself. */
export interface SelfSignedOptions {
  commonName: string;
  organization?: string;
  notBefore: number;
  notAfter: number;
}

/**
 * Makes a self-signed sha256WithRSAEncryption certificate for `privateKey` (an RSA KeyObject).
 * Returns the DER bytes; wrap them with `toPem` for a PEM file.
 */
export function selfSignedCertificate(privateKey: KeyObject, opts: SelfSignedOptions): Buffer {
  const spki = createPublicKey(privateKey).export({type: 'spki', format: 'der'});
  const rdns = [set(sequence(objectId(OID.commonName), utf8String(opts.commonName)))];
  if (opts.organization) rdns.unshift(set(sequence(objectId(OID.organizationName), utf8String(opts.organization))));
  const name = sequence(...rdns);
  const algorithm = sequence(objectId(OID.sha256WithRSAEncryption), NULL);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  // digitalSignature (bit 0) and keyCertSign (bit 5): 1000 0100, the two trailing zero bits unused.
  const keyUsage = bitString(Buffer.from([0x84]), 2);
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    algorithm,
    name,
    sequence(time(opts.notBefore), time(opts.notAfter)),
    name,
    spki,
    explicit(
      3,
      sequence(
        extension(OID.basicConstraints, true, sequence(boolean(true))),
        extension(OID.keyUsage, true, keyUsage),
        // RFC 5280 allows any unique value here; a hash of the whole SPKI is one.
        extension(OID.subjectKeyIdentifier, false, octetString(createHash('sha1').update(spki).digest())),
      ),
    ),
  );
  return sequence(tbs, algorithm, bitString(sign('sha256', tbs, privateKey)));
}

/** Wraps DER certificate bytes as a PEM block with 64-character lines and a trailing newline. */
export function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
