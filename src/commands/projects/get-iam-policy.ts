import {specCommand} from '../../lib/cli/base-command.js';
import {projectsGetIamPolicySpec} from '../../lib/specs/projects/get-iam-policy.js';

export default class GetIamPolicy extends specCommand(projectsGetIamPolicySpec) {}
