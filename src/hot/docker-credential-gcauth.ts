/**
 * docker-credential-gcauth: Docker runs it before every pull and push of a host mapped to `gcauth` in
 * credHelpers (and `docker build` once per mapped host), so it starts without oclif and, while a cached token
 * serves, without google-auth-library. It shares gcauth's context: the same credential store, token cache,
 * lock and single-flight refresh as `gcauth auth print-access-token`.
 */
import {readFileSync} from 'node:fs';

import {type AppContext, createContext} from '../lib/context.js';
import {serveCredentialHelper} from '../lib/docker/credential-helper.js';
import {gcauthHelperBackend, HELPER_BIN} from '../lib/docker/helper.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

function packageInfo(): {name: string; version: string} {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {name: string; version: string};
}

/** Runs one helper invocation (argv without node and the script) and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  let ctx: Promise<AppContext> | undefined;
  const {name, version} = packageInfo();
  return serveCredentialHelper(
    argv,
    {readInput: readStdin, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t)},
    gcauthHelperBackend(() => (ctx ??= createContext({}))),
    {name: HELPER_BIN, packageName: name, version},
  );
}
