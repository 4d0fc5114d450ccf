import {specCommand} from '../../../lib/cli/base-command.js';
import {artifactsRepositoriesRemoveIamPolicyBindingSpec} from '../../../lib/specs/artifacts/repositories/remove-iam-policy-binding.js';

export default class RemoveIamPolicyBinding extends specCommand(artifactsRepositoriesRemoveIamPolicyBindingSpec) {}
