import {specCommand} from '../../../lib/cli/base-command.js';
import {artifactsRepositoriesGetIamPolicySpec} from '../../../lib/specs/artifacts/repositories/get-iam-policy.js';

export default class GetIamPolicy extends specCommand(artifactsRepositoriesGetIamPolicySpec) {}
