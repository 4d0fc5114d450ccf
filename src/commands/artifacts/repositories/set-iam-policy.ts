import {specCommand} from '../../../lib/cli/base-command.js';
import {artifactsRepositoriesSetIamPolicySpec} from '../../../lib/specs/artifacts/repositories/set-iam-policy.js';

export default class SetIamPolicy extends specCommand(artifactsRepositoriesSetIamPolicySpec) {}
