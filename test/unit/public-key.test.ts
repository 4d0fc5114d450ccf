import {publicKeyCertificate} from '../../src/lib/iam/public-key.js';
import {UsageError} from '../../src/lib/errors.js';
import {certifiedKeyPair} from '../helpers/certificates.js';

const rsa = certifiedKeyPair();
const check = (text: string, source = 'public_key.pem') => () => publicKeyCertificate(text, source, Date.now());

describe('publicKeyCertificate: what keys upload may send', () => {
  it('takes an RSA certificate as gcloud sends it: without outer blank space, CRLF or not', () => {
    expect(publicKeyCertificate(rsa.certificatePem, 'f', Date.now())).toBe(rsa.certificatePem.trim());
    expect(publicKeyCertificate(`\n${rsa.certificatePem}\n\n`, 'f', Date.now())).toBe(rsa.certificatePem.trim());
    const crlf = rsa.certificatePem.replace(/\n/g, '\r\n');
    expect(publicKeyCertificate(crlf, 'f', Date.now())).toBe(crlf.trim());
  });

  it('never lets a private key through, and says where the certificate is', () => {
    expect(check(rsa.privateKeyPem, 'private_key.pem')).toThrow(
      new UsageError(
        '[private_key.pem] holds a private key, which gcauth never uploads: give the certificate made with it instead (the -out file of: ' +
          'openssl req -x509 -nodes -newkey rsa:2048 -days 365 -keyout private_key.pem -out public_key.pem -subj "/CN=unused").',
      ),
    );
    expect(check(`${rsa.privateKeyPem}${rsa.certificatePem}`, 'both.pem')).toThrow(
      '[both.pem] holds a private key, which gcauth never uploads: take the certificate out of it: openssl x509 -in both.pem -out public_key.pem.',
    );
    expect(check(`${rsa.certificatePem}-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n`, '-')).toThrow(/holds a private key/);
  });

  it('refuses text without a certificate, a certificate that does not parse, a key that is not RSA, an expired one', () => {
    expect(check('ssh-rsa AAAAB3NzaC1yc2E me@host')).toThrow(/^\[public_key\.pem\] holds no PEM certificate \(-----BEGIN CERTIFICATE-----\)/);
    expect(check('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----')).toThrow(/^\[public_key\.pem\] holds a certificate that cannot be read: /);
    expect(check(certifiedKeyPair({type: 'ec'}).certificatePem)).toThrow(/^\[public_key\.pem\] wraps an EC key: IAM takes RSA keys only/);
    expect(check(certifiedKeyPair({days: -1}).certificatePem)).toThrow(/^The certificate in \[public_key\.pem\] expired on \d{4}-\d\d-\d\dT/);
  });
});
