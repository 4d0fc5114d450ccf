import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';

import {cliBin, helperBin, repoRoot, run} from '../../scripts/launch.js';

/** The built credential helper, run as Docker runs it: by its name's file, through its shebang. */
export {helperBin};

export interface CliResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  cwd?: string;
  /** Kill the program after this many ms (its result then has exitCode -1): a hang fails the test instead of stalling it. */
  timeoutMs?: number;
}

/**
 * A test that names no metadata host must never make gcauth probe the real one (a CI machine may be a VM):
 * detection is off unless the test points GCE_METADATA_HOST / GCE_METADATA_IP at the emulator.
 */
const noMetadataProbe = (env: Record<string, string | undefined> = {}): Record<string, string> =>
  env.GCE_METADATA_HOST || env.GCE_METADATA_IP ? {} : {METADATA_SERVER_DETECTION: 'none'};

/** Runs a program with exactly the given environment (plus PATH/HOME), never rejecting. */
async function runProgram(file: string, args: string[], options: RunCliOptions): Promise<CliResult> {
  const result = await run(file, args, {
    cwd: options.cwd ?? repoRoot,
    env: {PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...noMetadataProbe(options.env), ...options.env},
    input: options.input,
    ...(options.timeoutMs === undefined ? {} : {timeoutMs: options.timeoutMs}),
  });
  return {stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1};
}

/** Runs the built CLI (`node bin/run.js ...`) as a subprocess with exactly the given environment (plus PATH/HOME). */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return runProgram(process.execPath, [cliBin, ...args], options);
}

/**
 * Runs a command line through oclif alone, as bin/run.js does with a line the lean dispatcher (src/hot/gcauth.ts) leaves
 * to it: what a fast command's output is compared with.
 */
export function runOclif(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const oclif = pathToFileURL(createRequire(cliBin).resolve('@oclif/core')).href;
  const script = `process.removeAllListeners('warning'); const {execute} = await import(${JSON.stringify(oclif)}); await execute({dir: ${JSON.stringify(pathToFileURL(cliBin).href)}, args: process.argv.slice(1)});`;
  return runProgram(process.execPath, ['--input-type=module', '-e', script, '--', ...args], options);
}

/** Runs docker-credential-gcauth ACTION with `input` on stdin and exactly the given environment (plus PATH/HOME). */
export function runHelper(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return runProgram(helperBin, args, options);
}

/** The environment that points gcauth at an emulator with its own config dir. */
export function emulatorEnv(url: string, configDir: string): Record<string, string> {
  return {GCAUTH_CONFIG: configDir, ...emulatorEndpoints(url)};
}

/** The variables that point gcauth's token host and every API it calls at an emulator. */
export function emulatorEndpoints(url: string): Record<string, string> {
  return {
    GCAUTH_AUTH_TOKEN_HOST: `${url}/token`,
    GCAUTH_API_ENDPOINT_OVERRIDES_IAM: `${url}/iam/`,
    GCAUTH_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER: `${url}/cloudresourcemanager/`,
    GCAUTH_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: `${url}/iamcredentials/`,
    GCAUTH_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${url}/artifactregistry/`,
    GCAUTH_API_ENDPOINT_OVERRIDES_SERVICEUSAGE: `${url}/serviceusage/`,
    GCAUTH_API_ENDPOINT_OVERRIDES_ORGPOLICY: `${url}/orgpolicy/`,
  };
}
