import {specCommand} from '../../../lib/cli/base-command.js';
import {artifactsRepositoriesAddIamPolicyBindingSpec} from '../../../lib/specs/artifacts/repositories/add-iam-policy-binding.js';

export default class AddIamPolicyBinding extends specCommand(artifactsRepositoriesAddIamPolicyBindingSpec) {}
