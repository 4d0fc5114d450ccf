import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {Config} from '@oclif/core';

import type {AppContext, GlobalFlags} from '../../src/lib/context.js';
import type {BaseCommand} from '../../src/lib/cli/base-command.js';
import {reportError} from '../../src/lib/report-error.js';
import {fakeContext, type FakeContextOptions} from './context.js';

export interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let oclif: Promise<Config> | undefined;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type CommandClass = typeof BaseCommand<any>;

/**
 * Runs a command class through oclif's parser, as the CLI would, with its context built by fakeContext
 * (a temp or given config dir, captured output): exact stdout, stderr and exit code.
 */
export async function runCommand(Cmd: CommandClass, argv: string[], options: Omit<FakeContextOptions, 'flags'> & {configDir: string}): Promise<CommandResult> {
  oclif ??= Config.load({root});
  const result: CommandResult = {stdout: '', stderr: '', code: 0};
  let out: {stdout: string; stderr: string} | undefined;
  // @ts-expect-error -- an abstract class with a generic parameter cannot be extended generically; every Cmd is concrete.
  class Probe extends Cmd {
    protected override async buildContext(flags: GlobalFlags): Promise<AppContext> {
      const fake = await fakeContext({...options, flags});
      out = fake.out;
      return fake.ctx;
    }

    override async catch(error: Error): Promise<never> {
      result.code = reportError((this as unknown as {asReported(e: Error): Error}).asReported(error), (t) => (result.stderr += t), (this as unknown as {ctx?: AppContext}).ctx?.log.level);
      return undefined as never;
    }
  }
  await (Probe as unknown as {run(argv: string[], config: Config): Promise<unknown>}).run(argv, await oclif);
  return {stdout: out?.stdout ?? '', stderr: (out?.stderr ?? '') + result.stderr, code: result.code};
}
