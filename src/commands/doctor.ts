import {Args} from '@oclif/core';

import {BaseCommand} from '../lib/base-command.js';
import {type AppContext, createContext, type GlobalFlags} from '../lib/context.js';
import {doctorPassed, renderDoctorReport, runDoctor} from '../lib/doctor/doctor.js';

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Explain why Docker is refused a pull or push: check Docker, its config, the helper, the account and its roles.';
  static override description =
    'Runs each check and prints one line per check, `ok`, `warn`, `fail` or `skip`, with the fix on the next line for a warn or fail. ' +
    'Name an image to also check whether the account may pull and push there. The report is the result, so it goes to stdout; ' +
    'the exit status is 0 when nothing failed and 1 otherwise.';
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor gcr.io/my-project/app',
    '<%= config.bin %> doctor us-docker.pkg.dev/my-project/my-repo/app --format=json',
  ];
  static override args = {
    image_or_host: Args.string({description: 'A registry host (default gcr.io), or an image: HOST/PROJECT/IMAGE or LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE.'}),
  };

  // A config dir another user may write is what the config-dir check reports, not a reason to stop before it.
  protected override buildContext(flags: GlobalFlags): Promise<AppContext> {
    return createContext(flags, {tolerateUntrustedConfigDir: true});
  }

  async run(): Promise<void> {
    const results = await runDoctor({target: this.args.image_or_host}, this.ctx);
    await this.output(results, renderDoctorReport);
    if (!doctorPassed(results)) this.exit(1);
  }
}
