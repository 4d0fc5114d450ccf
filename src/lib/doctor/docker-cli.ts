import type {AppContext} from '../context.js';
import {DOCKER_PROBE_TIMEOUT_MS, isDockerTooOld, probeDockerVersion} from '../docker/configure.js';
import {type CheckResult, result} from './types.js';

const CHECK = 'docker-cli';
const INSTALL = 'Install Docker 18.03 or later: https://docs.docker.com/get-docker/';

/** The docker CLI is on PATH and 18.03 or later (the probe configure-docker runs, bounded). */
export async function checkDockerCli(ctx: Pick<AppContext, 'env'>, timeoutMs = DOCKER_PROBE_TIMEOUT_MS): Promise<CheckResult> {
  const probe = await probeDockerVersion(ctx, timeoutMs);
  switch (probe.kind) {
    case 'version':
      return isDockerTooOld(probe)
        ? result(CHECK, 'fail', `docker ${probe.version} is older than 18.03, which credential helpers need`, INSTALL)
        : result(CHECK, 'ok', `docker ${probe.version}`);
    case 'missing':
      return result(CHECK, 'fail', 'docker was not found on PATH', INSTALL);
    case 'timeout':
      return result(CHECK, 'warn', `\`docker version\` did not answer within ${timeoutMs / 1000} s; its version is unknown`, 'docker version');
    default:
      return result(CHECK, 'warn', `could not tell docker's version${probe.detail ? ` (${probe.detail})` : ''}`, 'docker version');
  }
}
