/** Where ADC live on each platform, and the words printed around them. */
import path from 'node:path';

import {wellKnownAdcFile} from '../../src/lib/auth/adc/read.js';
import {adcSavedMessage, quotaProjectNote} from '../../src/lib/auth/adc/commands.js';

describe('the well-known ADC file', () => {
  test('$CLOUDSDK_CONFIG wins on every platform', () => {
    expect(wellKnownAdcFile({CLOUDSDK_CONFIG: '/cfg'}, '/home/u', 'linux')).toBe(path.join('/cfg', 'application_default_credentials.json'));
    expect(wellKnownAdcFile({CLOUDSDK_CONFIG: 'D:\\cfg', APPDATA: 'C:\\appdata'}, 'C:\\Users\\u', 'win32')).toBe('D:\\cfg\\application_default_credentials.json');
  });

  test('else ~/.config/gcloud on Linux and macOS, %APPDATA%\\gcloud on Windows', () => {
    expect(wellKnownAdcFile({}, '/home/u', 'linux')).toBe(path.join('/home/u', '.config', 'gcloud', 'application_default_credentials.json'));
    expect(wellKnownAdcFile({}, '/Users/u', 'darwin')).toBe(path.join('/Users/u', '.config', 'gcloud', 'application_default_credentials.json'));
    expect(wellKnownAdcFile({APPDATA: 'C:\\appdata'}, 'C:\\Users\\u', 'win32')).toBe('C:\\appdata\\gcloud\\application_default_credentials.json');
  });
});

describe('messages', () => {
  test('saved, as gcloud words it', () => {
    expect(adcSavedMessage('/f.json')).toBe(
      '\nCredentials saved to file: [/f.json]\n\nThese credentials will be used by any library that requests Application Default Credentials (ADC).',
    );
  });

  test('the quota project: added, refused with the reason, or none to add', () => {
    expect(quotaProjectNote({quotaProject: 'p'})).toContain('Quota project "p" was added to ADC');
    expect(quotaProjectNote({quotaProjectRefused: {project: 'p', reason: 'it could not be checked (timeout)'}})).toContain(
      'Cannot add the project "p" to ADC as the quota project because it could not be checked (timeout).',
    );
    expect(quotaProjectNote({})).toContain('Cannot find a quota project to add to ADC.');
  });
});
