/**
 * Real servers of the networks users sit behind, from Debian's packages, each on a free 127.0.0.1 port with a private
 * config in a temp dir and stopped by PID: tinyproxy (an HTTP forward proxy with basic auth), microsocks (a SOCKS5
 * proxy with a user and password) and stunnel (a TLS gateway with its own CA in front of a plain HTTP server).
 */
import {type ChildProcess, spawn} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import net, {type AddressInfo} from 'node:net';
import path from 'node:path';

import {execa} from 'execa';

import {findOnPath} from '../../scripts/launch.js';
import {tmpDir} from './emulator.js';

export interface RunningServer {
  port: number;
  pid: number;
  /** SIGTERM by PID and wait for the exit. Idempotent. */
  stop(): Promise<void>;
}

/** The programs these servers need that are missing (each from the Debian package of the same name, stunnel4's is stunnel4). */
export const missingPrograms = (): string[] => ['tinyproxy', 'microsocks', 'stunnel4', 'openssl'].filter((p) => !findOnPath(p));

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once 127.0.0.1:port accepts a connection; rejects when child exits first or after timeoutMs. */
async function waitForPort(port: number, child: ChildProcess, what: string, output: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited before listening: ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs} ms: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function startServer(what: string, file: string, args: string[], port: number): Promise<RunningServer & {output(): string}> {
  const child = spawn(file, args, {stdio: ['ignore', 'pipe', 'pipe']});
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitForPort(port, child, what, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return {port, pid: child.pid!, stop, output: () => output};
}

export interface Tinyproxy extends RunningServer {
  /** The request lines tinyproxy logged (`CONNECT 127.0.0.1:PORT HTTP/1.1`, `GET http://... HTTP/1.1`), in order. */
  requests(): string[];
}

/** tinyproxy in the foreground, asking for `user`:`password` (BasicAuth), logging each request line. */
export async function startTinyproxy(user: string, password: string): Promise<Tinyproxy> {
  const dir = tmpDir('gcauth-tinyproxy-');
  const port = await freePort();
  const log = path.join(dir, 'tinyproxy.log');
  const conf = path.join(dir, 'tinyproxy.conf');
  // No ConnectPort line: CONNECT is allowed to any port (the emulator's is not 443).
  writeFileSync(conf, [`Port ${port}`, 'Listen 127.0.0.1', 'Timeout 30', `LogFile "${log}"`, 'LogLevel Connect', 'MaxClients 50', `BasicAuth ${user} ${password}`, ''].join('\n'));
  const server = await startServer('tinyproxy', 'tinyproxy', ['-d', '-c', conf], port);
  const requests = () => {
    let text = '';
    try {
      text = readFileSync(log, 'utf8');
    } catch {
      // nothing logged yet
    }
    return [...text.matchAll(/Request \(file descriptor \d+\): (.*)$/gm)].map((m) => m[1]!.trim());
  };
  return {...server, requests};
}

export interface Microsocks extends RunningServer {
  /** The connections microsocks made for its clients (`HOST:PORT`), from the line it prints for each. */
  connections(): string[];
}

/** microsocks, a SOCKS5 proxy that asks for `user`:`password`. */
export async function startMicrosocks(user: string, password: string): Promise<Microsocks> {
  const port = await freePort();
  const server = await startServer('microsocks', 'microsocks', ['-i', '127.0.0.1', '-p', String(port), '-u', user, '-P', password], port);
  return {...server, connections: () => [...server.output().matchAll(/connected to (\S+)/g)].map((m) => m[1]!)};
}

export interface TlsGateway extends RunningServer {
  /** https://127.0.0.1:PORT */
  url: string;
  /** The PEM of the CA that signed the gateway's certificate (trusted by nobody by default). */
  caFile: string;
}

/** stunnel terminating TLS on a free port with a certificate for 127.0.0.1 from a CA made here, forwarding to `target` (HOST:PORT). */
export async function startTlsGateway(target: string): Promise<TlsGateway> {
  const dir = tmpDir('gcauth-tls-');
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execa('openssl', args, {cwd: dir});
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=gcauth test gateway CA']);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(file('ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'ext.cnf']);
  const port = await freePort();
  const conf = file('stunnel.conf');
  writeFileSync(conf, ['foreground = yes', 'pid =', `output = ${file('stunnel.log')}`, '[gateway]', `accept = 127.0.0.1:${port}`, `connect = ${target}`, `cert = ${file('server.pem')}`, `key = ${file('server.key')}`, ''].join('\n'));
  const server = await startServer('stunnel4', 'stunnel4', [conf], port);
  return {port: server.port, pid: server.pid, stop: server.stop, url: `https://127.0.0.1:${port}`, caFile: file('ca.pem')};
}
