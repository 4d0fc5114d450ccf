/**
 * A CONNECT proxy that plays Google's hard-coded hosts for an unmodified client library: it terminates TLS for
 * oauth2.googleapis.com and iamcredentials.googleapis.com with a throwaway self-signed certificate (trusted by the
 * client through NODE_EXTRA_CA_CERTS) and forwards each request to the emulator. Nothing leaves the machine.
 * A client reaches it with HTTPS_PROXY=proxy.url (gaxios honours it).
 */
import {readFileSync} from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import tls from 'node:tls';

import {execa} from 'execa';

import {tmpDir} from './emulator.js';

export interface GoogleMitm {
  url: string;
  /** The certificate to trust (NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** `HOST PATH` of every request forwarded. */
  seen: string[];
  close(): Promise<void>;
}

/** Google's host → the emulator's base for it. */
const routes = (emulatorUrl: string): Record<string, string> => ({
  'oauth2.googleapis.com': emulatorUrl,
  'iamcredentials.googleapis.com': `${emulatorUrl}/iamcredentials`,
});

export async function startGoogleMitm(emulatorUrl: string): Promise<GoogleMitm> {
  const dir = tmpDir('gcauth-mitm-');
  const keyFile = path.join(dir, 'key.pem');
  const caFile = path.join(dir, 'cert.pem');
  await execa('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', caFile, '-days', '1',
    '-subj', '/CN=oauth2.googleapis.com', '-addext', 'subjectAltName=DNS:oauth2.googleapis.com,DNS:iamcredentials.googleapis.com',
  ]);
  const key = readFileSync(keyFile);
  const cert = readFileSync(caFile);
  const table = routes(emulatorUrl);
  const seen: string[] = [];

  const google = http.createServer(async (req, res) => {
    const host = String(req.headers.host ?? '').replace(/:443$/, '');
    seen.push(`${host} ${req.url}`);
    const base = table[host];
    if (!base) {
      res.writeHead(502).end(`no route for ${host}`);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization', 'accept']) if (req.headers[name]) headers[name] = String(req.headers[name]);
    const answer = await fetch(`${base}${req.url}`, {method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined});
    res.writeHead(answer.status, {'content-type': answer.headers.get('content-type') ?? 'application/json'});
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  const proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket) => {
    const [host] = String(req.url).split(':');
    if (!host || !table[host]) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    google.emit('connection', new tls.TLSSocket(socket, {isServer: true, key, cert}));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const {port} = proxy.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    caFile,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.closeAllConnections();
        google.closeAllConnections();
        proxy.close(() => resolve());
      }),
  };
}
