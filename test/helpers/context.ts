import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {Readable} from 'node:stream';

import {createContext, type AppContext, type GlobalFlags} from '../../src/lib/context.js';
import type {Minter} from '../../src/lib/auth/tokens/token-service.js';
import type {Prompter} from '../../src/lib/prompter.js';

/** Captured output of a fake context. */
export interface FakeIO {
  stdout: string;
  stderr: string;
}

export interface FakeContextOptions {
  flags?: GlobalFlags;
  env?: Record<string, string | undefined>;
  stdin?: string;
  interactive?: boolean;
  now?: () => number;
  prompter?: Prompter;
  /** Stands in for the token endpoint. */
  mint?: Minter;
  /** Reuse a config dir (default: a new temp dir). */
  configDir?: string;
  /** GCE residency: sysfs root and MAC addresses (default: an empty root and none, so nothing looks like a VM). */
  sysRoot?: string;
  macAddresses?: () => string[];
  /** Stands in for 169.254.169.254 (only reached when residency is faked). */
  metadataDefaultHost?: string;
  /** The platform the code believes it runs on (default: this one). */
  platform?: NodeJS.Platform;
  /** The home directory (default: the config dir). */
  homeDir?: string;
}

const created: string[] = [];
// Temp config dirs hold keys and tokens: never leave them behind, even when a test forgets cleanup().
if (typeof afterAll === 'function') afterAll(() => created.splice(0).forEach((d) => rmSync(d, {recursive: true, force: true})));

/**
 * A real AppContext over a temp config dir, with captured stdout/stderr and no process state.
 * Call cleanup() (or use withFakeContext) to remove the dir.
 */
export async function fakeContext(options: FakeContextOptions = {}): Promise<{ctx: AppContext; out: FakeIO; configDir: string; cleanup(): void}> {
  const configDir = options.configDir ?? mkdtempSync(path.join(tmpdir(), 'gcauth-test-'));
  if (!options.configDir) created.push(configDir);
  const out: FakeIO = {stdout: '', stderr: ''};
  const ctx = await createContext(options.flags ?? {}, {
    env: {GCAUTH_CONFIG: configDir, ...options.env},
    homeDir: options.homeDir ?? configDir,
    platform: options.platform,
    now: options.now,
    prompter: options.prompter,
    mint: options.mint,
    // A test machine that happens to be a VM must never make a test probe the real metadata server.
    sysRoot: options.sysRoot ?? configDir,
    macAddresses: options.macAddresses ?? (() => []),
    metadataDefaultHost: options.metadataDefaultHost,
    io: {
      stdout: {write: (t: string) => (out.stdout += t)},
      stderr: {write: (t: string) => (out.stderr += t)},
      stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
      interactive: options.interactive ?? false,
    },
  });
  return {ctx, out, configDir, cleanup: () => rmSync(configDir, {recursive: true, force: true})};
}

/** A prompter that answers from a script (booleans for confirm, strings for input) and records the questions. */
export function scriptedPrompter(answers: Array<boolean | string | ((message: string) => Promise<string>)>): Prompter & {asked: string[]} {
  const asked: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    const answer = answers.shift();
    if (answer === undefined) throw new Error(`unexpected prompt: ${message}`);
    return answer;
  };
  return {
    asked,
    async confirm(message) {
      const answer = next(message);
      if (typeof answer !== 'boolean') throw new Error(`expected an input prompt, got confirm: ${message}`);
      return answer;
    },
    async input(message) {
      const answer = next(message);
      if (typeof answer === 'boolean') throw new Error(`expected a confirm prompt, got input: ${message}`);
      return typeof answer === 'function' ? answer(message) : answer;
    },
  };
}
