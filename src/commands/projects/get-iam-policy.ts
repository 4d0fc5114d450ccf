import {Args} from '@oclif/core';

import {BaseCommand} from '../../lib/base-command.js';
import {readProjectPolicy} from '../../lib/iam/bindings.js';

export default class GetIamPolicy extends BaseCommand<typeof GetIamPolicy> {
  static override summary = "Print a project's IAM policy.";
  static override description = 'Read at policy version 3, so conditional bindings are shown with their conditions.';
  static override examples = [
    '<%= config.bin %> projects get-iam-policy my-project',
    '<%= config.bin %> projects get-iam-policy my-project --format=json',
  ];
  static override args = {
    project: Args.string({required: true, description: 'Project ID or number.'}),
  };

  async run(): Promise<void> {
    await this.output(await readProjectPolicy(this.args.project, this.ctx), 'yaml');
  }
}
