import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {findOnPath} from '../../scripts/launch.js';
import {tmpDir} from './emulator.js';

/** The real gcloud on PATH, if any. */
export function findGcloud(): string | undefined {
  return findOnPath('gcloud');
}

/**
 * The environment that points the real gcloud at an emulator, with its own config dir: token host,
 * API endpoint overrides, and nothing that would reach Google (no metadata probe, no update check).
 */
export function gcloudEnv(url: string, project: string): Record<string, string> {
  const config = tmpDir('gcloud-config-');
  mkdirSync(config, {recursive: true});
  // A cached "not on GCE" answer: gcloud then never probes the metadata server off-box.
  writeFileSync(path.join(config, 'gce'), 'False');
  return {
    CLOUDSDK_CONFIG: config,
    CLOUDSDK_AUTH_TOKEN_HOST: `${url}/token`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM: `${url}/iam/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER: `${url}/cloudresourcemanager/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS: `${url}/iamcredentials/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY: `${url}/artifactregistry/`,
    CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE: `${url}/serviceusage/`,
    CLOUDSDK_CORE_PROJECT: project,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false',
    CLOUDSDK_METRICS_ENVIRONMENT: 'x',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: 'true',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: 'true',
    CLOUDSDK_SURVEY_DISABLE_PROMPTS: 'true',
  };
}

/** Runs gcloud with exactly env (plus PATH and HOME), never rejecting. */
export function runGcloud(gcloud: string, args: string[], env: Record<string, string>) {
  return execa(gcloud, args, {env: {PATH: process.env.PATH, HOME: process.env.HOME, ...env}, extendEnv: false, reject: false, stdin: 'ignore'});
}
