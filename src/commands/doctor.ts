import {specCommand} from '../lib/cli/base-command.js';
import {defineCommand} from '../lib/cli/command-spec.js';
import {doctorPassed, renderDoctorReport, runDoctor} from '../lib/doctor/doctor.js';

export const spec = defineCommand({
  summary: 'Explain why Docker is refused a pull or push: check Docker, its config, the helper, the account and its roles.',
  description:
    'Runs each check and prints one line per check, `ok`, `warn`, `fail` or `skip`, with the fix on the next line for a warn or fail. ' +
    'Name an image to also check whether the account may pull and push there. The report is the result, so it goes to stdout; ' +
    'the exit status is 0 when nothing failed and 1 otherwise.',
  examples: [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor gcr.io/my-project/app',
    '<%= config.bin %> doctor us-docker.pkg.dev/my-project/my-repo/app --format=json',
  ],
  args: {
    image_or_host: {description: 'A registry host (default gcr.io), or an image: HOST/PROJECT/IMAGE or LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE.'},
  },
  flags: {},
  options: ({args}) => ({target: args.image_or_host}),
  run: (options, ctx) => runDoctor(options, ctx),
  human: renderDoctorReport,
  exitCode: (results) => (doctorPassed(results) ? 0 : 1),
  // A config dir another user may write is what the config-dir check reports, not a reason to stop before it.
  context: {tolerateUntrustedConfigDir: true},
});

export default class Doctor extends specCommand(spec) {}
