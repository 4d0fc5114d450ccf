import {createPrivateKey, createPublicKey} from 'node:crypto';

import {generateRsaKeyPair, prepareRsaKeyPair} from '../../src/emulator/keys.js';

// The emulator makes one key pair ahead (at start), so the first account a request creates does not wait for RSA
// keygen: the VM's account is created on a metadata client's first probe, which gives up after 500 ms.
test('a pair made ahead is handed out once, and each pair is a distinct, matching RSA-2048 pair', async () => {
  prepareRsaKeyPair();
  prepareRsaKeyPair(); // idempotent: still one pair ahead
  const pairs = await Promise.all([generateRsaKeyPair(), generateRsaKeyPair(), generateRsaKeyPair()]);
  expect(new Set(pairs.map((p) => p.privateKeyPem)).size).toBe(3);
  for (const pair of pairs) {
    const privateKey = createPrivateKey(pair.privateKeyPem);
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(createPublicKey(privateKey).export({type: 'spki', format: 'pem'})).toBe(pair.publicKeyPem);
  }
});
