/**
 * The world of the real Docker clients in test/e2e: docker (the CLI alone, no daemon) and skopeo, each run in a
 * sandbox of its own (HOME, docker config whose credHelpers send the test registry to docker-credential-gcauth,
 * gcauth config against the emulator), beside Debian's registry fronted by the emulator.
 */
import {mkdirSync, symlinkSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {findOnPath} from '../../scripts/launch.js';
import {emulatorEnv, helperBin, runCli} from './cli.js';
import {tmpDir} from './emulator.js';
import {registryInstalled, REGISTRY_BIN} from './registry.js';
import {sayWhySkipped} from './skip.js';

/** `describe`, or `describe.skip` with the reason printed when docker, skopeo or Debian's registry is missing. */
export function dockerClientsSuite(file: string): jest.Describe {
  const missing = [findOnPath('docker') ? '' : 'docker', findOnPath('skopeo') ? '' : 'skopeo', registryInstalled() ? '' : REGISTRY_BIN].filter(Boolean);
  if (missing.length === 0) return describe;
  sayWhySkipped(`${file} skipped: ${missing.join(', ')} not installed (.ci/run installs Debian's docker-registry and skopeo)`);
  return describe.skip;
}

export interface ClientRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** One client's world: its own HOME, docker config and gcauth config. */
export interface ClientSandbox {
  root: string;
  env: Record<string, string>;
  /** Docker's config dir (`DOCKER_CONFIG`). */
  dockerConfig: string;
}

/** Runs a program in the sandbox, with nothing of the test's own environment. */
export async function runIn(sb: ClientSandbox, file: string, args: string[], input?: string): Promise<ClientRun> {
  const r = await execa(file, args, {cwd: sb.root, env: sb.env, extendEnv: false, input, reject: false, timeout: 30_000});
  return {stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1};
}

/** gcauth in the sandbox, which must succeed. @returns its stdout. */
export async function gcauthOk(sb: ClientSandbox, args: string[]): Promise<string> {
  const r = await runCli(args, {env: sb.env});
  if (r.exitCode !== 0) throw new Error(`gcauth ${args.join(' ')} exited ${r.exitCode}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/**
 * A new client sandbox against the emulator at emulatorUrl, with docker-credential-gcauth on its PATH and configured
 * (configure-docker, docker/registries) for registryHost. No account is active yet.
 */
export async function clientSandbox(prefix: string, emulatorUrl: string, registryHost: string): Promise<ClientSandbox> {
  const root = tmpDir(prefix);
  const at = (dir: string) => {
    const p = path.join(root, dir);
    mkdirSync(p, {recursive: true});
    return p;
  };
  const bin = at('bin');
  symlinkSync(helperBin, path.join(bin, 'docker-credential-gcauth'));
  const home = at('home');
  const dockerConfig = at('docker');
  const sb: ClientSandbox = {
    root,
    dockerConfig,
    env: {
      PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: home,
      TMPDIR: at('tmp'),
      NO_COLOR: '1',
      DOCKER_CONFIG: dockerConfig,
      DOCKER_HOST: 'unix:///nonexistent.sock',
      REGISTRY_AUTH_FILE: path.join(dockerConfig, 'config.json'),
      XDG_CONFIG_HOME: path.join(home, '.config'),
      ...emulatorEnv(emulatorUrl, at('gcauth')),
      METADATA_SERVER_DETECTION: 'none',
    },
  };
  await gcauthOk(sb, ['auth', 'configure-docker', registryHost, '--quiet']);
  await gcauthOk(sb, ['config', 'set', 'docker/registries', registryHost]);
  return sb;
}
